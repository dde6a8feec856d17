"""Reviewing tool changes: fingerprints, `gatehouse lock`, `gatehouse check`
against a stale lock, `gatehouse diff` between folders and between git
revisions, and the running server held to the lock across hot reloads
(connectors.lock and endpoints.yaml are watched with the connector files).
Protocol checks use the official MCP Python SDK in both eras."""

import asyncio
import json
import os
import pathlib
import re
import shutil
import subprocess

import mcp.client.session as sdk_session
import pytest
import requests
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from support.gateway import start_gateway
from support.paths import BIN
from support.polling import wait_until
from support.trust import log_path, recording_api, status

MODERN = "2026-07-28"
ERAS = ["legacy", MODERN]
FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{32}$")
ENV = {"GATEHOUSE_PAGE_SIZE": "100", "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_RELOAD_DEBOUNCE_MS": "20"}

# A connector as one person writes it ...
DESK = """\
# The store's desk API.
connector: desk
base_url: {base}
headers:
  X-Team: support
  X-Client: gatehouse
auth:
  bearer: ${{env:E2E_UPSTREAM_TOKEN}}
tools:
  - name: list_items
    title: List items
    description: List the items in the store.
    path: /items
    query:
      api-version: "2024-01-01"
      view: full
    parameters:
      limit: {{ type: integer, minimum: 1, maximum: 50, default: 10 }}
      q: {{ type: string, description: Search text }}
    response:
      select: items
  - name: remove_item
    description: Remove an item.
    method: DELETE
    path: /items/{{id}}
    headers:
      X-Reason: cleanup
      X-Trace: "{{{{ id }}}}"
    parameters:
      id: {{ type: integer, required: true }}
    confirm: "Remove item {{{{ id }}}}?"
    tags: [ops, cleanup]
    scopes: [desk:write]
"""

# ... and the same connector as another would: flow style, other quoting,
# other comments, every mapping in another key order.
DESK_REFORMATTED = """\
connector: "desk"   # same connector
auth: {{ bearer: "${{env:E2E_UPSTREAM_TOKEN}}" }}
headers: {{ X-Client: gatehouse, X-Team: "support" }}
base_url: "{base}"
tools:
  # listing
  - description: "List the items in the store."
    response: {{ select: "items" }}
    parameters:
      q: {{ description: "Search text", type: string }}
      limit:
        default: 10
        maximum: 50
        minimum: 1
        type: integer
    query: {{ view: full, api-version: '2024-01-01' }}
    path: "/items"
    title: 'List items'
    name: list_items
  - tags: [cleanup, ops]
    scopes: ["desk:write"]
    confirm: 'Remove item {{{{ id }}}}?'
    parameters: {{ id: {{ required: true, type: integer }} }}
    headers: {{ X-Trace: "{{{{ id }}}}", X-Reason: cleanup }}
    path: "/items/{{id}}"
    method: "DELETE"
    name: remove_item
    description: Remove an item.
"""

# Each a change of meaning: (what to replace, with what, the tools whose
# fingerprints change, a field `gatehouse diff` names for the first one).
SEMANTIC_CHANGES = [
    ("description: List the items in the store.", "description: List the items in the shop.", ["list_items"], "description"),
    ("title: List items", "title: Items", ["list_items"], "title"),
    ("    path: /items\n", "    path: /v2/items\n", ["list_items"], "url"),
    ("view: full", "view: brief", ["list_items"], "query"),
    ("maximum: 50", "maximum: 500", ["list_items"], "input_schema"),
    ("q: { type: string, description: Search text }", "q: { type: string, description: Search text, in: header, as: X-Q }",
     ["list_items"], "parameters"),
    ("      select: items", "      select: data", ["list_items"], "response"),
    ("    method: DELETE\n", "    method: PUT\n", ["remove_item"], "method"),
    ("X-Reason: cleanup", "X-Reason: purge", ["remove_item"], "headers"),
    ('confirm: "Remove item {{ id }}?"', 'confirm: "Really remove item {{ id }}?"', ["remove_item"], "confirm"),
    ("tags: [ops, cleanup]", "tags: [ops]", ["remove_item"], "tags"),
    ("scopes: [desk:write]", "scopes: [desk:admin]", ["remove_item"], "scopes"),
    ("    confirm:", "    annotations: { idempotent: false }\n    confirm:", ["remove_item"], "annotations"),
    ("X-Team: support", "X-Team: sales", ["list_items", "remove_item"], "headers"),
    ("  bearer: ${env:E2E_UPSTREAM_TOKEN}", "  api_key: { header: X-Api-Key, value: \"${env:E2E_UPSTREAM_TOKEN}\" }",
     ["list_items", "remove_item"], "auth"),
]


