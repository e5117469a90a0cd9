"""The LLM modes' pure parts, without a model: ranking repair and fusion, answer
parsing, song matching against a real SQLite catalog, prompts, and the config file
(flags, atomic writes, a key that is never shown)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from pydantic import SecretStr

from agent.llm import LLMConfigError, LLMOutputError, backend_names, create_backend
from agent.llm.config import LLMConfig, OpenAIOptions, config_path, load_config, save_config
from agent.llm.prompts import load_prompt, parse_prompt
from agent.llm.structured import parse_answer
from agent.playlist.llm_songs import Song, SongsAnswer, match_songs, songs_schema, unique_new_songs
from agent.playlist import ModeOptions
from agent.playlist.rerank import RerankAnswer, ranking_schema, reciprocal_rank_fusion, repair_ranking
from conftest import build_corpus, uri, write_slice_file
from retrieval.catalog import Catalog
from retrieval.generator import GenerationError
from retrieval.mpd.ingest import ingest_paths
from retrieval.matching import SongMatcher
from retrieval.records import Track

SECRET = "sk-unit-test-SECRET-0123456789"


# --------------------------------------------------------------------------- #
# Rerank answers: repair and fusion
# --------------------------------------------------------------------------- #


def test_a_clean_ranking_is_kept_and_the_rest_follow_in_retrieval_order():
    repaired = repair_ranking([3, 1], count=5)
    assert repaired.order == [2, 0, 1, 3, 4]
    assert repaired.picked == [2, 0]
    assert (repaired.duplicates, repaired.out_of_range, repaired.filled) == (0, 0, 3)
    assert repaired.repairs == []


def test_duplicates_are_dropped_after_their_first_place():
    repaired = repair_ranking([2, 2, 4, 2, 1], count=4)
    assert repaired.order == [1, 3, 0, 2]
    assert repaired.duplicates == 2
    assert repaired.repairs == ["repeated 2 number(s)"]


@pytest.mark.parametrize("stray", [0, -1, 7, 100, True, "2", 2.0, None])
def test_numbers_that_are_not_candidates_are_dropped(stray):
    repaired = repair_ranking([stray, 3], count=6)
    assert repaired.picked == [2]
    assert repaired.out_of_range == 1
    assert sorted(repaired.order) == list(range(6))


def test_an_answer_with_no_candidate_number_picks_nothing():
    # `rerank` rejects such an answer (and retries) rather than calling it a ranking.
    assert repair_ranking([0, 9, 9], count=3).picked == []
    assert repair_ranking([], count=3).order == [0, 1, 2]


def test_reciprocal_rank_fusion_keeps_agreement_and_damps_a_lone_outlier():
    retrieval = [0, 1, 2, 3, 4]
    llm = [4, 0, 1, 2, 3]  # the model moves retrieval's last candidate to the top
    fused = reciprocal_rank_fusion([retrieval, llm])
    assert fused[0] == 0  # agreed on by both
    assert fused.index(4) > 0  # one vote for the outlier is not enough to lead
    assert sorted(fused) == retrieval
    # Identical rankings fuse to themselves; exact ties keep the first ranking's order.
    assert reciprocal_rank_fusion([retrieval, retrieval]) == retrieval
    assert reciprocal_rank_fusion([[0, 1], [1, 0]]) == [0, 1]


def test_the_rerank_schema_allows_only_candidate_numbers_in_the_asked_count():
    schema = ranking_schema(count=4, wanted=2)
    ranking = schema["properties"]["ranking"]
    assert ranking["items"]["enum"] == [1, 2, 3, 4]
    assert ranking["minItems"] == ranking["maxItems"] == 2
    assert schema["additionalProperties"] is False and schema["required"] == ["ranking"]


# --------------------------------------------------------------------------- #
# Parsing what a model wrote
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"ranking": [1, 2', "not valid JSON"),
        ("Sure! Here is the ranking: 1, 2, 3", "not valid JSON"),
        ("", "not valid JSON"),
        ('{"ranking": "1, 2"}', "does not fit the schema"),
        ('{"ranking": [1], "songs": []}', "does not fit the schema"),
        ('[1, 2, 3]', "does not fit the schema"),
    ],
)
def test_invalid_answers_are_rejected_with_a_reason(text, fragment):
    with pytest.raises(LLMOutputError, match=fragment):
        parse_answer(text, RerankAnswer)


def test_a_song_answer_with_raw_newlines_in_names_is_read_as_one_line():
    answer = parse_answer('{"songs": [{"song": "Hey\n Jude", "artist": "The\tBeatles"}]}', SongsAnswer)
    assert answer.songs == [Song(song="Hey Jude", artist="The Beatles")]
    with pytest.raises(LLMOutputError):
        parse_answer('{"songs": [{"song": "Hey Jude"}]}', SongsAnswer)


def test_blank_repeated_and_copied_songs_are_dropped_with_a_reason():
    songs = [Song(song=" ", artist="X"), Song(song="Hey Jude", artist="The Beatles"),
             Song(song="hey jude - Remastered 2015", artist="THE BEATLES"), Song(song="Africa", artist="Toto"),
             Song(song="Let It Be", artist="The Beatles")]
    examples = [Track(track_uri="demo:track:1", track_name="Africa", artist_name="TOTO")]
    kept, reasons = unique_new_songs(songs, examples)
    assert [s.song for s in kept] == ["Hey Jude", "Let It Be"]
    assert len(reasons) == 3 and any("blank" in r for r in reasons) and any("copied 1 example" in r for r in reasons)


def test_the_song_schema_asks_for_exactly_n_songs_with_bounded_names():
    schema = songs_schema(3)
    songs = schema["properties"]["songs"]
    assert songs["minItems"] == songs["maxItems"] == 3
    assert songs["items"]["required"] == ["song", "artist"]
    assert songs["items"]["properties"]["song"]["maxLength"] > 0


# --------------------------------------------------------------------------- #
# Matching named songs to the catalog
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matching")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", build_corpus().playlists)])
    yield catalog
    catalog.close()


@pytest.mark.parametrize(
    "song, artist, expected",
    [
        ("Eye of the Tiger", "Survivor", "gym01"),  # exactly as in the catalog
        ("eye of the tiger", "SURVIVOR", "gym01"),  # case
        ("Eye of the Tiger - Remastered 2011", "Survivor", "gym01"),  # a variant suffix
        ("Stronger (feat. Someone)", "Kanye West feat. Someone", "gym02"),  # featuring
        ("Till I Collapse", "Eminem", "gym03"),  # punctuation: "'Till I Collapse"
        ("Can't Hold Us", "Macklemore", "gym06"),  # primary artist of "Macklemore & Ryan Lewis"
        ("Last Christmas", "Wham!", "xmas02"),  # the exact name wins over "Last Christmas - Remastered"
        ("Last Christmas - Remastered", "Wham!", "xmas08"),
        ("Holocene", "Not Bon Iver", None),  # right title, wrong artist
        ("A Song Nobody Wrote", "Nobody", None),  # invented
    ],
)
def test_named_songs_are_matched_on_normalised_title_and_artist(catalog, song, artist, expected):
    match = SongMatcher(catalog).match(song, artist)
    assert (match.track.track_uri if match.track else None) == (uri(expected) if expected else None)
    assert match.in_catalog is (expected is not None)


def test_unmatched_songs_stay_in_the_playlist_marked_without_a_uri(catalog):
    candidates = match_songs(SongMatcher(catalog), [
        Song(song="Holocene", artist="Bon Iver"), Song(song="Made Up Tune", artist="Nobody"),
    ])
    assert [(c.rank, c.track_uri, c.in_catalog) for c in candidates] == [
        (1, uri("chill03"), True), (2, None, False),
    ]
    # The catalog's names are shown for a match; the model's own for a miss.
    assert candidates[1].track_name == "Made Up Tune" and candidates[1].link is None
    payload = json.loads(candidates[1].model_dump_json())
    assert payload["track_uri"] is None and payload["in_catalog"] is False


def test_song_keys_are_added_for_tracks_ingested_later(catalog, tmp_path):
    SongMatcher(catalog)
    extra = {"pid": 99, "name": "late", "tracks": [
        {"track_uri": "spotify:track:late01", "track_name": "Brand New Song", "artist_name": "New Band"},
    ]}
    ingest_paths(catalog, [write_slice_file(tmp_path, [extra], name="mpd.slice.late.json")])
    assert SongMatcher(catalog).match("Brand New Song", "New Band").track.track_uri == "spotify:track:late01"


# --------------------------------------------------------------------------- #
# Prompts
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "name, variables",
    [
        ("rerank", {"title", "count", "candidates", "k"}),
        ("generate_0shot", {"title", "n"}),
        ("generate_1shot", {"title", "n", "examples"}),
        ("generate_5shot", {"title", "n", "examples"}),
    ],
)
def test_every_prompt_loads_by_name_with_its_variables(name, variables):
    prompt = load_prompt(name)
    assert set(prompt.input_variables) == variables
    messages = prompt.format_messages(**{v: "{injected} x" for v in variables})
    assert [m.type for m in messages] == ["system", "human"]
    assert "JSON" in messages[-1].content
    # A value holding braces is inserted as it is, never re-read as a template.
    assert "{injected} x" in messages[-1].content


def test_generation_prompts_carry_the_papers_constraints():
    text = load_prompt("generate_0shot").format_messages(title="t", n=7)[-1].content
    for phrase in ("exactly 7 songs", "before October 2017", "without hyphens", "unique", '"song"', '"artist"'):
        assert phrase in text


def test_unknown_or_malformed_prompts_are_clear_errors():
    with pytest.raises(LLMConfigError, match="no prompt template named 'nope'"):
        load_prompt("nope")
    with pytest.raises(LLMConfigError, match="no \\[user\\] section"):
        parse_prompt("[system]\nonly a system part")


# --------------------------------------------------------------------------- #
# Config, flags and the key
# --------------------------------------------------------------------------- #


def test_one_flag_switches_the_backend():
    config = LLMConfig()
    assert config.with_flags().llm == "local"
    assert config.with_flags(model_path="/m/llama.gguf").local.model_path.name == "llama.gguf"
    switched = config.with_flags(base_url="http://localhost:8000/v1")
    assert (switched.llm, switched.openai.base_url, switched.openai.model) == ("openai", "http://localhost:8000/v1", "gpt-4o")
    assert config.with_flags(llm="openai", model="gpt-4o-mini").openai.model == "gpt-4o-mini"
    with pytest.raises(LLMConfigError, match="--model-path"):
        config.with_flags(llm="openai", model_path="/m/x.gguf")
    with pytest.raises(LLMConfigError, match="--base-url"):
        config.with_flags(llm="local", base_url="http://x/v1")


def test_the_config_file_round_trips_and_a_key_makes_it_private(tmp_path):
    config = LLMConfig(llm="openai", openai=OpenAIOptions(model="gpt-4o-mini", api_key=SecretStr(SECRET)))
    path = save_config(tmp_path, config)
    assert path == config_path(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_config(tmp_path) == config
    assert [p.name for p in tmp_path.iterdir()] == ["llm.json"]  # no temporary file left behind
    # The key is never shown by the objects that hold it.
    assert SECRET not in repr(config) and SECRET not in str(config) and SECRET not in config.model_dump_json()
    # Without a key the file is an ordinary one.
    save_config(tmp_path, LLMConfig(llm="local"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert json.loads(path.read_text()) == {"llm": "local"}


def test_a_bad_config_file_names_the_problem_but_never_the_key(tmp_path):
    config_path(tmp_path).write_text(json.dumps({"openai": {"api_key": SECRET, "modle": "x"}}))
    with pytest.raises(LLMConfigError) as error:
        load_config(tmp_path)
    assert "openai.modle" in str(error.value) and SECRET not in str(error.value)
    config_path(tmp_path).write_text(json.dumps({"openai": {"api_key": [SECRET]}}))
    with pytest.raises(LLMConfigError) as error:
        load_config(tmp_path)
    assert "openai.api_key" in str(error.value) and SECRET not in str(error.value)
    config_path(tmp_path).write_text("{not json")
    with pytest.raises(LLMConfigError, match="not valid JSON"):
        load_config(tmp_path)


def test_missing_openai_key_says_how_to_fix_it(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError) as error:
        create_backend(LLMConfig(llm="openai"))
    assert "OPENAI_API_KEY" in str(error.value) and "--base-url" in str(error.value)


def test_unknown_backends_and_mode_options_are_refused():
    assert set(backend_names()) >= {"local", "openai"}
    with pytest.raises(LLMConfigError, match="local, openai"):
        create_backend(LLMConfig(llm="nope"))
    for bad in (ModeOptions(mode="magic"), ModeOptions(shots=3), ModeOptions(fuse="borda"), ModeOptions(candidates=0)):
        with pytest.raises(GenerationError):
            bad.check()
