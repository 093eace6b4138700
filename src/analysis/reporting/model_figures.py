"""Figures that show more than the report: scree plots, residual plots and path diagrams.

The exploration notebooks draw the first two; the report draws the path diagrams of mediation
and SEM hypotheses. Labels are in the report language and every label is text.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.stats

from analysis.config import Study
from analysis.reporting.i18n import number, t
from analysis.stats import EFAResult, RegressionResult


def scree(result: EFAResult, lang: str) -> plt.Figure:
    """Observed factor eigenvalues against the parallel analysis' simulated ones."""
    table = result.parallel
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(table["factor"], table["observed_eigenvalue"], "o-", label=t(lang, "figures.observed"))
    ax.plot(table["factor"], table["simulated_95"], "s--", label=t(lang, "figures.simulated"))
    ax.axvline(result.n_factors + 0.5, color="grey", lw=0.8)
    ax.set(
        xlabel=t(lang, "figures.factor"),
        ylabel=t(lang, "figures.eigenvalue"),
        title=t(lang, "figures.scree", n=result.n_factors),
    )
    ax.legend()
    fig.tight_layout()
    plt.close(fig)
    return fig


def residuals(result: RegressionResult, lang: str) -> plt.Figure:
    """Residuals against fitted values, and a normal Q-Q plot of the standardized residuals."""
    fit = result.fit
    fitted, resid = np.asarray(fit.fittedvalues), np.asarray(fit.resid)
    standardized = (resid - resid.mean()) / resid.std(ddof=1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.scatter(fitted, resid, s=8, alpha=0.5)
    left.axhline(0, color="#c0392b", lw=1)
    left.set(
        xlabel=t(lang, "figures.fitted"),
        ylabel=t(lang, "figures.residual"),
        title=t(lang, "figures.residual_title"),
    )
    theoretical = scipy.stats.norm.ppf((np.arange(1, len(resid) + 1) - 0.5) / len(resid))
    right.scatter(theoretical, np.sort(standardized), s=8, alpha=0.5)
    right.plot(theoretical, theoretical, color="#c0392b", lw=1)
    right.set(
        xlabel=t(lang, "figures.normal_quantile"),
        ylabel=t(lang, "figures.residual_quantile"),
        title=t(lang, "figures.qq_title"),
    )
    fig.tight_layout()
    plt.close(fig)
    return fig


def path_diagrams(terms: pd.DataFrame, study: Study, lang: str) -> plt.Figure | None:
    """One diagram per mediation hypothesis: x -> m -> y with the a, b and c' paths.

    Numbers are the unstandardized estimates of ``terms`` (the report's recorded model rows).
    Returns None when the study has no mediation hypothesis with results.
    """
    labels = study.labels(lang)
    drawn = [
        h
        for h in study.hypotheses
        if h.family == "mediation" and len(h.mediators) == 1 and h.id in set(terms["hypothesis"])
    ]
    if not drawn:
        return None
    fig, axes = plt.subplots(1, len(drawn), figsize=(6.5 * len(drawn), 3.2), squeeze=False)
    for ax, hypothesis in zip(axes.flat, drawn, strict=True):
        paths = terms[terms["hypothesis"] == hypothesis.id].set_index("term")["estimate"]
        boxes = {
            "x": ((0.12, 0.2), labels.get(hypothesis.predictors[0], hypothesis.predictors[0])),
            "m": ((0.5, 0.8), labels.get(hypothesis.mediators[0], hypothesis.mediators[0])),
            "y": ((0.88, 0.2), labels.get(hypothesis.outcome, hypothesis.outcome)),
        }
        for (x, y), text in boxes.values():
            ax.text(
                x,
                y,
                textwrap.fill(text, 18),
                ha="center",
                va="center",
                fontsize=9,
                bbox={"boxstyle": "round", "fc": "#d9e6f2", "ec": "#34495e"},
            )
        for start, end, term in (("x", "m", "a"), ("m", "y", "b"), ("x", "y", "c_prime")):
            (x0, y0), (x1, y1) = boxes[start][0], boxes[end][0]
            ax.annotate(
                "",
                xy=(x0 + 0.72 * (x1 - x0), y0 + 0.72 * (y1 - y0)),
                xytext=(x0 + 0.28 * (x1 - x0), y0 + 0.28 * (y1 - y0)),
                arrowprops={"arrowstyle": "->", "lw": 1.4},
            )
            name = "c'" if term == "c_prime" else term
            ax.text(
                (x0 + x1) / 2,
                (y0 + y1) / 2 + 0.06,
                f"{name} = {number(paths.get(term, np.nan), lang)}",
                ha="center",
                fontsize=9,
            )
        ax.set_title(f"{hypothesis.id}: {t(lang, 'figures.path_title')}", fontsize=10)
        ax.set_axis_off()
    fig.tight_layout()
    plt.close(fig)
    return fig


#: Width of a forest plot, inches: the A4 text width (210 mm less 2 x 15 mm margins), so it is
#: shown at its own size.
FOREST_WIDTH = 7.0
#: Height a forest plot may take, inches: an A4 page (297 mm less 18 + 16 mm margins) less its
#: caption above.
FOREST_MAX_HEIGHT = 9.0
#: Inches of a forest plot that are not rows (axis, ticks, legend).
FOREST_FRAME = 1.1
#: Row height and tick font of a forest plot (inches, points), and how far both may shrink so
#: that one hypothesis' agencies fit on one page; beyond that, the agencies are split over
#: several figures.
FOREST_ROW, FOREST_MIN_ROW = 0.2, 0.075
FOREST_FONT, FOREST_MIN_FONT = 7.0, 4.5


def forest_plots(
    estimates: pd.DataFrame, pooled: pd.DataFrame, study: Study, lang: str
) -> dict[str, plt.Figure]:
    """Forest plots: each agency's estimate with its CI, the REML pooled estimate and its PI.

    One figure per hypothesis that was pooled (see
    :func:`analysis.reporting.synthesis.pooled_estimates`), each as wide as the A4 text and no
    taller than a page, so that it is never split over pages and is printed at its own size.
    Rows shrink (to :data:`FOREST_MIN_ROW` inches, with the labels down to
    :data:`FOREST_MIN_FONT` points: 100 agencies on one page); a hypothesis with more agencies
    is drawn as several figures, each with the pooled estimate, titled ``(1/2)``, ``(2/2)``.

    Returns
    -------
    dict
        Hypothesis id (``<id>-<part>`` when split) -> figure, in the order of ``pooled``;
        empty when nothing was pooled.
    """
    reml = pooled[pooled["method"] == "REML"] if not pooled.empty else pooled
    names = {a.id: a.name for a in study.agencies}
    per_figure = int((FOREST_MAX_HEIGHT - FOREST_FRAME) / FOREST_MIN_ROW) - 2
    figures = {}
    for summary in reml.to_dict(orient="records"):
        hypothesis = summary["hypothesis"]
        rows = estimates[estimates["hypothesis"] == hypothesis].dropna(subset=["estimate"])
        parts = max(1, -(-len(rows) // per_figure))
        size = -(-len(rows) // parts)
        for part in range(parts):
            title = t(
                lang,
                "figures.forest_title",
                id=hypothesis,
                tau2=number(summary["tau2"], lang, 3),
                i2=number(summary["i2"], lang, 1),
            )
            key = hypothesis if parts == 1 else f"{hypothesis}-{part + 1}"
            title += "" if parts == 1 else f" ({part + 1}/{parts})"
            chunk = rows.iloc[part * size : (part + 1) * size]
            figures[key] = _forest(chunk, summary, names, title, lang)
    return figures


def _forest(rows: pd.DataFrame, summary: dict, names: dict, title: str, lang: str) -> plt.Figure:
    """One forest plot: ``rows`` (agencies) and the pooled ``summary`` below them."""
    slots = len(rows) + 2
    row = max(FOREST_MIN_ROW, min(FOREST_ROW, (FOREST_MAX_HEIGHT - FOREST_FRAME) / slots))
    scale = row / FOREST_ROW
    font = max(FOREST_MIN_FONT, FOREST_FONT * scale)
    # laid out when first drawn or by print_ready, which takes the title off and lays it out
    # anyway: a tight_layout() here as well would measure the 100 labels once more for nothing
    fig, ax = plt.subplots(figsize=(FOREST_WIDTH, row * slots + FOREST_FRAME), layout="tight")
    y = np.arange(len(rows))[::-1] + 2
    ax.errorbar(
        rows["estimate"],
        y,
        xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
        fmt="s",
        color="#34495e",
        ecolor="#7f8c8d",
        capsize=2 * scale,
        markersize=4 * scale,
        elinewidth=max(0.5, 1.0 * scale),
    )
    ax.hlines(
        0.6,
        summary["pi_low"],
        summary["pi_high"],
        color="#c0392b",
        lw=1.2,
        linestyles="dotted",
        label=t(lang, "figures.prediction_interval"),
    )
    diamond_x = [summary["ci_low"], summary["estimate"], summary["ci_high"], summary["estimate"]]
    ax.fill(
        diamond_x, [0.6, 0.95, 0.6, 0.25], color="#c0392b", label=t(lang, "figures.pooled_reml")
    )
    ax.axvline(0, color="grey", lw=0.8)
    labels = [textwrap.shorten(names.get(a, a), 40) for a in rows["agency"]]
    ax.set_yticks([*y, 0.6], [*labels, t(lang, "figures.pooled")], fontsize=font)
    ax.set_ylim(0, slots)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=6, ncols=2, frameon=False)
    plt.close(fig)
    return fig
