"""Measurement: construct scores, descriptives and reliability (the SPSS "uji" basics).

Scores are item means over answered items, computed when at least ``min_items`` of the
construct's items were answered (default: half, rounded up). Reliability uses pingouin's
Cronbach's alpha (with its Feldt confidence interval) and the corrected item-total correlation
that SPSS reports as "Corrected Item-Total Correlation" (the Indonesian "r hitung").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from analysis.config import Study


def score_constructs(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Mean score per construct for each respondent.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``agency_id``, ``weight``, one Float64 column per construct id
        (NA when fewer than the construct's required items were answered), then the study's
        demographic columns.
    """
    scores = responses[["respondent_id", "agency_id", "weight"]].copy()
    for construct in study.constructs:
        items = responses[[i.id for i in construct.items]].astype(float)
        enough = items.notna().sum(axis=1) >= construct.required_items()
        scores[construct.id] = items.mean(axis=1).where(enough).astype("Float64")
    for demo in study.demographics:
        scores[demo.id] = responses[demo.id]
    return scores


def describe_constructs(scores: pd.DataFrame, study: Study, lang: str = "id") -> pd.DataFrame:
    """Descriptive statistics per construct.

    Returns
    -------
    pandas.DataFrame
        One row per construct: ``construct`` (id), ``label``, ``n``, ``mean``, ``sd``
        (n - 1), ``median``, ``min``, ``max``, ``ci_low``, ``ci_high`` (95 % t interval of
        the mean).
    """
    rows = []
    for construct in study.constructs:
        values = scores[construct.id].dropna().astype(float)
        n = len(values)
        mean, sd = values.mean(), values.std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        rows.append(
            {
                "construct": construct.id,
                "label": construct.label.get(lang),
                "n": n,
                "mean": mean,
                "sd": sd,
                "median": values.median(),
                "min": values.min(),
                "max": values.max(),
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    return pd.DataFrame(rows)


def reliability(responses: pd.DataFrame, study: Study, lang: str = "id") -> pd.DataFrame:
    """Cronbach's alpha per construct (pingouin, listwise complete cases).

    Returns
    -------
    pandas.DataFrame
        One row per construct: ``construct``, ``label``, ``n_items``, ``n`` (complete cases),
        ``alpha``, ``ci_low``, ``ci_high`` (95 % Feldt interval), ``min_item_total_r``
        (smallest corrected item-total correlation), ``reliable`` (alpha > 0.60, the
        threshold of Ghozali 2011 used in Indonesian theses).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.
    """
    rows = []
    for construct in study.constructs:
        items = responses[[i.id for i in construct.items]].astype(float)
        rows.append(
            {
                "construct": construct.id,
                "label": construct.label.get(lang),
                **scale_reliability(items),
            }
        )
    return pd.DataFrame(rows)


def scale_reliability(items: pd.DataFrame) -> dict:
    """Cronbach's alpha of one scale on its complete cases.

    Parameters
    ----------
    items : DataFrame
        One column per item (reverse-keyed items already mirrored), one row per respondent.

    Returns
    -------
    dict
        ``n_items``, ``n`` (complete cases), ``alpha``, ``ci_low``, ``ci_high`` (95 % Feldt),
        ``min_item_total_r``, ``reliable`` (alpha > 0.60). Alpha is NaN with fewer than three
        complete cases or fewer than two items.
    """
    complete = items.dropna()
    alpha, low, high, min_r = np.nan, np.nan, np.nan, np.nan
    if len(complete) > 2 and complete.shape[1] > 1:
        alpha, (low, high) = pg.cronbach_alpha(data=complete)
        min_r = item_total_correlations(complete).min()
    return {
        "n_items": items.shape[1],
        "n": len(complete),
        "alpha": alpha,
        "ci_low": low,
        "ci_high": high,
        "min_item_total_r": min_r,
        "reliable": bool(alpha > 0.60),
    }


def item_total_correlations(items: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlation of each item (item vs. sum of the other items)."""
    total = items.sum(axis=1)
    return pd.Series({c: np.corrcoef(items[c], total - items[c])[0, 1] for c in items.columns})
