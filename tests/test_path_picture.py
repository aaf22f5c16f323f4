"""The path as a picture: `--output-format mermaid` and `html`, and the GitHub step summary's Mermaid blocks."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

import pytest

from tests.test_path_view import at, route, three_hops, timeout
from wslint.model import Finding, Location, Severity
from wslint.report import html as html_report
from wslint.report import mermaid

Wslint = Callable[..., Any]
EXAMPLE = FsPath(__file__).resolve().parent.parent / "examples" / "three-hop"
HOSTILE = 'x"] --> evil["<img src=x onerror=alert(1)>`#35;%%{init}%%\n|a|;style'

# a node line: id, then ["label"] or (["label"]) or ("label"), then an optional :::class
NODE = re.compile(r'^\s+(\w+)(\[|\(\[)"([^"]*)"(\]|\]\))(?::::(\w+))?$')


@pytest.fixture
def three_hop(tmp_path: FsPath) -> FsPath:
    """A copy of examples/three-hop (its wslint.toml declares the path "chat"; HAProxy's 30 s is the bottleneck)."""
    shutil.copytree(EXAMPLE, tmp_path / "three-hop")
    return tmp_path / "three-hop"


def nodes(diagram: str) -> dict[str, tuple[str, str]]:
    """{node id: (label, class)} of every node line; every other line is structure we wrote."""
    found = {}
    for line in diagram.splitlines():
        match = NODE.match(line)
        if match:
            found[match[1]] = (match[3], match[5] or "")
    return found


def decoded(label: str) -> str:
    """A label as Mermaid shows it: entity codes decoded, <br/> as line breaks."""
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), label).replace("<br/>", "\n")


# -- mermaid ---------------------------------------------------------------------------------------------------


def test_mermaid_draws_client_hops_app_the_bottleneck_and_the_safe_ping(wslint: Wslint, three_hop: FsPath) -> None:
    run = wslint("path", "--output-format", "mermaid", cwd=three_hop)
    assert run.code == 1, run.err  # WS301: the exit code is the lint's, whatever the format
    assert run.out.startswith("flowchart LR\n")
    found = nodes(run.out)
    labels = {node: decoded(label) for node, (label, _) in found.items()}
    assert [n for n in found if re.fullmatch(r"p1_h\d", n)] == ["p1_h1", "p1_h2", "p1_h3"]
    assert "p1_client --> p1_h1 --> p1_h2 --> p1_h3 --> p1_app" in run.out
    alb, nginx, haproxy = labels["p1_h1"], labels["p1_h2"], labels["p1_h3"]
    assert "alb" in alb and "idle timeout 6m40s" in alb and "configured at alb.tf:6:3: idle_timeout 400" in alb
    assert "nginx" in nginx and "idle timeout 2m" in nginx and "nginx.conf:35:13" in nginx
    assert found["p1_h3"][1] == "bottleneck" and "BOTTLENECK" in haproxy and "haproxy.cfg:20:5" in haproxy
    assert {found["p1_h1"][1], found["p1_h2"][1]} == {"good"}
    assert "classDef bottleneck " in run.out
    assert "largest safe ping interval: 15s" in labels["p1_verdict"]
    assert "ping 25s" in labels["p1_client"]
    assert "WS301 [error] haproxy.cfg:20" in labels["p1_findings"]


def test_mermaid_marks_a_default_timeout_and_where_it_comes_from() -> None:
    path = three_hops()
    default = timeout(60, "60s", at("nginx.conf", 14, 13), "proxy_read_timeout", default=True)
    path.hops[1].routes[0].idle_timeout = default
    found = nodes(mermaid.render([path], []))
    label, style = found["p1_h2"]
    assert style == "unset" and "default" in decoded(label) and "configured" not in decoded(label)
    assert "configured at haproxy.cfg:12:5" in decoded(found["p1_h3"][0])


