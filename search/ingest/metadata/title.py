"""The report's title: its headline, else the first sentence of its text.

A headline is a line of its own at the top of the page (below date stamps and
category labels): at most ``TITLE_MAX_CHARS`` characters, one sentence that
does not end with a full stop, starting with a letter, digit, quote or
bracket. Người Lao Động pages run the headline, a photo caption and the lead
together on one line; there the headline is cut off at the first word that
starts a sentence (``SENTENCE_STARTERS``) or at the "(NLĐ)-" of the lead.
A page without a headline (Thanh Niên's articles start with the lead) is
titled by its first sentence, which stays in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.ingest.article import BREADCRUMB, DATE_ONLY, _line_kind
from search.text.normalize import fold

_MOTTO = {fold(s) for s in ["Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc"]}

# The headline is looked for in the page's first 8 lines: below them sits the
# article's body.
TITLE_LINES = 8
# A headline has at most 250 characters (VnExpress and Tuổi Trẻ headlines run to
# about 150; Người Lao Động's whole first line, headline and lead, to 1,635).
TITLE_MAX_CHARS = 250
# A line of fewer than 5 words right above a date stamp is a category label
# ("Tuyên giáo các cấp"), not the headline; elsewhere a short line can be one
# ("Báo cáo một").
TITLE_MIN_WORDS = 5
# A first line set off by a blank line is a heading if it has 1 to 15 words
# (more is a sentence) and does not end like a sentence.
HEADING_MAX_WORDS = 15
# The headline cut off a longer line has at least 2 words.
HEADLINE_MIN_WORDS = 2

# Words that start sentences and are (almost) never capitalised inside one:
# their capitalised form after another word marks where a Người Lao Động
# headline ends and its caption or lead begins ("17 công nhân thoát tay tử thần
# | Công nhân trong hầm lò ..."). Counted on VNTC's body lines (first lines
# left out): words starting a sentence at least 150 times whose capitalised
# form follows another word of a sentence at most 5 % as often ("Nhà", in Nhà
# Trắng and Nhà nước, is out; so are "Bà", "Người", "Ngày", "Sáng"). Left out
# by hand: words that head the names of documents and of their parts in
# reports ("Chỉ thị", "Kết luận", "Tờ trình", "Khoản 2", "Mục 3", "Bảng 1",
# "Điểm a", "Số 12", "Phiên họp", "Đoạn 1"), rare in news.
SENTENCE_STARTERS = frozenset("""
    trong theo tuy nhưng tôi các một ông sau nếu những khi có đây ngoài với không hiện và còn trước
    chúng tại vì họ ở đó nhiều để cũng việc bạn đến sự ngay chị hôm về hơn tất trận đối mỗi trên dù
    phút nó cuộc riêng thực mặc giá lúc hãy cả đặc bởi cho vậy chẳng cùng chiều cuối vào nói được
    thậm khoảng qua lần thật mọi đã gần chưa rất hầu phải xin làm giới giờ là vấn mới tính kể trả ví
    nên loại bàn cụ bây rồi dùng nhờ trao bất bị đôi mức tay thay nhìn bước cứ đừng ngược xếp tỷ
    đúng đáng thêm dưới vừa muốn đơn nhận mà cựu quá so sẽ xem mình tác thấy phía buổi chắc vợ biết
    vài nghe hoặc nguồn hay vẫn bắt mấy lượng ít khác căn cảm ăn khả rõ khán từng càng nạn suốt xét
    nơi ngành sắp tới khó cháu đứng giống tốt nay chuyến chồng mối mong món chữa nhằm tùy dường kiểu
    đọc cú chọn ra tránh nằm nguy hạn thịt nhu vốn vai cặp đương viêm hắn uống nhiệm thỉnh đấy lối
    phóng mất đám tốc đợt thua bỏ chơi lẽ điển hỏi màn lớp đáp bọn đau biện dựa thưa trưa xác áp hết
    phản vả dẫu nền tóm lượt đặt nổi giữ dẫn luôn dạng phe căng lỗi lo bạo tức loài liều trừ nghĩ
    giảm tận yếu tiếc đâu nắm cước rửa nào chặng dịp vắng vỏ lính suy sợ tỉ sớm lãi nấu nỗ trông
    trải
