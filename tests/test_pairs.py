"""The pair table (``search/pairs.py``): counts per pair of adjacent syllables."""

import pytest

from search.index.pairs import PairCounter, PairTable, pair_key, passage_pairs


def test_passage_pairs_are_distinct_adjacent_keys():
    keys = ["tuyên", "giáo", "tuyên", "giáo", "cơ", "sở"]
    assert passage_pairs(keys) == {pair_key("tuyên", "giáo"), pair_key("giáo", "tuyên"),
                                   pair_key("giáo", "cơ"), pair_key("cơ", "sở")}
    assert pair_key("a", "b") != pair_key("b", "a")
    assert passage_pairs(["một"]) == set()


def test_counts_survive_flushes_removals_and_a_reload(tmp_path, monkeypatch):
    monkeypatch.setattr(PairCounter, "FLUSH", 3)  # fold after every few keys
    a, b, c = pair_key("a", "b"), pair_key("b", "c"), pair_key("c", "d")
    counter = PairCounter()
    for keys in ({a, b}, {a}, {a, c}, {b}):
        counter.add(keys)
    counter.write(tmp_path / "pairs.bin")
    table = PairTable(tmp_path / "pairs.bin")
    assert [table.passages(k) for k in (a, b, c, pair_key("x", "y"))] == [3, 2, 1, 0]
    again = PairCounter(tmp_path / "pairs.bin")
    again.remove({a, c})
    again.remove({c})  # more removals than there were passages never go below zero in the file
    again.add({pair_key("x", "y")})
    again.write(tmp_path / "pairs2.bin")
    table = PairTable(tmp_path / "pairs2.bin")
    assert [table.passages(k) for k in (a, b, c, pair_key("x", "y"))] == [2, 2, 0, 1]
    assert len(table) == 3


def test_many_keys_in_order(tmp_path):
    keys = [pair_key(f"s{i}", f"t{i % 7}") for i in range(5000)]
    counter = PairCounter()
    for i, k in enumerate(keys):
        counter.add({k} if i % 2 else {k, keys[0]})
    counter.write(tmp_path / "pairs.bin")
    table = PairTable(tmp_path / "pairs.bin")
    assert table.passages(keys[0]) == 2500  # every even i, i = 0 included
    assert all(table.passages(k) == 1 for k in keys[1:])


def test_counts_of_255_and_more_go_through_the_overflow_list_and_an_update(tmp_path):
    """A count takes one byte in the file; 255 and above are kept exactly in the overflow list."""
    sizes = {pair_key("k", str(n)): n for n in (1, 2, 254, 255, 256, 1000, 70_000)}
    counter = PairCounter()
    for key, n in sizes.items():
        counter.add([key] * n)
    counter.write(tmp_path / "pairs.bin")
    table = PairTable(tmp_path / "pairs.bin")
    assert {k: table.passages(k) for k in sizes} == sizes
    assert (tmp_path / "pairs.bin").stat().st_size == 24 + 7 * 9 + 4 * 12  # 4 counts above 254
    again = PairCounter(tmp_path / "pairs.bin")
    again.remove([pair_key("k", "255")] * 2 + [pair_key("k", "1000")] * 999)
    again.add([pair_key("k", "254")] * 10)
    again.write(tmp_path / "pairs2.bin")
    table = PairTable(tmp_path / "pairs2.bin")
    expected = dict(sizes) | {pair_key("k", "255"): 253, pair_key("k", "1000"): 1, pair_key("k", "254"): 264}
    assert {k: table.passages(k) for k in sizes} == expected


@pytest.mark.parametrize("content", [b"", b"VNPAIRS2", b"VNPAIRS2" + b"\x05" + b"\x00" * 15, b"\x00" * 40,
                                     b"VNPAIRS1" + b"\x00" * 16])
def test_not_a_table_is_an_error(tmp_path, content):
    (tmp_path / "pairs.bin").write_bytes(content)
    with pytest.raises(ValueError):
        PairTable(tmp_path / "pairs.bin")
