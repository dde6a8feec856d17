"""Form and multipart bodies sent to a real HTTP server (httpbin), which
parses them as any framework would and echoes what it understood; with the
official MCP Python SDK in both eras."""

import asyncio
import base64
import json

import pytest

from support.clients import in_era
from support.connectors import write_connector
from support.gateway import start_gateway

ERAS = ["2025-11-25", "2026-07-28"]


@pytest.fixture(scope="module")
def served(tmp_path_factory, httpbin_url):
    folder = tmp_path_factory.mktemp("forms") / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/forms", "forms.yaml", UPSTREAM=httpbin_url)
    gateway = start_gateway(folder)
    try:
        yield gateway
    finally:
        gateway.stop()


def echoed(result) -> dict:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


@pytest.mark.parametrize("era", ERAS)
def test_forms_and_files_arrive_as_the_server_reads_them(served, era):
    payload = bytes(range(256)) + "ünïcödé".encode()

    async def exercise(client):
        stripe = echoed(await client.call_tool(
            "create_customer", {"email": "ann+1@example.com", "expand": ["a", "b"], "address": {"city": "Oslo"}}))
        assert stripe["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert stripe["form"] == {"email": "ann+1@example.com", "expand[]": ["a", "b"], "address[city]": "Oslo"}

        twilio = echoed(await client.call_tool("create_call", {"To": "+4712345678", "StatusCallbackEvent": ["ringing", "answered"]}))
        assert twilio["form"] == {"To": "+4712345678", "StatusCallbackEvent": ["ringing", "answered"]}

        upload = echoed(await client.call_tool(
            "upload_document", {"purpose": "evidence", "file": base64.b64encode(payload).decode()}))
        assert upload["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
        assert upload["form"] == {"purpose": "evidence"}
        # httpbin gives a file back as a data URL when it is not text.
        sent = upload["files"]["file"]
        assert base64.b64decode(sent.split(",", 1)[1]) == payload

        refused = await client.call_tool("upload_document", {"file": "%%% not base64"})
        assert refused.is_error and "must be the file's content in base64" in refused.content[0].text

    asyncio.run(in_era(served.mcp, era, exercise))
