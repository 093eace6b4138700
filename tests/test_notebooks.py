"""Every notebook runs top to bottom under papermill on the demo study, into a temp folder.

Papermill runs a copy stripped of outputs, as a commit holds it: a researcher's saved outputs in
the working copy change nothing here.
"""

import json
import shutil

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_output

from analysis.reporting.results import RESULT_COLUMNS, read_results

from .conftest import PROJECT
from .support.notebooks import kept_outputs, stripped_copy

pytestmark = pytest.mark.notebook
NOTEBOOKS = PROJECT / "notebooks"


def execute(name: str, tmp_path, cwd, parameters=None) -> dict:
    """Run a stripped copy of a shipped notebook with papermill; the executed notebook's JSON."""
    source = stripped_copy(NOTEBOOKS / name, tmp_path / "input")
    out = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        source, out, kernel_name="python3", cwd=str(cwd), progress_bar=False, parameters=parameters
    )
    return json.loads(out.read_text(encoding="utf-8"))


def stderr_of(notebook: dict) -> list[str]:
    """What cells wrote to stderr (warnings, log lines): none of it belongs in a notebook."""
    return [
        "".join(o["text"])
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    ]


def test_the_copy_papermill_runs_has_no_outputs_but_the_same_cells(tmp_path):
    saved = nbformat.read(NOTEBOOKS / "10-clean-survey.ipynb", as_version=4)
    code = next(c for c in saved.cells if c.cell_type == "code")
    code.outputs = [new_output("error", ename="OldError", evalue="from last week", traceback=[])]
    code.execution_count = 7
    nbformat.write(saved, tmp_path / "10-clean-survey.ipynb")
    assert kept_outputs((tmp_path / "10-clean-survey.ipynb").read_text(encoding="utf-8"))

    copy = stripped_copy(tmp_path / "10-clean-survey.ipynb", tmp_path / "input")
    assert kept_outputs(copy.read_text(encoding="utf-8")) == []
    ran = nbformat.read(copy, as_version=4)
    assert [c.source for c in ran.cells] == [c.source for c in saved.cells]
    assert [c.metadata for c in ran.cells] == [c.metadata for c in saved.cells]


def test_clean_notebook_runs_and_shows_the_flow(demo_project, tmp_path):
    parameters = {
        "config": str(demo_project / "config" / "demo.yml"),
        "processed_dir": str(tmp_path / "processed"),
    }
    executed = execute("10-clean-survey.ipynb", tmp_path, NOTEBOOKS, parameters)
    text = json.dumps(executed)
    assert "too_many_missing" in text  # the per-agency flow table
    assert "Nama lengkap" in text  # the removed identifier columns are listed
    assert (tmp_path / "processed" / "exclusions.parquet").exists()
    assert stderr_of(executed) == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_notebook_runs_and_records_its_numbers(demo_project, tmp_path, lang):
    parameters = {
        "config": str(demo_project / "config" / "demo.yml"),
        "agency": "galeri-seni-nusantara",
        "lang": lang,
        "output_dir": str(tmp_path),
    }
    executed = execute("90-agency-report.ipynb", tmp_path, NOTEBOOKS, parameters)
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    assert stderr_of(executed) == []
    results = read_results(tmp_path / "results.json")
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert set(results["analysis"]) == {
        "sample_flow",
        "descriptives",
        "reliability",
        "item_analysis",
        "factor_structure",
        "measurement_fit",
        "construct_validity",
        "hypothesis",
        "hypothesis_terms",
        "model_fit",
        "assumptions",
        "sensitivity",
        "engagement",
        "platform_summary",
        "responsiveness",
        "content_categories",
        "hashtags",
        "agency_scorecard",
        "agency_scorecard_metrics",
        "group_descriptives",
    }
    assert (results["agency"] == "galeri-seni-nusantara").all()
    heading = "Alur sampel" if lang == "id" else "Sample flow"
    assert heading in json.dumps(executed, ensure_ascii=False)


@pytest.mark.parametrize(
    ("name", "shows"),
    [
        # reliability with omega's bootstrap interval, EFA with its scree plot, CFA matrices
        ("30-measurement.ipynb", ["omega_ci_low", "msa", "rmsea_ci_high"]),
        # verdicts, one model in full with residual plots, simple slopes and Johnson-Neyman
        ("40-hypotheses.ipynb", ["normality_lilliefors", "within_observed_range", "min_effect"]),
    ],
)
def test_exploration_notebooks_run_and_show_more_than_the_report(
    demo_project, tmp_path, name, shows
):
    parameters = {"config": str(demo_project / "config" / "demo.yml"), "agency": "rsud-wanasari"}
    executed = execute(name, tmp_path, NOTEBOOKS, parameters)
    text = json.dumps(executed)
    assert all(column in text for column in shows)
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1
    assert stderr_of(executed) == []


@pytest.mark.parametrize(
    ("name", "writes"),
    [
        ("10-clean-survey.ipynb", "data/processed/demo/clean.json"),
        ("30-measurement.ipynb", "data/processed/demo/clean.json"),
        ("40-hypotheses.ipynb", "data/processed/demo/clean.json"),
        ("90-agency-report.ipynb", "reports/demo/diskominfo-sukamaju/results.json"),
        ("95-study-report.ipynb", "reports/demo/results.json"),
    ],
)
def test_notebook_runs_with_its_defaults_on_a_fresh_project(tmp_path, name, writes):
    # as in JupyterLab on a fresh clone: cwd = notebooks/, config = ../config/demo.yml
    (tmp_path / "config").mkdir()
    shutil.copy(PROJECT / "config" / "demo.yml", tmp_path / "config" / "demo.yml")
    (tmp_path / "notebooks").mkdir()
    executed = execute(name, tmp_path, tmp_path / "notebooks")
    assert (tmp_path / "data" / "processed" / "demo" / "clean.json").exists()
    assert (tmp_path / writes).exists()
    assert stderr_of(executed) == []
