"""Coding sheets: export -> fill -> import round trip, bad files, shapes for the agreement stats."""

import shutil
from pathlib import Path

import krippendorff
import numpy as np
import openpyxl
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.content import load_codebook
from analysis.content.human_coding import (
    CODES_COLUMNS,
    coder_pairs,
    export_coding_sample,
    import_codes,
    reliability_data,
)
from analysis.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "content"
BAD = FIXTURES / "bad"
HOSTILE = '=HYPERLINK("http://evil.example","klik") <script>alert(1)</script> onerror= javascript:x'


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "agency_posts.csv", dtype=str, keep_default_na=False)


def _fill(sheet_path: Path, coder: str, codes: dict[str, dict[str, str]], out: Path) -> None:
    """Fill an exported sheet as a coder would in a spreadsheet program (openpyxl or csv)."""
    if sheet_path.suffix == ".xlsx":
        book = openpyxl.load_workbook(sheet_path)
        sheet = book["coding"]
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            unit = row[header.index("unit_id")].value
            row[header.index("coder_id")].value = coder
            for category, value in codes[unit].items():
                row[header.index(category)].value = int(value) if value != "" else None
        book.save(out)
    else:
        frame = pd.read_csv(sheet_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame["coder_id"] = coder
        for i, unit in enumerate(frame["unit_id"]):
            for category, value in codes[unit].items():
                frame.loc[i, category] = value
        frame.to_csv(out, index=False, encoding="utf-8-sig")


def test_sample_is_stratified_seeded_and_blind(posts, codebook, tmp_path):
    sample = export_coding_sample(posts, 10, 11, tmp_path / "s.xlsx", codebook=codebook)
    # platforms 10 facebook, 12 instagram, 7 x, 1 youtube; quotas of 10: 3.33, 4, 2.33, 0.33;
    # floors 3, 4, 2, 0, the remaining one to the tied largest remainder first by name
    # (facebook), then youtube's minimum of one taken from the largest (facebook): 3, 4, 2, 1
    assert sample["stratum"].value_counts().to_dict() == {
        "instagram": 4,
        "facebook": 3,
        "x": 2,
        "youtube": 1,
    }
    again = export_coding_sample(posts, 10, 11, tmp_path / "t.csv", codebook=codebook)
    assert again["unit_id"].tolist() == sample["unit_id"].tolist()
    # the committed coder files were exported with this seed
    committed = pd.read_csv(FIXTURES / "coder_ra.csv", dtype=str, encoding="utf-8-sig")
    assert committed["unit_id"].tolist() == sample["unit_id"].tolist()
    other = export_coding_sample(posts, 10, 12, tmp_path / "u.csv", codebook=codebook)
    assert other["unit_id"].tolist() != sample["unit_id"].tolist()
    # no auto-codes are shown: the category columns are empty
    assert (sample[codebook.ids] == "").all().all()


def test_sample_by_category_covers_every_stratum(posts, codebook, tmp_path):
    sample = export_coding_sample(posts, 9, 3, tmp_path / "s.csv", codebook=codebook, by="category")
    # first auto-coded category of each post: 8 strata incl. "uncoded" (p15, p25)
    assert sample["stratum"].nunique() == 8
    assert len(sample) == 9


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_returns_the_filled_codes(posts, codebook, tmp_path, suffix):
    sheet = tmp_path / f"sample{suffix}"
    sample = export_coding_sample(posts, 8, 5, sheet, codebook=codebook, by=None)
    units = sample["unit_id"].tolist()
    rng = np.random.default_rng(0)
    filled = {}
    for coder in ("RA", "DS"):
        codes = {u: {c: str(rng.integers(0, 2)) for c in codebook.ids} for u in units}
        codes[units[0]][codebook.ids[0]] = ""  # one cell left empty: not coded
        filled[coder] = codes
        _fill(sheet, coder, codes, tmp_path / f"{coder}{suffix}")
    result = import_codes(
        [tmp_path / f"RA{suffix}", tmp_path / f"DS{suffix}"], codebook=codebook, sample=sheet
    )
    assert list(result.columns) == list(CODES_COLUMNS)
    assert len(result) == 2 * len(units) * len(codebook.ids)
    for row in result.itertuples():
        written = filled[row.coder_id][row.unit_id][row.category]
        if written == "":
            assert pd.isna(row.code)
        else:
            assert row.code == int(written)
    assert result["code"].isna().sum() == 2
    first = result[(result["coder_id"] == "RA") & (result["unit_id"] == units[1])]
    assert first["source_file"].unique().tolist() == [f"RA{suffix}"]
    assert first["source_row"].nunique() == 1 and int(first["source_row"].iloc[0]) >= 2


def test_markup_and_formulas_are_written_as_plain_text(codebook, tmp_path):
    items = pd.DataFrame(
        {"unit_id": ["c1", "c2"], "platform": ["x", "x"], "text": [HOSTILE, "-1 ok"]}
    )
    export_coding_sample(items, 2, 0, tmp_path / "s.xlsx", codebook=codebook)
    cells = {
        row[1].value: row[3]
        for row in openpyxl.load_workbook(tmp_path / "s.xlsx")["coding"].iter_rows(min_row=2)
    }
    # a text cell, byte for byte: no formula, no escaping
    assert cells["c1"].value == HOSTILE and cells["c1"].data_type == "s"
    export_coding_sample(items, 2, 0, tmp_path / "s.csv", codebook=codebook)
    written = pd.read_csv(tmp_path / "s.csv", dtype=str, encoding="utf-8-sig").set_index("unit_id")
    # OWASP CSV injection: a leading ' keeps =, +, -, @ from starting a formula
    assert written.loc["c1", "text"] == "'" + HOSTILE
    assert written.loc["c2", "text"] == "'-1 ok"
    assert "category" in (tmp_path / "s.instructions.txt").read_text(encoding="utf-8")


def test_committed_coder_files_give_the_shapes_of_the_agreement_stats(codebook, posts):
    codes = import_codes(
        [FIXTURES / "coder_ra.csv", FIXTURES / "coder_ds.csv"],
        codebook=codebook,
        sample=posts["unit_id"],
    )
    table = reliability_data(codes, "service_info")
    # coders x units; DS left p19 empty (NaN)
    assert table.index.tolist() == ["DS", "RA"]
    assert table.shape == (2, 10)
    assert np.isnan(table.loc["DS", "p19"]) and table.loc["RA", "p19"] == 1.0
    # DS codes p06 service_info 1 where RA codes 0; else equal
    assert (table.loc["DS"] != table.loc["RA"]).sum() == 2  # p06 and the NaN of p19
    # the krippendorff package takes the table as reliability_data (coders x units)
    alpha = krippendorff.alpha(reliability_data=table.to_numpy(), level_of_measurement="nominal")
    # by hand (Krippendorff 2011, nominal): 9 pairable units (p19 has one code), n = 18
    # values; ones: RA p24 p01, DS p06 p24 p01 -> n1 = 5, n0 = 13; the one disagreeing unit
    # (p06) gives o01 = o10 = 1, so alpha = 1 - (n - 1)(o01 + o10) / (2 n0 n1) = 1 - 17/65
    assert alpha == pytest.approx(1 - 17 / 65)
    (pair,) = coder_pairs(codes, "service_info")
    assert (pair.coder_a, pair.coder_b) == ("DS", "RA")
    assert pair.rater1.index.equals(pair.rater2.index)
    assert "p19" not in pair.rater1.index and len(pair.rater1) == 9  # both coded: 9 units
    # cohen_kappa(rater1, rater2), by hand: agree on 8 of 9 (p06 differs) -> p_o = 8/9; ones
    # DS 3/9, RA 2/9 -> p_e = 3/9 * 2/9 + 6/9 * 7/9 = 48/81; kappa = (72 - 48) / (81 - 48)
    assert cohen_kappa_score(pair.rater1, pair.rater2) == pytest.approx(24 / 33)


BAD_FILES = {
    "unknown_unit.csv": [
        "unknown_unit.csv, row 4",
        'column "unit_id"',
        '"p99" is not in the exported sample',
    ],
    "unknown_code.csv": [
        "unknown_code.csv, row 3",
        'column "integrity"',
        '"ya" is not a code of category "integrity"',
        "write 1",
    ],
    "duplicate_unit.csv": [
        "duplicate_unit.csv, row 6",
        'coder "RA" codes unit "p12" twice (also in duplicate_unit.csv row 2)',
    ],
    "empty_coder.csv": ["empty_coder.csv, row 5", 'column "coder_id"', "coder_id is empty"],
    "missing_category.csv": [
        "missing_category.csv",
        'column "campaign"',
        "lacks the column 'campaign'",
    ],
    "unknown_column.csv": [
        "unknown_column.csv",
        'column "integritas"',
        "unknown column",
        'did you mean "integrity"?',
    ],
    "header_only.csv": ["header_only.csv", "holds no coded rows"],
}


@pytest.mark.parametrize("name, says", BAD_FILES.items(), ids=list(BAD_FILES))
def test_bad_coding_sheets_are_named(codebook, posts, name, says):
    with pytest.raises(InputError) as caught:
        import_codes(BAD / name, codebook=codebook, sample=posts["unit_id"])
    for part in says:
        assert part in str(caught.value)


def test_the_same_sheet_twice_names_both_files(codebook, posts, tmp_path):
    copy = tmp_path / "coder_ra_copy.csv"
    shutil.copy(FIXTURES / "coder_ra.csv", copy)
    with pytest.raises(InputError, match=r"coder_ra_copy.csv, row 2.*also in coder_ra.csv row 2"):
        import_codes([FIXTURES / "coder_ra.csv", copy], codebook=codebook, sample=posts["unit_id"])


def test_export_refuses_bad_requests(posts, codebook, tmp_path):
    existing = tmp_path / "filled.xlsx"
    existing.write_bytes(b"")
    cases = [
        ({"path": existing}, "never overwritten"),
        ({"path": tmp_path / "s.txt"}, "must be an .xlsx or .csv"),
        ({"n": 0}, "between 1 and 30"),
        ({"n": 31}, "between 1 and 30"),
        ({"by": "agency"}, "unknown stratification 'agency'"),
        ({"items": posts.assign(unit_id="p01")}, 'unit id "p01" is used twice'),
        ({"items": posts.drop(columns="text")}, 'column "text"'),
        ({"items": posts.assign(unit_id=["=1+1"] + posts["unit_id"][1:].tolist())}, "formula"),
    ]
    for changes, says in cases:
        arguments = {"items": posts, "n": 5, "seed": 1, "path": tmp_path / "s.csv"} | changes
        with pytest.raises(InputError, match=says):
            export_coding_sample(**arguments, codebook=codebook)


def test_agreement_shapes_need_import_codes_output(codebook, posts):
    codes = import_codes(FIXTURES / "coder_ra.csv", codebook=codebook, sample=posts["unit_id"])
    with pytest.raises(ValueError, match="no codes of category 'x'"):
        reliability_data(codes, "x")
    with pytest.raises(ValueError, match="pass import_codes output"):
        coder_pairs(codes.drop(columns="code"), "integrity")
    assert coder_pairs(codes, "integrity") == []  # one coder: no pairs
