"""The bundled study configs (installed as the package data ``analysis.studies``)."""
