"""Tidy results: every number a report shows is also recorded as a row of ``results.json``.

A report notebook creates one :class:`ResultLog`, passes each analysis table through
:meth:`ResultLog.record` (which returns the table for display), and writes the log at the end.
The index page, tests and cross-agency comparisons read ``results.json``, never the HTML.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Columns of every result record, in order.
RESULT_COLUMNS = (
    "analysis",
    "hypothesis",
    "agency",
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    "n",
    "decision",
    "label",
)

#: How each analysis table maps onto result records: analysis -> (term column, estimate column).
ADAPTERS = {
    "sample_flow": ("reason", "n"),
    "descriptives": ("construct", "mean"),
    "reliability": ("construct", "alpha"),
    "hypothesis": ("term", "estimate"),
    "engagement": ("metric", "value"),
    "platform_summary": ("platform", "n_posts"),
}


@dataclass
class ResultLog:
    """Collects result records for one report (one agency, or the whole study).

    Attributes
    ----------
    agency : str
        Agency id the records belong to (``"(study)"`` for study-wide reports).
    records : list of dict
        The tidy rows, each with all :data:`RESULT_COLUMNS`.
    """

    agency: str
    records: list[dict] = field(default_factory=list)

    def record(self, analysis: str, table: pd.DataFrame) -> pd.DataFrame:
        """Add ``table``'s numbers as result records and return ``table`` unchanged.

        Parameters
        ----------
        analysis : str
            One of the keys of :data:`ADAPTERS`.
        table : DataFrame
            The analysis output (e.g. :func:`analysis.hypotheses.fit_hypothesis`).
        """
        term_col, estimate_col = ADAPTERS[analysis]
        for row in table.to_dict(orient="records"):
            term = row[term_col]
            if analysis == "sample_flow":
                term = row["reason"] or row["step"]
            elif analysis == "engagement":
                term = f"{row['platform']}:{row['metric']}"
            elif analysis == "platform_summary":
                term = f"{row['platform']}:n_posts"
            self.records.append(_record(analysis, self.agency, term, row, estimate_col))
        return table

    def to_frame(self) -> pd.DataFrame:
        """All records as a DataFrame with :data:`RESULT_COLUMNS`."""
        return pd.DataFrame(self.records, columns=list(RESULT_COLUMNS))

    def write(self, path: str | Path) -> Path:
        """Write the records to ``path`` as JSON (a list of objects; NaN becomes null)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        clean = [{k: _jsonable(v) for k, v in r.items()} for r in self.records]
        path.write_text(json.dumps(clean, indent=1, ensure_ascii=False), encoding="utf-8")
        return path


def read_results(path: str | Path) -> pd.DataFrame:
    """Read a ``results.json`` into a DataFrame with :data:`RESULT_COLUMNS`."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return pd.DataFrame(records, columns=list(RESULT_COLUMNS))


def _record(analysis: str, agency: str, term, row: dict, estimate_col: str) -> dict:
    record = dict.fromkeys(RESULT_COLUMNS)
    record.update({k: row[k] for k in RESULT_COLUMNS if k in row})
    record.update(
        {
            "analysis": analysis,
            "agency": agency,
            "term": str(term),
            "estimate": row.get(estimate_col),
            "label": row.get("label"),
        }
    )
    if analysis == "engagement":
        record["n"] = row.get("n_posts")
        record["label"] = row.get("definition")
    return record


def _jsonable(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value
