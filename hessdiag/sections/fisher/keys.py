"""The JSON key of the fisher section: its title and schema fragment, over the registered matrices."""

from __future__ import annotations

from ...operators import compared_matrices
from ...report.schema import EST, LENGTH_SETTING, NUM, RITZ, nullable, obj
from ...report.section import Key


def _per_matrix(schema) -> dict:
    return obj({matrix.name: schema for matrix in compared_matrices()})


KEYS = {
    "fisher": Key("Fisher, empirical Fisher, GGN", obj({
        "top": _per_matrix({"type": ["array", "null"], "items": RITZ, LENGTH_SETTING: "top_k"}),
        "trace": _per_matrix(nullable(EST)),
        "EF_over_F_trace": NUM,
        "rel_fro": obj({"EF_vs_F": nullable(EST), "F_vs_H": nullable(EST)}),
        "overlap": {"type": ["object", "null"]},
        "cos_precond_F_EF": obj({"value": NUM, "damping": NUM}),
        "residual_size": NUM})),
}
