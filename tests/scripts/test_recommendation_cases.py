"""The case registry of scripts/recommendation_bench/cases.py: every round's module is registered, in round
order, and no kind is defined twice."""

import re
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from recommendation_bench import cases  # noqa: E402


def test_every_round_module_on_disk_is_registered_in_round_order():
    rounds = sorted(int(m.group(1)) for f in (SCRIPTS / "recommendation_bench").glob("kinds_round*.py")
                    if (m := re.fullmatch(r"kinds_round(\d+)\.py", f.name)))
    assert rounds == list(range(14, cases.LAST_ROUND + 1))
    names = [m.__name__.rsplit(".", 1)[1] for m in cases.KIND_MODULES]
    assert names == ["kinds", "kinds_prospective", "kinds_late", *(f"kinds_round{r}" for r in rounds)]


def test_no_kind_is_defined_twice_and_each_gives_two_checkpoints():
    counted = sum(len(m.KINDS) for m in cases.KIND_MODULES)
    assert counted == len(cases.KINDS)
    assert [c.name for c in cases.CASES.values()] == [f"{k}_{ckpt}" for k in cases.KINDS for ckpt in ("init", "warm")]


def test_each_case_is_importable_by_its_paths():
    case = cases.CASES["lsq_rot_init"]
    assert getattr(cases, case.model_path.split(":")[1]) is case.model
    assert getattr(cases, case.data_path.split(":")[1]) is case.data
