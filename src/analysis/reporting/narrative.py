"""APA-style sentences about hypothesis verdicts, in Bahasa Indonesia or English.

Every number in a sentence comes from the verdict row (so it is recorded in ``results.json``).
The claim's wording follows the design declared in the config: causal words ("berpengaruh",
"has an effect on") only for ``design: experimental``; otherwise "berhubungan" / "is associated
with".
"""

from __future__ import annotations

from analysis.config import Hypothesis
from analysis.reporting.display import has_test, plain, test_text
from analysis.reporting.i18n import ci_level, number, p_value, t, texts

#: The estimate's symbol per family.
_ESTIMATE_SYMBOLS = {"correlation": "r", "mediation": "ab", "sem": "B"}


def verdict_sentence(row, hypothesis: Hypothesis, labels: dict, lang: str, alpha: float) -> str:
    """One sentence for one verdict row (a namedtuple of the verdict table)."""
    if row.decision == "not_tested":
        return t(
            lang,
            "narrative.not_tested",
            id=plain(row.hypothesis),
            reason=t(lang, f"untestable.{row.label}"),
            n=number(row.n, lang, 0),
        )
    if hypothesis.level == "post":
        labels = post_labels(labels, lang)
    names = {
        "predictor": " + ".join(labels.get(v, v) for v in hypothesis.predictors),
        "outcome": labels.get(hypothesis.outcome, hypothesis.outcome),
        "mediator": ", ".join(labels.get(v, v) for v in hypothesis.mediators),
        "moderator": labels.get(hypothesis.moderator or "", hypothesis.moderator or ""),
    }
    direction = "positive" if row.estimate == row.estimate and row.estimate > 0 else "negative"
    claim = t(
        lang,
        f"claims.{hypothesis.design}.{_claim_kind(hypothesis, row)}",
        direction=t(lang, f"narrative.{direction}"),
        **{k: plain(v) for k, v in names.items()},
    )
    return t(
        lang,
        f"narrative.{row.decision}",
        id=plain(row.hypothesis),
        claim=claim,
        statistics=statistics_text(row, hypothesis.family, lang, alpha),
    )


def statistics_text(row, family: str, lang: str, alpha: float) -> str:
    """``B = 0,31, 95% CI [0,12; 0,50], t(283) = 3,18, p = 0,002, f² = 0,04, n = 290``."""
    separator = "; " if lang == "id" else ", "
    level = ci_level(alpha, lang)
    parts = []
    if row.estimate == row.estimate:
        parts.append(f"{_ESTIMATE_SYMBOLS.get(family, 'B')} = {number(row.estimate, lang)}")
    if row.ci_low == row.ci_low:
        kind = t(lang, "narrative.bootstrap_ci" if family == "mediation" else "narrative.ci")
        interval = f"{number(row.ci_low, lang)}{separator}{number(row.ci_high, lang)}"
        parts.append(f"{level}% {kind} [{interval}]")
    if has_test(row):
        parts.append(test_text(row, lang))
    if row.p_value == row.p_value:
        parts.append(f"p {p_value(row.p_value, lang, alpha)}")
    if row.effect_size == row.effect_size:
        name = t(lang, f"effect_sizes.{row.effect_size_name}")
        parts.append(f"{name} = {number(row.effect_size, lang)}")
    parts.append(f"n = {number(row.n, lang, 0)}")
    return ", ".join(parts)


def post_labels(labels: dict, lang: str) -> dict:
    """``labels`` plus the readable names of post-level variables in ``lang``."""
    return labels | texts(lang)["post_variables"]


def _claim_kind(hypothesis: Hypothesis, row) -> str:
    if hypothesis.family in ("mediation", "moderation", "group_comparison", "correlation", "its"):
        return hypothesis.family
    return "directional" if row.statistic_name != "F" else "omnibus"
