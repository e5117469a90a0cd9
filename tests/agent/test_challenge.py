"""`agent challenge` and `agent challenge score` on a hand-made challenge set over the
hand-made corpus (plus filler playlists, so 500 distinct tracks exist to answer with):
a christmas title is answered with christmas songs, seeds never come back, unknown
seeds are counted and never fail a playlist."""

from __future__ import annotations

import gzip
import json

import pytest

from agent.challenge.categories import category_of
from conftest import XMAS_TRACKS, build_corpus, failed_cleanly, make_playlist, ok, run_agent, uri, write_slice_file

FILLERS = 60  # playlists of 10 tracks of their own: 600 tracks besides the corpus's 23
XMAS = {uri(key) for key in XMAS_TRACKS}


def filler_playlist(number: int) -> dict:
    tracks = [{"track_uri": f"spotify:track:fill{number:02d}x{i}", "track_name": f"Filler {number} {i}",
               "artist_name": f"Filler Band {number}"} for i in range(10)]
    return {"pid": 1000 + number, "name": f"untitled mix {number}", "tracks": tracks}


def seed(key: str, pos: int) -> dict:
    return make_playlist(0, None, [key], full=True)["tracks"][0] | {"pos": pos}


def unknown_seed(pos: int) -> dict:
    return {"pos": pos, "track_uri": f"spotify:track:unknown{pos}", "track_name": f"No Such Song {pos}",
            "artist_name": "Nobody"}


CHALLENGE = [
    {"pid": 500, "name": "christmas songs", "num_samples": 0, "tracks": []},
    {"pid": 501, "num_samples": 5, "tracks": [seed(k, p) for p, k in enumerate(["xmas01", "xmas02", "xmas03",
                                                                               "xmas04", "xmas05"])]},
    {"pid": 502, "name": "workout", "num_samples": 2, "tracks": [seed("gym01", 3), seed("gym04", 7)]},
    {"pid": 503, "name": "chill", "num_samples": 2, "tracks": [unknown_seed(0), unknown_seed(1)]},
    {"pid": 504, "num_samples": 1, "tracks": [unknown_seed(0)]},
    # Known by name and artist only: another release of "Last Christmas" (xmas02).
    {"pid": 505, "name": "xmas", "num_samples": 1,
     "tracks": [{"pos": 0, "track_uri": "spotify:track:otherrelease", "track_name": "Last Christmas",
                 "artist_name": "Wham!"}]},
    # A title retrieval cannot use: the seed answers alone.
    {"pid": 506, "name": "!!!", "num_samples": 1, "tracks": [seed("xmas06", 0)]},
]


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder):
    folder = tmp_path_factory.mktemp("challenge")
    playlists = build_corpus().playlists + [filler_playlist(n) for n in range(FILLERS)]
    ok(run_agent("ingest", write_slice_file(folder / "mpd", playlists), "--data-dir", folder / "home"))
    return folder / "home"


def write_challenge(path, playlists=CHALLENGE):
    data = json.dumps({"date": "2018-01-16", "version": "v1", "playlists": playlists}).encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def submission_lines(path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if not line.startswith("#")]


def answers(path) -> dict[int, list[str]]:
    return {int(line.split(",")[0]): line.split(",")[1:] for line in submission_lines(path)[1:]}


def test_categories_come_from_title_seed_count_and_positions():
    assert category_of(True, []).name == "title only"
    assert category_of(True, [0, 1, 2, 3, 4]).name == "title + first 5"
    assert category_of(False, [4, 2, 1, 3, 0]).name == "no title + first 5"
    assert category_of(True, [0, 2]).name == "title + random 2"


