"""The search page as a Starlette application over one long-lived ``search.api.Index``.

Routes (all GET; every one reads, none writes):

    /                 search page: ?q=&from=&to=&org=&directive=&all=&one=&n=
    /report/<doc>     one report, the hits of ?q= marked
    /file/<doc>       the report's original file, if it is still the file indexed
    /export.csv       the CSV of ``vnsearch export`` for the same search, byte for byte
    /api/search       JSON Lines of ``vnsearch search --json`` (plus ?limit=)
    /static/...       the page's stylesheet, script and icon (in the package: no CDN)

Handlers are plain functions, which Starlette runs in its thread pool, so
searches run concurrently on the shared ``Index`` (it is thread-safe and
follows the generations ``vnsearch index`` publishes). Every response carries
a Content-Security-Policy that allows scripts and styles from this server
only (no inline script can run), and a request naming another host than the
server's is refused (a web page elsewhere cannot reach the index through DNS
rebinding).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from search.errors import DamagedIndex, VnsearchError
from search.web import views

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
REPORTS_LISTED = 200  # the start page lists the reports of an index this small


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(display_date=views.display_date, report_url=views.report_url,
                       search_url=views.search_url)
    return env


class Guard:
    """ASGI middleware: refuse unexpected Host headers; add the security headers."""

    def __init__(self, app, allowed_hosts: frozenset[str] | None):
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.allowed_hosts is not None and _host(scope) not in self.allowed_hosts:
            response = Response("vnsearch: unexpected Host header\n", status_code=400, media_type="text/plain")
            return await response(scope, receive, send)
        dynamic = not scope["path"].startswith("/static/")

        async def send_secured(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if dynamic:
                    headers.append((b"cache-control", b"no-store"))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, send_secured)


def _host(scope) -> str:
    """The Host header's name, without port or IPv6 brackets, lower case."""
    value = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
    m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::\d+)?|([^:]*)(?::\d+)?", value.strip())
    return ((m[1] or m[2]) if m else "").lower()


def allowed_hosts(host: str) -> frozenset[str] | None:
    """Host headers to answer for a server bound to ``host``; None (any) for a non-loopback bind."""
    if host.lower() in LOOPBACK_NAMES or host.startswith("127."):
        return LOOPBACK_NAMES | {host.lower()}
    return None


