"""Test tools for headless Chromium: what a page did wrong while it loaded, and screenshots.

:func:`console_errors` speaks the DevTools protocol to the system Chromium over
``--remote-debugging-pipe`` with the standard library only (no Playwright, no browser download).
The browser is found, started and cleaned up with the package's own helpers in
:mod:`analysis.reporting.browser`, so the tests run Chromium exactly as PDF printing does.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import tempfile
import time
import typing
from contextlib import suppress
from pathlib import Path

from analysis.reporting.browser import (
    HEADLESS_FLAGS,
    file_url,
    kill_group,
    require_chromium,
    run_headless,
    stderr_tail,
    temporary_profile,
)


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
        Browser executable; found with
        :func:`analysis.reporting.browser.find_chromium` when None.
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
        Browser executable; found with
        :func:`analysis.reporting.browser.find_chromium` when None.
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
        temporary_profile() as profile,
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
            kill_group(self.process)
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
