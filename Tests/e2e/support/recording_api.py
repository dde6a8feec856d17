"""An API that records what it received and answers as whom it was called:
the upstream of the per-user credential tests. It never echoes a credential
(the gateway would redact it anyway); it says which user the credential
stands for, through `identify`, so a tool result shows who was served.

    api = RecordingAPI(identify=lambda path, headers, query: "alice").start()
    api.url, api.requests, api.refuse(token)
"""

import http.server
import json
import threading
import urllib.parse

from support.loopback import LoopbackServer, answer


class RecordingAPI(LoopbackServer):
    def __init__(self, identify):
        self.identify = identify
        self.requests: list[dict] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def respond(handler):
                parts = urllib.parse.urlsplit(handler.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                headers = {name.lower(): value for name, value in handler.headers.items()}
                with api.lock:
                    api.requests.append({"method": handler.command, "path": parts.path, "query": query, "headers": headers})
                credential = headers.get("authorization", "") or headers.get("x-api-key", "") or query.get("key", "")
                if not credential or any(token in credential for token in api.refused):
                    status, body = 401, {"error": "invalid credential", "echo": credential}
                else:
                    who = api.identify(parts.path, headers, query)
                    status, body = (200, {"served": who, "path": parts.path}) if who else (401, {"error": "unknown"})
                answer(handler, status, "application/json", json.dumps(body).encode())

            do_GET = do_POST = respond

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def refuse(self, token: str) -> None:
        """Answers 401 from now on to any credential containing `token`."""
        with self.lock:
            self.refused.add(token)

    def seen(self) -> list[dict]:
        with self.lock:
            return list(self.requests)
