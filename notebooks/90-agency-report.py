# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove_cell"]
# **Agency report.** Renders one agency's report from processed data: sample flow, descriptives, reliability, confirmatory hypotheses, engagement, methods and provenance. Needs processed data (`python -m analysis clean --config ...`; `make demo` does it). Change the parameters below to look at another agency or language.

# %% tags=["parameters", "remove_cell"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
agency: str = "diskominfo-sukamaju"  # agency id in the study config
lang: str = "id"  # report language: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
output_dir: str = ""  # where results.json goes; empty means reports/<study>/<agency>

# %% tags=["remove_cell"]
from analysis.cleaning import accounting
from analysis.stats import engagement
from analysis.stats import regression as hypotheses
from analysis.stats import reliability as measurement
from analysis.reporting.context import open_report
from analysis.reporting import figures

report = open_report(config, agency, lang, processed_dir, output_dir)

# %%
report.title()

# %%
report.heading("sample")

# %%
report.show("sample_flow", accounting.sample_flow(report.received, report.exclusions, report.responses, agency))

# %%
report.heading("descriptives")

# %%
report.show("descriptives", measurement.describe_constructs(report.scores, report.study, lang))

# %%
figures.score_distributions(report.scores, report.study, lang)

# %%
report.heading("reliability")

# %%
report.show("reliability", measurement.reliability(report.responses, report.study, lang))

# %%
report.heading("hypotheses")

# %% tags=["remove_cell"]
hypothesis_table = hypotheses.fit_all(report.scores, report.study)

# %%
report.show("hypothesis", hypothesis_table)

# %%
report.narrate(hypothesis_table)

# %%
figures.hypothesis_scatter(report.scores, report.study.hypotheses[0], report.study, lang)

# %%
report.heading("engagement")

# %%
report.show("platform_summary", engagement.platform_summary(report.posts, report.study.study.timezone))

# %%
report.show("engagement", engagement.engagement_metrics(report.posts, report.study.agency(agency).followers))

# %%
figures.engagement_by_platform(report.posts, lang)

# %%
report.heading("methods")

# %%
report.methods()

# %%
report.heading("provenance")

# %%
report.provenance()

# %% tags=["remove_cell"]
report.finish()
