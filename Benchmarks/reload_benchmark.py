"""Hot-reload benchmark: how fast a file change becomes visible, how much work
a reload of 1,000 tools over 50 files is, and whether tool-call latency
suffers while reloads happen.

Run through Benchmarks/run-reload.sh (release build, pinned venv). All
servers listen on 127.0.0.1; every loop is bounded in requests and time.
Prints a Markdown section and writes it to stdout for BENCHMARKS.md.
"""

import argparse
import os
import pathlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "e2e"))
from support.gateway import free_port, wait_for  # noqa: E402

MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def connector_file(index: int, tools: int, upstream: str, marker: str = "") -> str:
    lines = [f"connector: bench{index:02d}", f"base_url: {upstream}", "timeout: 5s", "tools:"]
    for t in range(tools):
        lines += [
            f"  - name: bench{index:02d}_tool{t:02d}",
            f"    description: Benchmark tool {t} of connector {index}{marker}.",
            "    path: /anything/{id}",
            "    parameters:",
            "      id: { type: string, description: An identifier }",
            "      limit: { type: integer, minimum: 1, maximum: 100, default: 10 }",
            "      tags: { type: array, items: { type: string } }",
            "    response:",
            "      fields: [url, args]",
        ]
    return "\n".join(lines) + "\n"


class Upstream:
    """A tiny fast HTTP upstream (stdlib, threaded) answering a fixed JSON."""

    def __init__(self):
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One write per response and no Nagle: otherwise delayed ACKs
            # add 40 ms to every call and measure the upstream, not us.
            wbufsize = -1
            disable_nagle_algorithm = True
            body = b'{"url":"http://upstream/anything","args":{}}'

            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(self.body)))
                self.end_headers()
                self.wfile.write(self.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def tools_list_names(session, url):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}}
    r = session.post(url, json=body, headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"}, timeout=10)
    return {t["name"] for t in r.json()["result"]["tools"]}


def call(session, url, name):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "arguments": {"id": "x1"}, "_meta": META}}
    started = time.perf_counter()
    r = session.post(url, json=body, headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name},
                     timeout=10)
    elapsed = time.perf_counter() - started
    ok = r.status_code == 200 and not r.json()["result"].get("isError")
    return elapsed, ok


