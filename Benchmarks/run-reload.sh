#!/usr/bin/env bash
# Hot-reload benchmark: release build, 1,000 tools in 50 files, all on
# 127.0.0.1. Prints a Markdown table (the figures in BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ] || ! cmp -s Tests/e2e/requirements.txt "$venv/.requirements"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/e2e/requirements.txt
    cp Tests/e2e/requirements.txt "$venv/.requirements"
fi
swift build -c release --product gatehouse >&2
"$venv/bin/python" Benchmarks/reload_benchmark.py --binary "$PWD/.build/release/gatehouse" "$@"
