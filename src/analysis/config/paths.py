"""Where things live: every path the package reads or writes is derived here.

Study outputs derive from the study config (``root``, the study id). What ships with the package
(notebooks, the demo config, templates, locales) is found through :mod:`importlib.resources`, so a
regular (non-editable) install works as well as a source checkout: the repository's
``notebooks/`` and ``config/`` folders are installed as the packages ``analysis.notebooks`` and
``analysis.studies`` (see ``[tool.setuptools.package-dir]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

from analysis.config.models import Study

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CLEAN_NOTEBOOK = "10-clean-survey.ipynb"
REPORT_NOTEBOOK = "90-agency-report.ipynb"
DEMO_CONFIG_NAME = "demo.yml"


def processed_dir(study: Study, override: str | Path | None = None) -> Path:
    """Processed data of a study: ``<root>/data/processed/<study id>`` unless overridden."""
    return (
        Path(override).resolve()
        if override
        else study.base_dir / "data" / "processed" / study.study.id
    )


def reports_dir(study: Study, override: str | Path | None = None) -> Path:
    """Reports of a study: ``<root>/reports/<study id>`` unless overridden."""
    return Path(override).resolve() if override else study.base_dir / "reports" / study.study.id


def notebooks_dir() -> Path:
    """The folder of the shipped notebooks (the repository's ``notebooks/`` in a checkout)."""
    with as_file(files("analysis.notebooks")) as folder:
        return Path(folder)


def notebook(name: str) -> Path:
    """A shipped notebook by file name, e.g. :data:`REPORT_NOTEBOOK`."""
    return notebooks_dir() / name


def demo_config(workdir: str | Path | None = None) -> Path:
    """The demo study's config, in a folder where its data and reports can be written.

    In a source checkout this is the repository's ``config/demo.yml``. In an installed package
    the shipped copy is read-only, so it is copied once to ``<workdir>/config/demo.yml``
    (``workdir`` defaults to the current folder) and the demo's data and reports go beside it.
    """
    with as_file(files("analysis.studies").joinpath(DEMO_CONFIG_NAME)) as shipped:
        shipped = Path(shipped)
        if (shipped.parents[1] / "pyproject.toml").is_file():
            return shipped
        target = Path(workdir or Path.cwd()) / "config" / DEMO_CONFIG_NAME
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shipped, target)
        return target
