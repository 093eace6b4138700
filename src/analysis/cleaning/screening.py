"""Screening rules: which raw rows are excluded (or flagged), each with a reason code.

Rules run in a fixed order and a row gets the first reason that applies, so the sample flow
reads like a CONSORT diagram: received -> survey preview or test -> spam -> unfinished -> not
consented -> unknown agency -> duplicate -> speeder -> failed attention check -> straight-lining
-> careless (Mahalanobis) -> too many missing -> analysed. Each rule's action is ``exclude``,
``flag`` (kept, listed in ``flags``) or ``off``. Careless-responding indices come from the
``insufficient-effort`` package (``ier``).

A reason means what it says. Previews, spam and unfinished responses come first: they are not
respondents' complete answers, whatever else they look like. A duplicate is a later submission
with the same email or response id as an earlier one, or with the same item and demographic
answers when those answers vary: identical all-constant answer vectors (every item "Setuju")
are the straight-lining rule's, not copies of each other.

Every rule returns a mask over all rows and a ``detail`` text only for the rows it hits; a
detail describes an answer and never copies it (an answer may hold anything a respondent typed,
identifiers included). Answers are normalised once per distinct answer, not once per row. The
rules run on two threads, so the BLAS library under ``ier.mahad`` is held to one thread of its
own while they run (more threads than cores made cleaning 1M x 40 answers take ~17 % more CPU
time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import ier
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats
from threadpoolctl import threadpool_limits

from analysis.cleaning.agencies import answer_key
from analysis.config import Screening
from analysis.errors import InputError
from analysis.io.labels import factorize_text, fold_label

REASONS = (
    "preview",
    "spam",
    "unfinished",
    "consent",
    "unknown_agency",
    "duplicate",
    "speeder",
    "attention_check",
    "straightlining",
    "careless",
    "too_many_missing",
)
#: Reasons that only some export tools can give (Qualtrics' Status, Finished and Progress).
TOOL_REASONS = ("preview", "spam", "unfinished")
#: Qualtrics ``Status`` codes and their choice texts -> reason (None: a real response).
#: Qualtrics support, "Understanding your dataset": 0 IP Address, 1 Survey Preview, 2 Survey
#: Test, 4 Imported, 8 Spam, 9 Preview Spam, 16 Offline, 17 Offline Preview; EX 32, 36.
QUALTRICS_STATUS = {
    "0": ("IP Address", None),
    "1": ("Survey Preview", "preview"),
    "2": ("Survey Test", "preview"),
    "4": ("Imported", None),
    "8": ("Spam", "spam"),
    "9": ("Preview Spam", "preview"),
    "16": ("Offline", None),
    "17": ("Offline Preview", "preview"),
    "32": ("EX", None),
    "36": ("EX Imported", None),
}


@dataclass
class ScreeningInput:
    """What the rules look at, all indexed by spreadsheet row.

    Attributes
    ----------
    raw : DataFrame
        Raw answers as exported (strings), for consent and attention checks.
    items : DataFrame
        Coded item answers *before* reverse keying (longstring looks at what was ticked).
    agency_id : Series
        Agency per row (NA when unknown).
    email : Series or None
        Collected email, for duplicate detection.
    duration : Series or None
        Completion time in seconds.
    submitted_at : Series
        Submission time; the earliest of duplicates is kept.
    keys : DataFrame
        Columns that together define "identical answers" (items and demographics).
    item_values : numpy.ndarray, optional
        ``items`` as a column-major float matrix with NaN for NA, when the caller has it
        (see :func:`float_matrix`); built from ``items`` when needed otherwise.
    response_id : Series or None
        The export tool's response id, for duplicate detection by ``response_id``.
    status : Series or None
        Qualtrics' ``Status`` as codes (see :func:`status_codes`).
    progress : Series or None
        Percent of the survey completed (Qualtrics ``Progress``), numbers.
    finished : Series or None
        Whether the response was finished (Qualtrics ``Finished``, see
        :func:`finished_flags`), booleans.
    """

    raw: pd.DataFrame
    items: pd.DataFrame
    agency_id: pd.Series
    email: pd.Series | None
    duration: pd.Series | None
    submitted_at: pd.Series
    keys: pd.DataFrame
    item_values: np.ndarray | None = None
    response_id: pd.Series | None = None
    status: pd.Series | None = None
    progress: pd.Series | None = None
    finished: pd.Series | None = None


Rule = Callable[[], tuple[pd.Series, pd.Series]]


def screen(data: ScreeningInput, rules: Screening) -> pd.DataFrame:
    """Apply every rule and return one row per raw row that a rule hit.

    Returns
    -------
    pandas.DataFrame
        Index = spreadsheet row; columns ``reason`` (first rule that hit, a code from
        :data:`REASONS`), ``detail`` (human-readable evidence) and ``action`` (``exclude`` or
        ``flag``). Rows no rule hit are absent. A flagged row whose later rule excludes it is
        reported once, with the excluding reason.
    """
    hits = []
    excluded = pd.Series(False, index=data.items.index)
    with ThreadPoolExecutor(max_workers=2) as pool, threadpool_limits(1, user_api="blas"):
        for reason, action, rule in _rules(data, rules, excluded, pool):
            if action == "off":
                continue
            mask, detail = rule()
            new = mask & ~excluded
            rows = new.index[new.to_numpy(dtype=bool)]
            detail = detail.loc[rows]
            hits.append(
                pd.DataFrame({"reason": reason, "detail": detail, "action": action}, index=rows)
            )
            if action == "exclude":
                excluded |= new
    table = pd.concat(hits) if hits else pd.DataFrame(columns=["reason", "detail", "action"])
    table = table[~(table.index.isin(excluded[excluded].index) & (table["action"] == "flag"))]
    return table.sort_index(kind="stable")


def _rules(
    data: ScreeningInput, rules: Screening, excluded: pd.Series, pool: ThreadPoolExecutor
) -> Iterator[tuple[str, str, Rule | None]]:
    """``(reason, action, rule)`` in screening order (``rule`` is None when the rule is off).

    A rule runs when called, so the duplicate rule sees the rows excluded before it. The
    straight-lining rule, which does not depend on exclusions, starts on ``pool`` at once and
    runs while the rules before it do; the Mahalanobis rule starts on ``pool`` once the
    attention checks are done, on the rows no rule so far excluded, and runs while the
    straight-lining rule finishes (straight-liners stay in its sample, but it cannot flag
    them: they are excluded before it).
    """
    matrix = ItemMatrix.of(data.items, data.item_values)
    rule = rules.straightlining
    longstring = None
    if rule.action != "off":
        longstring = pool.submit(straightlining, data.items, rule, matrix).result
    status = rules.qualtrics_status
    if data.status is not None:
        preview = partial(qualtrics_status, data.status, "preview")
        yield "preview", status.action, preview
        yield "spam", status.action, partial(qualtrics_status, data.status, "spam")
    yield "unfinished", rules.unfinished.action, partial(unfinished, data, rules.unfinished)
    if rules.consent is not None:
        consent = rules.consent
        yield "consent", consent.action, partial(consent_check, data.raw, consent)
    yield "unknown_agency", "exclude", partial(unknown_agency, data.agency_id)
    keys = rules.duplicates.keys
    yield "duplicate", rules.duplicates.action, partial(duplicates, data, keys, excluded, matrix)
    yield "speeder", rules.speeders.action, partial(speeders, data.duration, rules.speeders)
    for check in rules.attention_checks:
        yield "attention_check", check.action, partial(attention_check, data.raw, check)
    rule = rules.careless
    careless = None
    if rule.action != "off":
        careless = pool.submit(
            mahalanobis, data.items, rule.mahalanobis_p, matrix, excluded.copy()
        ).result
    yield "straightlining", rules.straightlining.action, longstring
    yield "careless", rule.action, careless
    rule = rules.missing
    missing = partial(too_many_missing, data.items, rule, matrix.answered)
    yield "too_many_missing", rule.action, missing


def consent_check(raw: pd.DataFrame, rule) -> tuple[pd.Series, pd.Series]:
    """Rows whose consent answer is not one of ``rule.accept`` (compared as normalised labels).

    The details say whether the answer was empty or another one, never what was written: an
    answer may hold anything the respondent typed, identifiers included.
    """
    accepted = {fold_label(a) for a in rule.accept}
    mask, empty = _failed_answers(raw[rule.column], accepted.__contains__)
    details = np.array(["consent answer not in the accepted list", "no consent answer"])
    return mask, pd.Series(details[empty.to_numpy(dtype=int)], index=empty.index)


def status_codes(status: pd.Series, *, path=None) -> pd.Series:
    """Qualtrics' ``Status`` as its codes (``"1"``), from codes (numeric export, SPSS) or
    choice texts (``Survey Preview``); ``""`` for an empty cell. See :data:`QUALTRICS_STATUS`.

    Raises
    ------
    InputError
        For a status that is neither a known code nor a known text (its row and column).
    """
    names = {fold_label(text): code for code, (text, _) in QUALTRICS_STATUS.items()}
    codes, texts = factorize_text(status)
    found = []
    for position, text in enumerate(texts.tolist()):
        key = answer_key(text)
        code = key if key in QUALTRICS_STATUS else names.get(key, "" if key == "" else None)
        if code is None:
            raise InputError(
                f'"{text}" is not a Qualtrics response status',
                path=path,
                row=int(status.index[int(np.flatnonzero(codes == position)[0])]),
                column=status.name,
                hint="known: "
                + ", ".join(f"{c} {t}" for c, (t, _) in QUALTRICS_STATUS.items())
                + "; set screening.qualtrics_status.action: off to keep every status",
            )
        found.append(code)
    return pd.Series(np.array([*found, ""], dtype=object)[codes], index=status.index)


def qualtrics_status(codes: pd.Series, reason: str) -> tuple[pd.Series, pd.Series]:
    """Rows whose Qualtrics status code (see :func:`status_codes`) gives ``reason``
    (``preview`` or ``spam``); the detail names the status, e.g. ``Status 1 (Survey Preview)``."""
    reasons = {code: why for code, (_, why) in QUALTRICS_STATUS.items()}
    mask = codes.map(reasons).eq(reason).fillna(False).astype(bool)
    hit = codes[mask]
    detail = "Status " + hit + " (" + hit.map(lambda c: QUALTRICS_STATUS[c][0]) + ")"
    return mask, detail.astype("string")


def unfinished(data: ScreeningInput, rule) -> tuple[pd.Series, pd.Series]:
    """Rows below ``rule.min_progress`` percent (``Progress``), or not finished (``Finished``
    false) when the export has no progress column. Exports without either: no row."""
    index = data.items.index
    if data.progress is not None:
        progress = data.progress.astype("Float64")
        mask = (progress < rule.min_progress).fillna(False).astype(bool)
        detail = (
            "progress "
            + progress[mask].round(0).astype("Int64").astype(str)
            + f"% (minimum {rule.min_progress:g}%)"
        )
        return mask, detail
    if data.finished is not None:
        mask = ~data.finished.astype(bool)
        return mask, pd.Series("not finished", index=index[mask.to_numpy()], dtype="string")
    return pd.Series(False, index=index), pd.Series(dtype="string")


def finished_flags(finished: pd.Series, *, path=None) -> pd.Series:
    """Qualtrics' ``Finished`` as booleans (``1``/``0``, ``True``/``False``; empty is False).

    Raises
    ------
    InputError
        For any other value (its row and column).
    """
    meaning = {"1": True, "true": True, "0": False, "false": False, "": False}
    codes, texts = factorize_text(finished)
    keys = [answer_key(text) for text in texts.tolist()]
    for position, key in enumerate(keys):
        if key not in meaning:
            raise InputError(
                f'"{texts.iloc[position]}" is not a Finished value',
                path=path,
                row=int(finished.index[int(np.flatnonzero(codes == position)[0])]),
                column=finished.name,
                hint="expected 1 or 0 (numeric export), True or False (choice text)",
            )
    flags = np.array([meaning[k] for k in [*keys, ""]], dtype=bool)
    return pd.Series(flags[codes], index=finished.index)


def unknown_agency(agency_id: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows whose agency is not one of the study's."""
    mask = agency_id.isna()
    return mask, pd.Series("agency not in the study", index=mask.index[mask.to_numpy()])


