"""Bad input of every kind: thousands of malformed JSON-RPC bodies at the
endpoint and malformed YAML files at the loader. The process must stay up,
answer each with a well-formed error, and keep serving good requests."""

import json
import pathlib
import random
import re
import shutil
import subprocess

import requests

from support.gateway import start_gateway
from support.paths import BIN, ROOT

ALLOWED_STATUS = {200, 202, 400, 404, 405, 406, 413, 415}


def valid_messages():
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    return [
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
         "params": {"name": "echo_get", "arguments": {"q": "x", "tags": ["a"], "limit": 2}, "_meta": meta}},
        {"jsonrpc": "2.0", "id": "a", "method": "tools/list", "params": {"cursor": "bzo0", "_meta": meta}},
        {"jsonrpc": "2.0", "id": 2, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "f", "version": "1"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "echo_post", "arguments": {"title": "t", "count": 1, "labels": ["x"]}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
    ]


def mutations(rng: random.Random, count: int):
    seeds = [json.dumps(m).encode() for m in valid_messages()]
    weird_values = [None, True, -1, 1e308, 2**70, "", "\u0000", "\ud800", [], {}, [[[]]], "x" * 5000]
    for i in range(count):
        kind = i % 8
        seed = bytearray(rng.choice(seeds))
        if kind == 0:  # random bytes
            yield bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))
        elif kind == 1:  # truncation
            yield bytes(seed[: rng.randint(0, len(seed))])
        elif kind == 2:  # byte flips
            for _ in range(rng.randint(1, 6)):
                seed[rng.randrange(len(seed))] = rng.getrandbits(8)
            yield bytes(seed)
        elif kind == 3:  # insertions of JSON punctuation
            for _ in range(rng.randint(1, 6)):
                seed.insert(rng.randrange(len(seed)), ord(rng.choice('{}[]",:\\')))
            yield bytes(seed)
        elif kind == 4:  # structurally valid, semantically wrong
            message = rng.choice(valid_messages())
            path = rng.choice([["id"], ["method"], ["params"], ["jsonrpc"], ["params", "name"], ["params", "arguments"],
                               ["params", "_meta"], ["params", "cursor"], ["params", "protocolVersion"]])
            target = message
            for key in path[:-1]:
                target = target.setdefault(key, {}) if isinstance(target, dict) else {}
            if isinstance(target, dict):
                target[path[-1]] = rng.choice(weird_values)
            yield json.dumps(message).encode()
        elif kind == 5:  # deep nesting
            depth = rng.choice([50, 200, 5000, 100000])
            yield (b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":' + b"[" * depth + b"]" * depth + b"}}")
        elif kind == 6:  # invalid UTF-8 inside strings
            yield b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\xff\xfe","arguments":{}}}'
        else:  # arguments of wrong types for the tool
            message = valid_messages()[0]
            message["params"]["arguments"] = {"q": rng.choice(weird_values), "tags": rng.choice(weird_values),
                                              "limit": rng.choice(weird_values)}
            yield json.dumps(message).encode()


def test_malformed_json_rpc_keeps_the_server_up(gateway):
    rng = random.Random(20261126)
    http = requests.Session()
    session_id = http.post(gateway.mcp, json=valid_messages()[2]).headers["Mcp-Session-Id"]
    header_sets = [
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
         "Mcp-Name": "echo_get"},
        {"Content-Type": "application/json", "Mcp-Session-Id": session_id, "Accept": "text/event-stream"},
    ]
    sent = 0
    for body in mutations(rng, 3000):
        headers = header_sets[sent % len(header_sets)]
        r = http.post(gateway.mcp, data=body, headers=headers, timeout=30)
        sent += 1
        assert r.status_code in ALLOWED_STATUS, (r.status_code, body[:200])
        if r.content and r.headers.get("Content-Type", "").startswith("application/json"):
            answer = r.json()
            assert answer["jsonrpc"] == "2.0" and ("result" in answer or "error" in answer)
    assert sent == 3000
    assert gateway.process.poll() is None, "the gateway died"
    assert requests.get(gateway.url + "/healthz").status_code == 200
    # Still serves a good call afterwards.
    good = valid_messages()[0]
    r = http.post(gateway.mcp, json=good, headers=header_sets[1])
    assert r.status_code == 200 and r.json()["result"].get("isError", False) is False


