"""Small HTTP servers the tests run on 127.0.0.1 (a redirect listener, a
metadata document server, a recording API, a token endpoint): started on a
thread, stopped at the end, answering with a helper that sets the length."""

import http.server
import threading


def answer(handler, status: int, content_type: str, body: bytes, **headers: str) -> None:
    """One complete answer from a BaseHTTPRequestHandler."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class LoopbackServer(http.server.ThreadingHTTPServer):
    """A threading server whose `start` returns it, for one-line set-ups."""
    daemon_threads = True

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
