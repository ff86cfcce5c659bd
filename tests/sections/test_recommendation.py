"""The recommendation stage on real runs: the rule stated, evidence named, the tuned race run and
compared, JSON valid."""

from __future__ import annotations

import io
import math

import jsonschema
import pytest

from helpers.cases import CASES
from hessdiag import diagnose
from hessdiag.api import run
from hessdiag.experiments.race import expected_runs
from hessdiag.load import make_settings
from hessdiag.recommend.benchmark_score import BenchmarkScore
from hessdiag.sections import schema as report_schema
from hessdiag.sections.recommendation.terminal import benchmark_lines, race_line


@pytest.fixture(scope="module")
def default_report():
    return run(make_settings(top_k=2))


@pytest.fixture(scope="module")
def default_doc(default_report):
    return default_report.to_dict()


@pytest.mark.parametrize("width", [80, 100])
def test_the_evidence_table_shows_every_measurement_name_whole(default_report, width):
    """On a narrow terminal the names wrap onto further lines of their cell instead of ending in "…"
    (lambda_max_over_mean_abs_eigenvalue was cut to lambda_max_over_mean_abs_eige… at 80 columns), and no
    cell of any table is cut (the curvature matrices' "Monte-C…" and "empiric…" were)."""
    from rich.console import Console

    from hessdiag.report.terminal import render_terminal

    console = Console(width=width, record=True, file=io.StringIO())
    render_terminal(default_report, console)
    text = console.export_text()
    start = text.index("Evidence (local to θ)")
    table = text[start:text.index("Recommendation", start)]
    first_column = "".join(line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│"))
    names = [e["quantity"] for e in default_report.to_dict()["recommendation"]["evidence"]]
    assert "…" not in first_column and all(name in first_column for name in names)
    assert not [line for line in text.splitlines() if line.startswith("│") and "…" in line]


def test_default_states_its_rule_names_its_evidence_and_races(default_doc):
    rec = default_doc["recommendation"]
    assert rec["call"] in ("sign", "euclidean", "inconclusive")
    names = {e["quantity"] for e in rec["evidence"]}
    assert {"improvement_ratio", "rho_diag", "lambda_max_over_mean_abs_eigenvalue", "grad_density",
            "noise_to_signal", "sign_agreement_coin_flip_share", "adam_rate_ratio", "jacobi_rate_ratio",
            "block_js", "race_ratio", "class_imbalance"} <= names
    ratio = default_doc["improvement_ratio"]
    evidence = next(e for e in rec["evidence"] if e["quantity"] == "improvement_ratio")
    assert evidence["interval"] == [ratio["lo"], ratio["hi"]]
    rule = rec["rule"]
    lo, hi = rule["score_interval"]
    margin = rule["margin"]
    assert lo <= rule["score"] <= hi
    assert rec["call"] == ("sign" if lo > margin else "euclidean" if hi < -margin else "inconclusive")
    assert rule["score"] == pytest.approx(rule["intercept"] + sum(t["contribution"] for t in rule["terms"]))
    assert rule["benchmark"]["accuracy_clear"] is not None and "cross-validated" in rec["summary"]
    race = rec["race"]
    assert race["steps"] == 200 and race["batch_size"] == 128 and race["seeds"] == 2
    cost = default_doc["settings"]["cost"]  # the race was planned: its units measured, its steps counted
    assert cost["units"]["race_step_s"] > 0 and cost["units"]["full_data_loss_s"] > 0
    assert isinstance(cost["units"]["race_runs_batched"], bool)  # batched or not: measured, not asserted here
    planned = {s["what"]: s["count"] for s in cost["steps"] if s["section"] == "recommendation"}
    runs = expected_runs(2, 3)
    assert planned["race"] == runs * 200 and planned["race: full-data losses"] == runs * 10
    assert race["minibatch_steps"] % 200 == 0 and race["minibatch_steps"] // 200 >= 2 * 2 * (3 + 2)
    for fam in race["families"].values():
        assert fam["best_lr"] in fam["lrs"] and len(fam["best_curve"]) == len(race["checkpoints"])
    ratio = race["families"]["sgdm"]["best_median"] / race["families"]["adam"]["best_median"]
    assert race["ratio"] == pytest.approx(ratio)
    assert race["winner"] == ("sign" if ratio >= 1.25 else "euclidean" if ratio <= 0.8 else "tie")
    assert race["agrees"] == (None if rec["call"] == "inconclusive" or race["winner"] == "tie"
                              else race["winner"] == rec["call"])
    assert default_doc["step_sizes"]["sign_1_over_Linf"] == pytest.approx(1 / default_doc["Linf"]["hi"])
    jsonschema.validate(default_doc, report_schema(), cls=jsonschema.Draft202012Validator)


def test_tampered_report_fails_the_schema(default_doc):
    bad = {**default_doc, "recommendation": {**default_doc["recommendation"], "call": "adam"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema(), cls=jsonschema.Draft202012Validator)


def test_without_the_rules_sections_the_call_names_what_is_missing():
    case = CASES[0]
    model, x, y = case.build()
    doc = diagnose(model, (x, y), case.loss, only="spectrum", top_k=1, dtype="float64", device="cpu",
                   race_steps=0).to_dict()
    rec = doc["recommendation"]
    assert rec["rule"]["missing"] and rec["race"] is None and rec["call"] == "inconclusive"
    assert "lacks" in rec["settle"]
    assert rec["summary"].startswith(f"Inconclusive: the rule reads {', '.join(rec['rule']['missing'])}, which this "
                                     "run did not measure") and "score" not in rec["summary"]
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
    doc = diagnose(model, (x, y), case.loss, top_k=1, dtype="float64", device="cpu").to_dict()
    assert doc["recommendation"]["race"] is None
    assert any(w.startswith("race skipped:") for w in doc["warnings"])
    doc = diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=1, race_steps=3, dtype="float64",
                   device="cpu").to_dict()
    assert doc["recommendation"]["race"]["steps"] == 3


def test_a_classification_run_without_the_imbalance_section_still_reads_its_class_imbalance():
    """log10 π_max/π_min is a feature of the rules (the race rule fitted on 392 cases read it), and a missing ratio
    reads as "no classes" (0, balanced): a run whose --only leaves out `imbalance` counts the labels itself, and the
    features its rule sees are what the full section would give."""
    case = CASES[0]
    model, x, y = case.build()
    labels = y.reshape(-1).tolist()
    counts = [labels.count(c) for c in set(labels)]
    docs = [diagnose(model, (x, y), case.loss, only=only, top_k=1, race_steps=3, dtype="float64",
                     device="cpu").to_dict() for only in ("spectrum", "spectrum,imbalance")]
    feats = [d["recommendation"]["features"]["log_class_imbalance"] for d in docs]
    evidence = [{e["quantity"]: e for e in d["recommendation"]["evidence"]} for d in docs]
    assert "imbalance" not in docs[0] or docs[0]["imbalance"] is None
    assert evidence[0]["class_imbalance"]["value"] == pytest.approx(max(counts) / min(counts), rel=1e-15)
    assert evidence[0]["class_imbalance"]["value"] == evidence[1]["class_imbalance"]["value"]
    assert feats[0] == feats[1] and feats[0]["value"] == pytest.approx(math.log10(max(counts) / min(counts)), rel=1e-12)


def test_a_run_restricted_by_only_races_only_when_asked():
    case = CASES[1]
    model, x, y = case.build()
    doc = diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=1, dtype="float64", device="cpu").to_dict()
    assert doc["recommendation"]["race"] is None and not any("race" in w for w in doc["warnings"])


