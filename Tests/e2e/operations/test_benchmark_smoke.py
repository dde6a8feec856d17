"""The micro-benchmark harness runs (a few iterations): it cannot rot.
Timings are not checked here; BENCHMARKS.md has the measured figures."""

import pathlib
import subprocess

from support.paths import BIN, ROOT


def test_micro_benchmarks_complete():
    bench = pathlib.Path(BIN).parent / "gatehouse-bench"
    result = subprocess.run([str(bench), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "operation" not in line]
    assert len(rows) == 34
    assert any("exported: server span, upstream span" in row for row in rows)
    assert any("answer's text escaped into a JSON-RPC result" in row for row in rows)
    assert any("1 MiB answer cut at 20 KiB with a link to the rest" in row for row in rows)
    assert any("memory: one three-page gather" in row and "MiB peak growth" in row for row in rows)
    assert any("token check, cached" in row for row in rows)
    assert any("per-user exchanged token from the cache" in row for row in rows)


def test_benchmark_suite_completes(tmp_path):
    """Every case of Benchmarks/suite.py runs for a second without errors."""
    import os
    import sys

    root = ROOT
    command = [sys.executable, str(root / "Benchmarks" / "suite.py"), "--gatehouse", str(BIN), "--smoke",
               "--floor", str(pathlib.Path(BIN).parent / "gatehouse-floor")]
    peer = os.environ.get("GATEHOUSE_PEER_PYTHON")
    if peer:
        command += ["--peer-python", peer]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for case in ["direct", "nginx proxy", "gatehouse 2026-07-28", "gatehouse legacy", "gatehouse with auth",
                 "framework floor", "framework floor, NIO executor", "event-loop floor", "nginx proxy 64 KiB", "gatehouse 64 KiB",
                 "gatehouse 64 KiB shaped to 2 KiB"]:
        assert f"| {case} |" in result.stdout
    assert "A 1 MiB answer passed on whole: peak resident growth" in result.stdout
    if peer:
        assert "| peer (FastMCP) |" in result.stdout


def test_benchmark_suite_times_only_the_cases_asked_for():
    """--cases keeps the named cases and the baselines of their ratios,
    and skips the memory and start-up measurements."""
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "Benchmarks" / "suite.py"), "--gatehouse", str(BIN), "--smoke",
                             "--cases", "shaped"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for case in ["direct", "nginx proxy", "nginx proxy 64 KiB", "gatehouse 2026-07-28", "gatehouse 64 KiB shaped to 2 KiB"]:
        assert f"| {case} |" in result.stdout
    for case in ["gatehouse legacy", "gatehouse with auth", "gatehouse 64 KiB |"]:
        assert f"| {case}" not in result.stdout
    assert "Resident memory" not in result.stdout


def test_token_endpoint_benchmark_completes():
    """Benchmarks/token_endpoint.py exchanges codes and rotates refresh
    tokens over HTTP on the built-in authorization server, then the gateway
    stops cleanly on SIGTERM."""
    import sys

    root = ROOT
    result = subprocess.run([sys.executable, str(root / "Benchmarks" / "token_endpoint.py"), "--gatehouse", str(BIN), "--smoke"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| /token code exchange | 20 |" in result.stdout
    assert "| /token refresh rotation | 20 |" in result.stdout


def test_before_and_after_comparison_completes():
    """Benchmarks/compare.py measures two binaries in alternation; here the
    same binary twice, every case once, for a second."""
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "Benchmarks" / "compare.py"), "--a", str(BIN), "--b", str(BIN),
                             "--rounds", "1", "--duration", "1", "--connections", "1"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT / "Benchmarks")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for case in ["2026-07-28", "legacy", "with auth", "64 KiB"]:
        assert f"| {case} | 1 |" in result.stdout


def test_import_benchmark_completes():
    """Benchmarks/import_openapi.py imports Stripe's document whole and
    filtered, and the six other public documents, once each."""
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "Benchmarks" / "import_openapi.py"), "--gatehouse", str(BIN), "--runs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| Stripe, 3.4 MB, every operation | 1 |" in result.stdout
    assert "| Stripe, one operation kept by --include | 1 |" in result.stdout
    for case in ["GitHub (2020), 2.9 MB", "Box, 1.7 MB", "Twilio 2010 API, 1.8 MB", "Asana, 2.9 MB", "OpenAI, 2.8 MB",
                 "DigitalOcean, "]:
        assert f"| {case}" in result.stdout, result.stdout


def test_telemetry_cost_benchmark_completes():
    """Benchmarks/telemetry_cost.py runs every export configuration for a
    second, and the exporting gateways really send to the stand-in collector
    (the script fails when nothing arrived)."""
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "Benchmarks" / "telemetry_cost.py"), "--gatehouse", str(BIN),
                             "--rounds", "1", "--duration", "1", "--connections", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for configuration in ["export off", "traces and metrics", "metrics only", "traces 10% and metrics"]:
        assert f"| {configuration} |" in result.stdout
