"""Meta-analysis of estimates with known standard errors: fixed and random effects.

The model is metafor's ``rma(yi, sei=se, method=...)`` without moderators: inverse-variance
weights ``1 / (se^2 + tau^2)``, z tests and intervals, Cochran's Q, and I^2 / H^2 and the
prediction interval as metafor prints them. It is written here because statsmodels'
``combine_effects`` has no REML estimator of tau^2 (metafor's default, and the one the
reporting guidelines ask for); its DerSimonian-Laird results are the tests' second
implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import InputError

METHODS = ("REML", "DL", "FE")
#: Columns of :attr:`MetaAnalysis.pooled`, in order.
POOLED_COLUMNS = (
    "method",
    "k",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "z",
    "p_value",
    "tau2",
    "tau",
    "i2",
    "h2",
    "q",
    "q_df",
    "q_p",
    "pi_low",
    "pi_high",
)
#: Columns of :attr:`MetaAnalysis.studies`, in order.
STUDY_COLUMNS = ("label", "estimate", "se", "ci_low", "ci_high", "weight")
#: Columns of :meth:`MetaAnalysis.tidy`, in order.
TIDY_COLUMNS = ("term", "estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "weight")
#: Fisher scoring for the REML tau^2 stops when a step changes tau^2 by less than this.
REML_TOLERANCE = 1e-10
REML_MAX_ITERATIONS = 200


@dataclass
class MetaAnalysis:
    """A pooled estimate and the studies it pools.

    Attributes
    ----------
    pooled : DataFrame
        One row, see :func:`meta_analysis`.
    studies : DataFrame
        One row per study, see :func:`meta_analysis`.
    """

    pooled: pd.DataFrame
    studies: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The studies and the pooled estimate in one table (a forest plot's rows).

        Returns
        -------
        pandas.DataFrame
            term : str
                The study label, then ``pooled``.
            estimate, se, ci_low, ci_high : float
            statistic : float
                z (estimate / se).
            p_value : float
                Two-sided, from z.
            weight : float
                Percent weight of the study (100 for the pooled row).
        """
        studies = self.studies.rename(columns={"label": "term"})
        studies = studies.assign(statistic=studies["estimate"] / studies["se"])
        studies["p_value"] = 2 * stats.norm.sf(studies["statistic"].abs())
        pooled = self.pooled.iloc[0]
        summary = {
            "term": "pooled",
            **{c: pooled[c] for c in ("estimate", "se", "ci_low", "ci_high", "p_value")},
            "statistic": pooled["z"],
            "weight": 100.0,
        }
        return pd.concat([studies, pd.DataFrame([summary])], ignore_index=True)[list(TIDY_COLUMNS)]


