"""The search page in a real browser: Playwright driving the system's Chromium.

Playwright's own browser download is not used: the tests launch the system's
``chromium`` (Debian's package; ``.ci/run`` installs it when missing). They
are skipped, saying why, only when no Chromium is found outside CI; under
``CI=true`` they always run. A failing test leaves a full-page screenshot in
``$VNSEARCH_TEST_ARTIFACTS`` (default: ``screenshots/`` under pytest's
temporary directory) and names it in a warning.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from search.api import open_index
from search.text.normalize import fold
from tests.test_web import HOSTILE_DOC, ODD_DOC, build_web_index, cli_run, running

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    for candidate in (os.environ.get("VNSEARCH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()
if CHROMIUM is None and not IN_CI:
    pytest.skip("no Chromium found (apt-get install chromium, or set VNSEARCH_CHROMIUM); "
                "under CI=true these tests run and fail instead", allow_module_level=True)


@pytest.fixture(scope="module")
def web_index(tmp_path_factory) -> Path:
    return build_web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def base(web_index):
    with running(web_index) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "no Chromium: apt-get install chromium (CI must run the browser tests)"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def dialogs() -> list[str]:
    return []


@pytest.fixture
def page(browser, dialogs, request, tmp_path_factory):
    """A fresh page; on failure, a full-page screenshot of where it was."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    failed = request.session.testsfailed
    yield pg
    if request.session.testsfailed > failed:  # this test's call failed (reported before teardown)
        folder = Path(os.environ.get("VNSEARCH_TEST_ARTIFACTS") or tmp_path_factory.getbasetemp() / "screenshots")
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.png"
        try:
            pg.screenshot(path=str(shot), full_page=True)
            warnings.warn(f"screenshot of failed {request.node.name}: {shot} (at {pg.url})", stacklevel=1)
        except Exception as exc:  # noqa: BLE001 - the failure itself matters more
            warnings.warn(f"no screenshot of failed {request.node.name}: {exc}", stacklevel=1)
    context.close()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def hit_targets(page) -> list[tuple[str, int]]:
    """(doc, passage) of each result, from its link to the report."""
    out = []
    for href in page.locator("ol.hits li h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        path, _, fragment = href.partition("#p")
        out.append((unquote(urlsplit(path).path.removeprefix("/report/")), int(fragment)))
    return out


def saved_as(name: str) -> str:
    """The name Chromium saves a download as: characters that are unsafe in file names become ``_``."""
    return re.sub(r'[<>:"/\\|?*]', "_", name)


def count_of(page) -> int:
    return int(page.locator(".summary .count b").first.inner_text())


def test_accentless_query_shows_marked_hits_in_cli_order(page, base, web_index):
    page.goto(base + "/")
    page.fill("input[name=q]", "tuyen giao")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"\?q=tuyen"))
    assert params(page.url) == {"q": ["tuyen giao"]}  # the script leaves empty filters out
    marks = page.locator("ol.hits mark").all_inner_texts()
    assert marks and {fold(m).lower() for m in marks} <= {"tuyen", "giao"}
    assert any(m != fold(m) for m in marks)  # typed without accents, found with them
    cli = cli_run(web_index, "search", "tuyen giao", "--json", "--limit", "20").stdout.splitlines()
    import json

    assert hit_targets(page) == [(r["doc"], r["passage"]) for r in map(json.loads, cli)]


