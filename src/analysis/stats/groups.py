"""Comparing groups: Welch's t, one-way ANOVA (Fisher or Welch), Kruskal-Wallis and chi-square.

:func:`compare_groups` takes one outcome column and one group column and returns a
:class:`GroupComparison`: the omnibus test with its effect size and interval, per-group
descriptives, and post-hoc pairs with adjusted p-values. scipy and pingouin compute the
tests. Written here, each for a stated reason:

- effect-size intervals by inverting the noncentral t, F or chi-square distribution
  (Steiger & Fouladi 1997), as R's ``effectsize`` and ``MBESS`` do; pingouin gives a normal
  approximation for d and no interval for eta squared or Cramer's V;
- Tukey HSD and Games-Howell pairs from one studentized-range formula, because a report needs
  each pair's interval and both its unadjusted and adjusted p, which pingouin's pairwise
  functions (the tests' second implementation) do not return together;
- Dunn's (1964) test, which none of the project's libraries has.

Which test is used is the researcher's choice, never a pre-test's: ``method="auto"`` only
looks at the outcome's type and the number of groups. Welch's t is the two-group default
(Delacre, Lakens & Leys 2017); with three or more groups ``"anova"`` is Fisher's F with
Tukey HSD, and ``"welch_anova"`` is Welch's F with Games-Howell pairs, the choice when group
variances differ. Choosing between them by a variance test first is not recommended
(Zimmerman 2004), so neither is done automatically.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize, special, stats

from analysis.errors import InputError, did_you_mean
from analysis.stats.multiple_testing import adjust_pvalues

METHODS = ("auto", "welch", "anova", "welch_anova", "kruskal", "chi2")
NUMERIC_METHODS = ("welch", "anova", "welch_anova", "kruskal")
#: Expected cell counts below this make the chi-square approximation doubtful (Cochran 1954).
SMALL_EXPECTED = 5
#: Columns of :attr:`GroupComparison.test`, in order.
TEST_COLUMNS = (
    "method",
    "statistic",
    "df",
    "df2",
    "p_value",
    "effect_size",
    "effect_size_name",
    "es_ci_low",
    "es_ci_high",
    "n",
    "significant",
    "warning",
)
#: Columns of :attr:`GroupComparison.posthoc`, in order.
POSTHOC_COLUMNS = (
    "group_a",
    "group_b",
    "method",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    "n",
    "significant",
)
#: Columns of :attr:`GroupComparison.effect_sizes`, in order.
EFFECT_SIZE_COLUMNS = ("effect_size_name", "effect_size", "es_ci_low", "es_ci_high")
#: Columns of :meth:`GroupComparison.tidy`, in order.
TIDY_COLUMNS = (
    "term",
    "group_a",
    "group_b",
    "method",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "df2",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    "n",
)
OMNIBUS = "omnibus"


@dataclass
class GroupComparison:
    """The result of :func:`compare_groups`.

    Attributes
    ----------
    test : DataFrame
        The omnibus test in one row (columns in :func:`compare_groups`).
    groups : DataFrame
        Per-group descriptives (numeric outcome) or per-group counts (chi-square).
    posthoc : DataFrame
        One row per pair of groups (empty, with the columns, when there are none).
    effect_sizes : DataFrame
        Every effect size computed for the omnibus test (e.g. Cohen's d and Hedges' g), with
        intervals; ``test`` shows the first.
    outcome, group, method : str
        The columns compared and the method used (``"auto"`` resolved).
    """

    test: pd.DataFrame
    groups: pd.DataFrame
    posthoc: pd.DataFrame
    effect_sizes: pd.DataFrame
    outcome: str
    group: str
    method: str

    def tidy(self) -> pd.DataFrame:
        """The omnibus test and the pairs in one long table.

        Returns
        -------
        pandas.DataFrame
            term : str
                ``omnibus`` for the test, ``"<group_a> - <group_b>"`` for a pair.
            group_a, group_b : object
                None for the omnibus row.
            method : str
            estimate : float
                Omnibus row: the effect size (its interval in ci_low/ci_high). Pairs: the
                difference (of means, of mean ranks for Dunn; NaN for chi-square pairs).
            se, ci_low, ci_high, statistic, df, df2, p_value, p_adjusted : float
                As in ``test`` and ``posthoc`` (NaN where a row has none).
            effect_size, effect_size_name, n
                As in ``test`` and ``posthoc``.
        """
        test = self.test.iloc[0]
        omnibus = {
            "term": OMNIBUS,
            "group_a": None,
            "group_b": None,
            "method": test["method"],
            "estimate": test["effect_size"],
            "se": np.nan,
            "ci_low": test["es_ci_low"],
            "ci_high": test["es_ci_high"],
            "statistic": test["statistic"],
            "df": test["df"],
            "df2": test["df2"],
            "p_value": test["p_value"],
            "p_adjusted": np.nan,
            "effect_size": test["effect_size"],
            "effect_size_name": test["effect_size_name"],
            "n": test["n"],
        }
        pairs = self.posthoc.assign(
            term=[
                f"{a} - {b}"
                for a, b in zip(self.posthoc["group_a"], self.posthoc["group_b"], strict=True)
            ],
            df2=np.nan,
        )
        rows = [pd.DataFrame([omnibus])]
        if len(pairs):
            rows.append(pairs[list(TIDY_COLUMNS)])
        return pd.concat(rows, ignore_index=True)[list(TIDY_COLUMNS)]


def compare_groups(
    data: pd.DataFrame,
    outcome: str,
    group: str,
    *,
    method: str = "auto",
    posthoc: bool = True,
    alpha: float = 0.05,
    ci: float = 0.95,
) -> GroupComparison:
    """Compare an outcome across the groups of another column.

    Rows missing the outcome or the group are left out.

    Parameters
    ----------
    data : DataFrame
        One row per unit.
    outcome : str
        Numeric outcome (``welch``, ``anova``, ``welch_anova``, ``kruskal``) or categorical
        outcome (``chi2``).
    group : str
        Group column: any values; groups are ordered as their sorted values, or in category
        order for a pandas Categorical.
    method : {"auto", "welch", "anova", "welch_anova", "kruskal", "chi2"}
        ``"auto"``: ``"chi2"`` for a non-numeric (or boolean) outcome, else ``"welch"`` for
        two groups and ``"anova"`` for more.

        - ``"welch"``: Welch's t test (two groups). Effect: Cohen's d (pooled SD) with a
          noncentral-t interval; Hedges' g in ``effect_sizes``. The single pair carries the
          mean difference and its Welch interval (as R's ``t.test``).
        - ``"anova"``: Fisher's one-way F. Effect: eta squared (= partial eta squared in a
          one-way design) with a noncentral-F interval. Pairs: Tukey HSD (Tukey-Kramer for
          unequal n).
        - ``"welch_anova"``: Welch's F (R ``oneway.test``). Effect: eta squared from Welch's F
          and df, ``F df1 / (F df1 + df2)``, as R's ``effectsize`` reports for it. Pairs:
          Games-Howell.
        - ``"kruskal"``: Kruskal-Wallis H (tie-corrected). Effect: epsilon squared
          ``H / (n - 1)`` (Tomczak & Tomczak 2014; no interval). Pairs: Dunn's z with Holm's
          adjustment.
        - ``"chi2"``: Pearson's chi-square test of independence of group x outcome (with
          Yates's correction for a 2 x 2 table, as R's ``chisq.test``). Effect: Cramer's V
          (from the uncorrected chi-square) with a noncentral chi-square interval. Pairs:
          chi-square test of each pair of groups, Holm-adjusted.
    posthoc : bool
        Compute pairwise comparisons (``welch`` always has its one pair).
    alpha : float
        Significance level of the ``significant`` columns.
    ci : float
        Confidence level of every interval.

    Returns
    -------
    GroupComparison
        ``.test``, one row:

        method : str
        statistic : float
            t, F, H or chi-square.
        df, df2 : float
            Degrees of freedom (df2: denominator df of F; NaN otherwise).
        p_value : float
            Two-sided (t) or upper-tail p.
        effect_size : float
        effect_size_name : str
            ``cohens_d``, ``eta2``, ``epsilon2`` or ``cramers_v``.
        es_ci_low, es_ci_high : float
            Two-sided ``ci`` interval of the effect size (NaN for epsilon squared).
        n : int
            Rows used.
        significant : bool
            ``p_value < alpha``.
        warning : str
            Empty, or what makes the p-value doubtful (chi-square: expected counts below 5).

        ``.groups``: for a numeric outcome one row per group with ``group, n, mean, sd, se,
        median, min, max`` (and ``mean_rank``, the mean of the joint ranks, for kruskal); for
        chi-square one row per group x outcome level with ``group, level, count, expected,
        percent`` (of the group) and ``residual`` (adjusted standardized residual, Agresti
        2013; beyond +/-1.96 a cell departs from independence).

        ``.posthoc``, one row per pair in group order:

        group_a, group_b : object
        method : str
            ``welch``, ``tukey``, ``games_howell``, ``dunn`` or ``chi2``.
        estimate : float
            mean(a) - mean(b); mean rank(a) - mean rank(b) for Dunn; NaN for chi-square.
        se : float
        ci_low, ci_high : float
            Welch t interval for ``welch``; simultaneous studentized-range interval for
            Tukey and Games-Howell; NaN for Dunn and chi-square.
        statistic : float
            t = estimate / se (the studentized range q is t sqrt(2)), Dunn's z, or
            chi-square.
        df : float
            Of t (N - k for Tukey, Welch's df for Games-Howell), or of chi-square; NaN for
            Dunn.
        p_value : float
            Unadjusted (two-sided t or z; chi-square).
        p_adjusted : float
            Tukey or Games-Howell studentized-range p; Holm for Dunn and chi-square; equal to
            p_value for the single Welch pair.
        effect_size : float
        effect_size_name : str
            ``hedges_g`` (means), ``rank_biserial`` (Dunn: ``2 U / (n_a n_b) - 1``, positive
            when a tends to be larger) or ``cramers_v`` (chi-square).
        n : int
            n_a + n_b.
        significant : bool
            ``p_adjusted < alpha``.

        ``.effect_sizes``: ``effect_size_name, effect_size, es_ci_low, es_ci_high`` (welch:
        Cohen's d and Hedges' g with the exact small-sample factor J, interval scaled by J,
        as R's ``effectsize``).

    Raises
    ------
    ValueError
        For an unknown method.
    InputError
        For a missing column, a non-numeric outcome with a numeric method, fewer than two
        groups (or not two for ``welch``), a group with fewer than two values for a method
        on means, a group without variance for ``welch_anova``, or an outcome with a single
        level for ``chi2``.

    References
    ----------
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models. In What if there were no significance tests?
    Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with
    unequal n's and/or variances. Journal of Educational Statistics, 1(2), 113-125.
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6(3), 241-252.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")
    for column in (outcome, group):
        if column not in data.columns:
            raise InputError(
                "column not in the data", column=column, hint=did_you_mean(column, data.columns)
            )
    frame = data[[outcome, group]].dropna()
    levels = _group_levels(frame[group])
    if len(levels) < 2:
        raise InputError(
            f"comparing groups needs at least two groups; found {len(levels)} in the rows with "
            f'an outcome ("{outcome}")',
            column=group,
        )
    numeric = _is_number(frame[outcome])
    if method == "auto":
        method = ("welch" if len(levels) == 2 else "anova") if numeric else "chi2"
    if method in NUMERIC_METHODS and not numeric:
        raise InputError(
            f"{method} needs a numeric outcome; found {frame[outcome].dtype}", column=outcome
        )
    if method == "welch" and len(levels) != 2:
        raise InputError(
            f"welch compares two groups; found {len(levels)} (use anova, welch_anova or kruskal)",
            column=group,
        )
    if method == "chi2":
        return _chi2(frame, outcome, group, levels, posthoc, alpha, ci)
    samples = {
        level: frame.loc[frame[group] == level, outcome].astype("float64").to_numpy()
        for level in levels
    }
    if method != "kruskal":
        small = [str(level) for level, x in samples.items() if len(x) < 2]
        if small:
            raise InputError(
                f"{method} needs at least two values per group; too few in {small}", column=group
            )
    if method == "welch_anova":
        constant = [str(level) for level, x in samples.items() if np.ptp(x) == 0]
        if constant:
            raise InputError(
                f"welch_anova weights groups by 1 / variance; no variance in {constant} "
                "(use anova or kruskal)",
                column=outcome,
            )
    compute = {"welch": _welch, "anova": _anova, "welch_anova": _welch_anova}.get(method, _kruskal)
    test, effect_sizes, pairs, groups = compute(samples, posthoc, ci)
    return _result(test, effect_sizes, pairs, groups, len(frame), alpha, outcome, group, method)


def _result(test, effect_sizes, pairs, groups, n, alpha, outcome, group, method) -> GroupComparison:
    first = effect_sizes[0]
    test_row = {
        "method": method,
        **test,
        **first,
        "n": n,
        "significant": bool(test["p_value"] < alpha),
        "warning": test.get("warning", ""),
    }
    posthoc = pd.DataFrame(pairs, columns=list(POSTHOC_COLUMNS))
    posthoc["significant"] = posthoc["p_adjusted"] < alpha
    return GroupComparison(
        test=pd.DataFrame([test_row], columns=list(TEST_COLUMNS)),
        groups=groups,
        posthoc=posthoc,
        effect_sizes=pd.DataFrame(effect_sizes, columns=list(EFFECT_SIZE_COLUMNS)),
        outcome=outcome,
        group=group,
        method=method,
    )


# --- tests on means -------------------------------------------------------------------------


def _welch(samples: dict, posthoc: bool, ci: float):
    (a, x), (b, y) = samples.items()
    result = stats.ttest_ind(x, y, equal_var=False)
    interval = result.confidence_interval(ci)
    difference = float(x.mean() - y.mean())
    se = float(np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y)))
    d, d_low, d_high = _cohens_d(x, y, ci)
    j = _hedges_j(len(x) + len(y) - 2)
    pair = {
        "group_a": a,
        "group_b": b,
        "method": "welch",
        "estimate": difference,
        "se": se,
        "ci_low": float(interval.low),
        "ci_high": float(interval.high),
        "statistic": float(result.statistic),
        "df": float(result.df),
        "p_value": float(result.pvalue),
        "p_adjusted": float(result.pvalue),
        "effect_size": j * d,
        "effect_size_name": "hedges_g",
        "n": len(x) + len(y),
    }
    test = {
        "statistic": float(result.statistic),
        "df": float(result.df),
        "df2": np.nan,
        "p_value": float(result.pvalue),
    }
    effect_sizes = [
        _effect("cohens_d", d, d_low, d_high),
        _effect("hedges_g", j * d, j * d_low, j * d_high),
    ]
    return test, effect_sizes, [pair], _describe(samples)


