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
# Renders one agency's report from processed data as a publishable document: title page, contents, executive summary with a verdict per hypothesis, data and methods (sources, sample-flow diagram, measures and their reliability, models), results (descriptives, hypothesis tests with APA tables and figures), engagement (with the agency's PermenPAN-RB 83/2012 scorecard and its rank among the study's agencies), limitations drawn from the results, appendix (codebook, full model output) and provenance. On a fresh clone the demo study is generated and cleaned on first use. Change the parameters below to look at another agency or language, then run all. The `##` headings feed JupyterLab's table of contents; the report itself shows the localised headings.
#
# Beside `results.json` the report writes every figure as `figures/<name>.png` and `.svg`, every table as `tables/<analysis>.csv`, and all APA tables in one Word file, `tables.docx`.
#
# Small-cell protection: a table that breaks respondents down by a category shows a group of fewer than `min_cell` respondents as "< min_cell", without its other values (and masks the next smallest group too when only one would be hidden). k is the study config's `reporting.min_cell` (default 5) unless `min_cell` is set here; `min_cell = "1"` shows every group (parameters are text, as papermill and the CLI pass them). The sample flow is not masked: its counts are about the screening, and they must add up.

# %% tags=["parameters", "remove_cell"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
agency: str = "diskominfo-sukamaju"  # agency id in the study config
lang: str = "id"  # report language: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
output_dir: str = ""  # where results.json goes; empty means reports/<study>/<agency>
min_cell: str = ""  # small-cell k: smaller groups are shown as "< k"; empty: the config's (5)
small_n: str = ""  # below this many respondents the limitations say so; empty: the config's (100)

# %% tags=["remove_cell"]
from analysis.cleaning import accounting
from analysis.pipeline import ensure_processed
from analysis.reporting import figures, hypotheses, measurement, model_figures, scorecard, sections
from analysis.reporting.context import open_report

ensure_processed(config, processed_dir)
report = open_report(
    config, agency, lang, processed_dir, output_dir, min_cell=min_cell, small_n=small_n
)

# %% tags=["remove_cell"]
flow = accounting.sample_flow(report.received, report.exclusions, report.responses, agency, report.flags)
verdicts, terms = hypotheses.run_hypotheses(report.scores, report.study, report.responses, report.confirmatory, posts=report.posts)

# %%
report.title()

# %%
report.contents()

# %% [markdown] tags=["remove_cell"]
# ## Executive summary

# %%
report.heading("summary")

# %%
report.summary(verdicts, flow)

# %% [markdown] tags=["remove_cell"]
# ## Data and methods

# %%
report.heading("data_methods")

# %%
report.heading("sources", level=3)

# %%
report.sources()

# %%
report.heading("sample", level=3)

# %%
report.flow_diagram(flow)

# %%
report.show("sample_flow", flow)

# %%
report.heading("measures", level=3)

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

# %%
report.heading("models", level=3)

# %%
report.models()

# %%
report.methods()

# %% [markdown] tags=["remove_cell"]
# ## Results

# %%
report.heading("results")

# %%
report.heading("descriptives", level=3)

# %%
report.show("descriptives", sections.descriptives(report.scores, report.study))

# %%
report.figure("score_distributions", figures.score_distributions(report.scores, report.study, lang))

# %%
report.heading("hypotheses", level=3)

# %%
report.preregistration()

# %%
report.statements()

# %%
report.show("hypothesis", verdicts)

# %%
report.narrate(verdicts)

# %%
report.show("group_descriptives", hypotheses.group_descriptives(report.scores, report.study))

# %%
report.show("model_fit", hypotheses.model_fit(report.scores, report.study))

# %%
report.show("assumptions", hypotheses.assumptions(report.scores, report.study))

# %%
report.show("sensitivity", hypotheses.sensitivity(verdicts, report.study))

# %%
report.figure("hypothesis_scatters", figures.hypothesis_scatters(report.scores, report.study, lang))

# %%
report.figure("path_diagrams", model_figures.path_diagrams(terms, report.study, lang))

# %% [markdown] tags=["remove_cell"]
# ## Engagement on social media

# %%
report.heading("engagement")

# %%
report.heading("posts", level=3)

# %%
report.show("platform_summary", sections.platform_summary(report.posts, report.study))

# %%
report.show("engagement", sections.engagement(report.posts, report.study, agency))

# %%
report.figure("engagement_by_platform", figures.engagement_by_platform(report.posts, report.study, lang))

# %%
report.heading("responsiveness", level=3)

# %%
report.show("responsiveness", sections.responsiveness(report.comments, report.study))

# %%
report.heading("content", level=3)

# %%
report.show("content_categories", sections.content_categories(report.posts, report.study, lang))

# %%
report.show("hashtags", sections.hashtags(report.posts))

# %%
report.heading("scorecard", level=3)

# %% tags=["remove_cell"]
metrics = scorecard.read_agency_metrics(report.study, processed_dir)
principles, ranks = scorecard.agency_scorecard(metrics, report.study, agency, lang)

# %%
report.show("agency_scorecard", principles)

# %%
report.show("agency_scorecard_metrics", ranks)

# %% [markdown] tags=["remove_cell"]
# ## Limitations

# %%
report.heading("limitations")

# %%
report.limitations()

# %% [markdown] tags=["remove_cell"]
# ## Appendix

# %%
report.heading("appendix")

# %%
report.heading("codebook", level=3)

# %%
report.codebook()

# %%
report.heading("model_output", level=3)

# %%
report.show("hypothesis_terms", terms)

# %% [markdown] tags=["remove_cell"]
# ## Provenance

# %%
report.heading("provenance")

# %%
report.provenance()

# %% tags=["remove_cell"]
report.finish()
