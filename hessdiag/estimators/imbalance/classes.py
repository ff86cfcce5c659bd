"""Class imbalance of a classification problem and how it shows in the loss and the gradient.

Kunstner, Yadav, Milligan, Schmidt & Bietti ("Heavy-tailed class imbalance and why Adam outperforms
gradient descent on language models", 2024) find that with many rare classes gradient descent makes
slow progress on the rare ones — their share of the gradient and of the curvature scales with their
frequency π_c, so one step size cannot suit both ends — while Adam and sign descent, which normalise
per coordinate, reduce all classes' losses alike. What is measured here, on the selection:

- class counts N_c and frequencies π_c = N_c/N (with the binomial standard error √(π(1−π)/N));
- over the C classes present (a class the selection lacks is counted in `classes`, not here):
  `imbalance_ratio` π_max/π_min, the normalised entropy H(π)/log C (1 = balanced among them) and the
  `tail_share`, the share of samples in the rarer half of them;
- per-class mean losses R_c = (1/N_c) Σ_{n∈c} ℓ_n (± their standard error) and per-class gradient norms
  ‖∇R_c‖, ∇R_c = (1/N_c) Σ_{n∈c} ∇ℓ_n (exact on the selection; π_c ∇R_c is class c's share of ∇R);
- `loss_frequency_correlation`: Spearman's rank correlation of π_c with R_c over the classes present
  (negative: rare classes keep higher losses, the signature of the slow rare-class progress).

Classes are the labels of `ce`, or the two values of a single-output `bce` with 0/1 targets; other
problems have no classes (the result says why).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch.func import grad, vmap

from ...load.problem import Batch, Problem
from ...operators.reduction import reduce_sum


@dataclass(frozen=True)
class ClassStatistics:
    counts: list[int]
    frequencies: list[float]
    frequency_stderr: list[float]
    losses: list[float | None]
    loss_stderr: list[float | None]
    grad_norms: list[float | None]
    imbalance_ratio: float | None
    normalised_entropy: float | None
    tail_share: float | None
    loss_frequency_correlation: float | None

    def as_dict(self) -> dict:
        return {"classes": len(self.counts), "present": sum(c > 0 for c in self.counts), "counts": self.counts,
                "frequencies": self.frequencies, "frequency_stderr": self.frequency_stderr,
                "per_class_loss": self.losses, "per_class_loss_stderr": self.loss_stderr,
                "per_class_grad_norm": self.grad_norms, "imbalance_ratio": self.imbalance_ratio,
                "normalised_entropy": self.normalised_entropy, "tail_share": self.tail_share,
                "loss_frequency_correlation": self.loss_frequency_correlation}


def class_labels(problem: Problem, batch: Batch) -> tuple[Tensor, int] | None:
    """(labels (b,), number of classes) for a classification batch, None for other problems."""
    if problem.loss.name == "ce":
        return batch.y.to(torch.int64), problem.row_output_shape[-1]
    if problem.loss.name == "bce" and batch.y.ndim == 2 and batch.y.shape[1] == 1:
        y = batch.y[:, 0]
        if bool(torch.all((y == 0) | (y == 1))):
            return y.to(torch.int64), 2
    return None


def no_classes_reason(problem: Problem) -> str | None:
    """Why the problem has no classes (None when it has)."""
    first = next(problem.iter_batches())
    if class_labels(problem, first) is None:
        return f"loss '{problem.loss.name}' with these targets has no class labels (ce, or bce with one 0/1 output)"
    return None


def _indicator(batch: Batch, labels: Tensor, classes: int) -> Tensor:
    """[y_n = c] for the batch's real rows (padded rows, w = 0, are all zero), float64 (b, C)."""
    real = (batch.w > 0).to(torch.float64)
    return torch.nn.functional.one_hot(labels, classes).to(torch.float64) * real[:, None]


