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
    assert skip_reason(write(tmp_path, "x.xyz", b"data")) == "unsupported file type .xyz"
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


# ------------------------------------------------------------- .doc, .xls

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY = GOVDOCS / "corpus" / "public-domain"
needs_govdocs = pytest.mark.skipif(not GOVDOCS.is_dir(), reason="../shared/corpora/govdocs not present")


def lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n") if ln]


@needs_govdocs
def test_doc_tcvn3_by_font_with_capitals_and_fields():
    # Word 97 with .VnTime/.VnTimeH runs: converted by font, the capitals font upper-cased;
    # the PAGE field in the header keeps its result, not its code.
    read = read_report(LEGACY / "tcvn3" / "2004-0328NDCP.doc")
    assert read.encoding == "tcvn3"
    assert lines(read.text)[:4] == ["CHÍNH PHỦ", "===", "Số: 28 /2003/NĐ-CP", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert "Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001;" in lines(read.text)
    assert "PAGE" not in read.text


@needs_govdocs
def test_doc_vni_and_footnotes():
    read = read_report(LEGACY / "vni" / "2008-23.QD-991-UBND.doc")
    assert read.encoding == "vni"
    assert "Số: 991/QĐ-UBND Đồng Xoài, ngày 14 tháng5 năm 2008" in lines(read.text)
    # footnotes are read after the body (this speech has 2,646 characters of them)
    footnoted = read_report(LEGACY / "tcvn3" / "2004-1113C_Michele_Debonneuil-_Phattrien_congnghe.doc").text
    assert "Hiện đại hoá khu vực sản xuất" in footnoted.title() or "HIỆN ĐẠI HOÁ KHU VỰC SẢN XUẤT" in footnoted


@needs_govdocs
def test_doc_fast_saved_pieces_keep_their_paragraph_style_font():
    # A fast-saved document: text appended at the end of the stream, whose paragraph
    # (and so its .VnTime style) is found through its paragraph mark, not its own bytes.
    text = read_report(LEGACY / "tcvn3" / "2004-13D56_Le_Quang_Thung-phatbieu.doc").text
    assert "cña" not in text and "cđa" not in text
    assert "thành công cần được khẳn định" in text


def test_doc_damaged_and_not_word(tmp_path):
    assert skip_reason(write(tmp_path, "x.doc", OLE + b"\x00" * 600)).startswith("damaged .doc")
    assert skip_reason(write(tmp_path, "y.doc", b"just some bytes, no Word here")) == "not a Word 97-2003 document"


@needs_govdocs
def test_doc_truncated_is_skipped_in_one_line(tmp_path):
    data = (LEGACY / "tcvn3" / "2004-NghiDinh114_2003.doc").read_bytes()
    reason = skip_reason(write(tmp_path, "cut.doc", data[: len(data) // 3]))
    assert reason.startswith("damaged .doc") and "\n" not in reason


def test_doc_that_is_really_rtf(tmp_path):
    rtf = r"{\rtf1\ansi{\fonttbl{\f0 .VnTime;}}\f0 Ngh\'de \'ae\'denh s\'e8 114\par}"
    assert read_report(write(tmp_path, "saved-from-web.doc", rtf)).text == "Nghị định số 114"


@needs_govdocs
def test_xls_rows_sheets_numbers_and_vni_cells():
    read = read_report(LEGACY / "vni" / "2006-Mau21_CKTC_NSH.xls")
    got = lines(read.text)
    assert read.encoding == "vni"
    assert got[:3] == ["Sheet1", "THÀNH PHỐ HỒ CHÍ MINH", "UBND HUYỆN CẦN GIỜ"]
    assert "A | Tổng thu NSNN trên địa bàn | 15237170" in got  # integers without ".0"
    assert got.index("STT | NỘI DUNG | NĂM 2004") < got.index("A | Tổng thu NSNN trên địa bàn | 15237170")


@needs_govdocs
def test_xls_tcvn3_cells_and_fractions():
    got = lines(read_report(LEGACY / "tcvn3" / "2005-C6DFD_XK_01-05.xls").text)
    assert got[0] == "XK"  # the sheet's name heads its rows
    assert "1 | Dầu thô | Ng. tấn | 18500 | 1741 | 1500 | 86.15738082 | 8.108108108" in got


def test_xlsx_cells_row_by_row_sheet_by_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Thu chi"
    first.append(["STT", "Nội dung", "Số tiền"])
    first.append([1, "NghÞ ®Þnh sè 114/2003/N§-CP", 12.0])
    first["B2"].font = Font(name=".VnTime")
    first.append([])  # an empty row: left out
    first.append([2, "quyÕt ®Þnh", 3.25, dt.date(2005, 9, 23), True])
    first["B4"].font = Font(name=".VnTimeH")  # capitals font
    first.append(["Hà Nội", "c«ng v¨n cña Bé Tµi chÝnh", "Quyeát ñònh"])
    first["A5"].font = Font(name="Times New Roman")  # Unicode: kept as it is
    first["B5"].font = Font(name="Arial")  # TCVN3 in an ordinary font, beside a legacy-font cell: detected
    first["C5"].font = Font(name="VNI-Times")
    book.create_sheet("Trống")  # an empty sheet: no heading
    second = book.create_sheet("Ghi chú")
    second["B2"] = "ô thứ hai, ghi chú"
    path = tmp_path / "so-lieu.xlsx"
    book.save(path)
    read = read_report(path)
    assert lines(read.text) == [
        "Thu chi",
        "STT | Nội dung | Số tiền",
        "1 | Nghị định số 114/2003/NĐ-CP | 12",
        "2 | QUYẾT ĐỊNH | 3.25 | 23/09/2005 | TRUE",
        "Hà Nội | công văn của Bộ Tài chính | Quyết định",
        "Ghi chú",
        "ô thứ hai, ghi chú",
    ]
    assert read.encoding == "tcvn3+vni"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("bad.xlsx", b"PK\x03\x04 not really a zip", "damaged .xlsx (not a zip file)"),
        ("bad.xls", OLE + b"\x00" * 600, "damaged .xls"),
        ("text.xls", b"STT,Noi dung\n1,abc\n", "not an Excel 97-2003 workbook"),
    ],
    ids=["xlsx-not-zip", "xls-garbage", "xls-csv"],
)
def test_damaged_spreadsheets_are_skipped_in_one_line(tmp_path, name, data, reason):
    got = skip_reason(write(tmp_path, name, data))
    assert got.startswith(reason) and "\n" not in got


@needs_govdocs
def test_xls_truncated_is_skipped_in_one_line(tmp_path):
    data = (LEGACY / "tcvn3" / "2005-C6DFD_XK_01-05.xls").read_bytes()
    reason = skip_reason(write(tmp_path, "cut.xls", data[: len(data) // 2]))
    assert reason.startswith("damaged .xls") and "\n" not in reason


def test_runs_beside_legacy_fonts_are_detected_when_asked():
    from search.ingest.formats.encoding import runs_to_text

    row = [("B¸o c¸o", ".VnTime"), (" | ", None), ("Ủy ban nh©n d©n quËn 5", "Times New Roman"), (" | ", None),
           ("Quận 5", "Times New Roman")]
    # The other cells of the document are Unicode, so the document detects as nothing: the row's font decides.
    unicode_row = [("Ủy ban nhân dân quận Tân Bình", "Times New Roman")]
    assert runs_to_text([row, unicode_row], detect_runs=True)[0] == (
        "Báo cáo | Ủy ban nhân dân quận 5 | Quận 5\n\nỦy ban nhân dân quận Tân Bình")
    # Without it (rtf, docx, pdf), runs beside a legacy-font run are kept as they are.
    assert runs_to_text([row])[0] == "Báo cáo | Ủy ban nh©n d©n quËn 5 | Quận 5"


def test_format_value():
    from search.ingest.formats.sheet import format_value

    assert [format_value(v) for v in (12.0, -3.0, 0.1 + 0.2, 1234567.891, 1e20, True)] == [
        "12", "-3", "0.3", "1234567.891", "1e+20", "TRUE"]
    assert format_value(dt.datetime(2005, 9, 23, 14, 30)) == "23/09/2005 14:30"
    assert format_value(dt.time(8, 15)) == "08:15"


# ---------------------------------------------------------- messy folders


def make_messy(folder: Path) -> None:
    folder.mkdir()
    write(folder, "good.txt", GOOD)
    write(folder, "utf16.txt", b"\xfe\xff" + "Báo cáo sơ kết công tác dân vận năm 2022".encode("utf-16-be"))
    write(folder, "binary.txt", bytes(range(256)) * 16)
    write(folder, "empty.txt", b"")
    write(folder, "invalid.txt", b"Report \xc3\x28 total \xa0\xa1 value\xff end\n")
    write(folder, "nul.txt", b"text with a \x00 NUL byte in the middle\n")
    write(folder, "README.md", "Ghi chú\n\nThư mục báo cáo thử.")
    sub = folder / "sub"
    sub.mkdir()
    os.symlink(folder, sub / "loop")  # a link back to the top: a loop


def test_find_sources_survives_symlink_loop(tmp_path):
    make_messy(tmp_path / "messy")
    skipped = []
    files = find_sources([tmp_path / "messy"], skipped)
    assert sorted(f.doc for f in files) == [
        "README.md", "binary.txt", "empty.txt", "good.txt", "invalid.txt", "nul.txt", "utf16.txt"
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
    assert "3 indexed, 0 updated, 0 removed, 0 unchanged, 5 skipped" in result.stderr  # README.md is a report too
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
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".rtf", ".doc", ".xls", ".xlsx"} <= SUFFIXES


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


def test_missing_parser_library_names_the_package(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "docx", None)  # as if python-docx were not installed
    path = write(tmp_path, "d.docx", b"PK\x03\x04")
    assert skip_reason(path) == ".docx files need python-docx (pip install python-docx)"
    monkeypatch.setitem(sys.modules, "xlrd", None)
    assert skip_reason(write(tmp_path, "s.xls", OLE + b"\x00" * 600)) == ".xls files need xlrd (pip install xlrd)"


def test_search_imports_no_parser():
    import subprocess
    import sys

    code = ("import sys; from search import cli; from search.rank import retrieve; from search.index import build; "
            "from search.ingest import formats; from search.ingest.formats import doc, docx, html, pdf, rtf, sheet; "
            "print(sorted(m for m in ('bs4', 'docx', 'pdfminer', 'lxml', 'olefile', 'xlrd', 'openpyxl') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
