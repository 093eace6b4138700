"""Report figures drawn with seaborn, labelled in the report language.

Every figure is deterministic (jitter and bootstrap intervals are seeded with the study's seed),
so identical runs give identical HTML and PDF, and every label is text: a ``$`` in a label is
shown as a dollar sign, not parsed as mathematics. The lines, bands and error bars a figure
draws are computed by :mod:`analysis.stats` (tested there), never by the plotting library.

One theme for every report figure (:func:`apply_theme`, applied on import): seaborn's
``whitegrid`` with its colour-blind-safe ``colorblind`` palette (after Okabe & Ito), and
:func:`print_ready`, which a report applies to each figure before showing it: series told apart
by colour also get a hatch (bars) or a marker (lines), so they stay apart in greyscale print;
Indonesian figures get a decimal comma on their number axes; the title of a one-panel figure
moves to the caption above it, as APA asks.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.container import BarContainer
from matplotlib.ticker import ScalarFormatter

from analysis import stats
from analysis.config import Hypothesis, Study
from analysis.reporting.i18n import ci_level, number, t

#: Colour-blind-safe palette of every figure.
PALETTE = "colorblind"
#: Hatches and markers that tell series apart without colour, in series order.
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "++", "ooo", "---")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Colour of hatch lines and bar edges (dark enough to print on every palette colour).
EDGE_COLOUR = "#2b2b2b"
#: Colour of a fitted line and its confidence band.
BAND_COLOUR = "#c0392b"


def apply_theme() -> None:
    """Set the report theme: seaborn ``whitegrid``, the colour-blind palette, text labels,
    and SVG output without random ids (so a re-run writes the same file)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update(
        {
            "text.parse_math": False,
            "svg.hashsalt": "analysis-report",
            "hatch.linewidth": 0.8,
            "legend.frameon": False,
        }
    )


apply_theme()


def print_ready(fig: plt.Figure, lang: str) -> str | None:
    """Make a figure readable in greyscale and in the report language, in place.

    Bar groups told apart by colour (seaborn's ``hue``) get :data:`HATCHES`, lines in a legend
    without a marker get :data:`MARKERS`, each in series order and also in the legend;
    Indonesian number axes get a decimal comma (``2,5``). A figure with one visible panel
    loses its title, which is returned for the caption above the figure.

    Returns
    -------
    str or None
        The title taken off a one-panel figure; None for several panels or no title.
    """
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    for ax in panels:
        _hatch_bar_groups(ax)
        _mark_lines(ax)
        if lang == "id":
            for axis in (ax.xaxis, ax.yaxis):
                if type(axis.get_major_formatter()) is ScalarFormatter:
                    axis.set_major_formatter(_DecimalComma())
    if len(panels) != 1 or not panels[0].get_title():
        return None
    title = panels[0].get_title()
    panels[0].set_title("")
    fig.tight_layout()
    return title


def _hatch_bar_groups(ax) -> None:
    groups = [c for c in ax.containers if isinstance(c, BarContainer)]
    if len(groups) < 2:
        return
    for hatch, group in zip(HATCHES * len(groups), groups, strict=False):
        for bar in group:
            bar.set(hatch=hatch, edgecolor=EDGE_COLOUR, linewidth=0.6)
    legend = ax.get_legend()
    if legend is not None:
        for hatch, handle in zip(HATCHES * len(groups), legend.legend_handles, strict=False):
            handle.set(hatch=hatch, edgecolor=EDGE_COLOUR, linewidth=0.6)


def _mark_lines(ax) -> None:
    lines = [
        line
        for line in ax.get_lines()
        if not line.get_label().startswith("_") and line.get_marker() in ("None", "", None)
    ]
    if len(lines) < 2:
        return
    for marker, line in zip(MARKERS * len(lines), lines, strict=False):
        line.set_marker(marker)
    legend = ax.get_legend()
    if legend is not None:
        ax.legend(title=legend.get_title().get_text() or None)


class _DecimalComma(ScalarFormatter):
    """matplotlib's tick labels with a decimal comma (``2,5``), as Indonesian writes numbers."""

    def __call__(self, x, pos=None):
        return _comma(super().__call__(x, pos))

    def get_offset(self):
        return _comma(super().get_offset())


def _comma(text: str) -> str:
    return text.replace(".", "\0").replace(",", ".").replace("\0", ",")


def score_distributions(scores: pd.DataFrame, study: Study, lang: str) -> plt.Figure:
    """Box-and-strip plot of every construct score, on the scale's own range."""
    labels = study.labels(lang)
    long = scores.melt(
        value_vars=[c.id for c in study.constructs], var_name="construct", value_name="score"
    ).dropna()
    long["construct"] = long["construct"].map(labels)
    long["score"] = long["score"].astype(float)
    ranges = [study.score_range(c.id) for c in study.constructs]
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    margin = (high - low) * 0.05
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.7 * len(study.constructs)))
    sns.boxplot(data=long, x="score", y="construct", ax=ax, color="#d9e6f2", fliersize=0)
    with _seeded(study.study.seed):
        sns.stripplot(data=long, x="score", y="construct", ax=ax, size=2, alpha=0.35, jitter=0.25)
    ax.set(
        xlabel=t(lang, "figures.score_axis", low=number(low, lang, 0), high=number(high, lang, 0)),
        ylabel="",
        xlim=(low - margin, high + margin),
        title=t(lang, "figures.scores"),
    )
    fig.tight_layout()
    plt.close(fig)
    return fig


