"""Helpers for the end-to-end tests, importable from any test folder.

`conftest.py` holds only pytest fixtures; what they and the tests do — start
the gateway, run the upstreams, speak MCP, provision glewlwyd, write connector
files — lives here, one concern per module."""
