"""Paginated tools against a real paged API (support/paged_api.py) with the
official MCP Python SDK in both eras: each style, gathering, the cursor
handed on and followed to the end, on a second replica too, and cursors
refused when tampered with or used for another tool or other arguments."""

import asyncio

import pytest

from support.clients import in_era, modern_client
from support.connectors import write_connector
from support.gateway import start_gateway
from support.paged_api import PagedAPI

ERAS = ["2025-11-25", "2026-07-28"]


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    api = PagedAPI().start()
    folder = tmp_path_factory.mktemp("paged") / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/paged", "paged.yaml", UPSTREAM=api.url)
    secret = {"GATEHOUSE_SESSION_SECRET": "pagination-e2e-session-secret"}
    one, two = start_gateway(folder, secret), start_gateway(folder, secret)
    try:
        yield api, one, two
    finally:
        one.stop()
        two.stop()
        api.stop()


def ids(result) -> list[int]:
    return [item["id"] for item in result.structured_content["items"]]


def walk(url: str, era: str, tool: str, arguments=None) -> list[list[int]]:
    """Every page of `tool`, following next_cursor to the end."""
    async def exercise(client):
        pages, cursor = [], None
        while True:
            args = dict(arguments or {})
            if cursor:
                args["cursor"] = cursor
            result = await client.call_tool(tool, args)
            assert not result.is_error, result.content[0].text
            pages.append(ids(result))
            cursor = result.structured_content.get("next_cursor")
            if not cursor:
                return pages
            assert f'cursor "{cursor}"' in result.content[0].text
    return asyncio.run(in_era(url, era, exercise))


@pytest.mark.parametrize("era", ERAS)
def test_each_style_is_followed_to_the_end(paged, era):
    _, gateway, _ = paged
    everything = list(range(1, 26))
    assert walk(gateway.mcp, era, "by_cursor") == [list(range(1, 11)), list(range(11, 21)), list(range(21, 26))]
    # Two pages gathered per call, then shaped: only the even items are kept.
    assert walk(gateway.mcp, era, "by_page") == [list(range(2, 21, 2)), [22, 24]]
    # Up to ten pages per call: one call reads to the end.
    assert walk(gateway.mcp, era, "by_offset") == [everything]
    assert sum(walk(gateway.mcp, era, "by_link"), []) == everything


def test_a_cursor_from_one_replica_continues_on_the_other(paged):
    _, one, two = paged

    async def first_page():
        async with modern_client(one.mcp) as client:
            return (await client.call_tool("by_cursor", {})).structured_content["next_cursor"]

    cursor = asyncio.run(first_page())

    async def second_page():
        async with modern_client(two.mcp) as client:
            return ids(await client.call_tool("by_cursor", {"cursor": cursor}))

    assert asyncio.run(second_page()) == list(range(11, 21))


def test_tampered_and_borrowed_cursors_are_refused(paged):
    api, gateway, _ = paged

    async def exercise(client):
        cursor = (await client.call_tool("by_cursor", {})).structured_content["next_cursor"]
        before = len(api.seen())
        tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
        for tool, cursor_value, phrase in [
            ("by_cursor", tampered, "not issued by this server"),
            ("by_page", cursor, "another tool"),
        ]:
            result = await client.call_tool(tool, {"cursor": cursor_value})
            assert result.is_error and phrase in result.content[0].text, result.content[0].text
        assert len(api.seen()) == before, "a refused cursor sends nothing"

    asyncio.run(in_era(gateway.mcp, "2026-07-28", exercise))