""".split())

# Starters that are never a syllable of a name: they start a sentence even after a
# capitalised word ("Mỹ gia tăng sức ép lên Iran | Trong khi ..."); the others
# ("Cần Giờ", "Ba Vì", "Vĩnh Tuy", "Bánh Ít") only after a word in lower case.
NAME_PROOF_STARTERS = frozenset(
    "trong theo khi sau tại với những các một nếu để đây đó hiện nhưng ngoài hôm mỗi tất chiều".split()
)

# The Người Lao Động lead opens with its source: "(NLĐ)- Ngày 12-4, ...", "(NLĐO)-Sau 7 năm".
_NLD_TAG = re.compile(r"\((?:NLĐ|NLĐO|NLD|NLDO)\)\s*[-–—]?\s*")
# A sentence ends at . ! ? followed by a space and a capital (not inside "TP.HCM" or
# "3.5"); not an ellipsis ("Không nhận được bằng vì bị đuổi học... 7 năm trước",
# "Tân... cơ quan!") nor the full stop of an initial or abbreviation ("P.15, Q. Tân Bình").
_SENTENCE_END = re.compile(r"(?<![.…])(?<!\b\w)[.!?](?!\.)[\"”’)]?\s+(?=[\"“‘(]?[A-ZÀ-ỸĐ])")
_HEADLINE_START = re.compile(r"^[\w\"“‘'(\[«]")
# What may end a headline: not a full stop, comma, semicolon or colon; an ellipsis, an
# initial ("chị Kh.") or an abbreviation is fine.
_ENDS_LIKE_SENTENCE = re.compile(r"(?<![.…])[.,;:]$")
_INITIAL_END = re.compile(r"(?:^|\s)[A-ZÀ-ỸĐ][a-zà-ỹđ]?\.$")
# An official document's number: "Số: 12/2005/QĐ-UBND", "Số 45-CV/TU".
_DOC_NUMBER = re.compile(r"^số\s*:?\s*\d+[\w/.\-]*$", re.IGNORECASE)


@dataclass
class Title:
    """The title and where it sits among the page's lines."""

    text: str
    line: int | None  # index of the headline's line; None when the title is not a line of its own
    rest: str | None = None  # the text after the headline on its line (Người Lao Động)
    body_from: int = 0  # index of the first line of the article's text (below the page's header)


def first_heading(text: str) -> str | None:
    """The first line if it stands alone (blank line after it), is short and is no sentence."""
    m = re.match(r"\s*([^\n]+)\n[ \t]*\n", text)
    if not m:
        return None
    line = m.group(1).strip()
    if len(line.split()) <= HEADING_MAX_WORDS and not _ENDS_LIKE_SENTENCE.search(line) and is_headline(line):
        return line
    return None


def is_headline(line: str) -> bool:
    """A line that reads as a headline: short, one sentence, not closed by a full stop."""
    if len(line) > TITLE_MAX_CHARS or not _HEADLINE_START.match(line):
        return False
    if _SENTENCE_END.search(line):
        return False
    return not _ENDS_LIKE_SENTENCE.search(line) or bool(_INITIAL_END.search(line))


def _header_furniture(line: str) -> bool:
    """Page chrome above a headline: stamps, layout, breadcrumbs, a national motto, a
    document's number and its place-and-date line."""
    from search.ingest.metadata.date import place_date  # date reads headlines: imported here, not above

    kind = _line_kind(line)
    return (kind in ("markup", "stamp", "chrome", "counter", "breadcrumb") or fold(line) in _MOTTO
            or bool(BREADCRUMB.match(line)) or bool(_DOC_NUMBER.match(line)) or place_date(line) is not None)


def _starter_at(words: list[str], i: int) -> bool:
    """Word ``i`` starts a sentence after the headline's last word.

    It is a capitalised ``SENTENCE_STARTERS`` word (not in capitals, not
    quoted) after a word not closed by punctuation, in lower case unless the
    starter is one of ``NAME_PROOF_STARTERS``; or any capitalised word after a
    question or exclamation mark. Unless it is a form of address ("Ông Hoàn"),
    a word in lower case follows it: "Công ty Tất Hoàng" is a name.
    """
    word, prev = words[i], words[i - 1]
    core = word.rstrip(".,;:!?…\"”’)")
    if not core[:1].isupper() or (len(core) > 1 and core.isupper()):
        return False
    if prev[-1] in "?!":
        return True
    if prev[-1] in ".:;,\"“”‘’'()-–—/":
        return False
    word = core.lower()
    if word not in SENTENCE_STARTERS or not prev[:1].islower() and word not in NAME_PROOF_STARTERS:
        return False
    nxt = words[i + 1] if i + 1 < len(words) else ""
    return word in _ADDRESS or not nxt[:1].isupper()


