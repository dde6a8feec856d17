"""The gateway as its own OAuth authorization server (GATEHOUSE_AUTH=builtin)
with a real OpenID Connect provider (Debian's glewlwyd) behind it and a real
browser (headless Chromium) playing the person: the official MCP Python SDK
signs in three ways (dynamic registration, a client ID metadata document
served over HTTPS, an operator-listed static client) and calls tools; then
every refusal the flow promises is checked over plain HTTP, with the browser
wherever a person would be involved."""

import asyncio
import base64
import json
import pathlib
import re
import tempfile
import time
import types
import urllib.parse

import pytest
import requests
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata
from selenium.webdriver.common.by import By

from support.postgres import temporary_database
from support.browser import browser_session, save_screenshot
from support.consent import (DocumentServer, RedirectListener, approve_and_sign_in, deny, make_tls_material,
                           pkce_pair)

from support.connectors import write_connector
from support.clients import MemoryStorage, exercise_in_era
from support.gateway import free_port, start_gateway
from support.oauth import require_glewlwyd, start_glewlwyd, stop_glewlwyd

MODERN = "2026-07-28"
ALICE = ("alice", "alice-password")
BOB = ("bob", "bob-password")        # email_verified: false at the provider
CAROL = ("carol", "carol-password")  # in 401 groups
OTHER_RESOURCE = "https://tickets.example.test/mcp"


def builtin_env(port: int, setup, name: str, **extra) -> dict:
    env = {
        "GATEHOUSE_AUTH": "builtin",
        "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GATEHOUSE_AUTH_UPSTREAM_ISSUER": setup.info["issuer"],
        "GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID": setup.info["upstream_client"]["client_id"],
        "GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET_FILE": str(setup.upstream_secret),
        "GATEHOUSE_AUTH_STORE": str(setup.root / f"{name}.sqlite"),
        "GATEHOUSE_AUTH_STORE_SECRET_FILE": str(setup.store_secret),
        "GATEHOUSE_AUTH_SCOPE_MAPPING": "* -> mcp tickets:read; groups=gatehouse-admins -> tickets:write",
        "GATEHOUSE_AUTH_SCOPES": "mcp",
        "GATEHOUSE_AUTH_CLIENTS": json.dumps([{"client_id": "static-cli", "client_name": "Static CLI",
                                               "redirect_uris": [setup.listener.url]}]),
        "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS": "true",
        "GATEHOUSE_LOG_FORMAT": "json",
    }
    env.update(extra)
    return env


def stop(gateway):
    if gateway.process.poll() is None:
        gateway.stop()


@pytest.fixture(scope="module")
def setup(httpbin_url):
    """glewlwyd, the loopback redirect listener, the HTTPS metadata document
    server, and the gateway in built-in mode (trusting the document server's
    CA and allowed to fetch documents from loopback)."""
    require_glewlwyd()
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-builtin-"))
    s = types.SimpleNamespace(root=root)
    s.listener = RedirectListener().start()
    tls = make_tls_material(root / "tls")
    s.ca = tls["ca"]
    s.docs = DocumentServer(tls["cert"], tls["key"]).start()
    s.port, s.strict_port, s.replica_port, issuer_port = free_port(), free_port(), free_port(), free_port()
    state = root / "glewlwyd"
    s.info = start_glewlwyd(issuer_port, f"http://127.0.0.1:{s.port}/mcp", state,
                            "--upstream-redirect", f"http://127.0.0.1:{s.port}/oauth/callback",
                            "--upstream-redirect", f"http://127.0.0.1:{s.strict_port}/oauth/callback",
                            "--upstream-redirect", f"http://127.0.0.1:{s.replica_port}/oauth/callback")
    s.glewlwyd = s.info["base"]
    s.upstream_secret = root / "upstream.secret"
    s.upstream_secret.write_text(s.info["upstream_client"]["client_secret"])
    s.store_secret = root / "store.secret"
    s.store_secret.write_text(base64.b64encode(__import__("os").urandom(48)).decode())
    s.folder = root / "connectors.d"
    s.folder.mkdir()
    write_connector(s.folder, "auth/tickets-builtin", "tickets.yaml", UPSTREAM=httpbin_url)
    s.gateway = None
    try:
        s.gateway = start_gateway(s.folder, builtin_env(
            s.port, s, "main", GATEHOUSE_TLS_CA_FILE=str(s.ca), GATEHOUSE_AUTH_METADATA_DOCUMENTS_ALLOW_INTERNAL="true"),
            port=s.port)
        yield s
    finally:
        if s.gateway:
            stop(s.gateway)
        stop_glewlwyd(state)
        s.docs.stop()
        s.listener.stop()


