"""The PermenPAN-RB 83/2012 scorecard in the reports: every agency's metrics, scores, size bias.

:func:`agency_metrics` gathers the agency-level metrics of *all* agencies into one long table
(:data:`analysis.tables.AGENCY_METRICS`) when the study is cleaned, so that an agency report,
which reads only its own partition, can still rank its agency among the others, and the study
report (its agency table, agency-level hypotheses and scorecard: :mod:`analysis.reporting.
synthesis`) reads the same numbers rather than computing them again. The values come from
:mod:`analysis.stats`: the Bonsón indices of :func:`~analysis.stats.engagement_metrics` (per
agency, with the config's follower counts where an export has none, as the agency report
computes them), the reply rate and time of :func:`~analysis.stats.responsiveness` over all of
an agency's platforms together, and the presence and consistency of
:func:`~analysis.stats.cross_platform`, computed on all agencies at once so every agency is
measured over the same weeks.

:func:`study_scorecard` applies the study's ``scorecard`` mapping (:mod:`analysis.config.
scorecard`; :data:`analysis.stats.scorecard.DEFAULT_MAPPING` without one) with
:func:`analysis.stats.scorecard.scorecard`, and says before agencies are compared which indices
favour small accounts (:func:`analysis.stats.scorecard.size_bias`: every per-follower index per
platform, and every scorecard metric and the engagement index E, against followers).
:func:`agency_scorecard` gives one agency's scores and its metrics' ranks, :func:`heatmap`
draws agencies x principles. The ranks of :func:`agency_scorecard` are counted here with pandas
(1 = best in the metric's direction, ties share the best place) because they are positions, not
estimates.
"""

from __future__ import annotations

import textwrap
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis import stats
from analysis.config import Study, paths
from analysis.config.scorecard import METRICS
from analysis.io import store as processed
from analysis.reporting.display import plain
from analysis.reporting.i18n import number, significance, t, texts
from analysis.reporting.sections import tidy
from analysis.stats.activity import ALL_PLATFORMS
from analysis.stats.engagement import METRICS as ENGAGEMENT_METRICS
from analysis.stats.scorecard import (
    DEFAULT_MAPPING,
    METRIC_SCORES_TABLE,
    PRINCIPLES,
    SCORECARD_TABLE,
)
from analysis.tables import AGENCY_METRICS, PLATFORMS, conform, empty_table

#: Per-follower indices of :func:`analysis.stats.engagement_metrics` (the interaction rate is
#: E / 10 when all three counts are known, so it is left out).
PER_FOLLOWER = ("P3", "C3", "V3", "E")
#: Decimals the metric table keeps: plenty for ranks and reports, and no run of seven or more
#: digits that the identifier scan (:func:`analysis.cleaning.privacy.scan_text`) of processed
#: data would take for a phone number or NIK.
STORED_DECIMALS = 6
#: Responsiveness metrics kept in the agency metric table (over all platforms).
REPLY_METRICS = ("answered_share", "median_hours_to_reply", "reply_0_2h")
#: Sequential colour map of the heat map: designed to read the same with colour-vision
#: deficiency and in greyscale (Nuñez, Anderton & Renslow 2018).
HEATMAP_COLOURS = "cividis"
_WARNING_ABSENT = r"scorecard: .* not in the metrics table"


@dataclass
class StudyScorecard:
    """The study report's scorecard section (every table recorded by ``report.show``).

    Attributes
    ----------
    card : DataFrame
        One row per agency (config order): ``agency`` (id), then ``score_<principle>`` for
        each principle of :data:`~analysis.stats.scorecard.PRINCIPLES` (``score_credible``
        ... ``score_representative``): the 0-100 score, NA for a principle the mapping leaves
        out or the agency has no metric of.
    scores : DataFrame
        The score of each metric behind the card: the columns of
        :func:`analysis.stats.scorecard.metric_scores` (``agency_id, principle, metric,
        value, direction, weight, score, method``).
    size_bias : DataFrame
        One row per index and platform: ``platform`` (``all`` for agency-level metrics),
        ``metric``, ``metric_label`` (in the report language), ``n`` (agencies with the
        metric and a follower count), ``direction`` (``lower`` for a mapped metric where
        lower is better, else ``higher``), ``rho`` (Spearman), ``p_value``, ``favours``
        (``small accounts``, ``large accounts`` or ``no evidence`` at the study's alpha, from
        :func:`analysis.stats.scorecard.size_bias`, turned round for ``lower``), ``verdict``
        (``favours`` in words).
    bias_note : str
        Markdown: which indices favour small (or large) accounts, from ``size_bias``.
    explanation : str
        Markdown: which metrics stand for which principle with direction and weight, the
        scoring rule, and why the principles left out are not scored.
    """

    card: pd.DataFrame
    scores: pd.DataFrame
    size_bias: pd.DataFrame
    bias_note: str
    explanation: str


