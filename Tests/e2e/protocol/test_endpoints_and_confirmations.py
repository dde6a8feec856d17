"""Endpoints for audiences (`endpoints.yaml`), tool fingerprints in `_meta`,
and confirmation before a call, against the running binary with the
official MCP Python SDK in both eras (a 2025-11-25 session and a 2026-07-28
client) and, where the exact wire matters, raw HTTP.

The upstream is a recording API (support/recording_api.py): every test
that confirms or refuses a call checks there whether the DELETE, PUT or
PATCH arrived. Audit lines are read from the gateway's JSON log.

The fixture folder is fixtures/connectors/trust/: two connectors
(`tickets`, `wiki`) and three endpoints (`research`: read-only; `support`:
the tickets connector, name patterns, an exclusion; `library`: a tag)."""

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import time
import types

import mcp.client.session as sdk_session
import mcp.types as mcp_types
import pytest
import requests
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import ToolsListChanged
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult

from support.clients import text_of
from support.connectors import write_connector
from support.gateway import start_gateway
from support.polling import wait_until
from support.trust import arguments_of, audit_entries, recording_api, status, wait_for_audit

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
ERAS = ["legacy", MODERN]
FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{32}$")
EMPTY_FORM = {"type": "object", "properties": {}}

ALL_TOOLS = ["close_ticket", "create_ticket", "delete_ticket", "edit_page", "find_pages_by_ticket", "find_tickets",
             "page_views", "read_ticket", "reopen_ticket", "search_pages"]
VIEWS = {
    # read_only: GETs, and the POST annotated read-only; not the GET annotated otherwise
    "research": ["find_pages_by_ticket", "find_tickets", "read_ticket", "search_pages"],
    # connectors: [tickets], tools: ["*_ticket*", "find_*"], exclude: ["reopen_*"]
    "support": ["close_ticket", "create_ticket", "delete_ticket", "find_tickets", "read_ticket"],
    # tags: [research]
    "library": ["find_tickets", "search_pages"],
}
COMMON_ENV = {"GATEHOUSE_PAGE_SIZE": "100", "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_AUDIT_ARGUMENT_VALUES": "true"}

ticket_ids = itertools.count(1000)


