"""The ``vnsearch`` command: parse options, call the library, print. No logic here.

Exit status follows grep/ripgrep: 0 hits found, 1 no hits, 2 error. Errors are
one line on stderr, never a traceback (set VNSEARCH_DEBUG=1 to see one).
Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from search.errors import BadArgument, DamagedIndex, IndexBusy, NoIndex, VnsearchError, WrongIndexDir

DEFAULT_INDEX = Path("index")
DEFAULT_SOURCE = Path("seeds")
MAX_LIMIT = 10_000  # --limit: more passages than anyone reads; export without --limit writes all


REBUILD = "run `vnsearch index --rebuild`"
# The command-line option of each API parameter that can be wrong.
OPTIONS = {"date_from": "--from", "date_to": "--to", "org": "--org", "directive": "--directive"}


def _fail(message: str) -> None:
    click.echo(f"vnsearch: {message}", err=True)
    sys.exit(2)


def message(exc: VnsearchError) -> str:
    """The library's message with the command line's advice: what to run or which option to fix."""
    text = str(exc)
    if isinstance(exc, NoIndex):
        return f"{text}; build one with `vnsearch index SOURCE --index-dir {exc.index_dir}`"
    if isinstance(exc, WrongIndexDir):
        if exc.index_dir.is_file():
            return f"{text}; build one in a directory with `vnsearch index --rebuild --index-dir DIR`"
        if exc.suggested is not None:
            return f"{text}; use the directory above it (--index-dir {exc.suggested})"
        return f"{text}; build one with `vnsearch index --rebuild --index-dir {exc.index_dir}` or use another directory"
    if isinstance(exc, DamagedIndex):
        return f"{text}; {'fix its permissions or ' if exc.unreadable else ''}{REBUILD}"
    if isinstance(exc, IndexBusy):
        return f"{text}; wait for it to finish"
    if isinstance(exc, BadArgument) and exc.parameter in OPTIONS:
        return f"{OPTIONS[exc.parameter]}: {text}"
    return text


def handle_errors(fn):
    """Turn every failure into one line on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except VnsearchError as exc:
            _fail(message(exc))
        except BrokenPipeError:  # output piped into `head`: not an error
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("vnsearch: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the promise is "never a traceback"
            if os.environ.get("VNSEARCH_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc}")

    return wrapper


def index_dir_option(fn):
    return click.option(
        "--index-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Index location [default: $VNSEARCH_INDEX or ./index].",
    )(fn)


def output_options(fn):
    """Options shared by every command that prints records."""
    fn = click.option("--json", "as_json", is_flag=True, help="JSON Lines, one record per line.")(fn)
    return fn


def filter_options(fn):
    """--from/--to/--org/--directive, shared by search and export."""
    for option in reversed([
        click.option("--from", "date_from", metavar="DATE",
                      help="Reports dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--to", "date_to", metavar="DATE", help="Reports dated on or before DATE."),
        click.option("--org", metavar="TEXT",
                     help="Reports whose organization contains TEXT (accents and case ignored)."),
        click.option("--directive", metavar="CODE",
                     help="Reports citing CODE, in any spelling: 05-CT/TW, CT 05, 'Chỉ thị 05'."),
    ]):
        fn = option(fn)
    return fn


def _index_dir(option: Path | None) -> tuple[Path, bool]:
    """The index directory and whether it is the default one."""
    if option is not None:
        return option, False
    env = os.environ.get("VNSEARCH_INDEX")
    if env:
        return Path(env), False
    return DEFAULT_INDEX, True


def _open_index(option: Path | None):
    """Open the index; on first use of the default index, build it from ./seeds."""
    from search import api
    from search.index import store

    index_dir, is_default = _index_dir(option)
    if is_default and store.current_generation(index_dir) is None and DEFAULT_SOURCE.is_dir():
        click.echo(
            f"vnsearch: no index yet; building {index_dir}/ from {DEFAULT_SOURCE}/ (first use)",
            err=True,
        )
        _build([DEFAULT_SOURCE], index_dir, quiet=True)
    return api.open_index(index_dir)


# The progress bar: tqdm (count, rate, ETA; redrawn to the terminal's width, even
# when the window is resized: click's own bar shows no rate and drew wider
# than a 60-column terminal when a file name was long).
BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"


def progress_bar(file, ncols: int | None = None):
    """The indexing progress bar on ``file`` (a terminal): files done, rate and time left."""
    from tqdm import tqdm

    return tqdm(total=0, desc="indexing", unit=" files", unit_scale=True, file=file, ncols=ncols,
                dynamic_ncols=ncols is None, bar_format=BAR_FORMAT, leave=False, mininterval=0.2)


def _build(sources: list[Path], index_dir: Path, quiet: bool = False, jobs: int | None = None,
           rebuild: bool = False, remove: list[Path] = ()):
    from search.api import build_index

    bar = None
    if not quiet and sys.stderr.isatty():
        bar = progress_bar(sys.stderr)

    def progress(done: int, total: int, name: str) -> None:
        if bar is not None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

    try:
        stats = build_index(sources, index_dir, progress=progress, jobs=jobs, rebuild=rebuild, remove=remove)
    finally:
        if bar is not None:
            bar.close()
    for path, reason in stats.skipped:
        click.echo(f"vnsearch: skipped {path}: {reason}", err=True)
    return stats


def _has_index(index_dir: Path) -> bool:
    from search.index import store

    try:
        return store.current_generation(index_dir) is not None
    except VnsearchError:
        return True  # damaged: the build says how


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


class _OneLineErrors(click.Group):
    """Click's usage errors (bad option, missing argument) as one line, like every other error."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:  # `vnsearch` alone: the usage, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"vnsearch: {_usage_message(exc)}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("vnsearch: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)  # --help, --version: click.Exit's code


def _usage_message(exc: click.ClickException) -> str:
    message = " ".join(exc.format_message().splitlines())
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    if isinstance(exc, click.NoSuchOption) and any(p.name == "query" for p in ctx.command.params):
        return (f"{message.rstrip('.')} (to search for text that starts with '-', "
                f"put it after --: {ctx.command_path} -- QUERY)")
    return f"{message} (see {ctx.command_path} --help)"


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch")
def cli():
    """Full-text search for Vietnamese reports: ranked passages, hits highlighted."""


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@click.option("--remove", "remove", multiple=True, type=click.Path(path_type=Path), metavar="FOLDER",
              help="Drop FOLDER and its reports from the index (repeatable).")
@click.option("--rebuild", is_flag=True, help="Read every file again instead of only new and changed ones.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), default=None,
              help="Processes to index with [default: number of cores].")
@handle_errors
def index(sources, index_dir, remove, rebuild, jobs):
    """Add SOURCE folders (or files) to the index and bring every source up to date.

    The index remembers its source folders: without SOURCE, it updates them
    all (./seeds for a new index). Only new and changed files are read;
    reports whose files are gone are removed. The new index is written beside
    the old one and replaces it only when complete, so searches keep working
    meanwhile.
    """
    target, _ = _index_dir(index_dir)
    chosen = list(sources)
    if not chosen and not remove and not _has_index(target):
        chosen = [DEFAULT_SOURCE]
    stats = _build(chosen, target, jobs=jobs, rebuild=rebuild, remove=list(remove))
    click.echo(
        f"{target}: {stats.indexed} indexed, {stats.updated} updated, {stats.removed} removed, "
        f"{stats.unchanged} unchanged, {len(stats.skipped)} skipped",
        err=True,
    )


@cli.command()
@output_options
@index_dir_option
@handle_errors
def sources(as_json, index_dir):
    """The index's source folders: how many reports each holds and when it was last indexed."""
    from search.render import jsonl

    records = _open_index(index_dir).sources()
    if as_json:
        jsonl.write_jsonl(records, sys.stdout)
    else:
        for r in records:
            missing = "" if r["exists"] else "  (missing)"
            click.echo(f"{r['folder']}  {r['reports']} reports  indexed {r['indexed'] or '-'}{missing}")
    sys.exit(0 if records else 1)


def batch_option(fn):
    return click.option(
        "--batch", type=click.File("r", encoding="utf-8-sig"), default=None, metavar="FILE",
        help="Run one query per line of FILE ('-' for stdin); each hit carries its query.",
    )(fn)


def all_option(fn):
    return click.option("--all", "require_all", is_flag=True,
                        help="Every word must match (default: ranked, passages with every word first).")(fn)


def _queries(query: str | None, batch) -> list[tuple[int, str]]:
    """(line number in the batch file, query) for each query to run; blank lines are skipped."""
    if batch is not None:
        if query:
            raise click.UsageError("give either QUERY or --batch, not both")
        try:
            return [(n, line.rstrip("\r\n")) for n, line in enumerate(batch, start=1) if line.strip()]
        except UnicodeDecodeError:
            raise VnsearchError(f"--batch {batch.name}: not UTF-8 text") from None
    if query is None:
        raise click.UsageError("missing QUERY (or --batch FILE)")
    return [(1, query)]


class _QueryRun:
    """Runs each query once; a failing line of a batch is reported and skipped (``failed``)."""

    def __init__(self, index, queries, limit, filters, require_all, suggest: bool):
        self.index, self.queries, self.limit = index, queries, limit
        self.filters, self.require_all, self.suggest = filters, require_all, suggest
        self.failed = False

    def __iter__(self):
        for number, q in self.queries:
            try:
                hits = self.index.search(q, limit=self.limit, require_all=self.require_all, **self.filters)
            except DamagedIndex:
                raise  # the same for every line: stop at once
            except VnsearchError as exc:
                if len(self.queries) == 1:
                    raise
                click.echo(f"vnsearch: line {number}: {message(exc)}", err=True)
                self.failed = True
                continue
            if self.suggest and (better := self.index.suggest(q, found=bool(hits))):
                click.echo(f"vnsearch: did you mean: {better}", err=True)
            yield q, hits


@cli.command()
@click.argument("query", required=False)
@click.option("--limit", "-n", type=click.IntRange(min=1, max=MAX_LIMIT), default=10, show_default=True,
              help=f"Number of passages to show (per query), at most {MAX_LIMIT:,}.")
@all_option
@batch_option
@filter_options
@output_options
@index_dir_option
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour hits (auto: on a terminal unless NO_COLOR is set).")
@handle_errors
def search(query, limit, require_all, batch, date_from, date_to, org, directive, as_json, index_dir,
           color):
    """Ranked passages matching QUERY, hits highlighted.

    QUERY syntax: words (ranked: passages with every word first), "exact
    phrases", AND / OR / NOT, parentheses, field:value (title, org, body,
    directive, doc, date). Typed without diacritics, words match with any.
    """
    from search.render import jsonl, terminal

    queries = _queries(query, batch)
    filters = dict(date_from=date_from, date_to=date_to, org=org, directive=directive)
    index = _open_index(index_dir)
    runs = _QueryRun(index, queries, limit, filters, require_all, suggest=not as_json)
    any_hits = False
    for q, hits in runs:
        any_hits = any_hits or bool(hits)
        if as_json:
            records = (h.to_json() for h in hits)
            if batch is not None:
                records = ({"query": q, **r} for r in records)
            jsonl.write_jsonl(records, sys.stdout)
        else:
            if batch is not None:
                click.echo(f"# {terminal.printable(q)}")
            terminal.write_text(hits, sys.stdout, color=_color(color))
            if batch is not None:
                click.echo()
    sys.exit(2 if runs.failed else 0 if any_hits else 1)


@cli.command()
@click.argument("query", required=False)
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV file to write ('-' for standard output).")
@click.option("--limit", "-n", type=click.IntRange(min=1, max=MAX_LIMIT), default=None,
              help=f"At most this many hits per query, up to {MAX_LIMIT:,} [default: all].")
@all_option
@batch_option
@filter_options
@click.option("--raw-csv", is_flag=True,
              help="Write cells exactly as indexed, without the apostrophe that stops a "
                   "spreadsheet running them (for programs, not spreadsheets).")
@index_dir_option
@handle_errors
def export(query, path, limit, require_all, batch, date_from, date_to, org, directive, raw_csv,
           index_dir):
    """Write every hit for QUERY to a CSV file (UTF-8 with BOM, for Excel).

    Cells that a spreadsheet would run as a formula (starting with = + - @,
    tab or carriage return) are prefixed with an apostrophe; --raw-csv writes
    them as they are. With --batch, a first column says which query each row
    answers.
    """
    from search.render import csv_export

    queries = _queries(query, batch)
    filters = dict(date_from=date_from, date_to=date_to, org=org, directive=directive)
    index = _open_index(index_dir)
    runs = _QueryRun(index, queries, limit, filters, require_all, suggest=False)
    results = list(runs)
    with_query = batch is not None
    total = sum(len(h) for _, h in results)
    if str(path) == "-":
        sys.stdout.write("\ufeff")
        csv_export.write_csv(results, sys.stdout, safe=not raw_csv, with_query=with_query)
    else:
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                csv_export.write_csv(results, fh, safe=not raw_csv, with_query=with_query)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise VnsearchError(f"cannot write {path}: {exc.strerror}") from None
        click.echo(f"wrote {total} hits to {path}", err=True)
    sys.exit(2 if runs.failed else 0 if total else 1)


@cli.command()
@output_options
@index_dir_option
@handle_errors
def docs(as_json, index_dir):
    """The indexed reports with their title, date, organization and directives.

    A date is printed at the precision the report gives it: 2021, 2023-12 or
    2023-12-28; --json gives YYYY-MM-DD (the period's first day) and date_precision.
    """
    from search.index.catalog import display_date
    from search.render import jsonl

    reports = _open_index(index_dir).reports()
    if as_json:
        jsonl.write_jsonl((r.summary_json() for r in reports), sys.stdout)
    else:
        for r in reports:
            click.echo(f"{r.doc}  {display_date(r) or '-'}  {r.n_passages} passages")
            click.echo(f"  {r.title}")
            click.echo(f"  organization: {r.organization or '-'}")
            click.echo(f"  directives: {', '.join(r.directives) or '-'}")
    sys.exit(0 if reports else 1)


@cli.command()
@output_options
@index_dir_option
@handle_errors
def directives(as_json, index_dir):
    """Every directive code cited in the index, most cited first.

    For each: its type and issuer, the issuing date where a report gives it,
    how many reports and passages cite it, and the first and last report date.
    """
    from search.render import jsonl

    records = _open_index(index_dir).directives()
    if as_json:
        jsonl.write_jsonl(records, sys.stdout)
    else:
        for r in records:
            span = f"{r['first_report'] or '?'} … {r['last_report'] or '?'}"
            click.echo(
                f"{r['code']:<22} {r['type'] or '-':<18} {r['reports']:>4} reports "
                f"{r['passages']:>5} passages  {span}"
            )
    sys.exit(0 if records else 1)


# ------------------------------------------------------------------ significant terms (issue 15)

@cli.command()
@click.argument("query")
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=20, show_default=True,
              help="Number of words to list.")
