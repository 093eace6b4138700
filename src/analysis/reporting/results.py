"""The results contract: every number a report shows is also a record of ``results.json``.

A report passes each tidy table it shows through :meth:`ResultLog.record`. The log is generic:
it needs no knowledge of the analysis. Each row of a table becomes

* one **main record** (``measure`` = the table's estimate column) carrying the standard columns
  the row has (``se``, ``ci_low``, ``ci_high``, ``statistic``, ``df``, ``p_value``,
  ``p_adjusted``, ``effect_size``, ``effect_size_name``, ``n``, ``decision``, ``label``), and
* one **extra record** per other value of the row (``measure`` = the column name, ``estimate``
  = the value when it is a number or a truth value, ``label`` = the text otherwise).

A table says which of its columns identify a row and which is its estimate through
``table.attrs["keys"]`` and ``table.attrs["estimate"]`` (defaults ``("term",)`` and
``"estimate"``); the key values, joined by ``:``, form the record's ``term`` (a ``hypothesis``
key fills the ``hypothesis`` column instead). Recording an analysis again replaces its earlier
records, so running a notebook cell twice changes nothing. The index page, tests and
cross-agency comparisons read ``results.json``, never the HTML.
"""

from __future__ import annotations

import datetime as dt
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
    "measure",
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
#: Columns of a row that belong to its main record rather than to extra records.
MAIN_FIELDS = tuple(c for c in RESULT_COLUMNS if c not in ("analysis", "agency", "term"))


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
        """Replace ``analysis``'s records by those of ``table``; return ``table`` unchanged.

        Parameters
        ----------
        analysis : str
            Name of the analysis (``descriptives``, ``hypothesis`` ...).
        table : DataFrame
            A tidy table, with ``attrs["keys"]`` and ``attrs["estimate"]`` when they differ
            from the defaults.
        """
        keys = tuple(table.attrs.get("keys", ("term",)))
        estimate = table.attrs.get("estimate", "estimate")
        self.records = [r for r in self.records if r["analysis"] != analysis]
        for row in table.to_dict(orient="records"):
            self.records.extend(_records(analysis, self.agency, row, keys, estimate))
        return table

    def to_frame(self) -> pd.DataFrame:
        """All records as a DataFrame with :data:`RESULT_COLUMNS`."""
        return pd.DataFrame(self.records, columns=list(RESULT_COLUMNS))

    def write(self, path: str | Path) -> Path:
        """Write the records to ``path`` as JSON (a list of objects; NaN becomes null)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        clean = [{k: _jsonable(r[k]) for k in RESULT_COLUMNS} for r in self.records]
        path.write_text(json.dumps(clean, indent=1, ensure_ascii=False), encoding="utf-8")
        return path


def read_results(path: str | Path) -> pd.DataFrame:
    """Read a ``results.json`` into a DataFrame with :data:`RESULT_COLUMNS`."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return pd.DataFrame(records, columns=list(RESULT_COLUMNS))


def _records(analysis: str, agency: str, row: dict, keys: tuple, estimate: str) -> list[dict]:
    parts = [row.get(k) for k in keys if k != "hypothesis"]
    term = ":".join(str(v) for v in parts if _present(v) and str(v) != "")
    base = dict.fromkeys(RESULT_COLUMNS) | {
        "analysis": analysis,
        "agency": agency,
        "term": term,
        "hypothesis": row.get("hypothesis") if _present(row.get("hypothesis")) else None,
    }
    main = base | {"measure": estimate}
    main |= {k: _jsonable(row[k]) for k in MAIN_FIELDS if k in row and k != "measure"}
    main["estimate"] = _number(row.get(estimate))
    records = [main]
    for column, value in row.items():
        if column in keys or column == estimate or column in MAIN_FIELDS or not _present(value):
            continue
        number = _number(value)
        records.append(
            base
            | {
                "measure": column,
                "estimate": number,
                "label": None if number is not None else _text(value),
            }
        )
    return records


def _number(value):
    value = _jsonable(value)
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int | float) else None


def _text(value) -> str:
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    return str(value)


def _present(value) -> bool:
    if value is None or value is pd.NA:
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _jsonable(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value
