"""Vietnamese-aware matching: accentless queries, ranked words, batch, did-you-mean."""

import json
from pathlib import Path

import pytest

from search.api import Generation, open_index
from search.index.build import build_index


def _found(hits):
    return {(h.doc, h.passage) for h in hits}


@pytest.fixture(scope="module")
def index(seed_index):
    return open_index(seed_index)


@pytest.fixture(scope="module")
def gen(seed_index):
    """The seed index's generation: its schema, codes and spellings, for parsing queries directly."""
    return Generation(seed_index)


@pytest.mark.parametrize("folded, accented", [
    ('"dang uy khoi"', '"Đảng ủy Khối"'), ('"tuyen giao"', '"tuyên giáo"'), ('"chuyen hoa"', '"chuyển hóa"'),
])
def test_accentless_query_finds_what_the_accented_one_finds(index, folded, accented):
    a = index.search(folded, limit=None)
    b = index.search(accented, limit=None)
    assert a and _found(a) == _found(b)


def test_accentless_highlights_stay_on_the_original_words(index):
    hits = index.search('"tuyen giao"', limit=None)
    assert len(hits) > 10
    for h in hits:
        assert {h.text[s:e].lower() for s, e in h.highlights} == {"tuyên giáo"}


def _small_index(tmp_path_factory, name: str, texts: dict[str, str]) -> Path:
    """An index of one report per entry of ``texts`` (file name -> text)."""
    src = tmp_path_factory.mktemp(f"{name}-src")
    for file, text in texts.items():
        (src / file).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    build_index([src], index_dir)
    return index_dir


@pytest.fixture(scope="module")
def variants_index(tmp_path_factory):
    """Three passages spell it tuyên giáo, one tuyến giao, one has no marks at all."""
    return _small_index(tmp_path_factory, "variants", {
        "a.txt": "Báo cáo thứ nhất\n\nBan tuyên giáo họp bàn công tác tuyên giáo.",
        "b.txt": "Báo cáo thứ hai\n\nCông tác tuyên giáo năm nay.",
        "c.txt": "Báo cáo thứ ba\n\nHệ thống tuyên giáo cơ sở.",
        "d.txt": "Báo cáo thứ tư\n\nTuyến giao thông mới mở, tuyến giao hàng nhanh hơn.",
        "e.txt": "Bao cao thu nam\n\nnoi dung tuyen giao go khong dau",
    })


@pytest.fixture(scope="module")
def variants(variants_index):
    return open_index(variants_index)


def test_accented_query_matches_exactly(variants):
    docs = {h.doc for h in variants.search('"tuyên giáo"', limit=None)}
    assert docs == {"a.txt", "b.txt", "c.txt"}


