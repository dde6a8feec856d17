"""Two gatehouse binaries on the same cases, measured in alternation.

For "before and after" questions (did a change slow the hot path?), where
two separate runs of suite.py differ more from machine noise than from the
change. Both binaries serve the same connector folder from the same nginx
upstream; each round measures every case on A, then on B, and the medians
over the rounds are compared.

    python Benchmarks/compare.py --a OLD_BINARY --b NEW_BINARY --rounds 5
"""

import argparse
import pathlib
import statistics
import tempfile

import requests

from suite import (Processes, connector_folder, free_port, gatehouse_cases, legacy_session, make_issuer, start_gatehouse,
                   start_upstream, wrk)

# One token for both sides: each accepts this audience.
AUDIENCE = "http://gatehouse.bench/mcp"


def start_side(binary, processes, folder, issuer, token):
    """A plain gateway and one checking a JWT on every call; their cases,
    named as in suite.py without its "gatehouse " prefix."""
    plain, auth = free_port(), free_port()
    start_gatehouse(binary, processes, plain, folder)
    start_gatehouse(binary, processes, auth, folder, {
        "GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{auth}", "GATEHOUSE_AUTH_ISSUERS": issuer,
        "GATEHOUSE_AUTH_SCOPES": "mcp", "GATEHOUSE_AUTH_AUDIENCES": AUDIENCE})
    cases = gatehouse_cases(plain, auth, legacy_session(plain), token)
    return {name.removeprefix("gatehouse "): case for name, case in cases.items()}


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
            upstream, _ = start_upstream(work, processes)
            issuer = f"http://127.0.0.1:{upstream}"
            token = make_issuer(work, issuer, AUDIENCE)
            folder = connector_folder(work, upstream)
            sides = {}
            for label, binary in [("A", args.a), ("B", args.b)]:
                sides[label] = start_side(binary, processes, folder, issuer, token)
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
                            result = wrk(case["url"], count, args.duration, case["method"], case["body"], case["headers"],
                                         workdir=work)
                            if result["non2xx"] or result["errors"]:
                                raise RuntimeError(f"{label} {name} at {count}: {result}")
                            results.setdefault((name, count, label), []).append(result)
            print("| case | connections | A req/s | B req/s | B/A | A p50 | B p50 |")
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
