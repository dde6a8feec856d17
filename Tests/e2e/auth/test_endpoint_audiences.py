"""Endpoints as OAuth protected resources of their own: each `/mcp/NAME`
publishes its RFC 9728 metadata, takes only tokens whose audience is its
own URL (or its `audience:`), and refuses the tokens of `/mcp` and of the
other endpoints.

Two ways of getting tokens, against one glewlwyd (Debian's, on 127.0.0.1):

- external issuer (GATEHOUSE_AUTH=oauth): glewlwyd honours RFC 8707 —
  `verify_resource` in its OIDC plugin accepts a `resource` listed for one
  of the requested scopes in the plugin's `resource-scope` (or in the
  client's `resource` property) and writes it into `aud`. provision.py lists
  only `/mcp` there; this module adds the endpoints' URLs through the admin
  API, so glewlwyd issues real tokens for `/mcp/research` and the others.
- built-in authorization server (GATEHOUSE_AUTH=builtin) with glewlwyd as
  the identity provider behind it and headless Chromium as the person: the
  gateway issues each token for the one endpoint the client names.

The official MCP Python SDK signs in against an endpoint in both eras."""

import asyncio
import base64
import json
import os
import time
import types
import urllib.parse

import httpx2
import pytest
import requests
from mcp import Client, ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

import mcp.client.session as sdk_session
from support.browser import browser_session
from support.clients import MemoryStorage
from support.consent import RedirectListener, approve_and_sign_in, pkce_pair
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.oauth import require_glewlwyd, sdk_oauth_at, start_glewlwyd, stop_glewlwyd
from support.trust import recording_api

MODERN = "2026-07-28"
ERAS = ["legacy", MODERN]
PASSWORDS = {"alice": "alice-password", "bob": "bob-password"}
PARTNERS_AUDIENCE = "https://partners.example.test/mcp"
VIEWS = {
    "research": ["find_pages_by_ticket", "find_tickets", "read_ticket", "search_pages"],
    "support": ["close_ticket", "create_ticket", "delete_ticket", "find_tickets", "read_ticket"],
    "writers": ["close_ticket", "create_ticket", "delete_ticket", "find_pages_by_ticket", "read_ticket", "reopen_ticket"],
    "partners": ["find_tickets", "search_pages"],
}
ENDPOINTS = list(VIEWS)


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def allow_resources_at_glewlwyd(info: dict, resources: list[str]) -> None:
    """Adds `resources` to the OIDC plugin's resource-scope for every scope
    (glewlwyd's admin API), so it issues tokens for them."""
    admin = requests.Session()
    admin.post(info["login_endpoint"], json=info["admin"], timeout=10).raise_for_status()
    plugin = admin.get(info["base"] + "/api/mod/plugin/oidc", timeout=10)
    plugin.raise_for_status()
    module = plugin.json()
    by_scope = module["parameters"]["resource-scope"]
    for scope in by_scope:
        by_scope[scope] = sorted(set(by_scope[scope]) | set(resources))
    body = {key: module[key] for key in ("module", "name", "display_name", "parameters", "enabled") if key in module}
    admin.put(info["base"] + "/api/mod/plugin/oidc", json=body, timeout=10).raise_for_status()
    admin.put(info["base"] + "/api/mod/plugin/oidc/reset", timeout=10)   # reload, where supported