@pytest.fixture(scope="module")
def strict(setup):
    """A second gateway on the same identity provider: codes live 1 s, and
    metadata documents on private or loopback addresses are refused."""
    gateway = start_gateway(setup.folder, builtin_env(setup.strict_port, setup, "strict", GATEHOUSE_AUTH_CODE_SECONDS="1"),
                            port=setup.strict_port)
    try:
        yield gateway
    finally:
        stop(gateway)


@pytest.fixture(scope="module")
def browser():
    with browser_session() as driver:
        yield driver


# ---------------------------------------------------------------- helpers

def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def audit_lines(gateway) -> list[dict]:
    path = gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log"
    entries = []
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "gatehouse.audit" and entry.get("msg") == "authorization":
            entries.append(entry)
    return entries


def wait_for_audit(gateway, predicate, timeout=3.0) -> dict:
    deadline = time.time() + timeout
    while True:
        found = [e for e in audit_lines(gateway) if predicate(e)]
        if found or time.time() > deadline:
            assert found, f"no matching audit line in {audit_lines(gateway)}"
            return found[-1]
        time.sleep(0.1)


def authorization_url(gateway, listener, *, drop=(), plus=False, **overrides) -> tuple[str, dict, str]:
    """/authorize for static-cli with a fresh PKCE pair and state; returns
    (url, query, verifier). Spaces are written %20 unless `plus`
    (form encoding, as the MCP Python SDK writes them)."""
    verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": "static-cli", "redirect_uri": listener.url,
             "scope": "mcp tickets:write", "state": f"st-{time.monotonic_ns()}", "code_challenge": challenge,
             "code_challenge_method": "S256", "resource": gateway.mcp}
    query.update(overrides)
    for name in drop:
        query.pop(name)
    encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote_plus if plus else urllib.parse.quote)
    return gateway.url + "/authorize?" + encoded, query, verifier


def get_code(setup, browser, gateway=None, **overrides) -> tuple[dict, dict, str]:
    """Drives the browser through consent and the sign-in as alice; returns
    (what the redirect URI received, the request's query, the PKCE verifier)."""
    gateway = gateway or setup.gateway
    url, query, verifier = authorization_url(gateway, setup.listener, **overrides)
    answer = approve_and_sign_in(browser, url, setup.listener, setup.glewlwyd, *ALICE)
    assert answer.get("code") and answer.get("state") == query["state"], answer
    assert answer.get("iss") == gateway.url, answer
    return answer, query, verifier


def token_request(gateway, **form) -> requests.Response:
    form.setdefault("client_id", "static-cli")
    return requests.post(gateway.url + "/token", data=form, timeout=10)


def exchange(gateway, code, verifier, redirect_uri, **extra) -> requests.Response:
    return token_request(gateway, grant_type="authorization_code", code=code, code_verifier=verifier,
                         redirect_uri=redirect_uri, **extra)


def refresh(gateway, token, **extra) -> requests.Response:
    return token_request(gateway, grant_type="refresh_token", refresh_token=token, **extra)


