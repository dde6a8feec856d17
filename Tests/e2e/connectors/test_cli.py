"""`gatehouse check` as a team would run it in CI."""

import os
import shutil
import subprocess

from support.paths import BIN, ROOT


def check(*paths, env=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run([str(BIN), "check", *map(str, paths)], capture_output=True, text=True, env=merged, timeout=60)


def test_sample_folder_is_valid():
    result = check(ROOT / "connectors.d")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok: 2 files, 2 tools")


def test_examples_are_valid(tmp_path):
    # The inventory example reads its API key from a mounted Kubernetes
    # secret; simulate the mount in a temporary folder.
    secret = tmp_path / "secrets" / "api-key"
    secret.parent.mkdir()
    secret.write_text("example-key\n")
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    inventory = examples / "inventory.yaml"
    inventory.write_text(inventory.read_text().replace("/run/secrets/inventory/api-key", str(secret)))
    result = check(examples, env={"TICKETS_TOKEN": "t", "GITHUB_TOKEN": "g"})
    assert result.returncode == 0, result.stdout
    assert "3 files" in result.stdout


def test_every_problem_is_listed_with_its_location(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "connector: a\n"
        "base_url: https://api.example.com\n"
        "auth:\n"
        "  bearer: ${env:GATEHOUSE_TEST_UNSET}\n"
        "colour: blue\n"
        "tools:\n"
        "  - name: get_item\n"
        "    description: Get one item.\n"
        "    path: /items/{id}\n"
        "  - name: get_item\n"
        "    description: Again.\n"
        "    path: /items\n"
        "    timeout: [1]\n"
    )
    (tmp_path / "b.yaml").write_text(
        "connector: b\nbase_url: https://b.example.com\ntools:\n"
        "  - name: list_things\n    description: x\n    path: /t\n"
        "    parameters:\n      limit: { type: integer, requird: true }\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GATEHOUSE_TEST_UNSET"}
    result = subprocess.run([str(BIN), "check", str(tmp_path)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    assert f"{a}:4:11: environment variable GATEHOUSE_TEST_UNSET is not set (referenced as ${{env:GATEHOUSE_TEST_UNSET}})" in lines
    assert f"{a}:5:1: unknown key 'colour' in the connector file" in lines
    assert any(l.startswith(f"{a}:9:11: path placeholder {{id}} has no parameter named 'id'") for l in lines)
    assert any(l.startswith(f"{a}:10:5: duplicate tool name 'get_item'") for l in lines)
    assert any(l.startswith(f"{a}:13:14: timeout must be a duration") for l in lines)
    assert f"{b}:8:31: unknown key 'requird' in parameter 'limit'; did you mean 'required'?" in lines
    assert lines[-1] == "6 problems found"


def test_input_schema_problems_point_into_the_schema(tmp_path):
    (tmp_path / "shapes.yaml").write_text(
        "connector: shapes\n"
        "base_url: https://api.example.com\n"
        "tools:\n"
        "  - name: draw\n"
        "    description: Draw a shape.\n"
        "    method: POST\n"
        "    path: /boards/{board}/shapes\n"
        "    input_schema:\n"
        "      type: object\n"
        "      properties:\n"
        "        board: { type: string }\n"
        "        shape:\n"
        "          oneOf:\n"
        "            - { $ref: '#circle' }\n"
        "            - { type: object, properties: { points: { type: array } } }\n"
        "    parameters:\n"
        "      board: { type: string }\n"
        "      colour: { in: query }\n"
    )
    result = check(tmp_path)
    assert result.returncode == 1, result.stdout
    f = str(tmp_path / "shapes.yaml")
    assert result.stdout.splitlines() == [
        f"{f}:7:11: path placeholder {{board}} needs 'board' in input_schema's required list",
        f"{f}:9:7: input_schema must set additionalProperties: false: an argument not named in its properties would have no place"
        " in the request",
        f"{f}:14:23: invalid input_schema: schema at /properties/shape/oneOf/0/$ref: $ref #circle names no $anchor of this schema"
        " (or use a JSON pointer such as #/$defs/name)",
        f"{f}:17:16: 'type' of parameter 'board' belongs in input_schema: declare it in input_schema",
        f"{f}:18:7: parameter 'colour' is not a property of input_schema; declare it there first",
        "5 problems found",
    ]


def test_missing_folder():
    result = check("/nonexistent/connectors.d")
    assert result.returncode == 1
    assert "no such folder" in result.stdout


def test_version():
    result = subprocess.run([str(BIN), "version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("gatehouse ")


def test_hostile_yaml_is_refused_quickly(tmp_path):
    laughs = "".join(
        f"     {name}: &{name} [{', '.join([('*' + prev) if prev else 'x'] * 9)}]\n"
        for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi")
    )
    (tmp_path / "bomb.yaml").write_text(
        "connector: bomb\nbase_url: http://a.example\ntools:\n - name: a\n   description: d\n   method: POST\n"
        "   path: /a\n   body:\n" + laughs)
    (tmp_path / "deep.yaml").write_text("connector: " + "[" * 100000 + "]" * 100000 + "\n")
    (tmp_path / "numbers.yaml").write_text(
        "connector: n\nbase_url: http://a.example\ntimeout: 99999999999999999999999\ntools:\n - name: a\n"
        "   description: d\n   path: /a\n   parameters:\n     n: {type: integer, minimum: 1e400}\n")
    result = check(tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "bomb.yaml:" in out and "too many values" in out
    assert "deep.yaml:1:" in out and "invalid YAML" in out
    assert "numbers.yaml:3:10: timeout must be a duration" in out
    assert "numbers.yaml:9:34: minimum must be a finite number" in out


def test_every_setting_is_documented_in_docs_settings():
    """Each GATEHOUSE_* variable `gatehouse serve --help` lists is named,
    in full, in docs/settings.md, which is exactly what
    `gatehouse settings --markdown` prints (regenerate it with
    `gatehouse settings --markdown > docs/settings.md`)."""
    import re

    help_text = subprocess.run([str(BIN), "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    variables = sorted(set(re.findall(r"GATEHOUSE_[A-Z_]+", help_text)))
    assert len(variables) > 40
    reference = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in variables if not re.search(rf"`{name}`|\b{name}=", reference)]
    assert not missing, f"not in docs/settings.md: {missing}"
    generated = subprocess.run([str(BIN), "settings", "--markdown"], capture_output=True, text=True, timeout=30).stdout
    assert generated == reference, "docs/settings.md is out of date: run gatehouse settings --markdown > docs/settings.md"
