"""OpenTelemetry export against a real OTLP/HTTP receiver (decoded with the
official protobuf definitions): spans arrive with the caller's trace, the
right parents and the HTTP and MCP attributes; metrics arrive beside
/metrics; nothing is sent unless asked; a collector that is down costs the
calls nothing; a protocol the gateway cannot speak stops it at start-up."""

import json
import os
import subprocess
import time

import pytest
import requests

from support.calls import post_tool_call
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.otlp_receiver import OTLPReceiver
from support.paths import BIN

SERVER, CLIENT = 2, 3  # SpanKind in the OTLP protobuf
STATUS_ERROR = 2
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def otel_env(receiver_url: str, **extra) -> dict:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url, "OTEL_BSP_SCHEDULE_DELAY": "100",
           "OTEL_METRIC_EXPORT_INTERVAL": "300", "OTEL_SERVICE_NAME": "gatehouse-e2e",
           "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_LOG_LEVEL": "info"}
    env.update(extra)
    return env


@pytest.fixture
def folder(httpbin_url, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "operations/ops", UPSTREAM=httpbin_url)
    return folder


@pytest.fixture
def receiver():
    receiver = OTLPReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def gateways():
    started = []
    yield started
    for gateway in started:
        if gateway.process.poll() is None:
            gateway.stop(30)


