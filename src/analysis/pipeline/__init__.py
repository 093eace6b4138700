"""The main job: clean a study, then render every agency's report (HTML, PDF, results.json).

``clean_study`` turns raw files into processed Parquet (:mod:`.clean`). ``run_report`` executes
the report notebook for one agency with papermill and exports it (:mod:`.report`,
:mod:`.execute`). ``run_batch`` maps the report over the agencies on Dask (a local cluster by
default, or an existing scheduler), skips agencies whose inputs did not change (:mod:`.cache`),
never lets one failing agency stop the others, and writes the study index (:mod:`.batch`).
Outputs go only into folders the pipeline created, are renamed into place when complete
(:mod:`.folders`), and one run per study holds its lock at a time (:mod:`.locking`).
"""

from analysis.pipeline.batch import run_batch, write_index
from analysis.pipeline.cache import input_key
from analysis.pipeline.clean import clean_study, ensure_processed, prepare_raw
from analysis.pipeline.report import ReportOutcome, run_report

__all__ = [
    "ReportOutcome",
    "clean_study",
    "ensure_processed",
    "input_key",
    "prepare_raw",
    "run_batch",
    "run_report",
    "write_index",
]
