"""The PermenPAN-RB 83/2012 scorecard in the reports: the config block and its errors, the
agency metric table and scores on a hand-built three-agency study, the size-bias check, and the
section in the rendered study and agency reports in both languages."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import papermill as pm
import pytest
from bs4 import BeautifulSoup
from scipy import stats as distributions

from analysis.config import load_study
from analysis.config import scorecard as config_scorecard
from analysis.errors import ConfigError
from analysis.io import store
from analysis.reporting import scorecard
from analysis.reporting.export import export_html
from analysis.reporting.i18n import t
from analysis.reporting.results import read_results
from analysis.stats.scorecard import DEFAULT_MAPPING, PRINCIPLES
from analysis.tables import AGENCY_METRICS, COMMENTS, POSTS, conform

from .conftest import PROJECT, write_study_config

# three demo agencies; their configured followers (instagram, facebook) are in config/demo.yml
A, B, C = "diskominfo-sukamaju", "galeri-seni-nusantara", "dukcapil-tirtamaya"
FOLLOWERS = {A: (18400, 25100), B: (42300, 15800), C: (12900, 30200)}
START = pd.Timestamp("2026-05-04 09:00", tz="Asia/Jakarta").tz_convert("UTC")  # a Monday


# --- the config block ----------------------------------------------------------------------


def load_with(tmp_path, block) -> object:
    return load_study(write_study_config(tmp_path, scorecard=block))


def test_a_valid_block_gives_the_mapping_and_thresholds_the_statistics_take(tmp_path):
    block = {
        "principles": {
            "responsive": [
                {"metric": "answered_share", "weight": 2},
                {"metric": "median_hours_to_reply", "direction": "lower"},
            ]
        },
        "reference": {"median_hours_to_reply": [24, 0.25]},
    }
    study = load_with(tmp_path, block)
    assert study.scorecard.mapping() == {
        "responsive": [
            {"metric": "answered_share", "direction": "higher", "weight": 2.0},
            {"metric": "median_hours_to_reply", "direction": "lower", "weight": 1.0},
        ]
    }
    assert study.scorecard.thresholds() == {"median_hours_to_reply": (24.0, 0.25)}
    # without the block the statistics module's default mapping applies
    assert load_study(PROJECT / "config" / "demo.yml").scorecard.mapping() is None


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            {"principles": {"responsiv": [{"metric": "answered_share"}]}},
            r'scorecard\.principles: unknown principle \'responsiv\' \(did you mean "responsive"',
        ),
        (
            {"principles": {"responsive": [{"metric": "answerd_share"}]}},
            r"scorecard\.principles\.responsive\[0\]\.metric: unknown metric 'answerd_share' "
            r'\(did you mean "answered_share"\?\); metrics available: answered_share, '
            r"median_hours_to_reply, reply_0_2h, platforms_active",
        ),
        (
            {"principles": {"responsive": [{"metric": "answered_share", "direction": "up"}]}},
            r"scorecard\.principles\.responsive\[0\]\.direction: Input should be 'higher' or "
            r"'lower'",
        ),
        (
            {"principles": {"responsive": [{"metric": "answered_share", "weight": 0}]}},
            r"scorecard\.principles\.responsive\[0\]\.weight: Input should be greater than 0",
        ),
        (
            {"principles": {"responsive": [{"metric": "answered_share", "weigth": 2}]}},
            r"unknown key 'weigth' \(did you mean \"weight\"\?\); keys allowed here: metric, "
            r"direction, weight",
        ),
        (
            {"principles": {"responsive": []}},
            r"scorecard\.principles: responsive: list at least one metric",
        ),
        (
            {"principle": {}},
            r'scorecard\.principle: unknown key \(did you mean "principles"\?\)',
        ),
        (
            {"reference": {"median_hours_to_reply": [0, 24]}},
            r"scorecard\.reference: median_hours_to_reply: \[0, 24\] does not fit direction "
            r"lower",
        ),
        (
            {"reference": {"engagement_index": [0, 50]}},
            r"scorecard\.reference: engagement_index: not a metric of the scorecard's principles",
        ),
    ],
    ids=[
        "principle",
        "metric",
        "direction",
        "weight",
        "entry-key",
        "empty",
        "block-key",
        "threshold-order",
        "threshold-metric",
    ],
)
def test_a_bad_block_is_a_config_error_naming_the_key(tmp_path, block, message):
    with pytest.raises(ConfigError, match=message):
        load_with(tmp_path, block)


def test_config_vocabulary_agrees_with_the_statistics_module():
    assert config_scorecard.PRINCIPLES == PRINCIPLES
    used = {e["metric"] for entries in DEFAULT_MAPPING.values() for e in entries}
    assert used <= set(config_scorecard.METRICS)


# --- the metric table on a hand-built study ------------------------------------------------


def hand_built_posts() -> pd.DataFrame:
    """A and B post two texts on Instagram and Facebook in two weeks; C in the first only."""
    texts = [
        "Layanan perpanjangan paspor dibuka kembali mulai Senin di kantor pelayanan",
        "Jadwal vaksinasi gratis untuk lansia tersedia di puskesmas kecamatan",
    ]
    rows = []
    for agency in (A, B, C):
        weeks = (0, 1) if agency != C else (0,)
        for week in weeks:
            for platform in ("instagram", "facebook"):
                likes, comments, shares = (100, 10, 5) if week == 0 else (300, 30, 15)
                rows.append(
                    {
                        "agency_id": agency,
                        "platform": platform,
                        "post_id": f"{agency}-{platform}-{week}",
                        "published_at": START + pd.Timedelta(days=8 * week),
                        "text": texts[week],
                        "likes": likes,
                        "comments": comments,
                        "shares": shares,
                    }
                )
    return conform(pd.DataFrame(rows), POSTS)[list(POSTS)]


def hand_built_comments() -> pd.DataFrame:
    """Questions on Instagram and the agency's replies after the given hours (None: none)."""
    delays = {A: [4, 5, 6, None], B: [0.5, 1.5], C: [30, None, None, None, None]}
    rows = []
    for agency, hours in delays.items():
        for k, delay in enumerate(hours):
            asked = START + pd.Timedelta(hours=1 + k)
            question = {
                "agency_id": agency,
                "platform": "instagram",
                "post_id": f"{agency}-instagram-0",
                "comment_id": f"q{k}",
                "is_agency": False,
                "created_at": asked,
                "text": "Kapan layanan dibuka?",
                "is_question": True,
                "is_complaint": False,
            }
            rows.append(question)
            if delay is not None:
                reply = question | {
                    "comment_id": f"r{k}",
                    "parent_id": f"q{k}",
                    "is_agency": True,
                    "created_at": asked + pd.Timedelta(hours=delay),
                    "text": "Mulai Senin.",
                    "is_question": False,
                }
                rows.append(reply)
    return conform(pd.DataFrame(rows), COMMENTS)[list(COMMENTS)]


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory):
    study = load_study(write_study_config(tmp_path_factory.mktemp("three"), agencies=[A, B, C]))
    metrics = scorecard.agency_metrics(hand_built_posts(), hand_built_comments(), study)
    return study, metrics


