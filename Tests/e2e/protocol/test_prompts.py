"""Prompts and resources from a connector file, with the official MCP
Python SDK in both eras: prompts listed and filled in, resources listed
and read through httpbin (JSON shaped, a template's variables, binary
data as a blob), unknown ones "not found" in each era's way, and changes
served after a reload."""

import asyncio
import base64
import json

import pytest
from mcp.shared.exceptions import MCPError

from support.clients import legacy_session, modern_client
from support.connectors import write_connector
from support.gateway import start_gateway
from support.polling import wait_until

ERAS = ["2025-11-25", "2026-07-28"]


@pytest.fixture
def served(tmp_path, httpbin_url):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/prompts", "notes.yaml", UPSTREAM=httpbin_url)
    gateway = start_gateway(folder)
    try:
        yield gateway, folder
    finally:
        gateway.stop()


async def in_era(url: str, era: str, exercise):
    if era == "2026-07-28":
        async with modern_client(url) as client:
            return await exercise(client)
    async with legacy_session(url, era) as (session, initialized):
        assert initialized.capabilities.prompts is not None
        assert initialized.capabilities.resources is not None
        return await exercise(session)


@pytest.mark.parametrize("era", ERAS)
def test_prompts_are_listed_and_filled_in(served, era):
    gateway, _ = served

    async def exercise(client):
        listed = await client.list_prompts()
        prompt = {p.name: p for p in listed.prompts}["triage_ticket"]
        assert prompt.title == "Triage a ticket"
        assert [(a.name, bool(a.required)) for a in prompt.arguments] == [("id", True), ("team", False)]
        got = await client.get_prompt("triage_ticket", {"id": "42", "team": "desk"})
        assert got.description == "Read a ticket and suggest a priority."
        assert [(m.role, m.content.text) for m in got.messages] == [
            ("user", "Read ticket 42 and suggest an owner from team 'desk'."),
            ("assistant", "I will read the ticket first."),
        ]
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("triage_ticket", {"team": "desk"})
        assert missing.value.error.code == -32602 and "id" in missing.value.error.message
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("nope", {})
        assert unknown.value.error.code == -32602
        with pytest.raises(MCPError) as not_found:
            await client.read_resource("notes://nothing")
        assert not_found.value.error.code == (-32602 if era == "2026-07-28" else -32002)

    asyncio.run(in_era(gateway.mcp, era, exercise))


def test_a_changed_prompt_is_served_after_a_reload(served):
    gateway, folder = served
    path = folder / "notes.yaml"
    path.write_text(path.read_text().replace("I will read the ticket first.", "Reading it now."))

    async def latest():
        async with modern_client(gateway.mcp) as client:
            got = await client.get_prompt("triage_ticket", {"id": "1"})
            return got.messages[1].content.text

    assert wait_until(lambda: asyncio.run(latest()) == "Reading it now.", timeout=10)


@pytest.mark.parametrize("era", ERAS)
def test_resources_are_listed_and_read_through_the_api(served, era):
    gateway, _ = served

    async def exercise(client):
        resources = await client.list_resources()
        assert sorted(str(r.uri) for r in resources.resources) == ["notes://echo", "notes://picture"]
        templates = await client.list_resource_templates()
        assert [t.uri_template for t in templates.resource_templates] == ["notes://items/{id}"]
        fixed = await client.read_resource("notes://echo")
        assert fixed.contents[0].mime_type == "application/json"
        assert json.loads(fixed.contents[0].text) == {"kind": "fixed"}
        item = await client.read_resource("notes://items/42")
        assert json.loads(item.contents[0].text)["url"].endswith("/anything/items/42")
        picture = await client.read_resource("notes://picture")
        assert picture.contents[0].mime_type == "image/png"
        assert base64.b64decode(picture.contents[0].blob).startswith(b"\x89PNG")
        with pytest.raises(MCPError) as not_an_integer:
            await client.read_resource("notes://items/forty-two")
        assert not_an_integer.value.error.code == -32603
        assert "Invalid arguments" in not_an_integer.value.error.message

    asyncio.run(in_era(gateway.mcp, era, exercise))