def _anova(samples: dict, posthoc: bool, ci: float):
    groups = list(samples.values())
    result = stats.f_oneway(*groups)
    n, k = sum(map(len, groups)), len(groups)
    df1, df2 = k - 1, n - k
    f = float(result.statistic)
    test = {"statistic": f, "df": float(df1), "df2": float(df2), "p_value": float(result.pvalue)}
    pooled = sum((len(x) - 1) * x.var(ddof=1) for x in groups) / df2
    pairs = _studentized_pairs(samples, ci, pooled_variance=pooled, df_error=df2) if posthoc else []
    return test, [_eta2(f, df1, df2, ci)], pairs, _describe(samples)


def _welch_anova(samples: dict, posthoc: bool, ci: float):
    long = pd.DataFrame(
        {
            "y": np.concatenate(list(samples.values())),
            "g": np.repeat(np.arange(len(samples)), [len(x) for x in samples.values()]),
        }
    )
    row = pg.welch_anova(data=long, dv="y", between="g").iloc[0]
    f, df1, df2 = float(row["F"]), float(row["ddof1"]), float(row["ddof2"])
    test = {"statistic": f, "df": df1, "df2": df2, "p_value": float(row["p_unc"])}
    pairs = _studentized_pairs(samples, ci) if posthoc else []
    return test, [_eta2(f, df1, df2, ci)], pairs, _describe(samples)