def glewlwyd_token(info: dict, user: str, resource: str, scope: str = "mcp") -> str:
    """An access token for `resource` from glewlwyd's authorization code flow
    with PKCE (its public test client), the browser's part played by
    requests as support.oauth.sdk_oauth_at does."""
    client_id = info["public_client"]["client_id"]
    redirect = "http://127.0.0.1:33418/callback"
    verifier, challenge = pkce_pair()
    person = requests.Session()
    person.post(info["login_endpoint"], json={"username": user, "password": PASSWORDS[user]}, timeout=10).raise_for_status()
    person.put(f"{info['base']}/api/auth/grant/{client_id}", json={"scope": scope}, timeout=10).raise_for_status()
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect, "scope": scope, "state": "st",
             "code_challenge": challenge, "code_challenge_method": "S256", "resource": resource}
    answer = person.get(info["authorization_endpoint"] + "?" + urllib.parse.urlencode(query) + "&g_continue",
                        allow_redirects=False, timeout=10)
    location = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers.get("Location", "")).query))
    assert "code" in location, (answer.status_code, answer.headers.get("Location"), answer.text[:300])
    tokens = requests.post(info["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": location["code"], "redirect_uri": redirect, "client_id": client_id,
        "code_verifier": verifier, "resource": resource})
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["access_token"]


def mcp_post(url: str, token: str | None, method: str = "tools/list", params: dict = None, name: str = None) -> requests.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**(params or {}), "_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name:
        headers["Mcp-Name"] = name
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(url, data=json.dumps(body), headers=headers, timeout=10)


def names(response: requests.Response) -> list[str]:
    assert response.status_code == 200, (response.status_code, response.headers.get("WWW-Authenticate"), response.text)
    return sorted(tool["name"] for tool in response.json()["result"]["tools"])


def assert_refused_for_audience(response: requests.Response, gateway_url: str, endpoint: str | None):
    """401 invalid_token, and the challenge points at this endpoint's metadata."""
    assert response.status_code == 401, (response.status_code, response.text)
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="invalid_token"' in challenge and "audience" in challenge, challenge
    path = "/mcp" + (f"/{endpoint}" if endpoint else "")
    assert f'resource_metadata="{gateway_url}/.well-known/oauth-protected-resource{path}"' in challenge, challenge


def list_with_sdk(url: str, era: str, auth) -> list[str]:
    async def go():
        http = httpx2.AsyncClient(auth=auth, timeout=30)
        async with http:
            transport = streamable_http_client(url, http_client=http)
            if era == "legacy":
                previous = sdk_session.LATEST_HANDSHAKE_VERSION
                sdk_session.LATEST_HANDSHAKE_VERSION = "2025-11-25"
                try:
                    async with transport as (read, write), ClientSession(read, write) as session:
                        await session.initialize()
                        return sorted(tool.name for tool in (await session.list_tools()).tools)
                finally:
                    sdk_session.LATEST_HANDSHAKE_VERSION = previous
            async with Client(transport, mode=MODERN, cache=None) as client:
                return sorted(tool.name for tool in (await client.list_tools()).tools)
    return asyncio.run(go())


