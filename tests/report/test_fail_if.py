"""`--fail-if` parsing (never eval'd) and evaluation on report documents."""

from __future__ import annotations

import math

import pytest

from hessdiag.report.fail_if import (
    FailIfSyntaxError,
    FailIfValueError,
    check_paths,
    check_sections,
    failing_conditions,
    parse_condition,
)

DOC = {"eigenvalues": {"top": [{"value": 3.0, "residual": 1e-9}, {"value": 1.5, "residual": 0.0}]},
       "L2": {"value": 3.0}, "grad_density": None, "problem": {"model": "mlp"}, "flag": True}


@pytest.mark.parametrize("text,value,holds", [
    ("eigenvalues.top[0].value > 2", 3.0, True),
    ("eigenvalues.top.0.value > 2", 3.0, True),
    ("eigenvalues.top[1].value<=1.5", 1.5, True),
    ("eigenvalues.top[1].value < 1.5", 1.5, False),
    ("L2.value == 3", 3.0, True),
    ("L2.value != 3", 3.0, False),
    ("L2.value >= 3.0000001", 3.0, False),
    ("eigenvalues.top[0].residual < 1e-8", 1e-9, True),
    ("L2.value > -inf", 3.0, True),
])
def test_conditions_evaluate(text, value, holds):
    assert parse_condition(text).holds(DOC) == (holds, value)


@pytest.mark.parametrize("text", [
    "L2.value >> 3", "L2.value > ", "> 3", "L2.value > 3 or 1", "__import__('os').system('x') > 1",
    "L2.value > 1e", "L2.value > nan", "L2..value > 1", "L2.value[0 > 1", "L2.value ~= 1",
])
def test_malformed_expressions_are_usage_errors(text):
    with pytest.raises(FailIfSyntaxError) as info:
        parse_condition(text)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("text,message", [
    ("noise.x > 1", "no 'noise'"),
    ("eigenvalues.top[5].value > 1", "no 'eigenvalues.top.5'"),
    ("grad_density > 0.1", "null"),
    ("problem.model > 1", "not a number"),
    ("flag == 1", "not a number"),
])
def test_missing_null_or_non_numeric_values_are_errors(text, message):
    with pytest.raises(FailIfValueError, match=message):
        parse_condition(text).holds(DOC)


def test_failing_conditions_lists_those_that_hold():
    conditions = [parse_condition("L2.value > 1"), parse_condition("L2.value > 5")]
    assert failing_conditions(conditions, DOC) == ["L2.value > 1 (value 3)"]
    assert math.isinf(parse_condition("L2.value < inf").number)


def test_a_path_outside_every_section_is_refused_up_front():
    check_sections([parse_condition("L2.value > 1"), parse_condition("eigenvalues.top.0.value > 1")], list(DOC))
    with pytest.raises(FailIfValueError, match="no section 'l2'"):
        check_sections([parse_condition("l2.value > 1")], list(DOC))


def test_check_paths_follows_the_schema():
    """Refused: below a leaf, past a list's known length, ending on a non-number. Allowed: a key of
    digits in an object (`gamma_star.1`), and any path the schema does not describe (checked later)."""
    from hessdiag.sections import schema

    def check(text, top_k=3):
        check_paths([parse_condition(text)], schema(), {"top_k": top_k})

    check("eigenvalues.top[2].value > 1")
    check("noise.batch_size.gamma_star.1.value > 0.5")
    check("rho_diag.per_layer.layer0.estimate > 0")
    for text, fragment in [("eigenvalues.top[3].value > 1", "at most 3 entries (--top-k 3)"),
                           ("L2.residual.x > 1", "nothing below it"), ("trace > 1", "is an object")]:
        with pytest.raises(FailIfValueError, match=r".*") as info:
            check(text)
        assert fragment in str(info.value)
