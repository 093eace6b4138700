"""Adjusted p-values for a family of tests: Holm, Benjamini-Hochberg and Bonferroni.

statsmodels' ``multipletests`` does the BH and Bonferroni adjustments. Holm's is computed
here (:func:`_holm`, checked against statsmodels in the tests): statsmodels' Holm branch ends
with an explicit ``gc.collect()``, a full collection that takes about 0.3 s in a process holding
the reporting stack, paid on every family a study report adjusts. This module adds what a report
needs around the adjustment: the result has the type and shape of the input (list, tuple,
NumPy array of any shape, pandas Series with its index), and a missing p-value (NaN) stays
missing in its place and is not counted in the family, as R's ``p.adjust`` does with ``NA``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from analysis.errors import InputError

#: Adjustment methods of :func:`adjust_pvalues` (statsmodels names; R: holm, BH, bonferroni).
METHODS = ("holm", "fdr_bh", "bonferroni")


def adjust_pvalues(p, method: str = "holm"):
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    p : list, tuple, numpy.ndarray, pandas.Series or float
        The p-values of one family of tests, each in [0, 1]; NaN (or None) marks a test that
        was not done.
    method : {"holm", "fdr_bh", "bonferroni"}
        ``"holm"``: Holm's (1979) step-down family-wise adjustment (R ``p.adjust(method =
        "holm")``). ``"fdr_bh"``: Benjamini & Hochberg's (1995) false discovery rate (R
        ``"BH"``). ``"bonferroni"``: ``min(1, m p)``.

    Returns
    -------
    same type as ``p``
        The adjusted p-values in the same order and shape (a Series keeps its index and name).
        NaN stays NaN in its place; the family size m is the number of non-missing p-values.

    Raises
    ------
    ValueError
        For an unknown method.
    InputError
        When a value is not a number or lies outside [0, 1].

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03])
    [0.03, 0.06, nan, 0.06]
    """
    if method not in METHODS:
        raise ValueError(f"unknown p-value adjustment {method!r}; use one of {METHODS}")
    values = _as_float_array(p)
    adjusted = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        family = values[present]
        adjusted[present] = (
            _holm(family) if method == "holm" else multipletests(family, method=method)[1]
        )
    return _like(p, adjusted)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: the running maximum of ``min(1, (m - i + 1) p_(i))`` over
    the sorted p-values, put back in their order (R ``p.adjust(p, "holm")``)."""
    order = np.argsort(p, kind="stable")
    steps = np.minimum(1.0, (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def _as_float_array(p) -> np.ndarray:
    raw = p.to_numpy(dtype=object) if isinstance(p, pd.Series) else np.asarray(p, dtype=object)
    try:
        values = np.array([np.nan if v is None else v for v in raw.ravel()], dtype="float64")
    except (TypeError, ValueError) as error:
        raise InputError(f"p-values must be numbers between 0 and 1 ({error})") from None
    outside = (values < 0) | (values > 1)
    if outside.any():
        raise InputError(f"p-values must lie between 0 and 1; got {float(values[outside][0])}")
    return values.reshape(raw.shape)


def _like(p, adjusted: np.ndarray):
    if isinstance(p, pd.Series):
        return pd.Series(adjusted, index=p.index, name=p.name)
    if isinstance(p, np.ndarray):
        return adjusted
    if isinstance(p, list):
        return adjusted.tolist()
    if isinstance(p, tuple):
        return tuple(adjusted.tolist())
    if np.ndim(p) == 0:
        return float(adjusted)
    return adjusted
