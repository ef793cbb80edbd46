"""Extraction against hand-labelled gold (tests/gold/) and its hard cases in isolation."""

import datetime as dt
import json

import pytest

from search.ingest.article import article_lines
from search.ingest.metadata.directives import code_mentions
from search.ingest.report import parse_document
from search.text import codes

from .conftest import ROOT, SEEDS

GOLD = ROOT / "tests" / "gold"
GOVDOCS = ROOT.parent / "shared" / "corpora" / "govdocs" / "ground-truth"
SEED_GOLD = json.loads((GOLD / "seeds_metadata.json").read_text(encoding="utf-8"))["reports"]


@pytest.fixture(scope="module")
def seeds():
    return {p.name: parse_document(p.name, p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize("name", sorted(SEED_GOLD))
def test_seed_metadata_matches_gold(seeds, name):
    gold, doc = SEED_GOLD[name], seeds[name]
    assert doc.title == gold["title"]
    assert doc.date_precision == gold["date_precision"]
    assert doc.date.isoformat().startswith(gold["date"])
    assert doc.organization == gold["organization"]
    assert sorted(doc.directives) == sorted(gold["directives"])
    assert not set(doc.directives) & set(gold["not_directives"])
    for code, date in gold["directive_dates"].items():
        assert doc.directive_info[code]["date"] == date


def test_junk_stays_out_of_passages(seeds):
    junk = ["Các bài viết khác", "ngày trước)", "Thống kê truy cập", "Đang online", "Chia sẻ",
            "Go top", "Tin, ảnh: THẾ HOÀNG", "Bài viết: Hữu Nghĩa", "Thứ Sáu, 22/11/2024", "Mới nhất",
            "cuốn sách của Tổng Bí thư"]
    for doc in seeds.values():
        for passage in doc.passages:
            assert not any(j in passage.text for j in junk), passage.text[:80]


def test_year_only_date_covers_the_year(seeds):
    doc = seeds["002_653785d83756d3f5.txt"]
    assert doc.date_range == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def test_citation_dates_are_not_the_report_date():
    text = ("Tiêu đề báo cáo công tác của Ban Tuyên giáo\n"
            "Thực hiện Chỉ thị số 519-CT/TU ngày 6/4/2020 của Ban Thường vụ.")
    doc = parse_document("x.txt", text)
    assert doc.date is None


@pytest.mark.parametrize(
    "raw, code",
    [
        ("05-ct/tw", "05-CT/TW"), ("1300/CĐ-TTg", "1300/CĐ-TTG"), ("02/2006/CT-TTG", "02/2006/CT-TTG"),
        ("144 /2002/QĐ/BTC", "144/2002/QĐ-BTC"), ("114/2003/ NĐ-CP", "114/2003/NĐ-CP"),
        ("30/2000/TTLT/BTC-UBTDTT", "30/2000/TTLT-BTC-UBTDTT"), ("60 TC/CĐKT", "60-TC/CĐKT"),
        ("05-CT/TƯ", "05-CT/TW"),
    ],
)
def test_code_normalisation(raw, code):
    assert [c for c, _, _ in codes.find_codes(f"theo văn bản số {raw} của cơ quan")] == [code]


def test_codes_are_not_dates_forms_or_list_items():
    text = "ngày 15/5/2016, giai đoạn 2020-2025, theo mẫu số: 02/GTGT, mục 1-Quy định, COVID-19"
    assert codes.find_codes(text) == []


def test_typo_repaired_against_the_codes_cited():
    found = [c for c, _, _ in code_mentions("Chỉ thị số 05-CT/TW ... thực hiện Chỉ thị số 05-CT/W")]
    assert found == ["05-CT/TW", "05-CT/TW"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("Tiếp tục thực hiện Chỉ thị 05 của Bộ Chính trị về học tập", "05-CT/TW"),
        ("Nghị quyết số 35 của Bộ Chính trị", "35-NQ/TW"),
        ("Kết luận 01 của Ban Bí thư", "01-KL/TW"),
    ],
)
def test_bare_mentions_resolved_from_the_issuer(text, code):
    assert [c for c, _, _ in code_mentions(text)] == [code]


def test_bare_mention_without_issuer_resolved_from_the_text():
    text = "Chỉ thị số 26-CT/TW của Ban Bí thư. Thực hiện tốt Chỉ thị 26 trong dịp Tết."
    assert [c for c, _, _ in code_mentions(text)] == ["26-CT/TW", "26-CT/TW"]
    assert code_mentions("Thực hiện Chỉ thị 26 trong dịp Tết.") == []  # unknown issuer: left out


@pytest.mark.parametrize(
    "spec, matches, rejects",
    [
        ("05-CT/TW", ["05-CT/TW"], ["05-NQ/TW", "5-CT/TU"]),
        ("CT 05", ["05-CT/TW", "5-CT/TU"], ["05-NQ/TW"]),
        ("Chỉ thị 05", ["05-CT/TW"], ["05-KL/TW"]),
        ("chỉ thị số 5 của Bộ Chính trị", ["05-CT/TW"], ["05-CT/TU"]),
    ],
)
def test_directive_spellings(spec, matches, rejects):
    wanted = codes.parse_directive_spec(spec)
    assert all(wanted.matches(c) for c in matches)
    assert not any(wanted.matches(c) for c in rejects)


def test_end_markers_cut_the_page():
    text = "Tiêu đề bài viết về công tác tuyên giáo\nNội dung chính.\nMột đoạn nữa.\nCác tin khác\nTin khác 1"
    assert article_lines(text) == ["Tiêu đề bài viết về công tác tuyên giáo", "Nội dung chính.", "Một đoạn nữa."]


@pytest.mark.skipif(not GOVDOCS.is_dir(), reason="../shared/corpora/govdocs not present")
def test_code_extraction_on_govdocs_gold():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval_extract.py")],
                         capture_output=True, text=True, check=True).stdout
    figures = {line.split("|")[1].strip(): float(line.split("|")[2]) for line in out.splitlines()
               if line.startswith("| code ")}
    assert figures["code precision"] >= 0.95 and figures["code recall"] >= 0.95
