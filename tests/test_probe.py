"""``wslint probe URL [FILE...]``: a live endpoint measured, and the cutoff matched to the configuration.

First against a WebSocket backend without a proxy (tests/realproxy.py ``backend``, and in-process servers for
what it does not do: a close frame, a refused handshake, TLS, headers), then through the real nginx and HAProxy
on 127.0.0.1 (``pytest -m proxies``). Only 127.0.0.1 is ever probed; every JSON report is validated against
wslint/schemas/probe.schema.json.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve
from websockets.utils import accept_key

from tests.conftest import Run
from tests.realproxy import backend, free_port, nginx_version, run_haproxy, run_nginx
from wslint import intermediaries
from wslint.model import Location
from wslint.probe import (
    Match,
    Observation,
    candidates,
    close_enough,
    explain,
    lint_files,
    redact,
    render_text,
    suspects,
)
from wslint.probe import _scrub as scrub
from wslint.settings import CommandLine

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


@contextmanager
def tcp_server(handler: Callable[[socket.socket], None]) -> Iterator[int]:
    """A bare TCP server on 127.0.0.1, one thread: handler(connection) for each connection in turn, whatever it
    does to the peer (OSError from a client gone is ignored); the connection is closed after. Yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                with suppress(OSError):
                    handler(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=15)
        listener.close()


def read_head(conn: socket.socket) -> bytes:
    """The HTTP request head (up to the blank line) the client sent."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    return head


def until_eof(conn: socket.socket, seconds: float = 5.0) -> None:
    """Read (and drop) what the client sends until it closes, for at most ``seconds``."""
    conn.settimeout(seconds)
    while conn.recv(65536):
        pass


def upgrade_response(head: bytes) -> bytes:
    """The 101 response to a WebSocket handshake request head."""
    key = re.search(rb"(?im)^sec-websocket-key:[ \t]*(\S+)", head)
    assert key, head
    accept = accept_key(key[1].decode()).encode()
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


@contextmanager
def recording_listener() -> Iterator[tuple[int, Callable[[], bool]]]:
    """A listening socket that never accepts: yields (port, connected()), whether any client connected to it."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)

        def connected() -> bool:
            try:
                listener.accept()[0].close()
            except BlockingIOError:
                return False
            return True

        yield int(listener.getsockname()[1]), connected


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
    known, _ = lint_files([str(tmp_path / name) for name in files] + list(named), CommandLine(isolated=True))
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


# an environment without websockets (wslint installed without the `probe` extra): a finder that finds no websockets,
# as an environment where it is not installed
WITHOUT_WEBSOCKETS = """
import sys
from importlib.abc import MetaPathFinder

class NoWebsockets(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "websockets":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoWebsockets())
from wslint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_probe_without_websockets_says_how_to_install_it(tmp_path: Path) -> None:
    """websockets is the `probe` extra (issue 20): `wslint probe` without it is one line and exit 2, a lint works."""
    (tmp_path / "nginx.conf").write_text(NGINX_DEFAULT, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_WEBSOCKETS, *args], capture_output=True, text=True, timeout=60, env=env
        )

    probe = run("probe", "ws://127.0.0.1:9/ws")
    assert probe.returncode == 2, probe.stdout + probe.stderr
    assert probe.stdout == "" and len(probe.stderr.splitlines()) == 1, probe.stderr
    assert "pip install 'wslint[probe]'" in probe.stderr and "Traceback" not in probe.stderr
    assert run("probe", "--help").returncode == 0  # the help needs no websockets
    lint = run("--isolated", "--exit-zero", str(tmp_path / "nginx.conf"))
    assert lint.returncode == 0 and "WS201" in lint.stdout, lint.stdout + lint.stderr


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
        (("ws://127.0.0.1:1/", "--max-message-size", "lots"), "--max-message-size: invalid size"),
        (("ws://127.0.0.1:1/", "--max-message-size", "0"), "--max-message-size must be more than 0"),
    ],
)
def test_bad_arguments_are_exit_2_with_one_line_and_no_connection(
    wslint: Callable[..., Run], args: tuple[str, ...], says: str
) -> None:
    assert says in one_line_error(wslint("probe", *args))


# -- bounded and discreet (issue 17) ---------------------------------------------------------------------------


def frame_header(length: int) -> bytes:
    """A server's (unmasked) binary frame header announcing ``length`` bytes of payload."""
    return b"\x82\x7f" + length.to_bytes(8, "big")


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("option", "length", "limit", "delay"),
    [
        (("--max-message-size", "64KiB"), 1 << 20, 65536, 0.0),  # a whole 1 MiB frame, in the 101's own segment
        ((), 1 << 31, 1 << 20, 0.3),  # a 2 GiB frame announced (1 MiB of it sent) against the default limit
    ],
    ids=["1MiB-frame-over-64KiB-option", "2GiB-frame-over-default"],
)
def test_a_frame_over_the_limit_is_frame_too_large_and_ends_the_probe(
    wslint: Callable[..., Run], option: tuple[str, ...], length: int, limit: int, delay: float
) -> None:
    def handler(conn: socket.socket) -> None:
        response = upgrade_response(read_head(conn))
        if delay:
            conn.sendall(response)
            time.sleep(delay)
            response = b""
        conn.sendall(response + frame_header(length))
        for _ in range(16):  # 1 MiB of the payload, whatever was announced
            conn.sendall(bytes(65536))
        until_eof(conn)

    with tcp_server(handler) as port:
        url = f"ws://127.0.0.1:{port}/"
        started = time.monotonic()
        text = wslint("probe", url, *option, "--max-idle", "8s")
        data = report(wslint("probe", url, *option, "--max-idle", "8s", "--output-format", "json"))
        elapsed = time.monotonic() - started
    says = f"frame too large: a frame of {length} bytes, over the {limit}-byte limit (--max-message-size)"
    assert text.code == 1, text.out + text.err
    lines = text.out.splitlines()
    assert lines[0] == f"{url}: frame too large: the server sent {says.partition(': ')[2]}"
    assert lines[1].startswith("  wslint closed the connection (1009)") and len(lines) == 2
    assert text.err == ""
    assert (data["outcome"], data["closed_by"], data["close_code"]) == ("closed", "client", 1009)
    assert data["close_reason"] == says and data["matches"] == []
    assert elapsed < 8  # the probe stopped at the frame: it did not wait for --max-idle (twice)


