"""An upstream that records every request exactly as it arrived (method,
path, query, headers, raw body) and answers a fixed JSON document: the
upstream of the import tests, which check that a generated tool sends
exactly what the API expects.

    recorder = RequestRecorder().start()
    result, sent = call_recorded(gateway, recorder, "tool_name", {"a": 1})
"""

import asyncio
import http.server
import json
import threading
import urllib.parse

from support.clients import modern_client
from support.loopback import LoopbackServer, answer


class RequestRecorder(LoopbackServer):
    def __init__(self, reply=None):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        body = json.dumps(reply if reply is not None else {"id": "1"}).encode()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def respond(handler):
                parts = urllib.parse.urlsplit(handler.path)
                length = int(handler.headers.get("Content-Length") or 0)
                raw = handler.rfile.read(length) if length else b""
                with recorder.lock:
                    recorder.requests.append({
                        "method": handler.command, "path": parts.path,
                        "query": urllib.parse.parse_qs(parts.query, keep_blank_values=True),
                        "headers": dict(handler.headers), "content_type": handler.headers.get("Content-Type"), "raw": raw,
                    })
                answer(handler, 200, "application/json", body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = respond

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def seen(self) -> list[dict]:
        with self.lock:
            return list(self.requests)


def call_recorded(gateway, recorder: RequestRecorder, name: str, arguments: dict):
    """Calls one tool through the gateway (2026-07-28 era); its result and
    the requests the recorder received meanwhile."""
    async def go():
        async with modern_client(gateway.mcp) as client:
            before = len(recorder.seen())
            result = await client.call_tool(name, arguments)
            return result, recorder.seen()[before:]
    return asyncio.run(go())
