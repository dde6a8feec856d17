"""Two gatehouse binaries on the same cases, measured in alternation.

For "before and after" questions (did a change slow the hot path?), where
two separate runs of suite.py differ more from machine noise than from the
change. Both binaries serve the same connector folder from the same nginx
upstream; each round measures every case on A, then on B, and the medians
over the rounds are compared.

    python Benchmarks/compare.py --a OLD_BINARY --b NEW_BINARY --rounds 5
"""

import argparse
import json
import os
import pathlib
import statistics
import tempfile

import requests

from suite import (CONNECTOR, ITEM, NGINX, Processes, free_port, make_issuer, modern_headers, tool_call_body,
                   wait_for, wrk)


AUDIENCE = "http://gatehouse.bench/mcp"


def start_side(binary, processes, folder, issuer):
    """A plain gateway, and one checking a JWT on every call."""
    plain, auth = free_port(), free_port()
    for port, extra in [(plain, {}), (auth, {"GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{auth}",
                                              "GATEHOUSE_AUTH_ISSUERS": issuer, "GATEHOUSE_AUTH_SCOPES": "mcp",
                                              "GATEHOUSE_AUTH_AUDIENCES": AUDIENCE})]:
        env = dict(os.environ, GATEHOUSE_PORT=str(port), GATEHOUSE_CONNECTORS=str(folder), GATEHOUSE_LOG_LEVEL="error", **extra)
        processes.start([binary, "serve"], env=env)
        wait_for(f"http://127.0.0.1:{port}/healthz")
    init = requests.post(f"http://127.0.0.1:{plain}/mcp", json={
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "wrk", "version": "1"}}})
    return plain, auth, init.headers["Mcp-Session-Id"]


def cases(plain, auth, session, token):
    legacy = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_item", "arguments": {}}}).encode()
    return {
        "2026-07-28": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=tool_call_body("get_item"),
                           headers=modern_headers("get_item")),
        "legacy": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=legacy,
                       headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                                "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}),
        "with auth": dict(url=f"http://127.0.0.1:{auth}/mcp", method="POST", body=tool_call_body("get_item"),
                          headers=modern_headers("get_item", token)),
        "64 KiB": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=tool_call_body("get_big"),
                       headers=modern_headers("get_big")),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="the binary before the change")
    parser.add_argument("--b", required=True, help="the binary after the change")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3)
    parser.add_argument("--connections", default="1,64")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    processes = Processes()
    with tempfile.TemporaryDirectory() as directory:
        work = pathlib.Path(directory)
        work.chmod(0o755)  # nginx's worker reads the documents as another user
        try:
            upstream, proxy = free_port(), free_port()
            (work / "item.json").write_bytes(ITEM)
            big = json.dumps({"items": [{"id": i, "name": f"item {i}", "note": "x" * 200} for i in range(260)]})[:65536 - 2]
            (work / "big.json").write_text(json.dumps({"blob": big}))
            issuer = f"http://127.0.0.1:{upstream}"
            (work / "nginx.conf").write_text(NGINX.format(dir=work, upstream=upstream, proxy=proxy))
            processes.start(["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
            wait_for(f"http://127.0.0.1:{upstream}/item")
            folder = work / "connectors.d"
            folder.mkdir()
            (folder / "bench.yaml").write_text(CONNECTOR.format(base=f"http://127.0.0.1:{upstream}"))
            # One key and one token, accepted by both sides' audience setting.
            token = make_issuer(work, issuer, AUDIENCE)
            sides = {}
            for label, binary in [("A", args.a), ("B", args.b)]:
                plain, auth, session = start_side(binary, processes, folder, issuer)
                sides[label] = cases(plain, auth, session, token)
                if args.cases:
                    sides[label] = {name: case for name, case in sides[label].items() if name in args.cases.split(",")}
            for label, side in sides.items():
                for name, case in side.items():
                    answer = requests.post(case["url"], data=case["body"], headers=case["headers"], timeout=10)
                    if answer.status_code != 200 or '"isError":true' in answer.text:
                        raise RuntimeError(f"{label} {name} does not work: {answer.status_code} {answer.text[:300]}")
            results = {}
            for _ in range(args.rounds):
                for name in sides["A"]:
                    for count in connections:
                        for label in ("A", "B"):
                            case = sides[label][name]
                            result = wrk(case["url"], count, args.duration, case.get("method", "GET"), case.get("body"),
                                         case.get("headers"), workdir=work)
                            if result["non2xx"] or result["errors"]:
                                raise RuntimeError(f"{label} {name} at {count}: {result}")
                            results.setdefault((name, count, label), []).append(result)
            print(f"| case | connections | A req/s | B req/s | B/A | A p50 | B p50 |")
            print("|---|---|---|---|---|---|---|")
            for name in sides["A"]:
                for count in connections:
                    a = results[(name, count, "A")]
                    b = results[(name, count, "B")]
                    a_rps = statistics.median(r["rps"] for r in a)
                    b_rps = statistics.median(r["rps"] for r in b)
                    a_p50 = statistics.median(r["p50"] for r in a)
                    b_p50 = statistics.median(r["p50"] for r in b)
                    print(f"| {name} | {count} | {a_rps:,.0f} | {b_rps:,.0f} | {b_rps / a_rps:.2f}× | {a_p50:.0f} µs | {b_p50:.0f} µs |")
        finally:
            processes.stop_all()


if __name__ == "__main__":
    main()
