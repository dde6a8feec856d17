"""The operator console at /admin in a real browser (headless Chromium driven
by Selenium), signing in at a real identity provider (glewlwyd): an admin
sees the served tools, the problems in files and the calls just made; someone
outside the admin group is refused; the page cannot be framed; signing out
ends the session. Both sign-in set-ups are exercised: the built-in
authorization server's own identity provider, and an OpenID Connect client
configured for the console alone (an external issuer)."""

import base64
import json
import os
import pathlib
import tempfile
import time
import types
import urllib.parse

import pytest
import requests
from selenium.webdriver.common.by import By

from support.browser import browser_session, save_screenshot, sign_in_at_glewlwyd
from support.calls import post_tool_call
from support.consent import RedirectListener, approve_and_sign_in, pkce_pair
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.oauth import require_glewlwyd, start_glewlwyd, stop_glewlwyd

ADMINS = "gatehouse-admins"   # alice and carol are in it at glewlwyd; bob is not


@pytest.fixture(scope="module")
def setup(httpbin_url):
    """glewlwyd, and two gateways with a console: one in built-in mode, one
    with its MCP endpoint open and a console client of its own."""
    require_glewlwyd()
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-console-"))
    s = types.SimpleNamespace(root=root)
    s.listener = RedirectListener().start()
    s.builtin_port, s.external_port, issuer_port = free_port(), free_port(), free_port()
    state = root / "glewlwyd"
    s.info = start_glewlwyd(issuer_port, f"http://127.0.0.1:{s.builtin_port}/mcp", state,
                            "--upstream-redirect", f"http://127.0.0.1:{s.builtin_port}/oauth/callback",
                            "--upstream-redirect", f"http://127.0.0.1:{s.builtin_port}/admin/signed-in",
                            "--upstream-redirect", f"http://127.0.0.1:{s.external_port}/admin/signed-in")
    secret = root / "client.secret"
    secret.write_text(s.info["upstream_client"]["client_secret"])
    store_secret = root / "store.secret"
    store_secret.write_text(base64.b64encode(os.urandom(48)).decode())
    s.folder = root / "connectors.d"
    s.folder.mkdir()
    write_connector(s.folder, "operations/ops", "ops.yaml", UPSTREAM=httpbin_url)
    (s.folder / "broken.yaml").write_text("connector: broken\nbase_url: ftp://nowhere\ntools: []\n")
    client = s.info["upstream_client"]["client_id"]
    s.gateways = []
    try:
        s.builtin = start_gateway(s.folder, {
            "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{s.builtin_port}", "GATEHOUSE_AUTH": "builtin",
            "GATEHOUSE_AUTH_UPSTREAM_ISSUER": s.info["issuer"], "GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID": client,
            "GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET_FILE": str(secret), "GATEHOUSE_AUTH_STORE": str(root / "builtin.sqlite"),
            "GATEHOUSE_AUTH_STORE_SECRET_FILE": str(store_secret), "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS": "true",
            "GATEHOUSE_ADMIN_GROUP": ADMINS, "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_LOG_LEVEL": "info",
            "GATEHOUSE_AUTH_SCOPES": "mcp", "GATEHOUSE_AUTH_SCOPE_MAPPING": "* -> mcp",
            "GATEHOUSE_AUTH_CLIENTS": json.dumps([{"client_id": "static-cli", "client_name": "Static CLI",
                                                   "redirect_uris": [s.listener.url]}]),
        }, port=s.builtin_port)
        s.gateways.append(s.builtin)
        s.external = start_gateway(s.folder, {
            "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{s.external_port}", "GATEHOUSE_ADMIN_GROUP": ADMINS,
            "GATEHOUSE_ADMIN_SIGNIN_ISSUER": s.info["issuer"], "GATEHOUSE_ADMIN_SIGNIN_CLIENT_ID": client,
            "GATEHOUSE_ADMIN_SIGNIN_CLIENT_SECRET_FILE": str(secret), "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS": "true",
            "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_LOG_LEVEL": "info",
        }, port=s.external_port)
        s.gateways.append(s.external)
        yield s
    finally:
        for gateway in s.gateways:
            if gateway.process.poll() is None:
                gateway.stop()
        stop_glewlwyd(state)
        s.listener.stop()


