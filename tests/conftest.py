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


@pytest.fixture(scope="session", autouse=True)
def _child_pythons_share_one_bytecode_cache(tmp_path_factory):
    """Child Pythons (`python -m hessdiag`, torchrun's ranks, the Lightning script) compile torch's and hessdiag's
    modules once per session into a private cache instead of each child from source: where PYTHONDONTWRITEBYTECODE
    is set and the environment was installed with --no-compile, every child otherwise pays about 2 s to compile
    them. The cache lies under pytest's temporary directory: neither the repository, the virtual environment nor a
    test's own directory gets a file."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.mktemp("pycache")))
    patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    yield
    patch.undo()
