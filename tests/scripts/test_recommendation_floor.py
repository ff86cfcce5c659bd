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