def test_facet_click_narrows(page, base):
    page.goto(base + "/?q=tuyen+giao")
    before = count_of(page)
    org = "Ban Tuyên giáo Tỉnh ủy Bắc Kạn"
    facet = page.locator("aside .facet.organization li", has_text=org)
    expected = int(facet.locator(".n").inner_text())
    facet.locator("a").click()
    page.wait_for_url(re.compile(r"org="))
    assert params(page.url)["org"] == [org]
    assert count_of(page) == expected < before
    assert set(page.locator("ol.hits .org").all_inner_texts()) == {org}
    assert page.locator("aside .facet.organization li.active").inner_text().startswith(org)
    # a directive narrows further, and its chip takes it off again
    page.locator("aside .facet.directive li", has_text="519-CT/TU").locator("a").click()
    page.wait_for_url(re.compile(r"directive="))
    assert params(page.url)["directive"] == ["519-CT/TU"]
    page.locator(".active-filters a.chip", has_text="519-CT/TU").click()
    page.wait_for_url(lambda url: "directive" not in params(url))
    assert count_of(page) == expected


def test_timeline_bar_click_narrows_to_its_period(page, base):
    page.goto(base + "/?q=tuyen+giao")
    assert "theo năm" in page.locator("figure.chart figcaption").inner_text()  # 2020-2023: by year
    bar = page.locator("svg.timeline a.bar").first
    tip = bar.locator("title").text_content()  # "năm 2020: 17 đoạn"
    year, n = re.match(r"năm (\d{4}): (\d+)", tip).groups()
    bar.click()
    page.wait_for_url(re.compile(r"from="))
    assert params(page.url)["from"] == [year] and params(page.url)["to"] == [year]
    assert count_of(page) == int(n)
    assert all(d.endswith(f"/{year}") or d == f"năm {year}" for d in page.locator("ol.hits .date").all_inner_texts())
    # within one year the bars are months
    assert "theo tháng" in page.locator("figure.chart figcaption").inner_text()
    page.locator("svg.timeline a.bar").first.click()
    page.wait_for_url(re.compile(rf"from={year}-\d\d"))
    month = params(page.url)["from"][0]
    assert params(page.url)["to"] == [month]


def test_key_word_click_narrows(page, base):
    page.goto(base + "/?q=tuyen+giao")
    before = count_of(page)
    word = page.locator("aside .facet.words li a").first
    text = word.inner_text()
    word.click()
    page.wait_for_url(re.compile(r"all=1"))
    assert params(page.url)["q"] == [f'tuyen giao "{fold(text)}"']
    assert page.locator("input[name=all]").is_checked()
    assert 0 < count_of(page) < before
    for passage in page.locator("ol.hits .passage").all_inner_texts():
        assert fold(text) in fold(" ".join(passage.split())).lower()


def test_report_page_marks_every_hit(page, base, web_index):
    page.goto(base + "/?q=tuyen+giao")
    doc = "001_a764983588b6760c.txt"  # a long report with many hits, among the first results
    passage = next(n for d, n in hit_targets(page) if d == doc)
    page.locator(f'ol.hits li h3 a[href^="/report/{doc}"]').first.click()
    page.wait_for_url(re.compile(r"/report/.*#p\d+$"))
    assert urlsplit(page.url).fragment == f"p{passage}"
    marks = page.locator(".fulltext mark")
    listed = page.locator("aside.hitlist ol li")
    assert marks.count() > 3 and listed.count() == marks.count()
    with open_index(web_index) as index:
        report = index.report(doc)
        spans = index.highlights(report, "tuyen giao")
    assert marks.all_inner_texts() == [report.text[s:e] for s, e in spans]
    listed.nth(2).locator("a").click()
    page.wait_for_url(re.compile(r"#h3$"))
    assert page.locator("mark#h3").is_visible()
    # a cited directive links to a search for it
    code = page.locator("ul.directives li a").first
    name = code.inner_text()
    code.click()
    page.wait_for_url(re.compile(r"/\?q="))
    assert params(page.url)["q"] == [name] and count_of(page) > 0


