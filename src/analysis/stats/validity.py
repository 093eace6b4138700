"""Convergent and discriminant validity of multi-item constructs: AVE, CR, Fornell-Larcker, HTMT.

:func:`validity` fits one CFA in which every construct is a factor measured by its own items
(factors correlated, first loading fixed, as ``lavaan::cfa``) with :func:`analysis.stats.sem.cfa`
and computes from its completely standardized loadings the average variance extracted (AVE)
and the composite reliability (CR) of Fornell & Larcker (1981), compares sqrt(AVE) with the
latent correlations (the Fornell-Larcker criterion), and computes the heterotrait-monotrait
ratio (HTMT) of Henseler, Ringle & Sarstedt (2015) from the item correlations. These few
formulas are written here because no Python package offers them on a lavaan-equivalent CFA
(semTools and cSEM are R). All use the complete cases of all items, reverse-keyed items
mirrored first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import InputError, did_you_mean
from analysis.stats.reliability import complete_items
from analysis.stats.sem import SEMResult, cfa

#: Columns of :attr:`ValidityResult.constructs`, in order.
CONSTRUCT_COLUMNS = (
    "construct",
    "k",
    "n",
    "ave",
    "sqrt_ave",
    "composite_reliability",
    "max_shared_variance",
)
#: Columns of :meth:`ValidityResult.tidy`, in order.
TIDY_COLUMNS = ("construct", "other", "measure", "value")


@dataclass
class ValidityResult:
    """Validity of a set of constructs measured by multi-item scales.

    Attributes
    ----------
    constructs : DataFrame
        One row per construct: ``construct, k, n, ave, sqrt_ave, composite_reliability,
        max_shared_variance`` (see :func:`validity`).
    fornell_larcker : DataFrame
        Construct x construct: sqrt(AVE) on the diagonal, latent correlations off it.
    htmt : DataFrame
        Construct x construct heterotrait-monotrait ratios (1 on the diagonal).
    measurement : SEMResult
        The CFA the loadings and latent correlations come from (its ``fit`` table reports
        how well the measurement model fits), with the construct and item names as given.
    """

    constructs: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    measurement: SEMResult = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """Every value in long form, for the report.

        Returns
        -------
        pandas.DataFrame
            construct : str
            other : str
                The second construct of a pair (missing for a one-construct measure).
            measure : str
                ``ave``, ``sqrt_ave``, ``composite_reliability`` or ``max_shared_variance``
                per construct; ``latent_correlation`` or ``htmt`` per pair of constructs (each
                pair once, in the order the constructs were given).
            value : float
        """
        records = []
        for row in self.constructs.itertuples(index=False):
            for measure in ("ave", "sqrt_ave", "composite_reliability", "max_shared_variance"):
                records.append((row.construct, None, measure, float(getattr(row, measure))))
        names = list(self.constructs["construct"])
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                records.append((a, b, "latent_correlation", float(self.fornell_larcker.loc[a, b])))
                records.append((a, b, "htmt", float(self.htmt.loc[a, b])))
        return pd.DataFrame.from_records(records, columns=list(TIDY_COLUMNS))


def validity(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[str]],
    *,
    reverse: Sequence[str] | None = None,
) -> ValidityResult:
    """AVE, composite reliability, Fornell-Larcker criterion and HTMT of multi-item constructs.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    constructs : mapping of str to sequence of str
        Construct name -> its item columns (at least two items each, three if there is only
        one construct; an item belongs to one construct).
    reverse : sequence of str, optional
        Reverse-keyed items, mirrored as ``low + high - x`` (low and high the smallest and
        largest answer among all items) before anything is computed.

    Returns
    -------
    ValidityResult
        ``constructs`` has one row per construct:

        construct : str
        k : int
            Items.
        n : int
            Complete cases of all items (the CFA's N).
        ave : float
            Average variance extracted: mean of the squared standardized loadings.
        sqrt_ave : float
        composite_reliability : float
            ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))``, l the standardized loadings.
        max_shared_variance : float
            Largest squared latent correlation with another construct (NaN with one
            construct); below ``ave`` is the Fornell-Larcker criterion.

        ``fornell_larcker`` and ``htmt`` are square tables with the constructs as index and
        columns. HTMT is the mean correlation between the items of two constructs divided by
        the geometric mean of their mean within-construct item correlations (Henseler et
        al., 2015, eq. 6), from Pearson correlations as they are (semTools and cSEM take
        absolute values; the two agree when every item correlation is positive). It is NaN
        when a construct's mean within-construct correlation is not positive (check the
        reverse-keyed items).

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39-50.
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135.
    """
    names = list(constructs)
    items = _check_constructs(data, constructs)
    frame = complete_items(data, items, list(reverse or ()))
    # Internal names keep the model syntax valid whatever the construct and column names are.
    factor = {name: f"f{i}" for i, name in enumerate(names)}
    column = {item: f"v{i}" for i, item in enumerate(items)}
    model = "\n".join(
        f"{factor[name]} =~ " + " + ".join(column[item] for item in constructs[name])
        for name in names
    )
    measurement = cfa(frame.rename(columns=column), model)
    estimates = measurement.estimates.set_index(["lhs", "op", "rhs"])["std_all"]

    loadings = {
        name: np.array([estimates[(factor[name], "=~", column[item])] for item in constructs[name]])
        for name in names
    }
    correlation = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            key = (factor[a], "~~", factor[b])
            correlation.loc[a, b] = correlation.loc[b, a] = estimates[key]

    rows = []
    for name in names:
        load = loadings[name]
        ave = float(np.mean(load**2))
        squared_sum = float(load.sum() ** 2)
        others = correlation.loc[name].drop(name)
        rows.append(
            {
                "construct": name,
                "k": len(load),
                "n": len(frame),
                "ave": ave,
                "sqrt_ave": float(np.sqrt(ave)),
                "composite_reliability": squared_sum / (squared_sum + float(np.sum(1 - load**2))),
                "max_shared_variance": float((others**2).max()) if len(others) else np.nan,
            }
        )
    table = pd.DataFrame(rows, columns=list(CONSTRUCT_COLUMNS))
    fornell_larcker = correlation.copy()
    for name, root in zip(names, table["sqrt_ave"], strict=True):
        fornell_larcker.loc[name, name] = root
    # The estimates name the constructs and items again, as the caller wrote them.
    original = {v: k for k, v in (factor | column).items()}
    measurement.estimates[["lhs", "rhs"]] = measurement.estimates[["lhs", "rhs"]].replace(original)
    return ValidityResult(
        constructs=table,
        fornell_larcker=fornell_larcker,
        htmt=_htmt(frame, constructs),
        measurement=measurement,
    )


def _check_constructs(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]]) -> list[str]:
    """All items in order, after checking names, sizes and overlaps."""
    if not constructs:
        raise InputError("validity needs at least one construct with its items")
    owner: dict[str, str] = {}
    for name, items in constructs.items():
        if isinstance(items, str):
            raise InputError(f'the items of construct "{name}" must be a list of columns')
        needed = 3 if len(constructs) == 1 else 2
        if len(items) < needed:
            alone = " when it is the only construct" if needed == 3 else ""
            raise InputError(
                f'construct "{name}" has {len(items)} item(s); a factor needs at least '
                f"{needed}{alone}"
            )
        for item in items:
            if item not in data.columns:
                raise InputError(
                    f'item "{item}" of construct "{name}" is not a column of the data',
                    column=item,
                    hint=did_you_mean(item, data.columns),
                )
            if item in owner:
                raise InputError(
                    f'item "{item}" is in both "{owner[item]}" and "{name}"; an item measures '
                    "one construct",
                    column=item,
                )
            owner[item] = name
    return list(owner)


def _htmt(frame: pd.DataFrame, constructs: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Henseler et al. (2015) HTMT from the item correlations of the complete cases."""
    r = frame.corr()
    names = list(constructs)

    def mean_within(items: Sequence[str]) -> float:
        block = r.loc[list(items), list(items)].to_numpy()
        return float(block[np.triu_indices(len(items), 1)].mean())

    within = {name: mean_within(constructs[name]) for name in names}
    table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            between = float(r.loc[list(constructs[a]), list(constructs[b])].to_numpy().mean())
            positive = within[a] > 0 and within[b] > 0
            ratio = between / np.sqrt(within[a] * within[b]) if positive else np.nan
            table.loc[a, b] = table.loc[b, a] = ratio
    return table
