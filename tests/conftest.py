import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # `helpers` is importable from every test module
torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture(autouse=True)
def _no_global_rng_leak():
    """Library code must not draw from (or reseed) torch's global RNG."""
    state = torch.random.get_rng_state()
    yield
    assert torch.equal(state, torch.random.get_rng_state()), "global torch RNG was used"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    from helpers.workspace import build_workspace

    return build_workspace(tmp_path_factory.mktemp("user"))