def assert_oauth_error(response, error, status=400, because=None):
    assert response.status_code == status, (response.status_code, response.text)
    assert response.json()["error"] == error, response.text
    assert response.headers["Cache-Control"] == "no-store"
    if because:
        assert because in response.json().get("error_description", ""), response.text


def assert_error_page(response, phrase):
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "Location" not in response.headers, "the person must not be redirected"
    assert response.headers["Content-Type"].startswith("text/html")
    message = re.search(r'<p id="message">(.*?)</p>', response.text, re.S)
    assert message and phrase in message.group(1), response.text
    return message.group(1)


def redirected_error(response, listener, error) -> dict:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    location = response.headers["Location"]
    assert location.startswith(listener.url + "?"), location
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["error"] == error, query
    assert "code" not in query
    return query


# ---------------------------------------------------------------- 1. the SDK's whole browser flow

def sdk_sign_in_and_call_tools(setup, browser, storage, era, variant, *, client_metadata_url=None):
    """The SDK's OAuth client against the gateway; the browser is the person."""
    captured = {}

    def person(url):
        captured["url"] = url
        captured["answer"] = approve_and_sign_in(
            browser, url, setup.listener, setup.glewlwyd, *ALICE, screenshot=f"consent-{variant}",
            on_consent=lambda details: captured.update(consent=details))

    async def redirect_handler(url):
        await asyncio.to_thread(person, url)

    async def callback_handler():
        answer = captured["answer"]
        assert "code" in answer, f"the redirect URI received {answer}"
        return AuthorizationCodeResult(code=answer["code"], state=answer.get("state"), iss=answer.get("iss"))

    provider = OAuthClientProvider(
        server_url=setup.gateway.mcp,
        client_metadata=OAuthClientMetadata(
            client_name=f"SDK e2e ({variant})", redirect_uris=[setup.listener.url],
            grant_types=["authorization_code", "refresh_token"], response_types=["code"],
            token_endpoint_auth_method="none"),
        storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler,
        client_metadata_url=client_metadata_url)

    async def exercise(list_tools, call_tool):
        names = sorted(tool.name for tool in (await list_tools()).tools)
        headers = json.loads(text(await call_tool("whoami", {})))
        written = await call_tool("write_ticket", {"title": "Printer on fire"})
        assert not written.is_error, text(written)
        return names, headers, json.loads(text(written))

    names, headers, written = asyncio.run(exercise_in_era(setup.gateway.mcp, era, provider, exercise))
    assert names == ["whoami", "write_ticket"], "alice has tickets:write through gatehouse-admins"
    assert headers["X-User-Email"] == "alice@example.test", headers
    assert "Authorization" not in headers, "the caller's token never goes upstream"
    assert written == {"title": "Printer on fire", "reporter": "alice@example.test"}

    request = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(captured["url"]).query))
    assert captured["url"].startswith(setup.gateway.url + "/authorize?")
    assert request["code_challenge_method"] == "S256" and request["redirect_uri"] == setup.listener.url
    consent = captured["consent"]
    assert consent["redirect_host"].startswith("127.0.0.1"), consent
    assert "(an application on this computer)" in consent["redirect_host"]
    assert consent["client_id"] == request["client_id"]
    token = claims(storage.tokens.access_token)
    assert token["iss"] == setup.gateway.url and token["aud"] == setup.gateway.mcp
    assert token["client_id"] == request["client_id"]
    assert "tickets:write" in token["scope"].split()
    assert token["email"] == "alice@example.test"
    return request, consent, token


@pytest.mark.parametrize("era", [MODERN, "legacy"])
def test_sdk_registers_itself_signs_in_through_consent_and_calls_tools(setup, browser, era):
    storage = MemoryStorage()
    request, consent, token = sdk_sign_in_and_call_tools(setup, browser, storage, era, f"dcr-{era}")
    client_id = storage.client.client_id
    assert request["client_id"] == client_id and not client_id.startswith("https://")
    assert consent["client_name"] == f"SDK e2e (dcr-{era})"
    if era == MODERN:
        assert request["resource"] == setup.gateway.mcp
    # The grant is audited with the client and the person.
    granted = wait_for_audit(setup.gateway, lambda e: e.get("event") == "grant" and e.get("client_id") == client_id)
    assert granted["subject"] == token["sub"]
    assert wait_for_audit(setup.gateway, lambda e: e.get("event") == "registration" and e.get("client_id") == client_id)