def attention_check(raw: pd.DataFrame, check) -> tuple[pd.Series, pd.Series]:
    """Rows whose answer to an attention check is not the expected one (normalised).

    The details name the question and the expected answer, never the answer given.
    """
    expected = fold_label(check.expected)
    mask, empty = _failed_answers(raw[check.column], expected.__eq__)
    question = f'"{check.column[:40]}": '
    details = np.array(
        [f'{question}answer is not the expected "{check.expected}"', f"{question}no answer"]
    )
    return mask, pd.Series(details[empty.to_numpy(dtype=int)], index=empty.index)


def _failed_answers(answers: pd.Series, test: Callable[[str], bool]) -> tuple[pd.Series, pd.Series]:
    """Rows whose answer fails ``test(fold_label(answer))`` (NA as ``""``), and for those
    rows whether the answer was empty; tested once per distinct answer.

    Returns
    -------
    tuple of (Series of bool, Series of bool)
        The mask over all rows, and ``empty`` for the rows it hits.
    """
    codes, texts = factorize_text(answers)
    folded = [fold_label(text) for text in [*texts.tolist(), ""]]
    failed = np.array([not test(text) for text in folded], dtype=bool)[codes]
    empty = np.array([text == "" for text in folded], dtype=bool)[codes]
    return (
        pd.Series(failed, index=answers.index),
        pd.Series(empty[failed], index=answers.index[failed]),
    )


