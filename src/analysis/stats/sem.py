"""CFA and structural equation models written in lavaan syntax, with lavaan's numbers.

:func:`cfa` and :func:`sem` read a model written in lavaan syntax (``=~``, ``~``, ``~~``,
``#`` comments, statements over several lines), add the parameters lavaan adds by default, and
fit the model with semopy by maximum likelihood (objective ``MLW``) on the complete cases.

The model syntax is read here rather than by semopy because semopy's parser takes one statement
per line and applies its own defaults; reading it here lets the model be completed exactly as
``lavaan::cfa``/``lavaan::sem`` complete it (first loading fixed to 1 or ``std.lv``, residual
variances, covariances among exogenous latents and among dependent variables that predict
nothing, exogenous observed covariates fixed at their sample moments) and lets the estimates
come back in lavaan's parameter-table order and notation. Variances are not bounded at zero,
as in lavaan, and semopy's optimizer runs with a tolerance of 1e-12 (its default stops early).

The fit measures are computed here from semopy's estimates and implied covariance matrix,
because semopy's ``calc_stats`` differs from what lavaan prints: it uses no fixed-x baseline,
its RMSEA has no confidence interval, its AIC/BIC are not on the log-likelihood scale lavaan
prints, and it has no SRMR. The formulas are lavaan's (``lav_fit_*.R``): chi-square ``N * F_ML``
with N (not N - 1), the independence model as the baseline of CFI and TLI, the RMSEA interval by
inverting the noncentral chi-square, Bentler's SRMR, and AIC/BIC from the normal log-likelihood.
Standard errors come from the expected information matrix (semopy's, as lavaan's default).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from analysis.errors import InputError, did_you_mean
from analysis.stats._compat import import_semopy

semopy = import_semopy()

#: Columns of :attr:`SEMResult.fit`, in order.
FIT_COLUMNS = (
    "chi2",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "aic",
    "bic",
    "n",
)
#: Columns of :attr:`SEMResult.estimates`, in order.
ESTIMATE_COLUMNS = ("lhs", "op", "rhs", "estimate", "se", "z", "p_value", "std_all")
#: How missing values are handled (only listwise deletion, as lavaan's default).
MISSING = ("listwise",)
#: Relative tolerance of semopy's SLSQP optimizer.
OPTIMIZER_TOLERANCE = 1e-12

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TERM = re.compile(rf"(?:(?P<modifier>{_NUMBER}|{_NAME})\s*\*\s*)?(?P<name>{_NAME})")
_OPERATOR = re.compile(r"=~|~~|~")
_UNSUPPORTED = {
    ":=": "defined parameters (:=)",
    "==": "equality constraints (==)",
    "<": "inequality constraints (<, >)",
    ">": "inequality constraints (<, >)",
    "|": "thresholds (|)",
    "%": "group weights (%)",
}


@dataclass(frozen=True)
class _Row:
    """One parameter of the model: lavaan's ``lhs op rhs`` with a fixed value or a label."""

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    label: str | None = None
    exogenous: bool = False


@dataclass(frozen=True)
class _Statement:
    lhs: str
    op: str
    rhs: str
    modifier: str | None


@dataclass
class SEMResult:
    """A fitted CFA or SEM: the fit measures and the parameter estimates, as lavaan prints them.

    ``fit, estimates = cfa(...)`` unpacks the two tables.

    Attributes
    ----------
    fit : DataFrame
        One row: ``chi2, df, pvalue, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr, aic,
        bic, n`` (see :func:`sem`).
    estimates : DataFrame
        One row per parameter: ``lhs, op, rhs, estimate, se, z, p_value, std_all``.
    model : semopy.Model
        The fitted semopy model (``model.inspect()``, ``semopy.calc_stats(model)`` ...).
    """

    fit: pd.DataFrame
    estimates: pd.DataFrame
    model: semopy.Model = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """The parameter estimates (:attr:`estimates`)."""
        return self.estimates

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.fit
        yield self.estimates


