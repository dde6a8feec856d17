"""The micro-benchmark harness runs (a few iterations): it cannot rot.
Timings are not checked here; BENCHMARKS.md has the measured figures."""

import pathlib
import subprocess

from conftest import BIN


def test_micro_benchmarks_complete():
    bench = pathlib.Path(BIN).parent / "gatehouse-bench"
    result = subprocess.run([str(bench), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "operation" not in line]
    assert len(rows) == 11
    assert any("token check, cached" in row for row in rows)
