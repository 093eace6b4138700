"""Finding headless Chromium (package); the tests' DevTools client: console errors, screenshots."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

from analysis.reporting import browser
from analysis.reporting.browser import (
    BrowserUnavailable,
    DevToolsBrowser,
    file_url,
    find_chromium,
    require_chromium,
)

from .support.devtools import console_errors, screenshot

FIXTURES = Path(__file__).parent / "fixtures" / "export"
requires_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium/Chrome found: apt-get install chromium, or set CHROMIUM_EXECUTABLE",
)


def fake_executable(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_browsers(monkeypatch, tmp_path):
    """An environment where no browser is installed: empty PATH, no macOS apps, no env var."""
    monkeypatch.delenv(browser.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(browser, "MACOS_APPS", ())
    return tmp_path / "bin"


def test_find_chromium_none_when_nothing_installed(no_browsers):
    assert find_chromium() is None


def test_find_chromium_prefers_environment_variable(no_browsers, monkeypatch, tmp_path):
    fake_executable(no_browsers, "chromium")
    chosen = fake_executable(tmp_path / "elsewhere", "my-chrome")
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(chosen))
    assert find_chromium() == str(chosen)


def test_find_chromium_ignores_a_broken_environment_variable(no_browsers, monkeypatch):
    on_path = fake_executable(no_browsers, "google-chrome")
    monkeypatch.setenv(browser.CHROMIUM_ENV, "/nonexistent/chrome")
    with pytest.warns(UserWarning, match="not an executable"):
        assert find_chromium() == str(on_path)


def test_find_chromium_search_order_on_path(no_browsers):
    fake_executable(no_browsers, "google-chrome-stable")
    assert find_chromium() == str(no_browsers / "google-chrome-stable")
    fake_executable(no_browsers, "chromium-browser")
    assert find_chromium() == str(no_browsers / "chromium-browser")
    fake_executable(no_browsers, "chromium")
    assert find_chromium() == str(no_browsers / "chromium")


def test_find_chromium_macos_app(no_browsers, monkeypatch, tmp_path):
    app = fake_executable(tmp_path / "Google Chrome.app", "Google Chrome")
    monkeypatch.setattr(browser, "MACOS_APPS", ("/nonexistent/app", str(app)))
    assert find_chromium() == str(app)


def test_require_chromium_explains_how_to_install(no_browsers):
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium"):
        require_chromium()
    with pytest.raises(BrowserUnavailable, match="CHROMIUM_EXECUTABLE"):
        require_chromium("/nonexistent/chrome")


def shell_script(folder: Path, body: str) -> str:
    path = folder / "fake-chromium"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_console_errors_reports_a_browser_that_exits(tmp_path):
    chromium = shell_script(tmp_path, "echo 'unknown flag --foo' >&2\nexit 1")
    with pytest.raises(RuntimeError, match="(?s)exited.*unknown flag --foo"):
        console_errors(FIXTURES / "clean.html", chromium=chromium)


def test_console_errors_gives_up_on_a_silent_browser(tmp_path):
    chromium = shell_script(tmp_path, "exec sleep 60")
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="did not answer"):
        console_errors(FIXTURES / "clean.html", chromium=chromium, timeout=1)
    assert time.perf_counter() - start < 10


def test_console_errors_closes_its_pipes_when_the_browser_cannot_start(tmp_path):
    broken = tmp_path / "not-a-program"
    broken.write_bytes(b"\x00\x01 not an executable format")
    broken.chmod(0o755)
    open_fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError):
        console_errors(FIXTURES / "clean.html", chromium=str(broken))
    assert len(os.listdir("/proc/self/fd")) == open_fds


def test_devtools_browser_reports_a_browser_that_exits_and_removes_its_profile(tmp_path):
    chromium = shell_script(
        tmp_path,
        'for arg; do case "$arg" in --user-data-dir=*) echo "${arg#*=}" > "$(dirname "$0")/p";; '
        "esac; done\necho 'no GPU here' >&2\nexit 4",
    )
    session = DevToolsBrowser(chromium)
    with pytest.raises(RuntimeError, match="(?s)exit 4.*no GPU here"):
        session.print_pdf(file_url(FIXTURES / "clean.html"), {}, timeout=10)
    session.close()
    assert not Path((tmp_path / "p").read_text().strip()).exists()
    session.close()  # closing twice is harmless


def test_devtools_browser_gives_up_on_a_silent_browser(tmp_path):
    chromium = shell_script(tmp_path, "exec sleep 60")
    start = time.perf_counter()
    with DevToolsBrowser(chromium) as session:
        with pytest.raises(TimeoutError, match="did not answer"):
            session.print_pdf(file_url(FIXTURES / "clean.html"), {}, timeout=1)
        session.close(grace=0)
        assert not session.alive
    assert time.perf_counter() - start < 10


@pytest.mark.browser
@requires_chromium
class TestWithChromium:
    def test_one_browser_prints_several_pages(self, tmp_path):
        with DevToolsBrowser() as session:
            first = session.print_pdf(file_url(FIXTURES / "clean.html"), {}, timeout=30)
            second = session.print_pdf(file_url(FIXTURES / "clean.html"), {}, timeout=30)
            assert session.alive
        assert first.startswith(b"%PDF") and second.startswith(b"%PDF")
        assert not session.alive

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
    def test_each_pdf_holds_its_own_page_when_the_tab_is_kept(self, tmp_path):
        pages = {}
        for name in ("pertama", "kedua"):
            pages[name] = tmp_path / f"{name}.html"
            pages[name].write_text(f"<p>HALAMAN-{name.upper()}</p>", encoding="utf-8")
        order = ["pertama", "kedua", "pertama", "kedua"]
        with DevToolsBrowser() as session:
            printed = [session.print_pdf(file_url(pages[n]), {}, timeout=30) for n in order]
            (tmp_path / "absent.html").unlink(missing_ok=True)
            with pytest.raises(RuntimeError, match="could not open"):
                session.print_pdf((tmp_path / "absent.html").as_uri(), {}, timeout=30)
            printed.append(session.print_pdf(file_url(pages["kedua"]), {}, timeout=30))
        for i, (name, pdf) in enumerate(zip([*order, "kedua"], printed, strict=True)):
            (tmp_path / f"{i}.pdf").write_bytes(pdf)
            text = subprocess.run(
                ["pdftotext", str(tmp_path / f"{i}.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            # the page loaded for this print, not the one before it
            assert text.split() == [f"HALAMAN-{name.upper()}"], (i, text)

    def test_a_page_that_cannot_be_opened_is_an_error(self, tmp_path):
        with DevToolsBrowser() as session, pytest.raises(RuntimeError, match="could not open"):
            session.print_pdf((tmp_path / "absent.html").as_uri(), {}, timeout=30)

    def test_clean_page_reports_nothing(self):
        assert console_errors(FIXTURES / "clean.html") == []

    def test_uncaught_exception_is_reported(self):
        errors = console_errors(FIXTURES / "script_error.html")
        assert len(errors) == 1
        assert errors[0].startswith("exception:")
        assert "boom" in errors[0]

    def test_missing_image_is_reported(self):
        errors = console_errors(FIXTURES / "broken_image.html")
        assert len(errors) == 1
        assert "Failed to load resource" in errors[0]
        assert "missing.png" in errors[0]

    def test_console_error_call_is_reported(self):
        assert console_errors(FIXTURES / "console_error.html") == ["console.error: kaput 42"]

    def test_busy_page_times_out_with_a_message(self):
        # 5 s leaves Chromium time to start on a loaded machine; the page itself never loads
        errors = console_errors(FIXTURES / "busy_script.html", timeout=5)
        assert errors == ["timeout: the page did not load, or stopped responding, in 5 s"]

    def test_missing_page_raises(self, tmp_path):
        with pytest.raises(FileNotFoundError):
            console_errors(tmp_path / "absent.html")

    def test_screenshot_has_the_window_size(self, tmp_path):
        png = screenshot(FIXTURES / "clean.html", tmp_path / "shot.png", width=640, height=480)
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == (640, 480)
