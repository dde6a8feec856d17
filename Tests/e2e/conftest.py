"""Fixtures for end-to-end tests: a real REST upstream (httpbin under
gunicorn) and the built gatehouse binary serving a connector folder that maps
tools onto it. Everything listens on 127.0.0.1 only; the helpers behind these
fixtures live in the `support` package."""

import pathlib
import tempfile

import pytest

from support.connectors import write_connector
from support.gateway import start_gateway
from support.paths import BIN
from support.upstream import httpbin


@pytest.fixture(scope="session")
def httpbin_url():
    with httpbin() as url:
        yield url


@pytest.fixture(scope="session")
def gateway(httpbin_url):
    assert BIN.exists(), f"build the gateway first: {BIN} is missing"
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-e2e-"))
    folder = root / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/httpbin", UPSTREAM=httpbin_url)
    gw = start_gateway(folder)
    try:
        yield gw
    finally:
        gw.stop()
        assert gw.process.returncode in (0, -15), f"gateway exited with {gw.process.returncode}"
