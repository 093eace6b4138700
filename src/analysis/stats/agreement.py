"""Agreement between coders: Cohen's kappa for two raters and Krippendorff's alpha for any number.

Krippendorff's alpha comes from the ``krippendorff`` package. Cohen's kappa is written here
because the tested libraries give the coefficient (scikit-learn) or its standard errors only
from a ready-made table (statsmodels), not both from two columns of codes with missing values;
the formulas are those of Fleiss, Cohen & Everitt (1969), which SAS ``PROC FREQ`` prints.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import InputError

KAPPA_WEIGHTS = (None, "linear", "quadratic")
LEVELS = ("nominal", "ordinal", "interval", "ratio")
#: Columns of :func:`cohen_kappa`, in order.
KAPPA_COLUMNS = (
    "kappa",
    "se",
    "ci_low",
    "ci_high",
    "z",
    "p_value",
    "n",
    "agreement",
    "weights",
)
#: Columns of :func:`krippendorff_alpha`, in order.
ALPHA_COLUMNS = ("alpha", "level", "n_units", "n_coders", "n_pairable")


def cohen_kappa(rater1, rater2, weights: str | None = None, *, ci: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa (weighted or not) of two raters' codes, with its standard error and test.

    Parameters
    ----------
    rater1, rater2 : array-like
        The two raters' codes of the same units, in the same order (lists, arrays or Series of
        equal length). A unit missing either code (NaN, None) is left out.
    weights : {None, "linear", "quadratic"}
        None: every disagreement counts fully (Cohen 1960). ``"linear"`` / ``"quadratic"``:
        partial credit ``1 - |i - j| / (k - 1)`` or ``1 - (i - j)^2 / (k - 1)^2`` by the
        distance between the positions i, j of the two codes among the k codes used (Cohen
        1968; quadratic weights give the intraclass-correlation-like kappa). Weighted kappa
        needs ordered codes: numbers, or an ordered pandas Categorical.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row:

        kappa : float
            ``(p_o - p_e) / (1 - p_e)`` with weighted observed and chance agreement.
        se : float
            Large-sample standard error (Fleiss, Cohen & Everitt 1969; SAS "ASE").
        ci_low, ci_high : float
            ``kappa -/+ z(1 - (1 - ci) / 2) x se``.
        z : float
            ``kappa / se0``, se0 the standard error under kappa = 0 (SAS "ASE under H0",
            R ``irr::kappa2``).
        p_value : float
            Two-sided, from z.
        n : int
            Units with both codes.
        agreement : float
            Share of units coded identically (exact agreement, unweighted).
        weights : str
            ``"none"``, ``"linear"`` or ``"quadratic"``.

        Every statistic but n and agreement is NaN when both raters use a single code.

    Raises
    ------
    ValueError
        For unknown weights.
    InputError
        For codes of different lengths, no unit with both codes, or unordered codes with
        weights.

    References
    ----------
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa
    and weighted kappa. Psychological Bulletin, 72(5), 323-327.
    """
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"unknown kappa weights {weights!r}; use one of {KAPPA_WEIGHTS}")
    first = pd.Series(rater1).reset_index(drop=True)
    second = pd.Series(rater2).reset_index(drop=True)
    if len(first) != len(second):
        raise InputError(f"the raters coded {len(first)} and {len(second)} units; need the same")
    both = first.notna() & second.notna()
    first, second = first[both], second[both]
    n = len(first)
    if n == 0:
        raise InputError("no unit has codes from both raters")
    codes = _ordered_codes(pd.Series(rater1), pd.Series(rater2), first, second, weights)
    position = {code: i for i, code in enumerate(codes)}
    k = len(codes)
    table = np.zeros((k, k))
    np.add.at(table, (first.map(position).to_numpy(), second.map(position).to_numpy()), 1)
    row = dict.fromkeys(KAPPA_COLUMNS, float("nan")) | {
        "n": n,
        "agreement": float(np.trace(table) / n),
        "weights": weights or "none",
    }
    if k > 1:
        row |= _fleiss_cohen_everitt(table / n, _agreement_weights(k, weights), n, ci)
    return pd.DataFrame([row], columns=list(KAPPA_COLUMNS))


