"""The worked example of docs/stats.md runs as written and gives psych's alpha."""

import re

import pytest

from .conftest import PROJECT


def test_stats_worked_example_runs_and_matches_psych():
    text = (PROJECT / "docs" / "stats.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/stats.md", "exec"), namespace)
    from analysis import stats

    row = stats.cronbach_alpha(
        namespace["bfi"], ["A1", "A2", "A3", "A4", "A5"], reverse=["A1"]
    ).iloc[0]
    # psych::alpha(bfi[1:5], keys = "A1"): raw_alpha 0.70, std.alpha 0.71
    assert row["alpha"] == pytest.approx(0.70, abs=0.005)
    assert namespace["result"].tidy()["term"].tolist()[:2] == ["Intercept", "extra"]