def test_a_tool_call_is_a_server_span_in_the_callers_trace_with_its_upstream_attempt_below(folder, receiver, gateways):
    gateway = start_gateway(folder, otel_env(receiver.url))
    gateways.append(gateway)
    r = post_tool_call(gateway.mcp, "whoami", {"note": "hi", "secret_word": "swordfish"},
                       headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "X-Request-Id": "otel-1",
                                "User-Agent": "e2e-otel"})
    assert r.status_code == 200
    upstream_parent = json.loads(r.json()["result"]["content"][0]["text"])["Traceparent"].split("-")
    assert upstream_parent[1] == CALLER_TRACE

    spans = receiver.wait_for_spans(lambda spans: {s.kind for s in spans if s.trace_id == CALLER_TRACE} >= {SERVER, CLIENT})
    server = next(s for s in spans if s.trace_id == CALLER_TRACE and s.kind == SERVER)
    attempt = next(s for s in spans if s.trace_id == CALLER_TRACE and s.kind == CLIENT)
    assert server.parent_span_id == CALLER_SPAN, "the trace continues the caller's span"
    assert server.name == "tools/call whoami"
    assert server.attributes["mcp.method.name"] == "tools/call"
    assert server.attributes["gen_ai.tool.name"] == "whoami"
    assert server.attributes["gen_ai.operation.name"] == "execute_tool"
    assert server.attributes["gatehouse.connector"] == "ops"
    assert server.attributes["http.request.method"] == "POST"
    assert server.attributes["http.route"] == "/mcp"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["mcp.protocol.version"] == "2026-07-28"
    assert server.attributes["user_agent.original"] == "e2e-otel"
    assert server.resource["service.name"] == "gatehouse-e2e"
    assert server.resource["service.version"]

    assert attempt.parent_span_id == server.span_id
    assert attempt.span_id == upstream_parent[2], "the upstream was told the attempt's span"
    assert attempt.name == "GET"
    assert attempt.attributes["http.request.method"] == "GET"
    assert attempt.attributes["server.address"] == "127.0.0.1"
    assert isinstance(attempt.attributes["server.port"], int)
    assert attempt.attributes["url.full"].endswith("/headers"), "the query (which may hold a key) is left out"
    assert attempt.attributes["http.response.status_code"] == 200
    assert server.duration_ns >= attempt.duration_ns > 0

    everything = repr(spans)
    assert "swordfish" not in everything and "upstream-secret-token" not in everything and "show_env" not in everything

    # Log lines name the exported span's trace.
    time.sleep(0.3)
    log = (gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log").read_text().splitlines()
    audits = [json.loads(line) for line in log if '"gatehouse.audit"' in line]
    assert audits and audits[-1]["trace_id"] == CALLER_TRACE and audits[-1]["request_id"] == "otel-1"


def test_retries_are_sibling_attempts_and_failures_say_why(folder, receiver, gateways):
    gateway = start_gateway(folder, otel_env(receiver.url))
    gateways.append(gateway)
    assert post_tool_call(gateway.mcp, "flaky").status_code == 200
    spans = receiver.wait_for_spans(lambda spans: sum(s.kind == CLIENT for s in spans) >= 3 and any(s.kind == SERVER for s in spans))
    server = next(s for s in spans if s.kind == SERVER)
    assert server.parent_span_id == "", "no traceparent: a new trace"
    assert server.name == "tools/call flaky"
    assert server.attributes["error.type"] == "upstream_error" and server.status_code == STATUS_ERROR
    attempts = sorted((s for s in spans if s.kind == CLIENT), key=lambda s: s.attributes.get("http.request.resend_count", 0))
    assert [s.parent_span_id for s in attempts] == [server.span_id] * 3
    assert [s.attributes.get("http.request.resend_count") for s in attempts] == [None, 1, 2]
    assert all(s.attributes["http.response.status_code"] == 503 and s.attributes["error.type"] == "503" for s in attempts)


def test_metrics_arrive_over_otlp_as_on_the_metrics_page(folder, receiver, gateways):
    gateway = start_gateway(folder, otel_env(receiver.url))
    gateways.append(gateway)
    for _ in range(2):
        assert post_tool_call(gateway.mcp, "whoami").status_code == 200
    labels = {"tool": "whoami", "connector": "ops", "outcome": "ok"}
    deadline = time.time() + 20
    while receiver.wait_for_metric("gatehouse_tool_calls_total", labels) < 2 and time.time() < deadline:
        time.sleep(0.2)
    assert receiver.wait_for_metric("gatehouse_tool_calls_total", labels) == 2
    assert receiver.wait_for_metric("gatehouse_upstream_duration_seconds", {"connector": "ops"}) >= 2
    assert receiver.wait_for_metric("gatehouse_tools_loaded", {}) == 4
    assert ('gatehouse_tool_calls_total{tool="whoami",connector="ops",outcome="ok"} 2'
            in requests.get(gateway.url + "/metrics").text.replace(", ", ","))


def test_nothing_is_sent_without_otel_settings_even_to_the_default_endpoint(folder, gateways):
    try:
        default = OTLPReceiver(4318).start()
    except OSError:
        pytest.skip("port 4318 is taken on this machine")
    try:
        env = {key: "" for key in os.environ if key.startswith("OTEL_")}
        gateway = start_gateway(folder, env)
        gateways.append(gateway)
        assert post_tool_call(gateway.mcp, "whoami").status_code == 200
        time.sleep(1.5)
        assert default.requests == []
    finally:
        default.stop()


def test_a_collector_that_is_down_costs_the_calls_nothing(folder, gateways):
    gateway = start_gateway(folder, otel_env(f"http://127.0.0.1:{free_port()}", OTEL_EXPORTER_OTLP_TIMEOUT="500"))
    gateways.append(gateway)
    started = time.time()
    for _ in range(5):
        assert post_tool_call(gateway.mcp, "whoami", timeout=10).status_code == 200
    assert time.time() - started < 10
    time.sleep(1)
    assert gateway.process.poll() is None, "export failures never stop the gateway"
    assert post_tool_call(gateway.mcp, "whoami", timeout=10).status_code == 200


def test_an_export_protocol_it_cannot_speak_stops_it_at_start_up(folder):
    env = dict(os.environ, GATEHOUSE_CONNECTORS=str(folder), GATEHOUSE_PORT=str(free_port()), GATEHOUSE_HOST="127.0.0.1",
               OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4317", OTEL_EXPORTER_OTLP_PROTOCOL="grpc")
    run = subprocess.run([str(BIN), "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" in run.stderr + run.stdout and "http/protobuf" in run.stderr + run.stdout