def hypothesis_scatters(scores: pd.DataFrame, study: Study, lang: str) -> plt.Figure | None:
    """One panel per hypothesis: outcome against its first predictor, OLS line and CI band.

    A numeric predictor gets the jittered points, the least-squares line and its confidence
    band with the hypothesis' standard errors (:func:`analysis.stats.regression_band`, HC3 by
    default); a categorical one the mean of the outcome in each category with its t interval
    (:func:`analysis.stats.group_means`).

    Only respondent-level hypotheses between observed scores are drawn (a SEM path between
    latent variables has no scatter). Returns None when no hypothesis qualifies.
    """
    drawn = [
        h
        for h in study.hypotheses
        if h.level == "respondent" and {h.outcome, h.predictors[0]} <= set(scores.columns)
    ]
    if not drawn:
        return None
    count = len(drawn)
    columns = min(count, 2)
    rows = -(-count // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 4.2 * rows), squeeze=False)
    for ax, hypothesis in zip(axes.flat, drawn, strict=False):
        _scatter(ax, scores, hypothesis, study, lang)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _scatter(ax, scores: pd.DataFrame, hypothesis: Hypothesis, study: Study, lang: str) -> None:
    predictor, outcome = hypothesis.predictors[0], hypothesis.outcome
    data = scores[[predictor, outcome]].dropna()
    labels = study.labels(lang)
    level = ci_level(study.study.alpha, lang)
    ci = 1 - study.study.alpha
    numeric = pd.api.types.is_numeric_dtype(data[predictor])
    if numeric:
        data = data.astype(float)
        jitter = np.random.default_rng(study.study.seed).uniform(-0.04, 0.04, (2, len(data)))
        ax.scatter(data[predictor] + jitter[0], data[outcome] + jitter[1], s=10, alpha=0.4)
        if len(data) >= 3 and data[predictor].nunique() >= 2:  # else there is no line to fit
            robust = None if hypothesis.robust == "none" else hypothesis.robust
            band = stats.regression_band(data, outcome, predictor, robust=robust, ci=ci)
            ax.fill_between(
                band["x"], band["ci_low"], band["ci_high"], color=BAND_COLOUR, alpha=0.2
            )
            ax.plot(band["x"], band["fit"], color=BAND_COLOUR, label="_fit")
    else:
        means = stats.group_means(data, outcome, predictor, ci=ci)
        positions = np.arange(len(means))
        ax.errorbar(
            positions,
            means["mean"],
            yerr=[means["mean"] - means["ci_low"], means["ci_high"] - means["mean"]],
            fmt="o",
            capsize=3,
        )
        ax.set_xticks(positions, means[predictor].astype(str))
        ax.set_xlim(-0.5, len(means) - 0.5)
    title = f"{hypothesis.id}: " + t(
        lang,
        "figures.scatter" if numeric else "figures.group_means",
        outcome=labels.get(outcome, outcome),
        predictor=labels.get(predictor, predictor),
        level=level,
    )
    ax.set(xlabel=labels.get(predictor, predictor), ylabel=labels.get(outcome, outcome))
    ax.set_title(textwrap.fill(title, 60), fontsize=10)


def engagement_by_platform(posts: pd.DataFrame, study: Study, lang: str) -> plt.Figure | None:
    """Mean likes, comments and shares per post on each platform, with percentile bootstrap
    intervals (:func:`analysis.stats.group_means`, the study's seed and confidence level).

    Returns None when there are no posts.
    """
    if posts.empty:
        return None
    long = posts.melt(
        id_vars=["platform"],
        value_vars=["likes", "comments", "shares"],
        var_name="interaction",
        value_name="count",
    ).dropna()
    long["count"] = long["count"].astype(float)
    long["platform"] = long["platform"].map(lambda p: t(lang, f"platforms.{p}"))
    long["interaction"] = long["interaction"].map(lambda i: t(lang, f"interactions.{i}"))
    means = stats.group_means(
        long,
        "count",
        ["platform", "interaction"],
        interval="percentile",
        ci=1 - study.study.alpha,
        seed=study.study.seed,
    )
    platforms = list(dict.fromkeys(long["platform"]))
    interactions = list(dict.fromkeys(long["interaction"]))
    fig, ax = plt.subplots(figsize=(7, 3.8))
    sns.barplot(
        data=means,
        x="platform",
        y="mean",
        hue="interaction",
        order=platforms,
        hue_order=interactions,
        ax=ax,
        errorbar=None,
    )
    drawn = means.set_index(["interaction", "platform"])
    whiskers = []  # (centre, low, high) of each bar
    for interaction, bars in zip(interactions, ax.containers, strict=True):
        for bar in bars:  # a bar stands at its platform's position plus its dodge offset
            centre = bar.get_x() + bar.get_width() / 2
            interval = drawn.loc[(interaction, platforms[round(centre)]), ["ci_low", "ci_high"]]
            whiskers.append((centre, *interval))
    ax.vlines(*zip(*whiskers, strict=True), color=EDGE_COLOUR, linewidth=1.2)
    title = t(lang, "figures.engagement", level=ci_level(study.study.alpha, lang))
    ax.set(xlabel="", ylabel=t(lang, "figures.interactions"), title=title)
    ax.legend(title=t(lang, "interactions.legend"))
    fig.tight_layout()
    plt.close(fig)
    return fig


@contextmanager
def _seeded(seed: int):
    """Seed NumPy's legacy global generator inside a block, then restore it.

    seaborn's stripplot jitter draws from ``np.random`` (not a Generator), so this is the only
    way to make it repeatable.
    """
    state = np.random.get_state()  # noqa: NPY002 - seaborn's jitter uses the legacy generator
    np.random.seed(seed % 2**32)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002