# ---------------------------------------------------------------- one glewlwyd, two gateways

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    require_glewlwyd()
    root = tmp_path_factory.mktemp("audiences")
    s = types.SimpleNamespace(root=root)
    s.oauth_port, s.builtin_port, issuer_port = free_port(), free_port(), free_port()
    s.oauth_public, s.builtin_public = f"http://127.0.0.1:{s.oauth_port}", f"http://127.0.0.1:{s.builtin_port}"
    state = root / "glewlwyd"
    s.info = start_glewlwyd(issuer_port, s.oauth_public + "/mcp", state,
                            "--upstream-redirect", s.builtin_public + "/oauth/callback")
    allow_resources_at_glewlwyd(s.info, [f"{s.oauth_public}/mcp/{name}" for name in ENDPOINTS] + [PARTNERS_AUDIENCE])
    s.api = recording_api().start()
    s.folder = root / "connectors.d"
    s.folder.mkdir()
    write_connector(s.folder, "trust/tickets", API=s.api.url)
    write_connector(s.folder, "trust/wiki", API=s.api.url)
    write_connector(s.folder, "trust/endpoints-oauth", "endpoints.yaml", PARTNERS_AUDIENCE=PARTNERS_AUDIENCE)
    s.upstream_secret = root / "upstream.secret"
    s.upstream_secret.write_text(s.info["upstream_client"]["client_secret"])
    s.store_secret = root / "store.secret"
    s.store_secret.write_text(base64.b64encode(os.urandom(48)).decode())
    s.listener = RedirectListener().start()
    started = []
    try:
        s.oauth = start_gateway(s.folder, {
            "GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": s.oauth_public, "GATEHOUSE_AUTH_ISSUERS": s.info["issuer"],
            "GATEHOUSE_AUTH_SCOPES": "mcp", "GATEHOUSE_PAGE_SIZE": "100"}, port=s.oauth_port)
        started.append(s.oauth)
        s.builtin = start_gateway(s.folder, {
            "GATEHOUSE_AUTH": "builtin", "GATEHOUSE_PUBLIC_URL": s.builtin_public,
            "GATEHOUSE_AUTH_UPSTREAM_ISSUER": s.info["issuer"],
            "GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID": s.info["upstream_client"]["client_id"],
            "GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET_FILE": str(s.upstream_secret),
            "GATEHOUSE_AUTH_STORE": str(root / "builtin.sqlite"), "GATEHOUSE_AUTH_STORE_SECRET_FILE": str(s.store_secret),
            "GATEHOUSE_AUTH_SCOPE_MAPPING": "* -> mcp tickets:read; groups=gatehouse-admins -> tickets:write",
            "GATEHOUSE_AUTH_SCOPES": "mcp",
            "GATEHOUSE_AUTH_CLIENTS": json.dumps([{"client_id": "static-cli", "client_name": "Static CLI",
                                                   "redirect_uris": [s.listener.url]}]),
            "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS": "true", "GATEHOUSE_PAGE_SIZE": "100"}, port=s.builtin_port)
        started.append(s.builtin)
        yield s
    finally:
        for gateway in started:
            gateway.stop()
        s.listener.stop()
        s.api.stop()
        stop_glewlwyd(state)


@pytest.fixture(scope="module")
def browser():
    with browser_session() as driver:
        yield driver


# ================================================================ external issuer (GATEHOUSE_AUTH=oauth)

def test_each_endpoint_publishes_its_own_protected_resource_metadata(world):
    gateway = world.oauth
    main = requests.get(gateway.url + "/.well-known/oauth-protected-resource/mcp", timeout=10).json()
    assert main["resource"] == gateway.mcp
    for name, title in (("research", "Company data (read-only)"), ("support", "Support desk"), ("writers", "Ticket writers")):
        for path in (f"/.well-known/oauth-protected-resource/mcp/{name}", f"/mcp/{name}/.well-known/oauth-protected-resource"):
            r = requests.get(gateway.url + path, timeout=10)
            assert r.status_code == 200, (path, r.status_code, r.text)
            metadata = r.json()
            assert metadata["resource"] == f"{gateway.mcp}/{name}", (path, metadata)
            assert metadata["authorization_servers"] == [world.info["issuer"]]
            assert metadata["bearer_methods_supported"] == ["header"]
            assert metadata["resource_name"] == title
        # Without a token: the challenge names this endpoint's metadata and scopes.
        r = mcp_post(f"{gateway.mcp}/{name}", None)
        assert r.status_code == 401
        challenge = r.headers["WWW-Authenticate"]
        assert f'resource_metadata="{gateway.url}/.well-known/oauth-protected-resource/mcp/{name}"' in challenge, challenge
    writers = requests.get(gateway.url + "/.well-known/oauth-protected-resource/mcp/writers", timeout=10).json()
    assert "tickets:write" in writers["scopes_supported"] and "mcp" in writers["scopes_supported"]
    assert 'scope="mcp tickets:write"' in mcp_post(gateway.mcp + "/writers", None).headers["WWW-Authenticate"]
    assert requests.get(gateway.url + "/.well-known/oauth-protected-resource/mcp/nowhere", timeout=10).status_code == 404


def test_glewlwyd_issues_tokens_for_each_endpoint(world):
    for name in ("research", "support"):
        token = glewlwyd_token(world.info, "alice", f"{world.oauth.mcp}/{name}")
        assert claims(token)["aud"] == f"{world.oauth.mcp}/{name}", claims(token)
        assert claims(token)["iss"] == world.info["issuer"]