def krippendorff_alpha(data, level: str = "nominal") -> pd.DataFrame:
    """Krippendorff's alpha of coders' codes of the same units, with missing codes allowed.

    Parameters
    ----------
    data : DataFrame or 2-D array-like
        Coders x units: one row per coder, one column per unit (transpose a units x coders
        sheet first). NaN or None marks a unit a coder did not code. Nominal codes may be
        strings; other levels need numbers.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which sets the difference function.

    Returns
    -------
    pandas.DataFrame
        One row:

        alpha : float
            ``1 - D_o / D_e`` (Krippendorff 2011), from the ``krippendorff`` package; NaN when
            every pairable code is the same value (no expected disagreement).
        level : str
        n_units : int
            Units coded by at least two coders (the pairable units alpha uses).
        n_coders : int
            Rows of ``data``.
        n_pairable : int
            Codes in pairable units (Krippendorff's n..).

    Raises
    ------
    ValueError
        For an unknown level.
    InputError
        For data that is not two-dimensional, fewer than two coders, no unit coded twice, or
        non-numeric codes at a level other than nominal.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. University of
    Pennsylvania, Annenberg School for Communication.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; use one of {LEVELS}")
    frame = pd.DataFrame(data)
    if frame.ndim != 2 or frame.shape[0] < 2:
        raise InputError(
            f"Krippendorff's alpha needs coders x units data with at least two coders (rows); "
            f"got shape {frame.shape}"
        )
    missing = frame.isna().to_numpy()
    coded = (~missing).sum(axis=0)
    pairable = coded >= 2
    if not pairable.any():
        raise InputError("no unit was coded by two or more coders; alpha needs pairable codes")
    values = _alpha_values(frame, missing, level)
    row = {
        "alpha": float("nan"),
        "level": level,
        "n_units": int(pairable.sum()),
        "n_coders": frame.shape[0],
        "n_pairable": int(coded[pairable].sum()),
    }
    if np.unique(values[~missing & pairable[np.newaxis, :]]).size > 1:
        row["alpha"] = float(krippendorff.alpha(values, level_of_measurement=level))
    return pd.DataFrame([row], columns=list(ALPHA_COLUMNS))


def _ordered_codes(raw1, raw2, first, second, weights) -> list:
    """The codes both raters used, in their order (numbers or ordered categories)."""
    used = pd.unique(pd.concat([first, second], ignore_index=True))
    for raw in (raw1, raw2):
        if isinstance(raw.dtype, pd.CategoricalDtype) and raw.cat.ordered:
            return [c for c in raw.cat.categories if c in set(used)]
    numeric = pd.to_numeric(pd.Series(used), errors="coerce")
    if numeric.notna().all():
        return sorted(used, key=float)
    if weights is not None:
        raise InputError(
            f"{weights} weighted kappa needs ordered codes (numbers or an ordered categorical); "
            f"got {sorted(map(str, used))}"
        )
    return sorted(used, key=str)


def _agreement_weights(k: int, weights: str | None) -> np.ndarray:
    distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    if weights is None:
        return np.eye(k)
    return 1 - (distance if weights == "linear" else distance**2)


def _fleiss_cohen_everitt(p: np.ndarray, w: np.ndarray, n: int, ci: float) -> dict:
    rows, columns = p.sum(axis=1), p.sum(axis=0)
    observed = float((w * p).sum())
    chance = float((w * np.outer(rows, columns)).sum())
    if chance >= 1:
        return {}
    kappa = (observed - chance) / (1 - chance)
    row_mean = w @ columns  # w-bar_i. = sum_j p_.j w_ij
    column_mean = rows @ w  # w-bar_.j = sum_i p_i. w_ij
    spread = np.add.outer(row_mean, column_mean)
    variance = (
        (p * (w - spread * (1 - kappa)) ** 2).sum() - (kappa - chance * (1 - kappa)) ** 2
    ) / (n * (1 - chance) ** 2)
    null_variance = ((np.outer(rows, columns) * (w - spread) ** 2).sum() - chance**2) / (
        n * (1 - chance) ** 2
    )
    se = float(np.sqrt(max(variance, 0.0)))
    z = kappa / np.sqrt(null_variance) if null_variance > 0 else float("nan")
    half = stats.norm.ppf(1 - (1 - ci) / 2) * se
    return {
        "kappa": float(kappa),
        "se": se,
        "ci_low": float(kappa - half),
        "ci_high": float(kappa + half),
        "z": float(z),
        "p_value": float(2 * stats.norm.sf(abs(z))),
    }


def _alpha_values(frame: pd.DataFrame, missing: np.ndarray, level: str) -> np.ndarray:
    """Codes as floats (NaN where missing); nominal strings become integer codes."""
    cells = frame.to_numpy(dtype=object)
    numeric = pd.to_numeric(pd.Series(cells[~missing]), errors="coerce")
    if numeric.notna().all():
        values = np.full(cells.shape, np.nan)
        values[~missing] = numeric.to_numpy(dtype="float64")
        return values
    if level != "nominal":
        bad = pd.Series(cells[~missing])[numeric.isna()].iloc[0]
        raise InputError(f'{level} alpha needs numeric codes; found "{bad}"')
    codes, _ = pd.factorize(pd.Series(cells[~missing]).astype(str))
    values = np.full(cells.shape, np.nan)
    values[~missing] = codes
    return values
