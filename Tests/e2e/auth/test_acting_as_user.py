"""Calling APIs as the signed-in user, end to end: glewlwyd is the identity
provider, the service users link their accounts at, and the issuer of the
gateway's service token; a small standards-following endpoint in
support/token_exchange.py plays RFC 8693 and Entra's on-behalf-of (no
packaged server here implements either); the API is a real HTTP server that
records what it received; headless Chromium plays the person on the link
pages; the official MCP Python SDK is the client, in both eras."""

import asyncio
import base64
import concurrent.futures
import contextlib
import json
import os
import sqlite3
import subprocess
import time
import types
import urllib.parse

import httpx2
import pytest
import requests
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult
from selenium.webdriver.common.by import By

import mcp.client.session as sdk_session
from support.browser import browser_session, sign_in_at_glewlwyd
from support.consent import RedirectListener, approve_and_sign_in, pkce_pair
from support.calls import post_tool_call
from support.clients import MemoryStorage, text_of
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.oauth import require_glewlwyd, sdk_oauth_at, start_glewlwyd, stop_glewlwyd
from support.paths import BIN
from support.postgres import temporary_database
from support.recording_api import RecordingAPI
from support.token_exchange import ExchangeServer

MODERN = "2026-07-28"
PASSWORDS = {"alice": "alice-password", "bob": "bob-password", "carol": "carol-password"}
STS_SECRET = "sts-client-secret"


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def bearer(headers: dict) -> str:
    return headers.get("authorization", "").removeprefix("Bearer ")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """glewlwyd, the exchange endpoint, the recording API, and a gateway
    trusting glewlwyd's tokens (GATEHOUSE_AUTH=oauth) with link pages."""
    require_glewlwyd()
    root = tmp_path_factory.mktemp("as-user")
    s = types.SimpleNamespace(root=root, keys={})
    s.port, s.replica_port, s.builtin_port, issuer_port = free_port(), free_port(), free_port(), free_port()
    s.public = f"http://127.0.0.1:{s.port}"
    state = root / "glewlwyd"
    s.info = start_glewlwyd(
        issuer_port, s.public + "/mcp", state,
        "--upstream-redirect", s.public + "/link/signed-in",
        "--upstream-redirect", f"http://127.0.0.1:{s.replica_port}/link/signed-in",
        "--upstream-redirect", f"http://127.0.0.1:{s.builtin_port}/oauth/callback",
        "--linked-redirect", s.public + "/link/callback",
        "--linked-redirect", f"http://127.0.0.1:{s.replica_port}/link/callback")
    s.glewlwyd = s.info["base"]
    secrets = {
        "upstream": s.info["upstream_client"]["client_secret"], "linked": s.info["linked_client"]["client_secret"],
        "service": s.info["confidential_client"]["client_secret"], "sts": STS_SECRET,
        "store": base64.b64encode(os.urandom(48)).decode(),
    }
    s.secret = {}
    for name, value in secrets.items():
        s.secret[name] = root / f"{name}.secret"
        s.secret[name].write_text(value)
    s.sts = ExchangeServer("gatehouse-sts", STS_SECRET, s.info["jwks_uri"]).start()

    def identify(path, headers, query):
        if path.startswith("/tracker/"):
            return s.keys.get(headers.get("x-api-key"))
        token = bearer(headers)
        if path.startswith(("/orders/", "/billing/")):
            issued = s.sts.who(token)
            return issued and issued["subject"]
        try:
            found = claims(token)
        except Exception:
            return None
        return found.get("username") or found.get("client_id") or found.get("sub")

    s.api = RecordingAPI(identify).start()
    s.folder = root / "connectors.d"
    s.folder.mkdir()
    write_connector(s.folder, "as-user/service", API=s.api.url, ISSUER=s.info["issuer"],
                    CLIENT_ID=s.info["confidential_client"]["client_id"], SECRET_FILE=s.secret["service"])
    write_connector(s.folder, "as-user/exchange", API=s.api.url, STS=s.sts.token_url, SECRET_FILE=s.secret["sts"])
    write_connector(s.folder, "as-user/on-behalf-of", API=s.api.url, STS=s.sts.token_url, SECRET_FILE=s.secret["sts"])
    write_connector(s.folder, "as-user/crm", API=s.api.url, ISSUER=s.info["issuer"], SECRET_FILE=s.secret["linked"])
    write_connector(s.folder, "as-user/tracker", API=s.api.url)
    s.store = root / "links.sqlite"
    s.env = lambda store: {
        "GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": s.public, "GATEHOUSE_AUTH_ISSUERS": s.info["issuer"],
        "GATEHOUSE_AUTH_SCOPES": "mcp", "GATEHOUSE_LINK_SIGNIN_ISSUER": s.info["issuer"],
        "GATEHOUSE_LINK_SIGNIN_CLIENT_ID": s.info["upstream_client"]["client_id"],
        "GATEHOUSE_LINK_SIGNIN_CLIENT_SECRET_FILE": str(s.secret["upstream"]),
        "GATEHOUSE_AUTH_STORE": str(store), "GATEHOUSE_AUTH_STORE_SECRET_FILE": str(s.secret["store"]),
        "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_LOG_LEVEL": "debug",
    }
    s.gateway = start_gateway(s.folder, s.env(s.store), port=s.port)
    s.storages = {}
    try:
        yield s
    finally:
        s.gateway.stop()
        s.api.stop()
        s.sts.stop()
        stop_glewlwyd(state)
    log = (root / f"gatehouse-{s.port}.log").read_text()
    for secret in secrets.values():
        assert secret not in log, "a secret reached the log"
    for token in s.sts.issued:
        assert token not in log, "an exchanged token reached the log"
    for key in s.keys:
        assert key not in log, "a personal API key reached the log"
    for storage in s.storages.values():
        if storage.tokens:
            assert storage.tokens.access_token not in log, "a caller's token reached the log"
    for request in s.api.seen():
        credential = bearer(request["headers"])
        if len(credential) > 16:
            assert credential not in log, "a credential sent upstream reached the log"


