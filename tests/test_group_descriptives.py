"""The groups behind a group-comparison hypothesis, and their small-cell protection."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import load_study
from analysis.reporting.hypotheses import GROUP_COLUMNS, group_descriptives
from analysis.reporting.small_cells import masked_rows

from .conftest import write_study_config


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return load_study(write_study_config(tmp_path_factory.mktemp("groups")))


def _scores(sizes: dict[str, int], seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gender = np.repeat(list(sizes), list(sizes.values()))
    return pd.DataFrame(
        {
            "agency_id": "a",
            "gender": pd.Series(gender, dtype="string"),
            "trust": rng.normal(3.4, 0.8, len(gender)).round(2),
            **{c: rng.normal(3, 0.7, len(gender)) for c in ("smu", "resp", "info")},
        }
    )


def test_each_group_of_a_comparison_matches_pandas(study):
    scores = _scores({"Perempuan": 40, "Laki-laki": 31})
    scores.loc[[0, 5], "trust"] = np.nan  # a missing outcome leaves its respondent out
    table = group_descriptives(scores, study)
    comparisons = [h.id for h in study.hypotheses if h.family == "group_comparison"]
    assert list(table.columns) == list(GROUP_COLUMNS)
    assert sorted(table["hypothesis"].unique()) == comparisons
    # reference: pandas' own groupby over the complete rows
    reference = scores.dropna(subset=["trust"]).groupby("gender")["trust"]
    shown = table.set_index("group")
    for group in ("Perempuan", "Laki-laki"):
        assert shown.loc[group, "n"] == reference.count()[group]
        assert shown.loc[group, "mean"] == pytest.approx(reference.mean()[group], abs=1e-12)
        assert shown.loc[group, "sd"] == pytest.approx(reference.std()[group], abs=1e-12)
        assert shown.loc[group, "median"] == pytest.approx(reference.median()[group])
    assert shown.loc["Perempuan", "n"] == 38


def test_a_small_group_and_the_next_smallest_are_masked(study):
    table = group_descriptives(_scores({"Perempuan": 40, "Laki-laki": 31, "Lainnya": 3}), study)
    assert table.attrs["group_count"] == "n" and table.attrs["breakdown"] == ("hypothesis",)
    masked = dict(zip(table["group"], masked_rows(table, 5), strict=True))
    # 3 < k = 5 is masked, and Laki-laki (the next smallest) too, so 3 = 74 - 40 - 31 cannot
    # be recovered from a shown total
    assert masked == {"Perempuan": False, "Laki-laki": True, "Lainnya": True}
    assert not masked_rows(table, 3).any()


def test_no_comparison_gives_an_empty_table_with_the_columns(study):
    table = group_descriptives(_scores({"Perempuan": 40})[["agency_id", "trust"]], study)
    assert table.empty and list(table.columns) == list(GROUP_COLUMNS)


def test_the_report_takes_k_from_the_config_unless_the_notebook_sets_it(fresh_copy):
    import yaml

    from analysis.reporting.context import open_report
    from analysis.reporting.study_context import open_study_report

    config = fresh_copy / "config" / "demo.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["reporting"] = {"min_cell": 10, "small_n": 300}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    agency = data["agencies"][0]["id"]
    report = open_report(str(config), agency, output_dir=str(fresh_copy / "out"))
    assert (report.min_cell, report.small_n) == (10, 300)
    chosen = open_report(str(config), agency, output_dir=str(fresh_copy / "out"), min_cell="3")
    assert chosen.min_cell == 3
    study = open_study_report(str(config), output_dir=str(fresh_copy / "out"))
    assert study.min_cell == 10


def test_a_bad_reporting_block_is_an_error_naming_the_key(tmp_path):
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="min_cell"):
        load_study(write_study_config(tmp_path, reporting={"min_cell": 0}))
