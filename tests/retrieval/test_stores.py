"""Broken stores are named, never hidden: a damaged catalog or index store is a one-line
error saying what to run; `agent index` rebuilds a damaged index store; an index older
than its catalog answers with a warning; a build killed half-way leaves nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from conftest import failed_cleanly, make_playlist, ok, run_agent, write_slice_file, build_corpus
from retrieval.catalog import Catalog
from retrieval.errors import CatalogUnreadableError
from retrieval.index.tags import active_tags_info
from retrieval.index.titles import ChromaLocation, active_index_info, build_index

pytestmark = pytest.mark.usefixtures("reuse_encoder")

CORPUS = build_corpus()


@pytest.fixture(scope="module")
def indexed_home(tmp_path_factory):
    """A data dir with the hand-made corpus ingested and indexed; tests copy it."""
    home = tmp_path_factory.mktemp("stores-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("mpd"), CORPUS.playlists), "--data-dir", home))
    return home


@pytest.fixture
def home(indexed_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(indexed_home, copy)
    return copy


def _drop_table(path, table):
    with sqlite3.connect(path) as db:
        db.execute(f"DROP TABLE {table}")


def generate(home, *args):
    return run_agent("generate", "--data-dir", home, "--title", "xmas songs", "--k", 3, "-n", 3, *args)


def test_the_copied_home_works(home):
    assert json.loads(ok(generate(home, "--format", "json")).stdout)["warnings"] == []


@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda path: path.write_bytes(b""), "empty file"),
        (lambda path: path.write_bytes(b"this is not a database at all " * 200), "not a SQLite database"),
        (lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]), "truncated"),
        (lambda path: _drop_table(path, "playlist_tracks"), "table playlist_tracks is missing"),
        (lambda path: shutil.copyfile(path.parent / "chroma" / "chroma.sqlite3", path), "not a catalog"),
    ],
    ids=["zero bytes", "garbage", "truncated", "a table dropped", "another program's database"],
)
def test_a_damaged_catalog_is_one_line_in_generate_and_ingest(home, tmp_path, damage, problem):
    catalog = home / "catalog.sqlite"
    damage(catalog)
    before = catalog.read_bytes()
    output = failed_cleanly(generate(home), str(catalog), problem, "agent ingest", exit_code=1)
    assert "demo" not in output.lower()  # never answered from the demo catalog instead
    good = write_slice_file(tmp_path / "more", [make_playlist(900, "more", ["gym01"])])
    failed_cleanly(run_agent("ingest", "--no-index", good, "--data-dir", home), problem, exit_code=1)
    assert catalog.read_bytes() == before  # left as it was, for the user to inspect


def test_damage_met_after_opening_is_reported_too(tmp_path):
    path = tmp_path / "catalog.sqlite"
    Catalog(path).close()  # a valid, empty catalog
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # header kept, every page garbage
    path.write_bytes(bytes(data))
    with pytest.raises(CatalogUnreadableError, match="damaged"):
        with Catalog(path) as catalog:
            catalog.stats()


def test_a_damaged_index_store_is_named_and_agent_index_rebuilds_it(home):
    store = home / "chroma" / "chroma.sqlite3"
    store.write_bytes(b"garbage" * 1000)
    failed_cleanly(generate(home), str(home / "chroma"), "damaged", "agent index", exit_code=1)
    result = ok(run_agent("index", "--data-dir", home))
    assert "moved to" in result.output
    assert [p.name for p in home.iterdir() if p.name.startswith("chroma.damaged-")]
    payload = json.loads(ok(generate(home, "--format", "json")).stdout)
    assert payload["tracks"] and payload["warnings"] == []


def test_an_index_older_than_the_catalog_says_so(home, tmp_path):
    more = write_slice_file(tmp_path / "more", [make_playlist(900, "late xmas", ["xmas01"])])
    ok(run_agent("ingest", "--no-index", more, "--data-dir", home))
    payload = json.loads(ok(generate(home, "--format", "json")).stdout)
    assert any("older than the catalog" in w and "agent index" in w for w in payload["warnings"])
    ok(run_agent("index", "--data-dir", home))
    assert json.loads(ok(generate(home, "--format", "json")).stdout)["warnings"] == []


def test_a_killed_build_leaves_a_stale_warning_and_its_collection_is_dropped_next_time(home, tmp_path):
    more = write_slice_file(tmp_path / "more", [make_playlist(900, "late xmas", ["xmas01"])])
    ok(run_agent("ingest", "--no-index", more, "--data-dir", home))
    # A real process builds the index and is killed (SIGKILL) after its first batch.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from retrieval.catalog import Catalog
        from retrieval.encoding.encoder import Encoder
        from retrieval.index.titles import ChromaLocation, build_index
        catalog = Catalog({str(home / "catalog.sqlite")!r})
        build_index(catalog, Encoder(), ChromaLocation(path=Path({str(home / "chroma")!r})), batch_size=2,
                    on_progress=lambda done, total: os.kill(os.getpid(), signal.SIGKILL))
    """)
    killed = subprocess.run([sys.executable, "-c", script], env={**os.environ, "HF_HUB_OFFLINE": "1"},
                            capture_output=True, timeout=600)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    location = ChromaLocation(path=home / "chroma")
    with Catalog(home / "catalog.sqlite") as catalog:
        active = active_index_info(catalog).collection
        names = {c.name for c in location.client().list_collections()}
        tags = active_tags_info(catalog)  # the track tag vectors, a collection of their own
        partial = names - {active} - set(json.loads(catalog.get_meta("index.history"))) - {tags.collection if tags else ""}
        assert len(partial) == 1  # the killed build's half-filled collection
    payload = json.loads(ok(generate(home, "--format", "json")).stdout)
    assert any("older than the catalog" in w for w in payload["warnings"])
    ok(run_agent("index", "--data-dir", home))
    names = {c.name for c in location.client().list_collections()}
    assert not partial & names
    assert json.loads(ok(generate(home, "--format", "json")).stdout)["warnings"] == []