def test_csv_download_is_what_export_writes(page, base, web_index, tmp_path):
    page.goto(base + "/?" + "q=tuy%C3%AAn+gi%C3%A1o&from=2020&to=2022&org=%C4%91%E1%BA%A3ng+%E1%BB%A7y")
    with page.expect_download() as info:
        page.locator("a.csv").click()
    download = info.value
    assert download.suggested_filename == "vnsearch-tuyen-giao.csv"
    got = Path(download.path()).read_bytes()
    out = tmp_path / "export.csv"
    result = cli_run(web_index, "export", "tuyên giáo", "--from", "2020", "--to", "2022", "--org", "đảng ủy",
                     "-o", str(out))
    assert result.exit_code == 0
    assert got == out.read_bytes() and got.startswith("\ufeff".encode())


def test_hostile_report_runs_no_script(page, base, dialogs):
    page.goto(base + "/?q=" + quote("Hòa Bình script onerror"))
    first = page.locator("ol.hits li h3 a").first
    assert "<script>window.__pwned=1</script>" in first.inner_text()
    assert "<img src=x onerror=" in page.locator("ol.hits .passage").first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/report/"))
    assert "<script>window.__pwned=1</script>" in page.locator("h1").inner_text()
    assert HOSTILE_DOC in page.locator("dl.facts").inner_text()
    assert '<script>alert("xss")</script>' in page.locator(".fulltext").inner_text()
    assert page.locator("main img, main script, main b").count() == 0
    page.wait_for_timeout(300)  # time for an onerror to fire, were there an image
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    with page.expect_download() as info:
        page.locator("a.file").click()
    assert info.value.suggested_filename == saved_as(HOSTILE_DOC)


def test_odd_file_name_opens_and_downloads(page, base, web_index):
    page.goto(base + "/?q=" + quote("Đảng ủy xã hội nghị tuyên giáo"))
    page.locator("ol.hits li h3 a", has_text="về công tác tuyên giáo ở xã").first.click()
    page.wait_for_url(re.compile(r"/report/"))
    assert ODD_DOC in page.locator("dl.facts").inner_text()
    with page.expect_download() as info:
        page.locator("a.file").click()
    assert info.value.suggested_filename == saved_as(ODD_DOC)
    with open_index(web_index) as index:
        assert Path(info.value.path()).read_bytes() == Path(index.report(ODD_DOC).path).read_bytes()


def test_switch_more_results_and_suggestion(page, base):
    page.goto(base + "/?q=tuyen+giao")
    assert page.locator("ol.hits > li").count() == 20
    page.locator(".more a").click()
    page.wait_for_url(re.compile(r"n=40"))
    assert page.locator("ol.hits > li").count() == min(40, count_of(page))
    page.locator("input[name=one]").check()  # the script submits the form
    page.wait_for_url(re.compile(r"one=1"))
    docs = [doc for doc, _ in hit_targets(page)]
    assert len(docs) == len(set(docs)) == int(page.locator(".summary .count b").nth(1).inner_text())
    page.goto(base + "/?q=tuyen+giaj")
    page.locator(".suggestion a").click()
    page.wait_for_url(re.compile(r"q=tuyen\+giao"))
    assert page.locator("ol.hits mark").count() > 0


def test_unknown_report_is_a_page_not_a_file(page, base):
    response = page.goto(base + "/report/..%2F..%2F..%2Fetc%2Fpasswd")
    assert response.status == 404
    assert "Không có trang này" in page.locator("h1").inner_text()
    assert "root:" not in page.content()


def test_page_works_without_javascript(browser, base):
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        pg.goto(base + "/")
        pg.fill("input[name=q]", "tuyen giao")
        pg.locator("form.search button").click()
        pg.wait_for_url(re.compile(r"\?q=tuyen"))
        assert params(pg.url)["q"] == ["tuyen giao"]  # empty filters stay in the URL, harmlessly
        assert pg.locator("ol.hits mark").count() > 0
        pg.locator("input[name=one]").check()
        pg.locator("form.search button").click()
        pg.wait_for_url(re.compile(r"one=1"))
        docs = [doc for doc, _ in hit_targets(pg)]
        assert len(docs) == len(set(docs)) > 1
    finally:
        context.close()
