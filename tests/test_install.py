"""Notebooks, the demo config, templates, locales and scales ship in the wheel, and an installed
(non-editable) package finds them without the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import PROJECT

#: What the wheel is built from: the project files setuptools reads.
BUILD_INPUTS = ("pyproject.toml", "README.md", "src", "notebooks", "config")
SHIPPED_NOTEBOOKS = {
    "10-clean-survey.ipynb",
    "30-measurement.ipynb",
    "40-hypotheses.ipynb",
    "50-posts-and-content.ipynb",
    "90-agency-report.ipynb",
    "95-study-report.ipynb",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the project (setuptools writes build/ beside its input)."""
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        path = PROJECT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("analysis-*.whl")
    return built


def test_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = {n.removeprefix("analysis/notebooks/") for n in names if n.endswith(".ipynb")}
    assert notebooks == SHIPPED_NOTEBOOKS
    assert "analysis/studies/demo.yml" in names
    assert "analysis/cleaning/scales.yml" in names
    assert {"analysis/reporting/locales/id.yml", "analysis/reporting/locales/en.yml"} <= names
    templates = PROJECT / "src" / "analysis" / "reporting" / "templates"
    expected = {
        f"analysis/reporting/templates/{p.relative_to(templates).as_posix()}"
        for p in templates.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected and expected <= names


@pytest.mark.slow
def test_installed_wheel_finds_its_notebooks_and_demo_config(wheel, tmp_path):
    target, workdir = tmp_path / "site", tmp_path / "elsewhere"
    workdir.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, wheel],
        check=True,
        capture_output=True,
    )
    check = (
        "import json, analysis\n"
        "from analysis.config import paths\n"
        "from analysis.reporting.i18n import texts\n"
        "nb = paths.notebook(paths.REPORT_NOTEBOOK)\n"
        "print(json.dumps({'package': analysis.__file__, 'notebook': str(nb),\n"
        "    'cells': len(json.loads(nb.read_text())['cells']),\n"
        "    'demo': str(paths.demo_config('.')), 'texts': bool(texts('id'))}))\n"
    )
    # -S: no .pth files, so the checkout's editable install cannot answer the import;
    # the dependencies come from this environment's site-packages, after the installed wheel
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]),
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", check],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert Path(found["package"]).is_relative_to(target)
    assert Path(found["notebook"]) == target / "analysis" / "notebooks" / "90-agency-report.ipynb"
    assert found["cells"] > 5
    # the shipped config is copied beside the work, where the demo's data and reports can go
    assert (workdir / found["demo"]).resolve() == workdir / "config" / "demo.yml"
    assert (workdir / "config" / "demo.yml").read_bytes() == (
        PROJECT / "config" / "demo.yml"
    ).read_bytes()
    assert found["texts"]
