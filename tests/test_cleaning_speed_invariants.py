"""The vectorised cleaning paths give what the simple ones give.

Reading in parallel byte ranges, fixed-width timestamp parsing, per-category work on compact
columns, exact duplicate grouping and the vectorised respondent ids must not change a result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cleaning import screening
from analysis.cleaning import survey as cleaning
from analysis.cleaning.privacy import identifier_kinds, row_ids
from analysis.cleaning.scales import builtin_scales
from analysis.config import Screening
from analysis.errors import InputError
from analysis.io import text
from analysis.io.numbers import parse_decimal
from analysis.io.raw import RawSurvey
from analysis.io.timestamps import parse_timestamps


@pytest.fixture()
def small_ranges(monkeypatch):
    """Split every file into ranges of a few hundred bytes."""
    monkeypatch.setattr(text, "MIN_RANGE_BYTES", 200)
    monkeypatch.setattr(text, "MAX_RANGE_BYTES", 300)


def _one_pass(monkeypatch, read, path):
    """``read(path)`` with the parallel reader switched off."""

    def unsplittable(*args):
        raise text._Unsplittable

    with monkeypatch.context() as patch:
        patch.setattr(text, "_read_ranges", unsplittable)
        return read(path)


def _survey_text(rows: int) -> str:
    lines = ["Stempel waktu,Alamat email,Instansi,Skor,Kode,Saran"]
    for k in range(rows):
        note = '"baris satu\nbaris dua"' if k % 7 == 0 else f'"a, b {k}"'
        code = "007" if k % 3 else '"1,5"'
        lines.append(f"01/09/2026 10:{k % 60:02d}:00,r{k}@x.id,Dinas {k % 3},{k % 5},{code},{note}")
        if k % 11 == 0:
            lines.append("")
        if k % 13 == 0:
            lines.append(",,,,,")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("read", [text.read_text_table, text.read_compact_table])
def test_ranges_read_like_one_pass(tmp_path, monkeypatch, small_ranges, read):
    path = tmp_path / "survey.csv"
    path.write_text(_survey_text(120), encoding="utf-8")
    split, whole = read(path), _one_pass(monkeypatch, read, path)
    assert split.frame.index.tolist() == whole.frame.index.tolist()
    assert split.frame.astype(object).equals(whole.frame.astype(object))
    assert split.frame["Kode"].iloc[:3].tolist() == ["1,5", "007", "007"]  # never numbers


def test_compact_table_holds_the_same_cells(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(_survey_text(120), encoding="utf-8")
    plain, compact = text.read_text_table(path).frame, text.read_compact_table(path).frame
    assert isinstance(compact["Instansi"].dtype, pd.CategoricalDtype)
    assert str(compact["Alamat email"].dtype) == "str" == str(plain["Instansi"].dtype)
    assert compact.astype(object).equals(plain.astype(object))


def test_late_windows_1252_byte_switches_the_whole_file(tmp_path, monkeypatch, small_ranges):
    path = tmp_path / "survey.csv"
    path.write_bytes(
        _survey_text(80).encode("utf-8") + "01/09/2026 11:00:00,é,Dinas 1,1,2,x\n".encode("cp1252")
    )
    table = text.read_text_table(path)
    assert table.encoding == "cp1252"
    assert table.frame.equals(_one_pass(monkeypatch, text.read_text_table, path).frame)


def test_record_with_too_many_fields_in_a_later_range_names_its_row(tmp_path, small_ranges):
    path = tmp_path / "survey.csv"
    lines = _survey_text(0).splitlines() + [f"01/09/2026,r{k}@x.id,D,1,2,x" for k in range(60)]
    lines[50] += ",lebih"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="has 7 fields but the header has 6") as info:
        text.read_text_table(path)
    assert info.value.row == 51


def test_fixed_width_timestamps_equal_pandas_strptime():
    values = pd.Series(["27/09/2026 15:00:00", "", "29/02/2024 23:59:59", None], index=[2, 3, 4, 5])
    parsed = parse_timestamps(values, "Asia/Jakarta", "dmy")
    expected = pd.to_datetime(values, format="%d/%m/%Y %H:%M:%S")
    expected = expected.dt.tz_localize("Asia/Jakarta").dt.tz_convert("UTC")
    assert parsed.tolist() == expected.tolist() and str(parsed.dtype) == "datetime64[ns, UTC]"


def test_impossible_fixed_width_date_is_still_an_error():
    values = pd.Series(["27/09/2026 15:00:00", "31/02/2026 15:00:00"], index=[2, 3])
    with pytest.raises(InputError, match='"31/02/2026 15:00:00" is not a date') as info:
        parse_timestamps(values, "UTC", "dmy", path="f.csv", column="Stempel waktu")
    assert info.value.row == 3


def test_padded_and_zoned_values_take_the_general_path():
    values = pd.Series([" 27/09/2026 15:00:00 ", "27/09/2026 15:00:00 WITA", "1/10/2026 8:00:00"])
    parsed = parse_timestamps(values, "Asia/Jakarta", "auto")
    assert parsed.tolist() == [
        pd.Timestamp("2026-09-27 08:00", tz="UTC"),
        pd.Timestamp("2026-09-27 07:00", tz="UTC"),
        pd.Timestamp("2026-10-01 01:00", tz="UTC"),
    ]


def _screening_input(items, email, submitted):
    return screening.ScreeningInput(
        raw=pd.DataFrame(index=items.index),
        items=items,
        agency_id=pd.Series("a", index=items.index, dtype="string"),
        email=email,
        duration=None,
        submitted_at=pd.Series(pd.to_datetime(submitted, utc=True), index=items.index),
        keys=items,
    )


def test_duplicate_details_name_the_earliest_submission():
    items = pd.DataFrame({"q1": [1.0, 2, 3, 1, 5], "q2": [2.0, 2, 4, 2, 1]}, index=range(2, 7))
    email = pd.Series(["A@x.id ", "b@x.id", "a@X.id", "c@x.id", "STRASSE@x.id"], index=items.index)
    email[6] = "straße@x.id"
    submitted = ["2026-09-03", "2026-09-01", "2026-09-02", None, "2026-09-04"]
    mask, detail = screening.duplicates(
        _screening_input(items, email, submitted), ["email", "answers"], ~items["q1"].notna()
    )
    # row 4 submitted before row 2 (same email after trimming and case folding); row 5 has no
    # time, so it is the later copy of row 2's answers; casefold makes "straße" "strasse".
    assert mask.tolist() == [True, False, False, True, False]
    assert detail.to_dict() == {2: "same email as row 4", 5: "same answers as row 2"}
    assert screening.duplicates(
        _screening_input(items, email.str.replace("ß", "ss"), submitted), ["email"], mask & False
    )[1].to_dict() == {2: "same email as row 4"}


def test_row_groups_are_exact():
    frame = pd.DataFrame(
        {
            "q": pd.array([1.0, 1.0, None, None, -0.0, 0.0, 2.0], dtype="Float64"),
            "s": pd.Series(["a", "a", "b", "b", "c", "c", "a"], dtype="string"),
        }
    )
    groups = screening.row_groups(frame)
    assert groups.tolist() == [0, 0, 1, 1, 2, 2, 3]


def _raw(frame: pd.DataFrame) -> RawSurvey:
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="source_row")
    return RawSurvey(frame=frame, path=Path("survey.csv"), format="google_forms")


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_agency_names_match_ignoring_case_and_punctuation(demo_study, dtype):
    source = demo_study.survey[0]
    agency = demo_study.agencies[0]
    name = agency.survey_value or agency.name
    answers = [name.upper(), f" {name.lower()}.", agency.id, "instansi lain", None]
    raw = _raw(pd.DataFrame({source.agency_column: pd.Series(answers, dtype=dtype)}))
    found = cleaning.assign_agency(demo_study, source, raw)
    assert str(found.dtype) == "string"
    assert found.tolist() == [agency.id, agency.id, agency.id, pd.NA, pd.NA]


def test_row_ids_are_stable_distinct_and_from_row_numbers_only():
    assert row_ids("s", "f.csv", pd.Index([2, 3, 4])).tolist() == [
        "1da239e02768",
        "0aa56ab59773",
        "f71998f43a61",
    ]
    ids = row_ids("s", "f.csv", pd.RangeIndex(2, 200_002))
    assert ids.is_unique and ids.str.fullmatch("[0-9a-f]{12}").all()
    assert str(ids.dtype) == "string" and ids.index[0] == 2
    assert not row_ids("s", "g.csv", pd.Index([2, 3])).isin(ids).any()


def test_unused_unknown_category_is_no_error_but_a_used_one_names_its_row():
    scale = builtin_scales()["agree5_id"]
    answers = pd.Series(pd.Categorical(["Setuju", None], categories=["Setuju", "-99"]))
    assert scale.code(answers).tolist() == [4.0, pd.NA]
    answers = pd.Series(pd.Categorical(["Setuju", "Stuju banget"]), index=[2, 3])
    with pytest.raises(InputError, match='"Stuju banget" is not a label') as info:
        scale.code(answers, path="f.csv", column="q1")
    assert info.value.row == 3


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_missing_codes_are_blanked_after_trimming(dtype):
    raw = _raw(pd.DataFrame({"q": pd.Series(["Setuju", " -99 ", "-990", "999"], dtype=dtype)}))
    cleaning.blank_missing_codes(raw, ["-99", "999"])
    assert raw.frame["q"].isna().tolist() == [False, True, False, True]


@pytest.mark.parametrize("dtype", ["str", "category", object])
def test_identifier_scan_on_every_kind_of_column(dtype):
    values = pd.Series(
        ["Setuju", "+62 812-3456-7890", "3174091203850004", "10.0.0.1", "27/09/2026 08:12:33"],
        dtype=dtype,
    )
    assert identifier_kinds(values) == ["phone", "nik", "ipv4"]
    assert identifier_kinds(pd.Series(["٣١٧٤٠٩١٢٠٣٨٥٠٠٠٤"], dtype=dtype)) == ["nik"]


def test_numbers_parse_once_per_text_with_decimal_commas():
    values = pd.Series(pd.Categorical(["12,5", "30", "12,5", None]), index=[2, 3, 4, 5])
    assert parse_decimal(values).tolist() == [12.5, 30.0, 12.5, pd.NA]
    with pytest.raises(InputError, match='"tiga" is not a number') as info:
        parse_decimal(pd.Series(["30", "tiga"], index=[2, 3], dtype="str"))
    assert info.value.row == 3


def test_analysed_items_move_rows_up_and_mirror_reverse_keyed_items(demo_study):
    items = [i for c in demo_study.constructs for i in c.items]
    values = np.asfortranarray(np.tile([[1.0], [2.0], [np.nan], [5.0]], len(items)))
    kept = cleaning.analysed_items(demo_study, values, np.array([1, 2, 3]))
    reversed_item = next(i for i in items if i.reverse)
    plain_item = next(i for i in items if not i.reverse)
    assert kept[plain_item.id].tolist() == [2.0, pd.NA, 5.0]
    assert kept[reversed_item.id].tolist() == [4.0, pd.NA, 1.0]  # 1 + 5 - x on a 5-point scale


def test_cleaning_in_ranges_gives_the_one_pass_result(demo_study, monkeypatch):
    whole = cleaning.clean_survey(demo_study)
    monkeypatch.setattr(text, "MIN_RANGE_BYTES", 4096)
    monkeypatch.setattr(text, "MAX_RANGE_BYTES", 8192)
    split = cleaning.clean_survey(demo_study)
    pd.testing.assert_frame_equal(split.responses, whole.responses)
    pd.testing.assert_frame_equal(split.exclusions, whole.exclusions)
    raw_rows = len(pd.read_csv(demo_study.resolve(demo_study.survey[0].path), dtype=str))
    assert len(split.responses) + len(split.exclusions) == raw_rows


def test_screen_runs_the_same_with_and_without_the_item_matrix():
    rng = np.random.default_rng(3)
    values = np.clip(np.round(3 + rng.normal(size=(400, 1)) + rng.normal(size=(400, 10))), 1, 5)
    values[rng.random(values.shape) < 0.05] = np.nan
    values[7] = 3.0
    items = pd.DataFrame(values, index=range(2, 402)).astype("Float64")
    data = _screening_input(items, None, pd.date_range("2026-09-01", periods=400, freq="h"))
    rules = Screening()
    with_matrix = screening.ScreeningInput(
        **{**vars(data), "item_values": np.asfortranarray(values)}
    )
    assert screening.screen(data, rules).equals(screening.screen(with_matrix, rules))
    assert screening.screen(data, rules).loc[9, "reason"] == "straightlining"


def test_rules_without_hits_give_empty_details():
    items = pd.DataFrame(np.tile([1.0, 2.0, 3.0], (50, 1)) + np.arange(50)[:, None] % 3)
    mask, detail = screening.mahalanobis(items, 1e-300)
    assert not mask.any() and detail.empty
    mask, detail = screening.straightlining(items, Screening().straightlining)
    assert not mask.any() and detail.empty
