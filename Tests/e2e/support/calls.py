"""Raw stateless-era (2026-07-28) JSON-RPC requests over plain HTTP, for tests
that need to see status codes, headers and bodies exactly as sent rather than
through the SDK."""

import json

import requests

MODERN = "2026-07-28"


def tool_call_body(name: str, arguments: dict = None, request_id: int = 1) -> dict:
    """A tools/call request with the `_meta` every stateless request carries."""
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": name, "arguments": arguments or {},
                       "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                                 "io.modelcontextprotocol/clientCapabilities": {}}}}


def post_tool_call(mcp_url: str, name: str, arguments: dict = None, headers: dict = None, timeout: float = 30,
                   accept: str = "application/json, text/event-stream") -> requests.Response:
    """POSTs a tools/call with the headers the stateless era requires (plus
    `headers`, which win) and returns the raw response."""
    sent = {"Content-Type": "application/json", "Accept": accept,
            "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name, **(headers or {})}
    return requests.post(mcp_url, data=json.dumps(tool_call_body(name, arguments)), headers=sent, timeout=timeout)