def value(metrics, agency, metric, platform="all"):
    rows = metrics[
        (metrics["agency_id"] == agency)
        & (metrics["platform"] == platform)
        & (metrics["metric"] == metric)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_metric_table_holds_the_known_replies_engagement_and_presence(hand_built):
    study, metrics = hand_built
    assert list(metrics.columns) == list(AGENCY_METRICS)
    assert dict(metrics.dtypes.astype(str)) == AGENCY_METRICS
    overall = metrics[metrics["platform"] == "all"]
    assert set(overall["metric"]) == set(config_scorecard.METRICS)
    # ground truth of hand_built_comments: A answers 3 of 4 questions after 4, 5, 6 h; B both
    # after 0.5 and 1.5 h; C one of 5 after 30 h
    answered = {a: value(metrics, a, "answered_share")["value"] for a in (A, B, C)}
    assert answered == pytest.approx({A: 75.0, B: 100.0, C: 20.0})
    hours = {a: value(metrics, a, "median_hours_to_reply")["value"] for a in (A, B, C)}
    assert hours == pytest.approx({A: 5.0, B: 1.0, C: 30.0})
    within_2h = {a: value(metrics, a, "reply_0_2h")["value"] for a in (A, B, C)}
    assert within_2h == pytest.approx({A: 0.0, B: 100.0, C: 0.0})
    # Bonsón P3 on A's Instagram: mean likes (100 + 300) / 2 over the configured 18,400 fans
    p3 = value(metrics, A, "P3", "instagram")
    assert p3["value"] == pytest.approx(200 / 18400 * 1000)
    assert p3["followers"] == 18400
    # E = (P2 + C2 + V2) / fans x 1,000; the engagement index is its mean over the platforms
    e = [(200 + 20 + 10) / fans * 1000 for fans in FOLLOWERS[A]]
    assert value(metrics, A, "engagement_index")["value"] == pytest.approx(sum(e) / 2)
    assert value(metrics, A, "answered_share")["followers"] == sum(FOLLOWERS[A])
    # C posts in the first of the study's two weeks only; every text is on both platforms
    assert value(metrics, C, "weeks_active_share")["value"] == 50
    assert value(metrics, A, "weeks_active_share")["value"] == 100
    assert value(metrics, C, "cross_posted_share")["value"] == 100
    assert value(metrics, B, "platforms_active")["value"] == 2
    assert value(metrics, B, "posts_per_week")["value"] == pytest.approx(2 * 2 / (9 / 7))


def test_scores_and_ranks_follow_the_hand_computed_percentile_ranks(hand_built):
    study, metrics = hand_built
    card = scorecard.study_scorecard(metrics, study, "en").card.set_index("agency")
    # answered 100 > 75 > 20 and hours 1 < 5 < 30: B scores 100, A 50, C 0 on both
    assert card["score_responsive"].to_dict() == pytest.approx({A: 50.0, B: 100.0, C: 0.0})
    # weeks active: A and B tie at 100 (mean rank 2.5 of 3 -> 75), C 50 % -> 0
    assert card["score_reliable"].to_dict() == pytest.approx({A: 75.0, B: 75.0, C: 0.0})
    assert card["score_credible"].isna().all()  # not in the default mapping
    principles, ranks = scorecard.agency_scorecard(metrics, study, A, "id")
    assert principles.set_index("principle").loc["responsive", "score"] == pytest.approx(50)
    ranked = ranks.set_index("metric")
    assert ranked.loc["answered_share", ["rank", "n"]].tolist() == [2, 3]
    assert ranked.loc["median_hours_to_reply", "position"] == "2 dari 3"
    # ties share the best place: A and B both post in all weeks
    assert ranked.loc["weeks_active_share", "rank"] == 1


def test_size_bias_reads_hours_to_reply_as_lower_is_better(hand_built):
    study, metrics = hand_built
    bias = scorecard.study_scorecard(metrics, study, "en").size_bias.set_index("metric")
    overall = bias[bias["platform"] == "all"]
    totals = {a: sum(fans) for a, fans in FOLLOWERS.items()}
    # scipy.stats.spearmanr: hours 5, 1, 30 against followers 43,500, 58,100, 43,100
    reference = distributions.spearmanr([5, 1, 30], [totals[A], totals[B], totals[C]])
    assert overall.loc["median_hours_to_reply", "rho"] == pytest.approx(reference.statistic)
    assert reference.statistic == pytest.approx(-1)
    # fewer hours with more followers: the large account is favoured, not the small one
    assert overall.loc["median_hours_to_reply", "favours"] == "large accounts"
    assert overall.loc["answered_share", "favours"] == "large accounts"
    per_follower = bias[bias["platform"] != "all"]
    assert set(per_follower.index) == set(scorecard.PER_FOLLOWER)


def test_no_posts_gives_empty_tables_and_no_figure(hand_built):
    study, _ = hand_built
    empty = scorecard.agency_metrics(
        conform(pd.DataFrame(columns=list(POSTS)), POSTS),
        conform(pd.DataFrame(columns=list(COMMENTS)), COMMENTS),
        study,
    )
    assert empty.empty and list(empty.columns) == list(AGENCY_METRICS)
    result = scorecard.study_scorecard(empty, study, "en")
    assert result.card.empty and result.size_bias.empty
    assert scorecard.heatmap(result.card, study, "en") is None
    principles, ranks = scorecard.agency_scorecard(empty, study, A, "en")
    assert principles.empty and ranks.empty


# --- the rendered reports ------------------------------------------------------------------


def section_only(name: str, folder) -> str:
    """The report notebook with its set-up cells and its scorecard cells only.

    The cells are the shipped notebook's own; the others (hypotheses, models) are left out so
    the test stays fast.
    """
    notebook = nbformat.read(PROJECT / "notebooks" / name, as_version=4)
    for cell in notebook.cells:
        cell.outputs, cell.execution_count = [], None
    keep = ("open_", "report.title()", "report.contents()", "scorecard", "card.", "finish")
    notebook.cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and (
            any(word in cell.source for word in keep)
            or "parameters" in cell.metadata.get("tags", [])
        )
    ]
    path = folder / name
    nbformat.write(notebook, path)
    return str(path)


