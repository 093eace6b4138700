"""Headless Chromium for printing reports: find the system browser and run it once.

Only the system browser is used (Debian's ``chromium``, Google Chrome, or ``$CHROMIUM_EXECUTABLE``);
nothing is downloaded. The tests' DevTools client (console errors, screenshots) lives in
``tests/support/devtools.py`` and builds on the flags and helpers here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import warnings
from contextlib import contextmanager, suppress
from pathlib import Path

#: Environment variable naming the browser executable; it wins over the search on PATH.
CHROMIUM_ENV = "CHROMIUM_EXECUTABLE"
#: Browser names looked up on PATH, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: macOS application bundles, tried last.
MACOS_APPS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
#: Flags for every headless run: no sandbox (root in CI), no GPU, no background network traffic.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = (
    "No Chromium or Chrome browser found. Install one (Debian/Ubuntu: `sudo apt-get install "
    "chromium`; macOS: install Google Chrome) or set CHROMIUM_EXECUTABLE=/path/to/chrome."
)


class BrowserUnavailable(RuntimeError):
    """No usable Chromium/Chrome executable was found."""


def find_chromium() -> str | None:
    """Locate a Chromium or Chrome executable.

    Looks at ``$CHROMIUM_EXECUTABLE``, then ``chromium``, ``chromium-browser``,
    ``google-chrome`` and ``google-chrome-stable`` on PATH, then the macOS application bundles.
    A ``$CHROMIUM_EXECUTABLE`` that is not an executable is ignored with a warning.

    Returns
    -------
    str or None
        Path of the executable, or None when there is none.
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        found = shutil.which(configured)
        if found:
            return found
        warnings.warn(
            f"{CHROMIUM_ENV}={configured!r} is not an executable; ignoring it", stacklevel=2
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((app for app in MACOS_APPS if os.access(app, os.X_OK)), None)


def require_chromium(chromium: str | None = None) -> str:
    """The executable to use: ``chromium`` if given (name or path), else :func:`find_chromium`.

    Raises
    ------
    BrowserUnavailable
        When there is no such executable; the message says how to install one.
    """
    if chromium is not None:
        found = shutil.which(chromium)
        if found is None:
            raise BrowserUnavailable(f"{chromium!r} is not an executable. {INSTALL_HINT}")
        return found
    found = find_chromium()
    if found is None:
        raise BrowserUnavailable(INSTALL_HINT)
    return found


def file_url(path: str | Path) -> str:
    """The ``file://`` URL of a local file.

    Raises
    ------
    FileNotFoundError
        When ``path`` is not a file.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    return path.as_uri()


def run_headless(chromium: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run headless Chromium once with a fresh, temporary profile, removed afterwards.

    Parameters
    ----------
    chromium : str
        Browser executable.
    args : list of str
        Flags and URL added after :data:`HEADLESS_FLAGS` and ``--user-data-dir``.
    timeout : float
        Seconds before the browser and its child processes are killed.

    Returns
    -------
    subprocess.CompletedProcess
        With ``stdout`` and ``stderr`` as text.

    Raises
    ------
    subprocess.TimeoutExpired
        When the browser did not finish in time (it has been killed).
    """
    with temporary_profile() as profile:
        command = [chromium, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *args]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def stderr_tail(stderr: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a Chromium stderr, without dbus and wrapper-script noise."""
    kept = [
        line
        for line in stderr.splitlines()
        if line.strip() and "dbus" not in line.lower() and "unexpected operator" not in line
    ]
    return "\n".join(kept[-lines:]) or "(Chromium wrote nothing to stderr)"


@contextmanager
def temporary_profile():
    """A fresh temporary Chromium profile directory (``analysis-chromium-*``), removed afterwards.

    Yields
    ------
    str
        Path of the profile directory.
    """
    with tempfile.TemporaryDirectory(
        prefix="analysis-chromium-", ignore_cleanup_errors=True
    ) as profile:
        yield profile


def kill_group(process: subprocess.Popen) -> None:
    """Kill a browser started with ``start_new_session=True``, with its child processes.

    Parameters
    ----------
    process : subprocess.Popen
        The browser; it is waited for, so no zombie is left.
    """
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