def cfa(
    data: pd.DataFrame,
    model: str,
    *,
    std_lv: bool = False,
    missing: str = "listwise",
) -> SEMResult:
    """Confirmatory factor analysis (``lavaan::cfa``): a measurement model in lavaan syntax.

    The same engine as :func:`sem`; the model must define at least one latent variable
    (``=~``). Parameters, returns and defaults are those of :func:`sem`.

    Examples
    --------
    >>> from semopy.examples import holzinger39
    >>> fit, estimates = cfa(holzinger39.get_data(), '''
    ...     visual  =~ x1 + x2 + x3
    ...     textual =~ x4 + x5 + x6
    ...     speed   =~ x7 + x8 + x9''')
    >>> round(float(fit["chi2"].iloc[0]), 3), int(fit["df"].iloc[0])
    (85.306, 24)
    """
    statements = _parse(model)
    if not any(statement.op == "=~" for statement in statements):
        raise InputError(
            "a CFA model defines at least one latent variable with =~ "
            "(e.g. visual =~ x1 + x2 + x3); use sem() for a path model of observed variables"
        )
    return _fit(data, statements, std_lv=std_lv, missing=missing)


def sem(
    data: pd.DataFrame,
    model: str,
    *,
    std_lv: bool = False,
    missing: str = "listwise",
) -> SEMResult:
    """Structural equation model (``lavaan::sem``) by maximum likelihood.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; every observed variable of the model is a numeric column.
    model : str
        lavaan model syntax: ``f =~ x1 + x2`` (latent variable measured by items), ``y ~ x``
        (regression), ``a ~~ b`` ((residual) variance or covariance); ``#`` comments;
        statements separated by new lines or ``;``, continued on the next line after ``+``.
        A term may carry a modifier: a number fixes the parameter (``1*x1``), ``NA`` frees it
        (``NA*x1``), a name labels it (parameters with the same label are equal).
        Intercepts (``~ 1``), ``:=``, constraints and thresholds are not supported.
    std_lv : bool
        Identify each latent variable by fixing its (residual) variance to 1 and freeing all
        its loadings (lavaan's ``std.lv = TRUE``); by default the first loading is fixed to 1.
    missing : {"listwise"}
        Rows with a missing value in any variable of the model are left out.

    Returns
    -------
    SEMResult
        ``fit`` has one row:

        chi2 : float
            ML test statistic ``N * F_ML`` (lavaan's "Test statistic").
        df : int
            Sample moments minus free parameters (moments of exogenous covariates excluded).
        pvalue : float
            Upper chi-square tail (NaN when df = 0).
        cfi, tli : float
            Comparative Fit Index and Tucker-Lewis Index against the independence model.
        rmsea, rmsea_ci_low, rmsea_ci_high : float
            RMSEA ``sqrt(max(chi2 - df, 0) / (N df))`` and its 90% interval.
        srmr : float
            Bentler's standardized root mean square residual (lavaan's ``srmr``).
        aic, bic : float
            ``-2 logL + 2 k`` and ``-2 logL + k log N``, k free parameters.
        n : int
            Complete cases used.

        ``estimates`` has one row per parameter, in lavaan's parameter-table order (the
        statements as written, then the parameters lavaan adds: residual variances of
        observed and latent variables, covariances of exogenous latents and of dependent
        variables, and the variances and covariances of exogenous observed covariates):

        lhs, op, rhs : str
            ``f =~ x`` loading, ``y ~ x`` regression, ``a ~~ b`` (residual) (co)variance.
        estimate : float
            Unstandardized estimate.
        se, z, p_value : float
            Standard error (expected information), Wald z and two-sided normal p; NaN for a
            fixed parameter.
        std_all : float
            Completely standardized estimate (lavaan's ``std.all``): loadings and
            regressions scaled by the model-implied standard deviations, variances as a
            share of the implied variance, covariances as (residual) correlations.

    Raises
    ------
    InputError
        A variable of the model is not a column (with the closest column name) or holds text,
        a statement cannot be read, there are not more complete cases than observed
        variables, their covariance matrix is singular, the model has more free parameters
        than sample moments or is not identified, or the optimizer does not converge.
    """
    return _fit(data, _parse(model), std_lv=std_lv, missing=missing)