def yaml_mutations(rng: random.Random, sources, count):
    for i in range(count):
        text = rng.choice(sources)
        lines = text.splitlines()
        kind = i % 6
        if kind == 0:  # delete lines
            for _ in range(rng.randint(1, 4)):
                if lines:
                    del lines[rng.randrange(len(lines))]
        elif kind == 1:  # change indentation
            j = rng.randrange(len(lines))
            lines[j] = " " * rng.randint(0, 7) + lines[j].lstrip()
        elif kind == 2:  # insert YAML punctuation
            j = rng.randrange(len(lines))
            k = rng.randint(0, len(lines[j]))
            lines[j] = lines[j][:k] + rng.choice([":", "- ", "{", "}", "[", "]", "&a", "*a", "!!int ", "'", '"', "|", "#"]) + lines[j][k:]
        elif kind == 3:  # swap values for wrong types
            j = rng.randrange(len(lines))
            if ":" in lines[j]:
                key = lines[j].split(":", 1)[0]
                lines[j] = key + ": " + rng.choice(["[1, 2]", "{a: 1}", "true", "null", "12", "-", "${env:UNSET_FUZZ}", "{{ x }}"])
        elif kind == 4:  # duplicate a block
            j = rng.randrange(len(lines))
            lines[j:j] = lines[j : j + rng.randint(1, 10)]
        else:  # random bytes
            lines.insert(rng.randrange(len(lines) + 1), "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(1, 30))))
        yield "\n".join(lines) + "\n"


DIAGNOSTIC = re.compile(r"^(.+):(\d+):(\d+): (.+)$")


def test_malformed_yaml_gets_located_errors(tmp_path):
    rng = random.Random(7)
    sources = [p.read_text() for p in sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "connectors.d").glob("*.yaml"))]
    sources = [s.replace("${env:TICKETS_TOKEN}", "t").replace("${env:GITHUB_TOKEN}", "t")
               .replace("${file:/run/secrets/inventory/api-key}", "k") for s in sources]
    folders = []
    for batch in range(5):
        folder = tmp_path / f"batch{batch}"
        folder.mkdir()
        folders.append(folder)
    for i, text in enumerate(yaml_mutations(rng, sources, 1000)):
        (folders[i % 5] / f"f{i:04d}.yaml").write_text(text, errors="surrogatepass")
    failing = 0
    for folder in folders:
        result = subprocess.run([str(BIN), "check", str(folder)], capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1), result.stderr[-2000:]
        lines = result.stdout.strip().splitlines()
        if result.returncode == 1:
            failing += 1
            assert re.match(r"^\d+ problems? found$", lines[-1])
            for line in lines[:-1]:
                match = DIAGNOSTIC.match(line)
                assert match, f"not file:line:column: message: {line!r}"
                assert pathlib.Path(match.group(1)).parent == folder
                assert int(match.group(2)) >= 1 and int(match.group(3)) >= 1
    assert failing == 5, "every batch holds broken files"


def test_gateway_starts_with_broken_files_and_serves_the_good_ones(httpbin_url, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    shutil.copy(ROOT / "connectors.d" / "weather.yaml", folder / "a-weather.yaml")
    (folder / "b-broken.yaml").write_text("connector: [oops\n")
    (folder / "c-wrong.yaml").write_text("connector: wrong\nbase_url: ftp://x\ntools: []\n")
    gw = start_gateway(folder)
    try:
        status = requests.get(gw.url + "/status").json()
        assert status["tools"] == 1
        problems = "\n".join(status["problems"])
        assert "b-broken.yaml:" in problems and "c-wrong.yaml:2:11:" in problems
    finally:
        gw.stop()
