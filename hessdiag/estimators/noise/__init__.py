"""Estimators of the noise section (SPEC §5, thesis ch. 3.4–5)."""