@pytest.fixture
def browser():
    with browser_session() as driver:
        yield driver


def auth_for(world, user: str):
    """The SDK's OAuth client for `user`; tokens are kept per user across tests."""
    storage = world.storages.setdefault(user, MemoryStorage())
    return sdk_oauth_at(world.gateway.mcp, world.glewlwyd, user, PASSWORDS[user], storage)


def access_token(world, user: str) -> str:
    """An access token of `user` at the gateway (signing in once if needed)."""
    async def sign_in():
        http = httpx2.AsyncClient(auth=auth_for(world, user), timeout=30)
        async with http, Client(streamable_http_client(world.gateway.mcp, http_client=http), mode=MODERN, cache=None) as client:
            await client.list_tools()
    if world.storages.get(user) is None or world.storages[user].tokens is None:
        asyncio.run(sign_in())
    return world.storages[user].tokens.access_token


@contextlib.asynccontextmanager
async def client_for(world, user: str, era: str, elicitation=None):
    """An SDK client for `user` in `era`: a 2026-07-28 client or a 2025-11-25
    session; with `elicitation`, it declares URL elicitation and answers with it."""
    http = httpx2.AsyncClient(auth=auth_for(world, user), timeout=60)
    async with http:
        transport = streamable_http_client(world.gateway.mcp, http_client=http)
        if era == "legacy":
            previous = sdk_session.LATEST_HANDSHAKE_VERSION
            sdk_session.LATEST_HANDSHAKE_VERSION = "2025-11-25"
            try:
                async with transport as (read, write), ClientSession(read, write, elicitation_callback=elicitation) as session:
                    await session.initialize()
                    yield session
            finally:
                sdk_session.LATEST_HANDSHAKE_VERSION = previous
        else:
            async with Client(transport, mode=era, cache=None, elicitation_callback=elicitation) as client:
                yield client


def call(world, user: str, tool: str, era: str = MODERN):
    async def run():
        async with client_for(world, user, era) as client:
            return await client.call_tool(tool, {})
    return asyncio.run(run())


def served(result) -> str:
    assert not result.is_error, text_of(result)
    return json.loads(text_of(result))["served"]


def link_in(text: str) -> str:
    start = text.index("/link/")
    begin = text.rindex("http", 0, start)
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[begin:end]


