"""Estimators of the fisher section (SPEC §6, thesis ch. 7)."""
