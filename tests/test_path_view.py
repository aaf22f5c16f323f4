"""The path drawing (``wslint path``): what a user sees in the text view, and the JSON against its schema."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path as FsPath
from typing import Any

import jsonschema
import pytest

from wslint.hops import KINDS
from wslint.model import Duration, Hop, Keepalive, Location, Path, Route
from wslint.report.path_view import paths_json, render_text

SCHEMA = json.loads(
    (FsPath(__file__).resolve().parent.parent / "wslint" / "schemas" / "path.schema.json").read_text(encoding="utf-8")
)


def at(file: str, line: int | None = None, column: int | None = None) -> Location:
    return Location(file=file, line=line, column=column)


def timeout(seconds: float, text: str, where: Location, directive: str, **extra: Any) -> Duration:
    return Duration(seconds=seconds, text=text, dialect="seconds", location=where, directive=directive, **extra)


def hop(kind: str, name: str, file: str, *routes: Route, lifetime: Duration | None = None) -> Hop:
    return Hop(kind=KINDS[kind], name=name, location=at(file, 1, 1), routes=list(routes), lifetime=lifetime)


def route(name: str, file: str, idle: Duration | None) -> Route:
    return Route(name=name, location=at(file, 2, 1), reason="test", idle_timeout=idle)


def three_hops(ping: float | None = 20, **path: Any) -> Path:
    """ALB 400 s, nginx 120 s, HAProxy tunnel 30 s: the HAProxy hop is the bottleneck."""
    return Path(
        name="prod",
        location=at("wslint.toml", 3, 1),
        hops=[
            hop(
                "alb",
                "aws_lb.web",
                "alb.tf",
                route("listener 443", "alb.tf", timeout(400, "400", at("alb.tf", 4, 3), "idle_timeout")),
            ),
            hop(
                "nginx",
                "ws.example.com",
                "nginx.conf",
                route(
                    "location /ws/",
                    "nginx.conf",
                    timeout(120, "120s", at("nginx.conf", 14, 13), "proxy_read_timeout"),
                ),
            ),
            hop(
                "haproxy",
                "haproxy.cfg",
                "haproxy.cfg",
                route(
                    "frontend fe -> backend be_ws",
                    "haproxy.cfg",
                    timeout(30, "30s", at("haproxy.cfg", 12, 5), "timeout tunnel"),
                ),
            ),
        ],
        keepalive=Keepalive(seconds=ping, source="--ping-interval" if ping is not None else ""),
        **path,
    )


def odd_path() -> Path:
    """A default, an unknown, an infinite timeout, a note, a lifetime cap and a hop without a route."""
    nginx = hop(
        "nginx",
        "nginx.conf",
        "nginx.conf",
        route(
            "location /ws/",
            "nginx.conf",
            timeout(60, "60s", at("nginx.conf", 10, 5), "proxy_read_timeout", default=True),
        ),
        route("location /live/", "nginx.conf", None),
        route(
            "location /stream/",
            "nginx.conf",
            timeout(math.inf, "0", at("nginx.conf", 30, 9), "proxy_read_timeout", note="0 means no timeout here"),
        ),
        lifetime=timeout(7200, "2h", at("nginx.conf", 3, 5), "keepalive_time"),
    )
    edge = hop("nginx", "edge.conf", "edge.conf")
    return Path(
        name="odd",
        location=at("<command line>"),
        hops=[nginx, edge],
        keepalive=Keepalive(seconds=25, client="socket.io's default", note="only with the websockets backend"),
    )


def validate(paths: list[Path]) -> list[dict[str, Any]]:
    data = paths_json(paths)
    for item in data:
        jsonschema.validate(item, SCHEMA, cls=jsonschema.Draft202012Validator)
    json.dumps(data, allow_nan=False)  # no infinities leak into the JSON
    return data


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def row(text: str, needle: str) -> str:
    """The one table row (it starts with the hop number) that holds ``needle``, escapes kept."""
    (line,) = [line for line in text.splitlines() if needle in plain(line) and plain(line).lstrip()[:1].isdigit()]
    return line


def test_schema_is_valid_draft_2020_12_and_closed() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)

    def objects(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for value in node.values():
                found += objects(value)
        elif isinstance(node, list):
            for value in node:
                found += objects(value)
        return found

    assert objects(SCHEMA)
    assert all(o.get("additionalProperties") is False for o in objects(SCHEMA))


def test_three_hops_bottleneck_is_the_haproxy_row() -> None:
    text = render_text([three_hops()], color=False)
    assert text.startswith('path "prod" (wslint.toml:3:1): 3 hops, client side first\n')
    assert "  ping interval: 20s (--ping-interval)" in text
    marked = [line for line in text.splitlines() if "◀ bottleneck" in line]
    assert marked == [row(text, "haproxy.cfg:12:5")]
    assert "timeout tunnel 30s" in marked[0]
    assert "30s" in marked[0]
    alb = row(text, "alb.tf:4:3")
    assert "aws_lb.web: listener 443" in alb and "6m40s" in alb and "idle_timeout 400" in alb
    assert "proxy_read_timeout 120s" in row(text, "nginx.conf:14:13")
    # the rows come in path order
    assert text.index("alb.tf:4:3") < text.index("nginx.conf:14:13") < text.index("haproxy.cfg:12:5")
    assert "largest safe ping interval: 15s (half of 30s at haproxy.cfg:12:5)" in text


def test_timeline_is_scaled_to_the_largest_timeout() -> None:
    text = render_text([three_hops()], color=False)
    bars = {line.split()[1]: line.count("█") for line in text.splitlines() if "█" in line}
    assert bars["alb"] == 48
    assert bars["nginx"] == round(120 / 400 * 48)
    assert bars["haproxy"] == round(30 / 400 * 48)
    assert "┆ 2 × ping = 40s" in text


@pytest.mark.parametrize(
    ("ping", "verdict", "line"),
    [
        (
            20,
            "ping-too-long",
            "✗ the ping interval 20s is more than half the bottleneck 30s: idle connections drop (WS301)",
        ),
        (10, "ok", "✓ ping 10s ≤ half of 30s: OK (5s to spare)"),
        (15, "ok", "✓ ping 15s ≤ half of 30s: OK (0s to spare)"),
        (0, "no-keepalive", "✗ no keepalive: connections idle for 30s are closed (WS302)"),
        (None, "keepalive-unknown", "? ping interval unknown: tell wslint with --ping-interval or --client (WS303)"),
    ],
)
def test_verdict_per_keepalive(ping: float | None, verdict: str, line: str) -> None:
    path = three_hops(ping)
    assert f"  {line}\n" in render_text([path], color=False)
    (data,) = validate([path])
    assert data["verdict"] == verdict
    assert data["bottleneck"] == {"hop": 3, "route": 0}
    assert data["largest_safe_ping"] == {"seconds": 15.0, "text": "15s"}
    oks = [r["ok"] for h in data["hops"] for r in h["routes"]]
    expected: dict[float | None, list[bool | None]] = {
        20: [True, True, False],
        10: [True] * 3,
        15: [True] * 3,
        0: [False] * 3,
        None: [None] * 3,
    }
    assert oks == expected[ping]
    texts: dict[float | None, str | None] = {20: "20s", 10: "10s", 15: "15s", 0: "none", None: None}
    assert data["ping_interval"]["text"] == texts[ping]


def test_json_for_the_three_hops() -> None:
    (data,) = validate([three_hops()])
    assert data["name"] == "prod"
    assert data["declared"] == {"file": "wslint.toml", "line": 3, "column": 1, "end_line": None, "end_column": None}
    assert [h["index"] for h in data["hops"]] == [1, 2, 3]
    assert [h["kind"] for h in data["hops"]] == ["alb", "nginx", "haproxy"]
    haproxy = data["hops"][2]["routes"][0]
    assert haproxy["bottleneck"] is True
    assert haproxy["idle_timeout"]["seconds"] == 30
    assert haproxy["idle_timeout"]["directive"] == "timeout tunnel"
    assert (haproxy["idle_timeout"]["file"], haproxy["idle_timeout"]["line"]) == ("haproxy.cfg", 12)
    assert [r["bottleneck"] for h in data["hops"] for r in h["routes"]] == [False, False, True]
    assert data["missing"] == []


def test_defaults_unknown_infinite_note_lifetime_and_empty_hop() -> None:
    text = render_text([odd_path()], color=False)
    assert text.startswith('path "odd" (<command line>): 2 hops, client side first\n')
    assert "  ping interval: 25s (socket.io's default)" in text
    assert "  note: only with the websockets backend" in text
    default = row(text, "nginx.conf:10:5")
    assert "default proxy_read_timeout 60s" in default
    assert "◀ bottleneck" in default
    unknown = row(text, "location /live/")
    assert "unknown" in unknown and "wslint cannot read it" in unknown
    infinite = row(text, "location /stream/")
    assert "infinite (no idle timeout)" in infinite and "nginx.conf:30:9" in infinite
    lines = text.splitlines()
    assert lines[lines.index(infinite) + 1].strip() == "note: 0 means no timeout here"
    assert "⊣ lifetime cap 2h: closes every connection at 2h whatever the traffic, pings do not help (WS207)" in text
    assert "keepalive_time 2h at nginx.conf:3:5" in text
    empty = row(text, "edge.conf")
    assert "no WebSocket route" in empty and "edge.conf:1:1" in empty
    # unknown and infinite have no bar
    # the hop's 2 h cap is marked beside each of its routes' bars
    assert any(line.split()[-6:] == ["?", "unknown", "⊣", "lifetime", "cap", "2h"] for line in lines)
    assert any(line.split()[-6:] == ["∞", "infinite", "⊣", "lifetime", "cap", "2h"] for line in lines)
    assert sum("█" in line for line in lines) == 1
    assert "✓ ping 25s ≤ half of 1m: OK (5s to spare)" in text

    (data,) = validate([odd_path()])
    routes = data["hops"][0]["routes"]
    assert routes[0]["idle_timeout"]["default"] is True
    assert routes[1]["idle_timeout"] is None and routes[1]["ok"] is None
    assert routes[2]["idle_timeout"]["infinite"] is True
    assert routes[2]["idle_timeout"]["seconds"] is None
    assert routes[2]["ok"] is True
    assert routes[2]["idle_timeout"]["note"] == "0 means no timeout here"
    assert data["hops"][0]["lifetime"]["human"] == "2h"
    assert data["hops"][1]["routes"] == []
    assert data["declared"]["line"] is None


def test_no_finite_idle_timeout() -> None:
    path = odd_path()
    path.hops[0].routes = path.hops[0].routes[1:]  # unknown and infinite only
    text = render_text([path], color=False)
    assert "largest safe ping interval: unknown: no finite idle timeout known on this path" in text
    assert "◀" not in text
    (data,) = validate([path])
    assert data["verdict"] == "no-idle-timeout"
    assert data["bottleneck"] is None and data["largest_safe_ping"] is None


def test_missing_hops_line() -> None:
    text = render_text([three_hops(missing=["a.conf", "b.cfg"])], color=False)
    assert "  not linted in this run: a.conf, b.cfg (the bottleneck is among the linted hops only)\n" in text
    (data,) = validate([three_hops(missing=["a.conf", "b.cfg"])])
    assert data["missing"] == ["a.conf", "b.cfg"]


def test_colour_only_when_asked() -> None:
    paths = [three_hops(), odd_path()]
    uncoloured = render_text(paths, color=False)
    assert "\x1b" not in uncoloured
    coloured = render_text(paths, color=True)
    assert "\x1b[1;31m" in row(coloured, "haproxy.cfg:12:5")  # the bottleneck: red and bold
    assert "\x1b[1;31m" in row(coloured, "nginx.conf:10:5")  # a default that is the bottleneck: red wins
    assert "\x1b[32m" in row(coloured, "alb.tf:4:3")
    assert plain(coloured) == uncoloured


def test_default_row_is_yellow_when_not_the_bottleneck() -> None:
    path = three_hops(10)
    path.hops[1].routes[0].idle_timeout = timeout(60, "60s", at("nginx.conf", 9, 5), "proxy_read_timeout", default=True)
    assert "\x1b[33m" in row(render_text([path], color=True), "nginx.conf:9:5")


def test_deterministic_blank_line_between_paths_and_no_trailing_spaces() -> None:
    paths = [three_hops(), odd_path()]
    text = render_text(paths, color=False)
    assert text == render_text([three_hops(), odd_path()], color=False)
    assert paths_json(paths) == paths_json([three_hops(), odd_path()])
    assert '\n\npath "odd"' in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    for coloured in (False, True):
        assert all(line == line.rstrip() for line in render_text(paths, coloured).splitlines())
    assert render_text([], color=False) == ""
    assert paths_json([]) == []


# -- lifetime caps, unknown idle timeouts, assumed routes (issue 21) -----------------------------------------------


def capped_path(ping: float = 20) -> Path:
    """A Google Cloud backend service whose 30 s default timeout caps the /ws route (no idle timeout of its own),
    and an Application Gateway whose one 30 s request timeout is both an idle timeout and a cap of the whole hop."""
    backend = Route(
        name="backend service chat-ws",
        location=at("main.tf", 12, 1),
        reason="a URL map sends /ws/* to it",
        idle_timeout=timeout(math.inf, "", at("main.tf", 12, 1), "no idle timeout"),
        lifetime=timeout(30, "30", at("main.tf", 12, 1), "timeout_sec", default=True),
    )
    other = Route(
        name="backend service api",
        location=at("main.tf", 30, 1),
        reason="every HTTP(S) backend",
        idle_timeout=timeout(math.inf, "", at("main.tf", 30, 1), "no idle timeout"),
        lifetime=timeout(7200, "7200", at("main.tf", 33, 3), "timeout_sec"),
        assumed=True,
    )
    both = "the default is 30s, and it applies to the WebSocket session"
    appgw = hop(
        "azure-appgw",
        "Azure Application Gateway",
        "appgw.tf",
        route("settings ws", "appgw.tf", timeout(30, "30s", at("appgw.tf", 5, 3), "request_timeout", note=both)),
        lifetime=timeout(30, "30s", at("appgw.tf", 5, 3), "request_timeout", note=both),
    )
    gcp = Hop(
        kind=KINDS["gcp"], name="google_compute_url_map.chat", location=at("main.tf", 1, 1), routes=[backend, other]
    )
    return Path(
        name="cloud",
        location=at("wslint.toml", 1, 1),
        hops=[gcp, appgw],
        keepalive=Keepalive(seconds=ping, source="--ping-interval"),
        notes=["gcp: read from main.tf"],
    )


def test_a_route_cap_is_drawn_under_its_route_not_as_an_idle_timeout() -> None:
    text = render_text([capped_path()], color=False)
    lines = text.splitlines()
    chat = row(text, "chat-ws")
    assert "infinite (no idle timeout)" in chat and "◀" not in chat
    under = lines[lines.index(chat) + 1].strip()
    assert under == (
        "⊣ lifetime cap 30s: closes every connection at 30s whatever the traffic, pings do not help (WS209): "
        "default timeout_sec 30 at main.tf:12:1"
    )
    # from an hour on the same line names WS207; an assumed route says it is assumed
    api = row(text, "backend service api")
    after = [line.strip() for line in lines[lines.index(api) + 1 : lines.index(api) + 3]]
    assert after[0] == "note: assumed to carry WebSockets, as nothing read with it marks a WebSocket route"
    assert after[1].startswith("⊣ lifetime cap 2h: ") and "(WS207): timeout_sec 7200 at main.tf:33:3" in after[1]
    # the timeline marks each capped route beside its (idle) bar
    bars = [line for line in lines if line.lstrip().startswith(("1.1 gcp", "1.2 gcp", "2 azure-appgw"))]
    assert [b.split("⊣ ")[1] for b in bars] == ["lifetime cap 30s", "lifetime cap 2h", "lifetime cap 30s"]
    # the verdict: the idle verdict, then the shortest cap, which no ping fixes
    assert (
        "  ✗ google_compute_url_map.chat closes every connection at 30s whatever the traffic (lifetime cap, "
        "default timeout_sec 30): pings do not help, raise timeout_sec (WS209)\n" in text
    )
    assert "  gcp: read from main.tf\n" in text


def test_one_setting_that_is_idle_timeout_and_cap_notes_once_and_bars_its_idle_timeout() -> None:
    text = render_text([capped_path()], color=False)
    lines = text.splitlines()
    appgw = row(text, "settings ws")
    assert "30s" in appgw and "request_timeout 30s" in appgw and "◀ bottleneck" in appgw
    assert sum("it applies to the WebSocket session" in line for line in lines) == 1
    assert lines[lines.index(appgw) + 2].strip().startswith("⊣ lifetime cap 30s: ")


def test_caps_in_colour_a_short_cap_is_red() -> None:
    coloured = render_text([capped_path()], color=True)
    (short,) = [line for line in coloured.splitlines() if "lifetime cap 30s: " in line and "main.tf:12:1" in line]
    assert "\x1b[31m" in short
    (long,) = [line for line in coloured.splitlines() if "lifetime cap 2h: " in line]
    assert "\x1b[" not in long


def test_a_long_cap_alone_is_information() -> None:
    path = capped_path()
    path.hops = path.hops[:1]
    path.hops[0].routes = path.hops[0].routes[1:]
    text = render_text([path], color=False)
    assert (
        "  ⊣ google_compute_url_map.chat closes every connection at 2h whatever the traffic (lifetime cap, "
        "timeout_sec 7200): pings do not help, clients must reconnect (WS207)\n" in text
    )


def test_unknown_idle_timeout_says_why_and_that_it_is_left_out() -> None:
    path = three_hops(10)
    tunnel = Route(
        name="Cloudflare Tunnel",
        location=at("cloudflare-tunnel"),
        reason="named in the path; idle timeout unknown: Cloudflare documents none for WebSockets",
    )
    path.hops.insert(
        0, Hop(kind=KINDS["cloudflare-tunnel"], name="Cloudflare Tunnel", location=at("x"), routes=[tunnel])
    )
    text = render_text([path], color=False)
    lines = text.splitlines()
    unknown = row(text, "Cloudflare Tunnel")
    assert "unknown" in unknown and "not documented" in unknown and "wslint cannot read it" not in unknown
    assert lines[lines.index(unknown) + 1].strip() == (
        "why unknown: Cloudflare documents none for WebSockets; not judged"
    )
    assert "  ? idle timeout unknown at 1 cloudflare-tunnel: left out of the bottleneck\n" in text
    assert "largest safe ping interval: 15s (half of 30s at haproxy.cfg:12:5)" in text
    (data,) = validate([path])
    first = data["hops"][0]["routes"][0]
    assert first["idle_timeout"] is None and first["unknown_why"] == "Cloudflare documents none for WebSockets"
    # an unknown that wslint cannot read has no why
    assert all(r["unknown_why"] == "" for h in data["hops"][1:] for r in h["routes"])


def test_json_has_route_caps_assumed_routes_and_notes() -> None:
    (data,) = validate([capped_path()])
    chat, api = data["hops"][0]["routes"]
    assert chat["lifetime"]["seconds"] == 30 and chat["lifetime"]["default"] is True
    assert (chat["lifetime"]["file"], chat["lifetime"]["line"]) == ("main.tf", 12)
    assert chat["idle_timeout"]["infinite"] is True and chat["assumed"] is False
    assert api["lifetime"]["human"] == "2h" and api["assumed"] is True
    assert data["hops"][0]["lifetime"] is None
    assert data["hops"][1]["lifetime"]["seconds"] == 30 and data["hops"][1]["routes"][0]["lifetime"] is None
    assert data["notes"] == ["gcp: read from main.tf"]


def test_a_short_cap_is_the_verdict_and_fails_its_routes_whatever_the_ping() -> None:
    path = capped_path(ping=10)  # 10 s keeps every idle timeout open; the 30 s caps close every connection anyway
    (data,) = validate([path])
    assert data["verdict"] == "short-lifetime-cap"
    chat, api = data["hops"][0]["routes"]
    assert chat["ok"] is False  # infinite idle timeout, 30 s cap
    assert api["ok"] is True  # a 2 h cap is WS207: information, the route holds
    assert data["hops"][1]["routes"][0]["ok"] is False  # the Application Gateway's 30 s cap of the whole hop
    text = render_text([path], color=False)
    assert "OK (" not in text and ": not OK\n" in text
    assert "◀" not in row(text, "chat-ws")  # its idle timeout is not short: the cap's line under it says why it fails
    # a failing idle verdict stays: it says the more the user must change
    assert validate([capped_path(ping=60)])[0]["verdict"] == "ping-too-long"
    assert validate([capped_path(ping=0)])[0]["verdict"] == "no-keepalive"


def test_a_long_cap_leaves_the_verdict_ok() -> None:
    path = capped_path(ping=10)
    path.hops = path.hops[:1]
    path.hops[0].routes = path.hops[0].routes[1:]  # the 2 h cap only
    path.hops.append(three_hops().hops[1])  # nginx 120 s
    (data,) = validate([path])
    assert data["verdict"] == "ok" and data["hops"][0]["routes"][0]["ok"] is True
    assert "OK (" in render_text([path], color=False)


def test_a_route_whose_hop_refuses_the_upgrade_says_so_even_with_an_idle_timeout() -> None:
    from wslint.model import UpgradeOff

    path = three_hops(10)
    path.hops[0].routes[0].upgrade_off = UpgradeOff(
        location=at("alb.tf", 9, 3), reason="the route caches responses", fix="turn caching off"
    )
    text = render_text([path], color=False)
    lines = text.splitlines()
    alb = row(text, "listener 443")
    assert "6m40s" in alb  # its idle timeout is still drawn
    assert lines[lines.index(alb) + 1].strip() == "upgrade off: the route caches responses (WS107)"
    assert "  ✗ upgrade off at 1 alb: no WebSocket crosses this path (WS107)\n" in text and "OK (" not in text
    (data,) = validate([path])
    assert data["verdict"] == "upgrade-off" and data["hops"][0]["routes"][0]["ok"] is False
    assert data["hops"][0]["routes"][0]["unknown_why"] == ""  # its idle timeout is known
