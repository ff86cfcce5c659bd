"""Spectra of the diagonal blocks H_BB of the Hessian, one per parameter block (Zhang et al., 2024).

A parameter block B is one trainable tensor (the `ParamLayout` blocks); H_BB = E_Bᵀ H E_B is the
Hessian restricted to it (E_B: the coordinates of B). For each block we want its top eigenvalue with a
certified residual and its spectral measure μ_B = (1/|B|) Σ_i δ_{λ_i(H_BB)}:

- from the dense Hessian (small d), or for a small block from its |B| columns (|B| products): exactly,
  by `eigh` of H_BB (`method` "exact");
- otherwise by Lanczos on the map v ↦ E_Bᵀ H E_B v, which needs one Hessian product per step: all
  blocks' recurrences (`probes` Rademacher starts each, supported on the block) run in lockstep, so
  each step is ONE batched product of every active recurrence (`Lanczos` from `hessdiag.linalg`), and
  each product is masked back to the recurrence's block. A recurrence supported on B stays on B
  (products are masked, re-orthogonalisation is against its own basis). Each start gives a Gauss rule
  of μ_B (nodes θ_j, weights τ_j = s_{1j}²; Golub & Meurant 2010, as in SLQ) and Ritz values; the
  reported top is the largest Ritz value over the block's probes with its residual |β_m s_{m,i}| plus
  the rounding allowance m·ε·max|θ| (as `linalg.eigen`): some eigenvalue of H_BB lies within it.

A block whose Hessian vanishes (an unused parameter) has the exact spectrum {0}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from scipy.linalg import eigh_tridiagonal
from torch import Tensor

from ...linalg import CountedProducts, Lanczos, RitzValue, as_linear_map, columns, rademacher
from ...linalg.lanczos import NextBlock


@dataclass
class BlockSpectrum:
    """One block's top eigenvalue and spectral measure (one Gauss rule per probe; one exact rule)."""

    name: str
    numel: int
    top: RitzValue
    nodes: list[np.ndarray]
    weights: list[np.ndarray]
    method: str  # "exact" or "lanczos"
    steps: int = 0
    notes: list[str] = field(default_factory=list)

    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        """All probes' nodes with weights summing to 1."""
        k = len(self.nodes)
        return np.concatenate(self.nodes), np.concatenate([w / k for w in self.weights])

    def as_dict(self) -> dict[str, Any]:
        nodes, weights = self.pooled()
        return {"name": self.name, "numel": self.numel, "top": {"value": self.top.value, "residual": self.top.residual},
                "mean_abs_eigenvalue": float(np.sum(weights * np.abs(nodes))), "method": self.method,
                "probes": 0 if self.method == "exact" else len(self.nodes), "steps": self.steps}


def _exact(name: str, block: np.ndarray, unit_roundoff: float) -> BlockSpectrum:
    sym = 0.5 * (block + block.T)
    values = np.linalg.eigvalsh(sym) if sym.size else np.zeros(0)
    scale = float(np.max(np.abs(values))) if values.size else 0.0
    top = RitzValue(float(values[-1]), sym.shape[0] * unit_roundoff * scale)
    return BlockSpectrum(name, sym.shape[0], top, [values], [np.full(values.shape, 1.0 / values.size)], "exact")


def _top_of_rules(alphas: list[float], betas: list[float],
                  unit_roundoff: float) -> tuple[np.ndarray, np.ndarray, RitzValue]:
    """Gauss rule (nodes, weights) of one recurrence and its top Ritz value with the residual bound;
    `betas` holds the m − 1 couplings and, last, the residual coupling β_m of the final step."""
    a = np.array(alphas)
    beta_last = betas[a.size - 1] if len(betas) >= a.size else 0.0
    if a.size == 1:
        return a, np.ones(1), RitzValue(float(a[0]), abs(beta_last) + unit_roundoff * abs(float(a[0])))
    theta, s = eigh_tridiagonal(a, np.array(betas[: a.size - 1]))
    scale = float(np.max(np.abs(theta)))
    residual = abs(beta_last * s[-1, -1]) + a.size * unit_roundoff * scale
    return theta, s[0, :] ** 2, RitzValue(float(theta[-1]), float(residual))