def duplicates(
    data: ScreeningInput, keys: list[str], excluded: pd.Series, matrix: ItemMatrix | None = None
):
    """Later submissions that repeat an earlier one's email, response id or answers.

    Answers repeat when every item and demographic answer is the same and the item answers
    vary (at least two different values): identical constant answers are straight-lining, not
    a copy. ``matrix`` is ``ItemMatrix.of(data.items)`` when the caller already has it.

    Returns
    -------
    tuple of (Series of bool, Series of str)
        The mask of repeats (the earliest submission is kept) and, for the repeats, which
        row each repeats.
    """
    index = data.items.index
    eligible = np.flatnonzero(~excluded.to_numpy(dtype=bool))
    submitted = data.submitted_at.to_numpy(dtype="datetime64[ns]")
    mask = np.zeros(len(index), dtype=bool)
    details = []
    for label, key in _duplicate_keys(data, keys, matrix or ItemMatrix.of(data.items)):
        rows, first = _repeats(key, eligible, submitted)
        new = ~mask[rows]
        mask[rows[new]] = True
        repeated = pd.Series(index[first[new]].astype(str), index=index[rows[new]])
        details.append(label + " " + repeated)
    detail = pd.concat(details) if details else pd.Series(dtype="string")
    return pd.Series(mask, index=index), detail


