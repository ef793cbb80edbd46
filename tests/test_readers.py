"""Reading report files: formats, encodings, legacy fonts, messy folders."""

import datetime as dt
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.index.build import find_sources
from search.ingest.formats import SUFFIXES, Skip, read_report
from search.ingest.formats.encoding import decode_text

ROOT = Path(__file__).resolve().parent.parent
GOVDOCS = ROOT.parent / "shared" / "corpora" / "govdocs"

GOOD = (
    "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023\n\n"
    "Sáng 13/4/2023, Ban Tuyên giáo Tỉnh ủy Bắc Kạn tổ chức hội nghị giao ban công tác "
    "tuyên giáo quý I, triển khai nhiệm vụ quý II năm 2023.\n"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def skip_reason(path: Path) -> str:
    with pytest.raises(Skip) as info:
        read_report(path)
    return str(info.value)


# ------------------------------------------------------------- plain text


def test_utf8_with_and_without_bom(tmp_path):
    plain = write(tmp_path, "a.txt", GOOD)
    bom = write(tmp_path, "b.txt", b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert read_report(plain).text == read_report(bom).text == GOOD.strip()
    assert read_report(bom).encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    path = write(tmp_path, "u.txt", bom + GOOD.replace("\n", "\r\n").encode(codec))
    source = read_report(path)
    assert source.encoding == "utf-16"
    assert source.text.replace("\r\n", "\n") == GOOD.strip()


def test_windows_1258_vietnamese_is_read(tmp_path):
    # cp1258 writes most tones as combining marks after the letter.
    data = _cp1258(GOOD)
    path = write(tmp_path, "w.txt", data)
    source = read_report(path)
    assert source.encoding == "cp1258"
    assert unicodedata.normalize("NFC", source.text) == GOOD.strip()


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258: precomposed where the code page has it, else base + tone."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = next(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_invalid_utf8_that_is_not_vietnamese_is_skipped(tmp_path):
    path = write(tmp_path, "bad.txt", b"Report \xc3\x28 total \xa0\xa1 value\xff end\n")
    assert skip_reason(path) == "not valid text in UTF-8, UTF-16 or Windows-1258"


def test_latin1_french_is_not_taken_for_vietnamese(tmp_path):
    path = write(tmp_path, "fr.txt", "Le café est déjà très célèbre à la française.\n".encode("latin-1"))
    assert skip_reason(path) == "not valid text in UTF-8, UTF-16 or Windows-1258"


def test_tcvn3_text_file_is_converted(tmp_path):
    path = write(tmp_path, "old.txt", "NghÞ ®Þnh cña ChÝnh phñ sè 114/2003/N§-CP\n".encode("latin-1"))
    source = read_report(path)
    assert source.encoding == "tcvn3"
    assert source.text == "Nghị định của Chính phủ số 114/2003/NĐ-CP"


def test_vni_text_already_in_utf8_is_converted(tmp_path):
    path = write(tmp_path, "vni.txt", "Quyeát ñònh cuûa Boä Taøi chính\n")
    assert read_report(path).text == "Quyết định của Bộ Tài chính"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"  \n\r\n\t", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
        (bytes(range(256)) * 8, "binary file"),
        (b"good text\x00 with one NUL byte in it\n", "contains NUL bytes"),
        (b"1234 5678 ---\n", "no text"),
    ],
)
def test_text_skips(tmp_path, data, reason):
    assert skip_reason(write(tmp_path, "x.txt", data)) == reason


def test_unsupported_suffix_and_missing_file(tmp_path):
    assert skip_reason(write(tmp_path, "x.xls", b"data")) == "unsupported file type .xls"
    assert skip_reason(tmp_path / "gone.txt") == "No such file or directory"


