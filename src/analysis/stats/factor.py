"""Factor models of a scale: McDonald's omega and exploratory factor analysis (EFA).

factor-analyzer fits every factor model here (minres or maximum likelihood on a correlation
matrix) and rotates it. Written here, because factor-analyzer has no such function:

- omega total from the one-factor model, its bootstrap interval, and omega hierarchical from the
  Schmid-Leiman transformation (as ``psych::omega``);
- KMO and Bartlett's test from a correlation matrix: factor-analyzer's ``calculate_kmo`` and
  ``calculate_bartlett_sphericity`` take complete raw data, so they cannot use the pairwise
  correlations that ``psych`` uses by default (the tests check both against them);
- Horn's parallel analysis on factor eigenvalues (``psych::fa.parallel``'s ``fa="fa"``).

Items are used on their complete cases (listwise deletion, as :mod:`analysis.stats.reliability`);
:func:`efa` can use pairwise correlations instead, as ``psych`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from factor_analyzer import FactorAnalyzer, Rotator
from factor_analyzer.rotator import POSSIBLE_ROTATIONS
from scipy import stats
from threadpoolctl import threadpool_limits

from analysis.errors import InputError, did_you_mean
from analysis.stats._compat import patch_factor_analyzer
from analysis.stats.reliability import complete_items

patch_factor_analyzer()

#: Columns of :func:`omega`, in order.
OMEGA_COLUMNS = ("omega_total", "ci_low", "ci_high", "omega_hierarchical", "n", "k", "method")
#: Factor extraction methods of :func:`efa` (factor-analyzer's names; "minres" is ULS).
METHODS = ("minres", "ml")
#: Rotations of :func:`efa`: None or one of factor-analyzer's.
ROTATIONS = (None, *POSSIBLE_ROTATIONS)
#: Missing-data handling of :func:`efa`.
MISSING = ("listwise", "pairwise")
#: Fewest rows a factor model is fitted to (and always more rows than items, else the
#: correlation matrix is singular).
MIN_ROWS = 10


def omega(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    *,
    hierarchical: bool = False,
    n_groups: int = 3,
    scale_range: tuple[float, float] | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """McDonald's omega total of a scale, with a bootstrap interval; omega hierarchical on request.

    Omega total is the reliability of the unit-weighted sum of the (reverse-keyed) items under a
    one-factor model: ``(sum lambda)^2 / ((sum lambda)^2 + sum psi)``, with the loadings
    lambda and unique variances psi of the maximum-likelihood one-factor model of the item
    covariances. This is the omega JASP reports (Bayesrel's ``omegaFreqData``: a lavaan
    one-factor CFA, ML, unstandardized), and the one that goes with Cronbach's alpha, which
    is also about the raw sum. The model is fitted by factor-analyzer to the correlations and
    rescaled by the item SDs; ML is scale invariant, so this is the covariance solution.
    jamovi reports ``psych::omega(x, 1)$omega.tot`` instead (minres on the correlations, the
    observed total variance in the denominator): the omega of the standardized items, which
    differs in the second or third decimal when item variances differ (z-score the items to
    get it here).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : sequence of str
        The scale's numeric item columns (at least three: a one-factor model of two items is
        not identified).
    reverse : sequence of str
        Reverse-keyed items among ``items``, mirrored as ``low + high - x``.
    hierarchical : bool
        Also compute omega hierarchical.
    n_groups : int
        Group factors of the Schmid-Leiman solution (at least 2; ``psych::omega``'s default 3).
    scale_range : (low, high), optional
        Scale end points for mirroring; default the smallest and largest answer observed.
    ci : float
        Confidence level of the interval.
    n_boot : int
        Bootstrap resamples of the interval (JASP's default 1000); 0 leaves it out. Each
        resample refits the model, about 10 ms, so 1000 take about ten seconds.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row:

        omega_total : float
            From the one-factor ML model of the covariances (see above).
        ci_low, ci_high : float
            Percentile bootstrap interval: ``n_boot`` resamples of the complete rows, each
            refitted (JASP's non-parametric bootstrap). NaN when ``n_boot`` is 0.
        omega_hierarchical : float
            ``(sum g)^2 / sum(R)``: g the general-factor loadings of the Schmid-Leiman
            transformation of a minres, oblimin solution with ``n_groups`` factors (the
            general factor is the one-factor minres solution of the factor correlations; with
            two group factors both load ``sqrt(phi)``, ``psych``'s ``option="equal"``), R the
            item correlations. As ``psych::omega``'s ``omega_h``, except that items are not
            flipped by the sign of their g loading: key them with ``reverse``. NaN unless
            ``hierarchical``.
        n : int
            Complete cases.
        k : int
            Items.
        method : str
            The models used, in words.

    Raises
    ------
    ValueError
        For fewer than three items, unknown reverse items, too few items for ``n_groups``.
    InputError
        For an item that is missing, not numeric or constant, or too few complete rows.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha, Revelle's beta,
    and McDonald's omega_H. Psychometrika, 70(1), 123-133.
    """
    items = _checked_items(data, items, "omega")
    if hierarchical:
        if n_groups < 2:
            raise ValueError(f"omega hierarchical needs at least 2 group factors; got {n_groups}")
        _check_identified(len(items), n_groups, "omega hierarchical")
    frame = complete_items(data, items, reverse, scale_range)
    _check_rows_and_variance(frame, "omega")
    values = frame.to_numpy()
    # BLAS threads only add overhead to matrices this small (a fit takes 6x longer on 2 cores)
    with threadpool_limits(limits=1):
        total = _one_factor_omega(values)
        ci_low, ci_high = _bootstrap_interval(values, ci, n_boot, seed)
        omega_h = (
            _omega_hierarchical(np.corrcoef(values, rowvar=False), n_groups)
            if hierarchical
            else np.nan
        )
    method = "one-factor ML of the covariances"
    if hierarchical:
        method += f"; Schmid-Leiman of {n_groups} minres oblimin factors"
    row = {
        "omega_total": total,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "omega_hierarchical": omega_h,
        "n": len(frame),
        "k": len(items),
        "method": method,
    }
    return pd.DataFrame([row], columns=list(OMEGA_COLUMNS))


@dataclass
class EFAResult:
    """An exploratory factor analysis and the checks that come before it.

    Attributes
    ----------
    n_factors : int
        Factors suggested by the parallel analysis (at least 1).
    n_factors_fitted : int
        Factors of :attr:`loadings`: ``n_factors`` unless the call fixed the number.
    loadings : DataFrame
        One row per item: ``item``, then ``F1`` ... ``Fm`` (pattern loadings, each factor
        signed so that its loadings sum to a positive number and ordered by its sum of squared
        loadings, as ``psych::fa``), ``communality`` (``diag(L Phi L')``, the same for every
        rotation) and ``uniqueness`` (1 - communality).
    factor_correlations : DataFrame or None
        Phi, factor x factor (index and columns ``F1`` ...), for an oblique rotation.
    variance : DataFrame
        One row per factor: ``factor``; ``ss_loadings`` (``diag(Phi L'L)``, what ``psych``
        prints as "SS loadings"; the column sums of squared loadings when orthogonal);
        ``proportion`` (``ss_loadings / k``) and ``cumulative``.
    kmo : DataFrame
        ``item, msa``: Kaiser's measure of sampling adequacy per item, then a row with item
        ``"overall"`` (as ``psych::KMO``).
    bartlett : DataFrame
        One row ``chi2, df, p_value``: Bartlett's test that the correlation matrix is the
        identity, ``-(n - 1 - (2k + 5) / 6) ln|R|`` on ``k(k - 1) / 2`` df.
    parallel : DataFrame
        Horn's parallel analysis, one row per factor: ``factor`` (1 ...),
        ``observed_eigenvalue``, ``simulated_mean``, ``simulated_95`` and ``retain``. The
        eigenvalues are factor eigenvalues as ``psych::fa.parallel``'s default (SMC=FALSE):
        of R with the communalities of a one-factor solution on its diagonal, for the data
        and for ``parallel_iterations`` normal data sets of the same n and k. ``retain`` marks
        the leading factors whose eigenvalue exceeds ``simulated_mean`` (psych's default;
        ``simulated_95`` is the stricter 95th percentile for readers who prefer it).
    n : int
        Rows behind the correlations: complete cases (listwise), or rows with any item
        answered (pairwise).
    method, rotation, missing : str
        As called.
    """

    n_factors: int
    n_factors_fitted: int
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame | None
    variance: pd.DataFrame
    kmo: pd.DataFrame
    bartlett: pd.DataFrame
    parallel: pd.DataFrame
    n: int
    method: str
    rotation: str | None
    missing: str

    def tidy(self) -> pd.DataFrame:
        """Loadings in long form for a report.

        Returns
        -------
        pandas.DataFrame
            One row per item and factor (items in their order, factors within items):
            ``item, factor, loading``.
        """
        factors = [f"F{j}" for j in range(1, self.n_factors_fitted + 1)]
        loadings = self.loadings[factors].to_numpy()
        return pd.DataFrame(
            {
                "item": np.repeat(self.loadings["item"].to_numpy(), len(factors)),
                "factor": factors * len(loadings),
                "loading": loadings.ravel(),
            }
        )


def efa(
    data: pd.DataFrame,
    items: Sequence[str],
    n_factors: int | None = None,
    *,
    rotation: str | None = "oblimin",
    method: str = "minres",
    missing: str = "listwise",
    parallel_iterations: int = 20,
    seed: int = 0,
) -> EFAResult:
    """Exploratory factor analysis with KMO, Bartlett's test and parallel analysis.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : sequence of str
        Numeric item columns (at least three).
    n_factors : int, optional
        Factors to extract; default the number the parallel analysis suggests.
    rotation : str or None
        ``"oblimin"`` (quartimin, gamma 0, as ``psych::fa``), ``"promax"``, ``"varimax"``, any
        other of factor-analyzer's rotations, or None.
    method : {"minres", "ml"}
        Minimum residual (``psych``'s default) or maximum likelihood, also for the
        parallel analysis.
    missing : {"listwise", "pairwise"}
        Complete cases (SPSS's default), or each correlation on the rows that answered both
        items (``psych``'s default).
    parallel_iterations : int
        Simulated data sets of the parallel analysis (``psych``'s default 20).
    seed : int
        Seed of the simulated data.

    Returns
    -------
    EFAResult
        ``.loadings``, ``.factor_correlations``, ``.variance``, ``.kmo``, ``.bartlett``,
        ``.parallel``, ``.n_factors`` and ``.tidy()``; see :class:`EFAResult`.

    Raises
    ------
    ValueError
        For an unknown rotation, method or missing, fewer than three items, or more factors
        than the items can identify.
    InputError
        For an item that is missing, not numeric or constant, too few rows, or pairwise
        correlations that do not form a positive definite matrix.
    """
    if rotation not in ROTATIONS:
        raise ValueError(f"unknown rotation {rotation!r}; use one of {ROTATIONS}")
    if method not in METHODS:
        raise ValueError(f"unknown factor method {method!r}; use one of {METHODS}")
    if missing not in MISSING:
        raise ValueError(f"unknown missing {missing!r}; use one of {MISSING}")
    items = _checked_items(data, items, "factor analysis")
    k = len(items)
    if n_factors is not None:
        _check_identified(k, n_factors, "factor analysis")
    correlation, n = _correlations(data, items, missing)
    with threadpool_limits(limits=1):  # as in omega: small matrices, faster on one thread
        parallel = _parallel_analysis(correlation, n, method, parallel_iterations, seed)
        suggested = max(1, int(parallel["retain"].sum()))
        fitted = suggested if n_factors is None else n_factors
        _check_identified(k, fitted, "factor analysis")
        pattern, phi = _rotated_loadings(correlation, fitted, method, rotation)
    factors = [f"F{j}" for j in range(1, fitted + 1)]
    communality = _communalities(pattern, phi)
    loadings = pd.DataFrame(pattern, columns=factors).assign(
        communality=communality, uniqueness=1 - communality
    )
    loadings.insert(0, "item", items)
    ss_loadings = _sum_of_squared_loadings(pattern, phi)
    variance = pd.DataFrame(
        {
            "factor": factors,
            "ss_loadings": ss_loadings,
            "proportion": ss_loadings / k,
            "cumulative": np.cumsum(ss_loadings) / k,
        }
    )
    return EFAResult(
        n_factors=suggested,
        n_factors_fitted=fitted,
        loadings=loadings,
        factor_correlations=None if phi is None else pd.DataFrame(phi, factors, factors),
        variance=variance,
        kmo=_kmo(correlation, items),
        bartlett=_bartlett(correlation, n),
        parallel=parallel,
        n=n,
        method=method,
        rotation=rotation,
        missing=missing,
    )


def _checked_items(data: pd.DataFrame, items: Sequence[str], what: str) -> list[str]:
    items = list(items)
    if len(items) < 3:
        raise ValueError(f"{what} needs at least three items; got {len(items)}")
    if len(set(items)) < len(items):
        raise ValueError(f"{what}: items are listed twice in {items}")
    for item in items:
        if item not in data.columns:
            raise InputError(
                "column not in the data", column=item, hint=did_you_mean(item, data.columns)
            )
        values = data[item]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            first = values.dropna().iloc[0] if values.notna().any() else None
            raise InputError(
                f"{what} needs numeric item scores; found {values.dtype} values such as {first!r}",
                column=item,
            )
    return items


def _check_identified(k: int, n_factors: int, what: str) -> None:
    # a factor model with more parameters than item covariances has negative df
    if n_factors < 1 or (k - n_factors) ** 2 < k + n_factors:
        most = max(m for m in range(k) if (k - m) ** 2 >= k + m)
        raise ValueError(
            f"{what}: {k} items identify at most {most} factor{'s' if most != 1 else ''}, "
            f"not {n_factors} (at least {_items_needed(max(n_factors, 1))} items for "
            f"{n_factors})"
        )


def _items_needed(n_factors: int) -> int:
    k = n_factors + 1
    while (k - n_factors) ** 2 < k + n_factors:
        k += 1
    return k


def _check_rows_and_variance(
    frame: pd.DataFrame, what: str, rows: str = "rows with every item answered"
) -> None:
    n, k = frame.shape
    needed = max(MIN_ROWS, k + 1)
    if n < needed:
        raise InputError(f"{what} of {k} items needs at least {needed} {rows}; found {n}")
    constant = frame.columns[frame.std(ddof=0).to_numpy() == 0]
    if len(constant):
        raise InputError(
            f"every used row gives the same answer ({frame[constant[0]].dropna().iloc[0]:g}); "
            f"a constant item has no variance to share with a factor: drop it",
            column=constant[0],
        )


def _correlations(data: pd.DataFrame, items: list[str], missing: str) -> tuple[np.ndarray, int]:
    """Item correlations and their n: complete cases, or pairwise with n = rows answered."""
    if missing == "listwise":
        frame = complete_items(data, items)
        _check_rows_and_variance(frame, "factor analysis")
        return np.corrcoef(frame.to_numpy(), rowvar=False), len(frame)
    answered = data[items].astype("float64").dropna(how="all")
    _check_rows_and_variance(answered, "factor analysis", "rows with an item answered")
    correlation = answered.corr().to_numpy()
    if np.isnan(correlation).any() or np.linalg.eigvalsh(correlation).min() <= 0:
        raise InputError(
            "the pairwise correlations do not form a positive definite matrix (too few rows "
            'answer some pairs of items); use missing="listwise"'
        )
    return correlation, len(answered)


def _one_factor_omega(values: np.ndarray) -> float:
    correlation = np.corrcoef(values, rowvar=False)
    fit = FactorAnalyzer(n_factors=1, rotation=None, method="ml", is_corr_matrix=True)
    fit.fit(correlation)
    sd = values.std(axis=0)
    loadings = fit.loadings_[:, 0] * sd
    unique_variances = fit.get_uniquenesses() * sd**2
    common = loadings.sum() ** 2
    return float(common / (common + unique_variances.sum()))


def _bootstrap_interval(values: np.ndarray, ci: float, n_boot: int, seed: int) -> tuple:
    if n_boot == 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    n = len(values)
    estimates = np.full(n_boot, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample's non-convergence leaves its estimate out
        for b in range(n_boot):
            sample = values[rng.integers(0, n, n)]
            if (sample.std(axis=0) > 0).all():
                estimates[b] = _one_factor_omega(sample)
    tail = (1 - ci) / 2
    low, high = np.nanquantile(estimates, [tail, 1 - tail])
    return float(low), float(high)


def _omega_hierarchical(correlation: np.ndarray, n_groups: int) -> float:
    pattern, phi = _rotated_loadings(correlation, n_groups, "minres", "oblimin")
    if n_groups == 2:
        general_of_groups = np.sqrt(abs(phi[0, 1])) * np.array([1.0, np.sign(phi[0, 1])])
    else:
        fit = FactorAnalyzer(n_factors=1, rotation=None, method="minres", is_corr_matrix=True)
        general_of_groups = fit.fit(phi).loadings_[:, 0]
    general = pattern @ general_of_groups
    return float(general.sum() ** 2 / correlation.sum())


def _rotated_loadings(
    correlation: np.ndarray, n_factors: int, method: str, rotation: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Pattern loadings and factor correlations (None when orthogonal), signed and ordered.

    factor-analyzer's own rotation in ``FactorAnalyzer.fit`` reorders the loadings but not
    ``phi_``, so the unrotated solution is rotated here with its ``Rotator``.
    """
    fit = FactorAnalyzer(n_factors=n_factors, rotation=None, method=method, is_corr_matrix=True)
    pattern, phi = fit.fit(correlation).loadings_, None
    if rotation is not None and n_factors > 1:
        rotator = Rotator(method=rotation)
        pattern = rotator.fit_transform(pattern)
        phi = rotator.phi_
    signs = np.where(pattern.sum(axis=0) < 0, -1.0, 1.0)
    pattern = pattern * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
    order = np.argsort(-_sum_of_squared_loadings(pattern, phi), kind="stable")
    pattern = pattern[:, order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    return pattern, phi


def _communalities(pattern: np.ndarray, phi: np.ndarray | None) -> np.ndarray:
    if phi is None:
        return (pattern**2).sum(axis=1)
    return np.einsum("ij,jk,ik->i", pattern, phi, pattern)


def _sum_of_squared_loadings(pattern: np.ndarray, phi: np.ndarray | None) -> np.ndarray:
    if phi is None:
        return (pattern**2).sum(axis=0)
    return np.diag(phi @ pattern.T @ pattern)


def _kmo(correlation: np.ndarray, items: list[str]) -> pd.DataFrame:
    inverse = np.linalg.inv(correlation)
    partial = -inverse / np.sqrt(np.outer(np.diag(inverse), np.diag(inverse)))
    r2, p2 = correlation**2, partial**2
    np.fill_diagonal(r2, 0)
    np.fill_diagonal(p2, 0)
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + p2.sum())
    return pd.DataFrame({"item": [*items, "overall"], "msa": [*per_item, overall]})


def _bartlett(correlation: np.ndarray, n: int) -> pd.DataFrame:
    k = len(correlation)
    _, log_determinant = np.linalg.slogdet(correlation)
    chi2 = -(n - 1 - (2 * k + 5) / 6) * log_determinant
    df = k * (k - 1) // 2
    return pd.DataFrame([{"chi2": chi2, "df": df, "p_value": stats.chi2.sf(chi2, df)}])


def _factor_eigenvalues(correlation: np.ndarray, method: str) -> np.ndarray:
    fit = FactorAnalyzer(n_factors=1, rotation=None, method=method, is_corr_matrix=True)
    return fit.fit(correlation).get_eigenvalues()[1]


def _parallel_analysis(
    correlation: np.ndarray, n: int, method: str, iterations: int, seed: int
) -> pd.DataFrame:
    k = len(correlation)
    observed = _factor_eigenvalues(correlation, method)
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one-factor fits of noise may not converge
        simulated = np.array(
            [
                _factor_eigenvalues(np.corrcoef(rng.standard_normal((n, k)), rowvar=False), method)
                for _ in range(iterations)
            ]
        )
    mean = simulated.mean(axis=0)
    retain = np.logical_and.accumulate(observed > mean)
    return pd.DataFrame(
        {
            "factor": np.arange(1, k + 1),
            "observed_eigenvalue": observed,
            "simulated_mean": mean,
            "simulated_95": np.quantile(simulated, 0.95, axis=0),
            "retain": retain,
        }
    )
