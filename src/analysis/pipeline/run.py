"""The pipeline's public functions under their former module name.

The report notebooks and older scripts import ``from analysis.pipeline import run``; new code
imports from :mod:`analysis.pipeline`.
"""

from analysis.pipeline import (
    ReportOutcome,
    clean_study,
    input_key,
    run_batch,
    run_report,
    write_index,
)

__all__ = ["ReportOutcome", "clean_study", "input_key", "run_batch", "run_report", "write_index"]
