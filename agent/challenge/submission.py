"""Submission files in the challenge's format: `#` comment lines, then `team_info,NAME,EMAIL`,
then one line `pid,uri_1,...,uri_500` per playlist; `.gz` names are gzipped.

A submission is written one flushed line at a time, so a stopped run keeps every finished
line; resuming keeps them (dropping a half-written last line) and goes on after them. A
kept line must be an answer this command could have written: a pid of the challenge set,
answered once, with 500 distinct tracks. Any other line means the file is not this run's
to continue, and resuming is refused with the file left as it was.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from agent.challenge.answering import ANSWER_LENGTH
from agent.challenge.reading import ChallengeFileError
from retrieval.echo import clip

TEAM_INFO = "team_info"


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


def complete_lines(path: Path) -> Iterator[str]:
    """The file's whole lines (without their newline), stopping quietly at a cut-off end:
    a run stopped mid-write leaves a last line without its newline, or a gzip stream
    without its end. A `.gz` name on a file that is not gzip is an error, not an empty
    file: read as empty, its lines would be reported missing, or written over."""
    try:
        with _open_text(path, "r") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    return
                yield line[:-1]
    except (EOFError, zlib.error):
        return
    except gzip.BadGzipFile as error:
        raise ChallengeFileError(path, f"not a gzip file, though its name ends in .gz ({error})") from None
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

    def __init__(self, path: Path, team: str, email: str, resume: bool = False, pids: Collection[int] = ()):
        """`pids`: the challenge set's, which a resumed file's answers must be among."""
        self.path = path
        _check_target(path)
        kept = self._kept_lines(team, email, set(pids)) if resume and path.exists() else []
        self.done = {int(line.split(",", 1)[0]) for line in kept[1:]}
        try:
            self._file = _open_text(path, "w")
            for line in kept or [f"{TEAM_INFO},{team},{email}"]:
                self._file.write(line + "\n")
            self._file.flush()
        except OSError as error:
            raise ChallengeFileError(path, f"cannot write: {error.strerror or error}") from None

    def _kept_lines(self, team: str, email: str, pids: set[int]) -> list[str]:
        """The finished lines of the file being resumed, its team_info line first."""
        lines = [(number, line) for number, line in enumerate(complete_lines(self.path), 1)
                 if line.strip() and not line.startswith("#")]
        if not lines:
            return []
        if lines[0][1] != f"{TEAM_INFO},{team},{email}":
            raise ChallengeFileError(self.path, f"cannot resume: the file was started as {lines[0][1][:120]!r}, "
                                     f"not for team {team!r} <{email}>")
        answered: set[int] = set()
        for number, line in lines[1:]:
            if problem := _not_an_answer(line, pids, answered):
                raise ChallengeFileError(self.path, f"cannot resume: line {number} {problem}; remove that line "
                                         "to answer its playlist again, or write a new file")
        return [line for _, line in lines]

    def write(self, pid: int, track_uris: list[str]) -> None:
        try:
            self._file.write(f"{pid},{','.join(track_uris)}\n")
            self._file.flush()  # a gzip stream is flushed to a decodable point too
        except OSError as error:
            raise ChallengeFileError(self.path, f"cannot write: {error.strerror or error}") from None
        self.done.add(pid)

    def close(self) -> None:
        self._file.close()


def _not_an_answer(line: str, pids: set[int], answered: set[int]) -> str | None:
    """Why `line` is not a finished answer to one of `pids` (None: it is one); adds its pid to `answered`."""
    pid_text, _, rest = line.partition(",")
    if not pid_text.isdigit():
        return f"is not an answer (pid,uri_1,...,uri_500): {clip(line, 60)!r}"
    pid = int(pid_text)
    if pid not in pids:
        return f"answers pid {clip(pid_text)}, which the challenge set does not hold (a file begun for another set?)"
    if pid in answered:
        return f"answers pid {pid} a second time"
    answered.add(pid)
    tracks = rest.split(",")
    if len(tracks) != ANSWER_LENGTH or len(set(tracks)) != ANSWER_LENGTH:
        return f"answers pid {pid} with {len(set(tracks))} distinct tracks in {len(tracks)}, not {ANSWER_LENGTH}"
    return None


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
