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
# # Measurement: reliability, factor structure and validity
#
# Explore the instrument of one agency's respondents in more depth than the report: alpha and omega with intervals (omega hierarchical for long scales), the exploratory factor analysis with its scree plot and loadings, and the declared measurement model (CFA fit, standardized loadings, Fornell-Larcker and HTMT matrices). Change the parameters and run all.

# %% tags=["parameters"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
agency: str = "diskominfo-sukamaju"  # agency id in the study config
lang: str = "en"  # labels: id (Bahasa Indonesia) or en (English)
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>
n_boot: int = 200  # bootstrap resamples of omega's interval (JASP uses 1000; each takes ~10 ms)

# %%
from analysis.pipeline import ensure_processed
from analysis.reporting import measurement, model_figures
from analysis.reporting.context import open_report

ensure_processed(config, processed_dir)
data = open_report(config, agency, lang, processed_dir)

# %% [markdown]
# ## Reliability with intervals

# %%
measurement.reliability_detail(data.responses, data.study, n_boot=n_boot)

# %% [markdown]
# ## Exploratory factor analysis

# %%
efa = measurement.exploratory(data.responses, data.study)
efa.kmo

# %%
efa.bartlett

# %%
model_figures.scree(efa, lang)

# %%
efa.loadings

# %%
efa.variance

# %% [markdown]
# ## Confirmatory factor analysis of the declared constructs

# %%
model = measurement.measurement_model(data.responses, data.study)
model.measurement.fit

# %%
model.measurement.estimates

# %%
model.constructs

# %%
model.fornell_larcker

# %%
model.htmt