def test_the_message_limit_and_its_default_are_in_help(wslint: Callable[..., Run]) -> None:
    run = wslint("probe", "--help")
    assert run.code == 0
    text = " ".join(run.out.split())
    assert "--max-message-size N" in text and "default 1MiB" in text and "frame too large" in text


SECRET = "s3cr3t"


@pytest.mark.timeout(60)
def test_a_password_in_the_url_is_shown_as_stars_in_text_and_json(wslint: Callable[..., Run]) -> None:
    authorizations: list[str | None] = []

    def gate(connection: ServerConnection, request: Request) -> Response | None:
        authorizations.append(request.headers.get("Authorization"))
        return None if request.path == "/ok" else connection.respond(403, "no\n")

    with ws_server(_wait_for_close, process_request=gate) as port:
        runs = {
            (fmt, path): wslint(
                "probe", f"ws://user:{SECRET}@127.0.0.1:{port}{path}", "--max-idle", "0.3s", "--output-format", fmt
            )
            for fmt in ("text", "json")
            for path in ("/ok", "/no")
        }
    for run in runs.values():
        assert SECRET not in run.out + run.err
    shown = f"ws://user:***@127.0.0.1:{port}"
    assert runs["text", "/ok"].out.startswith(f"{shown}/ok: alive after")
    assert runs["text", "/no"].out.startswith(f"{shown}/no: handshake failed: HTTP 403")
    assert report(runs["json", "/ok"])["url"] == f"{shown}/ok"
    assert report(runs["json", "/no"])["url"] == f"{shown}/no"
    # shown as ***, still sent: the credentials are the handshake's Basic authorization
    assert authorizations == [f"Basic {base64.b64encode(f'user:{SECRET}'.encode()).decode()}"] * 4


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("wss://user:s3cr3t@host/ws", "wss://user:***@host/ws"),
        ("wss://user:s3cr3t@host:8443?x=1", "wss://user:***@host:8443?x=1"),
        ("ws://t0ken@host/ws", "ws://***@host/ws"),
        ("ws://user:p@ss@host/", "ws://user:***@host/"),  # the last @ ends the user info, as urllib reads it
        ("ws://host/users/@me", "ws://host/users/@me"),  # an @ in the path is no user info
        ("ws://host/ws", "ws://host/ws"),
    ],
)
def test_redact_hides_the_password_and_nothing_else(url: str, shown: str) -> None:
    assert redact(url) == shown
    assert scrub(f"ValueError: {url} (user info {url.partition('//')[2].rpartition('@')[0]}@)", url) == (
        f"ValueError: {shown} (user info {shown.partition('//')[2].rpartition('@')[0]}@)"
    )


