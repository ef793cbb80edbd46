"""``vnsearch serve``: bind a socket, say where, run the application with uvicorn.

The socket is bound here rather than by uvicorn so that a port in use is one
clear error before anything starts, ``--port 0`` picks a free port and the
URL printed is the one really listened on. uvicorn runs with its pure-Python
HTTP parser (h11) and asyncio's loop: nothing compiled to install.
"""

from __future__ import annotations

import socket

import click
import uvicorn

from search.errors import VnsearchError
from search.web.app import LOOPBACK_NAMES, create_app


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK_NAMES or host.startswith("127.")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: a free port)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise VnsearchError(f"cannot listen on {host}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise VnsearchError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    elif host == "0.0.0.0":
        host = "127.0.0.1"  # where this machine's browser finds it
    return f"http://{host}:{port}/"


def make_server(index, sock: socket.socket, host: str) -> uvicorn.Server:
    """A uvicorn server for ``index`` on the bound ``sock``; ``server.run(sockets=[sock])`` runs it."""
    config = uvicorn.Config(create_app(index, host=host), http="h11", loop="asyncio", ws="none",
                            lifespan="off", log_level="warning", access_log=False, server_header=False,
                            timeout_graceful_shutdown=3)
    return uvicorn.Server(config)


def serve(index, host: str, port: int, *, open_browser: bool = False) -> None:
    """Serve ``index`` until interrupted, printing the URL (and a warning off loopback)."""
    sock = bind(host, port)
    url = url_of(sock)
    if not is_loopback(host):
        click.echo(f"vnsearch: warning: listening on {host}: anyone who can reach this machine on port "
                   f"{sock.getsockname()[1]} can read the index (every report it holds); "
                   f"use --host 127.0.0.1 to keep it on this machine", err=True)
    click.echo(f"vnsearch: serving {index.index_dir} at {url} (Ctrl+C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)  # the socket already listens: the browser's request waits for the server
    server = make_server(index, sock, host)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