@pytest.fixture(scope="module")
def submission(home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submission")
    output = folder / "submission.csv.gz"
    result = ok(run_agent("challenge", write_challenge(folder / "challenge_set.json.gz"), "-o", output,
                          "--team", "Elves", "--email", "elves@example.org", "--data-dir", home))
    return output, result.output


def test_every_playlist_gets_500_distinct_tracks_and_never_a_seed(submission):
    output, _ = submission
    lines = submission_lines(output)
    assert lines[0] == "team_info,Elves,elves@example.org"
    found = answers(output)
    assert sorted(found) == [p["pid"] for p in CHALLENGE]
    for playlist in CHALLENGE:
        tracks = found[playlist["pid"]]
        assert len(tracks) == len(set(tracks)) == 500
        assert not {t["track_uri"] for t in playlist["tracks"]} & set(tracks)


def test_titles_and_seeds_find_their_theme(submission):
    found = answers(submission[0])
    assert set(found[500][:5]) <= XMAS  # a christmas title: christmas songs first
    # The christmas songs the seeds leave (xmas08 is a release of the seed xmas02, so not one).
    assert set(found[501][:3]) == {uri(k) for k in ("xmas06", "xmas07", "xmas09")}
    assert set(found[502][:3]) <= {uri(k) for k in ("gym02", "gym03", "gym05", "gym06", "gym07")}
    assert found[503][0].startswith("spotify:track:chill")  # unknown seeds skipped; the title answers
    assert set(found[506][:3]) <= XMAS  # a title of punctuation only: the seed answers


def test_a_seed_known_by_name_counts_and_its_catalog_release_is_not_recommended(submission):
    assert uri("xmas02") not in answers(submission[0])[505]


def test_the_summary_counts_unknown_seeds_and_the_popularity_fallback(submission):
    output = submission[1]
    assert "| title + random 2 | 1 |" in output
    assert "| no title + first 1 | 1 | 1 | 1 | 1 |" in output  # pid 504: nothing known, popularity
    assert "| title + first 2 | 1 | 1 | 2 | 0 |" in output  # pid 503: the title still answers
    assert "| all | 7 | 2 | 3 | 1 |" in output


def test_a_challenge_playlist_that_is_in_the_catalog_never_votes_for_itself(home, tmp_path):
    own = filler_playlist(0)  # its ten tracks are in no other playlist
    given = own | {"tracks": [own["tracks"][0] | {"pos": 0}], "num_samples": 1}
    output = tmp_path / "self.csv"
    ok(run_agent("challenge", write_challenge(tmp_path / "c.json", [given]), "-o", output, "--team", "t",
                 "--email", "e", "--data-dir", home))
    rest = {track["track_uri"] for track in own["tracks"][1:]}
    assert not rest & set(answers(output)[own["pid"]][:100])


def test_resume_keeps_finished_lines_and_answers_the_rest(home, submission, tmp_path):
    finished = submission_lines(submission[0])[:3]
    output = tmp_path / "resumed.csv"
    output.write_text("\n".join(finished) + "\n502,spotify:track:half-writ")  # stopped mid-line
    ok(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                 "--email", "elves@example.org", "--resume", "--data-dir", home))
    lines = submission_lines(output)
    assert lines[:3] == finished
    assert sorted(int(line.split(",")[0]) for line in lines[1:]) == [p["pid"] for p in CHALLENGE]


def test_resume_continues_a_gzip_file_cut_off_mid_stream(home, submission, tmp_path):
    output = tmp_path / "cut.csv.gz"
    output.write_bytes(submission[0].read_bytes()[:-300])  # no gzip end, the last line cut
    ok(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                 "--email", "elves@example.org", "--resume", "--data-dir", home))
    assert submission_lines(output) == submission_lines(submission[0])


def test_resume_refuses_another_teams_file(home, tmp_path):
    output = tmp_path / "theirs.csv"
    output.write_text("team_info,Others,o@example.org\n")
    failed_cleanly(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                             "--email", "e@example.org", "--resume", "--data-dir", home), "cannot resume", exit_code=1)


def _cut_line_then_a_whole_one(lines: list[str]) -> list[str]:
    return lines[:2] + [lines[2][:200], lines[3]]


def _a_pid_of_another_set(lines: list[str]) -> list[str]:
    return lines[:2] + ["999" + lines[2][lines[2].index(","):]]


def _a_pid_twice(lines: list[str]) -> list[str]:
    return lines[:3] + [lines[2]]


