"""Helpers for end-to-end tests of the gateway's built-in authorization server
(GATEHOUSE_AUTH=builtin): a loopback listener that plays a native client's
redirect URI, an HTTPS server with a throwaway CA that serves client metadata
documents, and the browser steps a person takes through the consent page and
glewlwyd's sign-in.

    listener = RedirectListener(); listener.start()
    query = approve_and_sign_in(driver, authorization_url, listener, "alice", "alice-password")
    # query == {"code": ..., "state": ..., "iss": ...}
"""

import base64
import hashlib
import http.server
import json
import pathlib
import secrets
import ssl
import subprocess
import threading
import urllib.parse

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from support.browser import save_screenshot, sign_in_at_glewlwyd
from support.loopback import LoopbackServer, answer
from support.tls import make_tls_material  # noqa: F401 (used by the sign-in tests)

STEP_TIMEOUT = 10.0


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class RedirectListener(LoopbackServer):
    """A loopback redirect URI (http://127.0.0.1:<port><path>): a client's,
    or the gateway's own callback at the identity provider; records the
    query of every request that reaches it."""

    def __init__(self, path: str = "/callback"):
        self.queries: list[dict] = []
        self.arrived = threading.Condition()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                parts = urllib.parse.urlsplit(handler.path)
                if parts.path == path:
                    with self.arrived:
                        self.queries.append(dict(urllib.parse.parse_qsl(parts.query)))
                        self.arrived.notify_all()
                answer(handler, 200, "text/html", b"<!doctype html><title>done</title><p>You can close this window.</p>")

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}{path}"

    def wait(self, count: int, timeout: float = 5.0) -> list:
        """The queries once at least `count` arrived (or all so far after `timeout`)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.queries) >= count, timeout)
            return list(self.queries)


class DocumentServer(LoopbackServer):
    """Serves JSON documents over HTTPS on 127.0.0.1 (client metadata
    documents): `documents[path] = object`; every requested path is recorded."""

    def __init__(self, cert: pathlib.Path, key: pathlib.Path):
        self.documents: dict[str, dict] = {}
        self.requested: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                path = urllib.parse.urlsplit(handler.path).path
                self.requested.append(path)
                document = self.documents.get(path)
                body = json.dumps(document).encode() if document is not None else b'{"error":"not found"}'
                answer(handler, 200 if document is not None else 404, "application/json", body,
                        **{"Cache-Control": "max-age=60"})

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.server_address[1]}"


def wait_for_consent(driver, timeout: float = STEP_TIMEOUT):
    """Waits until the gateway's consent page shows its Approve button."""
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.find_elements(By.ID, "approve") and d.find_elements(By.ID, "deny"))


def consent_details(driver) -> dict:
    """What the consent page tells the person."""
    return {
        "title": driver.title,
        "client_name": driver.find_element(By.ID, "client-name").text,
        "client_id": driver.find_element(By.ID, "client-id").text,
        "redirect_host": driver.find_element(By.ID, "redirect-host").text,
        "scopes": [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#scopes li")],
        "text": driver.find_element(By.TAG_NAME, "body").text,
    }


def _wait_until_at(driver, prefixes: list[str], timeout: float = STEP_TIMEOUT) -> str:
    try:
        def arrived(d):
            url = d.current_url
            return url if any(url.startswith(prefix) for prefix in prefixes) else False
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(arrived)
    except TimeoutException:
        shot = save_screenshot(driver, "consent-flow-stuck")
        raise AssertionError(f"the browser did not reach any of {prefixes}; it is at {driver.current_url} "
                             f"(screenshot {shot})") from None


def approve_and_sign_in(driver, authorization_url: str, listener: RedirectListener, glewlwyd: str,
                        user: str, password: str, *, screenshot: str | None = None,
                        on_consent=None) -> dict:
    """Plays the person: opens the gateway's authorization URL, (optionally)
    screenshots and inspects the consent page (`on_consent(details)`), approves,
    signs in at glewlwyd (origin `glewlwyd`) unless its session is still alive,
    and returns the query the client's loopback redirect URI received."""
    seen = len(listener.queries)
    driver.get(authorization_url)
    wait_for_consent(driver)
    if screenshot:
        save_screenshot(driver, screenshot)
    if on_consent:
        on_consent(consent_details(driver))
    driver.find_element(By.ID, "approve").click()
    glewlwyd = _origin(glewlwyd) + "/"
    landed = _wait_until_at(driver, [glewlwyd, listener.url])
    if landed.startswith(glewlwyd):
        landed = sign_in_at_glewlwyd(driver, user, password, glewlwyd=glewlwyd.rstrip("/"))
        if not landed.startswith(listener.url):   # via the gateway's /oauth/callback
            landed = _wait_until_at(driver, [listener.url])
    queries = listener.wait(seen + 1)
    assert len(queries) == seen + 1, f"the redirect URI received {queries[seen:]} (browser at {landed})"
    return queries[-1]


def deny(driver, authorization_url: str, listener: RedirectListener, *, screenshot: str | None = None) -> dict:
    """Opens the consent page, clicks Deny and returns what the client received."""
    seen = len(listener.queries)
    driver.get(authorization_url)
    wait_for_consent(driver)
    if screenshot:
        save_screenshot(driver, screenshot)
    driver.find_element(By.ID, "deny").click()
    _wait_until_at(driver, [listener.url])
    queries = listener.wait(seen + 1)
    assert len(queries) == seen + 1, queries[seen:]
    return queries[-1]
