"""An HTTP upstream on 127.0.0.1 that misbehaves on purpose, written on raw
sockets so every byte and every pause is under the test's control, and so it
can tell when the gateway dropped a connection.

Paths:
  /fast          200 with a small JSON body
  /stall         headers announcing 100 bytes, 5 of them, then silence
  /drip          100 bytes, one per second
  /hang          reads the request and never answers
  /echo-secrets  a 401 whose body quotes every request header
"""

import json
import socket
import threading
import time


class MisbehavingUpstream:
    def __init__(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(128)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        # path -> list of {"opened": t, "closed": t or None}
        self.connections = {}
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.running = False
        self.server.close()

    def opened(self, path):
        with self.lock:
            return len(self.connections.get(path, []))

    def closed_after(self, path):
        """Seconds each connection for `path` stayed open, None while open."""
        with self.lock:
            return [None if c["closed"] is None else c["closed"] - c["opened"]
                    for c in self.connections.get(path, [])]

    def wait_closed(self, path, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            spans = self.closed_after(path)
            if spans and all(s is not None for s in spans):
                return spans
            time.sleep(0.05)
        return self.closed_after(path)

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            request_line, *header_lines = head.split("\r\n")
            path = request_line.split(" ")[1].split("?")[0]
            record = {"opened": time.monotonic(), "closed": None}
            with self.lock:
                self.connections.setdefault(path, []).append(record)
            try:
                self._answer(connection, path, header_lines)
            finally:
                record["closed"] = time.monotonic()

    @staticmethod
    def _wait_for_peer_close(connection, seconds):
        """Sleeps up to `seconds`, returning early when the peer closes."""
        connection.settimeout(0.05)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if connection.recv(1) == b"":
                    return True
            except socket.timeout:
                continue
            except OSError:
                return True
        return False

    def _answer(self, connection, path, header_lines):
        if path == "/fast":
            body = b'{"ok": true}'
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            self._wait_for_peer_close(connection, 30)
        elif path == "/stall":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 100\r\n\r\n" + b'{"a":')
            self._wait_for_peer_close(connection, 60)
        elif path == "/drip":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                if self._wait_for_peer_close(connection, 1):
                    return
        elif path == "/hang":
            self._wait_for_peer_close(connection, 60)
        elif path == "/echo-secrets":
            body = json.dumps({"error": "unauthorized", "you_sent": header_lines,
                               "hint": "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.someone-elses-token"}).encode()
            connection.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                               + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        else:
            connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
