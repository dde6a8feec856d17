"""Two replicas behind a round-robin proxy with no session affinity, the way
a Kubernetes Service spreads connections: nginx stands in for the Service.
Legacy sessions work on either replica because both sign session ids with the
same GATEHOUSE_SESSION_SECRET; the 2026-07-28 era is stateless."""

import re
import shutil
import subprocess

import pytest
import requests

from support.connectors import write_connector
from support.gateway import free_port, start_gateway, wait_for
from support.clients import legacy_session, modern_client, run, text_of

NGINX = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  upstream replicas {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }}
  }}
}}
"""


@pytest.fixture
def service(httpbin_url, tmp_path):
    if shutil.which("nginx") is None:
        pytest.fail("nginx is required (scripts/test installs it)")
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    write_connector(folder, "protocol/httpbin", UPSTREAM=httpbin_url)
    env = {"GATEHOUSE_SESSION_SECRET": "shared-by-all-replicas"}
    replicas = [start_gateway(folder, env), start_gateway(folder, env)]
    port = free_port()
    (tmp_path / "nginx.conf").write_text(NGINX.format(
        dir=tmp_path, port=port, a=replicas[0].url.rsplit(":", 1)[1], b=replicas[1].url.rsplit(":", 1)[1]))
    tmp_path.chmod(0o755)
    proxy = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}/mcp", replicas
    finally:
        proxy.terminate()
        proxy.wait(10)
        for replica in replicas:
            replica.stop(30)


def tool_calls(replica) -> int:
    text = requests.get(replica.url + "/metrics").text
    return sum(int(m) for m in re.findall(r'^gatehouse_tool_calls_total\{[^}]*\} (\d+)$', text, re.M))


def test_legacy_sessions_and_the_modern_era_across_replicas(service):
    url, replicas = service

    async def scenario():
        async with legacy_session(url, "2025-11-25") as (session, _):
            for index in range(6):
                result = await session.call_tool("echo_get", {"q": f"legacy-{index}"})
                assert not result.is_error and f"legacy-{index}" in text_of(result)
        async with modern_client(url) as client:
            for index in range(6):
                result = await client.call_tool("echo_get", {"q": f"modern-{index}"})
                assert not result.is_error and f"modern-{index}" in text_of(result)

    run(scenario())
    counts = [tool_calls(replica) for replica in replicas]
    assert sum(counts) == 12
    assert all(count > 0 for count in counts), f"calls per replica: {counts}; the proxy must spread them"
