"""Figures come from the sections that ran, as PNG bytes, without switching the user's matplotlib backend
(a notebook's inline backend must survive `hessdiag.write_reports`)."""

from __future__ import annotations

import matplotlib

from helpers.cases import CASES
from hessdiag.api import diagnose
from hessdiag.report.figures import captions, render_figures


def test_figures_of_the_sections_that_ran_and_the_backend_is_untouched():
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # stands for a notebook's backend
    try:
        model, x, y = CASES[0].build()
        report = diagnose(model, (x, y), "ce", only="spectrum,geometry", top_k=1, race_steps=2)
        figures = render_figures(report)
        assert set(figures) == {"eigenvalues", "density", "rho_diag_per_layer", "race"}
        assert all(png.startswith(b"\x89PNG") for png in figures.values())
        assert set(captions(report)) >= set(figures) | {"noise"}
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
