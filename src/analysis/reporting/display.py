"""Display tables: translated headers and labels, numbers formatted for the report language.

These turn the tidy analysis tables into what a reader sees; the tidy tables themselves (with
full precision) go to ``results.json``. Adding an analysis to a report means listing the columns
it shows here and naming them in both locale files.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.reporting.i18n import ci_level, number, p_value, t
from analysis.stats.scorecard import PRINCIPLES

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
    "descriptives": ["construct", "n", "mean", "sd", "median", "min", "max", "ci"],
    "reliability": [
        "construct",
        "k",
        "n",
        "alpha",
        "ci",
        "std_alpha",
        "omega",
        "min_item_total_r",
        "reliable",
    ],
    "factor_structure": [
        "n",
        "k",
        "kmo",
        "bartlett",
        "p_value",
        "factors_suggested",
        "constructs",
        "adequate",
    ],
    "item_analysis": [
        "construct",
        "item",
        "n",
        "item_total_r",
        "r_table",
        "valid",
        "alpha_if_deleted",
    ],
    "hypothesis": [
        "hypothesis",
        "family",
        "term",
        "estimate",
        "ci",
        "test",
        "p_value",
        "p_adjusted",
        "p_fdr",
        "effect",
        "n",
        "decision",
    ],
    "measurement_fit": ["n", "chi2_df", "p_value", "cfi", "tli", "rmsea_ci", "srmr", "good_fit"],
    "construct_validity": [
        "construct",
        "k",
        "min_loading",
        "composite_reliability",
        "ave",
        "sqrt_ave",
        "max_correlation",
        "max_htmt",
        "convergent",
        "discriminant",
    ],
    "assumptions": [
        "hypothesis",
        "check",
        "term",
        "value",
        "p_value",
        "passed",
        "action",
    ],
    "sensitivity": ["hypothesis", "n", "min_detectable", "observed"],
    "hashtags": ["term", "count", "documents"],
    "study_agencies": [
        "agency",
        "n",
        "outcome_mean",
        "ci",
        "engagement_index",
        "reply_rate",
        "supported",
    ],
    "across_agencies": [
        "hypothesis",
        "agency",
        "estimate",
        "ci",
        "p_value",
        "p_holm_agencies",
        "p_fdr_agencies",
        "n",
        "decision",
    ],
    "pooled": ["hypothesis", "method", "k", "estimate", "ci", "p_value", "pi", "tau2", "i2"],
    "pooled_models": ["hypothesis", "model", "term", "estimate", "ci", "p_value", "n", "groups"],
    "agency_hypotheses": ["hypothesis", "x", "y", "n", "r", "ci", "p_value", "decision"],
    "triangulation": ["x", "y", "n", "r", "ci", "p_value"],
    "model_fit": ["hypothesis", "n", "r2", "adj_r2", "f_test", "p_value"],
    "hypothesis_terms": [
        "hypothesis",
        "term",
        "estimate",
        "std_estimate",
        "se",
        "ci",
        "statistic",
        "df",
        "p_value",
    ],
    "group_descriptives": ["hypothesis", "group", "n", "mean", "sd", "median"],
    "scorecard_size_bias": ["platform", "metric_label", "n", "rho", "p_value", "verdict"],
    "scorecard": ["agency", *(f"score_{p}" for p in PRINCIPLES)],
    "agency_scorecard": ["principle_label", "score"],
    "agency_scorecard_metrics": ["principle_label", "metric_label", "value", "position", "score"],
}
#: How each test statistic is written (the df part is added where the test has one).
_STATISTIC_SYMBOLS = {"t": "t", "z": "z", "F": "F", "chi2": "χ²", "H": "H"}
#: Boolean columns shown as yes / no.
YES_NO_COLUMNS = (
    "reliable",
    "valid",
    "adequate",
    "passed",
    "good_fit",
    "convergent",
    "discriminant",
)
INTEGER_COLUMNS = {
    "n",
    "k",
    "df",
    "n_posts",
    "factors_suggested",
    "constructs",
    "count",
    "documents",
    "groups",
}
P_COLUMNS = {"p_value", "p_adjusted", "p_fdr", "p_holm_agencies", "p_fdr_agencies"}
#: ASCII punctuation, which CommonMark lets a backslash make literal.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` made literal for Markdown: no links, images, tables, HTML or emphasis."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


def term_label(term: str, labels: dict[str, str]) -> str:
    """A readable model term: ``Gender: female`` for ``gender[female]``, labels for ids."""
    if pd.isna(term):
        return ""
    match = re.fullmatch(r"(?P<variable>[^\[]+)\[(?P<level>.*)\]", str(term))
    if match:
        variable = match["variable"]
        return f"{labels.get(variable, variable)}: {match['level']}"
    return "+".join(
        ":".join(labels.get(piece, piece) for piece in part.split(":"))
        for part in str(term).split("+")
    )


def display_table(
    analysis: str,
    table: pd.DataFrame,
    lang: str,
    labels: dict | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A translated, formatted copy of an analysis table for the report.

    Parameters
    ----------
    analysis : str
        A key of :data:`DISPLAY_COLUMNS`, or ``engagement``.
    table : DataFrame
        The tidy analysis output.
    lang : str
        ``id`` or ``en``.
    labels : dict, optional
        Variable id -> readable label, used for constructs, items and model terms.
    alpha : float
        Significance level: the confidence level in headers and the p-value digits follow it.

    Returns
    -------
    pandas.DataFrame
        Strings only, headers in ``lang``.
    """
    labels = labels or {}
    level = ci_level(alpha, lang)
    if analysis == "engagement":
        return engagement_display(table, lang)
    if analysis == "responsiveness":
        return grid_display(table, "metric", "value", lang, key="replies", header="metric")
    if analysis == "content_categories":
        return grid_display(table, "label", "n", lang, key=None, header="category", digits=0)
    table = table.copy()
    columns = DISPLAY_COLUMNS[analysis]
    if "ci" in columns:
        separator = "; " if lang == "id" else ", "
        table["ci"] = [
            f"[{number(lo, lang)}{separator}{number(hi, lang)}]" if lo == lo else "–"
            for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
        ]
    if "test" in columns:
        table["test"] = [test_text(row, lang) for row in table.itertuples()]
    if "effect" in columns:
        table["effect"] = [_effect(row, lang) for row in table.itertuples()]
    if "chi2_df" in columns:
        table["chi2_df"] = [
            f"χ²({number(df, lang, 0)}) = {number(chi2, lang)}"
            for chi2, df in zip(table["chi2"], table["df"], strict=True)
        ]
        separator = "; " if lang == "id" else ", "
        table["rmsea_ci"] = [
            f"{number(r, lang, 3)} [{number(lo, lang, 3)}{separator}{number(hi, lang, 3)}]"
            for r, lo, hi in zip(
                table["rmsea"], table["rmsea_ci_low"], table["rmsea_ci_high"], strict=True
            )
        ]
    if "f_test" in columns:
        separator = "; " if lang == "id" else ", "
        table["f_test"] = [
            f"F({number(a, lang, 0)}{separator}{number(b, lang, 0)}) = {number(f, lang)}"
            for f, a, b in zip(table["statistic"], table["df_num"], table["df"], strict=True)
        ]
    if "pi" in columns:
        separator = "; " if lang == "id" else ", "
        table["pi"] = [
            f"[{number(lo, lang)}{separator}{number(hi, lang)}]"
            for lo, hi in zip(table["pi_low"], table["pi_high"], strict=True)
        ]
    if "value" in columns and "value" not in table:
        table["value"] = table["statistic"]
    if "min_detectable" in columns:
        table["min_detectable"] = [
            f"{t(lang, f'effect_sizes.{name}')} = {number(value, lang, 3)}"
            for name, value in zip(table["effect_name"], table["min_effect"], strict=True)
        ]
        table["observed"] = [
            f"{t(lang, f'effect_sizes.{name}')} = {number(value, lang, 3)}"
            for name, value in zip(table["effect_name"], table["effect_size"], strict=True)
        ]
    if "bartlett" in columns:
        table["bartlett"] = [
            f"χ²({number(df, lang, 0)}) = {number(chi2, lang)}"
            for chi2, df in zip(table["bartlett_chi2"], table["bartlett_df"], strict=True)
        ]
    if "model" in columns and analysis == "pooled_models":
        table["model"] = table["model"].map(lambda m: t(lang, f"pooled_models.{m}"))
    if "family" in columns:
        table["family"] = table["family"].map(lambda f: t(lang, f"families.{f}"))
    shown = table[columns].copy()
    if analysis == "sample_flow":
        shown["reason"] = shown["reason"].map(lambda r: t(lang, f"reasons.{r}") if r else "")
        shown["step"] = shown["step"].map(lambda s: t(lang, f"steps.{s}"))
    for column in ("construct", "item", "term", "agency", "x", "y"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: term_label(v, labels))
    if "platform" in shown:
        shown["platform"] = shown["platform"].map(lambda p: t(lang, f"platforms.{p}"))
    if "decision" in shown:
        shown["decision"] = shown["decision"].map(
            lambda d: t(lang, f"decisions.{d}") if isinstance(d, str) else ""
        )
    if "action" in shown:
        shown["action"] = shown["action"].map(lambda a: t(lang, f"actions.{a}"))
        shown["check"] = shown["check"].map(lambda c: t(lang, f"checks.{c}"))
    for column in (
        "reliable",
        "valid",
        "adequate",
        "passed",
        "good_fit",
        "convergent",
        "discriminant",
    ):
        if column in shown:
            shown[column] = shown[column].map(
                lambda r: t(lang, "answer_yes") if r else t(lang, "answer_no")
            )
    for column in shown.columns:
        shown[column] = _format_column(shown[column], column, lang, alpha)
    shown.columns = [t(lang, f"columns.{c}", level=level) for c in shown.columns]
    return shown