def _silent(conn: socket.socket) -> None:
    until_eof(conn)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ws://user:{secret}@127.0.0.1:{port}/ws", "ws://user:***@127.0.0.1:{port}/ws"),  # no handshake response
        ("http://user:{secret}@127.0.0.1:{port}/ws", "http://***@127.0.0.1:{port}/ws"),  # not a WebSocket URL
        ("ws://{secret}@127.0.0.1:{port}/ws", "ws://***@127.0.0.1:{port}/ws"),  # a token alone (refused)
        ("ws://user:{secret}/x@127.0.0.1:{port}/ws", "ws://***@127.0.0.1:{port}/ws"),  # a '/' in it: no URL
    ],
    ids=["handshake-timeout", "not-a-websocket-url", "token-without-password", "unparsable"],
)
def test_a_password_in_the_url_is_never_in_an_error(wslint: Callable[..., Run], url: str, shown: str) -> None:
    with tcp_server(_silent) as port:
        run = wslint("probe", url.format(secret=SECRET, port=port), "--connect-timeout", "0.5s")
    line = one_line_error(run)
    assert SECRET not in line
    assert shown.format(port=port) in line


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "header",
    [
        f"X-A\r: {SECRET}",
        f"X\rInjected: {SECRET}",
        f"X A: {SECRET}",
        f"\u00dcber: {SECRET}",
        f"Authorization: Bearer {SECRET}\rX: y",
        f"Authorization: Bearer {SECRET}\nX: y",
        f"Authorization: Bearer {SECRET}\x01",
        f"Authorization: Bearer {SECRET}\x7f",
        f"Authorization: Bearer {SECRET}\u00e9",
        f"Authorization: Bearer {SECRET}\u2603",
        f"Authorization Bearer {SECRET}",
    ],
    ids=[
        "cr-after-name",
        "cr-in-name",
        "space-in-name",
        "non-ascii-name",
        "bare-cr-in-value",
        "lf-in-value",
        "control-in-value",
        "del-in-value",
        "latin-1-in-value",
        "non-latin-1-in-value",
        "no-colon",
    ],
)
def test_a_header_that_cannot_be_sent_is_refused_before_connecting(wslint: Callable[..., Run], header: str) -> None:
    with recording_listener() as (port, connected):
        run = wslint("probe", f"ws://127.0.0.1:{port}/", "-H", header, "--connect-timeout", "1s")
        assert not connected()
    line = one_line_error(run)
    assert line.startswith("wslint: error: -H: ")
    assert SECRET not in line  # a value is never quoted: it may be a token


@pytest.mark.timeout(60)
def test_a_tab_in_a_header_value_is_sent(wslint: Callable[..., Run]) -> None:
    seen: list[Headers] = []

    def record(connection: ServerConnection, request: Request) -> Response | None:
        seen.append(request.headers)
        return None

    with ws_server(_wait_for_close, process_request=record) as port:
        run = wslint("probe", f"ws://127.0.0.1:{port}/", "-H", "X-Tab: a\tb", "--max-idle", "0.3s")
    assert run.code == 0, run.err
    assert seen[-1]["X-Tab"] == "a\tb"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/ws HTTP/1.0", "/ws%20HTTP/1.0"),
        ("/a b?q=x y&z=<1>", "/a%20b?q=x%20y&z=%3C1%3E"),
        ("/caf\u00e9 1", "/caf%C3%A9%201"),
        ("/a%20b?x=%2F", "/a%20b?x=%2F"),  # escapes already made are left alone
    ],
    ids=["space-then-http-version", "space-in-query", "non-ascii", "already-encoded"],
)
def test_the_request_target_is_percent_encoded(wslint: Callable[..., Run], path: str, target: str) -> None:
    heads: list[bytes] = []

    def record(conn: socket.socket) -> None:
        heads.append(read_head(conn))

    with tcp_server(record) as port:
        run = wslint("probe", f"ws://127.0.0.1:{port}{path}", "--connect-timeout", "2s")
    assert run.code == 1, run.err  # the server closed without a response: handshake failed
    assert heads and heads[0].split(b"\r\n")[0] == f"GET {target} HTTP/1.1".encode()


def _answers_http(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    until_eof(conn, 2)


def _hangs_up(conn: socket.socket) -> None:
    conn.recv(4096)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("handler", [_answers_http, _hangs_up, _silent], ids=["answers-http", "hangs-up", "silent"])
def test_wss_to_a_plain_port_says_so_and_does_not_suggest_insecure(
    wslint: Callable[..., Run], handler: Callable[[socket.socket], None]
) -> None:
    with tcp_server(handler) as port:
        run = wslint("probe", f"wss://127.0.0.1:{port}/", "--connect-timeout", "1s")
    line = one_line_error(run)
    assert line.startswith(f"wslint: error: TLS handshake with 127.0.0.1:{port} failed: ")
    assert line.endswith(": is it a plain ws:// port?")
    assert "--insecure" not in line


@pytest.mark.timeout(60)
def test_wss_to_a_websocket_server_without_tls_says_so(wslint: Callable[..., Run]) -> None:
    with ws_server(_wait_for_close) as port:
        line = one_line_error(wslint("probe", f"wss://127.0.0.1:{port}/", "--connect-timeout", "3s"))
    assert line.endswith(": is it a plain ws:// port?") and "--insecure" not in line


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
