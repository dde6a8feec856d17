"""An upstream that quotes the request back in its error bodies must not
carry the gateway's own credentials to the model: a bearer token from
${env:...}, an API key from ${file:...}, and anything else that looks like a
credential. The gateway binary and the misbehaving upstream are real."""

import pytest

from support.calls import post_tool_call
from support.connectors import render
from support.gateway import start_gateway
from support.misbehaving import MisbehavingUpstream

TOKEN = "tok-from-env-7f3a9c21"
API_KEY = "key-from-file-55d0e8"


def call(gateway, name):
    return post_tool_call(gateway.mcp, name, timeout=10, accept="application/json").json()["result"]


@pytest.fixture
def upstream():
    server = MisbehavingUpstream()
    yield server
    server.close()


def start(upstream, tmp_path, extra=""):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    key_file = tmp_path / "api-key"
    key_file.write_text(API_KEY + "\n")
    # `extra` is one more top-level setting, appended after the fixture's own.
    (folder / "echoing.yaml").write_text(render("connectors/echoing", UPSTREAM=upstream.url, KEY_FILE=key_file) + extra)
    return start_gateway(folder, {"ECHO_TOKEN": TOKEN, "GATEHOUSE_LOG_LEVEL": "debug"})


def test_credentials_echoed_in_an_error_body_never_reach_the_model_or_the_log(upstream, tmp_path):
    gateway = start(upstream, tmp_path)
    try:
        result = call(gateway, "echo_secrets")
        text = result["content"][0]["text"]
        assert result["isError"] and "HTTP 401" in text
        assert "Response body:" in text, "the body is still quoted, cleaned"
        assert TOKEN not in text and API_KEY not in text
        assert "[REDACTED]" in text
        # A credential the gateway did not send, but the upstream quoted, is masked too.
        assert "someone-elses-token" not in text
    finally:
        gateway.stop()
    log = (gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log").read_text()
    assert TOKEN not in log and API_KEY not in log


def test_a_connector_can_quote_no_error_body_at_all(upstream, tmp_path):
    gateway = start(upstream, tmp_path, extra="error_body_bytes: 0")
    try:
        text = call(gateway, "echo_secrets")["content"][0]["text"]
        assert "HTTP 401" in text and "Response body" not in text and "you_sent" not in text
    finally:
        gateway.stop()