def grid_display(
    table: pd.DataFrame,
    rows: str,
    values: str,
    lang: str,
    key: str | None,
    header: str,
    digits: int = 2,
) -> pd.DataFrame:
    """A ``rows`` x platform grid of ``values`` (row names translated under ``key``; the row
    header is ``columns.<header>``)."""
    grid = table.pivot_table(
        index=rows, columns="platform", values=values, aggfunc="first", sort=False, dropna=False
    )
    shown = grid.apply(lambda col: col.map(lambda v: number(v, lang, digits)))
    shown.index = [t(lang, f"{key}.{m}") if key else m for m in shown.index]
    shown.index.name = t(lang, f"columns.{header}")
    shown.columns = [t(lang, f"platforms.{c}") for c in shown.columns]
    return shown.reset_index()


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


def test_text(row, lang: str) -> str:
    """``t(283) = 2,54``, ``F(2; 280) = 7,18``, ``χ²(2) = 9,10``, ``z = 3,02``; ``–`` if none."""
    if not has_test(row):
        return "–"
    symbol = _STATISTIC_SYMBOLS[row.statistic_name]
    value = number(row.statistic, lang)
    if row.statistic_name == "z" or row.df != row.df:
        return f"{symbol} = {value}"
    separator = "; " if lang == "id" else ", "
    df = number(row.df, lang, 0 if float(row.df).is_integer() else 2)
    if row.statistic_name == "F":
        df = f"{number(row.df_num, lang, 0)}{separator}{df}"
    return f"{symbol}({df}) = {value}"


def has_test(row) -> bool:
    """Whether a verdict row has a test statistic to show."""
    return isinstance(row.statistic_name, str) and row.statistic_name in _STATISTIC_SYMBOLS


def _effect(row, lang: str) -> str:
    """``f² = 0,04`` or ``d = 0,31`` for a verdict row; ``–`` without an effect size."""
    if row.effect_size != row.effect_size:
        return "–"
    return f"{t(lang, f'effect_sizes.{row.effect_size_name}')} = {number(row.effect_size, lang)}"


def _format_column(values: pd.Series, column: str, lang: str, alpha: float) -> pd.Series:
    if column in P_COLUMNS:
        return values.map(lambda v: p_value(v, lang, alpha).removeprefix("=\u00a0"))
    if column in INTEGER_COLUMNS:
        return values.map(lambda v: number(v, lang, 0))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: number(v, lang, 2))
    return values.astype("string").fillna("")