def _studentized_pairs(samples: dict, ci: float, pooled_variance=None, df_error=None) -> list:
    """Tukey HSD (pooled variance given) or Games-Howell pairs (each pair's own variances)."""
    k = len(samples)
    pairs = []
    for (a, x), (b, y) in combinations(samples.items(), 2):
        if pooled_variance is not None:
            se = np.sqrt(pooled_variance * (1 / len(x) + 1 / len(y)))
            df = float(df_error)
        else:
            va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
            se = np.sqrt(va + vb)
            df = float((va + vb) ** 2 / (va**2 / (len(x) - 1) + vb**2 / (len(y) - 1)))
        difference = float(x.mean() - y.mean())
        t = difference / se
        half = _studentized_range_quantile(ci, k, df) / np.sqrt(2) * se
        pairs.append(
            {
                "group_a": a,
                "group_b": b,
                "method": "tukey" if pooled_variance is not None else "games_howell",
                "estimate": difference,
                "se": float(se),
                "ci_low": difference - half,
                "ci_high": difference + half,
                "statistic": float(t),
                "df": df,
                "p_value": float(2 * stats.t.sf(abs(t), df)),
                "p_adjusted": float(
                    np.minimum(1.0, stats.studentized_range.sf(abs(t) * np.sqrt(2), k, df))
                ),
                "effect_size": _hedges_j(len(x) + len(y) - 2) * _cohens_d(x, y, None)[0],
                "effect_size_name": "hedges_g",
                "n": len(x) + len(y),
            }
        )
    return pairs


