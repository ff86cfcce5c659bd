"""The prospective test of the recommendation benchmark: frozen calls, refused rewrites, and their score."""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from recommendation_bench import evidence as ev  # noqa: E402
from recommendation_bench import prospective, race_study, rule_fit  # noqa: E402

RECORD = json.loads(prospective.JSON_PATH.read_text())["cases"]


@pytest.fixture(scope="module")
def caches() -> tuple[dict, dict]:
    """The evidence and race caches (35 and 9 MB of JSON), read once for the hundreds of cases below."""
    return ev.load(), race_study.load()


@pytest.mark.parametrize("name", sorted(RECORD))
def test_a_recorded_call_is_the_sign_of_its_score_on_the_cached_evidence(name, caches):
    """The record read the case's cached evidence and race (its features are those the caches give now), and
    each call is what a margin-0 rule makes of its score: the score's sign, or inconclusive where the score's
    interval straddles 0 (the race rule on softmax_wine_std_init; the record keeps the score, not its interval).
    An unbounded end of an interval is kept as the text "inf" (mlp_relu_wine_std_b8_init's race ratio)."""
    entry = RECORD[name]
    table = rule_fit.feature_table(*caches, [name])[name]
    assert entry["features"] == {k: None if v is None else [x if x is None or math.isfinite(x) else str(x) for x in v]
                                 for k, v in table.items()}
    for variant in (*prospective.RULES, *prospective.candidates_recorded(RECORD)):
        if variant in entry:
            call, score = entry[variant]["call"], entry[variant]["score"]
            assert call in ("sign" if score > 0 else "euclidean", "inconclusive")


def test_a_forecast_is_never_rewritten_nor_made_after_its_truth(tmp_path):
    truth = json.loads(prospective.TRUTH_PATH.read_text())["cases"]
    name = next(n for n in RECORD if n in truth)  # a round between its frozen calls and its truth has none
    copy = tmp_path / "prospective.json"
    shutil.copy(prospective.JSON_PATH, copy)
    with pytest.raises(SystemExit, match="already recorded"):
        prospective.record([name], copy)
    with pytest.raises(SystemExit, match="already has a ground truth"):
        prospective.record([name], tmp_path / "empty.json")
    assert json.loads(copy.read_text()) == json.loads(prospective.JSON_PATH.read_text())
    assert not (tmp_path / "empty.json").exists()


def test_the_score_counts_the_frozen_calls_against_the_truth_and_the_constant():
    """Forty-seven rounds with a truth (the fifty-second's first four cases among them), 658 cases, 342 of them clear:
    the frozen rules without the race called 247 right, 'always sign' 246 (it missed the 96 euclidean ones); with the
    race (a race rule in rounds thirteen to seventeen and twenty to fifty-two; no call where the race has no finite
    ratio) 252 of 339. The candidate designs: up to two features in round 24 (10 and 8 of 13), one feature in rounds
    25 to 52 (139 of 224, 165 of 222), the block pair fixed in rounds 48 to 52 (32 of 46), the density pair fixed in
    rounds 50 to 52 (14 of 24)."""
    text = prospective.score()
    assert text.startswith("658 of 658 recorded cases have a ground truth")
    blocks = text.split("\n\n")

    def block(title: str) -> str:
        return next(b for b in blocks if b.startswith(title))

    rule, race = block("the shipped rule, no_race"), block("the shipped rule, with_race")
    assert "accuracy on clear cases   72% (247/342)" in rule and "recall euclidean   76%" in rule
    assert "accuracy on clear cases   74% (252/339)" in race
    assert "accuracy on clear cases   77% (10/13)" in block("a candidate design, two_features_no_race")
    assert "accuracy on clear cases   62% (8/13)" in block("a candidate design, two_features_with_race")
    assert "accuracy on clear cases   62% (139/224)" in block("a candidate design, one_feature_no_race")
    assert "accuracy on clear cases   74% (165/222)" in block("a candidate design, one_feature_with_race")
    assert "accuracy on clear cases   70% (32/46)" in block("a candidate design, block_pair_no_race")
    assert "accuracy on clear cases   58% (14/24)" in block("a candidate design, density_pair_no_race")
    constant = block("constant 'always sign'")
    assert "accuracy on clear cases   72% (246/342)" in constant and "recall euclidean    0%" in constant


