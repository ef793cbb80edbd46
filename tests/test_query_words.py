"""Issue 15's query behaviour: question words, accentless words, directives in every form, fields."""

import re
import unicodedata

import pytest
from click.testing import CliRunner

from search.api import Generation, open_index
from search.cli import cli
from search.index.build import build_index
from search.rank.parse import parse

CITES_05 = re.compile(r"05-CT/T?W|Chỉ thị (?:số )?05\b")  # 05-CT/W: a typo the indexer repairs


@pytest.fixture(scope="module")
def index(seed_index):
    return open_index(seed_index)


@pytest.fixture(scope="module")
def gen(seed_index):
    return Generation(seed_index)


@pytest.fixture(scope="module")
def words_index(tmp_path_factory):
    """Passages that tell words from question words, and ``ma túy`` from ``Tuy nhiên``."""
    src = tmp_path_factory.mktemp("words-src")
    texts = {
        "a.txt": "Báo cáo an ninh mạng\n\nBảo vệ không gian mạng quốc gia là nhiệm vụ trọng tâm.",
        "b.txt": "Báo cáo phòng chống tội phạm\n\nNgười nghiện ma túy bị xử lý hành chính theo quy định.",
        "c.txt": "Báo cáo thời tiết\n\nTuy nhiên, thời gian tới trời không mưa. Tuy vậy vẫn có gió.",
        "d.txt": "Báo cáo kiểm điểm\n\nKhông được bao che cho sai phạm; không che giấu khuyết điểm.",
        "e.txt": "Báo cáo thường niên\n\nThời gian qua, gian hàng và kẻ gian không còn xuất hiện.",
        "f.txt": "Báo cáo chuyên đề\n\nPhòng chống ma túy trong trường học, ma túy tổng hợp.",
    }
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    ix = tmp_path_factory.mktemp("words-ix")
    build_index([src], ix)
    return ix


def _marked(hit) -> list[str]:
    return [hit.text[s:e] for s, e in hit.highlights]


@pytest.mark.parametrize("text, kept", [
    ("không gian mạng", {"không", "gian", "mạng"}),
    ("bao che", {"bao", "che"}),
    ("có thể xử lý", {"có", "thể", "xử", "lý"}),
    ("ma túy là gì", {"ma", "túy"}),
])
def test_a_syllable_of_a_word_is_never_dropped_as_a_question_word(gen, text, kept):
    parsed = parse(text, gen.query_schema, None, gen.known_codes, False, gen.variants, gen.pair_count)
    terms = {t for _, t in parsed.matcher.iter_all_terms()}
    assert kept <= terms


def test_question_words_standing_alone_are_dropped(gen):
    parsed = parse("ma túy có bị xử lý không?", gen.query_schema, None, gen.known_codes, False, gen.variants)
    terms = {t for _, t in parsed.matcher.iter_all_terms()}
    assert {"ma", "túy", "xử", "lý"} <= terms and not {"có", "không", "bị"} & terms


def test_words_count_and_are_marked_whole(words_index):
    index = open_index(words_index)
    hits = index.search("không gian mạng")
    assert hits[0].doc == "a.txt"
    assert _marked(hits[0]) == ["không", "gian", "mạng"]  # one span per syllable, none dropped
    assert index.search("bao che")[0].doc == "d.txt"
    assert _marked(index.search("bao che")[0]) == ["bao", "che", "che"]


def test_accentless_word_marks_its_spellings_not_chance_syllables(words_index):
    index = open_index(words_index)
    hits = index.search("ma tuy", limit=None)
    assert {h.doc for h in hits} == {"b.txt", "f.txt"}  # not c.txt's "Tuy nhiên", "Tuy vậy"
    assert all(m.lower() in ("ma", "túy") for h in hits for m in _marked(h))
    assert _marked(next(h for h in hits if h.doc == "f.txt")) == ["ma", "túy", "ma", "túy"]


def test_directive_in_every_written_form_ranks_every_citing_passage_first(index, seed_index):
    cite = [p for h in index.search('"05-CT/TW" OR "05-CT/W" OR "Chỉ thị 05"', limit=None)
            for p in [(h.doc, h.passage)]]
    assert len(cite) >= 10
    for q in ["CT 05", "chi thi 05", "Chỉ thị số 05-CT/TW", "05-ct/tw", "Chỉ thị 05"]:
        hits = index.search(q, limit=None)
        order = [(h.doc, h.passage) for h in hits]
        first = order[:len(cite)]
        assert set(first) == set(cite), q
        assert all(CITES_05.search(h.text) for h in hits[:len(cite)]), q


def test_directive_field_alone_returns_the_citing_passages_marked(index):
    hits = index.search("directive:05-CT/TW", limit=None)
    assert hits and all(CITES_05.search(h.text) for h in hits)
    assert all(_marked(h) and all(CITES_05.fullmatch(m) for m in _marked(h)) for h in hits)
    assert len({h.doc for h in hits}) == 4 and len(hits) < 20  # passages, not every passage of 4 reports


@pytest.mark.parametrize("spelling", ["34-KH/DUK", "34-kh/đuk", "34-KH/ĐUK"])
def test_directive_option_ignores_case_and_the_stroke_of_d(seed_index, spelling):
    result = CliRunner().invoke(cli, ["search", "--json", "--limit", "100", "--directive", spelling,
                                      "--index-dir", str(seed_index), "công tác"])
    assert result.exit_code == 0, result.stderr
    assert {line.split('"doc": "')[1][:3] for line in result.stdout.splitlines()} == {"002"}


def test_directive_option_takes_state_codes_without_the_stroke(seed_index):
    for spelling in ("1300/CD-TTG", "1300/cđ-ttg"):
        result = CliRunner().invoke(cli, ["search", "--json", "--directive", spelling,
                                          "--index-dir", str(seed_index), "công tác"])
        assert result.exit_code == 0, (spelling, result.stderr)


def test_title_field_works_without_diacritics(index):
    accented = {(h.doc, h.passage) for h in index.search('title:"Bắc Kạn"', limit=None)}
    assert accented
    assert {(h.doc, h.passage) for h in index.search('title:"bac kan"', limit=None)} == accented


def test_doc_field_matches_decomposed_and_composed_names(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    name = "Báo cáo tỉnh ủy.txt"
    (src / unicodedata.normalize("NFD", name)).write_text("Báo cáo tỉnh ủy\n\nCông tác tuyên giáo.",
                                                          encoding="utf-8")
    build_index([src], tmp_path / "ix")
    index = open_index(tmp_path / "ix")
    for typed in (name, unicodedata.normalize("NFD", name)):
        hits = index.search(f'doc:"{typed}"')
        assert [h.doc for h in hits] == [name]  # stored composed
