"""A synthetic Million-Playlist-Dataset-shaped corpus, resampled from a real MPD sample.

    python benchmarks/synth_mpd.py --sample ../shared/data/mpd_sample --playlists 1000000 \
        --out /tmp/synth [--seed 0] [--fields full|sample]

Writes `mpd.slice.START-END.json` files of 1,000 playlists each in the MPD slice format
({"info": {...}, "playlists": [...]}), one slice at a time (memory is bounded by the
sample, the distinct titles and one slice, not by --playlists), then `synth_summary.txt` (JSON; not named .json so that `agent ingest DIR` skips it)
with the cumulative number of playlists, track rows, distinct tracks, distinct raw and
normalised titles after every slice. The corpus is for benchmarks only: it says
`"synthetic": true` in every slice's info, and minted track URIs are hashes, not Spotify's.

Each playlist resamples one sample playlist and perturbs it, deterministically for a
--seed (and prefix-stable: the first N playlists do not depend on --playlists, so a
10k corpus is the first 10 slices of a 1M one):

- tracks: a random subset keeping the order (lengths scaled so the mean is about the
  MPD's 66.3 rather than the sample's 97), ~10% replaced with tracks of another sample
  playlist with the same normalised title (else any), 20% of playlists shuffled; then new
  synthetic tracks are minted so that distinct tracks follow the MPD's growth (Heaps'
  law through the sample, 472,918 rows -> 159,014 tracks, and the full MPD, 66.3M rows ->
  2,262,292 tracks), and ~5% of slots reuse an earlier minted track (early ones more often).
- titles: the sample playlist's own title, or a variant minted from it (year or emoji
  suffix, prefix word, a typo, a word borrowed from another title) so that distinct
  normalised titles grow like 3,102 * (N / 4,865) ** 0.392 (3.1k at the sample's size,
  ~4.1k at 10k, ~10k at 100k, ~25k at 1M; the real MPD has 17,381 at 1M), plus cosmetic
  variants that leave the normalised title alone (case, "!!", " :)") for raw-name variety.
- `--fields full` (default) writes the 8 track fields of the real MPD (pos, artist_uri,
  album_uri, album_name and duration_ms are synthetic, derived from hashes, since the
  shared sample carries only track_uri, track_name and artist_name); `--fields sample`
  keeps the sample's 3 fields.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from array import array
from pathlib import Path
from random import Random

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.normalize import normalize_title  # noqa: E402

SLICE = 1000
SUMMARY_NAME = "synth_summary.txt"  # JSON, but not *.json: `agent ingest DIR` reads every .json
GENERATOR_VERSION = 1

# Distinct tracks after R track rows: a power law through the sample and the real MPD.
MPD_ROWS, MPD_TRACKS = 66_346_428, 2_262_292
SAMPLE_ROWS, SAMPLE_TRACKS = 472_918, 159_014
TRACK_EXPONENT = math.log(MPD_TRACKS / SAMPLE_TRACKS) / math.log(MPD_ROWS / SAMPLE_ROWS)  # ~0.537
# Distinct normalised titles after N playlists (the sample: 3,102 in 4,865).
TITLE_BASE, TITLE_BASE_N, TITLE_EXPONENT = 3102, 4865, 0.392
MEAN_LENGTH_FACTOR_LOW = 0.364  # uniform(0.364, 1.0) * 97.2 sample tracks ~= 66.3
REPLACE_SHARE = 0.10
SHUFFLE_SHARE = 0.20
MINTED_REUSE_SHARE = 0.05
MAX_MINTED_SHARE = 0.25  # at most this share of one playlist's slots are new tracks
TITLE_MINT_CHANCE = 0.5  # chance to mint a new title while behind the target curve
TITLE_VARIANT_CHANCE = 0.25  # chance to reuse an earlier minted variant of the title
COSMETIC_CHANCE = 0.30
EPOCH_2010, EPOCH_SPAN = 1_262_304_000, 247_000_000  # modified_at in 2010 .. late 2017

YEARS = ["2014", "2015", "2016", "2017", "15", "16", "17", "18", "'17", "2k17"]
EMOJI = ["🔥", "🎄", "☀️", "💯", "🎶", "❤️", "😎", "🌊", "🍂", "✨", "🤘", "🌙"]
PREFIXES = ["my", "the", "best", "new", "more", "old", "good", "summer", "night", "car"]
COSMETIC_SUFFIXES = ["!", "!!", "!!!", " :)", "...", "?", " ~", ".", " !"]
B62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def distinct_tracks_target(rows: int) -> float:
    return MPD_TRACKS * (rows / MPD_ROWS) ** TRACK_EXPONENT


def distinct_titles_target(playlists: int) -> float:
    return TITLE_BASE * (playlists / TITLE_BASE_N) ** TITLE_EXPONENT


def small_hash(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=4).digest(), "big")


# A byte -> base62 character table: bytes.translate turns a digest into an id in C.
# (The 256 % 62 skew is harmless for synthetic ids.)
_B62_TABLE = bytes(B62[i % 62] for i in range(256))


def b62_id(*parts: object) -> str:
    """22 base62 characters from a hash, the shape of a Spotify id."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=22).digest()
    return digest.translate(_B62_TABLE).decode()


