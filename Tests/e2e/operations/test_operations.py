"""Running it in production: JSON logs with audit lines and request ids,
Prometheus metrics, readiness, per-tool limits against a real upstream, and a
graceful shutdown that loses no call in flight. The gateway binary, httpbin
under gunicorn and the SDK client are real; everything is on 127.0.0.1."""

import concurrent.futures
import json
import pathlib
import signal
import time

import pytest
import requests

from support.calls import post_tool_call
from support.connectors import write_connector
from support.gateway import start_gateway
from support.clients import modern_client, run, text_of


def call(gateway, name, arguments=None, headers=None, timeout=30):
    return post_tool_call(gateway.mcp, name, arguments, headers, timeout)


def log_lines(gateway):
    path = pathlib.Path(gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log")
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line must be JSON


@pytest.fixture
def ops(httpbin_url, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "operations/ops", UPSTREAM=httpbin_url)
    gateway = start_gateway(folder, {"GATEHOUSE_LOG_LEVEL": "info", "GATEHOUSE_LOG_FORMAT": "json",
                                     "GATEHOUSE_SHUTDOWN_GRACE_SECONDS": "20"})
    yield gateway
    if gateway.process.poll() is None:
        gateway.stop(30)


def test_logs_are_json_with_an_audit_line_per_call_and_the_request_id_reaches_the_upstream(ops):
    r = call(ops, "whoami", {"note": "hello", "secret_word": "swordfish"},
             headers={"X-Request-Id": "e2e-req-1",
                      "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    assert r.status_code == 200 and r.headers["X-Request-Id"] == "e2e-req-1"
    upstream_headers = json.loads(r.json()["result"]["content"][0]["text"])
    assert upstream_headers.get("X-Request-Id") == "e2e-req-1", upstream_headers
    parent = upstream_headers["Traceparent"].split("-")
    assert parent[1] == "0af7651916cd43dd8448eb211c80319c" and parent[2] != "b7ad6b7169203331"
    time.sleep(0.2)
    entries = log_lines(ops)
    assert any(e["msg"] == "catalog loaded" for e in entries)
    audits = [e for e in entries if e.get("logger") == "gatehouse.audit"]
    assert len(audits) == 1
    audit = audits[0]
    assert audit["tool"] == "whoami" and audit["connector"] == "ops" and audit["subject"] == "anonymous"
    assert sorted(audit["argument_keys"]) == ["note", "secret_word"]
    assert audit["upstream_status"] == "200" and audit["outcome"] == "ok"
    assert audit["request_id"] == "e2e-req-1" and audit["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert float(audit["latency_ms"]) > 0 and int(audit["bytes"]) > 0
    text = pathlib.Path(ops.folder.parent / f"gatehouse-{ops.url.rsplit(':', 1)[1]}.log").read_text()
    assert "swordfish" not in text, "argument values are not logged by default"


def test_metrics_and_readiness(ops):
    assert requests.get(ops.url + "/readyz").json() == {"status": "ready"}
    for _ in range(3):
        assert call(ops, "whoami").status_code == 200
    assert call(ops, "no_such_tool").status_code == 200
    text = requests.get(ops.url + "/metrics").text
    lines = set(text.splitlines())
    assert 'gatehouse_tool_calls_total{tool="whoami",connector="ops",outcome="ok"} 3' in lines
    assert 'gatehouse_mcp_requests_total{method="tools/call",status="200"} 4' in lines
    assert 'gatehouse_upstream_duration_seconds_count{connector="ops"} 3' in lines
    assert 'gatehouse_tools_loaded 4.0' in lines
    assert 'gatehouse_reloads_total{outcome="success"} 1' in lines


def test_rate_limit_per_caller_under_a_burst(ops):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: call(ops, "limited").json()["result"], range(8)))
    allowed = [r for r in results if not r.get("isError")]
    limited = [r for r in results if r.get("isError")]
    assert len(allowed) == 2 and len(limited) == 6
    assert all("Retry after" in r["content"][0]["text"] for r in limited)
    assert 'gatehouse_tool_calls_total{tool="limited",connector="ops",outcome="rate_limited"} 6' in \
        requests.get(ops.url + "/metrics").text.splitlines()


def test_concurrency_limit_under_a_bounded_burst(ops):
    # Six one-second calls through a limit of two take three rounds.
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: call(ops, "slow", {"seconds": 1}).json()["result"], range(6)))
    elapsed = time.monotonic() - started
    assert all(not r.get("isError") for r in results), results
    assert elapsed >= 2.9, f"six calls finished in {elapsed:.2f} s: more than two ran at once"


def test_idempotent_calls_are_retried(ops):
    r = call(ops, "flaky").json()["result"]
    assert r["isError"] and "503" in r["content"][0]["text"]
    time.sleep(0.2)
    audit = [e for e in log_lines(ops) if e.get("logger") == "gatehouse.audit" and e["tool"] == "flaky"][0]
    assert audit["attempts"] == "3"
    assert 'gatehouse_upstream_retries_total{connector="ops"} 2' in requests.get(ops.url + "/metrics").text.splitlines()


def test_sdk_client_through_the_limits(ops):
    async def scenario():
        async with modern_client(ops.mcp) as client:
            result = await client.call_tool("whoami", {"note": "sdk"})
            assert not result.is_error
            assert "X-Request-Id" in text_of(result)
    run(scenario())


def test_sigterm_finishes_calls_in_flight_and_exits_zero(ops):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(call, ops, "slow", {"seconds": 2}) for _ in range(2)]
        time.sleep(0.5)
        ops.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # Still finishing the two calls, but no longer accepting new ones.
        assert ops.process.poll() is None
        with pytest.raises(requests.ConnectionError):
            requests.get(ops.url + "/healthz", timeout=2)
        results = [f.result(timeout=30) for f in futures]
    assert all(r.status_code == 200 and not r.json()["result"].get("isError") for r in results), \
        [r.text[:200] for r in results]
    assert ops.process.wait(30) == 0
    entries = log_lines(ops)
    assert any(e["msg"] == "stopped" for e in entries)
