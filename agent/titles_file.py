"""Reading a titles file: one title per line, or (`.jsonl`) one request object per line.

A JSONL request is ``{"title": "...", "seeds": ["spotify:track:...", "Mr. Brightside by
The Killers"], "n": 100}``; every key is optional but one of title and seeds is
needed. A seed may also be a track as the MPD writes it, ``{"track_uri": ...,
"track_name": ..., "artist_name": ...}``: matched by URI, else by its names. Errors name the file and line, and nothing is generated from a file with one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from agent.playlist import MAX_SEEDS, RequestDraft
from retrieval.echo import clip
from retrieval.generator import GenerationError
from retrieval.json_reader import InputFileError, JSONInputError, read_json, read_limited
from retrieval.mpd.files import MAX_FILE_BYTES
from retrieval.records import Track

_KEYS = frozenset({"title", "seeds", "n"})


@dataclass(frozen=True)
class TitlesEntry:
    """One line of a titles file (or the command line's --title and --seed)."""

    line: int
    title: str | None = None
    seeds: tuple[str | Track, ...] = ()
    n: int | None = None  # None: the command's -n

    def draft(self, base: RequestDraft) -> RequestDraft:
        """`base` (the command's options) for this entry's title, seeds and length."""
        request = base.request.for_title(self.title or "")
        return replace(base, request=request.with_options(n=self.n) if self.n else request, seeds=self.seeds)

    def label(self) -> str:
        """How a failure record names the entry."""
        return self.title or " + ".join(s if isinstance(s, str) else s.track_uri for s in self.seeds)


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
    if not isinstance(seeds, list) or not all(_is_seed(s) for s in seeds):
        raise GenerationError("seeds must be a list of track URIs, song names or "
                              '{"track_uri", "track_name", "artist_name"} objects')
    if len(seeds) > MAX_SEEDS:
        raise GenerationError(f"{len(seeds)} seeds; at most {MAX_SEEDS} per request")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise GenerationError(f"n must be a whole number of at least 1, got {clip(n)}")
    if title is None and not seeds:
        raise GenerationError("give a title, seeds or both")
    return TitlesEntry(number, title.strip() if title else None, tuple(map(_seed, seeds)), n)


def _is_seed(seed: object) -> bool:
    if isinstance(seed, str):
        return bool(seed.strip())
    return (isinstance(seed, dict) and isinstance(seed.get("track_uri"), str) and bool(seed["track_uri"].strip())
            and all(isinstance(seed.get(key, ""), str) for key in ("track_name", "artist_name")))


def _seed(seed: str | dict) -> str | Track:
    """A seed as written: words or a URI, or a track as the MPD writes it (its other keys ignored)."""
    if isinstance(seed, str):
        return seed.strip()
    return Track(track_uri=seed["track_uri"].strip(), track_name=seed.get("track_name", ""),
                 artist_name=seed.get("artist_name", ""))
