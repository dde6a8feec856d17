"""Tools whose arguments are declared as a JSON Schema (`input_schema:`),
through the real binary and the official MCP SDK against httpbin: clients see
the schema as written ($defs, $ref, oneOf, if/then), valid calls reach the
upstream with each argument where `parameters` put it, and invalid calls are
tool errors that never leave the gateway."""

import json

import pytest
import requests
from mcp.types import PaginatedRequestParams

from support.connectors import write_connector
from support.gateway import start_gateway
from support.clients import legacy_session, modern_client, run, text_of

CIRCLE = {"kind": "circle", "center": {"x": 1, "y": 2.5}, "radius": 3}


@pytest.fixture(scope="module")
def boards(httpbin_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("input-schema") / "connectors.d"
    folder.mkdir()
    write_connector(folder, "connectors/boards", UPSTREAM=httpbin_url)
    gateway = start_gateway(folder)
    yield gateway
    gateway.stop()


def upstream_calls(gateway) -> int:
    """How many calls the gateway has made to the connector's API so far."""
    for line in requests.get(gateway.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith('gatehouse_upstream_duration_seconds_count{connector="boards"}'):
            return int(line.rsplit(" ", 1)[1])
    return 0


def check_listing(tools):
    by_name = {tool.name: tool for tool in tools}
    assert sorted(by_name) == ["add_note", "draw_shape", "find_shapes"]
    schema = by_name["draw_shape"].input_schema
    # Published as written: the dialect, $defs with the anchor, oneOf, $ref, if/then.
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["point"]["$anchor"] == "point"
    branches = schema["properties"]["shape"]["oneOf"]
    assert [b["properties"]["kind"]["const"] for b in branches] == ["circle", "polygon"]
    assert branches[0]["properties"]["center"] == {"$ref": "#point"}
    assert branches[1]["properties"]["points"]["items"] == {"$ref": "#/$defs/point"}
    assert schema["if"] == {"properties": {"dry_run": {"const": True}}, "required": ["dry_run"]}
    assert schema["then"] == {"required": ["trace"]}
    assert schema["additionalProperties"] is False
    assert list(schema) == ["$schema", "type", "$defs", "properties", "required", "additionalProperties", "if", "then"]
    assert by_name["add_note"].input_schema["$defs"]["place"]["anyOf"][0] == {"$ref": "#/$defs/cell"}


async def calls(gateway, call_tool):
    before = upstream_calls(gateway)

    # Path, body, query (joined with commas) and a header, each where parameters put it.
    result = await call_tool("draw_shape", {"board": "main", "shape": CIRCLE, "dry_run": True, "trace": "t-1",
                                            "tags": ["red", "big one"]})
    assert not result.is_error, text_of(result)
    echoed = json.loads(text_of(result))
    assert echoed["json"] == {"shape": CIRCLE}
    assert echoed["args"] == {"dry_run": "true", "tags": "red,big one"}
    assert echoed["url"].endswith("/anything/boards/main/shapes?dry_run=true&tags=red,big%20one")
    assert echoed["headers"] == {"X-Trace-Id": "t-1"}

    polygon = {"kind": "polygon", "points": [{"x": 0, "y": 0}, {"x": 4, "y": 0}, {"x": 0, "y": 3}]}
    result = await call_tool("draw_shape", {"board": "main", "shape": polygon})
    assert not result.is_error, text_of(result)
    assert json.loads(text_of(result))["json"] == {"shape": polygon}

    # A GET tool sends what parameters does not place in the query; defaults fill in.
    result = await call_tool("find_shapes", {"kind": "circle"})
    assert json.loads(text_of(result)) == {"kind": "circle", "limit": "10"}

    # Body templates take declared arguments; a $ref'd anyOf admits either form.
    result = await call_tool("add_note", {"text": "hello", "anchor": {"row": 1, "col": 2}})
    assert json.loads(text_of(result)) == {"note": {"text": "hello", "at": {"row": 1, "col": 2}}}
    result = await call_tool("add_note", {"text": "hello", "anchor": "top"})
    assert json.loads(text_of(result)) == {"note": {"text": "hello", "at": "top"}}
    assert upstream_calls(gateway) == before + 5

    # Invalid arguments: a tool error naming the problem, and no upstream call.
    refused = [
        ("draw_shape", {"board": "main", "shape": {"kind": "square", "side": 2}},
         "/shape: must match exactly one schema in oneOf (matched 0)"),
        ("draw_shape", {"board": "main", "shape": CIRCLE, "dry_run": True}, "/trace: is required"),
        ("draw_shape", {"board": "Main!", "shape": CIRCLE}, "/board: must match pattern ^[a-z]+$"),
        ("draw_shape", {"board": "main", "shape": CIRCLE, "colour": "red"}, 'unexpected property "colour"'),
        ("find_shapes", {"limit": 500}, "/limit: must be at most 50"),
        # The one anyOf branch of the right type explains itself, through its $ref.
        ("add_note", {"text": "x", "anchor": {"row": 1}}, "/anchor/col: is required"),
        ("add_note", {"text": "x", "anchor": "middle"}, "/anchor: must be one of: top, bottom"),
        ("add_note", {"text": "x", "anchor": 3}, "/anchor: must be an object or a string, got integer"),
    ]
    for name, arguments, problem in refused:
        result = await call_tool(name, arguments)
        assert result.is_error, (name, arguments)
        assert text_of(result).startswith(f"Invalid arguments for {name}: "), text_of(result)
        assert problem in text_of(result), text_of(result)
    assert upstream_calls(gateway) == before + 5, "a refused call reached the upstream"


def test_modern_client_lists_and_calls(boards):
    async def go():
        async with modern_client(boards.mcp) as client:
            listed = await client.list_tools()
            check_listing(listed.tools)
            await calls(boards, client.call_tool)
    run(go())


def test_legacy_session_lists_the_schema_as_written(boards):
    async def go():
        async with legacy_session(boards.mcp, "2025-06-18") as (session, _):
            tools, cursor = [], None
            while True:
                page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                tools += page.tools
                cursor = page.next_cursor
                if not cursor:
                    break
            check_listing(tools)
            result = await session.call_tool("draw_shape", {"board": "main", "shape": CIRCLE})
            assert not result.is_error, text_of(result)
            result = await session.call_tool("draw_shape", {"board": "main"})
            assert result.is_error and "/shape: is required" in text_of(result)
    run(go())
