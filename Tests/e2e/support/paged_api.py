"""A small paged API: 25 items, served by cursor, page number, offset or
RFC 8288 Link headers, the way real APIs page their lists.

    api = PagedAPI().start()
    api.url, api.requests
"""

import http.server
import json
import threading
import urllib.parse

from support.loopback import LoopbackServer, answer

ITEMS = [{"id": n, "title": f"Item {n}", "kind": "even" if n % 2 == 0 else "odd"} for n in range(1, 26)]

# A long answer (about 30 KB) with characters of every UTF-8 length, for
# the answers cut at max_bytes and read on in parts.
REPORT = {"rows": [{"n": n, "note": f"Zeile {n}: größer ≥ 😀 " + "x" * 60} for n in range(1, 301)]}


class PagedAPI(LoopbackServer):
    def __init__(self):
        self.requests: list[str] = []
        self.lock = threading.Lock()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                parts = urllib.parse.urlsplit(handler.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                with api.lock:
                    api.requests.append(handler.path)
                size = int(query.get("limit", "10"))
                extra = {}
                if parts.path == "/cursor":
                    start = int(query.get("after", "0"))
                    page = ITEMS[start:start + size]
                    more = start + size < len(ITEMS)
                    body = {"data": page, "meta": {"next": str(start + size) if more else None}}
                elif parts.path == "/pages":
                    number = int(query.get("page", "1"))
                    body = {"results": ITEMS[(number - 1) * size:number * size]}
                elif parts.path == "/offset":
                    offset = int(query.get("offset", "0"))
                    body = {"events": ITEMS[offset:offset + size]}
                elif parts.path == "/report":
                    body = REPORT
                elif parts.path == "/linked":
                    number = int(query.get("page", "1"))
                    body = ITEMS[(number - 1) * size:number * size]
                    if number * size < len(ITEMS):
                        extra["Link"] = f'<{api.url}/linked?page={number + 1}>; rel="next"'
                else:
                    answer(handler, 404, "application/json", b'{"error":"not found"}')
                    return
                answer(handler, 200, "application/json", json.dumps(body).encode(), **extra)

            def do_POST(handler):
                # Each run is a new event on the API's side: counted, and
                # never to be repeated to read its answer again.
                length = int(handler.headers.get("Content-Length", "0"))
                handler.rfile.read(length)
                with api.lock:
                    api.requests.append("POST " + handler.path)
                if handler.path != "/runs":
                    answer(handler, 404, "application/json", b'{"error":"not found"}')
                    return
                answer(handler, 200, "application/json", json.dumps(REPORT).encode())

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def seen(self) -> list[str]:
        with self.lock:
            return list(self.requests)
