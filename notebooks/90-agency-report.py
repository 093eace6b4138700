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
# # Agency report
#
# Renders one agency's report from processed data: sample flow, descriptives, reliability, confirmatory hypotheses, engagement, methods and provenance. On a fresh clone the demo study is generated and cleaned on first use. Change the parameters below to look at another agency or language, then run all. The `##` headings feed JupyterLab's table of contents; the report itself shows the localised headings.

# %% tags=["parameters", "remove_cell"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
agency: str = "diskominfo-sukamaju"  # agency id in the study config
lang: str = "id"  # report language: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
output_dir: str = ""  # where results.json goes; empty means reports/<study>/<agency>

# %% tags=["remove_cell"]
from analysis.cleaning import accounting
from analysis.pipeline import ensure_processed
from analysis.reporting import figures, hypotheses, measurement, model_figures, sections
from analysis.reporting.context import open_report

ensure_processed(config, processed_dir)
report = open_report(config, agency, lang, processed_dir, output_dir)

# %%
report.title()

# %% [markdown] tags=["remove_cell"]
# ## Sample flow

# %%
report.heading("sample")

# %%
report.show("sample_flow", accounting.sample_flow(report.received, report.exclusions, report.responses, agency, report.flags))

# %% [markdown] tags=["remove_cell"]
# ## Descriptives

# %%
report.heading("descriptives")

# %%
report.show("descriptives", sections.descriptives(report.scores, report.study))

# %%
figures.score_distributions(report.scores, report.study, lang)

# %% [markdown] tags=["remove_cell"]
# ## Reliability and item validity

# %%
report.heading("reliability")

# %%
report.show("reliability", sections.reliability(report.responses, report.study))

# %%
report.show("item_analysis", sections.item_analysis(report.responses, report.study))

# %%
report.show("factor_structure", measurement.factor_structure(report.responses, report.study))

# %%
report.show("measurement_fit", measurement.measurement_fit(report.responses, report.study))

# %%
report.show("construct_validity", measurement.construct_validity(report.responses, report.study))

# %% [markdown] tags=["remove_cell"]
# ## Confirmatory hypotheses

# %%
report.heading("hypotheses")

# %%
report.preregistration()

# %%
report.statements()

# %% tags=["remove_cell"]
verdicts, terms = hypotheses.run_hypotheses(report.scores, report.study, report.responses, report.confirmatory)

# %%
report.show("hypothesis", verdicts)

# %%
report.narrate(verdicts)

# %%
report.show("hypothesis_terms", terms)

# %%
report.show("assumptions", hypotheses.assumptions(report.scores, report.study))

# %%
report.show("sensitivity", hypotheses.sensitivity(verdicts, report.study))

# %%
figures.hypothesis_scatters(report.scores, report.study, lang)

# %%
model_figures.path_diagrams(terms, report.study, lang)

# %% [markdown] tags=["remove_cell"]
# ## Engagement on social media

# %%
report.heading("engagement")

# %%
report.show("platform_summary", sections.platform_summary(report.posts, report.study))

# %%
report.show("engagement", sections.engagement(report.posts, report.study, agency))

# %%
figures.engagement_by_platform(report.posts, report.study, lang)

# %% [markdown] tags=["remove_cell"]
# ## Methods and limitations

# %%
report.heading("methods")

# %%
report.methods()

# %% [markdown] tags=["remove_cell"]
# ## Provenance

# %%
report.heading("provenance")

# %%
report.provenance()

# %% tags=["remove_cell"]
report.finish()