def _repeats(
    key: np.ndarray, eligible: np.ndarray, submitted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows (positions) whose ``key`` an earlier submitted eligible row has, and that row.

    ``key`` holds integers from 0 to the number of rows (-1: no key). Among rows with the
    same key the earliest submission comes first, then the earliest row; an unknown
    submission time counts as the latest.
    """
    rows = eligible[key[eligible] >= 0]
    groups = key[rows]
    shared = np.bincount(groups)[groups] > 1
    rows, groups = rows[shared], groups[shared]
    when = submitted[rows].view(np.int64).copy()
    when[np.isnat(submitted[rows])] = np.iinfo(np.int64).max
    order = np.lexsort((rows, when, groups))
    rows, groups = rows[order], groups[order]
    leads = np.ones(len(rows), dtype=bool)
    leads[1:] = groups[1:] != groups[:-1]
    lead_of_group = np.zeros(len(key) + 1, dtype=np.int64)
    lead_of_group[groups[leads]] = rows[leads]
    return rows[~leads], lead_of_group[groups[~leads]]


def _duplicate_keys(
    data: ScreeningInput, keys: list[str], matrix: ItemMatrix
) -> Iterator[tuple[str, np.ndarray]]:
    """``(label, key)`` per duplicate criterion; ``key`` is an integer per row, equal for
    rows that are the same by the criterion and -1 where it does not apply."""
    if "email" in keys and data.email is not None:
        yield "same email as row", _folded_codes(data.email)
    if "response_id" in keys and data.response_id is not None:
        yield "same response id as row", _folded_codes(data.response_id)
    if "answers" in keys:
        yield "same answers as row", np.where(varied_answers(matrix), row_groups(data.keys), -1)


def _folded_codes(values: pd.Series) -> np.ndarray:
    """An integer per row, equal for texts equal after trimming and lower-casing (how email
    addresses compare); -1 for empty cells.

    The texts are folded by Arrow's compute kernels on the column's own buffers (once per
    category for a categorical column), never through a folded pandas copy of the column.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        texts = pa.array(values.cat.categories.astype("string").array, pa.large_string())
    else:
        codes = None
        texts = pa.array(values.astype("string").array, pa.large_string())
    folded = pc.fill_null(pc.utf8_lower(pc.utf8_trim_whitespace(texts)), "")
    groups = pc.dictionary_encode(folded).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    groups[pc.equal(folded, "").to_numpy(zero_copy_only=False)] = -1
    if codes is None:
        return groups
    return np.append(groups, -1)[codes]  # NA (-1) takes the last group, -1


def varied_answers(matrix: ItemMatrix) -> np.ndarray:
    """Whether each row's answered items hold at least two different values."""
    with np.errstate(invalid="ignore"):  # rows without answers give NaN, which is not varied
        return np.fmin.reduce(matrix.values, axis=1) < np.fmax.reduce(matrix.values, axis=1)


def row_groups(frame: pd.DataFrame) -> np.ndarray:
    """Group number per row, equal exactly for rows whose cells are all equal (NA = NA).

    Rows are grouped by a 64-bit mix of their cells, then every row is checked cell by cell
    against the first row of its group; should two different rows ever share a mix, the
    groups are formed column by column instead.
    """
    mixed = np.zeros(len(frame), dtype=np.uint64)
    for _, column in frame.items():
        mixed = (mixed ^ _cell_codes(column)) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
    groups = pd.factorize(mixed)[0]  # numbered in order of first appearance
    leads = np.ones(len(groups), dtype=bool)
    leads[1:] = groups[1:] > np.maximum.accumulate(groups)[:-1]
    repeats = np.flatnonzero(~leads)
    lead = np.flatnonzero(leads)[groups[repeats]]
    if all(_equal_rows(column, repeats, lead) for _, column in frame.items()):
        return groups
    groups = np.zeros(len(frame), dtype=np.int64)
    for _, column in frame.items():
        groups = pd.factorize(groups * (1 << 32) + pd.factorize(_cell_codes(column))[0])[0]
    return groups


def _equal_rows(column: pd.Series, rows: np.ndarray, others: np.ndarray) -> bool:
    """Whether ``column`` has equal cells at every pair of positions ``rows``, ``others``."""
    codes = pd.factorize(column.iloc[np.concatenate([rows, others])])[0]  # NA is -1
    return bool((codes[: len(rows)] == codes[len(rows) :]).all())


def _cell_codes(column: pd.Series) -> np.ndarray:
    """An unsigned 64-bit number per cell, equal exactly for equal cells (NA = NA)."""
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 becomes 0.0
        values[np.isnan(values)] = np.nan  # one NaN bit pattern
        return values.view(np.uint64)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.uint64)
    return pd.factorize(column)[0].astype(np.uint64)


