#!/usr/bin/env bash
# The benchmark suite, from a fresh clone: release build, nginx and wrk from
# Debian, the FastMCP peer from PyPI (pinned), everything on 127.0.0.1.
# Writes its tables into BENCHMARKS.md. Extra arguments go to suite.py
# (for example --duration 5 --connections 1,16,64).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null 2>&1 || ! command -v wrk >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
fi

venv=.venv
if [ ! -x "$venv/bin/python" ] || ! cmp -s Tests/e2e/requirements.txt "$venv/.requirements"; then
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/e2e/requirements.txt
    cp Tests/e2e/requirements.txt "$venv/.requirements"
fi
peer=.venv-peer
if [ ! -x "$peer/bin/python" ] || ! cmp -s Benchmarks/peer/requirements.txt "$peer/.requirements"; then
    rm -rf "$peer" && python3 -m venv "$peer"
    "$peer/bin/pip" install -q --disable-pip-version-check -r Benchmarks/peer/requirements.txt
    cp Benchmarks/peer/requirements.txt "$peer/.requirements"
fi

swift build -c release --product gatehouse >&2
swift build -c release --product gatehouse-bench >&2
swift build -c release --product gatehouse-floor >&2

echo "== micro-benchmarks" >&2
micro=$(./.build/release/gatehouse-bench 2>/dev/null)
echo "$micro"
"$venv/bin/python" - "$micro" <<'PY'
import pathlib, re, sys
path = pathlib.Path("BENCHMARKS.md")
text = path.read_text()
begin, end = "<!-- micro:begin -->", "<!-- micro:end -->"
section = f"{begin}\n{sys.argv[1]}\n{end}"
path.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S))
PY

echo "== token endpoint over HTTP" >&2
"$venv/bin/python" Benchmarks/token_endpoint.py --gatehouse "$PWD/.build/release/gatehouse" --write BENCHMARKS.md

echo "== OpenTelemetry export cost" >&2
"$venv/bin/python" Benchmarks/telemetry_cost.py --gatehouse "$PWD/.build/release/gatehouse" --write BENCHMARKS.md

echo "== end-to-end suite" >&2
"$venv/bin/python" Benchmarks/suite.py --gatehouse "$PWD/.build/release/gatehouse" \
    --floor "$PWD/.build/release/gatehouse-floor" \
    --peer-python "$PWD/$peer/bin/python" --write BENCHMARKS.md "$@"