def test_sdk_uses_a_client_id_metadata_document_over_https(setup, browser):
    """The document is fetched over HTTPS (certificate from a throwaway CA the
    gateway trusts through GATEHOUSE_TLS_CA_FILE). The client is never stored:
    the token endpoint finds it through its document too."""
    url = setup.docs.base + "/client.json"
    setup.docs.documents["/client.json"] = {
        "client_id": url, "client_name": "Metadata Document Client", "redirect_uris": [setup.listener.url],
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "token_endpoint_auth_method": "none"}
    registered_before = len([e for e in audit_lines(setup.gateway) if e.get("event") == "registration"])
    storage = MemoryStorage()
    request, consent, token = sdk_sign_in_and_call_tools(setup, browser, storage, MODERN, "cimd",
                                                         client_metadata_url=url)
    assert request["client_id"] == url and token["client_id"] == url
    assert consent["client_name"] == "Metadata Document Client"
    assert "/client.json" in setup.docs.requested, "the gateway fetched the document over HTTPS"
    assert len([e for e in audit_lines(setup.gateway) if e.get("event") == "registration"]) == registered_before


def test_sdk_uses_the_operators_static_client(setup, browser):
    storage = MemoryStorage(OAuthClientInformationFull(
        client_id="static-cli", token_endpoint_auth_method="none", redirect_uris=[setup.listener.url]))
    request, consent, token = sdk_sign_in_and_call_tools(setup, browser, storage, MODERN, "static")
    assert request["client_id"] == "static-cli"
    assert consent["client_name"] == "Static CLI"
    assert storage.client.client_id == "static-cli"


# ---------------------------------------------------------------- 2. refusals

def test_wrong_pkce_verifier_is_invalid_grant(setup, browser):
    answer, query, verifier = get_code(setup, browser)
    wrong, _ = pkce_pair()
    r = exchange(setup.gateway, answer["code"], wrong, setup.listener.url)
    assert_oauth_error(r, "invalid_grant")
    assert "code_verifier" in r.json().get("error_description", "")
    wait_for_audit(setup.gateway, lambda e: e.get("event") == "refusal" and "code_verifier" in e.get("reason", ""))


def test_a_form_encoded_space_in_the_query_is_a_space(setup):
    """A query string is form encoded (RFC 6749 appendix B): '+' is a space.
    Python's urlencode, and with it the MCP SDK, writes spaces that way; scope
    is space-separated, and state must come back exactly as sent."""
    url, query, _ = authorization_url(setup.gateway, setup.listener, scope="mcp tickets:write", plus=True)
    assert "scope=mcp+tickets%3Awrite" in url
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    problems = []
    scopes = re.findall(r"<li><code>([^<]*)</code></li>", page.text)
    if scopes != ["mcp", "tickets:write"]:
        problems.append(f"scope=mcp+tickets%3Awrite is shown as the scopes {scopes}, not ['mcp', 'tickets:write']")
    url, query, _ = authorization_url(setup.gateway, setup.listener, state="two words", plus=True,
                                      drop=("code_challenge", "code_challenge_method"))
    answer = redirected_error(requests.get(url, allow_redirects=False, timeout=10), setup.listener, "invalid_request")
    if answer["state"] != "two words":
        problems.append(f"state=two+words comes back as {answer['state']!r}, not 'two words'")
    assert not problems, "; ".join(problems)


