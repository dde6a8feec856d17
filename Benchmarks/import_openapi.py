#!/usr/bin/env python3
"""Times `gatehouse import-openapi` on the public documents kept as
fixtures in Tests/e2e/fixtures/openapi — Stripe's 3.5 MB document whole and
with a filter that keeps one operation, then GitHub, Box, Twilio, Asana,
OpenAI and DigitalOcean (hundreds of files) whole: median wall time and
peak memory of the process, as a Markdown table for BENCHMARKS.md.

    python3 Benchmarks/import_openapi.py --gatehouse .build/release/gatehouse [--runs 5]
"""

import argparse
import gzip
import os
import pathlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "e2e" / "fixtures" / "openapi"
STRIPE = FIXTURES / "stripe-spec3-2021-06.json.gz"
OTHERS = [("GitHub (2020)", "github-2020-08.json.gz"), ("Box", "box-2026-06.json.gz"),
          ("Twilio 2010 API", "twilio-api-v2010-2026-04.json.gz"), ("Asana", "asana-2026-06.yaml.gz"),
          ("OpenAI", "openai-2026-08.yaml.gz")]


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
        work = pathlib.Path(work)
        document = work / "stripe-spec3.json"
        document.write_bytes(gzip.decompress(STRIPE.read_bytes()))
        cases = [(f"Stripe, {megabytes(document):.1f} MB, every operation", document, []),
                 ("Stripe, one operation kept by --include", document, ["--include", "op:GetAccount"])]
        for name, fixture in OTHERS:
            other = work / fixture.removesuffix(".gz")
            other.write_bytes(gzip.decompress((FIXTURES / fixture).read_bytes()))
            cases.append((f"{name}, {megabytes(other):.1f} MB", other, []))
        with tarfile.open(FIXTURES / "digitalocean-2026-08.tar.gz") as archive:
            archive.extractall(work / "digitalocean", filter="data")
        folder = work / "digitalocean" / "specification"
        total = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1_048_576
        files = sum(1 for path in folder.rglob("*") if path.is_file())
        cases.append((f"DigitalOcean, {total:.1f} MB in {files} files", folder / "DigitalOcean-public.v2.yaml", []))
        print("| case | runs | median time | peak memory |")
        print("|---|---|---|---|")
        for name, path, extra in cases:
            results = [run_once(arguments.gatehouse, path, work / "out.yaml", extra) for _ in range(arguments.runs)]
            seconds = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results) / 1_048_576
            print(f"| {name} | {arguments.runs} | {seconds:.2f} s | {peak:.0f} MB |")


def megabytes(path: pathlib.Path) -> float:
    return path.stat().st_size / 1_048_576

if __name__ == "__main__":
    main()
