"""Data sets of the recommendation benchmark: (x, y) tensors, at most 2,500 samples each (2,000 until the sixteenth
round, whose matrix_completion_r8 observes 2,500 entries).

Synthetic sets are drawn from a `torch.Generator` seeded by the caller (never the global RNG);
the real ones are scikit-learn's bundled copies (no download). Inputs are float32 or int64 token
ids; targets are int64 class labels (ce) or float32 columns (N, 1) (mse, bce).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def breast_cancer(standardise: bool) -> tuple[Tensor, Tensor]:
    """scikit-learn's breast cancer set, 569 × 30, binary target as a float column.

    Raw features span about 1e-3 (smoothness) to 4e3 (area); standardised: zero mean, unit std."""
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    x = np.asarray(raw.data, dtype=np.float64)
    if standardise:
        x = (x - x.mean(axis=0)) / x.std(axis=0)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(raw.target, dtype=torch.float32)[:, None]


def digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8×8 digits, 1,797 × 64, pixels scaled to [0, 1], 10 classes."""
    from sklearn.datasets import load_digits

    raw = load_digits()
    return (torch.tensor(raw.data / 16.0, dtype=torch.float32),
            torch.tensor(raw.target, dtype=torch.int64))


def diabetes() -> tuple[Tensor, Tensor]:
    """scikit-learn's diabetes regression set, 442 × 10 (the bundled features: centred, scaled to unit
    norm per column), the target standardised to zero mean and unit std as a float column."""
    from sklearn.datasets import load_diabetes

    raw = load_diabetes()
    y = np.asarray(raw.target, dtype=np.float64)
    return (torch.tensor(raw.data, dtype=torch.float32),
            torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)[:, None])


def wine_raw() -> tuple[Tensor, Tensor]:
    """scikit-learn's wine set, 178 × 13, raw features (scales from about 0.1, hue, to 1.7e3, proline),
    3 classes."""
    from sklearn.datasets import load_wine

    raw = load_wine()
    return torch.tensor(raw.data, dtype=torch.float32), torch.tensor(raw.target, dtype=torch.int64)


def digits_reconstruction() -> tuple[Tensor, Tensor]:
    """The digits as their own targets (an autoencoder's reconstruction), 1,797 × 64 in [0, 1]."""
    x, _ = digits()
    return x, x.clone()


def digits_rotated(seed: int) -> tuple[Tensor, Tensor]:
    """The digits with their 64 pixels mixed by a seeded random orthogonal matrix Q (x ↦ xQ): the same
    distances and spectrum of xᵀx as `digits`, no coordinate aligned with a pixel."""
    x, y = digits()
    q = _orthonormal_columns(64, 64, torch.Generator().manual_seed(seed))
    return (x.double() @ q).float(), y


def _orthonormal_columns(n: int, d: int, gen: torch.Generator) -> Tensor:
    """An n × d matrix with orthonormal columns (QR of a Gaussian matrix), float64."""
    q, r = torch.linalg.qr(torch.randn(n, d, generator=gen, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))


def least_squares(seed: int, rotated: bool, n: int = 800, d: int = 40, cond: float = 1e3,
                  noise: float = 0.5) -> tuple[Tensor, Tensor]:
    """Linear regression y = X w* + noise·ε whose Hessian XᵀX/n has eigenvalues log-spaced from
    √cond to 1/√cond (condition number `cond`), exactly.

    X = √n · Z · diag(s) [· Qᵀ], Z with orthonormal columns; without rotation the Hessian is the
    diagonal diag(s²) (axis-aligned); with it, Q diag(s²) Qᵀ for a random orthogonal Q."""
    gen = torch.Generator().manual_seed(seed)
    z = _orthonormal_columns(n, d, gen) * math.sqrt(n)
    s = torch.logspace(0.25 * math.log10(cond), -0.25 * math.log10(cond), d, dtype=torch.float64)
    x = z * s
    if rotated:
        x = x @ _orthonormal_columns(d, d, gen).T
    w_star = torch.randn(d, 1, generator=gen, dtype=torch.float64)
    y = x @ w_star + noise * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    return x.float(), y.float()


