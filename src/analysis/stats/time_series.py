"""Interrupted time series: segmented regression around an intervention date, AR(1) errors.

:func:`interrupted_time_series` asks whether a series (posts per week, mean interactions per
post ...) changed level or trend when a programme started (e.g. an integrity-zone, ZI-WBK,
launch), in the segmented-regression form of Wagner et al. (2002, *J Clin Pharm Ther* 27:
299-309) and Bernal, Cummins & Gasparrini (2017, *Int J Epidemiol* 46(1): 348-355)::

    y_t = b0 + b1 time_t + b2 level_change_t + b3 slope_change_t + e_t

The regular series
    Rows (posts) are placed in calendar periods of ``freq`` (``"D"`` days, ``"W"`` weeks from
    Monday to Sunday, ``"M"`` months) of their *local* time in ``timezone``: a post at 23:30
    UTC on Sunday is a Monday post in Jakarta (UTC+7). The observation window runs from
    ``start`` to ``end`` (local days; default the first and the last row's day). With
    ``y=None`` the series is the number of rows per period (a period without rows is 0);
    with a column ``y`` it is the mean of ``y`` per period (``aggregate="sum"``: the sum),
    and a period without a known value is left out of the fit (``time`` keeps counting, so
    the trend is still per period). A count or a sum over a period the window covers only
    in part would look like a drop, so counts and sums use only the periods wholly inside the
    window (a series of posts from Thursday 1 January to Thursday 31 December starts with
    the week of Monday 5 January and ends with the week of 21-27 December); means use every
    period the window touches.

Terms
    ``time`` = 0, 1, 2, ... from the first period; ``level_change`` = 1 from the period that
    contains the intervention date on, else 0; ``slope_change`` = periods since that first
    post-intervention period (0 in it, then 1, 2, ...; 0 before). So ``Intercept`` is the
    fitted level of the first period, ``time`` the pre-intervention trend per period,
    ``level_change`` the jump at the first post-intervention period (fitted minus
    counterfactual there) and ``slope_change`` the change in trend per period. Some texts
    count ``slope_change`` from 1 in the first post-intervention period; their level change is
    ``level_change - slope_change`` here.

Inference (``errors``)
    ``"ar1"`` (default): GLS with AR(1) errors, ``corr(e_s, e_t) = rho^|s - t|`` (Prais-Winsten
    when no period is missing), as Wagner et al. and Bernal et al. recommend and as R's
    ``nlme::gls(correlation = corAR1())``. rho comes from statsmodels' ``SARIMAX(order=(1, 0,
    0), mle_regression=False)``, whose diffuse state-space likelihood profiles the
    coefficients out, and the GLS is statsmodels' ``GLS`` at that rho (residual variance with
    T - 4 df). ``"hac"``: OLS with Newey-West standard errors (Bartlett kernel, statsmodels
    ``cov_type="HAC"`` without small-sample scaling, as R's ``sandwich::NeweyWest(adjust =
    FALSE, prewhite = FALSE)``; ``floor(4 (T / 100)^(2/9))`` lags unless ``hac_lags`` is given,
    Newey & West 1994; lags count rows of the fit). ``"ols"``: classical OLS standard errors,
    right only for independent errors. Intervals and p-values use t with T - 4 degrees of
    freedom (T = periods in the fit). R-squared and the Durbin-Watson statistic are those of
    OLS whatever ``errors`` (Durbin-Watson about 2: no autocorrelation; towards 0: positive).

    Why ar1 is the default (``bench/its_coverage.py``, 1000 seeded series per cell, no
    effect, intervention half-way, Monte Carlo SE of a rate near 5 % about 0.7 %): share of
    ``level_change`` p < 0.05 (1 - coverage of the 95 % interval), ar1 / hac / ols:

    ===========  ===================  ===================
    errors       T = 52 weeks         T = 104 weeks
    ===========  ===================  ===================
    independent  6.2 / 13.5 / 5.3 %   4.7 / 7.1 / 4.7 %
    AR(1) 0.4    8.8 / 19.4 / 18.8 %  6.1 / 15.0 / 19.9 %
    Poisson 3/w  6.1 / 13.7 / 5.2 %   4.5 / 8.8 / 4.9 %
    ===========  ===================  ===================

    The joint test of both changes rejected in 6.7 / 18.3 / 5.3 % (52 independent), 8.9 /
    33.4 / 27.2 % (52 AR(1)) and 6.5 / 21.6 / 4.9 % (52 Poisson) of the series. Newey-West
    is 2-4 times too liberal at these lengths (the step and trend regressors are persistent,
    and the kernel estimate of their long-run variance is biased down), and OLS ignores
    autocorrelation. ar1 is closest to 5 % in every cell, and where OLS is exact (independent
    errors) it loses no power: a level change of one error SD was found in 39.7 % (ar1) vs
    40.3 % (OLS) of 300 series of 52 weeks and 74.0 vs 73.3 % of 104 weeks. It is still
    somewhat liberal with short autocorrelated series (8.8 % at 52 weeks, rho 0.4): rho is
    estimated with a bias towards 0 and its uncertainty is not in the standard errors, so read
    p-values near 0.05 from a one-year series with care. Full maximum likelihood
    (``SARIMAX`` with the coefficients as parameters) and ``GLSAR``'s Cochrane-Orcutt
    iterations were worse in a pilot (400 series: 8.8 % and 10.2 % at 52 weeks, rho 0.4).

The counterfactual is the pre-intervention line continued: ``b0 + b1 time``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as distributions
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tsa.statespace.sarimax import SARIMAX

from analysis.errors import InputError, did_you_mean

FREQUENCIES = {"D": "day", "W": "week (Monday to Sunday)", "M": "month"}
AGGREGATES = ("mean", "sum")
#: Error models of :func:`interrupted_time_series` (see the module docstring).
ERRORS = {
    "ar1": "GLS with AR(1) errors",
    "hac": "OLS with Newey-West standard errors",
    "ols": "OLS with classical standard errors",
}
TERMS = ("Intercept", "time", "level_change", "slope_change")
#: Fewest periods the fit needs on each side of the intervention.
MIN_PERIODS_EACH_SIDE = 3

#: Columns of :meth:`ITSResult.tidy`, in order.
TIDY_COLUMNS = (
    "term",
    "focal",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
)
#: Columns of :attr:`ITSResult.series`, in order.
SERIES_COLUMNS = (
    "period",
    "period_start",
    "time",
    "post",
    "n_rows",
    "observed",
    "fitted",
    "counterfactual",
)
#: Columns of :meth:`ITSResult.model_summary`, in order.
SUMMARY_COLUMNS = (
    "n_periods",
    "n_pre",
    "n_post",
    "freq",
    "intervention_period",
    "hac_lags",
    "r2",
    "durbin_watson",
    "effect_last_period",
    "effect_ci_low",
    "effect_ci_high",
    "effect_p_value",
    "statistic",
    "df_num",
    "df",
    "p_value",
    "errors",
    "ar1_rho",
)


@dataclass
class ITSResult:
    """A segmented regression and the series it was fitted to.

    Attributes
    ----------
    fit : statsmodels results
        The fit behind the standard errors: for ``errors="ar1"`` the GLS at the estimated
        autocorrelation (``statsmodels`` ``GLS``), for ``"hac"`` OLS with the Newey-West
        covariance, for ``"ols"`` plain OLS (``fit.params``, ``fit.summary()`` ...).
    ols : statsmodels RegressionResults
        OLS of the same series, for the R-squared and the Durbin-Watson statistic.
    series : DataFrame
        One row per period, columns :data:`SERIES_COLUMNS`:

        period : str
            The local period (``2026-05-04/2026-05-10`` for a week, ``2026-05-04`` for a
            day, ``2026-05`` for a month).
        period_start : datetime64
            Its first local day (naive, for plotting).
        time : int
            0, 1, 2, ... from the first period.
        post : bool
            From the intervention period on.
        n_rows : int
            Rows (posts) in the period.
        observed : float
            The count, mean or sum of the period (NaN for a mean or sum without data).
        fitted : float
            The segmented regression line.
        counterfactual : float
            The pre-intervention line continued (equal to ``fitted`` before the intervention).
    freq : str
    intervention_period : str
    errors : str
        ``"ar1"``, ``"hac"`` or ``"ols"`` (:data:`ERRORS`).
    hac_lags : int
        Newey-West lags (0 unless ``errors="hac"``).
    ar1_rho : float
        Estimated lag-1 autocorrelation of the errors (NaN unless ``errors="ar1"``).
    alpha : float
        1 - confidence level.
    """

    fit: object = field(repr=False)
    ols: object = field(repr=False)
    series: pd.DataFrame = field(repr=False)
    freq: str
    intervention_period: str
    errors: str
    hac_lags: int
    ar1_rho: float
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """The four coefficients with the standard errors of the chosen ``errors``.

        Returns
        -------
        pandas.DataFrame
            term : str
                ``Intercept``, ``time``, ``level_change``, ``slope_change`` (see the module
                docstring for what each means).
            focal : bool
                True for ``level_change`` and ``slope_change``, the intervention's effects.
            estimate, se : float
                Coefficient (GLS for ``"ar1"``, else OLS) and its standard error (GLS,
                Newey-West or classical).
            ci_low, ci_high : float
                ``1 - alpha`` interval with t(``df``).
            statistic : float
                t = estimate / se.
            df : float
                Periods in the fit - 4.
            p_value : float
                Two-sided.
        """
        df = self._df()
        critical = float(distributions.t.ppf(1 - self.alpha / 2, df))
        table = pd.DataFrame(
            {
                "term": list(TERMS),
                "focal": [term in ("level_change", "slope_change") for term in TERMS],
                "estimate": self._params(),
                "se": np.sqrt(np.diag(self._cov())),
            }
        )
        table["ci_low"] = table["estimate"] - critical * table["se"]
        table["ci_high"] = table["estimate"] + critical * table["se"]
        table["statistic"] = table["estimate"] / table["se"]
        table["df"] = df
        table["p_value"] = 2 * distributions.t.sf(table["statistic"].abs(), df)
        return table[list(TIDY_COLUMNS)]

    def focal_test(self) -> pd.Series:
        """Joint Wald F test that the level and the slope did not change.

        ``F = b' (R V R')^-1 b / 2`` for the two focal coefficients ``b`` and their
        covariance ``R V R'`` (GLS, Newey-West or classical, as ``errors``).

        Returns
        -------
        pandas.Series
            ``statistic`` (F), ``statistic_name`` (``"F"``), ``df_num`` (2), ``df``
            (periods - 4), ``p_value``.
        """
        focal = [TERMS.index("level_change"), TERMS.index("slope_change")]
        estimates = self._params()[focal]
        cov = self._cov()[np.ix_(focal, focal)]
        statistic = float(estimates @ np.linalg.solve(cov, estimates)) / 2
        df = self._df()
        return pd.Series(
            {
                "statistic": statistic,
                "statistic_name": "F",
                "df_num": 2.0,
                "df": df,
                "p_value": float(distributions.f.sf(statistic, 2, df)),
            }
        )

    def model_summary(self) -> pd.DataFrame:
        """The fit in one row (:data:`SUMMARY_COLUMNS`).

        Returns
        -------
        pandas.DataFrame
            n_periods, n_pre, n_post : int
                Periods in the fit, before and from the intervention period.
            freq : str
            intervention_period : str
                The first post-intervention period.
            hac_lags : int
                Newey-West lags used (0 unless ``errors="hac"``).
            r2 : float
                OLS R-squared.
            durbin_watson : float
                Of the OLS residuals.
            effect_last_period : float
                Fitted minus counterfactual in the last period,
                ``level_change + slope_change x (post periods - 1)``.
            effect_ci_low, effect_ci_high, effect_p_value : float
                Its interval (t) and two-sided p-value.
            statistic, df_num, df, p_value : float
                The joint test of :meth:`focal_test`.
            errors : str
                The error model (:data:`ERRORS`).
            ar1_rho : float
                Estimated lag-1 autocorrelation of the errors (NaN unless ``errors="ar1"``).
        """
        fitted = self.series.dropna(subset=["observed"])
        last_post = float(self.series["time"].max() - self._first_post_time())
        weights = np.array([0.0, 0.0, 1.0, last_post])
        effect = float(weights @ self._params())
        se = float(np.sqrt(weights @ self._cov() @ weights))
        df = self._df()
        critical = float(distributions.t.ppf(1 - self.alpha / 2, df))
        test = self.focal_test()
        summary = {
            "n_periods": len(fitted),
            "n_pre": int((~fitted["post"]).sum()),
            "n_post": int(fitted["post"].sum()),
            "freq": self.freq,
            "intervention_period": self.intervention_period,
            "hac_lags": self.hac_lags,
            "r2": float(self.ols.rsquared),
            "durbin_watson": float(durbin_watson(self.ols.resid)),
            "effect_last_period": effect,
            "effect_ci_low": effect - critical * se,
            "effect_ci_high": effect + critical * se,
            "effect_p_value": float(2 * distributions.t.sf(abs(effect / se), df)),
            "statistic": test["statistic"],
            "df_num": test["df_num"],
            "df": test["df"],
            "p_value": test["p_value"],
            "errors": self.errors,
            "ar1_rho": self.ar1_rho,
        }
        return pd.DataFrame([summary], columns=list(SUMMARY_COLUMNS))

    def _params(self) -> np.ndarray:
        return np.asarray(self.fit.params, dtype="float64")

    def _cov(self) -> np.ndarray:
        return np.asarray(self.fit.cov_params(), dtype="float64")

    def _df(self) -> float:
        return float(self.ols.df_resid)

    def _first_post_time(self) -> int:
        return int(self.series.loc[self.series["post"], "time"].min())


def newey_west_lags(n_periods: int) -> int:
    """Newey & West's (1994) rule of thumb for the Bartlett-kernel lag: ``floor(4 (T/100)^(2/9))``.

    Examples
    --------
    >>> newey_west_lags(52), newey_west_lags(100), newey_west_lags(520)
    (3, 4, 5)
    """
    return int(np.floor(4 * (n_periods / 100) ** (2 / 9)))


def interrupted_time_series(
    data: pd.DataFrame,
    date: str,
    y: str | None,
    intervention,
    *,
    freq: str = "W",
    hac_lags: int | None = None,
    timezone: str = "Asia/Jakarta",
    alpha: float = 0.05,
    aggregate: str = "mean",
    start=None,
    end=None,
    errors: str = "ar1",
) -> ITSResult:
    """Segmented regression of a regular series around an intervention date.

    Parameters
    ----------
    data : DataFrame
        One row per event (e.g. per post) or per period.
    date : str
        Column of times: time-zone aware (e.g. the posts table's UTC ``published_at``), or
        naive, read as local times in ``timezone``.
    y : str or None
        Column averaged per period (or summed with ``aggregate="sum"``); None counts the
        rows per period (posts per week).
    intervention : str, date or Timestamp
        When the programme started; a naive value is a local time in ``timezone``. The period
        containing it is the first post-intervention period.
    freq : str
        ``"D"``, ``"W"`` (Monday to Sunday) or ``"M"``.
    hac_lags : int, optional
        Newey-West lags for ``errors="hac"``; default :func:`newey_west_lags` of the periods
        in the fit.
    timezone : str
        IANA zone whose calendar defines the periods.
    alpha : float
        1 - confidence level.
    aggregate : str
        ``"mean"`` or ``"sum"`` of ``y`` per period (ignored when ``y`` is None).
    start, end : date-like, optional
        First and last local day of the observation window (e.g. the date range of the
        export); rows outside it are left out. Default: the first and the last row's local
        day. Counts and sums use only the periods wholly inside the window.
    errors : str
        How the standard errors allow for autocorrelation (see the module docstring):
        ``"ar1"`` (default) GLS with AR(1) errors, ``"hac"`` OLS with Newey-West standard
        errors, ``"ols"`` OLS assuming independent errors.

    Returns
    -------
    ITSResult
        ``.tidy()``, ``.series`` (period, observed, fitted, counterfactual ...),
        ``.model_summary()``, ``.focal_test()``, ``.fit``.

    Raises
    ------
    InputError
        For a missing column (named), no usable row, a ``y`` that is not numeric, an unknown
        ``freq``, ``aggregate`` or ``errors``, ``hac_lags`` with other ``errors`` than
        ``"hac"``, an intervention outside the series, or fewer than
        :data:`MIN_PERIODS_EACH_SIDE` periods with data on either side of it.
    """
    if errors not in ERRORS:
        raise InputError(
            f"unknown errors {errors!r}; use one of {', '.join(map(repr, ERRORS))}",
            hint=did_you_mean(errors, ERRORS),
        )
    if hac_lags is not None and errors != "hac":
        raise InputError(f"hac_lags is for errors='hac' only (errors is {errors!r})")
    if freq not in FREQUENCIES:
        raise InputError(f"unknown freq {freq!r}; use one of {', '.join(FREQUENCIES)}")
    if aggregate not in AGGREGATES:
        raise InputError(f"unknown aggregate {aggregate!r}; use 'mean' or 'sum'")
    if hac_lags is not None and (not isinstance(hac_lags, int) or hac_lags < 0):
        raise InputError(f"hac_lags must be a whole number >= 0 (found {hac_lags!r})")
    series = regular_series(
        data, date, y, freq=freq, timezone=timezone, aggregate=aggregate, start=start, end=end
    )
    start = _local_period(intervention, timezone, freq)
    periods = pd.PeriodIndex(series["period_index"])
    if not periods[0] < start <= periods[-1]:
        raise InputError(
            f"the intervention ({start}) must fall after the first period ({periods[0]}) and "
            f"no later than the last ({periods[-1]}) of the series"
        )
    series["post"] = periods >= start
    first_post = int(series.loc[series["post"], "time"].min())
    series["level_change"] = series["post"].astype("float64")
    series["slope_change"] = np.where(series["post"], series["time"] - first_post, 0.0)
    used = series.dropna(subset=["observed"])
    for side, rows in (("before", ~used["post"]), ("from", used["post"])):
        if rows.sum() < MIN_PERIODS_EACH_SIDE:
            raise InputError(
                f"only {int(rows.sum())} periods with data {side} the intervention period "
                f"{start}; segmented regression needs at least {MIN_PERIODS_EACH_SIDE} on each "
                "side (Wagner et al. 2002 recommend 12)"
            )
    every = sm.add_constant(series[["time", "level_change", "slope_change"]].astype("float64"))
    every.columns = list(TERMS)
    observed = used["observed"].astype("float64")
    ols = sm.OLS(observed, every.loc[used.index]).fit()
    lags, rho = 0, np.nan
    if errors == "ols":
        fit = ols
    elif errors == "hac":
        lags = newey_west_lags(len(used)) if hac_lags is None else hac_lags
        fit = sm.OLS(observed, every.loc[used.index]).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True
        )
    else:
        rho = ar1_autocorrelation(series["observed"].astype("float64"), every)
        fit = ar1_gls(observed, every.loc[used.index], used["time"].to_numpy(), rho)
    params = np.asarray(fit.params, dtype="float64")
    series["fitted"] = every.to_numpy() @ params
    series["counterfactual"] = params[0] + params[1] * series["time"]
    return ITSResult(
        fit=fit,
        ols=ols,
        series=series[list(SERIES_COLUMNS)].reset_index(drop=True),
        freq=freq,
        intervention_period=str(start),
        errors=errors,
        hac_lags=lags,
        ar1_rho=rho,
        alpha=alpha,
    )


def ar1_autocorrelation(observed: pd.Series, design: pd.DataFrame) -> float:
    """Lag-1 autocorrelation of regression errors by the diffuse likelihood of statsmodels.

    ``SARIMAX(order=(1, 0, 0), mle_regression=False)`` puts the coefficients in the state
    vector with a diffuse start, so they are estimated by GLS inside the Kalman filter and
    only rho is maximised over; in our simulations (module docstring) this rho is less biased
    towards 0 than the full maximum likelihood one or the Yule-Walker rho of ``GLSAR``.
    Periods without data (NaN) are skipped by the filter, so the lag stays one period.

    Parameters
    ----------
    observed : Series
        One value per period (NaN when missing).
    design : DataFrame
        The regressors of every period.

    Returns
    -------
    float
        rho, in (-1, 1).
    """
    model = SARIMAX(
        observed.to_numpy(),
        exog=design.to_numpy(),
        order=(1, 0, 0),
        mle_regression=False,
        concentrate_scale=True,
    )
    with warnings.catch_warnings():
        # statsmodels' notices about its own starting values and optimizer; convergence is
        # checked below
        warnings.simplefilter("ignore")
        fit = model.fit(disp=False, cov_type="none")
        if not fit.mle_retvals.get("converged", True):
            # L-BFGS's line search can stop on the flat likelihood of short count series;
            # Powell's derivative-free search from its rho settles it
            fit = model.fit(fit.params, method="powell", disp=False, cov_type="none")
    if not fit.mle_retvals.get("converged", True):
        warnings.warn(
            "the AR(1) autocorrelation of the series did not converge; its standard errors "
            "are uncertain (compare errors='hac' and errors='ols')",
            stacklevel=3,
        )
    return float(fit.params[0])


def ar1_gls(observed: pd.Series, design: pd.DataFrame, time: np.ndarray, rho: float):
    """GLS with AR(1) errors of autocorrelation ``rho``: ``corr(e_s, e_t) = rho^|s - t|``.

    With every period present this is the Prais-Winsten regression (the first period kept,
    weighted by ``sqrt(1 - rho^2)``); a period left out for lack of data still counts in
    ``|s - t|``. The residual variance is estimated with ``T - 4`` degrees of freedom, as in
    R's ``nlme::gls``.

    Returns
    -------
    statsmodels RegressionResults
        ``statsmodels`` ``GLS`` fit.
    """
    sigma = rho ** np.abs(np.subtract.outer(time, time)).astype("float64")
    return sm.GLS(observed, design, sigma=sigma).fit()


def regular_series(
    data: pd.DataFrame,
    date: str,
    y: str | None,
    *,
    freq: str = "W",
    timezone: str = "Asia/Jakarta",
    aggregate: str = "mean",
    start=None,
    end=None,
) -> pd.DataFrame:
    """Rows placed in local calendar periods: one row per period of the observation window.

    Parameters
    ----------
    data, date, y, freq, timezone, aggregate, start, end
        As for :func:`interrupted_time_series`.

    Returns
    -------
    pandas.DataFrame
        period : str
        period_index : Period
        period_start : datetime64 (naive local)
        time : int
            0, 1, 2, ...
        n_rows : int
            Rows in the period.
        observed : float
            Rows per period (``y`` None), else the mean (or sum) of the known ``y`` values
            (NaN when the period has none).
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    for column in (date, y):
        if column is not None and column not in data.columns:
            raise InputError(
                "column is not in the data", column=column, hint=did_you_mean(column, data.columns)
            )
    times = data[date]
    if not pd.api.types.is_datetime64_any_dtype(times):
        raise InputError(f"expected date-times, found {times.dtype}", column=date)
    if y is not None and (
        not pd.api.types.is_numeric_dtype(data[y]) or pd.api.types.is_bool_dtype(data[y])
    ):
        raise InputError(f"expected numbers, found {data[y].dtype}", column=y)
    dated = times.notna().to_numpy()
    if not dated.any():
        raise InputError("no row has a time: the series is empty", column=date)
    local = _to_local(times[dated], timezone)
    first_day = _local_day(start, timezone) if start is not None else local.min().normalize()
    last_day = _local_day(end, timezone) if end is not None else local.max().normalize()
    inside = ((local >= first_day) & (local < last_day + pd.Timedelta(days=1))).to_numpy()
    if not inside.any():
        raise InputError(f"no row falls between {first_day.date()} and {last_day.date()}")
    period_of_row = local[inside].dt.to_period(freq)
    every = pd.period_range(first_day.to_period(freq), last_day.to_period(freq), freq=freq)
    if y is None or aggregate == "sum":
        # a count or a sum over part of a period is too small: keep whole periods only
        whole = (every.start_time >= first_day) & (every.end_time < last_day + pd.Timedelta(days=1))
        every = every[whole]
    if len(every) == 0:
        raise InputError(
            f"no whole {FREQUENCIES[freq]} lies between {first_day.date()} and "
            f"{last_day.date()}; give start and end or a shorter freq"
        )
    counts = period_of_row.value_counts().reindex(every, fill_value=0)
    if y is None:
        observed = counts.astype("float64")
    else:
        values = pd.Series(data[y][dated][inside].astype("float64").to_numpy())
        grouped = values.groupby(period_of_row.to_numpy())
        summary = grouped.mean() if aggregate == "mean" else grouped.sum(min_count=1)
        observed = summary.reindex(every)
    return pd.DataFrame(
        {
            "period": [str(p) for p in every],
            "period_index": every,
            "period_start": every.start_time,
            "time": np.arange(len(every)),
            "n_rows": counts.to_numpy().astype("int64"),
            "observed": observed.to_numpy(dtype="float64"),
        }
    )


def _to_local(times: pd.Series, timezone: str) -> pd.Series:
    """Naive local times: aware values converted to ``timezone``, naive ones kept."""
    if getattr(times.dt, "tz", None) is not None:
        return times.dt.tz_convert(timezone).dt.tz_localize(None)
    return times


def _local_day(value, timezone: str) -> pd.Timestamp:
    """The naive local midnight of a date-like ``value`` (naive values are local)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"{value!r} is not a date") from error
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp.normalize()


def _local_period(value, timezone: str, freq: str) -> pd.Period:
    """The local period containing ``value`` (naive values are local times)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"intervention {value!r} is not a date") from error
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp.to_period(freq)