def test_missing_pkce_is_sent_back_to_the_client_with_state_and_iss(setup):
    url, query, _ = authorization_url(setup.gateway, setup.listener, drop=("code_challenge", "code_challenge_method"))
    r = requests.get(url, allow_redirects=False, timeout=10)
    answer = redirected_error(r, setup.listener, "invalid_request")
    assert answer["state"] == query["state"] and answer["iss"] == setup.gateway.url
    assert "PKCE" in answer.get("error_description", "")


def test_a_reused_code_is_refused_and_revokes_what_it_produced(setup, browser):
    answer, query, verifier = get_code(setup, browser)
    first = exchange(setup.gateway, answer["code"], verifier, setup.listener.url)
    assert first.status_code == 200, first.text
    tokens = first.json()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    again = exchange(setup.gateway, answer["code"], verifier, setup.listener.url)
    assert_oauth_error(again, "invalid_grant", because="already used")
    assert_oauth_error(refresh(setup.gateway, tokens["refresh_token"]), "invalid_grant", because="revoked")
    wait_for_audit(setup.gateway, lambda e: e.get("event") == "revocation" and e.get("reason") == "authorization code replayed")


def test_unregistered_redirect_uris_are_refused_without_redirecting(setup, browser):
    elsewhere = f"http://127.0.0.1:{free_port()}/callback"
    url, _, _ = authorization_url(setup.gateway, setup.listener, redirect_uri=elsewhere)
    seen = len(setup.listener.queries)
    assert_error_page(requests.get(url, allow_redirects=False, timeout=10), "is not registered for this application")
    # What the person sees: an error page, and they stay on it.
    browser.get(url)
    message = browser.find_element(By.ID, "message").text
    assert "not registered" in message and browser.current_url.startswith(setup.gateway.url + "/authorize")
    save_screenshot(browser, "error-unregistered-redirect")
    assert setup.listener.wait(seen + 1, timeout=0.5)[seen:] == []
    # Registration: redirect URIs off the allow-list are refused.
    for uri in ("https://evil.example.test/callback", "http://evil.example.test/callback"):
        r = requests.post(setup.gateway.url + "/register", json={
            "client_name": "Evil", "redirect_uris": [uri], "token_endpoint_auth_method": "none"}, timeout=10)
        assert r.status_code == 400, r.text
        assert r.json()["error"] in ("invalid_redirect_uri", "invalid_client_metadata"), r.text


def test_another_servers_resource_is_invalid_target(setup, browser):
    url, query, _ = authorization_url(setup.gateway, setup.listener, resource=OTHER_RESOURCE)
    answer = redirected_error(requests.get(url, allow_redirects=False, timeout=10), setup.listener, "invalid_target")
    assert answer["state"] == query["state"] and answer["iss"] == setup.gateway.url
    answer, query, verifier = get_code(setup, browser)
    r = exchange(setup.gateway, answer["code"], verifier, setup.listener.url, resource=OTHER_RESOURCE)
    assert_oauth_error(r, "invalid_target", because=OTHER_RESOURCE)


def test_an_expired_code_is_invalid_grant(setup, strict, browser):
    answer, query, verifier = get_code(setup, browser, gateway=strict, resource=strict.mcp)
    time.sleep(2)
    assert_oauth_error(exchange(strict, answer["code"], verifier, setup.listener.url), "invalid_grant",
                       because="expired")


def test_a_reused_refresh_token_ends_the_whole_grant(setup, browser):
    answer, query, verifier = get_code(setup, browser)
    first = exchange(setup.gateway, answer["code"], verifier, setup.listener.url)
    assert first.status_code == 200, first.text
    old = first.json()["refresh_token"]
    rotated = refresh(setup.gateway, old)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["refresh_token"]
    assert new != old and rotated.json()["access_token"]
    assert_oauth_error(refresh(setup.gateway, old), "invalid_grant", because="already used")
    assert_oauth_error(refresh(setup.gateway, new), "invalid_grant", because="revoked")
    wait_for_audit(setup.gateway, lambda e: e.get("event") == "revocation" and e.get("reason") == "refresh token reused"
                   and e.get("client_id") == "static-cli")


