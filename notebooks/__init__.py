"""The shipped notebooks (installed as the package data ``analysis.notebooks``)."""
