#!/usr/bin/env python3
"""`POST /token` over HTTP on the built-in authorization server, SQLite store.

Codes are what a person's browser sign-in produces, so to time thousands of
exchanges without thousands of sign-ins the benchmark writes codes straight
into the gateway's SQLite store (hashed, bound to a client, a redirect URI
and a PKCE challenge, exactly as the callback stores them), then exchanges
each over HTTP. Refresh is timed as a chain: each answer's refresh token is
the next request's. One keep-alive connection, one request at a time, so
the figures are latencies, not throughput.

    token_endpoint.py --gatehouse .build/release/gatehouse [--requests 1000] [--write BENCHMARKS.md]
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import pathlib
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

from suite import free_port, wait_for

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "http://127.0.0.1:33418/callback"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gatehouse", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="a few requests: only checks that it completes")
    parser.add_argument("--write", help="Markdown file whose token section is replaced with the results")
    args = parser.parse_args()
    count = 20 if args.smoke else args.requests

    work = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-token-bench-"))
    (work / "connectors.d").mkdir()
    (work / "connectors.d" / "bench.yaml").write_text(
        "connector: bench\nbase_url: http://127.0.0.1:9\ntools:\n  - name: ping\n    description: Ping.\n    path: /ping\n")
    (work / "store-secret").write_text(b64url(secrets.token_bytes(48)))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = work / "auth.sqlite"
    env = dict(os.environ, GATEHOUSE_PORT=str(port), GATEHOUSE_PUBLIC_URL=base, GATEHOUSE_AUTH="builtin",
               GATEHOUSE_CONNECTORS=str(work / "connectors.d"), GATEHOUSE_WATCH="off", GATEHOUSE_LOG_LEVEL="error",
               # Never contacted: /token needs no identity provider.
               GATEHOUSE_AUTH_UPSTREAM_ISSUER="http://127.0.0.1:9/idp", GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID="bench",
               GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET="bench", GATEHOUSE_AUTH_STORE=str(store),
               GATEHOUSE_AUTH_STORE_SECRET_FILE=str(work / "store-secret"))
    # Audit lines go to stdout: discard them, as a log shipper would read them.
    process = subprocess.Popen([args.gatehouse, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/healthz")
        connection = http.client.HTTPConnection("127.0.0.1", port)

        def post(path, body, content_type="application/x-www-form-urlencoded"):
            connection.request("POST", path, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")

        status, registered = post("/register", json.dumps({
            "redirect_uris": [REDIRECT], "client_name": "bench", "token_endpoint_auth_method": "none"}), "application/json")
        assert status == 201, registered
        client_id = registered["client_id"]

        challenge = b64url(hashlib.sha256(VERIFIER.encode()).digest())
        codes = [secrets.token_urlsafe(32) for _ in range(count)]
        database = sqlite3.connect(store, timeout=10)
        expires = int(time.time()) + 3600
        database.executemany(
            "INSERT INTO codes (hash, client_id, redirect_uri, code_challenge, resource, scopes, subject, claims, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sha256_hex(code), client_id, REDIRECT, challenge, base + "/mcp", "mcp", f"user-{index}",
              json.dumps({"email": f"user{index}@example.test"}), expires) for index, code in enumerate(codes)])
        database.commit()
        database.close()

        exchange, refresh = [], []
        refresh_token = None
        for code in codes:
            form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "code_verifier": VERIFIER,
                                           "redirect_uri": REDIRECT, "client_id": client_id, "resource": base + "/mcp"})
            started = time.perf_counter()
            status, answer = post("/token", form)
            exchange.append(time.perf_counter() - started)
            assert status == 200, answer
            refresh_token = refresh_token or answer["refresh_token"]
        for _ in range(count):
            form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})
            started = time.perf_counter()
            status, answer = post("/token", form)
            refresh.append(time.perf_counter() - started)
            assert status == 200, answer
            refresh_token = answer["refresh_token"]
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(15)
    if code != 0:
        raise SystemExit(f"the gateway exited with {code} after SIGTERM")

    def row(name, samples):
        ms = [s * 1000 for s in samples]
        return (f"| {name} | {len(ms)} | {statistics.median(ms):.2f} ms | {percentile(ms, 0.99):.2f} ms | "
                f"{statistics.mean(ms):.2f} ms |")

    table = "\n".join([
        "| request | count | p50 | p99 | mean |",
        "|---|---|---|---|---|",
        row("/token code exchange", exchange),
        row("/token refresh rotation", refresh),
    ])
    print(table)
    if args.write:
        path = pathlib.Path(args.write)
        begin, end = "<!-- token:begin -->", "<!-- token:end -->"
        section = f"{begin}\n{table}\n\n{time.strftime('%Y-%m-%d')}, {count} requests each, one keep-alive connection.\n{end}"
        text = path.read_text()
        path.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S))


if __name__ == "__main__":
    sys.exit(main())
