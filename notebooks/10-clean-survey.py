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
# # Clean the survey data
#
# Clean the survey and engagement data of a study: read every raw export, apply the codebook and screening rules from the study config, drop direct identifiers, and write processed Parquet tables (partitioned by agency) plus the exclusion ledger.

# %% [markdown]
# ## Parameters
#
# Change them here, or pass them with papermill (`-p config ...`).

# %% tags=["parameters"]
config: str = "../config/demo.yml"  # study config (YAML), relative to this folder
processed_dir: str = ""  # processed data folder; empty means data/processed/<study>

# %% [markdown]
# ## Load the study

# %%
from analysis import pipeline
from analysis.cleaning import accounting
from analysis.config import load_study
from analysis.io import store as processed

study = load_study(config)

# %% [markdown]
# ## Raw data
#
# The demo study's raw data is made by a seeded generator the first time (a no-op for other studies' configs, whose raw files you provide).

# %%
pipeline.prepare_raw(study)

# %% [markdown]
# ## Clean
#
# Writes the processed tables and shows where they went.

# %%
out = pipeline.clean_study(study, processed_dir or None)
out

# %% [markdown]
# ## Sample flow
#
# The whole study: received, excluded by reason, analysed.

# %%
received = processed.read_flat(out, "received")
exclusions = processed.read_flat(out, "exclusions")
responses = processed.read_partition(out, "responses")
flags = processed.read_flat(out, "flags")
accounting.sample_flow(received, exclusions, responses, flags=flags)

# %% [markdown]
# ### Per agency

# %%
accounting.flow_by_agency(received, exclusions, responses)

# %% [markdown]
# ## Identifiers removed
#
# Columns removed because they hold direct identifiers (names, emails, phones, NIK, IP).

# %%
processed.read_flat(out, "dropped_columns")

# %% [markdown]
# ## Exclusion ledger
#
# Its first rows: one row per excluded response and reason.

# %%
exclusions.head(20)

# %% [markdown]
# ## Rows that are not posts
#
# Rows of the platform exports that are not posts (summary rows, repeated post ids).

# %%
processed.read_flat(out, "post_exclusions")
