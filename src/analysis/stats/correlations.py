"""Pairwise correlations with confidence intervals, tests and adjusted p-values.

scipy computes r and its p-value. The intervals are Fisher z intervals: for Pearson's r with
the standard error ``1 / sqrt(n - 3)``; for Spearman's rho with Bonett & Wright's (2000)
standard error ``sqrt((1 + rho^2 / 2) / (n - 3))``, which keeps the coverage of rank
correlations close to nominal where ``1 / sqrt(n - 3)`` is too narrow.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import InputError, did_you_mean
from analysis.stats.multiple_testing import adjust_pvalues

METHODS = ("pearson", "spearman")
#: Columns of :func:`correlations`, in order.
CORRELATION_COLUMNS = (
    "x",
    "y",
    "n",
    "r",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "method",
)


def correlations(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    method: str = "pearson",
    ci: float = 0.95,
    adjust: str | None = None,
) -> pd.DataFrame:
    """Correlation of every pair of ``columns``, each on its own complete pairs.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : sequence of str
        At least two numeric columns.
    method : {"pearson", "spearman"}
        Pearson's product-moment r or Spearman's rank correlation rho.
    ci : float
        Confidence level of the interval.
    adjust : {None, "holm", "fdr_bh", "bonferroni"}
        Adjust the p-values over all pairs (see :func:`adjust_pvalues`).

    Returns
    -------
    pandas.DataFrame
        One row per pair, in the order of ``columns`` (x before y):

        x, y : str
            The two columns.
        n : int
            Rows with both values (pairwise deletion).
        r : float
            Pearson's r or Spearman's rho.
        ci_low, ci_high : float
            Fisher z interval, ``tanh(atanh(r) -/+ z(1 - (1 - ci) / 2) x se)`` with
            ``se = 1 / sqrt(n - 3)`` (Pearson) or ``sqrt((1 + r^2 / 2) / (n - 3))`` (Spearman,
            Bonett & Wright 2000); NaN when n < 4.
        statistic : float
            ``t = r sqrt(df / (1 - r^2))``.
        df : int
            n - 2.
        p_value : float
            Two-sided, from t on n - 2 df (what R's ``cor.test`` prints for Pearson, and for
            Spearman with ties or n > 1290; R's exact Spearman p for small samples without
            ties is not used).
        p_adjusted : float
            ``p_value`` adjusted over all pairs by ``adjust``; NaN when ``adjust`` is None.
        method : str

        Statistics are NaN when n < 3 or a column is constant in the pair's rows.

    Raises
    ------
    ValueError
        For an unknown method or adjustment, or fewer than two columns.
    InputError
        For a column that is missing or not numeric.

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. Psychometrika, 65(1), 23-28.
    """
    if method not in METHODS:
        raise ValueError(f"unknown correlation method {method!r}; use one of {METHODS}")
    columns = list(columns)
    if len(columns) < 2:
        raise ValueError("correlations need at least two columns")
    for column in columns:
        _check_numeric(data, column)
    rows = [
        {"x": x, "y": y, **_pair(data[[x, y]].dropna(), method, ci)}
        for x, y in combinations(columns, 2)
    ]
    table = pd.DataFrame(rows, columns=list(CORRELATION_COLUMNS)).assign(method=method)
    if adjust is not None:
        table["p_adjusted"] = adjust_pvalues(table["p_value"].astype("float64"), adjust)
    return table


def _check_numeric(data: pd.DataFrame, column: str) -> None:
    if column not in data.columns:
        raise InputError(
            "column not in the data", column=column, hint=did_you_mean(column, data.columns)
        )
    values = data[column]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise InputError(f"a correlation needs numbers; found {values.dtype}", column=column)


def _pair(frame: pd.DataFrame, method: str, ci: float) -> dict:
    n = len(frame)
    nan = float("nan")
    row = {"n": n, "r": nan, "ci_low": nan, "ci_high": nan, "statistic": nan}
    row |= {"df": n - 2, "p_value": nan, "p_adjusted": nan}
    x, y = (frame.iloc[:, i].astype("float64").to_numpy() for i in (0, 1))
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return row
    correlate = stats.pearsonr if method == "pearson" else stats.spearmanr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = correlate(x, y)
    r = float(result.statistic)
    with np.errstate(divide="ignore"):
        t = r * np.sqrt((n - 2) / (1 - r**2)) if abs(r) < 1 else np.sign(r) * np.inf
    row |= {"r": r, "statistic": float(t), "p_value": float(2 * stats.t.sf(abs(t), n - 2))}
    if n > 3:
        se = 1 / np.sqrt(n - 3)
        if method == "spearman":
            se *= np.sqrt(1 + r**2 / 2)
        half = stats.norm.ppf(1 - (1 - ci) / 2) * se
        z = np.arctanh(np.clip(r, -1, 1))
        row |= {"ci_low": float(np.tanh(z - half)), "ci_high": float(np.tanh(z + half))}
    return row
