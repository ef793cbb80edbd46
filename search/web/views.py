"""What the search page shows, made from the library's records; no web framework here.

* ``Params``: the page's URL parameters (``q``, ``from``, ``to``, ``org``,
  ``directive``, ``all``, ``one``, ``n``), checked with the CLI's limits, and
  the links that change one of them (a facet, a timeline bar, "more").
* ``marked``: a text with its hit offsets wrapped in ``<mark>``, everything
  else escaped.
* ``facets`` and ``timeline``: counts of the matching passages (or reports)
  by organization, directive, year and month, from ``Index.matching_reports``;
  ``timeline_svg`` draws the bars as an SVG whose bars are links.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from search.cli import MAX_LIMIT
from search.errors import BadArgument, DamagedIndex, NoIndex, VnsearchError
from search.records import Hit, Report

PAGE = 20  # passages on a page; "more results" shows as many again
TOP_FACETS = 12  # values listed per facet
KEY_WORDS = 12  # key words of the results (``Index.terms``) listed
MAX_MONTHS = 36  # a timeline over a longer span has one bar per year
_WHOLE = re.compile(r"[0-9]{1,6}")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# The library's parameter names that differ from the page's.
URL_NAMES = {"date_from": "from", "date_to": "to"}


# ------------------------------------------------------------------ parameters

def whole_number(value: str | None, name: str, default: int) -> int:
    """``value`` as a number of passages, 1 to ``MAX_LIMIT`` (the CLI's ``--limit``)."""
    if value is None or not value.strip():
        return default
    if not _WHOLE.fullmatch(value.strip()) or not 1 <= int(value) <= MAX_LIMIT:
        raise BadArgument(name, f"must be a whole number from 1 to {MAX_LIMIT:,}, not {value[:40]!r}")
    return int(value)


def flag(args: Mapping[str, str], name: str) -> bool:
    value = (args.get(name) or "").strip().lower()
    if value in ("", "0", "off", "false", "no"):
        return False
    if value in ("1", "on", "true", "yes"):
        return True
    raise BadArgument(name, f"must be 1 or 0, not {value[:40]!r}")


@dataclass(frozen=True)
class Params:
    """One search as the page's URL states it; every state of the page is a link."""

    q: str = ""
    date_from: str = ""
    date_to: str = ""
    org: str = ""
    directive: str = ""
    all: bool = False  # every word must match (``--all``)
    one: bool = False  # one passage per report
    n: int = PAGE  # passages (or reports) shown

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> Params:
        """Read the URL's parameters; ``BadArgument`` (named as in the URL) for a bad value."""
        def text(name: str) -> str:
            return (args.get(name) or "").strip()

        return cls(q=text("q"), date_from=text("from"), date_to=text("to"), org=text("org"),
                   directive=text("directive"), all=flag(args, "all"), one=flag(args, "one"),
                   n=whole_number(args.get("n"), "n", PAGE))

    def search_args(self) -> dict:
        """The keyword arguments of ``Index.search`` and ``Index.matching_reports``."""
        return dict(require_all=self.all, date_from=self.date_from or None, date_to=self.date_to or None,
                    org=self.org or None, directive=self.directive or None)

    @property
    def filtered(self) -> bool:
        return bool(self.date_from or self.date_to or self.org or self.directive)

    def url(self, path: str = "/", **changes) -> str:
        """The link to this search with ``changes`` (field names), only non-default values kept."""
        p = replace(self, **changes)
        pairs = [("q", p.q), ("from", p.date_from), ("to", p.date_to), ("org", p.org),
                 ("directive", p.directive), ("all", "1" if p.all else ""), ("one", "1" if p.one else ""),
                 ("n", str(p.n) if p.n != PAGE else "")]
        query = urlencode([(k, v) for k, v in pairs if v])
        return path + ("?" + query if query else "")

    def narrow(self, **changes) -> str:
        """A link that changes filters: back to the first page."""
        return self.url(n=PAGE, **changes)

    def with_word(self, word: str) -> str:
        """The search narrowed to passages that also hold ``word`` (a key word of the results):
        the word as a phrase, every word required; folded when the query has no diacritics,
        so that the query's accentless words keep matching every spelling."""
        from search.text.normalize import fold, has_diacritics

        return self.narrow(q=f'{self.q} "{word if has_diacritics(self.q) else fold(word)}"', all=True)

    def csv_url(self) -> str:
        return self.url("/export.csv", n=PAGE, one=False)

    def report_url(self, doc: str, passage: int | None = None) -> str:
        return report_url(doc, self.q, self.all, passage)


def report_url(doc: str, q: str = "", require_all: bool = False, passage: int | None = None) -> str:
    """The report page of ``doc``, marking the hits of ``q``, at ``passage``."""
    query = urlencode([(k, v) for k, v in (("q", q), ("all", "1" if require_all and q else "")) if v])
    return (f"/report/{quote(doc, safe='/')}" + ("?" + query if query else "")
            + (f"#p{passage}" if passage else ""))


def search_url(q: str) -> str:
    return "/?" + urlencode({"q": q})


# ------------------------------------------------------------------ errors

def status(exc: VnsearchError) -> int:
    """503 when the index cannot be used, 400 for a bad query or parameter."""
    return 503 if isinstance(exc, (DamagedIndex, NoIndex)) else 400


def message(exc: VnsearchError) -> str:
    """The library's message, with the URL parameter at fault or the fix to run."""
    from search.cli import message as cli_message

    if isinstance(exc, BadArgument):
        return f"{URL_NAMES.get(exc.parameter, exc.parameter)}: {exc}"
    return cli_message(exc)


# ------------------------------------------------------------------ text

def display_date(date: str | dt.date | None, precision: str | None) -> str:
    """A report's date in Vietnamese, at the precision the report gives it."""
    if not date:
        return "không rõ ngày"
    try:
        d = date if isinstance(date, dt.date) else dt.date.fromisoformat(date)
    except ValueError:
        return str(date)
    if precision == "year":
        return f"năm {d.year}"
    if precision == "month":
        return f"tháng {d.month}/{d.year}"
    return f"{d.day}/{d.month}/{d.year}"


def marked(text: str, spans: list[list[int]], first_id: int | None = None) -> Markup:
    """``text`` escaped, with each [start, end) span in ``<mark>``; numbered ``id="hN"``
    from ``first_id`` when given (the report page's list of hits links to them)."""
    out: list[str] = []
    pos, number = 0, first_id
    for s, e in spans:
        s, e = max(s, pos), min(e, len(text))
        if s >= e:
            continue
        out.append(escape(text[pos:s]))
        if number is None:
            out.append(Markup("<mark>%s</mark>") % text[s:e])
        else:
            out.append(Markup('<mark id="h%d">%s</mark>') % (number, text[s:e]))
            number += 1
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def context(text: str, start: int, end: int, width: int = 40) -> Markup:
    """A few words either side of ``text[start:end]``, the hit marked."""
    a = max(0, start - width)
    b = min(len(text), end + width)
    if a > 0:
        a = text.find(" ", a, start) + 1 or a
    if b < len(text):
        cut = text.rfind(" ", end, b)
        b = cut if cut > end else b
    piece = text[a:b].replace("\n", " ")
    return (Markup("…" if a else "") + marked(piece, [[start - a, end - a]])
            + Markup("…" if b < len(text) else ""))


# ------------------------------------------------------------------ search results

def one_per_report(index, p: Params, want: int) -> list[Hit]:
    """The best passage of each of the ``want`` best reports, in rank order."""
    k = min(MAX_LIMIT, max(4 * want, 40))
    while True:
        hits = index.search(p.q, limit=k, **p.search_args())
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.doc, hit)
        if len(best) >= want or len(hits) < k or k >= MAX_LIMIT:
            return list(best.values())[:want]
        k = min(MAX_LIMIT, 4 * k)