@pytest.mark.parametrize("mangle, said", [
    (_cut_line_then_a_whole_one, "line 3 answers pid 501 with"),
    (_a_pid_of_another_set, "line 3 answers pid 999, which the challenge set does not hold"),
    (_a_pid_twice, "line 4 answers pid 501 a second time"),
])
def test_resume_refuses_a_file_whose_lines_it_could_not_have_written_and_keeps_it(home, submission, tmp_path,
                                                                                 mangle, said):
    output = tmp_path / "mangled.csv"
    output.write_text("\n".join(mangle(submission_lines(submission[0]))) + "\n")
    before = output.read_bytes()
    failed_cleanly(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                             "--email", "elves@example.org", "--resume", "--data-dir", home),
                   "cannot resume", said, exit_code=1)
    assert output.read_bytes() == before


def test_a_gz_submission_that_is_not_gzip_is_named_as_such_and_never_written_over(home, submission, tmp_path):
    output = tmp_path / "plain.csv.gz"
    output.write_bytes(gzip.decompress(submission[0].read_bytes()))  # plain text under a .gz name
    before = output.read_bytes()
    failed_cleanly(run_agent("challenge", "score", output, "--truth", truth_file(tmp_path / "t.json", {})),
                   "not a gzip file", exit_code=1)
    failed_cleanly(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                             "--email", "elves@example.org", "--resume", "--data-dir", home),
                   "not a gzip file", exit_code=1)
    assert output.read_bytes() == before


@pytest.mark.parametrize("resume", [(), ("--resume",)])
def test_an_output_that_is_the_challenge_set_is_refused_and_the_set_kept(tmp_path, resume):
    challenge_set = write_challenge(tmp_path / "c.json")
    before = challenge_set.read_bytes()
    failed_cleanly(run_agent("challenge", challenge_set, "-o", tmp_path / "." / "c.json", "--team", "t",
                             "--email", "e", *resume), "is the input file", exit_code=1)
    assert challenge_set.read_bytes() == before


def truth_file(path, held_out: dict[int, list[str]]):
    playlists = [{"pid": p["pid"], "category": "some", "seeds": [t["track_uri"] for t in p["tracks"]],
                  "held_out": held_out.get(p["pid"], [uri("gym07")])} for p in CHALLENGE]
    path.write_text(json.dumps({"playlists": playlists}))
    return path


def test_score_checks_the_rules_and_scores_known_hits(home, submission, tmp_path):
    output = submission[0]
    top = answers(output)[500][0]
    truth = truth_file(tmp_path / "truth.json", {500: [top]})
    result = ok(run_agent("challenge", "score", output, "--truth", truth, "--data-dir", home))
    assert "follows the rules" in result.output
    assert f"| some | {len(CHALLENGE)} |" in result.output
    # pid 500's one held-out track is its first answer: R-prec, NDCG 1 and 0 clicks for it.
    row = next(line for line in result.output.splitlines() if line.startswith("| all |"))
    assert float(row.split("|")[3]) >= 1 / len(CHALLENGE)


def test_score_names_a_pid_answered_twice_and_a_seed_recommended(submission, tmp_path):
    lines = submission_lines(submission[0])
    pid_501 = next(line for line in lines if line.startswith("501,"))
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines + [pid_501.replace(pid_501.split(",")[1], uri("xmas01"), 1)]) + "\n")
    result = failed_cleanly(run_agent("challenge", "score", broken, "--truth", truth_file(tmp_path / "t.json", {})),
                            "breaks the challenge's rules", exit_code=1)
    assert "pid 501 is answered twice" in result


@pytest.mark.parametrize("playlist, fragments", [
    ({"pid": "7", "tracks": []}, ["pid=7", "field 'pid'", "expected an integer"]),
    ({"pid": 7, "name": 5, "tracks": []}, ["pid=7", "field 'name'"]),
    ({"pid": 7, "tracks": [{"track_uri": 3, "track_name": "a", "artist_name": "b"}]}, ["pid=7", "field 'track_uri'"]),
    ({"pid": 7, "num_samples": "1", "tracks": []}, ["pid=7", "field 'num_samples'"]),
    ({"pid": 7, "num_samples": 2, "tracks": [unknown_seed(0)]}, ["pid=7", "field 'num_samples'"]),
    ({"pid": 7, "tracks": [unknown_seed(0) | {"pos": "x"}]}, ["pid=7", "field 'pos'"]),
    ({"pid": 7, "tracks": [unknown_seed(i) for i in range(1001)]}, ["pid=7", "field 'tracks'", "over the limit of 1,000"]),
])
def test_a_hostile_challenge_set_is_one_line_naming_pid_and_field(tmp_path, playlist, fragments):
    path = write_challenge(tmp_path / "bad.json", [playlist])
    output = failed_cleanly(run_agent("challenge", path, "-o", tmp_path / "s.csv", "--team", "t", "--email", "e"),
                            *fragments, exit_code=1)
    assert len(output.strip().splitlines()) == 1


def test_a_repeated_pid_is_named(tmp_path):
    path = write_challenge(tmp_path / "twice.json", [CHALLENGE[0], CHALLENGE[0]])
    failed_cleanly(run_agent("challenge", path, "-o", tmp_path / "s.csv", "--team", "t", "--email", "e"),
                   "pid=500", "appears twice", exit_code=1)


def test_nesting_5000_deep_is_refused_without_a_crash(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"playlists": [' + "[" * 5000 + "]" * 5000 + "]}")
    failed_cleanly(run_agent("challenge", path, "-o", tmp_path / "s.csv", "--team", "t", "--email", "e"),
                   "nested too deeply", exit_code=1)


def test_a_team_name_with_a_comma_is_refused(tmp_path):
    failed_cleanly(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", tmp_path / "s.csv",
                             "--team", "a,b", "--email", "e"), "--team", exit_code=1)


def test_evaluate_makes_the_categories_from_held_out_playlists(home, tmp_path):
    result = ok(run_agent("evaluate", "--data-dir", home, "--categories", "challenge", "--share", "0.3",
                          "--output-dir", tmp_path))
    report = json.loads((tmp_path / "challenge.json").read_text())
    rows = {row["category"]: row for row in report["rows"]}
    truth = json.loads((tmp_path / "truth.json").read_text())["playlists"]
    assert rows["all"]["playlists"] == len(truth) == sum(r["playlists"] for n, r in rows.items() if n != "all")
    assert {"title only", "title + first 1"} <= set(rows)
    assert "| all |" in result.output
    # The written challenge set is one `agent challenge` reads.
    ok(run_agent("challenge", tmp_path / "challenge_set.json", "-o", tmp_path / "s.csv", "--team", "t",
                 "--email", "e", "--data-dir", home))
    ok(run_agent("challenge", "score", tmp_path / "s.csv", "--truth", tmp_path / "truth.json"))


def test_two_workers_write_the_same_submission_as_one(home, submission, tmp_path):
    output = tmp_path / "two.csv.gz"
    ok(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                 "--email", "elves@example.org", "--workers", "2", "--data-dir", home))
    assert submission_lines(output) == submission_lines(submission[0])


def test_answering_with_the_ranker_but_none_fitted_says_so_and_answers_by_the_fused_sum(home, submission, tmp_path):
    output = tmp_path / "ranked.csv.gz"
    result = ok(run_agent("challenge", write_challenge(tmp_path / "c.json"), "-o", output, "--team", "Elves",
                          "--email", "elves@example.org", "--ranker", "--data-dir", home))
    assert "no ranker in" in result.output and "fused sum" in result.output
    assert submission_lines(output) == submission_lines(submission[0])


def test_evaluate_takes_the_ranker_only_with_the_categories_and_says_when_there_is_none(home, tmp_path):
    failed_cleanly(run_agent("evaluate", "--data-dir", home, "--ranker"), "--categories challenge")
    result = ok(run_agent("evaluate", "--data-dir", home, "--categories", "challenge", "--ranker", "--share", "0.3",
                          "--output-dir", tmp_path))
    assert "| all |" in result.output and "no ranker in" in result.output