def majority_tokens(seed: int, n: int = 2000, length: int = 16, vocab: int = 6) -> tuple[Tensor, Tensor]:
    """Sequences of uniform tokens; the class is the most frequent token (ties: the smallest id)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab, (n, length), generator=gen)
    counts = torch.nn.functional.one_hot(x, vocab).sum(dim=1)
    return x, counts.argmax(dim=1)


def first_token_memory(seed: int, n: int = 2000, length: int = 12, vocab: int = 8) -> tuple[Tensor, Tensor]:
    """Sequences of uniform tokens; the class is the first token (to be carried to the end)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab, (n, length), generator=gen)
    return x, x[:, 0].clone()


def zipf_documents(seed: int, n: int = 2000, length: int = 24, vocab: int = 2000,
                   classes: int = 40, topic_tokens: int = 20, topic_share: float = 0.25) -> tuple[Tensor, Tensor]:
    """Bag-of-words documents with heavy-tailed class and token frequencies (Kunstner et al. 2024).

    Class c has probability ∝ 1/(c+1) (Zipf). Each token is, with probability `topic_share`, one of
    the class's `topic_tokens` characteristic tokens (uniform; drawn from ids ≥ 100, so rarer ones),
    and otherwise a background token with probability ∝ 1/(t+1) over the vocabulary."""
    gen = torch.Generator().manual_seed(seed)
    p_class = 1.0 / torch.arange(1, classes + 1, dtype=torch.float64)
    y = torch.multinomial(p_class / p_class.sum(), n, replacement=True, generator=gen)
    topics = torch.stack([100 + torch.randperm(vocab - 100, generator=gen)[:topic_tokens]
                          for _ in range(classes)])
    p_token = 1.0 / torch.arange(1, vocab + 1, dtype=torch.float64)
    background = torch.multinomial(p_token / p_token.sum(), n * length, replacement=True,
                                   generator=gen).reshape(n, length)
    pick = torch.randint(0, topic_tokens, (n, length), generator=gen)
    topical = topics[y[:, None], pick]
    use_topic = torch.rand(n, length, generator=gen, dtype=torch.float64) < topic_share
    return torch.where(use_topic, topical, background), y


def teacher_regression(seed: int, n: int = 1000, d_in: int = 16, width: int = 32) -> tuple[Tensor, Tensor]:
    """Realisable, noiseless regression: x ∼ N(0, I), y = teacher(x), the teacher a tanh MLP
    d_in-width-width-1 with LeCun-normal weights drawn from `seed` (the student has its shape)."""
    from .models import build, mlp

    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d_in, generator=gen)
    teacher = build(lambda: mlp([d_in, width, width, 1], torch.nn.Tanh), seed=seed + 1, scheme="lecun")
    with torch.no_grad():
        return x, teacher(x)



def powerlaw_least_squares(seed: int, n: int = 1000, d: int = 200, power: float = 1.0) -> tuple[Tensor, Tensor]:
    """Noiseless least squares whose Hessian XᵀX/n = Q diag(i^(−power)) Qᵀ, i = 1..d, exactly, Q a
    random orthogonal matrix (a kernel-like power-law spectrum, dense); y = X w*, w* ∼ N(0, I)."""
    gen = torch.Generator().manual_seed(seed)
    z = _orthonormal_columns(n, d, gen) * math.sqrt(n)
    s = torch.arange(1, d + 1, dtype=torch.float64) ** (-power / 2)
    x = (z * s) @ _orthonormal_columns(d, d, gen).T
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64)).float()


def random_fourier_cancer(seed: int, features: int = 300) -> tuple[Tensor, Tensor]:
    """Breast cancer, standardised, mapped to `features` random Fourier features of a Gaussian kernel of
    bandwidth √30 (Rahimi & Recht 2007): z(x) = √(2/D) cos(xW + b), W ∼ N(0, 1/30), b ∼ U(0, 2π), drawn
    from `seed` — dense, correlated features for a linear (kernel) model; binary target as a float column."""
    x, y = breast_cancer(standardise=True)
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(x.shape[1], features, generator=gen, dtype=torch.float64) / math.sqrt(30.0)
    b = 2 * math.pi * torch.rand(features, generator=gen, dtype=torch.float64)
    z = math.sqrt(2.0 / features) * torch.cos(x.double() @ w + b)
    return z.float(), y


