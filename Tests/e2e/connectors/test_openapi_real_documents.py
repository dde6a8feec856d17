"""`gatehouse import-openapi` on a large real document (Stripe's), end to
end: the whole document imports and passes `check`, and the generated
tools send exactly the requests Stripe's API expects to a recording
upstream — form bodies in Stripe's bracket style, no document defaults
added, the upload on its own host."""

import gzip
import subprocess
from urllib.parse import parse_qs

import pytest

from support.gateway import start_gateway
from support.paths import BIN, ROOT
from support.request_recorder import RequestRecorder, call_recorded

STRIPE = ROOT / "Tests" / "e2e" / "fixtures" / "openapi" / "stripe-spec3-2021-06.json.gz"
RECORDER = RequestRecorder(reply={"id": "cus_123", "object": "customer"})


@pytest.fixture(scope="module")
def stripe(tmp_path_factory):
    upstream = RECORDER.start().url
    work = tmp_path_factory.mktemp("stripe")
    document = work / "spec3.json"
    document.write_bytes(gzip.decompress(STRIPE.read_bytes()))
    folder = work / "connectors.d"
    folder.mkdir()
    output = folder / "stripe.yaml"
    result = subprocess.run([str(BIN), "import-openapi", str(document), "--name", "stripe",
                             "--base-url", upstream, "--output", str(output)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    check = subprocess.run([str(BIN), "check", str(folder)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    gateway = start_gateway(folder)
    try:
        yield gateway, output.read_text(), result.stderr
    finally:
        gateway.stop()
        RECORDER.stop()


def call(gateway, name, arguments):
    return call_recorded(gateway, RECORDER, name, arguments)


def test_the_whole_document_imports(stripe):
    _, yaml, stderr = stripe
    assert "wrote" in stderr and " tools" in stderr
    tools = yaml.count("\n  - name: ")
    assert tools >= 340, tools
    # HTML descriptions became Markdown.
    assert "<p>" not in yaml and "</a>" not in yaml
    # The upload goes to its own host, as a multipart body.
    upload = yaml[yaml.index("  - name: post_files\n"):]
    upload = upload[:upload.index("\n  - name: ", 1)]
    assert "base_url: https://files.stripe.com\n" in upload
    assert "body_format: multipart\n" in upload
    # Stripe declares deepObject encodings: brackets.
    customers = yaml[yaml.index("  - name: post_customers\n"):]
    assert "body_format: form_brackets\n" in customers[:customers.index("\n  - name: ", 1)]


def test_a_form_body_is_what_stripe_reads(stripe):
    gateway, _, _ = stripe
    result, sent = call(gateway, "post_customers", {
        "email": "ann+1@example.com", "expand": ["default_source"], "address": {"city": "Oslo", "line1": "Main 1"},
        "metadata": {"team": "blue"},
    })
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"]) for r in sent] == [("POST", "/v1/customers")]
    assert sent[0]["content_type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent[0]["raw"].decode()) == {
        "email": ["ann+1@example.com"], "expand[]": ["default_source"], "address[city]": ["Oslo"],
        "address[line1]": ["Main 1"], "metadata[team]": ["blue"],
    }, "only what the caller gave: no document defaults"


def test_queries_and_paths_carry_only_what_was_asked(stripe):
    gateway, _, _ = stripe
    result, sent = call(gateway, "get_customers", {"limit": 3, "email": "ann@example.com"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [
        ("GET", "/v1/customers", {"limit": ["3"], "email": ["ann@example.com"]})]
    result, sent = call(gateway, "get_customers_customer", {"customer": "cus_123"})
    assert not result.is_error, result.content[0].text
    assert [(r["method"], r["path"], r["query"]) for r in sent] == [("GET", "/v1/customers/cus_123", {})]
    result, sent = call(gateway, "delete_customers_customer", {"customer": "cus 1/x"})
    assert [(r["method"], r["path"]) for r in sent] == [("DELETE", "/v1/customers/cus%201%2Fx")]
