"""Estimators of the spectrum section (SPEC §3)."""
