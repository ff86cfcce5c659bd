"""`check_input_file`: the real problem with an input path, in one line (issue 17, item 6)."""

from __future__ import annotations

import os
import socket

import pytest

from hessdiag.errors import ConfigError, InputFileError
from hessdiag.load.files import check_input_file


def test_each_kind_of_node_is_named(tmp_path):
    (tmp_path / "ok.pt").write_bytes(b"x")
    (tmp_path / "adir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        assert check_input_file(tmp_path / "ok.pt", "data file") == tmp_path / "ok.pt"
        cases = {"missing.pt": "does not exist", "ok.pt/inner": "a part of the path is a file",
                 "adir": "is a directory, not a file", "fifo": "is not a regular file (a FIFO)",
                 "sock": "is not a regular file (a socket)"}
        for name, fragment in cases.items():
            with pytest.raises(InputFileError, match=r".*") as info:
                check_input_file(tmp_path / name, "data file")
            assert fragment in str(info.value) and str(info.value).startswith("data file '")
        with pytest.raises(InputFileError, match="a character device"):
            check_input_file("/dev/zero", "checkpoint file")
        with pytest.raises(ConfigError, match="is a directory"):
            check_input_file(tmp_path / "adir", "config file", ConfigError)
        os.symlink(tmp_path / "ok.pt", tmp_path / "link.pt")
        assert check_input_file(tmp_path / "link.pt", "data file")  # a link to a file is that file
    finally:
        sock.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / "secret.pt"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(InputFileError, match="permission denied"):
        check_input_file(path, "checkpoint file")
