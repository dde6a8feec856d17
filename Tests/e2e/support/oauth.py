"""glewlwyd, the real OAuth provider, started and stopped through the scripts
in oauth/ (start.sh provisions clients and users and writes info.json)."""

import json
import pathlib
import shutil
import subprocess

import pytest

from support.paths import OAUTH


def require_glewlwyd() -> None:
    if shutil.which("glewlwyd") is None:
        pytest.fail("glewlwyd is not installed: run Tests/e2e/oauth/setup.sh (scripts/test does)")


def start_glewlwyd(port: int, resource: str, state: pathlib.Path, *options: str) -> dict:
    """Starts glewlwyd on `port` for the protected `resource`, keeping its files
    in `state`; `options` go to provision.py. Returns the provisioned info."""
    subprocess.run([str(OAUTH / "start.sh"), str(port), resource, str(state), *options],
                   check=True, capture_output=True, timeout=60)
    return json.loads((state / "info.json").read_text())


def stop_glewlwyd(state: pathlib.Path) -> None:
    subprocess.run([str(OAUTH / "stop.sh"), str(state)], check=False, timeout=30)
