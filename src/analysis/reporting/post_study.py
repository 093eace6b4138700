"""What the posts-and-content notebook calls: one account's export, its content and its models.

``notebooks/50-posts-and-content`` shows one account's posts (by default the real public
dataset of :mod:`analysis.demo.real_tweets`) and, optionally, a comments file of it. Each
function here reads, or picks the options of, the project's own readers, statistics and
content analysis, and computes nothing of its own:

* reading: :func:`load_posts` (:func:`analysis.io.posts.platforms.read_posts`),
  :func:`load_comments` (:func:`analysis.io.comments.read_comments`);
* description: :func:`overview` (Bonsón indices and the platform summary), :func:`timing`
  (posts per local weekday x hour), :func:`top_posts` (the posts themselves);
* content: :func:`content_table` (auto-coding counts, top words, bigrams, hashtags and
  mentions), :func:`network` (mention network centralities), :func:`comment_content`;
* models: :func:`engagement_model` (negative binomial count model),
  :func:`programme_effect` (interrupted time series);
* figures: :func:`its_figure`, :func:`timing_heatmap`, labelled in Bahasa Indonesia or English
  (:data:`LABELS`).

Public text is shown as text: the tables carry the posts' and comments' text as data, which
pandas escapes when it writes HTML, and the report export sanitizes every HTML output again
(:func:`analysis.reporting.export.safe_html`). Handles of accounts other than the agency's
are pseudonymized with a keyed hash (:func:`pseudonym_key`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis import content, stats
from analysis.cleaning.privacy import load_key
from analysis.content.codebook import Codebook
from analysis.errors import InputError, did_you_mean
from analysis.io.comments import read_comments
from analysis.io.posts.platforms import read_posts
from analysis.io.timestamps import check_timezone
from analysis.reporting.i18n import LANGUAGES

#: Counts a post table can be ranked or modelled by.
POST_COUNTS = ("likes", "comments", "shares", "views")
#: Outcomes of :func:`programme_effect`: posts per period, or the mean count per post.
ITS_OUTCOMES = ("posts", "likes", "comments", "shares")
#: Covariates :func:`engagement_model` can add to the content categories.
MODEL_BY = ("year", "platform", "")
#: Columns of :func:`top_posts`, in order.
TOP_POST_COLUMNS = ("published", "text", "likes", "shares", "comments", "views", "post_id")
#: Columns of the ``sample`` of :func:`comment_content`, in order.
COMMENT_SAMPLE_COLUMNS = (
    "created",
    "text",
    "likes",
    "is_agency",
    "is_question",
    "is_complaint",
    "post_id",
)

#: Figure and note texts, per language.
LABELS = {
    "en": {
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "hour": "Hour (local time)",
        "weekday": "Weekday",
        "posts": "Posts",
        "timing_title": "Posts by weekday and hour ({timezone})",
        "date_only": "date only",
        "observed": "Observed",
        "fitted": "Segmented regression",
        "counterfactual": "Without the change (pre-intervention trend)",
        "intervention": "Intervention ({date})",
        "its_title": "{outcome} per {period} around {date}",
        "week": "week",
        "day": "day",
        "month": "month",
        "outcome_posts": "Posts",
        "outcome_likes": "Mean likes per post",
        "outcome_comments": "Mean comments per post",
        "outcome_shares": "Mean shares per post",
        "no_exposure": (
            "Follower counts are unknown, so the model has no exposure offset: its rate ratios "
            "compare expected {outcome} per post, not per follower, and an account's growth "
            "over the years shows in the {by} terms."
        ),
        "exposure": (
            "log(followers_at_post) is the exposure offset: rate ratios compare expected "
            "{outcome} per follower."
        ),
        "left_out": "Categories coded in fewer than {min_posts} posts are left out: {names}.",
    },
    "id": {
        "weekdays": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
        "hour": "Jam (waktu setempat)",
        "weekday": "Hari",
        "posts": "Unggahan",
        "timing_title": "Unggahan per hari dan jam ({timezone})",
        "date_only": "tanggal saja",
        "observed": "Teramati",
        "fitted": "Regresi tersegmentasi",
        "counterfactual": "Tanpa perubahan (tren sebelum intervensi)",
        "intervention": "Intervensi ({date})",
        "its_title": "{outcome} per {period} sekitar {date}",
        "week": "minggu",
        "day": "hari",
        "month": "bulan",
        "outcome_posts": "Unggahan",
        "outcome_likes": "Rata-rata suka per unggahan",
        "outcome_comments": "Rata-rata komentar per unggahan",
        "outcome_shares": "Rata-rata bagikan per unggahan",
        "no_exposure": (
            "Jumlah pengikut tidak diketahui, sehingga model tidak memakai offset paparan: rasio "
            "lajunya membandingkan {outcome} yang diharapkan per unggahan, bukan per pengikut, "
            "dan pertumbuhan akun dari tahun ke tahun tampak pada suku {by}."
        ),
        "exposure": (
            "log(followers_at_post) menjadi offset paparan: rasio laju membandingkan {outcome} "
            "yang diharapkan per pengikut."
        ),
        "left_out": (
            "Kategori yang mengode kurang dari {min_posts} unggahan tidak dipakai: {names}."
        ),
    },
}


class Overview(NamedTuple):
    """:func:`overview`: the platform summary and the engagement metrics."""

    summary: pd.DataFrame
    metrics: pd.DataFrame


class Content(NamedTuple):
    """:func:`content_table`: what the posts are about."""

    categories: pd.DataFrame
    terms: pd.DataFrame
    bigrams: pd.DataFrame
    hashtags: pd.DataFrame
    mentions: pd.DataFrame


class CommentContent(NamedTuple):
    """:func:`comment_content`: replies, words, hashtags and the most liked comments."""

    responsiveness: pd.DataFrame
    terms: pd.DataFrame
    hashtags: pd.DataFrame
    sample: pd.DataFrame


@dataclass
class EngagementModel:
    """:func:`engagement_model`: the fitted count model and what it was fitted on.

    Attributes
    ----------
    result : analysis.stats.CountModelResult
        ``.tidy()`` (log rate ratios and IRRs), ``.model_summary()``, ``.variable_tests()``.
    categories : list of str
        Content categories in the model (0/1 predictors).
    exposure : str or None
        ``"followers_at_post"`` when every post has a follower count, else None.
    note : str
        What the rate ratios compare and which categories were left out, in the language asked.
    """

    result: stats.CountModelResult
    categories: list[str]
    exposure: str | None
    note: str


def load_posts(
    path: str | Path,
    platform: str,
    fmt: str,
    agency_id: str,
    timezone: str,
    followers: float | None = None,
) -> pd.DataFrame:
    """Read one account's post export (:func:`analysis.io.posts.platforms.read_posts`).

    Parameters
    ----------
    path : str or Path
        The export.
    platform : str
        ``instagram``, ``facebook``, ``youtube``, ``x`` or ``tiktok``.
    fmt : str
        The export format (``x_classic`` ...) or ``auto``.
    agency_id : str
        Label written to every row.
    timezone : str
        IANA zone of naive times in the export.
    followers : float, optional
        Follower count where the export has none.

    Returns
    -------
    pandas.DataFrame
        The posts table (:data:`analysis.tables.POSTS`).
    """
    return read_posts(
        path,
        platform=platform,
        agency_id=agency_id,
        fmt=fmt,
        timezone=timezone,
        followers=followers,
    )


def load_comments(
    path: str | Path,
    platform: str,
    agency_id: str,
    timezone: str,
    agency_handles: Sequence[str] = (),
    salt: str | bytes | None = None,
    fmt: str = "auto",
) -> pd.DataFrame:
    """Read one account's comments file (:func:`analysis.io.comments.read_comments`).

    Returns
    -------
    pandas.DataFrame
        The comments table (:data:`analysis.tables.COMMENTS`): citizens' names and handles
        pseudonymized (``author_key``) or replaced by ``[anon]`` in the texts.
    """
    return read_comments(
        path,
        platform=platform,
        agency_id=agency_id,
        fmt=fmt,
        timezone=timezone,
        agency_handles=agency_handles,
        salt=salt,
    )


def pseudonym_key(key_env: str = "ANALYSIS_PSEUDONYM_KEY") -> bytes:
    """The study's pseudonym key (:func:`analysis.cleaning.privacy.load_key`), else a key
    drawn for this run only, whose pseudonyms cannot be linked to those of any other run."""
    return load_key(key_env) or secrets.token_bytes(32)


def overview(posts: pd.DataFrame, timezone: str, followers: dict | None = None) -> Overview:
    """The platform summary and the Bonsón et al. engagement metrics of the posts.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    timezone : str
        Zone of the dates and of the weeks of ``posts_per_week``.
    followers : dict, optional
        Platform -> follower count where the export has none; without it the per-follower
        indices (P3, C3, V3, E, interaction rate) are NA.

    Returns
    -------
    Overview
        ``summary``: :func:`analysis.stats.platform_summary` (agency_id, platform, n_posts,
        first_date, last_date, median_likes, median_comments, median_shares, median_views).
        ``metrics``: :func:`analysis.stats.engagement_metrics` (agency_id, platform, metric,
        value, numerator, denominator, n_posts, definition).
    """
    return Overview(
        stats.platform_summary(posts, timezone=timezone),
        stats.engagement_metrics(posts, followers=followers, timezone=timezone),
    )


def timing(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Posts and mean interactions per local weekday x hour (:func:`analysis.stats.posting_timing`).

    Returns
    -------
    pandas.DataFrame
        agency_id, platform, weekday (0 = Monday), hour (NA for date-only exports), n_posts,
        mean_interactions.
    """
    return stats.posting_timing(posts, timezone)


