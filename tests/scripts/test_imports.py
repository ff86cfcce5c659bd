"""Every benchmark and figure script in scripts/ imports: a module that moved inside the package must not
leave a script behind that fails at its first line (three did, unnoticed, until a GPU check ran them).

Each script is loaded as a module under a name of its own (not `__main__`, so its `main()` does not run);
its top-level imports of hessdiag and of its helper modules are what is checked.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
ENTRY_POINTS = sorted(p for p in SCRIPTS.glob("*.py") if not p.name.startswith("_"))


def test_there_are_scripts_to_check():
    assert len(ENTRY_POINTS) >= 10, [p.name for p in ENTRY_POINTS]


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: p.name)
def test_script_imports(path: Path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the scripts put their folders first; undone after
    spec = importlib.util.spec_from_file_location(f"_script_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(getattr(module, "main", None)), f"{path.name} has no main()"
