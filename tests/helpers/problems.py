"""Build hessdiag problems from the plain-data cases."""

from __future__ import annotations

from hessdiag.load import problem_from_objects

from .cases import Case


def problem_for(case: Case, batch_size: int | None = None, dtype: str = "float64"):
    model, x, y = case.build()
    return problem_from_objects(model, x, y, case.loss, batch_size=batch_size, dtype=dtype, device="cpu")