def create_app(index, *, host: str = "127.0.0.1") -> Guard:
    """The application serving ``index`` (an open ``search.api.Index``), bound to ``host``."""
    env = _environment()

    def page(template: str, code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(template).render(**context), status_code=code)

    def error_page(exc: VnsearchError, p: views.Params | None = None) -> HTMLResponse:
        status = views.status(exc)
        return page("error.html", status, status=status, message=views.message(exc),
                    p=p or views.Params())

    def search_page(request: Request) -> Response:
        try:
            p = views.Params.from_query(request.query_params)
        except VnsearchError as exc:
            return error_page(exc)
        if not p.q:
            return start_page(p)
        try:
            if p.one:
                hits = views.one_per_report(index, p, p.n)
            else:
                hits = index.search(p.q, limit=p.n, **p.search_args())
            matches = index.matching_reports(p.q, **p.search_args())
            suggestion = index.suggest(p.q, found=bool(hits))
            words = index.terms(p.q, limit=views.KEY_WORDS, **p.search_args()) if hits else []
        except VnsearchError as exc:
            return error_page(exc, p)
        facets = views.facets(matches, p)
        chart = views.timeline(matches, p)
        per_report = {r.doc: n for r, n in matches}
        shown = facets.reports if p.one else facets.passages
        return page(
            "search.html", p=p, hits=hits, facets=facets, per_report=per_report,
            more=p.url(n=min(p.n + views.PAGE, views.MAX_LIMIT)) if len(hits) < shown and p.n < views.MAX_LIMIT
            else None,
            timeline=views.timeline_svg(*chart, what="báo cáo" if p.one else "đoạn") if chart else None,
            timeline_unit=chart[0] if chart else None,
            timeline_covering=bool(chart) and any(bar.covering for bar in chart[1]),
            suggestion=suggestion, suggestion_url=p.narrow(q=suggestion) if suggestion else None,
            marked=views.marked, words=words,
        )

    def start_page(p: views.Params) -> Response:
        try:
            meta = index.meta
            reports = index.reports() if meta.get("reports", 0) <= REPORTS_LISTED else None
        except VnsearchError as exc:
            return error_page(exc, p)
        if reports is not None:
            reports.sort(key=lambda r: (r.date is None, -(r.date.toordinal() if r.date else 0), r.doc))
        return page("start.html", p=p, meta=meta, reports=reports)

    def report_page(request: Request) -> Response:
        doc = request.path_params["doc"]
        q = (request.query_params.get("q") or "").strip()
        try:
            require_all = views.flag(request.query_params, "all")
        except VnsearchError:
            require_all = False
        try:
            report = index.report(doc)
        except DamagedIndex as exc:
            return error_page(exc)
        except VnsearchError:
            raise HTTPException(404) from None
        spans, query_error = [], None
        if q:
            try:
                spans = index.highlights(report, q, require_all=require_all)
            except DamagedIndex as exc:
                return error_page(exc)
            except VnsearchError as exc:
                query_error = views.message(exc)
        text = report.text
        passages, hits, number = [], [], 1
        for passage in report.passages:
            inside = [[s - passage.start, e - passage.start] for s, e in spans
                      if passage.start <= s and e <= passage.end]
            passages.append((passage, views.marked(passage.text, inside, first_id=number)))
            for s, e in inside:
                hits.append((number, passage.number, views.context(passage.text, s, e)))
                number += 1
        return page("report.html", report=report, q=q, require_all=require_all, passages=passages, hits=hits,
                    query_error=query_error, back=views.Params(q=q, all=require_all).url() if q else None,
                    file_name=Path(report.path).name if report.path else None,
                    file_url="/file/" + quote(doc, safe="/"), text_length=len(text), p=views.Params(q=q))

    def original_file(request: Request) -> Response:
        doc = request.path_params["doc"]
        try:
            path, data = index.original(doc)
        except DamagedIndex as exc:
            return error_page(exc)
        except VnsearchError:
            raise HTTPException(404) from None
        return Response(data, media_type="application/octet-stream",
                        headers={"content-disposition": _attachment(path.name)})

    def export_csv(request: Request) -> Response:
        from search.render import csv_export

        try:
            p = views.Params.from_query(request.query_params)
            hits = index.search(p.q, limit=None, **p.search_args())
        except VnsearchError as exc:
            return error_page(exc)
        # what `vnsearch export QUERY -o FILE` writes: UTF-8 with BOM, csv's \r\n rows
        out = io.StringIO(newline="")
        csv_export.write_csv([(p.q, hits)], out, safe=True, with_query=False)
        return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": _attachment(_csv_name(p.q))})

    def api_search(request: Request) -> Response:
        from search.render import jsonl

        try:
            p = views.Params.from_query(request.query_params)
            limit = views.whole_number(request.query_params.get("limit"), "limit", 10)
            hits = views.one_per_report(index, p, limit) if p.one else index.search(p.q, limit=limit,
                                                                                     **p.search_args())
        except VnsearchError as exc:
            return JSONResponse({"error": views.message(exc)}, status_code=views.status(exc))
        out = io.StringIO()
        jsonl.write_jsonl((h.to_json() for h in hits), out)
        return Response(out.getvalue().encode("utf-8"), media_type="application/x-ndjson; charset=utf-8")

    def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return page("error.html", 404, status=404, message="", p=views.Params())
        return Response(exc.detail, status_code=exc.status_code, headers=exc.headers)

    app = Starlette(
        routes=[
            Route("/", search_page),
            Route("/report/{doc:path}", report_page),
            Route("/file/{doc:path}", original_file),
            Route("/export.csv", export_csv),
            Route("/api/search", api_search),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={HTTPException: not_found},
    )
    return Guard(app, allowed_hosts(host))


def _attachment(name: str) -> str:
    """A Content-Disposition that downloads ``name`` (any characters) and never displays it."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "report"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _csv_name(q: str) -> str:
    from search.text.normalize import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(q).lower()).strip("-")[:40].strip("-")
    return f"vnsearch-{slug or 'export'}.csv"
