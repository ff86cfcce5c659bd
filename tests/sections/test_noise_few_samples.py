"""Fewer than 2 samples: the noise section is not measured, with the reason in the warnings, instead
of reporting the rounding residue of a one-sample 'covariance' as exact (issue 17, item 5)."""

from __future__ import annotations

import pytest
import torch

from helpers.cases import CASES
from hessdiag import api as hessdiag


@pytest.mark.parametrize("how", ["one_sample_data", "samples_1"])
def test_one_sample_refuses_the_noise_section(how):
    case = CASES[0]
    model, x, y = case.build()
    if how == "one_sample_data":
        report = hessdiag.diagnose(model, (x[:1], y[:1]), case.loss, top_k=1, race_steps=0)
    else:
        report = hessdiag.diagnose(model, (x, y), case.loss, top_k=1, race_steps=0, samples=1)
    doc = report.to_dict()
    assert doc["noise"] is None
    assert any("noise: not measured: gradient noise needs at least 2 samples and the selection holds 1" in w
               for w in doc["warnings"])
    assert doc["eigenvalues"]["top"] and doc["fisher"] is not None  # the other sections still report


def test_two_samples_are_measured():
    case = CASES[0]
    model, x, y = case.build()
    doc = hessdiag.diagnose(model, (x[:2], y[:2]), case.loss, top_k=1, race_steps=0, only="noise").to_dict()
    assert doc["noise"]["trace_Sigma"] > 1e-6 and torch.isfinite(torch.tensor(doc["noise"]["trace_Sigma"]))
