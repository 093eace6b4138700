"""The engagement benchmark runs end to end at a small size and reads every generated post back
exactly once (its speed figures are not checked here: machines are shared and noisy, so speed
is measured by ``make bench``, not by tests); the bulk generator keeps the posts contract."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from analysis.demo.bulk_posts import NO_REACH, NO_VIEWS, bulk_posts
from analysis.errors import InputError
from analysis.tables import POSTS, check_table

from .conftest import PROJECT

AGENCIES, SMALL, PER_AGENCY = 12, 4, 150


def test_bench_engagement_runs_and_reads_every_post_once(tmp_path):
    out = tmp_path / "bench_engagement.json"
    command = [sys.executable, "bench/bench_engagement.py", "--agencies", str(AGENCIES)]
    command += ["--small-agencies", str(SMALL), "--sample", "3", "--repeat", "1"]
    command += ["--posts-per-agency", str(PER_AGENCY), "--out", str(out)]
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["figures"]) == {
        "per_agency_time_500_vs_50",
        "study_metrics_seconds",
        "study_posts_per_second",
        "study_peak_memory_mb",
    }
    assert all(math.isfinite(v) and v > 0 for v in report["figures"].values())
    assert all(math.isfinite(v) and v > 0 for v in report["parts"].values())
    accounting = report["accounting"]
    agencies = [f"instansi-{k:04d}" for k in range(AGENCIES)]
    # every agency's partition gives back exactly the posts generated for it, each post once
    assert accounting["rows_read_by_agency"] == dict.fromkeys(agencies, PER_AGENCY)
    assert accounting["rows_generated"] == accounting["rows_read"] == AGENCIES * PER_AGENCY
    assert accounting["distinct_post_ids"] == AGENCIES * PER_AGENCY
    # and the study's metrics rest on all of them (n_posts of posts_per_week, summed per agency)
    assert accounting["posts_in_metrics_by_agency"] == dict.fromkeys(agencies, PER_AGENCY)
    sample = report["setup"]["sample"]
    assert len(sample) == 3 and set(sample) <= set(agencies[:SMALL])
    for store in ("small", "large"):  # the timed agencies read their own partition, in full
        assert accounting["sample_rows_read"][store] == dict.fromkeys(sample, PER_AGENCY)
    for line in ("per_agency_time_500_vs_50:", "study_metrics_seconds:", "study_peak_memory_mb:"):
        assert line in done.stdout


def test_bulk_posts_keep_the_contract_and_the_planted_design():
    posts = bulk_posts(["dinas-a", "dinas-b", "dinas-c"], 4000, seed=7)
    check_table(posts, POSTS, "posts")
    assert posts.groupby("agency_id").size().to_dict() == dict.fromkeys(
        ["dinas-a", "dinas-b", "dinas-c"], 4000
    )
    assert posts["post_id"].is_unique
    assert (
        posts.groupby("agency_id")["published_at"].apply(lambda s: s.is_monotonic_increasing).all()
    )
    # views and reach are NA exactly on the platforms whose exports lack them
    assert posts["views"].isna().eq(posts["platform"].isin(NO_VIEWS)).all()
    assert posts["reach"].isna().eq(posts["platform"].isin(NO_REACH)).all()
    # source_row numbers each platform's export from 2 (row 1 is the header), without gaps
    rows = posts.groupby(["agency_id", "source_file"])["source_row"]
    assert (rows.min() == 2).all() and (rows.max() - 2 + 1 == rows.size()).all()
    # planted means: comments ~ 5 % and shares ~ 8 % of likes (negative binomial means, so
    # the ratio of sums is 0.05 + 0.2 / mean likes and 0.08 + 0.1 / mean likes)
    likes = posts["likes"].sum()
    assert posts["comments"].sum() / likes == pytest.approx(0.05, abs=0.005)
    assert posts["shares"].sum() / likes == pytest.approx(0.08, abs=0.005)


def test_bulk_posts_are_the_same_for_an_agency_alone_or_among_many():
    many = bulk_posts(["dinas-a", "dinas-b"], 500, seed=3)
    alone = bulk_posts(["dinas-a"], 500, seed=3)
    pd.testing.assert_frame_equal(many.iloc[:500], alone)
    assert not many.iloc[500:]["likes"].reset_index(drop=True).equals(alone["likes"])


@pytest.mark.parametrize(
    ("agencies", "per_agency", "message"),
    [([], 10, "non-empty"), (["a", "a"], 10, "distinct"), (["a"], 0, "at least 1")],
)
def test_bulk_posts_refuses_bad_sizes(agencies, per_agency, message):
    with pytest.raises(InputError, match=message):
        bulk_posts(agencies, per_agency)