# --- reading the model --------------------------------------------------------------------


def _parse(model: str) -> list[_Statement]:
    """The statements of a lavaan model, one per ``lhs op rhs`` term, in the order written."""
    if not isinstance(model, str):
        raise InputError(f"the model must be lavaan syntax in a string, not {type(model).__name__}")
    statements = [_read_statement(text) for text in _join_lines(model)]
    parsed = [item for group in statements for item in group]
    if not parsed:
        raise InputError("the model is empty: write statements such as visual =~ x1 + x2 + x3")
    seen = set()
    for statement in parsed:
        key = _key(statement.lhs, statement.op, statement.rhs)
        if key in seen:
            raise InputError(
                f'the model states "{statement.lhs} {statement.op} {statement.rhs}" twice'
            )
        seen.add(key)
    return parsed


def _join_lines(model: str) -> list[str]:
    lines = []
    for raw in model.splitlines():
        code = re.sub(r"[#!].*", "", raw)
        lines.extend(part.strip() for part in code.split(";") if part.strip())
    statements: list[str] = []
    for line in lines:
        continues = statements and (
            statements[-1].endswith(("+", "*", "~")) or line.startswith(("+", "*", "=~", "~"))
        )
        if continues:
            statements[-1] += " " + line
        else:
            statements.append(line)
    return statements


def _read_statement(text: str) -> list[_Statement]:
    def refuse(why: str) -> InputError:
        return InputError(f'cannot read the model statement "{text}": {why}')

    if "<~" in text:
        raise refuse("formative indicators (<~) are not supported")
    for symbol, feature in _UNSUPPORTED.items():
        if symbol in text.replace("=~", "").replace("~~", ""):
            raise refuse(f"{feature} are not supported")
    found = _OPERATOR.search(text)
    if found is None:
        raise refuse("expected =~, ~ or ~~ (e.g. visual =~ x1 + x2 + x3)")
    op = found.group()
    lhs, rhs = text[: found.start()].strip(), text[found.end() :].strip()
    if not re.fullmatch(_NAME, lhs):
        raise refuse(f'the left of {op} must be one variable name, not "{lhs}"')
    statements = []
    for term in (part.strip() for part in rhs.split("+")):
        if op == "~" and term == "1":
            raise refuse("intercepts (~ 1) are not supported: the model has no mean structure")
        match = _TERM.fullmatch(term)
        if match is None:
            raise refuse(
                f'"{term}" is not a variable name with an optional modifier '
                "(a number, NA or a label followed by *)"
            )
        name = match.group("name")
        if name == lhs and op != "~~":
            raise refuse(f'"{name}" cannot be on both sides of {op}')
        statements.append(_Statement(lhs, op, name, match.group("modifier")))
    return statements


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    return (*sorted((lhs, rhs)), op) if op == "~~" else (lhs, op, rhs)