@all_option
@filter_options
@output_options
@index_dir_option
@handle_errors
def terms(query, limit, require_all, date_from, date_to, org, directive, as_json, index_dir):
    """The words most over-represented in the passages matching QUERY.

    pyvi's words (multi-syllable ones written with spaces), scored against the
    whole index; function words, numbers and the query's own words are left
    out. Each line: the word, how many matching passages hold it, its score.
    """
    from search.render import jsonl

    found = _open_index(index_dir).terms(query, limit=limit, require_all=require_all, date_from=date_from,
                                         date_to=date_to, org=org, directive=directive)
    if as_json:
        jsonl.write_jsonl((t.to_json() for t in found), sys.stdout)
    else:
        for t in found:
            click.echo(f"{t.word:<30} {t.passages:>6} {t.score:>10.4f}")
    sys.exit(0 if found else 1)


# ------------------------------------------------------------------ the search page (issue 18)
# `serve` and `show` import the web stack (starlette, uvicorn, jinja2) inside their bodies only:
# `vnsearch search` never loads it (tests/test_web.py checks).


@cli.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1/localhost opens the index to the network.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@handle_errors
def serve(index_dir, host, port, open_browser):
    """Serve a search page for the index at http://HOST:PORT/ (interface in Vietnamese).

    The page searches with the query syntax and filters of `search`, shows
    facets, a timeline and whole reports, and downloads the CSV of `export`.
    It reads the index and never writes it; a rebuild is picked up at once.
    """
    from search.web import server

    index = _open_index(index_dir)
    try:
        server.serve(index, host, port, open_browser=open_browser)
    except VnsearchError as exc:
        raise VnsearchError(f"{exc}; choose another with --port or --host") from None
    finally:
        index.close()


@cli.command()
@click.argument("target", metavar="DOC[:PASSAGE]")
@click.option("--query", "-q", metavar="QUERY", default=None, help="Mark the hits of QUERY (syntax of search).")
@all_option
@index_dir_option
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour hits (auto: on a terminal unless NO_COLOR is set).")
@handle_errors
def show(target, query, require_all, index_dir, color):
    """Print report DOC (or only its passage PASSAGE): metadata, directives, text.

    What the search page's report page shows, with the hits of --query
    marked as `search` marks them.
    """
    from search.web import show as report_view

    index = _open_index(index_dir)
    report, passage = report_view.find(index, target)
    spans = index.highlights(report, query, require_all=require_all) if query else []
    sys.stdout.write(report_view.format_report(report, spans, passage=passage, color=_color(color),
                                               query=query))


def main() -> None:
    cli(prog_name="vnsearch")