def open_console(driver, gateway, user: str, password: str) -> str:
    """Opens /admin, signs in at glewlwyd as `user`; the page's text."""
    driver.get(gateway.url + "/admin")
    sign_in_at_glewlwyd(driver, user, password)
    return driver.find_element(By.TAG_NAME, "body").text


def test_an_admin_sees_tools_problems_and_the_calls_just_made(setup):
    for arguments in ({"note": "one"}, {"note": "two", "secret_word": "swordfish"}):
        assert post_tool_call(setup.external.mcp, "whoami", arguments).status_code == 200
    assert post_tool_call(setup.external.mcp, "flaky").status_code == 200   # a 503 upstream: a failed call
    alice = setup.info["users"]["alice"]
    with browser_session() as driver:
        text = open_console(driver, setup.external, "alice", alice["password"])
        try:
            assert driver.current_url == setup.external.url + "/admin", driver.current_url
            assert "Signed in as Alice" in text
            assert "whoami" in driver.find_element(By.ID, "tool-whoami").text
            assert "GET /headers" in driver.find_element(By.ID, "tool-whoami").text
            problems = driver.find_element(By.ID, "problems").text
            assert "broken.yaml:2:11" in problems and "ftp" in problems
            whoami = driver.find_element(By.ID, "activity-whoami").text.split()
            assert whoami[:3] == ["whoami", "2", "0.0%"], whoami
            flaky = driver.find_element(By.ID, "activity-flaky").text.split()
            assert flaky[:3] == ["flaky", "1", "100.0%"], flaky
            calls = driver.find_element(By.ID, "calls").text
            assert "upstream_error" in calls and "note, secret_word" in calls
            assert "swordfish" not in driver.page_source, "argument values stay out of the console by default"
            # Readable on a phone: the page lays out without sideways scrolling of the page itself.
            driver.set_window_size(390, 844)
            assert driver.execute_script("return document.documentElement.scrollWidth") <= 400
            save_screenshot(driver, "console-phone")
            driver.set_window_size(1280, 900)

            # Signing out ends the session: the console asks to sign in again.
            driver.find_element(By.ID, "sign-out").click()
            assert "signed out" in driver.find_element(By.TAG_NAME, "body").text
            driver.get(setup.external.url + "/admin")
            assert not driver.current_url.startswith(setup.external.url + "/admin"), driver.current_url
        except Exception:
            save_screenshot(driver, "console-admin")
            raise


def test_the_built_in_servers_console_signs_in_at_its_identity_provider(setup):
    carol = setup.info["users"]["carol"]   # 401 groups, the admin group among them
    with browser_session() as driver:
        text = open_console(driver, setup.builtin, "carol", carol["password"])
        assert driver.current_url == setup.builtin.url + "/admin", driver.current_url
        assert "Signed in as Carol" in text
        assert "whoami" in driver.find_element(By.ID, "tools").text
    log = (setup.builtin.folder.parent / f"gatehouse-{setup.builtin_port}.log").read_text()
    assert '"msg":"console sign-in"' in log and "carol-password" not in log


