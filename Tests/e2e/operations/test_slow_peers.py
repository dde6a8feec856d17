"""Slow, silent and vanishing peers on both sides of the gateway: upstreams
that stall in the middle of a body or drip it, clients that go away or
cancel, connections that send nothing or one header byte at a time, and a
shutdown that load balancers can see coming. Everything is real and on
127.0.0.1: the gateway binary, raw sockets, and a deliberately misbehaving
upstream (support/misbehaving.py)."""

import concurrent.futures
import json
import os
import signal
import socket
import threading
import time

import pytest
import requests

from support.calls import MODERN, post_tool_call, tool_call_body
from support.connectors import write_connector
from support.gateway import free_port, start_gateway
from support.misbehaving import MisbehavingUpstream

def modern_call(url, name, arguments=None, timeout=30):
    return post_tool_call(url + "/mcp", name, arguments, timeout=timeout)


def raw_request(name, request_id=1):
    body = json.dumps(tool_call_body(name, request_id=request_id)).encode()
    return (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Accept: application/json\r\nMCP-Protocol-Version: " + MODERN.encode()
            + b"\r\nMcp-Method: tools/call\r\nMcp-Name: " + name.encode()
            + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)


def descriptors(process):
    return len(os.listdir(f"/proc/{process.pid}/fd"))


@pytest.fixture
def upstream():
    server = MisbehavingUpstream()
    yield server
    server.close()


@pytest.fixture
def gateway(upstream, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "operations/misbehaving", UPSTREAM=upstream.url)
    gw = start_gateway(folder)
    yield gw
    if gw.process.poll() is None:
        gw.stop(30)


# MARK: the upstream timeout bounds the whole call


def test_a_body_that_stalls_is_cut_off_at_the_timeout_and_frees_the_slot_and_connection(gateway, upstream):
    started = time.monotonic()
    result = modern_call(gateway.url, "stall", timeout=20).json()["result"]
    elapsed = time.monotonic() - started
    assert result["isError"] and "did not answer" in result["content"][0]["text"], result
    assert 1.8 <= elapsed < 4, f"answered after {elapsed:.2f} s with a 2 s timeout"
    # The connection to the upstream was dropped...
    spans = upstream.wait_closed("/stall", 3)
    assert spans and all(s is not None and s < 4 for s in spans), spans
    # ...and the connector's only concurrency slot is free again.
    started = time.monotonic()
    result = modern_call(gateway.url, "fast", timeout=20).json()["result"]
    assert not result.get("isError"), result
    assert time.monotonic() - started < 1


def test_a_dripped_body_cannot_outlast_the_timeout(gateway, upstream):
    started = time.monotonic()
    result = modern_call(gateway.url, "drip", timeout=30).json()["result"]
    elapsed = time.monotonic() - started
    assert result["isError"] and "did not answer" in result["content"][0]["text"], result
    assert elapsed < 4, f"a body dripped one byte a second was read for {elapsed:.2f} s"
    assert upstream.wait_closed("/drip", 3)[0] is not None


def test_a_client_that_disconnects_cancels_the_upstream_call(gateway, upstream):
    client = socket.create_connection(("127.0.0.1", int(gateway.url.rsplit(":", 1)[1])))
    client.sendall(raw_request("hang"))
    deadline = time.monotonic() + 5
    while upstream.opened("/hang") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert upstream.opened("/hang") == 1, "the call never reached the upstream"
    client.close()
    spans = upstream.wait_closed("/hang", 5)
    assert spans[0] is not None and spans[0] < 3, f"upstream connection still open: {spans}"
    # The slot is free for the next caller.
    assert not modern_call(gateway.url, "fast", timeout=10).json()["result"].get("isError")
    metrics = requests.get(gateway.url + "/metrics").text
    assert 'gatehouse_tool_calls_total{tool="hang",connector="misbehaving",outcome="cancelled"} 1' in metrics.splitlines()


def test_a_legacy_cancellation_stops_the_upstream_call(gateway, upstream):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    init = requests.post(gateway.url + "/mcp", headers=headers, data=json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "e2e", "version": "1"}}}), timeout=10)
    session = {**headers, "Mcp-Session-Id": init.headers["Mcp-Session-Id"], "MCP-Protocol-Version": "2025-11-25"}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pending = pool.submit(requests.post, gateway.url + "/mcp", headers=session, timeout=30, data=json.dumps(
            {"jsonrpc": "2.0", "id": "call-7", "method": "tools/call", "params": {"name": "hang", "arguments": {}}}))
        deadline = time.monotonic() + 5
        while upstream.opened("/hang") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        cancelled = requests.post(gateway.url + "/mcp", headers=session, timeout=10, data=json.dumps(
            {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "call-7"}}))
        assert cancelled.status_code == 202
        answer = pending.result(timeout=10)
    assert time.monotonic() - started < 3
    assert "cancelled" in answer.text
    assert upstream.wait_closed("/hang", 3)[0] is not None