@pytest.mark.parametrize("changes, settled, shown", [
    ({"sgdm": 4e-16, "adam": 1e-15}, True, None),  # a stable race: nothing to say
    ({"sgdm": 7e-15, "adam": 0.359}, True, "moved a best run's final loss by 36 % (the winner holds)"),
    ({"sgdm": 0.02, "adam": 0.0}, False, "by 2 % (the winner CHANGES)"),
])
def test_the_race_line_says_when_rounding_moved_the_best_runs(default_doc, changes, settled, shown):
    race = {**default_doc["recommendation"]["race"],
            "rounding": {"relative_perturbation": 8.9e-16, "final_loss_change": changes, "seed0_ratio": 2.0,
                         "seed0_ratio_perturbed": 2.0 if settled else 1.0, "winner_settled": settled}}
    line = race_line(race)
    assert ("chaotic" in line) == (shown is not None) and (shown is None or shown in line)


def test_the_benchmark_lines_state_counts_the_constant_and_the_ties():
    """A hand-made table of 10 cases (4 sign, 2 euclidean, 4 ties): every count printed is the table's."""
    confusion = {"sign": {"sign": 3, "euclidean": 1, "inconclusive": 0},
                 "euclidean": {"sign": 1, "euclidean": 1, "inconclusive": 0},
                 "tie": {"sign": 2, "euclidean": 1, "inconclusive": 1}}
    score = BenchmarkScore("2026-01-01", "bench", 5, "nested", confusion, (0.5, 0.6, 0.7))
    rule, baseline, ties = benchmark_lines(score.as_dict())
    assert "4 of the 6 clear cases right (67 %" in rule and "recall sign-based 3/4, Euclidean 1/2" in rule
    assert "against each seed's own label 50–70 %" in rule
    assert "'always sign-based': 67 % right" in baseline and "right on 1 where" in baseline
    assert "wrong or inconclusive on 1 where" in baseline
    assert ties.startswith("ties: on 4 of the 10 cases neither family's best loss was 1.25× lower")