def top_posts(posts: pd.DataFrame, timezone: str, by: str = "likes", n: int = 10) -> pd.DataFrame:
    """The ``n`` posts with the most ``by``, with their text (ties: the earlier post first).

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    timezone : str
        Zone of the ``published`` column.
    by : str
        One of :data:`POST_COUNTS`.
    n : int
        Posts shown.

    Returns
    -------
    pandas.DataFrame
        published : str
            Local date and time (``YYYY-MM-DD HH:MM``).
        text : string
            The post as published (plain text; shown escaped in HTML).
        likes, shares, comments, views : Int64
        post_id : string

    Raises
    ------
    InputError
        When ``by`` is not a count of the posts table.
    """
    _check_choice(by, POST_COUNTS, "by")
    check_timezone(timezone)
    ranked = posts.assign(_key=posts[by].astype("Float64").fillna(-1.0)).sort_values(
        ["_key", "published_at"], ascending=[False, True], kind="stable"
    )
    shown = ranked.head(n)
    local = shown["published_at"].dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M")
    out = shown.assign(published=local)[list(TOP_POST_COLUMNS)]
    return out.reset_index(drop=True)


def content_table(
    posts: pd.DataFrame,
    codebook: Codebook | str | Path | None = None,
    lang: str = "en",
    *,
    salt: str | bytes | None = None,
    agency_handles: Sequence[str] = (),
    top: int = 20,
) -> Content:
    """What the posts are about: codebook categories, top words, bigrams, hashtags, mentions.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (``text`` is used).
    codebook : Codebook, path or None
        The codebook, a YAML file of one, or None for the default government codebook
        (:func:`analysis.content.load_codebook`).
    lang : {"en", "id"}
        Language of the posts: ``en`` codes English keywords as written and removes English
        stopwords; ``id`` matches Indonesian keywords by stem and removes Indonesian and
        English stopwords. Also the language of the category labels.
    salt : str or bytes, optional
        Pseudonym key of mentioned accounts that are not ``agency_handles``
        (:func:`pseudonym_key`); needed when the posts mention other accounts.
    agency_handles : sequence of str
        The agency's own handles, shown as ``@handle``.
    top : int
        Rows of the word, bigram, hashtag and mention tables.

    Returns
    -------
    Content
        ``categories``: :func:`analysis.content.category_counts` (category, label, n, share);
        ``terms`` and ``bigrams``: :func:`analysis.content.term_frequencies` (term, count,
        documents, share); ``hashtags``: :func:`analysis.content.hashtag_counts`;
        ``mentions``: :func:`analysis.content.mention_counts` (``user-<pseudonym>`` for other
        accounts).
    """
    _check_choice(lang, LANGUAGES, "lang")
    book = _codebook(codebook)
    languages = ("id", "en") if lang == "id" else "en"
    coded = content.code_texts(posts["text"], book, lang=lang)
    return Content(
        content.category_counts(coded, book, lang),
        content.term_frequencies(posts["text"], 1, languages, top=top),
        content.term_frequencies(posts["text"], 2, languages, top=top),
        content.hashtag_counts(posts["text"], top=top),
        content.mention_counts(posts["text"], agency_handles=agency_handles, salt=salt, top=top),
    )


