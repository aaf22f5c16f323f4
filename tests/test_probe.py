"""``wslint probe URL [FILE...]``: a live endpoint measured, and the cutoff matched to the configuration.

First against a WebSocket backend without a proxy (tests/realproxy.py ``backend``, and in-process servers for
what it does not do: a close frame, a refused handshake, TLS, headers), then through the real nginx and HAProxy
on 127.0.0.1 (``pytest -m proxies``). Only 127.0.0.1 is ever probed; every JSON report is validated against
wslint/schemas/probe.schema.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from tests.conftest import Run
from tests.realproxy import backend, free_port, nginx_version, run_haproxy, run_nginx
from wslint import intermediaries
from wslint.model import Location
from wslint.probe import Match, Observation, candidates, close_enough, explain, render_text, suspects
from wslint.probe import _lint as probe_lint

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "wslint/schemas/probe.schema.json").read_text("utf-8"))
KEYS = {
    "url",
    "outcome",
    "idle_seconds",
    "close_code",
    "close_reason",
    "closed_by",
    "status",
    "server_pings",
    "matches",
}
T = 2.0  # the proxies' idle timeout in the proxy scenarios


def report(run: Run) -> dict[str, Any]:
    """The JSON report of a run, checked against the schema and the exact key set of issue 7."""
    data: dict[str, Any] = json.loads(run.out)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert set(data) == KEYS
    return data


def one_line_error(run: Run) -> str:
    assert run.code == 2, (run.out, run.err)
    assert run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wslint: error: "), run.err
    return lines[0]


@contextmanager
def ws_server(
    handler: Callable[[ServerConnection], None],
    process_request: Callable[[ServerConnection, Request], Response | None] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """A websockets server in a thread of the test process on 127.0.0.1; yields its port, shuts it down after."""
    with serve(handler, "127.0.0.1", 0, process_request=process_request, ssl=ssl_context, ping_interval=None) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield int(server.socket.getsockname()[1])
        finally:
            server.shutdown()
            thread.join(timeout=5)


def _wait_for_close(ws: ServerConnection) -> None:
    for _ in ws:
        pass


# -- the schema and the matching, in-process ---------------------------------------------------------------


def test_schema_is_valid_draft_2020_12_and_closed() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["additionalProperties"] is False
    assert set(SCHEMA["required"]) == KEYS
    assert SCHEMA["properties"]["matches"]["items"]["additionalProperties"] is False


def test_tolerance_is_one_second_or_five_percent() -> None:
    assert close_enough(2.9, 2) and not close_enough(3.1, 2)
    assert close_enough(62.9, 60) and not close_enough(63.5, 60)
    assert close_enough(3450, 3600) and not close_enough(3400, 3600)


def _known(tmp_path: Path, files: dict[str, str], *named: str) -> list[Match]:
    """The candidates the probe's own lint step finds in files written into tmp_path (and named intermediaries)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = argparse.Namespace(
        files=[str(tmp_path / name) for name in files] + list(named),
        config=None,
        isolated=True,
        nginx_prefix=None,
        nginx_version=None,
    )
    known, _ = probe_lint(args)
    return known


NGINX_DEFAULT = """\
events {}
http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location /long/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 350s;
        }
    }
}
"""


def closed(idle: float, age: float | None = None) -> Observation:
    return Observation(
        "ws://127.0.0.1:1/ws/", "closed", idle, 1006, "", "peer", 101, open_seconds=idle if age is None else age
    )


def test_a_default_timeout_matches_with_its_place(tmp_path: Path) -> None:
    known = _known(tmp_path, {"nginx.conf": NGINX_DEFAULT})
    matches = explain(closed(60.04), known)
    assert [(m.hop, m.setting, m.file, m.line, m.seconds) for m in matches] == [
        ("nginx location /ws/", "proxy_read_timeout", str(tmp_path / "nginx.conf"), 5, 60.0)
    ]
    text = render_text(closed(60.04), matches, ["nginx.conf"])
    assert text.splitlines()[0] == "ws://127.0.0.1:1/ws/: dropped after 60.0 s idle"
    assert f"  matches nginx location /ws/: proxy_read_timeout (default 60s) at {tmp_path}/nginx.conf:5" in text
    # 350 s matches the written one, not the NLB suspect
    assert [m.line for m in explain(closed(351.0), known)] == [16]
    assert "usual suspect" not in render_text(closed(351.0), explain(closed(351.0), known), ["nginx.conf"])


