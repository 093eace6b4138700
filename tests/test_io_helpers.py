"""The shared helpers every reader uses: one folding rule, one "did you mean", one number parser,
one Google Forms body for CSV and XLSX, one body for KoboToolbox and ODK Central."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cleaning.scales import builtin_scales
from analysis.cleaning.survey import survey_weights
from analysis.config.base import _closest
from analysis.errors import InputError, did_you_mean
from analysis.io.labels import fold_label
from analysis.io.numbers import parse_counts, parse_decimal
from analysis.io.raw import RawSurvey
from analysis.io.survey import google_forms, kobo
from analysis.io.survey.detect import read_survey

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"


@pytest.mark.parametrize(
    ("text", "label", "header"),
    [
        ("  Ragu-Ragu. ", "ragu ragu", "ragu-ragu."),
        ("\ufeffComentários", "comentarios", "comentarios"),
        ("Carimbo de  data/hora", "carimbo de data hora", "carimbo de data/hora"),
        ("_submission_time", "submission time", "_submission_time"),
        ("meta-instanceID", "meta instanceid", "meta-instanceid"),
        ("Ｑ１\u200b", "q1", "q1"),
    ],
)
def test_one_folding_rule_for_labels_and_headers(text, label, header):
    assert fold_label(text) == label
    assert fold_label(text, keep_punctuation=True) == header


def test_scale_labels_match_without_accents():
    # Before, labels were folded without dropping accents and "Sétuju" was an unknown label.
    scale = builtin_scales()["agree5_id"]
    assert scale.code(pd.Series(["Sétuju", "SANGAT  setuju"])).tolist() == [4.0, 5.0]


def test_google_forms_timestamp_header_with_accents_and_bom_is_recognised():
    assert google_forms.looks_like_google_forms(["\ufeffCarimbo de Data/Hora", "Q1"])
    assert google_forms.looks_like_google_forms(["Márca temporal"])
    assert not google_forms.looks_like_google_forms(["Waktu"])


def test_did_you_mean_compares_folded_names_and_keeps_their_spelling():
    assert did_you_mean("sangat setju", ["Setuju", "Sangat Setuju"]) == (
        'did you mean "Sangat Setuju"?'
    )
    assert did_you_mean("Stuju banget", ["Tidak Setuju", "Setuju"]) == 'did you mean "Setuju"?'
    assert did_you_mean("GOOGLE-FORMS", ["google_forms", "qualtrics"]) == (
        'did you mean "google_forms"?'
    )
    assert did_you_mean("zzz", ["Setuju", "Netral"]) is None


def test_config_and_data_suggest_by_the_same_rule():
    # Before, the config asked for a ratio of 0.6 on raw text and scales took any label at all.
    known = ["Setuju", "Netral"]
    assert _closest("Stuju banget", known) == ' (did you mean "Setuju"?)'
    scale = builtin_scales()["agree5_id"]
    error = scale.unknown_label_error("qwertyuiop", path="f.csv", row=2, column="Q1")
    assert error.hint is None


def test_numbers_are_read_once_per_text_in_cell_order():
    values = pd.Series(["1.250", "x", "1.250", None, "y"], index=[7, 3, 9, 4, 2])
    with pytest.raises(InputError, match='"x" is not a count') as info:
        parse_counts(values)
    assert info.value.row == 3  # the first bad cell in file order, not in text order
    categories = pd.Series(pd.Categorical(["12,5", "N/A", "12,5", None]), index=[2, 3, 4, 5])
    assert parse_decimal(categories).tolist() == [12.5, pd.NA, 12.5, pd.NA]
    assert parse_decimal(categories).index.tolist() == [2, 3, 4, 5]


def test_survey_numbers_use_the_one_number_parser():
    # Before, survey numbers had their own parser that refused "1.234,5" and "N/A".
    frame = pd.DataFrame({"w": ["1.234,5", "0,5", "2"]}, index=[2, 3, 4])
    raw = RawSurvey(frame=frame, path=Path("s.csv"), format="csv")
    assert survey_weights(raw, "w").tolist() == [1234.5, 0.5, 2.0]
    raw.frame.loc[3, "w"] = "N/A"
    with pytest.raises(InputError, match="is not a weight") as info:
        survey_weights(raw, "w")
    assert info.value.row == 3


def test_google_forms_reader_takes_the_xlsx_route_itself():
    # Before, read_google_forms read every file as delimited text.
    raw = google_forms.read_google_forms(FIXTURES / "google_forms.xlsx", "Asia/Jakarta")
    assert raw.roles == {"submitted_at": "_submitted_at", "email": "Email Address"}
    assert raw.notes[0].startswith('read sheet "')
    assert raw.frame.loc[2, "_submitted_at"] == pd.Timestamp("2026-09-27 08:00:05", tz="UTC")


def test_google_forms_missing_duration_column_suggests_the_header(tmp_path):
    path = shutil.copy(FIXTURES / "google_forms_bom.csv", tmp_path / "gf.csv")
    header = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns[1]
    with pytest.raises(InputError, match="did you mean") as info:
        read_survey(path, duration_column=header[:-1] + "x")
    assert info.value.row == 1


@pytest.mark.parametrize(
    ("export", "reader"), [(kobo.KOBO, kobo.read_kobo), (kobo.ODK, kobo.read_odk)]
)
def test_kobo_and_odk_are_two_configurations_of_one_reader(export, reader, tmp_path):
    name = "kobo_semicolon.csv" if export is kobo.KOBO else "odk_central.csv"
    path = shutil.copy(FIXTURES / name, tmp_path / name)
    one = reader(path)
    other = kobo.read_xlsform_export(path, export, "UTC")
    assert one.format == other.format == export.format
    assert one.roles == other.roles
    assert one.roles["submitted_at"] == "_submitted_at"
    pd.testing.assert_frame_equal(one.frame, other.frame)