def test_mermaid_labels_escape_what_configs_hold() -> None:
    """Quotes, brackets, <, newlines, #, backticks and %% in names cannot end a label, inject a node or markup."""
    path = three_hops(ping=20)
    path.name = HOSTILE
    path.hops[1].routes[0] = route(HOSTILE, "ngi`nx<b>.conf", timeout(120, "120s", at("n#g.conf", 14, 13), "x"))
    path.hops[1].location = Location(file=HOSTILE, line=1, column=1)
    finding = Finding(rule="WS201", severity=Severity.WARNING, location=at("ngi`nx<b>.conf", 3, 1), message=HOSTILE)
    diagram = mermaid.render([path], [finding])
    lines = diagram.splitlines()
    structural = re.compile(
        r"^\s*(flowchart LR|direction LR|end|subgraph p1\[\"[^\"]*\"\]|classDef \w+ [\w:#,.\- ]+|[\w .>-]+)$"
    )
    for line in lines:
        assert NODE.match(line) or structural.match(line), f"a line that is neither a node nor our structure: {line!r}"
    for label, _ in nodes(diagram).values():
        assert not re.search(r"[\"`<>\[\]{}|;%#:]", re.sub(r"#\d+;|<br/>", "", label)), label
    assert "evil" not in "".join(re.findall(r"^\s+(\w+)", diagram, re.M))  # no node was injected
    shown = decoded(nodes(diagram)["p1_h2"][0])
    assert HOSTILE.replace("\n", "\\x0a") in shown  # the user reads the value as written (printable)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "utf-8"])
def test_mermaid_is_ascii_with_non_ascii_names_as_entity_codes(
    wslint: Wslint, three_hop: FsPath, encoding: str
) -> None:
    # on a cp1252 or ASCII stdout a non-ASCII label was written as the literal text \u0447, drawn as it stands
    config = three_hop / "wslint.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"chat"', '"чат ünd 💬"'), encoding="utf-8")
    run = wslint("path", "--output-format", "mermaid", cwd=three_hop, env={"PYTHONIOENCODING": encoding})
    assert run.code == 1, run.err
    assert run.out.isascii() and "\\u" not in run.out and "#1095;" in run.out
    title = re.search(r'subgraph p1\["([^"]*)"\]', run.out)
    assert title is not None and "чат ünd 💬" in decoded(title[1])


def test_hop_boxes_say_where_the_route_is_not_the_file_s_first_line(wslint: Wslint, three_hop: FsPath) -> None:
    # nginx.conf:2:1 (the hop) said nothing; the route is the location block at line 29, the backend at 18
    drawn = wslint("path", "--output-format", "mermaid", cwd=three_hop)
    labels = {node: decoded(label).split("\n") for node, (label, _) in nodes(drawn.out).items()}
    assert labels["p1_h1"][1] == "alb.tf:9:1" and labels["p1_h2"][1] == "nginx.conf:29:9"
    assert "haproxy.cfg:18:1" in labels["p1_h3"] and "nginx.conf:2:1" not in drawn.out
    page = wslint("path", "--output-format", "html", cwd=three_hop).out
    assert "route at nginx.conf:29:9" in page and "hop at nginx.conf:2:1" not in page


def test_mermaid_goes_with_wslint_path_only(wslint: Wslint, three_hop: FsPath) -> None:
    run = wslint("check", "--output-format", "mermaid", "nginx.conf", cwd=three_hop)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("wslint: error: ") and "wslint path" in run.err


# -- html ------------------------------------------------------------------------------------------------------


def test_html_is_one_self_contained_page(wslint: Wslint, three_hop: FsPath) -> None:
    run = wslint("path", "--output-format", "html", "-o", "report.html", cwd=three_hop)
    assert run.code == 1 and run.out == "", run.err
    page = (three_hop / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.I)
    assert not re.search(r"(src|href)\s*=", page, re.I)
    assert "default-src 'none'" in page
    assert 'class="hop bottleneck"' in page and "haproxy.cfg:20:5" in page and "WS301" in page


def test_html_escapes_every_value() -> None:
    from wslint.engine import Result

    path = three_hops()
    path.name = HOSTILE
    path.hops[2].routes[0] = route(HOSTILE, "h<a>.cfg", timeout(30, "30s", at("h<a>.cfg", 12, 5), "timeout tunnel"))
    finding = Finding(rule="WS301", severity=Severity.ERROR, location=at("h<a>.cfg", 12, 5), message=HOSTILE)
    page = html_report.render(Result(findings=[finding], files=1, paths=[path]), draw=True)
    assert "<img" not in page and "h<a>" not in page and "&lt;img src=x" in page
    assert "onerror=alert(1)&gt;" in page