@lru_cache(maxsize=64)
def _studentized_range_quantile(ci: float, k: int, df: float) -> float:
    """Cached: scipy takes about 0.3 s per quantile, and Tukey's pairs share one."""
    return float(stats.studentized_range.ppf(ci, k, df))


def _describe(samples: dict) -> pd.DataFrame:
    rows = [
        {
            "group": level,
            "n": len(x),
            "mean": float(x.mean()),
            "sd": float(x.std(ddof=1)) if len(x) > 1 else np.nan,
            "se": float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else np.nan,
            "median": float(np.median(x)),
            "min": float(x.min()),
            "max": float(x.max()),
        }
        for level, x in samples.items()
    ]
    return pd.DataFrame(rows)


# --- ranks ----------------------------------------------------------------------------------


def _kruskal(samples: dict, posthoc: bool, ci: float):
    groups = list(samples.values())
    n = sum(map(len, groups))
    result = stats.kruskal(*groups)
    h = float(result.statistic)
    test = {
        "statistic": h,
        "df": float(len(groups) - 1),
        "df2": np.nan,
        "p_value": float(result.pvalue),
    }
    ranks = stats.rankdata(np.concatenate(groups))
    bounds = np.cumsum([0, *map(len, groups)])
    mean_ranks = {
        level: float(ranks[bounds[i] : bounds[i + 1]].mean()) for i, level in enumerate(samples)
    }
    pairs = _dunn(samples, mean_ranks, ranks) if posthoc else []
    described = _describe(samples).assign(mean_rank=list(mean_ranks.values()))
    return test, [_effect("epsilon2", h / (n - 1), np.nan, np.nan)], pairs, described


