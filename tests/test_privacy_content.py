"""Identifiers found by content in every kept column never reach processed data or the ledger.

Each case writes a small Google Forms export of the demo study (headers from the demo config,
as in ``test_bad_inputs.py``) with identifiers typed where they do not belong, cleans it, and
looks for the identifiers in what cleaning keeps: ``responses``, the exclusion ledger, the notes
and ``dropped_columns`` (and, end to end, every file written to ``data/processed/``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.cleaning import privacy
from analysis.cleaning.survey import CleanedSurvey, clean_survey, dropped_identifiers
from analysis.config import Study, load_study
from analysis.errors import InputError
from analysis.io import store
from analysis.io.raw import RawSurvey
from analysis.pipeline import clean_study

from .conftest import DEMO_CONFIG, write_study_config
from .test_bad_inputs import GENDER, survey_rows

DEMOGRAPHICS = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))["demographics"]
AGE = "Usia (tahun)"
NAME = "Budi Santoso"
PHONE = "+62 812 3456 7890"
EMAIL = "budi.santoso@contoh.id"
NAMES = [
    "Siti Rahayu",
    "Budi Santoso",
    "Dewi Lestari",
    "I Gede Made Putra",
    "Agus Salim",
    "Nur Aini",
    "Rizky Pratama",
    "Putu Ayu Wulandari",
]


def write_export(folder: Path, rows_edit=None, n: int = 8, **changes) -> Study:
    """The demo study in ``folder`` with an ``n``-respondent export, after ``rows_edit``."""
    study = load_study(write_study_config(folder, **changes))
    rows = survey_rows(study, n)
    if rows_edit is not None:
        rows_edit(study, rows)
    path = study.resolve(study.survey[0].path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
    return study


def with_demographic(column: str, id_: str) -> list[dict]:
    """The demo's demographics plus a category one named ``id_`` on ``column``."""
    return [*DEMOGRAPHICS, {"id": id_, "column": column, "type": "category"}]


def kept_text(cleaned: CleanedSurvey) -> str:
    """Everything cleaning keeps, as one text."""
    frames = [cleaned.responses, cleaned.exclusions, cleaned.flags, cleaned.dropped_columns]
    return "\n".join([*(f.to_csv(index=False) for f in frames), *cleaned.notes])


def typed_into_gender(study: Study, rows: list[dict]) -> None:
    rows[1][GENDER] = NAME  # spreadsheet row 3
    rows[3][GENDER] = PHONE  # spreadsheet row 5


def test_identifiers_typed_into_a_category_are_suppressed_and_counted(tmp_path):
    cleaned = clean_survey(write_export(tmp_path, typed_into_gender))
    gender = cleaned.responses.set_index("source_row")["gender"]
    assert gender[[3, 5]].isna().all()
    assert gender.drop([3, 5]).eq("Perempuan").all()
    text = kept_text(cleaned)
    assert NAME not in text and privacy.scan_text(text) == []
    assert "Santoso" not in text and "3456" not in text
    assert any(
        '2 cells of column "Jenis kelamin"' in note and "phone number" in note and "name" in note
        for note in cleaned.notes
    )
    assert GENDER not in set(cleaned.dropped_columns["column"])


def test_a_phone_typed_into_a_number_demographic_is_suppressed(tmp_path):
    def edit(study, rows):
        rows[2][AGE] = "081234567890"

    cleaned = clean_survey(write_export(tmp_path, edit))
    age = cleaned.responses.set_index("source_row")["age"]
    assert pd.isna(age[4]) and age[2] == 30
    assert any('1 cell of column "Usia (tahun)"' in note for note in cleaned.notes)
    assert "1234567890" not in kept_text(cleaned)


def test_dropped_columns_list_only_what_was_dropped(tmp_path):
    cleaned = clean_survey(write_export(tmp_path, typed_into_gender))
    dropped = cleaned.dropped_columns.set_index("column")["reason"].to_dict()
    assert dropped == {
        "Alamat email": "name looks like email",
        "Nama lengkap": "configured",
        "Nomor HP/WhatsApp": "configured",
    }


def test_the_exports_email_column_is_listed_whatever_its_header(tmp_path):
    study = load_study(write_study_config(tmp_path))
    frame = pd.DataFrame(
        {"RecipientEmail": [EMAIL], GENDER: [PHONE], "Catatan": ["Baik"], "Kontak": [PHONE]}
    )
    raw = RawSurvey(frame, tmp_path / "x.csv", "qualtrics", roles={"email": "RecipientEmail"})
    dropped = dropped_identifiers(study, study.survey[0], raw)
    assert dropped.set_index("column")["reason"].to_dict() == {
        "RecipientEmail": "the export's email column",
        "Kontak": "content has phone",
    }


