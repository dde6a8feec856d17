"""A tool whose arguments are a hand-written JSON Schema 2020-12 document
(`input_schema`), through the running gateway with the official MCP SDK in
both eras and a real httpbin upstream: the schema is published as written,
valid calls land where `parameters` says, invalid ones never leave."""

import json

import pytest

from conftest import start_gateway
from mcp_clients import legacy_session, modern_client, run, text_of

CONNECTOR = """
connector: shop
base_url: {base}
tools:
  - name: place_order
    description: Place an order in a region.
    method: POST
    path: /anything/orders/{{region}}
    parameters:
      trace: {{ in: header, as: X-Trace-Id }}
    input_schema:
      $schema: https://json-schema.org/draft/2020-12/schema
      type: object
      $defs:
        money:
          $anchor: money
          type: object
          properties:
            amount: {{ type: integer, minimum: 1 }}
            currency: {{ enum: [EUR, USD] }}
          required: [amount, currency]
      properties:
        region: {{ enum: [eu, us] }}
        total: {{ $ref: "#money" }}
        payment:
          oneOf:
            - {{ type: object, properties: {{ card: {{ type: string }} }}, required: [card], additionalProperties: false }}
            - {{ type: object, properties: {{ iban: {{ type: string }} }}, required: [iban], additionalProperties: false }}
        gift: {{ type: boolean }}
        note: {{ type: string }}
        trace: {{ type: string }}
      required: [region, total, payment]
      additionalProperties: false
      if: {{ properties: {{ gift: {{ const: true }} }}, required: [gift] }}
      then: {{ required: [note] }}
    response:
      fields: [json, headers, url]
"""

GOOD = {"region": "eu", "total": {"amount": 12, "currency": "EUR"}, "payment": {"card": "4111"}, "trace": "t-1"}


@pytest.fixture(scope="module")
def shop(httpbin_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop") / "connectors.d"
    folder.mkdir()
    (folder / "shop.yaml").write_text(CONNECTOR.format(base=httpbin_url))
    gateway = start_gateway(folder)
    yield gateway
    gateway.process.terminate()
    gateway.process.wait(10)


def check_listing(tools):
    schema = {tool.name: tool for tool in tools}["place_order"].input_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["money"]["$anchor"] == "money"
    assert len(schema["properties"]["payment"]["oneOf"]) == 2
    assert schema["then"] == {"required": ["note"]}


async def check_calls(call):
    result = await call("place_order", GOOD)
    assert not result.is_error, text_of(result)
    echoed = json.loads(text_of(result))
    assert echoed["url"].endswith("/anything/orders/eu")
    assert echoed["json"] == {"total": {"amount": 12, "currency": "EUR"}, "payment": {"card": "4111"}}
    assert echoed["headers"]["X-Trace-Id"] == "t-1"
    for bad, why in [
        ({**GOOD, "payment": {"card": "4111", "iban": "DE00"}}, "payment"),
        ({**GOOD, "total": {"amount": 0, "currency": "GBP"}}, "total"),
        ({**GOOD, "gift": True}, "note"),
        ({**GOOD, "region": "mars"}, "region"),
    ]:
        result = await call("place_order", bad)
        assert result.is_error and "Invalid arguments" in text_of(result) and why in text_of(result), text_of(result)


def test_modern_era(shop):
    async def go():
        async with modern_client(shop.mcp) as client:
            check_listing((await client.list_tools()).tools)
            await check_calls(client.call_tool)
    run(go())


def test_legacy_era(shop):
    async def go():
        async with legacy_session(shop.mcp, "2025-11-25") as (session, _):
            check_listing((await session.list_tools()).tools)
            await check_calls(session.call_tool)
    run(go())