def complete_link(world, driver, url: str, user: str, key: str | None = None) -> str:
    """Plays the person: opens the link, signs in at glewlwyd as `user`,
    authorizes the service or types `key`; returns the final page's text."""
    driver.get(url)
    landed = sign_in_at_glewlwyd(driver, user, PASSWORDS[user], glewlwyd=world.glewlwyd)
    if key is not None and "/link/signed-in" in landed:
        field = driver.find_element(By.ID, "key")
        field.send_keys(key)
        driver.find_element(By.ID, "save").click()
        time.sleep(0.2)
    return driver.find_element(By.TAG_NAME, "main").text


# ---------------------------------------------------------------- tokens the gateway obtains

@pytest.mark.parametrize("era", ["legacy", MODERN])
def test_service_tokens_and_exchanged_tokens_in_both_eras(world, era):
    before = len(world.sts.exchanges)
    service = served(call(world, "alice", "service_whoami", era))
    assert service == world.info["confidential_client"]["client_id"]
    subject = claims(access_token(world, "alice"))["sub"]
    assert served(call(world, "alice", "orders_whoami", era)) == subject
    assert served(call(world, "alice", "billing_whoami", era)) == subject
    assert served(call(world, "alice", "orders_whoami", era)) == subject
    exchanges = world.sts.exchanges[before:]
    # Cached per user and API: at most one of each, whichever era came first.
    assert len([e for e in exchanges if e.get("audience") == "orders-api"]) <= 1
    assert len([e for e in exchanges if e.get("on_behalf_of")]) <= 1
    # The token presented at /mcp only ever went to the exchange endpoint.
    mcp_token = access_token(world, "alice")
    for request in world.api.seen():
        assert mcp_token not in json.dumps(request), "the caller's own token reached the API"


def test_a_hundred_first_calls_of_one_user_cause_one_exchange(world):
    token = access_token(world, "bob")
    subject = claims(token)["sub"]
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(
            lambda _: post_tool_call(world.gateway.mcp, "orders_whoami", headers={"Authorization": f"Bearer {token}"}),
            range(100)))
    for answer in answers:
        result = answer.json()["result"]
        assert not result.get("isError"), result
        assert json.loads(result["content"][0]["text"])["served"] == subject
    assert len([e for e in world.sts.exchanges if e["subject"] == subject and e.get("audience") == "orders-api"]) == 1


# ---------------------------------------------------------------- linked accounts and keys

def test_linking_an_account_through_url_elicitation_2026(world, browser):
    """The 2026-07-28 client gets an InputRequiredResult, the person links in
    the browser, the SDK retries with the requestState, the call goes through."""
    asked = []

    async def elicitation(context, params):
        asked.append(params)
        assert params.mode == "url" and params.url.startswith(world.public + "/link/")
        page = await asyncio.to_thread(complete_link, world, browser, params.url, "alice")
        assert "Your Example CRM account is linked." in page
        return ElicitResult(action="accept")

    async def run():
        async with client_for(world, "alice", MODERN, elicitation) as client:
            return await client.call_tool("crm_whoami", {})

    assert served(asyncio.run(run())) == "alice"
    assert len(asked) == 1
    # Linked now: the next call goes straight through, with alice's own token at the service.
    assert served(call(world, "alice", "crm_whoami")) == "alice"
    last = world.api.seen()[-1]
    assert claims(bearer(last["headers"]))["username"] == "alice"


def test_entering_a_personal_key_through_the_minus_32042_error_2025(world, browser):
    world.keys["tk-alice-1"] = "alice"

    async def elicitation(context, params):
        raise AssertionError("2025-11-25 sends the elicitation in the error, not as a request")

    async def run():
        async with client_for(world, "alice", "legacy", elicitation) as session:
            with pytest.raises(MCPError) as refused:
                await session.call_tool("tracker_whoami", {})
            assert refused.value.code == -32042
            (elicited,) = refused.value.data["elicitations"]
            assert elicited["mode"] == "url" and elicited["elicitationId"]
            page = await asyncio.to_thread(complete_link, world, browser, elicited["url"], "alice", "tk-alice-1")
            assert "Your Example Tracker key is saved." in page
            return await session.call_tool("tracker_whoami", {})

    assert served(asyncio.run(run())) == "alice"
    assert world.api.seen()[-1]["headers"]["x-api-key"] == "tk-alice-1"


def test_clients_without_url_elicitation_get_the_link_in_the_tool_error(world, browser):
    first = call(world, "bob", "crm_whoami", "legacy")
    assert first.is_error and "Then call the tool again." in text_of(first)
    page = complete_link(world, browser, link_in(text_of(first)), "bob")
    assert "linked" in page
    assert served(call(world, "bob", "crm_whoami", "legacy")) == "bob"


