"""Responsiveness against a thread table worked out by hand, Newcombe's published Wilson
intervals, the textbook Wilson formula, and the planted reply behaviour of the comment generator.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.demo.comment_generator import REPLY_PROFILES, comment_threads
from analysis.errors import InputError
from analysis.io.comments import COMMENTS, flag_requests, read_comments
from analysis.stats.responsiveness import METRICS, RESPONSIVENESS_TABLE, responsiveness
from analysis.tables import conform

from .conftest import PROJECT

# (agency, platform, post, comment, parent, by agency, UTC time, text)
HAND_THREADS = [
    # post P1 of agency a on Facebook
    ("a", "facebook", "P1", "q1", None, False, "2026-05-01 08:00", "Kapan loket buka?"),
    ("a", "facebook", "P1", "r1", "q1", True, "2026-05-01 09:30", "Senin, Kak."),
    ("a", "facebook", "P1", "f1", "q1", False, "2026-05-01 10:00", "Terima kasih"),
    ("a", "facebook", "P1", "q2", None, False, "2026-05-01 10:00", "Tolong diperbaiki"),
    ("a", "facebook", "P1", "x1", "q2", False, "2026-05-01 11:00", "Sama"),
    ("a", "facebook", "P1", "r2", "x1", True, "2026-05-01 20:00", "Sudah kami teruskan."),
    ("a", "facebook", "P1", "q3", None, False, "2026-05-02 00:00", "Kapan dibuka?"),
    ("a", "facebook", "P1", "a1", None, True, "2026-05-02 01:00", "Info: loket tutup hari ini."),
    ("a", "facebook", "P1", "q9", "a1", False, "2026-05-02 02:00", "Besok buka?"),
    ("a", "facebook", "P1", "r9", "q9", True, "2026-05-02 05:00", "Buka, Kak."),
    ("a", "facebook", "P1", "r4", "q4", True, "2026-05-02 11:59", "Bisa, Kak."),
    ("a", "facebook", "P1", "q4", None, False, "2026-05-02 12:00", "Bisa daftar online?"),
    ("a", "facebook", "P1", "q5", None, False, "2026-05-03 00:00", "Berapa biayanya?"),
    ("a", "facebook", "P1", "r5", "q5", True, "2026-05-03 02:00", "Gratis."),
    ("a", "facebook", "P1", "q6", None, False, "2026-05-03 00:00", "Di mana lokasinya?"),
    ("a", "facebook", "P1", "r6", "q6", True, "2026-05-03 08:00", "Di kantor kecamatan."),
    ("a", "facebook", "P1", "q7", None, False, "2026-05-04 00:00", "Apakah perlu fotokopi?"),
    ("a", "facebook", "P1", "r7", "q7", True, "2026-05-05 00:00", "Tidak perlu."),
    ("a", "facebook", "P1", "q8", None, False, "2026-05-06 00:00", "Kapan hasilnya keluar?"),
    ("a", "facebook", "P1", "r8", "q8", True, "2026-05-07 00:01", "Tiga hari kerja."),
    ("a", "facebook", "P1", "o1", None, False, "2026-05-08 00:00", "Mantap"),
    ("a", "facebook", "P1", "q10", "gone", False, "2026-05-08 00:00", "Gimana caranya?"),
    ("a", "facebook", "P1", "o2", "gone", False, "2026-05-08 00:30", "Ikut menyimak"),
    ("a", "facebook", "P1", "r10", "gone", True, "2026-05-08 06:00", "Lewat aplikasi."),
    # post P2: the agency answers on the post, not in the thread
    ("a", "facebook", "P2", "q11", None, False, "2026-05-09 00:00", "Kapan jadwalnya?"),
    ("a", "facebook", "P2", "a2", None, True, "2026-05-09 01:00", "Jadwal ada di bio."),
    # agency b on Instagram: praise only
    ("b", "instagram", "P3", "o3", None, False, "2026-05-10 00:00", "Keren"),
]


def comments_table(rows) -> pd.DataFrame:
    """A comments table (the readers' contract) from tuples as in HAND_THREADS."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "agency_id", "platform", "post_id", "comment_id", "parent_id", "is_agency",
            "created_at", "text",
        ],
    )  # fmt: skip
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    question, complaint = flag_requests(frame["text"].astype("string"))
    frame["is_question"] = question & ~frame["is_agency"]
    frame["is_complaint"] = complaint & ~frame["is_agency"]
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return conform(frame, COMMENTS)[list(COMMENTS)]