def _complete(statements: list[_Statement], std_lv: bool) -> tuple[list[_Row], list[str]]:
    """lavaan's parameter table for the statements, and the observed variables in model order.

    Mirrors ``lav_partable_flat``: user rows first (first loading fixed to 1 unless ``std_lv``
    or a modifier says otherwise), then residual variances, covariances of exogenous latents,
    covariances of dependent variables (``auto.cov.y``) and the fixed moments of exogenous
    observed covariates (``fixed.x``).
    """
    latents = list(dict.fromkeys(s.lhs for s in statements if s.op == "=~"))
    names = list(dict.fromkeys(n for s in statements for n in (s.lhs, s.rhs)))
    observed = [name for name in names if name not in latents]
    indicators = {s.rhs for s in statements if s.op == "=~"}
    dependent = {s.lhs for s in statements if s.op == "~"}
    predictors = {s.rhs for s in statements if s.op == "~"}
    structural = indicators | dependent | predictors | set(latents)
    for name in names:
        if name not in structural:
            raise InputError(
                f'"{name}" appears only in ~~ statements; name it in a =~ or ~ statement too'
            )
    exogenous_observed = [
        v for v in observed if v in predictors and v not in dependent and v not in indicators
    ]
    exogenous_latent = [f for f in latents if f not in indicators and f not in dependent]
    dependent_only = [
        f for f in latents if f in dependent and f not in indicators and f not in predictors
    ] + [v for v in observed if v in dependent and v not in indicators and v not in predictors]

    rows = []
    scaled = set()
    for statement in statements:
        lhs, op, rhs, modifier = statement.lhs, statement.op, statement.rhs, statement.modifier
        fixed, label = None, None
        if modifier is not None and re.fullmatch(_NUMBER, modifier):
            fixed = float(modifier)
        elif modifier not in (None, "NA"):
            label = modifier
        if op == "=~" and lhs not in scaled:
            scaled.add(lhs)
            if not std_lv and fixed is None and modifier != "NA":
                fixed = 1.0
        if std_lv and op == "~~" and lhs == rhs and lhs in latents and modifier is None:
            fixed = 1.0
        rows.append(_Row(lhs, op, rhs, fixed, label))

    stated = {_key(row.lhs, row.op, row.rhs) for row in rows}

    def add(lhs: str, rhs: str, fixed: float | None = None, exogenous: bool = False) -> None:
        if _key(lhs, "~~", rhs) not in stated:
            rows.append(_Row(lhs, "~~", rhs, fixed, exogenous=exogenous))

    for name in (v for v in observed if v not in exogenous_observed):
        add(name, name)
    for name in latents:
        add(name, name, 1.0 if std_lv else None)
    for a, b in combinations(exogenous_latent, 2):
        add(a, b)
    for a, b in combinations(dependent_only, 2):
        add(a, b)
    for i, a in enumerate(exogenous_observed):
        for b in exogenous_observed[i:]:
            add(a, b, exogenous=True)
    return rows, observed


def _semopy_description(rows: list[_Row]) -> str:
    """The model in semopy syntax, one parameter per term; exogenous covariates left to semopy.

    A latent variable without a fixed loading gets a label on each loading, because semopy
    fixes the first unlabelled loading otherwise.
    """
    lines = []
    for row in rows:
        if row.exogenous:
            continue
        if row.fixed is not None:
            modifier = f"{np.format_float_positional(row.fixed, trim='-')}*"
        else:
            label = _label(rows, row)
            modifier = f"{label}*" if label else ""
        lines.append(f"{row.lhs} {row.op} {modifier}{row.rhs}")
    return "\n".join(lines)


def _label(rows: list[_Row], row: _Row) -> str | None:
    """The semopy name of a free parameter: the user's label, one of ours or None."""
    if row.label is not None:
        return row.label
    if row.op == "=~" and row.lhs in _unscaled(rows):
        return f"_free_{row.lhs}_{row.rhs}"
    return None


def _unscaled(rows: list[_Row]) -> set[str]:
    """Latent variables without a fixed loading (``std_lv`` or ``NA*``)."""
    latents = {row.lhs for row in rows if row.op == "=~"}
    return latents - {row.lhs for row in rows if row.op == "=~" and row.fixed is not None}


# --- fitting ------------------------------------------------------------------------------


