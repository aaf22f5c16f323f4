"""`wslint logs` (issue 24): logs read beside their configs, closes attributed to the timeout line (WS701), client
reconnect loops (WS702), notes for what a log cannot show, bad input. Log lines are the shapes measured on nginx
1.22 and HAProxy 2.6 (tests/test_proof_logs.py runs the real ones)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run

from wslint.logs.events import same_time
from wslint.logs.haproxy_logs import compile_log_format
from wslint.logs.nginx_logs import compile_format

Wslint = Callable[..., Run]

NGINX = """\
events {}
http {
    error_log /var/log/nginx/error.log info;
    log_format ws '$remote_addr [$time_local] "$request" $status $request_time';
    server {
        location /ws/ {
            proxy_pass http://app:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 120s;
        }
        location = /live {
            proxy_pass http://app:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
}
"""
ERROR = (
    "2026/12/06 12:03:00 [info] 41#41: *{n} upstream timed out (110: Connection timed out) while proxying upgraded "
    'connection, client: 10.0.0.7, server: , request: "GET {uri} HTTP/1.1", upstream: "http://10.0.1.5:8000{uri}", '
    'host: "chat.example.com"'
)
ACCESS = '10.0.0.{n} [06/Dec/2026:12:03:00 +0000] "GET {uri} HTTP/1.1" {status} {seconds}'
HAPROXY = """\
global
    log stdout format raw local0 info
    hard-stop-after 30m
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 10m
frontend fe_ws
    bind :80
    default_backend be_ws
backend be_ws
    server app1 10.0.1.5:8000
"""
HTTPLOG = (
    "10.0.0.7:5913{n} [06/Dec/2026:12:03:07.218] fe_ws be_ws/app1 0/0/0/1/{ms} 101 294 - - {state} 1/1/0/0/0 0/0 "
    '"GET /ws/chat HTTP/1.1"'
)


def _write(where: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (where / name).write_text(text, encoding="utf-8")


def _logs(wslint: Wslint, where: Path, *args: str) -> tuple[Run, list[dict[str, Any]]]:
    run = wslint("logs", "--output-format", "json", "--isolated", *args, cwd=where)
    assert "Traceback" not in run.err, run.err
    findings = json.loads(run.out)["findings"] if run.out else []
    return run, [f for f in findings if f["rule"].startswith("WS7")]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# -- nginx ---------------------------------------------------------------------------------------------------------


def test_error_log_lines_go_to_the_location_the_request_picks(wslint: Wslint, tmp_path: Path) -> None:
    log = "\n".join(ERROR.format(n=n, uri=uri) for n, uri in enumerate(["/ws/a", "/ws/b", "/live"])) + "\n"
    _write(tmp_path, {"nginx.conf": NGINX, "error.log": log})
    run, found = _logs(wslint, tmp_path, "error.log", "nginx.conf")
    assert run.code == 1
    at = {(f["file"], f["line"]) for f in found}
    # /ws/a and /ws/b: location /ws/'s proxy_read_timeout 120s; /live: location = /live, nginx's 60s default
    assert at == {
        ("nginx.conf", _line_of(NGINX, "proxy_read_timeout 120s")),
        ("nginx.conf", _line_of(NGINX, "= /live")),
    }
    by_line = {f["line"]: f for f in found}
    assert by_line[_line_of(NGINX, "proxy_read_timeout 120s")]["message"].startswith("2 WebSockets")
    assert [r["file"] for r in by_line[_line_of(NGINX, "proxy_read_timeout 120s")]["related"]] == ["error.log"] * 2


def test_access_log_attributes_only_closes_at_the_timeout(wslint: Wslint, tmp_path: Path) -> None:
    times = ["120.002", "41.200", "119.4", "3.5", "120.010"]
    log = "\n".join(ACCESS.format(n=n, uri="/ws/chat", status=101, seconds=s) for n, s in enumerate(times)) + "\n"
    log += ACCESS.format(n=9, uri="/ws/chat", status=200, seconds="120.000") + "\n"  # not a WebSocket
    _write(tmp_path, {"nginx.conf": NGINX, "access.log": log})
    _run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    (ws701,) = found
    assert ws701["line"] == _line_of(NGINX, "proxy_read_timeout 120s")
    assert ws701["message"].startswith("3 WebSockets")  # 120.002, 119.4, 120.010; never 41.2, 3.5 or the 200
    assert [r["line"] for r in ws701["related"]] == [1, 3, 5]


def test_normal_closes_fire_nothing(wslint: Wslint, tmp_path: Path) -> None:
    log = "\n".join(ACCESS.format(n=n, uri="/ws/chat", status=101, seconds=f"{n * 7.3:.3f}") for n in range(1, 9))
    _write(tmp_path, {"nginx.conf": NGINX, "access.log": log + "\n"})
    _run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    assert found == []


def test_combined_has_no_duration_and_says_so(wslint: Wslint, tmp_path: Path) -> None:
    line = '10.0.0.7 - - [06/Dec/2026:12:03:00 +0000] "GET /ws/chat HTTP/1.1" 101 0 "-" "Mozilla/5.0"\n'
    _write(tmp_path, {"nginx.conf": NGINX, "access.log": line * 3})
    run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    assert found == [] and "request_time" in run.err


def test_error_log_level_that_hides_the_timeouts_is_a_note(wslint: Wslint, tmp_path: Path) -> None:
    conf = NGINX.replace("error.log info;", "error.log warn;")
    _write(tmp_path, {"nginx.conf": conf, "error.log": "2026/12/06 12:00:00 [warn] 41#41: something\n"})
    run, found = _logs(wslint, tmp_path, "error.log", "nginx.conf")
    assert found == [] and "info" in run.err and "nginx.conf:3" in run.err


def test_an_empty_error_log_is_known_by_the_name_the_config_gives_it(wslint: Wslint, tmp_path: Path) -> None:
    conf = NGINX.replace("error.log info;", "error.log error;")
    _write(tmp_path, {"nginx.conf": conf, "error.log.1": ""})  # a quiet nginx at level error writes nothing
    run, found = _logs(wslint, tmp_path, "error.log.1", "nginx.conf")
    assert found == [] and "not a log" not in run.err and "level info" in run.err


def test_short_timeouts_keep_normal_closes_apart(wslint: Wslint, tmp_path: Path) -> None:
    conf = NGINX.replace("proxy_read_timeout 120s;", "proxy_read_timeout 2s;")
    times = ["2.002", "2.001", "2.904", "1.5"]  # two idle closes at 2 s; two normal ones near it
    log = "\n".join(ACCESS.format(n=n, uri="/ws/chat", status=101, seconds=s) for n, s in enumerate(times)) + "\n"
    _write(tmp_path, {"nginx.conf": conf, "access.log": log})
    _run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    (ws701,) = found
    assert ws701["message"].startswith("2 WebSockets") and [r["line"] for r in ws701["related"]] == [1, 2]


# -- HAProxy -------------------------------------------------------------------------------------------------------


def test_haproxy_cd_closes_go_to_the_tunnel_timeout(wslint: Wslint, tmp_path: Path) -> None:
    lines = [HTTPLOG.format(n=0, ms=600002, state="cD--"), HTTPLOG.format(n=1, ms=504, state="----"),
             HTTPLOG.format(n=2, ms=600001, state="cD--")]  # fmt: skip
    _write(tmp_path, {"haproxy.cfg": HAPROXY, "haproxy.log": "\n".join(lines) + "\n"})
    _run, found = _logs(wslint, tmp_path, "haproxy.log", "haproxy.cfg")
    (ws701,) = found
    assert (ws701["file"], ws701["line"]) == ("haproxy.cfg", _line_of(HAPROXY, "timeout tunnel"))
    assert ws701["message"].startswith("2 WebSockets") and "(cD)" in ws701["message"]
    assert [r["line"] for r in ws701["related"]] == [1, 3]


def test_haproxy_tcplog_and_a_syslog_header(wslint: Wslint, tmp_path: Path) -> None:
    tcp = HAPROXY.replace("mode http", "mode tcp").replace("option httplog", "option tcplog")
    line = (
        "Dec  6 12:03:16 lb haproxy[41]: 127.0.0.1:41914 [06/Dec/2026:12:03:16.256] fe_ws be_ws/app1 1/0/600001 "
        "303 cD 1/1/0/0/0 0/0"
    )
    _write(tmp_path, {"haproxy.cfg": tcp, "haproxy.log": line + "\n"})
    _run, found = _logs(wslint, tmp_path, "haproxy.log", "haproxy.cfg")
    assert [(f["file"], f["line"]) for f in found] == [("haproxy.cfg", _line_of(tcp, "timeout tunnel"))]


def test_haproxy_log_format_of_the_config() -> None:
    pattern = compile_log_format("%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %{+Q}r")
    assert pattern is not None
    found = pattern.match(
        '127.0.0.1:55456 [06/Dec/2026:12:03:20.577] fe_ws be_ws/ws1 0/0/0/1/2002 101 294 cD-- "GET /ws/ HTTP/1.1"'
    )
    assert found is not None and found.group("tsc") == "cD--" and found.group("Ta") == "2002"
    assert compile_log_format("%ci %b") is None  # no termination state: nothing to read


def test_timeout_with_no_config_in_the_run(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"haproxy.log": HTTPLOG.format(n=0, ms=60000, state="sD--") + "\n"})
    _run, found = _logs(wslint, tmp_path, "haproxy.log")
    (ws701,) = found
    assert (ws701["file"], ws701["line"]) == ("haproxy.log", 1)


def test_a_cluster_no_hop_explains_names_the_defaults_that_could(wslint: Wslint, tmp_path: Path) -> None:
    conf = NGINX.replace("proxy_read_timeout 120s;", "proxy_read_timeout 1h;")
    times = ["60.001", "60.003", "59.998", "60.002", "60.004", "12.0"]
    log = "\n".join(ACCESS.format(n=n, uri="/ws/x", status=101, seconds=s) for n, s in enumerate(times)) + "\n"
    _write(tmp_path, {"nginx.conf": conf, "access.log": log})
    _run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    (ws701,) = found
    assert (ws701["file"], ws701["line"]) == ("access.log", 1)
    assert "ALB" in ws701["message"] and ws701["message"].startswith("5 WebSockets")


def test_normal_closes_of_random_length_never_make_a_cluster(wslint: Wslint, tmp_path: Path) -> None:
    import random

    rng = random.Random(7)  # 3000 normal closes spread over an hour: some fall near 60 s, 5 min, 10 min by chance
    times = [f"{rng.uniform(1, 3600):.3f}" for _ in range(3000)]
    log = "\n".join(ACCESS.format(n=n % 250, uri="/ws/x", status=101, seconds=s) for n, s in enumerate(times))
    _write(tmp_path, {"nginx.conf": NGINX.replace("120s;", "2h;"), "access.log": log + "\n"})
    assert _logs(wslint, tmp_path, "access.log", "nginx.conf")[1] == []


ALB_TF = """\
resource "aws_lb" "chat" {
  name               = "chat-alb"
  load_balancer_type = "application"
  subnets            = ["subnet-1", "subnet-2"]
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.chat.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/ws/73e2d6bc24d8a067"
  }
}
"""
# the documented WebSocket entry (Elastic Load Balancing user guide, access log entries), with its times changed
ALB_LINE = (
    "ws 2018-07-02T{closed}Z app/chat-alb/50dc6c495c0c9188 10.0.0.140:40914 10.0.1.192:8010 0.001 0.003 0.000 101 "
    '101 218 587 "GET http://10.0.0.30:80/ws/chat HTTP/1.1" "-" - - '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/ws/73e2d6bc24d8a067 "
    '"Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 1 2018-07-02T{created}Z "forward" "-" "-"'
)


def test_alb_access_log_lifetimes_at_the_idle_timeout(wslint: Wslint, tmp_path: Path) -> None:
    times = [("22:23:00.186641", "22:22:00.164000"), ("22:25:00.200000", "22:24:00.150000"),
             ("22:29:13.000000", "22:24:01.000000")]  # fmt: skip
    log = "\n".join(ALB_LINE.format(closed=c, created=o) for c, o in times) + "\n"
    _write(tmp_path, {"main.tf": ALB_TF, "alb.log": log})
    _run, found = _logs(wslint, tmp_path, "alb.log", "main.tf")
    (ws701,) = found
    assert (ws701["file"], ws701["line"]) == ("main.tf", 1)  # the aws_lb: AWS's 60 s default
    assert ws701["message"].startswith("2 WebSockets") and [r["line"] for r in ws701["related"]] == [1, 2]


# -- clients -------------------------------------------------------------------------------------------------------


def _chisel(lengths: list[int], keepalive: str = "") -> str:
    from datetime import datetime, timedelta

    t = datetime(2024, 3, 22, 5, 0, 0)
    lines = [f"{t:%Y/%m/%d %H:%M:%S} client: Connecting to wss://x.example.com:443 {keepalive}".rstrip()]
    for seconds in lengths:
        t += timedelta(seconds=1)
        lines.append(f"{t:%Y/%m/%d %H:%M:%S} client: Connected (Latency 17.595289ms)")
        t += timedelta(seconds=seconds)
        lines.append(f"{t:%Y/%m/%d %H:%M:%S} client: Connection error: websocket: close 1006 (abnormal closure): "
                     "unexpected EOF")  # fmt: skip
        lines.append(f"{t:%Y/%m/%d %H:%M:%S} client: Retrying in 100ms...")
    return "\n".join(lines) + "\n"


def test_reconnect_loop(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"outsystemscc.log": _chisel([60, 60, 61, 60, 7])})
    _run, found = _logs(wslint, tmp_path, "outsystemscc.log")
    (ws702,) = found
    assert ws702["rule"] == "WS702" and ws702["line"] == 3
    assert "4 times after 1m" in ws702["message"] and "ALB" in ws702["message"]


def test_reconnect_loop_names_the_hop_of_the_run(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"client.log": _chisel([120] * 3, "--keepalive 0s"), "nginx.conf": NGINX})
    _run, found = _logs(wslint, tmp_path, "client.log", "nginx.conf")
    (ws702,) = [f for f in found if f["rule"] == "WS702"]
    assert "location /ws/" in ws702["message"] and "--keepalive is 0s" in ws702["message"]


def test_no_loop_in_irregular_sessions(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"client.log": _chisel([60, 900, 3, 4000])})
    assert _logs(wslint, tmp_path, "client.log")[1] == []


# -- the command and bad input ------------------------------------------------------------------------------------


def test_gzip_logs_are_read(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    with gzip.open(tmp_path / "error.log.1.gz", "wt") as handle:
        handle.write(ERROR.format(n=1, uri="/ws/a") + "\n")
    _run, found = _logs(wslint, tmp_path, "error.log.1.gz", "nginx.conf")
    assert [f["line"] for f in found] == [_line_of(NGINX, "proxy_read_timeout 120s")]


def test_a_damaged_gzip_log_is_one_error_and_the_rest_is_read(wslint: Wslint, tmp_path: Path) -> None:
    data = bytearray(gzip.compress((ERROR.format(n=1, uri="/ws/a") + "\n").encode() * 50))
    data[20:40] = b"\xff" * 20  # the header stays whole: the compressed data is not
    (tmp_path / "bad.log.gz").write_bytes(bytes(data))
    _write(tmp_path, {"nginx.conf": NGINX, "error.log": ERROR.format(n=1, uri="/ws/a") + "\n"})
    run = wslint("logs", "--isolated", "--output-format", "json", "error.log", "bad.log.gz", "nginx.conf", cwd=tmp_path)
    assert run.code == 2 and "bad.log.gz" in run.err and "internal error" not in run.err
    assert any(f["rule"] == "WS701" for f in json.loads(run.out)["findings"])


def test_closes_just_inside_the_tolerance_of_a_default_keep_their_samples(wslint: Wslint, tmp_path: Path) -> None:
    times = ["60.341", "60.342", "60.343", "60.344", "60.345", "60.346"]
    log = "\n".join(ACCESS.format(n=n, uri="/other", status=101, seconds=s) for n, s in enumerate(times)) + "\n"
    _write(tmp_path, {"nginx.conf": NGINX, "access.log": log})
    run, found = _logs(wslint, tmp_path, "access.log", "nginx.conf")
    assert run.code == 1 and "internal error" not in run.err
    assert [(f["file"], f["line"]) for f in found] == [("access.log", 1)]


def test_histogram_after_a_text_report(wslint: Wslint, tmp_path: Path) -> None:
    log = "\n".join(ERROR.format(n=n, uri="/ws/a") for n in range(3)) + "\n"
    log2 = "\n".join(ACCESS.format(n=n, uri="/ws/a", status=101, seconds="120.001") for n in range(3)) + "\n"
    _write(tmp_path, {"nginx.conf": NGINX, "error.log": log, "access.log": log2})
    run = wslint("logs", "--isolated", "error.log", "access.log", "nginx.conf", cwd=tmp_path)
    assert "WS701" in run.out and "2m" in run.out.split("Close times")[1]
    quiet = wslint("logs", "--isolated", "--no-histogram", "error.log", "access.log", "nginx.conf", cwd=tmp_path)
    assert "Close times" not in quiet.out


def test_html_report_has_the_close_times(wslint: Wslint, tmp_path: Path) -> None:
    log = "\n".join(ACCESS.format(n=n, uri="/ws/a", status=101, seconds="120.001") for n in range(3)) + "\n"
    _write(tmp_path, {"nginx.conf": NGINX, "access.log": log})
    run = wslint("logs", "--isolated", "--output-format", "html", "access.log", "nginx.conf", cwd=tmp_path)
    assert run.code == 1 and "Close times seen in the logs" in run.out and 'class="bar"' in run.out


def test_a_file_that_is_no_log_is_a_note(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"notes.txt": "hello\nworld\n", "nginx.conf": NGINX})
    run, found = _logs(wslint, tmp_path, "notes.txt", "nginx.conf")
    assert found == [] and "notes.txt: not a log" in run.err and run.code != 2


def test_no_log_named_is_exit_2(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"nginx.conf": NGINX})
    run = wslint("logs", "--isolated", "nginx.conf", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("wslint: error:") and "Traceback" not in run.err


def test_a_missing_log_is_exit_2_and_the_rest_is_read(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"nginx.conf": NGINX, "error.log": ERROR.format(n=1, uri="/ws/a") + "\n"})
    run = wslint("logs", "--isolated", "--output-format", "json", "error.log", "gone.log", "nginx.conf", cwd=tmp_path)
    assert run.code == 2 and "gone.log" in run.err
    assert any(f["rule"] == "WS701" for f in json.loads(run.out)["findings"])


def test_hostile_log_lines_are_printed_as_data(wslint: Wslint, tmp_path: Path) -> None:
    uri = "/ws/\x1b[31m::warning::x"
    _write(tmp_path, {"nginx.conf": NGINX, "error.log": ERROR.format(n=1, uri=uri) + "\n"})
    run = wslint("logs", "--isolated", "error.log", "nginx.conf", cwd=tmp_path)
    assert "\x1b" not in run.out and "\x1b" not in run.err


@pytest.mark.parametrize(
    ("a", "b", "same"), [(2, 2.004, True), (2, 2.3, False), (60, 60.25, True), (60, 60.9, False), (3600, 3617, True)]
)
def test_tolerance(a: float, b: float, same: bool) -> None:
    assert same_time(a, b) is same


def test_log_format_with_braced_variables() -> None:
    fmt = compile_format("x", '"${request}" $status ${request_time}', None)
    found = fmt.pattern.match('"GET /ws/ HTTP/1.1" 101 2.002')
    assert found is not None and found.group("request_time") == "2.002" and fmt.has_duration()
