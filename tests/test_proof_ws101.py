"""Proof of WS101 on real backends: what each WebSocket server does with the HTTP/1.0 upgrade nginx sends.

nginx before 1.29.7 proxies with HTTP/1.0 unless `proxy_http_version 1.1` is set; RFC 6455 (section 4.1) requires
HTTP/1.1 for the handshake. For each server of the matrix, one real nginx (the installed one) runs two servers on
127.0.0.1 in front of the same backend, both forwarding Upgrade and Connection: one without `proxy_http_version`
(HTTP/1.0) and one with `proxy_http_version 1.1` (the control, which must always be accepted). A websockets client
opens the handshake through each and sends a message that must come back ("accepted": 101 and data both ways).

The outcome through the HTTP/1.0 server is compared with MATRIX, the recorded result (rules/WS101.md shows it), so a
server that changes its mind is seen. A server whose runtime is not installed is skipped, and fails the test under
WSLINT_REQUIRE_PROXIES=1 (CI; scripts/install-test-deps.sh installs them all). The table of the matrix, with the
version of each server, is printed at the end of the module.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from tests.conftest import Run, _missing
from tests.realproxy import _running, free_port, nginx_prepare, nginx_version, print_table, run_nginx

pytestmark = [pytest.mark.proxies, pytest.mark.timeout(60)]

HERE = Path(__file__).resolve().parent
BACKENDS = HERE / "backends"
NODE_MODULES = BACKENDS / "node_modules"
GOPATH = Path("/usr/share/gocode")  # Debian's golang-*-dev packages
GORILLA = GOPATH / "src" / "github.com" / "gorilla" / "websocket"
ACCEPTED = "accepted"  # 101, then a message sent and echoed back
CLOSED_AFTER_101 = "101, then closed before any data"


def refused(status: int) -> str:
    return f"refused: HTTP {status}"


@dataclass(frozen=True)
class Server:
    name: str  # as rules/WS101.md and WS101's message name it
    http10: str  # the recorded outcome through nginx's HTTP/1.0 (no proxy_http_version)
    needs: tuple[str, ...]  # "python:MODULE", "node:PACKAGE", "go:gorilla"
    argv: Callable[[int, Path], list[str]]  # (port, directory of built binaries) -> command line
    socketio: bool = False


def python(*args: str) -> Callable[[int, Path], list[str]]:
    return lambda port, _bin: [sys.executable, *(a.replace("PORT", str(port)) for a in args)]


def uvicorn(http: str, ws: str) -> Callable[[int, Path], list[str]]:
    return python(
        "-m", "uvicorn", "asgi_echo:app", "--host", "127.0.0.1", "--port", "PORT",
        "--http", http, "--ws", ws, "--lifespan", "off", "--log-level", "warning",
    )  # fmt: skip


# The matrix as measured (nginx 1.22.1; versions in rules/WS101.md and in the printed table).
MATRIX = (
    Server("Node ws", ACCEPTED, ("node:ws",), lambda p, _b: ["node", str(BACKENDS / "node_ws.js"), str(p)]),
    Server(
        "socket.io",
        ACCEPTED,
        ("node:socket.io",),
        lambda p, _b: ["node", str(BACKENDS / "node_socketio.js"), str(p)],
        socketio=True,
    ),
    Server(
        "Python websockets", refused(505), ("python:websockets",), python(str(HERE / "ws_backend.py"), "--port", "PORT")
    ),
    Server(
        "uvicorn (httptools, websockets-sansio)",
        ACCEPTED,
        ("python:uvicorn", "python:httptools", "python:websockets"),
        uvicorn("httptools", "websockets-sansio"),
    ),
    Server(
        "uvicorn (h11, wsproto)",
        ACCEPTED,
        ("python:uvicorn", "python:h11", "python:wsproto"),
        uvicorn("h11", "wsproto"),
    ),
    Server("aiohttp", ACCEPTED, ("python:aiohttp",), python(str(BACKENDS / "aiohttp_echo.py"), "PORT")),
    Server("tornado", CLOSED_AFTER_101, ("python:tornado",), python(str(BACKENDS / "tornado_echo.py"), "PORT")),
    Server(
        "Hypercorn",
        refused(400),
        ("python:hypercorn",),
        python("-m", "hypercorn", "--bind", "127.0.0.1:PORT", "asgi_echo:app"),
    ),
    Server(
        "daphne", ACCEPTED, ("python:daphne",), python("-m", "daphne", "-b", "127.0.0.1", "-p", "PORT", "asgi_echo:app")
    ),
    Server("gorilla/websocket", ACCEPTED, ("go:gorilla",), lambda p, b: [str(b / "gorilla_echo"), str(p)]),
)


# --- runtimes and versions ----------------------------------------------------------------------------------------


def absent(need: str) -> str | None:
    """What is missing for a "kind:name" runtime need, or None when it is installed."""
    kind, _, name = need.partition(":")
    if kind == "python":
        return None if importlib.util.find_spec(name) else f"the Python package {name} (pip install -e '.[test]')"
    if kind == "node":
        if shutil.which("node") is None:
            return "node (scripts/install-test-deps.sh)"
        ok = (NODE_MODULES / name / "package.json").is_file()
        return None if ok else f"the npm package {name} in {NODE_MODULES} (scripts/install-test-deps.sh)"
    if shutil.which("go") is None or not GORILLA.is_dir():
        return "go and Debian's golang-github-gorilla-websocket-dev (scripts/install-test-deps.sh)"
    return None


def version_of(need: str) -> str:
    """The installed version for a runtime need: its Python distribution, npm package or Debian package."""
    kind, _, name = need.partition(":")
    if kind == "python":
        return importlib.metadata.version(name)
    if kind == "node":
        return str(json.loads((NODE_MODULES / name / "package.json").read_text(encoding="utf-8"))["version"])
    query = ["dpkg-query", "-W", "-f", "${Version}", "golang-github-gorilla-websocket-dev"]
    proc = subprocess.run(query, capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout.strip() or "?"


def versions(server: Server) -> str:
    """ "0.55.0 (httptools 0.9.0)": the server's version, then those of the other packages it runs on."""
    first, *others = server.needs
    extra = ", ".join(f"{need.partition(':')[2]} {version_of(need)}" for need in others)
    return version_of(first) + (f" ({extra})" if extra else "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for the Go backend's binary, built on first use (offline, GOPATH mode, Debian's gorilla)."""
    return tmp_path_factory.mktemp("ws101-bin")


def build_gorilla(directory: Path) -> None:
    binary = directory / "gorilla_echo"
    if binary.exists():
        return
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOFLAGS": "",
        "GOCACHE": str(directory / "gocache"),
    }
    argv = ["go", "build", "-o", str(binary), str(BACKENDS / "gorilla_echo.go")]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, f"go build failed:\n{proc.stdout}{proc.stderr}"


# --- the table ----------------------------------------------------------------------------------------------------


@dataclass
class Row:
    server: str
    version: str
    recorded: str
    http10: str
    http11: str

    @property
    def verdict(self) -> str:
        return "agree" if self.http10 == self.recorded and self.http11 == ACCEPTED else "DISAGREE"


@pytest.fixture(scope="module")
def table(request: pytest.FixtureRequest, nginx_binary: str) -> list[Row]:
    rows: list[Row] = []

    def show() -> None:
        print_table(
            request,
            f"WS101 matrix: the upgrade through nginx {nginx_version(nginx_binary)} without proxy_http_version",
            [("server", "version", "recorded (HTTP/1.0)", "observed (HTTP/1.0)", "control (HTTP/1.1)", "verdict")]
            + [(r.server, r.version, r.recorded, r.http10, r.http11, r.verdict) for r in rows],
        )

    request.addfinalizer(show)
    return rows


# --- nginx and the client -----------------------------------------------------------------------------------------


def nginx_conf(http10_port: int, http11_port: int, path: str, upstream: int) -> str:
    """Two servers in front of one backend: the first without proxy_http_version, the second with 1.1."""

    def server(port: int, version: str) -> str:
        return (
            "    server {\n"
            f"        listen 127.0.0.1:{port};\n"
            f"        location {path} {{\n"
            f"            proxy_pass http://127.0.0.1:{upstream};\n"
            f"{version}"
            "            proxy_set_header Upgrade $http_upgrade;\n"
            '            proxy_set_header Connection "upgrade";\n'
            "        }\n"
            "    }\n"
        )

    http11 = server(http11_port, "            proxy_http_version 1.1;\n")
    return f"events {{}}\nhttp {{\n{server(http10_port, '')}{http11}}}\n"


