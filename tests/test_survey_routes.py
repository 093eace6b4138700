"""Seven export routes, each a small study with its own agency coding, cleaned from the command
line and checked row by row against the truth planted by ``tests/fixtures/routes/make_routes.py``.

Each route folder is copied to a fresh folder (as a new user's clone would hold it) and run
through :func:`analysis.cli.main` with the arguments a researcher types. The expected outcome of
every data row (``analysed`` or its exclusion reason) and the agency it names come from the
generator's ``truth.csv``; the counts per reason are compared first, then each row.

To add a command (``validate``, ``batch``), call :func:`run` with it on a :func:`fresh_copy` of
a route (or on ``route.folder``, already cleaned) and check its outcome next to
:func:`test_clean_matches_the_planted_truth`.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from analysis.cleaning.privacy import scan_text
from analysis.cli import main
from analysis.io import store

from .conftest import PROJECT

ROUTES_DIR = PROJECT / "tests" / "fixtures" / "routes"
ROUTES = sorted(p.name for p in ROUTES_DIR.iterdir() if (p / "config.yml").is_file())


def run(folder: Path, command: str, *extra: str) -> tuple[int, str, str]:
    """``python -m analysis <command> --config config.yml ...`` on ``folder``, in process.

    Returns the exit status, stdout and stderr.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([command, "--config", str(folder / "config.yml"), *extra])
    return status, out.getvalue(), err.getvalue()


def fresh_copy(name: str, parent: Path) -> Path:
    """A copy of one route's folder (export, config.yml, truth.csv), as a new clone holds it."""
    folder = parent / name
    shutil.copytree(ROUTES_DIR / name, folder)
    return folder


class Cleaned(NamedTuple):
    """One route after ``clean``: its folder, the command's outcome and what it wrote."""

    folder: Path
    status: int
    out: str
    err: str
    tables: dict


@pytest.fixture(scope="module", params=ROUTES)
def route(request, tmp_path_factory) -> Cleaned:
    """A fresh copy of one route, cleaned with ``clean --processed-dir <folder>/processed``."""
    folder = fresh_copy(request.param, tmp_path_factory.mktemp("route"))
    status, out, err = run(folder, "clean", "--processed-dir", str(folder / "processed"))
    tables = {}
    if status == 0:
        processed = folder / "processed"
        tables = {
            "exclusions": store.read_flat(processed, "exclusions"),
            "responses": store.read_partition(processed, "responses"),
            "dropped_columns": store.read_flat(processed, "dropped_columns"),
            "summary": store.read_summary(processed),
        }
    return Cleaned(folder, status, out, err, tables)


def test_seven_routes_are_fixtures():
    assert ROUTES == [
        "forms_csv_en",
        "forms_csv_id",
        "forms_xlsx",
        "kobo",
        "qualtrics_numeric",
        "semicolon_bom",
        "spss",
    ]


def test_clean_matches_the_planted_truth(route):
    assert route.status == 0, route.err
    assert "processed data written" in route.out
    truth = pd.read_csv(route.folder / "truth.csv", dtype={"agency_id": "string"})
    ledger, responses = route.tables["exclusions"], route.tables["responses"]
    # counts per reason: the generator's plan, counted by hand in its module docstring
    expected = truth.loc[truth["expected"] != "analysed", "expected"].value_counts().to_dict()
    assert ledger["reason"].value_counts().to_dict() == expected
    assert len(responses) == (truth["expected"] == "analysed").sum()
    # row by row: every data row analysed or excluded for its planted reason
    outcome = dict(zip(ledger["source_row"], ledger["reason"], strict=True))
    outcome.update(dict.fromkeys(responses["source_row"], "analysed"))
    truth["got"] = truth["source_row"].map(outcome)
    wrong = truth[truth["got"] != truth["expected"]]
    assert wrong.empty, wrong.to_string()
    # the agency each row names, in the ledger and in responses
    agency = dict(zip(ledger["source_row"], ledger["agency_id"], strict=True))
    agency.update(zip(responses["source_row"], responses["agency_id"], strict=True))
    found = truth["source_row"].map(agency).astype("string")
    assert found.fillna("").tolist() == truth["agency_id"].fillna("").tolist()
    assert route.tables["summary"]["warnings"] == []


def test_nothing_identifying_reaches_processed_data(route):
    assert route.status == 0, route.err
    text = route.tables["responses"].to_csv() + route.tables["exclusions"].to_csv()
    assert scan_text(text) == []
    dropped = set(route.tables["dropped_columns"]["column"])
    assert not dropped & set(route.tables["responses"].columns)


def test_python_m_analysis_clean_runs_from_a_fresh_folder(tmp_path):
    folder = fresh_copy("kobo", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "clean", "--config", "config.yml"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "data" / "processed" / "kobo" / "clean.json").is_file()


def test_generator_writes_the_committed_files(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROUTES_DIR))
    try:
        import make_routes
    finally:
        sys.path.remove(str(ROUTES_DIR))
    monkeypatch.setattr(make_routes, "HERE", tmp_path)
    for write in make_routes.ROUTES.values():
        write()
    for name in ROUTES:
        for path in (tmp_path / name).iterdir():
            committed = ROUTES_DIR / name / path.name
            if path.suffix in (".csv", ".yml"):  # binary files carry write times
                assert path.read_bytes() == committed.read_bytes(), committed