@dataclass
class FacetValue:
    label: str
    count: int
    url: str | None  # None: not a value to filter on (no organization, no date)
    active: bool = False


@dataclass
class Facets:
    passages: int
    reports: int
    organization: list[FacetValue]
    directive: list[FacetValue]
    year: list[FacetValue]
    hidden: dict[str, int]  # facet -> values not listed (beyond TOP_FACETS)


def facets(matches: list[tuple[Report, int]], p: Params) -> Facets:
    """Counts by organization, cited directive and year of the matching passages
    (of the matching reports when ``p.one``); a click on a value narrows to it."""
    orgs: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    years: Counter[int | None] = Counter()
    for report, n in matches:
        count = 1 if p.one else n
        orgs[report.organization or ""] += count
        for code in report.directives:
            codes[code] += count
        years[report.date.year if report.date else None] += count

    def ranked(counter: Counter) -> list:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    org_values = [FacetValue(name or "không rõ cơ quan", n,
                             None if not name else p.narrow(org="") if name == p.org else p.narrow(org=name),
                             active=bool(name) and name == p.org) for name, n in ranked(orgs)]
    code_values = [FacetValue(code, n, p.narrow(directive="") if code == p.directive else p.narrow(directive=code),
                              active=code == p.directive) for code, n in ranked(codes)]
    year_values = []
    for year in sorted(y for y in years if y is not None):
        active = p.date_from == p.date_to == str(year)
        year_values.append(FacetValue(str(year), years[year],
                                      p.narrow(date_from="", date_to="") if active
                                      else p.narrow(date_from=str(year), date_to=str(year)), active=active))
    if years[None]:
        year_values.append(FacetValue("không rõ ngày", years[None], None))
    return Facets(
        passages=sum(n for _, n in matches),
        reports=len(matches),
        organization=org_values[:TOP_FACETS],
        directive=code_values[:TOP_FACETS],
        year=year_values,
        hidden={"organization": max(0, len(org_values) - TOP_FACETS),
                "directive": max(0, len(code_values) - TOP_FACETS)},
    )


