"""Research notebooks on government social media use and citizens' trust in public services.

Modules by concern: ``config`` (study config), ``io`` (readers), ``cleaning`` / ``screening`` /
``privacy`` (raw -> processed), ``measurement`` / ``hypotheses`` / ``engagement`` (analyses),
``reporting`` and ``report`` (what readers see), ``pipeline`` (papermill, Dask batch), ``cli``.
"""

__version__ = "0.1.0"
