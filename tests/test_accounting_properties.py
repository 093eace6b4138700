"""Property-based: for any messy Google Forms export, every raw row is analysed or excluded
exactly once, and the sample flow adds up overall and per agency."""

import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cleaning import accounting
from analysis.cleaning.survey import clean_survey
from analysis.config import load_study

from .conftest import write_study_config

AGREE = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju", ""]
FREQ = ["Tidak Pernah", "Jarang", "Kadang-kadang", "Sering", "Selalu", ""]


@st.composite
def respondent(draw, study):
    row = {
        "Stempel waktu": f"{draw(st.integers(1, 28)):02d}/09/2026 {draw(st.integers(0, 23)):02d}:"
        f"{draw(st.integers(0, 59)):02d}:00",
        "Alamat email": draw(st.sampled_from(["a@x.id", "b@x.id", "c@x.id", ""]))
        + draw(st.sampled_from(["", "", "z"])),
        study.screening.consent.column: draw(
            st.sampled_from(["Ya, saya bersedia"] * 4 + ["Tidak"])
        ),
        "Instansi yang Anda nilai": draw(
            st.sampled_from([a.name for a in study.agencies] + ["Instansi Lain", ""])
        ),
        "Usia (tahun)": str(draw(st.integers(17, 70))),
        "Jenis kelamin": draw(st.sampled_from(["Perempuan", "Laki-laki", ""])),
        study.multi_select[0].column: draw(st.sampled_from(["Instagram", "", "YouTube, Lain"])),
        study.screening.attention_checks[0].column: draw(
            st.sampled_from(["Setuju"] * 3 + ["Netral"])
        ),
        "Durasi pengisian (detik)": str(draw(st.integers(5, 900))),
        "Nama lengkap": draw(st.text(string.ascii_letters, min_size=1, max_size=8)),
        "Nomor HP/WhatsApp": "0812" + str(draw(st.integers(10**7, 10**8 - 1))),
    }
    flat = draw(st.booleans())
    first = draw(st.integers(0, 5))
    for construct in study.constructs:
        labels = FREQ if construct.scale == "freq5_id" else AGREE
        for item in construct.items:
            row[item.column] = labels[first if flat else draw(st.integers(0, 5))]
    return row


STUDY_DIR = {}


def _study(tmp_path_factory):
    if "study" not in STUDY_DIR:
        folder = tmp_path_factory.mktemp("prop")
        STUDY_DIR["study"] = load_study(write_study_config(folder))
    return STUDY_DIR["study"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_row_is_accounted_for(tmp_path_factory, data):
    study = _study(tmp_path_factory)
    rows = data.draw(st.lists(respondent(study), min_size=1, max_size=40))
    path = study.resolve(study.survey[0].path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    cleaned = clean_survey(study)
    analysed = set(cleaned.responses["source_row"])
    excluded = list(cleaned.exclusions["source_row"])
    assert len(excluded) == len(set(excluded))  # one reason per excluded row
    assert analysed.isdisjoint(excluded)
    assert analysed | set(excluded) == set(range(2, len(rows) + 2))
    accounting.sample_flow(cleaned.received, cleaned.exclusions, cleaned.responses)
    for agency in study.agencies:
        accounting.sample_flow(cleaned.received, cleaned.exclusions, cleaned.responses, agency.id)


def test_rows_flagged_but_kept_are_shown_after_the_analysed_count():
    received = pd.DataFrame({"source_file": ["s.csv"], "agency_id": ["a"], "n": [4]})
    exclusions = pd.DataFrame(
        {"source_file": ["s.csv"], "source_row": [2], "agency_id": ["a"], "reason": ["speeder"]}
    )
    responses = pd.DataFrame(
        {"source_file": ["s.csv"] * 3, "source_row": [3, 4, 5], "agency_id": ["a"] * 3}
    )
    # row 2 was flagged careless, then excluded as a speeder: only analysed rows count
    flags = pd.DataFrame(
        {"source_file": ["s.csv"] * 3, "source_row": [2, 3, 5], "reason": ["careless"] * 3}
    )
    flow = accounting.sample_flow(received, exclusions, responses, "a", flags)
    assert flow.iloc[-1].tolist() == ["flagged", "careless", 2]
    assert flow.set_index("step").loc["analysed", "n"] == 3