def network(
    posts: pd.DataFrame,
    *,
    salt: str | bytes | None = None,
    agency_handles: Sequence[str] = (),
    top: int = 20,
) -> pd.DataFrame:
    """Centralities of the accounts in the posts' mention network, most central first.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (``agency_id``, ``text``).
    salt : str or bytes, optional
        Pseudonym key of the other accounts (:func:`pseudonym_key`).
    agency_handles : sequence of str
        The agency's own handles: a mention of one is the agency's node (so a post that
        names its own account is no edge).
    top : int
        Rows shown.

    Returns
    -------
    pandas.DataFrame
        :func:`analysis.content.centrality_table` (node, kind, in_degree, out_degree,
        in_weight, out_weight, betweenness, closeness, pagerank), highest PageRank first, the
        first ``top`` rows.
    """
    agency = str(posts["agency_id"].iloc[0]) if len(posts) else ""
    handles = {handle: agency for handle in agency_handles}
    found = content.mention_network(posts, agency_handles=handles, salt=salt)
    return found.centrality.head(top).reset_index(drop=True)


def comment_content(
    comments: pd.DataFrame, timezone: str, lang: str = "en", top: int = 20, n: int = 10
) -> CommentContent:
    """How the account answered, and what the comments say (with the most liked comments).

    Parameters
    ----------
    comments : pandas.DataFrame
        Comments table (:func:`load_comments`).
    timezone : str
        Zone of the ``created`` column and of the responsiveness periods.
    lang : {"en", "id"}
        Stopword languages of the word counts (``id``: Indonesian and English).
    top : int
        Rows of the word and hashtag tables.
    n : int
        Comments in the sample.

    Returns
    -------
    CommentContent
        ``responsiveness``: :func:`analysis.stats.responsiveness` (agency_id, platform,
        period, metric, value, numerator, denominator, ci_low, ci_high, definition);
        ``terms``, ``hashtags``: as in :func:`content_table`; ``sample``: the ``n`` most
        liked comments (ties: the earlier first) with created (local ``YYYY-MM-DD HH:MM``),
        text, likes, is_agency, is_question, is_complaint, post_id.
    """
    check_timezone(timezone)
    _check_choice(lang, LANGUAGES, "lang")
    languages = ("id", "en") if lang == "id" else "en"
    ranked = comments.assign(_key=comments["likes"].astype("Float64").fillna(-1.0)).sort_values(
        ["_key", "created_at"], ascending=[False, True], kind="stable"
    )
    shown = ranked.head(n)
    local = shown["created_at"].dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M")
    sample = shown.assign(created=local)[list(COMMENT_SAMPLE_COLUMNS)].reset_index(drop=True)
    return CommentContent(
        stats.responsiveness(comments, timezone=timezone),
        content.term_frequencies(comments["text"], 1, languages, top=top),
        content.hashtag_counts(comments["text"], top=top),
        sample,
    )


