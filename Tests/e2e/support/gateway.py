"""Starting the gateway binary on a loopback port and waiting for it."""

import os
import pathlib
import socket
import subprocess
import time

import requests

from support.paths import BIN


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


class Gateway:
    def __init__(self, url: str, folder: pathlib.Path, process: subprocess.Popen):
        self.url = url
        self.mcp = url + "/mcp"
        self.folder = folder
        self.process = process

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then wait up to `timeout` seconds; the exit status."""
        self.process.terminate()
        return self.process.wait(timeout)


def start_gateway(folder: pathlib.Path, extra_env=None, port=None, ready_within: float = 20.0) -> Gateway:
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
    wait_for(url + "/healthz", timeout=ready_within)
    return Gateway(url, folder, process)