def test_huge_single_line_is_wrapped(tmp_path):
    line = ("Ban Tuyên giáo tổ chức hội nghị " * 3000).strip()
    source = read_report(write(tmp_path, "huge.txt", line))
    lines = [ln for ln in source.text.split("\n") if ln]
    assert len(lines) > 10 and max(map(len, lines)) <= 5000
    assert " ".join(lines) == line


def test_read_report_turns_parser_errors_into_skip(tmp_path):
    assert skip_reason(write(tmp_path, "broken.docx", b"PK\x03\x04 not really a zip")).startswith(
        "cannot parse docx"
    )
    assert skip_reason(write(tmp_path, "broken.pdf", b"%PDF-1.4\n garbage")) == "damaged PDF"


# ------------------------------------------------------------------- html

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Hội nghị giao ban tuyên giáo - Báo Bắc Kạn</title>
<meta property="og:title" content="Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023">
<meta property="article:published_time" content="2023-04-13T07:53:00+07:00">
<script>var tracking = "không phải bài viết";</script>
<style>.x { color: red }</style>
</head><body>
<header class="site-header"><a href="/">Trang chủ</a> Báo điện tử Bắc Kạn</header>
<nav><ul><li><a href="/thoi-su">Thời sự</a></li><li><a href="/kinh-te">Kinh tế</a></li></ul></nav>
<div class="breadcrumb">Chính trị › Xây dựng Đảng</div>
<article>
  <header><h1>Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023</h1></header>
  <p>Sáng 13/4/2023, Ban Tuyên giáo Tỉnh ủy <b>Bắc Kạn</b> tổ chức hội nghị giao ban.</p>
  <p>Hội nghị triển khai nhiệm vụ<br>quý II năm 2023.</p>
  <div class="share-bar">Chia sẻ Facebook Zalo</div>
  <footer>Thẻ: tuyên giáo</footer>
</article>
<aside><h3>Tin đọc nhiều</h3><p>Giá vàng hôm nay tăng mạnh</p></aside>
<footer id="footer">Bản quyền thuộc Báo Bắc Kạn. Địa chỉ: tổ 1 phường Đức Xuân</footer>
</body></html>
"""


def test_html_keeps_the_article_only(tmp_path):
    source = read_report(write(tmp_path, "page.html", PAGE))
    assert source.text == (
        "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023\n\n"
        "Sáng 13/4/2023, Ban Tuyên giáo Tỉnh ủy Bắc Kạn tổ chức hội nghị giao ban.\n\n"
        "Hội nghị triển khai nhiệm vụ\n\n"
        "quý II năm 2023."
    )
    assert source.title == "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023"
    assert source.date == dt.date(2023, 4, 13)


def test_html_without_semantic_tags_and_title_fallback(tmp_path):
    page = ("<html><head><title>Quyết định số 05 | Cổng thông tin</title></head><body>"
            "<div id='menu'>Trang chủ | Giới thiệu</div>"
            "<table><tr><td><p>Ủy ban nhân dân tỉnh ban hành quyết định số 05.</p></td></tr></table>"
            "<div class='footer'>Liên hệ quản trị</div></body></html>")
    source = read_report(write(tmp_path, "old.htm", page))
    assert source.text == "Ủy ban nhân dân tỉnh ban hành quyết định số 05."
    assert source.title == "Quyết định số 05"
    assert source.date is None


def test_html_legacy_font_runs(tmp_path):
    page = ('<html><head><meta charset="windows-1252"></head><body><p>'
            '<font face=".VnTime">NghÞ ®Þnh sè 114/2003/N§-CP</font></p></body></html>')
    source = read_report(write(tmp_path, "vn.htm", page.encode("cp1252")))
    assert source.text == "Nghị định số 114/2003/NĐ-CP"
    assert source.encoding == "tcvn3"


# ------------------------------------------------------------------- docx


def test_docx_runs_in_legacy_fonts_and_tables(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    p = document.add_paragraph()
    p.add_run("Quyết định ")  # Unicode run in the default font
    run = p.add_run("sè 114/2003/N§-CP")
    run.font.name = ".VnTime"
    heading = document.add_paragraph().add_run("quyÕt ®Þnh")
    heading.font.name = ".VnTimeH"  # capitals font
    vni = document.add_paragraph().add_run("Boä Taøi chính")
    vni.font.name = "VNI-Times"
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Ô thứ nhất"
    table.cell(0, 1).text = "Ô thứ hai"
    document.add_paragraph("Café à la française")  # Unicode, not legacy
    path = tmp_path / "d.docx"
    document.save(path)
    source = read_report(path)
    assert source.text == (
        "Quyết định số 114/2003/NĐ-CP\n\nQUYẾT ĐỊNH\n\nBộ Tài chính\n\n"
        "Ô thứ nhất\n\nÔ thứ hai\n\nCafé à la française"
    )
    assert source.encoding == "tcvn3+vni"


def test_docx_font_from_paragraph_style(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph("§éc lËp - Tù do - H¹nh phóc")
    path = tmp_path / "s.docx"
    document.save(path)
    assert read_report(path).text == "Độc lập - Tự do - Hạnh phúc"


# -------------------------------------------------------------------- rtf

RTF = r"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman\fcharset0 Times New Roman;}
{\f1\fswiss\fcharset0{\*\panose 020b7200000000000000}.VnTime;}{\f2\fswiss\fcharset0 .VnTimeH;}}
{\stylesheet{\s0 Normal;}}{\info{\title Ignored title}}
\pard\plain\f2 quy\'d5t \'ae\'denh\par
\pard\plain\f1 Ngh\'de \'ae\'denh s\'e8 114/2003/N\'a7-CP\par
\pard\plain\f0 Unicode \u7853?ng and caf\'e9 {\*\bkmkstart x}kept\line next\par
{\header header text}
}"""


