"""The rule's logistic model: class-balanced L2 logistic regression on standardised features (`logistic`), the
fitted rule with its score interval and calls (`Model`), and the fit of one training set (`fit_arrays`) or of every
leave-one-kind-out fold at once (`fit_folds`: one Newton iteration for all folds together, each fold's held-out
rows weighted 0)."""

from __future__ import annotations

import warnings

import numpy as np

PENALTY_C = 1.0


class Model:
    """A fitted logistic rule: standardisation, coefficients, intercept, margin."""

    def __init__(self, feats: tuple[str, ...], mean: np.ndarray, scale: np.ndarray, coef: np.ndarray,
                 intercept: float, margin: float, seen: np.ndarray | None = None) -> None:
        self.feats, self.mean, self.scale, self.coef, self.intercept, self.margin = \
            feats, mean, scale, coef, intercept, margin
        # each feature's smallest and largest value on the clear cases it was fitted on (features × 2)
        self.seen = seen if seen is not None else np.full((len(feats), 2), np.nan)

    def score_interval(self, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, ...]:
        zv, zl, zh = _standardised(v, lo, hi, self.mean, self.scale)
        s = zv @ self.coef + self.intercept
        low = np.where(self.coef >= 0, zl, zh) @ self.coef + self.intercept
        high = np.where(self.coef >= 0, zh, zl) @ self.coef + self.intercept
        return s, low, high

    def calls(self, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[str]:
        _, low, high = self.score_interval(v, lo, hi)
        return ["sign" if a > self.margin else "euclidean" if b < -self.margin else "inconclusive"
                for a, b in zip(low, high)]


def _standardised(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, mean: np.ndarray,
                  scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z of the values and of their interval's ends (a missing end → the value; a missing value → z = 0; the ends
    clipped to ±50, so an unbounded end counts as far out, not infinite)."""
    def z(a: np.ndarray) -> np.ndarray:
        out = (a - mean) / scale
        return np.where(np.isfinite(out), out, np.where(np.isnan(a), 0.0, out))

    zl, zh = z(np.where(np.isnan(lo), v, lo)), z(np.where(np.isnan(hi), v, hi))
    return z(v), np.clip(zl, -50, 50), np.clip(zh, -50, 50)


def _standardisation(rows: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean (0 where no value), scale (1 where no spread) and (smallest, largest) value along `axis`, NaN ignored;
    a feature missing on every row (the race's ratio where no race ran) is no information, silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's empty-slice warnings on an all-NaN column
        mean = np.nanmean(rows, axis=axis)
        scale = np.nanstd(rows, axis=axis)
        finite = np.where(np.isfinite(rows), rows, np.nan)
        seen = np.stack([np.nanmin(finite, axis=axis), np.nanmax(finite, axis=axis)], axis=-1)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return mean, scale, seen


def logistic(z: np.ndarray, y: np.ndarray, c: float = PENALTY_C) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression with class-balanced weights, by Newton's method; the objective of
    scikit-learn's LogisticRegression(C=c, class_weight="balanced"): ½‖w‖² + c Σ_i s_i log(1 + e^{−ỹ_i(w·z_i + b)}),
    s_i = n / (2 n_{y_i}), intercept b unpenalised."""
    n, k = z.shape
    counts = np.bincount(y, minlength=2)
    sw = n / (2.0 * counts[y])
    x = np.hstack([z, np.ones((n, 1))])
    theta = np.zeros(k + 1)
    reg = np.eye(k + 1)
    reg[k, k] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -50, 50)))
        grad = reg @ theta + c * x.T @ (sw * (p - y))
        hess = reg + c * (x * (sw * p * (1 - p))[:, None]).T @ x + 1e-12 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return theta[:k], float(theta[k])


def fit_arrays(feats: tuple[str, ...], v: np.ndarray, y: np.ndarray, margin: float) -> Model:
    """`fit` on the clear cases' values (cases × features, NaN where missing) and labels (1: sign wins)."""
    mean, scale, seen = _standardisation(v, axis=0)
    seen = seen if len(y) else None
    z = np.nan_to_num((v - mean) / scale)
    if len(set(y)) < 2:  # one class only: a constant rule
        return Model(feats, mean, scale, np.zeros(len(feats)), 5.0 if y[0] else -5.0, margin, seen)
    coef, intercept = logistic(z, y)
    return Model(feats, mean, scale, coef, intercept, margin, seen)


