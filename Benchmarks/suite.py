"""Gatehouse against the physical limit and a peer.

Cases, each at several connection counts, measured with wrk after a warm-up:
  1. direct        - nginx answering a small JSON document;
  2. nginx proxy   - nginx proxy_pass to the same route (one optimised HTTP hop),
                     and to the 64 KiB document the large-answer cases read;
  3. gatehouse     - 2026-07-28 tools/call of a tool mapped onto that route;
  4. legacy        - the same call inside an initialized legacy session;
  5. with auth     - case 3 with a JWT checked on every call;
  6. peer          - the route exposed by FastMCP, run as its docs recommend.
Plus resident memory, cold start and tools/list latency with 1,000 tools.
All servers listen on 127.0.0.1; every loop is bounded in requests and time.
"""

import argparse
import base64
import concurrent.futures
import datetime
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
ITEM = b'{"id":1,"name":"widget","price":9.5,"tags":["a","b"],"stock":{"warehouse":"north","units":42}}'


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=20.0, headers=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1, headers=headers).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up")


class Processes:
    def __init__(self):
        self.items = []

    def start(self, args, **kwargs):
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        self.items.append(process)
        return process

    def stop_all(self):
        for process in reversed(self.items):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.items:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_issuer(folder: pathlib.Path, issuer: str, audience: str) -> str:
    """An RSA key, its JWKS and RFC 8414 metadata as static files, and a token."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig",
           "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
           "e": b64url(numbers.e.to_bytes(3, "big"))}
    (folder / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    (folder / "metadata.json").write_text(json.dumps({"issuer": issuer, "jwks_uri": issuer + "/jwks.json"}))
    claims = {"iss": issuer, "aud": audience, "sub": "bench-user", "scope": "mcp", "exp": int(time.time()) + 7200,
              "iat": int(time.time())}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "bench"})


NGINX = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  upstream origin {{ server 127.0.0.1:{upstream}; keepalive 128; }}
  server {{
    listen 127.0.0.1:{upstream};
    location = /item {{ default_type application/json; alias {dir}/item.json; }}
    location = /big {{ default_type application/json; alias {dir}/big.json; }}
    location = /list {{ default_type application/json; alias {dir}/list.json; }}
    location = /huge {{ default_type application/json; alias {dir}/huge.json; }}
    location = /.well-known/oauth-authorization-server {{ default_type application/json; alias {dir}/metadata.json; }}
    location = /jwks.json {{ default_type application/json; alias {dir}/jwks.json; }}
    # An OTLP/HTTP collector that accepts everything (telemetry_cost.py).
    location /v1/ {{ access_log {dir}/otlp.log; return 204; }}
  }}
  server {{
    listen 127.0.0.1:{proxy};
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""

CONNECTOR = """
connector: bench
description: The benchmark upstream.
base_url: {base}
tools:
  - name: get_item
    description: One item.
    path: /item
  - name: get_big
    description: A 64 KiB document.
    path: /big
    response:
      max_bytes: 200000
  - name: list_shaped
    description: A 64 KiB list shaped to about 2 KiB.
    path: /list
    response:
      select: items
      fields: [id]
      max_bytes: 200000
  - name: get_huge
    description: A 1 MiB document, passed on whole.
    path: /huge
    response:
      max_bytes: 2000000
