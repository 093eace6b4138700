"""The bundled demo study: a seeded generator of realistic synthetic raw data."""
