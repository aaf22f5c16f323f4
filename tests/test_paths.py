"""The whole path: hops from several sources, the keepalive rule across them, clients, `wslint path`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from wslint.clients import CLIENTS

Wslint = Callable[..., Any]
SCHEMAS = Path(__file__).resolve().parent.parent / "wslint" / "schemas"

ALB = """\
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  idle_timeout       = 400
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
}
"""
NGINX = """\
worker_shutdown_timeout 30s;
events { worker_connections 4096; }
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://10.0.0.2:8080;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 120s;
        }
        location /live/ws/ {
            proxy_pass http://10.0.0.3:8080;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 10s;
        }
    }
}
"""
HAPROXY = """\
global
    hard-stop-after 30m

defaults
    mode http
    timeout connect 5s
    timeout client 1m
    timeout server 1m
    timeout client-fin 30s

frontend fe
    bind 127.0.0.1:8080
    default_backend be_ws

backend be_ws
    timeout tunnel 30s
    server app 10.0.0.4:9000
"""
THREE_HOPS = {"alb.tf": ALB, "nginx.conf": NGINX, "haproxy.cfg": HAPROXY}
# the same nginx whose second location does not drop idle connections early
SLOW = {**THREE_HOPS, "nginx.conf": NGINX.replace("proxy_read_timeout 10s", "proxy_read_timeout 1h")}
WS_ONLY = 'routes = ["nginx.conf:/ws/"]\n'


def _write(where: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (where / name).write_text(text)


def _findings(run: Any, *rules: str) -> list[dict[str, Any]]:
    assert run.code in (0, 1), run.err
    return [f for f in json.loads(run.out)["findings"] if not rules or f["rule"] in rules]


def _at(findings: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["file"], f["line"]) for f in findings)


def _config(where: Path, text: str) -> None:
    (where / "wslint.toml").write_text(text)


# -- the example: ALB 400 s -> nginx 120 s -> HAProxy tunnel 30 s, 20 s ping -------------


def test_exactly_one_ws301_at_the_haproxy_tunnel(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, SLOW)
    run = wslint(
        "path", "alb.tf", "nginx.conf", "haproxy.cfg", "--ping-interval", "20s",
        "--isolated", "--output-format", "json", cwd=tmp_path,
    )  # fmt: skip
    ws301 = _findings(run, "WS301")
    assert _at(ws301) == [("WS301", "haproxy.cfg", 16)]
    assert "this is the bottleneck of path" in ws301[0]["message"]
    assert "ping every 15s or sooner" in ws301[0]["help"]


def test_every_hop_too_short_fires_and_names_the_bottleneck(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, THREE_HOPS)
    _config(tmp_path, f'[[path]]\nname = "prod"\nhops = ["alb.tf", "nginx.conf", "haproxy.cfg"]\n{WS_ONLY}')
    run = wslint("--ping-interval", "70s", "--output-format", "json", cwd=tmp_path)
    ws301 = _findings(run, "WS301")
    # nginx's 120 s and HAProxy's 30 s are below 2 x 70 s; the ALB's 400 s is not; /live/ws/ is not in the path
    assert _at(ws301) == [("WS301", "haproxy.cfg", 16), ("WS301", "nginx.conf", 15), ("WS301", "nginx.conf", 22)]
    nginx = next(f for f in ws301 if f["line"] == 15)
    assert "the bottleneck of path 'prod' is frontend fe -> backend be_ws (30s at haproxy.cfg:16:5)" in nginx["message"]
    assert "ping every 15s or sooner" in nginx["help"]
    # the route outside the path is judged on its own, not against the path's bottleneck
    live = next(f for f in ws301 if f["line"] == 22)
    assert "bottleneck" not in live["message"] and "ping every 5s" in live["help"]


def test_plain_run_judges_each_hop_on_its_own(wslint: Wslint, tmp_path: Path) -> None:
    """Without a declared path, unrelated files passed together are never compared with each other."""
    _write(tmp_path, THREE_HOPS)
    run = wslint("--isolated", "--ping-interval", "20s", "--output-format", "json", *THREE_HOPS, cwd=tmp_path)
    ws301 = _findings(run, "WS301")
    assert _at(ws301) == [("WS301", "haproxy.cfg", 16), ("WS301", "nginx.conf", 22)]
    assert all("bottleneck" not in f["message"] for f in ws301)


def test_no_keepalive_gives_ws302_with_the_paths_safe_interval(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, SLOW)
    run = wslint(
        "path", *THREE_HOPS, "--route", "nginx.conf:/ws/", "--client", "ws", "--isolated", "--output-format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    ws302 = _findings(run, "WS302")
    assert _at(ws302) == [
        ("WS302", "alb.tf", 4),
        ("WS302", "haproxy.cfg", 16),
        ("WS302", "nginx.conf", 15),
        ("WS302", "nginx.conf", 22),  # outside the path (no --route match): its own safe interval
    ]
    assert all("Node ws" in f["message"] for f in ws302)
    in_path = [f for f in ws302 if f["line"] != 22]
    assert all("the largest safe ping interval on path" in f["message"] and "is 15s" in f["message"] for f in in_path)
    assert not _findings(run, "WS301", "WS303")


def test_unknown_keepalive_gives_ws303_with_the_paths_safe_interval(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, SLOW)
    run = wslint(
        "path", *THREE_HOPS, "--route", "nginx.conf:/ws/", "--isolated", "--output-format", "json", cwd=tmp_path
    )
    ws303 = _findings(run, "WS303")
    assert len(ws303) == 4  # /live/ws/ (1h) is outside the path: its own safe interval
    assert sum("is 15s (half of" in f["message"] for f in ws303) == 3
    assert "--client" in ws303[0]["help"]


# -- keepalive sources and their precedence ----------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_every_client_kind(wslint: Wslint, tmp_path: Path, kind: str) -> None:
    """A 30 s tunnel: a client pinging every 15 s or less passes, slower ones fire WS301, none fires WS302."""
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("--isolated", "--client", kind, "--output-format", "json", "haproxy.cfg", cwd=tmp_path)
    interval = CLIENTS[kind].interval
    expected = [] if 0 < interval <= 15 else ["WS302" if interval == 0 else "WS301"]
    found = _findings(run, "WS301", "WS302", "WS303")
    assert [f["rule"] for f in found] == expected
    if found:
        assert CLIENTS[kind].label.split()[-1] in found[0]["message"] or kind in found[0]["message"]


@pytest.mark.parametrize(
    ("client", "rule", "text"),
    [
        ("outsystemscc --header 'token: x' --keepalive 20s https://example.com", "WS301", "--keepalive 20s"),
        ("outsystemscc --keepalive 0s https://example.com", "WS302", "disabled"),
        ("outsystemscc https://example.com", "WS301", "default"),  # 25 s
        ("outsystemscc --keepalive=10s https://example.com", None, ""),
        ("chisel client --keepalive 1m30s example.com R:8080", "WS301", "1m30s"),
        ("uvicorn app:app --ws wsproto", "WS302", "wsproto"),
        ("uvicorn app:app --ws-ping-interval 10", None, ""),
    ],
)
def test_client_command_lines(wslint: Wslint, tmp_path: Path, client: str, rule: str | None, text: str) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("--isolated", "--client", client, "--output-format", "json", "haproxy.cfg", cwd=tmp_path)
    found = _findings(run, "WS301", "WS302", "WS303")
    assert [f["rule"] for f in found] == ([rule] if rule else [])
    if rule:
        assert text in found[0]["message"]


def test_uvicorn_says_its_ping_needs_the_websockets_backend(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("--isolated", "--client", "uvicorn", "--output-format", "json", "haproxy.cfg", cwd=tmp_path)
    [ws301] = _findings(run, "WS301")
    assert "websockets backend" in ws301["message"] and "wsproto" in ws301["message"]


@pytest.mark.parametrize(("value", "fires"), [("25s", True), ("1m30s", True), ("2500ms", False), ("15s", False)])
def test_duration_forms(wslint: Wslint, tmp_path: Path, value: str, fires: bool) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("--isolated", "--ping-interval", value, "--output-format", "json", "haproxy.cfg", cwd=tmp_path)
    assert bool(_findings(run, "WS301")) == fires


def test_precedence_command_line_then_path_table_then_config(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {**THREE_HOPS, "other.cfg": HAPROXY})
    _config(
        tmp_path,
        'ping-interval = "10s"\n\n[[path]]\nname = "prod"\nhops = ["nginx.conf", "haproxy.cfg"]\n'
        f'client = "socket.io"\n{WS_ONLY}',
    )
    run = wslint("--output-format", "json", "nginx.conf", "haproxy.cfg", "other.cfg", cwd=tmp_path)
    # the path's socket.io (25 s) fails HAProxy's 30 s; other.cfg and /live/ws/ live on the top-level 10 s
    found = _findings(run, "WS301", "WS302", "WS303")
    assert _at(found) == [("WS301", "haproxy.cfg", 16), ("WS301", "nginx.conf", 22)]
    assert "socket.io's default" in found[0]["message"]
    assert "socket.io" not in found[1]["message"] and "ping interval 10s" in found[1]["message"]
    # the command line beats both
    run = wslint("--output-format", "json", "--ping-interval", "5s", *THREE_HOPS, "other.cfg", cwd=tmp_path)
    assert not _findings(run, "WS301", "WS302", "WS303")
    run = wslint("--output-format", "json", "--client", "phoenix", "other.cfg", cwd=tmp_path)
    assert [f["rule"] for f in _findings(run, "WS301")] == ["WS301"]


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        ('ping-interval = "20s"\nclient = "ws"\n', (), "ping-interval and client are both set"),
        (
            '[[path]]\nname = "p"\nhops = ["haproxy.cfg"]\nping-interval = "20s"\nclient = "ws"\n',
            (),
            "ping-interval and client are both set",
        ),
        ("", ("--ping-interval", "20s", "--client", "ws"), "--ping-interval and --client are both given"),
        ('client = "netscape"\n', (), "unknown client 'netscape'"),
        ('[[path]]\nname = "p"\nhops = ["haproxy.cfg", "nowhere.conf"]\n', (), "neither a file nor a known"),
        ('[[path]]\nname = "p"\nhops = ["heroku=2m", "haproxy.cfg"]\n', (), "limit is fixed"),
        ('[[path]]\nname = "p"\nhops = ["haproxy.cfg"]\nroutes = ["haproxy.cfg:be_nope"]\n', (), "matches no"),
        ('[[path]]\nname = "p"\nhops = ["haproxy.cfg"]\nroutes = ["nginx.conf:/ws/"]\n', (), "FILE:SELECTOR"),
        ('[[path]]\nname = "p"\nhops = ["haproxy.cfg"]\n[[path]]\nname = "p"\nhops = ["haproxy.cfg"]\n', (), "same"),
        ('[[path]]\nname = "p"\nhops = []\n', (), "hops"),
    ],
)
def test_bad_keepalive_or_path_is_exit_2(
    wslint: Wslint, tmp_path: Path, config: str, args: tuple[str, ...], message: str
) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    _config(tmp_path, config)
    run = wslint(*args, "haproxy.cfg", cwd=tmp_path)
    assert run.code == 2, run.out
    assert message in run.err and "Traceback" not in run.err
    assert run.err.startswith("wslint: error:") and run.err.count("\n") == 1, run.err


# -- named intermediaries -----------------------------------------------------------------------


def test_cloudflare_is_a_hop_with_its_documented_limit(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, THREE_HOPS)
    _config(
        tmp_path,
        '[[path]]\nname = "prod"\nhops = ["cloudflare", "alb.tf", "nginx.conf"]\n'
        'routes = ["nginx.conf:/ws/"]\nping-interval = "61s"\n',
    )
    run = wslint("--output-format", "json", cwd=tmp_path)
    ws301 = _findings(run, "WS301")
    assert _at(ws301) == [("WS301", "nginx.conf", 15), ("WS301", "wslint.toml", 3)]
    cloudflare = next(f for f in ws301 if f["file"] == "wslint.toml")
    assert cloudflare["column"] == 9 and "1m40s" in cloudflare["message"]
    assert "unverified" in cloudflare["message"]
    assert "the bottleneck of path 'prod' is Cloudflare" in next(f for f in ws301 if f is not cloudflare)["message"]


@pytest.mark.parametrize(
    ("hop", "idle_fires", "cap", "rule"),
    [
        ("heroku", True, None, ""),  # 55 s rolling window: a 30 s ping is more than half
        ("api-gateway", False, "2h", "WS207"),
        ("gcp", False, "30s", "WS209"),  # under an hour: a warning
        ("gcp=1h", False, "1h", "WS207"),
        ("daphne", False, "1d", "WS207"),
        ("cloudflare=10m", False, None, ""),
        ("cloud-run", False, "5m", "WS209"),
        ("azure-appgw", True, "30s", "WS209"),  # judged both as an idle timeout and as a cap
        ("azure-appgw=2h", False, "2h", "WS207"),
        ("azure-lb", False, None, ""),  # 4 minutes: a 30 s ping keeps it open
        ("azure-lb=5m", False, None, ""),  # a 30 s ping keeps a 5 minute idle timeout open
        ("azure-lb=100m", False, None, ""),  # the most a load-balancing rule takes
        ("azure-frontdoor", False, "4h", "WS207"),
        ("cloudflare-tunnel", False, None, ""),  # no documented idle timeout: unknown, never judged
        ("envoy", False, None, ""),  # Envoy's 5 minute stream idle timeout: a 30 s ping keeps it open
        ("envoy=50s", True, None, ""),
        ("contour=50s", True, None, ""),
        ("envoy-gateway=50s", True, None, ""),
        ("emissary", False, None, ""),  # Envoy's 5 minute stream idle timeout
        ("emissary=50s", True, None, ""),
        ("kong", False, None, ""),  # Kong's 60 s read_timeout: a 30 s ping is exactly half, not more
        ("kong=50s", True, None, ""),
        ("istio", False, None, ""),  # Istio switches the stream idle timeout off
        ("istio=50s", True, None, ""),
        ("traefik", False, None, ""),  # no idle timeout on an upgraded WebSocket
        ("caddy", False, None, ""),
        ("caddy=30m", False, "30m", "WS209"),  # a stream_timeout is a lifetime cap
    ],
)
def test_intermediaries(wslint: Wslint, tmp_path: Path, hop: str, idle_fires: bool, cap: str | None, rule: str) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY.replace("timeout tunnel 30s", "timeout tunnel 1h")})
    _config(tmp_path, f'ping-interval = "30s"\n\n[[path]]\nname = "p"\nhops = ["{hop}", "haproxy.cfg"]\n')
    run = wslint("--output-format", "json", cwd=tmp_path)
    assert bool(_findings(run, "WS301")) == idle_fires
    caps = _findings(run, "WS207") + _findings(run, "WS209")
    assert [f["rule"] for f in caps] == ([rule] if cap else [])
    if cap:
        assert f"after {cap}" in caps[0]["message"] and caps[0]["file"] == "wslint.toml"
        assert caps[0]["severity"] == ("info" if rule == "WS207" else "warning")


def test_intermediary_on_the_command_line(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("path", "heroku", "haproxy.cfg", "--ping-interval", "40s", "--isolated", "--output-format", "json",
                 cwd=tmp_path)  # fmt: skip
    assert ("WS301", "heroku", None) in [(f["rule"], f["file"], f["line"]) for f in _findings(run, "WS301")]


# -- declared paths in a repo run ----------------------------------------------------------------


def test_one_run_checks_every_declared_path(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write(tmp_path / "a", {"haproxy.cfg": HAPROXY})
    _write(tmp_path / "b", {"haproxy.cfg": HAPROXY.replace("timeout tunnel 30s", "timeout tunnel 1m")})
    (tmp_path / "unrelated.conf").write_text("events {}\n")
    _config(
        tmp_path,
        '[[path]]\nname = "chat"\nhops = ["a/haproxy.cfg"]\nclient = "socket.io"\n\n'
        '[[path]]\nname = "tunnel"\nfiles = ["b/haproxy.cfg"]\nclient = "chisel"\n',
    )
    # no PATH: the files of the declared paths, not the whole directory
    run = wslint("--output-format", "json", cwd=tmp_path)
    assert _at(_findings(run, "WS301", "WS302", "WS303")) == [("WS301", "a/haproxy.cfg", 16)]
    assert json.loads(run.out)["summary"]["files"] == 2


def test_a_partial_run_keeps_the_paths_keepalive(wslint: Wslint, tmp_path: Path) -> None:
    """pre-commit passes only the changed file: the path's keepalive still applies to it."""
    _write(tmp_path, THREE_HOPS)
    _config(
        tmp_path,
        f'[[path]]\nname = "prod"\nhops = ["alb.tf", "nginx.conf", "haproxy.cfg"]\n{WS_ONLY}ping-interval = "70s"\n',
    )
    run = wslint("--output-format", "json", "nginx.conf", cwd=tmp_path)
    [ws301] = _findings(run, "WS301")
    assert ws301["line"] == 15
    assert "this is the bottleneck of path 'prod' among the hops linted in this run" in ws301["message"]
    # /live/ws/ is outside the path, and the top level gives no keepalive
    assert [f["line"] for f in _findings(run, "WS303")] == [22]