def low_rank_entries(seed: int, rows: int = 60, cols: int = 50, rank: int = 4, observed: int = 1500,
                     noise: float = 0.1) -> tuple[Tensor, Tensor]:
    """Matrix completion: M = A Bᵀ/√rank, A and B standard normal (entries of unit variance), `observed`
    distinct entries drawn uniformly without replacement, each target M_ij + noise·ε. Inputs: int64
    (i, j) rows; targets: a float column."""
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(rows, rank, generator=gen, dtype=torch.float64)
    b = torch.randn(cols, rank, generator=gen, dtype=torch.float64)
    m = a @ b.T / math.sqrt(rank)
    flat = torch.randperm(rows * cols, generator=gen)[:observed]
    i, j = flat // cols, flat % cols
    y = m[i, j] + noise * torch.randn(observed, generator=gen, dtype=torch.float64)
    return torch.stack([i, j], dim=1), y.float()[:, None]


def polynomial_diabetes() -> tuple[Tensor, Tensor]:
    """scikit-learn's diabetes with its 10 features and their 55 products of degree 2 (x_i x_j, i ≤ j), each of
    the 65 columns standardised; the target standardised as in `diabetes`: correlated real features for a
    linear model."""
    x, y = diabetes()
    x = x.double()
    i, j = torch.triu_indices(10, 10)
    z = torch.cat([x, x[:, i] * x[:, j]], dim=1)
    z = (z - z.mean(dim=0)) / z.std(dim=0, unbiased=False)
    return z.float(), y


def sparse_binary_classification(seed: int, n: int = 2000, d: int = 500, active: int = 10,
                                 teacher: int = 50) -> tuple[Tensor, Tensor]:
    """Sparse binary features with Zipf frequencies (feature t is drawn with probability ∝ 1/(t+1); each row
    has `active` draws, so at most that many ones) and a logistic teacher: w* zero but on `teacher` random
    features, N(0, 2²) there; y ∼ Bernoulli(σ(x·w*)), a float column. Rare features carry as much of w* as
    common ones (text-like data)."""
    gen = torch.Generator().manual_seed(seed)
    p = 1.0 / torch.arange(1, d + 1, dtype=torch.float64)
    idx = torch.multinomial(p / p.sum(), n * active, replacement=True, generator=gen).reshape(n, active)
    x = torch.zeros(n, d, dtype=torch.float64).scatter_(1, idx, 1.0)
    w = torch.zeros(d, dtype=torch.float64)
    w[torch.randperm(d, generator=gen)[:teacher]] = 2.0 * torch.randn(teacher, generator=gen, dtype=torch.float64)
    y = (torch.rand(n, generator=gen, dtype=torch.float64) < torch.sigmoid(x @ w)).double()
    return x.float(), y.float()[:, None]


