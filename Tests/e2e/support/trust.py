"""Helpers for the tests of endpoints, confirmations and the lock: an
upstream that records every method (the confirmation tests must see that a
DELETE did or did not arrive), and the gateway's audit lines.

    api = recording_api().start()
    api.url, api.seen(), api.calls("DELETE")
    audit_entries(gateway), wait_for_audit(gateway, lambda e: ...)
"""

import json
import time
import urllib.parse

import requests

from support.recording_api import RecordingAPI


def recording_api(identify=None) -> RecordingAPI:
    """A RecordingAPI (support/recording_api.py) that also answers PUT, PATCH
    and DELETE, reads each request's body (so a POST never meets a reset
    connection) and keeps it in `api.bodies` as (method, path, bytes).
    `api.calls(method, path=None)` lists what arrived with that method.
    Every credential is served as `identify(path, headers, query)`, by
    default "gatehouse" (the connector's own token)."""
    api = RecordingAPI(identify or (lambda path, headers, query: "gatehouse"))
    api.bodies = []
    handler = api.RequestHandlerClass   # a class of this instance's own
    original = handler.respond

    def respond(request_handler):
        length = int(request_handler.headers.get("Content-Length") or 0)
        body = request_handler.rfile.read(length) if length > 0 else b""
        with api.lock:
            api.bodies.append((request_handler.command, urllib.parse.urlsplit(request_handler.path).path, body))
        original(request_handler)

    handler.respond = respond
    handler.do_GET = handler.do_POST = handler.do_PUT = handler.do_PATCH = handler.do_DELETE = respond

    def calls(method: str, path: str | None = None) -> list[dict]:
        return [r for r in api.seen() if r["method"] == method and (path is None or r["path"] == path)]

    api.calls = calls
    return api


def log_path(gateway):
    return gateway.folder.parent / f"gatehouse-{gateway.url.rsplit(':', 1)[1]}.log"


def audit_entries(gateway, message: str = "tool call") -> list[dict]:
    """The gateway's JSON audit lines (logger gatehouse.audit) so far."""
    entries = []
    for line in log_path(gateway).read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("logger") == "gatehouse.audit" and entry.get("msg") == message:
            entries.append(entry)
    return entries


def wait_for_audit(gateway, predicate, timeout: float = 3.0, count: int = 1) -> list[dict]:
    """The audit lines matching `predicate` once at least `count` are there;
    fails with every audit line when they do not come within `timeout`."""
    deadline = time.time() + timeout
    while True:
        found = [entry for entry in audit_entries(gateway) if predicate(entry)]
        if len(found) >= count or time.time() > deadline:
            assert len(found) >= count, f"expected {count} matching audit line(s), found {found} in {audit_entries(gateway)}"
            return found
        time.sleep(0.05)


def arguments_of(entry: dict) -> dict:
    """An audit line's argument values (GATEHOUSE_AUDIT_ARGUMENT_VALUES=true)."""
    value = entry.get("arguments")
    return json.loads(value) if isinstance(value, str) else (value or {})


def status(gateway) -> dict:
    response = requests.get(gateway.url + "/status", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
