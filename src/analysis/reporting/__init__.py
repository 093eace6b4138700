"""Reporting: texts in Bahasa Indonesia and English, tables, figures, HTML/PDF export."""
