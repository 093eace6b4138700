"""Report figures are saved with one layout pass, and look exactly as before.

The reference for every file is matplotlib itself: ``fig.savefig(..., bbox_inches="tight")``,
which lays the figure out again before each file; :func:`save_figure` measures the box once.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.figure import Figure
from PIL import Image

from analysis.config import load_study
from analysis.reporting import model_figures, scorecard
from analysis.reporting.artifacts import FIGURE_DPI, save_figure, tight_bbox
from analysis.reporting.figures import print_ready
from analysis.stats.scorecard import PRINCIPLES

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "config" / "demo.yml"


@pytest.fixture(scope="module")
def study():
    return load_study(DEMO_CONFIG)


def _forest(study, agencies: int = 30) -> Figure:
    rng = np.random.default_rng(7)
    ids = [a.id for a in study.agencies]
    estimates = pd.DataFrame(
        {
            "hypothesis": "H1",
            "agency": [ids[k % len(ids)] for k in range(agencies)],
            "estimate": rng.normal(0.3, 0.1, agencies),
        }
    )
    estimates = estimates.assign(
        ci_low=estimates["estimate"] - 0.15, ci_high=estimates["estimate"] + 0.15
    )
    summary = {"estimate": 0.3, "ci_low": 0.27, "ci_high": 0.33, "pi_low": 0.1, "pi_high": 0.5}
    pooled = pd.DataFrame(
        [{"hypothesis": "H1", "method": "REML", "tau2": 0.01, "i2": 30.0, **summary}]
    )
    return model_figures.forest_plots(estimates, pooled, study, "id")["H1"]


def _heatmap(study) -> Figure:
    rng = np.random.default_rng(3)
    card = pd.DataFrame({"agency": [a.id for a in study.agencies]})
    for principle in PRINCIPLES:
        card[f"score_{principle}"] = rng.uniform(0, 100, len(card))
    return scorecard.heatmap(card, study, "id")


def _bars() -> Figure:
    data = pd.DataFrame({"x": list("abab"), "y": [1.0, 2.0, 1.5, 0.5], "hue": list("ppqq")})
    fig, ax = plt.subplots(figsize=(5, 3))
    sns.barplot(data=data, x="x", y="y", hue="hue", ax=ax)
    ax.set_title("Bars")
    fig.tight_layout()
    plt.close(fig)
    return fig


def _matplotlib_tight(fig: Figure, kind: str) -> bytes:
    metadata = {"Software": None} if kind == "png" else {"Date": None}
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, dpi=FIGURE_DPI, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()


def _svg_size_inches(svg: bytes) -> tuple[float, float]:
    head = re.search(rb'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(head[1]) / 72, float(head[2]) / 72


@pytest.mark.parametrize("make", ["forest", "heatmap", "bars"])
def test_png_is_the_bytes_matplotlib_writes_with_a_tight_box(study, make, tmp_path):
    figure = {"forest": _forest, "heatmap": _heatmap, "bars": lambda _: _bars()}[make](study)
    print_ready(figure, "id")
    # reference: matplotlib's own bbox_inches="tight" (a layout pass of its own per file)
    expected = _matplotlib_tight(figure, "png")
    written = save_figure(figure, tmp_path, make)
    assert written["png"].read_bytes() == expected
    # the figure keeps its layout engine, so a later savefig behaves as before
    assert _matplotlib_tight(figure, "png") == expected


def test_png_and_svg_cover_the_same_box(study, tmp_path):
    figure = _forest(study)
    print_ready(figure, "id")
    written = save_figure(figure, tmp_path, "forest-h1")
    width_px, height_px = Image.open(written["png"]).size
    width, height = _svg_size_inches(written["svg"].read_bytes())
    # the PNG is the box at FIGURE_DPI, cut to whole pixels; the SVG is the box itself
    assert width * FIGURE_DPI == pytest.approx(width_px, abs=1)
    assert height * FIGURE_DPI == pytest.approx(height_px, abs=1)
    # reference: matplotlib's SVG box measures text with its own renderer, within a few points
    own = _svg_size_inches(_matplotlib_tight(figure, "svg"))
    assert own == pytest.approx((width, height), abs=4 / 72)


def test_saving_draws_the_figure_once_per_file(study, tmp_path, monkeypatch):
    figure = _forest(study)
    print_ready(figure, "id")
    draws = []
    original = Figure.draw

    def counted(self, renderer):
        draws.append(type(renderer).__name__)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    save_figure(figure, tmp_path, "forest-h1")
    assert draws == ["RendererAgg", "MixedModeRenderer"]  # the PNG, then the SVG
    # reference: matplotlib's bbox_inches="tight" also draws a layout pass before each file
    draws.clear()
    _matplotlib_tight(figure, "png"), _matplotlib_tight(figure, "svg")
    assert len(draws) == 4


def test_a_figure_with_a_layout_engine_is_laid_out_before_it_is_measured(study):
    figure = _forest(study)  # not yet laid out: its engine runs on the first draw
    before = figure.subplotpars.left
    box = tight_bbox(figure, FIGURE_DPI)
    assert figure.subplotpars.left > before  # the agency names pushed the axes right
    # reference: matplotlib measures the same box for bbox_inches="tight"
    png = Image.open(io.BytesIO(_matplotlib_tight(figure, "png")))
    assert png.size == (int(box.width * FIGURE_DPI), int(box.height * FIGURE_DPI))


def test_a_forest_plot_is_laid_out_as_if_laid_out_before_its_title_moved(study):
    lazy = _forest(study)
    eager = _forest(study)
    # reference: the former route, tight_layout() when drawn and again after print_ready
    eager.tight_layout()
    print_ready(lazy, "id")
    print_ready(eager, "id")
    margins = ("left", "right", "top", "bottom")
    assert [getattr(lazy.subplotpars, m) for m in margins] == pytest.approx(
        [getattr(eager.subplotpars, m) for m in margins], abs=1e-12
    )