def test_ledger_details_never_copy_consent_or_attention_answers(tmp_path):
    def edit(study, rows):
        rows[0][study.screening.consent.column] = f"Tidak, hubungi {EMAIL}"
        rows[1][study.screening.consent.column] = ""
        rows[2][study.screening.attention_checks[0].column] = "Setuju, wa 081298765432"

    cleaned = clean_survey(write_export(tmp_path, edit))
    ledger = cleaned.exclusions.set_index("source_row")
    assert ledger.loc[2, "detail"] == "consent answer not in the accepted list"
    assert ledger.loc[3, "detail"] == "no consent answer"
    assert ledger.loc[4, "reason"] == "attention_check"
    assert ledger.loc[4, "detail"].endswith('answer is not the expected "Setuju"')
    text = kept_text(cleaned)
    assert privacy.scan_text(text) == [] and "hubungi" not in text and "wa 0812" not in text


def test_a_column_of_phones_declared_as_a_demographic_is_an_error(tmp_path):
    study = write_export(
        tmp_path, demographics=with_demographic("Nomor HP/WhatsApp", "contact"), privacy={}
    )
    with pytest.raises(InputError) as error:
        clean_survey(study)
    message = str(error.value)
    assert 'column "Nomor HP/WhatsApp"' in message and "kuesioner_google_forms.csv" in message
    assert "8 of its 8 answers" in message and "phone number" in message
    assert "privacy.identifier_columns" in message and "081234567890" not in message


def test_a_column_of_personal_names_declared_as_a_demographic_is_an_error(tmp_path):
    def edit(study, rows):
        for row, name in zip(rows, NAMES, strict=True):
            row["Nama lengkap"] = name

    study = write_export(
        tmp_path, edit, demographics=with_demographic("Nama lengkap", "nama"), privacy={}
    )
    with pytest.raises(InputError, match="personal name") as error:
        clean_survey(study)
    assert 'column "Nama lengkap"' in str(error.value) and "Siti" not in str(error.value)


def test_free_text_with_phone_numbers_declared_as_a_demographic_is_an_error(tmp_path):
    def edit(study, rows):
        for k, row in enumerate(rows):
            row["Saran"] = f"Mohon informasi jadwal layanan nomor {k} lebih cepat diumumkan"
        rows[5]["Saran"] = "Tolong hubungi saya di 0813-2222-3333 soal pengaduan"

    study = write_export(tmp_path, edit, n=30, demographics=with_demographic("Saran", "saran"))
    with pytest.raises(InputError, match="free text") as error:
        clean_survey(study)
    assert 'column "Saran"' in str(error.value) and "phone number" in str(error.value)


def test_an_identifier_column_declared_as_a_demographic_is_a_conflict(tmp_path):
    study = write_export(tmp_path, privacy={"identifier_columns": [GENDER]})
    with pytest.raises(InputError, match="privacy.identifier_columns") as error:
        clean_survey(study)
    assert 'column "Jenis kelamin"' in str(error.value) and 'demographic "gender"' in str(
        error.value
    )


def test_processed_files_hold_no_identifier_typed_into_answers(tmp_path):
    def edit(study, rows):
        typed_into_gender(study, rows)
        rows[5][study.screening.consent.column] = f"tidak mau, {EMAIL}"

    study = write_export(tmp_path, edit)
    out = clean_study(study, tmp_path / "processed")
    texts = [json.dumps(store.read_summary(out))]
    texts += [store.read_flat(out, name).to_csv() for name in store.FLAT]
    texts.append(store.read_partition(out, "responses").to_csv())
    text = "\n".join(texts)
    assert privacy.scan_text(text) == [] and NAME not in text and "Santoso" not in text


@pytest.mark.parametrize(
    "answers, found",
    [
        (["Perempuan", "Laki-laki", "Budi Santoso", "Perempuan"], {"name": 1}),
        (["I Gede Made Putra", "Perempuan"], {"name": 1}),
        (["Kota Bandung", "Kabupaten Garut", "Perempuan"], {}),
        (["Sangat Setuju", "Sangat Setuju", "Lulusan SMA"], {}),
        (["Laki-laki", "wa 0812-3456-7890", "x@contoh.id", "Budi"], {"phone": 1, "email": 1}),
        (["Dewi Lestari", "Dewi Lestari"], {}),
    ],
)
def test_identifier_cells_by_pattern_and_by_name_shape(answers, found):
    cells = privacy.identifier_cells(pd.Series(answers, dtype="string"))
    assert cells.kinds == found
    assert int(cells.mask.sum()) == sum(found.values())