# ---------------------------------------------------------------- refusals

def test_a_link_opened_by_another_user_links_nothing(world, browser):
    result = call(world, "carol", "crm_whoami")
    link = link_in(text_of(result))
    page = complete_link(world, browser, link, "bob")
    assert "different person" in page
    # Spent: neither bob nor carol can use it now.
    again = requests.get(link, allow_redirects=False, timeout=10)
    assert again.status_code == 410
    assert call(world, "carol", "crm_whoami").is_error


def test_replayed_and_expired_links_are_refused(world):
    link = link_in(text_of(call(world, "carol", "tracker_whoami")))
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 303
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 410
    stale = link_in(text_of(call(world, "carol", "tracker_whoami")))
    with sqlite3.connect(world.store) as database:
        database.execute("UPDATE link_flows SET expires_at = 0 WHERE opened_at IS NULL")
    expired = requests.get(stale, allow_redirects=False, timeout=10)
    assert expired.status_code == 410 and "expired" in expired.text


def test_unlinking_on_the_accounts_page_and_by_the_operator(world, browser):
    world.keys["tk-bob"] = "bob"
    page = complete_link(world, browser, link_in(text_of(call(world, "bob", "tracker_whoami"))), "bob", "tk-bob")
    assert "saved" in page
    assert served(call(world, "bob", "tracker_whoami")) == "bob"
    # The accounts page, signed in as bob, lists it and unlinks it.
    browser.get(world.public + "/links")
    if browser.current_url.startswith(world.glewlwyd):
        sign_in_at_glewlwyd(browser, "bob", PASSWORDS["bob"], glewlwyd=world.glewlwyd)
    browser.find_element(By.ID, "unlink-tracker").click()
    time.sleep(0.2)
    assert "Nothing is linked" in browser.find_element(By.TAG_NAME, "main").text or "tracker" not in browser.page_source
    assert call(world, "bob", "tracker_whoami").is_error
    # The operator's command removes what is left of bob's links.
    subject = claims(access_token(world, "bob"))["sub"]
    done = subprocess.run([str(BIN), "auth", "unlink", "--user", subject, "--store", str(world.store)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.startswith("removed ")
    with sqlite3.connect(world.store) as database:
        assert database.execute("SELECT COUNT(*) FROM user_credentials WHERE subject = ?", (subject,)).fetchone()[0] == 0


def test_a_refused_refresh_asks_to_link_again(world, browser):
    # alice linked the CRM above; the service stops accepting her token and
    # will not refresh it (its client loses the refresh grant).
    assert served(call(world, "alice", "crm_whoami")) == "alice"
    world.api.refuse(bearer(world.api.seen()[-1]["headers"]))
    admin = requests.Session()
    admin.post(world.glewlwyd + "/api/auth/", json=world.info["admin"]).raise_for_status()
    client = admin.get(world.glewlwyd + "/api/client/crm-linked").json()
    client["authorization_type"] = ["code"]
    admin.put(world.glewlwyd + "/api/client/crm-linked", json=client).raise_for_status()
    try:
        result = call(world, "alice", "crm_whoami")
        assert result.is_error and "again" in text_of(result) and "/link/" in text_of(result)
    finally:
        client["authorization_type"] = ["code", "refresh_token"]
        admin.put(world.glewlwyd + "/api/client/crm-linked", json=client).raise_for_status()


# ---------------------------------------------------------------- two replicas on PostgreSQL

@pytest.fixture
def replicas(world):
    public = f"http://127.0.0.1:{world.replica_port}"
    started = []
    with temporary_database("gatehouse_links") as database:
        try:
            for port in (world.replica_port, free_port()):
                env = world.env(database)
                env["GATEHOUSE_PUBLIC_URL"] = public
                env["GATEHOUSE_AUTH_AUDIENCES"] = world.public + "/mcp"
                started.append(start_gateway(world.folder, env, port=port))
            yield types.SimpleNamespace(first=started[0], second=started[1], public=public)
        finally:
            for gateway in started:
                gateway.stop()


def test_two_replicas_link_on_one_and_call_on_the_other(world, replicas, browser):
    """The link is made on the second replica and opened there; the sign-in
    comes back to the first (the public URL); the call is then served by
    the second, which reads the link from the shared store."""
    token = access_token(world, "carol")
    world.keys["tk-carol"] = "carol"

    def call_on(gateway):
        return post_tool_call(gateway.mcp, "tracker_whoami", headers={"Authorization": f"Bearer {token}"}).json()["result"]

    first = call_on(replicas.second)
    assert first["isError"]
    link = link_in(first["content"][0]["text"])
    assert link.startswith(replicas.public + "/link/")
    on_second = replicas.second.url + link[len(replicas.public):]
    page = complete_link(world, browser, on_second, "carol", "tk-carol")
    assert "saved" in page
    result = call_on(replicas.second)
    assert not result.get("isError"), result
    assert json.loads(result["content"][0]["text"])["served"] == "carol"


# ---------------------------------------------------------------- the built-in authorization server

@pytest.fixture(scope="module")
def builtin(world):
    """The gateway as its own authorization server, glewlwyd behind it: the
    user's glewlwyd token is what `sign_in_token` sends and what
    `token_exchange` starts from."""
    folder = world.root / "builtin.d"
    folder.mkdir()
    write_connector(folder, "as-user/idp", API=world.api.url)
    write_connector(folder, "as-user/exchange", API=world.api.url, STS=world.sts.token_url, SECRET_FILE=world.secret["sts"])
    listener = RedirectListener().start()
    public = f"http://127.0.0.1:{world.builtin_port}"
    gateway = start_gateway(folder, {
        "GATEHOUSE_AUTH": "builtin", "GATEHOUSE_PUBLIC_URL": public,
        "GATEHOUSE_AUTH_UPSTREAM_ISSUER": world.info["issuer"],
        "GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID": world.info["upstream_client"]["client_id"],
        "GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET_FILE": str(world.secret["upstream"]),
        "GATEHOUSE_AUTH_STORE": str(world.root / "builtin.sqlite"),
        "GATEHOUSE_AUTH_STORE_SECRET_FILE": str(world.secret["store"]),
        "GATEHOUSE_AUTH_SCOPE_MAPPING": "* -> mcp", "GATEHOUSE_AUTH_SCOPES": "mcp",
        "GATEHOUSE_AUTH_CLIENTS": json.dumps([{"client_id": "static-cli", "redirect_uris": [listener.url]}]),
        "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS": "true", "GATEHOUSE_LOG_FORMAT": "json",
    }, port=world.builtin_port)
    try:
        yield types.SimpleNamespace(gateway=gateway, listener=listener)
    finally:
        gateway.stop()
        listener.stop()


def builtin_token(world, builtin, browser, user: str) -> str:
    verifier, challenge = pkce_pair()
    gateway = builtin.gateway
    query = {"response_type": "code", "client_id": "static-cli", "redirect_uri": builtin.listener.url, "scope": "mcp",
             "state": "s", "code_challenge": challenge, "code_challenge_method": "S256", "resource": gateway.mcp}
    answer = approve_and_sign_in(browser, gateway.url + "/authorize?" + urllib.parse.urlencode(query), builtin.listener,
                                 world.glewlwyd, user, PASSWORDS[user])
    tokens = requests.post(gateway.url + "/token", timeout=10, data={
        "grant_type": "authorization_code", "code": answer["code"], "code_verifier": verifier,
        "redirect_uri": builtin.listener.url, "client_id": "static-cli"})
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["access_token"]


def test_the_sign_in_token_and_an_exchange_from_it_in_builtin_mode(world, builtin, browser):
    token = builtin_token(world, builtin, browser, "alice")
    def call_tool(name):
        result = post_tool_call(builtin.gateway.mcp, name, headers={"Authorization": f"Bearer {token}"}).json()["result"]
        assert not result.get("isError"), result
        return json.loads(result["content"][0]["text"])["served"]

    assert call_tool("idp_whoami") == "alice"
    sent = bearer(world.api.seen()[-1]["headers"])
    assert sent != token, "the gateway's own token never goes upstream"
    assert claims(sent)["iss"] == world.info["issuer"], "the API got alice's token from the identity provider"
    before = len(world.sts.exchanges)
    subject = call_tool("orders_whoami")
    assert subject == claims(sent)["sub"]
    assert world.sts.exchanges[before]["subject"] == subject
