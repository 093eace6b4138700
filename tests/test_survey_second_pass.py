"""Issue 9, survey data second pass: each defect on a fixture shaped like the export it came from.

The route studies of ``tests/fixtures/routes`` (planted truth in ``make_routes.py``) and the
verbatim fixtures of ``tests/fixtures/surveys`` are copied into a temporary folder and changed
there (config or file) to show one defect each; expected outcomes are worked out by hand in the
comments.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from analysis.cleaning import privacy
from analysis.cleaning.agencies import answer_key
from analysis.cleaning.survey import clean_survey
from analysis.cli import main
from analysis.config import Screening, load_study
from analysis.config.models import MultiSelect
from analysis.errors import ConfigError, InputError
from analysis.io import store

from .conftest import PROJECT

ROUTES = PROJECT / "tests" / "fixtures" / "routes"
NAMES = ["Santoso", "Rahayu", "Lestari", "Salim", "Pratama", "Wulandari"]
SURVEYS = PROJECT / "tests" / "fixtures" / "surveys"


def route_copy(name: str, folder: Path, **config_changes) -> Path:
    """A copy of a route in ``folder`` with top-level config keys replaced; its config path."""
    target = folder / name
    shutil.copytree(ROUTES / name, target)
    config = yaml.safe_load((target / "config.yml").read_text(encoding="utf-8"))
    config.update(config_changes)
    path = target / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def route_config(name: str) -> dict:
    return yaml.safe_load((ROUTES / name / "config.yml").read_text(encoding="utf-8"))


def outcome(cleaned) -> dict[int, str]:
    """Spreadsheet row -> ``analysed`` or the exclusion reason."""
    found = dict(zip(cleaned.exclusions["source_row"], cleaned.exclusions["reason"], strict=True))
    found.update(dict.fromkeys(cleaned.responses["source_row"], "analysed"))
    return found


# --- 1. agency codes ---------------------------------------------------------------------------


def test_answer_keys_compare_codes_as_numbers_and_text_as_labels():
    # SPSS gives 1.0, a Qualtrics numeric export "1", a config written `survey_value: 1` 1
    assert answer_key(1.0) == answer_key("1") == answer_key(1) == answer_key(" 01 ") == "1"
    assert answer_key("2.5") == "2.5" and answer_key("Dinas  KOMINFO.") == "dinas kominfo"


def test_spss_agency_codes_match_by_value_label(tmp_path):
    study = load_study(route_copy("spss", tmp_path))
    cleaned = clean_survey(study)
    # survei.sav: instansi 1..3 labelled with the agencies' names, 9 "Lainnya"
    truth = pd.read_csv(ROUTES / "spss" / "truth.csv", keep_default_na=False)
    planted = truth.loc[truth["expected"] == "analysed", "agency_id"].value_counts()
    assert cleaned.responses["agency_id"].value_counts().to_dict() == planted.to_dict()
    unknown = cleaned.exclusions[cleaned.exclusions["reason"] == "unknown_agency"]
    planted = truth.loc[truth["expected"] == "unknown_agency", "source_row"]
    assert unknown["source_row"].tolist() == planted.tolist()


def test_a_code_written_as_a_number_matches_spss_and_qualtrics_codes(tmp_path):
    # the same agencies coded 1..3 in both files, named otherwise than the SPSS labels
    agencies = [
        {"id": a["id"], "name": f"Instansi {k}", "survey_value": k}
        for k, a in enumerate(route_config("qualtrics_numeric")["agencies"], start=1)
    ]
    spss = clean_survey(load_study(route_copy("spss", tmp_path / "a", agencies=agencies)))
    qualtrics = load_study(route_copy("qualtrics_numeric", tmp_path / "b", agencies=agencies))
    for cleaned in (spss, clean_survey(qualtrics)):
        # every planted row but the one unknown agency names one of the three
        assert (cleaned.exclusions["reason"] == "unknown_agency").sum() == 1
        assert set(cleaned.responses["agency_id"]) == {a["id"] for a in agencies}


def test_a_code_and_its_label_naming_two_agencies_is_an_error(tmp_path):
    agencies = route_config("spss")["agencies"]
    agencies[1]["survey_value"] = 1  # code 1 is labelled with agencies[0]'s name
    study = load_study(route_copy("spss", tmp_path, agencies=agencies))
    with pytest.raises(InputError, match='names agency "bpbd-gunung" by its code') as error:
        clean_survey(study)
    assert error.value.column == "instansi"


def test_one_answer_naming_two_agencies_is_a_config_error(tmp_path):
    agencies = route_config("kobo")["agencies"]
    # a survey value replaces the name as the agency's answer, so the collision is between
    # one agency's survey value and another's (written differently: keys are folded)
    agencies[2]["survey_value"] = agencies[0]["survey_value"].upper()
    with pytest.raises(ConfigError, match="'dinkes-kab' and 'dispar' are both named"):
        load_study(route_copy("kobo", tmp_path, agencies=agencies))


def test_agencies_may_share_a_name_when_their_survey_values_differ(tmp_path):
    agencies = route_config("kobo")["agencies"]
    agencies[2]["name"] = agencies[0]["name"]
    study = load_study(route_copy("kobo", tmp_path, agencies=agencies))
    assert study.agencies[2].name == study.agencies[0].name


def test_an_agency_without_analysed_rows_is_warned_about(tmp_path, capsys):
    agencies = [*route_config("forms_csv_en")["agencies"], {"id": "fire-dept", "name": "Fire"}]
    config = route_copy("forms_csv_en", tmp_path, agencies=agencies)
    assert main(["clean", "--config", str(config)]) == 0
    summary = store.read_summary(tmp_path / "forms_csv_en" / "data" / "processed" / "forms-csv-en")
    assert summary["warnings"][0] == (
        'agency "fire-dept" has no analysed respondent (0 rows named it); its report cannot be made'
    )
    # the route's one planted unknown agency (truth.csv) is pointed at, with how agencies match
    assert summary["warnings"][1].startswith("1 row named no agency of the study: ")
    assert len(summary["warnings"]) == 2


def test_a_clean_that_analyses_nobody_is_an_error(tmp_path, capsys):
    agencies = [
        {"id": a["id"], "name": f"Instansi {k}", "survey_value": k}
        for k, a in enumerate(route_config("spss")["agencies"], start=5)
    ]
    config = route_copy("spss", tmp_path, agencies=agencies)
    assert main(["clean", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert "processed data written" not in captured.out
    # 35 rows: preview 1, unfinished 2 come first, the other 32 name no agency (codes 1-3, 9)
    assert "no response is left to analyse: 35 rows received" in captured.err
    assert "excluded: preview 1, unfinished 2, unknown_agency 32" in captured.err
    assert "survey_value" in captured.err
    assert not (tmp_path / "spss" / "data" / "processed").exists()


# --- 2. identifiers declared as something else ----------------------------------------------------


def forms_with(tmp_path: Path, column: str, values: list, **config) -> Path:
    """The forms_csv_en route with ``column`` (values per data row) added to its export."""
    path = route_copy("forms_csv_en", tmp_path, **config)
    export = path.parent / "responses.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame[column] = [values[k % len(values)] for k in range(len(frame))]
    frame.to_csv(export, index=False, lineterminator="\n")
    return path


def demographics_plus(route: str, column: str, id_: str, type_: str = "category") -> list:
    return [*route_config(route)["demographics"], {"id": id_, "column": column, "type": type_}]


def test_a_name_column_declared_as_a_demographic_is_an_error(tmp_path):
    # names as people type them: lower case, one word, full names (half look like names)
    first = ["budi", "Siti", "dewi", "Agus", "rizky", "Nur", "putu", "Made", "eka", "Wayan", "ani"]
    pairs = zip(first * 3, NAMES * 6, strict=False)
    names = [f"{a} {b}" if k % 2 else a for k, (a, b) in enumerate(pairs)]
    config = forms_with(
        tmp_path,
        "Full name",
        names,
        demographics=demographics_plus("forms_csv_en", "Full name", "n"),
    )
    with pytest.raises(InputError, match='declares this column as demographic "n"') as error:
        clean_survey(load_study(config))
    assert error.value.column == "Full name"
    assert "privacy.identifier_columns" in error.value.hint


def test_a_column_headed_like_an_identifier_with_unique_answers_is_refused():
    # eight respondents, names no content test recognises (lower case, single words)
    names = pd.Series(["budi", "sri", "dewi", "agus", "rizky", "nur", "putu", "made"])
    with pytest.raises(InputError, match="its header names a name and 8 of its 8 answers"):
        privacy.check_declared_header(
            names, path="f.csv", column="Nama panggilan", declared_as='demographic "x"'
        )
    # the same header over a real question (repeated answers) is kept
    answers = pd.Series(["Ya", "Tidak", "Ya", "Ya", "Tidak", "Ya", "Tidak", "Ya"])
    privacy.check_declared_header(
        answers, path="f.csv", column="Punya WhatsApp?", declared_as='demographic "wa"'
    )


def test_phones_that_lost_their_leading_zero_are_identifiers(tmp_path):
    # a Sheet downloaded as XLSX stores 081234567890 as the number 81234567890
    path = route_copy(
        "forms_xlsx", tmp_path, demographics=demographics_plus("forms_xlsx", "Kontak", "kontak")
    )
    workbook = openpyxl.load_workbook(path.parent / "jawaban.xlsx")
    sheet = workbook.active
    sheet.cell(1, sheet.max_column + 1, "Kontak")
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, sheet.max_column, 81234567000 + row)
    workbook.save(path.parent / "jawaban.xlsx")
    with pytest.raises(InputError, match=r"33 of its 33 answers are identifiers \(33 phone"):
        clean_survey(load_study(path))


def test_an_spss_nik_stored_as_a_number_is_an_identifier(tmp_path):
    path = route_copy(
        "spss", tmp_path, demographics=demographics_plus("spss", "nik", "nik", "number")
    )
    frame, meta = pyreadstat.read_sav(path.parent / "survei.sav", user_missing=True)
    frame["nik"] = [3273012345678900.0 + k for k in range(len(frame))]
    pyreadstat.write_sav(
        frame,
        path.parent / "survei.sav",
        column_labels=meta.column_names_to_labels,
        variable_value_labels=meta.variable_value_labels,
    )
    with pytest.raises(InputError, match=r"35 of its 35 answers are identifiers \(35 NIK"):
        clean_survey(load_study(path))


def test_identifier_cells_of_a_multi_select_question_are_counted_and_never_kept(tmp_path):
    route = route_copy("forms_csv_id", tmp_path)
    export = route.parent / "jawaban.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    column = route_config("forms_csv_id")["multi_select"][0]["column"]
    frame.loc[3, column] = "Instagram, hubungi saya di 0812 3456 7890"  # spreadsheet row 5
    frame.to_csv(export, index=False, lineterminator="\r\n")
    cleaned = clean_survey(load_study(route))
    assert any(f'1 cell of column "{column}" held 1 phone number' in n for n in cleaned.notes)
    row = cleaned.responses.set_index("source_row").loc[5]
    assert pd.isna(row["followed__instagram"]) and pd.isna(row["followed__other"])


# --- 3. Qualtrics previews, spam and unfinished responses ----------------------------------------


def qualtrics_choice_text(folder: Path, **screening) -> Path:
    """A study on the choice-text Qualtrics fixture (Status written as text)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SURVEYS / "qualtrics_choice_text.csv", folder / "export.csv")
    config = {
        "study": {"id": "qt", "title": {"id": "qt", "en": "qt"}},
        "root": ".",
        "agencies": [
            {"id": "dinkes", "name": "Dinas Kesehatan"},
            {"id": "kominfo", "name": "Dinas Komunikasi dan Informatika"},
        ],
        "survey": [{"path": "export.csv", "agency_column": "Q1"}],
        "constructs": [
            {
                "id": "trust",
                "label": {"id": "k", "en": "t"},
                "scale": "agree5_id",
                "items": [{"id": "t1", "column": "Q2_1"}, {"id": "t2", "column": "Q2_2"}],
            }
        ],
        "screening": screening,
    }
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_qualtrics_status_and_progress_are_screened_by_default(tmp_path):
    cleaned = clean_survey(load_study(qualtrics_choice_text(tmp_path)))
    # rows 4..11 of the fixture: Survey Preview, 2x IP Address, Spam, Progress 45 (Finished
    # False), Survey Test, Imported, Progress 80 (Finished False)
    assert outcome(cleaned) == {
        4: "preview",
        5: "analysed",
        6: "analysed",
        7: "spam",
        8: "unfinished",
        9: "preview",
        10: "analysed",
        11: "unfinished",
    }
    details = cleaned.exclusions.set_index("source_row")["detail"]
    assert details[4] == "Status 1 (Survey Preview)" and details[9] == "Status 2 (Survey Test)"
    assert details[8] == "progress 45% (minimum 100%)"


