"""`gatehouse import-openapi` on seven more public API descriptions (GitHub,
Box, Twilio, Asana, OpenAI, DigitalOcean's multi-file layout and an excerpt
of Kubernetes'), end to
end: each whole document imports and passes `check`, and generated tools
send exactly the request each API expects to a recording upstream. The
calls are the ones a first import got wrong: document defaults sent as if
the caller had set them, form bodies dropped, hosts of operation-level
`servers` ignored, required body fields made optional, slashes in path
values encoded, `#fragment`/`?k=v` paths skipped, `StartTime<`/`>` names."""

import base64
import gzip
import json
import re
import subprocess
import tarfile
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

import pytest
import yaml as pyyaml

from support.gateway import start_gateway
from support.paths import BIN, ROOT
from support.request_recorder import RequestRecorder, call_recorded

FIXTURES = ROOT / "Tests" / "e2e" / "fixtures" / "openapi"
ACCOUNT = "AC" + "0123456789abcdef" * 2
RECORDER = RequestRecorder()


def import_document(document, name, upstream, folder, work):
    """Imports one document with the recording upstream as its base URL,
    and points per-operation hosts at the recorder too (under a path named
    after the host) so that calls to them can be checked."""
    output = folder / f"{name}.yaml"
    result = subprocess.run([str(BIN), "import-openapi", str(document), "--name", name,
                             "--base-url", f"{upstream}/{name}", "--tool-prefix", f"{name}_", "--output", str(output)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text()
    original = text
    text = re.sub(r"(\n    base_url: )https://([^\n]+)", lambda m: f"{m.group(1)}{upstream}/{m.group(2)}", text)
    output.write_text(text)
    return original, result.stderr


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    upstream = RECORDER.start().url
    work = tmp_path_factory.mktemp("documents")
    folder = work / "connectors.d"
    folder.mkdir()
    files = {}
    for name, fixture in [("github", "github-2020-08.json.gz"), ("box", "box-2026-06.json.gz"),
                          ("twilio", "twilio-api-v2010-2026-04.json.gz"), ("asana", "asana-2026-06.yaml.gz"),
                          ("openai", "openai-2026-08.yaml.gz")]:
        document = work / fixture.removesuffix(".gz")
        document.write_bytes(gzip.decompress((FIXTURES / fixture).read_bytes()))
        files[name] = import_document(document, name, upstream, folder, work)
    files["kubernetes"] = import_document(FIXTURES / "kubernetes-apps-v1-excerpt.json", "kubernetes", upstream, folder, work)
    files["kubernetes_core"] = import_document(FIXTURES / "kubernetes-core-v1-excerpt.json", "kubernetes_core", upstream, folder,
                                               work)
    # DigitalOcean's description is hundreds of files referring to each other.
    with tarfile.open(FIXTURES / "digitalocean-2026-08.tar.gz") as archive:
        archive.extractall(work / "digitalocean", filter="data")
    files["digitalocean"] = import_document(work / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml",
                                            "digitalocean", upstream, folder, work)
    check = subprocess.run([str(BIN), "check", str(folder)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    # Thousands of imported tools, read by the debug build: a slow two-core
    # machine needs more than the usual 20 s before the first answer.
    running = start_gateway(folder, extra_env={"GATEHOUSE_PAGE_SIZE": "500"}, ready_within=180)
    try:
        yield running, files
    finally:
        running.stop()
        RECORDER.stop()


def call(gateway, name, arguments):
    return call_recorded(gateway, RECORDER, name, arguments)


def tool_entry(yaml, name):
    start = yaml.index(f"\n  - name: {name}\n")
    end = yaml.find("\n  - name: ", start + 1)
    return yaml[start:end if end > 0 else len(yaml)]


def tool(yaml, name):
    """One generated tool, read as another YAML reader would."""
    return pyyaml.safe_load(tool_entry(yaml, name).replace("\n  - name: ", "\n- name: ").replace("\n    ", "\n  "))[0]


def sent_json(request):
    assert request["content_type"] == "application/json", request["content_type"]
    return json.loads(request["raw"])


def test_every_document_imports_whole(gateway):
    _, files = gateway
    counts = {name: yaml.count("\n  - name: ") for name, (yaml, _) in files.items()}
    # Every operation but Box's two OPTIONS ones, OpenAI's one body of
    # undescribable alternatives, and DigitalOcean's few.
    assert counts["github"] >= 620 and counts["box"] >= 294 and counts["twilio"] >= 195, counts
    assert counts["asana"] >= 245 and counts["openai"] >= 287 and counts["digitalocean"] >= 655, counts
    _, box_log = files["box"]
    assert "294 tools, 2 operations skipped" in box_log and box_log.count("no OPTIONS tools") == 2
    # Twilio's JSON has surrogate-pair escapes; DigitalOcean's parts of
    # other files are read once each.
    _, do_log = files["digitalocean"]
    assert re.search(r"\d+ parts of other files were read: \d+ became components", do_log), do_log[-2000:]


def test_github_keeps_required_body_fields_and_sends_no_defaults(gateway):
    running, files = gateway
    github, _ = files["github"]
    assert tool(github, "github_issues_create")["parameters"]["title"]["required"] is True
    result, sent = call(running, "github_issues_create", {"owner": "octo", "repo": "hello", "body": "no title"})
    assert result.is_error and "title" in result.content[0].text and sent == []
    result, sent = call(running, "github_issues_create", {"owner": "octo", "repo": "hello", "title": "Bug", "labels": ["a"]})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("POST", "/github/repos/octo/hello/issues", {})]
    assert sent_json(sent[0]) == {"title": "Bug", "labels": ["a"]}
    # state=open, sort=created, direction=desc are the API's defaults: not
    # sent. per_page is the page size of the import's pagination.
    result, sent = call(running, "github_issues_list_for_repo", {"owner": "octo", "repo": "hello", "labels": "bug"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", "/github/repos/octo/hello/issues", {"labels": ["bug"], "per_page": ["30"]})]


def test_github_content_paths_keep_their_slashes(gateway):
    running, _ = gateway
    result, sent = call(running, "github_repos_get_content",
                        {"owner": "octo", "repo": "hello", "path": "docs/guide/read me.md", "ref": "main"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", "/github/repos/octo/hello/contents/docs/guide/read%20me.md", {"ref": ["main"]})]
    result, sent = call(running, "github_repos_get_content", {"owner": "octo", "repo": "hello", "path": "docs/../../admin"})
    assert result.is_error and sent == []


def test_box_fragment_paths_and_upload_host(gateway):
    running, files = gateway
    box, _ = files["box"]
    assert "\n    base_url: https://upload.box.com/api/2.0\n" in tool_entry(box, "box_post_files_content")
    result, sent = call(running, "box_get_files_id_get_shared_link", {"file_id": "12", "fields": "shared_link"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("GET", "/box/files/12", {"fields": ["shared_link"]})]
    content = b"hello\x00world"
    result, sent = call(running, "box_post_files_content", {
        "attributes": {"name": "a.txt", "parent": {"id": "0"}}, "file": base64.b64encode(content).decode(),
    })
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"]) for r in sent] == [("POST", "/upload.box.com/api/2.0/files/content")]
    assert sent[0]["content_type"].startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + sent[0]["content_type"].encode() + b"\r\n\r\n" + sent[0]["raw"])
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert list(parts) == ["attributes", "file"]
    assert json.loads(parts["attributes"].get_content()) == {"name": "a.txt", "parent": {"id": "0"}}
    assert parts["file"].get_payload(decode=True) == content


def test_twilio_form_bodies_and_before_after_names(gateway):
    running, _ = gateway
    result, sent = call(running, "twilio_create_message",
                        {"AccountSid": ACCOUNT, "To": "+15551234567", "From": "+15557654321", "Body": "Hi 👍"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"]) for r in sent] == [("POST", f"/twilio/2010-04-01/Accounts/{ACCOUNT}/Messages.json")]
    assert sent[0]["content_type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent[0]["raw"].decode()) == {"To": ["+15551234567"], "From": ["+15557654321"], "Body": ["Hi 👍"]}
    result, sent = call(running, "twilio_list_call", {"AccountSid": ACCOUNT, "StartTime_after": "2026-01-01T00:00:00Z",
                                               "StartTime_before": "2026-02-01T00:00:00Z"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", f"/twilio/2010-04-01/Accounts/{ACCOUNT}/Calls.json",
         {"StartTime>": ["2026-01-01T00:00:00Z"], "StartTime<": ["2026-02-01T00:00:00Z"],
          "Page": ["0"], "PageSize": ["50"]})]  # the first page of the import's pagination


def test_asana_search_is_not_narrowed_by_a_default(gateway):
    running, files = gateway
    asana, _ = files["asana"]
    assert "The API defaults to `milestone`." in tool_entry(asana, "asana_search_tasks_for_workspace")
    result, sent = call(running, "asana_search_tasks_for_workspace",
                        {"workspace_gid": "1", "text": "launch", "assignee.any": "me"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", "/asana/workspaces/1/tasks/search", {"text": ["launch"], "assignee.any": ["me"]})]


def test_openai_chat_sends_only_what_was_given(gateway):
    running, files = gateway
    openai, _ = files["openai"]
    # response_format's alternatives keep every `type` they allow.
    chat = tool(openai, "openai_create_chat_completion")
    # `stop` and `tool_choice` may be strings or more: a JSON Schema says so.
    assert {kind["type"] for kind in chat["input_schema"]["properties"]["stop"]["anyOf"]} == {"string", "array"}
    response_format = chat["input_schema"]["properties"]["response_format"]
    assert sorted(response_format["properties"]["type"]["enum"]) == ["json_object", "json_schema", "text"], response_format
    messages = [{"role": "user", "content": "hi"}]
    result, sent = call(running, "openai_create_chat_completion", {"model": "gpt-test", "messages": messages})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("POST", "/openai/chat/completions", {})]
    assert sent_json(sent[0]) == {"model": "gpt-test", "messages": messages}
    # `/responses/{id}?beta=true`: the fixed query item travels with the call.
    result, sent = call(running, "openai_beta_get_response", {"response_id": "resp_1"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("GET", "/openai/responses/resp_1", {"beta": ["true"]})]


def test_digitalocean_bodies_hosts_and_mixed_type_ids(gateway):
    running, files = gateway
    digitalocean, _ = files["digitalocean"]
    assert "\n    base_url: https://inference.do-ai.run\n" in tool_entry(digitalocean, "digitalocean_inference_list_models")
    droplet = {"name": "web-1", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    result, sent = call(running, "digitalocean_droplets_create", droplet)
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("POST", "/digitalocean/v2/droplets", {})]
    assert sent_json(sent[0]) == droplet
    # An id that may be an integer or a string is a string in the path.
    result, sent = call(running, "digitalocean_snapshots_get", {"snapshot_id": "6372321"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"]) for r in sent] == [("GET", "/digitalocean/v2/snapshots/6372321")]
    result, sent = call(running, "digitalocean_inference_list_models", {})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"]) for r in sent] == [("GET", "/inference.do-ai.run/v1/models")]


def test_openai_fields_of_several_kinds_take_each_kind(gateway):
    """Embeddings' `input` is a string or a list: the tool takes either,
    through a JSON Schema `anyOf`, and sends it as given."""
    running, files = gateway
    openai, _ = files["openai"]
    schema = tool(openai, "openai_create_embedding")["input_schema"]
    assert [kind["type"] for kind in schema["properties"]["input"]["anyOf"]] == ["string", "array", "array", "array"]
    assert schema["required"] == ["input", "model"]
    for value in ["one text", ["two", "texts"]]:
        result, sent = call(running, "openai_create_embedding", {"model": "embed-test", "input": value})
        assert not result.is_error, result.content[0].text
        assert [(r["method"], r["path"]) for r in sent] == [("POST", "/openai/embeddings")]
        assert sent_json(sent[0]) == {"input": value, "model": "embed-test"}
    result, sent = call(running, "openai_create_embedding", {"model": "embed-test", "input": {"not": "allowed"}})
    assert result.is_error and sent == []


def test_kubernetes_patches_are_merge_patches(gateway):
    """Kubernetes offers a PATCH body as JSON Patch, merge patch, strategic
    merge patch and apply patch: the tool sends the declared merge-patch
    type (an object, as the schema says), never plain JSON (415)."""
    running, _ = gateway
    patch = {"metadata": {"labels": {"tier": "web"}}}
    result, sent = call(running, "kubernetes_patch_apps_v1_namespaced_replica_set_status",
                        {"namespace": "shop", "name": "web-7d9", "body": patch, "fieldManager": "gatehouse"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("PATCH", "/kubernetes/apis/apps/v1/namespaces/shop/replicasets/web-7d9/status", {"fieldManager": ["gatehouse"]})]
    assert sent[0]["content_type"] == "application/merge-patch+json"
    assert json.loads(sent[0]["raw"]) == patch


def test_kubernetes_proxy_paths_keep_their_slashes(gateway):
    """`proxy/{path}` takes a path; a query item also named `path` becomes
    `query_path`, sent as `path`."""
    running, _ = gateway
    result, sent = call(running, "kubernetes_core_connect_core_v1_get_node_proxy_with_path",
                        {"name": "node-1", "path": "metrics/cadvisor", "query_path": "x"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", "/kubernetes_core/api/v1/nodes/node-1/proxy/metrics/cadvisor", {"path": ["x"]})]
    result, sent = call(running, "kubernetes_core_connect_core_v1_get_node_proxy_with_path", {"name": "node-1", "path": "../../secrets"})
    assert result.is_error and sent == []