def _dunn(samples: dict, mean_ranks: dict, ranks: np.ndarray) -> list:
    """Dunn's z for each pair on the joint ranks, with the tie correction; Holm-adjusted."""
    n = len(ranks)
    _, ties = np.unique(ranks, return_counts=True)
    variance = n * (n + 1) / 12 - (ties**3 - ties).sum() / (12 * (n - 1))
    pairs = []
    for (a, x), (b, y) in combinations(samples.items(), 2):
        difference = mean_ranks[a] - mean_ranks[b]
        se = float(np.sqrt(variance * (1 / len(x) + 1 / len(y))))
        z = difference / se if se > 0 else np.nan
        u = stats.mannwhitneyu(x, y).statistic
        pairs.append(
            {
                "group_a": a,
                "group_b": b,
                "method": "dunn",
                "estimate": difference,
                "se": se,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "statistic": z,
                "df": np.nan,
                "p_value": float(2 * stats.norm.sf(abs(z))),
                "effect_size": float(2 * u / (len(x) * len(y)) - 1),
                "effect_size_name": "rank_biserial",
                "n": len(x) + len(y),
            }
        )
    return _holm(pairs)


# --- counts ---------------------------------------------------------------------------------


def _chi2(frame, outcome, group, levels, posthoc, alpha, ci) -> GroupComparison:
    outcome_levels = _group_levels(frame[outcome])
    if len(outcome_levels) < 2:
        raise InputError(
            f"a chi-square test needs at least two outcome values; found {len(outcome_levels)}",
            column=outcome,
        )
    table = pd.crosstab(frame[group], frame[outcome]).reindex(
        index=levels, columns=outcome_levels, fill_value=0
    )
    observed = table.to_numpy(dtype="float64")
    result = stats.chi2_contingency(observed, correction=True)
    expected = result.expected_freq
    small = int((expected < SMALL_EXPECTED).sum())
    warning = (
        f"{small} of {expected.size} expected counts ({100 * small / expected.size:.0f}%) are "
        f"below {SMALL_EXPECTED} (smallest {expected.min():.2f}); the chi-square p-value may be "
        "inaccurate"
        if small
        else ""
    )
    test = {
        "statistic": float(result.statistic),
        "df": float(result.dof),
        "df2": np.nan,
        "p_value": float(result.pvalue),
        "warning": warning,
    }
    pairs = _chi2_pairs(table) if posthoc else []
    return _result(
        test,
        [_cramers_v(observed, ci)],
        pairs,
        _cells(table, expected),
        int(observed.sum()),
        alpha,
        outcome,
        group,
        "chi2",
    )


