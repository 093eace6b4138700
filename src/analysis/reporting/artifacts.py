"""Files beside a report: each figure as PNG and SVG, each shown table as CSV.

``<report dir>/figures/<name>.png|svg`` and ``<report dir>/tables/<analysis>.csv`` let a
researcher put a figure or a table into a thesis or a journal submission without copying it out
of the PDF. The PNG is the image the HTML and PDF show; the SVG is the same figure as vectors.
Both are written without a creation date, so a re-run of the same inputs gives the same bytes.
Both are cut to one tight bounding box, measured once as matplotlib's ``bbox_inches="tight"``
measures it for the PNG (:func:`tight_bbox`): the two files show the same area, and the figure
is not laid out again before each file, as ``savefig`` would (each such pass measures every
label again: 100 agency names on each of the study report's forest plots).
A CSV holds the tidy table as recorded in ``results.json`` (full precision, machine-readable
column names), with small cells masked as in the report.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox

from analysis.reporting.small_cells import mask_tidy

#: Resolution of the PNG files (and of the images the HTML and PDF show).
FIGURE_DPI = 200
FIGURES_FOLDER = "figures"
TABLES_FOLDER = "tables"
#: What a figure or table name may look like (it becomes a file name).
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def save_figure(fig: plt.Figure, report_dir: str | Path, name: str) -> dict[str, Path]:
    """Write ``fig`` as ``figures/<name>.png`` and ``figures/<name>.svg`` under ``report_dir``.

    Parameters
    ----------
    fig : matplotlib Figure
    report_dir : path
        The report's folder; ``figures/`` is created.
    name : str
        File stem: lower-case letters, digits, ``_`` and ``-``.

    Returns
    -------
    dict
        ``{"png": path, "svg": path}``.

    Raises
    ------
    ValueError
        When ``name`` is not a safe file stem.
    """
    folder = _folder(report_dir, FIGURES_FOLDER, name)
    bbox = tight_bbox(fig, FIGURE_DPI)
    written = {}
    with _laid_out(fig):
        for kind, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
            path = folder / f"{name}.{kind}"
            fig.savefig(path, format=kind, dpi=FIGURE_DPI, metadata=metadata, bbox_inches=bbox)
            written[kind] = path
    return written


def tight_bbox(fig: plt.Figure, dpi: float) -> Bbox:
    """The area that ``savefig(..., dpi=dpi, bbox_inches="tight")`` saves as PNG.

    The figure's layout engine runs first if it has one (as ``savefig`` runs it); a figure
    laid out already (``fig.tight_layout()``) is only measured, its text at ``dpi``.

    Returns
    -------
    Bbox
        In inches, padded by ``savefig.pad_inches``; for ``savefig(bbox_inches=...)``.
    """
    engine = fig.get_layout_engine()
    original_dpi = fig.dpi
    fig.dpi = dpi
    try:
        if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
            fig.draw_without_rendering()
        bbox = fig.get_tightbbox()
    finally:
        fig.dpi = original_dpi
    pad = mpl.rcParams["savefig.pad_inches"]
    return bbox.padded(pad)


@contextmanager
def _laid_out(fig: plt.Figure):
    """Save without a layout engine: with one (even the placeholder ``tight_layout()`` leaves),
    ``savefig`` lays the figure out again before each file although the box is fixed."""
    engine = fig.get_layout_engine()
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def save_table(table: pd.DataFrame, report_dir: str | Path, analysis: str, min_cell: int) -> Path:
    """Write a tidy table as ``tables/<analysis>.csv`` (UTF-8, no index), small cells masked.

    Parameters
    ----------
    table : DataFrame
        As recorded in ``results.json``.
    report_dir : path
    analysis : str
        File stem, as for :func:`save_figure`.
    min_cell : int
        k of :mod:`analysis.reporting.small_cells`.

    Returns
    -------
    Path
        The CSV file.
    """
    path = _folder(report_dir, TABLES_FOLDER, analysis) / f"{analysis}.csv"
    mask_tidy(table, min_cell).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _folder(report_dir: str | Path, kind: str, name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} cannot name a report file: use lower-case letters, digits, _ and -"
        )
    folder = Path(report_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder
