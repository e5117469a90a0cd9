"""The challenge answerer over the hand-made corpus: seeds sampled from a playlist (not
its first positions) are marked so for the retriever, and seeds are matched exactly as
a request's seed tracks are (`resolve_seeds`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.challenge.answering import ChallengeAnswerer
from agent.challenge.reading import parse_challenge_playlist
from agent.evaluation.challenge import SPLIT_FILE, make_challenge
from agent.evaluation.queries import Query
from conftest import make_track, uri
from retrieval.records import Track
from retrieval.resolve import NameResolver, resolve_seeds
from tests.retrieval.test_signals import retriever  # noqa: F401  (the module's retriever fixture)


def playlist(pid: int, positions: list[int], keys: list[str], name: str | None = "xmas songs"):
    tracks = [make_track(key, full=True) | {"pos": pos} for pos, key in zip(positions, keys)]
    raw = {"pid": pid, "tracks": tracks} | ({"name": name} if name is not None else {})
    return parse_challenge_playlist(Path("challenge_set.json"), raw)


@pytest.fixture
def asked(retriever, monkeypatch):
    """The options each generation was asked with, the answerer's retriever unchanged otherwise."""
    options = []
    generate = retriever.generate

    def recording(title, given):
        options.append(given)
        return generate(title, given)

    monkeypatch.setattr(retriever, "generate", recording)
    return options


@pytest.mark.parametrize(("positions", "random"), [([3, 7], True), ([0, 1], False), ([1, 0], False), ([0, 2], True)])
def test_seeds_away_from_the_first_positions_are_a_random_sample(retriever, asked, positions, random):
    answer = ChallengeAnswerer(retriever).answer(playlist(900, positions, ["xmas01", "xmas04"]))
    assert answer.category == f"title + {'random' if random else 'first'} 2"
    assert [given.seeds_random for given in asked] == [random]
    assert asked[0].seed_uris == (uri("xmas01"), uri("xmas04"))


def test_the_answerer_asks_for_the_learned_ranker_only_when_told(retriever, asked):
    ChallengeAnswerer(retriever).answer(playlist(901, [0], ["gym01"], name="workout"))
    ChallengeAnswerer(retriever, ranker=True).answer(playlist(901, [0], ["gym01"], name="workout"))
    assert [given.ranker for given in asked] == [False, True]


def test_a_seed_known_by_name_is_the_most_played_release_as_in_a_request(retriever):
    # "Last Christmas - Remastered" (xmas08, in 1 playlist) and "Last Christmas" (xmas02, in 3)
    # are one song: a request's seed takes the most played release, and so does the challenge.
    remaster = {"pos": 1, "track_uri": "spotify:track:otherrelease", "track_name": "Last Christmas - Remastered",
                "artist_name": "Wham!"}
    unknown = {"pos": 2, "track_uri": "spotify:track:nowhere", "track_name": "No Such Song", "artist_name": "Nobody"}
    raw = {"pid": 902, "name": "xmas", "tracks": [make_track("xmas03", full=True) | {"pos": 0}, remaster, unknown]}
    known, unknown_count = ChallengeAnswerer(retriever).known_seeds(parse_challenge_playlist(Path("set.json"), raw))
    request = resolve_seeds(NameResolver(retriever.catalog), [Track(**{k: t[k] for k in Track.model_fields})
                                                              for t in raw["tracks"]])
    assert known == [uri("xmas03"), uri("xmas02")] and unknown_count == 1
    assert [t.track_uri for t in request.tracks] == known


def test_evaluation_made_random_categories_reach_the_answerer_as_random(retriever, asked):
    queries = [Query(pid, f"mix {pid}", [(f"spotify:track:p{pid}t{i}", f"Song {i}", "Band") for i in range(120)])
               for pid in range(20)]
    challenge, truth = make_challenge(queries, seed=0)
    answerer = ChallengeAnswerer(retriever)
    for raw, hidden in zip(challenge, truth):
        made = parse_challenge_playlist(SPLIT_FILE, raw)
        assert made.category.name == hidden["category"]
        assert made.category.random == ("random" in hidden["category"])
    assert {"title + random 25", "title + random 100"} <= {hidden["category"] for hidden in truth}
    drawn = next(raw for raw, hidden in zip(challenge, truth) if hidden["category"] == "title + random 25")
    known = drawn["tracks"][0] | {"track_uri": uri("xmas01"), "track_name": "All I Want for Christmas Is You",
                                  "artist_name": "Mariah Carey"}
    answerer.answer(parse_challenge_playlist(SPLIT_FILE, drawn | {"tracks": [known, *drawn["tracks"][1:]]}))
    assert asked[-1].seeds_random and asked[-1].seed_uris == (uri("xmas01"),)