def _chi2_pairs(table: pd.DataFrame) -> list:
    pairs = []
    for a, b in combinations(table.index, 2):
        sub = table.loc[[a, b]]
        sub = sub.loc[:, sub.sum() > 0].to_numpy(dtype="float64")
        row = {
            "group_a": a,
            "group_b": b,
            "method": "chi2",
            "estimate": np.nan,
            "se": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "statistic": np.nan,
            "df": np.nan,
            "p_value": np.nan,
            "effect_size": np.nan,
            "effect_size_name": "cramers_v",
            "n": int(sub.sum()),
        }
        if sub.shape[1] > 1:
            result = stats.chi2_contingency(sub, correction=True)
            row |= {
                "statistic": float(result.statistic),
                "df": float(result.dof),
                "p_value": float(result.pvalue),
                "effect_size": _cramers_v(sub, None)["effect_size"],
            }
        pairs.append(row)
    return _holm(pairs)


def _cells(table: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    observed = table.to_numpy(dtype="float64")
    n = observed.sum()
    row_share = observed.sum(axis=1, keepdims=True) / n
    column_share = observed.sum(axis=0, keepdims=True) / n
    residual = (observed - expected) / np.sqrt(expected * (1 - row_share) * (1 - column_share))
    percent = 100 * observed / observed.sum(axis=1, keepdims=True)
    rows = [
        {
            "group": g,
            "level": level,
            "count": int(observed[i, j]),
            "expected": float(expected[i, j]),
            "percent": float(percent[i, j]),
            "residual": float(residual[i, j]),
        }
        for i, g in enumerate(table.index)
        for j, level in enumerate(table.columns)
    ]
    return pd.DataFrame(rows)


# --- effect sizes ---------------------------------------------------------------------------


def _effect(name: str, value: float, low: float, high: float) -> dict:
    return {
        "effect_size_name": name,
        "effect_size": float(value),
        "es_ci_low": float(low),
        "es_ci_high": float(high),
    }


def _cohens_d(x: np.ndarray, y: np.ndarray, ci: float | None) -> tuple[float, float, float]:
    """Cohen's d with the pooled SD, and its noncentral-t interval (NaN without ``ci``)."""
    n1, n2 = len(x), len(y)
    df = n1 + n2 - 2
    pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / df)
    d = float((x.mean() - y.mean()) / pooled)
    if ci is None:
        return d, np.nan, np.nan
    scale = np.sqrt(n1 * n2 / (n1 + n2))
    low, high = _noncentral_interval(
        lambda ncp: stats.nct.cdf(d * scale, df, ncp), d * scale, ci, bounded=False
    )
    return d, low / scale, high / scale


