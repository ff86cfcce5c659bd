"""`hessdiag.load.factory`: user code that exits or interrupts becomes a named error; the files behind
a `module:factory` spec are found without importing anything (issue 17, items 1 and 2)."""

from __future__ import annotations

import sys

import pytest

from hessdiag.errors import DataError, ModelError, UserCodeAbort
from hessdiag.load.factory import call_factory, call_user, module_files, user_code


def test_user_code_maps_what_escapes_it():
    with pytest.raises(UserCodeAbort, match=r"model factory 'm:f' called exit \(SystemExit: 0\)"):
        call_factory(lambda: sys.exit(0), "m:f", "model")
    with pytest.raises(ModelError, match="model factory 'm:f' raised ValueError: bad"):
        call_factory(lambda: (_ for _ in ()).throw(ValueError("bad")), "m:f", "model")
    with pytest.raises(ValueError):  # exceptions=False: the caller explains ordinary exceptions itself
        call_user("the forward", lambda: int("x"))
    with pytest.raises(DataError):  # hessdiag's own errors pass unchanged
        with user_code("data set 'd:f'"):
            raise DataError("mine")

    class Stop(BaseException):
        pass

    with pytest.raises(UserCodeAbort, match="the forward raised Stop: halt"):
        call_user("the forward", lambda: (_ for _ in ()).throw(Stop("halt")))
    assert not issubclass(UserCodeAbort, Exception)  # no `except Exception` on the way swallows it


def test_a_ctrl_c_passes_a_raised_keyboard_interrupt_does_not():
    from hessdiag import interrupts

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as info:  # Python's own handler: taken as a Ctrl-C
        call_user("the forward", interrupted)
    assert not isinstance(info.value, UserCodeAbort)
    with interrupts.session():  # under the command line's handler a signal raises Interrupted
        with pytest.raises(UserCodeAbort, match="raised KeyboardInterrupt"):
            call_user("the forward", interrupted)
        with pytest.raises(interrupts.Interrupted):
            call_user("the forward", lambda: (_ for _ in ()).throw(interrupts.Interrupted(2)))


def test_module_files_without_importing(tmp_path):
    (tmp_path / "h17mf" / "inner").mkdir(parents=True)
    (tmp_path / "h17mf" / "__init__.py").write_text("raise SystemExit('imported!')\n")
    (tmp_path / "h17mf" / "inner" / "__init__.py").write_text("")
    (tmp_path / "h17mf" / "inner" / "nets.py").write_text("raise SystemExit('imported!')\n")
    found = module_files("h17mf.inner.nets:make", [tmp_path])
    assert found == [tmp_path / "h17mf" / "__init__.py", tmp_path / "h17mf" / "inner" / "__init__.py",
                     tmp_path / "h17mf" / "inner" / "nets.py"]
    assert "h17mf" not in sys.modules
    assert module_files("h17nosuch:make", [tmp_path]) == []
    assert module_files("builtins:exit", [tmp_path]) == []  # built in: no file
    assert module_files("not a spec", [tmp_path]) == []
