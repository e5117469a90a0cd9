"""Steering a playlist toward or away from words ("upbeat", "-sad", "90s").

Retrieval's candidates, taken deeper than the playlist (`POOL_FACTOR` x n), are
re-scored: each candidate's voting score and its tag vector's similarity to the
steering words are turned into z-scores within the pool and mixed,
``(1 - strength) * z(score) + strength * z(similarity)``. Strength 0 keeps retrieval's
order, 1 orders the pool by the words alone; the list is refilled from the pool, so
tracks pushed out are replaced by ones from further down. Both the track vectors and
the words are centred on the mean tag vector (see `retrieval.index.tags`): without it every
word is nearest the same popular tracks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from retrieval.echo import clip
from retrieval.generator import GenerationError, GenerationOptions, Retriever
from retrieval.normalize import normalize_title
from retrieval.records import Candidate, GeneratedPlaylist
from retrieval.index.tags import TagIndex

POOL_FACTOR = 5
DEFAULT_STRENGTH = 0.5  # see docs/quality.md, "Steering by words: the trade-off": about 2/3 of the list kept, most tracks moved toward the word


@dataclass(frozen=True)
class Steering:
    """Words to steer toward (`toward` True) or away from, and how hard (0 to 1)."""

    words: tuple[str, ...]
    toward: tuple[bool, ...]
    strength: float = DEFAULT_STRENGTH

    @classmethod
    def parse(cls, texts: Sequence[str], strength: float = DEFAULT_STRENGTH) -> Steering:
        """"upbeat" steers toward, "-sad" away from, "+90s" toward."""
        if not 0.0 <= strength <= 1.0:
            raise GenerationError(f"the steering strength must be between 0 and 1, got {strength}")
        words, toward = [], []
        for text in texts:
            stripped = text.strip()
            away = stripped.startswith("-")
            word = stripped.lstrip("+-").strip()
            if not normalize_title(word):
                raise GenerationError(f"the steering word {clip(text)!r} has no letters or digits")
            words.append(word)
            toward.append(not away)
        return cls(tuple(words), tuple(toward), strength)


def steering_similarity(track_vectors: np.ndarray, word_vectors: np.ndarray, toward: Sequence[bool]) -> np.ndarray:
    """Per track, the mean of its similarities to the words, negated for words steered away from."""
    signs = np.where(np.asarray(toward), 1.0, -1.0)
    return (track_vectors @ word_vectors.T) @ signs / len(signs)


def steered_mix(scores: Sequence[float], similarities: Sequence[float], strength: float) -> np.ndarray:
    """Each pool track's steered score: z(score) and z(similarity) mixed by `strength`."""
    return (1.0 - strength) * _z(np.asarray(scores, float)) + strength * _z(np.asarray(similarities, float))


def steer_order(scores: Sequence[float], similarities: Sequence[float], strength: float) -> list[int]:
    """Indices of the pool in steered order (stable: equal mixes keep retrieval's order)."""
    mixed = steered_mix(scores, similarities, strength)
    return sorted(range(len(mixed)), key=lambda i: -mixed[i])


def _z(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def steer_candidates(
    candidates: Sequence[Candidate], tags: TagIndex, word_vectors: np.ndarray, steering: Steering, n: int
) -> list[Candidate]:
    """The best `n` of `candidates` once steered, re-ranked from 1 and scored by the steered
    mix, so the scores fall with the rank as everywhere else."""
    if not candidates:
        return []
    found = tags.vectors([c.track_uri for c in candidates])
    dims = word_vectors.shape[1]
    # A track without a tag vector (held only by untitled playlists) is neither pushed nor pulled.
    matrix = np.stack([found.get(c.track_uri, np.zeros(dims, np.float32)) for c in candidates])
    similarity = steering_similarity(matrix, word_vectors, steering.toward)
    mixed = steered_mix([c.score for c in candidates], similarity, steering.strength)
    order = sorted(range(len(mixed)), key=lambda i: -mixed[i])
    return [candidates[i].model_copy(update={"rank": rank, "score": round(float(mixed[i]), 4)})
            for rank, i in enumerate(order[:n], 1)]


def generate_steered(
    retriever: Retriever, tags: TagIndex, title: str, options: GenerationOptions, steering: Steering
) -> GeneratedPlaylist:
    """`Retriever.generate`, with the candidates re-scored toward the steering words."""
    if steering.strength == 0:
        return retriever.generate(title, options)
    started = time.perf_counter()
    pool = retriever.generate(title, replace(options, n=options.n * POOL_FACTOR))
    words = tags.word_vectors(retriever.encoder, list(steering.words))
    tracks = steer_candidates(pool.tracks, tags, words, steering, options.n)
    # The pool's shortfall warning counts against n x POOL_FACTOR; only a short playlist deserves it.
    warnings = pool.warnings if len(tracks) < options.n else [w for w in pool.warnings if not w.startswith("only ")]
    return pool.model_copy(update={
        "tracks": tracks, "warnings": warnings, "seconds": round(time.perf_counter() - started, 4),
    })
