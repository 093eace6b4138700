"""The public statistics library: a DataFrame and column names in, a tidy DataFrame out.

No study config and no report language here: labels and wording belong to
:mod:`analysis.reporting`. Every function is tested against an independent reference (R, a
published value or a second implementation); see ``docs/stats.md`` for a worked example.

Descriptives
    :func:`describe`
Reliability
    :func:`cronbach_alpha`, :func:`item_analysis`
Regression
    :func:`regression` -> :class:`RegressionResult` (``.tidy()``, ``.variable_tests()``,
    ``.focal_test()``, ``.model_summary()``, ``.vif()``, ``.fit``)
Engagement of agency accounts
    :func:`engagement_metrics` (Bonsón et al. P/C/V/E), :func:`platform_summary`
"""

from analysis.stats.descriptives import describe
from analysis.stats.engagement import engagement_metrics, platform_summary
from analysis.stats.linear_models import RegressionResult, regression
from analysis.stats.reliability import cronbach_alpha, item_analysis

__all__ = [
    "RegressionResult",
    "cronbach_alpha",
    "describe",
    "engagement_metrics",
    "item_analysis",
    "platform_summary",
    "regression",
]
