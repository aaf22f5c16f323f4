"""Proof on the real proxies: wslint's prediction and what nginx, HAProxy and Apache httpd actually do must agree.

Every scenario generates its configuration, runs wslint on it (JSON, --isolated, --nginx-version of the installed
nginx), starts the real proxy on 127.0.0.1 in front of tests/ws_backend.py, drives a websockets client and compares.
Idle timeouts are T = 2-3 s; a drop is observed within [predicted - 0.1 s, predicted + 0.6 s] with close code 1006
(no close frame); survival means alive after 3 x T. Apache's idle cases use the timeouts measured for the issue
(3, 5 and 6 s), each dropped within the same window. The table of predicted vs observed is printed at the end of the
module (also with plain `pytest`). Verdicts: agree, flagged-survives-on-loopback (a ping interval in (T/2, T] that
WS301 flags by design and that survives on loopback), DISAGREE (fails the scenario).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from tests.conftest import Run, _missing
from tests.realproxy import (
    APACHE_MODULES,
    apache_conf,
    backend,
    find_apache2,
    free_port,
    nginx_prepare,
    nginx_version,
    print_table,
    run_apache,
    run_haproxy,
    run_nginx,
)

pytestmark = [pytest.mark.proxies, pytest.mark.timeout(60)]

T = 2.0  # the idle timeout of most scenarios, seconds
EARLY, LATE = 0.1, 0.6  # a drop at P is observed within [P - EARLY, P + LATE]
SURVIVE = 3 * T  # a connection that survives is alive after this long
WSLint = Callable[..., Run]
AGREE, FLAGGED, DISAGREE = "agree", "flagged-survives-on-loopback", "DISAGREE"


# --- the table ---------------------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    predicted: str
    observed: str
    verdict: str


@pytest.fixture(scope="module")
def table(request: pytest.FixtureRequest) -> list[Row]:
    """Rows of the module's scenarios; printed through the terminal reporter when the module ends."""
    rows: list[Row] = []

    def show() -> None:
        print_table(
            request,
            f"proof on the real proxies (T = {T:g} s; drop window [P - {EARLY} s, P + {LATE} s]; survive = 3 x T)",
            [("scenario", "wslint predicts", "proxy observed", "verdict")]
            + [(r.name, r.predicted, r.observed, r.verdict) for r in rows],
        )

    request.addfinalizer(show)
    return rows


def record(rows: list[Row], name: str, predicted: str, observed: str, verdict: str) -> None:
    """Add the row, then fail the scenario if wslint and the proxy disagree (the row is in the table either way)."""
    rows.append(Row(name, predicted, observed, verdict))
    assert verdict != DISAGREE, f"{name}: wslint predicts {predicted}, the proxy did {observed}"


@pytest.fixture(scope="module")
def version(nginx_binary: str) -> str:
    return nginx_version(nginx_binary)


@pytest.fixture(scope="module")
def apache2_binary() -> str:
    """Debian's apache2; skipped when missing, a failure under WSLINT_REQUIRE_PROXIES=1."""
    path = find_apache2()
    if path is None:
        _missing("the apache2 binary (apt-get install apache2)", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


# --- configurations -----------------------------------------------------------------------------------------------


def nginx_conf(port: int, body: str, http: str = "") -> str:
    """A full nginx.conf: one server on 127.0.0.1:port holding body (server-level lines and locations)."""
    return f"events {{}}\nhttp {{\n{http}    server {{\n        listen 127.0.0.1:{port};\n{body}    }}\n}}\n"


def location(path: str, upstream: int, *lines: str) -> str:
    inner = "".join(f"            {line}\n" for line in (f"proxy_pass http://127.0.0.1:{upstream};", *lines))
    return f"        location {path} {{\n{inner}        }}\n"


HTTP11 = "proxy_http_version 1.1;"
UPGRADE = "proxy_set_header Upgrade $http_upgrade;"
CONNECTION = 'proxy_set_header Connection "upgrade";'
HEADERS = (HTTP11, UPGRADE, CONNECTION)


def haproxy_conf(port: int, upstream: int, defaults: str, frontend: str = "", backend_lines: str = "") -> str:
    """A full haproxy.cfg: frontend fe on 127.0.0.1:port -> backend ws -> 127.0.0.1:upstream."""
    return (
        "global\n"
        "    hard-stop-after 10s\n"
        "defaults\n"
        "    mode http\n"
        "    timeout connect 2s\n"
        f"{defaults}"
        "frontend fe\n"
        f"    bind 127.0.0.1:{port}\n"
        f"{frontend}"
        "    default_backend ws\n"
        "backend ws\n"
        f"{backend_lines}"
        f"    server app 127.0.0.1:{upstream}\n"
    )


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line containing needle."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the configuration")


def block_lines(text: str, opening: str) -> range:
    """The lines of the block whose first line contains opening, through its closing brace."""
    start = line_of(text, opening)
    depth = 0
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        depth += line.count("{") - line.count("}")
        if depth == 0:
            return range(start, number + 1)
    raise AssertionError(f"block {opening!r} is not closed")


def write_nginx(directory: Path, conf: str) -> Path:
    """The nginx.conf exactly as run_nginx will write it (temp paths on the `http {` line), so wslint lints it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(nginx_prepare(directory, conf), encoding="utf-8")
    return path


def write_haproxy(directory: Path, conf: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "haproxy.cfg"
    path.write_text(conf, encoding="utf-8")
    return path


# --- wslint -------------------------------------------------------------------------------------------------------


@dataclass
class Prediction:
    report: dict[str, object]
    cwd: Path

    @property
    def findings(self) -> list[dict[str, object]]:
        found = self.report["findings"]
        assert isinstance(found, list)
        return found

    def rules(self, file: Path, lines: range | None = None, prefix: str = "WS") -> list[str]:
        """Sorted ids of the findings (with prefix) in file, within lines if given."""
        name = str(file.relative_to(self.cwd))
        return sorted(
            str(f["rule"])
            for f in self.findings
            if f["file"] == name and str(f["rule"]).startswith(prefix) and (lines is None or f["line"] in lines)
        )

    def routes(self, hop: int = 0) -> dict[str, dict[str, object]]:
        """{route name: route} of a hop of the first path (only with `wslint path`)."""
        paths = self.report["paths"]
        assert isinstance(paths, list) and paths, self.report
        return {route["name"]: route for route in paths[0]["hops"][hop]["routes"]}

    def idle(self, route: str, hop: int = 0) -> tuple[float, str]:
        """(seconds, "directive at file:line") of a route's predicted idle timeout."""
        timeout = self.routes(hop)[route]["idle_timeout"]
        assert isinstance(timeout, dict)
        where = f"{timeout['directive']} at {Path(str(timeout['file'])).name}:{timeout['line']}"
        if timeout["default"]:
            where = f"{timeout['directive']} default"
        return float(timeout["seconds"]), where