# -- `wslint path` ----------------------------------------------------------------------------------


def test_path_draws_the_hops_in_order(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, THREE_HOPS)
    run = wslint(
        "path", *THREE_HOPS, "--route", "nginx.conf:/ws/", "--ping-interval", "20s", "--isolated", cwd=tmp_path
    )
    assert run.code == 1
    report, _, view = run.out.partition("\npath ")
    assert "WS301" in report
    lines = view.splitlines()
    assert lines[0].startswith('"alb.tf -> nginx.conf -> haproxy.cfg"') and "3 hops" in lines[0]
    rows = [line for line in lines if line.lstrip().startswith(("1 ", "2 ", "3 "))]
    assert ["alb" in rows[0], "nginx" in rows[1], "haproxy" in rows[2]] == [True, True, True]
    assert "bottleneck" in rows[2] and "haproxy.cfg:16:5" in rows[2]
    assert "largest safe ping interval: 15s" in view
    assert "\x1b" not in run.out


def test_path_json_validates_and_names_the_bottleneck(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, THREE_HOPS)
    _config(tmp_path, f'[[path]]\nname = "prod"\nhops = ["alb.tf", "nginx.conf", "haproxy.cfg"]\n{WS_ONLY}')
    run = wslint("path", "--client", "socket.io", "--output-format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in (json.loads((SCHEMAS / name).read_text()) for name in ("report.schema.json", "path.schema.json"))
    )
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, registry=registry).validate(report)
    [path] = report["paths"]
    assert path["name"] == "prod" and path["declared"]["file"] == "wslint.toml"
    assert path["ping_interval"]["seconds"] == 25 and "socket.io" in path["ping_interval"]["client"]
    assert path["bottleneck"] == {"hop": 3, "route": 0} and path["verdict"] == "ping-too-long"
    assert path["largest_safe_ping"]["seconds"] == 15