def _echo_at(words: list[str], i: int) -> bool:
    """Words ``i`` and ``i + 1`` start a caption or lead that takes up two words the headline
    has in lower case, here capitalised: "Làm sạch bông phấn | Bông phấn sử dụng lâu ngày
    ...", "17 công nhân thoát tay tử thần | Công nhân trong hầm lò ...", "Hai cái nóng
    tháng 4 | Tháng 4 đang ..."."""
    if i + 1 >= len(words) or words[i - 1][-1] in ".:;,\"“”‘’'(-–—/":
        return False
    word = words[i]
    if not word[:1].isupper() or word.isupper():
        return False
    pair = f"{word.lower()} {words[i + 1].lower()}"
    return any(f"{a} {b}" == pair and a[:1].islower() for a, b in zip(words[: i - 1], words[1:i]))


# Forms of address among the starters: a name follows them ("Ông Hoàn, bà Năm ...").
_ADDRESS = {"ông", "chị", "cụ", "cháu", "vợ", "chồng", "bạn"}


def headline_prefix(line: str) -> tuple[str, str] | None:
    """(headline, rest) when ``line`` runs a headline into more text (Người Lao Động)."""
    tag = _NLD_TAG.search(line)
    limit = tag.start() if tag else len(line)
    words = line[:limit].split()
    cut = None
    pos = 0
    for i, w in enumerate(words):
        pos = line.index(w, pos)
        if pos > TITLE_MAX_CHARS:
            break
        if i >= HEADLINE_MIN_WORDS and (_starter_at(words, i) or _echo_at(words, i)):
            cut = pos
            break
        pos += len(w)
    if cut is None and tag and 0 < tag.start() <= TITLE_MAX_CHARS:
        cut = tag.start()
    if cut is None:
        return None
    head, rest = line[:cut].strip(), line[cut:].strip()
    if len(head.split()) < HEADLINE_MIN_WORDS or not rest or _SENTENCE_END.search(head):
        return None
    return head, rest


def first_sentence(line: str) -> str:
    """The first sentence of ``line``, cut at a word boundary with "…" past ``TITLE_MAX_CHARS``."""
    m = _SENTENCE_END.search(line)
    sentence = line[: m.end()].strip() if m else line.strip()
    if len(sentence) > TITLE_MAX_CHARS:
        sentence = sentence[: sentence.rfind(" ", 0, TITLE_MAX_CHARS)].rstrip(" ,;:-–") + "…"
    return sentence


def _same(a: str, b: str) -> bool:
    return re.findall(r"\w+", fold(a)) == re.findall(r"\w+", fold(b))


def find_title(lines: list[str], heading: str | None = None, declared: str | None = None) -> Title:
    """The title of a page of stripped, non-empty ``lines``.

    ``declared``: the title the file states (a web page's ``og:title``); it is
    looked for among the first lines so that the text does not repeat it.
    ``heading``: a short first line set off by a blank line (``first_heading``),
    a title even of one word.
    """
    if declared:
        for i, ln in enumerate(lines[:TITLE_LINES]):
            if _same(ln, declared):
                return Title(declared, i, None, i + 1)
        return Title(declared, None, None, 0)
    for i, ln in enumerate(lines[:TITLE_LINES]):
        if _header_furniture(ln):
            continue
        if heading and ln == heading:
            return Title(ln, i, None, i + 1)
        split = headline_prefix(ln)
        if split:
            return Title(split[0], i, split[1], i + 1)
        if is_headline(ln):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if len(ln.split()) < TITLE_MIN_WORDS and DATE_ONLY.match(nxt.strip(" \t•·-*")):
                continue  # a category label above the article's date stamp
            return Title(ln, i, None, i + 1)
        return Title(first_sentence(ln), None, None, i)
    return Title(first_sentence(lines[0]) if lines else "", None, None, 0)


def extract_title(lines: list[str], heading: str | None = None) -> str:
    """The title of a page of stripped, non-empty ``lines`` (see ``find_title``)."""
    return find_title(lines, heading).text