def lead(lang: str, key: str) -> str:
    """The words of a report text before its first bracket or placeholder."""
    return re.split(r"[({]", t(lang, key))[0].strip()


@pytest.fixture(scope="module", params=["id", "en"])
def rendered(request, demo_project, tmp_path_factory) -> dict:
    """The scorecard parts of the demo study report and of one agency report, as HTML."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"scorecard-{lang}")
    config = str(demo_project / "config" / "demo.yml")
    pages = {}
    for name, parameters in (
        ("95-study-report.ipynb", {}),
        ("90-agency-report.ipynb", {"agency": "rsud-wanasari"}),
    ):
        out = folder / name[:2]
        out.mkdir()
        pm.execute_notebook(
            section_only(name, folder),
            out / "report.ipynb",
            kernel_name="python3",
            cwd=str(PROJECT / "notebooks"),
            progress_bar=False,
            parameters={"config": config, "lang": lang, "output_dir": str(out), **parameters},
        )
        export_html(out / "report.ipynb", out / "report.html", title=name, lang=lang)
        html = (out / "report.html").read_text(encoding="utf-8")
        pages[name[:2]] = {
            "soup": BeautifulSoup(html, "html.parser"),
            "folder": out,
            "results": read_results(out / "results.json"),
        }
    return {"lang": lang, **pages}


def test_study_report_shows_size_bias_first_then_scores_figure_and_mapping(rendered):
    lang, page = rendered["lang"], rendered["95"]
    soup = page["soup"]
    heading = soup.find(id="sec-study_scorecard")
    assert heading.get_text() == t(lang, "sections.study_scorecard")
    titles = [p.get_text() for p in soup.select(".table-title")]
    assert titles == [t(lang, "tables.scorecard_size_bias"), t(lang, "tables.scorecard")]
    text = soup.get_text(" ")
    # the size-bias sentence (whichever the data call for) comes before the size-bias table
    found = [text.find(lead(lang, f"scorecard.{k}")) for k in ("bias_small", "bias_none")]
    assert 0 <= max(found) < text.index(titles[0])
    figure = soup.select_one("figure.report-figure")
    assert figure.get_text(" ").strip().endswith(t(lang, "figure_titles.scorecard"))
    mapping_at = text.index(lead(lang, "scorecard.explanation_lead"))
    assert text.index(t(lang, "figure_titles.scorecard")) < mapping_at
    for principle in ("credible", "integrity", "representative"):
        reason = t(lang, f"scorecard.not_operationalised.{principle}")
        assert reason[:40] in text
    # the shown scores are the recorded ones, and every agency has a row
    table = soup.select(".apa-table")[1].find("table")
    header = [th.get_text() for th in table.find_all("th")]
    assert header[4] == t(lang, "columns.score_responsive")
    recorded = page["results"]
    responsive = recorded[
        (recorded["analysis"] == "scorecard") & (recorded["measure"] == "score_responsive")
    ]
    assert len(responsive) == 10 and len(table.find("tbody").find_all("tr")) == 10
    assert (page["folder"] / "tables" / "scorecard.csv").is_file()
    assert (page["folder"] / "figures" / "scorecard.png").is_file()


def test_agency_report_shows_its_scores_and_ranks(rendered, demo_project):
    lang, page = rendered["lang"], rendered["90"]
    soup = page["soup"]
    assert soup.find(id="sec-scorecard").get_text() == t(lang, "sections.scorecard")
    titles = [p.get_text() for p in soup.select(".table-title")]
    assert titles == [
        t(lang, "tables.agency_scorecard"),
        t(lang, "tables.agency_scorecard_metrics"),
    ]
    # the ranks are among all ten agencies of the processed agency_metrics table
    metrics = store.read_flat(demo_project / "data" / "processed" / "demo", "agency_metrics")
    answered = metrics[(metrics["metric"] == "answered_share") & (metrics["platform"] == "all")]
    rank = (
        int(
            (
                answered["value"] > answered.set_index("agency_id").loc["rsud-wanasari", "value"]
            ).sum()
        )
        + 1
    )
    position = t(lang, "scorecard.position", rank=rank, n=10)
    rows = soup.select(".apa-table")[1].find("tbody").find_all("tr")
    cells = [[td.get_text() for td in row.find_all("td")] for row in rows]
    label = t(lang, "scorecard.metrics.answered_share")
    assert [c[3] for c in cells if c[1] == label] == [position]
    recorded = page["results"]
    assert {"agency_scorecard", "agency_scorecard_metrics"} <= set(recorded["analysis"])
    assert json.loads((page["folder"] / "results.json").read_text(encoding="utf-8"))
