"""Seeded choices the builder makes: shares, popularity, playlist sizes, titles, followers."""

from __future__ import annotations

import datetime as _dt
import math
import random
from typing import Sequence

from tools.demo_builder.settings import MAX_TRACKS, MIN_TRACKS, POP_OFFSET, POP_SCALE, ThemeConfig

# --------------------------------------------------------------------------- #
# generation helpers
# --------------------------------------------------------------------------- #
def _apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Integer shares of total proportional to weights (largest remainder,
    ties broken by position), every share at least 1 when total allows."""
    wsum = sum(weights)
    shares = [total * w // wsum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % wsum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _popularity_weight(rank: int) -> int:
    """Zipf-like integer weight, exponent 1.5: SCALE / (rank + OFFSET) ** 1.5."""
    r = rank + POP_OFFSET
    return max(1, POP_SCALE // (r * math.isqrt(r)))


def _weighted_sample(rng: random.Random, candidates: Sequence[int], weights: Sequence[int], k: int) -> list[int]:
    """k distinct items of candidates, drawn one by one with integer weights."""
    pool = list(candidates)
    w = [weights[i] for i in pool]
    total = sum(w)
    out: list[int] = []
    for _ in range(min(k, len(pool))):
        r = rng.randrange(total)
        acc = 0
        for j, wj in enumerate(w):
            acc += wj
            if r < acc:
                break
        out.append(pool.pop(j))
        total -= w.pop(j)
    return out


# Playlist length distribution: 12..60, a triangle peaking around 28-32.
_SIZES = list(range(MIN_TRACKS, MAX_TRACKS + 1))
_SIZE_WEIGHTS = [n - MIN_TRACKS + 2 if n <= 30 else max(1, 20 - (n - 30) * 2 // 3) for n in _SIZES]
_SIZE_CUM = [sum(_SIZE_WEIGHTS[: i + 1]) for i in range(len(_SIZE_WEIGHTS))]

_PUNCTUATION = ("!", "!!", "!!!", ".", " :)", "...", "!!!!")


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] if w[:1].isalpha() else w for w in text.split(" "))


def _is_latin(text: str) -> bool:
    """Has letters and all of them are ASCII (so case/typo changes make sense)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def _has_symbol(text: str) -> bool:
    return any(ord(c) >= 0x2000 for c in text)


def _typo(rng: random.Random, text: str) -> str:
    pos = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
    if len(pos) < 4:
        return text
    if rng.random() < 0.5:
        swaps = [i for i in pos[:-1] if i + 1 in pos and text[i] != text[i + 1]]
        if swaps:
            i = rng.choice(swaps)
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    i = rng.choice(pos[1:])        # keep the first letter: people rarely miss it
    return text[:i] + text[i + 1:]


def _year_of(epoch: int) -> int:
    return (_dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=epoch)).year


def _make_title(rng: random.Random, base: str, cfg: ThemeConfig, modified_at: int) -> str:
    """Perturb a title variant the way users write titles."""
    title = base
    if cfg.year_suffix and rng.random() < 0.08:
        year = _year_of(modified_at)
        style = rng.randrange(3)
        title += (f" {year % 100:02d}", f" {year}", f" '{year % 100:02d}")[style]
    if _is_latin(title):
        r = rng.random()
        if r < 0.18:
            title = title.lower()
        elif r < 0.24:
            title = title.upper()
        elif r < 0.34:
            title = _title_case(title)
        if rng.random() < 0.035:
            title = _typo(rng, title)
    r = rng.random()
    if r < 0.10 and cfg.emoji and not _has_symbol(title):
        e = rng.choice(cfg.emoji)
        title += rng.choice((" " + e, e, " " + e * 2, e * 3))
    elif 0.10 <= r < 0.15 and not _has_symbol(title):
        title += rng.choice(_PUNCTUATION)
    return title


def _pick_variant(rng: random.Random, titles: Sequence[str]) -> str:
    # earlier variants are the common spellings: weight 12 // (i + 1) + 1
    weights = [12 // (i + 1) + 1 for i in range(len(titles))]
    return titles[rng.choices(range(len(titles)), weights=weights)[0]]


def _followers(rng: random.Random) -> int:
    f = 1
    while rng.random() < 0.35:
        f += 1
    if rng.random() < 0.04:
        f += rng.randint(5, 400)
    return f


def _edits(rng: random.Random, num_tracks: int) -> int:
    e = rng.randint(1, max(2, num_tracks // 6))
    while rng.random() < 0.3:
        e += rng.randint(1, 6)
    return e