def predict(
    wslint: WSLint, cwd: Path, version: str | None, files: list[Path], *args: str, path: bool = False
) -> Prediction:
    """Run the wslint CLI (as users do) on files; `path=True` runs `wslint path` (the JSON then has `paths`).
    version: the installed nginx's (--nginx-version), or None for a run without nginx files."""
    argv = ["path"] if path else []
    argv += [str(f.relative_to(cwd)) for f in files]
    argv += ["--output-format", "json", "--isolated", *(("--nginx-version", version) if version else ()), *args]
    run = wslint(*argv, cwd=cwd)
    assert run.out.startswith("{"), f"wslint {' '.join(argv)} exited {run.code}: {run.err}"
    return Prediction(json.loads(run.out), cwd)


# --- clients ------------------------------------------------------------------------------------------------------


async def handshake(port: int, path: str) -> str:
    """'upgraded' (and a message echoed), or how the handshake failed."""
    try:
        async with connect(f"ws://127.0.0.1:{port}{path}", ping_interval=None, open_timeout=5) as ws:
            await ws.send("hello")
            reply = await asyncio.wait_for(ws.recv(), 5)
            return "upgraded" if reply == "hello" else f"upgraded, echo {reply!r}"
    except InvalidStatus as error:
        return f"HTTP {error.response.status_code}"
    except (InvalidHandshake, ConnectionClosed, OSError, asyncio.TimeoutError) as error:
        return f"failed: {type(error).__name__}: {error}"


@dataclass
class Seen:
    """What an idle (or pinging) client saw: alive after the whole duration, or closed at `at` seconds."""

    at: float | None = None
    duration: float = SURVIVE  # how long it was watched
    code: int | None = None
    close_frame: bool = False
    sent: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.at is None

    def __str__(self) -> str:
        if self.at is None:
            return f"alive after {self.duration:g} s" + (f" ({self.sent} sent)" if self.sent else "")
        frame = "close frame" if self.close_frame else "no close frame"
        return f"closed at {self.at:.2f} s, {self.code} ({frame})"


async def watch(
    port: int, path: str, duration: float, every: float | None = None, what: str = "ping", data: str = "x"
) -> Seen:
    """Connect without automatic pings, then send nothing (every=None) or a ping / a message every `every` seconds,
    until the connection closes or `duration` seconds after the handshake."""
    seen = Seen(duration=duration)
    async with connect(f"ws://127.0.0.1:{port}{path}", ping_interval=None, open_timeout=5) as ws:
        started = time.monotonic()
        sender = asyncio.create_task(_send_every(ws, every, what, data, seen)) if every else None
        try:
            await asyncio.wait_for(ws.wait_closed(), duration)
            seen.at = time.monotonic() - started
            seen.code = ws.protocol.close_code
            seen.close_frame = ws.protocol.close_rcvd is not None
        except asyncio.TimeoutError:
            pass
        finally:
            if sender is not None:
                sender.cancel()
    return seen


async def _send_every(ws: ClientConnection, every: float, what: str, data: str, seen: Seen) -> None:
    action: Callable[[], Awaitable[object]] = ws.ping if what == "ping" else (lambda: ws.send(data))
    try:
        while True:
            await asyncio.sleep(every)
            await action()
            seen.sent += 1
    except ConnectionClosed:
        pass


def dropped_as_predicted(seen: Seen, predicted: float) -> bool:
    """A 1006 drop (no close frame) within [predicted - EARLY, predicted + LATE]."""
    return (
        seen.at is not None
        and predicted - EARLY <= seen.at <= predicted + LATE
        and seen.code == 1006
        and not seen.close_frame
    )


def drop_verdict(seen: Seen, predicted: float) -> str:
    return AGREE if dropped_as_predicted(seen, predicted) else DISAGREE


def keepalive_verdict(rules: list[str], seen: Seen) -> str:
    """No WS301/WS302: it must survive. WS301/WS302: a drop agrees; survival of a WS301 is by design on loopback."""
    if not rules:
        return AGREE if seen.alive else DISAGREE
    if seen.alive:
        return FLAGGED if rules == ["WS301"] else DISAGREE
    return AGREE


# --- WS101-WS105: the handshake -----------------------------------------------------------------------------------

BROKEN_LOCATIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # rule: (lines of the broken location, extra lines at server level, extra lines at http level)
    "WS101": ((UPGRADE, CONNECTION), "", ""),
    "WS102": ((HTTP11, CONNECTION), "", ""),
    "WS103": ((HTTP11, UPGRADE), "", ""),
    "WS104": (
        (HTTP11, "proxy_set_header X-Real-IP $remote_addr;"),
        f"        {UPGRADE}\n        {CONNECTION}\n",
        "",
    ),
    "WS105": (
        (HTTP11, UPGRADE, "proxy_set_header Connection $connection_swapped;"),
        "",
        "    map $http_upgrade $connection_swapped {\n        default close;\n        '' upgrade;\n    }\n",
    ),
}
WHAT_IS_MISSING = {
    "WS101": "no proxy_http_version 1.1",
    "WS102": "no Upgrade header",
    "WS103": "no Connection header",
    "WS104": "location's proxy_set_header hides server's Upgrade/Connection",
    "WS105": "Connection from a map that never yields upgrade",
}