def test_no_match_says_so_and_names_the_usual_suspects(tmp_path: Path) -> None:
    known = _known(tmp_path, {"nginx.conf": NGINX_DEFAULT})
    obs = closed(100.3)
    assert explain(obs, known) == []
    text = render_text(obs, [], ["nginx.conf"])
    assert "nothing in the given configuration explains it (an intermediary wslint was not told about?)" in text
    assert "1m40s is a usual suspect:" in text and "Cloudflare Proxy Read Timeout" in text
    # without files: no "given configuration", the suspects still
    sixty = render_text(closed(59.8), [], [])
    assert "given configuration" not in sixty
    for suspect in ("nginx proxy_read_timeout (default 60s)", "AWS ALB", "Classic ELB", "ingress-nginx", "HAProxy"):
        assert suspect in sixty
    assert [s.seconds for s in suspects(closed(350.5))] == [350]
    assert suspects(closed(42.0)) == []
    assert "usual suspect" not in render_text(closed(42.0), [], [])


def test_a_lifetime_cap_is_matched_by_age_not_idle_time() -> None:
    known = candidates([intermediaries.hop("gcp", Location(file="wslint.toml", line=3))])
    assert [(m.setting, m.seconds, m.lifetime) for m in known] == [("backend service timeout", 30.0, True)]
    pinging = closed(0.4, age=30.2)  # pinged every second, cut at 30 s anyway
    assert [m.hop for m in explain(pinging, known)] == ["Google Cloud load balancer"]
    assert explain(closed(30.2, age=95.0), known) == []
    text = render_text(pinging, explain(pinging, known), ["gcp"])
    assert (
        "  matches Google Cloud load balancer: lifetime cap backend service timeout (default 30s) at wslint.toml:3"
        in text
    )


def test_intermediaries_named_among_the_files_are_hops(tmp_path: Path) -> None:
    known = _known(tmp_path, {"nginx.conf": NGINX_DEFAULT}, "cloudflare")
    matches = explain(closed(100.4), known)
    assert [(m.hop, m.setting, m.file, m.line) for m in matches] == [
        ("Cloudflare", "Proxy Read Timeout", "command line", None)
    ]
    assert "matches Cloudflare: Proxy Read Timeout (default 1m40s) on the command line — documented as" in render_text(
        closed(100.4), matches, ["cloudflare"]
    )


def test_one_place_is_one_match_naming_every_route_set_there(tmp_path: Path) -> None:
    classic = (Path(__file__).parent / "fixtures/cloudformation/classic.yaml").read_text(encoding="utf-8")
    known = _known(tmp_path, {"classic.yaml": classic})
    matches = explain(closed(60.2), known)
    assert [(m.hop, m.setting, m.line) for m in matches] == [
        ("Classic ELB WebElb listener 80, Classic ELB WebElb listener 443", "ConnectionSettings.IdleTimeout", 3)
    ]
    assert matches[0].to_json()["hop"] == "Classic ELB WebElb listener 80, Classic ELB WebElb listener 443"


def test_a_plain_lint_never_imports_websockets_or_the_probe(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX_DEFAULT, encoding="utf-8")
    code = (
        "import sys\nfrom wslint.cli import main\nmain(['--isolated', '--exit-zero', sys.argv[1]])\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] == 'websockets' or m == 'wslint.probe'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=60
    )
    assert "LOADED []" in proc.stdout, proc.stdout + proc.stderr


# -- against a backend without a proxy -----------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_silent_backend_stays_alive_until_max_idle(wslint: Callable[..., Run]) -> None:
    with backend("silent") as port:
        run = wslint("probe", f"ws://127.0.0.1:{port}/", "--max-idle", "1.5s", "--output-format", "json")
    assert run.code == 0, run.err
    data = report(run)
    assert data["outcome"] == "alive" and data["closed_by"] == "client" and data["status"] == 101
    assert 1.4 <= data["idle_seconds"] <= 2.0
    assert data["server_pings"] == 0 and data["matches"] == []
    assert run.err == ""  # no progress line: stderr is not a terminal


