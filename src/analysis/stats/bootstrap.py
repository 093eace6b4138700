"""Nonparametric bootstrap of least-squares coefficients, every resample at once.

A resample of n rows drawn with replacement is described by how often it holds each row (its
counts), so its cross-product matrix ``V' diag(counts) V`` is one row of the matrix product
``counts @ (row-wise outer products of V)``; the coefficients of any regression among the
columns of ``V`` then come from the normal equations, solved for all resamples together
(:func:`numpy.linalg.solve` on a stack of small matrices). The jackknife behind the BCa
acceleration is the same with each row's own products taken out of the full-sample matrix.
The matrix products run on one BLAS thread: they are thin, and on a busy machine a second
thread mostly waits (the products took 15 times longer with two threads while other jobs ran).
We write this here because pingouin (like the PROCESS macro) refits the models in a loop over
resamples, and ``scipy.stats.bootstrap`` would have to materialize every resample of the rows
(n_boot x n) and every leave-one-out sample (n x (n - 1)); the tests use scipy's BCa interval
as the reference for ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from scipy.special import ndtr, ndtri
from threadpoolctl import threadpool_limits

#: A statistic of cross-product matrices: ``(r, q, q)`` -> ``(r, s)``.
Statistic = Callable[[np.ndarray], np.ndarray]

#: Resamples are drawn and reduced to cross-products in blocks of about this many counts, which
#: bounds memory whatever ``n_boot`` and ``n``; 250,000 keeps the counting fast (it stays in
#: the CPU cache).
BLOCK_COUNTS = 250_000

#: Interval methods of :func:`bootstrap_interval`.
INTERVAL_METHODS = ("bca", "bc", "percentile")


def resample_counts(n_rows: int, n_boot: int, seed: int | None) -> Iterator[np.ndarray]:
    """How often each row is drawn in each of ``n_boot`` resamples, block after block.

    The draws are those of one call ``numpy.random.default_rng(seed).integers(0, n_rows,
    (n_boot, n_rows))`` (the same as ``Generator.choice(n_rows, (n_boot, n_rows))``): row
    ``k`` of that matrix holds the row numbers drawn for resample ``k``. They are drawn in
    blocks of resamples, which continue one random stream and so give the same numbers.

    Parameters
    ----------
    n_rows : int
        Rows of the data.
    n_boot : int
        Resamples.
    seed : int or None
        Seed of :func:`numpy.random.default_rng`.

    Yields
    ------
    numpy.ndarray
        Counts, shape ``(resamples in the block, n_rows)``, each row summing to ``n_rows``.
    """
    rng = np.random.default_rng(seed)
    block = max(1, BLOCK_COUNTS // n_rows)
    for start in range(0, n_boot, block):
        rows = min(block, n_boot - start)
        drawn = rng.integers(0, n_rows, size=(rows, n_rows))
        cells = drawn + np.arange(rows)[:, None] * n_rows
        yield np.bincount(cells.ravel(), minlength=rows * n_rows).reshape(rows, n_rows)


def row_products(values: np.ndarray) -> np.ndarray:
    """Each row's outer product with itself, flattened: shape ``(n, q * q)``."""
    n, q = values.shape
    return (values[:, :, None] * values[:, None, :]).reshape(n, q * q)


def bootstrap_statistics(
    values: np.ndarray, statistic: Statistic, n_boot: int, seed: int | None
) -> np.ndarray:
    """A statistic of every resample of the rows of ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        ``V``, shape ``(n, q)``: the model's columns, column 0 the intercept (ones).
    statistic : callable
        Takes cross-product matrices ``V' diag(counts) V`` of shape ``(r, q, q)`` and returns
        an array ``(r, s)`` (e.g. from :func:`ols_from_cross_products`).
    n_boot, seed
        As in :func:`resample_counts`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_boot, s)``, resamples in the order of :func:`resample_counts`.
    """
    n, q = values.shape
    products = row_products(values)
    with threadpool_limits(1, user_api="blas"):
        return np.vstack(
            [
                statistic((counts.astype(np.float64) @ products).reshape(-1, q, q))
                for counts in resample_counts(n, n_boot, seed)
            ]
        )


