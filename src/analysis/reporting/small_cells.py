"""Small-cell protection: no breakdown in a published report shows a group of fewer than k people.

A table that breaks respondents down by a category (group-comparison descriptives, counts by
gender or age band ...) says so in its ``attrs``:

* ``attrs["group_count"]``: the column holding each group's number of respondents;
* ``attrs["breakdown"]`` (optional): the columns whose values mark one breakdown within the
  table (e.g. ``("hypothesis",)`` when a table stacks the groups of several hypotheses).

A group with ``0 < n < k`` is masked: its count is shown as ``< k`` and its other values are
left out, since a mean or a percentage of two people describes those two people. When a
breakdown has exactly one masked group, the next smallest group is masked too (complementary
suppression), so the hidden count cannot be recovered by subtracting the shown ones from the
total. Empty groups (``n = 0``) are shown: they describe nobody.

Masking happens when a table is displayed or written beside the report (HTML, PDF, CSV, Word);
``results.json``, the project's internal record, keeps the counts. This is written here because
the statistical-disclosure packages (sdcMicro, tau-argus) are R or Java tools for microdata and
published tables, not a display step in a Python report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import InputError

#: Default k: the smallest group a report shows (a common rule of national statistics offices).
MIN_CELL = 5
#: Shown in place of a masked group's other values.
MASKED_VALUE = "–"


def has_groups(table: pd.DataFrame) -> bool:
    """Whether ``table`` declares a group count (``attrs["group_count"]``)."""
    return bool(table.attrs.get("group_count"))


def masked_rows(table: pd.DataFrame, min_cell: int) -> np.ndarray:
    """Which rows of a table with group counts are masked at ``min_cell``.

    Parameters
    ----------
    table : DataFrame
        With ``attrs["group_count"]`` (and optionally ``attrs["breakdown"]``).
    min_cell : int
        k: groups of ``1 .. k - 1`` respondents are masked.

    Returns
    -------
    numpy.ndarray of bool
        One entry per row, in row order; all False for a table without group counts.

    Raises
    ------
    InputError
        When the declared count or breakdown columns are not in the table.
    """
    if not has_groups(table):
        return np.zeros(len(table), dtype=bool)
    count = table.attrs["group_count"]
    breakdown = list(table.attrs.get("breakdown", ()))
    missing = [c for c in [count, *breakdown] if c not in table.columns]
    if missing:
        raise InputError(
            f"a table with group counts lacks the columns it names in attrs: {missing} "
            f"(it has {list(table.columns)})"
        )
    counts = pd.to_numeric(table[count], errors="coerce").to_numpy(dtype=float)
    masked = (counts > 0) & (counts < min_cell)
    positions = pd.Series(np.arange(len(table)))
    groups = (
        positions.groupby([table[c].to_numpy() for c in breakdown], dropna=False)
        if breakdown
        else [(None, positions)]
    )
    for _, rows in groups:
        rows = rows.to_numpy()
        if masked[rows].sum() == 1 and len(rows) > 1:
            shown = rows[~masked[rows] & (counts[rows] > 0)]
            if len(shown):
                masked[shown[np.argmin(counts[shown])]] = True
    return masked


def masked_count(min_cell: int) -> str:
    """What a masked count shows, in both languages: ``< 5`` (kept together by a no-break
    space)."""
    return f"<\u00a0{min_cell}"


def mask_display(
    shown: pd.DataFrame,
    columns: list[str],
    masked: np.ndarray,
    keep: set[str],
    count: str,
    min_cell: int,
) -> pd.DataFrame:
    """Mask rows of a displayed table (translated headers, string cells).

    Parameters
    ----------
    shown : DataFrame
        The displayed table, rows in the order of the tidy table.
    columns : list of str
        The tidy column each displayed column shows, in order.
    masked : array of bool
        From :func:`masked_rows`.
    keep : set of str
        Tidy columns that name the group (shown as they are).
    count : str
        The tidy column holding the group count (shown as ``< k``).
    min_cell : int

    Returns
    -------
    pandas.DataFrame
        A copy with the masked rows' values replaced.
    """
    shown = shown.copy()
    if not masked.any():
        return shown
    for position, column in enumerate(columns):
        if column in keep:
            continue
        value = masked_count(min_cell) if column == count else MASKED_VALUE
        shown.iloc[masked, position] = value
    return shown


def mask_tidy(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """A tidy table with its masked groups' values blanked, for files published with a report.

    The count column of a masked group holds ``<k`` (so the column becomes text) and every
    other column except the record keys and breakdown columns is emptied.

    Returns
    -------
    pandas.DataFrame
        A copy (``attrs`` kept); ``table`` itself when it has no group counts.
    """
    masked = masked_rows(table, min_cell)
    if not masked.any():
        return table
    keep = set(table.attrs.get("keys", ())) | set(table.attrs.get("breakdown", ()))
    count = table.attrs["group_count"]
    out = table.astype(object)
    for column in out.columns:
        if column in keep:
            continue
        out.loc[masked, column] = f"<{min_cell}" if column == count else None
    out.attrs = dict(table.attrs)
    return out
