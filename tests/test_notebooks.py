"""Every notebook runs top to bottom under papermill on the demo study, into a temp folder."""

import json
import shutil

import papermill as pm
import pytest

from analysis.reporting.results import RESULT_COLUMNS, read_results

from .conftest import PROJECT

pytestmark = pytest.mark.notebook
NOTEBOOKS = PROJECT / "notebooks"


def test_clean_notebook_runs_and_shows_the_flow(demo_project, tmp_path):
    out = tmp_path / "clean.ipynb"
    pm.execute_notebook(
        NOTEBOOKS / "10-clean-survey.ipynb",
        out,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        parameters={
            "config": str(demo_project / "config" / "demo.yml"),
            "processed_dir": str(tmp_path / "processed"),
        },
    )
    text = out.read_text(encoding="utf-8")
    assert "too_many_missing" in text  # the per-agency flow table
    assert "Nama lengkap" in text  # the removed identifier columns are listed
    assert (tmp_path / "processed" / "exclusions.parquet").exists()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_notebook_runs_and_records_its_numbers(demo_project, tmp_path, lang):
    out = tmp_path / "report.ipynb"
    pm.execute_notebook(
        NOTEBOOKS / "90-agency-report.ipynb",
        out,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        parameters={
            "config": str(demo_project / "config" / "demo.yml"),
            "agency": "galeri-seni-nusantara",
            "lang": lang,
            "output_dir": str(tmp_path),
        },
    )
    notebook = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    results = read_results(tmp_path / "results.json")
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert set(results["analysis"]) == {
        "sample_flow",
        "descriptives",
        "reliability",
        "hypothesis",
        "engagement",
        "platform_summary",
    }
    assert (results["agency"] == "galeri-seni-nusantara").all()
    heading = "Alur sampel" if lang == "id" else "Sample flow"
    assert heading in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["90-agency-report.ipynb", "10-clean-survey.ipynb"])
def test_notebook_runs_with_its_defaults_on_a_fresh_project(tmp_path, name):
    # as in JupyterLab on a fresh clone: cwd = notebooks/, config = ../config/demo.yml
    (tmp_path / "config").mkdir()
    shutil.copy(PROJECT / "config" / "demo.yml", tmp_path / "config" / "demo.yml")
    (tmp_path / "notebooks").mkdir()
    out = tmp_path / "notebooks" / "executed.ipynb"
    pm.execute_notebook(
        NOTEBOOKS / name,
        out,
        kernel_name="python3",
        cwd=str(tmp_path / "notebooks"),
        progress_bar=False,
    )
    assert (tmp_path / "data" / "processed" / "demo" / "clean.json").exists()
    assert "error" not in {
        o["output_type"] for c in json.loads(out.read_text())["cells"] for o in c.get("outputs", [])
    }
