"""Proof of `wslint logs` on what the real nginx and HAProxy log: WS701 (observed-timeout-close) must name the timeout
that closed the WebSockets, and only the WebSockets it closed.

Each scenario runs the real proxy on 127.0.0.1 (tests/realproxy.py) with logging as measured for the issue (nginx:
`error_log FILE info`, an access log whose log_format has `$request_time` and a `combined` one; HAProxy: `option
httplog` and `log stdout format raw local0 info`, run in the foreground with -db, its output kept in a file) in front
of tests/ws_backend.py, and drives four WebSockets at once through a 2 s idle timeout: two stay idle (dropped at 2 s,
no close frame), one closes normally after 0.5 s, one sends a message every 0.5 s and closes normally after 3.5 s.
Each has its own path (/ws/idle1, /ws/idle2, /ws/short, /ws/chatty), so the log lines of each are known. Once every
close is logged the proxy is stopped, and `wslint logs LOG... CONFIG --output-format json --isolated` reads the files
as the proxy left them:

1. nginx, error_log at info: one WS701 at the `proxy_read_timeout 2s` line, counting 2 WebSockets, whose related
   log lines are the idle ones' (error log and access log) and no other; a note says `combined` has no $request_time;
2. nginx, error_log at error (the default level): a note says the timeout lines are missing at that level; the
   access log alone still gives WS701 at the `proxy_read_timeout 2s` line;
3. HAProxy `timeout tunnel 2s` (client/server 30s): one WS701 at the tunnel line, counting 2, the idle ones' lines;
4. HAProxy without `timeout tunnel` (client 2s, server 30s): one WS701 at the route's idle timeout as `wslint path`
   gives it, the `timeout client 2s` line.

The table of predicted vs observed is printed at the end of the module. It is this module's own, as
tests/test_real_caddy.py's is (tests/test_proof.py's table is a fixture of that module); its rows, the clients
(watch) and the prediction (`wslint path`) are tests/test_proof.py's.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realproxy import NGINX_HTTP_PATHS, backend, free_port, print_table, run_haproxy, run_nginx
from tests.test_proof import (
    AGREE,
    DISAGREE,
    HEADERS,
    SURVIVE,
    Prediction,
    Row,
    Seen,
    T,
    WSLint,
    dropped_as_predicted,
    handshake,
    haproxy_conf,
    line_of,
    location,
    nginx_conf,
    predict,
    watch,
)

pytestmark = [pytest.mark.proxies, pytest.mark.timeout(30)]

IDLE = ("/ws/idle1", "/ws/idle2")  # dropped by the idle timeout T
SHORT, SHORT_FOR = "/ws/short", 0.5  # closed normally after 0.5 s
CHATTY, CHATTY_FOR, EVERY = "/ws/chatty", 3.5, 0.5  # a message every 0.5 s, closed normally after 3.5 s
LOGGED_WITHIN = 3.0  # seconds a proxy gets to write the log line of a close the client has seen
ROUTE = "frontend fe -> backend ws"  # the HAProxy route of haproxy_conf


@pytest.fixture(scope="module")
def table(request: pytest.FixtureRequest) -> Iterator[list[Row]]:
    rows: list[Row] = []
    yield rows
    if rows:
        print_table(
            request,
            f"wslint logs on the real proxies' logs (T = {T:g} s; 2 idle + 2 normal WebSockets each)",
            [("scenario", "wslint logs reports", "proxy observed", "verdict")]
            + [(r.name, r.predicted, r.observed, r.verdict) for r in rows],
        )


def settle(table: list[Row], name: str, predicted: str, observed: str, problems: list[str]) -> None:
    """Add the row (agree, or DISAGREE when anything is wrong), then fail the scenario with what is wrong."""
    table.append(Row(name, predicted, observed, AGREE if not problems else DISAGREE))
    assert not problems, f"{name}:\n" + "\n".join(problems)


# --- clients and logs -----------------------------------------------------------------------------------------------


async def four_websockets(port: int) -> dict[str, Seen]:
    """The two idle WebSockets, the short one and the chatty one, at the same time: what each saw, by path."""
    seen = await asyncio.gather(
        *(watch(port, path, SURVIVE) for path in IDLE),
        watch(port, SHORT, SHORT_FOR),
        watch(port, CHATTY, CHATTY_FOR, EVERY, "data"),
    )
    return dict(zip((*IDLE, SHORT, CHATTY), seen, strict=True))


def client_problems(seen: dict[str, Seen]) -> list[str]:
    """The idle ones dropped at T (1006, no close frame), the others alive until they closed normally."""
    problems = [f"proxy: {path} {seen[path]}, not dropped at {T:g} s" for path in IDLE
                if not dropped_as_predicted(seen[path], T)]  # fmt: skip
    problems += [f"proxy: {path} {seen[path]}, not alive until its normal close" for path in (SHORT, CHATTY)
                 if not seen[path].alive]  # fmt: skip
    return problems


def observed(seen: dict[str, Seen]) -> str:
    return "; ".join(f"{path.rsplit('/', 1)[1]} {seen[path]}" for path in seen)


def numbers(log: Path, *needles: str) -> list[int]:
    """The numbers (1-based) of the lines of log holding every needle."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return [n for n, line in enumerate(text.splitlines(), 1) if all(needle in line for needle in needles)]


