"""Text from the public is shown as text: posts and comments that carry a ``<script>``, an
``onerror`` attribute and a ``javascript:`` link go through the posts-and-content notebook and the
project's HTML export, and stay inert in headless Chromium."""

from __future__ import annotations

import csv
import json
import time
from contextlib import suppress
from pathlib import Path

import papermill as pm
import pytest

from analysis.demo import real_tweets
from analysis.reporting.browser import DevToolsBrowser, file_url, find_chromium
from analysis.reporting.export import export_html

from .conftest import PROJECT
from .support.notebooks import stripped_copy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebook,
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no Chromium/Chrome found: apt-get install chromium, or set CHROMIUM_EXECUTABLE",
    ),
]

#: Each payload sets ``window.__pwned`` if it ever runs (the link, if it is ever clickable).
POST_PAYLOADS = (
    '<script>window.__pwned = "post script"</script> Rally tonight',
    "<img src=x onerror=\"window.__pwned = 'post img'\"> see the photo",
    "<a href=\"javascript:window.__pwned = 'post link'\">click here</a> for tickets",
)
COMMENT_PAYLOADS = tuple(p.replace("post", "comment") for p in POST_PAYLOADS)
#: What the page holds: whether a payload ran, and any element that could run one.
PROBE = """JSON.stringify({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  payload_scripts: [...document.scripts].filter(s => s.text.includes("__pwned")).length,
  onerror: document.querySelectorAll("[onerror]").length,
  javascript_links: [...document.querySelectorAll("a[href]")]
    .filter(a => a.getAttribute("href").trim().toLowerCase().startsWith("javascript:")).length,
  text: document.body.innerText,
})"""


def probe(html_path: Path, timeout: float = 30) -> dict:
    """Open a page in headless Chromium, let it settle, and run :data:`PROBE` in it."""
    with DevToolsBrowser() as browser:
        deadline = time.monotonic() + timeout
        target = browser.call("Target.createTarget", {"url": "about:blank"}, deadline)
        attach = {"targetId": target["targetId"], "flatten": True}
        session = browser.call("Target.attachToTarget", attach, deadline)["sessionId"]
        browser.call("Page.navigate", {"url": file_url(html_path)}, deadline, session)
        loaded = "document.readyState === 'complete' && location.href !== 'about:blank'"
        while not evaluate(browser, session, loaded, deadline):
            time.sleep(0.05)
        time.sleep(0.5)  # a failed image's error event may come after the load event
        return json.loads(evaluate(browser, session, PROBE, deadline))


def evaluate(browser: DevToolsBrowser, session: str, expression: str, deadline: float):
    """The value of ``expression`` in the page (None while the page is being replaced)."""
    if time.monotonic() > deadline:
        raise TimeoutError("the page did not load in time")
    with suppress(RuntimeError):
        request = {"expression": expression, "returnByValue": True}
        return browser.call("Runtime.evaluate", request, deadline, session)["result"].get("value")
    return None


def write_rows(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("a" if path.exists() else "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The notebook run on real tweets plus the payload posts and comments, exported to HTML."""
    folder = tmp_path_factory.mktemp("inert")
    export = real_tweets.write_x_export(folder / "posts.csv", limit=1500)
    ids = [f"99000000000000000{k}" for k in range(len(POST_PAYLOADS))]
    write_rows(
        export,
        [],
        [
            [i, f"https://x.com/a/status/{i}", text, "2017-09-20 15:00 +0000", "", 1, "", 10**9]
            for i, text in zip(ids, POST_PAYLOADS, strict=True)
        ],
    )
    comments = write_rows(
        folder / "comments.csv",
        [
            "post_id",
            "comment_id",
            "parent_id",
            "author",
            "is_agency",
            "created_at",
            "text",
            "likes",
        ],
        [
            [ids[0], f"c{k}", "", f"Citizen {k}", 0, "2017-09-20 12:00", text, 1000 + k]
            for k, text in enumerate(COMMENT_PAYLOADS)
        ]
        + [[ids[0], "c9", "c0", "Account", 1, "2017-09-20 13:00", "We will look into it.", 0]],
    )
    source = stripped_copy(PROJECT / "notebooks" / "50-posts-and-content.ipynb", folder / "in")
    executed = folder / "executed.ipynb"
    parameters = {
        "export": str(export),
        "comments": str(comments),
        "intervention": "2017-09-01",
        "its_start": "",
    }
    pm.execute_notebook(
        source,
        executed,
        kernel_name="python3",
        cwd=str(folder),
        progress_bar=False,
        parameters=parameters,
    )
    return export_html(executed, folder / "report.html", title="Posts", lang="en")


def test_payloads_reach_the_report_as_visible_text(report):
    found = probe(report)
    for payload in POST_PAYLOADS + COMMENT_PAYLOADS:
        assert payload in found["text"]


def test_no_payload_runs_or_leaves_a_live_element(report):
    found = probe(report)
    assert found["pwned"] is None
    assert found["payload_scripts"] == 0
    assert found["onerror"] == 0
    assert found["javascript_links"] == 0


def test_the_probe_sees_payloads_in_a_page_that_does_not_escape_them(tmp_path):
    # the control: the same texts pasted into HTML as they are run and stay live
    page = tmp_path / "unsafe.html"
    body = "".join(f"<p>{p}</p>" for p in POST_PAYLOADS)
    page.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    found = probe(page)
    assert found["pwned"] in ("post script", "post img")
    assert found["payload_scripts"] == 1
    assert found["onerror"] == 1
    assert found["javascript_links"] == 1
    assert POST_PAYLOADS[0] not in found["text"]
