"""Mediation analysis as PROCESS model 4: paths by OLS, the indirect effect by bootstrap.

The paths (``a``: X -> M, ``b``: M -> Y given X, ``c``: total, ``c'``: direct) are statsmodels
OLS coefficients with classical standard errors and t tests, as PROCESS prints them, on the
design of :func:`analysis.stats.linear_models.design_matrix` (categories dummy-coded). The
indirect effect ``a x b`` has no normal-theory test worth reporting (its sampling distribution
is skewed), so it gets a bootstrap standard error and confidence interval. All resamples are
fitted at once from one matrix product (:mod:`analysis.stats.bootstrap`), which makes 5,000
resamples cheap; pingouin's ``mediation_analysis`` refits them in a loop and serves as the
second implementation in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.stats.bootstrap import (
    INTERVAL_METHODS,
    bootstrap_interval,
    bootstrap_statistics,
    jackknife_acceleration,
    jackknife_statistics,
    ols_from_cross_products,
    sd_from_cross_products,
)
from analysis.stats.linear_models import INTERCEPT, design_matrix
from analysis.stats.model_data import path_model_frame, require_rows

#: Columns of :func:`mediation`, in order.
MEDIATION_COLUMNS = (
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "ci_method",
    "n",
)
#: Fewest resamples accepted: below this the tail quantiles of a 95% interval rest on a handful
#: of resamples.
MIN_BOOT = 100


def mediation(
    data: pd.DataFrame,
    x: str,
    m: str | Sequence[str],
    y: str,
    covariates: Sequence[str] = (),
    n_boot: int = 5000,
    ci: str = "bca",
    seed: int | None = 20261123,
    level: float = 0.95,
) -> pd.DataFrame:
    """Simple or parallel mediation of the effect of ``x`` on ``y`` through ``m``.

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows missing any used column are left out (listwise).
    x : str
        Numeric antecedent column (a 0/1 column for two groups).
    m : str or sequence of str
        Numeric mediator column, or several for parallel mediators.
    y : str
        Numeric outcome column.
    covariates : sequence of str
        Controls entered in every model (numbers, or categories dummy-coded against their
        first level).
    n_boot : int
        Bootstrap resamples (at least :data:`MIN_BOOT`).
    ci : str
        Bootstrap interval: ``"bca"`` (bias-corrected and accelerated, jackknife
        acceleration), ``"percentile"`` (PROCESS 4's default) or ``"bc"`` (bias-corrected,
        what pingouin reports).
    seed : int or None
        Seed of :func:`numpy.random.default_rng`; the resamples are
        ``default_rng(seed).integers(0, n, (n_boot, n))``.
    level : float
        Confidence level of every interval.

    Returns
    -------
    pandas.DataFrame
        One row per term. Terms, for one mediator: ``a``, ``b``, ``c``, ``c_prime``,
        ``indirect``, ``indirect_std``; for parallel mediators ``a:<m>`` and ``b:<m>`` per
        mediator, ``c``, ``c_prime``, ``indirect:<m>`` per mediator and the total
        ``indirect``, then ``indirect_std:<m>`` and ``indirect_std``. Columns:

        term : str
        estimate : float
            Paths: OLS coefficient (``a``: of x in m ~ x + covariates; ``b``: of m and
            ``c_prime``: of x in y ~ x + m + covariates; ``c``: of x in y ~ x + covariates).
            ``indirect``: ``a x b`` (summed over mediators for the total).
            ``indirect_std``: the completely standardized indirect effect,
            ``a x b x sd(x) / sd(y)``.
        se : float
            Paths: classical OLS standard error. Indirect effects: standard deviation of the
            bootstrap estimates.
        ci_low, ci_high : float
            Paths: t interval. Indirect effects: the bootstrap interval of ``ci``; for
            ``indirect_std`` each resample is standardized with its own sd(x) and sd(y), as
            PROCESS does.
        statistic, df, p_value : float
            Paths: t, residual df (n - coefficients) and two-sided p. NaN for indirect effects.
        ci_method : str
            ``"t"`` for paths, else ``ci``.
        n : int
            Complete rows used.

    Raises
    ------
    ValueError
        For a missing, non-numeric or constant column, a column given two roles, too few
        complete rows, or an unknown ``ci``.

    References
    ----------
    Hayes, A. F. (2022). Introduction to mediation, moderation, and conditional process
    analysis (3rd ed.). Guilford. (PROCESS model 4.)
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing
    and comparing indirect effects in multiple mediator models. Behavior Research Methods,
    40(3), 879-891.
    """
    if ci not in INTERVAL_METHODS:
        raise ValueError(f"unknown ci {ci!r}; use one of {INTERVAL_METHODS}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if int(n_boot) != n_boot or n_boot < MIN_BOOT:
        raise ValueError(f"n_boot must be a whole number of at least {MIN_BOOT}, not {n_boot}")
    mediators = [m] if isinstance(m, str) else list(m)
    if not mediators:
        raise ValueError("m must name at least one mediator column")
    controls = list(covariates)
    frame = path_model_frame(data, {"x": [x], "m": mediators, "y": [y]}, controls)
    control_design, _, dummies = design_matrix(frame, controls)
    require_rows(len(frame), 1 + len(mediators) + control_design.shape[1], "the outcome model")

    fits = _fit_paths(frame, x, mediators, y, control_design.to_numpy())
    paths = [_path_row(term, fit, position, 1 - level) for term, (fit, position) in fits.items()]
    a = np.array([fits[_path_name("a", med, mediators)][0].params[1] for med in mediators])
    b = fits["c_prime"][0].params[2 : 2 + len(mediators)]
    sd_ratio = frame[x].std() / frame[y].std()
    estimate = _combine(a * b, a * b * sd_ratio)

    control_design = control_design.drop(columns=INTERCEPT)
    values, layout = _standardized_columns(frame, x, mediators, y, control_design, set(dummies))
    statistic = partial(_indirect_statistics, layout=layout)
    distribution = bootstrap_statistics(values, statistic, n_boot, seed)
    acceleration = None
    if ci == "bca":
        acceleration = jackknife_acceleration(jackknife_statistics(values, statistic))
    low, high = bootstrap_interval(distribution, estimate, level, ci, acceleration)
    se = distribution.std(axis=0, ddof=1)
    indirect_rows = [
        {
            "term": term,
            "estimate": float(estimate[k]),
            "se": float(se[k]),
            "ci_low": float(low[k]),
            "ci_high": float(high[k]),
            "statistic": np.nan,
            "df": np.nan,
            "p_value": np.nan,
            "ci_method": ci,
        }
        for k, term in enumerate(_indirect_terms(mediators))
    ]
    table = pd.DataFrame([*paths, *indirect_rows], columns=list(MEDIATION_COLUMNS))
    return table.assign(n=len(frame))


def _path_name(path: str, mediator: str, mediators: list[str]) -> str:
    """``a`` or ``b`` for one mediator, ``a:<m>`` or ``b:<m>`` for several."""
    return f"{path}:{mediator}" if len(mediators) > 1 else path


def _fit_paths(
    frame: pd.DataFrame, x: str, mediators: list[str], y: str, controls: np.ndarray
) -> dict[str, tuple[object, int]]:
    """The OLS fits behind each path, with the position of its coefficient.

    ``controls`` is the intercept column and the covariates' design columns. One design serves
    the three models (m ~ x, y ~ x + m, y ~ x, each with the controls); statsmodels fits them
    on arrays, which keeps a call cheap enough for simulations that repeat it.

    Returns
    -------
    dict
        Term (``a``/``a:<m>``, ``b``/``b:<m>``, ``c``, ``c_prime``) -> (statsmodels OLS
        results with classical SEs, coefficient position), in table order.
    """
    intercept, covariates = controls[:, :1], controls[:, 1:]
    x_values = frame[[x]].to_numpy()
    first = np.column_stack([intercept, x_values, covariates])
    second = np.column_stack([intercept, x_values, frame[mediators].to_numpy(), covariates])
    outcome = sm.OLS(frame[y].to_numpy(), second).fit()
    fits = {
        _path_name("a", med, mediators): (sm.OLS(frame[med].to_numpy(), first).fit(), 1)
        for med in mediators
    }
    fits |= {_path_name("b", med, mediators): (outcome, 2 + k) for k, med in enumerate(mediators)}
    fits["c"] = (sm.OLS(frame[y].to_numpy(), first).fit(), 1)
    fits["c_prime"] = (outcome, 1)
    return fits


def _path_row(term: str, fit, position: int, alpha: float) -> dict:
    """One path's row: OLS estimate, classical SE, t interval and t test."""
    low, high = fit.conf_int(alpha=alpha)[position]
    return {
        "term": term,
        "estimate": float(fit.params[position]),
        "se": float(fit.bse[position]),
        "ci_low": float(low),
        "ci_high": float(high),
        "statistic": float(fit.tvalues[position]),
        "df": float(fit.df_resid),
        "p_value": float(fit.pvalues[position]),
        "ci_method": "t",
    }


