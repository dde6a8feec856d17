"""Connector files for the tests, kept as real YAML under fixtures/connectors.

A fixture names the few values that differ per run as `${NAME}` placeholders
(upper case: `${UPSTREAM}` for the upstream's base URL, secret file paths…).
`render` fills exactly those in by plain text replacement, so everything else
— the gateway's own `{{ user.sub }}` templates and `${env:NAME}` references —
stays as written and the fixture reads like a connector a person would ship.
"""

import pathlib
import re

from support.paths import FIXTURES

CONNECTORS = FIXTURES / "connectors"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(name: str, **values: str) -> str:
    """The text of fixtures/connectors/<name>.yaml with its placeholders filled.

    Every placeholder must be given and every value used, so a typo fails the
    test instead of serving a half-filled connector."""
    text = (CONNECTORS / f"{name}.yaml").read_text()
    found = set(PLACEHOLDER.findall(text))
    assert found == set(values), f"{name}.yaml has placeholders {sorted(found)}, given {sorted(values)}"
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def write_connector(folder: pathlib.Path, name: str, file_name: str = None, **values: str) -> pathlib.Path:
    """Writes the rendered fixture into a connector folder (as its own base
    name unless `file_name` is given) and returns the written path."""
    path = folder / (file_name or f"{pathlib.PurePath(name).name}.yaml")
    path.write_text(render(name, **values))
    return path
