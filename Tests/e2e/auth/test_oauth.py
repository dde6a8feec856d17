"""The gateway as an OAuth 2.1 resource server in front of a real
authorization server (Debian's glewlwyd, started here on 127.0.0.1): the
official MCP Python SDK discovers the metadata, registers itself, signs a
user in and calls tools in both eras; scopes decide what each user sees."""

import asyncio
import json
import pathlib
import tempfile

import httpx2
import pytest
import requests
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client

from support.connectors import write_connector
from support.clients import MemoryStorage, exercise_in_era
from support.gateway import free_port, start_gateway
from support.oauth import require_glewlwyd, sdk_oauth_at, start_glewlwyd, stop_glewlwyd

MODERN = "2026-07-28"
USERS = {"alice": "alice-password", "bob": "bob-password"}


@pytest.fixture(scope="module")
def oauth(httpbin_url):
    """glewlwyd on one port, the gateway on another, each knowing the other."""
    require_glewlwyd()
    gateway_port, issuer_port = free_port(), free_port()
    resource = f"http://127.0.0.1:{gateway_port}/mcp"
    state = pathlib.Path(tempfile.mkdtemp(prefix="glewlwyd-"))
    info = start_glewlwyd(issuer_port, resource, state)
    folder = state / "connectors.d"
    folder.mkdir()
    write_connector(folder, "auth/tickets-oauth", "tickets.yaml", UPSTREAM=httpbin_url)
    gateway = start_gateway(folder, {
        "GATEHOUSE_AUTH": "oauth",
        "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}",
        "GATEHOUSE_AUTH_ISSUERS": info["issuer"],
        "GATEHOUSE_AUTH_SCOPES": "mcp",
    }, port=gateway_port)
    gateway.info = info
    try:
        yield gateway
    finally:
        gateway.stop()
        stop_glewlwyd(state)


def sdk_oauth(gateway, user: str, storage: MemoryStorage) -> OAuthClientProvider:
    return sdk_oauth_at(gateway.mcp, gateway.info["base"], user, USERS[user], storage)


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def decode_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(__import__("base64").urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_protected_resource_metadata(oauth):
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]:
        metadata = requests.get(oauth.url + path).json()
        assert metadata["resource"] == oauth.mcp
        assert metadata["authorization_servers"] == [oauth.info["issuer"]]
        assert metadata["scopes_supported"] == ["mcp", "tickets:read", "tickets:write"]
        assert metadata["bearer_methods_supported"] == ["header"]
    r = requests.post(oauth.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == (
        f'Bearer resource_metadata="{oauth.url}/.well-known/oauth-protected-resource/mcp", '
        'scope="mcp tickets:read tickets:write"')


@pytest.mark.parametrize("era", ["legacy", MODERN])
def test_sdk_signs_in_and_calls_tools(oauth, era):
    storage = MemoryStorage()

    async def exercise(list_tools, call_tool):
        names = [tool.name for tool in (await list_tools()).tools]
        assert names == ["read_ticket", "whoami", "write_ticket"]
        headers = json.loads(text(await call_tool("whoami", {})))
        assert headers["X-User-Email"] == "alice@example.test"
        assert "Authorization" not in headers, "the caller's token is never passed upstream"
        result = await call_tool("write_ticket", {"title": "Printer on fire"})
        assert not result.is_error, text(result)
        return json.loads(text(result))

    answer = asyncio.run(exercise_in_era(oauth.mcp, era, sdk_oauth(oauth, "alice", storage), exercise))
    token = storage.tokens.access_token
    claims = decode_claims(token)
    assert claims["aud"] == oauth.mcp, "the SDK asked for a token for exactly this resource"
    assert answer["json"] == {"title": "Printer on fire", "reporter": "alice@example.test"}
    assert answer["url"].endswith(f"/anything/users/{claims['sub']}/tickets")
    assert token not in json.dumps(answer), "the upstream never sees the caller's token"


def test_user_without_a_scope_sees_fewer_tools_and_gets_a_step_up_challenge(oauth):
    storage = MemoryStorage()

    async def go():
        http = httpx2.AsyncClient(auth=sdk_oauth(oauth, "bob", storage), timeout=30)
        async with http, Client(streamable_http_client(oauth.mcp, http_client=http), mode=MODERN, cache=None) as client:
            return [tool.name for tool in (await client.list_tools()).tools]

    assert asyncio.run(go()) == ["read_ticket", "whoami"]
    token = storage.tokens.access_token
    assert "tickets:write" not in decode_claims(token)["scope"].split()
    meta = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
    r = requests.post(oauth.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "write_ticket", "arguments": {"title": "x"}, "_meta": meta}}, headers={
        "Authorization": f"Bearer {token}", "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call",
        "Mcp-Name": "write_ticket"})
    assert r.status_code == 403
    challenge = r.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="mcp tickets:write"' in challenge
    assert f'resource_metadata="{oauth.url}/.well-known/oauth-protected-resource/mcp"' in challenge
    # The list is per caller, so it must not be cached for others.
    r = requests.post(oauth.mcp, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": meta}},
                      headers={"Authorization": f"Bearer {token}", "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"})
    assert r.json()["result"]["cacheScope"] == "private"


def test_bad_tokens_are_refused(oauth):
    cases = {
        "garbage": ("Bearer not.a.jwt", 401, 'error="invalid_token"'),
        "basic": ("Basic YWxpY2U6cGFzcw==", 400, 'error="invalid_request"'),
        "empty": ("Bearer ", 400, 'error="invalid_request"'),
    }
    for name, (header, status, error) in cases.items():
        r = requests.post(oauth.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers={"Authorization": header})
        assert r.status_code == status, name
        assert error in r.headers["WWW-Authenticate"], name
    r = requests.post(oauth.mcp + "?access_token=abc", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert r.status_code == 400 and 'error="invalid_request"' in r.headers["WWW-Authenticate"]