"""


def connector_file(index: int, tools: int, upstream: str) -> str:
    lines = [f"connector: bulk{index:02d}", f"base_url: {upstream}", "tools:"]
    for t in range(tools):
        lines += [
            f"  - name: bulk{index:02d}_tool{t:02d}",
            f"    description: Bulk tool {t} of connector {index}, for size measurements.",
            "    path: /items/{id}",
            "    parameters:",
            "      id: { type: string, description: An identifier }",
            "      limit: { type: integer, minimum: 1, maximum: 100, default: 10 }",
            "      tags: { type: array, items: { type: string } }",
            "    response:",
            "      fields: [id, name]",
        ]
    return "\n".join(lines) + "\n"


def wrk(url, connections, seconds, method="GET", body=None, headers=None, workdir=None):
    env = dict(os.environ, WRK_METHOD=method, WRK_HEADERS="\n".join(f"{k}: {v}" for k, v in (headers or {}).items()))
    if body is not None:
        path = pathlib.Path(workdir) / f"body-{abs(hash(body))}.json"
        path.write_bytes(body)
        env["WRK_BODY"] = str(path)
    threads = 1 if connections == 1 else 2
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(HERE / "wrk" / "request.lua"), url],
        env=env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"RESULT requests=(\d+) rps=([\d.]+) p50_us=(\d+) p99_us=(\d+) non2xx=(\d+) errors=(\d+)", result.stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {result.stdout}\n{result.stderr}")
    requests_, rps, p50, p99, non2xx, errors = match.groups()
    return {"requests": int(requests_), "rps": float(rps), "p50": int(p50), "p99": int(p99), "non2xx": int(non2xx),
            "errors": int(errors)}


HUGE_BYTES = 1 << 20


def huge_document():
    """A 1 MiB JSON list (as an API's long listing would be), indented."""
    items, size = [], 20
    while True:
        item = {"id": len(items), "name": f"item {len(items)}", "note": "x" * 180, "tags": ["a", "b"], "open": True}
        size += len(json.dumps(item, indent=2)) + 2
        if size > HUGE_BYTES:
            break
        items.append(item)
    text = json.dumps({"items": items}, indent=2)
    return text + " " * (HUGE_BYTES - len(text))


def peak_rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    """Linux resets a process's peak resident size (VmHWM) on "5"."""
    pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tool_call_body(name, id=1):
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                       "params": {"name": name, "arguments": {}, "_meta": META}}).encode()


def modern_headers(name, token=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name}
    if token:
        headers["Authorization"] = "Bearer " + token
    return headers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gatehouse", required=True)
    parser.add_argument("--floor", help="the gatehouse-floor binary; the framework-floor cases are skipped without it")
    parser.add_argument("--peer-python", help="python of the venv with fastmcp; the peer case is skipped without it")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--smoke", action="store_true", help="tiny run: only checks that every case completes")
    parser.add_argument("--write", help="Markdown file whose suite section is replaced with the results")
    parser.add_argument("--cases", help="comma-separated parts of case names: only those cases (and the baselines their "
                                        "ratios need) are timed, and the footprint is not measured; for quick comparisons")
    args = parser.parse_args()
    if args.cases and args.write:
        sys.exit("--cases is for quick comparisons and cannot --write a partial table")
    if args.smoke:
        # Two seconds a cell: on a slow shared machine one stall of a second
        # left a case of the debug build with no finished request.
        args.duration, args.warmup, args.connections = 2, 0, "1,4"
    connections = [int(c) for c in args.connections.split(",")]
    for tool in ["nginx", "wrk"]:
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Benchmarks/run.sh installs it)")

    work = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    processes = Processes()
    try:
        results, extra = run(args, connections, work, processes)
    finally:
        processes.stop_all()
    failures = [f"{case} c={c}: {r}" for (case, c), r in results.items() if r["errors"] or r["non2xx"] or not r["requests"]]
    report = render(args, connections, results, extra)
    print(report)
    if failures:
        sys.exit("failed cases:\n" + "\n".join(failures))
    if args.write:
        path = pathlib.Path(args.write)
        text = path.read_text() if path.exists() else "# Benchmarks\n"
        begin, end = "<!-- suite:begin -->", "<!-- suite:end -->"
        section = f"{begin}\n{report}\n{end}"
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S) if begin in text else text + "\n" + section + "\n"
        path.write_text(text)