def _indirect_terms(mediators: list[str]) -> list[str]:
    """Names of the indirect-effect rows, in the order of :func:`_combine`."""
    if len(mediators) == 1:
        return ["indirect", "indirect_std"]
    return [
        *(f"indirect:{med}" for med in mediators),
        "indirect",
        *(f"indirect_std:{med}" for med in mediators),
        "indirect_std",
    ]


def _combine(indirect: np.ndarray, standardized: np.ndarray) -> np.ndarray:
    """Per-mediator effects (last axis) with their totals, as :func:`_indirect_terms` names them.

    ``indirect`` and ``standardized`` have the mediators on the last axis.
    """
    if indirect.shape[-1] == 1:
        return np.concatenate([indirect, standardized], axis=-1)
    return np.concatenate(
        [
            indirect,
            indirect.sum(axis=-1, keepdims=True),
            standardized,
            standardized.sum(axis=-1, keepdims=True),
        ],
        axis=-1,
    )


def _standardized_columns(
    frame: pd.DataFrame,
    x: str,
    mediators: list[str],
    y: str,
    control_design: pd.DataFrame,
    dummies: set[str],
) -> tuple[np.ndarray, dict]:
    """The model's columns for the bootstrap: ones, then x, mediators, controls, y as z-scores.

    Standardizing with the full-sample means and SDs keeps the normal equations well
    conditioned and changes no slope but by a constant factor. Dummy columns stay 0/1, so a
    resample without a level leaves an all-zero column (see
    :func:`analysis.stats.bootstrap.ols_from_cross_products`).

    Returns
    -------
    tuple
        The values ``(n, q)`` and the layout: column positions of ``x``, ``mediators``,
        ``controls`` and ``y``, and ``scale`` = sd(y) / sd(x), which turns a standardized
        ``a x b`` into the raw one.
    """
    numbers = frame[[x, *mediators]]
    controls = control_design
    columns = [
        np.ones(len(frame)),
        *(_z(numbers[column]) for column in numbers),
        *(
            controls[column].to_numpy() if column in dummies else _z(controls[column])
            for column in controls
        ),
        _z(frame[y]),
    ]
    k, p = len(mediators), controls.shape[1]
    layout = {
        "x": 1,
        "mediators": list(range(2, 2 + k)),
        "controls": list(range(2 + k, 2 + k + p)),
        "y": 2 + k + p,
        "scale": frame[y].std() / frame[x].std(),
    }
    return np.column_stack(columns), layout


def _z(values: pd.Series) -> np.ndarray:
    values = values.to_numpy(dtype=np.float64)
    return (values - values.mean()) / values.std(ddof=1)


def _indirect_statistics(cross: np.ndarray, layout: dict) -> np.ndarray:
    """Indirect effects (raw and completely standardized, with totals) per cross-product matrix.

    Returns
    -------
    numpy.ndarray
        Shape ``(r, statistics)``, columns as :func:`_indirect_terms` names them.
    """
    x, mediators, controls, y = (layout[key] for key in ("x", "mediators", "controls", "y"))
    a = ols_from_cross_products(cross, [0, x, *controls], mediators)[:, 1, :]
    b = ols_from_cross_products(cross, [0, x, *mediators, *controls], [y])[
        :, 2 : 2 + len(mediators), 0
    ]
    standardized_ab = a * b
    own_sd_ratio = sd_from_cross_products(cross, x) / sd_from_cross_products(cross, y)
    return _combine(standardized_ab * layout["scale"], standardized_ab * own_sd_ratio[:, None])