def engagement_model(
    posts: pd.DataFrame,
    codebook: Codebook | str | Path | None = None,
    lang: str = "en",
    *,
    outcome: str = "likes",
    by: str = "year",
    timezone: str = "UTC",
    min_posts: int = 20,
) -> EngagementModel:
    """Negative binomial model of a post's likes (or shares, comments) on its content.

    The posts are auto-coded with the codebook (:func:`analysis.content.code_texts`); each
    category coded in at least ``min_posts`` posts (and not in every post) enters as a 0/1
    predictor, so its rate ratio compares posts with and without it, the other categories
    and ``by`` held equal. The model is :func:`analysis.stats.count_model` (NB2, HC1
    standard errors). Followers are the exposure only when every post has a
    ``followers_at_post``; otherwise there is no offset and :attr:`EngagementModel.note` says
    so.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    codebook : Codebook, path or None
        As for :func:`content_table`.
    lang : {"en", "id"}
        Language of the posts (keyword matching) and of the note.
    outcome : str
        ``likes``, ``shares`` or ``comments``; posts without the count are left out.
    by : str
        Covariate: ``year`` (local year of the post, a category), ``platform`` (needs posts of
        two platforms or more) or ``""`` for none.
    timezone : str
        Zone of the year.
    min_posts : int
        Fewest coded posts for a category to enter the model.

    Returns
    -------
    EngagementModel

    Raises
    ------
    InputError
        For an unknown ``outcome`` or ``by``, a ``platform`` covariate with one platform, no
        category coded in ``min_posts`` posts, or a model that cannot be fitted.
    """
    _check_choice(outcome, ("likes", "shares", "comments"), "outcome")
    _check_choice(by, MODEL_BY, "by")
    _check_choice(lang, LANGUAGES, "lang")
    book = _codebook(codebook)
    coded = content.code_texts(posts["text"], book, lang=lang)[list(book.ids)]
    counts = coded.sum()
    used = [c for c in book.ids if min_posts <= counts[c] < len(coded)]
    if not used:
        raise InputError(
            f"no codebook category codes at least {min_posts} posts (and not every post); "
            "the model needs one",
            hint="lower min_posts or use a codebook that fits the posts",
        )
    frame = pd.concat([posts.reset_index(drop=True), coded.reset_index(drop=True)], axis=1)
    covariates = []
    if by == "year":
        frame["year"] = frame["published_at"].dt.tz_convert(timezone).dt.year.astype(str)
        covariates = ["year"]
    elif by == "platform":
        if frame["platform"].nunique() < 2:
            raise InputError(
                "by='platform' needs posts of two platforms or more",
                column="platform",
                hint="use by='year' or by=''",
            )
        covariates = ["platform"]
    followers = frame["followers_at_post"]
    exposure = (
        "followers_at_post" if bool(followers.notna().all() and (followers > 0).all()) else None
    )
    result = stats.count_model(frame, outcome, used, covariates=covariates, exposure=exposure)
    words = LABELS[lang]
    note = words["exposure" if exposure else "no_exposure"].format(outcome=outcome, by=by or "-")
    left_out = [c for c in book.ids if c not in used]
    if left_out:
        note += " " + words["left_out"].format(min_posts=min_posts, names=", ".join(left_out))
    return EngagementModel(result, used, exposure, note)