# ------------------------------------------------------------------ timeline

@dataclass
class Bar:
    label: str  # tick label: 2021 or 7/2021
    period: str  # what the bar covers, in words
    exact: int  # passages dated within the period
    covering: int  # passages of reports dated only by a longer period that holds it (a year)
    url: str  # the search narrowed to the period

    @property
    def total(self) -> int:
        return self.exact + self.covering


def _bound(value: str, last: bool) -> dt.date | None:
    """First (or last) day of a ``from``/``to`` value; None if it is not a date."""
    m = _DATE.fullmatch(value or "")
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2] or (12 if last else 1)), m[3]
    try:
        if day:
            return dt.date(year, month, int(day))
        if not last:
            return dt.date(year, month, 1)
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    except ValueError:
        return None


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month + 1


def timeline(matches: list[tuple[Report, int]], p: Params) -> tuple[str, list[Bar]] | None:
    """Matching passages per month, or per year when they span more than ``MAX_MONTHS``.

    A bar counts the passages a click on it finds: a report dated only by its
    year is in every month of that year (``covering``, drawn lighter), as the
    date filters treat it. None when no matching report has a date.
    """
    dated = [(r.date_range, r.date_precision, 1 if p.one else n) for r, n in matches if r.date]
    if not dated:
        return None
    lo = min(a for (a, _), _, _ in dated)
    hi = max(b for (_, b), _, _ in dated)
    lo = max(lo, _bound(p.date_from, last=False) or lo)
    hi = min(hi, _bound(p.date_to, last=True) or hi)
    if hi < lo:
        return None
    bars = []
    if _months(lo, hi) > MAX_MONTHS:
        per_year: Counter[int] = Counter()
        for (a, _), _, n in dated:
            per_year[a.year] += n
        for year in range(lo.year, hi.year + 1):
            bars.append(Bar(str(year), f"năm {year}", per_year[year], 0,
                            p.narrow(date_from=str(year), date_to=str(year))))
        return "year", bars
    exact: Counter[tuple[int, int]] = Counter()
    covering: Counter[tuple[int, int]] = Counter()
    for (a, b), precision, n in dated:
        if precision in ("day", "month"):
            exact[a.year, a.month] += n
        else:  # a year (or another span): every month it covers
            for i in range(_months(a, b)):
                covering[a.year + (a.month - 1 + i) // 12, (a.month - 1 + i) % 12 + 1] += n
    for i in range(_months(lo, hi)):
        year, month = lo.year + (lo.month - 1 + i) // 12, (lo.month - 1 + i) % 12 + 1
        key = f"{year}-{month:02d}"
        bars.append(Bar(f"{month}/{year}", f"tháng {month}/{year}", exact[year, month], covering[year, month],
                         p.narrow(date_from=key, date_to=key)))
    return "month", bars


def timeline_svg(unit: str, bars: list[Bar], what: str = "đoạn") -> Markup:
    """The bars as an SVG chart drawn on the server; each bar links to its period."""
    width, height, left, right, top, bottom = 640, 150, 30, 6, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(bars)
    bar_w = min(max(1.0, slot * 0.78), 56.0)
    peak = max(b.total for b in bars) or 1
    every = math.ceil(len(bars) / 12)
    title = f"Số {what} khớp theo {'năm' if unit == 'year' else 'tháng'}"
    out = [Markup('<svg class="timeline" viewBox="0 0 %d %d" role="img" aria-label="%s">')
           % (width, height, title),
           Markup('<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>')
           % (left, top + plot_h, width - right, top + plot_h),
           Markup('<text class="tick" x="%d" y="%d" text-anchor="end">%d</text>') % (left - 4, top + 8, peak),
           Markup('<text class="tick" x="%d" y="%d" text-anchor="end">0</text>') % (left - 4, top + plot_h)]
    for i, bar in enumerate(bars):
        x = left + i * slot + (slot - bar_w) / 2
        if bar.total:
            h_all = max(1.0, plot_h * bar.total / peak)
            h_exact = plot_h * bar.exact / peak
            tip = f"{bar.period}: {bar.total} {what}"
            if bar.covering:
                tip += f" ({bar.covering} {what} của báo cáo chỉ ghi năm)"
            out.append(Markup('<a class="bar" href="%s"><title>%s</title>') % (bar.url, tip))
            out.append(Markup('<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>')
                       % ("bar-covering" if bar.covering else "bar-exact", x, top + plot_h - h_all, bar_w, h_all))
            if bar.exact and bar.covering:
                out.append(Markup('<rect class="bar-exact" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>')
                           % (x, top + plot_h - h_exact, bar_w, h_exact))
            out.append(Markup("</a>"))
        if i % every == 0:  # labels kept inside the chart (a label is about 40 units wide)
            centre = min(max(x + bar_w / 2, left + 20), width - right - 20)
            out.append(Markup('<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>')
                       % (centre, height - 8, bar.label))
    out.append(Markup("</svg>"))
    return Markup("").join(out)
