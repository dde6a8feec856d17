"""Where things are: the repository, the binary under test, and the files the
tests read (connector fixtures, glewlwyd scripts)."""

import os
import pathlib

E2E = pathlib.Path(__file__).resolve().parents[1]
ROOT = E2E.parents[1]
BIN = pathlib.Path(os.environ.get("GATEHOUSE_BIN", ROOT / ".build" / "debug" / "gatehouse"))
FIXTURES = E2E / "fixtures"
OAUTH = E2E / "oauth"