def load(url, name, seconds, threads, results, failures, stop):
    def worker():
        session = requests.Session()
        deadline = time.time() + seconds
        count = 0
        while time.time() < deadline and not stop.is_set() and count < 20000:
            elapsed, ok = call(session, url, name)
            results.append(elapsed)
            if not ok:
                failures.append(1)
            count += 1

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    return workers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--tools-per-file", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--load-seconds", type=float, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    upstream = Upstream()
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-reload-bench-"))
    folder = root / "connectors.d"
    folder.mkdir()
    for i in range(args.files):
        (folder / f"c{i:02d}.yaml").write_text(connector_file(i, args.tools_per_file, upstream.url))
    total_tools = args.files * args.tools_per_file

    port = free_port()
    log_path = root / "gatehouse.log"
    env = dict(os.environ, GATEHOUSE_PORT=str(port), GATEHOUSE_CONNECTORS=str(folder), GATEHOUSE_LOG_LEVEL="info",
               GATEHOUSE_PAGE_SIZE="10000", GATEHOUSE_WATCH="inotify")
    process = subprocess.Popen([args.binary, "serve"], env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    url = base + "/mcp"
    try:
        wait_for(base + "/healthz")
        session = requests.Session()
        assert len(tools_list_names(session, url)) == total_tools

        # 1. Write to visible: a new tool in a new file, polled through tools/list.
        visible = []
        for n in range(args.iterations):
            name = f"fresh{n:03d}"
            path = folder / f"zz{n:03d}.yaml"
            text = (f"connector: fresh{n:03d}\nbase_url: {upstream.url}\ntools:\n"
                    f"  - name: {name}\n    description: Fresh tool.\n    path: /get\n")
            started = time.perf_counter()
            path.write_text(text)
            while name not in tools_list_names(session, url):
                if time.perf_counter() - started > 5:
                    raise RuntimeError(f"{name} not visible after 5 s")
                time.sleep(0.002)
            visible.append(time.perf_counter() - started)
            path.unlink()
            time.sleep(0.15)

        # 2. Reload work for the full folder, as logged by the server (SIGHUP-driven).
        def logged_durations():
            text = log_path.read_text()
            return [float(m) for m in re.findall(r"duration_ms=([0-9.]+)[^\n]*reason=SIGHUP tools=" + str(total_tools), text)]

        before = len(logged_durations())
        for n in range(args.iterations):
            process.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while len(logged_durations()) < before + n + 1 and time.time() < deadline:
                time.sleep(0.01)
        reload_ms = logged_durations()[before:]

        # 3. Tool-call latency without and with reloads.
        name = "bench00_tool00"
        quiet, quiet_failures = [], []
        for w in load(url, name, args.load_seconds, args.threads, quiet, quiet_failures, threading.Event()):
            w.join()
        busy, busy_failures = [], []
        stop = threading.Event()
        workers = load(url, name, args.load_seconds, args.threads, busy, busy_failures, stop)
        rewrites = 0
        deadline = time.time() + args.load_seconds
        while time.time() < deadline:
            target = folder / f"c{rewrites % args.files:02d}.yaml"
            target.write_text(connector_file(rewrites % args.files, args.tools_per_file, upstream.url, marker=f" r{rewrites}"))
            rewrites += 1
            time.sleep(0.1)
        for w in workers:
            w.join()
        # The worst case: full rereads of all 1,000 tools (SIGHUP) back to back.
        full, full_failures = [], []
        workers = load(url, name, args.load_seconds, args.threads, full, full_failures, threading.Event())
        hangups = 0
        deadline = time.time() + args.load_seconds
        while time.time() < deadline:
            process.send_signal(signal.SIGHUP)
            hangups += 1
            time.sleep(0.3)
        for w in workers:
            w.join()
        reloads_during_load = requests.get(base + "/status").json()["reloads"]

        ms = lambda seconds: seconds * 1000  # noqa: E731
        rows = [
            ("tools loaded", f"{total_tools} in {args.files} files"),
            ("write → visible in tools/list, p50", f"{ms(statistics.median(visible)):.1f} ms"),
            ("write → visible in tools/list, p90 / max", f"{ms(percentile(visible, 90)):.1f} / {ms(max(visible)):.1f} ms"),
            ("reload work (decode + build + swap), p50", f"{statistics.median(reload_ms):.1f} ms"),
            ("reload work, max", f"{max(reload_ms):.1f} ms"),
            ("tools/call p50 / p99, no reloads", f"{ms(statistics.median(quiet)):.2f} / {ms(percentile(quiet, 99)):.2f} ms"),
            ("tools/call p50 / p99, one rewrite every 100 ms",
             f"{ms(statistics.median(busy)):.2f} / {ms(percentile(busy, 99)):.2f} ms"),
            ("p99 ratio, during reloads / quiet", f"{percentile(busy, 99) / percentile(quiet, 99):.2f}×"),
            ("tools/call p50 / p99, full reload (SIGHUP) every 300 ms",
             f"{ms(statistics.median(full)):.2f} / {ms(percentile(full, 99)):.2f} ms"),
            ("p99 ratio, during full reloads / quiet", f"{percentile(full, 99) / percentile(quiet, 99):.2f}×"),
            ("calls (quiet / rewrites / full reloads), failed",
             f"{len(quiet)} / {len(busy)} / {len(full)}, {len(quiet_failures) + len(busy_failures) + len(full_failures)}"),
            ("rewrites / SIGHUPs during load", f"{rewrites} / {hangups}"),
        ]
        print("| measure | value |")
        print("|---|---|")
        for key, value in rows:
            print(f"| {key} | {value} |")
        print()
        print(f"Reloads counted by the server: {reloads_during_load}.")
        assert not quiet_failures and not busy_failures and not full_failures, "calls failed"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)


if __name__ == "__main__":
    main()
