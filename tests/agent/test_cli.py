"""The `agent` command as a user runs it, through click's CliRunner, with isolated data dirs.

MiniLM is loaded once for the session (`reuse_encoder`); everything else (SQLite,
embedded Chroma, voting, rendering, the demo build) runs for real.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from importlib import metadata
from pathlib import Path

import pytest

from agent.workspace import Workspace
from conftest import build_corpus, failed_cleanly, make_playlist, ok, uri, write_slice_file
from conftest import run_agent as agent
from retrieval.catalog import Catalog
from retrieval.index.titles import active_index_info
from retrieval.records import SCHEMA_VERSION

pytestmark = pytest.mark.usefixtures("reuse_encoder")

CORPUS = build_corpus()
DEMO_DIR = Path(__file__).resolve().parents[2] / "agent" / "demo"








@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A data dir holding the hand-made corpus and its index, made by `agent ingest`."""
    data = tmp_path_factory.mktemp("cli-home")
    slice_path = write_slice_file(tmp_path_factory.mktemp("cli-mpd"), CORPUS.playlists)
    result = ok(agent("ingest", slice_path, "--data-dir", data))
    assert "Catalog: 13 playlists, 23 tracks, 12 distinct titles" in result.stdout
    assert "12 titles embedded" in result.stdout
    return data


def generate_json(home: Path, *args) -> dict:
    result = ok(agent("generate", "--data-dir", home, "--format", "json", *args))
    return json.loads(result.stdout)


def track_uris(payload: dict) -> list[str]:
    return [t["track_uri"] for t in payload["tracks"]]


def voted_uris(payload) -> list[str]:
    """The tracks the title's neighbours voted for: the popularity tail that fills the
    rest of a request from a tiny corpus comes from any theme."""
    return [t["track_uri"] for t in payload["tracks"] if t["voters"]]


# --------------------------------------------------------------------------- #
# ingest and generate
# --------------------------------------------------------------------------- #


def test_generate_json_has_the_documented_schema(home):
    payload = generate_json(home, "--title", "xmas songs", "--k", 4, "-n", 5)
    assert payload["schema_version"] == SCHEMA_VERSION == 1
    assert payload["title"] == "xmas songs"
    assert payload["normalized_title"] == "xmas songs"
    assert payload["k"] == 4 and payload["voting"] == "similarity"  # the measured default
    assert payload["encoder"] == "all-MiniLM-L6-v2"
    assert len(payload["tracks"]) == 5
    for rank, track in enumerate(payload["tracks"], 1):
        assert set(track) >= {"track_uri", "track_name", "artist_name", "score", "rank"}
        assert track["rank"] == rank
        assert CORPUS.track_names[track["track_uri"]] == (track["track_name"], track["artist_name"])
    assert set(voted_uris(payload)) <= CORPUS.uris["xmas"]
    assert {n["pid"] for n in payload["neighbours"]} <= CORPUS.pids["xmas"]
    made_with = payload["made_with"]
    assert made_with["version"] == metadata.version("playlist-agent")
    assert made_with["catalog"].startswith(f"p{len(CORPUS.playlists)}-")  # the catalog's own fingerprint
    assert made_with["settings"] | {"k": 4, "n": 5, "mode": "retrieval"} == made_with["settings"]
    assert (made_with["steering"], made_with["profile"], made_with["excluded_artists"]) == ([], None, [])


def test_the_record_names_the_discovery_and_ranker_settings(home):
    payload = json.loads(ok(agent("generate", "--title", "christmas", "--format", "json", "--discovery", "0.5",
                                  "--data-dir", home)).stdout)
    assert payload["made_with"]["settings"]["discovery"] == 0.5
    assert payload["made_with"]["settings"]["ranker"] is False


def test_data_dir_can_come_from_agent_home(home):
    result = ok(agent("generate", "--title", "workout", "--format", "json", "--k", 3, env={"AGENT_HOME": str(home)}))
    assert set(voted_uris(json.loads(result.stdout))) <= CORPUS.uris["workout"]


def test_jsonl_is_one_line_holding_the_json_object(home):
    expected = generate_json(home, "--title", "chill", "--k", 3, "-n", 4)
    result = ok(agent("generate", "--data-dir", home, "--title", "chill", "--k", 3, "-n", 4, "--format", "jsonl"))
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert track_uris(payload) == track_uris(expected)
    assert payload["schema_version"] == SCHEMA_VERSION