@pytest.mark.parametrize("rule", list(BROKEN_LOCATIONS))
def test_handshake(
    rule: str, nginx_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """A broken location next to the fixed one in the same server: wslint flags only the broken one, nginx upgrades
    only the fixed one."""
    broken_lines, server_lines, http_lines = BROKEN_LOCATIONS[rule]
    fixed_lines = (*HEADERS, "proxy_set_header X-Real-IP $remote_addr;") if rule == "WS104" else HEADERS
    with backend("echo") as app:
        port = free_port()
        body = server_lines + location("/ws/broken", app, *broken_lines) + location("/ws/fixed", app, *fixed_lines)
        conf = nginx_conf(port, body, http_lines)
        path = write_nginx(tmp_path / "nginx", conf)
        text = path.read_text(encoding="utf-8")
        lint = predict(wslint, tmp_path, version, [path])
        broken = lint.rules(path, block_lines(text, "location /ws/broken"), "WS1")
        fixed = lint.rules(path, block_lines(text, "location /ws/fixed"), "WS1")
        with run_nginx(nginx_binary, tmp_path / "nginx", conf):
            got_broken = asyncio.run(handshake(port, "/ws/broken"))
            got_fixed = asyncio.run(handshake(port, "/ws/fixed"))
    predicted = f"broken: {','.join(broken) or 'nothing'}; fixed: {','.join(fixed) or 'nothing'}"
    observed = f"broken: {got_broken}; fixed: {got_fixed}"
    ok = broken == [rule] and not fixed and got_broken != "upgraded" and got_fixed == "upgraded"
    record(table, f"{rule} {WHAT_IS_MISSING[rule]}", predicted, observed, AGREE if ok else DISAGREE)


def test_handshake_undefined_map_variable(
    nginx_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """WS105's other case: Connection from a variable no map defines. nginx refuses the whole configuration ("unknown
    variable"), so nothing upgrades; the same config with the map upgrades."""
    with backend("echo") as app:
        port = free_port()
        lines = (HTTP11, UPGRADE, "proxy_set_header Connection $connection_upgrade;")
        body = location("/ws/", app, *lines)
        bad = nginx_conf(port, body)
        good = nginx_conf(
            port,
            body,
            "    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n",
        )
        bad_path = write_nginx(tmp_path / "bad", bad)
        good_path = write_nginx(tmp_path / "good", good)
        bad_rules = predict(wslint, tmp_path, version, [bad_path]).rules(bad_path, prefix="WS1")
        good_rules = predict(wslint, tmp_path, version, [good_path]).rules(good_path, prefix="WS1")
        try:
            with run_nginx(nginx_binary, tmp_path / "bad", bad):
                got_bad = asyncio.run(handshake(port, "/ws/"))
        except RuntimeError as error:
            emerg = [line for line in str(error).splitlines() if "[emerg]" in line]
            got_bad = "config rejected: " + (emerg[0].split(": ", 1)[1] if emerg else str(error))
        with run_nginx(nginx_binary, tmp_path / "good", good):
            got_good = asyncio.run(handshake(port, "/ws/"))
    predicted = f"undefined: {','.join(bad_rules) or 'nothing'}; with map: {','.join(good_rules) or 'nothing'}"
    observed = f"undefined: {got_bad}; with map: {got_good}"
    ok = bad_rules == ["WS105"] and not good_rules and got_bad != "upgraded" and got_good == "upgraded"
    record(table, "WS105 Connection from an undefined variable", predicted, observed, AGREE if ok else DISAGREE)


# --- WS201-WS203: one hop's idle timeout ----------------------------------------------------------------------------


def test_nginx_read_timeout(nginx_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """proxy_read_timeout T in the location: an idle client is dropped at T (no keepalive: WS302)."""
    with backend("silent") as app:
        port = free_port()
        conf = nginx_conf(port, location("/ws/", app, *HEADERS, f"proxy_read_timeout {T:g}s;"))
        path = write_nginx(tmp_path / "nginx", conf)
        lint = predict(wslint, tmp_path, version, [path], "--ping-interval", "0", path=True)
        seconds, where = lint.idle("location /ws/")
        rules = lint.rules(path, prefix="WS")
        with run_nginx(nginx_binary, tmp_path / "nginx", conf):
            seen = asyncio.run(watch(port, "/ws/", SURVIVE))
    predicted = f"idle {seconds:g} s ({where}); {','.join(r for r in rules if r[:3] in ('WS2', 'WS3'))}"
    record(table, f"nginx proxy_read_timeout {T:g}s, idle", predicted, str(seen), drop_verdict(seen, seconds))
    assert "WS302" in rules and "WS201" not in rules, rules


def test_nginx_read_timeout_default(
    nginx_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """No proxy_read_timeout (WS201): nginx's default 60 s applies. 60 s is not waited for: the connection must
    outlive 3 x T (no shorter cutoff anywhere); the same directive's drop at its value is the scenario above."""
    with backend("silent") as app:
        port = free_port()
        conf = nginx_conf(port, location("/ws/", app, *HEADERS))
        path = write_nginx(tmp_path / "nginx", conf)
        lint = predict(wslint, tmp_path, version, [path], "--ping-interval", "0", path=True)
        seconds, where = lint.idle("location /ws/")
        rules = lint.rules(path, prefix="WS2")
        with run_nginx(nginx_binary, tmp_path / "nginx", conf):
            seen = asyncio.run(watch(port, "/ws/", SURVIVE))
    predicted = f"idle {seconds:g} s ({where}); {','.join(rules)}"
    ok = seconds == 60 and rules == ["WS201"] and seen.alive
    observed = f"{seen} (60 s not waited: same directive as the 2s scenario)"
    record(table, "nginx proxy_read_timeout unset (default)", predicted, observed, AGREE if ok else DISAGREE)


HANDOFFS = {
    # name: lines of location /ws/ (besides a proxy_read_timeout of 4 x T that never applies)
    "try_files $uri @ws": ("try_files $uri @ws;",),
    "if ($http_upgrade) return 418 + error_page 418 = @ws": (
        "error_page 418 = @ws;",
        'if ($http_upgrade = "websocket") { return 418; }',
        "proxy_pass http://127.0.0.1:9;",
    ),
}


@pytest.mark.parametrize(("how", "handoff"), HANDOFFS.items(), ids=HANDOFFS.keys())
def test_nginx_timeout_of_a_location_that_hands_off(
    nginx_binary: str,
    version: str,
    wslint: WSLint,
    table: list[Row],
    tmp_path: Path,
    how: str,
    handoff: tuple[str, ...],
) -> None:
    """WS208: location /ws/ sets proxy_read_timeout 4 x T but hands WebSockets to @ws (T): dropped at T."""
    with backend("silent") as app:
        port = free_port()
        ws = "".join(f"            {line}\n" for line in handoff)
        body = f"        location /ws/ {{\n            proxy_read_timeout {4 * T:g}s;\n{ws}        }}\n" + location(
            "@ws", app, *HEADERS, f"proxy_read_timeout {T:g}s;"
        )
        conf = nginx_conf(port, body)
        path = write_nginx(tmp_path / "nginx", conf)
        lint = predict(wslint, tmp_path, version, [path], "--ping-interval", "0", path=True)
        seconds, where = lint.idle("location @ws")
        text = path.read_text(encoding="utf-8")
        line = line_of(text, f"proxy_read_timeout {4 * T:g}s")
        ignored = lint.rules(path, range(line, line + 1), prefix="WS208")
        with run_nginx(nginx_binary, tmp_path / "nginx", conf):
            seen = asyncio.run(watch(port, "/ws/", SURVIVE))
    predicted = f"idle {seconds:g} s ({where}); WS208 at the {4 * T:g}s line: {bool(ignored)}"
    ok = dropped_as_predicted(seen, seconds) and ignored == ["WS208"]
    record(table, f"nginx /ws/ {4 * T:g}s, {how}", predicted, str(seen), AGREE if ok else DISAGREE)


HAPROXY_CASES: dict[str, tuple[str, str, str, float, str]] = {
    # name: (defaults, frontend lines, backend lines, expected seconds, expected WS2xx rules)
    "HAProxy no tunnel: client 3s, server 2s": (
        "    timeout client 3s\n    timeout server 2s\n",
        "",
        "",
        2.0,
        "WS202",
    ),
    "HAProxy tunnel 2500ms in backend (client/server 1500ms)": (
        "    timeout client 1500ms\n    timeout server 1500ms\n",
        "",
        "    timeout tunnel 2500ms\n",
        2.5,
        "",
    ),
    "HAProxy tunnel 6s only in frontend (ignored; client 3s, server 2s)": (
        "    timeout client 3s\n    timeout server 2s\n",
        "    timeout tunnel 6s\n",
        "",
        2.0,
        "WS202",
    ),
    "HAProxy unitless tunnel 2500 (ms)": (
        "    timeout client 10s\n    timeout server 10s\n",
        "",
        "    timeout tunnel 2500\n",
        2.5,
        "WS203",
    ),
}


@pytest.mark.parametrize("name", list(HAPROXY_CASES))
def test_haproxy_timeouts(
    name: str, haproxy_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """An idle client through HAProxy is dropped at the timeout wslint computes for the backend."""
    defaults, frontend, backend_lines, expected, expected_rules = HAPROXY_CASES[name]
    with backend("silent") as app:
        port = free_port()
        conf = haproxy_conf(port, app, defaults, frontend, backend_lines)
        path = write_haproxy(tmp_path / "haproxy", conf)
        lint = predict(wslint, tmp_path, version, [path], "--ping-interval", "0", path=True)
        seconds, where = lint.idle("frontend fe -> backend ws")
        rules = [rule for rule in lint.rules(path, prefix="WS2") if rule != "WS204"]
        with run_haproxy(haproxy_binary, tmp_path / "haproxy", conf):
            seen = asyncio.run(watch(port, "/ws/", SURVIVE))
        output = (tmp_path / "haproxy" / "haproxy.stderr").read_text(encoding="utf-8", errors="replace")
    predicted = f"idle {seconds:g} s ({where}); {','.join(rules) or 'no WS2xx'}"
    ignored = "'timeout tunnel' will be ignored" in output
    observed = f"{seen}" + ("; HAProxy warns the tunnel is ignored" if ignored else "")
    record(table, name, predicted, observed, drop_verdict(seen, seconds))
    assert ignored is ("frontend" in name), output
    assert seconds == expected and ",".join(rules) == expected_rules, (seconds, rules, lint.findings)
    if "frontend" in name:  # WS202 names the tunnel HAProxy ignores
        (ws202,) = [f for f in lint.findings if f["rule"] == "WS202"]
        assert f"line {line_of(conf, 'timeout tunnel')} is in a frontend" in str(ws202["message"]), ws202


def haproxy_tcp_conf(port: int, upstream: int, mode: str, client: str, server: str, tunnel: str = "") -> str:
    """A haproxy.cfg in TCP mode: `mode tcp` in defaults, or (mode "") no mode line and no global/defaults at all."""
    if not mode:  # the frontend and backend an application's docs give: HAProxy's own defaults apply, mode tcp
        head, front, back = (
            "",
            f"    timeout client {client}\n",
            f"    timeout connect 2s\n    timeout server {server}\n",
        )
    else:
        head = (
            "global\n    hard-stop-after 10s\ndefaults\n"
            f"    {mode}\n    timeout connect 2s\n    timeout client {client}\n    timeout server {server}\n"
        )
        front = back = ""
    return (
        f"{head}frontend fe\n    bind 127.0.0.1:{port}\n{front}    default_backend ws\n"
        f"backend ws\n{back}{tunnel}    server app 127.0.0.1:{upstream}\n"
    )


HAPROXY_TCP_CASES: dict[str, tuple[str, str, str, str, float, str]] = {
    # name: (mode line, timeout client, timeout server, backend lines, expected seconds, directive of the idle)
    "HAProxy no mode line, no defaults (TCP): client 3s, server 2s": ("", "3s", "2s", "", 2.0, "timeout server"),
    "HAProxy mode tcp: client 2s, server 3s": ("mode tcp", "2s", "3s", "", 2.0, "timeout client"),
    "HAProxy mode tcp: tunnel 2500ms over client/server 1500ms": (
        "mode tcp",
        "1500ms",
        "1500ms",
        "    timeout tunnel 2500ms\n",
        2.5,
        "timeout tunnel",
    ),
}


@pytest.mark.parametrize("name", list(HAPROXY_TCP_CASES))
def test_haproxy_tcp_mode(
    name: str, haproxy_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """HAProxy in TCP mode (its default): the connection is a tunnel from its first byte. An idle client is dropped
    at the smaller of timeout client and server, or at timeout tunnel, which supersedes them; no WS202 there."""
    mode, client, server, backend_lines, expected, directive = HAPROXY_TCP_CASES[name]
    with backend("silent") as app:
        port = free_port()
        conf = haproxy_tcp_conf(port, app, mode, client, server, backend_lines)
        path = write_haproxy(tmp_path / "haproxy", conf)
        lint = predict(wslint, tmp_path, version, [path], "--ping-interval", "0", path=True)
        seconds, where = lint.idle("frontend fe -> backend ws")
        rules = lint.rules(path, prefix="WS")
        with run_haproxy(haproxy_binary, tmp_path / "haproxy", conf):
            seen = asyncio.run(watch(port, "/ws/", SURVIVE))
    predicted = f"idle {seconds:g} s ({where}); {','.join(rules) or 'nothing'}"
    record(table, name, predicted, str(seen), drop_verdict(seen, seconds))
    assert (seconds, where.split(" at ")[0]) == (expected, directive), (seconds, where)
    assert "WS202" not in rules and "WS204" not in rules and "WS302" in rules, lint.findings
    (ws302,) = [f for f in lint.findings if f["rule"] == "WS302"]
    assert "mode tcp" in str(ws302["message"]) and ws302["line"] == line_of(conf, f"{directive} "), ws302


# --- WS301-WS302: keepalive, on nginx and HAProxy at once ------------------------------------------------------------

KEEPALIVE_CASES: dict[str, tuple[str, float | None, str, float | None]] = {
    # name: (--ping-interval for wslint, client sends every (None: never), "ping"|"data", server pings every)
    "client pings every 1s (T/2)": ("1s", T / 2, "ping", None),
    "server pings every 1s (T/2)": ("1s", None, "ping", T / 2),
    "no pings": ("0", None, "ping", None),
    "client pings every 1.5s (0.75 T)": ("1500ms", 0.75 * T, "ping", None),
    "client data every 0.67s (T/3), server silent": ("666ms", T / 3, "data", None),
}


@pytest.mark.parametrize("name", list(KEEPALIVE_CASES))
def test_keepalive(
    name: str,
    nginx_binary: str,
    haproxy_binary: str,
    version: str,
    wslint: WSLint,
    table: list[Row],
    tmp_path: Path,
) -> None:
    """nginx (proxy_read_timeout T) and HAProxy (timeout tunnel T) side by side, one client each, at the same time.

    Traffic in either direction (client pings, server pings, client data) resets both proxies' timers, so the
    keepalive rule holds whichever side pings: wslint is told the interval of the side that sends."""
    ping, every, what, server_ping = KEEPALIVE_CASES[name]
    with ExitStack() as stack:
        app = stack.enter_context(backend("echo" if what == "ping" else "silent", server_ping=server_ping))
        nginx_port, haproxy_port = free_port(), free_port()
        nginx = nginx_conf(nginx_port, location("/ws/", app, *HEADERS, f"proxy_read_timeout {T:g}s;"))
        haproxy = haproxy_conf(
            haproxy_port, app, "    timeout client 10s\n    timeout server 10s\n", "", f"    timeout tunnel {T:g}s\n"
        )
        nginx_path = write_nginx(tmp_path / "nginx", nginx)
        haproxy_path = write_haproxy(tmp_path / "haproxy", haproxy)
        lint = predict(wslint, tmp_path, version, [nginx_path, haproxy_path], "--ping-interval", ping)
        stack.enter_context(run_nginx(nginx_binary, tmp_path / "nginx", nginx))
        stack.enter_context(run_haproxy(haproxy_binary, tmp_path / "haproxy", haproxy))

        async def both() -> list[Seen]:
            return list(
                await asyncio.gather(
                    watch(nginx_port, "/ws/", SURVIVE, every, what), watch(haproxy_port, "/ws/", SURVIVE, every, what)
                )
            )

        seen_nginx, seen_haproxy = asyncio.run(both())
    for proxy, path, seen in (("nginx", nginx_path, seen_nginx), ("HAProxy", haproxy_path, seen_haproxy)):
        rules = lint.rules(path, prefix="WS30")
        verdict = keepalive_verdict(rules, seen)
        if rules == ["WS302"] or (rules == ["WS301"] and not seen.alive):
            verdict = drop_verdict(seen, T)  # a predicted drop must also happen at T
        predicted = f"--ping-interval {ping}: {','.join(rules) or 'no WS301/WS302'}"
        record(table, f"{proxy} T={T:g}s, {name}", predicted, str(seen), verdict)


# --- a path of three hops -----------------------------------------------------------------------------------------


def test_chain_inner_hop_is_the_bottleneck(
    nginx_binary: str, haproxy_binary: str, version: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """nginx (proxy_read_timeout 3 x T) -> HAProxy (timeout tunnel T) -> app: `wslint path` names HAProxy's tunnel
    line as the bottleneck, and an idle client through nginx is dropped at T, by the inner hop."""
    with backend("silent") as app:
        nginx_port, haproxy_port = free_port(), free_port()
        haproxy = haproxy_conf(
            haproxy_port, app, "    timeout client 30s\n    timeout server 30s\n", "", f"    timeout tunnel {T:g}s\n"
        )
        nginx = nginx_conf(nginx_port, location("/ws/", haproxy_port, *HEADERS, f"proxy_read_timeout {3 * T:g}s;"))
        haproxy_path = write_haproxy(tmp_path / "haproxy", haproxy)
        nginx_path = write_nginx(tmp_path / "nginx", nginx)
        lint = predict(wslint, tmp_path, version, [nginx_path, haproxy_path], "--ping-interval", f"{T:g}s", path=True)
        paths = lint.report["paths"]
        assert isinstance(paths, list)
        bottleneck = paths[0]["bottleneck"]
        hop = paths[0]["hops"][bottleneck["hop"] - 1]
        route = hop["routes"][bottleneck["route"]]
        timeout = route["idle_timeout"]
        tunnel_line = line_of(haproxy, "timeout tunnel")
        named = [
            f
            for f in lint.findings
            if f["file"] == "haproxy/haproxy.cfg"
            and f["line"] == tunnel_line
            and "this is the bottleneck of path" in str(f["message"])
        ]
        with (
            run_haproxy(haproxy_binary, tmp_path / "haproxy", haproxy),
            run_nginx(nginx_binary, tmp_path / "nginx", nginx),
        ):
            seen = asyncio.run(watch(nginx_port, "/ws/", SURVIVE))
    predicted = (
        f"bottleneck hop {bottleneck['hop']} ({hop['kind']}) {timeout['directive']} at "
        f"haproxy.cfg:{timeout['line']}, {timeout['seconds']:g} s; {','.join(sorted({str(f['rule']) for f in named}))}"
    )
    ok = (
        hop["kind"] == "haproxy"
        and timeout["line"] == tunnel_line
        and timeout["seconds"] == T
        and bool(named)
        and dropped_as_predicted(seen, float(timeout["seconds"]))
    )
    record(table, "chain nginx 6s -> HAProxy tunnel 2s -> app, idle", predicted, str(seen), AGREE if ok else DISAGREE)


# --- Apache httpd 2.4 -----------------------------------------------------------------------------------------------
# Debian's apache2 (mpm_event) in front of tests/ws_backend.py, with a config of its own (tests/realproxy.py
# apache_conf: ServerRoot, PidFile and logs in tmp, the proxy modules loaded from /usr/lib/apache2/modules).
# wslint's prediction comes from its Apache source (`wslint path apache2.conf`); a row whose prediction wslint cannot
# give (no Apache source, or a route it does not report) keeps its measurement, which is checked against the
# behaviour measured for the issue, and is marked xfail with the reason.

APACHE_NO_PREDICTION = "no prediction"


def write_apache(directory: Path, conf: str) -> Path:
    """The apache2.conf exactly as run_apache will write it, so wslint lints what apache2 runs."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "apache2.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def apache_lint(wslint: WSLint, tmp_path: Path, path: Path, *args: str) -> Prediction | None:
    """`wslint path apache2.conf` (JSON), or None while wslint does not read Apache configurations."""
    lint = predict(wslint, tmp_path, None, [path], *args, path=True)
    paths = lint.report.get("paths")
    if not isinstance(paths, list) or not paths or paths[0]["hops"][0]["kind"] != "apache":
        return None
    return lint


def apache_idle(lint: Prediction, route: str) -> tuple[float, str] | None:
    """(seconds, origin) of a route's predicted idle timeout (inf: none at all), or None if the route is not there."""
    routes = lint.routes()
    if route not in routes or not isinstance(routes[route].get("idle_timeout"), dict):
        return None
    timeout = routes[route]["idle_timeout"]
    if timeout["infinite"]:
        return math.inf, f"{timeout['directive']} at {Path(str(timeout['file'])).name}:{timeout['line']}"
    return lint.idle(route)


def unpredicted(table: list[Row], name: str, observed: str, reason: str) -> None:
    """The row of a scenario wslint cannot predict yet: the measurement stays in the table; the test xfails."""
    table.append(Row(name, APACHE_NO_PREDICTION, observed, "xfail"))
    pytest.xfail(reason)


NO_APACHE_SOURCE = "wslint has no Apache source yet (branch i22-apache): only the measurement is checked"


APACHE_UPGRADE_CASES = {
    # case: (broken rule, fixed rule (APP: the backend port), row name)
    "upgrade=": (
        "ProxyPass /ws/broken http://127.0.0.1:APP/ws/broken",
        "ProxyPass /ws/fixed http://127.0.0.1:APP/ws/fixed upgrade=websocket",
        "Apache WS107 http:// ProxyPass without upgrade=websocket",
    ),
    "ws-upgrade-list": (
        "ProxyPass /ws/broken ws://127.0.0.1:APP/ws/broken upgrade=h2c",
        "ProxyPass /ws/fixed ws://127.0.0.1:APP/ws/fixed upgrade=h2c,websocket",
        "Apache WS107 ws:// ProxyPass with upgrade=h2c (replaces the WebSocket default)",
    ),
}


@pytest.mark.parametrize("case", [*APACHE_UPGRADE_CASES, "shadowed"])
def test_apache_handshake(case: str, apache2_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """upgrade=: an http:// ProxyPass without `upgrade=websocket` strips the Upgrade header (the backend answers 426)
    and the same ProxyPass with it upgrades; wslint flags only the first (WS107). ws-upgrade-list: the same for a
    ws:// ProxyPass whose upgrade= list replaces its WebSocket default.
    shadowed: `ProxyPass / http://…` written before `ProxyPass /ws/ ws://…` catches the WebSocket requests first
    (the first matching ProxyPass wins), so the handshake fails (426) while the same two rules in the other order
    upgrade; wslint flags only the shadowed route (WS108)."""
    with backend("echo") as app:
        port, other = free_port(), free_port()
        if case in APACHE_UPGRADE_CASES:
            broken_rule, fixed_rule, name = APACHE_UPGRADE_CASES[case]
            body = f"Timeout 10\n{broken_rule}\n{fixed_rule}\n".replace("APP", str(app))
            bad = good = apache_conf(tmp_path / "apache", port, body)
            bad_path = good_path = write_apache(tmp_path / "apache", bad)
            bad_url, good_url, bad_port, good_port = "/ws/broken", "/ws/fixed", port, port
            rule, bad_route, good_route = "WS107", "ProxyPass /ws/broken", "ProxyPass /ws/fixed"
        else:
            catch_all = f"ProxyPass / http://127.0.0.1:{app}/\n"
            ws = f"ProxyPass /ws/ ws://127.0.0.1:{app}/ws/\n"
            bad = apache_conf(tmp_path / "shadowed", port, "Timeout 10\n" + catch_all + ws)
            good = apache_conf(tmp_path / "ordered", other, "Timeout 10\n" + ws + catch_all)
            bad_path, good_path = write_apache(tmp_path / "shadowed", bad), write_apache(tmp_path / "ordered", good)
            bad_url = good_url = "/ws/chat"
            bad_port, good_port = port, other
            rule, bad_route, good_route = "WS108", "ProxyPass /ws/", "ProxyPass /ws/"
            name = "Apache WS108 ProxyPass / before ProxyPass /ws/ ws://"
        with ExitStack() as stack:
            stack.enter_context(run_apache(apache2_binary, bad_path.parent, bad))
            if good_path != bad_path:
                stack.enter_context(run_apache(apache2_binary, good_path.parent, good))
            got_bad = asyncio.run(handshake(bad_port, bad_url))
            got_good = asyncio.run(handshake(good_port, good_url))
        bad_lint = apache_lint(wslint, tmp_path, bad_path)
        good_lint = bad_lint if good_path == bad_path else apache_lint(wslint, tmp_path, good_path)
    observed = f"broken: {got_bad}; fixed: {got_good}"
    # the behaviour measured for the issue (HOPS.md §5): the backend refuses the stripped handshake with 426
    assert (got_bad, got_good) == ("HTTP 426", "upgraded"), observed
    if bad_lint is None or good_lint is None:
        unpredicted(table, name, observed, NO_APACHE_SOURCE)
        return
    bad_text, good_text = bad_path.read_text(encoding="utf-8"), good_path.read_text(encoding="utf-8")
    bad_line = line_of(bad_text, bad_route + " ")
    good_line = line_of(good_text, good_route + " ")
    broken = bad_lint.rules(bad_path, range(bad_line, bad_line + 1), "WS1")
    fixed = good_lint.rules(good_path, range(good_line, good_line + 1), "WS1")
    predicted = f"broken: {','.join(broken) or 'nothing'}; fixed: {','.join(fixed) or 'nothing'}"
    record(table, name, predicted, observed, AGREE if broken == [rule] and not fixed else DISAGREE)


def test_apache_ws_target_without_wstunnel(
    apache2_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path
) -> None:
    """A ws:// target (ProxyPass, and RewriteRule [P]) with mod_proxy_wstunnel NOT loaded: Apache 2.4.71's
    mod_proxy_http tunnels it by itself, so the handshake succeeds, and wslint must not say it fails (no WS1xx)."""
    modules = tuple(module for module in APACHE_MODULES if module[0] != "proxy_wstunnel_module")
    name = "Apache ws:// ProxyPass and RewriteRule [P], mod_proxy_wstunnel not loaded"
    with backend("echo") as app:
        port = free_port()
        body = (
            "Timeout 10\n"
            f"ProxyPass /ws/a/ ws://127.0.0.1:{app}/ws/a/\n"
            "RewriteEngine On\n"
            f"RewriteRule ^/ws/b/(.*) ws://127.0.0.1:{app}/ws/b/$1 [P,L]\n"
        )
        conf = apache_conf(tmp_path / "apache", port, body, modules=modules)
        path = write_apache(tmp_path / "apache", conf)
        lint = apache_lint(wslint, tmp_path, path)
        with run_apache(apache2_binary, tmp_path / "apache", conf):
            got = [asyncio.run(handshake(port, url)) for url in ("/ws/a/x", "/ws/b/x")]
    observed = f"ProxyPass: {got[0]}; RewriteRule: {got[1]}"
    assert got == ["upgraded", "upgraded"], observed  # measured for this suite on 2.4.71
    if lint is None:
        unpredicted(table, name, observed, NO_APACHE_SOURCE)
        return
    rules = lint.rules(path, prefix="WS1")
    routes = sorted(lint.routes())
    predicted = f"routes {', '.join(routes)}; {','.join(rules) or 'no WS1xx'}"
    record(table, name, predicted, observed, AGREE if not rules and len(routes) == 2 else DISAGREE)


APACHE_IDLE_CASES: dict[str, tuple[str, str, float, str, str]] = {
    # name: (server lines, the proxy rule (APP: the backend port), measured drop (HOPS.md §5), the directive wslint
    # must name, WS2xx); the route is the rule's first two words
    "Apache Timeout 3": (
        "Timeout 3\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket",
        3.0,
        "Timeout",
        "",
    ),
    "Apache Timeout 3, ProxyTimeout 6 (max)": (
        "Timeout 3\nProxyTimeout 6\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket",
        6.0,
        "ProxyTimeout",
        "",
    ),
    # the max-rule makes ProxyTimeout 3 irrelevant: WS208 on it
    "Apache Timeout 6, ProxyTimeout 3 (max)": (
        "Timeout 6\nProxyTimeout 3\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket",
        6.0,
        "Timeout",
        "WS208",
    ),
    "Apache Timeout 3, worker timeout=5": (
        "Timeout 3\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket timeout=5",
        5.0,
        "timeout=",
        "",
    ),
    # ws:// targets (mod_proxy_wstunnel hands them to mod_proxy_http's tunnel by default), RewriteRule [P] too
    "Apache Timeout 2, ProxyPass ws://": ("Timeout 2\n", "ProxyPass /ws/ ws://127.0.0.1:APP/ws/", 2.0, "Timeout", ""),
    "Apache Timeout 2, RewriteRule ws:// [P]": (
        "Timeout 2\nRewriteEngine On\n",
        "RewriteRule ^/ws/(.*) ws://127.0.0.1:APP/ws/$1 [P,L]",
        2.0,
        "Timeout",
        "",
    ),
    # Apache reads times with atoi: the unit is dropped, "2s" is 2 seconds (WS206 says so)
    "Apache Timeout 2s (atoi: 2 s)": (
        "Timeout 2s\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket",
        2.0,
        "Timeout",
        "WS206",
    ),
}


@pytest.mark.parametrize("name", list(APACHE_IDLE_CASES))
def test_apache_idle(name: str, apache2_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """An idle WebSocket through Apache (mod_proxy_http's tunnel, 2.4.47+) is dropped at the larger of the client's
    Timeout and the backend's ProxyTimeout or worker timeout=: wslint's idle timeout for the route."""
    server, rule, measured, directive, expected_rules = APACHE_IDLE_CASES[name]
    route = " ".join(rule.split()[:2])
    with backend("silent") as app:
        port = free_port()
        conf = apache_conf(tmp_path / "apache", port, f"{server}{rule.replace('APP', str(app))}\n")
        path = write_apache(tmp_path / "apache", conf)
        lint = apache_lint(wslint, tmp_path, path, "--ping-interval", "0")
        with run_apache(apache2_binary, tmp_path / "apache", conf):
            seen = asyncio.run(watch(port, "/ws/", measured + 2))
    observed = str(seen)
    assert dropped_as_predicted(seen, measured), f"{name}: measured {measured:g} s for the issue, now {seen}"
    idle = apache_idle(lint, route) if lint is not None else None
    if idle is None:
        unpredicted(table, name, observed, NO_APACHE_SOURCE if lint is None else f"no route {route!r}")
        return
    seconds, where = idle
    assert lint is not None
    rules = lint.rules(path, prefix="WS2")
    predicted = f"idle {seconds:g} s ({where}); {','.join(rules) or 'no WS2xx'}"
    record(table, name, predicted, observed, drop_verdict(seen, seconds))
    assert (seconds, where.split(" ")[0]) == (measured, directive), (seconds, where)
    assert ",".join(rules) == expected_rules, lint.findings


def test_apache_keepalive(apache2_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """Timeout T: a client pinging every T/2, and a server pinging every T/2, both survive three timeouts (traffic
    either way restarts the tunnel's poll); wslint, told the interval, fires neither WS301 nor WS302."""
    with ExitStack() as stack:
        quiet = stack.enter_context(backend("echo"))
        pinging = stack.enter_context(backend("echo", server_ping=T / 2))
        port = free_port()
        body = (
            f"Timeout {T:g}\n"
            f"ProxyPass /ws/client/ http://127.0.0.1:{quiet}/ws/ upgrade=websocket\n"
            f"ProxyPass /ws/server/ http://127.0.0.1:{pinging}/ws/ upgrade=websocket\n"
        )
        conf = apache_conf(tmp_path / "apache", port, body)
        path = write_apache(tmp_path / "apache", conf)
        lint = apache_lint(wslint, tmp_path, path, "--ping-interval", f"{T / 2:g}s")
        stack.enter_context(run_apache(apache2_binary, tmp_path / "apache", conf))

        async def both() -> list[Seen]:
            return list(
                await asyncio.gather(watch(port, "/ws/client/", SURVIVE, T / 2), watch(port, "/ws/server/", SURVIVE))
            )

        seen_client, seen_server = asyncio.run(both())
    rows = ((f"Apache Timeout {T:g}, client pings every {T / 2:g}s", seen_client),
            (f"Apache Timeout {T:g}, server pings every {T / 2:g}s", seen_server))  # fmt: skip
    for name, seen in rows:
        assert seen.alive, f"{name}: measured alive for the issue, now {seen}"
    if lint is None:
        for name, seen in rows:
            table.append(Row(name, APACHE_NO_PREDICTION, str(seen), "xfail"))
        pytest.xfail(NO_APACHE_SOURCE)
    assert lint is not None
    rules = lint.rules(path, prefix="WS30")
    for name, seen in rows:
        predicted = f"--ping-interval {T / 2:g}s: {','.join(rules) or 'no WS301/WS302'}"
        record(table, name, predicted, str(seen), keepalive_verdict(rules, seen))


APACHE_ALIVE_CASES: dict[str, tuple[str, str, float]] = {
    # name: (server lines, the WebSocket ProxyPass with APP for the backend port, the idle timeout wslint must give)
    f"Apache Timeout {T:g}, ProxyWebsocketFallbackToProxyHttp Off, ws://": (
        f"Timeout {T:g}\nProxyWebsocketFallbackToProxyHttp Off\n",
        "ProxyPass /ws/ ws://127.0.0.1:APP/ws/",
        math.inf,
    ),
    "Apache Timeout 1, worker timeout=1500ms (atoi: 1500 s)": (
        "Timeout 1\n",
        "ProxyPass /ws/ http://127.0.0.1:APP/ws/ upgrade=websocket timeout=1500ms",
        1500.0,
    ),
}


def test_apache_survives(apache2_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """Two idle WebSockets that outlive the seconds the config seems to say, watched at the same time:
    `ProxyWebsocketFallbackToProxyHttp Off` + a ws:// target runs mod_proxy_wstunnel's pre-2.4.47 engine, which polls
    without a timeout (wslint: no idle timeout); `timeout=1500ms` is read with atoi as 1500 s (wslint: 1500 s and
    WS206 on the line)."""
    with ExitStack() as stack:
        app = stack.enter_context(backend("silent"))
        runs: list[tuple[str, int, Path]] = []
        for number, (name, (server, proxy_pass, _)) in enumerate(APACHE_ALIVE_CASES.items()):
            port = free_port()
            directory = tmp_path / f"apache{number}"
            conf = apache_conf(directory, port, f"{server}{proxy_pass.replace('APP', str(app))}\n")
            path = write_apache(directory, conf)
            stack.enter_context(run_apache(apache2_binary, directory, conf))
            runs.append((name, port, path))

        async def all_of_them() -> list[Seen]:
            return list(await asyncio.gather(*(watch(port, "/ws/", SURVIVE) for _, port, _ in runs)))

        seens = asyncio.run(all_of_them())
    for (name, _, _), seen in zip(runs, seens, strict=True):
        assert seen.alive, f"{name}: measured alive for the issue, now {seen}"
    missing: list[str] = []
    for (name, _, path), seen in zip(runs, seens, strict=True):
        lint = apache_lint(wslint, tmp_path, path, "--ping-interval", "0")
        idle = apache_idle(lint, "ProxyPass /ws/") if lint is not None else None
        if lint is None or idle is None:
            table.append(Row(name, APACHE_NO_PREDICTION, str(seen), "xfail"))
            missing.append(NO_APACHE_SOURCE if lint is None else f"{name}: no route 'ProxyPass /ws/'")
            continue
        seconds, where = idle
        rules = lint.rules(path, prefix="WS20")
        predicted = (
            f"idle {'none' if math.isinf(seconds) else f'{seconds:g} s'} ({where}); {','.join(rules) or 'no WS20x'}"
        )
        expected = APACHE_ALIVE_CASES[name][2]
        ok = seconds == expected and seconds > SURVIVE and ("WS206" in rules) is ("atoi" in name)
        record(table, name, predicted, str(seen), AGREE if ok else DISAGREE)
    if missing:
        pytest.xfail("; ".join(sorted(set(missing))))