def test_path_picks_declared_paths_by_name(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, THREE_HOPS)
    _config(tmp_path, '[[path]]\nname = "a"\nhops = ["alb.tf"]\n\n[[path]]\nname = "b"\nhops = ["haproxy.cfg"]\n')
    run = wslint("path", "--name", "b", "--output-format", "json", cwd=tmp_path)
    assert [p["name"] for p in json.loads(run.out)["paths"]] == ["b"]
    run = wslint("path", "--name", "c", cwd=tmp_path)
    assert run.code == 2 and "no such path" in run.err


def test_path_without_hops_or_declared_paths_is_exit_2(wslint: Wslint, tmp_path: Path) -> None:
    run = wslint("path", "--isolated", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("wslint: error: no path:")


def test_path_colour_only_when_asked(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("path", "haproxy.cfg", "--isolated", "--color", "always", cwd=tmp_path)
    assert "\x1b[" in run.out


def test_paths_in_pyproject_point_at_their_lines(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.wslint]\nfail-on = "error"\n\n'
        '[[tool.wslint.path]]\nname = "edge"\nhops = ["haproxy.cfg"]\n\n'
        '[[tool.wslint.path]]\nname = "api"\nhops = [\n    "api-gateway",\n    "haproxy.cfg",\n]\n'
    )
    run = wslint("--output-format", "json", cwd=tmp_path)
    [ws207] = _findings(run, "WS207")
    assert (ws207["file"], ws207["line"], ws207["column"]) == ("pyproject.toml", 14, 5)
    run = wslint("path", "--output-format", "json", cwd=tmp_path)
    assert [(p["name"], p["declared"]["line"]) for p in json.loads(run.out)["paths"]] == [("edge", 7), ("api", 11)]


# -- a named box whose config is in the run (issue 21) -------------------------------------------------------------


def _gcp_document(file: str, seconds: float = 30, default: bool = True) -> Any:
    """What the gcp source gives for a backend service behind a URL map: one hop of the gcp kind, its route capped."""
    from wslint.hops import GCP_LB
    from wslint.model import Document, Duration, Hop, Location, Route

    where = Location(file=file, line=7, column=1)
    cap = Duration(seconds=seconds, text=str(int(seconds)), dialect="seconds", location=where,
                   directive="timeout_sec", default=default)  # fmt: skip
    route = Route(name="backend service chat-ws", location=where, reason="a URL map sends /ws/* to it", lifetime=cap)
    hop = Hop(kind=GCP_LB, name="google_compute_url_map.chat", location=Location(file=file, line=1, column=1),
              routes=[route])  # fmt: skip
    return Document(file=file, kind="terraform", hops=[hop])


def _compose(tmp_path: Path, hops: list[str], documents: list[Any]) -> Any:
    from wslint.config import PathSpec, Settings
    from wslint.paths import compose

    spec = PathSpec(name="p", hops=hops, base=str(tmp_path), declared_in="wslint.toml", line=1)
    reals = {d.file: str(tmp_path / d.file) for d in documents}
    paths, errors = compose(Settings(path=[spec]), documents, reals)
    assert errors == []
    return paths[0]


def test_a_named_box_whose_config_is_in_the_run_is_that_config_s_hops(tmp_path: Path) -> None:
    _write(tmp_path, {"nginx.conf": NGINX, "main.tf": "# the gcp source reads it\n"})
    from wslint.model import Document

    gcp = _gcp_document("main.tf")
    nginx = Document(file="nginx.conf", kind="nginx", hops=[])
    path = _compose(tmp_path, ["gcp", "nginx.conf"], [gcp, nginx])
    assert path.hops == gcp.hops  # the backend service read from main.tf, not the documented 30 s default hop
    assert path.notes[0] == "gcp: read from main.tf"
    # an alias names the same box
    assert _compose(tmp_path, ["gclb", "nginx.conf"], [gcp, nginx]).hops == gcp.hops
    # gcp=DURATION says the value in use: the named hop, whatever the run holds
    named = _compose(tmp_path, ["gcp=2h", "nginx.conf"], [gcp, nginx])
    assert named.hops[0] is not gcp.hops[0] and named.hops[0].lifetime.seconds == 7200
    # no gcp config in the run: the named hop with its documented default
    alone = _compose(tmp_path, ["gcp", "nginx.conf"], [nginx])
    assert alone.hops[0].lifetime.seconds == 30 and alone.hops[0].lifetime.default


def test_a_named_box_whose_file_the_path_names_too_is_not_drawn_twice(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": "#\n"})
    gcp = _gcp_document("main.tf")
    path = _compose(tmp_path, ["gcp", "main.tf"], [gcp])
    assert path.hops == gcp.hops
    assert path.notes == [
        "gcp: read from main.tf",
        "main.tf: its gcp hops are drawn where gcp is named, not again here",
    ]


def test_a_named_box_is_drawn_where_it_is_named_even_when_its_file_comes_later(tmp_path: Path) -> None:
    """``gcp nginx.conf main.tf``: the Google Cloud hop read from main.tf is the client-side hop, where gcp is named,
    and main.tf's place adds nothing more; main.tf's other hops stay at its place."""
    from wslint.hops import KINDS
    from wslint.model import Document, Hop, Location

    _write(tmp_path, {"nginx.conf": NGINX, "main.tf": "#\n"})
    gcp = _gcp_document("main.tf")
    nginx_hop = Hop(kind=KINDS["nginx"], name="nginx", location=Location(file="nginx.conf", line=1), routes=[])
    nginx = Document(file="nginx.conf", kind="nginx", hops=[nginx_hop])
    path = _compose(tmp_path, ["gcp", "nginx.conf", "main.tf"], [gcp, nginx])
    assert [h.kind.name for h in path.hops] == ["gcp", "nginx"]
    assert path.hops[0] is gcp.hops[0]
    assert "main.tf: its gcp hops are drawn where gcp is named, not again here" in path.notes
    # the named entry wins wherever it stands; another hop of main.tf stays at main.tf's place
    alb = Hop(kind=KINDS["alb"], name="aws_lb.web", location=Location(file="main.tf", line=20), routes=[])
    gcp.hops.append(alb)
    later = _compose(tmp_path, ["main.tf", "nginx.conf", "gcp"], [gcp, nginx])
    assert [h.kind.name for h in later.hops] == ["alb", "nginx", "gcp"]


def test_wslint_path_draws_a_named_box_at_its_place(wslint: Wslint, tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "nginx.conf": NGINX,
            "main.tf": 'resource "google_compute_backend_service" "ws" {\n  name     = "ws-backend"\n'
            '  protocol = "HTTP"\n}\nresource "google_compute_url_map" "um" {\n  name            = "um"\n'
            "  default_service = google_compute_backend_service.ws.id\n}\n",
        },
    )
    run = wslint("path", "--isolated", "gcp", "nginx.conf", "main.tf", "--output-format", "json", cwd=tmp_path)
    assert "Traceback" not in run.err, run.err
    (path,) = json.loads(run.out)["paths"]
    kinds = [h["kind"] for h in path["hops"]]
    assert kinds[0] == "gcp" and kinds.count("gcp") == 1
    assert path["hops"][0]["file"] == "main.tf"


def test_a_file_with_no_hop_of_its_own_does_not_break_the_path(tmp_path: Path) -> None:
    from wslint.model import Document

    _write(tmp_path, {"backendconfig.yaml": "kind: BackendConfig\n", "main.tf": "#\n"})
    gcp = _gcp_document("main.tf")
    path = _compose(
        tmp_path, ["main.tf", "backendconfig.yaml"], [gcp, Document(file="backendconfig.yaml", kind="kubernetes")]
    )
    assert path.hops == gcp.hops and path.missing == []
    assert path.notes == [
        "backendconfig.yaml: no WebSocket hop of its own (what it sets shows on the hops that apply it)"
    ]


def test_wslint_path_with_a_file_that_holds_no_hop(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"nginx.conf": NGINX, "backendconfig.yaml": BACKENDCONFIG})
    run = wslint("path", "--isolated", "backendconfig.yaml", "nginx.conf", "--ping-interval", "25s",
                 "--output-format", "json", cwd=tmp_path)  # fmt: skip
    assert run.code in (0, 1), run.err
    (path,) = json.loads(run.out)["paths"]
    assert [h["kind"] for h in path["hops"]] == ["nginx"] and path["missing"] == []
    assert path["notes"] == [
        "backendconfig.yaml: no WebSocket hop of its own (what it sets shows on the hops that apply it)"
    ]


