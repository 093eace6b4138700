"""Survey readers for every supported export format, on fixtures written after export_formats.md.

Text fixtures in tests/fixtures/surveys/ are verbatim files; binary and encoding-specific ones
are written by tests/fixtures/surveys/make_binary_fixtures.py. Expected UTC times are worked out
by hand in the comments (WIB = Asia/Jakarta = UTC+7, WITA = Asia/Makassar = UTC+8).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis.errors import InputError
from analysis.io.excel import cell_text, read_xlsx_table
from analysis.io.survey.detect import detect_format, read_survey
from analysis.io.survey.kobo import read_kobo, read_odk
from analysis.io.survey.qualtrics import read_qualtrics
from analysis.io.survey.spss import read_spss, read_stata
from analysis.io.timestamps import parse_iso_timestamps, parse_timestamps

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"

QUALTRICS_ROLES = {
    "submitted_at": "_submitted_at",
    "started_at": "_started_at",
    "duration_seconds": "Duration (in seconds)",
    "response_id": "ResponseId",
    "email": "RecipientEmail",
    "finished": "Finished",
    "progress": "Progress",
    "status": "Status",
    "ip_address": "IPAddress",
}


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@contextlib.contextmanager
def raises(match: str, row: int | None = None, column: str | None = None):
    """pytest.raises for an InputError whose message matches and that names row and column."""
    with pytest.raises(InputError, match=match) as info:
        yield info
    assert info.value.path is not None
    assert (info.value.row, info.value.column) == (row, column)


def copy_fixture(name: str, folder: Path, edit=None) -> Path:
    """Copy a text fixture into ``folder``, optionally transforming its text with ``edit``."""
    target = folder / name
    if edit is None:
        shutil.copy(FIXTURES / name, target)
    else:
        text = (FIXTURES / name).read_bytes().decode("utf-8")  # keep CRLF line ends
        target.write_bytes(edit(text).encode("utf-8"))
    return target


# --- Qualtrics ------------------------------------------------------------------------------


def test_qualtrics_three_header_rows_roles_rows_and_question_text():
    raw = read_qualtrics(FIXTURES / "qualtrics_3row.csv")
    assert raw.format == "qualtrics"
    assert raw.roles == QUALTRICS_ROLES
    assert list(raw.frame.index) == [4, 5, 6]  # rows 1-3 are headers
    assert raw.question_text["Q2_1"] == (
        "Seberapa setuju Anda? - Saya percaya pada pelayanan instansi ini"
    )
    assert raw.question_text["ResponseId"] == "Response ID"
    assert raw.frame.loc[4, "RecipientEmail"] == "budi.santoso@example.org"
    assert raw.frame.loc[4, "Q3"] == "Instagram,Situs web"
    assert raw.frame.loc[5, "Q3_5_TEXT"] == 'Dari tetangga, katanya "bagus"\nlalu saya cek sendiri'
    assert raw.frame.loc[6, "Progress"] == "45" and raw.frame.loc[6, "Finished"] == "0"
    assert raw.frame.loc[6, "IPAddress"] == "10.0.0.5" and raw.frame.loc[6, "Status"] == "1"


def test_qualtrics_trailing_empty_column_is_dropped_and_noted():
    raw = read_qualtrics(FIXTURES / "qualtrics_3row.csv")
    assert "" not in raw.frame.columns and list(raw.frame.columns)[21] == "Q3_5_TEXT"
    assert any("dropped 1 empty column" in note for note in raw.notes)


def test_qualtrics_timezone_comes_from_the_import_id_row():
    # timeZone Asia/Jakarta (UTC+7) in row 3 wins over the timezone argument (UTC)
    raw = read_qualtrics(FIXTURES / "qualtrics_3row.csv", timezone="UTC")
    submitted = raw.frame["_submitted_at"]
    assert str(submitted.dtype) == "datetime64[ns, UTC]"
    assert submitted[4] == utc("2026-09-27 01:06:46")  # 08:06:46 WIB - 7 h
    assert submitted[5] == utc("2026-09-27 17:30:00")  # 2026-09-28 00:30 WIB: previous day
    assert raw.frame.loc[4, "_started_at"] == utc("2026-09-27 01:00:05")  # 08:00:05 WIB
    assert any("timeZone of the ImportId row" in note for note in raw.notes)


def test_qualtrics_single_quote_import_ids_use_the_configured_zone():
    raw = read_qualtrics(FIXTURES / "qualtrics_single_quote.csv", timezone="Asia/Makassar")
    assert list(raw.frame.index) == [4, 5]
    assert raw.roles == QUALTRICS_ROLES
    assert raw.frame.loc[4, "_submitted_at"] == utc("2026-09-27 00:06:46")  # 08:06:46 WITA - 8 h
    assert not any("dropped" in note for note in raw.notes)


def test_qualtrics_utf16_tsv_reads_like_the_csv():
    tsv = read_qualtrics(FIXTURES / "qualtrics_utf16.tsv")
    comma = read_qualtrics(FIXTURES / "qualtrics_3row.csv")
    pd.testing.assert_frame_equal(tsv.frame, comma.frame)
    assert tsv.question_text == comma.question_text and tsv.roles == comma.roles
    assert "read with encoding utf-16, delimiter '\\t'" in tsv.notes


def test_qualtrics_xlsx_reads_like_the_csv(tmp_path):
    workbook = openpyxl.Workbook()
    with (FIXTURES / "qualtrics_3row.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.reader(handle):
            workbook.active.append(record)
    workbook.save(tmp_path / "qualtrics.xlsx")
    xlsx = read_qualtrics(tmp_path / "qualtrics.xlsx")
    pd.testing.assert_frame_equal(xlsx.frame, read_qualtrics(FIXTURES / "qualtrics_3row.csv").frame)
    assert xlsx.roles == QUALTRICS_ROLES


def test_qualtrics_legacy_two_row_export():
    raw = read_qualtrics(FIXTURES / "qualtrics_legacy.csv", timezone="Asia/Jakarta")
    assert list(raw.frame.index) == [3, 4]
    assert raw.roles == {
        "submitted_at": "_submitted_at",
        "started_at": "_started_at",
        "response_id": "V1",
        "email": "V5",
        "finished": "V10",
        "status": "V7",
        "ip_address": "V6",
        "duration_seconds": "_duration_seconds",
    }
    assert raw.question_text["V1"] == "ResponseID"
    assert raw.question_text["Q2"] == "Saya percaya pada pelayanan instansi ini"
    assert raw.frame.loc[4, "V3"] == "Santoso, Budi"
    # 2016-07-20 00:04:30 WIB -> 2016-07-19 17:04:30 UTC; 23:59:30 WIB -> 16:59:30 UTC
    assert raw.frame.loc[4, "_submitted_at"] == utc("2016-07-19 17:04:30")
    assert raw.frame.loc[4, "_started_at"] == utc("2016-07-19 16:59:30")
    assert list(raw.frame["_duration_seconds"]) == [39.0, 300.0]
    assert any("legacy" in note for note in raw.notes)


def test_qualtrics_missing_import_id_row_is_repaired_and_noted():
    raw = read_qualtrics(FIXTURES / "qualtrics_no_importid.csv", timezone="Asia/Jakarta")
    assert list(raw.frame.index) == [3, 4, 5]  # no response lost
    assert raw.frame.loc[3, "ResponseId"] == "R_2YPOQ602ER1jkf1"
    assert raw.frame.loc[3, "_submitted_at"] == utc("2026-09-27 01:06:46")  # 08:06:46 WIB
    assert any("row 3 holds a response, not the ImportId row" in note for note in raw.notes)


def test_qualtrics_truncated_last_line():
    path = FIXTURES / "qualtrics_truncated.csv"
    with raises("has 3 fields but the header has 23; the line is cut off", row=6) as info:
        read_qualtrics(path)
    assert str(info.value).startswith("qualtrics_truncated.csv, row 6:")


def test_qualtrics_file_ending_inside_a_quoted_answer(tmp_path):
    path = copy_fixture("qualtrics_3row.csv", tmp_path, lambda t: t[: t.index("lalu saya")])
    with raises("cannot be split into fields", row=5):
        read_qualtrics(path)


def test_qualtrics_row_3_that_is_neither_import_ids_nor_a_response(tmp_path):
    def spoil(text):
        return text.replace('"{""ImportId"":""status""}"', "status", 1)

    with raises("is not ImportId JSON", row=3, column="Status"):
        read_qualtrics(copy_fixture("qualtrics_3row.csv", tmp_path, spoil))


def test_qualtrics_response_in_row_2_is_refused(tmp_path):
    def drop_rows_2_and_3(text):
        lines = text.split("\r\n")
        return "\r\n".join([lines[0], *lines[3:]])

    with raises("question texts in row 2", row=2, column="ResponseId"):
        read_qualtrics(copy_fixture("qualtrics_3row.csv", tmp_path, drop_rows_2_and_3))


def test_qualtrics_header_rows_without_responses(tmp_path):
    path = copy_fixture("qualtrics_3row.csv", tmp_path, lambda t: "\r\n".join(t.split("\r\n")[:3]))
    with raises("header rows but no responses", row=4):
        read_qualtrics(path)


def test_qualtrics_empty_recipient_email_gives_no_email_role(tmp_path):
    path = copy_fixture(
        "qualtrics_3row.csv", tmp_path, lambda t: t.replace("budi.santoso@example.org", "")
    )
    raw = read_qualtrics(path)
    assert "email" not in raw.roles
    assert any("empty in every row" in note for note in raw.notes)


def test_qualtrics_unknown_time_zone_in_import_row(tmp_path):
    path = copy_fixture("qualtrics_3row.csv", tmp_path, lambda t: t.replace("Asia/Jakarta", "WIB"))
    with raises("not an IANA time zone", row=3, column="RecordedDate"):
        read_qualtrics(path)


# --- KoboToolbox and ODK Central ------------------------------------------------------------


def test_kobo_semicolon_csv_roles_groups_and_select_multiple():
    raw = read_kobo(FIXTURES / "kobo_semicolon.csv")
    assert raw.format == "kobo"
    assert raw.roles == {
        "response_id": "_uuid",
        "submitted_at": "_submitted_at",
        "status": "_validation_status",
        "started_at": "_started_at",
        "duration_seconds": "_duration_seconds",
    }
    frame = raw.frame
    assert list(frame.index) == [2, 3, 4]
    assert frame.loc[2, "identitas/instansi"] == "dinas_kominfo"
    assert frame.loc[2, "sumber_info"] == "instagram situs_web"
    assert list(frame["sumber_info/situs_web"]) == ["1", "0", ""]
    assert frame.loc[4, "_validation_status"] == "Not Approved"
    assert any("3 select_multiple option columns" in note for note in raw.notes)
    assert "read with encoding utf-8, delimiter ';'" in raw.notes


def test_kobo_times_submission_is_utc_and_device_times_use_their_offset():
    frame = read_kobo(FIXTURES / "kobo_semicolon.csv", timezone="Asia/Jakarta").frame
    # _submission_time has no offset and is UTC: read as is, not as Jakarta time
    assert frame.loc[2, "_submitted_at"] == utc("2026-09-27 01:08:02")
    # start 2026-09-27T08:00:05.123+07 -> 01:00:05.123 UTC; end 08:07:35.456+07 -> 450.333 s
    assert frame.loc[2, "_started_at"] == utc("2026-09-27 01:00:05.123")
    assert frame.loc[2, "_duration_seconds"] == pytest.approx(450.333)
    # start 2026-09-27T20:15:00+08:00 -> 12:15 UTC; end 20:20:30+08:00 -> 330 s
    assert frame.loc[3, "_started_at"] == utc("2026-09-27 12:15:00")
    assert frame.loc[3, "_duration_seconds"] == 330.0
    assert str(frame["_started_at"].dtype) == "datetime64[ns, UTC]"


def test_kobo_xlsx_first_sheet_numbers_and_excel_datetimes():
    raw = read_kobo(FIXTURES / "kobo.xlsx")
    frame = raw.frame
    assert list(frame.index) == [2, 3]
    assert frame.loc[2, "identitas/umur"] == "34" and frame.loc[2, "_id"] == "101"
    assert frame.loc[2, "_submission_time"] == "2026-09-27 01:08:02"  # a real Excel datetime
    assert frame.loc[2, "_submitted_at"] == utc("2026-09-27 01:08:02")
    assert frame.loc[3, "_duration_seconds"] == 330.0
    assert frame.loc[3, "_validation_status"] == ""
    assert "repeat-group sheets not read: anggota_keluarga" in raw.notes


def test_kobo_row_with_empty_server_column_is_reported(tmp_path):
    path = copy_fixture(
        "kobo_semicolon.csv",
        tmp_path,
        lambda t: t.replace('"8b1d3e9f-2c4a-4b6e-8f0d-3c9e5a7b2d4f"', '""'),
    )
    with raises("server fills it in every submission", row=3, column="_uuid"):
        read_kobo(path)


def test_kobo_without_system_columns(tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text("start;end;q1\n2026-09-27T08:00:00+07;2026-09-27T08:05:00+07;1\n")
    with raises("has no column _submission_time", row=1, column="_submission_time"):
        read_kobo(path)


def test_kobo_header_only(tmp_path):
    header = (FIXTURES / "kobo_semicolon.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "kobo.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with raises("header row but no submissions", row=2):
        read_kobo(path)


def test_kobo_device_time_that_is_not_iso(tmp_path):
    path = copy_fixture(
        "kobo_semicolon.csv",
        tmp_path,
        lambda t: t.replace("2026-09-28T07:55:00.000+07:00", "28/09"),
    )
    with raises("not an ISO 8601 date and time", row=4, column="start"):
        read_kobo(path)


def test_odk_central_csv():
    raw = read_odk(FIXTURES / "odk_central.csv", timezone="Asia/Jakarta")
    assert raw.format == "odk"
    assert raw.roles == {
        "response_id": "meta-instanceID",
        "submitted_at": "_submitted_at",
        "status": "ReviewState",
        "started_at": "_started_at",
        "duration_seconds": "_duration_seconds",
    }
    frame = raw.frame
    assert list(frame.index) == [2, 3]
    assert frame.loc[2, "identitas-instansi"] == "dinas_kominfo"  # group separator "-"
    assert frame.loc[2, "_submitted_at"] == utc("2026-09-27 01:08:02.517")  # ...Z is UTC
    # start 2026-09-28T06:30:00+07:00 -> 2026-09-27 23:30 UTC; end 06:36:40 -> 400 s
    assert frame.loc[3, "_started_at"] == utc("2026-09-27 23:30:00")
    assert frame.loc[3, "_duration_seconds"] == 400.0
    assert list(frame["ReviewState"]) == ["approved", "hasIssues"]


def test_odk_without_key_column(tmp_path):
    path = tmp_path / "submissions.csv"
    path.write_text("SubmissionDate,q1\n2026-09-27T01:08:02.517Z,1\n")
    with raises("has no column KEY", row=1, column="KEY"):
        read_odk(path)


def test_iso_timestamps_with_and_without_offsets():
    values = pd.Series(
        ["2015-06-02T15:24:29.515+02", "2015-06-02T15:24:29-0500", "2015-06-15T12:14:43", ""],
        index=[2, 3, 4, 5],
    )
    parsed = parse_iso_timestamps(values, "Asia/Jakarta")
    assert parsed[2] == utc("2015-06-02 13:24:29.515")  # +02: minus 2 h
    assert parsed[3] == utc("2015-06-02 20:24:29")  # -05:00: plus 5 h
    assert parsed[4] == utc("2015-06-15 05:14:43")  # no offset: Jakarta local, minus 7 h
    assert pd.isna(parsed[5])


# --- SPSS and Stata -------------------------------------------------------------------------


def test_spss_labels_missing_codes_and_row_numbers():
    raw = read_spss(FIXTURES / "spss.sav", timezone="Asia/Jakarta")
    assert raw.format == "spss"
    assert list(raw.frame.index) == [2, 3, 4]  # case i is row i + 1
    assert raw.question_text == {
        "instansi": "Instansi mana yang Anda nilai?",
        "Q2_1": "Saya percaya pada pelayanan instansi ini",
        "Q2_2": "Informasi dari instansi ini jujur",
    }
    assert raw.value_labels["Q2_1"][-99.0] == "Tidak menjawab"
    assert raw.value_labels["Q2_1"][4.0] == "Setuju"
    assert raw.missing_codes == {"Q2_1": [-99.0], "Q2_2": [98.0]}  # 98 is in the 97-99 range
    assert raw.frame.loc[3, "Q2_1"] == -99.0  # user-missing code kept visible
    assert raw.frame.loc[4, "instansi"] == ""
    assert any("user-missing range 97 to 99" in note for note in raw.notes)


def test_spss_roles_and_times():
    raw = read_spss(FIXTURES / "spss.sav", timezone="Asia/Jakarta")
    assert raw.roles == {
        "submitted_at": "_submitted_at",
        "started_at": "_started_at",
        "duration_seconds": "Duration__in_seconds_",
        "response_id": "ResponseId",
        "finished": "Finished",
    }
    # RecordedDate 2026-09-28 00:30:00 read as Jakarta time -> 2026-09-27 17:30 UTC
    assert raw.frame.loc[3, "_submitted_at"] == utc("2026-09-27 17:30:00")
    assert raw.frame.loc[2, "_started_at"] == utc("2026-09-27 01:00:05")
    assert raw.frame.loc[2, "Duration__in_seconds_"] == 400.0


def test_stata_labels_and_extended_missing():
    raw = read_stata(FIXTURES / "stata.dta")
    assert raw.format == "stata"
    assert list(raw.frame.index) == [2, 3]
    assert raw.question_text == {"percaya": "Saya percaya pada pelayanan instansi ini"}
    assert raw.value_labels["percaya"] == {4: "Setuju", "a": "Tidak menjawab"}
    assert raw.missing_codes == {"percaya": ["a"]}
    assert raw.frame.loc[3, "percaya"] == "a"


def test_non_spss_bytes_with_sav_extension(tmp_path):
    path = tmp_path / "survey.sav"
    path.write_text("Timestamp,Q1\n2026/09/27 3:00:00 PM GMT+7,Setuju\n")
    with raises("cannot be read as an SPSS .sav file"):
        read_spss(path)
    with raises("the extension .sav means an SPSS data file, but the content is delimited text"):
        read_survey(path)


def test_corrupt_stata_file(tmp_path):
    path = tmp_path / "survey.dta"
    path.write_bytes(b"<stata_dta><header>cut")
    with raises("cannot be read as a Stata .dta file"):
        read_stata(path)


def test_spss_file_without_cases(tmp_path):
    path = tmp_path / "empty.sav"
    pyreadstat.write_sav(pd.DataFrame({"Q1": pd.Series([], dtype=float)}), path)
    with raises("no cases", row=2):
        read_spss(path)


# --- Excel ----------------------------------------------------------------------------------


def test_xlsx_table_text_headers_and_rows():
    frame, sheet = read_xlsx_table(FIXTURES / "google_forms.xlsx")
    assert sheet == "Form Responses 1"
    assert list(frame.columns) == [
        "Timestamp",
        "Email Address",
        "Instansi yang Anda nilai",
        "Saya percaya pada instansi ini (1 = sangat tidak setuju)",
        "Umur",
        "Umur 2",
    ]
    assert list(frame.index) == [2, 3, 5]  # the blank row 4 is skipped
    assert frame.loc[2, "Timestamp"] == "2026-09-27 15:00:05"
    assert frame.loc[5, "Timestamp"] == "2026-09-29"  # midnight: the date alone
    assert frame.loc[2, "Umur"] == "34" and frame.loc[2, "Umur 2"] == "35.5"
    assert frame.loc[3, "Umur 2"] == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "TRUE"),
        (4.0, "4"),
        (-0.25, "-0.25"),
        (1.2345678901234567e18, "1.2345678901234568e+18"),
        (dt.datetime(2026, 9, 27, 15, 0, 5, 500000), "2026-09-27 15:00:05.500"),
        (dt.time(8, 30), "08:30:00"),
        ("Setuju", "Setuju"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_google_forms_xlsx_through_read_survey():
    raw = read_survey(FIXTURES / "google_forms.xlsx", timezone="Asia/Jakarta")
    assert raw.format == "google_forms"
    assert raw.roles == {"submitted_at": "_submitted_at", "email": "Email Address"}
    # 2026-09-27 15:00:05 in the Sheet's zone (WIB) -> 08:00:05 UTC
    assert raw.frame.loc[2, "_submitted_at"] == utc("2026-09-27 08:00:05")
    # 2026-09-29 00:00 WIB -> 2026-09-28 17:00 UTC
    assert raw.frame.loc[5, "_submitted_at"] == utc("2026-09-28 17:00:00")


def test_xlsx_with_an_empty_sheet(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with raises('row 1 of sheet "Sheet" is empty', row=1):
        read_xlsx_table(path)


def test_xlsx_without_worksheets(tmp_path):
    source = tmp_path / "one.xlsx"
    openpyxl.Workbook().save(source)
    path = tmp_path / "none.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            zout.writestr(item, data)
    with raises("the workbook has no worksheets"):
        read_xlsx_table(path)


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_text("Timestamp,Q1\n")
    with raises("cannot be opened as an Excel .xlsx workbook"):
        read_xlsx_table(path)
    with raises("the extension .xlsx means a ZIP container"):
        detect_format(path)


def test_xlsx_unknown_sheet_lists_the_sheets():
    with raises('has no sheet "Responses"') as info:
        read_xlsx_table(FIXTURES / "kobo.xlsx", sheet="Responses")
    assert "Survei Kepercayaan Publik, anggota_keluarga" in str(info.value)


def test_xlsx_values_without_header(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Timestamp", None])
    workbook.active.append([dt.datetime(2026, 9, 27), None])
    workbook.active.append([dt.datetime(2026, 9, 28), "stray"])
    path = tmp_path / "stray.xlsx"
    workbook.save(path)
    with raises("column B holds values but has no header", row=3):
        read_xlsx_table(path)


# --- Detection, encodings and the generic reader --------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("qualtrics_3row.csv", "qualtrics"),
        ("qualtrics_legacy.csv", "qualtrics"),
        ("qualtrics_utf16.tsv", "qualtrics"),
        ("kobo_semicolon.csv", "kobo"),
        ("kobo.xlsx", "kobo"),
        ("odk_central.csv", "odk"),
        ("spss.sav", "spss"),
        ("stata.dta", "stata"),
        ("google_forms.xlsx", "google_forms"),
        ("google_forms_bom.csv", "google_forms"),
        ("plain_cp1252.csv", "csv"),
    ],
)
def test_detect_format(name, fmt):
    assert detect_format(FIXTURES / name) == fmt
    assert read_survey(FIXTURES / name, timezone="Asia/Jakarta").format == fmt


def test_google_forms_csv_with_bom_and_indonesian_headers():
    raw = read_survey(FIXTURES / "google_forms_bom.csv", timezone="Asia/Jakarta")
    assert list(raw.frame.columns[:2]) == ["Stempel waktu", "Alamat email"]  # no BOM left
    assert raw.roles == {"submitted_at": "_submitted_at", "email": "Alamat email"}
    # "2026/09/27 3:00:00 PM GMT+7" -> 08:00 UTC; "2026/09/28 7:45:10 AM GMT+8" -> 23:45:10 UTC
    assert raw.frame.loc[2, "_submitted_at"] == utc("2026-09-27 08:00:00")
    assert raw.frame.loc[3, "_submitted_at"] == utc("2026-09-27 23:45:10")
    assert raw.frame.loc[3, "Instansi yang Anda nilai"] == "Dinas Kesehatan, Kota"


def test_plain_windows_1252_semicolon_csv_with_configured_columns():
    raw = read_survey(
        FIXTURES / "plain_cp1252.csv",
        timezone="Asia/Jakarta",
        date_order="auto",
        timestamp_column="Waktu",
        id_column="ID",
    )
    assert raw.format == "csv"
    assert raw.roles == {"response_id": "ID", "submitted_at": "_submitted_at"}
    assert raw.frame.loc[3, "Komentar"] == "Biaya 5 € terlalu mahal – kata Müller"
    assert raw.frame.loc[2, "Komentar"] == "Pelayanan café cukup baik"
    # 27/09/2026 15:00:00 WIB (day first: 27 > 12) -> 08:00 UTC
    assert raw.frame.loc[2, "_submitted_at"] == utc("2026-09-27 08:00:00")
    assert "read with encoding cp1252, delimiter ';'" in raw.notes
    assert any(n.startswith("no export tool recognised (tried google_forms:") for n in raw.notes)


def test_configured_column_that_is_not_in_the_file():
    with raises("the configured timestamp_column is not a header", row=1, column="Waktu "):
        read_survey(FIXTURES / "plain_cp1252.csv", timestamp_column="Waktu ")


def test_duration_column_option_overrides_the_reader_role():
    raw = read_survey(FIXTURES / "kobo_semicolon.csv", duration_column="identitas/umur")
    assert raw.roles["duration_seconds"] == "identitas/umur"
    assert any('instead of "_duration_seconds"' in note for note in raw.notes)
    with raises("the configured duration_column is not a header", row=1, column="durasi"):
        read_survey(FIXTURES / "kobo_semicolon.csv", duration_column="durasi")


def test_options_that_do_not_apply_are_noted():
    raw = read_survey(FIXTURES / "spss.sav", timezone="UTC", date_order="dmy")
    assert "option date_order='dmy' does not apply to spss files; ignored" in raw.notes
    raw = read_survey(FIXTURES / "spss.sav", timezone="UTC", date_order="auto")
    assert not any("does not apply" in note for note in raw.notes)


def test_unknown_option_and_format():
    with raises("unknown reader option time_zone"):
        read_survey(FIXTURES / "spss.sav", time_zone="UTC")
    with raises('unknown survey format "surveymonkey"'):
        read_survey(FIXTURES / "spss.sav", "surveymonkey")


def test_explicit_format_skips_detection():
    raw = read_survey(FIXTURES / "odk_central.csv", "csv", timestamp_column="SubmissionDate")
    assert raw.format == "csv"
    assert raw.frame.loc[2, "_submitted_at"] == utc("2026-09-27 01:08:02.517")


def test_unknown_extension_lists_what_was_tried(tmp_path):
    path = tmp_path / "survey.json"
    path.write_text("{}")
    with raises("is not a survey format this package reads") as info:
        read_survey(path)
    assert ".csv" in str(info.value) and ".sav" in str(info.value)
    old = tmp_path / "survey.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0rest")
    with raises("is not a survey format") as info:
        detect_format(old)
    assert "save an .xls workbook again as .xlsx" in str(info.value)


def test_binary_content_with_csv_extension(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"PK\x03\x04 zipped submissions")
    with raises("the content is a ZIP container"):
        detect_format(path)


def test_empty_file(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"")
    with raises("the file is empty") as info:
        read_survey(path)
    assert str(info.value).startswith("survey.csv")


def test_header_only_plain_csv(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("Nama;Kepuasan\n")
    with raises("header row but no data rows", row=2):
        read_survey(path)


def test_missing_file(tmp_path):
    with raises("the file does not exist"):
        read_survey(tmp_path / "nothing.csv")


def test_timestamps_mixing_iso_offsets_and_local_times():
    values = pd.Series(["2026-09-27T08:00:00Z", "27/09/2026 15:00:00", ""], index=[2, 3, 4])
    parsed = parse_timestamps(values, "Asia/Jakarta", "auto")
    assert parsed[2] == utc("2026-09-27 08:00:00")
    assert parsed[3] == utc("2026-09-27 08:00:00")  # 15:00 WIB
    assert pd.isna(parsed[4])
