"""Raw HTTP checks of the transport rules: status codes, headers, session
lifecycle, Origin, protocol versions. Plain requests, no SDK in between."""

import json

import requests

MODERN = "2026-07-28"
JSON_ACCEPT = "application/json, text/event-stream"


def meta(version=MODERN):
    return {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }


def modern_post(gateway, method, params=None, headers=None, name=None, version=MODERN, id=1):
    body = {"jsonrpc": "2.0", "id": id, "method": method, "params": {**(params or {}), "_meta": meta(version)}}
    sent = {"Content-Type": "application/json", "Accept": JSON_ACCEPT,
            "MCP-Protocol-Version": version, "Mcp-Method": method}
    if name is not None:
        sent["Mcp-Name"] = name
    sent.update(headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    return requests.post(gateway.mcp, data=json.dumps(body), headers=sent, timeout=10)


def initialize(gateway, version="2025-11-25", headers=None):
    body = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
    sent = {"Content-Type": "application/json", "Accept": JSON_ACCEPT}
    sent.update(headers or {})
    return requests.post(gateway.mcp, json=body, headers=sent, timeout=10)


def legacy_post(gateway, session, method, params=None, id=1, headers=None):
    sent = {"Content-Type": "application/json", "Accept": JSON_ACCEPT, "Mcp-Session-Id": session,
            "MCP-Protocol-Version": "2025-11-25"}
    sent.update(headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    body = {"jsonrpc": "2.0", "method": method, "params": params or {}}
    if id is not None:
        body["id"] = id
    return requests.post(gateway.mcp, json=body, headers=sent, timeout=10)


# 2026-07-28

def test_discover(gateway):
    r = modern_post(gateway, "server/discover")
    assert r.status_code == 200
    result = r.json()["result"]
    assert result["resultType"] == "complete"
    assert MODERN in result["supportedVersions"]
    assert "tools" in result["capabilities"]
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "gatehouse"
    assert result["ttlMs"] >= 0 and result["cacheScope"] in ("public", "private")
    assert "Mcp-Session-Id" not in r.headers


def test_tools_list_is_cacheable_and_paginated(gateway):
    r = modern_post(gateway, "tools/list")
    result = r.json()["result"]
    assert result["resultType"] == "complete"
    assert result["ttlMs"] == 10000 and result["cacheScope"] == "public"
    assert len(result["tools"]) == 4 and result["nextCursor"]
    r = modern_post(gateway, "tools/list", {"cursor": "not-a-cursor"})
    assert r.json()["error"]["code"] == -32602


def test_header_mismatches_are_rejected(gateway):
    r = modern_post(gateway, "tools/list", headers={"MCP-Protocol-Version": None})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    r = modern_post(gateway, "tools/list", headers={"MCP-Protocol-Version": "2025-11-25"})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    r = modern_post(gateway, "tools/list", headers={"Mcp-Method": "tools/call"})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    r = modern_post(gateway, "tools/list", headers={"Mcp-Method": None})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    call = {"name": "echo_get", "arguments": {"q": "x"}}
    r = modern_post(gateway, "tools/call", call)
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020, "Mcp-Name is required"
    r = modern_post(gateway, "tools/call", call, name="fail_with")
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    r = modern_post(gateway, "tools/call", call, name="=?base64?ZWNob19nZXQ=?=")
    assert r.status_code == 200 and r.json()["result"].get("isError", False) is False


def test_unsupported_version(gateway):
    r = modern_post(gateway, "tools/list", version="1999-01-01")
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == -32022
    assert error["data"]["requested"] == "1999-01-01" and MODERN in error["data"]["supported"]


def test_missing_client_capabilities(gateway):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list",
            "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}}
    r = requests.post(gateway.mcp, json=body, headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32602


def test_unknown_method_and_get_delete(gateway):
    r = modern_post(gateway, "resources/subscribe", {"uri": "x://y"})
    assert r.status_code == 404 and r.json()["error"]["code"] == -32601
    assert requests.get(gateway.mcp, headers={"Accept": "text/event-stream"}).status_code == 405
    assert requests.delete(gateway.mcp).status_code == 405


def test_unknown_tool_and_bad_arguments(gateway):
    r = modern_post(gateway, "tools/call", {"name": "nope", "arguments": {}}, name="nope")
    assert r.json()["error"]["code"] == -32602
    r = modern_post(gateway, "tools/call", {"name": "echo_get", "arguments": [1]}, name="echo_get")
    assert r.json()["error"]["code"] == -32602


def test_sse_when_only_event_stream_is_accepted(gateway):
    r = modern_post(gateway, "server/discover", headers={"Accept": "text/event-stream"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
    data = [line[len("data: "):] for line in r.text.splitlines() if line.startswith("data: ")]
    assert json.loads(data[0])["result"]["resultType"] == "complete"


# Legacy era

def test_session_lifecycle(gateway):
    r = initialize(gateway, "2025-06-18")
    assert r.status_code == 200
    session = r.headers["Mcp-Session-Id"]
    assert r.json()["result"]["protocolVersion"] == "2025-06-18"
    assert legacy_post(gateway, session, "notifications/initialized", id=None).status_code == 202
    r = legacy_post(gateway, session, "ping")
    assert r.status_code == 200 and r.json()["result"] == {}
    r = legacy_post(gateway, session, "tools/list")
    assert "resultType" not in r.json()["result"] and len(r.json()["result"]["tools"]) == 4
    # Claude quirks: Accept */* and a disagreeing (known) version header still work.
    r = legacy_post(gateway, session, "tools/list", headers={"Accept": "*/*", "MCP-Protocol-Version": MODERN})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    # An unknown version header is refused.
    assert legacy_post(gateway, session, "ping", headers={"MCP-Protocol-Version": "banana"}).status_code == 400
    # Ending the session makes it unknown.
    assert requests.delete(gateway.mcp, headers={"Mcp-Session-Id": session}).status_code == 200
    r = legacy_post(gateway, session, "ping")
    assert r.status_code == 404
    assert requests.delete(gateway.mcp, headers={"Mcp-Session-Id": session}).status_code == 404


def test_version_negotiation(gateway):
    for version in ["2025-11-25", "2025-06-18", "2025-03-26"]:
        assert initialize(gateway, version).json()["result"]["protocolVersion"] == version
    assert initialize(gateway, "2024-01-01").json()["result"]["protocolVersion"] == "2025-11-25"


def test_missing_and_forged_sessions(gateway):
    r = requests.post(gateway.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                      headers={"Accept": JSON_ACCEPT})
    assert r.status_code == 400
    session = initialize(gateway).headers["Mcp-Session-Id"]
    forged = session[:-2] + ("AA" if not session.endswith("AA") else "BB")
    assert legacy_post(gateway, forged, "ping").status_code == 404
    assert legacy_post(gateway, "garbage", "ping").status_code == 404
    assert requests.get(gateway.mcp, headers={"Mcp-Session-Id": "garbage"}).status_code == 404
    # A valid session's GET opens its notification stream.
    with requests.get(gateway.mcp, headers={"Mcp-Session-Id": session, "Accept": "text/event-stream"},
                      stream=True, timeout=5) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert next(stream.iter_lines()).startswith(b":")


def test_discover_on_a_legacy_session(gateway):
    session = initialize(gateway).headers["Mcp-Session-Id"]
    r = legacy_post(gateway, session, "server/discover")
    assert r.status_code == 200 and r.json()["result"]["supportedVersions"] == [MODERN]


# Both eras

def test_origin_validation(gateway):
    r = initialize(gateway, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert initialize(gateway, headers={"Origin": "http://localhost:6274"}).status_code == 200
    r = modern_post(gateway, "tools/list", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert requests.delete(gateway.mcp, headers={"Origin": "https://evil.example"}).status_code == 403


def test_malformed_requests(gateway):
    post = lambda data, **h: requests.post(gateway.mcp, data=data, headers={"Content-Type": "application/json", **h})
    r = post("{not json")
    assert r.status_code == 400 and r.json()["error"]["code"] == -32700
    r = post("[]")
    assert r.status_code == 400 and r.json()["error"]["code"] == -32600
    r = post('{"id":1,"method":"ping"}')
    assert r.json()["error"]["code"] == -32600
    r = requests.post(gateway.mcp, data="{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = requests.post(gateway.mcp, data="{}", headers={"Content-Type": "application/json", "Accept": "text/html"})
    assert r.status_code == 406


def test_body_limit(gateway):
    huge = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x" * (2 << 20)}})
    r = requests.post(gateway.mcp, data=huge, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert requests.get(gateway.url + "/healthz").status_code == 200


def test_status_endpoint(gateway):
    status = requests.get(gateway.url + "/status").json()
    assert status["tools"] == 10
    assert status["connectors"][0]["name"] == "httpbin"
    assert status["problems"] == []