def start_upstream(work, processes):
    """nginx serving the small and the 64 KiB document (and the issuer's
    files), and proxying to itself; returns the two ports."""
    upstream, proxy = free_port(), free_port()
    (work / "item.json").write_bytes(ITEM)
    big = json.dumps({"items": [{"id": i, "name": f"item {i}", "note": "x" * 200} for i in range(260)]})[:65536 - 2]
    (work / "big.json").write_text(json.dumps({"blob": big}))
    items, count = [], 0
    while True:
        item = {"id": count, "name": f"item {count}", "note": "x" * 200, "tags": ["a", "b"], "open": True}
        if len(json.dumps({"items": items + [item]})) > 65536:
            break
        items.append(item)
        count += 1
    (work / "list.json").write_text(json.dumps({"items": items}))
    (work / "huge.json").write_text(huge_document())
    (work / "nginx.conf").write_text(NGINX.format(dir=work, upstream=upstream, proxy=proxy))
    processes.start(["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    wait_for(f"http://127.0.0.1:{upstream}/item")
    wait_for(f"http://127.0.0.1:{proxy}/item")
    return upstream, proxy


def connector_folder(work, upstream):
    """The benchmark connector, pointed at the nginx upstream."""
    folder = work / "connectors.d"
    folder.mkdir()
    (folder / "bench.yaml").write_text(CONNECTOR.format(base=f"http://127.0.0.1:{upstream}"))
    return folder


def start_gatehouse(binary, processes, port, connectors, env=None):
    """`gatehouse serve` on `port`, once it answers `/healthz`."""
    environment = dict(os.environ, GATEHOUSE_PORT=str(port), GATEHOUSE_CONNECTORS=str(connectors),
                       GATEHOUSE_LOG_LEVEL="error", **(env or {}))
    process = processes.start([binary, "serve"], env=environment)
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return process


def legacy_session(port):
    """An initialized legacy session on the gateway at `port`."""
    init = requests.post(f"http://127.0.0.1:{port}/mcp", json={
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "wrk", "version": "1"}}})
    return init.headers["Mcp-Session-Id"]


def gatehouse_cases(plain, auth, session, token):
    """The gateway's cases: a plain gateway at `plain` (both eras, small and
    large answers) and one checking `token` on every call at `auth`."""
    legacy_body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                              "params": {"name": "get_item", "arguments": {}}}).encode()
    return {
        "gatehouse 2026-07-28": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=tool_call_body("get_item"),
                                     headers=modern_headers("get_item")),
        "gatehouse legacy": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=legacy_body,
                                 headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                                          "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}),
        "gatehouse with auth": dict(url=f"http://127.0.0.1:{auth}/mcp", method="POST", body=tool_call_body("get_item"),
                                    headers=modern_headers("get_item", token)),
        "gatehouse 64 KiB": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST", body=tool_call_body("get_big"),
                                 headers=modern_headers("get_big")),
        "gatehouse 64 KiB shaped to 2 KiB": dict(url=f"http://127.0.0.1:{plain}/mcp", method="POST",
                                                 body=tool_call_body("list_shaped"), headers=modern_headers("list_shaped")),
    }


