"""Display tables: translated headers and labels, numbers formatted for the report language.

These turn the tidy analysis tables into what a reader sees; the tidy tables themselves (with
full precision) go to ``results.json``.
"""

from __future__ import annotations

import pandas as pd

from analysis.reporting.i18n import number, p_value, t

DISPLAY_COLUMNS = {
    "platform_summary": [
        "platform",
        "n_posts",
        "first_date",
        "last_date",
        "median_likes",
        "median_comments",
        "median_shares",
        "median_views",
    ],
    "sample_flow": ["step", "reason", "n"],
    "descriptives": ["label", "n", "mean", "sd", "median", "min", "max", "ci_low", "ci_high"],
    "reliability": [
        "label",
        "n_items",
        "n",
        "alpha",
        "ci_low",
        "ci_high",
        "min_item_total_r",
        "reliable",
    ],
    "hypothesis": [
        "hypothesis",
        "term",
        "estimate",
        "std_estimate",
        "se",
        "ci",
        "statistic",
        "df",
        "p_value",
        "effect_size",
        "decision",
    ],
}
INTEGER_COLUMNS = {"n", "n_items", "df", "n_posts"}


def display_table(
    analysis: str, table: pd.DataFrame, lang: str, labels: dict | None = None
) -> pd.DataFrame:
    """A translated, formatted copy of an analysis table for the report.

    Parameters
    ----------
    analysis : str
        ``sample_flow``, ``descriptives``, ``reliability``, ``hypothesis`` or ``engagement``.
    table : DataFrame
        The tidy analysis output.
    lang : str
        ``id`` or ``en``.
    labels : dict, optional
        Variable id -> readable label (construct labels), used in the ``term`` column.

    Returns
    -------
    pandas.DataFrame
        Strings only, headers in ``lang``, index hidden by the caller's styling.
    """
    if analysis == "engagement":
        return engagement_display(table, lang)
    table = table.copy()
    if "ci_low" in table and "ci" in DISPLAY_COLUMNS[analysis]:
        separator = "; " if lang == "id" else ", "
        table["ci"] = [
            f"[{number(lo, lang)}{separator}{number(hi, lang)}]"
            for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
        ]
    shown = table[DISPLAY_COLUMNS[analysis]].copy()
    if analysis == "sample_flow":
        shown["reason"] = shown["reason"].map(lambda r: t(lang, f"reasons.{r}") if r else "")
        shown["step"] = shown["step"].map(lambda s: t(lang, f"steps.{s}"))
    if "platform" in shown:
        shown["platform"] = shown["platform"].map(lambda p: t(lang, f"platforms.{p}"))
    if "term" in shown:
        shown["term"] = shown["term"].map(lambda v: (labels or {}).get(v, v))
    if "decision" in shown:
        shown["decision"] = shown["decision"].map(
            lambda d: t(lang, f"decisions.{d}") if isinstance(d, str) else ""
        )
    if "reliable" in shown:
        shown["reliable"] = shown["reliable"].map(
            lambda r: t(lang, "answer_yes") if r else t(lang, "answer_no")
        )
    for column in shown.columns:
        shown[column] = _format_column(shown[column], column, lang)
    shown.columns = [t(lang, f"columns.{c}") for c in shown.columns]
    return shown


def engagement_display(metrics: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Engagement metrics as a metric x platform grid of formatted values."""
    grid = metrics.pivot_table(
        index="metric",
        columns="platform",
        values="value",
        aggfunc="first",
        sort=False,
        dropna=False,
    )
    shown = grid.apply(lambda col: col.map(lambda v: number(v, lang, 2)))
    shown.index = [t(lang, f"metrics.{m}") for m in shown.index]
    shown.index.name = t(lang, "columns.metric")
    shown.columns = [t(lang, f"platforms.{c}") for c in shown.columns]
    return shown.reset_index()


def _format_column(values: pd.Series, column: str, lang: str) -> pd.Series:
    if column == "p_value":
        return values.map(lambda v: p_value(v, lang).removeprefix("= "))
    if column in INTEGER_COLUMNS:
        return values.map(lambda v: number(v, lang, 0))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: number(v, lang, 2))
    return values.astype("string").fillna("")