# MARK: slow and silent clients


@pytest.fixture
def guarded(upstream, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "operations/misbehaving", UPSTREAM=upstream.url)
    operations_port = free_port()
    gw = start_gateway(folder, {"GATEHOUSE_HEADER_TIMEOUT_SECONDS": "2", "GATEHOUSE_IDLE_TIMEOUT_SECONDS": "3",
                                "GATEHOUSE_MAX_CONNECTIONS": "100",
                                "GATEHOUSE_OPERATIONS_PORT": str(operations_port)})
    gw.operations = f"http://127.0.0.1:{operations_port}"
    yield gw
    if gw.process.poll() is None:
        gw.stop(30)


def open_silent(port, count):
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    return sockets


def closed_by_peer(sock):
    sock.settimeout(0.2)
    try:
        return sock.recv(1024) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def test_silent_and_slow_header_connections_are_closed_and_probes_keep_answering(guarded):
    port = int(guarded.url.rsplit(":", 1)[1])
    baseline = descriptors(guarded.process)
    silent = open_silent(port, 250)
    assert len(silent) == 250  # the kernel queues what the gateway has not accepted yet
    stop = threading.Event()
    drippers = []

    def drip():
        # One header byte every 300 ms: never a complete head.
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        drippers.append(sock)
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200:
            if stop.is_set():
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.3)

    threads = [threading.Thread(target=drip, daemon=True) for _ in range(50)]
    for thread in threads:
        thread.start()
    try:
        # The operations listener answers at once, whatever the main one is doing.
        started = time.monotonic()
        assert requests.get(guarded.operations + "/healthz", timeout=2).status_code == 200
        assert requests.get(guarded.operations + "/readyz", timeout=2).status_code == 200
        assert time.monotonic() - started < 1
        # Never more open client connections than the cap.
        assert descriptors(guarded.process) <= baseline + 100 + 5
        # The main listener answers once the slow ones have been cut off.
        started = time.monotonic()
        assert requests.get(guarded.url + "/healthz", timeout=20).status_code == 200
        assert time.monotonic() - started < 10
        time.sleep(2.5)
        assert all(closed_by_peer(s) for s in silent[:100]), "silent connections were left open"
        assert all(closed_by_peer(s) for s in drippers[:20]), "header drippers were left open"
    finally:
        stop.set()
        for sock in silent + drippers:
            sock.close()
    deadline = time.monotonic() + 10
    while descriptors(guarded.process) > baseline + 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert descriptors(guarded.process) <= baseline + 5


def test_an_idle_keep_alive_connection_is_closed(guarded):
    port = int(guarded.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"200 OK" in sock.recv(4096)
    time.sleep(1.5)
    assert not closed_by_peer(sock), "closed before the idle timeout"
    time.sleep(2.5)
    assert closed_by_peer(sock), "an idle keep-alive connection outlived the idle timeout"
    sock.close()


def test_status_and_metrics_move_to_the_operations_listener(guarded):
    assert requests.get(guarded.url + "/status").status_code == 404
    assert requests.get(guarded.url + "/metrics").status_code == 404
    assert requests.get(guarded.url + "/healthz").status_code == 200
    assert requests.get(guarded.operations + "/status").json()["tools"] == 4
    assert "gatehouse_tools_loaded" in requests.get(guarded.operations + "/metrics").text
    assert requests.get(guarded.operations + "/mcp").status_code == 404


# MARK: shutdown


def test_readiness_turns_503_for_the_shutdown_delay_before_the_listener_closes(upstream, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "operations/misbehaving", UPSTREAM=upstream.url)
    gw = start_gateway(folder, {"GATEHOUSE_SHUTDOWN_DELAY_SECONDS": "2"})
    assert requests.get(gw.url + "/readyz").status_code == 200
    gw.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    ready = requests.get(gw.url + "/readyz", timeout=2)
    assert ready.status_code == 503 and "shutting down" in ready.text
    assert requests.get(gw.url + "/healthz", timeout=2).status_code == 200
    # Calls are still served meanwhile.
    assert not modern_call(gw.url, "fast", timeout=5).json()["result"].get("isError")
    assert gw.process.wait(10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(gw.url + "/readyz", timeout=2)