def _lockstep(products: CountedProducts, starts: Tensor, owners: list[int], masks: Tensor,
              limits: list[int]) -> list[tuple[list[float], list[float]]]:
    """Lanczos from each column of `starts` (d, g); recurrence j runs at most limits[j] steps and its
    products are masked to the block owners[j] (masks: (n_blocks, d) 0/1). The last β of each
    recurrence is kept (betas has one more entry than the off-diagonal) for its residual."""
    owner = torch.tensor(owners, device=starts.device)
    active = list(range(starts.shape[1]))

    def masked(vectors: Tensor) -> Tensor:  # (d, a) → (d, a), columns in the order of `active`
        return products(vectors) * masks[owner[active]].T

    run = Lanczos(products, starts, basis_dtype=products.map.dtype)
    run.products = masked  # type: ignore[assignment]  # every product is masked to its block
    finished_beta = [0.0] * starts.shape[1]
    scale = 0.0
    step = 0
    while active:
        blocks = run.step(active)
        betas = [float(w.norm()) for _, w in blocks]
        step += 1
        scale = max(scale, max(abs(float(a[0, 0])) for a, _ in blocks), max(betas))
        keep = []
        for i, j in enumerate(active):
            if step < limits[j] and betas[i] > 1e-12 * max(scale, 1e-300):
                keep.append(i)
            else:
                finished_beta[j] = betas[i]  # the residual coupling of the last step
        for i in keep:
            run.runs[active[i]].advance(NextBlock(blocks[i][1] / betas[i], np.array([[betas[i]]]), 0.0, 0))
        active = [active[i] for i in keep]
    return [(alphas, betas + [finished_beta[j]]) for j, (alphas, betas) in enumerate(zip(run.alphas, run.betas))]


def block_spectra(operator: Any, blocks: list[tuple[str, int, int]], *, dense: np.ndarray | None = None,
                  steps: int = 20, probes: int = 2, generator: torch.Generator,
                  unit_roundoff: float = 2.2e-16) -> list[BlockSpectrum]:
    """Spectra of H_BB for `blocks` = [(name, offset, numel)] of a symmetric map of dimension d.

    Exact when `dense` is given or when |B| ≤ steps·probes (|B| columns, no more products than
    Lanczos would take); otherwise `probes` Lanczos recurrences of at most `steps` steps per block, all
    blocks in lockstep. The Lanczos path's rounding allowance uses `unit_roundoff` (the products' ε).
    """
    linear_map = as_linear_map(operator)
    out: dict[int, BlockSpectrum] = {}
    small = [i for i, (_, _, n) in enumerate(blocks) if dense is not None or n <= steps * probes]
    if small:
        if dense is None:
            idx = np.concatenate([np.arange(blocks[i][1], blocks[i][1] + blocks[i][2]) for i in small])
            cols = columns(linear_map, idx)
            pos = 0
        for i in small:
            name, offset, n = blocks[i]
            if dense is not None:
                sub = dense[offset:offset + n, offset:offset + n]
            else:
                sub, pos = cols[offset:offset + n, pos:pos + n], pos + n
            out[i] = _exact(name, np.asarray(sub, dtype=np.float64), unit_roundoff)
    large = [i for i in range(len(blocks)) if i not in out]
    if large:
        d = linear_map.d
        masks = torch.zeros(len(blocks), d, dtype=torch.float64, device=linear_map.device)
        starts, owners, limits = [], [], []
        for i in large:
            name, offset, n = blocks[i]
            masks[i, offset:offset + n] = 1.0
            z = torch.zeros(d, probes, dtype=torch.float64, device=linear_map.device)
            z[offset:offset + n] = rademacher(n, probes, generator, linear_map.device).to(torch.float64)
            starts.append(z)
            owners += [i] * probes
            limits += [min(steps, n)] * probes
        rules = _lockstep(CountedProducts(linear_map), torch.cat(starts, dim=1), owners, masks, limits)
        for k, i in enumerate(large):
            name, offset, n = blocks[i]
            got = [_top_of_rules(*rules[k * probes + p], unit_roundoff) for p in range(probes)]
            top = max((r for _, _, r in got), key=lambda r: r.value)
            out[i] = BlockSpectrum(name, n, top, [g[0] for g in got], [g[1] for g in got], "lanczos",
                                   max(len(rules[k * probes + p][0]) for p in range(probes)))
    return [out[i] for i in range(len(blocks))]
