"""Report figures drawn with seaborn, labelled in the report language.

Every figure is deterministic (jitter and bootstrap bands are seeded with the study's seed), so
identical runs give identical HTML and PDF, and every label is text: a ``$`` in a label is shown
as a dollar sign, not parsed as mathematics.

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

from analysis.config import Hypothesis, Study
from analysis.reporting.i18n import ci_level, number, t

#: Colour-blind-safe palette of every figure.
PALETTE = "colorblind"
#: Hatches and markers that tell series apart without colour, in series order.
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "++", "ooo", "---")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Colour of hatch lines and bar edges (dark enough to print on every palette colour).
EDGE_COLOUR = "#2b2b2b"


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
    numeric = pd.api.types.is_numeric_dtype(data[predictor])
    with _seeded(study.study.seed):
        if numeric:
            sns.regplot(
                data=data.astype(float),
                x=predictor,
                y=outcome,
                ax=ax,
                ci=100 * (1 - study.study.alpha),
                seed=study.study.seed,
                x_jitter=0.04,
                y_jitter=0.04,
                scatter_kws={"s": 10, "alpha": 0.4},
                line_kws={"color": "#c0392b"},
            )
        else:
            sns.pointplot(
                data=data.astype({outcome: float}),
                x=predictor,
                y=outcome,
                ax=ax,
                errorbar=("ci", 100 * (1 - study.study.alpha)),
                seed=study.study.seed,
            )
    title = f"{hypothesis.id}: " + t(
        lang,
        "figures.scatter",
        outcome=labels.get(outcome, outcome),
        predictor=labels.get(predictor, predictor),
        level=level,
    )
    ax.set(xlabel=labels.get(predictor, predictor), ylabel=labels.get(outcome, outcome))
    ax.set_title(textwrap.fill(title, 60), fontsize=10)


def engagement_by_platform(posts: pd.DataFrame, study: Study, lang: str) -> plt.Figure | None:
    """Mean likes, comments and shares per post on each platform (bars with bootstrap CIs).

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
    level = 100 * (1 - study.study.alpha)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    sns.barplot(
        data=long,
        x="platform",
        y="count",
        hue="interaction",
        ax=ax,
        errorbar=("ci", level),
        seed=study.study.seed,
    )
    ax.set(xlabel="", ylabel=t(lang, "figures.interactions"), title=t(lang, "figures.engagement"))
    ax.legend(title=t(lang, "interactions.legend"))
    fig.tight_layout()
    plt.close(fig)
    return fig


@contextmanager
def _seeded(seed: int):
    """Seed NumPy's legacy global generator inside a block, then restore it.

    seaborn's stripplot and regplot jitter draw from ``np.random`` (not a Generator), so this is
    the only way to make them repeatable.
    """
    state = np.random.get_state()  # noqa: NPY002 - seaborn's jitter uses the legacy generator
    np.random.seed(seed % 2**32)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002
