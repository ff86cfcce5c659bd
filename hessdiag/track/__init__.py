"""Curvature and noise across a training run (`hessdiag track`, `hessdiag.Tracker`).

- `discover`: the checkpoints of a run (a directory or a glob) and their steps;
- `track`: diagnose each of them with the same model, data and settings, from a per-checkpoint cache
  where possible, Lanczos warm-started from the previous checkpoint's Ritz vectors;
- `Timeline` / `TrackPoint`: the result, per checkpoint λ_max (with its residual) beside 2/η, λ_min,
  tr(H), L2, the L∞ and R intervals, η², m* and the call; its JSON schema in `schema.py`;
- `Tracker`: the same timeline recorded from inside a training loop.
"""

from .discover import Checkpoint, discover
from .run import TrackInterrupted, TrackResult, track
from .schedule import LearningRates, learning_rates
from .timeline import Measured, Timeline, TrackPoint
from .tracker import Tracker

__all__ = ["Checkpoint", "LearningRates", "Measured", "Timeline", "TrackInterrupted", "TrackPoint", "TrackResult",
           "Tracker", "discover", "learning_rates", "track"]
