"""Regression models with the standard errors reviewers ask for, without formula strings.

:func:`regression` builds the design matrix from the named columns (numbers as they are,
categories as treatment-coded dummies against their first level), so nothing from a config or a
data file is ever parsed or evaluated as code. Four families share one result type,
:class:`RegressionResult`, and its tidy tables:

``ols``
    statsmodels OLS, or WLS when survey weights are given; classical (what SPSS prints),
    HC0-HC3 or cluster-robust standard errors; t and F tests.
``logit``
    statsmodels GLM binomial with the logit link (what R's ``glm(family = binomial)`` fits);
    classical, HC0-HC3 or cluster-robust standard errors; z and Wald chi-squared tests; odds
    ratios.
``ordinal``
    statsmodels OrderedModel, proportional odds with the logit link (R's ``MASS::polr``);
    thresholds named ``Low|Medium`` instead of an intercept; model-based standard errors.
``mixed``
    statsmodels MixedLM with a random intercept per ``cluster`` (R's
    ``lme4::lmer(y ~ x + (1 | cluster))``), REML; z tests of the fixed effects; variance
    components and the ICC in the model summary.

Three things are computed here rather than taken from statsmodels, each for a stated reason:
the logit's robust covariances (statsmodels 0.15 returns HC0 for every HC kind of a GLM or
Logit, where R's ``sandwich::vcovHC`` adjusts by the hat values, and warns that its robust
kinds are not fully supported with prior weights), the ordinal thresholds and their standard
errors (statsmodels estimates the first threshold and the logs of the gaps; the delta method
gives the thresholds R prints), and the confidence interval of partial eta squared (Steiger's
inversion of the noncentral F, which no library in the environment offers).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize
from scipy import stats as distributions
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

FAMILIES = ("ols", "logit", "ordinal", "mixed")
ROBUST = (None, "HC0", "HC1", "HC2", "HC3", "cluster")
#: Kinds of standard error each family offers (``None`` = classical / model-based).
ROBUST_BY_FAMILY = {"ols": ROBUST, "logit": ROBUST, "ordinal": (None,), "mixed": (None,)}
INTERCEPT = "Intercept"
#: ``variable`` of the threshold rows of an ordinal model.
THRESHOLD = "threshold"

#: Columns of :meth:`RegressionResult.tidy`, in order (every family).
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
    "df",
    "p_value",
    "std_estimate",
    "std_ci_low",
    "std_ci_high",
)
#: Columns that :meth:`RegressionResult.tidy` adds for the logit and ordinal families.
ODDS_RATIO_COLUMNS = ("odds_ratio", "or_ci_low", "or_ci_high")
#: Columns of :meth:`RegressionResult.variable_tests`, in order.
VARIABLE_TEST_COLUMNS = (
    "variable",
    "focal",
    "n_terms",
    "estimate",
    "statistic",
    "df_num",
    "df",
    "p_value",
    "effect_size",
    "effect_size_name",
    "statistic_name",
    "partial_eta2",
    "partial_eta2_ci_low",
    "partial_eta2_ci_high",
)
#: Columns of :meth:`RegressionResult.model_summary` for ``ols``, in order.
SUMMARY_COLUMNS = (
    "n",
    "r2",
    "adj_r2",
    "statistic",
    "df_num",
    "df",
    "p_value",
    "rmse",
    "aic",
    "bic",
    "robust",
    "weighted",
)
#: Columns of :meth:`RegressionResult.model_summary` for ``logit``, in order.
LOGIT_SUMMARY_COLUMNS = (
    "n",
    "event",
    "n_events",
    "log_likelihood",
    "pseudo_r2",
    "cox_snell_r2",
    "nagelkerke_r2",
    "statistic",
    "df_num",
    "p_value",
    "aic",
    "bic",
    "robust",
    "weighted",
)
#: Columns of :meth:`RegressionResult.model_summary` for ``ordinal``, in order.
ORDINAL_SUMMARY_COLUMNS = (
    "n",
    "n_levels",
    "log_likelihood",
    "pseudo_r2",
    "statistic",
    "df_num",
    "p_value",
    "aic",
    "bic",
    "robust",
    "weighted",
)
#: Columns of :meth:`RegressionResult.model_summary` for ``mixed``, in order.
MIXED_SUMMARY_COLUMNS = (
    "n",
    "n_groups",
    "log_likelihood",
    "group_var",
    "residual_var",
    "icc",
    "robust",
    "weighted",
)


@dataclass
class RegressionResult:
    """A fitted model and its tidy tables.

    Attributes
    ----------
    fit : statsmodels results
        The statsmodels fit (``fit.resid``, ``fit.get_influence()``, ``fit.summary()`` ...).
        For a logit with robust standard errors ``fit`` carries the model-based ones; the
        tables use ``cov``.
    y : str
        Outcome column.
    x : list of str
        Focal predictor columns.
    covariates : list of str
        Control columns.
    terms : dict
        Variable -> its design-matrix columns (one for a number, one per non-reference level
        for a category).
    levels : dict
        Design-matrix column -> category level (categories only).
    alpha : float
        1 - confidence level of the intervals.
    robust : str or None
    weighted : bool
    data : DataFrame
        Complete cases of the outcome as analysed (0/1 for a logit, level codes for an
        ordinal model) and of the numeric predictors.
    family : str
        One of :data:`FAMILIES`.
    params : Series
        The reported coefficients, in table order (ordinal: thresholds first; mixed: fixed
        effects only).
    cov : DataFrame
        Their covariance matrix, of the chosen kind of standard error.
    df : float
        Denominator df of the t and F tests (``ols``); NaN for the z and chi-squared tests of
        the other families.
    design : DataFrame
        Intercept and predictor columns of the complete rows (used for VIF).
    outcome_levels : list of str
        ``logit``: the reference level and the event (modelled as 1); ``ordinal``: the levels
        from lowest to highest; empty otherwise.
    """

    fit: object
    y: str
    x: list[str]
    covariates: list[str]
    terms: dict[str, list[str]]
    levels: dict[str, str]
    alpha: float
    robust: str | None
    weighted: bool
    data: pd.DataFrame = field(repr=False)
    family: str
    params: pd.Series = field(repr=False)
    cov: pd.DataFrame = field(repr=False)
    df: float
    design: pd.DataFrame = field(repr=False)
    outcome_levels: list[str]

    def tidy(self) -> pd.DataFrame:
        """One row per coefficient, intercept (or the ordinal thresholds) first.

        Returns
        -------
        pandas.DataFrame
            term : str
                ``Intercept``, the variable name, ``variable[level]`` for a category level, or
                ``lower|upper`` for an ordinal threshold (as R's ``polr`` names them).
            variable : str
                The column the term comes from (``Intercept``, or ``threshold`` for a threshold).
            level : str or None
                The category level (None for numbers, the intercept and thresholds).
            focal : bool
                Whether the term belongs to a focal predictor.
            estimate : float
                Unstandardized coefficient B (log odds for logit and ordinal).
            se : float
                Standard error of the chosen kind.
            ci_low, ci_high : float
                ``1 - alpha`` interval: t for ``ols``, normal (z) for the other families.
            statistic : float
                t for ``ols``; z for the other families.
            df : float
                Residual df of t (for cluster-robust SEs: clusters - 1); NaN for z.
            p_value : float
                Two-sided.
            std_estimate : float
                Standardized coefficient Beta, ``B x sd(x) / sd(y)``, for number predictors of
                ``ols`` and ``mixed`` (as SPSS reports it); NaN for category levels, the
                intercept and the other families.
            std_ci_low, std_ci_high : float
                The interval of B on the same scale.
            odds_ratio, or_ci_low, or_ci_high : float
                ``logit`` and ``ordinal`` only: ``exp(B)`` and its interval (NaN for the
                intercept and thresholds, which are not odds ratios).
        """
        critical = self._critical()
        y_sd = self.data[self.y].std() if self.family in ("ols", "mixed") else float("nan")
        rows = []
        for name in self.params.index:
            estimate = float(self.params[name])
            se = float(np.sqrt(self.cov.loc[name, name]))
            low, high = estimate - critical * se, estimate + critical * se
            variable = self._variable_of(name)
            scale = (
                float(self.data[variable].std() / y_sd)
                if variable in self.data and variable != self.y
                else float("nan")
            )
            row = {
                "term": name,
                "variable": variable,
                "level": self.levels.get(name),
                "focal": variable in self.x,
                "estimate": estimate,
                "se": se,
                "ci_low": low,
                "ci_high": high,
                "statistic": estimate / se,
                "df": self.df,
                "p_value": self._two_sided_p(estimate / se),
                "std_estimate": estimate * scale,
                "std_ci_low": low * scale,
                "std_ci_high": high * scale,
            }
            if self.family in ("logit", "ordinal"):
                is_slope = variable in self.terms
                row |= {
                    "odds_ratio": np.exp(estimate) if is_slope else float("nan"),
                    "or_ci_low": np.exp(low) if is_slope else float("nan"),
                    "or_ci_high": np.exp(high) if is_slope else float("nan"),
                }
            rows.append(row)
        columns = list(TIDY_COLUMNS)
        if self.family in ("logit", "ordinal"):
            columns += list(ODDS_RATIO_COLUMNS)
        return pd.DataFrame(rows, columns=columns)

    def variable_tests(self) -> pd.DataFrame:
        """One test per predictor: all of its terms at once (the omnibus test for a category).

        Returns
        -------
        pandas.DataFrame
            variable : str
            focal : bool
            n_terms : int
                Design-matrix columns of the variable.
            estimate : float
                The coefficient when the variable has one term, else NaN.
            statistic : float
                Wald statistic of the variable's terms with the model's kind of SE: F for
                ``ols`` (equals t^2 for one term), chi-squared for the other families (z^2).
            df_num, df : float
                Numerator and denominator df (``df`` NaN for chi-squared).
            p_value : float
            effect_size : float
                ``ols``: Cohen's f2 of the variable, ``(R2 - R2 without it) / (1 - R2)``;
                ``logit`` and ``ordinal``: the odds ratio of a one-term variable (NaN for
                several terms); ``mixed``: NaN.
            effect_size_name : str or None
                ``"f2"``, ``"odds_ratio"`` or None.
            statistic_name : str
                ``"F"`` or ``"chi2"``.
            partial_eta2 : float
                ``ols`` only: partial eta squared from the sums of squares,
                ``f2 / (1 + f2)`` (= ``F df_num / (F df_num + df)`` of the classical F).
            partial_eta2_ci_low, partial_eta2_ci_high : float
                ``ols`` only: its ``1 - 2 alpha`` interval (90% at alpha .05; Steiger 2004),
                whose lower end is above 0 exactly when the classical F test is significant at
                alpha. NaN for the other families.
        """
        rows = []
        for variable in [*self.x, *self.covariates]:
            columns = self.terms[variable]
            rows.append(
                {
                    "variable": variable,
                    "focal": variable in self.x,
                    "n_terms": len(columns),
                    "estimate": (
                        float(self.params[columns[0]]) if len(columns) == 1 else float("nan")
                    ),
                    **self._joint_test(columns),
                }
            )
        return pd.DataFrame(rows, columns=list(VARIABLE_TEST_COLUMNS))

    def focal_test(self) -> pd.Series:
        """The joint Wald test of every focal term (one test per hypothesis).

        Returns
        -------
        pandas.Series
            ``statistic``, ``df_num``, ``df``, ``p_value``, ``effect_size`` (``ols``: Cohen's
            f2 of the focal terms together), ``effect_size_name``, ``statistic_name``,
            ``partial_eta2`` and its interval: as in :meth:`variable_tests`.
        """
        return pd.Series(self._joint_test([c for v in self.x for c in self.terms[v]]))

    def model_summary(self) -> pd.DataFrame:
        """Model fit in one row; the columns depend on the family.

        Returns
        -------
        pandas.DataFrame
            ``ols`` (:data:`SUMMARY_COLUMNS`):
                ``n``; ``r2``, ``adj_r2`` (weighted R-squared for WLS); ``statistic``,
                ``df_num``, ``df``, ``p_value``: Wald F test that every slope is zero (with the
                model's kind of SE); ``rmse`` (root mean squared residual); ``aic``, ``bic``;
                ``robust`` (kind of SE, ``classical`` when None); ``weighted``.
            ``logit`` (:data:`LOGIT_SUMMARY_COLUMNS`):
                ``n``; ``event`` (the outcome level modelled as 1); ``n_events``;
                ``log_likelihood``; ``pseudo_r2`` (McFadden, ``1 - LL / LL0``);
                ``cox_snell_r2``, ``nagelkerke_r2`` (as SPSS prints them); ``statistic``,
                ``df_num``, ``p_value``: likelihood-ratio chi-squared against the
                intercept-only model (model-based whatever the SE kind); ``aic``, ``bic``;
                ``robust``; ``weighted``.
            ``ordinal`` (:data:`ORDINAL_SUMMARY_COLUMNS`):
                ``n``; ``n_levels``; ``log_likelihood``; ``pseudo_r2`` (McFadden);
                ``statistic``, ``df_num``, ``p_value``: likelihood-ratio chi-squared against
                the thresholds-only model; ``aic``, ``bic`` (as R's ``AIC(polr)``);
                ``robust``; ``weighted``.
            ``mixed`` (:data:`MIXED_SUMMARY_COLUMNS`):
                ``n``; ``n_groups``; ``log_likelihood`` (REML; R prints ``-2`` times it as the
                REML criterion); ``group_var`` (random-intercept variance); ``residual_var``;
                ``icc`` (``group_var / (group_var + residual_var)``); ``robust``; ``weighted``.
        """
        summary = {
            "ols": self._linear_summary,
            "logit": self._logit_summary,
            "ordinal": self._ordinal_summary,
            "mixed": self._mixed_summary,
        }[self.family]()
        summary |= {"robust": self.robust or "classical", "weighted": self.weighted}
        columns = {
            "ols": SUMMARY_COLUMNS,
            "logit": LOGIT_SUMMARY_COLUMNS,
            "ordinal": ORDINAL_SUMMARY_COLUMNS,
            "mixed": MIXED_SUMMARY_COLUMNS,
        }[self.family]
        return pd.DataFrame([summary], columns=list(columns))

    def vif(self) -> pd.DataFrame:
        """Variance inflation factors of the predictors' design columns.

        Collinearity is a property of the predictors, so VIF comes from the design matrix
        (with its intercept) for every family, as SPSS computes it.

        Returns
        -------
        pandas.DataFrame
            ``term``, ``vif``, ``tolerance`` (1 / VIF), one row per non-intercept term.
        """
        exog = self.design.to_numpy()
        names = list(self.design.columns)
        vif = [float(variance_inflation_factor(exog, i)) for i in range(len(names))]
        table = pd.DataFrame({"term": names, "vif": vif})
        table = table[table["term"] != INTERCEPT].reset_index(drop=True)
        return table.assign(tolerance=1 / table["vif"])

    def _variable_of(self, term: str) -> str:
        for variable, columns in self.terms.items():
            if term in columns:
                return variable
        return THRESHOLD if self.family == "ordinal" else INTERCEPT

    def _critical(self) -> float:
        if np.isfinite(self.df):
            return float(distributions.t.ppf(1 - self.alpha / 2, self.df))
        return float(distributions.norm.ppf(1 - self.alpha / 2))

    def _two_sided_p(self, statistic: float) -> float:
        if np.isfinite(self.df):
            return float(2 * distributions.t.sf(abs(statistic), self.df))
        return float(2 * distributions.norm.sf(abs(statistic)))

    def _wald(self, columns: list[str]) -> dict:
        """Wald test that every one of ``columns`` is zero: F with ``df`` for ols, else chi2."""
        restriction = _restriction(self.params.index, columns)
        value = restriction @ self.params.to_numpy()
        middle = restriction @ self.cov.to_numpy() @ restriction.T
        wald = float(value @ np.linalg.solve(middle, value))
        if np.isfinite(self.df):
            statistic = wald / len(columns)
            p_value = distributions.f.sf(statistic, len(columns), self.df)
            name = "F"
        else:
            statistic, p_value, name = wald, distributions.chi2.sf(wald, len(columns)), "chi2"
        return {
            "statistic": statistic,
            "statistic_name": name,
            "df_num": float(len(columns)),
            "df": self.df,
            "p_value": float(p_value),
        }

    def _joint_test(self, columns: list[str]) -> dict:
        """Wald test of ``columns`` with the family's effect sizes of the set."""
        test = self._wald(columns)
        effect = {
            "effect_size": float("nan"),
            "effect_size_name": None,
            "partial_eta2": float("nan"),
            "partial_eta2_ci_low": float("nan"),
            "partial_eta2_ci_high": float("nan"),
        }
        if self.family == "ols":
            f2 = self._f2(columns)
            classical_f = f2 * self.fit.df_resid / len(columns)
            eta2, low, high = partial_eta_squared(
                classical_f, len(columns), self.fit.df_resid, level=1 - 2 * self.alpha
            )
            effect |= {
                "effect_size": f2,
                "effect_size_name": "f2",
                "partial_eta2": eta2,
                "partial_eta2_ci_low": low,
                "partial_eta2_ci_high": high,
            }
        elif self.family in ("logit", "ordinal"):
            odds = float(np.exp(self.params[columns[0]])) if len(columns) == 1 else float("nan")
            effect |= {"effect_size": odds, "effect_size_name": "odds_ratio"}
        return test | effect

    def _f2(self, columns: list[str]) -> float:
        """Cohen's f2 of a set of terms: R2 change when they are dropped, over 1 - R2."""
        model = self.fit.model
        keep = [i for i, name in enumerate(self.fit.params.index) if name not in columns]
        reduced = type(model)(model.endog, model.exog[:, keep], **_weights_of(model)).fit()
        return float((self.fit.rsquared - reduced.rsquared) / (1 - self.fit.rsquared))

    def _slope_count(self) -> int:
        return sum(len(columns) for columns in self.terms.values())

    def _linear_summary(self) -> dict:
        fit = self.fit
        test = self._wald([c for v in self.terms for c in self.terms[v]])
        return {
            "n": int(fit.nobs),
            "r2": float(fit.rsquared),
            "adj_r2": float(fit.rsquared_adj),
            "statistic": test["statistic"],
            "df_num": test["df_num"],
            "df": test["df"],
            "p_value": test["p_value"],
            "rmse": float(np.sqrt(np.mean(fit.resid**2))),
            "aic": float(fit.aic),
            "bic": float(fit.bic),
        }

    def _logit_summary(self) -> dict:
        fit = self.fit
        n = int(fit.nobs)
        llf, llnull = float(fit.llf), float(fit.llnull)
        cox_snell = 1 - np.exp(2 * (llnull - llf) / n)
        return {
            "n": n,
            "event": self.outcome_levels[1],
            "n_events": int(self.data[self.y].sum()),
            **_likelihood_ratio(llf, llnull, self._slope_count()),
            "cox_snell_r2": float(cox_snell),
            "nagelkerke_r2": float(cox_snell / (1 - np.exp(2 * llnull / n))),
            **_information_criteria(llf, len(self.params), n),
        }

    def _ordinal_summary(self) -> dict:
        fit = self.fit
        counts = self.data[self.y].value_counts().to_numpy(dtype=float)
        # with thresholds only, the fitted probabilities are the observed shares
        llnull = float(np.sum(counts * np.log(counts / counts.sum())))
        return {
            "n": int(fit.nobs),
            "n_levels": len(self.outcome_levels),
            **_likelihood_ratio(float(fit.llf), llnull, self._slope_count()),
            **_information_criteria(float(fit.llf), len(self.params), int(fit.nobs)),
        }

    def _mixed_summary(self) -> dict:
        fit = self.fit
        group_var = float(fit.cov_re.iloc[0, 0])
        residual_var = float(fit.scale)
        return {
            "n": int(fit.nobs),
            "n_groups": len(fit.model.group_labels),
            "log_likelihood": float(fit.llf),
            "group_var": group_var,
            "residual_var": residual_var,
            "icc": group_var / (group_var + residual_var),
        }


def regression(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    covariates: Sequence[str] = (),
    family: str = "ols",
    robust: str | None = "HC3",
    cluster: str | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
) -> RegressionResult:
    """Fit ``y`` on the focal predictor(s) ``x`` and ``covariates``.

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows missing any used column are left out (listwise).
    y : str
        Outcome column. ``ols`` and ``mixed``: numbers. ``logit``: exactly two levels
        (0/1, booleans, two numbers or two labels); the later level is the event modelled as 1
        (1, True, the larger number, the later category of a pandas categorical, else the
        later label in sorted order). ``ordinal``: at least three ordered levels, as an
        ordered pandas categorical or as numbers (a two-level outcome is a logit).
    x : str or sequence of str
        Focal predictor column(s): numbers, or categories (strings, booleans, pandas
        categoricals), which are dummy-coded against their first level: the first category of
        a pandas categorical, else the first in sorted order.
    covariates : sequence of str
        Control columns, coded like ``x``.
    family : str
        ``"ols"``, ``"logit"``, ``"ordinal"`` or ``"mixed"`` (see the module docstring).
    robust : str or None
        ``None`` (classical SEs, what SPSS prints), ``"HC0"`` ... ``"HC3"`` (default HC3;
        Long & Ervin 2000), or ``"cluster"`` (needs ``cluster``). ``ordinal`` and ``mixed``
        give model-based SEs only: pass ``robust=None`` (see :data:`ROBUST_BY_FAMILY`).
    cluster : str, optional
        ``ols`` and ``logit``: column of cluster ids for cluster-robust SEs. ``mixed``
        (required): the grouping column of the random intercept.
    weights : str, optional
        Column of survey weights (> 0): WLS for ``ols``, prior weights of the binomial GLM for
        ``logit`` (use a robust SE with survey weights). ``ordinal`` and ``mixed`` take none.
    alpha : float
        1 - confidence level.

    Returns
    -------
    RegressionResult
        Use ``.tidy()``, ``.variable_tests()``, ``.focal_test()``, ``.model_summary()``,
        ``.vif()``, or ``.fit`` for everything statsmodels offers.

    Raises
    ------
    ValueError
        For an unknown family or SE kind, an SE kind or option the family lacks, a missing
        column, an outcome the family cannot model, a single-level category, perfect
        separation in a logit, fewer than two clusters for ``mixed``, or fewer complete rows
        than coefficients + 1.
    """
    _check_options(family, robust, cluster, weights)
    focal = [x] if isinstance(x, str) else list(x)
    controls = list(covariates)
    used = list(dict.fromkeys([y, *focal, *controls, *(c for c in (cluster, weights) if c)]))
    missing = [c for c in used if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    frame = data[used].dropna()
    endog, outcome_levels = _outcome(frame[y], y, family)
    design, terms, levels = design_matrix(frame, [*focal, *controls])
    # an ordinal model trades the intercept for one threshold between each pair of levels
    n_coefficients = design.shape[1] + (len(outcome_levels) - 2 if family == "ordinal" else 0)
    if len(frame) <= n_coefficients:
        raise ValueError(
            f"{len(frame)} complete rows for {n_coefficients} coefficients: too few to fit"
        )
    groups = frame[cluster] if cluster else None
    survey_weights = frame[weights].astype("float64") if weights else None
    if family == "ols":
        fit, params, cov = _fit_linear(endog, design, robust, groups, survey_weights)
    elif family == "logit":
        fit, params, cov = _fit_logit(endog, design, robust, groups, survey_weights)
    elif family == "ordinal":
        fit, params, cov = _fit_ordinal(endog, design)
    else:
        fit, params, cov = _fit_mixed(endog, design, groups)
    numeric = [v for v in terms if levels.keys().isdisjoint(terms[v])]
    outcome = endog.cat.codes if family == "ordinal" else endog
    analysed = frame[numeric].astype("float64").assign(**{y: outcome.astype("float64")})
    return RegressionResult(
        fit=fit,
        y=y,
        x=focal,
        covariates=controls,
        terms=terms,
        levels=levels,
        alpha=alpha,
        robust=robust,
        weighted=weights is not None,
        data=analysed,
        family=family,
        params=params,
        cov=cov,
        df=_inference_df(fit, family, robust),
        design=design,
        outcome_levels=outcome_levels,
    )


def design_matrix(
    frame: pd.DataFrame, variables: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, str]]:
    """Intercept, numbers as they are, categories as dummies against their first level.

    The first level is the first category (observed in ``frame``) of a pandas categorical, as
    R takes a factor's first level, else the first in sorted order.

    Returns
    -------
    tuple
        The design matrix (float64, columns ``Intercept``, ``<number>``, ``<category>[<level>]``),
        variable -> its columns, and dummy column -> level.
    """
    columns = {INTERCEPT: np.ones(len(frame))}
    terms: dict[str, list[str]] = {}
    levels: dict[str, str] = {}
    for variable in variables:
        values = frame[variable]
        if _is_number(values):
            columns[variable] = values.astype("float64").to_numpy()
            terms[variable] = [variable]
            continue
        categories = _levels_in_order(values)
        if len(categories) < 2:
            raise ValueError(f"category {variable!r} has a single level in the complete rows")
        terms[variable] = []
        for level in categories[1:]:
            name = f"{variable}[{level}]"
            columns[name] = (values.astype("string") == level).to_numpy(dtype="float64")
            terms[variable].append(name)
            levels[name] = level
    return pd.DataFrame(columns, index=frame.index), terms, levels


def partial_eta_squared(
    f_value: float, df_num: float, df_denom: float, level: float = 0.90
) -> tuple[float, float, float]:
    """Partial eta squared of an F test and its noncentral-F confidence interval.

    The interval inverts the noncentral F distribution in its noncentrality ``lambda``
    (Steiger 2004; as ``MBESS::conf.limits.ncf``) and maps each end to
    ``lambda / (lambda + df_num + df_denom + 1)``; an end whose ``lambda`` would be negative
    is 0.

    Parameters
    ----------
    f_value : float
        Observed F (of the classical, sums-of-squares test).
    df_num, df_denom : float
        Its numerator and denominator degrees of freedom.
    level : float
        Two-sided confidence level; 0.90 pairs with a test at alpha .05 (Steiger 2004).

    Returns
    -------
    tuple of float
        ``(estimate, ci_low, ci_high)``; the estimate is ``F df_num / (F df_num + df_denom)``.
    """
    estimate = f_value * df_num / (f_value * df_num + df_denom)
    tail = (1 - level) / 2

    def noncentrality(probability: float) -> float:
        """The lambda at which P(F' <= f_value) equals ``probability`` (0 if none)."""

        def gap(ncp: float) -> float:
            return distributions.ncf.cdf(f_value, df_num, df_denom, ncp) - probability

        if distributions.f.cdf(f_value, df_num, df_denom) <= probability:
            return 0.0
        upper = max(10.0, f_value * df_num * 2)
        while gap(upper) > 0:
            upper *= 2
        return float(optimize.brentq(gap, 1e-10, upper, xtol=1e-10))

    def to_eta2(ncp: float) -> float:
        return ncp / (ncp + df_num + df_denom + 1)

    return (
        float(estimate),
        to_eta2(noncentrality(1 - tail)),
        to_eta2(noncentrality(tail)),
    )


def _check_options(
    family: str, robust: str | None, cluster: str | None, weights: str | None
) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; available: {', '.join(FAMILIES)}")
    if robust not in ROBUST:
        raise ValueError(f"unknown robust {robust!r}; use one of {ROBUST}")
    if robust not in ROBUST_BY_FAMILY[family]:
        raise ValueError(
            f"family {family!r} gives model-based standard errors only: pass robust=None "
            f"(not {robust!r})"
        )
    if family == "mixed":
        if cluster is None:
            raise ValueError('family "mixed" needs cluster=<column> for its random intercept')
    elif family == "ordinal" and cluster is not None:
        raise ValueError('family "ordinal" has no cluster option')
    elif (robust == "cluster") != (cluster is not None):
        raise ValueError('robust="cluster" and cluster=<column> go together')
    if weights is not None and family in ("ordinal", "mixed"):
        raise ValueError(f"family {family!r} takes no weights; use ols or logit")


def _outcome(values: pd.Series, y: str, family: str) -> tuple[pd.Series, list[str]]:
    """The outcome as the family models it, and its levels (logit, ordinal)."""
    if family in ("ols", "mixed"):
        if not _is_number(values):
            raise ValueError(f"outcome {y!r} must be numeric for family {family!r}")
        return values.astype("float64"), []
    found = _levels_in_order(values)
    if family == "logit":
        if len(found) != 2:
            raise ValueError(
                f'family "logit" needs an outcome with two levels; {y!r} has {len(found)}: '
                f"{found[:10]}"
            )
        return (_labels(values) == found[1]).astype("float64"), found
    ordered = isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered
    if not (ordered or _is_number(values)):
        raise ValueError(
            f'family "ordinal" needs {y!r} as numbers or an ordered pandas categorical '
            "(pd.Categorical(values, categories=[lowest, ..., highest], ordered=True)), "
            "so that the order of its levels is known"
        )
    if len(found) < 3:
        raise ValueError(
            f'family "ordinal" needs at least three levels; {y!r} has {len(found)} '
            '(use family="logit" for two)'
        )
    codes = pd.Categorical(_labels(values), categories=found, ordered=True)
    return pd.Series(codes, index=values.index), found


def _levels_in_order(values: pd.Series) -> list[str]:
    """Observed levels as strings: categorical order, numeric order, else sorted text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        observed = set(values.dropna().unique())
        return [str(c) for c in values.cat.categories if c in observed]
    if _is_number(values) or pd.api.types.is_bool_dtype(values):
        return [_label(v) for v in sorted(values.unique())]
    return sorted(values.astype("string").unique())


def _labels(values: pd.Series) -> pd.Series:
    """Each value as the string :func:`_levels_in_order` names its level."""
    if isinstance(values.dtype, pd.CategoricalDtype) or not (
        _is_number(values) or pd.api.types.is_bool_dtype(values)
    ):
        return values.astype("string")
    return values.map(_label)


def _label(value) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5, ``True`` for True."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _fit_linear(endog, design, robust, groups, weights):
    weight_kw = {"weights": weights} if weights is not None else {}
    model = (sm.WLS if weights is not None else sm.OLS)(endog, design, **weight_kw)
    if robust is None:
        fit = model.fit(use_t=True)
    elif robust == "cluster":
        codes = pd.factorize(groups)[0]
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    else:
        fit = model.fit(cov_type=robust, use_t=True)
    return fit, fit.params, fit.cov_params()


def _fit_logit(endog, design, robust, groups, weights):
    weight_kw = {"var_weights": weights} if weights is not None else {}
    model = sm.GLM(endog, design, family=sm.families.Binomial(), **weight_kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        fit = model.fit()
    if any(issubclass(w.category, PerfectSeparationWarning) for w in caught):
        raise ValueError(
            "perfect separation: the predictors predict the outcome exactly, so the logit "
            "coefficients (odds ratios) are infinite"
        )
    if robust is None:
        return fit, fit.params, fit.cov_params()
    cov = _binomial_sandwich(fit, robust, groups)
    return fit, fit.params, pd.DataFrame(cov, index=fit.params.index, columns=fit.params.index)


def _binomial_sandwich(fit, kind: str, groups: pd.Series | None) -> np.ndarray:
    """HC0-HC3 or cluster covariance of a binomial GLM as R's ``sandwich`` package.

    Scores ``w (y - mu) x``; bread ``(X' W X)^-1`` with working weights ``w mu (1 - mu)``.
    ``vcovHC``: HC1 scales by ``n / (n - k)``, HC2 and HC3 divide each squared score by
    ``1 - h`` and ``(1 - h)^2``, with ``h`` the hat values of the weighted fit. ``vcovCL``
    (its default HC1 type, also statsmodels' cluster default): scores summed per cluster,
    scaled by ``G / (G - 1) * (n - 1) / (n - k)``.
    """
    exog = fit.model.exog
    mu = fit.mu
    prior = fit.model.var_weights
    bread = np.asarray(fit.normalized_cov_params)
    scores = exog * (prior * (fit.model.endog - mu))[:, None]
    n, k = exog.shape
    if kind == "cluster":
        codes = pd.factorize(groups)[0]
        summed = np.vstack([scores[codes == g].sum(axis=0) for g in range(codes.max() + 1)])
        clusters = len(summed)
        factor = clusters / (clusters - 1) * (n - 1) / (n - k)
        return factor * bread @ (summed.T @ summed) @ bread
    hat = prior * mu * (1 - mu) * np.einsum("ij,jk,ik->i", exog, bread, exog)
    adjustment = {
        "HC0": np.ones(n),
        "HC1": np.full(n, n / (n - k)),
        "HC2": 1 / (1 - hat),
        "HC3": 1 / (1 - hat) ** 2,
    }[kind]
    meat = scores.T @ (scores * adjustment[:, None])
    return bread @ meat @ bread


def _fit_ordinal(endog, design):
    exog = design.drop(columns=INTERCEPT)
    model = OrderedModel(endog, exog, distr="logit")
    fit = model.fit(method="bfgs", disp=False, maxiter=2000)
    if not fit.mle_retvals.get("converged", True):
        raise ValueError("the ordinal model did not converge; check for sparse outcome levels")
    k = exog.shape[1]
    raw = fit.params.to_numpy()
    levels = list(endog.cat.categories)
    # statsmodels estimates the first threshold and the logs of the gaps between thresholds:
    # threshold r = raw[k] + exp(raw[k + 1]) + ... + exp(raw[k + r]); delta-method Jacobian
    jacobian = np.eye(len(raw))
    gaps = np.exp(raw[k + 1 :])
    for row in range(1, len(levels) - 1):
        jacobian[k + row, k] = 1.0
        jacobian[k + row, k + 1 : k + row + 1] = gaps[:row]
    values = np.concatenate([raw[:k], raw[k] + np.concatenate([[0.0], np.cumsum(gaps)])])
    cov = jacobian @ fit.cov_params().to_numpy() @ jacobian.T
    names = [*exog.columns, *(f"{a}|{b}" for a, b in zip(levels, levels[1:], strict=False))]
    order = list(range(k, len(names))) + list(range(k))
    params = pd.Series(values[order], index=[names[i] for i in order])
    cov_frame = pd.DataFrame(cov[np.ix_(order, order)], index=params.index, columns=params.index)
    return fit, params, cov_frame


def _fit_mixed(endog, design, groups):
    codes = pd.factorize(groups)[0]
    if len(set(codes)) < 2:
        raise ValueError('family "mixed" needs at least two clusters in the complete rows')
    fit = sm.MixedLM(endog, design, groups=codes).fit(reml=True)
    names = list(fit.fe_params.index)
    return fit, fit.fe_params, fit.cov_params().loc[names, names]


def _inference_df(fit, family: str, robust: str | None) -> float:
    if family != "ols":
        return float("nan")
    if robust == "cluster":
        return float(fit.df_resid_inference)
    return float(fit.df_resid)


def _likelihood_ratio(llf: float, llnull: float, df_num: int) -> dict:
    statistic = 2 * (llf - llnull)
    return {
        "log_likelihood": llf,
        "pseudo_r2": 1 - llf / llnull,
        "statistic": statistic,
        "df_num": float(df_num),
        "p_value": float(distributions.chi2.sf(statistic, df_num)),
    }


def _information_criteria(llf: float, n_parameters: int, n: int) -> dict:
    return {
        "aic": -2 * llf + 2 * n_parameters,
        "bic": -2 * llf + np.log(n) * n_parameters,
    }


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _restriction(names: pd.Index, columns: list[str]) -> np.ndarray:
    """Rows of a restriction matrix testing that each of ``columns`` is zero."""
    matrix = np.zeros((len(columns), len(names)))
    for row, column in enumerate(columns):
        matrix[row, names.get_loc(column)] = 1.0
    return matrix


def _weights_of(model) -> dict:
    return {"weights": model.weights} if type(model) is sm.WLS else {}