def _fit(
    data: pd.DataFrame, statements: list[_Statement], *, std_lv: bool, missing: str
) -> SEMResult:
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}, not {missing!r}")
    rows, observed = _complete(statements, std_lv)
    frame = _complete_cases(data, observed)
    n, p = frame.shape
    if n <= p:
        raise InputError(
            f"the model has {p} observed variables but only {n} complete cases; "
            f"maximum likelihood needs more complete cases than variables"
        )
    sample_cov = np.cov(frame.to_numpy(), rowvar=False, bias=True)
    if np.linalg.eigvalsh(sample_cov).min() <= 1e-10 * np.trace(sample_cov):
        raise InputError(
            "the covariance matrix of the model's variables is singular: a variable is "
            "constant or a linear combination of others"
        )
    n_exogenous = sum(row.exogenous and row.lhs == row.rhs for row in rows)
    moments = p * (p + 1) // 2 - n_exogenous * (n_exogenous + 1) // 2
    model = _semopy_model(rows, pd.Series(np.diag(sample_cov), index=observed))
    n_free = sum(parameter.active for parameter in model.parameters.values())
    if n_free > moments:
        raise InputError(
            f"the model is not identified: it has {n_free} free parameters but the data "
            f"give only {moments} variances and covariances"
        )
    # small matrices: one BLAS thread is faster, and much faster on a busy machine
    with threadpool_limits(1, user_api="blas"), _quiet_semopy():
        result = model.fit(frame, obj="MLW", solver="SLSQP", options={"ftol": OPTIMIZER_TOLERANCE})
        if not result.success:
            raise InputError(
                f"the model did not converge ({result.message}); check that it is identified "
                "and that every latent variable has items that correlate"
            )
        vcov = _covariance_of_estimates(model)
    sigma = model.calc_sigma()[0]
    obs = model.names_theta[0]
    s = pd.DataFrame(sample_cov, index=observed, columns=observed).loc[obs, obs].to_numpy()
    exo = [i for i, name in enumerate(obs) if _is_exogenous(rows, name)]
    fit = _fit_measures(s, sigma, n, n_free, exo)
    estimates = _estimates(model, rows, vcov, sigma)
    return SEMResult(fit=fit, estimates=estimates, model=model)


def _complete_cases(data: pd.DataFrame, observed: list[str]) -> pd.DataFrame:
    for name in observed:
        if name not in data.columns:
            raise InputError(
                f'the model names "{name}", which is not a column of the data',
                column=name,
                hint=did_you_mean(name, data.columns),
            )
    frame = data[observed].apply(pd.to_numeric, errors="coerce")
    for name in observed:
        text = data[name].notna() & frame[name].isna()
        if text.any():
            raise InputError(
                f'"{data.loc[text, name].iloc[0]}" is not a number; the variables of a '
                "model must be numeric",
                column=name,
            )
    return frame.astype("float64").dropna()


def _is_exogenous(rows: list[_Row], name: str) -> bool:
    return any(row.exogenous and row.lhs == row.rhs == name for row in rows)


@contextmanager
def _quiet_semopy() -> Iterator[None]:
    """Drop semopy's warnings that this module acts on itself.

    "No fixed loadings" is meant (see :func:`_semopy_description`); non-convergence becomes an
    :class:`InputError`.
    """

    def keep(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("No fixed loadings", "Solver didn"))

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


def _semopy_model(rows: list[_Row], variances: pd.Series) -> semopy.Model:
    """The semopy model, variances unbounded as in lavaan.

    The loadings of a latent variable without a fixed loading start at ``sqrt(var / 2)`` of
    their item (half the item's variance explained by a factor of variance 1): semopy's own
    start regresses items on the fixed one and loops forever when there is none.
    """
    description = _semopy_description(rows)
    try:
        with _quiet_semopy():
            model = semopy.Model(description, mimic_lavaan=True)
    except SyntaxError as error:
        raise InputError(f"semopy cannot read the model: {error}") from error
    for parameter in model.parameters.values():
        parameter.bound = (None, None)
    unscaled = _unscaled(rows)
    for row in rows:
        if row.op == "=~" and row.lhs in unscaled and row.fixed is None:
            parameter = model.parameters[_label(rows, row)]
            if parameter.start is None:
                parameter.start = math.sqrt(variances[row.rhs] / 2)
    return model


