#!/usr/bin/env python3
"""Times `gatehouse import-openapi` on Stripe's 3.5 MB document (the
fixture in Tests/e2e/fixtures/openapi), whole and with a filter that keeps
one operation: median wall time and peak memory of the process, as a
Markdown table for BENCHMARKS.md.

    python3 Benchmarks/import_openapi.py --gatehouse .build/release/gatehouse [--runs 5]
"""

import argparse
import gzip
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
STRIPE = ROOT / "Tests" / "e2e" / "fixtures" / "openapi" / "stripe-spec3-2021-06.json.gz"


def run_once(binary: str, document: pathlib.Path, output: pathlib.Path, extra: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of one import."""
    # The warnings go to a file: a pipe nobody reads while waiting would
    # fill up and stop the import.
    with tempfile.TemporaryFile() as warnings:
        started = time.perf_counter()
        process = subprocess.Popen([binary, "import-openapi", str(document), "-o", str(output), *extra],
                                   stdout=subprocess.DEVNULL, stderr=warnings)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if status != 0:
            warnings.seek(0)
            sys.exit(f"import failed ({status}): {warnings.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gatehouse", required=True)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        document = pathlib.Path(work) / "stripe-spec3.json"
        document.write_bytes(gzip.decompress(STRIPE.read_bytes()))
        size = document.stat().st_size / 1_048_576
        print("| case | runs | median time | peak memory |")
        print("|---|---|---|---|")
        for name, extra in [(f"Stripe, {size:.1f} MB, every operation", []),
                            ("Stripe, one operation kept by --include", ["--include", "op:GetAccount"])]:
            results = [run_once(arguments.gatehouse, document, pathlib.Path(work) / "out.yaml", extra)
                       for _ in range(arguments.runs)]
            seconds = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results) / 1_048_576
            print(f"| {name} | {arguments.runs} | {seconds:.2f} s | {peak:.0f} MB |")


if __name__ == "__main__":
    main()
