"""Count models for engagement: negative binomial (NB2) and Poisson GLMs with an exposure offset.

:func:`count_model` fits a count outcome (likes, comments, shares of a post) on focal
predictors and covariates, numbers as they are and categories dummy-coded against their first
level (:func:`analysis.stats.linear_models.design_matrix`, so no formula is parsed), with
``log(exposure)`` as an offset: with ``exposure="followers_at_post"`` the coefficients are
log rate ratios *per follower*, so a large account is not credited for its audience.

How the model is fitted (and why in two steps)
    ``negbin``
        NB2, ``Var(y) = mu + alpha mu^2``. The dispersion ``alpha`` and the coefficients are
        estimated jointly by maximum likelihood with statsmodels' discrete
        :class:`~statsmodels.discrete.discrete_model.NegativeBinomial` (Newton). The
        coefficients are then refitted by statsmodels' GLM with ``alpha`` held at its estimate
        (the same optimum), which is what R's ``MASS::glm.nb`` reports: its model-based
        standard errors come from the Fisher information at the estimated ``theta = 1 /
        alpha``. The interval of ``alpha`` is a Wald interval on ``log(alpha)`` from the joint
        fit, so it stays positive.
    ``poisson``
        statsmodels GLM Poisson (R's ``glm(family = poisson)``).

Standard errors
    ``robust=None`` gives the model-based ones (what R's ``summary`` prints). ``"HC0"`` and
    ``"HC1"`` are sandwich estimators and ``"cluster"`` the cluster-robust one, computed here
    as R's ``sandwich::vcovHC`` / ``vcovCL`` compute them for a ``glm`` / ``glm.nb`` fit:
    scores ``(y - mu) / (1 + alpha mu) x``, bread from the Fisher information
    ``X' diag(mu / (1 + alpha mu)) X``; HC1 scales by ``n / (n - k)`` and the cluster
    estimator by ``G / (G - 1) (n - 1) / (n - k)``, with ``k`` the mean coefficients. They
    are computed here because statsmodels builds a GLM sandwich on the observed Hessian (for
    the NB log link, which is not its canonical link, that differs from R) and returns HC0
    for every HC kind of a GLM. Stata's ``nbreg, vce(robust)``, which also counts ``alpha``
    in the sandwich, differs from both in the third decimal.

The likelihood-ratio test of the NB model against the Poisson model tests ``alpha = 0``, a
value on the boundary of the parameter space, so its p-value is half the chi-squared(1) tail
(Self & Liang 1987; Stata prints it as ``chibar2(01)``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as distributions
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from analysis.errors import InputError, did_you_mean
from analysis.stats.linear_models import INTERCEPT, design_matrix

FAMILIES = ("negbin", "poisson")
ROBUST = (None, "HC0", "HC1", "cluster")

#: Columns of :meth:`CountModelResult.tidy`, in order.
TIDY_COLUMNS = (
    "term",
    "variable",
    "level",
    "focal",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "irr",
    "irr_ci_low",
    "irr_ci_high",
)
#: Columns of :meth:`CountModelResult.model_summary`, in order.
SUMMARY_COLUMNS = (
    "n",
    "family",
    "exposure",
    "log_likelihood",
    "n_parameters",
    "aic",
    "bic",
    "deviance",
    "df_resid",
    "pearson_dispersion",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "theta",
    "lr_poisson",
    "lr_poisson_p_value",
    "robust",
)
#: Columns of :meth:`CountModelResult.variable_tests`, in order.
VARIABLE_TEST_COLUMNS = ("variable", "focal", "n_terms", "statistic", "df_num", "p_value")


@dataclass
class CountModelResult:
    """A fitted count model and its tidy tables.

    Attributes
    ----------
    fit : statsmodels GLMResults
        The GLM fit (for ``negbin``: at the ML estimate of ``alpha``); ``fit.mu`` are the
        fitted counts. Its own ``bse`` are model-based; the tables use ``cov``.
    y : str
    x : list of str
        Focal predictor columns.
    covariates : list of str
    exposure : str or None
        Column whose log is the offset.
    family : str
        ``"negbin"`` or ``"poisson"``.
    robust : str or None
    terms : dict
        Variable -> its design-matrix columns.
    levels : dict
        Dummy column -> category level.
    alpha : float
        1 - confidence level of the intervals.
    params : Series
        Coefficients (log rate ratios), intercept first.
    cov : DataFrame
        Their covariance matrix, of the chosen kind.
    dispersion : float
        NB2 ``alpha`` (NaN for ``poisson``).
    dispersion_se : float
        Its standard error from the joint ML fit (NaN for ``poisson``).
    log_likelihood : float
    poisson_log_likelihood : float
        Log-likelihood of the Poisson model with the same design and offset.
    n : int
        Complete rows analysed.
    """

    fit: object = field(repr=False)
    y: str
    x: list[str]
    covariates: list[str]
    exposure: str | None
    family: str
    robust: str | None
    terms: dict[str, list[str]]
    levels: dict[str, str]
    alpha: float
    params: pd.Series = field(repr=False)
    cov: pd.DataFrame = field(repr=False)
    dispersion: float
    dispersion_se: float
    log_likelihood: float
    poisson_log_likelihood: float
    n: int

    def tidy(self) -> pd.DataFrame:
        """One row per coefficient, intercept first.

        Returns
        -------
        pandas.DataFrame
            term : str
                ``Intercept``, the variable name, or ``variable[level]`` for a category level.
            variable : str
                The column the term comes from (``Intercept`` for the intercept).
            level : str or None
                The category level (None for numbers and the intercept).
            focal : bool
                Whether the term belongs to a focal predictor.
            estimate : float
                Coefficient B on the log scale (log rate ratio for a slope; the intercept is the
                log rate per unit of exposure, or the log count without an exposure).
            se : float
                Standard error of the chosen kind.
            ci_low, ci_high : float
                Normal (Wald) ``1 - alpha`` interval of B.
            statistic : float
                z = B / SE.
            p_value : float
                Two-sided.
            irr : float
                Incidence rate ratio ``exp(B)``: the factor by which the expected count (per
                unit of exposure) changes for a one-unit increase or for the level against the
                reference level. NaN for the intercept, which is not a ratio.
            irr_ci_low, irr_ci_high : float
                ``exp`` of the interval ends (NaN for the intercept).
        """
        critical = float(distributions.norm.ppf(1 - self.alpha / 2))
        rows = []
        for name in self.params.index:
            estimate = float(self.params[name])
            se = float(np.sqrt(self.cov.loc[name, name]))
            low, high = estimate - critical * se, estimate + critical * se
            variable = self._variable_of(name)
            is_slope = variable != INTERCEPT
            rows.append(
                {
                    "term": name,
                    "variable": variable,
                    "level": self.levels.get(name),
                    "focal": variable in self.x,
                    "estimate": estimate,
                    "se": se,
                    "ci_low": low,
                    "ci_high": high,
                    "statistic": estimate / se,
                    "p_value": float(2 * distributions.norm.sf(abs(estimate / se))),
                    "irr": float(np.exp(estimate)) if is_slope else float("nan"),
                    "irr_ci_low": float(np.exp(low)) if is_slope else float("nan"),
                    "irr_ci_high": float(np.exp(high)) if is_slope else float("nan"),
                }
            )
        return pd.DataFrame(rows, columns=list(TIDY_COLUMNS))

    def variable_tests(self) -> pd.DataFrame:
        """One Wald chi-squared test per predictor, all of its terms at once.

        Returns
        -------
        pandas.DataFrame
            variable : str
            focal : bool
            n_terms : int
                Design-matrix columns of the variable (levels - 1 for a category).
            statistic : float
                Wald chi-squared with the model's kind of standard error (z^2 for one term).
            df_num : float
                Its degrees of freedom (``n_terms``).
            p_value : float
        """
        rows = []
        for variable in [*self.x, *self.covariates]:
            columns = self.terms[variable]
            test = self._wald(columns)
            rows.append(
                {
                    "variable": variable,
                    "focal": variable in self.x,
                    "n_terms": len(columns),
                    "statistic": test["statistic"],
                    "df_num": test["df_num"],
                    "p_value": test["p_value"],
                }
            )
        return pd.DataFrame(rows, columns=list(VARIABLE_TEST_COLUMNS))

    def focal_test(self) -> pd.Series:
        """The joint Wald chi-squared test of every focal term (one test per hypothesis).

        Returns
        -------
        pandas.Series
            ``statistic`` (Wald chi-squared with the model's kind of SE), ``statistic_name``
            (``"chi2"``), ``df_num``, ``p_value``, ``effect_size`` (the IRR when the focal
            predictors have one term, else NaN) and ``effect_size_name`` (``"irr"``).
        """
        columns = [c for v in self.x for c in self.terms[v]]
        test = self._wald(columns)
        irr = float(np.exp(self.params[columns[0]])) if len(columns) == 1 else float("nan")
        return pd.Series(test | {"effect_size": irr, "effect_size_name": "irr"})

    def model_summary(self) -> pd.DataFrame:
        """Model fit in one row (:data:`SUMMARY_COLUMNS`).

        Returns
        -------
        pandas.DataFrame
            n : int
                Complete rows analysed.
            family : str
            exposure : str or None
                The offset column (its log is the offset).
            log_likelihood : float
                Full log-likelihood (R's ``logLik``; ``glm.nb`` prints twice it).
            n_parameters : int
                Coefficients, plus ``alpha`` for ``negbin``.
            aic, bic : float
                ``-2 LL + 2 p`` and ``-2 LL + log(n) p`` with ``p = n_parameters`` (as R's
                ``AIC`` and ``BIC``, which count ``theta``).
            deviance : float
                Residual deviance (for ``negbin`` at the estimated ``alpha``, as ``glm.nb``).
            df_resid : int
                ``n`` minus the coefficients.
            pearson_dispersion : float
                Pearson chi-squared / ``df_resid``: near 1 when the family's variance fits; well
                above 1 for a Poisson model means overdispersion (use ``negbin``).
            alpha : float
                NB2 dispersion (``Var = mu + alpha mu^2``); NaN for ``poisson``.
            alpha_ci_low, alpha_ci_high : float
                Its ``1 - alpha`` Wald interval on the log scale.
            theta : float
                ``1 / alpha``, the ``theta`` R's ``glm.nb`` prints.
            lr_poisson : float
                ``2 (LL_negbin - LL_poisson)``, the likelihood-ratio statistic of ``alpha = 0``.
            lr_poisson_p_value : float
                Half the chi-squared(1) tail (``alpha = 0`` is on the boundary); NaN for
                ``poisson``.
            robust : str
                Kind of standard error (``model`` when None).
        """
        fit = self.fit
        n_coefficients = len(self.params)
        n_parameters = n_coefficients + (1 if self.family == "negbin" else 0)
        df_resid = self.n - n_coefficients
        summary = {
            "n": self.n,
            "family": self.family,
            "exposure": self.exposure,
            "log_likelihood": self.log_likelihood,
            "n_parameters": n_parameters,
            "aic": -2 * self.log_likelihood + 2 * n_parameters,
            "bic": -2 * self.log_likelihood + np.log(self.n) * n_parameters,
            "deviance": float(fit.deviance),
            "df_resid": df_resid,
            "pearson_dispersion": float(fit.pearson_chi2) / df_resid,
            "robust": self.robust or "model",
        }
        if self.family == "negbin":
            critical = float(distributions.norm.ppf(1 - self.alpha / 2))
            spread = critical * self.dispersion_se / self.dispersion
            statistic = max(2 * (self.log_likelihood - self.poisson_log_likelihood), 0.0)
            summary |= {
                "alpha": self.dispersion,
                "alpha_ci_low": self.dispersion * np.exp(-spread),
                "alpha_ci_high": self.dispersion * np.exp(spread),
                "theta": 1 / self.dispersion,
                "lr_poisson": statistic,
                "lr_poisson_p_value": float(0.5 * distributions.chi2.sf(statistic, 1)),
            }
        return pd.DataFrame([summary], columns=list(SUMMARY_COLUMNS))

    def _variable_of(self, term: str) -> str:
        for variable, columns in self.terms.items():
            if term in columns:
                return variable
        return INTERCEPT

    def _wald(self, columns: list[str]) -> dict:
        """Wald chi-squared test that every one of ``columns`` is zero."""
        params = self.params[columns].to_numpy()
        middle = self.cov.loc[columns, columns].to_numpy()
        statistic = float(params @ np.linalg.solve(middle, params))
        return {
            "statistic": statistic,
            "statistic_name": "chi2",
            "df_num": float(len(columns)),
            "p_value": float(distributions.chi2.sf(statistic, len(columns))),
        }


def count_model(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    covariates: Sequence[str] = (),
    exposure: str | None = None,
    family: str = "negbin",
    robust: str | None = "HC1",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> CountModelResult:
    """Fit a negative binomial (NB2) or Poisson GLM of a count on predictors.

    Parameters
    ----------
    data : DataFrame
        One row per unit (e.g. per post); rows missing any used column are left out.
    y : str
        Count column: whole numbers >= 0.
    x : str or sequence of str
        Focal predictor column(s): numbers, or categories (strings, booleans, pandas
        categoricals) dummy-coded against their first level (the first category of a pandas
        categorical, else the first in sorted order).
    covariates : sequence of str
        Control columns, coded like ``x``.
    exposure : str, optional
        Column of exposures (> 0), e.g. ``followers_at_post``; ``log(exposure)`` enters as an
        offset (coefficient fixed at 1), so the model is for the count per unit of exposure.
    family : str
        ``"negbin"`` (NB2, dispersion estimated by ML) or ``"poisson"``.
    robust : str or None
        ``None`` (model-based SEs, as R's ``summary``), ``"HC0"``, ``"HC1"`` (default) or
        ``"cluster"`` (needs ``cluster``); see the module docstring.
    cluster : str, optional
        Column of cluster ids (e.g. ``agency_id``) for ``robust="cluster"``.
    alpha : float
        1 - confidence level of the intervals (not the NB dispersion, which the summary calls
        ``alpha`` as the literature does).

    Returns
    -------
    CountModelResult
        ``.tidy()`` (coefficients and IRRs), ``.variable_tests()``, ``.focal_test()``,
        ``.model_summary()``, ``.fit``.

    Raises
    ------
    InputError
        Naming the column at fault: a column not in the data, a count that is negative or not
        whole, an exposure that is not > 0, a category with one level, no complete rows or
        fewer complete rows than coefficients + 1, fewer than two clusters; or an unknown
        family or kind of SE, or a negative binomial fit that does not converge.
    """
    _check_options(family, robust, cluster, alpha)
    focal = [x] if isinstance(x, str) else list(x)
    controls = list(covariates)
    if not focal:
        raise InputError("count_model needs at least one focal predictor x")
    frame = _complete_rows(data, y, focal, controls, exposure, cluster)
    try:
        design, terms, levels = design_matrix(frame, [*focal, *controls])
    except ValueError as error:
        raise InputError(str(error)) from error
    if len(frame) <= design.shape[1]:
        raise InputError(
            f"{len(frame)} complete rows for {design.shape[1]} coefficients: too few to fit"
        )
    endog = frame[y].astype("float64")
    offset = np.log(frame[exposure].astype("float64")).to_numpy() if exposure else None
    poisson = sm.GLM(endog, design, family=sm.families.Poisson(), offset=offset).fit()
    if family == "negbin":
        dispersion, dispersion_se, start = _nb2_dispersion(endog, design, offset, poisson.params)
        glm_family = sm.families.NegativeBinomial(alpha=dispersion)
        fit = sm.GLM(endog, design, family=glm_family, offset=offset).fit(start_params=start)
    else:
        dispersion, dispersion_se, fit = float("nan"), float("nan"), poisson
    groups = frame[cluster] if cluster else None
    cov = _covariance(fit, design, endog, dispersion, robust, groups)
    return CountModelResult(
        fit=fit,
        y=y,
        x=focal,
        covariates=controls,
        exposure=exposure,
        family=family,
        robust=robust,
        terms=terms,
        levels=levels,
        alpha=alpha,
        params=fit.params,
        cov=pd.DataFrame(cov, index=fit.params.index, columns=fit.params.index),
        dispersion=dispersion,
        dispersion_se=dispersion_se,
        log_likelihood=float(fit.llf),
        poisson_log_likelihood=float(poisson.llf),
        n=len(frame),
    )


def _check_options(family: str, robust: str | None, cluster: str | None, alpha: float) -> None:
    if family not in FAMILIES:
        raise InputError(f"unknown family {family!r}; use one of {', '.join(FAMILIES)}")
    if robust not in ROBUST:
        raise InputError(f"unknown robust {robust!r}; use one of {ROBUST}")
    if (robust == "cluster") != (cluster is not None):
        raise InputError('robust="cluster" and cluster=<column> go together')
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (found {alpha})")


def _complete_rows(
    data: pd.DataFrame,
    y: str,
    focal: list[str],
    controls: list[str],
    exposure: str | None,
    cluster: str | None,
) -> pd.DataFrame:
    """The rows with every used column present, after checking the count and the exposure."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    used = list(dict.fromkeys([y, *focal, *controls, *(c for c in (exposure, cluster) if c)]))
    for column in used:
        if column not in data.columns:
            hint = did_you_mean(column, data.columns)
            raise InputError("column is not in the data", column=column, hint=hint)
    frame = data[used].dropna()
    if frame.empty:
        raise InputError(f"no row has every one of {used}: nothing to fit")
    counts = frame[y]
    if not pd.api.types.is_numeric_dtype(counts) or pd.api.types.is_bool_dtype(counts):
        raise InputError(f"the count must hold numbers (found {counts.dtype})", column=y)
    values = counts.astype("float64")
    if (values < 0).any() or (values % 1 != 0).any():
        bad = values[(values < 0) | (values % 1 != 0)].iloc[0]
        raise InputError(f"the count must be whole numbers >= 0 (found {bad:g})", column=y)
    if exposure:
        amounts = pd.to_numeric(frame[exposure], errors="coerce").astype("float64")
        if not (amounts > 0).all():
            raise InputError(
                "the exposure must be a number > 0 in every analysed row (its log is the "
                f"offset); found {frame[exposure][~(amounts > 0)].iloc[0]!r}",
                column=exposure,
            )
    if cluster and frame[cluster].nunique() < 2:
        raise InputError("cluster-robust SEs need at least two clusters", column=cluster)
    return frame


def _nb2_dispersion(endog, design, offset, start) -> tuple[float, float, pd.Series]:
    """ML estimate of the NB2 ``alpha``, its SE, and the joint ML coefficients.

    Newton from the Poisson coefficients (and alpha 0.5) converges in a few steps on
    engagement counts; BFGS is the fallback when it does not.
    """
    model = sm.NegativeBinomial(endog, design, loglike_method="nb2", offset=offset)
    start_params = np.append(np.asarray(start), 0.5)
    fit = None
    for method in ("newton", "bfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (ConvergenceWarning, HessianInversionWarning))
            warnings.simplefilter("ignore", RuntimeWarning)
            candidate = model.fit(start_params=start_params, method=method, maxiter=500, disp=False)
        if candidate.mle_retvals.get("converged") and np.all(np.isfinite(candidate.params)):
            fit = candidate
            break
    if fit is None:
        raise InputError(
            "the negative binomial model did not converge (the counts may show no "
            'overdispersion or a predictor may separate zero counts); try family="poisson"'
        )
    dispersion = float(fit.params.iloc[-1])
    if dispersion < 1e-8:
        raise InputError(
            f"the negative binomial dispersion alpha is {dispersion:.2g}: the counts show no "
            'overdispersion; use family="poisson"'
        )
    dispersion_se = float(np.sqrt(fit.cov_params().iloc[-1, -1]))
    return dispersion, dispersion_se, fit.params.iloc[:-1]


def _covariance(fit, design, endog, dispersion, robust, groups) -> np.ndarray:
    """Model-based, HC0/HC1 or cluster covariance of the coefficients (as R's sandwich)."""
    if robust is None:
        return fit.cov_params().to_numpy()
    exog = design.to_numpy()
    mu = np.asarray(fit.mu)
    extra = 0.0 if np.isnan(dispersion) else dispersion
    weights = mu / (1 + extra * mu)
    scores = exog * ((endog.to_numpy() - mu) / (1 + extra * mu))[:, None]
    bread = np.linalg.inv(exog.T @ (exog * weights[:, None]))
    n, k = exog.shape
    if robust == "cluster":
        codes = pd.factorize(groups)[0]
        summed = np.vstack([scores[codes == g].sum(axis=0) for g in range(codes.max() + 1)])
        clusters = len(summed)
        factor = clusters / (clusters - 1) * (n - 1) / (n - k)
        return factor * bread @ (summed.T @ summed) @ bread
    factor = n / (n - k) if robust == "HC1" else 1.0
    return factor * bread @ (scores.T @ scores) @ bread
