"""A database of its own on the PostgreSQL server scripts/test starts
(GATEHOUSE_TEST_POSTGRES_URL), for tests of replicas sharing one store."""

import contextlib
import os
import subprocess
import time

import pytest


@contextlib.contextmanager
def temporary_database(prefix: str):
    """Yields the URL of a new, empty database and drops it afterwards. Skips
    without a server, unless GATEHOUSE_REQUIRE_POSTGRES=1 (scripts/test) makes
    that a failure."""
    url = os.environ.get("GATEHOUSE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("GATEHOUSE_REQUIRE_POSTGRES") == "1":
            pytest.fail("GATEHOUSE_TEST_POSTGRES_URL is not set: scripts/test starts a PostgreSQL server for this")
        pytest.skip("needs GATEHOUSE_TEST_POSTGRES_URL (scripts/test always sets it)")
    name = f"{prefix}_{os.getpid()}_{time.monotonic_ns()}"
    subprocess.run(["psql", url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=30)
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        subprocess.run(["psql", url, "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=False, capture_output=True,
                       timeout=30)
