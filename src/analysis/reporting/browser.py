"""Headless Chromium: find it, run it, and ask it what a page did wrong.

Only the system browser is used (Debian's ``chromium``, Google Chrome, or ``$CHROMIUM_EXECUTABLE``);
nothing is downloaded. :func:`console_errors` speaks the DevTools protocol to Chromium over
``--remote-debugging-pipe`` with the standard library only, so it needs no Playwright.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import typing
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
    """The ``file://`` URL of a local file (which must exist)."""
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
    with _profile() as profile:
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
            _kill_group(process)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def screenshot(
    html_path: str | Path,
    png_path: str | Path,
    width: int = 1200,
    height: int = 1600,
    *,
    chromium: str | None = None,
    timeout: float = 60,
) -> Path:
    """Save a PNG of the top of a page as a ``width`` x ``height`` browser window shows it.

    Parameters
    ----------
    html_path : path
        Local HTML file.
    png_path : path
        Where to write the PNG.
    width, height : int
        Window size in CSS pixels.
    chromium : str, optional
        Browser executable; found with :func:`find_chromium` when None.
    timeout : float
        Seconds allowed.

    Returns
    -------
    Path
        ``png_path``.
    """
    png_path = Path(png_path).resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    result = run_headless(
        require_chromium(chromium),
        [
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={png_path}",
            file_url(html_path),
        ],
        timeout,
    )
    if not png_path.is_file():
        raise RuntimeError(
            f"Chromium made no screenshot (exit {result.returncode}):\n{stderr_tail(result.stderr)}"
        )
    return png_path


def console_errors(
    html_path: str | Path, *, chromium: str | None = None, timeout: float = 30, settle: float = 0.5
) -> list[str]:
    """Open a page in headless Chromium and list what went wrong while it loaded.

    Reports uncaught exceptions, ``console.error``/``console.assert`` calls and browser log
    errors, which include failed resource loads (``Failed to load resource: ...``) and content
    security policy violations. The page counts as loaded ``settle`` seconds after its load
    event with no further DevTools messages.

    Parameters
    ----------
    html_path : path
        Local HTML file.
    chromium : str, optional
        Browser executable; found with :func:`find_chromium` when None.
    timeout : float
        Seconds allowed for the whole visit.
    settle : float
        Quiet time after the load event before the visit ends.

    Returns
    -------
    list of str
        One line per problem, e.g. ``"exception: Error: boom (file:///.../page.html:1)"``;
        empty for a clean page.
    """
    executable, url = require_chromium(chromium), file_url(html_path)
    with (
        _profile() as profile,
        tempfile.TemporaryFile() as stderr,
        _DevToolsPipe(executable, profile, stderr) as devtools,
    ):
        return _visit(devtools, url, timeout, settle)


def _visit(devtools: _DevToolsPipe, url: str, timeout: float, settle: float) -> list[str]:
    """Open ``url`` in a new tab and describe the problems reported while it loaded.

    Runtime and Log are enabled once the page has loaded: they then replay what the page
    logged. Events sent while the navigation moves the tab to a new renderer process can be
    lost, so neither the messages nor the page's load event are awaited as events.
    """
    deadline = time.monotonic() + timeout
    target = devtools.call("Target.createTarget", {"url": "about:blank"}, deadline)
    attach = {"targetId": target["targetId"], "flatten": True}
    session = devtools.call("Target.attachToTarget", attach, deadline)["sessionId"]
    navigation = devtools.call("Page.navigate", {"url": url}, deadline, session)
    loaded = _wait_until_loaded(devtools, session, deadline)
    report_deadline = max(deadline, time.monotonic() + 5)
    try:
        for domain in ("Runtime", "Log"):
            devtools.call(f"{domain}.enable", {}, report_deadline, session)
        devtools.collect(settle, report_deadline)
    except TimeoutError:  # a script keeps the page busy
        loaded = False
    errors = [_describe(event) for event in devtools.events]
    if "errorText" in navigation:
        errors.append(f"navigation: {navigation['errorText']}")
    if not loaded:
        errors.append(f"timeout: the page did not load, or stopped responding, in {timeout:g} s")
    return [error for error in errors if error]