def run(args, connections, work, processes):
    upstream, proxy = start_upstream(work, processes)
    issuer = f"http://127.0.0.1:{upstream}"
    auth_port = free_port()
    token = make_issuer(work, issuer, f"http://127.0.0.1:{auth_port}/mcp")
    folder = connector_folder(work, upstream)

    def gatehouse(port, env=None, connectors=folder):
        return start_gatehouse(args.gatehouse, processes, port, connectors, env)

    plain = free_port()
    gatehouse(plain)
    gatehouse(auth_port, {"GATEHOUSE_AUTH": "oauth", "GATEHOUSE_PUBLIC_URL": f"http://127.0.0.1:{auth_port}",
                          "GATEHOUSE_AUTH_ISSUERS": issuer, "GATEHOUSE_AUTH_SCOPES": "mcp"})
    cases = {
        "direct": dict(url=f"http://127.0.0.1:{upstream}/item"),
        "nginx proxy": dict(url=f"http://127.0.0.1:{proxy}/item"),
        "nginx proxy 64 KiB": dict(url=f"http://127.0.0.1:{proxy}/big"),
        **gatehouse_cases(plain, auth_port, legacy_session(plain), token),
    }
    if args.floor:
        # No gateway work: Hummingbird + AsyncHTTPClient, with Swift's thread
        # pool and with NIO's event loops running the tasks, and the
        # event-loop pipeline the gateway's /mcp path is built as.
        floor_body = tool_call_body("get_item")
        for label, executor in [("framework floor", "swift"), ("framework floor, NIO executor", "nio"),
                                ("event-loop floor", "event-loop")]:
            port = free_port()
            processes.start([args.floor, str(port), f"http://127.0.0.1:{upstream}/item", executor])
            wait_for(f"http://127.0.0.1:{port}/healthz")
            cases[label] = dict(url=f"http://127.0.0.1:{port}/mcp", method="POST", body=floor_body,
                                headers=modern_headers("get_item"))
    if args.peer_python:
        peer = free_port()
        processes.start([args.peer_python, str(HERE / "peer" / "peer_server.py"), "--port", str(peer), "--workers", "2",
                         "--nodelay-fix",
                         "--upstream", f"http://127.0.0.1:{upstream}"])
        peer_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                        "MCP-Protocol-Version": "2025-06-18"}
        peer_body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                "params": {"name": "get_item", "arguments": {}}}).encode()
        deadline = time.time() + 30
        while True:
            try:
                r = requests.post(f"http://127.0.0.1:{peer}/mcp", data=peer_body, headers=peer_headers, timeout=2)
                if r.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                raise RuntimeError("the FastMCP peer did not come up")
            time.sleep(0.1)
        cases["peer (FastMCP)"] = dict(url=f"http://127.0.0.1:{peer}/mcp", method="POST", body=peer_body, headers=peer_headers)

    if args.cases:
        wanted = [part.strip() for part in args.cases.split(",") if part.strip()]
        baselines = {"direct", "nginx proxy", "nginx proxy 64 KiB", "gatehouse 2026-07-28"}
        cases = {name: case for name, case in cases.items() if name in baselines or any(part in name for part in wanted)}

    # Every case must answer correctly before it is timed.
    for name, case in cases.items():
        r = requests.request(case.get("method", "GET"), case["url"], data=case.get("body"), headers=case.get("headers"))
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        if "tools/call" in (case.get("body") or b"").decode() and "floor" not in name:
            text = r.text
            assert '"isError":true' not in text and '"result"' in text, (name, text[:300])

    results = {}
    for name, case in cases.items():
        for c in connections:
            if args.warmup:
                wrk(case["url"], c, args.warmup, case.get("method", "GET"), case.get("body"), case.get("headers"), work)
            results[(name, c)] = wrk(case["url"], c, args.duration, case.get("method", "GET"), case.get("body"),
                                     case.get("headers"), work)
    if args.cases:
        return results, {}
    extra = measure_footprint(args, work, processes, gatehouse, upstream)
    extra["huge"] = measure_large_answer_memory(args, gatehouse)
    return results, extra


def measure_large_answer_memory(args, gatehouse):
    """Peak resident memory a 1 MiB answer passed on whole adds: with one
    call in flight at a time, and during a burst of simultaneous calls."""
    port = free_port()
    process = gatehouse(port)
    url = f"http://127.0.0.1:{port}/mcp"
    body, headers = tool_call_body("get_huge"), modern_headers("get_huge")

    def call(client):
        r = client.post(url, data=body, headers=headers, timeout=120)
        assert r.status_code == 200 and len(r.content) > HUGE_BYTES // 2 and '"isError":true' not in r.text[-200:], r.text[:300]

    session = requests.Session()
    sequential = 3 if args.smoke else 20
    for _ in range(sequential):  # pools and caches reach their steady size first, on small answers
        r = session.post(url, data=tool_call_body("get_item"), headers=modern_headers("get_item"), timeout=10)
        assert r.status_code == 200, r.text[:300]
    time.sleep(0.5)
    # One call in flight: the peak of the first long answer (later ones
    # reuse what the allocator kept, and would show less).
    before = rss_kib(process.pid)
    reset_peak_rss(process.pid)
    call(session)
    one = peak_rss_kib(process.pid) - before
    for _ in range(sequential):
        call(session)
    time.sleep(0.5)
    before = rss_kib(process.pid)
    reset_peak_rss(process.pid)
    burst = 10 if args.smoke else 100
    start = threading.Barrier(burst)

    def burst_call(_):
        with requests.Session() as own:  # one connection per call
            start.wait()
            call(own)

    with concurrent.futures.ThreadPoolExecutor(burst) as pool:
        list(pool.map(burst_call, range(burst)))
    burst_peak = peak_rss_kib(process.pid) - before
    time.sleep(2)
    after = rss_kib(process.pid) - before
    return dict(one=one, burst=burst, burst_peak=burst_peak, after=after)