BACKENDCONFIG = """\
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: ws
spec:
  timeoutSec: 3600
"""


@pytest.mark.parametrize(
    ("hop", "message"),
    [
        ("azure-lb=3m", "Azure Load Balancer's idle timeout is 4 to 100 whole minutes"),
        ("azure-lb=101m", "Azure Load Balancer's idle timeout is 4 to 100 whole minutes"),
        ("azure-lb=4m30s", "Azure Load Balancer's idle timeout is 4 to 100 whole minutes"),
        ("cloud-run=61m", "Cloud Run's request timeout is at most 60 minutes (3600 seconds)"),
        ("azure-appgw=25h", "Azure Application Gateway's request timeout is 1 to 86400 seconds"),
        ("gcp=500ms", "Google Cloud load balancer's backend service timeout is 1 to 2,147,483,647 seconds"),
        ("azure-frontdoor=1h", "limit is fixed"),
        ("cloudflare-tunnel=1m", "limit is fixed"),
    ],
)
def test_named_hop_values_outside_the_documented_range_are_exit_2(
    wslint: Wslint, tmp_path: Path, hop: str, message: str
) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    _config(tmp_path, f'[[path]]\nname = "p"\nhops = ["{hop}", "haproxy.cfg"]\n')
    run = wslint("haproxy.cfg", cwd=tmp_path)
    assert run.code == 2, run.out
    assert f"wslint.toml:3:1: path 'p': '{hop}': {message}" in run.err or message in run.err
    assert run.err.startswith("wslint: error:") and run.err.count("\n") == 1, run.err
    # the same on wslint path's command line
    run = wslint("path", "--isolated", hop, "haproxy.cfg", cwd=tmp_path)
    assert run.code == 2 and message in run.err and run.err.count("\n") == 1, run.err


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid", "html"])
@pytest.mark.parametrize(
    ("hop", "rules", "words"),
    [
        ("azure-lb", {"WS301"}, "idle flows are dropped silently unless TCP reset is enabled"),
        ("azure-appgw", {"WS301", "WS209"}, "lifetime cap 30s"),
        ("cloud-run", {"WS209"}, "lifetime cap 5m"),
        ("cloudflare-tunnel", set(), "why unknown: Cloudflare documents no idle timeout for WebSockets"),
    ],
)
def test_named_cloud_hops_end_to_end_in_every_format(
    wslint: Wslint, tmp_path: Path, fmt: str, hop: str, rules: set[str], words: str
) -> None:
    _write(tmp_path, {"nginx.conf": NGINX})
    run = wslint("path", "--isolated", hop, "nginx.conf", "--ping-interval", "5m", "--output-format", fmt, cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.err, run.err  # nginx.conf's 10 s location fails the 5 m ping
    if fmt == "json":
        report = json.loads(run.out)
        # the nginx locations' own 2 m 10 s limits fire too; the named hop's findings are at the hop
        assert {f["rule"] for f in report["findings"] if f["file"] == hop} == rules
        (path,) = report["paths"]
        assert path["hops"][0]["kind"] == hop
    elif fmt == "mermaid":
        assert "LIFETIME CAP" in run.out if "cap" in words else "LIFETIME CAP" not in run.out
    else:
        assert words in run.out.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("hop", "setting"),
    [("azure-appgw=0s", "request timeout"), ("gcp=0s", "backend service timeout"), ("azure-lb=0s", "idle timeout")],
)
def test_a_zero_named_hop_value_names_the_setting(wslint: Wslint, tmp_path: Path, hop: str, setting: str) -> None:
    _write(tmp_path, {"haproxy.cfg": HAPROXY})
    run = wslint("path", "--isolated", hop, "haproxy.cfg", cwd=tmp_path)
    assert run.code == 2 and f"'{hop}': the {setting} must be more than 0" in run.err, run.err
    assert "idle+lifetime" not in run.err


@pytest.mark.parametrize("hop", ["gcp", "cloud-run", "azure-appgw", "azure-lb"])
def test_a_named_hop_says_its_default_once(wslint: Wslint, tmp_path: Path, hop: str) -> None:
    _write(tmp_path, {"nginx.conf": NGINX})
    run = wslint("path", "--isolated", hop, "nginx.conf", "--ping-interval", "25s", cwd=tmp_path)
    assert "Traceback" not in run.err and "(the default " in run.out, run.err
    assert "the default is" not in run.out


def test_azure_lb_says_the_aks_annotation_range(wslint: Wslint, tmp_path: Path) -> None:
    _write(tmp_path, {"nginx.conf": NGINX})
    run = wslint("path", "--isolated", "azure-lb", "nginx.conf", "--ping-interval", "25s", cwd=tmp_path)
    assert "on AKS the Service annotation azure-load-balancer-tcp-idle-timeout allows 4 to 30" in run.out
    # the named hop keeps the load-balancing rule's range
    assert wslint("path", "--isolated", "azure-lb=100m", "nginx.conf", cwd=tmp_path).code != 2