def speeders(duration: pd.Series | None, rule) -> tuple[pd.Series, pd.Series]:
    """Rows completed faster than ``min_seconds`` or than a fraction of the median time."""
    if duration is None:
        empty = pd.Series(dtype=bool)
        return empty, pd.Series(dtype="string")
    limits = []
    if rule.min_seconds is not None:
        limits.append(rule.min_seconds)
    if rule.min_fraction_of_median is not None:
        limits.append(rule.min_fraction_of_median * float(duration.median()))
    limit = max(limits) if limits else 0.0
    mask = (duration < limit).fillna(False).astype(bool)
    detail = (
        "completed in "
        + duration[mask].round(0).astype("Int64").astype(str)
        + f" s (minimum {limit:.0f} s)"
    )
    return mask, detail


def straightlining(
    items: pd.DataFrame, rule, matrix: ItemMatrix | None = None
) -> tuple[pd.Series, pd.Series]:
    """Rows whose longest run of identical answers covers the given share of their answers.

    Uses ``ier.longstring_scores`` on the answers as ticked (before reverse keying);
    ``matrix`` is ``ItemMatrix.of(items)`` when the caller already has it.
    """
    matrix = matrix or ItemMatrix.of(items)
    answered = pd.Series(matrix.answered, index=items.index)
    run = pd.Series(ier.longstring_scores(matrix.values), index=items.index)
    mask = (answered >= rule.min_items) & (run >= rule.max_longstring_fraction * answered)
    detail = (
        "same answer on "
        + run[mask].astype(int).astype(str)
        + " of "
        + answered[mask].astype(str)
        + " items in a row"
    )
    return mask, detail