def _covariance_of_estimates(model: semopy.Model) -> np.ndarray:
    information = model.calc_fim()
    scale = np.sqrt(np.diag(information))
    # on the correlation scale, so that parameters of very different size do not look singular
    if np.linalg.eigvalsh(information / np.outer(scale, scale)).min() <= 1e-10:
        raise InputError(
            "the model is not identified (its information matrix is singular); fix a loading "
            "or a variance of each latent variable, or drop parameters"
        )
    return np.linalg.inv(information)


# --- fit measures ---------------------------------------------------------------------------


def _fit_measures(s: np.ndarray, sigma: np.ndarray, n: int, n_free: int, exo: list[int]):
    """lavaan's chi-square, CFI, TLI, RMSEA with 90% CI, SRMR, AIC and BIC (ML, one group)."""
    p = s.shape[0]
    px = len(exo)
    logdet_s = np.linalg.slogdet(s)[1]
    logdet_sigma = np.linalg.slogdet(sigma)[1]
    trace = float(np.trace(s @ np.linalg.inv(sigma)))
    chi2 = max(n * (logdet_sigma - logdet_s + trace - p), 0.0)
    df = p * (p + 1) // 2 - px * (px + 1) // 2 - n_free

    baseline = np.diag(np.diag(s))
    baseline[np.ix_(exo, exo)] = s[np.ix_(exo, exo)]
    chi2_null = n * (np.linalg.slogdet(baseline)[1] - logdet_s)
    df_null = p * (p + 1) // 2 - px * (px + 1) // 2 - (p - px)

    t1 = max(chi2 - df, 0.0)
    t2 = max(chi2 - df, chi2_null - df_null, 0.0)
    cfi = 1 - t1 / t2 if t2 > 0 else 1.0
    tli_den = (chi2_null - df_null) * df
    tli = 1 - (chi2 - df) * df_null / tli_den if df > 0 and tli_den != 0 else 1.0
    rmsea = math.sqrt(max(chi2 / n / df - 1 / n, 0.0)) if df > 0 else 0.0
    ci_low, ci_high = _rmsea_interval(chi2, df, n)

    scale = 1 / np.sqrt(np.diag(s))
    residual = (s - sigma) * np.outer(scale, scale)
    srmr = math.sqrt(float(np.mean(residual[np.triu_indices(p)] ** 2)))

    loglik = -n / 2 * (p * math.log(2 * math.pi) + logdet_sigma + trace)
    row = {
        "chi2": chi2,
        "df": df,
        "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan"),
        "cfi": cfi,
        "tli": tli,
        "rmsea": rmsea,
        "rmsea_ci_low": ci_low,
        "rmsea_ci_high": ci_high,
        "srmr": srmr,
        "aic": -2 * loglik + 2 * n_free,
        "bic": -2 * loglik + n_free * math.log(n),
        "n": n,
    }
    return pd.DataFrame([row], columns=list(FIT_COLUMNS))


