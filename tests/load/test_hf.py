"""`--model hf:DIR`: a tiny BERT written by `save_pretrained` is rebuilt offline by the task's `AutoModelFor…`.

The same weights built in memory and diagnosed through `hessdiag.diagnose` must give the same report
(loss to 1e-12, top eigenvalue to 1e-10 relative: one float64 computation on the same weights and the
same mapping inputs, twice). A directory without the task's head gets it initialised under the run's
seed (said in the warnings), and the same seed gives the same head; a bad task or directory is refused.
"""

from __future__ import annotations

import pytest
import torch

from hessdiag import api
from hessdiag.errors import ConfigError, ModelError
from hessdiag.load import make_settings

QUICK = dict(only=["spectrum"], top_k=1, tol=1e-10, exact_max_d=0, trace_matvecs=8, slq_probes=2, slq_steps=8,
             quiet=True, dtype="float64", device="cpu")


def _transformers():
    """The classes the tests use, resolved while torchvision is hidden (transformers imports lazily)."""
    import importlib.util
    from types import SimpleNamespace

    if importlib.util.find_spec("transformers") is None:
        pytest.skip("transformers is not installed (the hf extra)")

    from hessdiag.load.hf import without_torchvision

    with without_torchvision():
        import transformers

        names = ("BertConfig", "BertForSequenceClassification", "BertModel")
        return SimpleNamespace(**{name: getattr(transformers, name) for name in names})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    transformers = _transformers()
    root = tmp_path_factory.mktemp("hf")
    config = transformers.BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=12, max_position_embeddings=16, num_labels=3)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = transformers.BertForSequenceClassification(config).eval()
        base = transformers.BertModel(config)
    model.save_pretrained(root / "classifier")
    base.save_pretrained(root / "encoder")
    g = torch.Generator().manual_seed(1)
    mask = torch.ones(6, 5, dtype=torch.int64)
    mask[::2, 3:] = 0
    x = {"input_ids": torch.randint(1, 20, (6, 5), generator=g) * mask, "attention_mask": mask}
    y = torch.randint(0, 3, (6,), generator=g)
    torch.save({"x": x, "y": y}, root / "tokens.pt")
    return root, x, y


def test_a_saved_model_is_rebuilt_with_the_same_weights(tiny):
    root, x, y = tiny
    transformers = _transformers()
    # the same products give the same Lanczos run: equal to rounding at any tolerance, so a loose one is enough
    quick = QUICK | {"tol": 1e-4}
    report = api.run(make_settings(model=f"hf:{root / 'classifier'}", data=str(root / "tokens.pt"), loss="ce",
                                   **quick))
    same = transformers.BertForSequenceClassification.from_pretrained(root / "classifier", attn_implementation="eager")
    direct = api.diagnose(same, (x, y), "ce", **{k: v for k, v in quick.items() if k != "quiet"})
    assert report.problem.model.startswith("hf:classifier (BertForSequenceClassification, task sequence-classification")
    assert report.problem.loss_value == pytest.approx(direct.problem.loss_value, rel=1e-12)
    assert report.spectrum.top.values[0].value == pytest.approx(direct.spectrum.top.values[0].value, rel=1e-10)
    assert not any("initialised at random" in w for w in report.warnings)


def test_a_missing_head_is_seeded_and_said(tiny):
    root, _, _ = tiny
    settings = dict(model=f"hf:{root / 'encoder'}", hf_task="sequence-classification", data=str(root / "tokens.pt"),
                    loss="ce", **(QUICK | {"only": ["noise"]}))  # the loss and the warning are the point
    first, again = api.run(make_settings(**settings)), api.run(make_settings(**settings))
    note = next(w for w in first.warnings if "initialised at random (seed 0)" in w)
    assert "classifier.weight" in note
    assert first.problem.loss_value == again.problem.loss_value


def test_bad_tasks_and_directories_are_refused(tiny, tmp_path):
    root, _, _ = tiny
    with pytest.raises(ConfigError, match="unknown --hf-task"):
        api.run(make_settings(model=f"hf:{root / 'classifier'}", hf_task="translation", data=str(root / "tokens.pt"),
                              loss="ce", **QUICK))
    with pytest.raises(ConfigError, match="names no task head"):
        api.run(make_settings(model=f"hf:{root / 'encoder'}", data=str(root / "tokens.pt"), loss="ce", **QUICK))
    with pytest.raises(ModelError, match="no config.json"):
        api.run(make_settings(model=f"hf:{tmp_path}", data=str(root / "tokens.pt"), loss="ce", **QUICK))
    with pytest.raises(ConfigError, match="--hf-task needs --model hf:DIR"):
        api.run(make_settings(model="nowhere:factory", hf_task="causal-lm", data=str(root / "tokens.pt"), loss="ce",
                              **QUICK))