async def exchange(port: int, socketio: bool) -> str:
    """The handshake through 127.0.0.1:port, then a message each way: ACCEPTED, or how it failed."""
    url = f"ws://127.0.0.1:{port}" + ("/socket.io/?EIO=4&transport=websocket" if socketio else "/ws/")
    try:
        async with connect(url, ping_interval=None, open_timeout=5, close_timeout=1) as ws:
            try:
                if socketio:  # engine.io's open packet, socket.io's connect, then an event echoed back
                    opened = await asyncio.wait_for(ws.recv(), 5)
                    await ws.send("40")
                    joined = await asyncio.wait_for(ws.recv(), 5)
                    await ws.send('42["echo","hello"]')
                    echoed = await asyncio.wait_for(ws.recv(), 5)
                    ok = (
                        str(opened).startswith("0{") and str(joined).startswith("40") and echoed == '42["echo","hello"]'
                    )
                else:
                    await ws.send("hello")
                    ok = await asyncio.wait_for(ws.recv(), 5) == "hello"
            except ConnectionClosed:
                return CLOSED_AFTER_101
            return ACCEPTED if ok else "101, wrong data back"
    except InvalidStatus as error:
        return refused(error.response.status_code)
    except (InvalidHandshake, ConnectionClosed, OSError, asyncio.TimeoutError) as error:
        return f"failed: {type(error).__name__}: {error}"


# --- the scenarios ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("server", MATRIX, ids=[s.name for s in MATRIX])
def test_ws101_matrix(server: Server, nginx_binary: str, built: Path, table: list[Row], tmp_path: Path) -> None:
    """The server's answer to nginx's HTTP/1.0 upgrade is the recorded one, and HTTP/1.1 is always accepted."""
    for need in server.needs:
        missing = absent(need)
        if missing is not None:
            _missing(f"{missing}, needed for {server.name}", "WSLINT_REQUIRE_PROXIES")
    if "go:gorilla" in server.needs:
        build_gorilla(built)
    app, http10, http11 = free_port(), free_port(), free_port()
    conf = nginx_conf(http10, http11, "/socket.io/" if server.socketio else "/ws/", app)
    with (
        tempfile.TemporaryFile() as log,
        _running(server.argv(app, built), [app], server.name, log, cwd=BACKENDS),
        run_nginx(nginx_binary, tmp_path, conf),
    ):
        observed10 = asyncio.run(exchange(http10, server.socketio))
        observed11 = asyncio.run(exchange(http11, server.socketio))
    row = Row(server.name, versions(server), server.http10, observed10, observed11)
    table.append(row)
    assert row.http11 == ACCEPTED, f"{server.name} refused the HTTP/1.1 control ({row.http11}): the backend is broken"
    assert row.verdict == "agree", f"{server.name} {row.version}: recorded {row.recorded}, observed {row.http10}"


@pytest.mark.parametrize("written", [False, True], ids=["no-proxy_http_version", "proxy_http_version-1.0"])
def test_ws101_flags_the_matrix_configuration(wslint: Callable[..., Run], tmp_path: Path, written: bool) -> None:
    """wslint flags the HTTP/1.0 server of the matrix configuration (WS101 at its location, or at a written
    `proxy_http_version 1.0`), not the control, and its message names every server of the matrix that does not
    accept the HTTP/1.0 upgrade."""
    conf = nginx_conf(18001, 18002, "/ws/", 18000)
    if written:
        first = conf.index("proxy_pass")
        end = conf.index("\n", first) + 1
        conf = conf[:end] + "            proxy_http_version 1.0;\n" + conf[end:]
    path = tmp_path / "nginx.conf"
    path.write_text(nginx_prepare(tmp_path, conf), encoding="utf-8")
    run = wslint("nginx.conf", "--output-format", "json", "--isolated", "--nginx-version", "1.22.1", cwd=tmp_path)
    findings = [f for f in json.loads(run.out)["findings"] if f["rule"] == "WS101"]
    lines = path.read_text(encoding="utf-8").splitlines()
    where = "proxy_http_version 1.0;" if written else "location /ws/"
    expected = next(number for number, line in enumerate(lines, 1) if where in line)
    assert run.code == 1
    assert [(f["file"], f["line"], f["severity"]) for f in findings] == [("nginx.conf", expected, "error")]
    message = str(findings[0]["message"])
    for server in MATRIX:
        if server.http10 != ACCEPTED:
            assert server.name in message, f"WS101's message does not name {server.name}: {message}"