def logistic_folds(z: np.ndarray, y: np.ndarray, w: np.ndarray, c: float = PENALTY_C,
                   start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`logistic` for F training sets at once: z (F × n × k, each fold's own standardisation), y (n), w (F × n: 1 for
    a fold's training rows, 0 for the rest). Newton's method from `start` ((w, b) for every fold; default 0), each
    fold stopping, as `logistic` does, after its first step below 1e-10; from 0 the iterates agree with `logistic`
    on that fold's rows up to the order of summation, from elsewhere they converge to the same minimiser."""
    f, n, k = z.shape
    y = y.astype(float)
    ones, size = (w * y).sum(axis=1), w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # a fold with one class (fit_folds fits it alone)
        sw = np.nan_to_num(w * size[:, None] / (2.0 * np.where(y > 0, ones[:, None], (size - ones)[:, None])))
    x = np.concatenate([z, np.ones((f, n, 1))], axis=2)
    theta = np.zeros((f, k + 1)) if start is None else np.tile(start, (f, 1))
    reg = np.eye(k + 1)
    reg[k, k] = 0.0
    active = np.ones(f, dtype=bool)
    for _ in range(100):
        every = active.all()  # no copies while every fold is still iterating
        xa, ta, sa = (x, theta, sw) if every else (x[active], theta[active], sw[active])
        p = 1.0 / (1.0 + np.exp(-np.clip((xa @ ta[:, :, None])[:, :, 0], -50, 50)))
        grad = ta @ reg + c * ((sa * (p - y))[:, None, :] @ xa)[:, 0]
        hess = reg + c * (xa * (sa * p * (1 - p))[:, :, None]).transpose(0, 2, 1) @ xa + 1e-12 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        theta[active] = ta - step
        still = np.max(np.abs(step), axis=1) >= 1e-10
        active[np.flatnonzero(active)[~still]] = False
        if not active.any():
            break
    return theta[:, :k], theta[:, k]


def _fold_standardisation(v: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_standardisation` of each fold's training rows (v: cases × features, finite or NaN; train: folds × cases),
    by masked sums: about the values' overall mean c, mean_f = c + Σ m·(v − c)/Σ m and scale_f² = Σ m·(v − c)²/Σ m −
    (mean_f − c)², m the fold's rows where the feature is present. A fold differs from the others by one kind, so
    mean_f − c is small against the scale and the one-pass variance keeps float64's precision to ~1e-15."""
    present = ~np.isnan(v)
    t = train.astype(float)
    trained = train.any(axis=0)[:, None] & present
    count = t @ present
    with np.errstate(invalid="ignore", divide="ignore"):  # a feature missing on every row: c = 0, mean 0, scale 1
        c = np.where(trained, v, 0.0).sum(axis=0) / trained.sum(axis=0)
        c = np.where(np.isfinite(c), c, 0.0)
        x = np.where(present, v - c, 0.0)
        shift = (t @ x) / count
        var = (t @ (x * x)) / count - shift * shift
    mean = np.where(count > 0, c + shift, 0.0)
    scale = np.sqrt(np.maximum(var, 0.0))
    scale = np.where((count > 0) & (scale > 0), scale, 1.0)
    rows = train[:, :, None] & present[None]
    low = np.where(rows, v[None], np.inf).min(axis=1)
    high = np.where(rows, v[None], -np.inf).max(axis=1)
    seen = np.stack([np.where(count > 0, low, np.nan), np.where(count > 0, high, np.nan)], axis=-1)
    return mean, scale, seen


def _start(v: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """(w, b) fitted on all the rows, where every fold starts its Newton iterations: a fold leaves out one kind, so
    its minimiser is close and it needs fewer steps than from 0 (None when the rows have one class)."""
    if len(set(y.tolist())) < 2:
        return None
    mean, scale, _ = _standardisation(v, axis=0)
    coef, intercept = logistic(np.nan_to_num((v - mean) / scale), y)
    return np.append(coef, intercept)


def fit_folds(feats: tuple[str, ...], v: np.ndarray, y: np.ndarray, train: np.ndarray, margin: float) -> list[Model]:
    """`fit_arrays` on each fold's training rows (train: folds × cases, True for the clear cases a fold fits on), all
    folds in one batched Newton solve over the cases some fold trains on; a fold whose training cases have one
    class only is fitted alone."""
    used = train.any(axis=0)
    v, y, train = v[used], y[used], train[:, used]
    mean, scale, seen = _fold_standardisation(v, train)
    z = np.nan_to_num((v[None] - mean[:, None]) / scale[:, None]) * train[:, :, None]
    coef, intercept = logistic_folds(z, y, train.astype(float), start=_start(v, y))
    models = [Model(feats, mean[i], scale[i], coef[i], float(intercept[i]), margin, seen[i]) for i in range(len(train))]
    ones = (train & (y > 0)).sum(axis=1)
    for i in np.flatnonzero((ones == 0) | (ones == train.sum(axis=1))):
        models[i] = fit_arrays(feats, v[train[i]], y[train[i]], margin)
    return models


def score_intervals(models: list[Model], which: np.ndarray, v: np.ndarray, lo: np.ndarray,
                    hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`Model.score_interval`'s ends for every row i under its own model, models[which[i]], in one pass."""
    mean, scale, coef = (np.array([getattr(m, a) for m in models])[which] for a in ("mean", "scale", "coef"))
    intercept = np.array([m.intercept for m in models])[which]

    _, zl, zh = _standardised(v, lo, hi, mean, scale)
    low = (np.where(coef >= 0, zl, zh) * coef).sum(axis=1) + intercept
    high = (np.where(coef >= 0, zh, zl) * coef).sum(axis=1) + intercept
    return low, high
