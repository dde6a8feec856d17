"""The connector folder as an attacker or a bad day would fill it: a link to
a system file, a huge file, an editor's write-and-rename, all against the
running binary. Problem texts on the unauthenticated /status must never
quote file contents; one edit must be one reload."""

import os
import pathlib
import signal
import time

import pytest
import requests

from support.connectors import render
from support import polling
from support.gateway import start_gateway


def status(gateway):
    return requests.get(gateway.url + "/status", timeout=5).json()


def wait_until(predicate, timeout=10.0):
    return polling.wait_until(predicate, timeout, interval=0.05)


def rss_kib(process):
    for line in pathlib.Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def folder_gateway(httpbin_url, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    (folder / "a.yaml").write_text(render("connectors/alpha", UPSTREAM=httpbin_url))
    gateway = start_gateway(folder, {"GATEHOUSE_RELOAD_DEBOUNCE_MS": "100"})
    gateway.httpbin = httpbin_url
    yield gateway
    gateway.process.send_signal(signal.SIGTERM)
    assert gateway.process.wait(15) == 0


def test_a_link_to_a_file_outside_the_folder_is_refused_unread(folder_gateway, tmp_path):
    outside = tmp_path / "shadow"
    outside.write_text("root:$6$saltsalt$hashhashhashhash:19000:0:99999:7:::\n"
                       "admin_password: hunter2-very-secret\n")
    os.symlink(outside, folder_gateway.folder / "shadow.yaml")
    assert wait_until(lambda: any(f["file"].endswith("shadow.yaml") for f in status(folder_gateway)["files"]))
    page = requests.get(folder_gateway.url + "/status").text
    assert "hunter2" not in page and "saltsalt" not in page and "admin_password" not in page
    entry = next(f for f in status(folder_gateway)["files"] if f["file"].endswith("shadow.yaml"))
    assert entry["state"] == "not served"
    assert "outside the connector folder" in entry["problems"][0]
    assert status(folder_gateway)["tools"] == 1, "the good file keeps serving"


def test_a_file_that_is_not_a_connector_is_not_quoted(folder_gateway):
    lines = "".join(f"secret_key_number_{i}_{'x' * 100}: value-{i}\n" for i in range(200))
    (folder_gateway.folder / "stray.yaml").write_text(lines)
    assert wait_until(lambda: any(f["file"].endswith("stray.yaml") for f in status(folder_gateway)["files"]))
    entry = next(f for f in status(folder_gateway)["files"] if f["file"].endswith("stray.yaml"))
    problems = entry["problems"]
    assert len(problems) <= 51 and problems[-1].endswith("more problems not shown")
    assert all(len(p) < 500 for p in problems)
    assert not any("x" * 70 in p for p in problems), "quoted keys are cut short"
    assert not any("value-" in p for p in problems), "values are never quoted"


def test_kubernetes_configmap_links_inside_the_folder_keep_working(httpbin_url, tmp_path):
    folder = tmp_path / "connectors.d"
    folder.mkdir()
    data = folder / "..2026_12_04_10_00_00.000000001"
    data.mkdir()
    (data / "a.yaml").write_text(render("connectors/alpha", UPSTREAM=httpbin_url))
    os.symlink(data.name, folder / "..data")
    os.symlink("..data/a.yaml", folder / "a.yaml")
    gateway = start_gateway(folder)
    try:
        assert status(gateway)["tools"] == 1 and status(gateway)["problems"] == []
    finally:
        gateway.stop()


def test_an_oversized_file_is_a_problem_and_the_last_good_version_keeps_serving(folder_gateway):
    before = rss_kib(folder_gateway.process)
    reloads = status(folder_gateway)["reloads"]["failed"]
    big = folder_gateway.folder / "a.yaml"
    padding = "# " + "x" * 1022 + "\n"
    with open(big.with_name(".a.yaml.tmp"), "w") as out:
        out.write(render("connectors/alpha", UPSTREAM=folder_gateway.httpbin))
        for _ in range(50 * 1024):  # 50 MiB
            out.write(padding)
    os.replace(big.with_name(".a.yaml.tmp"), big)
    assert wait_until(lambda: status(folder_gateway)["reloads"]["failed"] > reloads, 20)
    entry = next(f for f in status(folder_gateway)["files"] if f["file"].endswith("a.yaml"))
    assert entry["state"] == "serving last good version"
    assert "larger than 4194304 bytes" in entry["problems"][0]
    assert status(folder_gateway)["tools"] == 1
    grew = rss_kib(folder_gateway.process) - before
    assert grew < 50 * 1024, f"peak memory grew by {grew} KiB reading a 50 MiB file"


def test_one_write_and_rename_is_one_reload_and_one_failure(folder_gateway):
    initial = status(folder_gateway)["reloads"]
    path = folder_gateway.folder / "a.yaml"
    temporary = path.with_name(".a.yaml.tmp")
    temporary.write_text("connector: alpha\nbase_url: [not, a, url]\ntools: []\n")
    os.replace(temporary, path)
    assert wait_until(lambda: status(folder_gateway)["reloads"]["failed"] > initial["failed"])
    # Longer than the debounce, inotify's and polling's reports (2 s) together.
    time.sleep(3)
    after = status(folder_gateway)["reloads"]
    assert after["failed"] == initial["failed"] + 1, (initial, after)
    assert after["succeeded"] == initial["succeeded"], (initial, after)


def test_an_editor_style_save_is_one_reload(folder_gateway):
    initial = status(folder_gateway)["reloads"]
    path = folder_gateway.folder / "a.yaml"
    text = render("connectors/alpha", UPSTREAM=folder_gateway.httpbin).replace("Tool one.", "Tool one, edited.")
    # Truncate, write in pieces, then touch: several events within the debounce.
    with open(path, "w") as out:
        for piece in (text[:20], text[20:60], text[60:]):
            out.write(piece)
            out.flush()
            time.sleep(0.02)
    os.utime(path)
    assert wait_until(lambda: status(folder_gateway)["reloads"]["succeeded"] > initial["succeeded"])
    time.sleep(3)
    after = status(folder_gateway)["reloads"]
    assert after["succeeded"] == initial["succeeded"] + 1 and after["failed"] == initial["failed"], (initial, after)
