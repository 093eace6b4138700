"""Construct scores: the mean of each construct's answered items, per respondent."""

from __future__ import annotations

import pandas as pd

from analysis.config import Study


def score_constructs(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Mean score per construct for each respondent.

    A score is computed when at least the construct's required number of items was answered
    (``min_items``; default half of its items, rounded up). Items are already coded and
    reverse-keyed in ``responses``.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``agency_id``, ``weight``, one Float64 column per construct id
        (NA when fewer than the construct's required items were answered), then the study's
        demographic columns.
    """
    scores = responses[["respondent_id", "agency_id", "weight"]].copy()
    for construct in study.constructs:
        items = responses[[i.id for i in construct.items]].astype(float)
        enough = items.notna().sum(axis=1) >= construct.required_items()
        scores[construct.id] = items.mean(axis=1).where(enough).astype("Float64")
    for demo in study.demographics:
        scores[demo.id] = responses[demo.id]
    return scores