def test_a_metadata_document_naming_another_client_is_refused(setup, browser):
    impostor = setup.docs.base + "/impostor.json"
    setup.docs.documents["/impostor.json"] = {
        "client_id": setup.docs.base + "/client.json", "client_name": "Impostor",
        "redirect_uris": [setup.listener.url], "token_endpoint_auth_method": "none"}
    url, _, _ = authorization_url(setup.gateway, setup.listener, client_id=impostor)
    seen = len(setup.listener.queries)
    message = assert_error_page(requests.get(url, allow_redirects=False, timeout=10), "could not be identified")
    assert "differs from its URL" in message
    assert "/impostor.json" in setup.docs.requested
    browser.get(url)
    assert "differs from its URL" in browser.find_element(By.ID, "message").text
    save_screenshot(browser, "error-metadata-document-mismatch")
    assert setup.listener.wait(seen + 1, timeout=0.5)[seen:] == []


def test_a_metadata_document_on_a_loopback_address_is_refused_by_default(setup, strict):
    setup.docs.documents["/loopback.json"] = {
        "client_id": setup.docs.base + "/loopback.json", "client_name": "Loopback",
        "redirect_uris": [setup.listener.url], "token_endpoint_auth_method": "none"}
    url, _, _ = authorization_url(strict, setup.listener, client_id=setup.docs.base + "/loopback.json")
    message = assert_error_page(requests.get(url, allow_redirects=False, timeout=10), "could not be identified")
    assert "private or loopback address" in message
    assert "/loopback.json" not in setup.docs.requested, "refused before any fetch"


def test_declined_consent_sends_access_denied_with_state_and_iss(setup, browser):
    url, query, _ = authorization_url(setup.gateway, setup.listener)
    answer = deny(browser, url, setup.listener, screenshot="consent-deny")
    assert answer["error"] == "access_denied" and "code" not in answer
    assert answer["state"] == query["state"] and answer["iss"] == setup.gateway.url
    wait_for_audit(setup.gateway, lambda e: e.get("event") == "refusal" and e.get("client_id") == "static-cli"
                   and "access_denied" in e.get("reason", ""))


def test_a_consent_post_without_the_csrf_token_is_forbidden(setup):
    url, _, _ = authorization_url(setup.gateway, setup.listener)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    pending = re.search(r'name="pending" value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    consent = setup.gateway.url + "/authorize/consent"
    for form in ({"pending": pending, "decision": "approve"},
                 {"pending": pending, "decision": "approve", "csrf_token": "forged"}):
        r = requests.post(consent, data=form, allow_redirects=False, timeout=10)
        assert r.status_code == 403, (r.status_code, r.text[:300])
        assert "Location" not in r.headers
        assert "could not be verified" in r.text
    # The genuine form still works: on to the identity provider.
    r = requests.post(consent, data={"pending": pending, "decision": "approve", "csrf_token": csrf},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].startswith(setup.info["authorization_endpoint"] + "?")


def approved_at_the_gateway(setup) -> tuple[dict, str]:
    """Consent approved over plain HTTP: returns the client's request and
    the state the gateway sent to the identity provider."""
    url, query, _ = authorization_url(setup.gateway, setup.listener)
    page = requests.get(url, timeout=10)
    form = {name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1) for name in ("pending", "csrf_token")}
    r = requests.post(setup.gateway.url + "/authorize/consent", data={**form, "decision": "approve"},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    upstream = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["Location"]).query))
    return query, upstream["state"]