def _wait_until_loaded(devtools: _DevToolsPipe, session: str, deadline: float) -> bool:
    """Poll the tab until the navigated page (not about:blank) has fired its load event."""
    check = {
        "expression": "document.readyState === 'complete' && location.href !== 'about:blank'",
        "returnByValue": True,
    }
    while time.monotonic() < deadline:
        with suppress(RuntimeError, TimeoutError):  # e.g. the old context was just destroyed
            if devtools.call("Runtime.evaluate", check, deadline, session)["result"].get("value"):
                return True
        devtools.collect(0.05, deadline)
    return False


def stderr_tail(stderr: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a Chromium stderr, without dbus and wrapper-script noise."""
    kept = [
        line
        for line in stderr.splitlines()
        if line.strip() and "dbus" not in line.lower() and "unexpected operator" not in line
    ]
    return "\n".join(kept[-lines:]) or "(Chromium wrote nothing to stderr)"


def _describe(event: dict) -> str:
    """One line for a DevTools event that signals a problem; ``""`` for any other event."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params["exceptionDetails"]
        thrown = details.get("exception", {})
        text = str(thrown.get("description") or thrown.get("value") or details.get("text", ""))
        where = f"{details.get('url', '')}:{details.get('lineNumber', 0) + 1}"
        return f"exception: {text.splitlines()[0] if text else 'Uncaught'} ({where})"
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        words = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
        return f"console.{params['type']}: {' '.join(words)}"
    if method == "Log.entryAdded" and params["entry"].get("level") == "error":
        entry = params["entry"]
        where = f" ({entry['url']})" if entry.get("url") else ""
        return f"{entry.get('source', 'log')}: {entry['text']}{where}"
    return ""


@contextmanager
def _profile():
    """A fresh temporary Chromium profile directory, removed afterwards."""
    with tempfile.TemporaryDirectory(
        prefix="analysis-chromium-", ignore_cleanup_errors=True
    ) as profile:
        yield profile


def _kill_group(process: subprocess.Popen) -> None:
    """Kill a browser that is still running, with its child processes (its own session)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class _DevToolsPipe:
    """The DevTools protocol over ``--remote-debugging-pipe``: Chromium reads fd 3, writes fd 4.

    Messages are JSON objects ended by a NUL byte. Events that arrive while waiting for a reply
    are kept in :attr:`events`.
    """

    def __init__(self, chromium: str, profile: str, stderr: typing.BinaryIO):
        import fcntl  # POSIX only, like the pipe transport itself

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

        self._stderr = stderr
        command = [
            chromium,
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
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
            os.close(self._read)
            os.close(self._write)
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        self.events: list[dict] = []
        self._buffer = b""
        self._last_id = 0
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._read, selectors.EVENT_READ)

    def __enter__(self) -> _DevToolsPipe:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._send("Browser.close", {})
            self.process.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            _kill_group(self.process)
        self._selector.close()
        for fd in (self._read, self._write):
            os.close(fd)

    def call(self, method: str, params: dict, deadline: float, session: str | None = None) -> dict:
        """Send a command and return its result; raise on a protocol error or at ``deadline``."""
        message_id = self._send(method, params, session)
        while True:
            messages = self._receive(deadline - time.monotonic())
            if messages is None:
                raise TimeoutError(
                    f"Chromium did not answer {method} in time:\n{self._stderr_tail()}"
                )
            for message in messages:
                if message.get("id") != message_id:
                    self.events.append(message)
                elif "error" in message:
                    raise RuntimeError(f"DevTools {method} failed: {message['error']}")
                else:
                    return message["result"]

    def collect(self, settle: float, deadline: float) -> None:
        """Collect events until ``settle`` s pass without any, or ``deadline``."""
        while (left := deadline - time.monotonic()) > 0:
            messages = self._receive(min(settle, left))
            if messages is None:
                return
            self.events.extend(messages)

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

    def _receive(self, wait: float) -> list[dict] | None:
        """The messages completed by what arrives within ``wait`` s; None if nothing arrives."""
        if wait <= 0 or not self._selector.select(wait):
            return None
        chunk = os.read(self._read, 1 << 16)
        if not chunk:
            raise self._exited()
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\0")
        return [json.loads(message) for message in complete]

    def _exited(self) -> RuntimeError:
        """The error for a browser that closed the pipe, with its exit code and stderr."""
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=3)
        return RuntimeError(
            f"Chromium exited (code {self.process.returncode}):\n{self._stderr_tail()}"
        )

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return stderr_tail(self._stderr.read().decode(errors="replace"))
