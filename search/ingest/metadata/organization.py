"""The body that held or issued the report (with its province), and every body named."""

from __future__ import annotations

import re
from collections import Counter

from search.text.normalize import fold

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
    "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
]
_PROVINCE_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(fold(p)) for p in sorted(PROVINCES, key=len, reverse=True)) + r")(?!\w)"
)
_FOLDED_PROVINCE = {fold(p): p for p in PROVINCES}

# Counting which province a report is about: "tỉnh Trà Vinh" / "TP ..." names the
# province and counts 3, a bare name (maybe a battle or a person) counts 1. The
# word before a name is looked for in the 5 (folded) characters before it.
PROVINCE_NAMED_WEIGHT = 3
PROVINCE_BARE_WEIGHT = 1
PROVINCE_PREFIX_CHARS = 5

# Weight of each mention of a body: the title says best whose report it is, the
# lead (the article's first 2 lines) says it better than the rest of the body.
TITLE_WEIGHT = 5.0
LEAD_WEIGHT = 2.0
LEAD_LINES = 2
BODY_WEIGHT = 1.0
# A body named after "của", "với", "theo", "chỉ đạo của" ... (looked for in the
# 20 folded characters before the name) directs or hosts someone else's work:
# its mention counts 0.3 of its weight.
CONTEXT_CHARS = 20
SUBORDINATE_FACTOR = 0.3
# A department (Ban Tuyên giáo ...) is more specific than its committee: x 1.5.
DEPARTMENT_FACTOR = 1.5


def _province(lines: list[str], title: str) -> str | None:
    """The province the report is about: a "Bắc Kạn:" title prefix, else the most named."""
    m = re.match(r"^([^:]{2,30}):", title)
    if m and fold(m.group(1).strip()) in _FOLDED_PROVINCE:
        return _FOLDED_PROVINCE[fold(m.group(1).strip())]
    counts: Counter[str] = Counter()
    for ln in lines:
        folded = fold(ln)
        for m in _PROVINCE_RE.finditer(folded):
            if m.group(1) == "ha noi":  # the capital is named as a venue, not as a province
                continue
            # "tỉnh Trà Vinh" names the province; a bare name may be a battle or a person
            before = folded[max(0, m.start() - PROVINCE_PREFIX_CHARS) : m.start()].strip()
            weight = PROVINCE_NAMED_WEIGHT if before in ("tinh", "tp") else PROVINCE_BARE_WEIGHT
            counts[_FOLDED_PROVINCE[m.group(1)]] += weight
    return counts.most_common(1)[0][0] if counts else None


# Bodies that hold meetings or issue reports. A mention is an optional
# department prefix plus a core body, matched on folded text so that
# "Đảng ủy"/"Đảng uỷ"/"đảng ủy" are one body; the display names are canonical.
_DEPARTMENTS = {
    "ban tuyen giao": "Ban Tuyên giáo", "ban dan van": "Ban Dân vận", "ban to chuc": "Ban Tổ chức",
    "ban kiem tra": "Ban Kiểm tra", "uy ban kiem tra": "Ủy ban Kiểm tra",
    "ban noi chinh": "Ban Nội chính", "ban kinh te": "Ban Kinh tế",
    # the standing/executive committee acts for the body itself
    "ban thuong vu": "", "ban chap hanh": "", "thuong truc": "",
}
_CORES = {
    "dang uy khoi cac co quan trung uong": "Đảng ủy Khối các cơ quan Trung ương",
    "dang uy khoi doanh nghiep trung uong": "Đảng ủy Khối doanh nghiệp Trung ương",
    "dang uy khoi cac co quan va doanh nghiep tinh": "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh",
    "dang uy khoi cac co quan va doanh nghiep": "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh",
    "dang uy khoi cac co quan tinh": "Đảng ủy Khối các cơ quan tỉnh",
    "dang uy khoi doanh nghiep tinh": "Đảng ủy Khối doanh nghiệp tỉnh",
    "dang uy khoi": None,  # short form: whichever Đảng ủy Khối the report names in full
    "tinh uy": "Tỉnh ủy", "thanh uy": "Thành ủy", "huyen uy": "Huyện ủy", "quan uy": "Quận ủy",
    "uy ban nhan dan tinh": "Ủy ban nhân dân tỉnh", "ubnd tinh": "Ủy ban nhân dân tỉnh",
    "trung uong": "Trung ương",
}
_BODY_RE = re.compile(
    r"(?<!\w)(?:(" + "|".join(sorted(_DEPARTMENTS, key=len, reverse=True)) + r")\s+)?("
    + "|".join(sorted(_CORES, key=len, reverse=True)) + r")(?!\w)"
)
# A body named after these words directs or hosts someone else's work.
_SUBORDINATE_CONTEXT = re.compile(r"(?:cua|voi|theo|huong dan cua|chi dao cua)\s*$")
_PROVINCIAL = ("tỉnh", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy")


def _mentions(lines: list[str], title: str) -> tuple[list[tuple], str | None]:
    """(department, core, weight, folded text before it) of every body named, and the
    first full "Đảng ủy Khối ..." name (what a bare "Đảng ủy Khối" stands for)."""
    full_khoi = None
    texts = [(title, TITLE_WEIGHT)] + [(ln, LEAD_WEIGHT if i < LEAD_LINES else BODY_WEIGHT)
                                       for i, ln in enumerate(lines)]
    mentions = []
    for text, weight in texts:
        folded = fold(text)
        for m in _BODY_RE.finditer(folded):
            dept, core = m.group(1), _CORES[m.group(2)]
            if core is None:
                mentions.append((dept, None, weight, folded[: m.start()]))
                continue
            if core.startswith("Đảng ủy Khối") and full_khoi is None:
                full_khoi = core
            mentions.append((dept, core, weight, folded[: m.start()]))
    return mentions, full_khoi


def _bodies(lines: list[str], title: str) -> list[tuple[float, str]]:
    """(score, canonical name) of every body the report names, best first."""
    scores: Counter[str] = Counter()
    mentions, full_khoi = _mentions(lines, title)
    for dept, core, weight, before in mentions:
        core = core or full_khoi
        if core is None or (core == "Trung ương" and not _DEPARTMENTS.get(dept or "")):
            continue  # "Trung ương" alone is not a body
        prefix = _DEPARTMENTS.get(dept or "", "")
        name = f"{prefix} {core}".strip()
        if _SUBORDINATE_CONTEXT.search(before[-CONTEXT_CHARS:]):
            weight *= SUBORDINATE_FACTOR
        if prefix:
            weight *= DEPARTMENT_FACTOR  # a department is more specific than its committee
        scores[name] += weight
    return sorted(((v, k) for k, v in scores.items()), key=lambda x: (-x[0], x[1]))


def extract_organization(lines: list[str], title: str) -> tuple[str | None, list[str]]:
    """The body that held or issued the report, with its province; and every body named.

    Mentions are weighed: in the title most, in the lead more, after "của" or
    "chỉ đạo của" (a superior body) less.
    """
    ranked = _bodies(lines, title)
    if not ranked:
        return None, []
    province = None
    names = []
    for _, name in ranked:
        if name.endswith(_PROVINCIAL):
            province = province or _province(lines, title)
            if province:
                name = f"{name} {province}"
        names.append(name)
    return names[0], names
