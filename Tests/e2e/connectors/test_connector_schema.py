"""schema/connector.schema.json, the JSON Schema editors use for connector
files, agrees with `gatehouse check`: every shipped connector passes both,
and broken files are refused by both. The files only `check` can refuse (it
knows the environment and what a name refers to), and the two only the
schema refuses, are listed below with the reason, so a disagreement is never
silent."""

import copy
import json
import os
import pathlib
import random
import re
import subprocess
import textwrap

import pytest
import yaml
from jsonschema import Draft202012Validator

from support.paths import BIN, ROOT

SCHEMA_PATH = ROOT / "schema" / "connector.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
SHIPPED = [path for path in sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "connectors.d").glob("*.yaml"))
           if path.name != "endpoints.yaml"]
ENDPOINTS_SCHEMA_PATH = ROOT / "schema" / "endpoints.schema.json"
ENDPOINTS_VALIDATOR = Draft202012Validator(json.loads(ENDPOINTS_SCHEMA_PATH.read_text()))
# What the shipped examples read from the environment.
ENV = {"TICKETS_TOKEN": "t", "GITHUB_TOKEN": "g", "GATEHOUSE_SCHEMA_TEST_TOKEN": "s3cret"}


class EditorLoader(yaml.SafeLoader):
    """Reads YAML as an editor hands it to a JSON Schema validator, and as the
    gateway reads it: mapping keys are their text (`1:` is the key "1"), an
    unquoted date stays the text it is (JSON has no date type), and `1e3` is a
    number although it has no decimal point."""


def _mapping(loader, node):
    loader.flatten_mapping(node)
    result = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "keys must be plain strings", key_node.start_mark)
        result[key_node.value] = loader.construct_object(value_node, deep=True)
    return result


EditorLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
EditorLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
EditorLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"), list("-+0123456789"))


def schema_errors(text: str) -> list[str]:
    """Why the schema refuses the file; empty when it accepts it."""
    try:
        document = yaml.load(text, Loader=EditorLoader)
    except yaml.YAMLError as error:
        return [f"not loadable: {error}"]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def check(path: pathlib.Path) -> subprocess.CompletedProcess:
    merged = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_SCHEMA_TEST_")}
    merged.update(ENV)
    return subprocess.run([str(BIN), "check", str(path)], capture_output=True, text=True, env=merged, timeout=60)