def gatehouse(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """The CLI; `env` adds variables (None removes one). The connectors'
    token variable is set unless removed, as on a machine that serves them."""
    merged = {**os.environ, "E2E_UPSTREAM_TOKEN": "upstream-secret-token"}
    for name, value in (env or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=merged, timeout=60)


def write_folder(folder: pathlib.Path, text: str, name: str = "desk.yaml") -> pathlib.Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def write_atomically(path: pathlib.Path, text: str) -> None:
    """As an editor saves: a temporary file renamed over the old one, so
    the watching server never reads half a file."""
    temporary = path.with_name("." + path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def lock_lines(folder: pathlib.Path) -> dict[str, tuple[str, str]]:
    """connectors.lock as {tool: (fingerprint, summary)}."""
    lines = {}
    for line in (folder / "connectors.lock").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, fingerprint, summary = line.split(" ", 2)
        lines[name] = (fingerprint, summary)
    return lines


def fingerprints_of(folder: pathlib.Path) -> dict[str, str]:
    """The fingerprints `gatehouse lock` computes for a copy of `folder`."""
    copy = folder.parent / (folder.name + "-fingerprints")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("connectors.lock"))
    done = gatehouse("lock", copy)
    assert done.returncode == 0, done.stdout + done.stderr
    found = {name: fingerprint for name, (fingerprint, _) in lock_lines(copy).items()}
    shutil.rmtree(copy)
    return found


# ================================================================ fingerprints

def test_formatting_comments_and_key_order_do_not_change_a_fingerprint(tmp_path):
    one = write_folder(tmp_path / "one", DESK.format(base="https://desk.example.test/api"))
    other = write_folder(tmp_path / "other", DESK_REFORMATTED.format(base="https://desk.example.test/api"))
    assert fingerprints_of(one) == fingerprints_of(other)
    assert all(FINGERPRINT.match(value) for value in fingerprints_of(one).values())
    report = gatehouse("diff", one, other, "--exit-code")
    assert report.returncode == 0, report.stdout
    assert report.stdout == f"## Tool changes: {one} → {other}\n\nNo tool changed.\n"


def test_the_order_of_parameters_does_not_change_a_fingerprint(tmp_path):
    """Two required parameters listed the other way round: the same tool
    (the published schema's `required` is a set)."""
    tool = ("connector: pair\nbase_url: https://pair.example.test\ntools:\n  - name: join\n    description: Join.\n"
            "    path: /join\n    parameters:\n")
    one = write_folder(tmp_path / "one", tool + "      a: { type: string, required: true }\n      b: { type: string, required: true }\n")
    other = write_folder(tmp_path / "other", tool + "      b: { type: string, required: true }\n      a: { type: string, required: true }\n")
    report = gatehouse("diff", one, other)
    assert fingerprints_of(one) == fingerprints_of(other), report.stdout


@pytest.mark.parametrize("old, new, changed, field", SEMANTIC_CHANGES, ids=[c[3] + "-" + c[0][:18].strip() for c in SEMANTIC_CHANGES])
def test_every_change_of_meaning_changes_the_fingerprint(tmp_path, old, new, changed, field):
    base = DESK.format(base="https://desk.example.test/api")
    assert old in base, old
    one = write_folder(tmp_path / "one", base)
    other = write_folder(tmp_path / "other", base.replace(old, new, 1))
    check = gatehouse("check", other)
    assert check.returncode == 0, check.stdout   # still a valid connector
    before, after = fingerprints_of(one), fingerprints_of(other)
    assert sorted(name for name in before if before[name] != after[name]) == changed
    report = gatehouse("diff", one, other, "--exit-code")
    assert report.returncode == 1, report.stdout
    assert f"0 added, {len(changed)} changed, 0 removed." in report.stdout
    assert f"- **changed** `{changed[0]}` (desk) {before[changed[0]]} → {after[changed[0]]}" in report.stdout
    assert re.search(rf"^  - `{field}`: ", report.stdout, re.M), report.stdout


def test_the_base_url_and_secrets_enter_by_reference_not_by_value(tmp_path):
    """A machine without the secrets computes the same fingerprints: the
    `${env:…}` reference counts, not its value; a written base URL counts."""
    text = DESK.format(base="${env:DESK_URL}")
    folder = write_folder(tmp_path / "refs", text)
    without = fingerprints_of(folder)
    with_values = gatehouse("lock", folder, env={"DESK_URL": "https://desk.example.test/api", "E2E_UPSTREAM_TOKEN": "secret-a"})
    assert with_values.returncode == 0
    assert {name: fp for name, (fp, _) in lock_lines(folder).items()} == without
    gatehouse("lock", folder, env={"DESK_URL": "https://elsewhere.example.test", "E2E_UPSTREAM_TOKEN": "secret-b"})
    assert {name: fp for name, (fp, _) in lock_lines(folder).items()} == without, "values never enter a fingerprint"
    written = write_folder(tmp_path / "written", DESK.format(base="https://desk.example.test/api"))
    assert fingerprints_of(written) != without, "a different base URL as written is a different tool"


# ================================================================ lock and check

def test_lock_writes_one_line_per_tool_and_check_accepts_it(tmp_path):
    folder = write_folder(tmp_path / "connectors.d", DESK.format(base="https://desk.example.test/api"))
    done = gatehouse("lock", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"wrote {folder}/connectors.lock: 2 tools, 2 updated\n"
    text = (folder / "connectors.lock").read_text()
    assert text.startswith("# Tools reviewed for serving")
    lines = lock_lines(folder)
    assert list(lines) == ["list_items", "remove_item"], "in name order"
    assert lines["list_items"][1] == "desk: GET /items — List items"
    assert lines["remove_item"][1] == "desk: DELETE /items/{id} [confirm]"
    assert all(FINGERPRINT.match(fingerprint) for fingerprint, _ in lines.values())
    check = gatehouse("check", folder)
    assert check.returncode == 0 and check.stdout.startswith("ok: 1 file, 2 tools"), check.stdout
    # Locking again changes nothing.
    again = gatehouse("lock", folder)
    assert again.stdout.endswith("2 tools, 0 updated\n") and (folder / "connectors.lock").read_text() == text


def test_check_fails_on_a_stale_lock(tmp_path):
    folder = write_folder(tmp_path / "connectors.d", DESK.format(base="https://desk.example.test/api"))
    assert gatehouse("lock", folder).returncode == 0
    text = (folder / "desk.yaml").read_text()
    changed = text.replace("List the items in the store.", "List every item.")
    removed = changed[:changed.index("  - name: remove_item")]
    added = removed + "  - name: add_item\n    description: Add one.\n    method: POST\n    path: /items\n"
    (folder / "desk.yaml").write_text(added)
    check = gatehouse("check", folder)
    assert check.returncode == 1, check.stdout
    lines = check.stdout.splitlines()
    desk, lock = folder / "desk.yaml", folder / "connectors.lock"
    stale = "; the lock is stale: review with `gatehouse diff`, then run `gatehouse lock`"
    add_line = added.splitlines().index("  - name: add_item") + 1
    assert f"{desk}:{add_line}:11: tool 'add_item' is not in the lock{stale}" in lines
    assert f"{desk}:10:11: tool 'list_items' differs from its locked definition{stale}" in lines
    assert f"{lock}:1:1: the lock names tool 'remove_item', which no file defines{stale}" in lines
    assert lines[-1] == "3 problems found"
    # One changed description alone is enough to fail.
    (folder / "desk.yaml").write_text(changed)
    check = gatehouse("check", folder)
    assert check.returncode == 1 and "lock is stale" in check.stdout
    assert check.stdout.splitlines()[-1] == "1 problem found", check.stdout
    # Relocked, it passes again; a garbled lock line is a problem of its own.
    assert gatehouse("lock", folder).returncode == 0
    assert gatehouse("check", folder).returncode == 0
    with open(lock, "a") as file:
        file.write("not a lock line\n")
    check = gatehouse("check", folder)
    assert check.returncode == 1
    assert any(line.startswith(f"{lock}:") and "a lock line is a tool name and its sha256: fingerprint" in line
               for line in check.stdout.splitlines()), check.stdout


def test_check_reads_endpoints_yaml(tmp_path):
    folder = write_folder(tmp_path / "connectors.d", DESK.format(base="https://desk.example.test/api"))
    (folder / "endpoints.yaml").write_text(
        "endpoints:\n  Research:\n    read_only: true\n  support:\n    tols: ['*']\n  fine:\n    tools: [list_*]\n")
    check = gatehouse("check", folder)
    assert check.returncode == 1, check.stdout
    endpoints = folder / "endpoints.yaml"
    assert check.stdout.splitlines() == [
        f"{endpoints}:2:3: endpoint name 'Research' must be 1-64 characters of a-z, 0-9, '_' and '-' (it becomes /mcp/NAME)",
        f"{endpoints}:5:5: unknown key 'tols' in endpoint 'support'; did you mean 'tools'?",
        "2 problems found",
    ]
    (folder / "endpoints.yaml").write_text("endpoints:\n  research:\n    read_only: true\n")
    assert gatehouse("check", folder).returncode == 0


# ================================================================ diff

def test_diff_of_two_folders_is_a_markdown_review(tmp_path):
    old = write_folder(tmp_path / "old", DESK.format(base="https://desk.example.test/api"))
    text = DESK.format(base="https://desk.example.test/api").replace("List the items in the store.", "List every item in the shop.")
    text = text[:text.index("  - name: remove_item")] + "  - name: add_item\n    description: Add one.\n    method: POST\n    path: /items\n"
    new = write_folder(tmp_path / "new", text)
    before, after = fingerprints_of(old), fingerprints_of(new)
    report = gatehouse("diff", old, new)
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines() == [
        f"## Tool changes: {old} → {new}",
        "",
        "1 added, 1 changed, 1 removed.",
        "",
        f"- **changed** `list_items` (desk) {before['list_items']} → {after['list_items']}",
        "  - `description`: List [-the items-] {+every item+} in the [-store.-] {+shop.+}",
        f"- **added** `add_item` (desk) {after['add_item']}",
        "- **removed** `remove_item` (desk)",
    ] or report.stdout
    assert gatehouse("diff", old, new, "--exit-code").returncode == 1
    assert gatehouse("diff", old, old, "--exit-code").returncode == 0


def git(repo: pathlib.Path, *args) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "E2E", "GIT_AUTHOR_EMAIL": "e2e@example.test", "GIT_COMMITTER_NAME": "E2E",
           "GIT_COMMITTER_EMAIL": "e2e@example.test", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path):
    """A git repository with two commits of connectors.d: the second
    rewords list_items, adds add_item and removes remove_item; a README
    beside the files and an endpoints.yaml are not tools."""
    repo = tmp_path / "repo"
    folder = repo / "connectors.d"
    base = DESK.format(base="${env:DESK_URL}")
    write_folder(folder, base)
    (folder / "README.md").write_text("Not a connector.\n")
    (folder / "endpoints.yaml").write_text("endpoints:\n  research:\n    read_only: true\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    text = base.replace("List the items in the store.", "List every item in the shop.")
    text = text[:text.index("  - name: remove_item")] + "  - name: add_item\n    description: Add one.\n    method: POST\n    path: /items\n"
    (folder / "desk.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", "second")
    return repo


def test_diff_between_two_git_revisions(repository):
    first, second = git(repository, "rev-parse", "HEAD~1"), git(repository, "rev-parse", "HEAD")
    report = gatehouse("diff", "HEAD~1", "HEAD", cwd=repository)
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert lines[0] == "## Tool changes: HEAD~1 → HEAD"
    assert "1 added, 1 changed, 1 removed." in lines
    assert any(line.startswith("- **changed** `list_items` (desk) sha256:") for line in lines), report.stdout
    assert "  - `description`: List [-the items-] {+every item+} in the [-store.-] {+shop.+}" in lines
    assert any(line.startswith("- **added** `add_item` (desk) sha256:") for line in lines)
    assert "- **removed** `remove_item` (desk)" in lines
    # The same with explicit paths, commit ids, and --exit-code.
    explicit = gatehouse("diff", f"{first}:connectors.d", f"{second}:connectors.d", "--exit-code", cwd=repository)
    assert explicit.returncode == 1
    assert explicit.stdout.splitlines()[1:] == lines[1:]
    assert gatehouse("diff", "main", "HEAD", "--exit-code", cwd=repository).stdout.endswith("No tool changed.\n")
    assert gatehouse("diff", "main", "HEAD", "--exit-code", cwd=repository).returncode == 0
    # A missing revision is an error, not an empty report.
    missing = gatehouse("diff", "no-such-branch", "HEAD", cwd=repository)
    assert missing.returncode != 0 and "no-such-branch" in missing.stdout + missing.stderr
    missing = gatehouse("diff", "HEAD~1", "HEAD", "--folder", "no-such-folder", cwd=repository)
    assert missing.returncode != 0 and "no-such-folder" in missing.stdout + missing.stderr


def test_diff_between_revisions_from_a_subfolder_of_the_repository(repository):
    """CI scripts do not always run at the top of the work tree: from a
    subfolder, `--folder connectors.d` still names the repository's folder
    (git's REV:PATH is relative to the top), so the report is the same, and
    never a silent "No tool changed."."""
    at_top = gatehouse("diff", "HEAD~1", "HEAD", "--exit-code", cwd=repository)
    assert at_top.returncode == 1 and "1 added, 1 changed, 1 removed." in at_top.stdout
    (repository / "scripts").mkdir()
    for cwd in (repository / "scripts", repository / "connectors.d"):
        below = gatehouse("diff", "HEAD~1", "HEAD", "--exit-code", cwd=cwd)
        assert (below.returncode, below.stdout) == (1, at_top.stdout), f"from {cwd}: exit {below.returncode}\n{below.stdout}"


def test_diff_of_a_revision_against_the_work_tree_and_another_folder_name(repository):
    folder = repository / "connectors.d"
    (folder / "desk.yaml").write_text((folder / "desk.yaml").read_text().replace("Add one.", "Add one item."))
    report = gatehouse("diff", "HEAD", cwd=repository)   # NEW defaults to the folder in the work tree
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[0] == "## Tool changes: HEAD → connectors.d"
    assert "0 added, 1 changed, 0 removed." in report.stdout
    assert "  - `description`: Add [-one.-] {+one item.+}" in report.stdout
    # A repository that keeps its files elsewhere names the folder.
    git(repository, "mv", "connectors.d", "gateway-tools")
    git(repository, "commit", "-q", "-am", "move")
    moved = gatehouse("diff", "HEAD~2", "HEAD", "--folder", "gateway-tools", cwd=repository)
    assert moved.returncode != 0, "HEAD~2 has no gateway-tools folder"
    across = gatehouse("diff", "HEAD~1:connectors.d", "HEAD:gateway-tools", "--exit-code", cwd=repository)
    assert across.returncode == 1 and "0 added, 1 changed, 0 removed." in across.stdout, across.stdout + across.stderr


# ================================================================ the running server and the lock

def list_in(url: str, era: str):
    async def go():
        if era == "legacy":
            previous = sdk_session.LATEST_HANDSHAKE_VERSION
            sdk_session.LATEST_HANDSHAKE_VERSION = "2025-11-25"
            try:
                async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
                    await session.initialize()
                    return (await session.list_tools()).tools
            finally:
                sdk_session.LATEST_HANDSHAKE_VERSION = previous
        async with Client(url, mode=MODERN, cache=None) as client:
            return (await client.list_tools()).tools
    return {tool.name: tool for tool in asyncio.run(go())}


def call_in(url: str, era: str, name: str, arguments: dict):
    async def go():
        try:
            if era == "legacy":
                previous = sdk_session.LATEST_HANDSHAKE_VERSION
                sdk_session.LATEST_HANDSHAKE_VERSION = "2025-11-25"
                try:
                    async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
                        await session.initialize()
                        try:
                            return await session.call_tool(name, arguments)
                        except MCPError as error:
                            return error
                finally:
                    sdk_session.LATEST_HANDSHAKE_VERSION = previous
            async with Client(url, mode=MODERN, cache=None) as client:
                try:
                    return await client.call_tool(name, arguments)
                except MCPError as error:
                    return error
        except MCPError as error:
            return error
    return asyncio.run(go())


def both_eras(url: str) -> dict:
    """tools/list in both eras, which must agree: {name: (description, fingerprint)}."""
    seen = []
    for era in ERAS:
        tools = list_in(url, era)
        seen.append({name: (tool.description, tool.meta["dev.gatehouse/fingerprint"]) for name, tool in tools.items()})
    assert seen[0] == seen[1], seen
    return seen[0]


def status_entry(gateway, name: str) -> dict | None:
    return next((entry for entry in status(gateway)["tool_fingerprints"] if entry["name"] == name), None)


def log_lines(gateway) -> list[dict]:
    entries = []
    for line in log_path(gateway).read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pass
    return entries


def held_by_lock(gateway) -> float:
    metrics = requests.get(gateway.url + "/metrics", timeout=10).text
    found = re.search(r"^gatehouse_tools_held_by_lock(?:\{\})? (\S+)$", metrics, re.M)
    assert found, "gatehouse_tools_held_by_lock is not exported"
    return float(found.group(1))


@pytest.fixture
def locked(tmp_path):
    """The desk connector on a recording API, locked, served."""
    api = recording_api().start()
    folder = write_folder(tmp_path / "connectors.d", DESK.format(base=api.url))
    assert gatehouse("lock", folder).returncode == 0
    gateway = start_gateway(folder, ENV)
    try:
        yield gateway, api, folder
    finally:
        gateway.stop()
        api.stop()


def test_a_running_server_serves_only_what_the_lock_names(locked):
    gateway, api, folder = locked
    locked_prints = {name: fp for name, (fp, _) in lock_lines(folder).items()}
    report = status(gateway)
    assert report["lock"] == "present"
    assert {e["name"]: e["fingerprint"] for e in report["tool_fingerprints"]} == locked_prints
    assert {name: fp for name, (_, fp) in both_eras(gateway.mcp).items()} == locked_prints
    assert held_by_lock(gateway) == 0

    # Someone edits the files without review: list_items moves and is reworded,
    # add_item appears, remove_item goes.
    text = (folder / "desk.yaml").read_text()
    text = text.replace("List the items in the store.", "List every item (v2).").replace("    path: /items\n", "    path: /v2/items\n", 1)
    text = text[:text.index("  - name: remove_item")] + "  - name: add_item\n    description: Add one.\n    method: POST\n    path: /items\n"
    write_atomically(folder / "desk.yaml", text)
    in_files = fingerprints_of(folder)
    assert wait_until(lambda: (status_entry(gateway, "list_items") or {}).get("lock") == "kept_locked_definition", timeout=8), \
        status(gateway)["tool_fingerprints"]

    # list_items is served as it was locked: old text, old fingerprint, old path.
    served = both_eras(gateway.mcp)
    assert sorted(served) == ["list_items"], "add_item is withheld and remove_item is gone"
    assert served["list_items"] == ("List the items in the store.", locked_prints["list_items"])
    for era in ERAS:
        result = call_in(gateway.mcp, era, "list_items", {"q": era})
        assert not isinstance(result, MCPError) and not result.is_error, result
    assert [r["path"] for r in api.calls("GET")] == ["/items", "/items"], "the locked path, never /v2/items"
    for era in ERAS:
        refused = call_in(gateway.mcp, era, "add_item", {})
        assert isinstance(refused, MCPError) and refused.code == -32602, refused
        refused = call_in(gateway.mcp, era, "remove_item", {"id": 1})
        assert isinstance(refused, MCPError) and refused.code == -32602, refused
    assert api.calls("POST") == [] and api.calls("DELETE") == []
    entry = status_entry(gateway, "list_items")
    assert entry["fingerprint"] == locked_prints["list_items"] and entry["fingerprint_in_files"] == in_files["list_items"]
    withheld = status_entry(gateway, "add_item")
    assert withheld == {"name": "add_item", "lock": "withheld", "fingerprint_in_files": in_files["add_item"]}
    assert status_entry(gateway, "remove_item") is None
    assert held_by_lock(gateway) == 2
    warnings = [e for e in log_lines(gateway) if e.get("level") == "warning" and "connectors.lock" in e.get("msg", "")]
    assert {(e.get("tool"), e.get("decision")) for e in warnings} >= {("list_items", "kept_locked_definition"), ("add_item", "withheld")}
    check = gatehouse("check", folder)
    assert check.returncode == 1 and "lock is stale" in check.stdout

    # The review is done: the lock is written again, and the server follows at once.
    assert gatehouse("lock", folder).returncode == 0
    assert wait_until(lambda: status_entry(gateway, "add_item") and "lock" not in status_entry(gateway, "add_item"), timeout=8)
    served = both_eras(gateway.mcp)
    assert served == {"list_items": ("List every item (v2).", in_files["list_items"]), "add_item": ("Add one.", in_files["add_item"])}
    assert not call_in(gateway.mcp, MODERN, "list_items", {"q": "after"}).is_error
    assert api.calls("GET")[-1]["path"] == "/v2/items"
    assert held_by_lock(gateway) == 0
    assert gatehouse("check", folder).returncode == 0


def test_after_a_restart_a_changed_tool_is_withheld_until_locked(locked):
    gateway, api, folder = locked
    locked_prints = {name: fp for name, (fp, _) in lock_lines(folder).items()}
    (folder / "desk.yaml").write_text((folder / "desk.yaml").read_text().replace("Remove an item.", "Remove an item for good."))
    gateway.stop()
    restarted = start_gateway(folder, ENV)
    try:
        served = both_eras(restarted.mcp)
        assert served == {"list_items": ("List the items in the store.", locked_prints["list_items"])}, \
            "the edited tool has no locked form in this process: not served at all"
        assert status_entry(restarted, "remove_item")["lock"] == "withheld"
        # Deleting the lock file serves everything as the files say.
        (folder / "connectors.lock").unlink()
        assert wait_until(lambda: status(restarted)["lock"] == "absent", timeout=8)
        assert sorted(both_eras(restarted.mcp)) == ["list_items", "remove_item"]
        assert status_entry(restarted, "remove_item").get("lock") is None
    finally:
        restarted.stop()


def test_the_lock_applies_before_the_endpoint_filters_and_endpoints_reload(locked):
    gateway, api, folder = locked
    research = gateway.mcp + "/research"
    assert requests.post(research, json={}, timeout=10).status_code == 404
    write_atomically(folder / "endpoints.yaml", "endpoints:\n  research:\n    title: Research\n    read_only: true\n")
    assert wait_until(lambda: [e["name"] for e in status(gateway)["endpoints"]] == ["research"], timeout=8)
    assert sorted(both_eras(research)) == ["list_items"]
    # A new read-only tool that is not locked appears nowhere, not on the endpoint either.
    write_atomically(folder / "desk.yaml", (folder / "desk.yaml").read_text()
                     + "  - name: count_items\n    description: Count them.\n    path: /items/count\n")
    assert wait_until(lambda: (status_entry(gateway, "count_items") or {}).get("lock") == "withheld", timeout=8)
    assert sorted(both_eras(research)) == ["list_items"]
    assert status(gateway)["endpoints"][0]["tools"] == ["list_items"]
    assert gatehouse("lock", folder).returncode == 0
    assert wait_until(lambda: status(gateway)["endpoints"][0]["tools"] == ["count_items", "list_items"], timeout=8)
    assert sorted(both_eras(research)) == ["count_items", "list_items"]
    # The filters change with the file, and the endpoint goes with it.
    write_atomically(folder / "endpoints.yaml", "endpoints:\n  research:\n    tools: [list_*]\n")
    assert wait_until(lambda: status(gateway)["endpoints"][0]["tools"] == ["list_items"], timeout=8)
    assert sorted(both_eras(research)) == ["list_items"]
    (folder / "endpoints.yaml").unlink()
    assert wait_until(lambda: status(gateway)["endpoints"] == [], timeout=8)
    assert requests.post(research, json={}, timeout=10).status_code == 404