class Sample:
    """The sample, flattened: playlists as track-id arrays, tracks as pre-serialised JSON."""

    def __init__(self, folder: Path, fields: str):
        paths = sorted(p for p in folder.iterdir() if p.name.endswith(".json"))
        if not paths:
            sys.exit(f"no .json MPD slices in {folder}")
        track_index: dict[str, int] = {}
        self.track_info: list[tuple[str, str, str, str, str, str, int]] = []
        self.names: list[str] = []
        self.norms: list[str] = []
        self.tracks: list[array] = []
        self.meta: list[tuple[int, int, str | None]] = []  # followers, edits, description
        for path in paths:
            for raw in orjson.loads(path.read_bytes())["playlists"]:
                ids = array("i")
                for track in raw["tracks"]:
                    uri = track["track_uri"]
                    tid = track_index.get(uri)
                    if tid is None:
                        tid = track_index[uri] = len(self.track_info)
                        artist = track["artist_name"]
                        album = small_hash("album", uri) % 3
                        self.track_info.append((
                            uri, track["track_name"], artist,
                            track.get("artist_uri") or "spotify:artist:" + b62_id("artist", artist),
                            track.get("album_uri") or "spotify:album:" + b62_id("album", artist, album),
                            track.get("album_name") or f"{artist} (synthetic album {album + 1})",
                            int(track.get("duration_ms") or 120_000 + small_hash("ms", uri) % 240_000),
                        ))
                    ids.append(tid)
                if not ids:
                    continue
                self.names.append(raw["name"])
                self.norms.append(normalize_title(raw["name"]))
                self.tracks.append(ids)
                self.meta.append((int(raw.get("num_followers", 1)), int(raw.get("num_edits", 1)), raw.get("description")))
        self.full = fields == "full"
        self.fragments = [self._fragment(info) for info in self.track_info]
        self.durations = array("i", (info[6] for info in self.track_info))
        artist_ids: dict[str, int] = {}
        album_ids: dict[str, int] = {}
        self.artists = array("i", (artist_ids.setdefault(info[2], len(artist_ids)) for info in self.track_info))
        self.albums = array("i", (album_ids.setdefault(info[4], len(album_ids)) for info in self.track_info))
        self.by_norm: dict[str, list[int]] = {}
        for index, norm in enumerate(self.norms):
            self.by_norm.setdefault(norm, []).append(index)
        self.all_norms = set(self.norms)
        self.words = sorted({word for norm in self.norms for word in norm.split() if len(word) > 2 and word.isalpha()})

    def _fragment(self, info: tuple, uri: str | None = None, name: str | None = None, ms: int | None = None) -> bytes:
        track_uri, track_name, artist, artist_uri, album_uri, album_name, duration = info
        if not self.full:
            data = {"artist_name": artist, "track_uri": uri or track_uri, "track_name": name or track_name}
            return orjson.dumps(data)
        data = {
            "artist_name": artist, "track_uri": uri or track_uri, "artist_uri": artist_uri,
            "track_name": name or track_name, "album_uri": album_uri,
            "duration_ms": ms or duration, "album_name": album_name,
        }
        return orjson.dumps(data)[1:]  # the '{' comes with the "pos" prefix

    def minted_fragment(self, seed: int, minted: int, base: int) -> bytes:
        info = self.track_info[base]
        return self._fragment(
            info, uri="spotify:track:" + b62_id("synthetic-track", seed, minted),
            name=f"{info[1]} · synth {minted}", ms=120_000 + (minted * 7919) % 240_000,
        )