@pytest.mark.parametrize("era", ERAS)
def test_the_sdk_signs_in_for_one_endpoint_and_that_token_is_refused_elsewhere(world, era):
    url = world.oauth.mcp + "/research"
    storage = MemoryStorage()
    listed = list_with_sdk(url, era, sdk_oauth_at(url, world.info["base"], "alice", PASSWORDS["alice"], storage))
    assert listed == VIEWS["research"]
    token = storage.tokens.access_token
    assert claims(token)["aud"] == url, "the SDK asked glewlwyd for a token for exactly this endpoint"
    assert_refused_for_audience(mcp_post(world.oauth.mcp, token), world.oauth.url, None)
    assert_refused_for_audience(mcp_post(world.oauth.mcp + "/support", token), world.oauth.url, "support")
    assert names(mcp_post(url, token)) == VIEWS["research"]


def test_a_token_for_mcp_is_refused_at_every_endpoint(world):
    token = glewlwyd_token(world.info, "alice", world.oauth.mcp)
    assert claims(token)["aud"] == world.oauth.mcp
    assert len(names(mcp_post(world.oauth.mcp, token))) == 10
    for name in ("research", "support", "writers"):
        assert_refused_for_audience(mcp_post(f"{world.oauth.mcp}/{name}", token), world.oauth.url, name)
    before = len(world.api.seen())
    r = mcp_post(world.oauth.mcp + "/support", token, "tools/call", {"name": "read_ticket", "arguments": {"id": 1}}, "read_ticket")
    assert r.status_code == 401
    assert len(world.api.seen()) == before


def test_a_token_for_one_endpoint_is_refused_at_another(world):
    research = glewlwyd_token(world.info, "alice", world.oauth.mcp + "/research")
    support = glewlwyd_token(world.info, "alice", world.oauth.mcp + "/support")
    assert names(mcp_post(world.oauth.mcp + "/support", support)) == VIEWS["support"]
    assert_refused_for_audience(mcp_post(world.oauth.mcp + "/support", research), world.oauth.url, "support")
    assert_refused_for_audience(mcp_post(world.oauth.mcp + "/research", support), world.oauth.url, "research")
    # A call through the right endpoint reaches the API; through the wrong one, nothing does.
    before = len(world.api.seen())
    r = mcp_post(world.oauth.mcp + "/research", support, "tools/call", {"name": "find_tickets", "arguments": {"q": "x"}}, "find_tickets")
    assert r.status_code == 401 and len(world.api.seen()) == before
    r = mcp_post(world.oauth.mcp + "/support", support, "tools/call", {"name": "find_tickets", "arguments": {"q": "x"}}, "find_tickets")
    assert r.status_code == 200 and not r.json()["result"].get("isError"), r.text
    assert world.api.seen()[-1]["path"] == "/tickets"


def test_an_endpoints_scopes_are_required_of_every_request(world):
    alice = glewlwyd_token(world.info, "alice", world.oauth.mcp + "/writers", scope="mcp tickets:write")
    assert names(mcp_post(world.oauth.mcp + "/writers", alice)) == VIEWS["writers"]
    bob = glewlwyd_token(world.info, "bob", world.oauth.mcp + "/writers", scope="mcp tickets:read")
    assert claims(bob)["aud"] == world.oauth.mcp + "/writers" and "tickets:write" not in claims(bob)["scope"].split()
    r = mcp_post(world.oauth.mcp + "/writers", bob)
    assert r.status_code == 403, (r.status_code, r.text)
    challenge = r.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="mcp tickets:write"' in challenge, challenge
    assert f'resource_metadata="{world.oauth.url}/.well-known/oauth-protected-resource/mcp/writers"' in challenge


