"""Write demo respondents as a Google Sheets export of a Google Form, in Bahasa Indonesia.

The file looks like File -> Download -> CSV of the Sheet linked to a form whose sheet locale is
Indonesia: ``Stempel waktu`` first (``DD/MM/YYYY HH:MM:SS``, local time, no zone), the form's
collected ``Alamat email``, then one column per question headed by its full title (grid rows as
``Title [Row]``). The completion time comes from a form timer add-on. Labels are written as
respondents' browsers sent them, with a few case and spacing variants.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Study
from analysis.demo.survey_generator import CONSENT_NO, CONSENT_YES

AGENCY_QUESTION = "Instansi yang Anda nilai"
ATTENTION_EXPECTED = "Setuju"
VARIANT_RATE = 0.03


def respondent_frame(study: Study, rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Build the sheet: one column per form question, in form order, labels as text.

    Returns
    -------
    pandas.DataFrame
        Columns in the order the Sheet shows them, all strings, sorted by ``Stempel waktu``.
    """
    consent_col = study.screening.consent.column
    attention_col = study.screening.attention_checks[0].column
    names = {a.id: a.survey_value or a.name for a in study.agencies}
    refused = rows["mess"] == "consent"
    sheet = pd.DataFrame(index=rows.index)
    sheet["Stempel waktu"] = rows["submitted"].dt.strftime("%d/%m/%Y %H:%M:%S")
    sheet["Alamat email"] = rows["email"]
    sheet[consent_col] = np.where(refused, CONSENT_NO, CONSENT_YES)
    sheet["Nama lengkap"] = rows["name"]
    sheet["Nomor HP/WhatsApp"] = rows["phone"]
    sheet[AGENCY_QUESTION] = rows["agency_id"].map(names)
    sheet["Usia (tahun)"] = rows["age"].astype("Int64").astype("string")
    sheet["Jenis kelamin"] = rows["gender"]
    followed = study.multi_select[0]
    sheet[followed.column] = _checkboxes(followed.options, len(rows), rng)
    item_ids = [i.id for c in study.constructs for i in c.items]
    skipped = _skipped_items(rows, item_ids, rng)
    for construct in study.constructs:
        labels = np.array([""] + list(study.scale(construct.scale).labels), dtype=object)
        for item in construct.items:
            codes = rows[item.id].mask(skipped[item.id]).fillna(0).astype(int).to_numpy()
            sheet[item.column] = _variants(labels[codes], rng)
        if construct.id == "pu":
            sheet[attention_col] = _attention(rows, study, rng)
    sheet["Saran dan masukan"] = rows["suggestion"].to_numpy(copy=True)
    sheet.loc[rows.index[:3], "Saran dan masukan"] = "Mohon hubungi saya di " + rows["phone"][:3]
    sheet["Durasi pengisian (detik)"] = rows["duration"].astype(int).astype(str)
    answers = [c for c in sheet.columns if c not in ("Stempel waktu", "Alamat email", consent_col)]
    sheet.loc[refused, answers] = ""
    order = np.argsort(rows["submitted"].to_numpy(), kind="stable")
    return sheet.iloc[order].reset_index(drop=True)


def _skipped_items(
    rows: pd.DataFrame, item_ids: list[str], rng: np.random.Generator
) -> pd.DataFrame:
    """A few clean respondents leave one or two optional questions blank."""
    skip = pd.DataFrame(False, index=rows.index, columns=item_ids)
    candidates = rows.index[rows["mess"] == ""]
    chosen = rng.choice(candidates, int(0.06 * len(candidates)), replace=False)
    for index in chosen:
        skip.loc[index, rng.choice(item_ids, rng.integers(1, 3), replace=False)] = True
    return skip


def _checkboxes(options: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """Ticked options joined with ", " as Google Forms writes them, some with an "Other" text."""
    ticked = rng.random((n, len(options))) < np.array([0.7, 0.5, 0.3, 0.4])[: len(options)]
    others = rng.choice(["", "", "", "", "", "", "", "TikTok", "Telegram"], n)
    cells = [
        ", ".join([o for o, t in zip(options, row, strict=True) if t] + ([x] if x else []))
        for row, x in zip(ticked, others, strict=True)
    ]
    return np.array(cells, dtype=object)


def _variants(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = labels.copy()
    pick = (rng.random(len(out)) < VARIANT_RATE) & (out != "")
    forms = [str.lower, str.upper, lambda s: s + " ", lambda s: s.replace(" ", "  ")]
    for index in np.flatnonzero(pick):
        out[index] = forms[rng.integers(len(forms))](out[index])
    return out


def _attention(rows: pd.DataFrame, study: Study, rng: np.random.Generator) -> np.ndarray:
    wrong = [lab for lab in study.scale("agree5_id").labels if lab != ATTENTION_EXPECTED]
    answers = np.full(len(rows), ATTENTION_EXPECTED, dtype=object)
    failed = (rows["mess"] == "attention_check").to_numpy()
    answers[failed] = rng.choice(wrong, failed.sum())
    return answers


def write_survey_csv(sheet: pd.DataFrame, path: Path) -> Path:
    """Write the sheet as Google Sheets' CSV download does (UTF-8, comma, CRLF, minimal quoting)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(path, index=False, lineterminator="\r\n", encoding="utf-8")
    return path
