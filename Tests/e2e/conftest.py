"""Fixtures for end-to-end tests: a real REST upstream (httpbin under
gunicorn) and the built gatehouse binary serving a connector folder that maps
tools onto it. Everything listens on 127.0.0.1 only."""

import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("GATEHOUSE_BIN", ROOT / ".build" / "debug" / "gatehouse"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException as error:  # not up yet
            last = error
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up: {last}")


@pytest.fixture(scope="session")
def httpbin_url():
    port = free_port()
    gunicorn = pathlib.Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "16", "httpbin:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/get")
        yield url
    finally:
        process.terminate()
        process.wait(10)


CONNECTOR = """
connector: httpbin
description: httpbin, a real HTTP echo service
base_url: {base}
headers:
  X-Connector-Default: from-connector
auth:
  bearer: ${{env:E2E_UPSTREAM_TOKEN}}
timeout: 5s
tools:
  - name: echo_get
    description: Echo query arguments.
    path: /get
    parameters:
      q: {{ type: string, required: true }}
      tags: {{ type: array, items: {{ type: string }} }}
      limit: {{ type: integer, minimum: 1, maximum: 10, default: 3 }}
      flag: boolean
    response:
      select: args
  - name: echo_post
    description: Create something with a JSON body.
    method: POST
    path: /post
    parameters:
      title: {{ type: string, required: true }}
      count: {{ type: integer }}
      labels: {{ type: array, items: {{ type: string }} }}
    body:
      title: "{{{{ title }}}}"
      count: "{{{{ count }}}}"
      labels: "{{{{ labels }}}}"
      summary: "item {{{{ title }}}} x{{{{ count }}}}"
    response:
      select: json
  - name: echo_params
    description: Parameters in the body without a template.
    method: PUT
    path: /put
    parameters:
      name: string
      size: {{ type: number }}
    response:
      select: json
  - name: get_path
    description: Path parameters.
    path: /anything/{{kind}}/{{id}}
    parameters:
      kind: {{ type: string, enum: [users, teams] }}
      id: {{ type: string }}
    response:
      fields: [url, method, args]
  - name: echo_headers
    description: Header parameters.
    path: /headers
    parameters:
      trace: {{ type: string, in: header, as: X-Trace-Id }}
    headers:
      X-Static: static-value
    response:
      select: headers
  - name: fail_with
    description: Answer with a chosen HTTP status.
    path: /status/{{code}}
    parameters:
      code: integer
  - name: slow
    description: An answer that takes too long.
    path: /delay/{{seconds}}
    timeout: 1s
    parameters:
      seconds: integer
  - name: picture
    description: A PNG picture.
    path: /image/png
  - name: html_page
    description: An HTML page.
    path: /html
    response:
      max_bytes: 200
  - name: structured_get
    description: Structured result with an output schema.
    path: /get
    parameters:
      q: string
    response:
      fields: [args, url]
      output_schema:
        type: object
        properties:
          args: {{ type: object }}
          url: {{ type: string }}
        required: [args, url]
"""


class Gateway:
    def __init__(self, url: str, folder: pathlib.Path, process: subprocess.Popen):
        self.url = url
        self.mcp = url + "/mcp"
        self.folder = folder
        self.process = process


def start_gateway(folder: pathlib.Path, extra_env=None, port=None) -> Gateway:
    port = port or free_port()
    env = dict(os.environ)
    env.update({
        "GATEHOUSE_PORT": str(port),
        "GATEHOUSE_HOST": "127.0.0.1",
        "GATEHOUSE_CONNECTORS": str(folder),
        "GATEHOUSE_LOG_LEVEL": os.environ.get("E2E_LOG_LEVEL", "warning"),
        "GATEHOUSE_PAGE_SIZE": "4",
        "E2E_UPSTREAM_TOKEN": "upstream-secret-token",
    })
    env.update(extra_env or {})
    log = open(folder.parent / f"gatehouse-{port}.log", "w")
    process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz")
    return Gateway(url, folder, process)


@pytest.fixture(scope="session")
def gateway(httpbin_url):
    assert BIN.exists(), f"build the gateway first: {BIN} is missing"
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-e2e-"))
    folder = root / "connectors.d"
    folder.mkdir()
    (folder / "httpbin.yaml").write_text(CONNECTOR.format(base=httpbin_url))
    gw = start_gateway(folder)
    try:
        yield gw
    finally:
        gw.process.terminate()
        gw.process.wait(10)
        assert gw.process.returncode in (0, -15), f"gateway exited with {gw.process.returncode}"