def values(result: pd.DataFrame, agency: str = "a", period: str = "all") -> dict[str, object]:
    rows = result[(result["agency_id"] == agency) & (result["period"] == period)]
    return dict(zip(rows["metric"], rows["value"], strict=True))


def row(result: pd.DataFrame, metric: str, agency: str = "a") -> pd.Series:
    return result[(result["agency_id"] == agency) & (result["metric"] == metric)].iloc[0]


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927) score interval, textbook formula (Agresti & Coull 1998, eq. 2)."""
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


@pytest.fixture(scope="module")
def hand() -> pd.DataFrame:
    return responsiveness(comments_table(HAND_THREADS))


def test_output_contract_and_order(hand):
    assert {c: str(t) for c, t in hand.dtypes.items()} == RESPONSIVENESS_TABLE
    assert hand[["agency_id", "platform"]].drop_duplicates().values.tolist() == [
        ["a", "facebook"],
        ["b", "instagram"],
    ]
    assert hand.loc[hand["agency_id"] == "a", "metric"].tolist() == list(METRICS)


def test_counts_worked_out_by_hand(hand):
    got = values(hand)
    # citizens: q1 f1 q2 x1 q3 q9 q4 q5 q6 q7 q8 o1 q10 o2 q11 = 15; agency: r1 r2 a1 r9 r4 r5
    # r6 r7 r8 r10 a2 = 11; questions q1 q3 q9 q4 q5 q6 q7 q8 q10 q11 = 10 ("?", kapan,
    # gimana); complaint q2 ("tolong") = 1
    assert got["citizen_comments"] == 15
    assert got["agency_comments"] == 11
    assert got["questions"] == 10
    assert got["complaints"] == 1
    assert got["questions_or_complaints"] == 11
    assert row(hand, "questions")["denominator"] == 15


def test_replies_and_delays_worked_out_by_hand(hand):
    got = values(hand)
    # answered, hours: q1 1.5 (r1), q2 10 (r2 answers x1 in q2's thread), q9 3 (thread of the
    # agency's own comment a1), q4 0 (direct reply stamped a minute early), q5 2, q6 8, q7 24,
    # q8 24.0167, q10 6 (orphans share the thread of the missing "gone");
    # unanswered: q3 (a1 is a new comment, not in q3's thread), q11 (a2 likewise)
    assert got["answered_share"] == pytest.approx(100 * 9 / 11)
    # sorted delays 0, 1.5, 2, 3, 6, 8, 10, 24, 24.02: the 5th of 9 is 6
    assert got["median_hours_to_reply"] == pytest.approx(6.0)
    assert row(hand, "median_hours_to_reply")["denominator"] == 9
    # 0-2 h: q4 (0), q1 (1.5), q5 (2, inclusive); 2-8 h: q9, q10, q6 (8, inclusive);
    # 8-24 h: q2, q7 (24, inclusive); > 24 h: q8; unanswered: q3, q11
    assert [row(hand, m)["numerator"] for m in METRICS[-5:]] == [3, 3, 2, 1, 2]
    assert got["reply_0_2h"] == pytest.approx(100 * 3 / 11)
    assert sum(got[m] for m in METRICS[-5:]) == pytest.approx(100.0)


def test_wilson_interval_matches_the_textbook_formula(hand):
    answered = row(hand, "answered_share")
    low, high = wilson(9, 11)
    assert answered["numerator"] == 9 and answered["denominator"] == 11
    assert answered["ci_low"] == pytest.approx(100 * low, rel=1e-9)
    assert answered["ci_high"] == pytest.approx(100 * high, rel=1e-9)


def test_an_agency_without_questions_gets_na_shares(hand):
    got = values(hand, agency="b")
    assert got["citizen_comments"] == 1 and got["questions_or_complaints"] == 0
    for metric in ("answered_share", "median_hours_to_reply", "unanswered"):
        assert got[metric] is pd.NA
    assert row(hand, "answered_share", agency="b")["ci_low"] is pd.NA


# Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score
# interval without continuity correction): 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605;
# 0/20 -> 0.0000-0.1611; 1/29 -> 0.0061-0.1718.
@pytest.mark.parametrize(
    "answered, asked, low, high",
    [(81, 263, 25.53, 36.62), (15, 148, 6.24, 16.05), (0, 20, 0.0, 16.11), (1, 29, 0.61, 17.18)],
)
def test_wilson_interval_matches_newcombe(answered, asked, low, high):
    rows = []
    for k in range(asked):
        asked_at = pd.Timestamp("2026-05-01") + pd.Timedelta(hours=k)
        rows.append(("a", "x", "P", f"q{k}", None, False, str(asked_at), "Kapan?"))
        if k < answered:
            rows.append(
                ("a", "x", "P", f"r{k}", f"q{k}", True, str(asked_at + pd.Timedelta(hours=1)), "")
            )
    share = row(responsiveness(comments_table(rows)), "answered_share")
    assert share["ci_low"] == pytest.approx(low, abs=0.005)
    assert share["ci_high"] == pytest.approx(high, abs=0.005)


def test_the_tables_flags_are_used_so_coders_can_correct_them():
    table = comments_table(HAND_THREADS)
    table.loc[table["comment_id"] == "q3", "is_question"] = False  # coder: not a question
    got = values(responsiveness(table))
    # q3 (unanswered) drops out: 9 answered of 10
    assert got["questions_or_complaints"] == 10
    assert got["answered_share"] == pytest.approx(90.0)


def test_question_patterns_flag_the_texts_again():
    table = comments_table(HAND_THREADS)
    got = values(responsiveness(table, question_patterns={"question": [r"\bkapan\b"]}))
    # questions by "kapan" only: q1, q3, q8, q11; complaint q2 keeps the default rule
    assert got["questions"] == 4
    assert got["complaints"] == 1
    # answered: q1, q8, q2 of q1 q2 q3 q8 q11
    assert got["answered_share"] == pytest.approx(60.0)


def test_periods_are_local_calendar_months():
    rows = [
        # 16:00 UTC on 31 May is 23:00 WIB (May); 17:30 UTC is 00:30 on 1 June WIB (June)
        ("a", "x", "P", "q1", None, False, "2026-05-31 16:00", "Kapan?"),
        ("a", "x", "P", "q2", None, False, "2026-05-31 17:30", "Kapan?"),
        ("a", "x", "P", "r2", "q2", True, "2026-05-31 18:00", "Besok."),
    ]
    result = responsiveness(comments_table(rows), period="M")
    assert sorted(result["period"].unique()) == ["2026-05", "2026-06"]
    assert values(result, period="2026-05")["answered_share"] == 0.0
    assert values(result, period="2026-06")["answered_share"] == 100.0
    utc = responsiveness(comments_table(rows), period="M", timezone="UTC")
    assert utc["period"].unique().tolist() == ["2026-05"]
    with pytest.raises(InputError, match='"fortnight" is not a calendar period'):
        responsiveness(comments_table(rows), period="fortnight")


def test_bad_tables_are_refused():
    table = comments_table(HAND_THREADS)
    with pytest.raises(InputError, match='comment id "q1" appears twice under post "P1"'):
        responsiveness(pd.concat([table, table.iloc[[0]]], ignore_index=True))
    with pytest.raises(InputError, match="table comments lacks required column"):
        responsiveness(table.drop(columns="parent_id"))
    cycle = comments_table(
        [
            ("a", "x", "P", "c1", "c2", False, "2026-05-01 10:00", "Kapan?"),
            ("a", "x", "P", "c2", "c1", True, "2026-05-01 11:00", "Besok"),
        ]
    )
    with pytest.raises(InputError, match='replies above comment "c1" form a cycle'):
        responsiveness(cycle)


def test_empty_table_gives_an_empty_result():
    result = responsiveness(comments_table([]))
    assert result.empty and list(result.columns) == list(RESPONSIVENESS_TABLE)


# --- planted reply behaviour of the demo generator -------------------------------------------


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    """40 posts x 30 citizen comments per demo agency, one platform each."""
    agencies = list(REPLY_PROFILES)
    posts = pd.DataFrame(
        {
            "agency_id": np.repeat(agencies, 40),
            "platform": "facebook",
            "post_id": [f"{k:04d}" for k in range(40 * len(agencies))],
            "published_at": pd.Timestamp("2026-05-01 01:00", tz="UTC")
            + pd.to_timedelta(np.tile(np.arange(40), len(agencies)), unit="D"),
            "comments": 30,
        }
    )
    threads = comment_threads(posts, agencies, seed=20261123)
    table = threads.rename(columns={"kind": "planted"}).assign(source_row=1)
    question, complaint = flag_requests(table["text"].astype("string"))
    table["is_question"] = question & ~table["is_agency"]
    table["is_complaint"] = complaint & ~table["is_agency"]
    return responsiveness(conform(table, COMMENTS)[list(COMMENTS)])


@pytest.mark.parametrize("agency", sorted(REPLY_PROFILES))
def test_planted_reply_rate_is_recovered(generated, agency):
    profile = REPLY_PROFILES[agency]
    share = row(generated, "answered_share", agency)
    n = share["denominator"]
    # binomial sampling error of the share of n questions or complaints answered
    se = math.sqrt(profile.reply_rate * (1 - profile.reply_rate) / n)
    assert n > 400
    assert share["value"] / 100 == pytest.approx(profile.reply_rate, abs=4 * se)


@pytest.mark.parametrize("agency", sorted(REPLY_PROFILES))
def test_planted_median_delay_is_recovered(generated, agency):
    profile = REPLY_PROFILES[agency]
    median = row(generated, "median_hours_to_reply", agency)
    # the log of a sample median of m log-normal delays has SE sqrt(pi/2) sigma / sqrt(m)
    se = math.sqrt(math.pi / 2) * profile.sigma / math.sqrt(median["denominator"])
    assert math.log(median["value"]) == pytest.approx(math.log(profile.median_hours), abs=4 * se)


@pytest.mark.parametrize("agency", sorted(REPLY_PROFILES))
def test_planted_bucket_shares_are_recovered(generated, agency):
    profile = REPLY_PROFILES[agency]
    # expected share per bucket: reply rate x P(delay in bucket), delay ~ scipy lognorm
    delay = scipy_stats.lognorm(s=profile.sigma, scale=profile.median_hours)
    edges = [0.0, 2.0, 8.0, 24.0, math.inf]
    expected = [profile.reply_rate * (delay.cdf(b) - delay.cdf(a)) for a, b in pairwise(edges)]
    expected.append(1 - profile.reply_rate)
    for metric, p in zip(METRICS[-5:], expected, strict=True):
        got = row(generated, metric, agency)
        se = math.sqrt(p * (1 - p) / got["denominator"])
        assert got["value"] / 100 == pytest.approx(p, abs=4 * se + 1e-9), metric


def test_docs_example_numbers(tmp_path):
    text = (PROJECT / "docs" / "comments.md").read_text(encoding="utf-8")
    path = tmp_path / "instagram_comments.csv"
    path.write_text(re.search(r"```csv\n(.*?)```", text, re.S).group(1), encoding="utf-8")
    result = responsiveness(read_comments(path, platform="instagram", agency_id="d"))
    got = values(result, agency="d")
    # docs/comments.md: c1 asked at 08:15, answered at 09:45 in its thread
    assert (got["answered_share"], got["median_hours_to_reply"]) == (100.0, 1.5)
    assert got["reply_0_2h"] == 100.0
    assert "`answered_share` is 100 % (1 of 1), `median_hours_to_reply` 1.5" in text