def test_an_endpoint_with_an_audience_takes_tokens_for_that_audience_only(world):
    partners = world.oauth.mcp + "/partners"
    token = glewlwyd_token(world.info, "alice", PARTNERS_AUDIENCE)
    assert claims(token)["aud"] == PARTNERS_AUDIENCE
    assert names(mcp_post(partners, token)) == VIEWS["partners"]
    assert_refused_for_audience(mcp_post(world.oauth.mcp, token), world.oauth.url, None)
    assert_refused_for_audience(mcp_post(world.oauth.mcp + "/research", token), world.oauth.url, "research")
    # The endpoint's URL is not its audience any more.
    by_url = glewlwyd_token(world.info, "alice", partners)
    assert_refused_for_audience(mcp_post(partners, by_url), world.oauth.url, "partners")


# ================================================================ the built-in authorization server

def sdk_person(browser, world, captured: dict):
    def person(url):
        captured["url"] = url
        captured["answer"] = approve_and_sign_in(browser, url, world.listener, world.info["base"], "alice", PASSWORDS["alice"])

    async def redirect_handler(url):
        await asyncio.to_thread(person, url)

    async def callback_handler():
        answer = captured["answer"]
        assert "code" in answer, f"the redirect URI received {answer}"
        return AuthorizationCodeResult(code=answer["code"], state=answer.get("state"), iss=answer.get("iss"))

    return redirect_handler, callback_handler


@pytest.mark.parametrize("era", ERAS)
def test_builtin_the_sdk_gets_a_token_for_the_endpoint_it_signs_in_at(world, browser, era):
    gateway = world.builtin
    url = gateway.mcp + "/research"
    metadata = requests.get(gateway.url + "/.well-known/oauth-protected-resource/mcp/research", timeout=10).json()
    assert metadata["resource"] == url and metadata["authorization_servers"] == [gateway.url]
    captured, storage = {}, MemoryStorage()
    redirect_handler, callback_handler = sdk_person(browser, world, captured)
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name=f"SDK endpoint ({era})", redirect_uris=[world.listener.url],
            grant_types=["authorization_code", "refresh_token"], response_types=["code"], token_endpoint_auth_method="none"),
        storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler)
    assert list_with_sdk(url, era, provider) == VIEWS["research"]
    request = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(captured["url"]).query))
    assert request["resource"] == url
    token = storage.tokens.access_token
    assert claims(token)["aud"] == url and claims(token)["iss"] == gateway.url
    assert_refused_for_audience(mcp_post(gateway.mcp, token), gateway.url, None)
    assert_refused_for_audience(mcp_post(gateway.mcp + "/support", token), gateway.url, "support")
    assert names(mcp_post(url, token)) == VIEWS["research"]


def builtin_code(world, browser, resource: str | None) -> tuple[str, str]:
    """(code, verifier) for static-cli, approved in the browser."""
    verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": "static-cli", "redirect_uri": world.listener.url, "scope": "mcp",
             "state": f"st-{time.monotonic_ns()}", "code_challenge": challenge, "code_challenge_method": "S256"}
    if resource:
        query["resource"] = resource
    answer = approve_and_sign_in(browser, world.builtin.url + "/authorize?" + urllib.parse.urlencode(query), world.listener,
                                 world.info["base"], "alice", PASSWORDS["alice"])
    assert answer.get("code"), answer
    return answer["code"], verifier


def builtin_token_request(world, **form) -> requests.Response:
    return requests.post(world.builtin.url + "/token", data={"client_id": "static-cli", **form}, timeout=10)


