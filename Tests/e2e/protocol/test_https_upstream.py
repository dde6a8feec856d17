"""Tool calls to an `https` API: the gateway verifies the certificate (its
chain against the system's authorities plus GATEHOUSE_TLS_CA_FILE, and
that it names the host), keeps the TLS connection for the next call, and
reports a certificate it cannot trust as an unreachable API, never as an
answer."""

import http.server
import json
import pathlib
import ssl
import tempfile
import threading

import pytest

from support.gateway import start_gateway
from support.loopback import LoopbackServer, answer
from support.tls import make_tls_material
from test_transport import modern_post


class TLSItemAPI(LoopbackServer):
    """`GET /item` over HTTPS with keep-alive; counts the TLS connections."""

    def __init__(self, cert, key):
        self.connections = 0
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(handler):
                super().setup()
                with server.lock:
                    server.connections += 1

            def do_GET(handler):
                answer(handler, 200, "application/json", json.dumps({"id": 7, "name": "over TLS"}).encode())

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.port = self.server_address[1]


def connector_folder(root: pathlib.Path, port: int) -> pathlib.Path:
    folder = root / "connectors.d"
    folder.mkdir(parents=True)
    (folder / "tls.yaml").write_text(f"""connector: tls
base_url: https://localhost:{port}
timeout: 5s
tools:
  - name: get_item
    description: Get the item over TLS.
    path: /item
""")
    return folder


def call(gateway):
    r = modern_post(gateway, "tools/call", {"name": "get_item", "arguments": {}}, name="get_item")
    assert r.status_code == 200
    return r.json()["result"]


@pytest.fixture(scope="module")
def material():
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-tls-"))
    return {"right": make_tls_material(root / "right", "DNS:localhost"),
            "wrong_name": make_tls_material(root / "wrong", "DNS:other.example")}


def test_a_trusted_https_api_answers_and_its_connection_is_kept(material):
    api = TLSItemAPI(material["right"]["cert"], material["right"]["key"]).start()
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-tls-gw-"))
    gateway = start_gateway(connector_folder(root, api.port), {"GATEHOUSE_TLS_CA_FILE": str(material["right"]["ca"])})
    try:
        for _ in range(6):
            result = call(gateway)
            assert not result.get("isError"), result
            assert json.loads(result["content"][0]["text"]) == {"id": 7, "name": "over TLS"}
        # Six calls, each on one of the server's threads' connections at most.
        assert api.connections <= 2, api.connections
    finally:
        gateway.stop()
        api.stop()


@pytest.mark.parametrize("case", ["untrusted", "wrong_name"])
def test_a_certificate_the_gateway_cannot_trust_is_an_unreachable_api(material, case):
    # untrusted: the right name, but no CA file; wrong_name: a trusted CA, another host's name.
    pair = material["right"] if case == "untrusted" else material["wrong_name"]
    api = TLSItemAPI(pair["cert"], pair["key"]).start()
    root = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-tls-gw-"))
    env = {} if case == "untrusted" else {"GATEHOUSE_TLS_CA_FILE": str(pair["ca"])}
    gateway = start_gateway(connector_folder(root, api.port), env)
    try:
        result = call(gateway)
        assert result.get("isError") is True
        text = result["content"][0]["text"]
        assert "could not be reached" in text and "over TLS" not in text, text
        expected = "is not trusted" if case == "untrusted" else "does not name this host"
        assert expected in text and ".build" not in text, text
        assert call(gateway).get("isError") is True, "still refused on the next call"
    finally:
        gateway.stop()
        api.stop()