def programme_effect(
    posts: pd.DataFrame,
    date: str,
    timezone: str,
    *,
    outcome: str = "posts",
    freq: str = "W",
    start: str | None = None,
    end: str | None = None,
) -> stats.ITSResult:
    """Interrupted time series of the posts around ``date`` (segmented regression).

    A thin call of :func:`analysis.stats.interrupted_time_series` on ``published_at``.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    date : str
        The programme's start (local date in ``timezone``).
    timezone : str
        Zone of the calendar periods.
    outcome : str
        ``posts`` (posts per period, whole periods only) or ``likes``, ``comments``,
        ``shares`` (the mean count per post in each period).
    freq : str
        ``W`` (Monday-Sunday weeks), ``D`` or ``M``.
    start, end : str, optional
        First and last local day of the window (empty or None: the first and the last post's
        day). A pre-intervention line over many years of changing habits is a poor
        counterfactual; a window of comparable length on each side is easier to defend.

    Returns
    -------
    analysis.stats.ITSResult
        ``.tidy()``, ``.model_summary()``, ``.series`` (period, period_start, time, post,
        n_rows, observed, fitted, counterfactual).
    """
    _check_choice(outcome, ITS_OUTCOMES, "outcome")
    y = None if outcome == "posts" else outcome
    data = posts if y is None else posts.assign(**{y: posts[y].astype("float64")})
    return stats.interrupted_time_series(
        data,
        "published_at",
        y,
        date,
        freq=freq,
        timezone=timezone,
        start=start or None,
        end=end or None,
    )