def test_accentless_query_ranks_the_usual_spelling_first(variants):
    hits = variants.search("tuyen giao", limit=None)
    docs = [h.doc for h in hits]
    assert set(docs) == {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"}
    assert set(docs[:3]) == {"a.txt", "b.txt", "c.txt"}


def test_pasted_questions_never_fail(index):
    """Searched by their words: hits, and only the query's content words marked (no syntax, no question words)."""
    for q, words in [
        ("Người nghiện ma túy có bị xử lý hành chính không?", {"người", "nghiện", "ma", "túy", "xử", "lý", "hành",
                                                             "chính"}),
        ("Công tác tuyên giáo (năm 2020) - kết quả: thế nào?", {"công", "tác", "tuyên", "giáo", "năm", "2020", "kết",
                                                              "quả"}),
        ('AND "tuyên giáo OR', {"tuyên", "giáo"}),
        ("Ban Tuyên giáo: OR AND NOT ?", {"ban", "tuyên", "giáo"}),
    ]:
        hits = index.search(q)
        assert len(hits) == 10 and all(h.highlights for h in hits), q
        marked = {h.text[s:e].lower() for h in hits for s, e in h.highlights}
        assert marked <= words, (q, marked)


@pytest.mark.parametrize("text, kept, dropped", [
    ("Người nghiện ma túy có bị xử lý không?", {"ma", "túy", "nghiện"}, {"có", "không", "bị"}),
    ("tham nhũng là gì", {"tham", "nhũng"}, {"là", "gì"}),  # "nhũng" is not "những"
    ("thị trường chứng khoán giảm bao nhiêu", {"trường", "chứng"}, {"bao", "nhiêu"}),
    ("nguoi nghien ma tuy co bi xu ly khong", {"nghien", "tuy"}, {"co", "khong"}),
])
def test_ranked_queries_drop_question_words_as_typed(gen, text, kept, dropped):
    """Question syllables leave a ranked query, compared with their diacritics."""
    from search.rank.parse import parse

    parsed = parse(text, gen.query_schema, None, gen.known_codes, False, gen.variants)
    terms = {t.text for t in parsed.matcher.children()}
    assert kept <= terms and not dropped & terms


def test_question_with_words_in_the_index_has_hits(run):
    result = run("search", "Công tác tuyên giáo của Đảng ủy Khối có kết quả gì?")
    assert result.exit_code == 0 and result.stdout


def test_batch_json_carries_the_query(run, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text('tuyên giáo\n\n"Bắc Kạn"\nxyzw qwrtz\n', encoding="utf-8")
    result = run("search", "--batch", str(batch), "--json", "--limit", "2")
    assert result.exit_code == 0
    records = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["query"] for r in records] == ["tuyên giáo", "tuyên giáo", '"Bắc Kạn"', '"Bắc Kạn"']
    assert list(records[0])[:2] == ["query", "rank"]


def test_export_batch_has_query_column(run, seed_index, tmp_path):
    from click.testing import CliRunner

    from search.cli import cli

    out = tmp_path / "b.csv"
    result = CliRunner().invoke(cli, ["export", "--batch", "-", "-o", str(out), "--limit", "1",
                                      "--index-dir", str(seed_index)], input="tuyên giáo\nBắc Kạn\n")
    assert result.exit_code == 0
    import csv
    import io

    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0][:2] == ["query", "rank"]
    assert [row[0] for row in rows[1:]] == ["tuyên giáo", "Bắc Kạn"]


