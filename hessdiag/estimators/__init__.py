"""Estimators composed from operators and seeded samplers (the third layer of hessdiag)."""
