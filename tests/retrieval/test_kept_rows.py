"""Rows kept between queries (neighbour names, shown tracks): read once while kept, the
same rows as a fresh read, and read again after the bound drops them."""

from retrieval.remembering import KeptRows

TABLE = {pid: f"playlist {pid}" for pid in range(20)}


def reader(log: list):
    def read(keys):
        log.append(sorted(keys))
        return {key: TABLE[key] for key in keys if key in TABLE}
    return read


def test_rows_asked_again_are_not_read_again_and_unknown_keys_are_left_out():
    log: list = []
    rows = KeptRows(reader(log), most=100)
    assert rows.get([3, 1, 99]) == {3: "playlist 3", 1: "playlist 1"}
    assert rows.get([1, 3, 4]) == {1: "playlist 1", 3: "playlist 3", 4: "playlist 4"}
    assert log == [[1, 3, 99], [4]]


def test_past_the_bound_every_row_is_still_right():
    log: list = []
    rows = KeptRows(reader(log), most=3)
    for keys in ([1, 2], [3, 4], [1, 5, 6], [2, 7]):
        assert rows.get(keys) == {key: TABLE[key] for key in keys}
    assert len(log) == 4  # each ask found rows it had to read again