def jackknife_statistics(values: np.ndarray, statistic: Statistic) -> np.ndarray:
    """A statistic without row ``i``, for every row ``i`` in order (``V' V`` minus its products).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, s)``.
    """
    n, q = values.shape
    products = row_products(values)
    full = products.sum(axis=0)
    block = max(1, BLOCK_COUNTS // (q * q))
    return np.vstack(
        [
            statistic((full - products[start : start + block]).reshape(-1, q, q))
            for start in range(0, n, block)
        ]
    )


def ols_from_cross_products(
    cross: np.ndarray, predictors: Sequence[int], outcomes: Sequence[int]
) -> np.ndarray:
    """OLS coefficients of the ``outcomes`` columns on the ``predictors`` columns, batched.

    Parameters
    ----------
    cross : numpy.ndarray
        Cross-product matrices ``V' W V``, shape ``(r, q, q)``.
    predictors, outcomes : sequence of int
        Column positions in ``V`` (include the intercept column among the predictors).

    Returns
    -------
    numpy.ndarray
        Shape ``(r, len(predictors), len(outcomes))``. When a resample leaves a predictor
        without variation (a dummy whose rows were not drawn), that block is solved with the
        pseudo-inverse: the other coefficients are still the least-squares ones.
    """
    predictors, outcomes = list(predictors), list(outcomes)
    gram = cross[:, predictors][:, :, predictors]
    moments = cross[:, predictors][:, :, outcomes]
    try:
        return np.linalg.solve(gram, moments)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(gram) @ moments


def sd_from_cross_products(cross: np.ndarray, column: int) -> np.ndarray:
    """Sample standard deviation (n - 1) of one column of ``V``, per cross-product matrix.

    Column 0 of ``V`` must be the intercept (ones), so ``cross[:, 0, 0]`` is the number of rows.
    """
    count = cross[:, 0, 0]
    total = cross[:, 0, column]
    return np.sqrt((cross[:, column, column] - total**2 / count) / (count - 1))


def jackknife_acceleration(jackknife: np.ndarray) -> np.ndarray:
    """BCa acceleration from leave-one-out estimates (Efron & Tibshirani 1993, eq. 14.15).

    Parameters
    ----------
    jackknife : numpy.ndarray
        Shape ``(n, s)``: statistic ``j`` without row ``i``.

    Returns
    -------
    numpy.ndarray
        ``a`` per statistic: ``sum(d^3) / (6 sum(d^2)^1.5)``, ``d`` = jackknife mean - estimate.
    """
    d = jackknife.mean(axis=0) - jackknife
    return (d**3).sum(axis=0) / (6 * ((d**2).sum(axis=0)) ** 1.5)


def bootstrap_interval(
    distribution: np.ndarray,
    estimate: np.ndarray,
    level: float,
    method: str,
    acceleration: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided bootstrap confidence interval of each statistic.

    Parameters
    ----------
    distribution : numpy.ndarray
        Shape ``(n_boot, s)``: each resample's statistics.
    estimate : numpy.ndarray
        Shape ``(s,)``: the full-sample statistics.
    level : float
        Confidence level.
    method : str
        ``"percentile"``; ``"bc"`` (bias-corrected, what pingouin reports); ``"bca"``
        (bias-corrected and accelerated, Efron 1987; needs ``acceleration``). The bias
        correction is ``z0 = Phi^-1(share of resamples below the estimate, ties counting
        half)`` and quantiles are interpolated linearly, as in ``scipy.stats.bootstrap``.
    acceleration : numpy.ndarray, optional
        Shape ``(s,)``, from :func:`jackknife_acceleration`.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds, shape ``(s,)`` each.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American Statistical
    Association, 82(397), 171-185.
    """
    if method not in INTERVAL_METHODS:
        raise ValueError(f"unknown interval method {method!r}; use one of {INTERVAL_METHODS}")
    tail = (1 - level) / 2
    if method == "percentile":
        bounds = np.quantile(distribution, [tail, 1 - tail], axis=0)
        return bounds[0], bounds[1]
    if method == "bca" and acceleration is None:
        raise ValueError('method="bca" needs the jackknife acceleration')
    below = (distribution < estimate).sum(axis=0) + (distribution <= estimate).sum(axis=0)
    z0 = ndtri(below / (2 * len(distribution)))
    a = acceleration if method == "bca" else np.zeros_like(z0)
    low, high = [], []
    for column, (bias, accel) in enumerate(zip(z0, a, strict=True)):
        shares = []
        for z in (ndtri(tail), -ndtri(tail)):
            shares.append(ndtr(bias + (bias + z) / (1 - accel * (bias + z))))
        if np.isfinite(shares).all():
            bound = np.quantile(distribution[:, column], shares)
        else:  # every resample on one side of the estimate: no interval
            bound = (np.nan, np.nan)
        low.append(bound[0])
        high.append(bound[1])
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)
