"""Vietnamese document codes ("số hiệu văn bản"): find, normalise, resolve, describe.

Two families are in use:

* party documents ``NUMBER-TYPE/ISSUER``: ``05-CT/TW`` (Chỉ thị of the Central
  Committee), ``34-KH/ĐUK``, ``519-CT/TU``;
* state documents ``NUMBER/YEAR/TYPE-ISSUER`` or ``NUMBER/TYPE-ISSUER``:
  ``114/2003/NĐ-CP``, ``1300/CĐ-TTg``, ``15/CP``, ``13/2003/QH11``.

In the wild they come with spaces (``144 /2002/QĐ/BTC``), lower case, a slash
for the hyphen (``30/2000/TTLT/BTC-UBTDTT``), typos (``05-CT/W``) or without
the symbol at all (``Chỉ thị 05 của Bộ Chính trị``). Everything here is plain
regular expressions: no Whoosh, no pyvi, cheap to import on the query path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.text.normalize import fold

_L = r"A-Za-zĐđƯư"  # letters of a code symbol: Latin capitals and Đ, any case in the wild
_SYM = rf"[{_L}](?:[{_L}0-9&.]*[{_L}0-9])?"
_SEP = r"[ \t]*[/\-][ \t]*"

# A code as written in running text. The number may be followed by a year; the
# symbol parts are joined by / or -, possibly spaced. An old-style symbol may
# follow the number after a space or glued (``60 TC/CĐKT``, ``90TC/TCT``) when a
# slash follows it. Nothing may continue the code on either side.
CODE_RE = re.compile(
    rf"(?<![\w/\-.])\d+"
    rf"(?:{_SEP}(?:19|20)\d\d)?"
    rf"(?:{_SEP}|[ \t]?(?=[A-ZĐ]{{1,5}}[ \t]*/))"
    rf"{_SYM}(?:{_SEP}{_SYM})*"
    rf"(?![\w/])"
)



def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every code-shaped run in ``text``: what tokenisers keep whole.

    A code has a slash; "1-Quy" or "07-H" (list items) are not codes.
    """
    return [(m.start(), m.end()) for m in CODE_RE.finditer(text) if "/" in m.group(0)]


# Document types: abbreviation <-> name (the name as written, and folded for matching).
TYPES = {
    "CT": "Chỉ thị", "NQ": "Nghị quyết", "KL": "Kết luận", "QĐ": "Quyết định",
    "KH": "Kế hoạch", "HD": "Hướng dẫn", "TB": "Thông báo", "CĐ": "Công điện",
    "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch", "QC": "Quy chế",
    "BC": "Báo cáo", "CV": "Công văn", "TTR": "Tờ trình", "L": "Luật", "PL": "Pháp lệnh",
    "QY": "Quy định", "ĐA": "Đề án", "CTR": "Chương trình", "HĐ": "Hợp đồng",
}
_NAME_TO_TYPE = {fold(name): abbr for abbr, name in TYPES.items()}
_NAME_TO_TYPE[fold("Quy định")] = "QĐ"  # party regulations are numbered QĐ/TW


def fold_symbol(symbol: str) -> str:
    """A code or symbol compared without case or the stroke of Đ: ``1300/CD-TTG`` = ``1300/CĐ-TTg``."""
    return symbol.upper().replace("Đ", "D").replace("Ð", "D")


_ABBREVIATIONS = {fold_symbol(abbr): abbr for abbr in TYPES}

# Issuers named in words after a bare mention ("Chỉ thị 05 của Bộ Chính trị").
_ISSUER_NAMES = {
    "bo chinh tri": "TW", "ban bi thu": "TW", "ban chap hanh trung uong": "TW",
    "trung uong": "TW", "trung uong dang": "TW", "ban thuong vu tinh uy": "TU",
    "tinh uy": "TU", "ban thuong vu thanh uy": "TU", "thanh uy": "TU",
    "ban thuong vu dang uy khoi": "ĐUK", "dang uy khoi": "ĐUK",
    "ban thuong vu huyen uy": "HU", "huyen uy": "HU",
}
# Issuer abbreviations of party documents; a near miss of one of these is a typo.
PARTY_ISSUERS = {"TW", "TU", "ĐUK", "HU", "QU", "ĐU", "BCSĐ", "BTGTW", "BTCTW", "BTG"}
_ISSUER_SPELLINGS = {"TƯ": "TW", "T.W": "TW"}

