"""scripts/recommendation_bench/floor_sensitivity.py: the relabelling with a loss floor, against the protocol's
own labels (floor 0) and against labels worked out by hand."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from recommendation_bench.floor_sensitivity import floored_labels  # noqa: E402
from recommendation_bench.ground_truth import JSON_PATH  # noqa: E402

TRUTH = json.loads(JSON_PATH.read_text())["cases"]


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_floor_zero_is_the_protocol(name):
    """With no floor every stored label and every seed's label comes back as the ground truth computed it."""
    entry = TRUTH[name]
    assert floored_labels(entry, 0.0) == (entry["truth"], entry["per_seed_labels"])


def _entry(sgdm_median, sgdm_seeds, sign_median, sign_seeds, loss_at_init=2.0):
    return {"loss_at_init": loss_at_init, "sign_family": "adam",
            "families": {"sgdm": {"best_median": sgdm_median, "best_losses": sgdm_seeds},
                         "adam": {"best_median": sign_median, "best_losses": sign_seeds}}}


@pytest.mark.parametrize("floor, expected", [
    (0.0, ("euclidean", ["euclidean"] * 3)),          # ratios 0, 1e-4, 0.3
    (1e-6, ("euclidean", ["euclidean"] * 3)),         # f = 2e-6: 2e-6/1e-5 = 0.2, 0.2, 3e-6/1e-5 = 0.3
    (1e-5, ("tie", ["tie"] * 3)),                     # f = 2e-5: both families at the floor
])
def test_a_winner_at_zero_loss_becomes_a_tie_once_both_sit_at_the_floor(floor, expected):
    entry = _entry(0.0, [0.0, 1e-9, 3e-6], 1e-5, [1e-5, 1e-5, 1e-5])
    assert floored_labels(entry, floor) == expected


def test_a_diverged_family_stays_diverged_under_any_floor():
    """JSON keeps a diverged run's loss as null: it loses to any finite loss, floored or not."""
    entry = _entry(None, [None, None, 0.5], 1e-3, [1e-3, 1e-3, 1e-3])
    assert floored_labels(entry, 1e-2) == ("sign", ["sign", "sign", "sign"])  # f = 0.02: 0.5/0.02 = 25



def _stub_nested(table, truth, kinds, cases, variant):
    """A cheap stand-in for the nested selection whose calls differ by floor and by variant: with the race it
    calls every case by its floored label, without it calls every clear case the other family."""
    other = {"sign": "euclidean", "euclidean": "sign", "tie": "inconclusive"}
    same = {"sign": "sign", "euclidean": "euclidean", "tie": "inconclusive"}
    return {c: (same if variant == "with_race" else other)[truth[c]] for c in cases}, None


def test_the_report_is_the_same_in_one_process_and_in_two(monkeypatch):
    """`--jobs 2` splits the (floor, variant) selections over two forked processes; each line must come back
    in its place. The selection is stubbed (the real one takes minutes) so that the lines differ by floor
    and variant: a unit put back in the wrong place would change the report."""
    from recommendation_bench import evidence, race_study, rule_fit
    from recommendation_bench.cases import CASES
    from recommendation_bench.floor_sensitivity import FLOORS, VARIANTS, report

    monkeypatch.setattr(rule_fit, "nested", _stub_nested)
    found, races = evidence.load(), race_study.load()
    cases = [n for n in CASES if n in found["cases"] and n in TRUTH]
    alone = report(found, races, TRUTH, cases, jobs=1)
    assert report(found, races, TRUTH, cases, jobs=2) == alone
    lines = alone.splitlines()
    assert len(lines) == len(FLOORS) * (len(VARIANTS) + 2)
    clear = sum(TRUTH[c]["truth"] != "tie" for c in cases)
    assert f"with_race     right {clear} of {clear} (100%)" in lines[1]
    assert f"no_race       right 0 of {clear} (0%)" in lines[2]
    assert len(set(lines)) == len(lines)  # every floor moves labels: no two lines alike
