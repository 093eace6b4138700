"""Reading a study's engagement exports agency by agency, here and on helper processes.

Each agency's posts and comment threads depend on its own exports only
(:func:`read_agency_exports`), so a study's agencies can be read in parallel: a batch lends the
workers of its local Dask cluster while it cleans (:func:`read_all_engagement` with
``helpers``). Whoever reads an agency, the tables come out the same, row for row: they are put
together in the study's order (sources, then agencies, as
:meth:`analysis.config.models.Study.engagement_files` lists them).

An export that cannot be read fails its agency only: its posts and comments are left out and
its error is kept. The agencies' metrics are computed once all are read, since their study
period is that of all agencies' posts.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.cleaning.privacy import load_key
from analysis.config import Study
from analysis.errors import InputError
from analysis.io.comments import read_comments
from analysis.io.posts.platforms import read_posts
from analysis.reporting.scorecard import agency_metrics

Helpers = Callable[[], "tuple[Callable, int] | None"]
"""Called once, in a background thread: blocks until helper processes are ready, then returns
``(submit, slots)``, where ``submit(function, *args)`` runs a function on them and returns a
future (``concurrent.futures.Executor.submit``, ``distributed.Client.submit``) and ``slots``
is how many may run at once; or None when there are none to lend."""


@dataclass
class AgencyExports:
    """One agency's engagement data, as read from its exports.

    Attributes
    ----------
    agency_id : str
    posts : list of (int, DataFrame)
        Per readable post export, the index of its source in the study's ``engagement`` list
        and its posts (:data:`analysis.tables.POSTS`, ``source_file`` relative to the study
        root).
    skipped : list of (int, dict)
        Ledger rows (:data:`analysis.tables.LEDGER`) of export rows that are not posts, with
        the source index of their file.
    comments : list of (int, DataFrame)
        As ``posts``, for the comment exports (:data:`analysis.tables.COMMENTS`).
    notes : list of (int, str)
        The comment readers' notes, each prefixed by its file, with its source index.
    error : str or None
        Why the agency failed (file, row and column named); then nothing else is kept.
    """

    agency_id: str
    posts: list[tuple[int, pd.DataFrame]] = field(default_factory=list)
    skipped: list[tuple[int, dict]] = field(default_factory=list)
    comments: list[tuple[int, pd.DataFrame]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None


@dataclass
class Engagement:
    """Every agency's engagement data, put together in the study's order.

    Attributes
    ----------
    posts : DataFrame
        :data:`analysis.tables.POSTS`, ``source_file`` relative to the study root.
    ledger : DataFrame
        :data:`analysis.tables.LEDGER`: ``total_row`` for summary rows such as YouTube's
        "Total", ``duplicate_post`` for a repeated post id.
    comments : DataFrame
        :data:`analysis.tables.COMMENTS`; citizens pseudonymized with the study's key (or
        left out without one) and redacted from the texts.
    notes : list of str
        The comment readers' notes, each prefixed by its file.
    metrics : DataFrame
        :data:`analysis.tables.AGENCY_METRICS` of every agency with posts.
    failed : dict
        Agency id -> error, for the agencies whose exports could not be read.
    """

    posts: pd.DataFrame
    ledger: pd.DataFrame
    comments: pd.DataFrame
    notes: list[str]
    metrics: pd.DataFrame
    failed: dict[str, str]


def read_all_engagement(study: Study, helpers: Helpers | None = None) -> Engagement:
    """Read every agency's exports (:func:`read_agency_exports`) and put them together.

    This thread reads agencies in the study's order; when ``helpers`` lends processes, they
    take agencies from the same queue as soon as they are ready. An agency a helper could not
    return (a worker that died, a lost connection) is read here at the end, so every agency
    is read once and the result does not depend on who read it.

    Parameters
    ----------
    study : Study
    helpers : callable, optional
        See :data:`Helpers`.

    Returns
    -------
    Engagement
    """
    order = [agency.id for agency in study.agencies]
    queue, found = _SharedQueue(order), {}
    lender = threading.Thread(
        target=_read_on_helpers, args=(study, helpers, queue, found), daemon=True
    )
    lender.start()
    while (agency := queue.take()) is not None:
        found[agency] = read_agency_exports(study, agency)
    queue.wait_for_helpers()  # not for helpers still starting: they find the queue empty
    for agency in order:  # left by a helper that failed
        if agency not in found:
            found[agency] = read_agency_exports(study, agency)
    return _together(study, [found[agency] for agency in order])


def read_agency_exports(study: Study, agency_id: str) -> AgencyExports:
    """Read one agency's post and comment exports.

    Exports that do not exist are skipped. The first export that cannot be read fails the
    agency: the error names its file (relative to the study root), row and column.

    Raises
    ------
    OSError
        When the pseudonym key file cannot be read (:func:`analysis.cleaning.privacy.load_key`).

    Returns
    -------
    AgencyExports
    """
    read = AgencyExports(agency_id)
    key = load_key(study.privacy.key_env)  # a key that cannot be read is no export's fault
    relative = ""
    try:
        for index, export in enumerate(study.engagement_files(agency_id)):
            if export.path.exists():
                relative = study.relative(export.path)
                _read_post_export(study, export, index, relative, read)
        for index, source in enumerate(study.engagement):
            if source.comments:
                path = study.resolve(source.comments.path.replace("{agency}", agency_id))
                if path.exists():
                    relative = study.relative(path)
                    _read_comment_export(study, source, path, index, relative, key, read)
    except Exception as error:  # one agency's bad export fails that agency only
        return AgencyExports(agency_id, error=str(_located(error, relative)))
    return read


def _read_post_export(study: Study, export, index: int, relative: str, read: AgencyExports):
    source = export.source
    frame = read_posts(
        export.path,
        platform=source.platform,
        agency_id=read.agency_id,
        fmt=source.format,
        timezone=study.study.timezone,
        followers=study.agency(read.agency_id).followers.get(source.platform),
    )
    read.posts.append((index, frame.assign(source_file=relative)))
    read.skipped += [
        (
            index,
            {
                "source_file": relative,
                "source_row": row,
                "agency_id": read.agency_id,
                "reason": reason.replace(" ", "_").replace("post_id", "post"),
                "detail": f"{source.platform} export: {reason}",
                "action": "exclude",
            },
        )
        for row, reason in frame.attrs.get("skipped_rows", [])
    ]


def _read_comment_export(
    study: Study, source, path: Path, index: int, relative: str, key, read: AgencyExports
):
    agency = study.agency(read.agency_id)
    frame = read_comments(
        path,
        platform=source.platform,
        agency_id=agency.id,
        fmt=source.comments.format,
        timezone=study.study.timezone,
        agency_handles=[agency.name, *agency.handles.get(source.platform, [])],
        salt=key,
    )
    read.comments.append((index, frame.assign(source_file=relative)))
    read.notes += [(index, f"{relative}: {note}") for note in frame.attrs.get("notes", [])]


def _read_on_helpers(study: Study, helpers: Helpers | None, queue, found: dict) -> None:
    """Lend agencies from ``queue`` to the helpers, one per slot at a time, until it is empty.

    An agency whose helper failed is left out of ``found`` (the caller reads it)."""
    try:
        lent = helpers() if helpers is not None else None
    except Exception:  # helpers that cannot start lend nothing; their user meets the error
        return
    if lent is None:
        return
    submit, slots = lent

    def slot() -> None:
        while (agency := queue.take(by_helper=True)) is not None:
            try:
                found[agency] = submit(read_agency_exports, study, agency).result()
            except Exception:  # noqa: S110 - the caller reads the agency itself
                pass
            finally:
                queue.helper_done()

    with ThreadPoolExecutor(max(1, slots), thread_name_prefix="helper-slot") as pool:
        for _ in range(max(1, slots)):
            pool.submit(slot)


class _SharedQueue:
    """Agency ids taken in order by this thread and by helpers, counting the helpers' ones
    in progress."""

    def __init__(self, items: list[str]):
        self._items, self._lent = deque(items), 0
        self._changed = threading.Condition()

    def take(self, by_helper: bool = False) -> str | None:
        with self._changed:
            if not self._items:
                return None
            self._lent += by_helper
            return self._items.popleft()

    def helper_done(self) -> None:
        with self._changed:
            self._lent -= 1
            self._changed.notify_all()

    def wait_for_helpers(self) -> None:
        """Until no agency taken by a helper is in progress."""
        with self._changed:
            self._changed.wait_for(lambda: self._lent == 0)


def _together(study: Study, read: list[AgencyExports]) -> Engagement:
    """The agencies' tables concatenated in the study's order (source, then agency), and
    their metrics (computed from all agencies' posts: the study period is theirs)."""
    kept = [r for r in read if r.error is None]

    def in_order(part: str) -> list:
        items = [(index, k, item) for k, r in enumerate(kept) for index, item in getattr(r, part)]
        return [item for *_, item in sorted(items, key=lambda entry: entry[:2])]

    skipped = in_order("skipped")
    posts = _concat(in_order("posts"), tables.POSTS)
    comments = _concat(in_order("comments"), tables.COMMENTS)
    return Engagement(
        posts=posts,
        ledger=(
            tables.conform(pd.DataFrame(skipped), tables.LEDGER)
            if skipped
            else tables.empty_table(tables.LEDGER)
        ),
        comments=comments,
        notes=in_order("notes"),
        metrics=agency_metrics(posts, comments, study),
        failed={r.agency_id: r.error for r in read if r.error is not None},
    )


def _concat(frames: list[pd.DataFrame], contract: dict) -> pd.DataFrame:
    if not frames:
        return tables.empty_table(contract)
    return tables.conform(pd.concat(frames, ignore_index=True), contract)


def _located(error: Exception, relative: str) -> InputError:
    """The error as an InputError that names its file by ``relative``."""
    if isinstance(error, InputError):
        return dataclasses.replace(error, path=relative)
    return InputError("".join(traceback.format_exception_only(error)).strip(), path=relative)
