"""A corpus of bad inputs, each with its expected outcome.

Every case builds one bad file (or config) in a fresh folder and runs what a researcher would
run on it: :func:`analysis.cleaning.clean_survey` for survey exports (through a study config),
:func:`analysis.io.detect.read_survey` or :func:`analysis.io.platforms.read_posts` for single
files, :func:`analysis.config.load_study` for configs. The outcome is one of

* an :class:`~analysis.errors.InputError` / :class:`~analysis.errors.ConfigError` whose message
  names the file, the row and the column where they exist and says what was expected (the
  ``says`` substrings), never a bare ``KeyError``/``ValueError``/``UnicodeDecodeError``/
  ``ParserError`` and never a silent drop;
* ``"repair"``: the input is read, and the repair is recorded in the reader's ``notes`` or the
  exclusion ledger (the ``says`` substrings are looked up there) and checked by ``check``.

Google Forms cases start from a small export matching the demo config's headers (built from the
config as in ``test_accounting_properties.py``); other formats start from the verified fixtures
in ``tests/fixtures/surveys`` and ``tests/fixtures/platforms``. Cases marked ``xfail`` document a
known bug in a module owned elsewhere; the reason says what is wrong. To look at the files, run
``.venv/bin/python tests/fixtures/bad/write_corpus.py OUT_DIR``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from analysis.cleaning.survey import CleanedSurvey, clean_survey
from analysis.config import Study, load_study
from analysis.errors import ConfigError, InputError
from analysis.io.posts.platforms import read_posts
from analysis.io.raw import RawSurvey
from analysis.io.survey.detect import read_survey

from .conftest import DEMO_CONFIG, PROJECT, write_study_config

SURVEYS = PROJECT / "tests" / "fixtures" / "surveys"
PLATFORMS = PROJECT / "tests" / "fixtures" / "platforms"
DEMO_TEXT = DEMO_CONFIG.read_text(encoding="utf-8")

FREQ = ["Tidak Pernah", "Jarang", "Kadang-kadang", "Sering", "Selalu"]
AGREE = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]
AGENCY = "Instansi yang Anda nilai"
AGE = "Usia (tahun)"
GENDER = "Jenis kelamin"
DURATION = "Durasi pengisian (detik)"
TIMESTAMP = "Stempel waktu"


class Setup(NamedTuple):
    """What a case builder returns: the action to run and the bad file it reads."""

    run: Callable[[], object]
    file: Path


class Case(NamedTuple):
    """One bad input: how to make it, what must happen, and what the message must say."""

    id: str
    make: Callable[[Path], Setup]
    expect: type[InputError] | str  # InputError, ConfigError or "repair"
    says: tuple[str, ...]
    check: Callable[[object], None] | None = None
    xfail: str | None = None


# --- builders: Google Forms export of the demo study -----------------------------------------


def demo_study(folder: Path, **changes) -> Study:
    """The demo config copied into ``folder`` (its ``root``), with top-level ``changes``."""
    return load_study(write_study_config(folder, **changes))


def survey_rows(study: Study, n: int = 3) -> list[dict[str, str]]:
    """``n`` valid respondents with the demo form's headers; row k is spreadsheet row k + 2."""
    rows = []
    for k in range(n):
        row = {
            TIMESTAMP: f"{k + 1:02d}/09/2026 10:00:00",
            "Alamat email": f"responden{k}@contoh.id",
            study.screening.consent.column: "Ya, saya bersedia",
            "Nama lengkap": "Budi",
            "Nomor HP/WhatsApp": "081234567890",
            AGENCY: study.agencies[k % len(study.agencies)].name,
            AGE: str(30 + k),
            GENDER: "Perempuan",
            study.multi_select[0].column: "Instagram",
        }
        for construct in study.constructs:
            labels = FREQ if construct.scale == "freq5_id" else AGREE
            for j, item in enumerate(construct.items):
                row[item.column] = labels[(k + j) % len(labels)]
            if construct.id == "pu":
                row[study.screening.attention_checks[0].column] = "Setuju"
        row[DURATION] = str(300 + k)
        rows.append(row)
    return rows


def item_column(study: Study, item_id: str) -> str:
    return next(i.column for c in study.constructs for i in c.items if i.id == item_id)


