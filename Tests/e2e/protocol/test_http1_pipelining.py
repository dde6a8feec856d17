"""`POST /mcp` is answered on the connection's event loop, every other
request by the router behind it. These checks speak raw HTTP/1.1 on one
socket, where the two meet: pipelined requests of both kinds are answered in
the order they were sent, `Connection: close` is honoured, and a client
that pipelines never gets an answer meant for another request."""

import json
import socket

MODERN = "2026-07-28"


def mcp_request(method, id, close=False, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": {
        **(params or {}),
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                  "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
                  "io.modelcontextprotocol/clientCapabilities": {}}}}).encode()
    head = (f"POST /mcp HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {MODERN}\r\n"
            f"Mcp-Method: {method}\r\nContent-Length: {len(body)}\r\n")
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


def get_request(path, close=False):
    return f"GET {path} HTTP/1.1\r\nHost: gatehouse\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n".encode()


def exchange(gateway, payload, timeout=10):
    """Sends `payload` in one write and reads until the server closes."""
    port = int(gateway.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


def responses(raw):
    """(status, headers, body) for each response in `raw`, in order."""
    answers = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        if "content-length" in headers:
            length = int(headers["content-length"])
            body, raw = rest[:length], rest[length:]
        else:
            assert headers.get("transfer-encoding") == "chunked", headers
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line, 16)
                body += rest[:size]
                rest = rest[size + 2:]
                if size == 0:
                    break
            raw = rest
        answers.append((status, headers, body))
    return answers


def test_pipelined_requests_of_both_kinds_are_answered_in_order(gateway):
    payload = (mcp_request("tools/list", 1) + get_request("/healthz") + mcp_request("server/discover", 2)
               + get_request("/readyz") + mcp_request("tools/list", 3, close=True))
    answers = responses(exchange(gateway, payload))
    assert [status for status, _, _ in answers] == [200, 200, 200, 200, 200]
    assert json.loads(answers[0][2])["id"] == 1 and "tools" in json.loads(answers[0][2])["result"]
    assert json.loads(answers[1][2]) == {"status": "ok"}
    assert json.loads(answers[2][2])["id"] == 2 and "supportedVersions" in json.loads(answers[2][2])["result"]
    assert json.loads(answers[4][2])["id"] == 3
    assert answers[4][1].get("connection") == "close"
    # Each MCP answer has its own request id.
    ids = [headers.get("x-request-id") for _, headers, _ in (answers[0], answers[2], answers[4])]
    assert all(ids) and len(set(ids)) == 3


def test_a_tool_call_followed_by_a_pipelined_request_waits_for_its_answer(gateway):
    call = mcp_request("tools/call", 7, params={"name": "echo_get", "arguments": {"q": "pipelined"}})
    answers = responses(exchange(gateway, call + get_request("/healthz", close=True)))
    assert len(answers) == 2
    assert json.loads(answers[0][2])["id"] == 7
    assert json.loads(answers[1][2]) == {"status": "ok"}


def test_connection_close_on_an_mcp_post_closes_after_the_answer(gateway):
    answers = responses(exchange(gateway, mcp_request("server/discover", 5, close=True)))
    assert len(answers) == 1 and answers[0][0] == 200
    assert answers[0][1].get("connection") == "close"


def test_a_body_over_the_limit_is_refused_and_the_connection_stays_usable(gateway):
    body = b"x" * (4 * 1024 * 1024 + 1)
    head = (f"POST /mcp HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    answers = responses(exchange(gateway, head + body + get_request("/healthz", close=True), timeout=30))
    assert answers[0][0] == 413
    assert "larger than" in json.loads(answers[0][2])["error"]["message"]
    assert answers[1][0] == 200


def test_a_request_answered_before_its_body_arrived_does_not_stall_the_next(gateway):
    """The router may answer (here: 404) before it read the body; the
    connection must still serve the next request once the body is in."""
    port = int(gateway.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /nowhere HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 10\r\n\r\n12345")
        first = b""
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 404")
        sock.sendall(b"67890" + get_request("/healthz", close=True))
        rest = first
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    answers = responses(rest)
    assert [status for status, _, _ in answers] == [404, 200]
    assert json.loads(answers[1][2]) == {"status": "ok"}