def measure_footprint(args, work, processes, gatehouse, upstream):
    extra = {}
    sample = gatehouse(free_port(), connectors=ROOT / "connectors.d")
    time.sleep(1)
    extra["rss_idle_sample"] = rss_kib(sample.pid)

    bulk = work / "bulk.d"
    bulk.mkdir()
    for i in range(50):
        (bulk / f"c{i:02d}.yaml").write_text(connector_file(i, 20, f"http://127.0.0.1:{upstream}"))
    (bulk / "zz-item.yaml").write_text(CONNECTOR.format(base=f"http://127.0.0.1:{upstream}"))
    starts = []
    for attempt in range(1 if args.smoke else 5):
        port = free_port()
        environment = dict(os.environ, GATEHOUSE_PORT=str(port), GATEHOUSE_CONNECTORS=str(bulk),
                           GATEHOUSE_LOG_LEVEL="error", GATEHOUSE_PAGE_SIZE="2000")
        session = requests.Session()
        started = time.perf_counter()
        process = processes.start([args.gatehouse, "serve"], env=environment)
        while True:
            try:
                r = session.post(f"http://127.0.0.1:{port}/mcp", data=tool_call_body("get_item"), headers=modern_headers("get_item"),
                                 timeout=2)
                if r.status_code == 200 and '"isError"' not in r.text:
                    break
            except requests.RequestException:
                pass
            if time.perf_counter() - started > 30:
                raise RuntimeError("cold start took more than 30 s")
            time.sleep(0.002)
        starts.append(time.perf_counter() - started)
        if attempt < (0 if args.smoke else 4):
            process.send_signal(signal.SIGTERM)
            process.wait(15)
    extra["cold_start_ms"] = statistics.median(starts) * 1000
    time.sleep(1)
    extra["rss_1000_tools"] = rss_kib(process.pid)
    list_body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}})
    list_headers = {"Content-Type": "application/json", "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"}
    timings = []
    for _ in range(5 if args.smoke else 200):
        t = time.perf_counter()
        r = session.post(f"http://127.0.0.1:{port}/mcp", data=list_body, headers=list_headers)
        timings.append(time.perf_counter() - t)
        assert len(r.json()["result"]["tools"]) == 1000 + CONNECTOR.count("  - name: ")
    timings.sort()
    extra["tools_list_ms"] = (statistics.median(timings) * 1000, timings[int(len(timings) * 0.99) - 1] * 1000, len(r.content))
    return extra