def bobs_tokens(setup) -> dict:
    """bob approves static-cli at the built-in server (consent, then glewlwyd)
    and the client exchanges the code: a grant in force, with its tokens."""
    verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": "static-cli", "redirect_uri": setup.listener.url, "scope": "mcp",
             "state": f"st-{time.monotonic_ns()}", "code_challenge": challenge, "code_challenge_method": "S256",
             "resource": setup.builtin.mcp}
    with browser_session() as driver:
        answer = approve_and_sign_in(driver, setup.builtin.url + "/authorize?" + urllib.parse.urlencode(query),
                                     setup.listener, setup.info["base"], "bob", setup.info["users"]["bob"]["password"])
    tokens = requests.post(setup.builtin.url + "/token", data={
        "grant_type": "authorization_code", "code": answer["code"], "code_verifier": verifier,
        "redirect_uri": setup.listener.url, "client_id": "static-cli"}, timeout=10)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def test_an_admin_revokes_a_users_grant_and_its_refresh_token_stops_working(setup):
    tokens = bobs_tokens(setup)
    carol = setup.info["users"]["carol"]
    with browser_session() as driver:
        open_console(driver, setup.builtin, "carol", carol["password"])
        try:
            assert "static-cli" in driver.find_element(By.ID, "client-static-cli").text
            row = driver.find_element(By.CSS_SELECTOR, "tr.grant[data-user]")
            subject = row.get_attribute("data-user")
            assert tokens["access_token"] not in driver.page_source and tokens["refresh_token"] not in driver.page_source
            row.find_element(By.CSS_SELECTOR, "button.revoke").click()
            assert driver.current_url.startswith(setup.builtin.url + "/admin"), driver.current_url
            assert not driver.find_elements(By.CSS_SELECTOR, f"tr.grant[data-user='{subject}']"), "the grant is gone"
        except Exception:
            save_screenshot(driver, "console-revoke")
            raise
    refreshed = requests.post(setup.builtin.url + "/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "static-cli"}, timeout=10)
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant", refreshed.text
    log = (setup.builtin.folder.parent / f"gatehouse-{setup.builtin_port}.log").read_text()
    revocations = [json.loads(line) for line in log.splitlines() if '"event":"revocation"' in line]
    assert revocations and "revoked in the console by" in revocations[-1].get("reason", ""), revocations


def test_a_revoke_without_the_sessions_form_token_is_refused(setup):
    carol = setup.info["users"]["carol"]
    with browser_session() as driver:
        open_console(driver, setup.builtin, "carol", carol["password"])
        session = driver.get_cookie("gatehouse_admin")["value"]
    forged = requests.post(setup.builtin.url + "/admin/revoke", data={"client": "static-cli", "csrf_token": "guess"},
                           cookies={"gatehouse_admin": session}, allow_redirects=False)
    assert forged.status_code == 403


def test_someone_outside_the_admin_group_is_refused(setup):
    bob = setup.info["users"]["bob"]
    with browser_session() as driver:
        text = open_console(driver, setup.external, "bob", bob["password"])
        assert "not as a member of gatehouse-admins" in text
        assert "whoami" not in text
        driver.get(setup.external.url + "/admin")
        assert not driver.current_url.startswith(setup.external.url + "/admin"), "still no way in"


def test_without_signing_in_there_is_nothing_to_see(setup):
    for gateway in (setup.builtin, setup.external):
        r = requests.get(gateway.url + "/admin", allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].startswith(setup.info["issuer"])
        assert "whoami" not in r.text
        forged = requests.get(gateway.url + "/admin", cookies={"gatehouse_admin": "YWxpY2UKQWxpY2U.9999999999.forged"},
                              allow_redirects=False)
        assert forged.status_code == 303


def test_the_console_cannot_be_framed(setup, tmp_path):
    alice = setup.info["users"]["alice"]
    with browser_session() as driver:
        open_console(driver, setup.external, "alice", alice["password"])
        page = driver.execute_script("return document.documentElement.outerHTML")
        assert "Connectors and tools" in page
        session = driver.get_cookie("gatehouse_admin")["value"]
        r = requests.get(setup.external.url + "/admin", cookies={"gatehouse_admin": session}, allow_redirects=False)
        assert r.status_code == 200 and "Connectors and tools" in r.text
        assert r.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
        framing = tmp_path / "framing.html"
        framing.write_text(f'<iframe id="console" src="{setup.external.url}/admin" width="800" height="600"></iframe>')
        driver.get(framing.as_uri())
        driver.switch_to.frame(driver.find_element(By.ID, "console"))
        framed = driver.page_source
        driver.switch_to.default_content()
        assert "Connectors and tools" not in framed and "whoami" not in framed