@pytest.mark.parametrize("answer, error", [
    ({"error": "access_denied"}, "access_denied"),          # the person said no at the identity provider
    ({"code": "not-a-code-the-provider-issued"}, "server_error"),  # the provider refuses the exchange
])
def test_upstream_failures_reach_the_client_as_oauth_errors(setup, answer, error):
    query, upstream_state = approved_at_the_gateway(setup)
    r = requests.get(setup.gateway.url + "/oauth/callback", params={"state": upstream_state, **answer},
                     allow_redirects=False, timeout=10)
    back = redirected_error(r, setup.listener, error)
    assert back["state"] == query["state"] and back["iss"] == setup.gateway.url
    # The same callback again finds nothing: the sign-in was used up.
    again = requests.get(setup.gateway.url + "/oauth/callback", params={"state": upstream_state, **answer},
                         allow_redirects=False, timeout=10)
    assert again.status_code == 400 and "Location" not in again.headers


# ---------------------------------------------------------------- 3. replicas sharing PostgreSQL

@pytest.fixture(scope="module")
def replicas(setup):
    """Two gateways behind one public URL (the first one's address, as a
    load balancer would present it), sharing one PostgreSQL database: a new
    database on the server scripts/test starts."""
    public = f"http://127.0.0.1:{setup.replica_port}"
    started = []
    with temporary_database("gatehouse_e2e") as database:
        try:
            for port in (setup.replica_port, free_port()):
                # Debug logging: the test checks that not even then does a
                # code or token reach the log.
                env = builtin_env(setup.replica_port, setup, "unused", GATEHOUSE_AUTH_STORE=database, GATEHOUSE_LOG_LEVEL="debug")
                started.append(start_gateway(setup.folder, env, port=port))
            first, second = started
            assert first.url == public and second.url != public
            yield types.SimpleNamespace(first=first, second=second, public=public, database=database)
        finally:
            for gateway in started:
                stop(gateway)


def call_tool(gateway, token, name, arguments):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": name, "arguments": arguments, "_meta": {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientInfo": {"name": "replicas", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}}}}
    return requests.post(gateway.mcp, data=json.dumps(body), timeout=10, headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name,
        "Authorization": f"Bearer {token}"})