def test_qualtrics_screening_switches(tmp_path):
    config = qualtrics_choice_text(
        tmp_path,
        qualtrics_status={"action": "flag"},
        unfinished={"min_progress": 50},
    )
    cleaned = clean_survey(load_study(config))
    found = outcome(cleaned)
    # previews and spam are kept but flagged; progress 80 >= 50 is kept, 45 is not
    assert [r for r, why in found.items() if why != "analysed"] == [8]
    assert cleaned.flags.set_index("source_row")["reason"].to_dict() == {
        4: "preview",
        7: "spam",
        9: "preview",
    }
    config = qualtrics_choice_text(tmp_path / "off", qualtrics_status={"action": "off"})
    assert outcome(clean_survey(load_study(config)))[4] == "analysed"


def test_an_unknown_qualtrics_status_is_an_error_that_says_how_to_keep_it(tmp_path):
    config = qualtrics_choice_text(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text(export.read_text().replace("Imported", "Umfragevorschau"))
    with pytest.raises(InputError, match='"Umfragevorschau" is not a Qualtrics response') as err:
        clean_survey(load_study(config))
    assert (err.value.row, err.value.column) == (10, "Status")
    assert "qualtrics_status.action: off" in err.value.hint


def test_finished_alone_screens_unfinished_responses(tmp_path):
    config = qualtrics_choice_text(tmp_path)
    export = tmp_path / "export.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, header=None)
    frame.drop(columns=4).to_csv(export, index=False, header=False)  # no Progress column
    found = outcome(clean_survey(load_study(config)))
    assert found[8] == found[11] == "unfinished"


# --- 4. reasons that mean what they say (the Kobo route, row by row in test_survey_routes) -----


def test_identical_straight_liners_of_the_kobo_route_are_straight_lining(tmp_path):
    cleaned = clean_survey(load_study(route_copy("kobo", tmp_path)))
    truth = pd.read_csv(ROUTES / "kobo" / "truth.csv", keep_default_na=False)
    identical = truth.loc[truth["note"].str.startswith("identical"), "source_row"]
    assert len(identical) == 7  # make_routes.kobo: groups of 4 and 3
    assert {outcome(cleaned)[r] for r in identical} == {"straightlining"}
    counts = cleaned.exclusions["reason"].value_counts()
    assert (counts["duplicate"], counts["straightlining"]) == (6, 12)


# --- 5. everyday answers to number questions ----------------------------------------------------


def test_everyday_ages_are_read_and_the_repairs_noted(tmp_path):
    cleaned = clean_survey(load_study(route_copy("forms_csv_id", tmp_path)))
    truth = pd.read_csv(ROUTES / "forms_csv_id" / "truth.csv", keep_default_na=False)
    planted = truth[truth["note"].str.startswith("age written")]
    ages = cleaned.responses.set_index("source_row")["age"]
    for row, note in zip(planted["source_row"], planted["note"], strict=True):
        # the generator's note: "age written '45 tahun', read as 45"
        assert ages[row] == float(note.rsplit(" ", 1)[1]), note
    notes = [n for n in cleaned.notes if 'column "Usia"' in n]
    assert len(notes) == 4  # unit, approximation, range, decade
    assert any("2 answers read as the number before their unit" in n for n in notes)


def test_answers_that_are_not_numbers_stop_cleaning_with_a_count_and_examples(tmp_path):
    config = route_config("forms_csv_id")
    config["demographics"][0].pop("ranges")
    path = route_copy("forms_csv_id", tmp_path, demographics=config["demographics"])
    export = path.parent / "jawaban.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame.loc[[0, 1], "Usia"] = ["tua", "dua puluh"]  # rows 2 and 3
    frame.to_csv(export, index=False, lineterminator="\r\n")
    with pytest.raises(InputError) as error:
        clean_survey(load_study(path))
    # 2 words + the planted range (17-25) and decade (40an) without a ranges setting
    message = str(error.value)
    assert 'column "Usia": 4 answers are not a number: row 2 "tua", row 3 "dua puluh", row ' in (
        message
    )
    assert message.startswith("jawaban.csv, row 2,") and "and 1 more" in message
    assert "ranges: midpoint" in error.value.hint


def test_ranges_as_brackets(tmp_path):
    config = route_config("forms_csv_id")
    config["demographics"][0]["ranges"] = "category"
    path = route_copy("forms_csv_id", tmp_path, demographics=config["demographics"])
    export = path.parent / "jawaban.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    answered = frame.index[frame["Usia"] != ""]
    brackets = ["17-25", "26-35", "36-50", "51-70", "20"]
    frame.loc[answered, "Usia"] = [brackets[k % 5] for k in range(len(answered))]
    frame.to_csv(export, index=False, lineterminator="\r\n")
    study = load_study(path)
    assert study.demographics[0].type == "category"  # a category in hypotheses
    ages = clean_survey(study).responses["age"]
    # every answer is one of the four brackets; "20" is placed in 17-25
    assert set(ages.dropna()) == {"17-25", "26-35", "36-50", "51-70"}


# --- 7. Qualtrics columns by question text --------------------------------------------------------


def test_qualtrics_items_by_question_text_or_by_id_give_the_same_answers(tmp_path):
    by_text = clean_survey(load_study(route_copy("qualtrics_numeric", tmp_path / "a")))
    config = route_config("qualtrics_numeric")
    for k, item in enumerate(config["constructs"][0]["items"], start=1):
        item["column"] = f"Q2_{k}"
    config["demographics"][1]["column"] = "Q5"
    config["screening"]["attention_checks"][0]["column"] = "Q3"
    path = route_copy("qualtrics_numeric", tmp_path / "b", **config)
    by_id = clean_survey(load_study(path))
    pd.testing.assert_frame_equal(
        by_text.responses.drop(columns="respondent_id"),
        by_id.responses.drop(columns="respondent_id"),
    )


def test_a_question_text_shared_by_two_columns_is_refused(tmp_path):
    path = route_copy("qualtrics_numeric", tmp_path)
    export = path.parent / "qualtrics_numeric.csv"
    text = export.read_text(encoding="utf-8")
    export.write_text(text.replace("Berapa usia Anda?", "Jenis kelamin"), encoding="utf-8")
    with pytest.raises(InputError, match=r"question text of several columns \(Q4, Q5\)"):
        clean_survey(load_study(path))


def test_a_misspelt_question_text_gets_a_hint(tmp_path):
    config = route_config("qualtrics_numeric")
    config["demographics"][1]["column"] = "Jenis kelamn"
    path = route_copy("qualtrics_numeric", tmp_path, **config)
    with pytest.raises(InputError, match="not a header") as error:
        clean_survey(load_study(path))
    assert error.value.hint == 'did you mean "Jenis kelamin"?'


# --- 10. multi-select columns named by option; speeders ------------------------------------------


def test_multi_select_columns_are_named_by_option_with_a_mapping(tmp_path):
    route = route_copy("forms_csv_id", tmp_path)
    assert main(["clean", "--config", str(route)]) == 0
    out = tmp_path / "forms_csv_id" / "data" / "processed" / "forms-csv-id"
    responses = store.read_partition(out, "responses")
    columns = [c for c in responses.columns if c.startswith("followed__")]
    assert columns == [
        "followed__instagram",
        "followed__facebook",
        "followed__youtube",
        "followed__situs_web_portal_atau_aplikasi_resmi",
        "followed__other",
    ]
    mapping = json.loads((out / "clean.json").read_text())["multi_select_columns"]["followed"]
    assert mapping["followed__situs_web_portal_atau_aplikasi_resmi"] == (
        "Situs web, portal, atau aplikasi resmi"
    )
    assert mapping["followed__other"] == "(other)"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["Instagram", "instagram!"], "give the same column followed__instagram"),
        (["Instagram", "Other"], 'named like the "other" flag'),
    ],
)
def test_multi_select_options_must_give_distinct_columns(options, says):
    with pytest.raises(ValueError, match=says):
        MultiSelect(id="followed", column="Ikuti", options=options)


def test_min_seconds_alone_is_the_only_speeder_limit():
    # docs/config.md: both limits apply when both are set; each can be set alone
    assert Screening.model_validate({"speeders": {"min_seconds": 60}}).speeders.model_dump() == {
        "action": "exclude",
        "min_seconds": 60.0,
        "min_fraction_of_median": None,
    }
    assert Screening().speeders.min_fraction_of_median == 0.3


def test_docs_config_names_every_key_of_the_survey_side_models():
    from analysis.config import models

    text = (PROJECT / "docs" / "config.md").read_text(encoding="utf-8")
    parts = [
        models.SurveySource,
        models.Agency,
        models.Demographic,
        models.MultiSelect,
        models.Screening,
        models.Privacy,
        models.QualtricsStatusRule,
        models.UnfinishedRule,
        models.SpeederRule,
        models.DuplicateRule,
        models.StraightlineRule,
        models.CarelessRule,
        models.MissingRule,
    ]
    # a key counts as documented when it is a word of some `code` span
    words = {w for span in re.findall(r"`([^`]+)`", text) for w in re.findall(r"\w+", span)}
    missing = [
        f"{part.__name__}.{key}" for part in parts for key in part.model_fields if key not in words
    ]
    assert missing == []
