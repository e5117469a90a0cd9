"""Deterministic builder of the embedded demo catalog.

The demo catalog lets ``agent generate`` answer before the user has loaded any
real data.  It is written in the Spotify Million Playlist Dataset (MPD) *slice*
format, but every playlist in it is synthetic: the song titles and artists are
real (taken from the hand-written lists in ``songs/*.tsv``), the playlists,
titles, follower counts and URIs are generated here.  URIs use the ``demo:``
scheme and are derived from the song text, never made to look like Spotify ids.

Inputs (all in ``agent/demo/``, beside the catalog the package ships):

* ``THEMES.md``   -- the theme keys, whitespace-separated after a ``label:``;
* ``themes.json`` -- per theme: title variants, weight, emoji, year suffix flag,
  plus the list of theme pairs that are blended;
* ``songs/*.tsv`` -- ``THEME<TAB>SONG<TAB>ARTIST`` lines, ``#`` lines are
  comments, read in sorted file-name order.

Output: ``agent/demo/mpd.slice.demo.json.gz``.  The build only uses ``random.Random`` with
a fixed seed and iterates over sorted containers, and the gzip header carries
no file name and ``mtime=0``, so the bytes are the same on every run.

Usage::

    python tools/build_demo.py           # write the file, print a summary
    python tools/build_demo.py --check   # exit 1 if the shipped file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

# Run as a script, only tools/ is on the path; the builder's modules are imported as `tools.…`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.demo_builder.assemble import DemoBuild, build, build_catalog  # noqa: E402
from tools.demo_builder.inputs import Blend, SongTable, load_songs, load_theme_config, load_theme_keys  # noqa: E402
from tools.demo_builder.output import catalog_bytes, catalog_json_bytes, check, gzip_bytes  # noqa: E402
from tools.demo_builder.settings import *  # noqa: E402,F401,F403  (the settings are part of the builder's interface)
from tools.demo_builder.settings import OUTPUT_PATH, SONGS_DIR, DemoBuildError  # noqa: E402

__all__ = ["Blend", "DemoBuild", "SongTable", "build", "build_catalog", "catalog_bytes", "catalog_json_bytes", "check",
           "gzip_bytes", "load_songs", "load_theme_config", "load_theme_keys", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/build_demo.py",
        description="Build the synthetic demo catalog (MPD slice format) from songs/*.tsv.",
    )
    parser.add_argument("--check", action="store_true", help="rebuild in memory; exit 1 if the shipped file differs")
    parser.add_argument("--output", type=Path, default=None, help=f"catalog file (default: {OUTPUT_PATH})")
    parser.add_argument("--songs-dir", type=Path, default=None, help=f"song lists folder (default: {SONGS_DIR})")
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = OUTPUT_PATH
    try:
        result = build(songs_dir=args.songs_dir)
    except DemoBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    payload = catalog_json_bytes(result.catalog)
    if args.check:
        problem = check(args.output, payload)
        if problem:
            print(f"demo catalog is stale: {problem}; run `python tools/build_demo.py`", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date ({result.summary()})")
        return 0
    data = gzip_bytes(payload)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes): {result.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