def test_a_design_whose_calls_have_no_truth_yet_is_reported_as_such(tmp_path, monkeypatch):
    """Before round 48's truth the block pair (recorded from round 48 on) had no scored call: the score says so and
    scores the rest."""
    truth = json.loads(prospective.TRUTH_PATH.read_text())
    for n in [n for n in RECORD if "block_pair_no_race" in RECORD[n]]:
        truth["cases"].pop(n, None)
    truth_path = tmp_path / "ground_truth.json"
    truth_path.write_text(json.dumps(truth))
    monkeypatch.setattr(prospective, "TRUTH_PATH", truth_path)
    text = prospective.score()
    assert text.startswith(f"594 of {len(RECORD)} recorded cases have a ground truth")
    title = "a candidate design, block_pair_no_race (frozen before the truth, not shipped)"
    assert f"{title}: no call has a truth yet" in text.split("\n\n")
    assert "accuracy on clear cases   73% (215/296)" in text


def test_every_candidate_design_names_a_variant_and_features_the_selection_could_choose():
    """A fixed candidate (the block pair from round 48 on) uses features of its variant's pool, no more than its
    size; a selected one fixes none."""
    from hessdiag.recommend.features import CANDIDATES as FEATURES

    for name, (variant, size, fixed) in prospective.CANDIDATES.items():
        assert variant in ("no_race", "with_race") and size in (1, 2), name
        if fixed is not None:
            assert len(fixed) <= size and set(fixed) <= set(FEATURES), name
            assert variant == "with_race" or rule_fit.RACE not in fixed, name
    assert prospective.CANDIDATES["block_pair_no_race"] == ("no_race", 2, ("block_top_spread", "log_jacobi_rate"))


def test_record_freezes_the_shipped_rules_calls_with_their_commit(tmp_path, monkeypatch):
    """With a ground truth that lacks the case, `record` writes what `frozen_calls` gives on the caches now,
    stamped with the commit of coefficients.py, beside the candidate designs' calls (here one cheap candidate), and
    a second record of it is refused."""
    monkeypatch.setattr(prospective, "CANDIDATES", {"one_feature_with_race": ("with_race", 1, None)})
    name = "lstm_warm"
    truth = json.loads(prospective.TRUTH_PATH.read_text())
    del truth["cases"][name]
    truth_path = tmp_path / "ground_truth.json"
    truth_path.write_text(json.dumps(truth))
    monkeypatch.setattr(prospective, "TRUTH_PATH", truth_path)
    out = tmp_path / "prospective.json"
    doc = prospective.record([name], out)
    entry = json.loads(out.read_text())["cases"][name]
    assert entry == json.loads(json.dumps(doc["cases"][name])) and len(entry["rule_commit"]) == 40
    want = prospective.frozen_calls(ev.load(), race_study.load(), name)
    assert {v: entry[v]["call"] for v in prospective.RULES} == {v: want[v]["call"] for v in prospective.RULES}
    models = prospective.candidate_models(ev.load(), race_study.load())
    assert entry["one_feature_with_race"] == prospective.candidate_calls(models, ev.load(), race_study.load(), name)[
        "one_feature_with_race"]
    with pytest.raises(SystemExit, match="already recorded"):
        prospective.record([name], out)


def test_record_candidates_adds_the_candidate_designs_calls_once_and_only_before_the_truth(tmp_path, monkeypatch):
    """A candidate design (here the selection with one feature, cheap) is selected and fitted on the ground truth
    there is, and its call on a recorded case without a truth is added beside the shipped rules' calls, which stay
    as they were; a second record of it, or one of a case with a truth, is refused and writes nothing."""
    monkeypatch.setattr(prospective, "CANDIDATES", {"one_feature_no_race": ("no_race", 1, None)})
    truth = json.loads(prospective.TRUTH_PATH.read_text())
    name = next(n for n in RECORD if n in truth["cases"] and "one_feature_no_race" not in RECORD[n])
    del truth["cases"][name]
    truth_path = tmp_path / "ground_truth.json"
    truth_path.write_text(json.dumps(truth))
    copy = tmp_path / "prospective.json"
    shutil.copy(prospective.JSON_PATH, copy)
    with pytest.raises(SystemExit, match="already has a ground truth"):
        prospective.record_candidates([name], copy)
    monkeypatch.setattr(prospective, "TRUTH_PATH", truth_path)
    prospective.record_candidates([name], copy)
    entry = json.loads(copy.read_text())["cases"][name]
    models = prospective.candidate_models(ev.load(), race_study.load())
    want = prospective.candidate_calls(models, ev.load(), race_study.load(), name)["one_feature_no_race"]
    assert entry["one_feature_no_race"] == want and want["call"] in ("sign", "euclidean", "inconclusive")
    assert want["rule"] == rule_fit.describe(models["one_feature_no_race"])
    assert {k: v for k, v in entry.items() if not k.startswith(("candidates_", "one_feature"))} == RECORD[name]
    before = copy.read_text()
    with pytest.raises(SystemExit, match="never rewritten"):
        prospective.record_candidates([name], copy)
    assert copy.read_text() == before
