"""Reliability of a multi-item scale: Cronbach's alpha and item analysis (the SPSS "uji").

Both functions take the item columns of one scale, mirror reverse-keyed items, and use the
complete cases (listwise deletion, as SPSS and ``psych::alpha`` with ``use="complete"`` do).
Reverse keying by ``scale_min + scale_max - x`` does not change alpha, which is invariant to the
constant used; it only makes item means readable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: Columns of :func:`cronbach_alpha`, in order.
ALPHA_COLUMNS = ("alpha", "ci_low", "ci_high", "std_alpha", "n", "k")
#: Columns of :func:`item_analysis`, in order.
ITEM_COLUMNS = (
    "item",
    "n",
    "mean",
    "sd",
    "item_total_r",
    "alpha_if_deleted",
    "r_table",
    "valid",
)


def complete_items(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """The scale's items as floats on their complete cases, reverse-keyed items mirrored.

    Parameters
    ----------
    data : DataFrame
    items : sequence of str
        Item columns.
    reverse : sequence of str
        Items to mirror as ``low + high - x``.
    scale : (low, high), optional
        Scale end points for mirroring; default the smallest and largest answer observed in
        ``items``.

    Returns
    -------
    pandas.DataFrame
        The item columns (float64) of the rows with every item answered.
    """
    unknown = [r for r in reverse if r not in items]
    if unknown:
        raise ValueError(f"reverse items {unknown} are not among the items {list(items)}")
    frame = data[list(items)].apply(pd.to_numeric, errors="coerce").astype("float64").dropna()
    if reverse:
        low, high = scale if scale else (np.nanmin(frame.to_numpy()), np.nanmax(frame.to_numpy()))
        frame[list(reverse)] = low + high - frame[list(reverse)]
    return frame


def cronbach_alpha(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's confidence interval and the standardized alpha.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : sequence of str
        The scale's item columns (at least two).
    reverse : sequence of str
        Reverse-keyed items among ``items``.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row:

        alpha : float
            ``k / (k - 1) x (1 - sum of item variances / variance of the total)``.
        ci_low, ci_high : float
            Feldt, Woodruff & Salih (1987) interval from the F distribution with n - 1 and
            (n - 1)(k - 1) df (as ``pingouin.cronbach_alpha``, not rounded).
        std_alpha : float
            Standardized alpha ``k r / (1 + (k - 1) r)``, r the mean inter-item correlation
            (psych's ``std.alpha``).
        n : int
            Complete cases.
        k : int
            Items.

        Every statistic is NaN with fewer than three complete cases.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. Applied Psychological Measurement, 11(1), 93-103.
    """
    if len(items) < 2:
        raise ValueError("Cronbach's alpha needs at least two items")
    frame = complete_items(data, items, reverse)
    n, k = frame.shape
    row = dict.fromkeys(ALPHA_COLUMNS, float("nan")) | {"n": n, "k": k}
    if n >= 3:
        alpha = _alpha(frame.to_numpy())
        df1, df2 = n - 1, (n - 1) * (k - 1)
        tail = (1 - ci) / 2
        corr = np.corrcoef(frame.to_numpy(), rowvar=False)
        mean_r = corr[np.triu_indices(k, 1)].mean()
        row |= {
            "alpha": alpha,
            "ci_low": 1 - (1 - alpha) * stats.f.isf(tail, df1, df2),
            "ci_high": 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2),
            "std_alpha": k * mean_r / (1 + (k - 1) * mean_r),
        }
    return pd.DataFrame([row], columns=list(ALPHA_COLUMNS))


def item_analysis(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    alpha_level: float = 0.05,
) -> pd.DataFrame:
    """Per-item statistics: corrected item-total r, alpha if deleted, and the r-table verdict.

    Indonesian theses test item validity ("uji validitas") by comparing each item's corrected
    item-total correlation ("r hitung") with the critical Pearson r ("r tabel") at df = n - 2.

    Parameters
    ----------
    data : DataFrame
    items : sequence of str
        The scale's item columns (at least two).
    reverse : sequence of str
        Reverse-keyed items among ``items``.
    alpha_level : float
        Two-sided significance level of the r-table critical value.

    Returns
    -------
    pandas.DataFrame
        One row per item, with:

        item : str
        n : int
            Complete cases of the scale.
        mean, sd : float
            Of the (mirrored) item.
        item_total_r : float
            Pearson r of the item with the sum of the other items (SPSS "Corrected
            Item-Total Correlation").
        alpha_if_deleted : float
            Cronbach's alpha of the other items (NaN with fewer than three items).
        r_table : float
            Critical r: ``t / sqrt(df + t^2)``, t the two-sided critical t at df = n - 2.
        valid : bool
            ``item_total_r > r_table``.
    """
    if len(items) < 2:
        raise ValueError("item analysis needs at least two items")
    frame = complete_items(data, items, reverse)
    values = frame.to_numpy()
    n = len(frame)
    total = values.sum(axis=1)
    df = n - 2
    t_crit = stats.t.isf(alpha_level / 2, df) if df > 0 else float("nan")
    r_table = t_crit / np.sqrt(df + t_crit**2) if df > 0 else float("nan")
    rows = []
    for index, item in enumerate(frame.columns):
        rest = np.delete(values, index, axis=1)
        r = np.corrcoef(values[:, index], total - values[:, index])[0, 1] if n > 2 else np.nan
        rows.append(
            {
                "item": item,
                "n": n,
                "mean": float(values[:, index].mean()) if n else np.nan,
                "sd": float(values[:, index].std(ddof=1)) if n > 1 else np.nan,
                "item_total_r": float(r),
                "alpha_if_deleted": _alpha(rest) if rest.shape[1] > 1 and n >= 3 else np.nan,
                "r_table": float(r_table),
                "valid": bool(r > r_table),
            }
        )
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _alpha(values: np.ndarray) -> float:
    k = values.shape[1]
    item_variances = values.var(axis=0, ddof=1).sum()
    total_variance = values.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_variances / total_variance))
