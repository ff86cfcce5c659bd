"""The section registry (issue 12): a new section is one module and one registration, and it appears in
`--only`, the JSON document, the schema, the terminal output and the HTML page; the registered
sections' keys are unique, and an unknown section is refused before any work."""

from __future__ import annotations

import json
from dataclasses import dataclass

import jsonschema
import pytest
from typer.testing import CliRunner

from hessdiag import sections
from hessdiag.cli import app
from hessdiag.errors import ConfigError
from hessdiag.report.schema import NUM, obj
from hessdiag.report.section import Key, Results, Section


@dataclass(frozen=True)
class LossValue:
    value: float


def _compute(work, results: Results) -> LossValue:
    return LossValue(work.loss_and_gradient.loss)


# The whole toy section: one declaration (it would be one module) and one registration below.
TOY = Section(
    name="loss_check", title="Loss value", keys={"loss_check": Key("Loss value (toy section)", obj({"value": NUM}))},
    compute=_compute, to_json=lambda r: {"loss_check": {"value": r.value}},
    render_terminal=lambda r, console: console.print(f"toy section: loss R(θ) = {r.value:.6g}"),
    key_numbers=lambda r: [("toy loss", f"{r.value:.6g}")])


@pytest.fixture
def toy():
    with sections.registered(TOY):
        yield TOY


def test_a_registered_section_appears_everywhere(toy, tmp_path):
    assert "loss_check" in sections.selectable()
    schema = sections.schema()
    assert "loss_check" in schema["required"]
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    result = CliRunner().invoke(app, ["run", "--only", "spectrum,loss_check", "--top-k", "1", "--race-steps", "0",
                                      "--json", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["loss_check"]["value"] == pytest.approx(doc["problem"]["loss_value"], rel=1e-12)
    assert doc["noise"] is None and doc["eigenvalues"] is not None
    assert doc["settings"]["only"] == ["spectrum", "loss_check"]
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    assert "toy section: loss R(θ) =" in result.output
    html = page.read_text()
    assert "Loss value (toy section)" in html and "toy loss" in html


def test_the_section_alone_and_the_schema_without_it(toy):
    result = CliRunner().invoke(app, ["run", "--only", "loss_check", "--quiet"])
    assert result.exit_code == 0, result.output
    sections.unregister(toy.name)
    try:
        assert "loss_check" not in sections.schema()["properties"]
    finally:
        sections.register(toy)


def test_names_and_keys_are_unique(toy):
    with pytest.raises(ValueError, match="registered twice"):
        sections.register(TOY)
    clash = Section(name="other", title="x", keys={"trace": Key("x", NUM)}, compute=_compute, to_json=dict)
    with pytest.raises(ValueError, match="another section owns"):
        sections.register(clash)
    keys = [key for s in sections.sections() for key in s.keys]
    assert len(keys) == len(set(keys))


def test_unknown_sections_are_refused_before_any_work():
    with pytest.raises(ConfigError, match="unknown section"):
        sections.resolve_only(["spectrum", "curvature"])
    result = CliRunner().invoke(app, ["run", "--only", "spectra"])
    assert result.exit_code == 1 and "unknown section(s) spectra" in result.output


def test_the_order_of_the_stages():
    names = [s.name for s in sections.sections()]
    assert names[-1] == "recommendation" and "recommendation" not in sections.selectable()
    assert sections.resolve_only(None) == ("spectrum", "geometry", "noise", "fisher", "preconditioning", "imbalance",
                                           "blocks")
    assert sections.resolve_only(["fisher", "spectrum"]) == ("spectrum", "fisher")
    assert sections.unfilled(["geometry"]) >= {"eigenvalues", "trace", "noise", "fisher"}
    assert "L2" not in sections.unfilled(["geometry"])  # geometry fills L2 when spectrum does not run