def write_trust_folder(folder, api_url):
    folder.mkdir(parents=True, exist_ok=True)
    write_connector(folder, "trust/tickets", API=api_url)
    write_connector(folder, "trust/wiki", API=api_url)
    write_connector(folder, "trust/endpoints")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The recording API, the trust folder, and two gateways on it: the
    default (a client that cannot ask is refused) and one with
    GATEHOUSE_CONFIRM_WITHOUT_ELICITATION=allow."""
    root = tmp_path_factory.mktemp("trust")
    api = recording_api().start()
    folder = root / "connectors.d"
    write_trust_folder(folder, api.url)
    started = []
    try:
        gateway = start_gateway(folder, COMMON_ENV)
        started.append(gateway)
        allowing = start_gateway(folder, {**COMMON_ENV, "GATEHOUSE_CONFIRM_WITHOUT_ELICITATION": "allow"})
        started.append(allowing)
        yield types.SimpleNamespace(api=api, folder=folder, root=root, gateway=gateway, allowing=allowing)
    finally:
        for gateway in started:
            gateway.stop()
        api.stop()
    for gateway in started:
        assert gateway.process.returncode in (0, -15), f"gateway exited with {gateway.process.returncode}"


def at(gateway, endpoint=None) -> str:
    return gateway.mcp + (f"/{endpoint}" if endpoint else "")


# ---------------------------------------------------------------- SDK clients, both eras

@contextlib.asynccontextmanager
async def connect(url: str, era: str, elicitation=None):
    """A 2025-11-25 session (era "legacy", or an explicit handshake version)
    or a 2026-07-28 client; with `elicitation`, the SDK declares the
    elicitation capability and answers questions with it."""
    if era != MODERN:
        version = LEGACY if era == "legacy" else era
        previous = sdk_session.LATEST_HANDSHAKE_VERSION
        sdk_session.LATEST_HANDSHAKE_VERSION = version
        try:
            async with streamable_http_client(url) as (read, write), \
                    ClientSession(read, write, elicitation_callback=elicitation) as session:
                await session.initialize()
                yield session
        finally:
            sdk_session.LATEST_HANDSHAKE_VERSION = previous
    else:
        async with Client(url, mode=MODERN, cache=None, elicitation_callback=elicitation) as client:
            yield client


def call(url: str, era: str, tool: str, arguments: dict, elicitation=None):
    """The tool result; a JSON-RPC error is raised as MCPError once the
    connection is closed (inside it, the SDK wraps it in a task group's
    ExceptionGroup)."""
    async def go():
        async with connect(url, era, elicitation) as client:
            try:
                return await client.call_tool(tool, arguments)
            except MCPError as error:
                return error
    outcome = asyncio.run(go())
    if isinstance(outcome, MCPError):
        raise outcome
    return outcome


def list_tools(url: str, era: str):
    async def go():
        async with connect(url, era) as client:
            return (await client.list_tools()).tools
    return asyncio.run(go())


class Person:
    """The user behind the client: answers every question with `action`
    and remembers what was asked."""

    def __init__(self, action: str = "accept", delay: float = 0.0):
        self.action, self.delay = action, delay
        self.asked = []

    async def __call__(self, context, params):
        self.asked.append(params)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.action == "accept":
            return ElicitResult(action="accept", content={})
        return ElicitResult(action=self.action)


# ---------------------------------------------------------------- raw 2026-07-28 requests

def capabilities(elicitation: bool = True) -> dict:
    return {"elicitation": {"form": {}}} if elicitation else {}


def raw_call(url: str, name: str, arguments: dict, *, elicitation: bool = True, request_state=None,
             responses=None, request_id: int = 1) -> requests.Response:
    """A 2026-07-28 tools/call exactly as test_transport.py sends them: the
    `_meta` every stateless request carries, and the MCP-Protocol-Version,
    Mcp-Method and Mcp-Name headers."""
    params = {"name": name, "arguments": arguments, "_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": capabilities(elicitation)}}
    if request_state is not None:
        params["requestState"] = request_state
    if responses is not None:
        params["inputResponses"] = responses
    body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}
    return requests.post(url, data=json.dumps(body), timeout=10, headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": name})


def raw_post(url: str, method: str, params: dict = None) -> requests.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**(params or {}), "_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}
    return requests.post(url, data=json.dumps(body), timeout=10, headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN, "Mcp-Method": method})


ACCEPT = {"confirm": {"action": "accept", "content": {}}}
DECLINE = {"confirm": {"action": "decline"}}


def ask(url: str, name: str, arguments: dict) -> dict:
    """The first call of a confirmed tool: the InputRequiredResult."""
    r = raw_call(url, name, arguments)
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    assert result["resultType"] == "input_required", result
    return result


def rpc_error(response: requests.Response) -> dict:
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert "error" in body and "result" not in body, body
    return body["error"]


def tool_result(response: requests.Response) -> dict:
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert "result" in body, body
    return body["result"]


def audit_for(gateway, tool: str, ticket: int) -> list[dict]:
    return [e for e in audit_entries(gateway) if e.get("tool") == tool and arguments_of(e).get("id") == ticket]


# ================================================================ endpoints

@pytest.mark.parametrize("era", ERAS)
def test_each_endpoint_lists_only_its_own_tools(world, era):
    everything = list_tools(at(world.gateway), era)
    assert sorted(tool.name for tool in everything) == ALL_TOOLS
    fingerprints = {tool.name: tool.meta["dev.gatehouse/fingerprint"] for tool in everything}
    for endpoint, expected in VIEWS.items():
        seen = list_tools(at(world.gateway, endpoint), era)
        assert sorted(tool.name for tool in seen) == expected, endpoint
        for tool in seen:
            # The same tool, described the same way, wherever it is served.
            assert tool.meta["dev.gatehouse/fingerprint"] == fingerprints[tool.name], (endpoint, tool.name)
        if endpoint == "research":
            assert all(tool.annotations.read_only_hint is True for tool in seen)


@pytest.mark.parametrize("era", ERAS)
def test_an_endpoint_names_itself_with_its_title_and_instructions(world, era):
    async def go(url):
        async with contextlib.AsyncExitStack() as stack:
            if era == MODERN:
                client = await stack.enter_async_context(Client(url, mode="auto", cache=None))
                return client.server_info, client.instructions
            session = await stack.enter_async_context(connect(url, era))
            result = await session.initialize()
            return result.server_info, result.instructions

    info, instructions = asyncio.run(go(at(world.gateway, "research")))
    assert info.title == "Company data (read-only)"
    assert instructions == "Read-only company data for research. Nothing here changes anything."
    info, _ = asyncio.run(go(at(world.gateway, "support")))
    assert info.title == "Support desk"
    info, instructions = asyncio.run(go(at(world.gateway)))
    assert info.title == "Gatehouse" and instructions != "Read-only company data for research. Nothing here changes anything."


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("endpoint, tool, arguments", [
    ("research", "delete_ticket", {"id": 1}),      # not read-only
    ("research", "page_views", {"slug": "home"}),   # a GET annotated as writing
    ("support", "search_pages", {"q": "vpn"}),      # another connector
    ("support", "find_pages_by_ticket", {"ticket": 1}),  # matches find_* but is the wiki's
    ("support", "reopen_ticket", {"id": 1}),        # excluded by reopen_*
    ("library", "read_ticket", {"id": 1}),          # not tagged research
])
def test_a_tool_outside_the_endpoints_view_cannot_be_called(world, era, endpoint, tool, arguments):
    before = len(world.api.seen())
    with pytest.raises(MCPError) as refused:
        call(at(world.gateway, endpoint), era, tool, arguments, elicitation=Person("accept"))
    assert refused.value.code == -32602 and "Unknown tool" in str(refused.value), refused.value
    assert len(world.api.seen()) == before, "nothing reached the upstream"
    # The same tool is served at /mcp (it exists; the endpoint hides it).
    assert tool in ALL_TOOLS


@pytest.mark.parametrize("era", ERAS)
def test_a_tool_in_the_view_is_called_and_audited_with_its_endpoint(world, era):
    ticket = next(ticket_ids)
    result = call(at(world.gateway, "support"), era, "read_ticket", {"id": ticket})
    assert not result.is_error, text_of(result)
    assert json.loads(text_of(result)) == {"served": "gatehouse", "path": f"/tickets/{ticket}"}
    assert len(world.api.calls("GET", f"/tickets/{ticket}")) == 1
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "read_ticket" and arguments_of(e).get("id") == ticket)
    assert line["endpoint"] == "support" and line["outcome"] == "ok"
    assert line["era"] == ("modern" if era == MODERN else "legacy")
    assert "confirmation" not in line, "a tool without confirm writes no confirmation field"
    # Through /mcp the line names no endpoint.
    ticket = next(ticket_ids)
    assert not call(at(world.gateway), era, "read_ticket", {"id": ticket}).is_error
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "read_ticket" and arguments_of(e).get("id") == ticket)
    assert "endpoint" not in line


def test_status_lists_the_endpoints_with_their_tools(world):
    listed = status(world.gateway)["endpoints"]
    assert [e["name"] for e in listed] == ["research", "support", "library"], "in file order"
    by_name = {e["name"]: e for e in listed}
    for name, expected in VIEWS.items():
        assert by_name[name]["path"] == f"/mcp/{name}"
        assert by_name[name]["tools"] == expected
    assert by_name["research"]["read_only"] is True
    assert "read_only" not in by_name["support"] and "scopes" not in by_name["support"]


def test_an_unknown_endpoint_is_not_found(world):
    for method in (requests.get, requests.post, requests.delete):
        r = method(world.gateway.mcp + "/nowhere", timeout=10)
        assert r.status_code == 404, (method, r.status_code, r.text)
    r = raw_post(world.gateway.mcp + "/nowhere", "tools/list")
    assert r.status_code == 404 and "no such endpoint" in r.json()["error"]["message"]


def test_without_oauth_no_endpoint_publishes_resource_metadata(world):
    for path in ("/.well-known/oauth-protected-resource/mcp/research", "/mcp/research/.well-known/oauth-protected-resource"):
        assert requests.get(world.gateway.url + path, timeout=10).status_code == 404, path


# ================================================================ fingerprints

@pytest.mark.parametrize("era", ERAS)
def test_every_tool_carries_its_fingerprint_in_meta(world, era):
    tools = list_tools(at(world.gateway), era)
    served = {tool.name: tool.meta["dev.gatehouse/fingerprint"] for tool in tools}
    assert all(FINGERPRINT.match(value) for value in served.values()), served
    assert len(set(served.values())) == len(served), "each tool has its own fingerprint"
    report = status(world.gateway)
    assert report["lock"] == "absent"
    listed = {entry["name"]: entry for entry in report["tool_fingerprints"]}
    assert set(listed) == set(served)
    for name, fingerprint in served.items():
        entry = listed[name]
        assert entry["fingerprint"] == fingerprint
        assert entry["connector"] == ("wiki" if name in ("edit_page", "find_pages_by_ticket", "page_views", "search_pages")
                                      else "tickets")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", entry["changed_at"]), entry
        assert "lock" not in entry and "fingerprint_in_files" not in entry


# ================================================================ confirmations through the SDK

@pytest.mark.parametrize("era", ["legacy", "2025-06-18", MODERN])
def test_an_accepted_confirmation_calls_the_upstream_once(world, era):
    ticket = next(ticket_ids)
    person = Person("accept")
    result = call(at(world.gateway), era, "delete_ticket", {"id": ticket}, elicitation=person)
    assert not result.is_error, text_of(result)
    assert json.loads(text_of(result)) == {"served": "gatehouse", "path": f"/tickets/{ticket}"}
    (question,) = person.asked
    assert question.message == f"Delete ticket {ticket}? This cannot be undone."
    assert question.requested_schema == EMPTY_FORM
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1, "the confirmed call went upstream exactly once"
    wait_for_audit(world.gateway, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket
                   and e.get("confirmation") == "accepted" and e.get("outcome") == "ok")
    lines = audit_for(world.gateway, "delete_ticket", ticket)
    assert [e["confirmation"] for e in lines] == ["asked", "accepted"], lines
    assert lines[0]["outcome"] == "confirmation_asked" and lines[0]["upstream_status"] == "none"


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("action, word, audited", [("decline", "declined", "declined"), ("cancel", "dismissed", "cancelled")])
def test_a_declined_or_dismissed_confirmation_sends_nothing(world, era, action, word, audited):
    ticket = next(ticket_ids)
    person = Person(action)
    result = call(at(world.gateway), era, "delete_ticket", {"id": ticket}, elicitation=person)
    assert result.is_error
    assert f"The user {word} the confirmation for Delete ticket; the call was not made." in text_of(result)
    assert "Do not retry it unless the user asks again." in text_of(result)
    assert len(person.asked) == 1, "asked once, not again after the answer"
    time.sleep(0.2)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == [], "the upstream never saw the DELETE"
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket
                             and e.get("confirmation") == audited)
    assert line["outcome"] == "not_confirmed" and line["upstream_status"] == "none"


@pytest.mark.parametrize("era", ERAS)
def test_the_connectors_policy_asks_with_the_default_question_and_respects_exceptions(world, era):
    ticket = next(ticket_ids)
    person = Person("accept")
    # PUT: destructive, so `confirm: destructive` on the connector asks.
    assert not call(at(world.gateway), era, "reopen_ticket", {"id": ticket}, elicitation=person).is_error
    assert [q.message for q in person.asked] == [f"Allow Reopen ticket to run?\nid: {ticket}"]
    assert len(world.api.calls("PUT", f"/tickets/{ticket}/open")) == 1
    # `confirm: true` on a tool of a connector without a policy: the default question.
    person.asked.clear()
    slug = f"page-{ticket}"
    assert not call(at(world.gateway), era, "edit_page", {"slug": slug, "text": "New text"}, elicitation=person).is_error
    (question,) = person.asked
    assert question.message.splitlines()[0] == "Allow Edit page to run?"
    assert sorted(question.message.splitlines()[1:]) == [f"slug: {slug}", "text: New text"]
    assert len(world.api.calls("PUT", f"/wiki/pages/{slug}")) == 1
    # PATCH with `confirm: false`, and POST (not destructive): never asked.
    person.asked.clear()
    assert not call(at(world.gateway), era, "close_ticket", {"id": ticket}, elicitation=person).is_error
    assert not call(at(world.gateway), era, "create_ticket", {"title": f"T{ticket}"}, elicitation=person).is_error
    assert person.asked == []
    assert len(world.api.calls("PATCH", f"/tickets/{ticket}/close")) == 1
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "close_ticket" and arguments_of(e).get("id") == ticket)
    assert "confirmation" not in line


@pytest.mark.parametrize("era", ERAS)
def test_a_client_that_cannot_ask_is_refused_and_nothing_is_sent(world, era):
    ticket = next(ticket_ids)
    result = call(at(world.gateway), era, "delete_ticket", {"id": ticket})   # no elicitation callback
    assert result.is_error
    assert "asks the user to confirm each call, and this client cannot show the question; the call was not made" \
        in text_of(result)
    time.sleep(0.2)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == []
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket)
    assert line["confirmation"] == "unavailable" and line["outcome"] == "not_confirmed"


@pytest.mark.parametrize("era", ERAS)
def test_with_confirm_without_elicitation_allow_the_call_goes_through(world, era):
    ticket = next(ticket_ids)
    result = call(at(world.allowing), era, "delete_ticket", {"id": ticket})   # no elicitation callback
    assert not result.is_error, text_of(result)
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1
    (line,) = wait_for_audit(world.allowing, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket)
    assert line["confirmation"] == "not_asked" and line["outcome"] == "ok"
    # A client that can ask is still asked there, and a "no" still stops the call.
    ticket = next(ticket_ids)
    person = Person("decline")
    assert call(at(world.allowing), era, "delete_ticket", {"id": ticket}, elicitation=person).is_error
    assert len(person.asked) == 1
    time.sleep(0.2)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == []


@pytest.mark.parametrize("era", ERAS)
def test_confirmations_work_through_an_endpoint(world, era):
    ticket = next(ticket_ids)
    person = Person("accept")
    result = call(at(world.gateway, "support"), era, "delete_ticket", {"id": ticket}, elicitation=person)
    assert not result.is_error, text_of(result)
    assert [q.message for q in person.asked] == [f"Delete ticket {ticket}? This cannot be undone."]
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1
    (line,) = wait_for_audit(world.gateway, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket
                             and e.get("confirmation") == "accepted")
    assert line["endpoint"] == "support"


def test_a_legacy_question_left_unanswered_past_the_timeout_is_a_cancellation(world, tmp_path):
    """GATEHOUSE_CONFIRM_TIMEOUT_SECONDS=5 (the least it takes): the person
    would take 7 s; the call ends as dismissed after 5, and nothing is sent."""
    gateway = start_gateway(world.folder, {**COMMON_ENV, "GATEHOUSE_CONFIRM_TIMEOUT_SECONDS": "5"})
    try:
        ticket = next(ticket_ids)
        person = Person("accept", delay=7.0)
        started = time.monotonic()
        result = call(at(gateway), "legacy", "delete_ticket", {"id": ticket}, elicitation=person)
        elapsed = time.monotonic() - started
        assert result.is_error and "dismissed the confirmation" in text_of(result), text_of(result)
        assert len(person.asked) == 1
        assert 4.8 < elapsed < 6.9, f"the call ended after {elapsed:.1f} s"
        time.sleep(0.3)
        assert world.api.calls("DELETE", f"/tickets/{ticket}") == []
        (line,) = wait_for_audit(gateway, lambda e: e.get("tool") == "delete_ticket" and arguments_of(e).get("id") == ticket
                                 and e.get("confirmation") != "asked")
        assert line["confirmation"] == "cancelled"
    finally:
        gateway.stop()


# ================================================================ the 2026-07-28 wire, raw

def test_the_question_the_retry_and_a_replay_on_the_wire(world):
    ticket = next(ticket_ids)
    url = at(world.gateway)
    first = ask(url, "delete_ticket", {"id": ticket})
    assert first["inputRequests"] == {"confirm": {"method": "elicitation/create", "params": {
        "mode": "form", "message": f"Delete ticket {ticket}? This cannot be undone.", "requestedSchema": EMPTY_FORM}}}
    assert isinstance(first["requestState"], str) and first["requestState"]
    assert "isError" not in first and "content" not in first
    time.sleep(0.1)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == [], "asking sends nothing"

    accepted = tool_result(raw_call(url, "delete_ticket", {"id": ticket}, request_state=first["requestState"], responses=ACCEPT))
    assert accepted["resultType"] == "complete" and not accepted.get("isError"), accepted
    assert json.loads(accepted["content"][0]["text"])["path"] == f"/tickets/{ticket}"
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1

    # The same accepted retry again: refused, and the upstream is not called twice.
    error = rpc_error(raw_call(url, "delete_ticket", {"id": ticket}, request_state=first["requestState"], responses=ACCEPT,
                               request_id=2))
    assert error["code"] == -32602 and "already used" in error["message"], error
    time.sleep(0.1)
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1


def test_a_declined_state_cannot_be_replayed_as_an_accept(world):
    ticket = next(ticket_ids)
    url = at(world.gateway)
    state = ask(url, "delete_ticket", {"id": ticket})["requestState"]
    declined = tool_result(raw_call(url, "delete_ticket", {"id": ticket}, request_state=state, responses=DECLINE))
    assert declined["isError"] is True and "declined" in declined["content"][0]["text"]
    error = rpc_error(raw_call(url, "delete_ticket", {"id": ticket}, request_state=state, responses=ACCEPT))
    assert error["code"] == -32602 and "already used" in error["message"], error
    time.sleep(0.1)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == []


def tampered(state: str) -> list[str]:
    """The state with its signature altered, and with its payload altered
    (another tool named in the second field) under the old signature."""
    parts = state.split(".")
    signature = parts[-1]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_tool = base64.urlsafe_b64encode(b"close_ticket").rstrip(b"=").decode()
    return [".".join(parts[:-1] + [flipped]), ".".join([parts[0], other_tool] + parts[2:]), "garbage", state + "x"]


def test_a_tampered_request_state_is_refused(world):
    ticket = next(ticket_ids)
    url = at(world.gateway)
    state = ask(url, "delete_ticket", {"id": ticket})["requestState"]
    for forged in tampered(state):
        error = rpc_error(raw_call(url, "delete_ticket", {"id": ticket}, request_state=forged, responses=ACCEPT))
        assert error["code"] == -32602 and "Invalid requestState" in error["message"], (forged, error)
    # Bound to the arguments: the state for one ticket does not delete another.
    other = next(ticket_ids)
    error = rpc_error(raw_call(url, "delete_ticket", {"id": other}, request_state=state, responses=ACCEPT))
    assert error["code"] == -32602 and "Invalid requestState" in error["message"] and "another tool call" in error["message"]
    # And to the tool.
    error = rpc_error(raw_call(url, "close_ticket", {"id": ticket}, request_state=state, responses=ACCEPT))
    assert error["code"] == -32602 and "Invalid requestState" in error["message"]
    # A state without the answer is refused too, and does not use the state up.
    error = rpc_error(raw_call(url, "delete_ticket", {"id": ticket}, request_state=state))
    assert error["code"] == -32602 and "inputResponses.confirm" in error["message"], error
    time.sleep(0.1)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == [] and world.api.calls("DELETE", f"/tickets/{other}") == []
    assert world.api.calls("PATCH", f"/tickets/{ticket}/close") == []
    # The genuine state still works once.
    assert not tool_result(raw_call(url, "delete_ticket", {"id": ticket}, request_state=state, responses=ACCEPT)).get("isError")
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1


def test_a_request_state_of_one_endpoint_is_worthless_at_another(world):
    ticket = next(ticket_ids)
    from_support = ask(at(world.gateway, "support"), "delete_ticket", {"id": ticket})["requestState"]
    from_main = ask(at(world.gateway), "delete_ticket", {"id": ticket})["requestState"]
    error = rpc_error(raw_call(at(world.gateway), "delete_ticket", {"id": ticket}, request_state=from_support, responses=ACCEPT))
    assert error["code"] == -32602 and "Invalid requestState" in error["message"], error
    error = rpc_error(raw_call(at(world.gateway, "support"), "delete_ticket", {"id": ticket}, request_state=from_main,
                               responses=ACCEPT))
    assert error["code"] == -32602 and "Invalid requestState" in error["message"], error
    # Another gateway (another session key) does not take it either.
    error = rpc_error(raw_call(at(world.allowing), "delete_ticket", {"id": ticket}, request_state=from_main, responses=ACCEPT))
    assert error["code"] == -32602 and "Invalid requestState" in error["message"], error
    time.sleep(0.1)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == []


def test_a_raw_client_without_elicitation_gets_a_tool_error(world):
    ticket = next(ticket_ids)
    result = tool_result(raw_call(at(world.gateway), "delete_ticket", {"id": ticket}, elicitation=False))
    assert result["resultType"] == "complete" and result["isError"] is True
    assert "requestState" not in result and "inputRequests" not in result
    # Declaring only URL elicitation is not being able to show a question.
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "delete_ticket", "arguments": {"id": ticket},
            "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                      "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"url": {}}}}}}
    r = requests.post(at(world.gateway), json=body, timeout=10, headers={
        "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "delete_ticket"})
    assert tool_result(r)["isError"] is True, r.text
    time.sleep(0.1)
    assert world.api.calls("DELETE", f"/tickets/{ticket}") == []


# ================================================================ state across a redefinition of the endpoint

@pytest.fixture
def own(world, tmp_path):
    """A gateway of its own on a copy of the folder, so the test may edit
    endpoints.yaml."""
    folder = tmp_path / "connectors.d"
    shutil.copytree(world.folder, folder)
    gateway = start_gateway(folder, {**COMMON_ENV, "GATEHOUSE_CONFIRM_TIMEOUT_SECONDS": "5"})
    try:
        yield gateway
    finally:
        gateway.stop()


def write_atomically(path, text: str) -> None:
    """As an editor saves: the watching server never reads half a file."""
    temporary = path.with_name("." + path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def retitle_support(gateway, title: str) -> None:
    path = gateway.folder / "endpoints.yaml"
    write_atomically(path, path.read_text().replace("title: Support desk", f"title: {title}"))

    def titled():
        r = raw_post(at(gateway, "support"), "server/discover")
        return r.status_code == 200 and r.json()["result"]["_meta"]["io.modelcontextprotocol/serverInfo"].get("title") == title
    assert wait_until(titled, timeout=5), "the endpoint did not take the new title"


def test_a_used_request_state_stays_used_when_endpoints_yaml_changes(world, own):
    """A confirmation state is accepted once. Editing endpoints.yaml (here
    only the support endpoint's title) must not make an answered question
    answerable again."""
    ticket = next(ticket_ids)
    url = at(own, "support")
    state = ask(url, "delete_ticket", {"id": ticket})["requestState"]
    assert not tool_result(raw_call(url, "delete_ticket", {"id": ticket}, request_state=state, responses=ACCEPT)).get("isError")
    assert len(world.api.calls("DELETE", f"/tickets/{ticket}")) == 1
    retitle_support(own, "Support desk (renamed)")
    replay = raw_call(url, "delete_ticket", {"id": ticket}, request_state=state, responses=ACCEPT, request_id=2)
    time.sleep(0.1)
    deletes = len(world.api.calls("DELETE", f"/tickets/{ticket}"))
    assert "error" in replay.json() and "already used" in replay.json()["error"]["message"], (
        f"replayed after the endpoints file changed: {replay.text}; the upstream got {deletes} DELETEs")
    assert deletes == 1


def test_an_ended_session_stays_ended_when_endpoints_yaml_changes(own):
    url = at(own, "support")
    init = requests.post(url, timeout=10, headers={"Accept": "application/json, text/event-stream"}, json={
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    session = init.headers["Mcp-Session-Id"]
    headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY, "Accept": "application/json, text/event-stream"}
    ping = lambda: requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers, timeout=10)
    assert ping().status_code == 200
    assert requests.delete(url, headers=headers, timeout=10).status_code == 200
    assert ping().status_code == 404
    # A session of /mcp/support is not one of /mcp.
    assert requests.post(own.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers, timeout=10).status_code == 404
    retitle_support(own, "Support desk (renamed)")
    assert ping().status_code == 404, "a session the client ended came back after endpoints.yaml changed"


def test_a_legacy_answer_given_while_endpoints_yaml_changes_still_counts(world, own):
    """The person accepts on a 2025-11-25 session at /mcp/support while an
    administrator retitles that endpoint: the answer reaches the call that
    asked, and the call goes through (GATEHOUSE_CONFIRM_TIMEOUT_SECONDS=5
    here, so a lost answer shows as a dismissal after 5 s)."""
    ticket = next(ticket_ids)
    asked = []

    async def person(context, params):
        asked.append(params)
        await asyncio.to_thread(retitle_support, own, "Support desk (edited meanwhile)")
        return ElicitResult(action="accept", content={})

    result = call(at(own, "support"), "legacy", "delete_ticket", {"id": ticket}, elicitation=person)
    assert len(asked) == 1
    deletes = world.api.calls("DELETE", f"/tickets/{ticket}")
    assert not result.is_error and len(deletes) == 1, (
        f"the answer was lost: {text_of(result)!r}; the upstream got {len(deletes)} DELETEs")


# ================================================================ list_changed, per endpoint

class EndpointListener:
    """A 2025-11-25 session with its GET stream and a 2026-07-28
    subscription on one endpoint, collecting tools/list_changed."""

    def __init__(self, url: str):
        self.url = url
        self.legacy = asyncio.Queue()
        self.modern = asyncio.Queue()

    async def __aenter__(self):
        self.stack = contextlib.AsyncExitStack()

        async def on_message(message):
            if isinstance(message, mcp_types.ToolListChangedNotification):
                await self.legacy.put(message)

        read, write = await self.stack.enter_async_context(streamable_http_client(self.url))
        session = await self.stack.enter_async_context(ClientSession(read, write, message_handler=on_message))
        await session.initialize()
        client = await self.stack.enter_async_context(Client(self.url, mode=MODERN, cache=None))
        subscription = await self.stack.enter_async_context(client.listen(tools_list_changed=True))
        assert subscription.honored.tools_list_changed

        async def pump():
            async for event in subscription:
                if isinstance(event, ToolsListChanged):
                    await self.modern.put(event)

        self.pump = asyncio.get_running_loop().create_task(pump())
        await asyncio.sleep(0.3)   # the legacy GET stream opens
        return self

    async def __aexit__(self, *exc):
        self.pump.cancel()
        await self.stack.aclose()

    async def notified(self, timeout: float) -> tuple[bool, bool]:
        async def one(queue):
            try:
                await asyncio.wait_for(queue.get(), timeout)
                return True
            except asyncio.TimeoutError:
                return False
        legacy, modern = await asyncio.gather(one(self.legacy), one(self.modern))
        await asyncio.sleep(0.3)   # echoes of the same change, if any, are dropped below
        for queue in (self.legacy, self.modern):
            while not queue.empty():
                queue.get_nowait()
        return legacy, modern


def test_each_endpoint_is_told_only_about_changes_to_its_own_list(world, own):
    previous = sdk_session.LATEST_HANDSHAKE_VERSION
    sdk_session.LATEST_HANDSHAKE_VERSION = LEGACY

    async def go():
        async with EndpointListener(at(own, "research")) as research, EndpointListener(at(own, "support")) as support:
            wiki = own.folder / "wiki.yaml"
            write_atomically(wiki, wiki.read_text().replace("Full-text search over the wiki.", "Search the wiki."))
            assert await research.notified(5) == (True, True), "research serves search_pages"
            assert await support.notified(1) == (False, False), "support does not"
            tickets = own.folder / "tickets.yaml"
            write_atomically(tickets, tickets.read_text().replace("description: Close a ticket.", "description: Close one ticket."))
            assert await support.notified(5) == (True, True), "support serves close_ticket"
            assert await research.notified(1) == (False, False), "research does not"

    try:
        asyncio.run(go())
    finally:
        sdk_session.LATEST_HANDSHAKE_VERSION = previous
