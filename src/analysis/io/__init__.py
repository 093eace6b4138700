"""Readers: survey exports and platform exports into raw and canonical tables."""