def test_rtf_font_runs(tmp_path):
    source = read_report(write(tmp_path, "r.rtf", RTF))
    assert source.text == (
        "QUYẾT ĐỊNH\n\nNghị định số 114/2003/NĐ-CP\n\nUnicode ậng and café kept\n\nnext"  # \\u7853 = ậ
    )
    assert source.encoding == "tcvn3"


def test_not_rtf(tmp_path):
    assert skip_reason(write(tmp_path, "x.rtf", "plain text, not rtf")) == "not an RTF file"


# ------------------------------------------------------------------- .doc


def test_doc_without_antiword_is_skipped_with_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert skip_reason(write(tmp_path, "x.doc", b"\xd0\xcf\x11\xe0 ole")) == (
        ".doc needs antiword (apt-get install antiword)"
    )


# ---------------------------------------------------------- messy folders


def make_messy(folder: Path) -> None:
    folder.mkdir()
    write(folder, "good.txt", GOOD)
    write(folder, "utf16.txt", b"\xfe\xff" + "Báo cáo sơ kết công tác dân vận năm 2022".encode("utf-16-be"))
    write(folder, "binary.txt", bytes(range(256)) * 16)
    write(folder, "empty.txt", b"")
    write(folder, "invalid.txt", b"Report \xc3\x28 total \xa0\xa1 value\xff end\n")
    write(folder, "nul.txt", b"text with a \x00 NUL byte in the middle\n")
    write(folder, "README.md", "not a report")
    sub = folder / "sub"
    sub.mkdir()
    os.symlink(folder, sub / "loop")  # a link back to the top: a loop


def test_find_sources_survives_symlink_loop(tmp_path):
    make_messy(tmp_path / "messy")
    skipped = []
    files = find_sources([tmp_path / "messy"], skipped)
    assert sorted(f.doc for f in files) == [
        "binary.txt", "empty.txt", "good.txt", "invalid.txt", "nul.txt", "utf16.txt"
    ]
    assert any("loop" in reason for _, reason in skipped)