def test_html_for_wslint_check_lists_the_findings(wslint: Wslint, three_hop: FsPath) -> None:
    run = wslint("check", "--isolated", "--output-format", "html", "nginx.conf", cwd=three_hop)
    assert run.code in (0, 1), run.err
    assert "<h2>Findings</h2>" in run.out and 'class="path"' not in run.out


# -- the GitHub step summary -------------------------------------------------------------------------------------


def test_step_summary_draws_each_path_as_a_mermaid_block_after_the_findings(wslint: Wslint, three_hop: FsPath) -> None:
    summary = three_hop / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run = wslint("path", cwd=three_hop, env=env)
    assert run.code == 1 and "::error title=wslint (WS301)" in run.out
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## wslint\n")
    table, block = text.index("| Location | Rule |"), text.index("```mermaid\nflowchart LR\n")
    assert table < text.index("### Path chat") < block
    diagram = text[block + len("```mermaid\n") : text.index("\n```", block)]
    assert nodes(diagram)["p1_h3"][1] == "bottleneck"
    assert "`" not in diagram
    # `wslint check` keeps today's summary: the findings, no picture
    summary.write_text("", encoding="utf-8")
    wslint("check", "haproxy.cfg", cwd=three_hop, env=env)
    assert "```mermaid" not in summary.read_text(encoding="utf-8")


def test_layout_gives_every_drawing_the_same_rows() -> None:
    from wslint.report.path_view import layout, path_findings

    path = three_hops(ping=20)
    view = layout(path)
    assert [row.cells[1] for row in view.rows] == ["alb", "nginx", "haproxy"]
    assert [row.bottleneck for row in view.rows] == [False, False, True]
    assert view.verdict == "ping-too-long" and view.conclusion[0].startswith("largest safe ping interval: 15s")
    assert view.origin(view.rows[2]) == "configured at haproxy.cfg:12:5: timeout tunnel 30s"
    elsewhere = Finding(rule="WS201", location=at("other.conf", 1), message="m")
    mine = Finding(rule="WS301", location=at("haproxy.cfg", 12, 5), message="m")
    assert path_findings(path, [elsewhere, mine]) == [mine]


# -- lifetime caps, unknown and assumed routes (issue 21) ---------------------------------------------------------

CAP_NODE = re.compile(r'^\s+(\w+)\{\{"([^"]*)"\}\}:::(\w+)$', re.M)


def test_mermaid_hangs_each_cap_off_its_hop_as_a_hexagon_of_its_own() -> None:
    from tests.test_path_view import capped_path

    diagram = mermaid.render([capped_path()], [])
    caps = {node: (decoded(label), style) for node, label, style in CAP_NODE.findall(diagram)}
    assert set(caps) == {"p1_h1_cap1", "p1_h2_cap1", "p1_h3_cap1"}
    label, style = caps["p1_h1_cap1"]
    assert style == "cap" and label.startswith("LIFETIME CAP 30s\n")
    assert "pings do not help (WS209)" in label and "default timeout_sec 30 at main.tf:12:1" in label
    assert caps["p1_h2_cap1"][1] == "capinfo" and "(WS207)" in caps["p1_h2_cap1"][0]
    assert caps["p1_h3_cap1"][1] == "cap"  # the Application Gateway's request timeout, a cap of the whole hop
    # linked to its hop, never in the client-to-app chain; the idle timeout stays the hop's own
    assert "    p1_h1 -.- p1_h1_cap1" in diagram and "--> p1_h1_cap1" not in diagram
    found = nodes(diagram)
    assert "idle timeout infinite (no idle timeout)" in decoded(found["p1_h1"][0])
    assert "assumed to carry WebSockets" in decoded(found["p1_h2"][0])
    assert "classDef cap " in diagram and "classDef capinfo " in diagram
    verdict = decoded(found["p1_verdict"][0])
    assert "closes every connection at 30s whatever the traffic" in verdict and "gcp: read from main.tf" in verdict