def google_forms(
    edit: Callable[[Study, list[dict]], None] | None = None,
    text: Callable[[str], str] | None = None,
    data: Callable[[bytes], bytes] | None = None,
    sep: str = ",",
    **changes,
) -> Callable[[Path], Setup]:
    """Builder: the demo study with a 3-respondent Google Forms CSV, then cleaned.

    ``edit(study, rows)`` changes answers, ``text(csv)`` the CSV text and ``data(bytes)`` the
    file's bytes; ``sep`` is the delimiter; ``changes`` are top-level config changes.
    """

    def make(folder: Path) -> Setup:
        study = demo_study(folder, **changes)
        rows = survey_rows(study)
        if edit is not None:
            edit(study, rows)
        content = pd.DataFrame(rows).to_csv(index=False, sep=sep, lineterminator="\n")
        content = text(content) if text is not None else content
        raw = data(content.encode("utf-8")) if data is not None else content.encode("utf-8")
        path = study.resolve(study.survey[0].path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        return Setup(lambda: clean_survey(study), path)

    return make


def answer(column: str | Callable[[Study], str], row: int, value: str):
    """Edit: set ``column`` of spreadsheet ``row`` (2 = first respondent) to ``value``."""

    def edit(study: Study, rows: list[dict]) -> None:
        rows[row - 2][column(study) if callable(column) else column] = value

    return edit


def line(number: int, change: Callable[[str], str]) -> Callable[[str], str]:
    """Text edit: change physical line ``number`` (1-based) of the CSV."""

    def edit(content: str) -> str:
        lines = content.split("\n")
        lines[number - 1] = change(lines[number - 1])
        return "\n".join(lines)

    return edit


def rename_header(old: str, new: str) -> Callable[[str], str]:
    return line(1, lambda header: header.replace(old, new, 1))


def drop_fields_after(count: int) -> Callable[[str], str]:
    """Cut a CSV line after ``count`` fields (an interrupted download)."""
    return lambda text: ",".join(text.split(",")[:count])


def mixed_encoding(raw: bytes) -> bytes:
    """Row 3's en dash written as the Windows-1252 byte 0x96 in an otherwise UTF-8 file."""
    dash = "\u2013".encode()
    assert raw.count(dash) == 1
    return raw.replace(dash, b"\x96")


def utf16_without_bom(raw: bytes) -> bytes:
    return raw.decode("utf-8").encode("utf-16-le")


def with_duplicate_gender(content: str) -> str:
    """Append a second "Jenis kelamin" column, as a form with a repeated question title has."""
    lines = content.rstrip("\n").split("\n")
    lines = [lines[0] + "," + GENDER] + [row + ",Laki-laki" for row in lines[1:]]
    return "\n".join(lines) + "\n"


def with_weights(*weights: str) -> Callable[[Study, list[dict]], None]:
    def edit(study: Study, rows: list[dict]) -> None:
        for row, weight in zip(rows, weights, strict=True):
            row["Bobot"] = weight

    return edit


DEMO = yaml.safe_load(DEMO_TEXT)
WEIGHTED_SURVEY = [dict(DEMO["survey"][0], weight_column="Bobot")]
SECOND_GENDER = [*DEMO["demographics"], {"id": "gender2", "column": f"{GENDER} 2"}]

# --- builders: other survey formats, with a small study of their own -------------------------


def small_study(folder: Path, path: str, items: list[str], fmt: str = "auto", **source) -> Study:
    """The demo agencies with one survey file ``path`` whose ``items`` form one agree5 scale.

    Rows belong to the first agency unless ``agency_column`` is given; only the rules that apply
    to any format are on (consent, attention, duplicate and speeder rules are off).
    """
    survey = {"path": path, "format": fmt, **source}
    survey.setdefault("agency", None if "agency_column" in source else "diskominfo-sukamaju")
    survey = {k: v for k, v in survey.items() if v is not None}
    construct = {
        "id": "trust",
        "label": {"id": "Kepercayaan", "en": "Trust"},
        "scale": "agree5_id",
        "items": [{"id": f"trust{k + 1}", "column": c} for k, c in enumerate(items)],
    }
    off = {"action": "off"}
    return demo_study(
        folder,
        survey=[survey],
        constructs=[construct],
        demographics=[],
        multi_select=[],
        screening={"duplicates": off, "speeders": off, "straightlining": off, "careless": off},
        privacy={"identifier_columns": []},
        engagement=[],
        hypotheses=[],
    )


def survey_file(
    name: str, items: list[str], write: Callable[[Path], None], fmt: str = "auto", **source
) -> Callable[[Path], Setup]:
    """Builder: ``write(path)`` makes the file ``data/<name>``, then the small study is cleaned."""

    def make(folder: Path) -> Setup:
        study = small_study(folder, f"data/{name}", items, fmt, **source)
        path = study.resolve(f"data/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
        return Setup(lambda: clean_survey(study), path)

    return make


def read_file(name: str, write: Callable[[Path], None], **options) -> Callable[[Path], Setup]:
    """Builder: ``write(path)`` makes the file ``name``, then :func:`read_survey` reads it."""

    def make(folder: Path) -> Setup:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        write(path)
        return Setup(lambda: read_survey(path, **options), path)

    return make


def from_fixture(name: str, edit: Callable[[str], str] | None = None) -> Callable[[Path], None]:
    """Writer: a survey fixture's text (line ends kept), optionally changed by ``edit``."""

    def write(path: Path) -> None:
        content = (SURVEYS / name).read_bytes().decode("utf-8")
        path.write_bytes((edit(content) if edit else content).encode("utf-8"))

    return write


def text_file(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, encoding="utf-8")


def bytes_file(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def delete_line(number: int) -> Callable[[str], str]:
    def edit(content: str) -> str:
        lines = content.split("\n")
        del lines[number - 1]
        return "\n".join(lines)

    return edit


def drop_column(name: str) -> Callable[[str], str]:
    """Remove a column from a CSV without quoted commas (the ODK fixture)."""

    def edit(content: str) -> str:
        lines = content.split("\n")
        position = lines[0].split(",").index(name)
        return "\n".join(
            ",".join(f for k, f in enumerate(row.split(",")) if k != position) if row else row
            for row in lines
        )

    return edit


def spss(q1: list[float], **meta) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame = pd.DataFrame(
            {
                "ResponseId": [f"R_{k}bcdefgh12" for k in range(len(q1))],
                "Q1": q1,
                "Q2": [4.0] * len(q1),
            }
        )
        pyreadstat.write_sav(frame, path, **meta)

    return write


def workbook(*sheets: tuple[str, list[list]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(path)

    return write


def zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("jawaban.csv", "Q1\nSetuju\n")


AGREE_SAV_LABELS = {1.0: "Sangat tidak setuju", 3.0: "Netral", 5.0: "Sangat setuju"}
PLAIN_CSV = "ResponseId,Q1,Q2\nR_abcdefgh12,Setuju,Netral\n"

# --- builders: configs -----------------------------------------------------------------------


def config_text(
    old: str, new: str, encoding: str = "utf-8", *, count: int = 1
) -> Callable[[Path], Setup]:
    """Builder: demo.yml with ``old`` replaced by ``new`` (must occur), then loaded."""

    def make(folder: Path) -> Setup:
        assert old in DEMO_TEXT, f"demo.yml changed: {old!r} not found"
        path = folder / "config" / "study.yml"
        path.parent.mkdir(parents=True)
        path.write_bytes(DEMO_TEXT.replace(old, new, count).encode(encoding))
        return Setup(lambda: load_study(path), path)

    return make


def demo_line(text: str) -> int:
    """1-based line of demo.yml that is exactly ``text``."""
    return DEMO_TEXT.splitlines().index(text) + 1


ALPHA_LINE = demo_line("  alpha: 0.05")
TITLE_LINE = demo_line("  title:")

# --- builders: platform exports --------------------------------------------------------------


def post_export(
    fixture: str, edit: Callable[[str], str], platform: str, **options
) -> Callable[[Path], Setup]:
    """Builder: a platform fixture changed by ``edit``, read with :func:`read_posts`."""

    def make(folder: Path) -> Setup:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / fixture
        content = (PLATFORMS / fixture).read_bytes().decode("utf-8-sig")
        path.write_bytes(edit(content).encode("utf-8"))
        return Setup(
            lambda: read_posts(path, platform=platform, agency_id="dinas-x", **options), path
        )

    return make


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(content: str) -> str:
        assert old in content, f"fixture changed: {old!r} not found"
        return content.replace(old, new, 1)

    return edit


# --- builders: files that are not what they claim (safety limits) --------------------------


def posts_file(name: str, write: Callable[[Path], None]) -> Callable[[Path], Setup]:
    """Builder: ``write(path)`` makes ``name``, then :func:`read_posts` reads it as X posts."""

    def make(folder: Path) -> Setup:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        write(path)
        return Setup(lambda: read_posts(path, platform="x", agency_id="dinas-x"), path)

    return make


def link_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def linked_copy(text: str) -> Callable[[Path], None]:
    """Writer: the file is a symbolic link to a copy of ``text`` in a sibling folder."""

    def write(path: Path) -> None:
        real = path.parent / "asli" / path.name
        real.parent.mkdir()
        real.write_text(text, encoding="utf-8")
        path.symlink_to(real)

    return write


def one_line(megabytes: int, header: str = "") -> Callable[[Path], None]:
    """Writer: ``header`` and then one line of ``megabytes`` MiB without a line break."""
    chunk = b"Setuju," * (1 << 14)
    return lambda path: path.write_bytes(header.encode() + chunk * (megabytes * 9))


def zip_member(declared: int | None = None, zeros: int = 0) -> Callable[[Path], None]:
    """Writer: an .xlsx-named ZIP whose sheet holds ``zeros`` NUL bytes, or a few bytes whose
    declared size is patched to ``declared`` (a zip bomb's headers, without its bulk)."""

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * zeros or b"<x/>")
        if declared is not None:
            data = bytearray(path.read_bytes())
            central = data.index(b"PK\x01\x02")
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
            path.write_bytes(bytes(data))

    return write


# --- checks for repairs ----------------------------------------------------------------------


def responses_equal(column: str, values: list) -> Callable[[CleanedSurvey], None]:
    def check(cleaned: CleanedSurvey) -> None:
        got = cleaned.responses.sort_values("source_row")[column].astype(object)
        assert [None if pd.isna(v) else v for v in got] == values

    return check


def analysed_rows(rows: list[int]) -> Callable[[CleanedSurvey], None]:
    def check(cleaned: CleanedSurvey) -> None:
        assert sorted(cleaned.responses["source_row"]) == rows

    return check


def age_of_row(row: int, age: float) -> Callable[[CleanedSurvey], None]:
    def check(cleaned: CleanedSurvey) -> None:
        assert cleaned.responses.set_index("source_row").loc[row, "age"] == age

    return check


def multi_select_split(cleaned: CleanedSurvey) -> None:
    first = cleaned.responses.sort_values("source_row").iloc[0]
    ticked = (first["followed__instagram"], first["followed__facebook"], first["followed__other"])
    assert ticked == (1, 1, 0)


def columns_are(names: list[str]) -> Callable[[RawSurvey], None]:
    def check(raw: RawSurvey) -> None:
        assert list(raw.frame.columns) == names

    return check


def qualtrics_first_row(row: int) -> Callable[[CleanedSurvey], None]:
    def check(cleaned: CleanedSurvey) -> None:
        assert cleaned.responses["source_row"].min() == row
        assert cleaned.responses["submitted_at"].notna().all()

    return check


def spss_missing_is_na(cleaned: CleanedSurvey) -> None:
    assert list(cleaned.responses["source_row"]) == [2, 3, 4]
    assert pd.isna(cleaned.responses["trust1"][1]) and cleaned.responses["trust1"][0] == 4


def _mixed_gender(study: Study, rows: list[dict]) -> None:
    rows[0][GENDER] = "Perempuan \u00e9"
    rows[1][GENDER] = "Laki\u2013laki"


TAB_HEADER_COMMAS = (
    "Waktu, tanggal\tNama, lengkap\tSkor\n27/09/2026\tBudi, S.\t4\n28/09/2026\tAni\t5\n"
)

CASES = [
    # --- file-level problems (Google Forms CSV of the demo study) ----------------------------
    Case(
        "empty_file",
        google_forms(data=lambda raw: b""),
        InputError,
        ("kuesioner_google_forms.csv", "the file is empty", "expected a header row"),
    ),
    Case(
        "header_only",
        google_forms(text=lambda content: content.split("\n")[0] + "\n"),
        InputError,
        ("row 2", "has a header row but no responses"),
    ),
    Case(
        "only_a_bom",
        google_forms(data=lambda raw: b"\xef\xbb\xbf"),
        InputError,
        ("the file is empty (it holds only a byte-order mark)", "expected a header row"),
    ),
    Case(
        "tab_file_with_commas_in_answers",
        google_forms(
            answer(lambda s: s.multi_select[0].column, 2, "Instagram, Facebook"), sep="\t"
        ),
        "repair",
        ("delimiter '\\t'",),
        multi_select_split,
    ),
    Case(
        "tab_file_whose_header_has_as_many_commas_as_tabs",
        read_file("skor.csv", text_file(TAB_HEADER_COMMAS)),
        "repair",
        ("delimiter '\\t'",),
        columns_are(["Waktu, tanggal", "Nama, lengkap", "Skor"]),
    ),
    Case(
        "mixed_encoding_one_windows_1252_byte",
        google_forms(_mixed_gender, data=mixed_encoding),
        InputError,
        ("row 3", "not UTF-8", "Windows-1252", "save it again as CSV UTF-8"),
    ),
    Case(
        "utf16_without_bom",
        google_forms(data=utf16_without_bom),
        InputError,
        ("UTF-16 text without a byte-order mark", "save it again as CSV UTF-8"),
    ),
    Case(
        "truncated_last_line",
        google_forms(text=lambda c: line(4, drop_fields_after(5))(c.rstrip("\n"))),
        InputError,
        ("row 4", "fields but the header has", "cut off"),
    ),
    Case(
        "line_with_too_many_fields",
        google_forms(text=line(3, lambda row: row + ",lebih,banyak")),
        InputError,
        ("row 3", "has 28 fields but the header has 26", "the delimiter may be wrong"),
    ),
    Case(
        "unbalanced_quote",
        google_forms(answer(GENDER, 3, "XQX"), text=lambda c: c.replace("XQX", '"Perem puan')),
        InputError,
        ("row 3", "fields but the header has 26", "a quote is unbalanced"),
    ),
    Case(
        "unbalanced_quote_in_the_last_row",
        google_forms(answer(GENDER, 4, "XQX"), text=lambda c: c.replace("XQX", '"Perem puan')),
        InputError,
        ("row 4", "unbalanced"),
    ),
    # --- answers and headers -----------------------------------------------------------------
    Case(
        "unknown_likert_label",
        google_forms(answer(lambda s: item_column(s, "pu1"), 3, "Stuju banget")),
        InputError,
        (
            "row 3",
            'column "Informasi di media sosial instansi membantu',
            '"Stuju banget" is not a label of scale agree5_id',
            'did you mean "Setuju"?',
        ),
    ),
    Case(
        "label_typo_with_extra_punctuation",
        google_forms(answer(lambda s: item_column(s, "pu1"), 3, "  sangat-SETUJU!! ")),
        "repair",
        (),
        responses_equal("pu1", [1.0, 5.0, 3.0]),
    ),
    Case(
        "number_outside_the_scale_as_text",
        google_forms(answer(lambda s: item_column(s, "pu1"), 3, "7")),
        InputError,
        ("row 3", '"7"', "1 to 5"),
    ),
    Case(
        "duplicated_headers_sheets_suffix",
        google_forms(text=with_duplicate_gender, demographics=SECOND_GENDER),
        "repair",
        (),
        responses_equal("gender2", ["Laki-laki"] * 3),
    ),
    Case(
        "config_column_missing_from_file",
        google_forms(text=rename_header(AGE, "Usia (thn)")),
        InputError,
        ("row 1", f'column "{AGE}"', "is not a header of the file", 'did you mean "Usia (thn)"?'),
    ),
    Case(
        "date_that_cannot_be_parsed",
        google_forms(answer(TIMESTAMP, 4, "kemarin sore")),
        InputError,
        ("row 4", f'column "{TIMESTAMP}"', '"kemarin sore" is not a date', "27/09/2026 15:00:00"),
    ),
    Case(
        "timestamp_with_unknown_zone_text",
        google_forms(answer(TIMESTAMP, 3, "27/09/2026 15:00:00 HKT")),
        InputError,
        ("row 3", f'column "{TIMESTAMP}"', "15:00:00 HKT", "GMT+7"),
    ),
    Case(
        "timestamp_with_impossible_offset",
        google_forms(answer(TIMESTAMP, 3, "27/09/2026 15:00:00 GMT+25")),
        InputError,
        ("row 3", f'column "{TIMESTAMP}"', "GMT+25"),
    ),
    Case(
        "non_positive_survey_weight",
        google_forms(with_weights("1,5", "0", "2"), survey=WEIGHTED_SURVEY),
        InputError,
        ("row 3", 'column "Bobot"', '"0" is not a weight: weights must be positive numbers'),
    ),
    Case(
        "unknown_agency_name",
        google_forms(answer(AGENCY, 3, "Dinas Rahasia Negara")),
        "repair",
        ("row 3: unknown_agency",),
        analysed_rows([2, 4]),
    ),
    Case(
        "negative_duration",
        google_forms(answer(DURATION, 3, "-5")),
        InputError,
        ("row 3", f'column "{DURATION}"', '"-5" is a negative completion time', "seconds >= 0"),
    ),
    Case(
        "text_duration",
        google_forms(answer(DURATION, 3, "lima menit")),
        InputError,
        ("row 3", f'column "{DURATION}"', '"lima menit" is not a number', "in seconds"),
    ),
    Case(
        "age_that_is_not_a_number",
        google_forms(answer(AGE, 3, "dua puluh")),
        InputError,
        ("row 3", f'column "{AGE}"', '1 answer is not a number: row 3 "dua puluh"'),
    ),
    Case(
        "age_with_its_unit",
        google_forms(answer(AGE, 3, "31 tahun")),
        "repair",
        (f'column "{AGE}": 1 answer read as the number before their unit (45 tahun); rows 3',),
        age_of_row(3, 31),
    ),
    Case(
        "age_range_without_a_ranges_setting",
        google_forms(answer(AGE, 3, "17-25")),
        InputError,
        ("row 3", f'column "{AGE}"', '1 answer is not a number: row 3 "17-25"', "ranges: midpoint"),
    ),
    # --- SPSS, workbooks and look-alikes -----------------------------------------------------
    Case(
        "spss_out_of_range_answer",
        survey_file(
            "jawaban.sav",
            ["Q1", "Q2"],
            spss([4.0, 7.0, 2.0], variable_value_labels={"Q1": AGREE_SAV_LABELS}),
        ),
        InputError,
        ("jawaban.sav", "row 3", 'column "Q1"', '"7" is not a value of scale agree5_id (1 to 5)'),
    ),
    Case(
        "spss_user_missing_code",
        survey_file(
            "jawaban.sav", ["Q1", "Q2"], spss([4.0, -99.0, 2.0], missing_ranges={"Q1": [-99.0]})
        ),
        "repair",
        (),
        spss_missing_is_na,
    ),
    Case(
        "sav_that_is_really_a_csv",
        survey_file("jawaban.sav", ["Q1", "Q2"], text_file(PLAIN_CSV)),
        InputError,
        ("jawaban.sav", "the extension .sav means an SPSS data file", "content is delimited text"),
    ),
    Case(
        "sav_that_is_really_a_csv_with_explicit_format",
        survey_file("jawaban.sav", ["Q1", "Q2"], text_file(PLAIN_CSV), fmt="spss"),
        InputError,
        ("the extension .sav means an SPSS data file", "content is delimited text"),
    ),
    Case(
        "xlsx_that_is_really_a_csv",
        survey_file("jawaban.xlsx", ["Q1", "Q2"], text_file(PLAIN_CSV)),
        InputError,
        ("jawaban.xlsx", "the extension .xlsx means a ZIP container", "content is delimited text"),
    ),
    Case(
        "xlsx_corrupt_zip",
        survey_file("jawaban.xlsx", ["Q1", "Q2"], bytes_file(b"PK\x03\x04" + b"\x00" * 64)),
        InputError,
        ("cannot be opened as an Excel .xlsx workbook", "save it again as .xlsx"),
    ),
    Case(
        "xlsx_zip_that_is_not_a_workbook",
        survey_file("jawaban.xlsx", ["Q1", "Q2"], zip_without_workbook),
        InputError,
        ("cannot be opened as an Excel .xlsx workbook", "save it again as .xlsx"),
    ),
    Case(
        "xlsx_with_empty_first_sheet",
        survey_file(
            "jawaban.xlsx",
            ["Q1", "Q2"],
            workbook(("Kosong", []), ("Jawaban", [["Q1", "Q2"], ["Setuju", "Netral"]])),
        ),
        InputError,
        ("row 1", 'row 1 of sheet "Kosong" is empty', '"Jawaban"', "move the responses"),
    ),
    Case(
        "old_xls_workbook",
        survey_file("jawaban.xls", ["Q1"], bytes_file(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)),
        InputError,
        ('the extension ".xls" is not a survey format', "save an .xls workbook again as .xlsx"),
    ),
    # --- Qualtrics, KoboToolbox, ODK ---------------------------------------------------------
    Case(
        "qualtrics_missing_importid_row",
        survey_file(
            "qualtrics.csv", ["Q2_1", "Q2_2"], from_fixture("qualtrics_3row.csv", delete_line(3))
        ),
        "repair",
        ("row 3 holds a response, not the ImportId row",),
        qualtrics_first_row(3),
    ),
    Case(
        "qualtrics_row3_neither_importid_nor_response",
        survey_file(
            "qualtrics.csv",
            ["Q2_1"],
            from_fixture("qualtrics_3row.csv", line(3, lambda row: "rusak," * 22)),
        ),
        InputError,
        ("row 3", 'column "StartDate"', "is not ImportId JSON", '{"ImportId":"QID1"}'),
    ),
    Case(
        "qualtrics_legacy_file",
        survey_file("legacy.csv", ["Q2"], from_fixture("qualtrics_legacy.csv")),
        "repair",
        ("legacy Qualtrics export (V1 ... V10 in row 1)", "duration = EndDate - StartDate"),
        qualtrics_first_row(3),
    ),
    Case(
        "qualtrics_legacy_file_without_field_names_row",
        survey_file("legacy.csv", ["Q2"], from_fixture("qualtrics_legacy.csv", delete_line(2))),
        InputError,
        ("row 2", 'column "V1"', "holds a response", "field names", "do not delete the header"),
    ),
    Case(
        "qualtrics_truncated_download",
        survey_file("qualtrics.csv", ["Q2_1"], from_fixture("qualtrics_truncated.csv")),
        InputError,
        ("row 6", "has 3 fields but the header has 23", "download the export again"),
    ),
    Case(
        "kobo_semicolon_without_group_paths",
        survey_file(
            "kobo.csv",
            ["persepsi/percaya_layanan", "persepsi/informasi_jujur"],
            from_fixture("kobo_semicolon.csv", lambda c: c.replace('"persepsi/', '"')),
        ),
        InputError,
        ("row 1", 'column "persepsi/percaya_layanan"', 'did you mean "percaya_layanan"?'),
    ),
    Case(
        "odk_without_submission_date",
        survey_file(
            "odk.csv",
            ["persepsi-percaya_layanan"],
            from_fixture("odk_central.csv", drop_column("SubmissionDate")),
            fmt="odk",
        ),
        InputError,
        ("row 1", 'column "SubmissionDate"', "expected in an ODK Central export"),
    ),
    Case(
        "odk_without_submission_date_detected",
        survey_file(
            "odk.csv",
            ["persepsi-percaya_layanan"],
            from_fixture("odk_central.csv", drop_column("SubmissionDate")),
        ),
        InputError,
        ("row 1", 'column "SubmissionDate"', "looks like an ODK Central export", "KEY"),
    ),
    # --- files that are not what they claim: refused before reading (safety limits) -------
    Case(
        "directory_named_like_a_csv",
        read_file("jawaban.csv", lambda path: path.mkdir()),
        InputError,
        ("jawaban.csv", "is a directory, not a regular file"),
    ),
    Case(
        "link_to_dev_zero",
        read_file("jawaban.csv", link_to("/dev/zero")),
        InputError,
        ("jawaban.csv", "is a device, not a regular file"),
    ),
    Case(
        "posts_link_to_dev_urandom",
        posts_file("tweets.csv", link_to("/dev/urandom")),
        InputError,
        ("tweets.csv", "is a device, not a regular file"),
    ),
    Case(
        "named_pipe",
        read_file("jawaban.csv", lambda path: os.mkfifo(path)),
        InputError,
        ("jawaban.csv", "is a named pipe (FIFO), not a regular file"),
    ),
    Case(
        "symbolic_link_is_read_and_noted",
        read_file("jawaban.csv", linked_copy(PLAIN_CSV)),
        "repair",
        ("jawaban.csv is a symbolic link: read", "asli"),
    ),
    Case(
        "one_endless_line",
        read_file("jawaban.csv", one_line(24)),
        InputError,
        ("jawaban.csv", "row 1", "has a line longer than 1 MiB"),
    ),
    Case(
        "posts_endless_data_line",
        posts_file("tweets.csv", one_line(3, "Tweet id,time\n1,2026-09-27 08:00\n")),
        InputError,
        ("tweets.csv", "row 3", "has a line longer than 1 MiB"),
    ),
    Case(
        "xlsx_that_expands_to_a_gigabyte",
        read_file("jawaban.xlsx", zip_member(declared=1 << 30)),
        InputError,
        ("jawaban.xlsx", "expands to 1,024 MiB when unzipped", "export the responses as CSV"),
    ),
    Case(
        "xlsx_zip_bomb_ratio",
        read_file("jawaban.xlsx", zip_member(zeros=24 << 20)),
        InputError,
        ("jawaban.xlsx", '"xl/worksheets/sheet1.xml" expands', "zip bomb"),
    ),
    Case(
        "header_line_of_delimiters_only",
        read_file("jawaban.csv", text_file(",,,\n" + "Setuju,Netral,1,2,3,4\n" * 1000)),
        InputError,
        ("jawaban.csv", "row 1", "the first line is empty; expected the header row"),
    ),
    # --- study configs -----------------------------------------------------------------------
    Case(
        "config_typo_in_a_key",
        config_text("    scale: freq5_id", "    scael: freq5_id"),
        ConfigError,
        ("study.yml", "constructs[0].scael: unknown key", 'did you mean "scale"?'),
    ),
    Case(
        "config_yaml_syntax_error",
        config_text("  alpha: 0.05", "\talpha: 0.05"),
        ConfigError,
        (f"row {ALPHA_LINE}", "not valid YAML", "indentation"),
    ),
    Case(
        "config_unknown_scale",
        config_text("scale: agree5_id", "scale: agree5_idn"),
        ConfigError,
        ("constructs[1].scale: unknown scale 'agree5_idn'", 'did you mean "agree5_id"?'),
    ),
    Case(
        "config_zone_abbreviation_instead_of_iana_name",
        config_text("  timezone: Asia/Jakarta", "  timezone: WIB"),
        ConfigError,
        ("study.timezone: 'WIB' is not an IANA time zone", "Asia/Jakarta (WIB)"),
    ),
    Case(
        "config_not_utf8",
        config_text("  title:", "  # d\u00e9mo\n  title:", encoding="cp1252"),
        ConfigError,
        (f"row {TITLE_LINE}", "is not UTF-8", "0xe9"),
    ),
    Case(
        "config_unknown_survey_format",
        config_text("format: google_forms", "format: google_form"),
        ConfigError,
        ("survey[0].format", "unknown survey format", 'did you mean "google_forms"?'),
    ),
    Case(
        "config_hypothesis_names_unknown_construct",
        config_text("outcome: trust", "outcome: trsut"),
        ConfigError,
        ("hypotheses[0] (H1) uses 'trsut'", 'did you mean "trust"?'),
    ),
    # --- platform exports --------------------------------------------------------------------
    Case(
        "platform_unparseable_count",
        post_export("meta_instagram.csv", replace('"12,400"', '"12,4k?"'), "instagram"),
        InputError,
        ("row 2", 'column "Views"', '"12,4k?" is not a count', "expected a whole number"),
    ),
    Case(
        "platform_unknown_export_format",
        post_export(
            "meta_instagram.csv", lambda c: "Judul,Tanggal,Suka\nHalo,2026-01-01,3\n", "instagram"
        ),
        InputError,
        ("row 1", "matches no known post export format", "meta_instagram (lacks Post ID"),
    ),
    Case(
        "platform_export_format_name_unknown",
        post_export("meta_instagram.csv", lambda c: c, "instagram", fmt="meta_reels"),
        InputError,
        ('unknown export format "meta_reels"', "known: auto, meta_instagram"),
    ),
    Case(
        "platform_missing_post_id_column",
        post_export(
            "meta_instagram.csv", replace("Post ID,", "ID,"), "instagram", fmt="meta_instagram"
        ),
        InputError,
        ("row 1", 'column "Post ID"', "needs the Post ID column", "accepted headers: Post ID"),
    ),
    Case(
        "platform_excel_mangled_x_id_without_permalink",
        post_export(
            "x_classic.csv",
            replace("https://twitter.com/dukcapil_tm/status/1234567890123456789", ""),
            "x",
        ),
        InputError,
        ("row 2", 'column "Tweet id"', '"1.23457E+18" holds a post ID mangled by Excel'),
    ),
]


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


def _evidence(result: object) -> str:
    """Where a repair must be recorded: the notes and the exclusion ledger."""
    if isinstance(result, CleanedSurvey):
        ledger = [
            f"row {r.source_row}: {r.reason}" for r in result.exclusions.itertuples(index=False)
        ]
        return "\n".join([*result.notes, *ledger])
    if isinstance(result, RawSurvey):
        return "\n".join(result.notes)
    if isinstance(result, pd.DataFrame):
        return "\n".join(f"row {r}: {why}" for r, why in result.attrs.get("skipped_rows", []))
    raise TypeError(type(result))


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: Case, tmp_path):
    setup = case.make(tmp_path)
    if case.expect == "repair":
        result = setup.run()
        evidence = _evidence(result)
        for text in case.says:
            assert text in evidence, f"repair not recorded: {text!r} not in\n{evidence}"
        if case.check is not None:
            case.check(result)
        return
    with pytest.raises(InputError) as info:
        setup.run()
    error = info.value
    assert type(error) is case.expect, f"{type(error).__name__}: {error}"
    message = str(error)
    assert error.path is not None and setup.file.name in message, message
    for text in case.says:
        assert text in message, f"{text!r} not in {message!r}"
    assert "Traceback" not in message


def test_cli_prints_one_clear_error_and_exits_with_status_2(tmp_path):
    bad_config = config_text("scale: agree5_id", "scale: agree5_idn")(tmp_path / "a").file
    unknown_label = google_forms(answer(lambda s: item_column(s, "pu1"), 3, "Stuju banget"))
    unknown_label(tmp_path / "b")
    clean_config = tmp_path / "b" / "config" / "demo.yml"
    for command, config, says in (
        ("validate", bad_config, "unknown scale 'agree5_idn'"),
        ("clean", clean_config, '"Stuju banget" is not a label of scale agree5_id'),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "analysis", command, "--config", str(config)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines[0].startswith("error: ") and len(lines) <= 3, result.stderr
        assert "Traceback" not in result.stderr and says in result.stderr
