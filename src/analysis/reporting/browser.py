"""Headless Chromium for printing reports: find the system browser, run it, drive it.

Only the system browser is used (Debian's ``chromium``, Google Chrome, or ``$CHROMIUM_EXECUTABLE``);
nothing is downloaded. :class:`DevToolsBrowser` speaks the DevTools protocol over
``--remote-debugging-pipe`` with the standard library only (no Playwright, no browser download);
reports are printed through its ``Page.printToPDF``, which, unlike ``--print-to-pdf``, takes
header and footer templates (running header, "Page x of y") and writes the PDF outline. One
browser can print many reports (a batch worker keeps it open). The tests' DevTools client
(console errors, screenshots) lives in ``tests/support/devtools.py``.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
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


class DevToolsBrowser:
    """A headless Chromium driven over the DevTools protocol; close it (or use ``with``).

    Chromium reads commands from fd 3 and writes replies and events to fd 4, each a JSON
    object ended by a NUL byte. The browser runs in its own process group with a fresh
    temporary profile; both are removed by :meth:`close`.

    Parameters
    ----------
    chromium : str, optional
        Browser executable (name or path); :func:`find_chromium` when None.

    Raises
    ------
    BrowserUnavailable
        When there is no browser.
    OSError
        When the executable cannot be started.
    """

    def __init__(self, chromium: str | None = None):
        import fcntl  # POSIX only, like the pipe transport itself

        executable = require_chromium(chromium)
        self._profile = tempfile.mkdtemp(prefix="analysis-chromium-")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the browser
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        # Copies above fd 10, so that placing them on fds 3 and 4 in the child cannot clobber.
        child_in = fcntl.fcntl(to_browser, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_browser, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser)
        os.close(from_browser)

        def place_pipes():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        command = [
            executable,
            *HEADLESS_FLAGS,
            f"--user-data-dir={self._profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                preexec_fn=place_pipes,
                close_fds=False,
                start_new_session=True,
            )
        except OSError:
            self._release()
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        self._buffer = b""
        self._last_id = 0
        self._tab: tuple[str, str] | None = None  # target and session of the printing tab
        self._pages = 0
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._read, selectors.EVENT_READ)

    def __enter__(self) -> DevToolsBrowser:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """Whether the browser process is still running."""
        return self.process.poll() is None

    def close(self, grace: float = 3) -> None:
        """Ask the browser to quit, kill it after ``grace`` seconds (at once for 0), then
        remove its pipes and profile."""
        if self._read < 0:
            return
        try:
            if grace <= 0:
                raise subprocess.TimeoutExpired(self.process.args, 0)
            self._send("Browser.close", {})
            self.process.wait(timeout=grace)
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            kill_group(self.process)
        self._selector.close()
        self._release()

    def print_pdf(self, url: str, options: dict, timeout: float) -> bytes:
        """Load ``url`` in the browser's printing tab and print it with ``Page.printToPDF``.

        The tab is opened for the first page and kept for the next ones (a new tab costs a
        new renderer process, about 0.15 CPU s a report); a page that fails to load or print
        closes it, and the next page opens another. Each page is loaded under its own address
        (``url`` with ``?print=N``), so the tab is known to hold it, not the page before.

        Parameters
        ----------
        url : str
            The page (a ``file://`` URL for a report, without a query).
        options : dict
            ``Page.printToPDF`` parameters (paper, margins, header and footer templates ...).
        timeout : float
            Seconds for loading and printing together.

        Returns
        -------
        bytes
            The PDF.

        Raises
        ------
        TimeoutError
            When the page did not load or print in time.
        RuntimeError
            When the browser exited or refused a command (the message ends with its stderr).
        """
        deadline = time.monotonic() + timeout
        try:
            session = self._printing_tab(deadline)
            self._pages += 1
            address = f"{url}?print={self._pages}"
            navigation = self.call("Page.navigate", {"url": address}, deadline, session)
            if "errorText" in navigation:
                raise RuntimeError(f"Chromium could not open {url}: {navigation['errorText']}")
            self._wait_until_loaded(session, address, deadline)
            printed = self.call("Page.printToPDF", options, deadline, session)
        except BaseException:
            self._close_tab()
            raise
        return base64.b64decode(printed["data"])

    def _printing_tab(self, deadline: float) -> str:
        """The session of the printing tab, opened when there is none."""
        if self._tab is None:
            target = self.call("Target.createTarget", {"url": "about:blank"}, deadline)["targetId"]
            self._tab = (target, "")  # closed by print_pdf if attaching fails
            attach = {"targetId": target, "flatten": True}
            self._tab = (target, self.call("Target.attachToTarget", attach, deadline)["sessionId"])
        return self._tab[1]

    def _close_tab(self) -> None:
        """Close the printing tab, if the browser still runs."""
        tab, self._tab = self._tab, None
        if tab is not None and self.alive:
            with suppress(RuntimeError, TimeoutError, OSError):
                self.call("Target.closeTarget", {"targetId": tab[0]}, time.monotonic() + 5)

    def call(self, method: str, params: dict, deadline: float, session: str | None = None) -> dict:
        """Send a command and return its result; events that arrive meanwhile are dropped.

        Raises
        ------
        TimeoutError
            At ``deadline`` (a ``time.monotonic()`` value).
        RuntimeError
            When the browser exited or answered with an error.
        """
        message_id = self._send(method, params, session)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(left):
                raise TimeoutError(f"Chromium did not answer {method} in time")
            for message in self._receive():
                if message.get("id") != message_id:
                    continue
                if "error" in message:
                    raise RuntimeError(f"DevTools {method} failed: {message['error']}")
                return message["result"]

    def stderr_tail(self) -> str:
        """The last lines the browser wrote to stderr (see :func:`stderr_tail`)."""
        self._stderr.seek(0)
        return stderr_tail(self._stderr.read().decode(errors="replace"))

    def _wait_until_loaded(self, session: str, address: str, deadline: float) -> None:
        """Poll the tab until the page at ``address`` has loaded and laid out its fonts;
        events are not awaited, as a navigation to a new renderer process can lose them."""
        check = {
            "expression": "document.readyState === 'complete' && location.href === "
            f"{json.dumps(address)} && document.fonts.status === 'loaded'",
            "returnByValue": True,
        }
        while time.monotonic() < deadline:
            with suppress(RuntimeError):  # e.g. the old context was just destroyed
                if self.call("Runtime.evaluate", check, deadline, session)["result"].get("value"):
                    return
            time.sleep(0.02)
        raise TimeoutError("the page did not load in time")

    def _send(self, method: str, params: dict, session: str | None = None) -> int:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise self._exited() from None
        return self._last_id

    def _receive(self) -> list[dict]:
        chunk = os.read(self._read, 1 << 20)
        if not chunk:
            raise self._exited()
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\0")
        return [json.loads(message) for message in complete]

    def _exited(self) -> RuntimeError:
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=3)
        return RuntimeError(
            f"Chromium exited (exit {self.process.returncode}):\n{self.stderr_tail()}"
        )

    def _release(self) -> None:
        for fd in (self._read, self._write):
            with suppress(OSError):
                os.close(fd)
        self._read = self._write = -1
        self._stderr.close()
        shutil.rmtree(self._profile, ignore_errors=True)