def _per_batch(problem: Problem, batch: Batch, labels: Tensor, classes: int) -> tuple[Tensor, ...]:
    """This batch's Σ w_n [y_n = c] (count weights), Σ w ℓ, Σ w ℓ², and Σ w ∇ℓ per class (C, d)."""
    onehot = _indicator(batch, labels, classes)
    weights = (onehot * batch.w.to(torch.float64)[:, None]).T.to(problem.dtype)  # (C, b)
    with torch.no_grad():
        losses = problem.per_sample_losses(problem.params, batch).to(torch.float64)

    def weighted(params: dict[str, Tensor], w: Tensor) -> Tensor:
        return (w * problem.per_sample_losses(params, batch)).sum()

    grads = vmap(grad(weighted), in_dims=(None, 0))(problem.params, weights)
    flat = problem.layout.flatten({n: g.reshape(classes, -1) for n, g in grads.items()}, batch_dims=1)
    return onehot.sum(0), onehot.T @ losses, onehot.T @ losses**2, flat.to(torch.float64)


def class_counts(problem: Problem) -> list[int] | None:
    """N_c over the selection (summed over ranks) from the labels alone, with no forward pass; None when a batch
    has no class labels. The cheap path to π_max/π_min where the `imbalance` section did not run."""
    count, labelled = None, True
    for batch in problem.iter_batches():
        found = class_labels(problem, batch)
        if found is None:
            labelled = False  # no early return: every rank reaches the reduction below
            continue
        part = _indicator(batch, *found).sum(0)
        count = part if count is None else count + part
    if count is None:
        return None
    return _whole(reduce_sum(count)) if labelled else None


def _whole(count: Tensor) -> list[int]:
    """Summed 0/1 indicators as the integers they are."""
    return [int(round(float(c))) for c in count]


def imbalance_ratio(frequencies: np.ndarray) -> float | None:
    """π_max/π_min over the classes present (counts serve as well as frequencies); None with fewer than two."""
    present = frequencies[frequencies > 0]
    return float(present.max() / present.min()) if present.size >= 2 else None


def class_statistics(problem: Problem) -> ClassStatistics:
    """The statistics above for a classification problem (raises ValueError for others)."""
    count = loss_sum = loss_sq = gsum = None
    for batch in problem.iter_batches():
        found = class_labels(problem, batch)
        if found is None:
            raise ValueError(no_classes_reason(problem) or "no class labels")
        parts = _per_batch(problem, batch, *found)
        if count is None:
            count, loss_sum, loss_sq, gsum = parts
        else:
            count, loss_sum, loss_sq, gsum = (a + b for a, b in zip((count, loss_sum, loss_sq, gsum), parts))
    count, loss_sum, loss_sq, gsum = (reduce_sum(t) for t in (count, loss_sum, loss_sq, gsum))  # over ranks
    n = problem.n_samples
    counts = _whole(count)
    freq = np.array(counts, dtype=np.float64) / n
    losses, loss_se, norms = [], [], []
    for c, nc in enumerate(counts):
        if nc == 0:
            losses.append(None), loss_se.append(None), norms.append(None)
            continue
        mean = float(loss_sum[c]) / nc
        var = max(float(loss_sq[c]) / nc - mean**2, 0.0)
        losses.append(mean)
        loss_se.append(math.sqrt(var / (nc - 1)) if nc > 1 else None)
        # gsum[c] = Σ_{n∈c} ∇ℓ_n / N = π_c ∇R_c
        norms.append(float(gsum[c].norm()) / float(freq[c]))
    return ClassStatistics(counts, freq.tolist(), np.sqrt(freq * (1 - freq) / n).tolist(), losses, loss_se, norms,
                           *_summaries(freq, losses))


def _summaries(freq: np.ndarray, losses: list[float | None]) -> tuple[float | None, ...]:
    present = freq[freq > 0]
    ratio = imbalance_ratio(freq)
    if ratio is None:
        return None, None, None, None
    entropy = float(-(present * np.log(present)).sum() / math.log(present.size))
    ordered = np.sort(present)
    tail = float(ordered[: present.size // 2].sum())
    pairs = [(f, loss) for f, loss in zip(freq, losses) if f > 0 and loss is not None]
    corr = None
    if len(pairs) >= 3 and len({p[0] for p in pairs}) > 1 and len({p[1] for p in pairs}) > 1:
        from scipy.stats import spearmanr  # here: scipy.stats takes about a second to import

        corr = float(spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic)
    return ratio, entropy, tail, corr
