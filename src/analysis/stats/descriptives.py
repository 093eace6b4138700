"""Descriptive statistics of numeric columns, optionally with survey weights.

Unweighted: the mean with its t interval. Weighted (``weights`` names a column of survey
weights): the weighted mean with a linearization (sandwich) standard error, which is what R's
``survey::svymean`` gives for a one-stage design with replacement, and a t interval on n - 1 df.
The median, minimum and maximum are always of the unweighted values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: Columns of :func:`describe`, in order.
DESCRIBE_COLUMNS = (
    "variable",
    "n",
    "mean",
    "sd",
    "se",
    "median",
    "min",
    "max",
    "ci_low",
    "ci_high",
    "weighted",
)


def describe(
    data: pd.DataFrame,
    columns: Sequence[str],
    weights: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Describe numeric columns: n, mean, SD, SE, median, range and a CI of the mean.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : sequence of str
        Numeric columns to describe (missing values are left out per column).
    weights : str, optional
        Column of survey weights (> 0). Rows with a missing weight are left out.
    ci : float
        Confidence level of the interval of the mean.

    Returns
    -------
    pandas.DataFrame
        One row per column, with:

        variable : str
        n : int
            Non-missing values.
        mean : float
            Mean (weighted mean when ``weights`` is given).
        sd : float
            Standard deviation, n - 1 denominator (weighted: sqrt of the weighted mean squared
            deviation x n / (n - 1)).
        se : float
            Standard error of the mean (weighted: linearization SE with the n / (n - 1)
            correction).
        median, min, max : float
            Of the unweighted values.
        ci_low, ci_high : float
            ``mean -/+ t(1 - (1 - ci) / 2, n - 1) x se``; NaN when n < 2.
        weighted : bool
            Whether weights were used.
    """
    rows = []
    for column in columns:
        values = pd.to_numeric(data[column], errors="coerce").astype("float64")
        keep = values.notna()
        w = None
        if weights is not None:
            w = pd.to_numeric(data[weights], errors="coerce").astype("float64")
            keep &= w.notna()
            w = w[keep].to_numpy()
        x = values[keep].to_numpy()
        rows.append({"variable": column, **_moments(x, w, ci)})
    return pd.DataFrame(rows, columns=list(DESCRIBE_COLUMNS))


def _moments(x: np.ndarray, w: np.ndarray | None, ci: float) -> dict:
    n = len(x)
    nan = float("nan")
    if n == 0:
        return dict.fromkeys(DESCRIBE_COLUMNS[1:], nan) | {"n": 0, "weighted": w is not None}
    if w is None:
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else nan
        se = sd / np.sqrt(n) if n > 1 else nan
    else:
        total = w.sum()
        mean = float(w @ x / total)
        deviation = x - mean
        correction = n / (n - 1) if n > 1 else nan
        sd = float(np.sqrt(w @ deviation**2 / total * correction))
        se = float(np.sqrt((w**2) @ deviation**2 * correction) / total)
    half = stats.t.ppf(1 - (1 - ci) / 2, n - 1) * se if n > 1 else nan
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "se": se,
        "median": float(np.median(x)),
        "min": float(x.min()),
        "max": float(x.max()),
        "ci_low": mean - half,
        "ci_high": mean + half,
        "weighted": w is not None,
    }
