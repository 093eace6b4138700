"""House rules: thin notebooks committed without outputs and paired with py:percent text, one
dependency list, ruff clean, both languages."""

import ast
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml
from nbformat.v4 import new_output

from analysis.reporting.i18n import texts

from .conftest import PROJECT
from .support.notebooks import (
    committed_text,
    kept_outputs,
    pair_difference,
    paired_text_file,
    strip,
)

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
GIT = shutil.which("git")
requires_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def test_there_are_notebooks():
    assert [n.name for n in NOTEBOOKS] == [
        "10-clean-survey.ipynb",
        "30-measurement.ipynb",
        "40-hypotheses.ipynb",
        "50-posts-and-content.ipynb",
        "90-agency-report.ipynb",
        "95-study-report.ipynb",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    # what git holds (the staged copy), not the working copy a researcher may have saved after a run
    assert kept_outputs(committed_text(notebook)) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_left_as_is_by_the_filter(notebook):
    # else `git status` shows the notebook as changed as soon as `make setup` sets up the filter
    committed = committed_text(notebook)
    assert strip(committed) == committed


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_paired_text_file_hold_the_same_cells(notebook):
    difference = pair_difference(notebook)
    assert difference is None, (
        f"{notebook.name} and {paired_text_file(notebook).name} differ; run "
        f"`.venv/bin/jupytext --sync notebooks/{notebook.name}` (or `make sync-notebooks`):\n"
        f"{difference}"
    )


def test_a_stale_pair_is_found(tmp_path):
    notebook = NOTEBOOKS[0]
    shutil.copy(notebook, tmp_path / notebook.name)
    text = paired_text_file(notebook).read_text(encoding="utf-8")
    paired = paired_text_file(tmp_path / notebook.name)
    paired.write_text(text.replace("study = load_study(config)", "study = None"), encoding="utf-8")
    assert "study = None" in pair_difference(tmp_path / notebook.name)
    paired.unlink()
    assert pair_difference(tmp_path / notebook.name) == f"{paired.name} is missing"


def test_jupytext_pairs_notebooks_with_py_percent():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert sorted(p.name for p in (PROJECT / "notebooks").glob("*.py")) == sorted(
        [paired_text_file(n).name for n in NOTEBOOKS] + ["__init__.py"]
    )


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder``; its stdout."""
    command = [GIT, "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=True).stdout


def repository_with_run_notebook(folder: Path, set_up_filter: bool) -> Path:
    """A git repository like the project's, holding a notebook saved with outputs, added."""
    folder.mkdir()
    git(folder, "init", "-q")
    shutil.copy(PROJECT / ".gitattributes", folder / ".gitattributes")
    if set_up_filter:  # what `make setup` runs
        subprocess.run(
            ["bash", PROJECT / "tools" / "notebook-filter.sh", sys.executable, folder], check=True
        )
    saved = nbformat.read(NOTEBOOKS[0], as_version=4)
    code = next(c for c in saved.cells if c.cell_type == "code")
    code.outputs = [new_output("stream", name="stdout", text="a result\n")]
    code.execution_count = 3
    (folder / "notebooks").mkdir()
    nbformat.write(saved, folder / "notebooks" / NOTEBOOKS[0].name)
    git(folder, "add", ".gitattributes", "notebooks")
    git(folder, "commit", "-q", "-m", "run notebook")
    return folder / "notebooks" / NOTEBOOKS[0].name


@requires_git
def test_filter_commits_a_run_notebook_without_its_outputs(tmp_path):
    notebook = repository_with_run_notebook(tmp_path / "repo", set_up_filter=True)
    working_copy = notebook.read_text(encoding="utf-8")
    assert len(kept_outputs(working_copy)) == 1  # the researcher keeps the outputs on disk
    assert kept_outputs(committed_text(notebook)) == []  # git holds none
    assert kept_outputs(git(notebook.parent, "show", f"HEAD:./{notebook.name}")) == []
    assert committed_text(notebook) == strip(working_copy)
    assert git(notebook.parent, "status", "--porcelain") == ""  # and sees nothing to commit


@requires_git
def test_without_the_filter_committed_outputs_are_caught(tmp_path):
    notebook = repository_with_run_notebook(tmp_path / "repo", set_up_filter=False)
    assert kept_outputs(committed_text(notebook)) == [
        "cell 3 (cell-02): 1 outputs, execution_count 3"
    ]


def test_filter_set_up_does_nothing_outside_a_git_checkout(tmp_path):
    script = PROJECT / "tools" / "notebook-filter.sh"
    result = subprocess.run(
        ["bash", script, sys.executable, tmp_path], capture_output=True, text=True, check=True
    )
    assert "not a git checkout" in result.stdout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_define_nothing(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in (c for c in cells if c["cell_type"] == "code"):
        tree = ast.parse("".join(cell["source"]))
        defined = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.For | ast.While)
        ]
        assert not defined, f"{notebook.name}: logic belongs in src/analysis, not a cell"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_typed_documented_parameters_cell(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    parameters = pm.inspect_notebook(str(notebook))
    # a study config, or (the posts notebook) an export file to read
    assert {"config", "export"} & set(parameters)
    typed = {"str", "int", "float", "bool"}
    assert all(p["inferred_type_name"] in typed and p["help"] for p in parameters.values())


def test_first_cell_of_each_notebook_says_its_purpose():
    for notebook in NOTEBOOKS:
        first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
        assert first["cell_type"] == "markdown" and len("".join(first["source"])) > 40


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_headings_for_the_table_of_contents(notebook):
    # JupyterLab's table of contents lists Markdown headings: a title, then the sections
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = [
        line
        for cell in cells
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
    ]
    assert lines[0].startswith("# "), f"{notebook.name}: the first cell starts with a # title"
    assert sum(line.startswith("# ") for line in lines) == 1
    assert sum(line.startswith("## ") for line in lines) >= 3


def test_environment_yml_installs_what_pyproject_lists():
    environment = yaml.safe_load((PROJECT / "environment.yml").read_text(encoding="utf-8"))
    pip_lines = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    # conda users get exactly the pyproject dependency list: one source of truth
    assert pip_lines == ["-e .[dev]"]
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert sorted(d.split("=")[0] for d in conda) == ["pip", "python"]
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "dev" in project["project"]["optional-dependencies"]


def test_both_languages_have_the_same_texts():
    def keys(node, prefix=""):
        if not isinstance(node, dict):
            return {prefix}
        return set().union(*(keys(v, f"{prefix}.{k}") for k, v in node.items()))

    assert keys(texts("id")) == keys(texts("en"))


def test_code_is_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench", "tools"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_placeholders_in_the_package():
    for path in (PROJECT / "src" / "analysis").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "NotImplementedError" not in text and "TODO" not in text, path
