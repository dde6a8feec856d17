"""A real browser signs in at a real OpenID Connect provider (Debian's
glewlwyd, started here on 127.0.0.1) the way the gateway will send people
there: authorization code with PKCE S256, state and nonce, for the confidential
client gatehouse-upstream. A tiny HTTP server stands in for the gateway's
/oauth/callback and records what the browser brings back; the test then
exchanges the code as the gateway will and reads the ID token."""

import base64
import hashlib
import json
import pathlib
import secrets
import shutil
import tempfile
import time
import urllib.parse

import jwt
import pytest
import requests

from support.browser import SignInError, browser_session, save_screenshot, sign_in_at_glewlwyd
from support.consent import RedirectListener

from support.gateway import free_port
from support.oauth import require_glewlwyd, start_glewlwyd, stop_glewlwyd



@pytest.fixture(scope="module")
def callback():
    """Plays the gateway's /oauth/callback: records what the browser brings back."""
    server = RedirectListener(path="/oauth/callback").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def glewlwyd(callback):
    require_glewlwyd()
    port = free_port()
    state = pathlib.Path(tempfile.mkdtemp(prefix="glewlwyd-browser-"))
    info = start_glewlwyd(port, f"http://127.0.0.1:{free_port()}/mcp", state, "--upstream-redirect", callback.url)
    try:
        yield info
    finally:
        stop_glewlwyd(state)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def browser():
    """A fresh browser per test: no sign-in session carries over."""
    with browser_session() as driver:
        yield driver


def authorization_request(info: dict) -> dict:
    """What the gateway will send the browser with: a fresh state, nonce and PKCE pair."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    client = info["upstream_client"]
    query = {"response_type": "code", "client_id": client["client_id"],
             "redirect_uri": client["redirect_uris"][0], "scope": "openid email profile",
             "state": secrets.token_urlsafe(16), "nonce": secrets.token_urlsafe(16),
             "code_challenge": challenge, "code_challenge_method": "S256"}
    return {"url": info["authorization_endpoint"] + "?" + urllib.parse.urlencode(query),
            "query": query, "verifier": verifier}


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_browser_signs_in_and_the_code_yields_an_id_token(glewlwyd, callback, browser, auth_method):
    started = time.monotonic()
    client = glewlwyd["upstream_client"]
    request = authorization_request(glewlwyd)
    seen = len(callback.queries)

    browser.get(request["url"])
    landed = sign_in_at_glewlwyd(browser, "alice", glewlwyd["users"]["alice"]["password"])

    assert landed.startswith(callback.url + "?"), landed
    queries = callback.wait(seen + 1)
    assert len(queries) == seen + 1, queries
    answer = queries[-1]
    assert answer.get("code"), answer
    assert answer.get("state") == request["query"]["state"]
    assert "error" not in answer, answer

    form = {"grant_type": "authorization_code", "code": answer["code"],
            "redirect_uri": client["redirect_uris"][0], "code_verifier": request["verifier"]}
    if auth_method == "client_secret_basic":
        auth = (client["client_id"], client["client_secret"])
    else:
        auth = None
        form.update(client_id=client["client_id"], client_secret=client["client_secret"])
    response = requests.post(glewlwyd["token_endpoint"], data=form, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens.get("access_token") and tokens.get("refresh_token"), tokens

    id_token = claims(tokens["id_token"])
    assert id_token["nonce"] == request["query"]["nonce"]
    assert id_token["aud"] == client["client_id"] or client["client_id"] in id_token["aud"]
    assert id_token["iss"] == glewlwyd["issuer"]
    assert id_token["exp"] > time.time()
    assert id_token["email"] == glewlwyd["users"]["alice"]["email"]
    assert id_token["name"] == glewlwyd["users"]["alice"]["name"]
    assert sorted(id_token["groups"]) == sorted(glewlwyd["users"]["alice"]["groups"])

    # the same token checked as the gateway will: signature from the JWKS, iss, aud, exp
    key = jwt.PyJWKClient(glewlwyd["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"]).key
    jwt.decode(tokens["id_token"], key, algorithms=["RS256"], audience=client["client_id"],
               issuer=glewlwyd["issuer"])

    # the code is single use
    again = requests.post(glewlwyd["token_endpoint"], data=form, auth=auth, timeout=10)
    assert again.status_code in (400, 403), again.text
    assert time.monotonic() - started < 30


def test_wrong_password_stays_on_the_login_page(glewlwyd, callback, browser):
    started = time.monotonic()
    request = authorization_request(glewlwyd)
    seen = len(callback.queries)

    browser.get(request["url"])
    with pytest.raises(SignInError, match="refused"):
        sign_in_at_glewlwyd(browser, "alice", "not-alice-password")

    assert browser.current_url.startswith(glewlwyd["login_page"]), browser.current_url
    assert browser.find_element("id", "password").is_displayed()
    save_screenshot(browser, "glewlwyd-wrong-password")
    assert callback.wait(seen + 1, timeout=1.0) == callback.queries[:seen]
    assert time.monotonic() - started < 30
