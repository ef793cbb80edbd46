"""`vnsearch serve` over HTTP and `vnsearch show`: the page's data against the CLI's, errors, safety.

A real server (uvicorn in a thread, on a free port of 127.0.0.1) over an index
of the seeds plus a hostile report (markup and script in its name, title and
body) and a report with an odd file name. The browser tests
(``test_web_browser.py``) use the same index and server helpers.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from click.testing import CliRunner

from search.api import build_index, open_index
from search.cli import MAX_LIMIT, cli
from search.records import Report
from search.render.terminal import BOLD_RED, RESET

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

HOSTILE_DOC = "<img src=x onerror=window.__pwned=3>.txt"
HOSTILE_TEXT = """\
Báo cáo <script>window.__pwned=1</script> công tác tuyên giáo <img src=x onerror="window.__pwned=2;alert(2)">

Hà Nội, ngày 5 tháng 3 năm 2022

Ban Tuyên giáo Tỉnh ủy Hòa Bình báo cáo công tác tuyên giáo quý I năm 2022. Trong văn bản có đoạn \
<script>alert("xss")</script> và <img src=x onerror=alert(1)> cùng "dấu ngoặc kép" & ký hiệu.

Việc thực hiện Chỉ thị số 05-CT/TW được đẩy mạnh; <b>in đậm</b> không được hiện như thẻ HTML.
"""
ODD_DOC = "báo cáo #2 & 'x' 100%?.txt"
ODD_TEXT = ("Báo cáo tháng 6/2021 về công tác tuyên giáo ở xã\n\n"
            "Ngày 10/6/2021, Đảng ủy xã tổ chức hội nghị tuyên giáo.\n")

_BUILT: dict[Path, Path] = {}


def build_web_index(tmp_path_factory) -> Path:
    """The seeds plus the hostile and the odd report, indexed once per test run."""
    key = tmp_path_factory.getbasetemp()
    if key not in _BUILT:
        root = tmp_path_factory.mktemp("web")
        src = root / "src"
        shutil.copytree(SEEDS, src, ignore=shutil.ignore_patterns("README*"))
        (src / HOSTILE_DOC).write_text(HOSTILE_TEXT, encoding="utf-8")
        (src / ODD_DOC).write_text(ODD_TEXT, encoding="utf-8")
        build_index([src], root / "index")
        _BUILT[key] = root / "index"
    return _BUILT[key]


@contextmanager
def running(index_dir: Path, host: str = "127.0.0.1"):
    """A `vnsearch serve` server for ``index_dir`` on a free port, in a thread; yields its base URL."""
    from search.web import server

    index = open_index(index_dir)
    sock = server.bind(host, 0)
    srv = server.make_server(index, sock, host)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield server.url_of(sock).rstrip("/")
    finally:
        srv.should_exit = True
        thread.join(20)
        sock.close()
        index.close()


@pytest.fixture(scope="module")
def web_index(tmp_path_factory) -> Path:
    return build_web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def base(web_index):
    with running(web_index) as url:
        yield url


def get(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET ``path`` exactly as written (no normalisation of ``..``)."""
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        con.request("GET", path, headers=headers or {})
        r = con.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        con.close()