@pytest.mark.timeout(60)
def test_server_pings_are_answered_counted_and_explain_survival(wslint: Callable[..., Run]) -> None:
    with backend("silent", server_ping=0.3) as port:
        text = wslint("probe", f"ws://127.0.0.1:{port}/", "--max-idle", "1.6s")
        data = report(wslint("probe", f"ws://127.0.0.1:{port}/", "--max-idle", "1.6s", "--output-format", "json"))
    assert text.code == 0
    assert "server pings explain the survival" in text.out
    assert data["outcome"] == "alive" and data["server_pings"] >= 3
    assert data["idle_seconds"] < 0.5  # our pongs are traffic


@pytest.mark.timeout(60)
def test_a_progress_line_on_stderr_only_on_a_terminal() -> None:
    pty = pytest.importorskip("pty")
    with backend("silent") as port:
        master, slave = pty.openpty()
        argv = [sys.executable, "-m", "wslint", "probe", f"ws://127.0.0.1:{port}/", "--max-idle", "2.5s"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("WSLINT_")} | {"TERM": "xterm"}
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        out = proc.communicate(timeout=30)[0].decode()
        err = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other end is closed
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
    assert proc.returncode == 0
    assert "\r\x1b[Kwslint probe: open 1s, idle 1s" in err.decode()
    assert err.endswith(b"\r\x1b[K")  # cleared before the report
    assert out.startswith(f"ws://127.0.0.1:{port}/: alive after 2.5 s") and "\x1b" not in out


@pytest.mark.timeout(60)
def test_pinging_keeps_it_and_says_survived(wslint: Callable[..., Run]) -> None:
    with backend("echo") as port:
        run = wslint("probe", f"ws://127.0.0.1:{port}/", "--ping-interval", "0.3s", "--duration", "1.5s")
    assert run.code == 0, run.err
    first = run.out.splitlines()[0]
    assert re.fullmatch(
        rf"ws://127\.0\.0\.1:{port}/: survived 1\.\d s with a ping every 300ms \(\d pings sent, \d pongs back\)", first
    ), first
    sent = re.search(r"\((\d) pings sent, (\d) pongs back", first)
    assert sent and 3 <= int(sent.group(1)) <= 5 and int(sent.group(2)) >= int(sent.group(1)) - 1, first


@pytest.mark.timeout(60)
def test_a_close_frame_is_the_servers(wslint: Callable[..., Run]) -> None:
    def handler(ws: ServerConnection) -> None:
        time.sleep(0.8)
        ws.close(4000, "idle for too long")

    with ws_server(handler) as port:
        text = wslint("probe", f"ws://127.0.0.1:{port}/", "--max-idle", "5s")
        data = report(wslint("probe", f"ws://127.0.0.1:{port}/", "--max-idle", "5s", "--output-format", "json"))
    assert text.code == 1
    first, *rest = text.out.splitlines()
    idle = re.fullmatch(rf"ws://127\.0\.0\.1:{port}/: closed after (\d\.\d) s idle", first)
    assert idle and 0.7 <= float(idle.group(1)) <= 1.5, first
    assert rest == ["  the server sent a close frame (4000 'idle for too long')"]
    assert data["outcome"] == "closed" and data["closed_by"] == "server"
    assert (data["close_code"], data["close_reason"]) == (4000, "idle for too long")


@pytest.mark.timeout(60)
def test_headers_are_sent_and_a_refused_handshake_reports_its_status(wslint: Callable[..., Run]) -> None:
    seen: list[Headers] = []

    def gate(connection: ServerConnection, request: Request) -> Response | None:
        seen.append(request.headers)
        if request.headers.get("Authorization") != "Bearer t0ken":
            return connection.respond(403, "no token\n")
        return None

    with ws_server(_wait_for_close, process_request=gate) as port:
        url = f"ws://127.0.0.1:{port}/"
        refused = wslint("probe", url, "--output-format", "json")
        allowed = wslint("probe", url, "-H", "Authorization: Bearer t0ken", "-H", "X-Probe: 1", "--max-idle", "0.5s")
    assert refused.code == 1
    data = report(refused)
    assert (data["outcome"], data["status"], data["closed_by"]) == ("handshake-failed", 403, None)
    assert allowed.code == 0, allowed.out + allowed.err
    assert seen[-1]["X-Probe"] == "1" and seen[-1]["Upgrade"] == "websocket"


