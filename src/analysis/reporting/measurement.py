"""Measurement quality for the report: the instrument's factor structure and validity.

Reliability per construct (alpha, omega, item-total r) is in :mod:`analysis.reporting.sections`;
this module adds what comes before and after it: whether the items form the factors the study
declares (exploratory checks: KMO, Bartlett, parallel analysis) and how well the declared
measurement model fits (CFA with the RMSEA interval, standardized loadings, AVE, composite
reliability, Fornell-Larcker and HTMT). Statistics come from :mod:`analysis.stats`.
"""

from __future__ import annotations

import pandas as pd

from analysis import stats
from analysis.config import Study
from analysis.reporting.sections import tidy

#: Conventional thresholds the report states (Hair et al. 2019; Henseler et al. 2015).
AVE_MIN = 0.50
CR_MIN = 0.70
HTMT_MAX = 0.85
KMO_MIN = 0.60


def measured_constructs(study: Study, min_items: int = 2) -> dict[str, list[str]]:
    """Construct id -> item ids, for constructs with at least ``min_items`` items."""
    return {c.id: [i.id for i in c.items] for c in study.constructs if len(c.items) >= min_items}


def factor_structure(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Whether the items suit a factor analysis and how many factors the data suggest.

    Returns
    -------
    pandas.DataFrame
        One row: ``n`` (complete rows), ``k`` (items), ``kmo`` (overall Kaiser-Meyer-Olkin
        measure), ``bartlett_chi2``, ``bartlett_df``, ``p_value`` (Bartlett's sphericity test),
        ``factors_suggested`` (Horn's parallel analysis), ``constructs`` (declared) and
        ``adequate`` (KMO >= :data:`KMO_MIN` and Bartlett significant at the study's alpha).
        Empty when fewer than three items are declared.
    """
    items = [i for ids in measured_constructs(study).values() for i in ids]
    columns = [
        "n",
        "k",
        "kmo",
        "bartlett_chi2",
        "bartlett_df",
        "p_value",
        "factors_suggested",
        "constructs",
        "adequate",
    ]
    if len(items) < 3:
        return tidy(pd.DataFrame(columns=columns), ("k",), "kmo")
    result = stats.efa(responses, items, seed=study.study.seed)
    kmo = result.kmo.set_index("item").loc["overall", "msa"]
    bartlett = result.bartlett.iloc[0]
    row = {
        "n": int(responses[items].dropna().shape[0]),
        "k": len(items),
        "kmo": float(kmo),
        "bartlett_chi2": float(bartlett["chi2"]),
        "bartlett_df": float(bartlett["df"]),
        "p_value": float(bartlett["p_value"]),
        "factors_suggested": int(result.n_factors),
        "constructs": len(measured_constructs(study)),
        "adequate": bool(kmo >= KMO_MIN and bartlett["p_value"] < study.study.alpha),
    }
    return tidy(pd.DataFrame([row], columns=columns), ("k",), "kmo")


#: Columns of :func:`measurement_fit`.
FIT_COLUMNS = (
    "n",
    "chi2",
    "df",
    "p_value",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "good_fit",
)
#: Columns of :func:`construct_validity`.
VALIDITY_COLUMNS = (
    "construct",
    "k",
    "n",
    "min_loading",
    "composite_reliability",
    "ave",
    "sqrt_ave",
    "max_correlation",
    "max_htmt",
    "convergent",
    "discriminant",
)
#: Hu & Bentler (1999) cut-offs the report states for a good fit.
CFI_MIN, RMSEA_MAX, SRMR_MAX = 0.95, 0.06, 0.08


def _validity(responses: pd.DataFrame, study: Study):
    constructs = measured_constructs(study)
    if len(constructs) < 2:
        return None
    return stats.validity(responses, constructs)


def measurement_fit(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Fit of the declared measurement model: one factor per construct, all items (CFA, ML).

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``chi2``, ``df``, ``p_value``, ``cfi``, ``tli``, ``rmsea`` with its 90%
        interval (``rmsea_ci_low``, ``rmsea_ci_high``), ``srmr`` (as lavaan) and ``good_fit``
        (CFI >= .95, RMSEA <= .06 and SRMR <= .08, Hu & Bentler 1999). Empty with fewer than
        two multi-item constructs.
    """
    result = _validity(responses, study)
    if result is None:
        return tidy(pd.DataFrame(columns=list(FIT_COLUMNS)), ("n",), "cfi")
    fit = result.measurement.fit.iloc[0]
    row = {
        "n": int(fit["n"]),
        "chi2": fit["chi2"],
        "df": fit["df"],
        "p_value": fit["pvalue"],
        "cfi": fit["cfi"],
        "tli": fit["tli"],
        "rmsea": fit["rmsea"],
        "rmsea_ci_low": fit["rmsea_ci_low"],
        "rmsea_ci_high": fit["rmsea_ci_high"],
        "srmr": fit["srmr"],
        "good_fit": bool(
            fit["cfi"] >= CFI_MIN and fit["rmsea"] <= RMSEA_MAX and fit["srmr"] <= SRMR_MAX
        ),
    }
    return tidy(pd.DataFrame([row], columns=list(FIT_COLUMNS)), ("n",), "cfi")


def construct_validity(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Convergent and discriminant validity per construct from the measurement model.

    Returns
    -------
    pandas.DataFrame
        One row per construct: ``construct``, ``k``, ``n``, ``min_loading`` (smallest
        standardized loading), ``composite_reliability``, ``ave``, ``sqrt_ave``,
        ``max_correlation`` (largest absolute latent correlation with another construct),
        ``max_htmt``, ``convergent`` (AVE >= :data:`AVE_MIN` and CR >= :data:`CR_MIN`) and
        ``discriminant`` (sqrt(AVE) above every latent correlation, the Fornell-Larcker
        criterion, and every HTMT below :data:`HTMT_MAX`).
    """
    result = _validity(responses, study)
    if result is None:
        return tidy(pd.DataFrame(columns=list(VALIDITY_COLUMNS)), ("construct",), "ave")
    estimates = result.measurement.estimates
    loadings = estimates[estimates["op"] == "=~"].groupby("lhs")["std_all"].min()
    rows = []
    for row in result.constructs.itertuples(index=False):
        others = [c for c in result.constructs["construct"] if c != row.construct]
        correlation = result.fornell_larcker.loc[row.construct, others].abs().max()
        htmt = result.htmt.loc[row.construct, others].max()
        rows.append(
            {
                "construct": row.construct,
                "k": int(row.k),
                "n": int(row.n),
                "min_loading": float(loadings[row.construct]),
                "composite_reliability": row.composite_reliability,
                "ave": row.ave,
                "sqrt_ave": row.sqrt_ave,
                "max_correlation": float(correlation),
                "max_htmt": float(htmt),
                "convergent": bool(row.ave >= AVE_MIN and row.composite_reliability >= CR_MIN),
                "discriminant": bool(row.sqrt_ave > correlation and htmt < HTMT_MAX),
            }
        )
    return tidy(pd.DataFrame(rows, columns=list(VALIDITY_COLUMNS)), ("construct",), "ave")


def reliability_detail(responses: pd.DataFrame, study: Study, n_boot: int = 1000) -> pd.DataFrame:
    """Alpha and omega of every construct with intervals (omega's by bootstrap: slow).

    Returns
    -------
    pandas.DataFrame
        One row per construct with three or more items: ``construct``, ``alpha``,
        ``alpha_ci_low``, ``alpha_ci_high`` (Feldt), ``omega_total``, ``omega_ci_low``,
        ``omega_ci_high`` (percentile bootstrap, ``n_boot`` resamples, the study's seed),
        ``omega_hierarchical`` and ``n``.
    """
    level = 1 - study.study.alpha
    rows = []
    for construct, items in measured_constructs(study, min_items=3).items():
        alpha = stats.cronbach_alpha(responses, items, ci=level).iloc[0]
        omega = stats.omega(
            responses,
            items,
            hierarchical=len(items) >= 6,
            ci=level,
            n_boot=n_boot,
            seed=study.study.seed,
        ).iloc[0]
        rows.append(
            {
                "construct": construct,
                "alpha": alpha["alpha"],
                "alpha_ci_low": alpha["ci_low"],
                "alpha_ci_high": alpha["ci_high"],
                "omega_total": omega["omega_total"],
                "omega_ci_low": omega["ci_low"],
                "omega_ci_high": omega["ci_high"],
                "omega_hierarchical": omega["omega_hierarchical"],
                "n": int(omega["n"]),
            }
        )
    return pd.DataFrame(rows)


def exploratory(responses: pd.DataFrame, study: Study, n_factors: int | None = None):
    """An EFA of every item of the multi-item constructs (:func:`analysis.stats.efa`)."""
    items = [i for ids in measured_constructs(study).values() for i in ids]
    return stats.efa(responses, items, n_factors=n_factors, seed=study.study.seed)


def measurement_model(responses: pd.DataFrame, study: Study):
    """The declared measurement model's :class:`~analysis.stats.ValidityResult` (CFA inside)."""
    return _validity(responses, study)