def agency_metrics(posts: pd.DataFrame, comments: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The metric table of every agency with posts (see the module docstring).

    Parameters
    ----------
    posts, comments : pandas.DataFrame
        Every agency's posts (:data:`analysis.tables.POSTS`) and comment threads
        (:data:`analysis.tables.COMMENTS`; may be empty).
    study : Study

    Returns
    -------
    pandas.DataFrame
        :data:`analysis.tables.AGENCY_METRICS`, sorted by agency, platform (``all`` last)
        and metric order:

        agency_id, platform : string
            ``platform`` is a platform for the rows of
            :func:`analysis.stats.engagement_metrics`, ``all`` for the agency's accounts
            together.
        metric : string
            Per platform every metric of :func:`~analysis.stats.engagement_metrics`; for
            ``all`` the metrics of :data:`analysis.config.scorecard.METRICS`.
        value : Float64
            Rounded to :data:`STORED_DECIMALS` decimals.
        followers : Float64
            The platform's follower count (the denominator of P3); for ``all`` their sum,
            NA when a platform's count is unknown.
        source : string
            ``engagement_metrics``, ``responsiveness`` or ``cross_platform``.
        Empty (with these columns) when there are no posts.
    """
    if posts.empty:
        return empty_table(AGENCY_METRICS)
    zone = study.study.timezone
    followers_by_agency = {agency.id: agency.followers for agency in study.agencies}
    per_platform = stats.engagement_metrics(posts, followers_by_agency, zone)
    followers = (
        per_platform[per_platform["metric"] == "P3"]
        .set_index(["agency_id", "platform"])["denominator"]
        .rename("followers")
    )
    per_platform = per_platform.join(followers, on=["agency_id", "platform"])
    per_platform["source"] = "engagement_metrics"
    total = (
        followers.groupby(level="agency_id")
        .sum(min_count=1)
        .where(followers.notna().groupby(level="agency_id").all())
    )
    engagement = per_platform.groupby("agency_id")
    overall = [
        _overall(engagement.apply(_mean_of("E")), "engagement_index", "engagement_metrics"),
        _overall(
            engagement.apply(_sum_of("posts_per_week")), "posts_per_week", "engagement_metrics"
        ),
    ]
    if not comments.empty:
        pooled = comments.assign(platform=ALL_PLATFORMS).astype({"platform": "string"})
        replies = stats.responsiveness(pooled, timezone=zone)
        overall.append(
            replies[replies["metric"].isin(REPLY_METRICS)].assign(source="responsiveness")
        )
    presence = stats.cross_platform(posts, zone)
    overall.append(presence[presence["platform"] == ALL_PLATFORMS].assign(source="cross_platform"))
    overall = pd.concat(overall, ignore_index=True).assign(platform=ALL_PLATFORMS)
    overall["followers"] = overall["agency_id"].map(total)
    table = pd.concat([per_platform, overall], ignore_index=True)
    table = conform(table, AGENCY_METRICS)[list(AGENCY_METRICS)]
    table[["value", "followers"]] = table[["value", "followers"]].round(STORED_DECIMALS)
    order = {name: i for i, name in enumerate([*ENGAGEMENT_METRICS, *METRICS])}
    table = table.assign(
        _platform=table["platform"] == ALL_PLATFORMS, _metric=table["metric"].map(order)
    )
    table = table.sort_values(["agency_id", "_platform", "platform", "_metric"], kind="stable")
    return table.drop(columns=["_platform", "_metric"]).reset_index(drop=True)


def read_agency_metrics(study: Study, processed_dir: str | Path = "") -> pd.DataFrame:
    """The ``agency_metrics`` table of the study's processed data (checked by its manifest)."""
    folder = paths.processed_dir(study, processed_dir or None)
    return conform(processed.read_flat(folder, "agency_metrics"), AGENCY_METRICS)


def study_scorecard(metrics: pd.DataFrame, study: Study, lang: str) -> StudyScorecard:
    """The scorecard of every agency, the size-bias check and the mapping in words.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`agency_metrics` (e.g. :func:`read_agency_metrics`).
    study : Study
        Its ``scorecard`` block gives the mapping and the reference thresholds.
    lang : str
        ``id`` or ``en``.

    Returns
    -------
    StudyScorecard
        Tables declared for :class:`~analysis.reporting.results.ResultLog` (``card`` keyed by
        agency, ``size_bias`` by platform and metric); empty tables when no agency has the
        mapping's metrics.
    """
    mapping = _mapping(study)
    long = _principle_scores(metrics, study)
    card = _wide(long, mapping, study)
    bias = _size_bias(metrics, mapping, study, lang)
    return StudyScorecard(
        card=card,
        scores=_metric_scores(metrics, study),
        size_bias=bias,
        bias_note=_bias_note(bias, study, lang),
        explanation=_explanation(metrics, study, lang),
    )


def agency_scorecard(
    metrics: pd.DataFrame, study: Study, agency_id: str, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One agency's principle scores, and its metrics with their place among the agencies.

    Returns
    -------
    tuple of pandas.DataFrame
        The principles: ``principle``, ``principle_label`` (its name in ``lang``), ``score``
        (0-100), ``n_metrics``, ``metrics_used`` (ids, comma-separated); one row per
        principle of the mapping. The metrics: ``principle``, ``principle_label``, ``metric``,
        ``metric_label``, ``value``, ``rank`` (1 = best in the metric's direction, ties share
        the best place), ``n`` (agencies with the metric), ``position`` (``rank / n`` in
        words), ``score`` (0-100), ``method`` (``percentile_rank`` or ``reference``). Both
        are empty when the agency has none of the mapping's metrics.
    """
    scores = _metric_scores(metrics, study)
    value = scores["value"].astype("float64")
    better = value.where(scores["direction"] == "higher", -value)
    metric = [scores["principle"], scores["metric"]]
    scores = scores.assign(
        rank=better.groupby(metric).rank(ascending=False, method="min"),
        n=value.groupby(metric).transform("size"),
    )
    rows = scores[scores["agency_id"] == agency_id].reset_index(drop=True)
    principles = _principle_scores(metrics, study)
    mine = (principles["agency_id"] == agency_id) & (not rows.empty)  # none without a metric
    principles = principles[mine].drop(columns="agency_id").reset_index(drop=True)
    principles["principle_label"] = [_principle(p, lang) for p in principles["principle"]]
    rows["principle_label"] = [_principle(p, lang) for p in rows["principle"]]
    rows["metric_label"] = [_metric_label(m, ALL_PLATFORMS, lang) for m in rows["metric"]]
    rows["position"] = [
        t(lang, "scorecard.position", rank=number(r, lang, 0), n=number(n, lang, 0))
        for r, n in zip(rows["rank"], rows["n"], strict=True)
    ]
    principles = principles[["principle", "principle_label", "score", "n_metrics", "metrics_used"]]
    rows = rows[
        [
            "principle",
            "principle_label",
            "metric",
            "metric_label",
            "value",
            "rank",
            "n",
            "position",
            "score",
            "method",
        ]
    ]
    return tidy(principles, ("principle",), "score"), tidy(rows, ("principle", "metric"), "value")


def heatmap(card: pd.DataFrame, study: Study, lang: str) -> plt.Figure | None:
    """Agencies x principles, the 0-100 score in each cell (agencies in config order).

    Only the principles some agency has a score for are drawn. Colours run from dark blue (0)
    to yellow (100) on :data:`HEATMAP_COLOURS` and every cell carries its score, so the figure
    reads without colour. Returns None when no agency has a score.
    """
    principles = [p for p in PRINCIPLES if card[f"score_{p}"].notna().any()]
    if card.empty or not principles:
        return None
    names = {a.id: a.name for a in study.agencies}
    grid = card.set_index("agency")[[f"score_{p}" for p in principles]].astype("float64")
    grid.index = [textwrap.fill(names.get(a, a), 38) for a in grid.index]
    grid.columns = [_principle(p, lang) for p in principles]
    lines = sum(label.count("\n") + 1 for label in grid.index)
    fig, ax = plt.subplots(figsize=(3.8 + 1.4 * len(principles), 0.9 + 0.24 * lines))
    sns.heatmap(
        grid,
        vmin=0,
        vmax=100,
        cmap=HEATMAP_COLOURS,
        annot=grid.map(lambda v: number(v, lang, 0)).to_numpy(),
        fmt="",
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": t(lang, "scorecard.score_axis")},
        ax=ax,
    )
    ax.set(xlabel="", ylabel="")
    ax.tick_params(axis="y", labelsize=8)
    ax.tick_params(axis="x", labelrotation=0)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _mapping(study: Study) -> dict[str, list[dict]]:
    return study.scorecard.mapping() or DEFAULT_MAPPING


def _metric_scores(metrics: pd.DataFrame, study: Study) -> pd.DataFrame:
    """:func:`analysis.stats.metric_scores` of the agency-level rows (empty without any)."""
    overall = metrics[metrics["platform"] == ALL_PLATFORMS]
    if overall.empty:
        return empty_table(METRIC_SCORES_TABLE)
    with _absent_metrics_explained():
        return stats.metric_scores(overall, _mapping(study), reference=study.scorecard.thresholds())


def _principle_scores(metrics: pd.DataFrame, study: Study) -> pd.DataFrame:
    """:func:`analysis.stats.scorecard` of the agency-level rows: ``agency_id, principle,
    score, n_metrics, metrics_used`` (empty without any row)."""
    overall = metrics[metrics["platform"] == ALL_PLATFORMS]
    if overall.empty:
        return empty_table(SCORECARD_TABLE)
    with _absent_metrics_explained():
        return stats.scorecard(overall, _mapping(study), reference=study.scorecard.thresholds())


def _wide(scores: pd.DataFrame, mapping: dict, study: Study) -> pd.DataFrame:
    """One row per agency (config order), one column per principle (NA when not scored)."""
    wide = scores.pivot(index="agency_id", columns="principle", values="score")
    agencies = [a.id for a in study.agencies if a.id in wide.index]
    wide = wide.reindex(index=agencies, columns=list(PRINCIPLES)).astype("Float64")
    wide = wide.rename_axis(index="agency", columns=None).add_prefix("score_").reset_index()
    first = next(p for p in PRINCIPLES if p in mapping)
    return tidy(wide, ("agency",), f"score_{first}")


@contextmanager
def _absent_metrics_explained():
    """Silence the statistics module's warning about a mapped metric the table lacks: the
    report's explanation names such metrics instead (a notebook shows no warnings)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_WARNING_ABSENT, category=UserWarning)
        yield


def _size_bias(metrics: pd.DataFrame, mapping: dict, study: Study, lang: str) -> pd.DataFrame:
    """Spearman rho with followers: per-follower indices per platform, then agency-level ones.

    :func:`analysis.stats.scorecard.size_bias` reads a metric as higher-is-better; for a
    mapped metric where lower is better (hours to reply) its verdict is turned round.
    """
    lower = {
        e["metric"] for entries in mapping.values() for e in entries if e["direction"] == "lower"
    }
    mapped = {entry["metric"] for entries in mapping.values() for entry in entries}
    overall = metrics["platform"] == ALL_PLATFORMS
    parts = [
        metrics[~overall & metrics["metric"].isin(PER_FOLLOWER)],
        metrics[overall & metrics["metric"].isin(mapped | {"engagement_index"})],
    ]
    frames = []
    for part in parts:
        for platform, group in part.groupby("platform", sort=False):
            followers = group.drop_duplicates("agency_id").set_index("agency_id")["followers"]
            bias = stats.size_bias(group, followers, alpha=study.study.alpha)
            frames.append(bias.assign(platform=platform))
    columns = [
        "platform",
        "metric",
        "metric_label",
        "direction",
        "n",
        "rho",
        "p_value",
        "favours",
        "verdict",
    ]
    if not frames:
        return tidy(pd.DataFrame(columns=columns), ("platform", "metric"), "rho")
    table = pd.concat(frames, ignore_index=True).rename(columns={"n_agencies": "n"})
    order = {name: i for i, name in enumerate([*PER_FOLLOWER, *METRICS])}
    table = table.assign(
        _platform=table["platform"].map({p: i for i, p in enumerate([*PLATFORMS, "all"])}),
        _metric=table["metric"].map(order),
    ).sort_values(["_platform", "_metric"], kind="stable")
    reversed_ = (table["platform"] == ALL_PLATFORMS) & table["metric"].isin(lower)
    table["direction"] = reversed_.map({True: "lower", False: "higher"})
    table.loc[reversed_, "favours"] = table.loc[reversed_, "favours"].replace(
        {"small accounts": "large accounts", "large accounts": "small accounts"}
    )
    table["metric_label"] = [
        _metric_label(m, p, lang) for m, p in zip(table["metric"], table["platform"], strict=True)
    ]
    table["verdict"] = table["favours"].map(lambda f: t(lang, f"scorecard.favours.{_key(f)}"))
    table = table.astype({"n": "int64", "rho": "float64", "p_value": "float64"})  # NaN, not NA
    return tidy(table[columns].reset_index(drop=True), ("platform", "metric"), "rho")


def _bias_note(bias: pd.DataFrame, study: Study, lang: str) -> str:
    """Which per-follower indices favour small accounts (or that none does significantly),
    then any other metric related to the follower count, as Markdown."""
    if bias.empty:
        return ""
    alpha = significance(study.study.alpha, lang)
    n = number(bias["n"].max(), lang, 0)
    per_follower = bias["metric"].isin([*PER_FOLLOWER, "engagement_index"])
    small = bias[per_follower & (bias["favours"] == "small accounts")]
    if len(small):
        note = t(
            lang, "scorecard.bias_small", metrics="; ".join(_named(small, lang)), alpha=alpha, n=n
        )
    else:
        note = t(lang, "scorecard.bias_none", alpha=alpha, n=n)
    others = bias[~bias.index.isin(small.index) & (bias["favours"] != "no evidence")]
    if len(others):
        listed = [
            f"{name}: {verdict}"
            for name, verdict in zip(_named(others, lang), others["verdict"], strict=True)
        ]
        note += " " + t(lang, "scorecard.bias_other", metrics="; ".join(listed), alpha=alpha)
    return plain(note)


def _named(rows: pd.DataFrame, lang: str) -> list[str]:
    """Metric names with their platform (none for the agency-level metrics)."""
    return [
        label if platform == ALL_PLATFORMS else f"{label} ({t(lang, f'platforms.{platform}')})"
        for label, platform in zip(rows["metric_label"], rows["platform"], strict=True)
    ]


def _explanation(metrics: pd.DataFrame, study: Study, lang: str) -> str:
    """The mapping in words: metrics per principle, the scoring rule, what is not scored."""
    mapping = _mapping(study)
    reference = study.scorecard.thresholds()
    present = set(metrics.loc[metrics["platform"] == ALL_PLATFORMS, "metric"])
    lines = [plain(t(lang, "scorecard.explanation_lead"))]
    for principle, entries in mapping.items():
        parts = []
        for entry in entries:
            metric = entry["metric"]
            rule = t(
                lang,
                f"scorecard.direction_{entry['direction']}",
                weight=number(
                    entry["weight"], lang, 0 if float(entry["weight"]).is_integer() else 2
                ),
            )
            if metric in reference:
                zero, hundred = reference[metric]
                rule += "; " + t(
                    lang,
                    "scorecard.against",
                    zero=number(zero, lang, 2),
                    hundred=number(hundred, lang, 2),
                )
            if metric not in present:
                rule += "; " + t(lang, "scorecard.absent")
            parts.append(f"{_metric_label(metric, ALL_PLATFORMS, lang)} ({rule})")
        lines.append(f"- **{plain(_principle(principle, lang))}**: {plain('; '.join(parts))}.")
    lines.append("")
    lines.append(plain(t(lang, "scorecard.rule")))
    left_out = [p for p in PRINCIPLES if p not in mapping]
    if left_out:
        lines += ["", plain(t(lang, "scorecard.left_out_lead"))]
        reasons = texts(lang)["scorecard"]["not_operationalised"]
        for principle in left_out:
            reason = reasons.get(principle, t(lang, "scorecard.not_mapped"))
            lines.append(f"- **{plain(_principle(principle, lang))}**: {plain(reason)}")
    return "\n".join(lines)


def _overall(values: pd.Series, metric: str, source: str) -> pd.DataFrame:
    """Agency-level rows of one metric from a value per agency."""
    return values.rename("value").reset_index().assign(metric=metric, source=source)


def _mean_of(metric: str):
    """Mean of ``metric`` over an agency's platforms (NA when no platform has it)."""
    return lambda rows: rows.loc[rows["metric"] == metric, "value"].astype("float64").mean()


def _sum_of(metric: str):
    """Sum of ``metric`` over an agency's platforms (NA when no platform has it)."""
    return lambda rows: (
        rows.loc[rows["metric"] == metric, "value"].astype("float64").sum(min_count=1)
    )


def _metric_label(metric: str, platform: str, lang: str) -> str:
    """A metric's name: the agency-level name for ``all``, the Bonsón metric's otherwise."""
    if platform == ALL_PLATFORMS:
        return t(lang, f"scorecard.metrics.{metric}")
    return t(lang, f"metrics.{metric}")


def _principle(principle: str, lang: str) -> str:
    return t(lang, f"scorecard.principles.{principle}")


def _key(favours: str) -> str:
    """Locale key of a :func:`~analysis.stats.scorecard.size_bias` verdict."""
    return {"small accounts": "small", "large accounts": "large"}.get(favours, "none")
