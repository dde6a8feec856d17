#!/usr/bin/env python3
"""A tiny REST upstream for the rootfs test, standard library only.

GET /items/<id> answers {"id": ..., "name": ..., "authorization_sha256": ...}
with a digest of the Authorization header it received, so the test can see
that the connector's secret file was read inside the container (the header
itself would come back redacted). Listens on 127.0.0.1, on a free
port written to --port-file once it accepts connections."""

import argparse
import hashlib
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "items":
            status, body = 200, {"id": parts[1], "name": "item " + parts[1],
                                 "authorization_sha256": hashlib.sha256(
                                     self.headers.get("Authorization", "").encode()).hexdigest()}
        else:
            status, body = 404, {"error": "no such path"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as file:
        file.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
