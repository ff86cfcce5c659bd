"""Estimators of the geometry section (SPEC §4, thesis ch. 6)."""
