"""Tools the tests share: a DevTools client for Chromium, notebook and git helpers."""