def render(args, connections, results, extra):
    def ratio(value, base):
        return f"{value / base:.2f}×" if base else "n/a"

    lines = []
    cpu = next((l.split(":", 1)[1].strip() for l in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    lines.append(f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} vCPU ({cpu}), "
                 f"{platform.system()} {platform.release()}, {swift[0] if swift else 'Swift'}; "
                 f"wrk for {args.duration:g} s per cell after {args.warmup:g} s of warm-up; "
                 f"nginx {nginx_version()} with one worker as upstream and proxy; all on 127.0.0.1, sharing the same cores.")
    lines.append("")
    header = "| case | " + " | ".join(f"{c} conn: req/s · p50 · p99" for c in connections) + " |"
    lines.append(header)
    lines.append("|---" * (len(connections) + 1) + "|")
    cases = sorted({name for name, _ in results}, key=lambda n: list(dict.fromkeys(n for n, _ in results)).index(n))
    for name in cases:
        cells = []
        for c in connections:
            r = results[(name, c)]
            cells.append(f"{r['rps']:,.0f} · {r['p50']} µs · {r['p99']} µs")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Throughput ratios in the same run:")
    lines.append("")
    peer = "peer (FastMCP)" in cases
    lines.append("| case | " + " | ".join(f"{c} conn vs nginx proxy" + (" · vs peer" if peer else "") for c in connections) + " |")
    lines.append("|---" * (len(connections) + 1) + "|")
    for name in cases:
        cells = []
        # A 64 KiB case against the proxy carrying the same 64 KiB.
        baseline = "nginx proxy 64 KiB" if "64 KiB" in name else "nginx proxy"
        for c in connections:
            cell = ratio(results[(name, c)]["rps"], results[(baseline, c)]["rps"])
            if peer:
                cell += " · " + ratio(results[(name, c)]["rps"], results[("peer (FastMCP)", c)]["rps"])
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    first = connections[0]
    added = results[("gatehouse 2026-07-28", first)]["p50"] - results[("direct", first)]["p50"]
    lines.append(f"- Added latency of gatehouse (2026-07-28) over direct at {first} connection, p50: **{added} µs**.")
    floors = [name for name in cases if "floor" in name]
    if floors:
        last = connections[-1]
        parts = [f"{name}: {results[(name, first)]['p50'] - results[('direct', first)]['p50']} µs added at {first} connection, "
                 f"{ratio(results[(name, last)]['rps'], results[('nginx proxy', last)]['rps'])} of the nginx proxy at {last}"
                 for name in floors]
        own = "event-loop floor" if "event-loop floor" in floors else floors[0]
        lines.append("- The stacks doing no gateway work (" + "; ".join(parts) + "); gatehouse reaches "
                     f"{ratio(results[('gatehouse 2026-07-28', last)]['rps'], results[(own, last)]['rps'])} "
                     f"of the {own}'s throughput at {last} connections.")
    if peer:
        last = connections[-1]
        g, p = results[("gatehouse 2026-07-28", last)], results[("peer (FastMCP)", last)]
        lines.append(f"- At {last} connections gatehouse does **{g['rps'] / p['rps']:.1f}×** the peer's requests/s, "
                     f"p99 {g['p99']} µs against the peer's {p['p99']} µs.")
    if not extra:
        return "\n".join(lines)
    median, p99, size = extra["tools_list_ms"]
    lines.append(f"- Resident memory: **{extra['rss_idle_sample'] / 1024:.1f} MiB** idle with the sample `connectors.d`, "
                 f"**{extra['rss_1000_tools'] / 1024:.1f} MiB** with 1,000 tools loaded (after the timed calls).")
    lines.append(f"- Cold start to the first successful tool call with 1,000 tools: **{extra['cold_start_ms']:.0f} ms** (median of runs).")
    huge = extra["huge"]
    lines.append(f"- A 1 MiB answer passed on whole: peak resident growth **{huge['one'] / 1024:.1f} MiB** with one call in flight "
                 f"({huge['one'] / 1024:.1f}× the answer); **{huge['burst_peak'] / 1024:.1f} MiB** during a burst of "
                 f"{huge['burst']} simultaneous calls ({huge['burst_peak'] / 1024 / huge['burst']:.2f} MiB per call), "
                 f"{huge['after'] / 1024:.1f} MiB above the start 2 s after it.")
    lines.append(f"- `tools/list` with 1,000 tools in one page ({size / 1024:.0f} KiB): p50 **{median:.2f} ms**, p99 {p99:.2f} ms "
                 f"(sequential requests from Python, client time included).")
    return "\n".join(lines)


def nginx_version():
    result = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    return (result.stderr or result.stdout).strip().split("/")[-1]


if __name__ == "__main__":
    main()