def test_two_replicas_share_one_postgresql_store(setup, browser, replicas):
    """Sign in on the first replica; exchange the code, refresh and call
    tools on the second; the first accepts the second's tokens and sees the
    refresh-token family revoked there."""
    first, second = replicas.first, replicas.second
    # The second replica publishes the key the first made at startup.
    assert requests.get(first.url + "/jwks.json", timeout=10).json() == requests.get(second.url + "/jwks.json", timeout=10).json()
    answer, query, verifier = get_code(setup, browser, gateway=first)
    tokens = exchange(second, answer["code"], verifier, setup.listener.url, resource=first.mcp)
    assert tokens.status_code == 200, tokens.text
    access, refresh_token = tokens.json()["access_token"], tokens.json()["refresh_token"]
    assert claims(access)["aud"] == first.mcp and claims(access)["iss"] == replicas.public
    for gateway in (second, first):
        called = call_tool(gateway, access, "whoami", {})
        assert called.status_code == 200, called.text
        assert "alice@example.test" in called.text, called.text
    rotated = refresh(second, refresh_token)
    assert rotated.status_code == 200, rotated.text
    # The old refresh token comes back on the other replica: the family ends everywhere.
    assert_oauth_error(refresh(first, refresh_token), "invalid_grant")
    assert_oauth_error(refresh(second, rotated.json()["refresh_token"]), "invalid_grant")
    # The replayed code is known to both.
    assert_oauth_error(exchange(first, answer["code"], verifier, setup.listener.url), "invalid_grant")
    # The second replica counted what it did.
    metrics = requests.get(second.url + "/metrics", timeout=10).text
    for event in ("grant", "refresh", "refusal"):
        assert f'gatehouse_authorization_events_total{{event="{event}"}}' in metrics, event
    # Both logged the story (audit lines), never a secret.
    secrets_seen = [answer["code"], access, refresh_token, rotated.json()["refresh_token"], rotated.json()["access_token"],
                    verifier, setup.info["upstream_client"]["client_secret"]]
    for gateway in (first, second):
        log = (gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log").read_text()
        assert '"msg":"authorization"' in log
        for secret in secrets_seen:
            assert secret not in log, f"a secret reached the log of {gateway.url}"


# ---------------------------------------------------------------- 6. large and unverified identities

def sign_in_as(setup, user) -> dict:
    """The tokens a fresh browser (no session at glewlwyd yet) gets for `user`."""
    url, query, verifier = authorization_url(setup.gateway, setup.listener)
    with browser_session() as driver:
        answer = approve_and_sign_in(driver, url, setup.listener, setup.glewlwyd, *user)
    assert answer.get("code") and answer.get("state") == query["state"], answer
    tokens = exchange(setup.gateway, answer["code"], verifier, setup.listener.url)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def tool_result(response) -> dict:
    assert response.status_code == 200, response.text
    for line in response.text.splitlines():   # JSON, or one SSE event
        if line.startswith("data:"):
            return json.loads(line[5:])["result"]
    return response.json()["result"]


def test_a_user_in_hundreds_of_groups_signs_in_and_calls_tools(setup):
    """carol's ID token is about 23 KiB; the access token carries only the
    group the scope mapping names, and works at /mcp."""
    tokens = sign_in_as(setup, CAROL)
    access = tokens["access_token"]
    assert len(access) < 2048, len(access)
    token = claims(access)
    assert token["groups"] == ["gatehouse-admins"], token
    assert token["email"] == "carol@example.test" and token["email_verified"] is True
    assert "tickets:write" in token["scope"].split()
    whoami = tool_result(call_tool(setup.gateway, access, "whoami", {}))
    assert not whoami.get("isError"), whoami
    assert json.loads(whoami["content"][0]["text"])["X-User-Email"] == "carol@example.test"
    written = tool_result(call_tool(setup.gateway, access, "write_ticket", {"title": "Groups galore"}))
    assert not written.get("isError"), written
    assert json.loads(written["content"][0]["text"])["reporter"] == "carol@example.test"


def test_an_email_the_provider_has_not_verified_is_not_passed_on(setup):
    """bob's ID token says email_verified: false: a tool that sends
    {{ user.email }} refuses to run rather than send it."""
    tokens = sign_in_as(setup, BOB)
    token = claims(tokens["access_token"])
    assert token["email_verified"] is False
    result = tool_result(call_tool(setup.gateway, tokens["access_token"], "whoami", {}))
    assert result.get("isError") is True, result
    assert "has not verified that address" in result["content"][0]["text"], result


# ---------------------------------------------------------------- 7. registration limits behind a proxy

@pytest.mark.parametrize("trusted", [True, False])
def test_registration_limits_count_the_client_a_trusted_proxy_names(setup, trusted):
    """With the gateway's peer (127.0.0.1) listed as a trusted proxy, each
    X-Forwarded-For client has its own registration budget, and entries the
    client wrote to the left are ignored; without it, the header is ignored
    and everyone behind the address shares one budget."""
    port = free_port()
    extra = {"GATEHOUSE_AUTH_REGISTRATION_RATE": "2/hour"}
    if trusted:
        extra["GATEHOUSE_TRUSTED_PROXIES"] = "127.0.0.1/32, ::1"
    gateway = start_gateway(setup.folder, builtin_env(port, setup, f"proxies-{trusted}", **extra), port=port)
    try:
        def register(forwarded_for):
            return requests.post(gateway.url + "/register", json={"redirect_uris": [setup.listener.url]},
                                 headers={"X-Forwarded-For": forwarded_for}, timeout=10).status_code

        assert [register("203.0.113.1"), register("6.6.6.6, 203.0.113.1")] == [201, 201]
        if trusted:
            assert register("203.0.113.1") == 429
            assert register("203.0.113.1, 203.0.113.2") == 201, "the rightmost hop is the client"
            assert register("203.0.113.3") == 201
        else:
            assert register("203.0.113.2") == 429, "the header is not believed"
    finally:
        stop(gateway)