@pytest.mark.timeout(60)
def test_wss_with_a_self_signed_certificate_needs_insecure(wslint: Callable[..., Run], tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is missing: no certificate to test wss:// with")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    subprocess.run(
        [openssl, *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with ws_server(_wait_for_close, ssl_context=context) as port:
        strict = wslint("probe", f"wss://127.0.0.1:{port}/", "--max-idle", "0.5s")
        insecure = wslint("probe", f"wss://127.0.0.1:{port}/", "--insecure", "--max-idle", "0.5s")
    line = one_line_error(strict)
    assert "TLS handshake with 127.0.0.1:" in line and "--insecure" in line
    assert insecure.code == 0, insecure.err
    assert "alive after 0.5 s" in insecure.out


@pytest.mark.timeout(60)
def test_a_closed_port_is_exit_2_with_one_line(wslint: Callable[..., Run]) -> None:
    port = free_port()
    line = one_line_error(wslint("probe", f"ws://127.0.0.1:{port}/ws/"))
    assert line == f"wslint: error: cannot connect to 127.0.0.1:{port}: connection refused"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "the following arguments are required: URL"),
        (("http://127.0.0.1:1/",), "is not a WebSocket URL"),
        (("ws://127.0.0.1:1/", "-H", "no colon"), "expected 'Name: value'"),
        (("ws://127.0.0.1:1/", "--max-idle", "soon"), "--max-idle: invalid duration"),
        (("ws://127.0.0.1:1/", "--max-idle", "0"), "must be more than 0"),
        (("ws://127.0.0.1:1/", "--max-idle", "1s", "--duration", "2s"), "give one"),
        (("ws://127.0.0.1:1/", "--output-format", "sarif"), "invalid choice"),
        (("ws://127.0.0.1:1/", "missing.conf"), "missing.conf: no such file"),
    ],
)
def test_bad_arguments_are_exit_2_with_one_line_and_no_connection(
    wslint: Callable[..., Run], args: tuple[str, ...], says: str
) -> None:
    assert says in one_line_error(wslint("probe", *args))


# -- through the real nginx and HAProxy ------------------------------------------------------------------------

NGINX = """\
events {{}}
http {{
    server {{
        listen 127.0.0.1:{port};
        location /ws/ {{
            proxy_pass http://127.0.0.1:{app};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout {timeout};
        }}
        location /http10/ {{
            proxy_pass http://127.0.0.1:{app};
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }}
    }}
}}
"""

HAPROXY = """\
global
    log stdout format raw local0 emerg
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe_ws
    bind 127.0.0.1:{port}
    default_backend be_ws
backend be_ws
    timeout tunnel {timeout}
    server app 127.0.0.1:{app}
"""


@contextmanager
def proxy(kind: str, binary: str, tmp: Path, app: int) -> Iterator[tuple[int, Path, int]]:
    """(port, config file, line of the idle timeout) of nginx or HAProxy with a T idle timeout in front of app."""
    port = free_port()
    template, directive, run = (
        (NGINX, "proxy_read_timeout", run_nginx) if kind == "nginx" else (HAPROXY, "timeout tunnel", run_haproxy)
    )
    conf = template.format(port=port, app=app, timeout=f"{T:g}s")
    line = next(n for n, text in enumerate(conf.splitlines(), 1) if text.strip().startswith(directive))
    with run(binary, tmp / kind, conf) as path:
        yield port, path, line


@pytest.fixture(params=["nginx", "haproxy"])
def proxy_binary(request: pytest.FixtureRequest) -> tuple[str, str]:
    fixture = "nginx_binary" if request.param == "nginx" else "haproxy_binary"
    return request.param, request.getfixturevalue(fixture)


SETTING = {"nginx": "proxy_read_timeout", "haproxy": "timeout tunnel"}
HOP = {"nginx": "nginx location /ws/", "haproxy": "haproxy frontend fe_ws -> backend be_ws"}
PATH = {"nginx": "/ws/", "haproxy": "/"}