def test_builtin_tokens_are_issued_and_refreshed_for_one_endpoint(world, browser):
    gateway = world.builtin
    support = gateway.mcp + "/support"
    code, verifier = builtin_code(world, browser, support)
    tokens = builtin_token_request(world, grant_type="authorization_code", code=code, code_verifier=verifier,
                                   redirect_uri=world.listener.url, resource=support)
    assert tokens.status_code == 200, tokens.text
    access, refresh_token = tokens.json()["access_token"], tokens.json()["refresh_token"]
    assert claims(access)["aud"] == support
    assert names(mcp_post(support, access)) == VIEWS["support"]
    assert_refused_for_audience(mcp_post(gateway.mcp, access), gateway.url, None)
    assert_refused_for_audience(mcp_post(gateway.mcp + "/research", access), gateway.url, "research")
    # A refresh naming no resource, or the same one, stays on the endpoint.
    r = builtin_token_request(world, grant_type="refresh_token", refresh_token=refresh_token)
    assert r.status_code == 200, r.text
    assert claims(r.json()["access_token"])["aud"] == support
    r = builtin_token_request(world, grant_type="refresh_token", refresh_token=r.json()["refresh_token"], resource=support)
    assert r.status_code == 200 and claims(r.json()["access_token"])["aud"] == support, r.text


def test_builtin_a_refresh_for_another_endpoint_is_refused_without_ending_the_sign_in(world, browser):
    """RFC 8707: asking a refresh token for a resource the grant is not for
    is invalid_target. The refused request must not use the refresh token
    up: the client still holds it, and using it again must not look like a
    replay (which revokes every token of the sign-in)."""
    gateway = world.builtin
    support = gateway.mcp + "/support"
    code, verifier = builtin_code(world, browser, support)
    tokens = builtin_token_request(world, grant_type="authorization_code", code=code, code_verifier=verifier,
                                   redirect_uri=world.listener.url, resource=support)
    assert tokens.status_code == 200, tokens.text
    refresh_token = tokens.json()["refresh_token"]
    r = builtin_token_request(world, grant_type="refresh_token", refresh_token=refresh_token, resource=gateway.mcp)
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", r.text
    assert "sign in again for that endpoint" in r.json().get("error_description", ""), r.text
    r = builtin_token_request(world, grant_type="refresh_token", refresh_token=refresh_token, resource=support)
    assert r.status_code == 200, f"after a refused refresh for another endpoint, the sign-in is gone: {r.text}"
    assert claims(r.json()["access_token"])["aud"] == support
    assert names(mcp_post(support, tokens.json()["access_token"])) == VIEWS["support"], "the access token still works"


def test_builtin_a_token_for_mcp_is_refused_at_the_endpoints(world, browser):
    gateway = world.builtin
    code, verifier = builtin_code(world, browser, None)   # no resource: /mcp
    tokens = builtin_token_request(world, grant_type="authorization_code", code=code, code_verifier=verifier,
                                   redirect_uri=world.listener.url)
    assert tokens.status_code == 200, tokens.text
    access = tokens.json()["access_token"]
    assert claims(access)["aud"] == gateway.mcp
    assert len(names(mcp_post(gateway.mcp, access))) == 10
    for name in ("research", "support"):
        assert_refused_for_audience(mcp_post(f"{gateway.mcp}/{name}", access), gateway.url, name)


def test_builtin_a_code_is_for_the_resource_it_was_asked_for(world, browser):
    gateway = world.builtin
    code, verifier = builtin_code(world, browser, gateway.mcp + "/research")
    r = builtin_token_request(world, grant_type="authorization_code", code=code, code_verifier=verifier,
                              redirect_uri=world.listener.url, resource=gateway.mcp + "/support")
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", r.text
    assert "/mcp/research" in r.json().get("error_description", ""), r.text


def test_builtin_refuses_a_resource_that_is_no_endpoint(world):
    gateway = world.builtin
    verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": "static-cli", "redirect_uri": world.listener.url, "scope": "mcp",
             "state": "nowhere", "code_challenge": challenge, "code_challenge_method": "S256",
             "resource": gateway.mcp + "/nowhere"}
    r = requests.get(gateway.url + "/authorize?" + urllib.parse.urlencode(query), allow_redirects=False, timeout=10)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["Location"]).query))
    assert answer["error"] == "invalid_target" and answer["state"] == "nowhere" and "code" not in answer, answer