def test_index_messy_folder(tmp_path):
    make_messy(tmp_path / "messy")
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(tmp_path / "messy"), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.stderr
    skipped = dict(re.findall(r"vnsearch: skipped (.+?): (.+)", result.stderr))
    names = {Path(p).name: reason for p, reason in skipped.items()}
    assert names["binary.txt"] == "binary file"
    assert names["empty.txt"] == "empty file"
    assert names["invalid.txt"] == "not valid text in UTF-8, UTF-16 or Windows-1258"
    assert names["nul.txt"] == "contains NUL bytes"
    assert "2 indexed, 0 updated, 0 removed, 0 unchanged, 5 skipped" in result.stderr
    for query, doc in [('"tuyên giáo quý I"', "good.txt"), ('"công tác dân vận"', "utf16.txt")]:
        out = runner.invoke(cli, ["search", query, "--json", "--index-dir", str(tmp_path / "ix")])
        assert out.exit_code == 0
        assert json.loads(out.stdout.splitlines()[0])["doc"] == doc


def test_index_html_page_article_searchable_chrome_not(tmp_path):
    (tmp_path / "site").mkdir()
    write(tmp_path / "site", "bai-viet.html", PAGE)
    runner = CliRunner()
    ix = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(tmp_path / "site"), "--index-dir", ix]).exit_code == 0
    found = runner.invoke(cli, ["search", '"triển khai nhiệm vụ"', "--json", "--index-dir", ix])
    assert found.exit_code == 0
    record = json.loads(found.stdout.splitlines()[0])
    assert record["date"] == "2023-04-13"
    assert record["title"] == "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023"
    for chrome in ['"Thời sự"', '"Bản quyền"', '"Giá vàng"', '"Chia sẻ"', "Zalo", '"Xây dựng Đảng"']:
        assert runner.invoke(cli, ["search", chrome, "--index-dir", ix]).exit_code == 1, chrome


def test_suffixes():
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".rtf"} <= SUFFIXES


def test_decode_text_utf32():
    assert decode_text(b"\xff\xfe\x00\x00" + "Hà Nội".encode("utf-32-le")) == ("Hà Nội", "utf-32")


# ------------------------------------------------------- govdocs originals


def _transcript_middle(transcript: Path) -> str:
    """Eight words from the middle of the transcript's longest line."""
    lines = transcript.read_text(encoding="utf-8").splitlines()
    words = max(lines, key=len).split()
    mid = len(words) // 2
    return " ".join(words[mid - 4 : mid + 4])


@pytest.mark.skipif(not GOVDOCS.is_dir(), reason="../shared/corpora/govdocs not present")
@pytest.mark.parametrize(
    "original",
    [
        "public-domain/tcvn3/2003-A-15.rtf",
        "public-domain/tcvn3/2004-A33.rtf",
        "synthetic/synthetic-vni-2004-B1-1-DONTC.docx",
        "public-domain/tcvn3/2006-19412_QD115.04TTg_BLTch_DNNVV.pdf",
    ],
)
def test_govdocs_phrase_from_transcript_is_read(original):
    path = GOVDOCS / "corpus" / original
    transcript = next(GOVDOCS.glob(f"ground-truth*/{path.stem}.txt"))
    phrase = _transcript_middle(transcript)
    text = " ".join(read_report(path).text.split())
    assert " ".join(phrase.split()).lower() in text.lower()


def test_missing_optional_library_names_the_extra(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "docx", None)  # as if python-docx were not installed
    path = write(tmp_path, "d.docx", b"PK\x03\x04")
    assert skip_reason(path) == ".docx files need docx (pip install 'vnsearch[formats]')"


def test_search_imports_no_parser():
    import subprocess
    import sys

    code = ("import sys; from search import cli; from search.rank import retrieve; from search.index import build; "
            "from search.ingest import formats; from search.ingest.formats import docx, html, pdf, rtf; "
            "print(sorted(m for m in ('bs4', 'docx', 'pdfminer', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
