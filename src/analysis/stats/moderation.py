"""Moderation as PROCESS model 1: ``y ~ x + w + x:w``, probed by simple slopes and Johnson-Neyman.

The model is fitted by :func:`analysis.stats.linear_models.regression` (classical standard
errors by default, as PROCESS prints them, or HC0-HC3). Probing follows from its coefficients
and their covariance: the slope of ``x`` at a value ``w`` of the moderator is
``b_x + b_xw (w - center)`` with variance ``V_xx + 2 (w - center) V_x,xw + (w - center)^2
V_xw,xw``, and the Johnson-Neyman boundaries are the moderator values where that slope's t
equals the critical t, the roots of a quadratic (Bauer & Curran 2005). We write the probing
here because statsmodels has no simple-slope or Johnson-Neyman helper; the tests check it
against R ``interactions`` and statsmodels' t tests of the same linear combinations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.linear_models import RegressionResult, design_matrix, regression
from analysis.stats.model_data import path_model_frame, require_rows

#: Kinds of standard error :func:`moderation` accepts (None: classical).
MODERATION_ROBUST = (None, "HC0", "HC1", "HC2", "HC3")
#: Columns of :meth:`ModerationResult.tidy`, in order.
MODERATION_TIDY_COLUMNS = (
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
)
#: Columns of :attr:`ModerationResult.simple_slopes`, in order.
SIMPLE_SLOPE_COLUMNS = ("w_value", "label", *MODERATION_TIDY_COLUMNS[1:])
#: Columns of :attr:`ModerationResult.johnson_neyman`, in order.
JOHNSON_NEYMAN_COLUMNS = ("boundary", "w_value", "within_observed_range", "significant_where")
#: Columns of :attr:`ModerationResult.r2_change`, in order.
R2_CHANGE_COLUMNS = ("r2", "r2_change", "statistic", "df_num", "df", "p_value")


@dataclass
class ModerationResult:
    """A fitted moderation model and its probes.

    Attributes
    ----------
    regression : RegressionResult
        The fit of ``y`` on ``x``, ``w``, ``x:w`` and the covariates (``.fit`` is the
        statsmodels result; ``.model_summary()``, ``.vif()`` ...).
    x, w, y : str
        Focal predictor, moderator and outcome columns.
    interaction : str
        Name of the product term, ``"<x>:<w>"``.
    w_center : float
        What was subtracted from ``w`` before forming the product (its mean when centered,
        else 0); ``w`` values in the probes are in the original units.
    w_range : tuple of float
        Smallest and largest observed ``w``.
    probes : list of (float, str)
        Moderator values and labels of :attr:`simple_slopes`.
    level : float
        Confidence level.
    """

    regression: RegressionResult
    x: str
    w: str
    y: str
    interaction: str
    w_center: float
    w_range: tuple[float, float]
    probes: list[tuple[float, str]] = field(repr=False)
    level: float = 0.95

    def tidy(self) -> pd.DataFrame:
        """One row per coefficient: ``Intercept``, ``x``, ``w``, ``x:w``, then covariates.

        Returns
        -------
        pandas.DataFrame
            term : str
            estimate : float
                Coefficient (of the centered ``x`` and ``w`` when ``center=True``).
            se : float
                Classical or HC standard error.
            ci_low, ci_high : float
                t interval at ``level``.
            statistic, df, p_value : float
                t, residual df, two-sided p.
        """
        return self.regression.tidy()[list(MODERATION_TIDY_COLUMNS)]

    @property
    def simple_slopes(self) -> pd.DataFrame:
        """The slope of ``x`` at chosen values of the moderator.

        Returns
        -------
        pandas.DataFrame
            w_value : float
                Moderator value (original units): mean - 1 SD, mean, mean + 1 SD by default.
            label : str
                ``"-1 SD"``, ``"mean"``, ``"+1 SD"``, or the value as given.
            estimate, se, ci_low, ci_high, statistic, df, p_value : float
                The conditional slope, its standard error (of the model's kind), t interval,
                t, residual df and two-sided p.
        """
        rows = []
        for value, label in self.probes:
            estimate, se = self._slope(np.array([value]))
            t = estimate[0] / se[0]
            half = self._critical_t() * se[0]
            rows.append(
                {
                    "w_value": float(value),
                    "label": label,
                    "estimate": float(estimate[0]),
                    "se": float(se[0]),
                    "ci_low": float(estimate[0] - half),
                    "ci_high": float(estimate[0] + half),
                    "statistic": float(t),
                    "df": self._df(),
                    "p_value": float(2 * stats.t.sf(abs(t), self._df())),
                }
            )
        return pd.DataFrame(rows, columns=list(SIMPLE_SLOPE_COLUMNS))

    @property
    def johnson_neyman(self) -> pd.DataFrame:
        """Moderator values where the slope of ``x`` crosses significance at ``1 - level``.

        Returns
        -------
        pandas.DataFrame
            One row per boundary (``"lower"``, ``"upper"``), or a single row ``"none"`` when
            the slope is significant nowhere:

            boundary : str
            w_value : float
                The boundary in original units (NaN for ``"none"``); boundaries outside the
                observed range are reported too.
            within_observed_range : bool
                Whether the boundary lies between the smallest and largest observed ``w``.
            significant_where : str
                Where the slope is significant: ``"outside"`` the two boundaries (when the
                interaction is significant), ``"inside"`` them, or ``"nowhere"`` (same on
                every row).
        """
        b_x, b_xw, v_xx, v_xxw, v_xwxw = self._slope_terms()
        t2 = self._critical_t() ** 2
        # (b_x + b_xw u)^2 - t^2 (v_xx + 2 u v_xxw + u^2 v_xwxw) = 0, u = w - w_center
        quadratic = b_xw**2 - t2 * v_xwxw
        linear = 2 * (b_x * b_xw - t2 * v_xxw)
        constant = b_x**2 - t2 * v_xx
        discriminant = linear**2 - 4 * quadratic * constant
        if discriminant <= 0:
            # Only when quadratic < 0 (with quadratic > 0 the parabola is negative where the
            # slope is zero and positive far out, so it has two roots): never significant.
            row = {"boundary": "none", "w_value": np.nan, "within_observed_range": False}
            return pd.DataFrame(
                [row | {"significant_where": "nowhere"}], columns=list(JOHNSON_NEYMAN_COLUMNS)
            )
        roots = np.sort((-linear + np.array([-1, 1]) * np.sqrt(discriminant)) / (2 * quadratic))
        low, high = self.w_range
        rows = [
            {
                "boundary": boundary,
                "w_value": float(root + self.w_center),
                "within_observed_range": bool(low <= root + self.w_center <= high),
                "significant_where": "outside" if quadratic > 0 else "inside",
            }
            for boundary, root in zip(("lower", "upper"), roots, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(JOHNSON_NEYMAN_COLUMNS))

    @property
    def r2_change(self) -> pd.DataFrame:
        """The R-squared increase due to the interaction and its test.

        Returns
        -------
        pandas.DataFrame
            One row:

            r2 : float
                R-squared of the model with the interaction.
            r2_change : float
                Its increase over the model without it.
            statistic, df_num, df, p_value : float
                F test of the interaction (1 and residual df). With classical SEs this is
                the nested-model F of the R-squared change; with HC SEs it is the robust
                Wald F, as PROCESS reports it.
        """
        test = self.regression.variable_tests().set_index("variable").loc[self.interaction]
        r2 = float(self.regression.fit.rsquared)
        row = {
            "r2": r2,
            "r2_change": float(test["effect_size"] * (1 - r2)),
            **{key: float(test[key]) for key in ("statistic", "df_num", "df", "p_value")},
        }
        return pd.DataFrame([row], columns=list(R2_CHANGE_COLUMNS))

    def _slope_terms(self) -> tuple[float, float, float, float, float]:
        """``b_x``, ``b_xw`` and their (co)variances from the model's covariance matrix."""
        fit = self.regression.fit
        cov = fit.cov_params()
        x, xw = self.x, self.interaction
        return (
            float(fit.params[x]),
            float(fit.params[xw]),
            float(cov.loc[x, x]),
            float(cov.loc[x, xw]),
            float(cov.loc[xw, xw]),
        )

    def _slope(self, w_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slope of ``x`` and its standard error at moderator values (original units)."""
        b_x, b_xw, v_xx, v_xxw, v_xwxw = self._slope_terms()
        u = w_values - self.w_center
        return b_x + b_xw * u, np.sqrt(v_xx + 2 * u * v_xxw + u**2 * v_xwxw)

    def _df(self) -> float:
        return float(self.regression.fit.df_resid)

    def _critical_t(self) -> float:
        return float(stats.t.isf((1 - self.level) / 2, self._df()))


def moderation(
    data: pd.DataFrame,
    x: str,
    w: str,
    y: str,
    covariates: Sequence[str] = (),
    center: bool = True,
    values: Sequence[float] | None = None,
    level: float = 0.95,
    robust: str | None = None,
) -> ModerationResult:
    """Fit ``y`` on ``x``, the moderator ``w`` and their product, and probe the interaction.

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows missing any used column are left out (listwise).
    x : str
        Numeric focal predictor column.
    w : str
        Numeric moderator column.
    y : str
        Numeric outcome column.
    covariates : sequence of str
        Controls (numbers, or categories dummy-coded against their first level); not
        centered.
    center : bool
        Mean-center ``x`` and ``w`` before forming the product (PROCESS ``center=1``). It
        changes the coefficients of ``x`` and ``w`` (slopes at the other's mean), not the
        interaction, the fit or the probes.
    values : sequence of float, optional
        Moderator values (original units) for :attr:`ModerationResult.simple_slopes`;
        default mean - 1 SD, mean, mean + 1 SD of ``w`` in the complete rows.
    level : float
        Confidence level; the Johnson-Neyman boundaries use ``1 - level`` as alpha.
    robust : str or None
        ``None`` (classical SEs) or ``"HC0"`` ... ``"HC3"``.

    Returns
    -------
    ModerationResult
        ``.tidy()``, ``.simple_slopes``, ``.johnson_neyman``, ``.r2_change``, ``.regression``.

    Raises
    ------
    ValueError
        For a missing, non-numeric or constant column, a column given two roles, too few
        complete rows, or an unknown ``robust``.

    References
    ----------
    Hayes, A. F. (2022). Introduction to mediation, moderation, and conditional process
    analysis (3rd ed.). Guilford. (PROCESS model 1.)
    Bauer, D. J., & Curran, P. J. (2005). Probing interactions in fixed and multilevel
    regression: Inferential and graphical techniques. Multivariate Behavioral Research,
    40(3), 373-400.
    """
    if robust not in MODERATION_ROBUST:
        raise ValueError(f"unknown robust {robust!r}; use one of {MODERATION_ROBUST}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    controls = list(covariates)
    frame = path_model_frame(data, {"x": [x], "w": [w], "y": [y]}, controls)
    require_rows(len(frame), 3 + design_matrix(frame, controls)[0].shape[1], "the moderation model")
    interaction = f"{x}:{w}"
    if interaction in frame.columns:
        raise ValueError(f"the product term needs the name {interaction!r}, already a column")
    x_center = frame[x].mean() if center else 0.0
    w_center = frame[w].mean() if center else 0.0
    model_frame = frame.assign(**{x: frame[x] - x_center, w: frame[w] - w_center})
    model_frame[interaction] = model_frame[x] * model_frame[w]
    fit = regression(model_frame, y, [x, w, interaction], controls, robust=robust, alpha=1 - level)
    mean, sd = float(frame[w].mean()), float(frame[w].std())
    if values is None:
        probes = [(mean - sd, "-1 SD"), (mean, "mean"), (mean + sd, "+1 SD")]
    else:
        probes = [(float(value), f"{value:g}") for value in values]
    return ModerationResult(
        regression=fit,
        x=x,
        w=w,
        y=y,
        interaction=interaction,
        w_center=float(w_center),
        w_range=(float(frame[w].min()), float(frame[w].max())),
        probes=probes,
        level=level,
    )
