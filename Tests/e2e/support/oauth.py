"""glewlwyd, the real OAuth provider, started and stopped through the scripts
in oauth/ (start.sh provisions clients and users and writes info.json)."""

import asyncio
import json
import pathlib
import shutil
import subprocess
import urllib.parse

import pytest
import requests
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from support.paths import OAUTH


def require_glewlwyd() -> None:
    if shutil.which("glewlwyd") is None:
        pytest.fail("glewlwyd is not installed: run Tests/e2e/oauth/setup.sh (scripts/test does)")


def start_glewlwyd(port: int, resource: str, state: pathlib.Path, *options: str) -> dict:
    """Starts glewlwyd on `port` for the protected `resource`, keeping its files
    in `state`; `options` go to provision.py. Returns the provisioned info."""
    subprocess.run([str(OAUTH / "start.sh"), str(port), resource, str(state), *options],
                   check=True, capture_output=True, timeout=60)
    return json.loads((state / "info.json").read_text())


def stop_glewlwyd(state: pathlib.Path) -> None:
    subprocess.run([str(OAUTH / "stop.sh"), str(state)], check=False, timeout=30)


def sdk_oauth_at(mcp_url: str, glewlwyd: str, user: str, password: str, storage) -> OAuthClientProvider:
    """The MCP SDK's own OAuth client for `mcp_url`, signing `user` in at
    glewlwyd; the browser step is played by requests: sign in, consent, and
    follow the authorize URL to the code."""
    captured = {}

    def browser(url: str):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        session = requests.Session()
        session.post(f"{glewlwyd}/api/auth/", json={"username": user, "password": password}).raise_for_status()
        session.put(f"{glewlwyd}/api/auth/grant/{query['client_id']}", json={"scope": query.get("scope", "")}).raise_for_status()
        answer = session.get(url + "&g_continue", allow_redirects=False)
        location = urllib.parse.urlsplit(answer.headers["Location"])
        captured.update(dict(urllib.parse.parse_qsl(location.query)))

    async def redirect_handler(url: str):
        await asyncio.to_thread(browser, url)

    async def callback_handler():
        return AuthorizationCodeResult(code=captured["code"], state=captured.get("state"))

    return OAuthClientProvider(
        server_url=mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name="gatehouse-e2e", redirect_uris=["http://127.0.0.1:33418/callback"],
            grant_types=["authorization_code", "refresh_token"], response_types=["code"]),
        storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler)
