"""Measurement quality for the report: the instrument's factor structure and validity.

Reliability per construct (alpha, omega, item-total r) is in :mod:`analysis.reporting.sections`;
this module adds what comes before and after it: whether the items form the factors the study
declares (exploratory checks: KMO, Bartlett, parallel analysis) and how well the declared
measurement model fits (CFA with the RMSEA interval, standardized loadings, AVE, composite
reliability, Fornell-Larcker and HTMT). Statistics come from :mod:`analysis.stats`.
"""

from __future__ import annotations

import pandas as pd

from analysis import stats
from analysis.config import Study
from analysis.reporting.sections import tidy

#: Conventional thresholds the report states (Hair et al. 2019; Henseler et al. 2015).
AVE_MIN = 0.50
CR_MIN = 0.70
HTMT_MAX = 0.85
KMO_MIN = 0.60


def measured_constructs(study: Study, min_items: int = 2) -> dict[str, list[str]]:
    """Construct id -> item ids, for constructs with at least ``min_items`` items."""
    return {c.id: [i.id for i in c.items] for c in study.constructs if len(c.items) >= min_items}


def factor_structure(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Whether the items suit a factor analysis and how many factors the data suggest.

    Returns
    -------
    pandas.DataFrame
        One row: ``n`` (complete rows), ``k`` (items), ``kmo`` (overall Kaiser-Meyer-Olkin
        measure), ``bartlett_chi2``, ``bartlett_df``, ``p_value`` (Bartlett's sphericity test),
        ``factors_suggested`` (Horn's parallel analysis), ``constructs`` (declared) and
        ``adequate`` (KMO >= :data:`KMO_MIN` and Bartlett significant at the study's alpha).
        Empty when fewer than three items are declared.
    """
    items = [i for ids in measured_constructs(study).values() for i in ids]
    columns = [
        "n",
        "k",
        "kmo",
        "bartlett_chi2",
        "bartlett_df",
        "p_value",
        "factors_suggested",
        "constructs",
        "adequate",
    ]
    if len(items) < 3:
        return tidy(pd.DataFrame(columns=columns), ("k",), "kmo")
    result = stats.efa(responses, items, seed=study.study.seed)
    kmo = result.kmo.set_index("item").loc["overall", "msa"]
    bartlett = result.bartlett.iloc[0]
    row = {
        "n": int(responses[items].dropna().shape[0]),
        "k": len(items),
        "kmo": float(kmo),
        "bartlett_chi2": float(bartlett["chi2"]),
        "bartlett_df": float(bartlett["df"]),
        "p_value": float(bartlett["p_value"]),
        "factors_suggested": int(result.n_factors),
        "constructs": len(measured_constructs(study)),
        "adequate": bool(kmo >= KMO_MIN and bartlett["p_value"] < study.study.alpha),
    }
    return tidy(pd.DataFrame([row], columns=columns), ("k",), "kmo")
