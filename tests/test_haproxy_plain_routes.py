"""HAProxy backends with no WebSocket evidence (issue 18, point 3).

When nothing marks a WebSocket route, a backend reached only through `use_backend` rules whose conditions select
paths or hosts without a WebSocket token is a plain HTTP route; the default backend and backends reached otherwise
still count.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted

Lint = Callable[..., Linted]

# lines 1-7
HEAD = (
    "global\n    hard-stop-after 30m\n"
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
)


def config(*rules: str, backends: tuple[str, ...] = ("static", "camera", "hls", "app")) -> str:
    """HEAD, a frontend with the rules (from line 10), then one backend per name, two lines each."""
    front = "frontend fe\n    bind :80\n" + "".join(f"    {rule}\n" for rule in rules)
    return HEAD + front + "".join(f"backend {name}\n    server s 10.0.0.1:80\n" for name in backends)


def ws202_backends(result: Linted) -> set[str]:
    return {str(f["message"]).split(" carries")[0].split()[-1] for f in result.only("WS202")}


def test_static_mjpeg_and_hls_backends_picked_by_path_or_host_are_plain(lint: Lint) -> None:
    text = config(
        "acl is_static path_beg /static/ /assets/",
        "acl is_cdn hdr(host) -i cdn.example.com",
        "use_backend static if is_static || is_cdn",
        "use_backend camera if { path_beg /camera/mjpeg }",
        "use_backend hls if { hdr_dom(host) -i video.example.com } { path_end .m3u8 }",
        "default_backend app",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg")
    assert ws202_backends(result) == {"app"}
    # the default backend's finding is at its header, and the shared timeout is one WS303 at the defaults line
    assert result.rules_at() == {("WS202", text.splitlines().index("backend app") + 1), ("WS303", 7)}


def test_backends_reached_otherwise_still_count(lint: Lint) -> None:
    text = config(
        "acl is_static path_beg /static/",
        "use_backend static if !is_static",  # negated: every other path, WebSocket ones included
        "use_backend camera if { src 10.0.0.0/8 } || { path_beg /camera/ }",  # a branch without a path
        "use_backend hls",  # unconditional
        "default_backend app",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert ws202_backends(result) == {"static", "camera", "hls", "app"}


def test_a_backend_also_reached_as_the_default_counts(lint: Lint) -> None:
    text = config("use_backend app if { path_beg /api/ }", "default_backend app", backends=("app",))
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert ws202_backends(result) == {"app"}


def test_a_host_with_a_websocket_token_or_patterns_from_a_file_count(lint: Lint) -> None:
    text = config(
        "use_backend static if { hdr(host) -i ws.example.com }",
        "use_backend camera if { path_beg -f /etc/haproxy/camera-paths.lst }",
        "use_backend hls if { path_beg /video/ }",
        backends=("static", "camera", "hls"),
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert ws202_backends(result) == {"static", "camera"}


def test_only_the_fallback_drops_plain_routes(lint: Lint) -> None:
    # a WebSocket route is marked: only it counts, whatever the others are
    text = config("use_backend static if { path_beg /static/ }", "use_backend app if { path_beg /ws/ }")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert ws202_backends(result) == {"app"}


def test_a_shared_value_is_one_finding_at_the_shared_line(lint: Lint) -> None:
    text = config(
        "use_backend static if { path_beg /static/ }",
        "use_backend camera if { method POST }",
        "default_backend app",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS303")
    (finding,) = result.findings
    assert finding["line"] == 7
    message = str(finding["message"])
    assert "backend camera" in message and "backend app" in message and "backend static" not in message