@pytest.mark.proxies
@pytest.mark.timeout(60)
def test_an_idle_connection_is_dropped_at_the_proxy_timeout_and_matched(
    wslint: Callable[..., Run], proxy_binary: tuple[str, str], tmp_path: Path
) -> None:
    kind, binary = proxy_binary
    with backend("silent") as app, proxy(kind, binary, tmp_path, app) as (port, conf, line):
        url = f"ws://127.0.0.1:{port}{PATH[kind]}"
        data = report(wslint("probe", url, str(conf), "--isolated", "--max-idle", "10s", "--output-format", "json"))
        text = wslint("probe", url, str(conf), "--isolated", "--max-idle", "10s")
    assert data["outcome"] == "closed" and data["closed_by"] == "peer"
    assert (data["close_code"], data["close_reason"], data["status"]) == (1006, "", 101)
    assert T - 0.1 <= data["idle_seconds"] <= T + 0.6
    assert data["matches"] == [
        {"hop": HOP[kind], "setting": SETTING[kind], "file": str(conf), "line": line, "seconds": T}
    ]
    assert text.code == 1
    lines = text.out.splitlines()
    assert re.fullmatch(rf"{re.escape(url)}: dropped after 2\.\d s idle", lines[0]), lines
    assert "without a close frame (code 1006)" in lines[1]
    assert lines[2] == f"  matches {HOP[kind]}: {SETTING[kind]} 2s at {conf}:{line}"
    assert len(lines) == 3


@pytest.mark.proxies
@pytest.mark.timeout(60)
def test_a_cutoff_the_given_files_do_not_explain_says_so(
    wslint: Callable[..., Run], nginx_binary: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.conf"
    other.write_text(NGINX.format(port=1, app=2, timeout="30s"), encoding="utf-8")
    with backend("silent") as app, proxy("nginx", nginx_binary, tmp_path, app) as (port, _, _):
        run = wslint("probe", f"ws://127.0.0.1:{port}/ws/", str(other), "--isolated", "--max-idle", "10s")
    assert run.code == 1
    assert "  nothing in the given configuration explains it (an intermediary wslint was not told about?)" in run.out
    assert "usual suspect" not in run.out  # 2 s is nobody's default


@pytest.mark.proxies
@pytest.mark.timeout(60)
def test_client_pings_keep_the_connection_through_the_proxy(
    wslint: Callable[..., Run], proxy_binary: tuple[str, str], tmp_path: Path
) -> None:
    kind, binary = proxy_binary
    with backend("silent") as app, proxy(kind, binary, tmp_path, app) as (port, _, _):
        url = f"ws://127.0.0.1:{port}{PATH[kind]}"
        run = wslint("probe", url, "--ping-interval", "0.5s", "--duration", "5s", "--output-format", "json")
    assert run.code == 0, run.err
    data = report(run)
    assert data["outcome"] == "alive" and data["closed_by"] == "client" and data["server_pings"] == 0
    assert data["idle_seconds"] < 0.6


@pytest.mark.proxies
@pytest.mark.timeout(60)
def test_server_pings_keep_it_and_the_report_says_so(
    wslint: Callable[..., Run], proxy_binary: tuple[str, str], tmp_path: Path
) -> None:
    kind, binary = proxy_binary
    with backend("silent", server_ping=0.5) as app, proxy(kind, binary, tmp_path, app) as (port, conf, _):
        url = f"ws://127.0.0.1:{port}{PATH[kind]}"
        text = wslint("probe", url, str(conf), "--isolated", "--max-idle", "5s")
        data = report(wslint("probe", url, "--max-idle", "5s", "--output-format", "json"))
    assert text.code == 0, text.err
    assert re.fullmatch(r"  the server sent \d+ pings: server pings explain the survival, .*", text.out.splitlines()[1])
    assert data["outcome"] == "alive" and data["server_pings"] >= 7 and data["matches"] == []


@pytest.mark.proxies
@pytest.mark.timeout(60)
def test_a_handshake_nginx_forwards_over_http_1_0_fails_with_its_status(
    wslint: Callable[..., Run], nginx_binary: str, tmp_path: Path
) -> None:
    with backend("echo") as app, proxy("nginx", nginx_binary, tmp_path, app) as (port, conf, _):
        url = f"ws://127.0.0.1:{port}/http10/"
        data = report(wslint("probe", url, "--output-format", "json"))
        version = nginx_version(nginx_binary)
        text = wslint("probe", url, str(conf), "--isolated", "--nginx-version", version)
    assert data["outcome"] == "handshake-failed" and data["status"] == 505  # FACTS.md: the app refuses HTTP/1.0
    assert text.code == 1
    lines = text.out.splitlines()
    assert lines[0] == f"{url}: handshake failed: HTTP 505 HTTP Version Not Supported"
    assert lines[1].startswith(
        f"  the configuration says why: {conf}:12:9: WS101 location /http10/ proxies with HTTP/1.0"
    )
