"""The public statistics library: a DataFrame and column names in, a tidy DataFrame out.

No study config and no report language here: labels and wording belong to
:mod:`analysis.reporting`. Every function is tested against an independent reference (R, a
published value or a second implementation); see ``docs/stats.md`` and the worked examples in
``docs/examples/``.

Descriptives
    :func:`describe`; :func:`group_means` (t or percentile bootstrap intervals);
    :func:`regression_band` (a line's confidence band, as report figures draw it)
Reliability and factor models
    :func:`cronbach_alpha`, :func:`item_analysis`, :func:`omega`, :func:`efa` ->
    :class:`EFAResult`; :func:`cfa`, :func:`sem` (lavaan syntax) -> :class:`SEMResult`;
    :func:`validity` (AVE, composite reliability, Fornell-Larcker, HTMT) -> :class:`ValidityResult`
Regression
    :func:`regression` (ols, logit, ordinal, mixed) -> :class:`RegressionResult` (``.tidy()``,
    ``.variable_tests()``, ``.focal_test()``, ``.model_summary()``, ``.vif()``, ``.fit``);
    :func:`assumption_checks`; :func:`sensitivity` (smallest detectable effect)
Mediation and moderation (PROCESS models 4 and 1)
    :func:`mediation`, :func:`moderation` -> :class:`ModerationResult`
Group comparisons, correlations and multiple testing
    :func:`compare_groups` -> :class:`GroupComparison` (Welch t, ANOVA, Kruskal-Wallis,
    chi-square, with post-hoc pairs and effect sizes); :func:`correlations`;
    :func:`adjust_pvalues`
Agreement between coders
    :func:`cohen_kappa`, :func:`krippendorff_alpha`
Synthesis across agencies
    :func:`meta_analysis` -> :class:`MetaAnalysis`
Engagement of agency accounts
    :func:`engagement_metrics` (Bonsón et al. P/C/V/E), :func:`platform_summary`,
    :func:`responsiveness` (replies to citizens' comments), :func:`reach_rates`,
    :func:`posting_timing`, :func:`cross_platform`; :func:`scorecard` (PermenPAN-RB 83/2012
    principles, :data:`DEFAULT_MAPPING`), :func:`metric_scores`, :func:`size_bias`
Engagement models
    :func:`count_model` (negative binomial / Poisson with exposure) -> :class:`CountModelResult`;
    :func:`interrupted_time_series` (segmented regression, AR(1) errors) -> :class:`ITSResult`
"""

from analysis.stats.activity import cross_platform, posting_timing, reach_rates
from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
from analysis.stats.bands import group_means, regression_band
from analysis.stats.correlations import correlations
from analysis.stats.count_models import CountModelResult, count_model
from analysis.stats.descriptives import describe
from analysis.stats.diagnostics import assumption_checks
from analysis.stats.engagement import engagement_metrics, platform_summary
from analysis.stats.factor import EFAResult, efa, omega
from analysis.stats.groups import GroupComparison, compare_groups
from analysis.stats.linear_models import RegressionResult, regression
from analysis.stats.mediation import mediation
from analysis.stats.meta import MetaAnalysis, meta_analysis
from analysis.stats.moderation import ModerationResult, moderation
from analysis.stats.multiple_testing import adjust_pvalues
from analysis.stats.power import sensitivity
from analysis.stats.reliability import cronbach_alpha, item_analysis
from analysis.stats.responsiveness import responsiveness
from analysis.stats.scorecard import DEFAULT_MAPPING, metric_scores, scorecard, size_bias
from analysis.stats.sem import SEMResult, cfa, sem
from analysis.stats.time_series import ITSResult, interrupted_time_series
from analysis.stats.validity import ValidityResult, validity

__all__ = [
    "DEFAULT_MAPPING",
    "CountModelResult",
    "ITSResult",
    "EFAResult",
    "GroupComparison",
    "MetaAnalysis",
    "ModerationResult",
    "RegressionResult",
    "SEMResult",
    "ValidityResult",
    "adjust_pvalues",
    "assumption_checks",
    "cfa",
    "cohen_kappa",
    "compare_groups",
    "correlations",
    "count_model",
    "cross_platform",
    "cronbach_alpha",
    "describe",
    "group_means",
    "efa",
    "engagement_metrics",
    "interrupted_time_series",
    "item_analysis",
    "krippendorff_alpha",
    "mediation",
    "metric_scores",
    "meta_analysis",
    "moderation",
    "omega",
    "platform_summary",
    "posting_timing",
    "reach_rates",
    "regression",
    "regression_band",
    "responsiveness",
    "scorecard",
    "sem",
    "sensitivity",
    "size_bias",
    "validity",
]