_TYPE_NAME_RE = "|".join(
    sorted((re.escape(n) for n in list(TYPES.values()) + ["Quy định"]), key=len, reverse=True)
)
# "Chỉ thị 05 của Bộ Chính trị", "Chỉ thị số 05", "Nghị quyết 35-NQ/TW" (the last
# is a full code; the bare pattern refuses a number that continues into a code).
BARE_RE = re.compile(
    rf"(?<!\w)({_TYPE_NAME_RE})\s+(?:số\s+)?(\d{{1,4}})(?![\w/\-.,]\d|[\w/\-])",
    re.IGNORECASE,
)
# The same, over folded text (``chi thi so 05``): fold() keeps NFC text's length, so spans carry over.
BARE_FOLDED_RE = re.compile(
    rf"(?<!\w)({'|'.join(sorted((re.escape(n) for n in _NAME_TO_TYPE), key=len, reverse=True))})"
    rf"\s+(?:so\s+)?(\d{{1,4}})(?![\w/\-.,]\d|[\w/\-])"
)
# A type's abbreviation and a number, as users type them: ``CT 05``, ``KL 01``, ``QĐ số 290``
# (two letters at least: a lone ``L 5`` is more likely a list item than a law).
ABBREVIATED_RE = re.compile(
    rf"(?<![\w/\-])({'|'.join(sorted((a for a in _ABBREVIATIONS if len(a) > 1), key=len, reverse=True))})"
    rf"[ \t]*(?:-[ \t]*|(?:số|so)[ \t]+)?(\d{{1,5}})(?![\w/\-])",
    re.IGNORECASE,
)
_OF_ISSUER = re.compile(
    r"\s*(?:,\s*)?(?:ngày\s+\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}\s*)?(?:,\s*)?của\s+((?:[\w]+\s+){0,5}[\w]+)",
)
# "Mẫu số: 02/GTGT", "mẫu ST- 27/HĐ", "Biểu số 01/TNLĐ-CS" name forms, not documents.
_FORM_CONTEXT = re.compile(
    r"(?:mẫu|biểu|phụ lục|mẫu biểu|mẫu sổ)\s*(?:số)?\s*:?\s*(?:[A-Z]{1,4}\s*-\s*)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class Code:
    code: str  # normalised
    number: str
    year: str | None
    type: str | None  # abbreviation: CT, NQ, QĐ...
    issuer: str | None


def normalize_code(raw: str) -> str:
    """The canonical spelling: no spaces, upper case, Đ kept, state symbols hyphenated.

    ``144 /2002/QĐ/BTC`` -> ``144/2002/QĐ-BTC``; ``05-ct/tw`` -> ``05-CT/TW``;
    ``60 TC/CĐKT`` -> ``60-TC/CĐKT``; ``1300/CĐ-TTg`` -> ``1300/CĐ-TTG``.
    """
    s = re.sub(r"[ \t]*([/\-])[ \t]*", r"\1", raw.strip()).upper()
    s = s.replace("Ð", "Đ")
    m = re.match(r"^(\d+)[ \t]?([A-ZĐ]+/.*)$", s)  # old style: number glued or spaced to TYPE/
    if m:
        s = f"{m.group(1)}-{m.group(2)}"
    m = re.match(r"^(\d+/(?:19|20)\d\d/)(.*)$", s)  # state style with a year: TYPE-ISSUER
    if m:
        s = m.group(1) + m.group(2).replace("/", "-")
    m = re.match(r"^(\d+-[^/]+/)(.*)$", s)  # party/old style: the symbol's parts split by "/"
    if m:
        s = m.group(1) + m.group(2).replace("-", "/")
    for wrong, right in _ISSUER_SPELLINGS.items():
        if s.endswith("/" + wrong):
            s = s[: -len(wrong)] + right
    return re.sub(r"\s+", "", s)


def parse_code(code: str) -> Code:
    """Split a normalised code into number, year, type and issuer."""
    m = re.match(r"^(\d+)-([^/]+)/(.+)$", code)  # party: 05-CT/TW
    if m:
        return Code(code, m.group(1), None, m.group(2), m.group(3))
    m = re.match(r"^(\d+)/(?:((?:19|20)\d\d)/)?(.+)$", code)
    if m:
        symbol = m.group(3)
        head, _, rest = symbol.partition("-")
        if rest:
            return Code(code, m.group(1), m.group(2), head, rest)
        return Code(code, m.group(1), m.group(2), None, head)
    return Code(code, code, None, None, None)


def _number_key(number: str) -> str:
    return number.lstrip("0") or "0"


def find_codes(text: str) -> list[tuple[str, int, int]]:
    """(normalised code, start, end) of every code written out in ``text``."""
    out = []
    for m in CODE_RE.finditer(text):
        if "/" not in m.group(0):
            continue  # every document code has a slash; "1-Quy", "07-H" are list items
        if _FORM_CONTEXT.search(text[max(0, m.start() - 20) : m.start()]):
            continue  # "Mẫu số 02/GTGT" names a form, not a document
        out.append((normalize_code(m.group(0)), m.start(), m.end()))
    return out


def _edit1(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ by one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def repair(code: str, known: set[str]) -> str:
    """Fix an obvious typo in a party code's issuer (``05-CT/W`` -> ``05-CT/TW``).

    Repaired only when the issuer is unknown and exactly one code that differs by
    one letter in the issuer is either cited elsewhere in the text or has a
    standard issuer.
    """
    c = parse_code(code)
    if c.year or not c.type or c.issuer in PARTY_ISSUERS or "-" not in code.split("/")[0]:
        return code
    prefix = f"{c.number}-{c.type}/"
    cited = {k for k in known if k.startswith(prefix) and _edit1(k[len(prefix):], c.issuer or "")}
    if len(cited) == 1:
        return cited.pop()
    standard = [i for i in PARTY_ISSUERS if _edit1(i, c.issuer or "")]
    return prefix + standard[0] if len(standard) == 1 else code


def bare_mentions(text: str, known: set[str]) -> list[tuple[str, int, int]]:
    """Codes cited without their symbol: ``Chỉ thị 05 của Bộ Chính trị`` -> ``05-CT/TW``.

    The issuer comes from the words after "của"; without them the mention is
    resolved only when the text cites exactly one full code of that type and
    number. Unresolvable mentions are left out.
    """
    out = []
    for m in BARE_RE.finditer(text):
        doc_type = _NAME_TO_TYPE[fold(m.group(1))]
        number = m.group(2)
        issuer = None
        of = _OF_ISSUER.match(text, m.end())
        if of:
            words = fold(of.group(1)).split()
            for n in range(len(words), 0, -1):
                if " ".join(words[:n]) in _ISSUER_NAMES:
                    issuer = _ISSUER_NAMES[" ".join(words[:n])]
                    break
        candidates = {
            k for k in known
            if (p := parse_code(k)).type == doc_type and _number_key(p.number) == _number_key(number)
        }
        if issuer:
            same = [k for k in candidates if parse_code(k).issuer == issuer]
            code = same[0] if len(same) == 1 else f"{number}-{doc_type}/{issuer}"
        elif len(candidates) == 1:
            code = candidates.pop()
        else:
            continue
        out.append((code, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class DirectiveQuery:
    """A directive as a user names it: number and type, issuer if given."""

    number: str
    type: str | None
    issuer: str | None
    code: str | None  # full normalised code when the user wrote one

    def matches(self, code: str) -> bool:
        """Whether ``code`` (as indexed) is this directive; case and Đ/D never matter."""
        if self.code and fold_symbol(self.code) == fold_symbol(code):
            return True
        c = parse_code(code)
        if _number_key(c.number) != _number_key(self.number):
            return False
        if self.code and not (self.type and self.issuer):
            return False  # a full code that is not this one
        if self.type and fold_symbol(c.type or "") != fold_symbol(self.type):
            return False
        return not self.issuer or fold_symbol(c.issuer or "") == fold_symbol(self.issuer)


def parse_directive_spec(spec: str) -> DirectiveQuery | None:
    """Understand ``05-CT/TW``, ``05-ct/tw``, ``CT 05``, ``Chỉ thị 05``, ``Chỉ thị số 05 của Bộ Chính trị``."""
    spec = spec.strip()
    m = CODE_RE.fullmatch(spec) or next((c for c in CODE_RE.finditer(spec) if "/" in c.group(0)), None)
    if m:
        spec = m.group(0)
        c = parse_code(normalize_code(spec))
        return DirectiveQuery(c.number, c.type, c.issuer, c.code)
    folded = fold(spec)
    m = BARE_RE.search(spec) or BARE_FOLDED_RE.search(folded)
    if m:
        issuer = None
        of = _OF_ISSUER.match(spec, m.end())
        if of and fold(of.group(1)) in _ISSUER_NAMES:
            issuer = _ISSUER_NAMES[fold(of.group(1))]
        return DirectiveQuery(m.group(2), _NAME_TO_TYPE[fold(m.group(1))], issuer, None)
    m = re.fullmatch(r"([A-Za-zĐđ]{1,5})[\s\-]*(?:(?:số|so)\s*)?(\d{1,5})", spec)  # "CT 05", "cd 1300"
    if m and fold_symbol(m.group(1)) in _ABBREVIATIONS:
        return DirectiveQuery(m.group(2), _ABBREVIATIONS[fold_symbol(m.group(1))], None, None)
    m = re.fullmatch(r"(\d{1,5})", spec)
    if m:
        return DirectiveQuery(m.group(1), None, None, None)
    return None


def query_mentions(text: str) -> list[tuple[int, int]]:
    """(start, end) of every directive a user's query names: ``05-ct/tw``, ``Chỉ thị 05``,
    ``chi thi so 05``, ``CT 05``. Overlaps are left to the caller (the earliest wins)."""
    spans = [(m.start(), m.end()) for m in CODE_RE.finditer(text) if "/" in m.group(0)]
    spans += [(m.start(), m.end()) for m in BARE_RE.finditer(text)]
    folded = fold(text)
    if len(folded) == len(text):
        spans += [(m.start(), m.end()) for m in BARE_FOLDED_RE.finditer(folded)]
    spans += [(m.start(), m.end()) for m in ABBREVIATED_RE.finditer(text)]
    return sorted(set(spans), key=lambda s: (s[0], -s[1]))


def type_name(code: str) -> str | None:
    t = parse_code(code).type
    return TYPES.get(t) if t else None
