"""Hot reload of connectors.d against the running binary: every kind of
folder change reaches `tools/list` and the open notification streams of both
protocol eras; broken files keep their last good version; calls under a
storm of rewrites never fail."""

import asyncio
import json
import os
import pathlib
import signal
import threading
import time

import mcp.types as types
import pytest
import requests
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import ToolsListChanged

from support.calls import MODERN, tool_call_body
from support.gateway import start_gateway
from support.polling import wait_until

def connector(name: str, tools: list[str], base: str, extra: str = "") -> str:
    body = "".join(
        f"  - name: {tool}\n    description: Tool {tool}.\n    path: /get\n"
        f"    query:\n      tool: {tool}\n{extra}"
        for tool in tools
    )
    return f"connector: {name}\nbase_url: {base}\ntools:\n{body}"


def write_atomically(path: pathlib.Path, text: str) -> None:
    temporary = path.with_name("." + path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


@pytest.fixture
def live(httpbin_url, tmp_path, request):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    (folder / "a.yaml").write_text(connector("alpha", ["alpha_one"], httpbin_url))
    env = getattr(request, "param", {})
    gateway = start_gateway(folder, {"GATEHOUSE_PAGE_SIZE": "200", **env})
    gateway.httpbin = httpbin_url
    yield gateway
    gateway.process.send_signal(signal.SIGTERM)
    assert gateway.process.wait(15) == 0, "graceful shutdown must exit 0"


def modern_names(gateway) -> list[str]:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}
    r = requests.post(gateway.mcp, json=body, headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"})
    return [tool["name"] for tool in r.json()["result"]["tools"]]


class Listeners:
    """A legacy session with its GET stream and a 2026-07-28 subscription,
    both open while the test changes the folder."""

    def __init__(self, url: str):
        self.url = url
        self.legacy_events = asyncio.Queue()
        self.modern_events = asyncio.Queue()

    async def __aenter__(self):
        self.stack = contextlib_stack = __import__("contextlib").AsyncExitStack()

        async def on_message(message):
            if isinstance(message, types.ToolListChangedNotification):
                await self.legacy_events.put(message)

        read, write = await contextlib_stack.enter_async_context(streamable_http_client(self.url))
        self.session = await contextlib_stack.enter_async_context(ClientSession(read, write, message_handler=on_message))
        await self.session.initialize()
        self.client = await contextlib_stack.enter_async_context(Client(self.url, mode=MODERN, cache=None))
        self.subscription = await contextlib_stack.enter_async_context(self.client.listen(tools_list_changed=True))
        assert self.subscription.honored.tools_list_changed

        async def pump():
            async for event in self.subscription:
                if isinstance(event, ToolsListChanged):
                    await self.modern_events.put(event)

        self.pump = asyncio.get_running_loop().create_task(pump())
        # Give the legacy client time to open its GET stream.
        await asyncio.sleep(0.3)
        return self

    async def __aexit__(self, *exc):
        self.pump.cancel()
        await self.stack.aclose()

    async def both_notified(self, timeout=5.0):
        await asyncio.wait_for(self.legacy_events.get(), timeout)
        await asyncio.wait_for(self.modern_events.get(), timeout)
        # Let a second reload of the same burst settle, then drop its echoes.
        await asyncio.sleep(0.2)
        for queue in (self.legacy_events, self.modern_events):
            while not queue.empty():
                queue.get_nowait()

    async def names(self):
        legacy = [t.name for t in (await self.session.list_tools()).tools]
        modern = [t.name for t in (await self.client.list_tools()).tools]
        assert legacy == modern
        return legacy


def test_add_edit_rename_delete_reach_both_eras(live):
    folder = live.folder

    async def go():
        async with Listeners(live.mcp) as listeners:
            assert await listeners.names() == ["alpha_one"]

            (folder / "b.yaml").write_text(connector("beta", ["beta_one", "beta_two"], live.httpbin))
            await listeners.both_notified()
            assert await listeners.names() == ["alpha_one", "beta_one", "beta_two"]

            (folder / "b.yaml").write_text(connector("beta", ["beta_one", "beta_three"], live.httpbin))
            await listeners.both_notified()
            assert await listeners.names() == ["alpha_one", "beta_one", "beta_three"]

            # A rename changes which file serves the tools, not the tools:
            # nothing to notify, and the list stays the same.
            os.rename(folder / "b.yaml", folder / "c.yaml")
            assert wait_until(lambda: any(
                c["file"].endswith("c.yaml") for c in requests.get(live.url + "/status").json()["connectors"]))
            assert await listeners.names() == ["alpha_one", "beta_one", "beta_three"]

            # An editor's save: write a temporary file, rename it over the old one.
            write_atomically(folder / "c.yaml", connector("beta", ["beta_four"], live.httpbin))
            await listeners.both_notified()
            assert await listeners.names() == ["alpha_one", "beta_four"]

            (folder / "c.yaml").unlink()
            await listeners.both_notified()
            assert await listeners.names() == ["alpha_one"]

    asyncio.run(go())


def test_broken_file_keeps_its_last_good_version(live):
    folder = live.folder
    (folder / "a.yaml").write_text(connector("alpha", ["alpha_one"], live.httpbin) + "    colour: red\n")
    assert wait_until(lambda: requests.get(live.url + "/status").json()["problems"])
    status = requests.get(live.url + "/status").json()
    assert modern_names(live) == ["alpha_one"], "the last good version is still served"
    assert status["files"][0]["state"] == "serving last good version"
    assert any("a.yaml:9:5: unknown key 'colour' in a tool" in p for p in status["problems"])

    # A file that never loaded is simply absent; others are untouched.
    (folder / "z.yaml").write_text("connector: [broken\n")
    assert wait_until(lambda: any("z.yaml" in p for p in requests.get(live.url + "/status").json()["problems"]))
    assert modern_names(live) == ["alpha_one"]

    (folder / "a.yaml").write_text(connector("alpha", ["alpha_fixed"], live.httpbin))
    (folder / "z.yaml").unlink()
    assert wait_until(lambda: modern_names(live) == ["alpha_fixed"])
    assert wait_until(lambda: requests.get(live.url + "/status").json()["problems"] == [])


def test_conflicting_change_is_rejected_deterministically(live):
    folder = live.folder
    (folder / "b.yaml").write_text(connector("beta", ["beta_one"], live.httpbin))
    assert wait_until(lambda: modern_names(live) == ["alpha_one", "beta_one"])
    # b.yaml now claims alpha_one, which a.yaml already serves: the change is refused
    # even though b.yaml sorts after, and a later reload decides the same way.
    (folder / "b.yaml").write_text(connector("beta", ["beta_one", "alpha_one"], live.httpbin))
    assert wait_until(lambda: requests.get(live.url + "/status").json()["problems"])
    for _ in range(2):
        os.kill(live.process.pid, signal.SIGHUP)
        time.sleep(0.2)
        status = requests.get(live.url + "/status").json()
        assert any("tool name 'alpha_one' is already defined at" in p and "a.yaml" in p for p in status["problems"])
        assert modern_names(live) == ["alpha_one", "beta_one"]
    # Now a.yaml, sorting first, tries to take beta_one from b.yaml: also refused.
    (folder / "b.yaml").write_text(connector("beta", ["beta_one"], live.httpbin))
    assert wait_until(lambda: requests.get(live.url + "/status").json()["problems"] == [])
    (folder / "a.yaml").write_text(connector("alpha", ["alpha_one", "beta_one"], live.httpbin))
    assert wait_until(lambda: requests.get(live.url + "/status").json()["problems"])
    problems = requests.get(live.url + "/status").json()["problems"]
    assert any("a.yaml" in p and "'beta_one' is already defined at" in p and "b.yaml" in p for p in problems)
    assert modern_names(live) == ["alpha_one", "beta_one"]


def test_configmap_data_symlink_swap(httpbin_url, tmp_path):
    folder = tmp_path / "configmap"
    folder.mkdir()
    first = folder / "..2026_11_26_08_00_00.000000001"
    first.mkdir()
    (first / "tools.yaml").write_text(connector("cm", ["cm_v1"], httpbin_url))
    os.symlink(first.name, folder / "..data")
    os.symlink("..data/tools.yaml", folder / "tools.yaml")
    gateway = start_gateway(folder)
    try:
        assert modern_names(gateway) == ["cm_v1"]

        async def go():
            async with Listeners(gateway.mcp) as listeners:
                # What the kubelet does: new timestamped folder, new symlink, atomic rename.
                second = folder / "..2026_11_26_08_05_00.000000002"
                second.mkdir()
                (second / "tools.yaml").write_text(connector("cm", ["cm_v2"], httpbin_url))
                os.symlink(second.name, folder / "..data_tmp")
                os.replace(folder / "..data_tmp", folder / "..data")
                import shutil
                shutil.rmtree(first)
                await listeners.both_notified()
                assert await listeners.names() == ["cm_v2"]

        asyncio.run(go())
    finally:
        gateway.process.send_signal(signal.SIGTERM)
        assert gateway.process.wait(15) == 0


@pytest.mark.parametrize("live", [{"GATEHOUSE_WATCH": "off"}], indirect=True)
def test_sighup_forces_a_reload(live):
    (live.folder / "b.yaml").write_text(connector("beta", ["beta_one"], live.httpbin))
    time.sleep(0.5)
    assert modern_names(live) == ["alpha_one"], "watching is off: nothing happens by itself"

    async def go():
        async with Listeners(live.mcp) as listeners:
            os.kill(live.process.pid, signal.SIGHUP)
            await listeners.both_notified()
            assert await listeners.names() == ["alpha_one", "beta_one"]

    asyncio.run(go())


@pytest.mark.parametrize("live", [{"GATEHOUSE_WATCH": "poll", "GATEHOUSE_POLL_INTERVAL_MS": "200"}], indirect=True)
def test_polling_fallback(live):
    (live.folder / "b.yaml").write_text(connector("beta", ["beta_polled"], live.httpbin))
    assert wait_until(lambda: modern_names(live) == ["alpha_one", "beta_polled"], timeout=3)


def test_file_secrets_are_reread_on_reload(live):
    secret = live.folder.parent / "password"
    secret.write_text("first-password\n")
    # httpbin's /basic-auth/{user}/{password} answers 200 only when the
    # request's credentials are exactly those: proof of what the gateway sent
    # without the upstream echoing the secret (which would be redacted).
    (live.folder / "s.yaml").write_text(
        f"connector: secret\nbase_url: {live.httpbin}\nauth:\n  basic: {{ username: robot, password: \"${{file:{secret}}}\" }}\n"
        "tools:\n  - name: login\n    description: Check the credentials.\n    path: /basic-auth/robot/{expected}\n"
        "    parameters:\n      expected: string\n")
    assert wait_until(lambda: "login" in modern_names(live))

    def accepted(expected):
        body = tool_call_body("login", {"expected": expected})
        r = requests.post(live.mcp, json=body, headers={
            "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "login"})
        return not r.json()["result"].get("isError")

    assert accepted("first-password") and not accepted("rotated-password")
    secret.write_text("rotated-password\n")  # a rotated Kubernetes secret
    os.kill(live.process.pid, signal.SIGHUP)
    assert wait_until(lambda: accepted("rotated-password"))
    assert not accepted("first-password")


def test_calls_never_fail_while_the_folder_is_rewritten(live):
    """Continuous calls (bounded) while the tool is rewritten 60 times, half
    atomically and half in place; every call succeeds and is answered by one
    of the versions that were written."""
    folder = live.folder

    def version_file(n: int) -> str:
        return (f"connector: alpha\nbase_url: {live.httpbin}\ntools:\n"
                f"  - name: alpha_one\n    description: Version {n}.\n    path: /get\n"
                f"    query:\n      version: \"{n}\"\n    response:\n      select: args\n")

    (folder / "a.yaml").write_text(version_file(0))
    assert wait_until(lambda: requests.get(live.url + "/status").json()["connectors"][0]["tools"] == 1)
    time.sleep(0.3)
    written = {0}
    failures, answered = [], []
    stop = threading.Event()

    def caller():
        http = requests.Session()
        body = tool_call_body("alpha_one")
        headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "alpha_one"}
        for _ in range(1500):
            if stop.is_set():
                break
            try:
                r = http.post(live.mcp, json=body, headers=headers, timeout=10)
                result = r.json().get("result")
                if r.status_code != 200 or result is None or result.get("isError"):
                    failures.append(r.text[:300])
                else:
                    answered.append(int(json.loads(result["content"][0]["text"])["version"]))
            except Exception as error:  # noqa: BLE001 - any failure counts
                failures.append(repr(error))

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(1, 61):
        if n % 2:
            write_atomically(folder / "a.yaml", version_file(n))
        else:
            (folder / "a.yaml").write_text(version_file(n))
        written.add(n)
        time.sleep(0.03)
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(60)
    reloads = requests.get(live.url + "/status").json()["reloads"]
    assert failures == []
    assert len(answered) >= 200
    assert set(answered) <= written
    # Rewrites 30 ms apart are one long burst: reloaded at least once a
    # second while it lasts, then once more when it ends.
    assert len(set(answered)) >= 2, "calls saw the folder change"
    assert reloads["succeeded"] >= 2
    body = tool_call_body("alpha_one")
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "alpha_one"}
    assert wait_until(lambda: json.loads(requests.post(live.mcp, json=body, headers=headers).json()["result"]["content"][0]["text"])
                      ["version"] == "60"), "the last version written is served"


@pytest.mark.parametrize("live", [{"GATEHOUSE_KEEPALIVE_SECONDS": "1"}], indirect=True)
def test_closed_streams_are_released(live):
    """Clients that go away without a word stop counting as listeners once a
    keep-alive finds their connection closed."""
    session = requests.post(live.mcp, json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}).headers["Mcp-Session-Id"]
    streams = [requests.get(live.mcp, headers={"Mcp-Session-Id": session, "Accept": "text/event-stream"}, stream=True, timeout=5)
               for _ in range(3)]
    listen = requests.post(live.mcp, stream=True, timeout=5, json={
        "jsonrpc": "2.0", "id": "l1", "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": True}, "_meta": {
            "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}},
        headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen"})
    assert all(s.status_code == 200 for s in streams + [listen])
    assert wait_until(lambda: requests.get(live.url + "/status").json()["notification_streams"] == 4)
    for stream in streams + [listen]:
        stream.close()
    assert wait_until(lambda: requests.get(live.url + "/status").json()["notification_streams"] == 0, timeout=6)
