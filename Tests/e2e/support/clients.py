"""Thin helpers over the official MCP Python SDK (mcp 2.3.0) for both eras."""

import asyncio
import contextlib

import httpx2
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


async def in_era(url: str, era: str, exercise):
    """Runs `exercise(client)` with a 2026-07-28 client, or with an
    initialized session of an earlier era; returns what it returns."""
    if era == "2026-07-28":
        async with modern_client(url) as client:
            return await exercise(client)
    async with legacy_session(url, era) as (session, _):
        return await exercise(session)


async def exercise_in_era(url: str, era: str, auth, exercise):
    """Runs `exercise(list_tools, call_tool)` over one connection signed in
    through `auth` (an httpx auth flow such as the SDK's OAuth provider):
    an initialize-handshake session for era "legacy", else a client at that
    stateless protocol version. Returns what `exercise` returns."""
    http = httpx2.AsyncClient(auth=auth, timeout=30)
    async with http:
        transport = streamable_http_client(url, http_client=http)
        if era == "legacy":
            async with transport as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                return await exercise(session.list_tools, session.call_tool)
        async with Client(transport, mode=era, cache=None) as client:
            return await exercise(client.list_tools, client.call_tool)
