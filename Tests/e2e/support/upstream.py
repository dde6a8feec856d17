"""The real REST upstream: httpbin under gunicorn on a loopback port."""

import contextlib
import pathlib
import subprocess
import sys

from support.gateway import free_port, wait_for


@contextlib.contextmanager
def httpbin():
    """Yields the base URL of a running httpbin; stops it on exit."""
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
