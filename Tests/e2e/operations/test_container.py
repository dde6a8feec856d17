"""The container image, checked without a Docker engine.

Tests/container/rootfs-test.sh rebuilds what the Dockerfile puts in the image
(release binary with the same flags, Debian minbase of the runtime release,
the runtime stage's RUN and COPY lines) and runs it in a chroot as the image's
user; see the script for the list of checks. It needs root: through sudo when
that works without a password, skipped otherwise. The first run builds the
release binary and the root file system (cached in .build-container/).

The example deployments are checked against the same Dockerfile, and their
connector files with the release binary's `gatehouse check`."""

import os
import re
import shutil
import subprocess

import pytest

from support.paths import BIN, ROOT

SCRIPT = ROOT / "Tests" / "container" / "rootfs-test.sh"
EXAMPLES = ROOT / "examples"

CHECKS = [
    "ok: Dockerfile: build on swift:6.3-bookworm, run on debian:bookworm-slim",
    "ok: release binary built",
    "ok: loads ",
    "ok: ldd inside the image resolves every library",
    "ok: image assembled",
    'ok: /healthz answers {"status":"ok"}',
    "ok: gatehouse runs as PID 1 of its PID namespace, uid 10001, gid 10001, on a read-only root",
    "ok: the Dockerfile's HEALTHCHECK passes inside the container (and fails against a closed port)",
    "ok: gatehouse check /etc/gatehouse/connectors.d inside the container: ok: 3 files, 3 tools",
    "ok: tools/list: find_place get_forecast rootfs_get_item",
    "ok: tools/call rootfs_get_item reached the upstream",
    "ok: SIGTERM: exited 0",
    "rootfs test passed",
]


def dockerfile_fact(name):
    result = subprocess.run(["python3", str(ROOT / "Tests" / "container" / "dockerfile.py"), str(ROOT / "Dockerfile"), name],
                            capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


@pytest.fixture(scope="module")
def rootfs_run():
    command = [str(SCRIPT)]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None or subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode != 0:
            pytest.skip("the rootfs test needs root (debootstrap, chroot, mounts) or password-less sudo")
        command = ["sudo", "-n", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def release_binary(rootfs_run):
    found = re.search(r"^ok: release binary built: (\S+)", rootfs_run.stdout, re.M)
    if not found:
        pytest.fail("the rootfs test built no binary:\n" + rootfs_run.stdout[-3000:] + rootfs_run.stderr[-3000:])
    return found.group(1)


def test_image_contents_run_in_a_minimal_debian_root(rootfs_run):
    output = rootfs_run.stdout + rootfs_run.stderr
    assert rootfs_run.returncode == 0, output[-4000:]
    for check in CHECKS:
        assert check in rootfs_run.stdout, f"missing {check!r} in:\n{rootfs_run.stdout[-4000:]}"
    # Durations, for the CI budget.
    print("\n".join(line for line in rootfs_run.stdout.splitlines() if line.startswith(("time:", "memory:"))))


def check(binary, folder, env=None):
    return subprocess.run([binary, "check", str(folder)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_compose_connectors_are_valid(release_binary, tmp_path):
    # The token is a Compose secret at /run/secrets/upstream_token; point the
    # connector at the file in the repository instead.
    folder = tmp_path / "connectors.d"
    shutil.copytree(EXAMPLES / "compose" / "connectors.d", folder)
    token = EXAMPLES / "compose" / "secrets" / "upstream_token"
    for path in folder.glob("*.yaml"):
        path.write_text(path.read_text().replace("/run/secrets/upstream_token", str(token)))
    result = check(release_binary, folder)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok: 1 file, 3 tools"), result.stdout


def configmap_files(text):
    """The `data:` entries of a ConfigMap written as literal blocks (`name: |`)."""
    files, name, lines, in_data = {}, None, [], False
    for line in text.splitlines():
        if re.match(r"^data:\s*$", line):
            in_data = True
            continue
        if not in_data:
            continue
        entry = re.match(r"^  ([\w.-]+): \|\s*$", line)
        if entry:
            if name:
                files[name] = "\n".join(lines) + "\n"
            name, lines = entry.group(1), []
        elif line.startswith("    ") or not line.strip():
            lines.append(line[4:])
        elif line.startswith("  #"):
            continue
        else:
            break
    if name:
        files[name] = "\n".join(lines) + "\n"
    return files


def test_kubernetes_configmap_connectors_are_valid(release_binary, tmp_path):
    files = configmap_files((EXAMPLES / "kubernetes" / "configmap.yaml").read_text())
    assert sorted(files) == ["inventory.yaml", "weather.yaml"]
    secret = tmp_path / "api-key"
    secret.write_text("example-key\n")
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text.replace("/run/secrets/inventory/api-key", str(secret)))
    result = check(release_binary, folder)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok: 2 files, 3 tools"), result.stdout


def test_examples_agree_with_the_dockerfile():
    env = dict(line.split("=", 1) for line in dockerfile_fact("env"))
    uid, gid = dockerfile_fact("user")[0].split(":")
    port = dockerfile_fact("expose")[0]
    folder = env["GATEHOUSE_CONNECTORS"]
    assert env["GATEHOUSE_HOST"] == "0.0.0.0" and env["GATEHOUSE_PORT"] == port

    deployment = (EXAMPLES / "kubernetes" / "deployment.yaml").read_text()
    assert f"runAsUser: {uid}" in deployment and f"runAsGroup: {gid}" in deployment and f"fsGroup: {gid}" in deployment
    assert f"containerPort: {port}" in deployment
    assert f"mountPath: {folder}\n" in deployment
    assert "replicas: 2" in deployment
    assert "readOnlyRootFilesystem: true" in deployment and "runAsNonRoot: true" in deployment
    assert re.search(r"readinessProbe:\s+httpGet:\s+path: /readyz", deployment)
    assert re.search(r"livenessProbe:\s+httpGet:\s+path: /healthz", deployment)
    assert "enableServiceLinks: false" in deployment
    # The secret files the ConfigMap's connectors read are where the Secret is mounted.
    configmap = (EXAMPLES / "kubernetes" / "configmap.yaml").read_text()
    for path in re.findall(r"\$\{file:(/[^}]+)\}", configmap):
        assert f"mountPath: {os.path.dirname(path)}\n" in deployment, path

    compose = (EXAMPLES / "compose" / "docker-compose.yaml").read_text()
    assert f"./connectors.d:{folder}:ro" in compose
    assert f":{port}\"" in compose


def test_the_builtin_auth_compose_example_matches_the_image_and_the_settings():
    """The example for the built-in authorization server: only settings the
    binary knows, the store on the image's volume, secrets where they are
    mounted."""
    import yaml

    compose = yaml.safe_load((EXAMPLES / "compose" / "docker-compose.builtin-auth.yaml").read_text())
    service = compose["services"]["gatehouse"]
    known = subprocess.run([str(BIN), "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    for name in service["environment"]:
        assert re.search(rf"\b{name}\b", known), f"{name} is not a setting gatehouse serve knows"
    assert service["environment"]["GATEHOUSE_AUTH"] == "builtin"
    dockerfile = (ROOT / "Dockerfile").read_text()
    store = re.search(r"GATEHOUSE_AUTH_STORE=(\S+)", dockerfile).group(1)
    assert f'VOLUME ["{os.path.dirname(store)}"]' in dockerfile
    assert f"auth-store:{os.path.dirname(store)}" in service["volumes"]
    for name, value in service["environment"].items():
        if name.endswith("_FILE"):
            secret = value.removeprefix("/run/secrets/")
            assert secret in service["secrets"] and secret in compose["secrets"], name
