"""The oracle count of scripts/_krylov_oracle.py (issue 14's benchmark) on dense float64 spectra.

Known answers: replaying a recorded Lanczos run gives, after its last product, the top Ritz value the run
itself reported; the replayed values never decrease (maxima of the Rayleigh quotient over growing
subspaces) and never pass λ_max; a run started on the top eigenvector is within any target after one
product; and the oracle never comes after the run's own certified stop when the target is the run's
certified bar.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from _krylov_oracle import RecordedMap, first_within, gradient_overlap, top_ritz_values  # noqa: E402

from hessdiag.linalg.eigen import extreme_eigenpairs  # noqa: E402
from hessdiag.linalg.linear_map import DenseMap  # noqa: E402


def _rotated(eigenvalues: np.ndarray, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((eigenvalues.size, eigenvalues.size)))
    return torch.from_numpy(q @ np.diag(eigenvalues) @ q.T), torch.from_numpy(q)


SPECTRA = {
    "gapped": np.r_[10.0, np.linspace(-2.0, 5.0, 59)],
    "close": np.r_[1.0, 0.97, 0.95, np.linspace(-0.3, 0.6, 77)],
    "indefinite": np.r_[3.0, -4.0, np.linspace(-1.0, 2.5, 48)],
}


@pytest.mark.parametrize("name", sorted(SPECTRA))
@pytest.mark.parametrize("block", [1, 2])
def test_replay_matches_the_run_and_dense_truth(name, block):
    values = SPECTRA[name]
    matrix, _ = _rotated(values, seed=3)
    recorded = RecordedMap(DenseMap(matrix))
    result = extreme_eigenpairs(recorded, 1, "largest", tol=1e-8, max_matvecs=60, block=block,
                                generator=torch.Generator().manual_seed(5))
    replay = top_ritz_values(recorded)
    counts = [n for n, _, _ in replay]
    thetas = np.array([theta for _, theta, _ in replay])
    assert counts[-1] == result.matvecs and counts == sorted(counts)
    assert thetas[-1] == pytest.approx(result.values[0].value, abs=1e-10)
    assert np.all(np.diff(thetas) >= -1e-10) and np.all(thetas <= values.max() + 1e-10)
    bar = result.values[0].residual / abs(result.values[0].value)
    first = first_within(recorded, float(values.max()), bar)
    assert first is not None and first[0] <= result.matvecs


def test_a_start_on_the_top_eigenvector_is_within_after_one_product():
    values = SPECTRA["close"]
    matrix, q = _rotated(values, seed=4)
    top = q[:, int(np.argmax(values))]
    recorded = RecordedMap(DenseMap(matrix))
    recorded.matmat(top[:, None])
    assert first_within(recorded, float(values.max()), 1e-12)[0] == 1
    assert gradient_overlap(2.0 * top, top) == pytest.approx(1.0)
    assert first_within(RecordedMap(DenseMap(matrix)), 1.0, 0.1) is None  # nothing recorded, nothing reached