def its_figure(
    its: stats.ITSResult, lang: str, outcome: str = "posts", date: str = ""
) -> plt.Figure:
    """The series with the segmented regression and the counterfactual after the change.

    Parameters
    ----------
    its : analysis.stats.ITSResult
        From :func:`programme_effect`.
    lang : {"en", "id"}
    outcome : str
        What the series counts (a key of :data:`ITS_OUTCOMES`), for the labels.
    date : str
        The intervention date, for the labels (default: its first period).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_choice(lang, LANGUAGES, "lang")
    _check_choice(outcome, ITS_OUTCOMES, "outcome")
    words = LABELS[lang]
    series = its.series
    after = series[series["post"]]
    start = after["period_start"].iloc[0]
    shown = date or str(start.date())
    period = {"W": words["week"], "D": words["day"], "M": words["month"]}[its.freq]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(
        series["period_start"], series["observed"], lw=0.8, color="0.55", label=words["observed"]
    )
    before = series[~series["post"]]
    for part, label in ((before, words["fitted"]), (after, None)):
        ax.plot(part["period_start"], part["fitted"], lw=2, color="C0", label=label)
    ax.plot(
        after["period_start"],
        after["counterfactual"],
        lw=2,
        ls="--",
        color="C1",
        label=words["counterfactual"],
    )
    ax.axvline(start, color="C3", lw=1, label=words["intervention"].format(date=shown))
    label = words[f"outcome_{outcome}"]
    ax.set(
        ylabel=label,
        title=words["its_title"].format(outcome=label, period=period, date=shown),
    )
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    plt.close(fig)
    return fig


def timing_heatmap(table: pd.DataFrame, lang: str, timezone: str = "") -> plt.Figure:
    """Posts per local weekday x hour (all agencies and platforms of :func:`timing` together).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`timing`.
    lang : {"en", "id"}
    timezone : str
        Named in the title.

    Returns
    -------
    matplotlib.figure.Figure
        A heat map; an export with dates only gives one column (``date only``).
    """
    _check_choice(lang, LANGUAGES, "lang")
    words = LABELS[lang]
    hours = table["hour"].astype("Float64").fillna(-1).astype("int64")
    grid = (
        table.assign(hour=hours)
        .groupby(["weekday", "hour"])["n_posts"]
        .sum()
        .unstack("hour", fill_value=0)
        .reindex(range(7), fill_value=0)
    )
    grid.index = list(words["weekdays"])
    grid.columns = [words["date_only"] if h < 0 else str(h) for h in grid.columns]
    fig, ax = plt.subplots(figsize=(11, 3.6))
    sns.heatmap(
        grid.astype("float64"),
        ax=ax,
        cmap="Blues",
        cbar_kws={"label": words["posts"]},
        linewidths=0.3,
        linecolor="white",
    )
    ax.set(
        xlabel=words["hour"],
        ylabel=words["weekday"],
        title=words["timing_title"].format(timezone=timezone or "UTC"),
    )
    ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _codebook(codebook: Codebook | str | Path | None) -> Codebook:
    """The codebook given, read from a file, or the default one."""
    if isinstance(codebook, Codebook):
        return codebook
    return content.load_codebook(codebook or None)


def _check_choice(value, allowed: Sequence, name: str) -> None:
    if value not in allowed:
        raise InputError(
            f"{name} must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}",
            column=name,
            hint=did_you_mean(value, [a for a in allowed if a]),
        )
