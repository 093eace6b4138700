"""House rules: thin notebooks without outputs, one dependency list, ruff clean, both languages."""

import ast
import json
import subprocess
import sys
import tomllib

import papermill as pm
import pytest
import yaml

from analysis.reporting.i18n import texts

from .conftest import PROJECT

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [n.name for n in NOTEBOOKS] == ["10-clean-survey.ipynb", "90-agency-report.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)


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
    assert "config" in parameters
    assert all(p["inferred_type_name"] == "str" and p["help"] for p in parameters.values())


def test_first_cell_of_each_notebook_says_its_purpose():
    for notebook in NOTEBOOKS:
        first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
        assert first["cell_type"] == "markdown" and len("".join(first["source"])) > 40


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
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_placeholders_in_the_package():
    for path in (PROJECT / "src" / "analysis").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "NotImplementedError" not in text and "TODO" not in text, path