def cli_run(index_dir: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--index-dir", str(index_dir)], catch_exceptions=False)


QUERIES = [
    ({"q": "tuyen giao"}, ["tuyen giao"]),
    ({"q": "tuyên giáo Bắc Kạn", "limit": "3"}, ["tuyên giáo Bắc Kạn", "--limit", "3"]),
    ({"q": '"đảng ủy khối"', "all": "1"}, ['"đảng ủy khối"', "--all"]),
    ({"q": "tuyên giáo", "from": "2020", "to": "2021-06", "limit": "50"},
     ["tuyên giáo", "--from", "2020", "--to", "2021-06", "--limit", "50"]),
    ({"q": "hội nghị", "org": "bac kan"}, ["hội nghị", "--org", "bac kan"]),
    ({"q": "tuyen giao", "directive": "CT 05", "limit": "100"},
     ["tuyen giao", "--directive", "CT 05", "--limit", "100"]),
    ({"q": "Chỉ thị 05 NOT Quảng Trị"}, ["Chỉ thị 05 NOT Quảng Trị"]),
    ({"q": "Người nghiện ma túy có bị xử lý hành chính không?"}, ["Người nghiện ma túy có bị xử lý hành chính không?"]),
    ({"q": "script onerror"}, ["script onerror"]),
]


# ------------------------------------------------------------------ cold start


def test_search_imports_no_web_stack(web_index):
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'markupsafe', "
            "'anyio', 'h11', 'search.web') if m in sys.modules), file=sys.stderr))\n"
            "from search.cli import main\n"
            f"sys.argv = ['vnsearch', 'search', 'tuyen giao', '--index-dir', {str(web_index)!r}]\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_help_lists_serve_and_show():
    result = CliRunner().invoke(cli, ["--help"])
    assert "serve" in result.output and "show" in result.output
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "--host" in result.output and "--port" in result.output and "--open" in result.output


# ------------------------------------------------------------------ /api/search


@pytest.mark.parametrize("params, argv", QUERIES, ids=[q["q"][:20] for q, _ in QUERIES])
def test_api_search_is_the_cli_json(base, web_index, params, argv):
    status, headers, body = get(base, "/api/search?" + urlencode(params))
    assert status == 200
    assert headers["content-type"].startswith("application/x-ndjson")
    expected = cli_run(web_index, "search", *argv, "--json")
    assert expected.exit_code in (0, 1)
    assert body.decode("utf-8") == expected.stdout


@pytest.mark.parametrize("path, status, word", [
    ("/api/search?q=x&from=2020-13", 400, "from:"),
    ("/api/search?q=x&to=yesterday", 400, "to:"),
    ("/api/search?q=x&directive=nothing", 400, "directive:"),
    ("/api/search?q=", 400, "empty query"),
    ("/api/search", 400, "empty query"),
    ("/api/search?q=" + "a" * 2001, 400, "too long"),
    ("/api/search?q=x&limit=0", 400, "limit:"),
    (f"/api/search?q=x&limit={MAX_LIMIT + 1}", 400, "limit:"),
    ("/api/search?q=x&limit=ten", 400, "limit:"),
    ("/api/search?q=x&limit=-1", 400, "limit:"),
    ("/api/search?q=x&all=maybe", 400, "all:"),
])
def test_api_errors_are_one_json_object(base, path, status, word):
    got, headers, body = get(base, path)
    assert got == status
    assert headers["content-type"].startswith("application/json")
    record = json.loads(body)
    assert list(record) == ["error"] and word in record["error"]


def test_api_limits_as_the_cli(base):
    status, _, body = get(base, f"/api/search?q=tuyen&limit={MAX_LIMIT}")
    assert status == 200 and body
    status, _, _ = get(base, "/api/search?q=" + "a+" * 999 + "a")  # 1,999 characters
    assert status == 200


def test_api_one_per_report(base, web_index):
    _, _, body = get(base, "/api/search?" + urlencode({"q": "tuyen giao", "one": "1", "limit": "4"}))
    hits = [json.loads(line) for line in body.decode().splitlines()]
    every = [json.loads(line) for line in cli_run(web_index, "search", "tuyen giao", "--json", "--limit", "500")
             .stdout.splitlines()]
    firsts = list({h["doc"]: h for h in reversed(every)}.values())[::-1]  # each report's best passage
    assert hits == sorted(firsts, key=lambda h: h["rank"])[:4]
    assert len({h["doc"] for h in hits}) == 4


def test_damaged_or_missing_index_is_503(tmp_path, web_index):
    index_dir = tmp_path / "index"
    shutil.copytree(web_index, index_dir)
    with running(index_dir) as url:
        assert get(url, "/api/search?q=tuyen")[0] == 200
        (index_dir / "CURRENT").write_text("garbage\n")
        for path in ("/api/search?q=tuyen", "/?q=tuyen", "/report/003_d4f937a959a4a1f8.txt", "/export.csv?q=x"):
            status, headers, body = get(url, path)
            assert status == 503, path
        assert "index --rebuild" in json.loads(get(url, "/api/search?q=tuyen")[2])["error"]
        (index_dir / "CURRENT").unlink()
        assert get(url, "/api/search?q=tuyen")[0] == 503


# ------------------------------------------------------------------ the page's numbers


@pytest.mark.parametrize("params, argv", QUERIES, ids=[q["q"][:20] for q, _ in QUERIES])
def test_matching_reports_counts_what_search_finds(web_index, params, argv):
    from search.web.views import Params

    p = Params.from_query({k: v for k, v in params.items() if k != "limit"})
    with open_index(web_index) as index:
        hits = index.search(p.q, limit=None, **p.search_args())
        matches = index.matching_reports(p.q, **p.search_args())
    assert {r.doc: n for r, n in matches} == Counter(h.doc for h in hits)


def test_highlights_of_a_report_are_the_hits_marks(web_index):
    with open_index(web_index) as index:
        for q, require_all in (("tuyen giao", False), ('"Bắc Kạn" tuyên giáo', False), ("có bị xử lý không", True)):
            hits = index.search(q, limit=None, require_all=require_all)
            for doc in {h.doc for h in hits}:
                report = index.report(doc)
                spans = index.highlights(report, q, require_all=require_all)
                for hit in (h for h in hits if h.doc == doc):
                    p = report.passages[hit.passage - 1]
                    assert [[s - p.start, e - p.start] for s, e in spans
                            if p.start <= s < p.end] == hit.highlights


def test_csv_is_the_export_file(base, web_index, tmp_path):
    for params, argv in QUERIES:
        argv = [a for i, a in enumerate(argv) if a != "--limit" and (i == 0 or argv[i - 1] != "--limit")]
        out = tmp_path / "export.csv"
        result = cli_run(web_index, "export", *argv, "-o", str(out))
        assert result.exit_code in (0, 1)
        status, headers, body = get(base, "/export.csv?" + urlencode(params))  # limit: ignored, as export
        assert status == 200 and headers["content-type"].startswith("text/csv")
        assert headers["content-disposition"].startswith("attachment;")
        assert body == out.read_bytes(), params


def test_page_numbers_and_links(base):
    status, _, body = get(base, "/?" + urlencode({"q": "tuyen giao"}))
    html = body.decode()
    assert status == 200
    with_words = [h for h in html.split('<li class="hit"')[1:]]
    assert len(with_words) == 20 and all("<mark>" in h for h in with_words)
    assert 'href="/?q=tuyen+giao&amp;n=40#r21"' in html  # more results
    assert '<svg class="timeline"' in html and 'href="/?q=tuyen+giao&amp;from=2020&amp;to=2020"' in html
    assert 'href="/export.csv?q=tuyen+giao"' in html


def test_key_words_are_index_terms(base, web_index):
    import re

    from search.web.views import KEY_WORDS

    _, _, body = get(base, "/?" + urlencode({"q": "tuyen giao", "org": "đảng ủy"}))
    panel = body.decode().split('<section class="facet words">')[1].split("</section>")[0]
    shown = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', panel)
    expected = cli_run(web_index, "terms", "tuyen giao", "--org", "đảng ủy", "--json", "--limit", str(KEY_WORDS))
    words = [json.loads(line)["word"] for line in expected.stdout.splitlines()]
    assert words and [w for _, w in shown] == words
    href = shown[0][0].replace("&amp;", "&")
    from search.text.normalize import fold

    assert href == "/?" + urlencode({"q": f'tuyen giao "{fold(words[0])}"', "org": "đảng ủy", "all": "1"})


def test_timeline_explains_reports_dated_by_year(base):
    _, _, body = get(base, "/?q=tuyen+giao&from=2021&to=2021")  # one report dated "năm 2021", one 10/6/2021
    html = body.decode()
    assert "theo tháng" in html and html.count('<a class="bar"') == 12 and "chỉ ghi năm" in html
    assert 'href="/?q=tuyen+giao&amp;from=2021-06&amp;to=2021-06"' in html
    _, _, body = get(base, "/?q=tuyen+giao")
    assert "chỉ ghi năm" not in body.decode()  # by year: every report is in its bar


@pytest.mark.parametrize("path", ["/?q=" + "a" * 2001, "/?q=x&n=0", f"/?q=x&n={MAX_LIMIT + 1}", "/?q=x&from=13",
                                  "/?q=date:2020"])
def test_page_rejects_what_the_cli_rejects(base, path):
    status, headers, body = get(base, path)
    assert status == 400 and headers["content-type"].startswith("text/html")
    assert "không hợp lệ" in body.decode()


def test_start_page_lists_the_reports(base):
    status, _, body = get(base, "/")
    html = body.decode()
    assert status == 200 and "7</b> báo cáo" in html
    assert f'href="/report/{quote(ODD_DOC, safe="/")}"' in html


# ------------------------------------------------------------------ safety


def test_every_response_forbids_inline_script(base):
    for path in ("/", "/?q=tuyen", "/api/search?q=tuyen", "/report/003_d4f937a959a4a1f8.txt", "/nowhere",
                 "/static/app.css"):
        _, headers, _ = get(base, path)
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_hostile_text_is_escaped(base):
    for path in ("/?q=" + quote("script onerror tuyên giáo Hòa Bình"),
                 "/report/" + quote(HOSTILE_DOC, safe="") + "?q=script",
                 "/"):
        status, _, body = get(base, path)
        html = body.decode()
        assert status == 200
        assert "&lt;script&gt;" in html
        assert "<script>" not in html.replace('<script src="/static/app.js" defer></script>', "")
        assert "<img" not in html and "<b>in" not in html
        if path != "/":
            assert "&lt;img src=x onerror=window.__pwned=3&gt;" in html  # the file name


@pytest.mark.parametrize("path", [
    "/report/../../../../etc/passwd", "/report/..%2F..%2F..%2Fetc%2Fpasswd", "/report//etc/passwd",
    "/report/%2Fetc%2Fpasswd", "/report/", "/report/000_524827478ada9ff7.txt/../../../pyproject.toml",
    "/file/../../etc/passwd", "/file//etc/passwd", "/file/%2Fetc%2Fpasswd", "/file/README.md",
    "/report/README.md", "/static/../app.py", "/static/..%2Fapp.py", "/static/%2e%2e/app.py",
])
def test_only_reports_in_the_index_are_served(base, path):
    status, _, body = get(base, path)
    assert status == 404, path
    assert b"root:" not in body and b"[project]" not in body


def test_original_file_download(base, web_index):
    for doc in ("003_d4f937a959a4a1f8.txt", ODD_DOC, HOSTILE_DOC):
        status, headers, body = get(base, "/file/" + quote(doc, safe=""))
        assert status == 200
        assert headers["content-type"] == "application/octet-stream"
        assert headers["content-disposition"].startswith("attachment;")
        assert quote(doc, safe="") in headers["content-disposition"]
        with open_index(web_index) as index:
            assert body == Path(index.report(doc).path).read_bytes()


def test_changed_original_is_not_served(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Báo cáo thử\n\nNội dung tuyên giáo.\n", encoding="utf-8")
    build_index([src], tmp_path / "index")
    with running(tmp_path / "index") as url:
        assert get(url, "/file/a.txt")[0] == 200
        (src / "a.txt").write_text("Báo cáo thử\n\nNội dung tuyên giao.\n", encoding="utf-8")  # same size
        assert get(url, "/file/a.txt")[0] == 404
        (src / "a.txt").unlink()
        (src / "a.txt").symlink_to("/etc/passwd")
        status, _, body = get(url, "/file/a.txt")
        assert status == 404 and b"root:" not in body


def test_other_hosts_are_refused(base):
    port = urlsplit(base).port
    assert get(base, "/", {"Host": "evil.example"})[0] == 400
    assert get(base, "/api/search?q=tuyen", {"Host": f"evil.example:{port}"})[0] == 400
    assert get(base, "/", {"Host": f"localhost:{port}"})[0] == 200
    assert get(base, "/", {"Host": f"127.0.0.1:{port}"})[0] == 200


def test_server_never_writes_the_index(tmp_path, web_index):
    index_dir = tmp_path / "index"
    shutil.copytree(web_index, index_dir)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in index_dir.rglob("*") if p.is_file()}
    with running(index_dir) as url:
        for path in ("/", "/?q=tuyen+giao&one=1", "/api/search?q=tuyen", "/export.csv?q=tuyen",
                     "/report/003_d4f937a959a4a1f8.txt?q=tuyen", "/file/003_d4f937a959a4a1f8.txt"):
            assert get(url, path)[0] == 200
    after = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in index_dir.rglob("*") if p.is_file()}
    assert after == before


