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

# %% [markdown]
# # Hypotheses: verdicts, full models and diagnostics
#
# Explore one agency's confirmatory hypotheses in more depth than the report: every verdict, the full result of one hypothesis (simple slopes and the Johnson-Neyman region of a moderation, post-hoc pairs of a group comparison, all SEM estimates), residual plots and every assumption check. Change the parameters and run all.

# %% tags=["parameters"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
agency: str = "diskominfo-sukamaju"  # agency id in the study config
lang: str = "en"  # labels: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
hypothesis: str = "H1"  # the hypothesis to look at closely (an OLS one gives residual plots)
moderation: str = "H5"  # a moderation hypothesis (simple slopes, Johnson-Neyman); "" to skip

# %%
from analysis import stats
from analysis.pipeline import ensure_processed
from analysis.reporting import hypotheses, model_figures
from analysis.reporting.context import open_report

ensure_processed(config, processed_dir)
data = open_report(config, agency, lang, processed_dir)

# %% [markdown]
# ## Verdicts

# %%
verdicts, terms = hypotheses.run_hypotheses(data.scores, data.study, data.responses, data.confirmatory)
verdicts

# %% [markdown]
# ## One hypothesis in full

# %%
result = hypotheses.detail(data.scores, data.study, hypothesis, data.responses)
result.tidy()

# %%
result.model_summary()

# %%
stats.assumption_checks(result, alpha=data.study.study.alpha)

# %%
model_figures.residuals(result, lang)

# %% [markdown]
# ## A moderation: simple slopes and the Johnson-Neyman region

# %%
moderated = hypotheses.detail(data.scores, data.study, moderation, data.responses) if moderation else None
moderated.simple_slopes if moderated else None

# %%
moderated.johnson_neyman if moderated else None

# %% [markdown]
# ## Sensitivity: the smallest effects these samples could detect

# %%
hypotheses.sensitivity(verdicts, data.study)