def mahalanobis(
    items: pd.DataFrame,
    p_threshold: float,
    matrix: ItemMatrix | None = None,
    excluded: pd.Series | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Multivariate outliers: Mahalanobis D^2 with chi-square p below ``p_threshold``.

    Uses ``ier.mahad`` on the complete cases among the rows not ``excluded`` by an earlier
    rule (only they can still be flagged, and the mean and covariance describe them, not the
    copies and straight-liners already set aside); ``matrix`` is ``ItemMatrix.of(items)``
    when the caller already has it.
    """
    matrix = matrix or ItemMatrix.of(items)
    complete = matrix.answered == items.shape[1]
    if excluded is not None:
        complete &= ~excluded.to_numpy(dtype=bool)
    mask = pd.Series(False, index=items.index)
    if complete.sum() <= items.shape[1] + 1:
        return mask, pd.Series(dtype="string")
    positions = np.flatnonzero(complete)
    d2 = ier.mahad(matrix.values[positions], na_rm=True) ** 2  # ier gives D, not D^2
    p = stats.chi2.sf(d2, df=items.shape[1])
    hit = p < p_threshold
    positions = positions[hit]
    mask.iloc[positions] = True
    rows = items.index[positions]
    detail = (
        "Mahalanobis D2 = "
        + pd.Series(d2[hit], index=rows).round(1).astype(str)
        + ", p = "
        + pd.Series(p[hit], index=rows, dtype=object).map("{:.2g}".format)
    )
    return mask, detail


def too_many_missing(
    items: pd.DataFrame, rule, answered: np.ndarray | None = None
) -> tuple[pd.Series, pd.Series]:
    """Rows that left more than ``max_missing_fraction`` of the items unanswered
    (``answered``: answers per row, when the caller already has them)."""
    answered = answered_items(items) if answered is None else answered
    share = pd.Series((items.shape[1] - answered) / items.shape[1], index=items.index)
    mask = share > rule.max_missing_fraction
    detail = (share[mask] * 100).round(0).astype(int).astype(str) + "% of items unanswered"
    return mask, detail


def answered_items(items: pd.DataFrame) -> np.ndarray:
    """Number of answered (not NA) items per row."""
    answered = np.zeros(len(items), dtype=np.int64)
    for _, column in items.items():
        answered += column.notna().to_numpy()
    return answered


def float_matrix(items: pd.DataFrame) -> np.ndarray:
    """``items.to_numpy(dtype=float, na_value=nan)``, built column by column (much faster
    for nullable columns) in the same column-major layout."""
    matrix = np.empty((items.shape[1], len(items))).T
    for k, (_, column) in enumerate(items.items()):
        matrix[:, k] = column.to_numpy(dtype=float, na_value=np.nan)
    return matrix


@dataclass(frozen=True)
class ItemMatrix:
    """The item answers as one float matrix for ``ier``, with the answers per row.

    Attributes
    ----------
    values : numpy.ndarray
        Rows x items, column-major, NaN for a missing answer (see :func:`float_matrix`).
    answered : numpy.ndarray
        Answered items per row.
    """

    values: np.ndarray
    answered: np.ndarray

    @classmethod
    def of(cls, items: pd.DataFrame, values: np.ndarray | None = None) -> ItemMatrix:
        """The matrix of ``items`` (``values`` when the caller has it already)."""
        return cls(float_matrix(items) if values is None else values, answered_items(items))
