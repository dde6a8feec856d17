"""The official MCP Python SDK against the running gateway, in both eras:
list the tools, call each kind of tool, and see upstream failures come back
as tool errors the model can read."""

import base64
import json

import pytest
from mcp.types import PaginatedRequestParams

from support.clients import legacy_session, modern_client, run, text_of

LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"]
EXPECTED_TOOLS = sorted([
    "echo_get", "echo_post", "echo_params", "get_path", "echo_headers", "fail_with", "slow", "picture",
    "html_page", "structured_get",
])


async def scenario(list_page, call_tool):
    """The same checks for every era; returns nothing, asserts everything.

    `list_page(cursor)` fetches one tools/list page; the gateway under test
    serves 4 tools a page, so following nextCursor is part of the check."""
    tools, cursor, pages = [], None, 0
    while True:
        page = await list_page(cursor)
        tools += page.tools
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 3
    names = [tool.name for tool in tools]
    assert names == EXPECTED_TOOLS, "tools/list must return every tool, in name order, across pages"
    by_name = {tool.name: tool for tool in tools}
    schema = by_name["echo_get"].input_schema
    assert schema["required"] == ["q"]
    assert schema["properties"]["limit"]["maximum"] == 10
    assert by_name["echo_get"].annotations.read_only_hint is True
    assert by_name["echo_post"].annotations.read_only_hint is False
    assert by_name["structured_get"].output_schema["required"] == ["args", "url"]

    # GET with query parameters: arrays repeat, defaults fill in, booleans are words.
    result = await call_tool("echo_get", {"q": "hello world", "tags": ["a", "b"], "flag": True})
    assert not result.is_error, text_of(result)
    args = json.loads(text_of(result))
    assert args == {"q": "hello world", "tags": ["a", "b"], "limit": "3", "flag": "true"}

    # POST with a body template: lone placeholders keep their JSON type, absent ones vanish.
    result = await call_tool("echo_post", {"title": "Disk full", "count": 2, "labels": ["ops", "urgent"]})
    assert not result.is_error, text_of(result)
    body = json.loads(text_of(result))
    assert body == {"title": "Disk full", "count": 2, "labels": ["ops", "urgent"], "summary": "item Disk full x2"}
    result = await call_tool("echo_post", {"title": "Only title"})
    assert json.loads(text_of(result)) == {"title": "Only title", "summary": "item Only title x"}

    # PUT without a template: in-body parameters form the object.
    result = await call_tool("echo_params", {"name": "box", "size": 1.5})
    assert json.loads(text_of(result)) == {"name": "box", "size": 1.5}

    # Path parameters are percent-encoded and cannot escape their segment.
    result = await call_tool("get_path", {"kind": "users", "id": "a/b c?d"})
    shaped = json.loads(text_of(result))
    assert shaped["method"] == "GET"
    # httpbin reports the path decoded by its WSGI server; what matters is
    # that "?" stayed inside the segment instead of starting a query.
    assert shaped["args"] == {}
    assert shaped["url"].endswith("/anything/users/a/b%20c%3Fd")

    # Header parameters, tool headers, connector headers and upstream auth.
    result = await call_tool("echo_headers", {"trace": "trace-123"})
    headers = json.loads(text_of(result))
    assert headers["X-Trace-Id"] == "trace-123"
    assert headers["X-Static"] == "static-value"
    assert headers["X-Connector-Default"] == "from-connector"
    # The upstream got the connector's token; echoed back, it is redacted,
    # which only happens to the exact value the gateway sent.
    assert headers["Authorization"] == "Bearer [REDACTED]"
    assert "upstream-secret-token" not in text_of(result)

    # Invalid arguments never reach the upstream and say what is wrong.
    result = await call_tool("echo_get", {"q": "x", "limit": 99})
    assert result.is_error
    assert "/limit" in text_of(result) and "10" in text_of(result)
    result = await call_tool("echo_get", {})
    assert result.is_error and "q" in text_of(result)
    result = await call_tool("get_path", {"kind": "robots", "id": "1"})
    assert result.is_error and "users" in text_of(result)
    result = await call_tool("echo_get", {"q": "x", "unexpected": 1})
    assert result.is_error and "unexpected" in text_of(result)

    # Upstream failures are tool errors with the status.
    result = await call_tool("fail_with", {"code": 404})
    assert result.is_error and "404" in text_of(result)
    result = await call_tool("fail_with", {"code": 503})
    assert result.is_error and "503" in text_of(result)

    # A slow upstream times out as a tool error.
    result = await call_tool("slow", {"seconds": 3})
    assert result.is_error and "1s" in text_of(result)

    # Binary answers keep their kind; text is capped with a marker.
    result = await call_tool("picture", {})
    assert not result.is_error
    image = result.content[0]
    assert image.type == "image" and image.mime_type == "image/png"
    assert base64.b64decode(image.data)[:8] == b"\x89PNG\r\n\x1a\n"
    result = await call_tool("html_page", {})
    assert "[truncated:" in text_of(result)

    # An output schema adds structuredContent.
    result = await call_tool("structured_get", {"q": "s"})
    assert not result.is_error, text_of(result)
    assert result.structured_content["args"] == {"q": "s"}


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_legacy_era(gateway, version):
    async def go():
        async with legacy_session(gateway.mcp, version) as (session, init):
            assert init.protocol_version == version
            assert init.server_info.name == "gatehouse"
            assert init.capabilities.tools is not None

            async def list_page(cursor):
                return await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)

            await session.send_ping()
            await scenario(list_page, session.call_tool)
    run(go())


@pytest.mark.parametrize("mode", ["2026-07-28", "auto"])
def test_modern_era(gateway, mode):
    async def go():
        async with modern_client(gateway.mcp, mode) as client:
            assert client.protocol_version == "2026-07-28"
            if mode == "auto":
                # auto probes server/discover; the answer names the server.
                assert client.server_info.name == "gatehouse"
            async def list_page(cursor):
                return await client.list_tools(cursor=cursor)

            await scenario(list_page, client.call_tool)
    run(go())


def test_unknown_tool_is_a_protocol_error(gateway):
    async def go():
        async with modern_client(gateway.mcp) as client:
            with pytest.raises(Exception) as raised:
                await client.call_tool("no_such_tool", {})
            assert "no_such_tool" in str(raised.value)
    run(go())