class Synthesizer:
    def __init__(self, sample: Sample, seed: int):
        self.s = sample
        self.seed = seed
        self.rng = Random(seed)
        self.pid = 0
        self.rows = 0
        self.seen_sample_tracks: set[int] = set()
        self.minted_base = array("i")  # minted track m was derived from sample track minted_base[m]
        self.minted_reused = 0
        self.norms_seen: set[str] = set()
        self.raw_seen: set[str] = set()
        self.variants: dict[str, list[str]] = {}  # base normalised title -> minted raw variants
        self.pos_prefix = [b'{"pos":%d,' % i for i in range(512)]

    # -- titles ------------------------------------------------------------------

    def _mint_title(self, base: str) -> str | None:
        rng, candidate = self.rng, base
        for _ in range(6):
            op = rng.randrange(6)
            if op == 0:
                candidate = f"{candidate} {rng.choice(YEARS)}"
            elif op == 1:
                candidate = f"{candidate} {rng.choice(EMOJI)}"
            elif op == 2:
                candidate = f"{rng.choice(PREFIXES)} {candidate}"
            elif op == 3:
                candidate = f"{candidate} {rng.choice(self.s.words)}"
            elif op == 4:  # swap one word for a word of another title
                words = candidate.split()
                words[rng.randrange(len(words))] = rng.choice(self.s.words)
                candidate = " ".join(words)
            else:  # a typo in a word of 4+ letters: swap, drop or double a letter
                words = candidate.split()
                long = [i for i, w in enumerate(words) if len(w) >= 4]
                if not long:
                    continue
                i = rng.choice(long)
                w = words[i]
                j = rng.randrange(1, len(w) - 1)
                kind = rng.randrange(3)
                words[i] = (w[:j] + w[j + 1] + w[j] + w[j + 2:]) if kind == 0 else (w[:j] + w[j + 1:]) if kind == 1 else (w[:j] + w[j] + w[j:])
                candidate = " ".join(words)
            norm = normalize_title(candidate)
            if norm and norm not in self.s.all_norms:
                self.s.all_norms.add(norm)
                return candidate
        return None

    def _title(self, index: int) -> str:
        rng, s = self.rng, self.s
        base_norm = s.norms[index]
        title = s.names[index]
        behind = distinct_titles_target(self.pid + 1) > len(self.norms_seen)
        if behind and rng.random() < TITLE_MINT_CHANCE:
            minted = self._mint_title(title)
            if minted is not None:
                self.variants.setdefault(base_norm, []).append(minted)
                title = minted
        elif (variants := self.variants.get(base_norm)) and rng.random() < TITLE_VARIANT_CHANCE:
            title = variants[int(len(variants) * rng.random() ** 2)]  # earlier variants more often
        if rng.random() < COSMETIC_CHANCE:
            op = rng.randrange(5)
            if op == 0:
                title = title.lower()
            elif op == 1:
                title = title.upper()
            elif op == 2:
                title = title.title()
            else:
                title += rng.choice(COSMETIC_SUFFIXES)
        return title

    # -- tracks ------------------------------------------------------------------

    def _tracks(self, index: int) -> list[int]:
        rng, s = self.rng, self.s
        source = s.tracks[index]
        n = len(source)
        length = min(n, max(5, round(n * (MEAN_LENGTH_FACTOR_LOW + (1 - MEAN_LENGTH_FACTOR_LOW) * rng.random()))))
        if length < n:  # drop n - length tracks (fewer draws than picking the kept ones)
            dropped = set(rng.sample(range(n), n - length))
            tids = [t for i, t in enumerate(source) if i not in dropped]
        else:
            tids = list(source)
        replace = int(length * REPLACE_SHARE * 2 * rng.random())
        if replace:
            same = s.by_norm[s.norms[index]]
            donor = s.tracks[rng.choice(same) if len(same) > 1 else rng.randrange(len(s.tracks))]
            for _ in range(replace):
                tids[rng.randrange(length)] = donor[rng.randrange(len(donor))]
        if rng.random() < SHUFFLE_SHARE:
            rng.shuffle(tids)
        return tids

    def playlist(self) -> bytes:
        rng, s = self.rng, self.s
        index = rng.randrange(len(s.tracks))
        title = self._title(index)
        tids = self._tracks(index)
        length = len(tids)
        fragments = [s.fragments[t] for t in tids]
        # Minted tracks: new ones while distinct tracks lag the target curve, plus reuse.
        self.rows += length
        minted_count = len(self.minted_base)
        gap = distinct_tracks_target(self.rows) - len(self.seen_sample_tracks) - minted_count
        new = min(int(length * MAX_MINTED_SHARE), max(0, int(gap)))
        reuse = int(length * MINTED_REUSE_SHARE * 2 * rng.random() + rng.random()) if minted_count else 0
        duration = sum(s.durations[t] for t in tids)
        if new or reuse:
            for k, slot in enumerate(rng.sample(range(length), min(length, new + reuse))):
                if k < new:
                    minted = len(self.minted_base)
                    self.minted_base.append(tids[slot])
                else:
                    minted = int(minted_count * rng.random() ** 2)
                    self.minted_reused += 1
                fragments[slot] = s.minted_fragment(self.seed, minted, self.minted_base[minted])
                tids[slot] = -1
        self.seen_sample_tracks.update(tids)
        self.seen_sample_tracks.discard(-1)
        followers, edits, description = s.meta[index]
        meta = {
            "name": title,
            "collaborative": "true" if rng.random() < 0.02 else "false",
            "pid": self.pid,
            "modified_at": EPOCH_2010 + rng.randrange(EPOCH_SPAN),
            "num_tracks": length,
            "num_albums": len({s.albums[t] for t in tids if t >= 0}) + tids.count(-1),
            "num_followers": followers,
        }
        if description:
            meta["description"] = description
        self.norms_seen.add(normalize_title(title))
        self.raw_seen.add(title)
        self.pid += 1
        head = orjson.dumps(meta)[:-1]
        if s.full:
            body = b",".join(map(bytes.__add__, self.pos_prefix[:length], fragments))
        else:
            body = b",".join(fragments)
        tail = orjson.dumps({
            "num_edits": edits, "duration_ms": duration,
            "num_artists": len({s.artists[t] for t in tids if t >= 0}) + tids.count(-1),
        })[1:]
        return b"".join((head, b',"tracks":[', body, b"],", tail))

    def counts(self) -> dict:
        return {
            "playlists": self.pid,
            "track_rows": self.rows,
            "distinct_tracks": len(self.seen_sample_tracks) + len(self.minted_base),
            "minted_tracks": len(self.minted_base),
            "minted_reused_slots": self.minted_reused,
            "distinct_normalized_titles": len(self.norms_seen),
            "distinct_raw_titles": len(self.raw_seen),
        }