def test_a_build_in_progress_elsewhere_is_not_dropped(home, encoder):
    # A collection marked as being built by a live process (this one) must survive another build.
    location = ChromaLocation(path=home / "chroma")
    with Catalog(home / "catalog.sqlite") as catalog:
        client = location.client()
        from retrieval.index.store import builder_metadata

        client.create_collection("titles-in-progress", metadata=builder_metadata(), embedding_function=None)
        build_index(catalog, encoder, location)
    assert "titles-in-progress" in {c.name for c in location.client().list_collections()}


def test_a_catalog_path_that_is_a_folder_or_under_a_file_is_one_line(tmp_path):
    (tmp_path / "catalog.sqlite").mkdir()
    with pytest.raises(CatalogUnreadableError, match="is not a file"):
        Catalog(tmp_path / "catalog.sqlite")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(CatalogUnreadableError, match="cannot create the folder"):
        Catalog(tmp_path / "plain" / "catalog.sqlite")


def test_a_completed_index_is_never_taken_for_abandoned(home, monkeypatch):
    # Once built, a collection stays even when the process that built it has exited.
    from retrieval.index.store import abandoned_collections

    monkeypatch.setattr("retrieval.index.store._process_runs", lambda pid: False)
    client = ChromaLocation(path=home / "chroma").client()
    assert abandoned_collections(client, ("titles-", "eval-")) == []


def test_a_catalog_locked_too_long_by_another_writer_is_one_line(home, tmp_path, monkeypatch):
    monkeypatch.setattr("retrieval.catalog.schema.LOCK_WAIT_SECONDS", 0.5)  # 60 s in use
    holder = Catalog(home / "catalog.sqlite")
    holder.connection_for_tests().execute("BEGIN IMMEDIATE")  # another process mid-ingest
    try:
        more = write_slice_file(tmp_path / "more", [make_playlist(900, "late xmas", ["xmas01"])])
        failed_cleanly(run_agent("ingest", "--no-index", more, "--data-dir", home),
                       "locked by another writer", str(home / "catalog.sqlite"), exit_code=1)
        ok(generate(home))  # readers are not blocked by a writer
    finally:
        holder.connection_for_tests().execute("ROLLBACK")
        holder.close()


def test_an_index_recorded_before_content_versions_is_still_checked(home, tmp_path):
    # Indexes built by earlier releases carry only the catalog fingerprint.
    with Catalog(home / "catalog.sqlite") as catalog:
        record = json.loads(catalog.get_meta("index.active"))
        record.pop("catalog_version")
        catalog.set_meta("index.active", json.dumps(record))
    assert json.loads(ok(generate(home, "--format", "json")).stdout)["warnings"] == []
    more = write_slice_file(tmp_path / "more", [make_playlist(900, "late xmas", ["xmas01"])])
    ok(run_agent("ingest", "--no-index", more, "--data-dir", home))
    payload = json.loads(ok(generate(home, "--format", "json")).stdout)
    assert any("older than the catalog" in w for w in payload["warnings"])