def test_query_and_batch_are_exclusive(run, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("x\n", encoding="utf-8")
    assert run("search", "x", "--batch", str(batch)).exit_code == 2
    assert run("search").exit_code == 2


def test_did_you_mean_from_the_vocabulary(run):
    result = run("search", '"tuyên giáoo"')
    assert result.exit_code == 1
    assert "did you mean" in result.stderr
    typo = run("search", "tuyen giaoo")
    assert "did you mean: tuyen giao" in typo.stderr
    fine = run("search", "tuyên giáo")
    assert "did you mean" not in fine.stderr
    filtered = run("search", "tuyen giao date:2020")
    assert filtered.exit_code == 0 and "did you mean" not in filtered.stderr


def test_all_flag_requires_every_word(run):
    ranked = run("search", "tuyên giáo Quảng Trị", "--json", "--limit", "1000").stdout.splitlines()
    strict = run("search", "tuyên giáo Quảng Trị", "--all", "--json", "--limit", "1000").stdout.splitlines()
    assert 0 < len(strict) < len(ranked)
    assert all("Quảng Trị" in json.loads(x)["text"] or "quảng trị" in json.loads(x)["text"].lower()
               for x in strict)


@pytest.mark.parametrize("text", ['title:"Tuyên giáo"', 'org:"Bắc Kạn" tuyên giáo', "TITLE:báo cáo"])
def test_field_names_are_not_query_words(gen, text):
    """``title:`` names a field: "title" must not become a ranked or coordinated word."""
    from search.rank.parse import parse

    parsed = parse(text, gen.query_schema, None, gen.known_codes, False, gen.variants)
    words = {k for w in parsed.content for k in w}
    assert words and not words & {"title", "org"}
    assert "title:title" not in str(parsed.scored) and "title:org" not in str(parsed.scored)


@pytest.fixture(scope="module")
def pairs_index(tmp_path_factory):
    """The same syllables, together in one report and scattered in the other."""
    return _small_index(tmp_path_factory, "pairs", {
        "together.txt": "Văn bản một\n\nNgười nghiện ma túy bị xử lý hành chính theo quy định.",
        "scattered.txt": "Văn bản hai\n\nHành vi của người có ma lực, lý do xử sự chính đáng; túy nghiện quy định.",
        "other.txt": "Văn bản ba\n\nCông tác tuyên giáo năm nay.",
    })


@pytest.fixture(scope="module")
def pairs(pairs_index):
    return open_index(pairs_index)


@pytest.fixture(scope="module")
def pairs_gen(pairs_index):
    return Generation(pairs_index)


def test_pair_table_counts_passages_and_follows_updates(tmp_path):
    from search.index.pairs import pair_key

    src = tmp_path / "src"
    src.mkdir()
    for name in "abc":
        (src / f"{name}.txt").write_text(f"Báo cáo {name}\n\nCông tác tuyên giáo, tuyên giáo cơ sở {name}.",
                                         encoding="utf-8")
    (src / "d.txt").write_text("Báo cáo d\n\nXử lý hành chính.", encoding="utf-8")
    index_dir = tmp_path / "ix"

    def counts():
        table = Generation(index_dir).pairs
        return [table.passages(pair_key(*p.split())) for p in ("tuyên giáo", "báo cáo", "xử lý", "lý hành")]

    build_index([src], index_dir)
    assert counts() == [3, 4, 1, 1]  # a pair counts passages, not occurrences
    (src / "a.txt").unlink()
    (src / "b.txt").write_text("Báo cáo b\n\nXử lý hành chính.", encoding="utf-8")
    build_index([src], index_dir)
    assert counts() == [1, 3, 2, 2]
    build_index([src], index_dir, rebuild=True)
    assert counts() == [1, 3, 2, 2]


@pytest.mark.parametrize("text", [
    "Người nghiện ma túy có bị xử lý hành chính không?",  # a question
    "xu ly hanh chinh nguoi nghien ma tuy",  # accentless
    "xử lý hành chính",  # keywords
])
def test_syllables_standing_together_rank_first(pairs, text):
    hits = pairs.search(text, limit=None)
    assert [h.doc for h in hits][:2] == ["together.txt", "scattered.txt"]
    assert hits[0].score > 1.5 * hits[1].score


def test_question_pairs_include_question_words_but_not_excluded_words(pairs_gen):
    from search.rank.parse import parse

    def pairs(text):
        return sorted(f"{p[2]} {p[3]}" for p in parse(text, pairs_gen.query_schema, variants=pairs_gen.variants).pairs)

    assert pairs("ma túy có bị xử lý không?") == ["bị xử", "có bị", "lý không", "ma túy", "túy có", "xử lý"]
    assert pairs("hành chính NOT ma túy") == ["hành chính"]
    assert pairs('"xử lý" hành chính') == ["hành chính", "lý hành", "xử lý"]
    assert pairs("xu ly") == ["xử lý"]  # accentless: looked up as the index spells it


def test_only_keyword_queries_put_every_word_first(pairs_gen):
    """Up to four content words: a passage with all of them ranks first, however
    it scores. A pasted question: ranked by score alone (a passage rarely holds
    all of a question's words)."""
    from search.rank.parse import parse
    from search.rank.retrieve import coordinates, ranked
    from search.rank.score import Weighting, order_key

    with pairs_gen.ix.searcher(weighting=Weighting()) as s:
        def groups(text):
            parsed = parse(text, pairs_gen.query_schema)
            return {ev.doc: order_key(ev, coordinates(parsed))[1]
                    for ev, _ in ranked(s, parsed, 10, pairs_gen.pairs)}

        keywords = groups("ma túy tuyên giáo")
        assert keywords["together.txt"] == keywords["other.txt"] == -1
        question = groups("Người nghiện ma túy có bị xử lý hành chính hay đưa đi cai nghiện bắt buộc?")
        assert set(question.values()) == {0}
