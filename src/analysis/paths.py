"""Where things live: every path the package writes is derived here, from the study config."""

from __future__ import annotations

from pathlib import Path

from analysis.config import Study

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOKS_DIR = PACKAGE_DIR.parents[1] / "notebooks"
CLEAN_NOTEBOOK = "10-clean-survey.ipynb"
REPORT_NOTEBOOK = "90-agency-report.ipynb"


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


def notebook(name: str) -> Path:
    """A notebook shipped in the project's ``notebooks/`` folder."""
    return NOTEBOOKS_DIR / name
