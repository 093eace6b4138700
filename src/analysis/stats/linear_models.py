"""Linear regression with the standard errors reviewers ask for, without formula strings.

:func:`regression` builds the design matrix from the named columns (numbers as they are,
categories as treatment-coded dummies against their first level), so nothing from a config or a
data file is ever parsed or evaluated as code. It fits statsmodels OLS, or WLS when survey
weights are given, with classical (what SPSS prints), HC0-HC3 or cluster-robust standard errors
and t-based tests, and returns a :class:`RegressionResult` that keeps the statsmodels fit for
residuals, influence and VIF, and offers tidy tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

FAMILIES = ("ols",)
ROBUST = (None, "HC0", "HC1", "HC2", "HC3", "cluster")
INTERCEPT = "Intercept"

#: Columns of :meth:`RegressionResult.tidy`, in order.
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
)
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
)
#: Columns of :meth:`RegressionResult.model_summary`, in order.
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


@dataclass
class RegressionResult:
    """A fitted linear model and its tidy tables.

    Attributes
    ----------
    fit : statsmodels RegressionResults
        The statsmodels fit (``fit.resid``, ``fit.get_influence()``, ``fit.summary()`` ...).
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
        The complete cases the model was fitted on (outcome and variables).
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
                Unstandardized coefficient B.
            se : float
                Standard error of the chosen kind.
            ci_low, ci_high : float
                ``1 - alpha`` t interval.
            statistic : float
                t.
            df : float
                Residual df (for cluster-robust SEs: clusters - 1).
            p_value : float
                Two-sided.
            std_estimate : float
                Standardized coefficient Beta, ``B x sd(x) / sd(y)`` (numbers only; NaN for
                category levels and the intercept), as SPSS reports it.
        """
        fit = self.fit
        ci = fit.conf_int(alpha=self.alpha)
        y_sd = self.data[self.y].std()
        rows = []
        for name in fit.params.index:
            variable = self._variable_of(name)
            numeric = variable in self.terms and name not in self.levels
            rows.append(
                {
                    "term": name,
                    "variable": variable,
                    "level": self.levels.get(name),
                    "focal": variable in self.x,
                    "estimate": float(fit.params[name]),
                    "se": float(fit.bse[name]),
                    "ci_low": float(ci.loc[name, 0]),
                    "ci_high": float(ci.loc[name, 1]),
                    "statistic": float(fit.tvalues[name]),
                    "df": float(self._df()),
                    "p_value": float(fit.pvalues[name]),
                    "std_estimate": (
                        float(fit.params[name] * self.data[variable].std() / y_sd)
                        if numeric
                        else float("nan")
                    ),
                }
            )
        return pd.DataFrame(rows, columns=list(TIDY_COLUMNS))

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
                Wald F of the variable's terms (with the model's kind of SE); equals t^2 for
                one term.
            df_num, df : float
                Numerator and denominator df of F.
            p_value : float
            effect_size : float
                Cohen's f2 of the variable: ``(R2 - R2 without it) / (1 - R2)``.
            effect_size_name : str
                ``"f2"``.
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
                        float(self.fit.params[columns[0]]) if len(columns) == 1 else float("nan")
                    ),
                    **self._joint_test(columns),
                }
            )
        return pd.DataFrame(rows, columns=list(VARIABLE_TEST_COLUMNS))

    def focal_test(self) -> pd.Series:
        """The joint Wald F test of every focal term (one test per hypothesis).

        Returns
        -------
        pandas.Series
            ``statistic``, ``df_num``, ``df``, ``p_value``, ``effect_size`` (Cohen's f2 of the
            focal terms together), ``effect_size_name``.
        """
        return pd.Series(self._joint_test([c for v in self.x for c in self.terms[v]]))

    def model_summary(self) -> pd.DataFrame:
        """Model fit in one row.

        Returns
        -------
        pandas.DataFrame
            n : int
            r2, adj_r2 : float
                R-squared (weighted R-squared for WLS) and adjusted R-squared.
            statistic, df_num, df, p_value : float
                Wald F test that every slope is zero (with the model's kind of SE).
            rmse : float
                Root mean squared residual.
            aic, bic : float
            robust : str
                Kind of standard error (``classical`` when None).
            weighted : bool
        """
        fit = self.fit
        slopes = [c for c in fit.params.index if c != INTERCEPT]
        test = fit.f_test(_restriction(fit.params.index, slopes))
        return pd.DataFrame(
            [
                {
                    "n": int(fit.nobs),
                    "r2": float(fit.rsquared),
                    "adj_r2": float(fit.rsquared_adj),
                    "statistic": float(np.squeeze(test.fvalue)),
                    "df_num": float(test.df_num),
                    "df": float(test.df_denom),
                    "p_value": float(test.pvalue),
                    "rmse": float(np.sqrt(np.mean(fit.resid**2))),
                    "aic": float(fit.aic),
                    "bic": float(fit.bic),
                    "robust": self.robust or "classical",
                    "weighted": self.weighted,
                }
            ],
            columns=list(SUMMARY_COLUMNS),
        )

    def vif(self) -> pd.DataFrame:
        """Variance inflation factors of the slopes.

        Returns
        -------
        pandas.DataFrame
            ``term``, ``vif``, ``tolerance`` (1 / VIF), one row per non-intercept term.
        """
        exog = self.fit.model.exog
        names = list(self.fit.params.index)
        vif = [float(variance_inflation_factor(exog, i)) for i in range(len(names))]
        table = pd.DataFrame({"term": names, "vif": vif})
        table = table[table["term"] != INTERCEPT].reset_index(drop=True)
        return table.assign(tolerance=1 / table["vif"])

    def _variable_of(self, term: str) -> str:
        for variable, columns in self.terms.items():
            if term in columns:
                return variable
        return INTERCEPT

    def _df(self) -> float:
        if self.robust == "cluster":
            return float(self.fit.df_resid_inference)
        return float(self.fit.df_resid)

    def _joint_test(self, columns: list[str]) -> dict:
        """Wald F test that every one of ``columns`` is zero, with Cohen's f2 of the set."""
        test = self.fit.f_test(_restriction(self.fit.params.index, columns))
        return {
            "statistic": float(np.squeeze(test.fvalue)),
            "df_num": float(test.df_num),
            "df": float(test.df_denom),
            "p_value": float(test.pvalue),
            "effect_size": self._f2(columns),
            "effect_size_name": "f2",
        }

    def _f2(self, columns: list[str]) -> float:
        """Cohen's f2 of a set of terms: R2 change when they are dropped, over 1 - R2."""
        model = self.fit.model
        keep = [i for i, name in enumerate(self.fit.params.index) if name not in columns]
        reduced = type(model)(model.endog, model.exog[:, keep], **_weights_of(model)).fit()
        return float((self.fit.rsquared - reduced.rsquared) / (1 - self.fit.rsquared))


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
        Numeric outcome column.
    x : str or sequence of str
        Focal predictor column(s): numbers, or categories (strings, booleans, pandas
        categoricals), which are dummy-coded against their first level (sorted).
    covariates : sequence of str
        Control columns, coded like ``x``.
    family : str
        ``"ols"`` (linear). Other families are added with the measurement and hypotheses work.
    robust : str or None
        ``None`` (classical SEs, what SPSS prints), ``"HC0"`` ... ``"HC3"`` (default HC3;
        Long & Ervin 2000), or ``"cluster"`` (needs ``cluster``).
    cluster : str, optional
        Column of cluster ids for cluster-robust SEs.
    weights : str, optional
        Column of survey weights (> 0): WLS, whose robust SEs are those of a weighted survey
        regression.
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
        For an unknown family or SE kind, a missing column, a non-numeric outcome, or fewer
        complete rows than coefficients + 1.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; available: {', '.join(FAMILIES)}")
    if robust not in ROBUST:
        raise ValueError(f"unknown robust {robust!r}; use one of {ROBUST}")
    if (robust == "cluster") != (cluster is not None):
        raise ValueError('robust="cluster" and cluster=<column> go together')
    focal = [x] if isinstance(x, str) else list(x)
    controls = list(covariates)
    used = [y, *focal, *controls, *(c for c in (cluster, weights) if c)]
    missing = [c for c in dict.fromkeys(used) if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    frame = data[list(dict.fromkeys(used))].dropna()
    if not pd.api.types.is_numeric_dtype(frame[y]) or pd.api.types.is_bool_dtype(frame[y]):
        raise ValueError(f"outcome {y!r} must be numeric")
    design, terms, levels = design_matrix(frame, [*focal, *controls])
    if len(frame) <= design.shape[1]:
        raise ValueError(
            f"{len(frame)} complete rows for {design.shape[1]} coefficients: too few to fit"
        )
    endog = frame[y].astype("float64")
    weight_kw = {"weights": frame[weights].astype("float64")} if weights else {}
    model = (sm.WLS if weights else sm.OLS)(endog, design, **weight_kw)
    if robust is None:
        fit = model.fit(use_t=True)
    elif robust == "cluster":
        groups = pd.factorize(frame[cluster])[0]
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    else:
        fit = model.fit(cov_type=robust, use_t=True)
    numeric = frame[[y, *(v for v in terms if levels.keys().isdisjoint(terms[v]))]]
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
        data=numeric.astype("float64"),
    )


def design_matrix(
    frame: pd.DataFrame, variables: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, str]]:
    """Intercept, numbers as they are, categories as dummies against their first level.

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
        categories = sorted(values.astype("string").unique())
        if len(categories) < 2:
            raise ValueError(f"category {variable!r} has a single level in the complete rows")
        terms[variable] = []
        for level in categories[1:]:
            name = f"{variable}[{level}]"
            columns[name] = (values.astype("string") == level).to_numpy(dtype="float64")
            terms[variable].append(name)
            levels[name] = level
    return pd.DataFrame(columns, index=frame.index), terms, levels


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