def _rmsea_interval(chi2: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Browne & Cudeck's interval: the noncentralities at which chi2 is the 95th/5th percentile."""
    if df < 1:
        return 0.0, 0.0
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(noncentrality: float) -> float:
        if noncentrality <= 0:
            return float(stats.chi2.cdf(chi2, df))
        return float(stats.ncx2.cdf(chi2, df, noncentrality))

    low = 0.0
    if cdf(0.0) >= upper_p:
        lam = optimize.brentq(lambda x: cdf(x) - upper_p, 0.0, chi2)
        low = math.sqrt(lam / (n * df))
    high = 0.0
    top = max(n, chi2 * 4)
    if cdf(top) <= lower_p <= cdf(0.0):
        lam = optimize.brentq(lambda x: cdf(x) - lower_p, 0.0, top)
        high = math.sqrt(lam / (n * df))
    return low, high


# --- estimates ------------------------------------------------------------------------------


def _estimates(model: semopy.Model, rows: list[_Row], vcov: np.ndarray, sigma: np.ndarray):
    index = _parameter_index(model)
    obs = list(model.names_theta[0])
    inner = list(model.names_beta[0])
    beta, _, psi, _ = model.matrices[:4]
    c = np.linalg.inv(np.identity(len(inner)) - beta)
    inner_cov = c @ psi @ c.T

    def variance(name: str) -> float:
        if name in obs:
            return float(sigma[obs.index(name), obs.index(name)])
        return float(inner_cov[inner.index(name), inner.index(name)])

    cells = {(row.lhs, row.op, row.rhs): _cell(model, row) for row in rows}
    used = set()
    records = []
    for row in rows:
        matrix, i, j = cells[(row.lhs, row.op, row.rhs)]
        estimate = float(matrix[i, j])
        k = index.get((id(matrix), i, j))
        if (k is None) != (row.fixed is not None or row.exogenous):
            raise RuntimeError(f"semopy and lavaan disagree on {row.lhs} {row.op} {row.rhs}")
        se = math.sqrt(vcov[k, k]) if k is not None else float("nan")
        used.add(k)
        if row.op == "=~":
            std = estimate * math.sqrt(variance(row.lhs) / variance(row.rhs))
        elif row.op == "~":
            std = estimate * math.sqrt(variance(row.rhs) / variance(row.lhs))
        elif row.lhs == row.rhs:
            std = estimate / variance(row.lhs)
        else:
            own = [cells[(v, "~~", v)] for v in (row.lhs, row.rhs)]
            std = estimate / math.sqrt(own[0][0][own[0][1:]] * own[1][0][own[1][1:]])
        z = estimate / se if k is not None else float("nan")
        records.append(
            {
                "lhs": row.lhs,
                "op": row.op,
                "rhs": row.rhs,
                "estimate": estimate,
                "se": se,
                "z": z,
                "p_value": 2 * stats.norm.sf(abs(z)) if k is not None else float("nan"),
                "std_all": std,
            }
        )
    if used - {None} != set(range(len(model.param_vals))):
        raise RuntimeError("semopy estimated parameters that the lavaan table does not list")
    return pd.DataFrame(records, columns=list(ESTIMATE_COLUMNS))


def _parameter_index(model: semopy.Model) -> dict[tuple[int, int, int], int]:
    """(matrix, row, column) -> position of the free parameter in semopy's parameter vector."""
    index = {}
    active = [parameter for parameter in model.parameters.values() if parameter.active]
    for k, parameter in enumerate(active):
        for location in parameter.locations:
            i, j = location.indices
            index[(id(location.matrix), i, j)] = k
            if location.symmetric:
                index[(id(location.matrix), j, i)] = k
    return index


def _cell(model: semopy.Model, row: _Row) -> tuple[np.ndarray, int, int]:
    """Where semopy keeps the parameter: Lambda, Beta, Psi or Theta, with its row and column."""
    obs = list(model.names_theta[0])
    inner = list(model.names_beta[0])
    beta, lam, psi, theta = model.matrices[:4]
    if row.op in ("=~", "~"):
        target, source = (row.rhs, row.lhs) if row.op == "=~" else (row.lhs, row.rhs)
        if target in model.vars["_output"]:
            return lam, obs.index(target), inner.index(source)
        return beta, inner.index(target), inner.index(source)
    if row.lhs in inner and row.rhs in inner:
        return psi, inner.index(row.lhs), inner.index(row.rhs)
    return theta, obs.index(row.lhs), obs.index(row.rhs)