def test_csv_has_a_header_and_one_row_per_track(home):
    expected = generate_json(home, "--title", "chill", "--k", 3, "-n", 4)
    result = ok(agent("generate", "--data-dir", home, "--title", "chill", "--k", 3, "-n", 4, "--format", "csv"))
    comment, table = result.stdout.split("\n", 1)
    made_with = expected["made_with"]
    assert comment == f"# playlist-agent {made_with['version']} · catalog {made_with['catalog']} · mode=retrieval n=4 k=3 " \
                      "voting=similarity merge_versions=True max_per_artist=None seeds=0 discovery=0.0 ranker=False method=fused"
    rows = list(csv.reader(io.StringIO(table)))
    assert rows[0] == ["rank", "track_uri", "track_name", "artist_name", "score"]
    assert [row[1] for row in rows[1:]] == track_uris(expected)
    assert [int(row[0]) for row in rows[1:]] == [1, 2, 3, 4]
    assert [row[3] for row in rows[1:]] == [t["artist_name"] for t in expected["tracks"]]


def test_csv_quotes_names_with_commas(tmp_path):
    data = tmp_path / "home"
    slice_path = write_slice_file(tmp_path, [{"pid": 1, "name": "odd", "tracks": [
        {"track_uri": "spotify:track:odd", "track_name": 'Hello, "World"', "artist_name": "A, B & C"}]}])
    ok(agent("ingest", slice_path, "--data-dir", data))
    result = ok(agent("generate", "--data-dir", data, "--title", "odd", "--format", "csv"))
    rows = list(csv.reader(io.StringIO(result.stdout.split("\n", 1)[1])))
    assert rows[1][1:4] == ["spotify:track:odd", 'Hello, "World"', "A, B & C"]


def test_m3u_lists_each_track_with_a_link(home):
    expected = generate_json(home, "--title", "workout", "--k", 3, "-n", 3)
    result = ok(agent("generate", "--data-dir", home, "--title", "workout", "--k", 3, "-n", 3, "--format", "m3u"))
    lines = result.stdout.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#PLAYLIST:workout"
    assert lines[2].startswith(f"# playlist-agent {expected['made_with']['version']} · catalog ")
    entries = lines[3:]
    assert len(entries) == 6
    for (info, location), track in zip(zip(entries[::2], entries[1::2]), expected["tracks"]):
        assert info == f"#EXTINF:-1,{track['artist_name']} - {track['track_name']}"
        assert location == "https://open.spotify.com/track/" + track["track_uri"].split(":")[-1]


def test_table_output_names_the_tracks(home):
    expected = generate_json(home, "--title", "xmas songs", "--k", 4, "-n", 3)
    result = ok(agent("generate", "--data-dir", home, "--title", "xmas songs", "--k", 4, "-n", 3))
    for track in expected["tracks"]:
        assert track["artist_name"] in result.stdout


def test_output_file_gets_the_playlist(home, tmp_path):
    out = tmp_path / "playlist.json"
    ok(agent("generate", "--data-dir", home, "--title", "chill", "--format", "json", "--output", out))
    assert json.loads(out.read_text())["title"] == "chill"


def test_titles_file_writes_one_json_object_per_title(home, tmp_path, encoder, monkeypatch):
    titles = tmp_path / "titles.txt"
    titles.write_text("xmas songs\n\n   workout  \n\t\nchill\n", encoding="utf-8")
    loads = []
    monkeypatch.setattr("retrieval.generator._query_encoder", lambda info: loads.append(info) or encoder)
    result = ok(agent("generate", "--data-dir", home, "--titles-file", titles, "--k", 3, "-n", 3))
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    payloads = [json.loads(line) for line in lines]
    assert [p["title"] for p in payloads] == ["xmas songs", "workout", "chill"]
    for payload, theme in zip(payloads, ["xmas", "workout", "chill"]):
        assert len(payload["tracks"]) == 3
        assert set(track_uris(payload)) <= CORPUS.uris[theme]
    assert len(loads) == 1  # the model is loaded once for all titles


