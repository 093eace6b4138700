"""Shared fixtures: a demo study generated into a temporary project folder, once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

PROJECT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = PROJECT / "config" / "demo.yml"


def write_study_config(folder: Path, agencies: list[str] | None = None, **changes) -> Path:
    """Copy the demo config into ``folder/config/``, keeping only ``agencies`` if given."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    if agencies is not None:
        data["agencies"] = [a for a in data["agencies"] if a["id"] in agencies]
    data.update(changes)
    (folder / "config").mkdir(parents=True, exist_ok=True)
    path = folder / "config" / "demo.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """A project folder with the full demo config, its generated raw data and processed data."""
    from analysis.config import load_study
    from analysis.demo.generator import generate_demo
    from analysis.pipeline import clean_study

    folder = tmp_path_factory.mktemp("demo_project")
    study = load_study(write_study_config(folder))
    generate_demo(study)
    clean_study(study)
    return folder


@pytest.fixture(scope="session")
def demo_study(demo_project):
    """The loaded demo study of :func:`demo_project`."""
    from analysis.config import load_study

    return load_study(demo_project / "config" / "demo.yml")


@pytest.fixture()
def fresh_copy(tmp_path, demo_project) -> Path:
    """A writable copy of the demo project (for tests that change files)."""
    target = tmp_path / "project"
    shutil.copytree(demo_project, target)
    return target
