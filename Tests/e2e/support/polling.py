"""Waiting for something the gateway does in the background (a reload, a
closed connection) without sleeping longer than it takes."""

import time


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02) -> bool:
    """Polls `predicate` every `interval` seconds until it holds or `timeout`
    passes; a last look decides, so a slow machine still gets the answer."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