def test_non_loopback_host_warns(monkeypatch, capsys, web_index):
    from search.web import server

    class Quiet:
        def run(self, sockets):
            pass

    monkeypatch.setattr(server, "bind", lambda host, port: server.socket.create_server(("127.0.0.1", 0)))
    monkeypatch.setattr(server, "make_server", lambda index, sock, host: Quiet())
    with open_index(web_index) as index:
        for host in ("127.0.0.1", "localhost", "::1"):
            server.serve(index, host, 8765)
            assert "warning" not in capsys.readouterr().err
        for host in ("0.0.0.0", "192.0.2.1", "::"):
            server.serve(index, host, 8765)
            err = capsys.readouterr().err
            assert "warning" in err and "can read the index" in err


# ------------------------------------------------------------------ it keeps answering


def test_answers_during_rebuilds_and_follows_them(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src, ignore=shutil.ignore_patterns("README*"))
    build_index([src], tmp_path / "index")
    statuses: list[int] = []
    stop = threading.Event()
    with running(tmp_path / "index") as url:
        def hammer():
            while not stop.is_set():
                statuses.append(get(url, "/api/search?q=tuyen+giao&limit=3")[0])
                statuses.append(get(url, "/?q=tuyen+giao")[0])

        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for w in workers:
            w.start()
        try:
            (src / "new.txt").write_text("Báo cáo về chuyển đổi số\n\nHội nghị chuyển đổi số ở Lạng Sơn.\n",
                                         encoding="utf-8")
            build_index([src], tmp_path / "index", rebuild=True)
            time.sleep(0.3)
        finally:
            stop.set()
            for w in workers:
                w.join(30)
        _, _, body = get(url, "/api/search?" + urlencode({"q": "chuyển đổi số Lạng Sơn"}))
    assert len(statuses) > 8 and set(statuses) == {200}
    assert json.loads(body.decode().splitlines()[0])["doc"] == "new.txt"


