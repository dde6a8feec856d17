"""Thin helpers over the official MCP Python SDK (mcp 2.3.0) for both eras."""

import asyncio
import contextlib

import mcp.client.session as sdk_session
from mcp import Client, ClientSession
from mcp.client.auth import TokenStorage
from mcp.client.streamable_http import streamable_http_client


@contextlib.asynccontextmanager
async def legacy_session(url: str, version: str):
    """An initialize-handshake session at exactly `version`.

    The SDK offers its newest handshake version on initialize and takes the
    value from this module constant, so pinning an older one means setting it.
    """
    previous = sdk_session.LATEST_HANDSHAKE_VERSION
    sdk_session.LATEST_HANDSHAKE_VERSION = version
    try:
        async with streamable_http_client(url) as (read, write):
            async with ClientSession(read, write) as session:
                result = await session.initialize()
                yield session, result
    finally:
        sdk_session.LATEST_HANDSHAKE_VERSION = previous


@contextlib.asynccontextmanager
async def modern_client(url: str, mode: str = "2026-07-28"):
    """A stateless 2026-07-28 client; mode "auto" probes server/discover first."""
    async with Client(url, mode=mode, cache=None) as client:
        yield client


def run(coroutine):
    return asyncio.run(coroutine)


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


class MemoryStorage(TokenStorage):
    """The SDK's OAuth token storage, in memory; `client` pre-seeds the
    client information (a static client that never registers)."""

    def __init__(self, client=None):
        self.tokens = None
        self.client = client

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, client):
        self.client = client
