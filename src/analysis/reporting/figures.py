"""Report figures drawn with seaborn, labelled in the report language."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.config import Hypothesis, Study
from analysis.reporting.i18n import t

sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")


def score_distributions(scores: pd.DataFrame, study: Study, lang: str) -> plt.Figure:
    """Box-and-strip plot of every construct score (one row per construct)."""
    long = scores.melt(
        value_vars=[c.id for c in study.constructs], var_name="construct", value_name="score"
    ).dropna()
    long["construct"] = long["construct"].map({c.id: c.label.get(lang) for c in study.constructs})
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.7 * len(study.constructs)))
    sns.boxplot(data=long, x="score", y="construct", ax=ax, color="#d9e6f2", fliersize=0)
    sns.stripplot(data=long, x="score", y="construct", ax=ax, size=2, alpha=0.35, jitter=0.25)
    ax.set(
        xlabel=t(lang, "figures.score_axis"),
        ylabel="",
        xlim=(0.8, 5.2),
        title=t(lang, "figures.scores"),
    )
    fig.tight_layout()
    plt.close(fig)
    return fig


def hypothesis_scatter(
    scores: pd.DataFrame, hypothesis: Hypothesis, study: Study, lang: str
) -> plt.Figure:
    """Outcome against the first predictor, with the OLS line and its 95 % band."""
    predictor, outcome = hypothesis.predictors[0], hypothesis.outcome
    data = scores[[predictor, outcome]].dropna().astype(float)
    labels = {c.id: c.label.get(lang) for c in study.constructs}
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    sns.regplot(
        data=data,
        x=predictor,
        y=outcome,
        ax=ax,
        x_jitter=0.04,
        y_jitter=0.04,
        scatter_kws={"s": 10, "alpha": 0.4},
        line_kws={"color": "#c0392b"},
    )
    title = f"{hypothesis.id}: " + t(
        lang,
        "figures.scatter",
        outcome=labels.get(outcome, outcome),
        predictor=labels.get(predictor, predictor),
    )
    ax.set(xlabel=labels.get(predictor, predictor), ylabel=labels.get(outcome, outcome))
    ax.set_title(textwrap.fill(title, 70), fontsize=10)
    fig.tight_layout()
    plt.close(fig)
    return fig


def engagement_by_platform(posts: pd.DataFrame, lang: str) -> plt.Figure:
    """Mean likes, comments and shares per post on each platform (bars with 95 % CI)."""
    long = posts.melt(
        id_vars=["platform"],
        value_vars=["likes", "comments", "shares"],
        var_name="interaction",
        value_name="count",
    ).dropna()
    long["count"] = long["count"].astype(float)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    sns.barplot(data=long, x="platform", y="count", hue="interaction", ax=ax, errorbar=("ci", 95))
    ax.set(xlabel="", ylabel=t(lang, "figures.interactions"), title=t(lang, "figures.engagement"))
    ax.legend(title=t(lang, "interactions.legend"))
    fig.tight_layout()
    plt.close(fig)
    return fig
