"""`gatehouse doctor` against the gateway itself, configured right and then
one setting wrong at a time: open, behind a real OAuth provider (glewlwyd,
with a token the MCP SDK obtained there), with a public URL other than the
one users type, with an issuer whose metadata cannot be found or offers no
PKCE, and accepting any Origin. Each wrong setting must show up as its own
failure, and the exit code must say so."""

import asyncio
import base64
import http.server
import json
import pathlib
import re
import subprocess
import tempfile
import time

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from support.clients import MemoryStorage
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.loopback import LoopbackServer, answer
from support.oauth import require_glewlwyd, sdk_oauth_at, start_glewlwyd, stop_glewlwyd
from support.paths import BIN


def doctor(url: str, *args: str, token: str = None) -> tuple[int, dict, str]:
    """Runs the doctor; its exit code, each check's verdicts, and the output."""
    env = {"PATH": "/usr/bin:/bin"}
    if token:
        env["GATEHOUSE_DOCTOR_TOKEN"] = token
    run = subprocess.run([str(BIN), "doctor", url, *args], capture_output=True, text=True, timeout=120, env=env)
    verdicts = {}
    for line in run.stdout.splitlines():
        match = re.match(r"^  (PASS|WARN|FAIL|SKIP)  (\S+)", line)
        if match:
            verdicts.setdefault(match.group(2), []).append(match.group(1))
    return run.returncode, verdicts, run.stdout + run.stderr


def folder_with(httpbin_url: str, fixture: str = "auth/tickets-oauth") -> pathlib.Path:
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-doctor-"))
    folder = root / "connectors.d"
    folder.mkdir()
    write_connector(folder, fixture, "tickets.yaml", UPSTREAM=httpbin_url)
    return folder


@pytest.fixture
def gateways():
    started = []
    yield started
    for gateway in started:
        gateway.stop()


def test_an_open_gateway_passes_with_warnings_and_any_origin_fails(httpbin_url, gateways):
    gateway = start_gateway(folder_with(httpbin_url, "protocol/httpbin"))
    gateways.append(gateway)
    code, verdicts, output = doctor(gateway.mcp)
    assert code == 0, output
    assert verdicts["https"] == ["WARN"] and verdicts["sign-in"] == ["WARN"], output
    for check in ["reachable", "loose-probe", "discover", "initialize", "tools", "tool-names", "origin", "get-probe"]:
        assert verdicts[check] == ["PASS"], (check, output)
    assert "resource-metadata" not in verdicts
    code, _, _ = doctor(gateway.mcp, "--strict")
    assert code == 1, "warnings fail with --strict"

    careless = start_gateway(folder_with(httpbin_url, "protocol/httpbin"), {"GATEHOUSE_ALLOWED_ORIGINS": "*"})
    gateways.append(careless)
    code, verdicts, output = doctor(careless.mcp)
    assert code == 1
    assert verdicts["origin"] == ["FAIL"], output
    assert "GATEHOUSE_ALLOWED_ORIGINS" in output


@pytest.fixture(scope="module")
def provider():
    """glewlwyd for a gateway on a port chosen here, and a token the MCP SDK
    obtained from it for that gateway."""
    require_glewlwyd()
    gateway_port, issuer_port = free_port(), free_port()
    state = pathlib.Path(tempfile.mkdtemp(prefix="glewlwyd-doctor-"))
    info = start_glewlwyd(issuer_port, f"http://127.0.0.1:{gateway_port}/mcp", state)
    info["gateway_port"] = gateway_port
    try:
        yield info
    finally:
        stop_glewlwyd(state)


def signed_in_token(mcp_url: str, provider: dict) -> str:
    storage = MemoryStorage()

    async def go():
        auth = sdk_oauth_at(mcp_url, provider["base"], "alice", "alice-password", storage)
        http = httpx2.AsyncClient(auth=auth, timeout=30)
        async with http, Client(streamable_http_client(mcp_url, http_client=http), mode="2026-07-28", cache=None) as client:
            await client.list_tools()

    asyncio.run(go())
    return storage.tokens.access_token


