"""Intervals that report figures draw: a regression line's band and group means' intervals.

A figure only draws these tables, so every interval a report shows is computed here, once, and
tested against a reference (R's ``predict.lm``, a second implementation of HC3, scipy's t
quantiles and the bootstrap's own draws).

- :func:`regression_band`: the least-squares line of ``y`` on one ``x`` and the confidence
  band of its mean, ``fit -/+ t(df) x sqrt(g' V g)`` with ``g = (1, x)`` and ``V`` the
  classical or heteroskedasticity-consistent (HC0-HC3) covariance of the coefficients, as R's
  ``predict(lm, interval = "confidence")`` (classical) or with ``sandwich::vcovHC`` gives.
  statsmodels fits the line and its covariance.
- :func:`group_means`: the mean of a column in each group with a t interval (what SPSS's error
  bars show; :func:`~analysis.stats.describe`'s) or a percentile bootstrap interval (for
  skewed counts such as likes per post).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.errors import did_you_mean
from analysis.stats.bootstrap import resample_counts
from analysis.stats.descriptives import describe

#: Covariances of :func:`regression_band` (``None`` is the classical OLS covariance).
BAND_COVARIANCES = (None, "HC0", "HC1", "HC2", "HC3")
#: Intervals of :func:`group_means`.
MEAN_INTERVALS = ("t", "percentile")
#: Columns of :func:`regression_band`, in order.
BAND_COLUMNS = ("x", "fit", "se", "ci_low", "ci_high")
#: Columns of :func:`group_means` after the grouping columns, in order.
GROUP_MEAN_COLUMNS = ("n", "mean", "ci_low", "ci_high", "interval")


def regression_band(
    data: pd.DataFrame,
    y: str,
    x: str,
    *,
    robust: str | None = "HC3",
    ci: float = 0.95,
    points: int = 50,
    at: Sequence[float] | None = None,
) -> pd.DataFrame:
    """The OLS line of ``y`` on ``x`` and the confidence band of its mean, over the range of x.

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows missing ``x`` or ``y`` are left out.
    y, x : str
        Numeric outcome and predictor columns (``x`` must vary).
    robust : {None, "HC0", "HC1", "HC2", "HC3"}
        Covariance of the coefficients: ``None`` for the classical one (R's
        ``predict.lm``), else the heteroskedasticity-consistent kind (default HC3, as the
        hypotheses' models).
    ci : float
        Confidence level of the band.
    points : int
        Evenly spaced values of x from its minimum to its maximum (at least 2).
    at : sequence of float, optional
        Values of x to evaluate instead of the ``points`` evenly spaced ones.

    Returns
    -------
    pandas.DataFrame
        One row per value of x (``points`` rows ascending, or ``at`` in its order):

        x : float
            Value of the predictor.
        fit : float
            Fitted mean of y at x, ``b0 + b1 x``.
        se : float
            Standard error of the fitted mean, ``sqrt(g' V g)`` with ``g = (1, x)``.
        ci_low, ci_high : float
            ``fit -/+ t(1 - (1 - ci) / 2, n - 2) x se``.

    Raises
    ------
    ValueError
        For a column that is missing, not numeric or constant, an unknown covariance, or
        fewer than 3 complete rows.
    """
    if robust not in BAND_COVARIANCES:
        raise ValueError(f"robust must be one of {BAND_COVARIANCES}, not {robust!r}")
    if points < 2:
        raise ValueError(f"points must be at least 2, not {points}")
    frame = _complete_rows(data, [x, y], [])
    if frame[x].nunique() < 2:
        raise ValueError(f"x column {x!r} does not vary in the {len(frame)} complete rows")
    if len(frame) < 3:
        raise ValueError(f"a regression band needs at least 3 complete rows of {x!r} and {y!r}")
    design = sm.add_constant(frame[x].to_numpy())
    fit = sm.OLS(frame[y].to_numpy(), design).fit(cov_type=robust or "nonrobust", use_t=True)
    grid = (
        np.linspace(frame[x].min(), frame[x].max(), points) if at is None else np.asarray(at, float)
    )
    prediction = fit.get_prediction(sm.add_constant(grid, has_constant="add"))
    low, high = prediction.conf_int(alpha=1 - ci).T
    return pd.DataFrame(
        {
            "x": grid,
            "fit": prediction.predicted_mean,
            "se": prediction.se_mean,
            "ci_low": low,
            "ci_high": high,
        },
        columns=list(BAND_COLUMNS),
    )


def group_means(
    data: pd.DataFrame,
    value: str,
    by: str | Sequence[str],
    *,
    interval: str = "t",
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = None,
) -> pd.DataFrame:
    """The mean of ``value`` in each group of ``by``, with a confidence interval.

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows missing ``value`` or a grouping column are left out.
    value : str
        Numeric column.
    by : str or sequence of str
        Grouping column(s). Groups come in the order of their categories (pandas
        categoricals) or sorted.
    interval : {"t", "percentile"}
        ``"t"``: ``mean -/+ t(1 - (1 - ci) / 2, n - 1) x sd / sqrt(n)``. ``"percentile"``:
        the percentiles ``(1 - ci) / 2`` and ``(1 + ci) / 2`` of the means of ``n_boot``
        resamples of the group's rows drawn with replacement (no normality assumed; for
        skewed counts).
    ci : float
        Confidence level.
    n_boot : int
        Resamples of a percentile interval.
    seed : int, optional
        Seed of the resamples (each group's draws are those of
        :func:`~analysis.stats.bootstrap.resample_counts` with this seed).

    Returns
    -------
    pandas.DataFrame
        One row per group with any value: the grouping column(s), then

        n : int
            Values in the group.
        mean : float
        ci_low, ci_high : float
            The interval; NaN for a group of one value.
        interval : str
            ``"t"`` or ``"percentile"``.

    Raises
    ------
    ValueError
        For a missing or non-numeric column or an unknown interval.
    """
    if interval not in MEAN_INTERVALS:
        raise ValueError(f"interval must be one of {MEAN_INTERVALS}, not {interval!r}")
    keys = [by] if isinstance(by, str) else list(by)
    frame = _complete_rows(data, [value], keys)
    rows = []
    for group, values in frame.groupby(keys, sort=True, observed=True)[value]:
        x = values.to_numpy()
        low, high = _interval(x, interval, ci, n_boot, seed)
        rows.append([*group, len(x), float(x.mean()), low, high, interval])
    return pd.DataFrame(rows, columns=[*keys, *GROUP_MEAN_COLUMNS])


def _complete_rows(data: pd.DataFrame, numeric: list[str], keys: list[str]) -> pd.DataFrame:
    """The rows with every column present, the ``numeric`` ones as floats."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    for column in [*numeric, *keys]:
        if column not in data.columns:
            hint = did_you_mean(column, data.columns)
            raise ValueError(
                f"column {column!r} is not in the data" + (f" ({hint})" if hint else "")
            )
    for column in numeric:
        if not (
            pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(data[column])
        ):
            raise ValueError(f"column {column!r} must hold numbers (found {data[column].dtype})")
    frame = data[[*numeric, *keys]].dropna()
    return frame.astype(dict.fromkeys(numeric, "float64"))


def _interval(x: np.ndarray, interval: str, ci: float, n_boot: int, seed: int | None):
    n = len(x)
    if n < 2:
        return float("nan"), float("nan")
    if interval == "t":
        row = describe(pd.DataFrame({"value": x}), ["value"], ci=ci).iloc[0]
        return float(row["ci_low"]), float(row["ci_high"])
    means = np.concatenate([counts @ x / n for counts in resample_counts(n, n_boot, seed)])
    low, high = np.percentile(means, [100 * (1 - ci) / 2, 100 * (1 + ci) / 2])
    return float(low), float(high)