def test_titles_file_to_output_file(home, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("gym\nrelax\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = ok(agent("generate", "--data-dir", home, "--titles-file", titles, "--format", "jsonl", "-o", out))
    assert result.stdout == ""
    assert [json.loads(line)["title"] for line in out.read_text().splitlines()] == ["gym", "relax"]


def test_explain_shows_the_matched_playlists(home):
    result = ok(agent("generate", "--data-dir", home, "--title", "xmas songs", "--k", 4, "--explain"))
    out = result.stdout
    assert "Matched playlists" in out
    for name in ("xmas songs", "Xmas Songs!", "Christmas Music"):
        assert name in out
    assert "Workout" not in out


def test_max_per_artist_keeps_every_artist_once(home):
    # Eminem and Kanye West each have two workout tracks.
    unlimited = generate_json(home, "--title", "workout", "--k", 4, "-n", 10)
    artists = [t["artist_name"] for t in unlimited["tracks"]]
    assert len(artists) > len(set(artists))
    capped = generate_json(home, "--title", "workout", "--k", 4, "-n", 10, "--max-per-artist", 1)
    artists = [t["artist_name"] for t in capped["tracks"]]
    assert len(artists) == len(set(artists)) >= 4


def test_exclude_artist_leaves_the_artist_out(home):
    assert "Eminem" in {t["artist_name"] for t in generate_json(home, "--title", "workout", "--k", 4)["tracks"]}
    payload = generate_json(home, "--title", "workout", "--k", 4, "--exclude-artist", "eminem",
                            "--exclude-artist", "Kanye West")
    artists = {t["artist_name"] for t in payload["tracks"]}
    assert artists and not artists & {"Eminem", "Kanye West"}


@pytest.mark.parametrize("n", [1, 3])
def test_n_sets_the_number_of_tracks(home, n):
    assert len(generate_json(home, "--title", "chill", "-n", n)["tracks"]) == n


def test_similarity_voting_is_selectable(home):
    payload = generate_json(home, "--title", "xmas songs", "--k", 4, "--voting", "similarity")
    assert payload["voting"] == "similarity"
    assert set(voted_uris(payload)) <= CORPUS.uris["xmas"]


def test_keep_versions_lists_versions_separately(home):
    merged = generate_json(home, "--title", "xmas songs", "--k", 4, "-n", 20)
    assert "spotify:track:xmas08" not in track_uris(merged)
    last = next(t for t in merged["tracks"] if t["track_uri"] == "spotify:track:xmas02")
    assert last["merged_uris"] == ["spotify:track:xmas08"]
    separate = generate_json(home, "--title", "xmas songs", "--k", 4, "-n", 20, "--keep-versions")
    assert {"spotify:track:xmas02", "spotify:track:xmas08"} <= set(track_uris(separate))


def test_a_short_playlist_warns_on_stderr(home):
    result = ok(agent("generate", "--data-dir", home, "--title", "xmas songs", "--k", 1, "-n", 50, "--format", "json"))
    assert "Warning" in result.stderr and "only" in result.stderr
    assert json.loads(result.stdout)["warnings"]


# --------------------------------------------------------------------------- #
# user errors
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--title", ""], "empty"),
        (["--title", "   "], "empty"),
        (["--title", "x", "--titles-file", "TITLES"], "--titles-file"),
        ([], "--titles-file"),
        (["--title", "chill", "--k", "0"], "at least 1"),
        (["--title", "chill", "-n", "0"], "at least 1"),
        (["--title", "chill", "--max-per-artist", "0"], "at least 1"),
        (["--titles-file", "EMPTY"], "no titles"),
        (["--titles-file", "TITLES", "--format", "json"], "jsonl"),
        (["--title", "chill", "--voting", "popular"], "popular"),
        (["--title", "chill", "--format", "xml"], "xml"),
        (["--title", "chill", "--k", "many"], "many"),
    ],
    ids=["empty title", "whitespace title", "both", "neither", "k=0", "n=0", "max-per-artist=0",
         "titles file without titles", "json for many titles", "unknown voting", "unknown format", "k not a number"],
)
def test_generate_user_errors_are_reported_without_traceback(home, tmp_path, args, fragment):
    titles, empty = tmp_path / "titles.txt", tmp_path / "empty.txt"
    titles.write_text("chill\nworkout\n")
    empty.write_text("\n  \n")
    args = [{"TITLES": titles, "EMPTY": empty}.get(a, a) for a in args]
    failed_cleanly(agent("generate", "--data-dir", home, *args), fragment)


def test_ingest_of_a_bad_slice_names_the_file_and_stores_nothing(tmp_path):
    data = tmp_path / "home"
    bad = make_playlist(77, "broken", ["gym01"])
    del bad["tracks"][0]["track_uri"]
    path = write_slice_file(tmp_path, [make_playlist(1, "fine", ["gym02"]), bad], "mpd.slice.3000-3999.json")
    out = failed_cleanly(agent("ingest", path, "--data-dir", data), "mpd.slice.3000-3999.json", "pid=77", "track_uri")
    assert "Traceback" not in out
    with Catalog(Workspace(home=data).user_catalog_path) as catalog:
        assert catalog.is_empty()