def test_concurrent_requests_are_served(base):
    """Requests in parallel get what each gets alone (the shared Index, the segmenter, the caches)."""
    paths = ["/?q=tuyen+giao", "/api/search?q=b%E1%BA%AFc+k%E1%BA%A1n&limit=50", "/export.csv?q=tuyen",
             "/api/search?q=Ng%C6%B0%E1%BB%9Di+ngh%E1%BB%87n+ma+t%C3%BAy+c%C3%B3+b%E1%BB%8B+x%E1%BB%AD+l%C3%BD",
             "/report/004_504386917ef91bfa.txt?q=tuyen", "/api/search?q=ch%E1%BB%89+th%E1%BB%8B+05&one=1"]
    alone = {path: get(base, path) for path in paths}
    results: list[tuple[str, tuple]] = []

    def fetch(path):
        results.append((path, get(base, path)))

    threads = [threading.Thread(target=fetch, args=(p,)) for p in paths * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == len(threads)
    for path, (status, _, body) in results:
        assert status == 200 and body == alone[path][2], path


# ------------------------------------------------------------------ timeline and facets


def _report(doc, date, precision, org="A", directives=()):
    import datetime as dt

    return Report(doc=doc, title=doc, date=dt.date.fromisoformat(date) if date else None,
                  date_precision=precision, organization=org, directives=list(directives), passage_count=1)


def test_timeline_by_month_counts_what_a_click_finds():
    from search.web.views import Params, timeline, timeline_svg

    matches = [(_report("a", "2021-06-10", "day"), 3), (_report("b", "2021-01-01", "year"), 2),
               (_report("c", "2021-08-01", "month"), 1), (_report("d", None, None), 5)]
    unit, bars = timeline(matches, Params(q="x"))
    assert unit == "month" and [b.label for b in bars][:2] == ["1/2021", "2/2021"] and len(bars) == 12
    june = bars[5]
    assert (june.exact, june.covering, june.url) == (3, 2, "/?q=x&from=2021-06&to=2021-06")
    assert (bars[7].exact, bars[7].covering) == (1, 2) and (bars[0].exact, bars[0].covering) == (0, 2)
    svg = timeline_svg(unit, bars)
    assert svg.count('<a class="bar"') == 12 and 'href="/?q=x&amp;from=2021-06&amp;to=2021-06"' in svg
    # within a filter, the bars keep to it
    unit, bars = timeline(matches, Params(q="x", date_from="2021-05", date_to="2021-08"))
    assert [b.label for b in bars] == ["5/2021", "6/2021", "7/2021", "8/2021"]


def test_timeline_by_year_over_long_spans():
    from search.web.views import Params, timeline

    matches = [(_report("a", "2016-03-10", "day"), 3), (_report("b", "2021-01-01", "year"), 2),
               (_report("c", "2021-08-01", "month"), 1)]
    unit, bars = timeline(matches, Params(q="x", one=True))
    assert unit == "year" and [b.label for b in bars] == [str(y) for y in range(2016, 2022)]
    assert [b.total for b in bars] == [1, 0, 0, 0, 0, 2]  # reports, one passage each
    assert timeline([(_report("d", None, None), 5)], Params(q="x")) is None


def test_facets_count_and_narrow():
    from search.web.views import Params, facets

    matches = [(_report("a", "2021-06-10", "day", "Ban X", ["05-CT/TW"]), 3),
               (_report("b", "2020-01-01", "year", "Ban Y", ["05-CT/TW", "01-KL/TW"]), 2),
               (_report("c", None, None, None), 1)]
    f = facets(matches, Params(q="x", org="Ban X", n=40))
    assert (f.passages, f.reports) == (6, 3)
    assert [(v.label, v.count, v.active) for v in f.organization] == [
        ("Ban X", 3, True), ("Ban Y", 2, False), ("không rõ cơ quan", 1, False)]
    assert f.organization[0].url == "/?q=x" and f.organization[1].url == "/?q=x&org=Ban+Y"
    assert f.organization[2].url is None
    assert [(v.label, v.count) for v in f.directive] == [("05-CT/TW", 5), ("01-KL/TW", 2)]
    assert [(v.label, v.count) for v in f.year] == [("2020", 2), ("2021", 3), ("không rõ ngày", 1)]
    assert f.year[0].url == "/?q=x&from=2020&to=2020&org=Ban+X"


def test_marked_escapes_everything_but_the_marks():
    from search.web.views import marked

    text = '<script>alert(1)</script> tuyên "giáo" & <img src=x onerror=alert(1)>'
    html = marked(text, [[26, 31], [33, 37]])
    assert html == ('&lt;script&gt;alert(1)&lt;/script&gt; <mark>tuyên</mark> &#34;<mark>giáo</mark>&#34; '
                    '&amp; &lt;img src=x onerror=alert(1)&gt;')


# ------------------------------------------------------------------ vnsearch show


def test_show_prints_the_report(web_index):
    result = cli_run(web_index, "show", "003_d4f937a959a4a1f8.txt")
    assert result.exit_code == 0
    with open_index(web_index) as index:
        report = index.report("003_d4f937a959a4a1f8.txt")
    out = result.stdout
    assert report.title in out and "Ban Tuyên giáo Tỉnh ủy Quảng Trị" in out and "05-CT/TW" in out
    assert all(p.text in out for p in report.passages)
    assert out.count("003_d4f937a959a4a1f8.txt:") == len(report.passages)


def test_show_one_passage_with_hits_marked_like_search(web_index):
    with open_index(web_index) as index:
        hit = index.search("tuyen giao", limit=1)[0]
    target = f"{hit.doc}:{hit.passage}"
    result = cli_run(web_index, "show", target, "--query", "tuyen giao", "--color", "always")
    assert result.exit_code == 0
    shown = [part.split(RESET)[0] for part in result.stdout.split(BOLD_RED)[1:]]
    assert shown == [hit.text[s:e] for s, e in hit.highlights]
    assert result.stdout.count(f"{hit.doc}{RESET}:") == 1  # only that passage
    plain = cli_run(web_index, "show", target, "--query", "tuyen giao")  # piped: no colour, as search
    assert "\x1b[" not in plain.stdout and hit.text in plain.stdout


def test_show_errors(web_index):
    for target in ("nope.txt", "003_d4f937a959a4a1f8.txt:99", "../../etc/passwd"):
        result = CliRunner().invoke(cli, ["show", target, "--index-dir", str(web_index)])
        assert result.exit_code == 2 and "vnsearch:" in result.stderr
    result = CliRunner().invoke(cli, ["show", "003_d4f937a959a4a1f8.txt", "--query", "", "--index-dir",
                                      str(web_index)])
    assert result.exit_code == 0


def test_serve_builds_the_default_index_on_first_use(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if k != "VNSEARCH_INDEX"}
    proc = subprocess.Popen([sys.executable, "-m", "search", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=dict(env, PYTHONUNBUFFERED="1"))
    try:
        line = proc.stdout.readline()
        assert "serving index at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0].rstrip("/")
        _, _, body = get(url, "/api/search?q=tuyen+giao&limit=1")
        assert json.loads(body)["doc"].endswith(".txt")
    finally:
        proc.terminate()
        proc.wait(20)
    assert "building index/ from seeds/" in proc.stderr.read()


def test_serve_opens_a_browser_and_names_a_busy_port(monkeypatch, web_index):
    import socket
    import webbrowser

    from search.web import server

    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(server, "make_server", lambda index, sock, host: type("Quiet", (), {
        "run": lambda self, sockets: None})())
    result = cli_run(web_index, "serve", "--port", "0", "--open")
    assert result.exit_code == 0 and opened and opened[0] in result.stdout
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--index-dir", str(web_index)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_serve_command_prints_its_url(web_index):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "search", "serve", "--port", "0", "--index-dir", str(web_index)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0].rstrip("/")
        assert get(url, "/api/search?q=tuyen&limit=1")[0] == 200
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode is not None
