"""`gatehouse test` as a connector author runs it: the shipped examples'
cases pass offline, a case that no longer holds fails with a diff and exit
code 1, and `--record` captures a real API's answer with its secret
scrubbed, then replays it with the network gone."""

import http.server
import json
import os
import shutil
import subprocess

from support.loopback import LoopbackServer, answer
from support.paths import BIN, ROOT


def gatehouse_test(*args, env=None):
    merged = {key: value for key, value in os.environ.items() if not key.endswith("_TOKEN")}
    merged.update(env or {})
    return subprocess.run([str(BIN), "test", *map(str, args)], capture_output=True, text=True, env=merged, timeout=120)


def test_the_examples_cases_pass_offline():
    # No secret in the environment and no network: the stand-ins are used.
    result = gatehouse_test("--connectors", ROOT / "examples")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    passed = int(result.stdout.strip().splitlines()[-1].split()[0])
    assert passed >= 8, result.stdout


def test_a_broken_expectation_fails_with_a_diff(tmp_path):
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    cases = examples / "tests" / "tickets.yaml"
    cases.write_text(cases.read_text().replace("reporter: ada@example.com", "reporter: bob@example.com"))
    result = gatehouse_test("--connectors", examples, cases)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 1 and "the reporter is the signed-in user" in failed[0], result.stdout
    assert f"{cases}:" in failed[0]
    assert any(line.strip().startswith("-") and "bob@example.com" in line for line in lines), result.stdout
    assert any(line.strip().startswith("+") and "ada@example.com" in line for line in lines), result.stdout


def test_a_broken_test_file_is_reported_with_its_place(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(ROOT / "connectors.d", folder)
    (folder / "tests").mkdir()
    (folder / "tests" / "weather.yaml").write_text("cases:\n  - name: x\n    tool: get_forecast\n    expect_reslt: {}\n")
    result = gatehouse_test("--connectors", folder)
    assert result.returncode == 1
    assert f"{folder}/tests/weather.yaml:4:5: unknown key 'expect_reslt'" in result.stdout, result.stdout


class EchoingAPI(LoopbackServer):
    """Answers every GET with the item asked for and, carelessly, the key
    it was sent."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                body = {"item": handler.path.rsplit("/", 1)[-1], "seen_key": handler.headers.get("X-Api-Key")}
                answer(handler, 200, "application/json", json.dumps(body).encode())

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


def test_record_scrubs_the_secret_and_replays_offline(tmp_path):
    api = EchoingAPI().start()
    folder = tmp_path / "c"
    (folder / "tests").mkdir(parents=True)
    (folder / "shop.yaml").write_text(f"""
connector: shop
base_url: {api.url}
auth:
  api_key: {{ header: X-Api-Key, value: "${{env:SHOP_KEY}}" }}
tools:
  - name: get_item
    description: One item.
    path: /items/{{id}}
    parameters:
      id: {{ type: string }}
    headers:
      X-Tenant: acme-internal
""")
    cases = folder / "tests" / "shop.yaml"
    cases.write_text("""
secrets: { "env:SHOP_KEY": stand-in }
cases:
  - name: Item 42
    tool: get_item
    arguments: { id: "42" }
    expect_request: { headers: { X-Api-Key: stand-in } }
    expect_result: { error: false, text_contains: '"item":"42"' }
""")
    live_key = "live-key-9f8e7d6c"
    try:
        result = gatehouse_test("--connectors", folder, "--record", "--scrub-header", "X-Tenant", env={"SHOP_KEY": live_key})
    finally:
        api.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert live_key not in result.stdout + result.stderr
    fixture = folder / "tests" / "fixtures" / "shop" / "item-42.json"
    assert f"recorded {fixture}" in result.stdout, result.stdout
    text = fixture.read_text()
    assert live_key not in text
    recorded = json.loads(text)
    assert recorded["answer"]["body"] == {"item": "42", "seen_key": "[REDACTED]"}
    assert recorded["request"]["headers"]["X-Api-Key"] == "[scrubbed]"
    assert recorded["request"]["headers"]["X-Tenant"] == "[scrubbed]"
    # The API is gone; the fixture answers.
    again = gatehouse_test("--connectors", folder)
    assert again.returncode == 0, again.stdout
    assert "PASS Item 42" in again.stdout


def test_the_examples_cases_match_the_schema():
    import yaml
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json.loads((ROOT / "schema" / "connector-test.schema.json").read_text()))
    files = sorted((ROOT / "examples" / "tests").glob("*.yaml"))
    assert files
    for path in files:
        errors = [error.message for error in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert not errors, f"{path}: {errors}"
    broken = {"cases": [{"name": "x", "tool": "t", "expect_reslt": {}}]}
    assert list(validator.iter_errors(broken)), "an unknown key is refused by the schema too"
