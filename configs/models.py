"""Example model factories for the configs in this directory (a config's directory is importable)."""

from torch import nn


def wine_logreg() -> nn.Module:
    """Multinomial logistic regression on the 13 standardised wine features."""
    return nn.Sequential(nn.Linear(13, 3))


def digits_cnn() -> nn.Module:
    """A small CNN on 8×8 digits given as flat 64-vectors."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 10),
    )
