"""Why a track is there, in words: the closest similar playlists by name, how many
more hold it, and the strongest other reasons; the same sentence on every surface."""

from __future__ import annotations

from retrieval.ranking.explain import explain
from retrieval.records import Candidate, GeneratedPlaylist, Neighbour

NEIGHBOURS = [Neighbour(pid=1, name="dinner party", similarity=1.0), Neighbour(pid=2, name="Dinner Party", similarity=1.0),
              Neighbour(pid=3, name="Dinner", similarity=0.83), Neighbour(pid=4, name="party", similarity=0.6)]


def _track(**fields) -> Candidate:
    return Candidate(**{"track_uri": "u:1", "track_name": "Song", "artist_name": "Band", "rank": 1, "score": 3.0,
                        **fields})


def test_voters_are_told_by_the_closest_title_and_a_count_of_the_rest():
    track = _track(voters=[4, 3, 1, 2] + list(range(100, 112)))  # 12 voters past the matched neighbours
    assert explain(track, NEIGHBOURS) == ("2 playlists titled 'dinner party' (similarity 1.00) "
                                          "and 14 like 'Dinner' hold it")


def test_strongest_signals_are_said_in_words_and_weak_ones_left_out():
    track = _track(voters=[3], signals={"votes": 1.0, "seeds": 0.9, "tags": -0.2, "entity": 2.0, "artists": 0.1})
    assert explain(track, NEIGHBOURS) == ("1 playlist titled 'Dinner' (similarity 0.83) holds it; "
                                          "the title names its artist or album; playlists with your seed tracks hold it too")


def test_a_song_the_catalog_lacks_says_so():
    track = _track(track_uri=None, in_catalog=False)
    assert explain(track, NEIGHBOURS) == "named by the LLM; not in the catalog"


def test_a_playlist_record_carries_one_explanation_per_track_in_its_json():
    tracks = [_track(voters=[1]), _track(track_uri="u:2", rank=2, voters=[3, 4])]
    playlist = GeneratedPlaylist(title="dinner party", normalized_title="dinner party", encoder="e", k=4,
                                 voting="similarity", tracks=tracks, neighbours=NEIGHBOURS)
    dumped = playlist.model_dump(mode="json")
    assert dumped["explanations"] == [explain(t, NEIGHBOURS) for t in tracks]
    assert GeneratedPlaylist.model_validate(dumped) == playlist  # the JSON reads back


class _RankerSaw:  # what `ranking.learned.RankerReasons.evidence` answers, fixed
    def __init__(self, evidence: dict[str, list[tuple[str, int]]]):
        self._evidence = evidence

    def evidence(self) -> dict[str, list[tuple[str, int]]]:
        return self._evidence


def test_a_track_the_ranker_placed_is_explained_by_its_strongest_evidence_in_the_same_words():
    placed = _track(voters=[1, 2], signals={"votes": 2.0, "artists": 0.5})
    rest = _track(track_uri="u:2", rank=2, voters=[3])
    ranker = _RankerSaw({"u:1": [("voters", 0), ("artists", 0), ("plays", 120)]})
    playlist = GeneratedPlaylist(title="dinner party", normalized_title="dinner party", encoder="e", k=4,
                                 voting="similarity", tracks=[placed, rest], neighbours=NEIGHBOURS).explained_by(ranker)
    assert playlist.explanations == [
        "Ranked up mostly by: 2 playlists titled 'dinner party' (similarity 1.00) hold it; "
        "its artist is common in the similar playlists",
        explain(rest, NEIGHBOURS)]  # not placed by the model: the fused sentence
    assert playlist.model_dump(mode="json")["explanations"] == playlist.explanations


def test_ranker_evidence_without_words_for_the_track_is_passed_over():
    unvoted = _track(signals={"popularity": 1.0})
    ranker = _RankerSaw({"u:1": [("voters", 0), ("plays", 1), ("fused", 7)]})
    playlist = GeneratedPlaylist(title="x", normalized_title="x", encoder="e", k=4, voting="similarity",
                                 tracks=[unvoted], neighbours=NEIGHBOURS).explained_by(ranker)
    assert playlist.explanations == ["Ranked up mostly by: how widely it is played (1 playlist holds it); "
                                     "the signals together ranked it #7"]