def generate(sample_dir: Path, playlists: int, out: Path, seed: int = 0, fields: str = "full", quiet: bool = False) -> dict:
    started = time.perf_counter()
    sample = Sample(sample_dir, fields)
    synth = Synthesizer(sample, seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("mpd.slice.*.json"):
        old.unlink()
    (out / SUMMARY_NAME).unlink(missing_ok=True)
    checkpoints = []
    generated_on = time.strftime("%Y-%m-%d %H:%M:%S")
    for start in range(0, playlists, SLICE):
        count = min(SLICE, playlists - start)
        name = f"mpd.slice.{start}-{start + count - 1}.json"
        info = {
            "generated_on": generated_on, "slice": f"{start}-{start + count - 1}", "version": "v1",
            "synthetic": True,
            "description": f"synthetic benchmark corpus resampled from {sample_dir.name} "
                           f"(seed {seed}, fields {fields}); minted track URIs are not Spotify's",
        }
        body = b",".join(synth.playlist() for _ in range(count))
        tmp = out / (name + ".tmp")
        with open(tmp, "wb") as handle:
            handle.write(b'{"info":' + orjson.dumps(info) + b',"playlists":[')
            handle.write(body)
            handle.write(b"]}")
        os.replace(tmp, out / name)
        checkpoints.append(synth.counts())
        if not quiet and (len(checkpoints) % 50 == 0 or start + count == playlists):
            c = checkpoints[-1]
            print(f"{c['playlists']:,} playlists, {c['distinct_tracks']:,} tracks, "
                  f"{c['distinct_normalized_titles']:,} titles, {time.perf_counter() - started:.0f} s", flush=True)
    summary = {
        "generator_version": GENERATOR_VERSION, "sample": str(sample_dir), "seed": seed, "fields": fields,
        "slice_size": SLICE, "seconds": time.perf_counter() - started,
        "sample_playlists": len(sample.tracks), "sample_tracks": len(sample.track_info),
        **synth.counts(), "checkpoints": checkpoints,
    }
    (out / SUMMARY_NAME).write_text(json.dumps(summary))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--playlists", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fields", choices=("full", "sample"), default="full")
    args = parser.parse_args()
    if args.playlists < 1:
        sys.exit("--playlists must be at least 1")
    summary = generate(args.sample, args.playlists, args.out, args.seed, args.fields)
    print(f"wrote {summary['playlists']:,} playlists ({summary['track_rows']:,} track rows, "
          f"{summary['distinct_tracks']:,} distinct tracks, {summary['distinct_normalized_titles']:,} "
          f"normalised / {summary['distinct_raw_titles']:,} raw titles) to {args.out} "
          f"in {summary['seconds']:.1f} s")


if __name__ == "__main__":
    main()
