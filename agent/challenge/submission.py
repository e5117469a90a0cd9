"""Submission files in the challenge's format: `#` comment lines, then `team_info,NAME,EMAIL`,
then one line `pid,uri_1,...,uri_500` per playlist; `.gz` names are gzipped.

A submission is written one flushed line at a time, so a stopped run keeps every finished
line; resuming keeps them (dropping a half-written last line) and goes on after them.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from agent.challenge.reading import ChallengeFileError

TEAM_INFO = "team_info"


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


def complete_lines(path: Path) -> Iterator[str]:
    """The file's whole lines (without their newline), stopping quietly at a cut-off end:
    a run stopped mid-write leaves a last line without its newline, or a gzip stream
    without its end."""
    try:
        with _open_text(path, "r") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    return
                yield line[:-1]
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return
    except UnicodeDecodeError as error:
        raise ChallengeFileError(path, f"not UTF-8 text: {error}") from None
    except OSError as error:
        raise ChallengeFileError(path, f"cannot read: {error.strerror or error}") from None


@dataclass
class Submission:
    team: str | None = None
    email: str | None = None
    answers: dict[int, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # each a rule the file breaks, with its line


def read_submission(path: Path) -> Submission:
    """A submission's team, answers by pid and every format problem found (none raised)."""
    submission = Submission()
    for number, line in enumerate(complete_lines(path), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split(",")
        if submission.team is None:
            if cells[0] != TEAM_INFO or len(cells) != 3:
                submission.problems.append(f"line {number}: the first line must be team_info,NAME,EMAIL")
                submission.team = ""
                continue
            submission.team, submission.email = cells[1], cells[2]
            continue
        _add_answer(submission, number, cells)
    if submission.team is None:
        submission.problems.append("no team_info line and no answers")
    return submission


def _add_answer(submission: Submission, number: int, cells: list[str]) -> None:
    try:
        pid = int(cells[0])
    except ValueError:
        submission.problems.append(f"line {number}: {cells[0][:40]!r} is not a pid")
        return
    if pid in submission.answers:
        submission.problems.append(f"line {number}: pid {pid} is answered twice")
        return
    submission.answers[pid] = [uri.strip() for uri in cells[1:]]


class SubmissionWriter:
    """Writes a submission line by line; `done` holds the pids a resumed file already answers."""

    def __init__(self, path: Path, team: str, email: str, resume: bool = False):
        self.path = path
        _check_target(path)
        kept = self._kept_lines(team, email) if resume and path.exists() else []
        self.done = {int(line.split(",", 1)[0]) for line in kept[1:]}
        try:
            self._file = _open_text(path, "w")
            for line in kept or [f"{TEAM_INFO},{team},{email}"]:
                self._file.write(line + "\n")
            self._file.flush()
        except OSError as error:
            raise ChallengeFileError(path, f"cannot write: {error.strerror or error}") from None

    def _kept_lines(self, team: str, email: str) -> list[str]:
        """The finished lines of the file being resumed, its team_info line first."""
        lines = [line for line in complete_lines(self.path) if line.strip() and not line.startswith("#")]
        if not lines:
            return []
        if lines[0] != f"{TEAM_INFO},{team},{email}":
            raise ChallengeFileError(self.path, f"cannot resume: the file was started as {lines[0][:120]!r}, "
                                     f"not for team {team!r} <{email}>")
        return [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0].isdigit()]

    def write(self, pid: int, track_uris: list[str]) -> None:
        try:
            self._file.write(f"{pid},{','.join(track_uris)}\n")
            self._file.flush()  # a gzip stream is flushed to a decodable point too
        except OSError as error:
            raise ChallengeFileError(self.path, f"cannot write: {error.strerror or error}") from None
        self.done.add(pid)

    def close(self) -> None:
        self._file.close()


def _check_target(path: Path) -> None:
    """Only a regular file (or nothing) is written: never a device, a FIFO or a folder."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise ChallengeFileError(path, f"cannot write: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise ChallengeFileError(path, "is not a regular file; give a new or existing .csv or .csv.gz file to write")
