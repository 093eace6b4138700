"""The plain study index: every agency's report links, status, and a side-by-side comparison.

It is the study's front page when the study report (:mod:`analysis.pipeline.study_report`)
could not be made.

The page is one self-contained HTML file (inline CSS, no scripts, nothing loaded from the
network) rendered from ``analysis/reporting/templates/index.html.j2`` with Jinja2
autoescaping, so agency names and error messages are always shown as text.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.reporting.i18n import number, p_value

TEMPLATES = Path(__file__).resolve().parent / "templates"

LABELS = {
    "id": {
        "page": "Laporan per instansi",
        "synthetic": "Data sintetis untuk demo — bukan data instansi nyata",
        "reports": "Laporan",
        "agency": "Instansi",
        "status": "Status",
        "files": "Berkas",
        "none": "tidak ada",
        "comparison": "Perbandingan antarinstansi",
        "n": "n dianalisis",
        "engagement": "E",
        "no_agencies": "Belum ada instansi.",
        "note": (
            "Sel hipotesis: koefisien regresi b [IK 95%], nilai p dan keputusan. "
            "E: indeks keterlibatan per platform. – : tidak tersedia."
        ),
        "study_failed": (
            "Laporan studi tidak dapat dibuat; halaman ini hanya mendaftar laporan per instansi."
        ),
        "status_ok": "berhasil",
        "status_failed": "gagal",
        "status_skipped": "tidak berubah (dilewati)",
        "status_no_pdf": "HTML saja (tanpa PDF)",
        "supported": "didukung",
        "not_supported": "tidak didukung",
        "not_tested": "tidak diuji",
    },
    "en": {
        "page": "Reports by agency",
        "synthetic": "Synthetic demo data — not real agency data",
        "reports": "Reports",
        "agency": "Agency",
        "status": "Status",
        "files": "Files",
        "none": "none",
        "comparison": "Comparison across agencies",
        "n": "n analysed",
        "engagement": "E",
        "no_agencies": "No agencies yet.",
        "note": (
            "Hypothesis cells: regression coefficient b [95% CI], p-value and decision. "
            "E: engagement index per platform. – : not available."
        ),
        "study_failed": (
            "The study report could not be made; this page only lists the agency reports."
        ),
        "status_ok": "ok",
        "status_failed": "failed",
        "status_skipped": "unchanged (skipped)",
        "status_no_pdf": "HTML only (no PDF)",
        "supported": "supported",
        "not_supported": "not supported",
        "not_tested": "not tested",
    },
}


def render_index(study: dict, agencies: list[dict], out_path: Path, lang: str = "id") -> Path:
    """Write the study's ``index.html``.

    Parameters
    ----------
    study : dict
        ``id``, ``title``, ``synthetic`` (bool: show the synthetic-data banner) and, optionally,
        ``study_error`` (the study report's error, shown at the top when it could not be made).
    agencies : list of dict
        One per agency: ``id``, ``name``, ``status`` (``ok``, ``failed``, ``skipped``,
        ``no_pdf``), ``error`` (str or None), ``html`` and ``pdf`` (paths relative to the index,
        or None) and ``results`` (result records as in ``results.json``).
    out_path : Path
        Where to write the page; folders are created.
    lang : str
        ``id`` or ``en``.

    Returns
    -------
    Path
        ``out_path``.
    """
    if lang not in LABELS:
        raise ValueError(f"unknown index language {lang!r}; use one of {', '.join(LABELS)}")
    out_path = Path(out_path)
    labels = LABELS[lang]
    records = [record for agency in agencies for record in agency.get("results") or []]
    hypotheses = _unique(r["hypothesis"] for r in records if _is_focal(r))
    platforms = _unique(
        r["term"].removesuffix(":E") for r in records if _is(r, "engagement") and _is_e(r)
    )
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    page = environment.get_template("index.html.j2").render(
        lang=lang,
        labels=labels,
        study=study,
        agencies=[_agency_entry(agency, labels, out_path.parent) for agency in agencies],
        hypotheses=hypotheses,
        platforms=platforms,
        rows=[_comparison_row(agency, hypotheses, platforms, lang) for agency in agencies],
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    return out_path


def _agency_entry(agency: dict, labels: dict, root: Path) -> dict:
    """What the report list shows for one agency."""
    status = agency.get("status") or ""
    return {
        "id": agency["id"],
        "name": agency.get("name") or agency["id"],
        "status": status,
        "status_label": labels.get(f"status_{status}", status),
        "error": agency.get("error"),
        "html": _link(agency.get("html"), root),
        "pdf": _link(agency.get("pdf"), root),
    }


def _comparison_row(agency: dict, hypotheses: list[str], platforms: list[str], lang: str) -> dict:
    """One agency's row of the comparison table, every number formatted for ``lang``."""
    records = agency.get("results") or []
    analysed = _find(records, "sample_flow", "analysed")
    cells = []
    for hypothesis in hypotheses:
        focal = [r for r in records if _is_focal(r) and r["hypothesis"] == hypothesis]
        cells.append([_hypothesis_line(r, len(focal) > 1, lang) for r in focal])
    return {
        "name": agency.get("name") or agency["id"],
        "n": number(analysed["estimate"], lang, 0) if analysed else "–",
        "hypotheses": cells,
        "engagement": [
            number(found["estimate"], lang)
            if (found := _find(records, "engagement", f"{p}:E"))
            else "–"
            for p in platforms
        ],
    }


def _hypothesis_line(record: dict, with_term: bool, lang: str) -> dict:
    """Estimate with its 95% CI, p-value and decision of one focal hypothesis term."""
    separator = "; " if lang == "id" else ", "
    low, high = number(record.get("ci_low"), lang), number(record.get("ci_high"), lang)
    p = record.get("p_value")
    return {
        "term": record.get("term") if with_term else None,
        "estimate": f"{number(record.get('estimate'), lang)} [{low}{separator}{high}]",
        "p": "p " + p_value(p, lang) if _present(p) else "",
        "decision": record["decision"],
        "decision_label": LABELS[lang].get(record["decision"], record["decision"]),
    }


def _link(path: str | None, root: Path) -> str | None:
    """A URL relative to the index folder for a report file path (relative or absolute)."""
    if not path:
        return None
    if Path(path).is_absolute():
        path = os.path.relpath(path, root.resolve())
    return quote(Path(path).as_posix())


def _find(records: list[dict], analysis: str, term: str) -> dict | None:
    return next((r for r in records if _is(r, analysis) and r.get("term") == term), None)


def _is(record: dict, analysis: str) -> bool:
    return record.get("analysis") == analysis


def _is_e(record: dict) -> bool:
    return str(record.get("term", "")).endswith(":E")


def _is_focal(record: dict) -> bool:
    """A hypothesis record with a decision (focal terms have one, control terms do not)."""
    return (
        _is(record, "hypothesis")
        and isinstance(record.get("decision"), str)
        and isinstance(record.get("hypothesis"), str)
    )


def _present(value) -> bool:
    return value is not None and value == value


def _unique(values) -> list:
    return list(dict.fromkeys(values))
