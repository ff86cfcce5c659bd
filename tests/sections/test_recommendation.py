"""The recommendation stage on real runs: evidence named, race run and compared, JSON valid."""

from __future__ import annotations

import jsonschema
import pytest

from helpers.cases import CASES
from hessdiag import diagnose
from hessdiag.api import run
from hessdiag.load import make_settings
from hessdiag.sections import schema as report_schema


@pytest.fixture(scope="module")
def default_doc():
    return run(make_settings(top_k=2)).to_dict()


def test_default_names_its_evidence_and_races(default_doc):
    rec = default_doc["recommendation"]
    assert rec["call"] in ("sign", "euclidean", "inconclusive")
    names = {e["quantity"] for e in rec["evidence"]}
    assert {"improvement_ratio", "rho_diag", "lambda_max_over_mean_abs_eigenvalue", "grad_density",
            "noise_to_signal", "sign_agreement_coin_flip_share"} <= names
    ratio = default_doc["improvement_ratio"]
    evidence = next(e for e in rec["evidence"] if e["quantity"] == "improvement_ratio")
    assert evidence["interval"] == [ratio["lo"], ratio["hi"]]
    race = rec["race"]
    assert race["steps"] == 10 and len(race["gd_losses"]) == len(race["sign_losses"]) == 11
    assert race["gd_step"] == pytest.approx(1 / default_doc["L2"]["value"])
    assert race["sign_step"] == pytest.approx(1 / default_doc["Linf"]["hi"])
    winner = "sign" if race["sign_losses"][-1] < race["gd_losses"][-1] else "euclidean"
    assert race["winner"] == winner
    assert race["agrees"] == (None if rec["call"] == "inconclusive" else winner == rec["call"])
    assert default_doc["step_sizes"]["sign_1_over_Linf"] == pytest.approx(1 / default_doc["Linf"]["hi"])
    jsonschema.validate(default_doc, report_schema(), cls=jsonschema.Draft202012Validator)


def test_tampered_report_fails_the_schema(default_doc):
    bad = {**default_doc, "recommendation": {**default_doc["recommendation"], "call": "adam"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema(), cls=jsonschema.Draft202012Validator)


def test_without_geometry_the_call_is_inconclusive_and_says_what_would_settle_it():
    case = CASES[0]
    model, x, y = case.build()
    doc = diagnose(model, (x, y), case.loss, only="spectrum", top_k=1, dtype="float64", device="cpu").to_dict()
    rec = doc["recommendation"]
    assert rec["call"] == "inconclusive" and "geometry" in rec["settle"] and rec["race"] is None
    assert any("race skipped" in w for w in doc["warnings"])
    jsonschema.validate(doc, report_schema(), cls=jsonschema.Draft202012Validator)


def test_race_steps_zero_turns_the_race_off():
    case = CASES[1]
    model, x, y = case.build()
    doc = diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=1, race_steps=0,
                   dtype="float64", device="cpu").to_dict()
    assert doc["recommendation"]["race"] is None
    assert doc["recommendation"]["call"] in ("sign", "euclidean", "inconclusive")


def test_the_race_is_off_by_default_beyond_its_work_limit_and_says_so(monkeypatch):
    from hessdiag.work import Plan

    case = CASES[1]
    model, x, y = case.build()
    small = Plan(race_auto_max_work=1.0)
    monkeypatch.setattr(Plan, "for_settings", classmethod(lambda cls, settings: small))
    doc = diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=1, dtype="float64", device="cpu").to_dict()
    assert doc["recommendation"]["race"] is None
    assert any(w.startswith("race skipped: N·d") for w in doc["warnings"])
    doc = diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=1, race_steps=3, dtype="float64",
                   device="cpu").to_dict()
    assert doc["recommendation"]["race"]["steps"] == 3