@pytest.mark.parametrize("content", ["", "{not json"], ids=["empty", "malformed"])
def test_ingest_of_an_unreadable_file_names_it(tmp_path, content):
    path = tmp_path / "mpd.slice.0-999.json"
    path.write_text(content)
    failed_cleanly(agent("ingest", path, "--data-dir", tmp_path / "home"), "mpd.slice.0-999.json")


def test_ingest_of_a_missing_path_is_refused(tmp_path):
    result = agent("ingest", tmp_path / "nowhere.json", "--data-dir", tmp_path / "home")
    assert result.exit_code != 0 and "nowhere.json" in result.output and "Traceback" not in result.output


def test_ingest_skip_bad_reports_the_skipped_count(tmp_path, workspace_home):
    data = workspace_home  # found through $AGENT_HOME
    playlists = [make_playlist(pid, f"good {pid}", ["chill01", "chill02"]) for pid in (1, 2, 3)]
    del playlists[1]["tracks"][1]["track_uri"]
    playlists.append({**make_playlist(4, "bad pid", ["chill03"]), "pid": "four"})
    path = write_slice_file(tmp_path, playlists)
    result = ok(agent("ingest", path, "--skip-bad", "--no-index"))
    assert "Skipped 2 invalid playlist(s)" in result.stderr
    assert "pid=2" in result.stderr and "pid=four" in result.stderr
    assert "Ingested 2 playlists" in result.stdout
    with Catalog(Workspace(home=data).user_catalog_path) as catalog:
        assert catalog.pids() == [1, 3]


def test_generate_without_an_index_says_to_run_agent_index(tmp_path):
    data = tmp_path / "home"
    ok(agent("ingest", write_slice_file(tmp_path, CORPUS.playlists), "--no-index", "--data-dir", data))
    failed_cleanly(agent("generate", "--data-dir", data, "--title", "chill"), "agent index")


def test_agent_index_builds_and_rebuilds_the_index(tmp_path, workspace_home):
    data = workspace_home  # found through $AGENT_HOME
    ok(agent("ingest", write_slice_file(tmp_path, CORPUS.playlists), "--no-index"))
    first = ok(agent("index"))
    assert "Indexed 12 titles" in first.stdout
    with Catalog(Workspace(home=data).user_catalog_path) as catalog:
        first_collection = active_index_info(catalog).collection
    assert first_collection in first.stdout
    ok(agent("index"))
    with Catalog(Workspace(home=data).user_catalog_path) as catalog:
        second_collection = active_index_info(catalog).collection
    assert second_collection != first_collection
    payload = json.loads(ok(agent("generate", "--title", "gym", "--k", 3, "--format", "json")).stdout)
    assert set(voted_uris(payload)) <= CORPUS.uris["workout"]


def test_ingest_reingest_keeps_the_catalog_unchanged(tmp_path):
    data = tmp_path / "home"
    path = write_slice_file(tmp_path, CORPUS.playlists)
    first = ok(agent("ingest", path, "--no-index", "--data-dir", data))
    second = ok(agent("ingest", path, "--no-index", "--data-dir", data))
    catalog_line = [line for line in first.stdout.splitlines() if line.startswith("Catalog:")]
    assert catalog_line and catalog_line == [line for line in second.stdout.splitlines() if line.startswith("Catalog:")]


def test_an_unreachable_chroma_server_is_a_clear_error(home):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    failed_cleanly(agent("generate", "--data-dir", home, "--title", "chill", "--chroma-url", url), url)


# --------------------------------------------------------------------------- #
# the first-run demo
# --------------------------------------------------------------------------- #


def _demo_songs(theme: str) -> set[tuple[str, str]]:
    songs = set()
    for tsv in (DEMO_DIR / "songs").glob("*.tsv"):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0] == theme:
                songs.add((parts[1], parts[2]))
    return songs


def _demo_state(home: Path) -> dict:
    workspace = Workspace(home=home)
    with Catalog(workspace.demo_catalog_path) as catalog:
        return {
            "mtime": workspace.demo_catalog_path.stat().st_mtime_ns,
            "collection": active_index_info(catalog).collection,
            "stats": catalog.stats(),
        }


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """`agent generate` twice on an empty data dir: the first builds the demo, the second reuses it."""
    home = tmp_path_factory.mktemp("demo-home")
    env = {"AGENT_HOME": str(home)}
    first = agent("generate", "--title", "christmas", "--format", "json", env=env)
    state_after_first = _demo_state(home) if first.exit_code == 0 else None
    second = agent("generate", "--title", "christmas", "--format", "json", env=env)
    return home, first, state_after_first, second, _demo_state(home)


