"""Answers over a tool's max_bytes, with the official MCP Python SDK in
both eras: the first part and a resource_link, the rest read with
resources/read part by part until the whole answer is back, on the replica
that answered or on another one, and a POST never sent twice to do it."""

import asyncio
import json
import re

import pytest
from mcp import MCPError

from support.clients import in_era, modern_client
from support.connectors import write_connector
from support.gateway import start_gateway
from support.paged_api import REPORT, PagedAPI

ERAS = ["2025-11-25", "2026-07-28"]
WHOLE = json.dumps(REPORT, ensure_ascii=False, separators=(",", ":"))
CUT = re.compile(r"\n\[truncated: showing bytes 1–\d+ of \d+\. The rest of this \w+ answer is the resource (\S+) — ")
NEXT = re.compile(r"\n\[part: bytes \d+–\d+ of \d+; the next part is the resource (\S+)\]$")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    api = PagedAPI().start()
    folder = tmp_path_factory.mktemp("long") / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/long", "long.yaml", UPSTREAM=api.url)
    secret = {"GATEHOUSE_SESSION_SECRET": "answer-parts-e2e-session-secret"}
    one, two = start_gateway(folder, secret), start_gateway(folder, secret)
    try:
        yield api, one, two
    finally:
        one.stop()
        two.stop()
        api.stop()


async def first_part(client, tool: str) -> tuple[str, str]:
    result = await client.call_tool(tool, {})
    assert not result.is_error, result.content[0].text
    text, link = result.content
    assert link.type == "resource_link" and link.mime_type == "application/json"
    uri = str(link.uri)
    match = CUT.search(text.text)
    assert match and match.group(1) == uri, text.text[-300:]
    assert len(text.text[:match.start()].encode()) <= 8192
    return text.text[:match.start()], uri


async def read_rest(client, uri: str) -> str:
    rest = []
    while uri:
        read = await client.read_resource(uri)
        contents = read.contents[0]
        assert contents.mime_type == "application/json"
        following = (contents.meta or {}).get("gatehouse/next")
        match = NEXT.search(contents.text)
        if following:
            assert match and match.group(1) == following
            rest.append(contents.text[:match.start()])
        else:
            assert not match
            rest.append(contents.text)
        uri = following
    return "".join(rest)


@pytest.mark.parametrize("era", ERAS)
def test_the_rest_of_a_long_answer_is_read_part_by_part(served, era):
    api, gateway, _ = served

    async def exercise(client):
        before = len(api.seen())
        shown, uri = await first_part(client, "report")
        assert shown + await read_rest(client, uri) == WHOLE
        assert len(api.seen()) == before + 1, "the replica that answered keeps the answer"

    asyncio.run(in_era(gateway.mcp, era, exercise))


def test_another_replica_rebuilds_a_get_and_never_repeats_a_post(served):
    api, one, two = served

    async def on(url, exercise):
        async with modern_client(url) as client:
            return await exercise(client)

    get_shown, get_link = asyncio.run(on(one.mcp, lambda c: first_part(c, "report")))
    post_shown, post_link = asyncio.run(on(one.mcp, lambda c: first_part(c, "run_report")))
    runs = [r for r in api.seen() if r.startswith("POST")]
    assert len(runs) == 1

    async def elsewhere(client):
        assert get_shown + await read_rest(client, get_link) == WHOLE
        with pytest.raises(MCPError) as refused:
            await client.read_resource(post_link)
        assert "not one the gateway sends twice" in refused.value.error.message

    asyncio.run(on(two.mcp, elsewhere))
    assert [r for r in api.seen() if r.startswith("POST")] == runs, "the POST was not sent again"
    # On the replica that ran it, the POST's answer is still there.
    assert post_shown + asyncio.run(on(one.mcp, lambda c: read_rest(c, post_link))) == WHOLE


def test_an_altered_link_is_not_found(served):
    _, gateway, _ = served

    async def exercise(client):
        _, uri = await first_part(client, "report")
        altered = uri[:-4] + ("AAAA" if not uri.endswith("AAAA") else "BBBB")
        with pytest.raises(MCPError) as unknown:
            await client.read_resource(altered)
        assert unknown.value.error.message == "Resource not found"

    asyncio.run(in_era(gateway.mcp, "2026-07-28", exercise))


async def every_tool(client, era):
    """Every page of tools/list (the gateway under test serves 4 a page)."""
    from mcp import types
    tools, cursor = [], None
    while True:
        if era == "2026-07-28":
            page = await client.list_tools(cursor=cursor)
        else:
            page = await client.list_tools(params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools


def mismatches(gateway) -> float:
    import requests
    total = 0.0
    for line in requests.get(gateway.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith("gatehouse_output_schema_mismatches_total") and 'tool="drifted_report"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.parametrize("era", ERAS)
def test_a_drifted_answer_is_lenient_by_default_and_an_error_when_strict(served, era):
    _, gateway, _ = served

    async def exercise(client):
        before = mismatches(gateway)
        listed = {tool.name: tool for tool in await every_tool(client, era)}
        assert listed["strict_report"].output_schema["required"] == ["total"]
        assert listed["drifted_report"].output_schema is None, "a lenient tool does not promise its schema"
        matching = await client.call_tool("matching_report", {})
        assert not matching.is_error and len(matching.structured_content["rows"]) == 300
        lenient = await client.call_tool("drifted_report", {})
        assert not lenient.is_error
        assert lenient.structured_content is None, "a structured copy that breaks the schema is left out"
        assert json.loads(lenient.content[0].text) == REPORT, "the text still goes out whole"
        assert mismatches(gateway) == before + 1, "the drift is counted"
        strict = await client.call_tool("strict_report", {})
        assert strict.is_error
        assert "does not match the tool's output schema" in strict.content[0].text

    asyncio.run(in_era(gateway.mcp, era, exercise))
