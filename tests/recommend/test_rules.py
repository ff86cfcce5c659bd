"""Table-driven tests of the recommendation rules (pure functions, SPEC §7)."""

from __future__ import annotations

import pytest

from hessdiag.estimators.spectrum.step_sizes import basic_steps
from hessdiag.linalg import Interval, RitzValue
from hessdiag.recommend import Measured as Estimate
from hessdiag.recommend import Measurements, call_from_ratio, recommend

I, E = Interval, Estimate


@pytest.mark.parametrize("ratio,call", [
    (I(1.2, 3.0), "sign"),
    (I(1.0000001, 1.1), "sign"),
    (I(0.1, 0.9), "euclidean"),
    (I(0.5, 1.5), "inconclusive"),
    (I(0.9, 1.0), "inconclusive"),   # touching 1 is not "below 1 throughout"
    (I(None, 0.5), "euclidean"),
    (I(2.0, None), "sign"),
    (I(None, None), "inconclusive"),
    (None, "inconclusive"),
])
def test_call_follows_the_ratio_interval(ratio, call):
    assert call_from_ratio(ratio) == call
    assert recommend(Measurements(improvement_ratio=ratio)).call == call


SIGN_GEOMETRY = Measurements(
    improvement_ratio=I(2.0, 5.0), rho_diag=E(0.8, I(0.7, 0.9)), outlier_ratio=E(40.0, I(35.0, 45.0)),
    grad_density=0.7, L2=E(4.0), Linf=I(10.0, 12.0),
)
EUCLID_GEOMETRY = Measurements(
    improvement_ratio=I(0.01, 0.2), rho_diag=E(0.02, I(0.01, 0.03)), outlier_ratio=E(1.5, I(1.4, 1.6)),
    grad_density=0.05, L2=E(1.0), Linf=I(30.0, 40.0),
)


@pytest.mark.parametrize("m,call,favours", [
    (SIGN_GEOMETRY, "sign", {"improvement_ratio": "sign", "rho_diag": "sign",
                             "lambda_max_over_mean_abs_eigenvalue": "sign", "grad_density": "sign"}),
    (EUCLID_GEOMETRY, "euclidean", {"improvement_ratio": "euclidean", "rho_diag": "euclidean",
                                    "lambda_max_over_mean_abs_eigenvalue": "euclidean", "grad_density": "euclidean"}),
])
def test_evidence_names_every_measurement_and_its_direction(m, call, favours):
    rec = recommend(m)
    assert rec.call == call
    got = {e.quantity: e.favours for e in rec.evidence}
    assert got == favours
    assert rec.settle is None


def test_straddling_interval_is_inconclusive_and_names_what_would_settle_it():
    m = Measurements(improvement_ratio=I(0.6, 2.5), Linf=I(4.0, 16.0), L2=E(1.0))
    rec = recommend(m)
    assert rec.call == "inconclusive"
    assert "tighter L∞ interval" in rec.settle and "[4, 16]" in rec.settle and "--race-steps" in rec.settle


def test_without_columns_the_settle_advice_names_the_column_budget():
    m = Measurements(improvement_ratio=I(0.6, 2.5), Linf=I(4.0, 16.0), L2=E(1.0), Linf_hi_source="d_L2", d=5000)
    assert "--exact-max-d ≥ d = 5,000" in recommend(m).settle


def test_missing_geometry_is_inconclusive_and_says_so():
    rec = recommend(Measurements(noise_to_signal=E(3.0, I(2.5, 3.5))))
    assert rec.call == "inconclusive" and "geometry" in rec.settle
    assert rec.evidence[0].quantity == "noise_to_signal" and rec.evidence[0].favours == "neither"


@pytest.mark.parametrize("eta2,worth", [(0.1, False), (0.99, False), (1.5, True), (None, None)])
def test_variance_adaptation_advice(eta2, worth):
    assert recommend(Measurements(median_coordinate_eta2=eta2)).variance_adaptation["worth_it"] is worth


@pytest.mark.parametrize("scale,dist,cos,warn", [
    (1.0, 0.1, 0.95, False), (5.0, 0.1, 0.95, True), (1.0, 0.8, 0.95, True), (1.0, 0.1, 0.2, True),
    (0.3, None, None, True),
])
def test_ef_warning(scale, dist, cos, warn):
    rec = recommend(Measurements(ef_over_f_trace=scale, rel_fro_ef_vs_f=dist, cos_precond_f_ef=cos))
    assert rec.ef_warning["warn"] is warn


def test_no_fisher_measurements_no_ef_warning():
    assert recommend(Measurements()).ef_warning is None


def test_step_sizes_use_the_safe_end_of_linf_and_a_certified_lambda_max():
    steps = basic_steps(4.0, RitzValue(4.0, 1e-9), 20.0)
    assert steps == {"gd_1_over_L2": 0.25, "gd_max_2_over_lmax": 0.5, "sign_1_over_Linf": 0.05}
    assert basic_steps(4.0, RitzValue(1e-3, 1e-2), float("inf")) == {
        "gd_1_over_L2": 0.25, "gd_max_2_over_lmax": None, "sign_1_over_Linf": None}
    rec = recommend(Measurements(L2=E(4.0), Linf=I(10.0, 20.0), m_star=12.0, cabs=None, step_sizes=steps))
    assert rec.step_sizes == steps
    assert rec.batch_size == {"m_star": 12.0, "cabs": None}


def test_coin_flip_signs_add_a_caveat_and_point_to_euclidean():
    rec = recommend(Measurements(improvement_ratio=I(1.5, 2.0), coin_flip_share=0.7))
    assert rec.call == "sign" and rec.caveats
    assert {e.quantity: e.favours for e in rec.evidence}["sign_agreement_coin_flip_share"] == "euclidean"