def test_mermaid_and_html_say_why_an_idle_timeout_is_unknown() -> None:
    from wslint.engine import Result
    from wslint.hops import KINDS
    from wslint.model import Hop, Route

    path = three_hops(10)
    tunnel = Route(name="Cloudflare Tunnel", location=at("cloudflare-tunnel"),
                   reason="named in the path; idle timeout unknown: no documented value")  # fmt: skip
    path.hops.insert(
        0, Hop(kind=KINDS["cloudflare-tunnel"], name="Cloudflare Tunnel", location=at("x"), routes=[tunnel])
    )
    label = decoded(nodes(mermaid.render([path], []))["p1_h1"][0])
    assert "idle timeout unknown" in label and "why unknown: no documented value; not judged" in label
    page = html_report.render(Result(findings=[], files=1, paths=[path]), draw=True)
    assert '<span class="note">why unknown: no documented value; not judged</span>' in page
    assert "idle timeout unknown at 1 cloudflare-tunnel: left out of the bottleneck" in page


def test_html_marks_a_capped_box_and_says_pings_do_not_help() -> None:
    from tests.test_path_view import capped_path
    from wslint.engine import Result

    page = html_report.render(Result(findings=[], files=1, paths=[capped_path()]), draw=True)
    boxes = re.findall(r'<li class="(hop[^"]*)">(.*?)</li>', page)
    classes = [c for c, _ in boxes]
    assert all("capped" in c.split() for c in classes) and len(classes) == 3
    first = boxes[0][1]
    assert (
        '<span class="cap"><b>lifetime cap 30s</b>: closes every connection at 30s whatever the traffic, '
        "pings do not help (WS209)<br>default timeout_sec 30 at main.tf:12:1</span>" in first
    )
    assert '<span class="cap info"><b>lifetime cap 2h</b>' in boxes[1][1]
    assert "<p>gcp: read from main.tf</p>" in page


