"""Sensitivity power analysis: the smallest effect a study of a given size can detect.

A survey's sample size is usually fixed by the time it is analysed, so the useful question is
the G*Power "sensitivity" one: at this n, alpha and power, how large must the effect be? The
answers come from statsmodels' power classes (Cohen's f2 and d) and pingouin (r); only the
bookkeeping of degrees of freedom is done here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
from statsmodels.stats.power import FTestPowerF2, TTestIndPower

#: Columns of :func:`sensitivity`, in order.
SENSITIVITY_COLUMNS = ("test", "n", "alpha", "power", "min_effect", "effect_name")
TESTS = ("f2", "r", "d")


def sensitivity(
    n: float,
    n_predictors: int,
    *,
    test: str = "f2",
    alpha: float = 0.05,
    power: float = 0.80,
    n_tested: int = 1,
) -> pd.DataFrame:
    """The smallest effect detectable with probability ``power`` by a two-sided test at ``alpha``.

    Parameters
    ----------
    n : float
        Total sample size (complete cases of the analysis).
    n_predictors : int
        ``f2``: number of predictor terms in the full model (design columns besides the
        intercept; a category with k levels counts k - 1). Not used by ``r`` and ``d``.
    test : str
        ``"f2"``: F test that ``n_tested`` regression coefficients are zero (one coefficient,
        or the R2 increase of a set), Cohen's f2 with noncentrality ``f2 * n`` as in G*Power's
        "Linear multiple regression: fixed model, R2 increase" (statsmodels ``FTestPowerF2``).
        ``"r"``: test that a Pearson correlation is zero, Fisher-z approximation of
        ``pwr::pwr.r.test`` (pingouin ``power_corr``).
        ``"d"``: two-sample t test, Cohen's d, with ``n / 2`` per group (statsmodels
        ``TTestIndPower``; R ``power.t.test``).
    alpha : float
        Significance level.
    power : float
        Wanted power, 1 - beta.
    n_tested : int
        ``f2``: numerator df, the coefficients tested together (1 for one slope).

    Returns
    -------
    pandas.DataFrame
        One row: ``test``, ``n``, ``alpha``, ``power``, ``min_effect`` (the smallest f2, r or
        d), ``effect_name`` (``f2``, ``r`` or ``d``).

    Raises
    ------
    ValueError
        For an unknown test, alpha or power outside (0, 1), or an ``n`` too small for the
        test (``f2``: ``n > n_predictors + 1``; ``r``: ``n >= 4``; ``d``: ``n >= 4``), or
        ``n_tested`` outside 1..``n_predictors``.
    """
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; available: {', '.join(TESTS)}")
    for name, value in (("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be between 0 and 1, not {value}")
    if test == "f2":
        if not 1 <= n_tested <= n_predictors:
            raise ValueError(
                f"n_tested must be between 1 and n_predictors ({n_predictors}), not {n_tested}"
            )
        if n <= n_predictors + 1:
            raise ValueError(f"n = {n} leaves no residual df for {n_predictors} predictors")
        # statsmodels' noncentrality is f2 * (df_num + df_denom + ncc); G*Power's is f2 * n
        effect = FTestPowerF2().solve_power(
            df_num=n_tested,
            df_denom=n - n_predictors - 1,
            alpha=alpha,
            power=power,
            ncc=n_predictors + 1 - n_tested,
        )
    elif n < 4:
        raise ValueError(f"n = {n} is too small for test {test!r} (at least 4)")
    elif test == "r":
        effect = pingouin.power_corr(n=n, power=power, alpha=alpha)
    else:
        effect = TTestIndPower().solve_power(nobs1=n / 2, ratio=1.0, alpha=alpha, power=power)
    return pd.DataFrame(
        [
            {
                "test": test,
                "n": n,
                "alpha": alpha,
                "power": power,
                "min_effect": float(np.squeeze(effect)),
                "effect_name": test,
            }
        ],
        columns=list(SENSITIVITY_COLUMNS),
    )