def test_first_run_builds_the_demo_catalog(demo_runs):
    home, first, _, _, _ = demo_runs
    ok(first)
    assert "First run" in first.stderr
    payload = json.loads(first.stdout)
    assert len(payload["tracks"]) == 10
    assert all(t["track_uri"].startswith("demo:track:") for t in payload["tracks"])
    # The demo holds real christmas songs under christmas titles.
    christmas = _demo_songs("christmas")
    found = [(t["track_name"], t["artist_name"]) in christmas for t in payload["tracks"]]
    assert sum(found) >= 8, payload["tracks"]
    assert all(any(w in n["name"].lower() for w in ("christmas", "xmas", "holiday", "🎄")) for n in payload["neighbours"][:10])
    # The user's own catalog is left alone.
    assert not Workspace(home=home).user_catalog_path.exists()


def test_second_run_reuses_the_demo_catalog(demo_runs):
    _, first, state_after_first, second, state_after_second = demo_runs
    ok(first)
    ok(second)
    assert "First run" not in second.stderr
    assert state_after_second == state_after_first  # not rebuilt: same file, same index
    assert state_after_first["stats"].playlists > 1000
    assert json.loads(second.stdout)["tracks"] == json.loads(first.stdout)["tracks"]


def test_a_user_catalog_is_used_instead_of_the_demo(tmp_path):
    home = tmp_path / "home"
    ok(agent("ingest", write_slice_file(tmp_path, CORPUS.playlists), "--data-dir", home))
    payload = generate_json(home, "--title", "christmas", "--k", 3)
    assert set(voted_uris(payload)) <= CORPUS.uris["xmas"]
    assert not (home / "demo").exists()


def test_playlists_stored_without_an_index_build_are_prepared_for_ranking_with_progress(tmp_path):
    data = tmp_path / "data"
    ok(agent("ingest", write_slice_file(tmp_path / "mpd", CORPUS.playlists), "--data-dir", data))
    extra = make_playlist(9_000, "more xmas", ["xmas01", "xmas02", "xmas03"])
    ok(agent("ingest", "--no-index", write_slice_file(tmp_path / "more", [extra], name="mpd.slice.9000-9999.json"),
             "--data-dir", data))
    first = ok(agent("generate", "--data-dir", data, "--title", "christmas", "-n", "3"))
    assert "Preparing the ranking data" in first.output  # the graph and tables are rebuilt, visibly
    again = ok(agent("generate", "--data-dir", data, "--title", "christmas", "-n", "3"))
    assert "Preparing the ranking data" not in again.output  # and only once


# --------------------------------------------------------------------------- #
# The title first on the line; seeds the catalog lacks
# --------------------------------------------------------------------------- #


def test_the_title_may_come_first_without_a_flag(home):
    flagged = generate_json(home, "--title", "xmas songs", "--k", 4, "-n", 3)
    positional = json.loads(ok(agent("generate", "xmas songs", "--data-dir", home, "--k", 4, "-n", 3,
                                     "--format", "json")).stdout)
    assert track_uris(positional) == track_uris(flagged) and positional["title"] == "xmas songs"
    failed_cleanly(agent("generate", "gym", "--title", "chill", "--data-dir", home), "give the title once", exit_code=1)


def test_an_unknown_seed_uri_is_skipped_while_a_title_or_seed_remains(home):
    result = ok(agent("generate", "workout", "--seed", "spotify:track:gone", "--seed", uri("gym01"),
                      "--data-dir", home, "--k", 4, "-n", 3, "--format", "json"))
    payload = json.loads(result.stdout)
    assert [s["track_uri"] for s in payload["seeds"]] == [uri("gym01")]
    assert "not in the catalog, skipped: spotify:track:gone" in " ".join(result.stderr.split())  # wrapped to the width
    titled = ok(agent("generate", "workout", "--seed", "spotify:track:gone", "--data-dir", home, "--k", 4, "-n", 3))
    assert "skipped: spotify:track:gone" in " ".join(titled.stderr.split())


def test_a_single_request_with_nothing_left_to_answer_from_is_an_error(home):
    failed_cleanly(agent("generate", "--seed", "spotify:track:gone", "--data-dir", home),
                   "no seed track is in the catalog and there is no title", exit_code=1)
    failed_cleanly(agent("generate", "--seed", "Zzyzx Road by The Nonexistents", "--data-dir", home),
                   "Zzyzx Road", exit_code=1)


def test_a_seed_only_table_says_the_seeds_voted(home):
    table = ok(agent("generate", "--seed", uri("gym01"), "--data-dir", home, "-n", 3)).stdout
    assert "from the playlists holding the seeds" in table and "voted by 0 similar playlists" not in table