def test_step_summary_draws_the_caps_of_a_named_hop(wslint: Wslint, tmp_path: FsPath) -> None:
    (tmp_path / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location /ws/ {\n    proxy_pass http://a;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n"
        "    proxy_read_timeout 1h;\n  }\n}\n",
        encoding="utf-8",
    )
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run = wslint("path", "--isolated", "cloud-run", "nginx.conf", "--ping-interval", "25s", cwd=tmp_path, env=env)
    assert run.code == 1, run.err  # WS209 is a warning
    text = summary.read_text(encoding="utf-8")
    diagram = text[text.index("```mermaid\n") : text.index("\n```", text.index("```mermaid\n"))]
    caps = CAP_NODE.findall(diagram)
    assert [(node, style) for node, _, style in caps] == [("p1_h1_cap1", "cap")]
    assert decoded(caps[0][1]).startswith("LIFETIME CAP 5m\n")


def test_a_short_cap_fails_every_drawing_s_verdict_even_when_the_ping_is_fine() -> None:
    from tests.test_path_view import capped_path
    from wslint.engine import Result
    from wslint.report.path_view import layout

    path = capped_path(ping=10)  # 10 s keeps every idle timeout open; the 30 s caps still close every connection
    view = layout(path)
    assert view.verdict == "short-lifetime-cap" and view.cap == "WS209"
    assert not any("OK (" in line for line in view.conclusion)
    page = html_report.render(Result(findings=[], files=1, paths=[path]), draw=True)
    assert '<div class="verdict bad">' in page and "OK (" not in page
    found = nodes(mermaid.render([path], []))
    # the capped boxes are drawn failing, never good, and the verdict note never says OK
    assert [found[f"p1_h{i}"][1] for i in (1, 3)] == ["short", "bottleneck"]
    assert "OK (" not in decoded(found["p1_verdict"][0]) and "not OK" in decoded(found["p1_verdict"][0])
    # a box with no idle timeout says so, and never "configured at"
    assert view.origin(view.rows[0]) == "no idle timeout"
    label = decoded(nodes(mermaid.render([path], []))["p1_h1"][0])
    assert "idle timeout infinite (no idle timeout)\nno idle timeout" in label and "configured" not in label


def test_a_short_cap_fails_the_path_in_every_format_end_to_end(wslint: Wslint, tmp_path: FsPath) -> None:
    """A GKE Ingress whose BackendConfig caps /ws at 30 s, before an nginx holding idle WebSockets an hour: the ping
    keeps every idle timeout, the cap still closes each WebSocket at 30 s."""
    import json

    (tmp_path / "ing.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app\n"
        "  annotations:\n    kubernetes.io/ingress.class: gce\nspec:\n  rules:\n  - http:\n      paths:\n"
        "      - path: /ws\n        pathType: Prefix\n        backend:\n          service:\n            name: app\n"
        "            port:\n              number: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app\n"
        '  annotations:\n    cloud.google.com/backend-config: \'{"default": "bc"}\'\n'
        "spec:\n  ports:\n  - port: 80\n",
        encoding="utf-8",
    )
    (tmp_path / "bc.yaml").write_text(
        "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: bc\nspec:\n  timeoutSec: 30\n",
        encoding="utf-8",
    )
    (tmp_path / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location /ws {\n    proxy_pass http://a;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n"
        "    proxy_read_timeout 3600s;\n  }\n}\n",
        encoding="utf-8",
    )
    args = ("path", "--isolated", "ing.yaml", "bc.yaml", "nginx.conf", "--client", "socket.io")
    data = json.loads(wslint(*args, "--output-format", "json", cwd=tmp_path).out)
    (path,) = data["paths"]
    assert path["verdict"] == "short-lifetime-cap"
    capped = path["hops"][0]["routes"][0]
    assert capped["lifetime"]["seconds"] == 30 and capped["ok"] is False
    assert path["hops"][1]["routes"][0]["ok"] is True
    text = wslint(*args, cwd=tmp_path).out
    assert "OK (" not in text and "not OK" in text
    found = nodes(wslint(*args, "--output-format", "mermaid", cwd=tmp_path).out)
    assert found["p1_h1"][1] == "short" and "OK (" not in decoded(found["p1_verdict"][0])
    page = wslint(*args, "--output-format", "html", cwd=tmp_path).out
    assert '<div class="verdict bad">' in page and "OK (" not in page


def test_a_hop_that_refuses_the_upgrade_says_so_in_every_format(wslint: Wslint, tmp_path: FsPath) -> None:
    """A Cloudflare zone with websockets off (WS107) before nginx: the path is not OK, and says why, not "unknown"."""
    import json

    (tmp_path / "cf.tf").write_text(
        'resource "cloudflare_zone_settings_override" "z" {\n  zone_id = "x"\n  settings {\n'
        '    websockets = "off"\n  }\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location /ws {\n    proxy_pass http://a;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n"
        "    proxy_read_timeout 3600s;\n  }\n}\n",
        encoding="utf-8",
    )
    args = ("path", "--isolated", "cf.tf", "nginx.conf", "--ping-interval", "25s")
    text = wslint(*args, cwd=tmp_path).out
    assert "wslint cannot read it" not in text and "OK (" not in text
    assert "upgrade off: the zone's websockets setting is off" in text and "(WS107)" in text
    assert "upgrade off at 1 cloudflare: no WebSocket crosses this path (WS107)" in text
    report = json.loads(wslint(*args, "--output-format", "json", cwd=tmp_path).out)
    assert any(f["rule"] == "WS107" and f["file"] == "cf.tf" for f in report["findings"])
    (path,) = report["paths"]
    assert path["verdict"] == "upgrade-off"
    (zone,) = path["hops"][0]["routes"]
    assert zone["ok"] is False and zone["unknown_why"].startswith("upgrade off: ")
    found = nodes(wslint(*args, "--output-format", "mermaid", cwd=tmp_path).out)
    label = decoded(found["p1_h1"][0])
    assert found["p1_h1"][1] == "short" and "upgrade off: " in label and "cannot read" not in label
    page = wslint(*args, "--output-format", "html", cwd=tmp_path).out.replace("&#x27;", "'")
    assert '<div class="verdict bad">' in page and "upgrade off: the zone's websockets setting is off" in page