def _hedges_j(df: int) -> float:
    """Hedges' exact small-sample correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return float(np.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / np.sqrt(df / 2))


def _eta2(f: float, df1: float, df2: float, ci: float) -> dict:
    """Eta squared from F, ``F df1 / (F df1 + df2)``, with the noncentral-F interval.

    A noncentrality bound lambda maps to ``lambda / (lambda + df2)``, the same map that takes
    the observed ``F df1`` to the estimate (R ``effectsize::F_to_eta2``).
    """
    low, high = _noncentral_interval(
        lambda ncp: stats.ncf.cdf(f, df1, df2, ncp) if ncp > 0 else stats.f.cdf(f, df1, df2),
        f * df1,
        ci,
    )
    return _effect("eta2", f * df1 / (f * df1 + df2), low / (low + df2), high / (high + df2))


def _cramers_v(observed: np.ndarray, ci: float | None) -> dict:
    """Cramer's V from the uncorrected chi-square, with the noncentral chi-square interval."""
    result = stats.chi2_contingency(observed, correction=False)
    chi2, df = float(result.statistic), float(result.dof)
    scale = observed.sum() * (min(observed.shape) - 1)
    v = float(np.sqrt(chi2 / scale))
    if ci is None:
        return _effect("cramers_v", v, np.nan, np.nan)
    low, high = _noncentral_interval(
        lambda ncp: stats.ncx2.cdf(chi2, df, ncp) if ncp > 0 else stats.chi2.cdf(chi2, df),
        chi2,
        ci,
    )
    # V cannot exceed 1; in small tables the noncentrality bound can (effectsize caps it too)
    return _effect("cramers_v", v, np.sqrt(low / scale), min(1.0, np.sqrt(high / scale)))


def _noncentral_interval(
    cdf: Callable[[float], float], guess: float, ci: float, bounded: bool = True
) -> tuple[float, float]:
    """Noncentrality values where ``cdf`` (decreasing in it) is 1 - tail and tail.

    ``bounded``: the noncentrality cannot be negative (F, chi-square); a bound whose root
    would be below zero is zero. ``guess`` (the observed statistic on the noncentrality
    scale) starts the search; without a finite one (e.g. no variance) the bounds are NaN.
    Far in a tail scipy's noncentral t may return NaN for a probability that is 0 or 1; it
    is read as such, which keeps the function monotone.
    """
    if not np.isfinite(guess):
        return np.nan, np.nan
    tail = (1 - ci) / 2

    def safe(ncp: float) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = float(cdf(ncp))
        return value if np.isfinite(value) else (0.0 if ncp > guess else 1.0)

    def root(target: float) -> float:
        if bounded and safe(0.0) <= target:
            return 0.0
        low, step = (0.0 if bounded else guess - 1.0), 1.0
        while safe(low) < target:
            low, step = low - step, 2 * step
        high, step = guess + 1.0, 1.0
        while safe(high) > target:
            high, step = high + step, 2 * step
        return float(optimize.brentq(lambda ncp: safe(ncp) - target, low, high, xtol=1e-12))

    return root(1 - tail), root(tail)


# --- helpers --------------------------------------------------------------------------------


def _holm(pairs: list) -> list:
    adjusted = adjust_pvalues([p["p_value"] for p in pairs], "holm")
    return [p | {"p_adjusted": q} for p, q in zip(pairs, adjusted, strict=True)]


def _group_levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.unique())
        return [c for c in values.cat.categories if c in present]
    unique = values.unique()
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