def digits_raw() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8×8 digits with the raw pixel values 0..16 (unscaled; border pixels almost always 0)."""
    from sklearn.datasets import load_digits

    raw = load_digits()
    return torch.tensor(raw.data, dtype=torch.float32), torch.tensor(raw.target, dtype=torch.int64)


def motif_sequences(seed: int, n: int = 2000, length: int = 32, width: int = 5,
                    noise: float = 1.0) -> tuple[Tensor, Tensor]:
    """Sequences of N(0, noise²) values; in class 1 a fixed motif (a seeded unit-norm pattern of `width`, times 3)
    is added at a uniform random position; class 0 has none. Balanced classes, int64 labels."""
    gen = torch.Generator().manual_seed(seed)
    motif = torch.randn(width, generator=gen, dtype=torch.float64)
    motif = 3.0 * motif / motif.norm()
    x = noise * torch.randn(n, length, generator=gen, dtype=torch.float64)
    y = torch.arange(n) % 2
    y = y[torch.randperm(n, generator=gen)]
    pos = torch.randint(0, length - width + 1, (n,), generator=gen)
    for k in range(width):
        x[torch.arange(n), pos + k] += y.double() * motif[k]
    return x.float(), y


def anisotropic_gaussian(seed: int, n: int = 1000, d: int = 32) -> tuple[Tensor, Tensor]:
    """Gaussian inputs with covariance Q diag(σ²) Qᵀ, σ_i log-spaced from 3 to 0.03, Q a random rotation; the
    inputs are their own targets (a linear autoencoder's reconstruction)."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.logspace(math.log10(3.0), math.log10(0.03), d, dtype=torch.float64)
    x = (torch.randn(n, d, generator=gen, dtype=torch.float64) * s) @ _orthonormal_columns(d, d, gen).T
    return x.float(), x.float().clone()


def gaussian_sensing(seed: int, n: int = 20, rank: int = 3, measurements: int = 1200,
                     noise: float = 0.1) -> tuple[Tensor, Tensor]:
    """Symmetric matrix sensing: X* = V Vᵀ/rank (V n × rank standard normal), inputs A_i with i.i.d. N(0, 1/n²)
    entries (flat), targets ⟨A_i, X*⟩ + noise·ε as a float column."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(n, rank, generator=gen, dtype=torch.float64)
    x_star = v @ v.T / rank
    a = torch.randn(measurements, n, n, generator=gen, dtype=torch.float64) / n
    y = (a * x_star).sum(dim=(1, 2)) + noise * torch.randn(measurements, generator=gen, dtype=torch.float64)
    return a.reshape(measurements, -1).float(), y.float()[:, None]


def overparam_least_squares(seed: int, n: int = 300, d: int = 400, cond: float = 1e2) -> tuple[Tensor, Tensor]:
    """Noiseless least squares with more parameters than samples: X = √n · U diag(s) Vᵀ (U n × n orthogonal, V
    d × n with orthonormal columns, s log-spaced from cond^¼ to cond^-¼), so XᵀX/n has the n eigenvalues s² in a
    random rotation and d − n zeros; y = X w*, w* ∼ N(0, I): infinitely many interpolating solutions."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.logspace(0.25 * math.log10(cond), -0.25 * math.log10(cond), n, dtype=torch.float64)
    x = math.sqrt(n) * (_orthonormal_columns(n, n, gen) * s) @ _orthonormal_columns(d, n, gen).T
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64)).float()


def separable_blobs(seed: int, n: int = 1000, d: int = 20, gap: float = 4.0) -> tuple[Tensor, Tensor]:
    """Two Gaussian blobs N(±(gap/2)·u, I) in d dimensions (u a seeded unit vector), balanced; with gap 4 they
    are linearly separable with high probability (the logistic loss has no finite minimiser). Binary float
    column targets."""
    gen = torch.Generator().manual_seed(seed)
    u = torch.randn(d, generator=gen, dtype=torch.float64)
    u = u / u.norm()
    y = (torch.arange(n) % 2).double()
    x = torch.randn(n, d, generator=gen, dtype=torch.float64) + (y[:, None] - 0.5) * gap * u
    return x.float(), y.float()[:, None]


def vandermonde_regression(seed: int, n: int = 500, degree: int = 12, noise: float = 0.05) -> tuple[Tensor, Tensor]:
    """1-D regression with monomial features: t ∼ U(−1, 1), features t, t², …, t^degree (badly conditioned,
    strongly correlated, not a rotation of independent ones), target sin(3t) + noise·ε as a float column."""
    gen = torch.Generator().manual_seed(seed)
    t = 2 * torch.rand(n, generator=gen, dtype=torch.float64) - 1
    x = torch.stack([t ** k for k in range(1, degree + 1)], dim=1)
    y = torch.sin(3 * t) + noise * torch.randn(n, generator=gen, dtype=torch.float64)
    return x.float(), y.float()[:, None]


def iris_standardised() -> tuple[Tensor, Tensor]:
    """scikit-learn's iris, 150 × 4, standardised features, 3 classes."""
    from sklearn.datasets import load_iris

    raw = load_iris()
    x = np.asarray(raw.data, dtype=np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(raw.target, dtype=torch.int64)
