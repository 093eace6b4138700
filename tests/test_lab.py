"""The `make lab` front door: tools/lab.py starts JupyterLab for root and other users alike."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import PROJECT

LAB_SCRIPT = PROJECT / "tools" / "lab.py"
_spec = importlib.util.spec_from_file_location("lab_script", LAB_SCRIPT)
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)


def test_makefile_starts_jupyterlab_through_the_script():
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert recipe.strip() == "@$(PY) tools/lab.py"


@pytest.mark.parametrize(("uid", "allow_root"), [(0, True), (1000, False)])
def test_allow_root_only_for_root(uid, allow_root):
    command = lab.lab_command("python", Path("nb"), 8899, as_root=uid == 0, open_browser=False)
    assert ("--allow-root" in command) is allow_root
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=8899" in command and "--ServerApp.port_retries=0" in command
    assert "--no-browser" in command


@pytest.mark.parametrize(
    ("uid", "environ", "in_container", "platform", "opens"),
    [
        (1000, {"DISPLAY": ":0"}, False, "linux", True),
        (1000, {"WAYLAND_DISPLAY": "wayland-0"}, False, "linux", True),
        (1000, {}, False, "linux", False),  # a server over ssh: nothing to open a browser on
        (1000, {}, False, "darwin", True),
        (0, {"DISPLAY": ":0"}, False, "linux", False),
        (1000, {"DISPLAY": ":0"}, True, "linux", False),
        (1000, {"DISPLAY": ":0", "CI": "true"}, False, "linux", False),
    ],
)
def test_browser_opens_only_on_a_desktop(uid, environ, in_container, platform, opens):
    assert lab.can_open_browser(uid, environ, in_container, platform) is opens


def test_free_port_skips_a_taken_port():
    with socket.socket() as taken:
        taken.bind((lab.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert lab.free_port(port, tries=20) != port


def get(url: str) -> tuple[int, bytes]:
    """Status and body of a GET, also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_server(process: subprocess.Popen, base: str, token: str, timeout: float) -> None:
    """Poll JupyterLab's status API until it answers; fail with its output if it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            if get(f"{base}/api/status?token={token}")[0] == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout:g} s")


@pytest.mark.slow
@pytest.mark.lab
def test_lab_serves_the_notebooks_with_its_token():
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed: pip install -e '.[lab]'")
    port = lab.free_port(18888)
    # the command line of `make lab`, plus a port of our own
    process = subprocess.Popen(
        [sys.executable, str(LAB_SCRIPT), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROJECT,
    )
    try:
        address = process.stdout.readline()
        where = process.stdout.readline()
        match = re.fullmatch(
            rf"JupyterLab:\s+(http://127\.0\.0\.1:{port})/lab\?token=(\w+)\n", address
        )
        assert match, address
        base, token = match.groups()
        assert where.split(maxsplit=1) == ["Notebooks:", f"{PROJECT / 'notebooks'}\n"]
        wait_for_server(process, base, token, timeout=90)

        status, page = get(f"{base}/lab?token={token}")
        assert status == 200 and b"JupyterLab" in page
        status, listing = get(f"{base}/api/contents?token={token}")
        assert status == 200
        names = {entry["name"] for entry in json.loads(listing)["content"]}
        assert {"10-clean-survey.ipynb", "90-agency-report.ipynb"} <= names
        assert get(f"{base}/api/contents")[0] == 403  # without the token: refused
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