def oauth_gateway(httpbin_url, provider, **overrides):
    port = provider["gateway_port"]
    env = {"GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "GATEHOUSE_AUTH_ISSUERS": provider["issuer"], "GATEHOUSE_AUTH_SCOPES": "mcp", **overrides}
    return start_gateway(folder_with(httpbin_url), env, port=port)


def test_behind_a_real_provider_every_check_passes(httpbin_url, provider, gateways):
    gateway = oauth_gateway(httpbin_url, provider)
    gateways.append(gateway)
    code, verdicts, output = doctor(gateway.mcp)
    assert code == 0, output
    for check in ["reachable", "challenge", "loose-probe", "resource-metadata", "resource-metadata-root",
                  "authorization-server", "pkce", "client-registration", "origin", "get-probe"]:
        assert verdicts[check] == ["PASS"], (check, output)
    assert verdicts["protocol"] == ["SKIP"], "no token, no protocol checks"

    token = signed_in_token(gateway.mcp, provider)
    code, verdicts, output = doctor(gateway.mcp, "--no-register", token=token)
    assert code == 0, output
    for check in ["token", "discover", "initialize", "tools", "tool-names"]:
        assert verdicts[check] == ["PASS"], (check, output)
    assert "3 tools" in output
    assert token not in output, "the token is never printed"

    code, verdicts, output = doctor(gateway.mcp, "--no-register", token=token[:-8] + "AAAAAAAA")
    assert code == 1
    assert verdicts["token"] == ["FAIL"], output


def test_a_public_url_other_than_the_one_users_type_fails(httpbin_url, provider, gateways):
    gateway = oauth_gateway(httpbin_url, provider, GATEHOUSE_PUBLIC_URL="https://gateway.example.test")
    gateways.append(gateway)
    code, verdicts, output = doctor(gateway.mcp, "--no-register")
    assert code == 1
    assert verdicts["resource-metadata"] == ["FAIL"], output
    assert "https://gateway.example.test/mcp" in output and gateway.mcp in output
    assert verdicts["challenge"] == ["WARN"], "the challenge points at another origin"


def test_an_issuer_without_metadata_fails(httpbin_url, provider, gateways):
    nowhere = f"http://127.0.0.1:{free_port()}"
    gateway = oauth_gateway(httpbin_url, provider, GATEHOUSE_AUTH_ISSUERS=nowhere)
    gateways.append(gateway)
    code, verdicts, output = doctor(gateway.mcp, "--no-register")
    assert code == 1
    assert verdicts["resource-metadata"] == ["PASS"], output
    assert verdicts["authorization-server"] == ["FAIL"], output
    assert nowhere in output


class BareIssuer(LoopbackServer):
    """An issuer whose metadata lists no PKCE methods and no registration."""

    def __init__(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = key.public_key().public_numbers()

        def b64(number: int) -> str:
            raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        self.key = key
        documents = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                document = documents.get(handler.path)
                body = json.dumps(document or {"error": "not found"}).encode()
                answer(handler, 200 if document else 404, "application/json", body)

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server_address[1]}"
        documents["/.well-known/oauth-authorization-server"] = {
            "issuer": self.issuer, "jwks_uri": self.issuer + "/jwks", "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token", "response_types_supported": ["code"]}
        documents["/jwks"] = {"keys": [{"kty": "RSA", "kid": "k", "alg": "RS256", "use": "sig",
                                        "n": b64(numbers.n), "e": b64(numbers.e)}]}

    def token(self, audience: str) -> str:
        now = int(time.time())
        return jwt.encode({"iss": self.issuer, "aud": audience, "sub": "u", "scope": "mcp", "iat": now, "exp": now + 600},
                          self.key, algorithm="RS256", headers={"kid": "k"})


def test_an_issuer_without_pkce_or_registration_fails_pkce(httpbin_url, provider, gateways):
    issuer = BareIssuer().start()
    try:
        gateway = oauth_gateway(httpbin_url, provider, GATEHOUSE_AUTH_ISSUERS=issuer.issuer)
        gateways.append(gateway)
        code, verdicts, output = doctor(gateway.mcp, token=issuer.token(gateway.mcp))
        assert code == 1
        assert verdicts["authorization-server"] == ["PASS"], output
        assert verdicts["pkce"] == ["FAIL"], output
        assert verdicts["client-registration"] == ["WARN"], output
        assert verdicts["token"] == ["PASS"] and verdicts["tools"] == ["PASS"], output
    finally:
        issuer.stop()
