"""``validate`` reads every source and lists every problem (issue 9, defect 9).

The demo study is valid, and what validate reads matches what ``clean`` read (the processed
``posts`` of the session's demo project, and the survey file counted with ``pandas.read_csv``).
A broken copy with seven planted problems (two configured columns that are not headers, an
agency answer that names no agency, two answers off their scale, two exports that are not post
tables) gets each of them named, and nothing else.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from analysis.cli import main
from analysis.config import load_study, paths
from analysis.io import store
from analysis.pipeline.validate import SAMPLE_ROWS, validate_study

from .conftest import PROJECT
from .fixtures.platforms.make_youtube_zip import chart_data, totals, write_zip

SURVEY = "data/raw/demo/survey/kuesioner_google_forms.csv"
ENGAGEMENT = "data/raw/demo/engagement"
PU2 = "Media sosial instansi membuat saya lebih memahami prosedur layanan."
TRUST1 = "Saya percaya instansi ini memberikan layanan sesuai standar yang dijanjikan."
SMU1 = "Seberapa sering Anda melakukan hal berikut? [Melihat unggahan akun media sosial instansi]"
AGENCY_COLUMN = "Instansi yang Anda nilai"
FORMATS = {
    "instagram_posts.csv": "meta_instagram",
    "facebook_posts.csv": "meta_facebook",
    "youtube_table_data.csv": "youtube_studio",
}
SUKAMAJU = "Dinas Komunikasi dan Informatika Kabupaten Sukamaju"


def _config(project):
    return project / "config" / "demo.yml"


def _survey(project) -> pd.DataFrame:
    return pd.read_csv(project / SURVEY, dtype=str, keep_default_na=False)


def _edit_config(project, edit) -> None:
    path = _config(project)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_demo_study_is_valid_and_read_as_clean_reads_it(demo_project, capsys):
    study = load_study(_config(demo_project))
    assert main(["validate", "--config", str(_config(demo_project))]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[-1] == "valid: no problems found" and err == ""
    # reference: the file's data rows counted by pandas; the agencies named in its first 200
    # rows, mapped by hand from the config's names
    frame = _survey(demo_project)
    names = {a.name: a.id for a in study.agencies}
    assert len({names[a] for a in frame[AGENCY_COLUMN].head(SAMPLE_ROWS) if a in names}) == 10
    assert (
        f"survey {SURVEY} (google_forms): {len(frame):,} rows, first 200 checked; agencies 10 "
        "of 10 matched; items 15 of 15 found"
    ) in lines
    # reference: the posts clean read from each export (processed data of the demo project)
    posts = store.read_partition(paths.processed_dir(study), "posts")
    cleaned = posts.groupby(["source_file", "agency_id"]).size()
    expected = [
        f"engagement {path} ({FORMATS[path.rsplit('/', 1)[1]]}): {n:,} posts of {agency}"
        for (path, agency), n in cleaned.items()
    ]
    assert sorted(line for line in lines if line.startswith("engagement ")) == sorted(expected)
    assert len(expected) == 30


@pytest.fixture()
def broken(fresh_copy):
    """The demo project with seven planted problems and one missing export."""
    frame = _survey(fresh_copy)
    frame.loc[9, AGENCY_COLUMN] = "Dinas Komunikasi dan Informatika Kabupaten Sukamju"
    frame.loc[19, TRUST1] = "Sangat Setju"
    frame.loc[29, SMU1] = "Srg"
    frame.to_csv(fresh_copy / SURVEY, index=False)

    def columns(data):
        data["constructs"][1]["items"][1]["column"] = PU2.rstrip(".")
        data["demographics"][1]["column"] = "Jenis kelamn"

    _edit_config(fresh_copy, columns)
    exports = fresh_copy / ENGAGEMENT
    (exports / "rsud-wanasari" / "youtube_table_data.csv").write_text(chart_data())
    x_export = (PROJECT / "tests" / "fixtures" / "platforms" / "x_new.csv").read_bytes()
    (exports / "bpbd-gunung-arum" / "facebook_posts.csv").write_bytes(x_export)
    (exports / "kpp-sindangreja" / "instagram_posts.csv").unlink()
    return fresh_copy


def test_every_planted_problem_is_named(broken):
    report = validate_study(load_study(_config(broken)))
    problems = [str(p) for p in report.problems]
    expected = [
        # configured columns that are not headers, with the header meant
        f'{SURVEY}, row 1, column "{PU2.rstrip(".")}": the configured column is not a header '
        f'of the file (did you mean "{PU2}"?)',
        f'{SURVEY}, row 1, column "Jenis kelamn": the configured column is not a header of the '
        'file (did you mean "Jenis kelamin"?)',
        # spreadsheet row = data row + 2 (header is row 1)
        f'{SURVEY}, row 11, column "{AGENCY_COLUMN}": "Dinas Komunikasi dan Informatika '
        f'Kabupaten Sukamju" names no agency of the study (1 of 200 checked rows) (did you '
        f'mean "{SUKAMAJU}"?)',
        f'{SURVEY}, row 31, column "{SMU1}": "Srg" is not a label of scale freq5_id',
        f'{SURVEY}, row 21, column "{TRUST1}": "Sangat Setju" is not a label of scale agree5_id '
        '(did you mean "Sangat Setuju"?)',
        f'{ENGAGEMENT}/rsud-wanasari/youtube_table_data.csv, row 1, column "Date": is YouTube '
        "Studio's Chart data.csv or Totals.csv (one row per day), not a youtube_studio post table",
        f"{ENGAGEMENT}/bpbd-gunung-arum/facebook_posts.csv, row 1, column "
        '"Publish time": is not a meta_facebook post table: a meta_facebook export needs the '
        "Publish time column",
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for text in expected:
        assert any(p.startswith(text) for p in problems), f"{text}\nnot in\n" + "\n".join(problems)
    survey = report.sources[0]
    assert (survey.items_found, survey.items, len(survey.agencies)) == (14, 15, 10)
    missing = f"{ENGAGEMENT}/kpp-sindangreja/instagram_posts.csv"
    assert [s.path for s in report.sources if s.missing] == [missing]
    lines = report.lines()
    assert f"engagement {missing}: missing; clean skips it" in lines
    assert lines[-1] == "7 problem(s) found"
    assert f"engagement {ENGAGEMENT}/rsud-wanasari/youtube_table_data.csv: not read" in lines


def test_answers_beyond_the_sample_are_checked_on_request(fresh_copy, capsys):
    frame = _survey(fresh_copy)
    frame.loc[SAMPLE_ROWS + 50, TRUST1] = "Sangat Setju"
    frame.to_csv(fresh_copy / SURVEY, index=False)
    _edit_config(fresh_copy, lambda data: data.update(engagement=[]))  # the survey only
    config = str(_config(fresh_copy))
    assert main(["validate", "--config", config]) == 0
    capsys.readouterr()
    assert main(["validate", "--config", config, "--rows", str(len(frame))]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "1 problem(s) found"
    assert err == (
        f'error: {SURVEY}, row {SAMPLE_ROWS + 52}, column "{TRUST1}": "Sangat Setju" is not a '
        'label of scale agree5_id (did you mean "Sangat Setuju"?)\n'
    )


def test_a_youtube_studio_zip_is_read_as_its_declared_format(fresh_copy):
    agency = fresh_copy / ENGAGEMENT / "dishub-karangsari"
    members = {
        "Table data.csv": (agency / "youtube_table_data.csv").read_bytes(),
        "Chart data.csv": chart_data().encode(),
        "Totals.csv": totals().encode(),
    }
    write_zip(agency / "youtube.zip", members)
    _edit_config(fresh_copy, zipped_youtube)
    study = load_study(_config(fresh_copy))
    report = validate_study(study)
    assert report.ok, [str(p) for p in report.problems]
    found = [s for s in report.sources if s.path.endswith("/youtube.zip")]
    read = [s for s in found if s.read]
    assert [s.path for s in read] == [f"{ENGAGEMENT}/dishub-karangsari/youtube.zip"]
    # reference: the posts clean read from the same Table data.csv as a CSV
    posts = store.read_partition(paths.processed_dir(study), "posts", "dishub-karangsari")
    csv = f"{ENGAGEMENT}/dishub-karangsari/youtube_table_data.csv"
    assert (read[0].format, read[0].rows) == ("youtube_studio", (posts["source_file"] == csv).sum())
    assert len(found) == 10 and sum(s.missing for s in found) == 9


def zipped_youtube(data: dict) -> None:
    """The config's YouTube source reads each agency's ``youtube.zip``."""
    data["engagement"][2]["path"] = f"{ENGAGEMENT}/{{agency}}/youtube.zip"


ROUTES_DIR = PROJECT / "tests" / "fixtures" / "routes"
ROUTES = sorted(p.name for p in ROUTES_DIR.iterdir() if (p / "config.yml").is_file())


@pytest.mark.parametrize("route", ROUTES)
def test_every_export_route_is_valid(route, tmp_path, capsys):
    # each route plants answers for an agency outside the study ("Lainnya", "Other", code 4):
    # a note, since cleaning rightly excludes those rows as unknown_agency
    folder = shutil.copytree(ROUTES_DIR / route, tmp_path / route)
    assert main(["validate", "--config", str(folder / "config.yml")]) == 0
    out, err = capsys.readouterr()
    assert "agencies 3 of 3 matched; items 8 of 8 found" in out and err == ""
    assert "checked rows name no agency of the study" in out


@pytest.mark.parametrize(
    ("renamed", "message"),
    [
        (
            ["UPT Samsat Lembah Hijau"],
            'column "instansi": no checked row names agency samsat-lembah, while 14 name no '
            'agency of the study (answers naming none: "UPT Samsat Lembah Hijau" (13), '
            '"Lainnya" (1);',
        ),
        (
            ["UPT Samsat Lembah Hijau", "BPBD Kabupaten Gunung Arum", "Dinas Perpustakaan"],
            'column "instansi": no checked row names an agency of the study (answers naming '
            'none: "BPBD Kabupaten Gunung Arum" (11)',
        ),
    ],
)
def test_agencies_the_file_names_otherwise_are_a_problem(renamed, message, tmp_path):
    # SPSS codes with value labels: the labels are the agencies' names in the file
    folder = shutil.copytree(ROUTES_DIR / "spss", tmp_path / "spss")
    config = folder / "config.yml"
    text = config.read_text(encoding="utf-8")
    for name in renamed:
        text = text.replace(f"name: {name}", f"name: {name.split()[-1]} (nama lama)")
    config.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_study(load_study(config)).problems]
    assert len(problems) == 1 and problems[0].startswith(f"survei.sav, {message}"), problems