def meta_analysis(
    estimates: Sequence[float],
    se: Sequence[float],
    method: str = "REML",
    *,
    labels: Sequence[str] | None = None,
    ci: float = 0.95,
) -> MetaAnalysis:
    """Pool study estimates by inverse-variance weighting (metafor's ``rma``).

    Parameters
    ----------
    estimates : sequence of float
        One effect estimate per study on an additive scale (e.g. log risk ratios, Fisher z,
        standardized mean differences).
    se : sequence of float
        Their standard errors (> 0).
    method : {"REML", "DL", "FE"}
        Random effects with tau^2 by restricted maximum likelihood (Fisher scoring, as
        metafor) or DerSimonian & Laird's (1986) moment estimator; ``"FE"``: fixed (common)
        effect, tau^2 = 0.
    labels : sequence of str, optional
        Study labels (default ``study 1`` ...).
    ci : float
        Confidence level of the confidence and prediction intervals.

    Returns
    -------
    MetaAnalysis
        ``.pooled``, one row:

        method : str
        k : int
            Studies.
        estimate, se : float
            Pooled estimate ``sum(w y) / sum(w)`` and ``1 / sqrt(sum(w))``, with
            ``w = 1 / (se^2 + tau^2)``.
        ci_low, ci_high : float
            ``estimate -/+ z(1 - (1 - ci) / 2) x se``.
        z, p_value : float
            Wald z test of estimate = 0, two-sided.
        tau2, tau : float
            Between-study variance and its square root (0 for FE).
        i2 : float
            Percent of total variability due to heterogeneity, as metafor computes it:
            random effects ``100 tau^2 / (tau^2 + s^2)`` with the typical within-study
            variance ``s^2 = (k - 1) sum(v) / (sum(v)^2 - sum(v^2))``, ``v = 1 / se^2``
            (Higgins & Thompson 2002); FE ``100 max(0, (Q - (k - 1)) / Q)``.
        h2 : float
            ``(tau^2 + s^2) / s^2`` (random effects) or ``Q / (k - 1)`` (FE).
        q, q_df, q_p : float
            Cochran's Q with fixed-effect weights, its df k - 1, and its chi-square p-value.
        pi_low, pi_high : float
            Prediction interval of a new study's true effect,
            ``estimate -/+ z(1 - (1 - ci) / 2) sqrt(se^2 + tau^2)`` (metafor's default with
            z tests; equal to the confidence interval for FE).

        ``.studies``, one row per study: ``label``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` (z interval) and ``weight`` (percent of the total weight of the chosen
        model).

    Raises
    ------
    ValueError
        For an unknown method.
    InputError
        For fewer than two studies, estimates and standard errors of different lengths,
        missing or non-finite values, a standard error that is not positive, or labels that do
        not match the studies.

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal
    of Statistical Software, 36(3), 1-48.
    """
    if method not in METHODS:
        raise ValueError(f"unknown meta-analysis method {method!r}; use one of {METHODS}")
    y, sei = _checked(estimates, se)
    k = len(y)
    names = [f"study {i}" for i in range(1, k + 1)] if labels is None else list(labels)
    if len(names) != k:
        raise InputError(f"{len(names)} labels for {k} studies")
    v = sei**2
    fixed_w = 1 / v
    fixed_mean = fixed_w @ y / fixed_w.sum()
    q = float(fixed_w @ (y - fixed_mean) ** 2)
    tau2 = {"FE": lambda: 0.0, "DL": lambda: _dl(y, v), "REML": lambda: _reml(y, v)}[method]()
    w = 1 / (v + tau2)
    estimate = float(w @ y / w.sum())
    pooled_se = float(1 / np.sqrt(w.sum()))
    quantile = stats.norm.ppf(1 - (1 - ci) / 2)
    z = estimate / pooled_se
    if method == "FE":
        i2 = 100 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        typical = (k - 1) * fixed_w.sum() / (fixed_w.sum() ** 2 - (fixed_w**2).sum())
        i2 = 100 * tau2 / (tau2 + typical)
        h2 = (tau2 + typical) / typical
    pi_half = quantile * np.sqrt(pooled_se**2 + tau2)
    pooled = {
        "method": method,
        "k": k,
        "estimate": estimate,
        "se": pooled_se,
        "ci_low": estimate - quantile * pooled_se,
        "ci_high": estimate + quantile * pooled_se,
        "z": z,
        "p_value": float(2 * stats.norm.sf(abs(z))),
        "tau2": float(tau2),
        "tau": float(np.sqrt(tau2)),
        "i2": float(i2),
        "h2": float(h2),
        "q": q,
        "q_df": k - 1,
        "q_p": float(stats.chi2.sf(q, k - 1)),
        "pi_low": estimate - pi_half,
        "pi_high": estimate + pi_half,
    }
    studies = pd.DataFrame(
        {
            "label": names,
            "estimate": y,
            "se": sei,
            "ci_low": y - quantile * sei,
            "ci_high": y + quantile * sei,
            "weight": 100 * w / w.sum(),
        },
        columns=list(STUDY_COLUMNS),
    )
    return MetaAnalysis(
        pooled=pd.DataFrame([pooled], columns=list(POOLED_COLUMNS)), studies=studies
    )


def _checked(estimates, se) -> tuple[np.ndarray, np.ndarray]:
    try:
        y = np.asarray(estimates, dtype="float64").ravel()
        sei = np.asarray(se, dtype="float64").ravel()
    except (TypeError, ValueError) as error:
        raise InputError(f"estimates and standard errors must be numbers ({error})") from None
    if len(y) != len(sei):
        raise InputError(f"{len(y)} estimates but {len(sei)} standard errors")
    if len(y) < 2:
        raise InputError(f"a meta-analysis needs at least two studies; got {len(y)}")
    for name, values in (("estimate", y), ("standard error", sei)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputError(f"study {np.flatnonzero(bad)[0] + 1}: {name} is missing or infinite")
    if (sei <= 0).any():
        first = np.flatnonzero(sei <= 0)[0]
        raise InputError(f"study {first + 1}: standard error {sei[first]} is not positive")
    return y, sei


def _dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian & Laird's moment estimator of tau^2, truncated at 0."""
    w = 1 / v
    mean = w @ y / w.sum()
    q = w @ (y - mean) ** 2
    return float(max(0.0, (q - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum())))


def _reml(y: np.ndarray, v: np.ndarray) -> float:
    """REML tau^2 by Fisher scoring with step halving at 0 (Viechtbauer 2005), as metafor."""
    tau2 = _dl(y, v)
    for _ in range(REML_MAX_ITERATIONS):
        w = 1 / (v + tau2)
        # P = W - W 1 (1' W 1)^-1 1' W for the intercept-only model
        p = np.diag(w) - np.outer(w, w) / w.sum()
        py = p @ y
        step = (py @ py - np.trace(p)) / np.trace(p @ p)
        new = tau2 + step
        while new < 0:
            step /= 2
            new = tau2 + step
        if abs(new - tau2) < REML_TOLERANCE:
            return float(new)
        tau2 = new
    raise RuntimeError("REML estimate of tau^2 did not converge")