def wait_logged(log: Path, needle: str, count: int) -> None:
    """Wait (bounded) until log holds count lines with needle: every close is written before the proxy stops."""
    deadline = time.monotonic() + LOGGED_WITHIN
    while len(numbers(log, needle)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def idle_lines(directory: Path, log: str, *needles: str) -> set[tuple[str, int]]:
    """(log, line) of each line of the idle WebSockets in a log of directory (with every needle too)."""
    return {(log, n) for path in IDLE for n in numbers(directory / log, f"GET {path} ", *needles)}


# --- wslint logs ----------------------------------------------------------------------------------------------------


def wslint_logs(wslint: WSLint, cwd: Path, *files: str) -> tuple[Prediction, str]:
    """`wslint logs FILES --output-format json --isolated` run in cwd: the report and stderr."""
    run = wslint("logs", *files, "--output-format", "json", "--isolated", cwd=cwd)
    assert run.out.startswith("{"), f"wslint logs {' '.join(files)} exited {run.code}: {run.err}"
    return Prediction(json.loads(run.out), cwd), run.err


def counts(message: str) -> list[int]:
    """The WebSockets a WS701 message counts: the lead ("2 WebSockets closed by ...") and each log's count."""
    return [int(n) for n in re.findall(r"(?:^|the logs show |; )(\d+) ", message)]


def ws701_problems(
    lint: Prediction, file: str, line: int, count: int, related: set[tuple[str, int]]
) -> tuple[str, list[str]]:
    """(what wslint reports, what is wrong): exactly one WS701, at file:line, counting `count` WebSockets in its
    message, whose related log lines are exactly `related`."""
    found = [f for f in lint.findings if f["rule"] == "WS701"]
    if len(found) != 1:
        return f"{len(found)} WS701", [f"{len(found)} WS701 findings, not 1: {found}"]
    (ws701,) = found
    message = str(ws701["message"])
    related_lines = ws701["related"]
    assert isinstance(related_lines, list), ws701
    got = {(str(r["file"]), int(r["line"])) for r in related_lines}
    said = counts(message)
    shown = ",".join(f"{name}:{n}" for name, n in sorted(got))
    predicted = f"WS701 at {ws701['file']}:{ws701['line']}, {said[0] if said else '?'} closed; related {shown}"
    problems = []
    if (ws701["file"], ws701["line"]) != (file, line):
        problems.append(f"wslint: WS701 at {ws701['file']}:{ws701['line']}, not {file}:{line}")
    if not said or any(n != count for n in said):
        problems.append(f"wslint: WS701 counts {said}, not {count} each: {message}")
    if got != related:
        problems.append(f"wslint: related log lines {sorted(got)}, not the idle WebSockets' {sorted(related)}")
    return predicted, problems


# --- nginx ----------------------------------------------------------------------------------------------------------

WS_FORMAT = (  # the measurement's format, less $host and $server_name
    "log_format ws '$remote_addr [$time_local] \"$request\" $status $request_time $upstream_response_time $uri';"
)


def nginx_logging(tmp: Path, port: int, app: int, level: str, body: str = "") -> str:
    """nginx.conf: error_log tmp/error.log at level, access logs tmp/access.log (ws: with $request_time) and
    tmp/access_combined.log (combined), the temp paths in tmp; location /ws/ with proxy_read_timeout T; then body."""
    temp = " ".join(f"{name} {tmp / name.replace('_path', '')};" for name in NGINX_HTTP_PATHS if name != "access_log")
    http = (
        f"    {temp}\n"
        f"    {WS_FORMAT}\n"
        f"    access_log {tmp / 'access.log'} ws;\n"
        f"    access_log {tmp / 'access_combined.log'} combined;\n"
    )
    server = location("/ws/", app, *HEADERS, f"proxy_read_timeout {T:g}s;") + body
    return f"error_log {tmp / 'error.log'} {level};\n" + nginx_conf(port, server, http)


def test_nginx_logs_info(nginx_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """error_log at info and the ws and combined access logs: WS701 at proxy_read_timeout, the idle ones only."""
    directory = tmp_path / "nginx"
    with backend("echo") as app:
        port = free_port()
        conf = nginx_logging(directory, port, app, "info")
        with run_nginx(nginx_binary, directory, conf):
            seen = asyncio.run(four_websockets(port))
            wait_logged(directory / "access.log", " 101 ", 4)
            wait_logged(directory / "access_combined.log", " 101 ", 4)
    lint, err = wslint_logs(wslint, directory, "error.log", "access.log", "access_combined.log", "nginx.conf")
    timed_out = idle_lines(directory, "error.log", "upstream timed out")
    related = timed_out | idle_lines(directory, "access.log")
    line = line_of(conf, f"proxy_read_timeout {T:g}s")
    predicted, problems = ws701_problems(lint, "nginx.conf", line, len(IDLE), related)
    problems += client_problems(seen)
    if len(timed_out) != len(IDLE) or len(related) != 2 * len(IDLE):
        problems.append(f"nginx: idle WebSockets' lines {sorted(related)}, not 2 timeouts and 2 access lines")
    combined_note = [n for n in err.splitlines() if "access_combined.log" in n and "$request_time" in n]
    if not combined_note:
        problems.append(f"wslint: no note that access_combined.log (combined) has no $request_time: {err!r}")
    settle(
        table,
        f"nginx error_log info, ws + combined access logs, proxy_read_timeout {T:g}s",
        predicted + ("; note: combined has no $request_time" if combined_note else ""),
        observed(seen),
        problems,
    )


def test_nginx_logs_error_level(nginx_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """error_log at error (nginx's default level): the upgraded connection's timeout (level info) is not logged, and
    wslint says so; a refused upstream (/down/, level error) gives the error log a line. The access log alone still
    shows the idle WebSocket closed at proxy_read_timeout."""
    directory = tmp_path / "nginx"
    with backend("echo") as app:
        port, dead = free_port(), free_port()
        conf = nginx_logging(directory, port, app, "error", location("/down/", dead))
        with run_nginx(nginx_binary, directory, conf):

            async def idle_and_down() -> tuple[Seen, str]:
                return await asyncio.gather(watch(port, IDLE[0], SURVIVE), handshake(port, "/down/"))

            idle, down = asyncio.run(idle_and_down())
            wait_logged(directory / "access.log", " 101 ", 1)
    lint, err = wslint_logs(wslint, directory, "error.log", "access.log", "access_combined.log", "nginx.conf")
    line = line_of(conf, f"proxy_read_timeout {T:g}s")
    related = {("access.log", n) for n in numbers(directory / "access.log", f"GET {IDLE[0]} ")}
    predicted, problems = ws701_problems(lint, "nginx.conf", line, 1, related)
    errors = numbers(directory / "error.log", "[error]")
    if not dropped_as_predicted(idle, T):
        problems.append(f"proxy: {IDLE[0]} {idle}, not dropped at {T:g} s")
    if down != "HTTP 502" or not errors or numbers(directory / "error.log", "timed out"):
        problems.append(f"nginx: /down/ {down}, error log lines at error {errors}, or a timeout logged at error")
    # wslint's own wording, matched loosely: the note names the error log and the level the timeouts are logged at
    level_note = [n for n in err.splitlines() if "error.log" in n and "level info" in n]
    if not level_note:
        problems.append(f"wslint: no note that the timeout lines are missing at error_log level error: {err!r}")
    settle(
        table,
        f"nginx error_log error, proxy_read_timeout {T:g}s",
        predicted + ("; note: timeouts need level info" if level_note else ""),
        f"idle1 {idle}; /down/ {down}; error log: {len(errors)} [error], no timeout line",
        problems,
    )


# --- HAProxy --------------------------------------------------------------------------------------------------------

HAPROXY_LOGGING = "    log stdout format raw local0 info\n    option httplog\n"


def haproxy_run(
    haproxy_binary: str, wslint: WSLint, directory: Path, timeouts: str
) -> tuple[str, dict[str, Seen], Prediction, str]:
    """HAProxy (mode http, option httplog, log to stdout) with timeouts in defaults, four WebSockets through it, then
    `wslint logs haproxy.stderr haproxy.cfg` (haproxy.stderr: its stdout and stderr, as run_haproxy keeps them)."""
    with backend("echo") as app:
        port = free_port()
        conf = haproxy_conf(port, app, HAPROXY_LOGGING + timeouts)
        with run_haproxy(haproxy_binary, directory, conf):
            seen = asyncio.run(four_websockets(port))
            wait_logged(directory / "haproxy.stderr", '"GET /ws/', 4)
    lint, err = wslint_logs(wslint, directory, "haproxy.stderr", "haproxy.cfg")
    return conf, seen, lint, err


def test_haproxy_logs_tunnel(haproxy_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """timeout tunnel T over client/server 30s: WS701 at the tunnel line, the idle ones (cD) only."""
    directory = tmp_path / "haproxy"
    timeouts = f"    timeout client 30s\n    timeout server 30s\n    timeout tunnel {T:g}s\n"
    conf, seen, lint, _err = haproxy_run(haproxy_binary, wslint, directory, timeouts)
    related = idle_lines(directory, "haproxy.stderr")
    predicted, problems = ws701_problems(lint, "haproxy.cfg", line_of(conf, "timeout tunnel"), len(IDLE), related)
    problems += client_problems(seen)
    if len(related) != len(IDLE) or len(idle_lines(directory, "haproxy.stderr", " cD")) != len(IDLE):
        problems.append(f"HAProxy: idle WebSockets' lines {sorted(related)}, not 2 with cD")
    settle(table, f"HAProxy httplog, timeout tunnel {T:g}s", predicted, observed(seen), problems)


def test_haproxy_logs_client_timeout(haproxy_binary: str, wslint: WSLint, table: list[Row], tmp_path: Path) -> None:
    """No timeout tunnel, timeout client T, server 30s: WS701 at the route's idle timeout (`wslint path`), which is
    the `timeout client` line."""
    directory = tmp_path / "haproxy"
    timeouts = f"    timeout client {T:g}s\n    timeout server 30s\n"
    conf, seen, lint, _err = haproxy_run(haproxy_binary, wslint, directory, timeouts)
    idle = predict(wslint, directory, None, [directory / "haproxy.cfg"], path=True).routes()[ROUTE]["idle_timeout"]
    assert isinstance(idle, dict), f"wslint path: no idle timeout for {ROUTE}: {idle}"
    related = idle_lines(directory, "haproxy.stderr")
    line = line_of(conf, f"timeout client {T:g}s")
    predicted, problems = ws701_problems(lint, "haproxy.cfg", line, len(IDLE), related)
    problems += client_problems(seen)
    if (idle["directive"], idle["seconds"], idle["line"]) != ("timeout client", T, line):
        problems.append(f"wslint path: the route's idle timeout is {idle}, not timeout client {T:g}s at line {line}")
    if len(related) != len(IDLE) or len(idle_lines(directory, "haproxy.stderr", " cD")) != len(IDLE):
        problems.append(f"HAProxy: idle WebSockets' lines {sorted(related)}, not 2 with cD")
    settle(
        table,
        f"HAProxy httplog, no tunnel, timeout client {T:g}s, server 30s",
        f"{predicted}; path: idle {idle['directive']} line {idle['line']}",
        observed(seen),
        problems,
    )