def check_text(tmp_path: pathlib.Path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "connector.yaml"
    path.write_text(text)
    return check(path)


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def tool(extra: str = "", *, head: str = "", name: str = "get_item", method: str = "", path: str = "/items/{id}",
         parameters: str = "      id: integer\n") -> str:
    """A small valid connector; `head` adds connector keys, `extra` tool keys."""
    lines = ["connector: demo", "base_url: https://api.example.com/v1"]
    if head:
        lines.append(doc(head).rstrip("\n"))
    lines += ["tools:", f"  - name: {name}", "    description: One item.", f"    path: {path}"]
    if method:
        lines.append(f"    method: {method}")
    if parameters:
        lines.append("    parameters:")
        lines.append(parameters.rstrip("\n"))
    if extra:
        lines.append(textwrap.indent(doc(extra).rstrip("\n"), "    "))
    return "\n".join(lines) + "\n"


def schema_tool(schema: str, parameters: str = "", path: str = "/items/{id}") -> str:
    """A GET tool whose arguments are `input_schema: { type: object, … }`
    with `schema` (flow-mapping members) and an integer `id` added."""
    members = "type: object, properties: { id: { type: integer } }, required: [id], additionalProperties: false"
    if schema:
        members = schema
    return tool(path=path, parameters=parameters, extra=f"input_schema: {{ {members} }}\n")


# --- the schema itself ------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def _walk(node, where=""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def _documented_keys(schema, where=""):
    """Every key a connector file can hold, as (location, its schema); the
    conditions under allOf/if/then only restate keys already listed."""
    for container in ("properties", "patternProperties"):
        for key, sub in schema.get(container, {}).items():
            yield f"{where}/{container}/{key}", sub
            yield from _documented_keys(sub, f"{where}/{container}/{key}")
    for child in ("items", "additionalProperties"):
        if isinstance(schema.get(child), dict):
            yield from _documented_keys(schema[child], f"{where}/{child}")


def test_every_key_has_a_title_and_a_description():
    # Editors show these on hover.
    keys = list(_documented_keys(SCHEMA))
    for name, sub in SCHEMA["$defs"].items():
        keys.append((f"/$defs/{name}", sub))
        keys += _documented_keys(sub, f"/$defs/{name}")
    assert len(keys) > 80
    missing = [where for where, sub in keys if not {"title", "description"} <= sub.keys()]
    assert not missing


def test_patterns_avoid_engine_specific_syntax():
    # Editors compile patterns as ECMA-262 and this test as Python `re`: keep
    # to the syntax both read alike (no \p{…}, no inline flags, no \A or \Z).
    patterns = [node["pattern"] for _, node in _walk(SCHEMA) if isinstance(node.get("pattern"), str)]
    patterns += [p for _, node in _walk(SCHEMA) if isinstance(node.get("patternProperties"), dict)
                 for p in node["patternProperties"]]
    assert len(patterns) > 10
    for pattern in patterns:
        re.compile(pattern)
        assert not re.search(r"\\[pPAZz]|\(\?[imsx]", pattern), pattern


# --- shipped connectors -----------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_connector_passes_check_and_schema(path, tmp_path):
    text = path.read_text()
    assert not schema_errors(text)
    # inventory.yaml reads its API key from a mounted secret; mount one here.
    secret = tmp_path / "api-key"
    secret.write_text("example-key\n")
    copy = tmp_path / path.name
    copy.write_text(text.replace("/run/secrets/inventory/api-key", str(secret)))
    result = check(copy)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_connector_names_the_schema(path):
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (path.parent / match.group(1)).resolve() == SCHEMA_PATH.resolve()


def test_the_shipped_endpoints_file_passes_check_and_its_schema(tmp_path):
    path = ROOT / "examples" / "endpoints.yaml"
    text = path.read_text()
    first = text.splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match and (path.parent / match.group(1)).resolve() == ENDPOINTS_SCHEMA_PATH.resolve()
    assert not list(ENDPOINTS_VALIDATOR.iter_errors(yaml.load(text, Loader=EditorLoader)))
    (tmp_path / "endpoints.yaml").write_text(text)
    (tmp_path / "tickets.yaml").write_text((ROOT / "examples" / "tickets.yaml").read_text())
    assert check(tmp_path).returncode == 0
    # The schema and check both refuse a misspelt key and a bad name.
    for broken in ["endpoints:\n  research: { read_onyl: true }\n", "endpoints:\n  Research: {}\n"]:
        assert list(ENDPOINTS_VALIDATOR.iter_errors(yaml.load(broken, Loader=EditorLoader)))
        (tmp_path / "endpoints.yaml").write_text(broken)
        result = check(tmp_path)
        assert result.returncode == 1 and "endpoints.yaml:2:" in result.stdout, result.stdout


# --- files both accept ------------------------------------------------------------------------

ACCEPTED = {
    "minimal": tool(),
    "shorthand and full parameters": tool(parameters="""\
      id: { type: integer, minimum: 1, description: Item number }
      fields: { type: array, items: string, min_items: 1, explode: false }
      trace: { type: string, in: header, as: X-Trace-Id, pattern: "^[a-f0-9]+$" }
"""),
    "lower-case method and body template": tool(method="post", path="/items", parameters="""\
      title: { type: string, required: true, max_length: 200 }
      tags: { type: array, items: { type: string } }
      meta: { type: object, properties: { source: { type: string, required: true } }, additional_properties: false }
""", extra="""\
body:
  title: "{{ title }}"
  tags: "{{ tags }}"
  meta: "{{ meta }}"
  reporter: "{{ user.email }}"
  by: "{{user.claims.preferred_username}} via mcp"
  fixed: [1, true, null, { nested: x }]
"""),
    "auth, secrets, headers and sizes": tool(head="""\
description: 42
headers:
  X-Api-Version: 2
  X-Client: gatehouse ${env:GATEHOUSE_SCHEMA_TEST_TOKEN}
auth:
  api_key: { query: key, value: "${env:GATEHOUSE_SCHEMA_TEST_TOKEN}" }
timeout: 1.5
max_response_bytes: 512 KiB
scopes: items:read items:write
"""),
    "basic auth and tool extras": tool(head="""\
auth:
  basic: { username: svc, password: "${env:GATEHOUSE_SCHEMA_TEST_TOKEN}" }
""", extra="""\
title: Get an item
headers: { X-Caller: "{{ user.sub }}", X-Id: "{{ id }}" }
query: { api-version: "2024-01-01", id: "{{ id }}" }
annotations: { title: Item, read_only: true, open_world: false }
response:
  select: data.0
  fields: [id, owner.login]
  max_bytes: 20KB
  output_schema: { type: object, properties: { id: { type: integer } }, required: [id] }
timeout: 500ms
scopes: [items:read]
"""),
    "caller in the path and path default": tool(path="/users/{user.sub}/items/{id}", parameters="""\
      id: { type: integer, in: path, required: false, default: 1 }
"""),
    "delete with a body parameter": tool(method="DELETE", parameters="""\
      id: integer
      reason: { type: string, in: body, enum: [done, duplicate] }
"""),
    "arguments as a JSON Schema": tool(method="POST", path="/boards/{board}/shapes", parameters="""\
      trace: { in: header, as: X-Trace-Id }
      dry_run: { in: query }
""", extra="""\
input_schema:
  $schema: https://json-schema.org/draft/2020-12/schema
  type: object
  $defs:
    point:
      $anchor: point
      type: object
      properties: { x: { type: number }, y: { type: number } }
      required: [x, y]
      additionalProperties: false
  properties:
    board: { type: string, pattern: "^[a-z]+$" }
    shape:
      oneOf:
        - { type: object, properties: { kind: { const: circle }, center: { $ref: "#point" } }, required: [kind, center] }
        - { type: object, properties: { kind: { const: path }, points: { type: array, items: { $ref: "#/$defs/point" } } } }
    title: { type: string, maxLength: 80 }
    dry_run: { type: boolean, default: false }
    trace: { type: string }
  required: [board, shape]
  additionalProperties: false
  if: { properties: { dry_run: { const: true } }, required: [dry_run] }
  then: { required: [trace] }
body:
  shape: "{{ shape }}"
  title: "{{ title }}"
  author: "{{ user.sub }}"
"""),
    "limits and retries": tool(head="""\
limits: { max_concurrent: 16, rate_limit: 600/minute }
retries: { max: 2, backoff: 100ms, max_backoff: 2s, statuses: [503, 504] }
""", extra="""\
max_response_bytes: 1MB
limits: { rate_limit: { requests: 10, per: 1m, burst: 20 } }
retries: 1
"""),
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_valid_variation_passes_check_and_schema(text, tmp_path):
    result = check_text(tmp_path, text)
    assert result.returncode == 0, result.stdout
    assert not schema_errors(text)


# --- files both refuse ------------------------------------------------------------------------

REFUSED = {
    # (the connector file, a piece of what `gatehouse check` says)
    "empty file": ("# nothing\n", "file is empty"),
    "top level is a list": ("- connector: demo\n", "must be a mapping"),
    "unknown connector key": (tool(head="colour: blue"), "unknown key 'colour'"),
    "missing connector": (tool().replace("connector: demo\n", ""), "missing required key 'connector'"),
    "missing base_url": (tool().replace("base_url: https://api.example.com/v1\n", ""), "missing required key 'base_url'"),
    "missing tools": ("connector: demo\nbase_url: https://api.example.com\n", "missing required key 'tools'"),
    "empty tools": ("connector: demo\nbase_url: https://api.example.com\ntools: []\n", "at least one tool"),
    "bad connector name": (tool().replace("connector: demo", "connector: my demo"), "connector name"),
    "ftp base_url": (tool().replace("https://api.example.com/v1", "ftp://api.example.com"), "scheme must be http or https"),
    "base_url with credentials": (tool().replace("https://", "https://me:pw@"), "credentials in the URL"),
    "base_url with a query": (tool().replace("/v1", "/v1?x=1"), "query or fragment"),
    "unknown secret kind": (tool(head="headers: { X-Key: '${vault:key}' }"), "unknown reference"),
    "bad header name": (tool(head="headers: { 'X Key': v }"), "not a valid HTTP header name"),
    "header value with a line break": (tool(head='headers: { X-Note: "a\\nb" }'), "must not contain line breaks"),
    "two auth kinds": (tool(head="auth: { bearer: t, basic: { username: u, password: p } }"), "exactly one of"),
    "unknown auth kind": (tool(head="auth: { oauth: t }"), "unknown key 'oauth'"),
    "basic without password": (tool(head="auth: { basic: { username: u } }"), "needs username and password"),
    "basic username with a colon": (tool(head="auth: { basic: { username: 'a:b', password: p } }"), "must not contain ':'"),
    "api_key with header and query": (tool(head="auth: { api_key: { header: X-K, query: k, value: v } }"), "exactly one of header or query"),
    "api_key without value": (tool(head="auth: { api_key: { header: X-K } }"), "needs a value"),
    "timeout without a number": (tool(head="timeout: soon"), "must be a duration"),
    "timeout over an hour": (tool(head="timeout: 7200"), "must be a duration"),
    "zero timeout": (tool(head="timeout: 0s"), "must be a duration"),
    "size with an unknown unit": (tool(head="max_response_bytes: 2 TB"), "must be a size"),
    "negative size": (tool(head="max_response_bytes: -1"), "must be a size"),
    "scope with a quote": (tool(head="scopes: ['a\"b']"), "not a valid OAuth scope"),
    "scopes as a mapping": (tool(head="scopes: { a: b }"), "must be a list"),
    "unknown tool key": (tool("summary: x"), "unknown key 'summary'"),
    "unknown limits key": (tool(head="limits: { burst: 5 }"), "unknown key 'burst'"),
    "zero concurrency": (tool(head="limits: { max_concurrent: 0 }"), "limits.max_concurrent must be between"),
    "rate limit without a period": (tool(head="limits: { rate_limit: 60 }"), "limits.rate_limit must look like"),
    "rate limit per fortnight": (tool(head="limits: { rate_limit: 5/fortnight }"), "limits.rate_limit must look like"),
    "rate limit mapping without per": (tool(head="limits: { rate_limit: { requests: 5 } }"), "needs both requests and per"),
    "too many retries": (tool(head="retries: 11"), "retries must be between 0 and 10"),
    "retried status below 400": (tool(head="retries: { statuses: [200] }"), "retries.statuses entry must be between"),
    "unknown retries key": (tool(head="retries: { attempts: 2 }"), "unknown key 'attempts'"),
    "tool without name": (tool().replace("  - name: get_item\n    description", "  - description"), "missing required key 'name'"),
    "tool without description": (tool().replace("    description: One item.\n", ""), "needs a description"),
    "tool without path": (tool().replace("    path: /items/{id}\n", ""), "missing required key 'path'"),
    "tool name with a space": (tool(name="'get item'"), "tool name"),
    "tool name too long": (tool(name="a" * 65), "tool name"),
    "unknown method": (tool(method="FETCH"), "method must be one of"),
    "path without leading slash": (tool(path="items/{id}"), "must start with '/'"),
    "path with a query": (tool(path="/items/{id}?full=1"), "must not contain '?'"),
    "unclosed path placeholder": (tool(path="/items/{id"), "unclosed '{'"),
    "unknown user field in path": (tool(path="/users/{user.phone}/items/{id}"), "unknown placeholder"),
    "parameters as a list": (tool(parameters="      - id\n"), "must be a mapping"),
    "bad parameter name": (tool(parameters="      id: integer\n      'page size': integer\n"), "parameter name"),
    "unknown parameter type": (tool(parameters="      id: int\n"), "parameter type must be one of"),
    "unknown parameter key": (tool(parameters="      id: { type: integer, requird: true }\n"), "did you mean 'required'"),
    "required as a string": (tool(parameters="      id: { type: integer, required: 'yes' }\n"), "must be true or false"),
    "minimum on a string": (tool(parameters="      id: integer\n      q: { type: string, minimum: 1 }\n"), "applies to integer and number"),
    "pattern on an integer": (tool(parameters="      id: { type: integer, pattern: '^[0-9]+$' }\n"), "applies to string"),
    "items on a string": (tool(parameters="      id: integer\n      q: { items: string }\n"), "applies to array"),
    "negative min_length": (tool(parameters="      id: integer\n      q: { min_length: -1 }\n"), "must be between"),
    "empty enum": (tool(parameters="      id: { type: integer, enum: [] }\n"), "at least one value"),
    "enum value of another type": (tool(parameters="      id: { type: integer, enum: [1, two] }\n"), "enum value"),
    "default of another type": (tool(parameters="      id: integer\n      q: { type: boolean, default: 3 }\n"), "default does not fit"),
    "unknown parameter location": (tool(parameters="      id: integer\n      q: { in: cookie }\n"), "in must be one of"),
    "object parameter in the query": (tool(parameters="      id: integer\n      f: { type: object, in: query }\n"), "can only go in the body"),
    "path parameter neither required nor defaulted": (tool(parameters="      id: { type: integer, in: path, required: false }\n"), "must be required or have a default"),
    "header parameter with a bad name": (tool(parameters="      id: integer\n      t: { in: header, as: 'X Trace' }\n"), "not a valid HTTP header name"),
    "body on GET": (tool("body: { a: 1 }"), "GET requests carry no body"),
    "body parameter on GET": (tool(parameters="      id: integer\n      q: { in: body }\n"), "GET requests carry no body"),
    "unclosed template": (tool(method="POST", extra="body: { a: '{{ id' }"), "unclosed '{{'"),
    "unknown user field in a template": (tool(extra="headers: { X-Who: '{{ user.phone }}' }"), "unknown placeholder"),
    "empty placeholder": (tool(extra="query: { q: '{{ }}' }"), "empty placeholder"),
    "unknown annotation": (tool("annotations: { safe: true }"), "unknown key 'safe'"),
    "annotation not a boolean": (tool("annotations: { read_only: maybe }"), "must be true or false"),
    "unknown response key": (tool("response: { pick: data }"), "unknown key 'pick'"),
    "fields not a list": (tool("response: { fields: id }"), "must be a list"),
    "output_schema not an object schema": (tool("response: { output_schema: { type: array } }"), "must have type: object"),
    "output_schema with an unknown type": (
        tool("response: { output_schema: { type: object, properties: { id: { type: int } } } }"), "unknown type"),
    "output_schema with a bad required": (tool("response: { output_schema: { type: object, required: id } }"), "required must be"),
    "tool timeout with a bad unit": (tool("timeout: 5 minutes"), "must be a duration"),
    "input_schema not an object schema": (
        schema_tool("type: array, properties: { id: { type: integer } }, required: [id], additionalProperties: false"),
        "input_schema must have type: object"),
    "input_schema without properties": (
        schema_tool("type: object, additionalProperties: false", path="/items"), "input_schema needs properties"),
    "input_schema open to other arguments": (
        schema_tool("type: object, properties: { id: { type: integer } }, required: [id]"),
        "input_schema must set additionalProperties: false"),
    "input_schema with patternProperties at the top": (
        schema_tool("type: object, properties: { id: { type: integer } }, required: [id], additionalProperties: false, "
                    "patternProperties: { '^x': {} }"),
        "must not have patternProperties at the top"),
    "input_schema in another dialect": (
        schema_tool("$schema: 'http://json-schema.org/draft-07/schema#', type: object, properties: { id: { type: integer } }, "
                    "required: [id], additionalProperties: false"),
        "$schema must be https://json-schema.org/draft/2020-12/schema"),
    "input_schema argument with a bad name": (
        schema_tool("type: object, properties: { id: { type: integer }, 'page size': {} }, required: [id], "
                    "additionalProperties: false"),
        "property name 'page size'"),
    "input_schema with an unknown type": (
        schema_tool("type: object, properties: { id: { type: int } }, required: [id], additionalProperties: false"),
        "unknown type"),
    "input_schema with a malformed $anchor": (
        schema_tool("type: object, properties: { id: { type: integer, $anchor: 1st } }, required: [id], "
                    "additionalProperties: false"),
        "must start with a letter"),
    "typed parameter next to input_schema": (
        schema_tool("", parameters="      id: { type: integer }\n"), "declare it in input_schema"),
    "parameter shorthand next to input_schema": (
        schema_tool("", parameters="      id: integer\n"), "may only say where the argument goes"),
    "unknown placement key next to input_schema": (
        schema_tool("", parameters="      id: { inn: path }\n"), "did you mean 'in'?"),
}


@pytest.mark.parametrize("text,message", REFUSED.values(), ids=REFUSED.keys())
def test_broken_file_is_refused_by_check_and_schema(text, message, tmp_path):
    result = check_text(tmp_path, text)
    assert result.returncode == 1, result.stdout
    assert message in result.stdout, result.stdout
    errors = schema_errors(text)
    assert errors, "the schema accepts a file gatehouse check refuses"
    assert not any(e.startswith("not loadable") for e in errors), errors


# --- files only `gatehouse check` can refuse ----------------------------------------------------

CHECK_ONLY = {
    # Whether a tool is idempotent depends on its method and its annotations
    # together; the schema leaves that rule to the decoder.
    "retries on a POST": (tool(method="POST", path="/items", extra="retries: 2\n"), "retries apply only to idempotent calls"),
    # A placeholder is checked against the tool's parameter names: the schema
    # cannot compare a string's contents with the keys of a sibling mapping.
    "path placeholder without a parameter": (tool(parameters="      other: integer\n"), "has no parameter named 'id'"),
    "template placeholder without a parameter": (tool(extra="headers: { X-Q: '{{ missing }}' }"), "names no parameter"),
    "path placeholder's parameter sent elsewhere": (
        tool(parameters="      id: { type: integer, in: query }\n"), "so it must be in: path"),
    "in: path parameter missing from the path": (tool(parameters="      id: integer\n      page: { in: path }\n"), "the path has no {page}"),
    "body template leaves out a body parameter": (
        tool(method="POST", path="/items", parameters="      a: string\n      b: string\n", extra="body: { a: '{{ a }}' }"),
        "does not use {{ b }}"),
    # Where a parameter goes by default depends on the path and the method,
    # which the schema does not combine with the parameter's own keys.
    "object parameter landing in the query by default": (tool(parameters="      id: integer\n      f: { type: object }\n"), "can only go in the body"),
    # Names must be unique; JSON Schema can only compare whole items.
    "duplicate tool names": (tool() + "  - name: get_item\n    description: Again.\n    path: /other\n", "duplicate tool name"),
    # The schema sees the file, not the environment or the disk.
    "unset environment variable": (tool(head="auth: { bearer: '${env:GATEHOUSE_SCHEMA_TEST_UNSET}' }"), "is not set"),
    "missing secret file": (tool(head="auth: { bearer: '${file:/nonexistent/gatehouse-token}' }"), "cannot read secret file"),
    # Values are checked against the rest of the parameter, and regular
    # expressions by the gateway's own engine.
    "default outside the enum": (tool(parameters="      id: integer\n      s: { enum: [a, b], default: c }\n"), "default does not fit"),
    "enum value below the minimum": (tool(parameters="      id: { type: integer, minimum: 1, enum: [0, 1] }\n"), "enum value"),
    "invalid regular expression": (tool(parameters="      id: integer\n      q: { pattern: '([a-z' }\n"), "parameter 'q'"),
    "path placeholder not required by input_schema": (
        schema_tool("type: object, properties: { id: { type: integer } }, additionalProperties: false"),
        "needs 'id' in input_schema's required list"),
    "path placeholder without an input_schema property": (
        schema_tool("type: object, properties: { other: { type: integer } }, additionalProperties: false"),
        "path placeholder {id} needs a property 'id' in input_schema"),
    "placement of an argument input_schema lacks": (
        schema_tool("", parameters="      trace: { in: header }\n"), "is not a property of input_schema"),
    "input_schema default that does not fit": (
        schema_tool("type: object, properties: { id: { type: integer }, n: { type: integer, minimum: 1, default: 0 } }, "
                    "required: [id], additionalProperties: false"),
        "default of property 'n' does not fit"),
    "input_schema $ref to a missing definition": (
        schema_tool("type: object, properties: { id: { $ref: '#/$defs/id' } }, required: [id], additionalProperties: false"),
        "invalid input_schema: schema at /properties/id/$ref: $ref target #/$defs/id does not exist"),
    # The editor schema shares its JSON Schema definition with output_schema,
    # where the gateway ignores these keywords instead of refusing them.
    "unevaluatedProperties in input_schema": (
        schema_tool("type: object, properties: { id: { type: integer }, f: { type: object, unevaluatedProperties: false } }, "
                    "required: [id], additionalProperties: false"),
        "unevaluatedProperties is not supported"),
    "output_schema with a remote $ref": (
        tool("response: { output_schema: { type: object, $ref: 'https://schemas.example.com/item.json' } }"),
        "remote $ref is not supported"),
    # Range checks on text forms: the schema checks a duration's or size's
    # shape, not its value once the unit is applied.
    "duration string over an hour": (tool(head="timeout: 2h"), "must be a duration"),
    "size string over 1GiB": (tool(head="max_response_bytes: 2GB"), "must be a size"),
    "base_url port out of range": (tool().replace("api.example.com", "api.example.com:70000"), "invalid port"),
    # A whole number written with a decimal point (or an exponent: 1e3) is an
    # integer to JSON Schema but not to the gateway, which wants a count
    # written as one; likewise `connector: 1.0` is the name "1.0" to it.
    "count written as 1.0": (tool(parameters="      id: integer\n      q: { min_length: 1.0 }\n"), "must be an integer"),
    # YAML the editor's loader resolves before any schema sees it.
    "duplicate YAML key": (tool(head="description: a\ndescription: b"), "duplicate key"),
    "unquoted date as header value": (tool(head="headers: { X-Api-Version: 2022-11-28 }"), "must be a string"),
}


@pytest.mark.parametrize("text,message", CHECK_ONLY.values(), ids=CHECK_ONLY.keys())
def test_check_only_problem(text, message, tmp_path):
    result = check_text(tmp_path, text)
    assert result.returncode == 1, result.stdout
    assert message in result.stdout, result.stdout
    # When the schema learns to catch one of these, move it to REFUSED.
    assert not schema_errors(text), schema_errors(text)


# --- files only the schema refuses --------------------------------------------------------------

SCHEMA_ONLY = {
    # The gateway upper-cases the method with Unicode rules, under which the
    # long s (ſ) becomes S; the schema spells methods in ASCII only.
    "method with a long s": tool(method="poſt", path="/items", parameters=""),
    # The gateway ignores `required` on an array's items whatever its value;
    # the schema shares one definition with object properties, where it must
    # be true or false.
    "required on array items": tool(parameters="      id: integer\n      tags: { type: array, items: { required: often } }\n"),
}


@pytest.mark.parametrize("text", SCHEMA_ONLY.values(), ids=SCHEMA_ONLY.keys())
def test_schema_only_problem(text, tmp_path):
    result = check_text(tmp_path, text)
    assert result.returncode == 0, result.stdout
    assert schema_errors(text)


# --- random edits -------------------------------------------------------------------------------

EDIT_VALUES = [
    "", "a b", "get", "FETCH", "{{ id }}", "{{ user.sub }}", "{{ nope }}", "{{", "/x/{id}", "/x/{user.bad}", "/x?y", "x",
    "${env:GATEHOUSE_SCHEMA_TEST_TOKEN}", "${x}", "10s", "0s", "90m", "1MB", "2 TB", "+5", "1e3", " 5 ", "10 KiB",
    0, 1, -1, 65, 3601, 1073741825, 1.0, 1.5, True, False, None, [], {}, ["a"], ["a b"], {"type": "object"},
    {"type": "array", "items": "string"}, {"type": "string", "minimum": 1}, "X-A", "X A", "a:b", "https://h.example",
    "http://h:0", "https://u@h", "ftp://h", "string", "integer", "object", "int", "path", "query", "header", "body",
    "cookie", "a" * 65, "line\nbreak", "2022-11-28", "([",
]
EDIT_KEYS = [
    "connector", "description", "base_url", "headers", "auth", "timeout", "max_response_bytes", "scopes", "tools", "name",
    "title", "method", "path", "parameters", "query", "body", "annotations", "response", "type", "required", "default",
    "enum", "minimum", "pattern", "min_length", "max_items", "items", "properties", "additional_properties", "in", "as",
    "explode", "read_only", "select", "fields", "max_bytes", "output_schema", "bearer", "basic", "api_key", "value",
    "colour", "id", "limits", "retries", "max_concurrent", "rate_limit",
]
# What `gatehouse check` may find in an edited file that the schema passes:
# the kinds of problem listed in CHECK_ONLY (and a base_url that is all secret).
CHECK_ONLY_MESSAGES = (
    "has no parameter named", "names no parameter", "so it must be in: path", "but the path has no", "does not use {{",
    "can only go in the body", "duplicate tool name", "is not set", "cannot read secret file", "default does not fit",
    "enum value", "invalid regular expression", "invalid output_schema", "must be a duration", "must be a size",
    "invalid port", "must be an integer", "connector name '1.0'", "base_url must be an absolute", "duplicate key",
    "retries apply only to idempotent calls", "input_schema's required list", "needs a property", "is not a property of input_schema",
    "default of property", "invalid input_schema",
)


def _nodes(node, path=()):
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        yield from _nodes(value, path + (key,))


def _edited(rng: random.Random, seeds: list, count: int):
    """Connector files with one or two values, keys or entries changed."""
    for _ in range(count):
        document = copy.deepcopy(rng.choice(seeds))
        for _ in range(rng.choice((1, 1, 2))):
            path, node = rng.choice([n for n in _nodes(document) if n[0]])
            parent = document
            for key in path[:-1]:
                parent = parent[key]
            roll = rng.random()
            if roll < 0.55:
                parent[path[-1]] = copy.deepcopy(rng.choice(EDIT_VALUES))
            elif roll < 0.7 and isinstance(parent, dict):
                del parent[path[-1]]
            elif roll < 0.9 and isinstance(node, dict):
                node[rng.choice(EDIT_KEYS)] = copy.deepcopy(rng.choice(EDIT_VALUES))
            elif isinstance(parent, dict):
                parent[rng.choice(EDIT_KEYS)] = parent.pop(path[-1])
        yield yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _without_items_required(node):
    if isinstance(node, dict):
        return {k: (_without_required(v) if k == "items" else _without_items_required(v)) for k, v in node.items()}
    return [_without_items_required(v) for v in node] if isinstance(node, list) else node


def _without_required(node):
    node = _without_items_required(node)
    return {k: v for k, v in node.items() if k != "required"} if isinstance(node, dict) else node


def test_random_edits_are_judged_alike(tmp_path):
    secret = tmp_path / "api-key"
    secret.write_text("example-key\n")
    texts = [p.read_text().replace("/run/secrets/inventory/api-key", str(secret)) for p in SHIPPED] + list(ACCEPTED.values())
    seeds = [yaml.load(text, Loader=EditorLoader) for text in texts]
    verdicts = {"both accept": 0, "both refuse": 0, "check only": 0}
    disagreements = []
    for text in _edited(random.Random(20261126), seeds, 200):
        result = check_text(tmp_path, text)
        errors = schema_errors(text)
        if result.returncode == 0 and errors:
            # SCHEMA_ONLY: `required` on array items, which the gateway ignores.
            if VALIDATOR.is_valid(_without_items_required(yaml.load(text, Loader=EditorLoader))):
                continue
            disagreements.append(("only the schema refuses", text, errors[:3]))
        elif result.returncode == 1 and not errors:
            verdicts["check only"] += 1
            # One problem a line, each starting with the file's path (a
            # quoted value may carry a line break into the next line).
            problems = [line for line in result.stdout.splitlines() if line.startswith(str(tmp_path))]
            unexplained = [p for p in problems if not any(m in p for m in CHECK_ONLY_MESSAGES)]
            if unexplained:
                disagreements.append(("only check refuses", text, unexplained))
        else:
            verdicts["both accept" if result.returncode == 0 else "both refuse"] += 1
    assert not disagreements
    # The edits reach both sides of the line.
    assert verdicts["both accept"] >= 20 and verdicts["both refuse"] >= 60, verdicts
