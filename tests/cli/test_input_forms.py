"""Issue 13's input forms through `hessdiag run`: checkpoints as `.safetensors`, a sharded safetensors
directory and a Lightning `.ckpt` written by a real `Trainer` + `ModelCheckpoint`; data from a
`Dataset` of mapping items, a (shuffling) `DataLoader`, a `DataLoader` with dynamic padding and a
Hugging-Face-style column dataset.

Every form of the same weights and data must give the same report numbers as the plain form
(`ckpt.pt`, `data.pt`, `tokens.pt`): the eigenvalues are compared to a relative 1e-10 — the same
float64 computation, whose only difference is the order of batched sums (ragged batches).
"""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from helpers.forms_workspace import build_forms_workspace, write_lightning_checkpoint
from hessdiag.cli import app

runner = CliRunner()
MLP = ["--model", "userforms:mlp", "--data", "data.pt", "--loss", "ce"]
TAGGER = ["--model", "userforms:tagger", "--loss", "token_ce"]
QUICK = ["--only", "spectrum", "--top-k", "2", "--tol", "1e-10", "--exact-max-d", "0", "--quiet"]


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    return build_forms_workspace(tmp_path_factory.mktemp("forms"))


def _report(forms, monkeypatch, *args) -> dict:
    monkeypatch.chdir(forms)
    out = forms / "out.json"
    result = runner.invoke(app, ["run", *args, *QUICK, "--json", str(out)])
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(out.read_text())


def _top(doc: dict) -> list[float]:
    return [entry["value"] for entry in doc["eigenvalues"]["top"]]


def _same(a: dict, b: dict) -> None:
    assert _top(a) == pytest.approx(_top(b), rel=1e-10)
    assert a["problem"]["loss_value"] == pytest.approx(b["problem"]["loss_value"], rel=1e-12)


@pytest.mark.parametrize("data", ["userforms:ragged_loader", "userforms:token_dataset"])
@pytest.mark.parametrize("loss", ["token_ce", "next_token_ce"])
def test_the_sampled_fisher_draws_the_same_labels_from_every_token_data_form(forms, monkeypatch, data, loss):
    """F_mc draws its labels over all rows at once. The batches of a DataLoader that pads each to its own
    length could not be joined for it, so the fisher section (in every default run) ended in an internal
    error on them. The rows are now padded to the longest sequence (ignored positions) for the draw and
    cropped back: the labels, and with them F_mc's eigenvalues and trace (dense, d = 51), are those of the
    same tokens in one padded tensor."""
    monkeypatch.chdir(forms)
    docs = []
    for source in (data, "tokens.pt"):
        out = forms / "fisher.json"
        result = runner.invoke(app, ["run", "--model", "userforms:tagger", "--loss", loss, "--data", source, "--only",
                                     "fisher", "--top-k", "2", "--quiet", "--json", str(out)])
        assert result.exit_code == 0, result.stderr + result.stdout
        docs.append(json.loads(out.read_text())["fisher"])
    tops = [[entry["value"] for entry in doc["top"]["F_mc"]] for doc in docs]
    assert tops[0] == pytest.approx(tops[1], rel=1e-10)
    assert docs[0]["trace"]["F_mc"]["estimate"] == pytest.approx(docs[1]["trace"]["F_mc"]["estimate"], rel=1e-10)


@pytest.mark.parametrize("checkpoint, form", [("mlp.safetensors", "safetensors"),
                                              ("sharded", "sharded (2 shards"),
                                              ("sharded/model.safetensors.index.json", "sharded (2 shards")])
def test_safetensors_checkpoints(forms, monkeypatch, checkpoint, form):
    plain = _report(forms, monkeypatch, *MLP, "--checkpoint", "ckpt.pt")
    doc = _report(forms, monkeypatch, *MLP, "--checkpoint", checkpoint)
    _same(doc, plain)
    assert doc["settings"]["loaded"]["checkpoint"]["format"].startswith(form)


def test_lightning_checkpoint_written_by_a_trainer(forms, monkeypatch):
    """The LightningModule holds the factory's network as `self.net`: the one prefix 'net.' is stripped
    (and said), the trainer's other entries are named as skipped, and the weights are the trained ones."""
    ckpt = write_lightning_checkpoint(forms)
    raw = torch.load(ckpt, weights_only=True)
    torch.save({k.removeprefix("net."): v for k, v in raw["state_dict"].items()}, forms / "trained.pt")
    doc = _report(forms, monkeypatch, *MLP, "--checkpoint", str(ckpt))
    _same(doc, _report(forms, monkeypatch, *MLP, "--checkpoint", "trained.pt"))
    loaded = doc["settings"]["loaded"]["checkpoint"]
    assert loaded["prefix"] == "net." and loaded["format"] == "Lightning checkpoint"
    assert {"epoch (int)", "optimizer_states (list)", "hyper_parameters (dict)"} <= set(loaded["skipped"])
    note = next(w for w in doc["warnings"] if "stripping the prefix 'net.'" in w)
    assert "non-tensor entries skipped" in note


@pytest.mark.parametrize("data, how", [("userforms:pairs_loader", "concatenated once"),
                                       ("userforms:pairs_tensors", None)])
def test_a_shuffling_dataloader_is_read_in_order(forms, monkeypatch, data, how):
    plain = _report(forms, monkeypatch, *MLP, "--checkpoint", "ckpt.pt")
    args = [a if a != "data.pt" else data for a in MLP]
    doc = _report(forms, monkeypatch, *args, "--checkpoint", "ckpt.pt", "--samples", "40")
    _same(doc, plain)
    assert (how is None) == ("data" not in doc["settings"].get("loaded", {}))
    if how:
        assert how in doc["settings"]["loaded"]["data"]


@pytest.mark.parametrize("data, how", [("userforms:token_dataset", None),
                                       ("userforms:ragged_loader", "different shapes"),
                                       ("userforms:hf_dataset", "left out: text")])
def test_token_data_forms(forms, monkeypatch, data, how):
    """Mapping items with `labels`, dynamically padded loader batches (kept as they come) and columns."""
    plain = _report(forms, monkeypatch, *TAGGER, "--data", "tokens.pt")
    doc = _report(forms, monkeypatch, *TAGGER, "--data", data)
    _same(doc, plain)
    assert doc["settings"]["objective"]["normaliser"] == plain["settings"]["objective"]["normaliser"]
    if how:
        assert how in doc["settings"]["loaded"]["data"]
    assert any("treat each sequence as one sample" in w for w in doc["warnings"])
