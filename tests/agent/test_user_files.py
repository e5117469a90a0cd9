"""Files a user names (-o, --transcript, /save, report folders) are written in place, only
over a regular file or nothing: a link, a device, a folder or a missing folder is refused in
one line naming the path, and what stands there is left exactly as it was."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.files import FileWriteError, write_user_file
from conftest import failed_cleanly, run_agent

KINDS = ["new", "regular", "symlink to a file", "dangling symlink", "symlink to a device", "folder",
         "missing folder", "named pipe", "device", "control characters"]


def make(kind: str, folder: Path) -> Path:
    """A path of `kind` inside `folder`, with whatever stands there created."""
    path = folder / "out.json"
    if kind == "regular":
        path.write_text("old")
    elif kind == "symlink to a file":
        (folder / "target").write_text("kept")
        path.symlink_to(folder / "target")
    elif kind == "dangling symlink":
        path.symlink_to(folder / "nowhere")
    elif kind == "symlink to a device":
        path.symlink_to("/dev/null")
    elif kind == "folder":
        path.mkdir()
    elif kind == "missing folder":
        path = folder / "missing" / "out.json"
    elif kind == "named pipe":
        os.mkfifo(path)
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    elif kind == "control characters":
        path = folder / "\x1b[2J.csv"
    return path


def snapshot(path: Path) -> tuple:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ("nothing",)
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
    link = os.readlink(path) if stat.S_ISLNK(info.st_mode) else None
    return stat.S_IFMT(info.st_mode), info.st_rdev, content, link


@given(kind=st.sampled_from(KINDS), text=st.text(max_size=200))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_only_a_new_path_or_a_regular_file_is_written(tmp_path_factory, kind, text):
    folder = tmp_path_factory.mktemp("write")
    path = make(kind, folder)
    before = snapshot(path)
    if kind in ("new", "regular"):
        write_user_file(path, text)
        assert path.read_bytes() == text.encode("utf-8") and stat.S_ISREG(os.lstat(path).st_mode)
        return
    with pytest.raises(FileWriteError) as error:
        write_user_file(path, text)
    message = str(error.value)
    assert "\n" not in message and "\x1b" not in message and "out.json" in message or kind == "control characters"
    assert snapshot(path) == before
    assert not (folder / "missing").exists()
    if kind == "symlink to a file":
        assert (folder / "target").read_text() == "kept"


def test_a_full_disk_is_one_user_error_naming_the_file(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with pytest.raises(FileWriteError, match="/dev/full.*device"):
        write_user_file(Path("/dev/full"), "x")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize(("kind", "said"), [
    ("symlink to a file", "symbolic link"), ("missing folder", "does not exist"), ("device", "a device"),
    ("folder", "is a directory"),  # click's own check of the option
])
def test_chat_refuses_a_transcript_path_before_the_conversation(tmp_path, kind, said):
    path = make(kind, tmp_path)
    before = snapshot(path)
    failed_cleanly(run_agent("chat", "--data-dir", tmp_path / "home", "--transcript", path), said, exit_code=1)
    assert snapshot(path) == before and not (tmp_path / "missing").exists()


def test_generate_to_dev_full_is_refused_and_dev_full_stays_a_device(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    failed_cleanly(run_agent("generate", "--data-dir", tmp_path, "--title", "x", "-o", "/dev/full"),
                   "cannot write /dev/full", exit_code=1)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_generate_refuses_to_write_over_its_titles_file_under_any_name(tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("road trip\nchill\n")
    (tmp_path / "link.txt").symlink_to(titles)
    for output in (titles, tmp_path / "." / "titles.txt"):
        failed_cleanly(run_agent("generate", "--data-dir", tmp_path / "home", "--titles-file", tmp_path / "link.txt",
                                 "-o", output), "is the input file", exit_code=1)
    assert titles.read_text() == "road trip\nchill\n"
