"""Answer scales: label matching, unknown labels, built-in scales."""

import pandas as pd
import pytest

from analysis.cleaning.scales import builtin_scales
from analysis.errors import InputError
from analysis.io.labels import fold_label


def test_labels_match_whatever_the_case_spacing_and_hyphens():
    scale = builtin_scales()["agree5_ragu_id"]
    answers = pd.Series(
        ["Sangat Setuju", "sangat  setuju ", "RAGU-RAGU", "ragu ragu", "", "TS"],
        index=[2, 3, 4, 5, 6, 7],
    )
    coded = scale.code(answers)
    assert coded.tolist()[:4] == [5.0, 5.0, 3.0, 3.0]
    assert coded.isna().tolist()[4] and coded[7] == 2.0


def test_missing_labels_become_na_not_a_number():
    scale = builtin_scales()["agree5_id"]
    assert scale.code(pd.Series(["Tidak tahu", "Setuju"])).isna().tolist() == [True, False]


def test_unknown_label_error_names_file_row_column_and_closest_label():
    scale = builtin_scales()["agree5_id"]
    answers = pd.Series(["Setuju", "Sangat Setju"], index=[2, 17])
    with pytest.raises(InputError) as caught:
        scale.code(answers, path="survey.csv", column="Q3")
    message = str(caught.value)
    assert 'survey.csv, row 17, column "Q3"' in message
    assert '"Sangat Setju" is not a label of scale agree5_id' in message
    assert 'did you mean "Sangat Setuju"?' in message


@pytest.mark.parametrize("name", sorted(builtin_scales()))
def test_builtin_scales_are_ordered_and_aliases_stay_in_range(name):
    scale = builtin_scales()[name]
    assert list(scale.values) == sorted(scale.values)
    assert len({fold_label(label) for label in scale.labels}) == len(scale.labels)
    assert all(scale.minimum <= value <= scale.maximum for value in scale.aliases.values())


def test_numeric_answers_are_accepted_when_on_the_scale():
    scale = builtin_scales()["freq5_id"]
    assert scale.code(pd.Series(["1", "5", "Kadang"])).tolist() == [1.0, 5.0, 3.0]
    with pytest.raises(InputError, match=r'"6" is not a value of scale freq5_id \(1 to 5\)'):
        scale.code(pd.Series(["6"]))
