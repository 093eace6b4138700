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
# # Study report
#
# The whole study in one document, in the style of the agency reports: one row per agency (analysed n, the main outcome's mean with its interval, engagement index, reply rate, verdicts) with links to every agency's report and the error of any failed run; each hypothesis across agencies with p adjusted across agencies, its random-effects pooled estimate (REML and DerSimonian-Laird, tau², I², prediction interval) and a forest plot; the pooled model on all respondents with agency as a random intercept and as fixed effects; the agency-level hypotheses and triangulation with their ecological caveat; and the PermenPAN-RB 83/2012 scorecard, after a check of which indices favour small accounts. Run it after the agency reports (`python -m analysis batch` does).

# %% tags=["parameters", "remove_cell"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
lang: str = "id"  # report language: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
output_dir: str = ""  # the study's reports folder (agency reports inside); empty: reports/<study>
min_cell: str = ""  # small-cell k: smaller groups are shown as "< k"; empty: the config's (5)

# %% tags=["remove_cell"]
from IPython.display import Markdown

from analysis.pipeline import ensure_processed
from analysis.reporting import model_figures, scorecard, synthesis
from analysis.reporting.study_context import open_study_report

ensure_processed(config, processed_dir)
report = open_study_report(config, lang, processed_dir, output_dir, min_cell=min_cell)
estimates = synthesis.agency_estimates(report.agency_results, report.study)
metrics = scorecard.read_agency_metrics(report.study, processed_dir)
agencies = synthesis.agency_table(report.scores, metrics, estimates, report.study)

# %%
report.title()

# %%
report.contents()

# %% [markdown] tags=["remove_cell"]
# ## Agencies

# %%
report.heading("study_agencies")

# %%
report.show("study_agencies", agencies)

# %%
report.links()

# %% [markdown] tags=["remove_cell"]
# ## Hypotheses across agencies

# %%
report.heading("study_hypotheses")

# %%
report.show("across_agencies", estimates)

# %% tags=["remove_cell"]
pooled = synthesis.pooled_estimates(estimates, report.study)

# %%
report.show("pooled", pooled)

# %%
report.figures("forest", model_figures.forest_plots(estimates, pooled, report.study, lang))

# %%
report.show("pooled_models", synthesis.pooled_models(report.scores, report.study))

# %% [markdown] tags=["remove_cell"]
# ## Agencies compared: engagement, replies and trust

# %%
report.heading("study_triangulation")

# %%
report.caveat()

# %% tags=["remove_cell"]
variables = synthesis.agency_variables(report.scores, metrics, report.study)

# %%
report.show("agency_hypotheses", synthesis.agency_hypotheses(variables, report.study))

# %%
report.show("triangulation", synthesis.triangulation(agencies, report.study))

# %% [markdown] tags=["remove_cell"]
# ## Scorecard (PermenPAN-RB 83/2012)

# %%
report.heading("study_scorecard")

# %% tags=["remove_cell"]
card = scorecard.study_scorecard(metrics, report.study, lang)

# %%
Markdown(card.bias_note)

# %%
report.show("scorecard_size_bias", card.size_bias)

# %%
report.show("scorecard", card.card)

# %%
report.figure("scorecard", scorecard.heatmap(card.card, report.study, lang))

# %%
Markdown(card.explanation)

# %% [markdown] tags=["remove_cell"]
# ## Provenance

# %%
report.heading("study_provenance")

# %%
report.provenance()

# %% tags=["remove_cell"]
report.finish()
