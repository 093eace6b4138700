"""Study config: models (``models``), loading with clear errors (``load``) and paths (``paths``).

The config package imports no reader: format names are checked against
:mod:`analysis.io.registry`.
"""

from analysis.config.load import load_study
from analysis.config.models import (
    Agency,
    Construct,
    Demographic,
    EngagementSource,
    Hypothesis,
    Item,
    Localized,
    Screening,
    Study,
    SurveySource,
)

__all__ = [
    "Agency",
    "Construct",
    "Demographic",
    "EngagementSource",
    "Hypothesis",
    "Item",
    "Localized",
    "Screening",
    "Study",
    "SurveySource",
    "load_study",
]
