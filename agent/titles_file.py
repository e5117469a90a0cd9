"""Reading a titles file: one title per line, or (`.jsonl`) one request object per line.

A JSONL request is ``{"title": "...", "seeds": ["spotify:track:...", "Mr. Brightside by
The Killers"], "n": 100}``; every key is optional but one of title and seeds is
needed. Errors name the file and line, and nothing is generated from a file with one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.playlist import PlaylistRequest
from retrieval.echo import clip
from retrieval.generator import GenerationError
from retrieval.json_reader import InputFileError, JSONInputError, read_json, read_limited
from retrieval.mpd_files import MAX_FILE_BYTES

_KEYS = frozenset({"title", "seeds", "n"})


@dataclass(frozen=True)
class TitlesEntry:
    """One line of a titles file (or the command line's --title and --seed)."""

    line: int
    title: str | None = None
    seeds: tuple[str, ...] = ()
    n: int | None = None  # None: the command's -n

    def request(self, base: PlaylistRequest) -> PlaylistRequest:
        """`base` (the command's options) for this entry's title, seeds and length."""
        changes = {"seed_uris": self.seeds} | ({"n": self.n} if self.n else {})
        return base.for_title(self.title or "").with_options(**changes)

    def label(self) -> str:
        """How a failure record names the entry."""
        return self.title or " + ".join(self.seeds)


def read_titles_file(path: Path) -> list[TitlesEntry]:
    """The requests in `path` (`-`: standard input), blank lines skipped; a file without any
    is an error. Devices and pipes by name are refused, and the size is capped, as ingest's
    files are: /dev/zero would never end."""
    try:
        lines = read_limited(path, max_bytes=MAX_FILE_BYTES).decode("utf-8").splitlines()
    except InputFileError as error:
        raise GenerationError(str(error)) from None
    except UnicodeDecodeError as error:
        raise GenerationError(f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    parse = _parse_json_line if path.suffix.lower() == ".jsonl" else _parse_plain_line
    requests = []
    for number, text in enumerate(lines, 1):
        if text.strip():
            try:
                requests.append(parse(number, text))
            except GenerationError as error:
                raise GenerationError(f"{path}, line {number}: {error}") from None
    if not requests:
        raise GenerationError(f"{path} holds no titles (one title, or one JSON request, per line)")
    return requests


def _parse_plain_line(number: int, text: str) -> TitlesEntry:
    return TitlesEntry(line=number, title=text.strip())


def _parse_json_line(number: int, text: str) -> TitlesEntry:
    try:
        record = read_json(text, what="the line")
    except JSONInputError as error:
        raise GenerationError(error.problem) from None
    if not isinstance(record, dict):
        raise GenerationError('expected an object such as {"title": "road trip"}')
    unknown = sorted(set(record) - _KEYS)
    if unknown:
        raise GenerationError(f"unknown key(s) {clip(', '.join(map(repr, unknown)))}; use title, seeds, n")
    title, seeds, n = record.get("title"), record.get("seeds", []), record.get("n")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise GenerationError("title must be a non-empty string")
    if not isinstance(seeds, list) or not all(isinstance(s, str) and s.strip() for s in seeds):
        raise GenerationError("seeds must be a list of non-empty strings (track URIs or song names)")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise GenerationError(f"n must be a whole number of at least 1, got {clip(n)}")
    if title is None and not seeds:
        raise GenerationError("give a title, seeds or both")
    return TitlesEntry(number, title.strip() if title else None, tuple(s.strip() for s in seeds), n)
