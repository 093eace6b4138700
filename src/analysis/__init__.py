"""Research notebooks on government social media use and citizens' trust in public services.

Stages, one package each, data flowing one way (raw -> processed -> results -> reports):

``config``
    Study config models, loading with clear errors, and paths.
``io``
    Bytes -> raw tables: one text front end, number and timestamp parsers, survey and post
    readers, and the processed-data store.
``cleaning``
    Coding and answer scales, screening, privacy, the exclusion ledger, construct scores.
``stats``
    The public statistics library: DataFrame and column names in, tidy DataFrame out.
``reporting``
    Report context, result log, display, texts in Bahasa Indonesia and English, figures,
    provenance, HTML/PDF export and the study index.
``pipeline``
    Notebook execution, cache keys, the Dask batch.
``demo``
    The seeded demo study generator.
"""

__version__ = "0.1.0"
