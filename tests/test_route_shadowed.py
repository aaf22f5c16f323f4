"""WS108 route-shadowed on HAProxy: a use_backend rule for a WebSocket backend that an earlier rule always catches.

HAProxy evaluates use_backend rules in declaration order and the first that matches wins; default_backend applies
only when none matches. Only coverage wslint can prove fires: anything it cannot read is no finding.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import realproxy
from tests.conftest import Linted
from wslint.sources.haproxy_shadow import SwitchRule, shadowing

Lint = Callable[..., Linted]

# lines 1-7
HEAD = (
    "global\n    hard-stop-after 30m\n"
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
)
BACKENDS = "backend be_web\n    server s 10.0.0.1:80\nbackend be_ws\n    timeout tunnel 1h\n    server s 10.0.0.2:80\n"


def config(*rules: str, section: str = "frontend fe") -> str:
    """HEAD, the section with its rules from line 10, then be_web and be_ws."""
    return HEAD + f"{section}\n    bind :80\n" + "".join(f"    {rule}\n" for rule in rules) + BACKENDS


def ws108(lint: Lint, text: str) -> Linted:
    return lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS108")


def test_an_unconditional_rule_first_shadows_the_websocket_rule(lint: Lint) -> None:
    result = ws108(lint, config("use_backend be_web", "use_backend be_ws if { hdr(upgrade) -i websocket }"))
    assert result.rules_at() == {("WS108", 11)}
    assert result.code == 1
    [found] = result.findings
    assert "use_backend be_web" in str(found["message"]) and "line 10" in str(found["message"])
    assert "be_ws" in str(found["message"])
    related = found["related"]
    assert isinstance(related, list) and [r["line"] for r in related] == [10]


def test_a_broader_path_prefix_first_shadows_a_websocket_path(lint: Lint) -> None:
    text = config("use_backend be_web if { path_beg / }", "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, text).rules_at() == {("WS108", 11)}


def test_the_websocket_rule_first_is_clean(lint: Lint) -> None:
    text = config("use_backend be_ws if { path_beg /ws }", "use_backend be_web if { path_beg / }")
    assert ws108(lint, text).findings == []


@pytest.mark.parametrize(
    "earlier",
    [
        "use_backend be_web if { path_beg /api }",  # narrower: does not cover /ws
        "use_backend be_web if { path_beg /w/ }",
        "use_backend be_web if { path /ws/x }",  # exact path
        "use_backend be_web if { path_reg ^/ }",  # a regex: not reasoned about
        "use_backend be_web if { path_beg -f /etc/haproxy/paths.lst }",  # patterns from a file
        "use_backend be_web if { url_beg / }",  # url is not path (absolute-form URIs)
        "use_backend be_web if { hdr(host) -i example.com }",
        "use_backend be_web if HTTP",  # a predefined ACL wslint does not model
        "use_backend be_web if undeclared",
    ],
)
def test_rules_that_do_not_cover_the_websocket_path(lint: Lint, earlier: str) -> None:
    assert ws108(lint, config(earlier, "use_backend be_ws if { path_beg /ws }")).findings == []


@pytest.mark.parametrize(
    "earlier",
    [
        "use_backend be_web unless { path_beg /ws }",  # unless: a negation
        "use_backend be_web unless { path_beg /api }",
        "use_backend be_web if !{ path_beg /ws }",
        "use_backend be_web if { path_beg / } !{ hdr(upgrade) -i websocket }",
        "use_backend be_web if ! { path_beg /api }",
    ],
)
def test_negations_are_unknown_and_never_fire(lint: Lint, earlier: str) -> None:
    assert ws108(lint, config(earlier, "use_backend be_ws if { path_beg /ws }")).findings == []


def test_named_acls_are_resolved_to_their_criteria(lint: Lint) -> None:
    text = config(
        "acl is_root path_beg /",
        "acl is_ws path_beg /ws",
        "use_backend be_web if is_root",
        "use_backend be_ws if is_ws",
    )
    assert ws108(lint, text).rules_at() == {("WS108", 13)}


def test_an_acl_anded_with_another_must_be_covered_entirely(lint: Lint) -> None:
    # the earlier rule matches only for example.com: WebSocket requests to other hosts still reach be_ws
    text = config(
        "acl is_root path_beg /",
        "acl is_site hdr(host) -i example.com",
        "use_backend be_web if is_root is_site",
        "use_backend be_ws if { path_beg /ws }",
    )
    assert ws108(lint, text).findings == []
    # every ANDed term covering: shadowed
    both = config("use_backend be_web if { path_beg / } { path_beg /w }", "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, both).rules_at() == {("WS108", 11)}


def test_an_and_in_the_websocket_rule_only_narrows_it(lint: Lint) -> None:
    text = config(
        "use_backend be_web if { path_beg / }",
        "use_backend be_ws if { path_beg /ws } { hdr(upgrade) -i websocket }",
    )
    assert ws108(lint, text).rules_at() == {("WS108", 11)}


def test_alternatives_of_the_websocket_rule_must_all_be_covered(lint: Lint) -> None:
    covered = config(
        "use_backend be_web if { path_beg /ws } || { path_beg /socket }",
        "use_backend be_ws if { path_beg /ws } || { path_beg /socket.io }",
    )
    assert ws108(lint, covered).rules_at() == {("WS108", 11)}
    uncovered = config(
        "use_backend be_web if { path_beg /ws }",
        "use_backend be_ws if { path_beg /ws } || { path_beg /socket.io }",
    )
    assert ws108(lint, uncovered).findings == []
    # a named ACL's lines are ORed: all of them must be covered
    lines = config(
        "acl ws_paths path_beg /ws",
        "acl ws_paths path_beg /live",
        "use_backend be_web if { path_beg /ws }",
        "use_backend be_ws if ws_paths",
    )
    assert ws108(lint, lines).findings == []


def test_a_header_condition_is_shadowed_only_by_an_always_true_rule(lint: Lint) -> None:
    upgrade = "use_backend be_ws if { hdr(upgrade) -i websocket }"
    assert ws108(lint, config("use_backend be_web if { path_beg / }", upgrade)).findings == []
    assert ws108(lint, config("use_backend be_web if TRUE", upgrade)).rules_at() == {("WS108", 11)}
    assert ws108(lint, config("use_backend be_web if { always_true }", upgrade)).rules_at() == {("WS108", 11)}


def test_case_flags(lint: Lint) -> None:
    ws = "use_backend be_ws if { path_beg -i /WS }"
    assert ws108(lint, config("use_backend be_web if { path_beg -i /w }", ws)).rules_at() == {("WS108", 11)}
    # case-sensitive /w does not cover /WS, /Ws, ...
    assert ws108(lint, config("use_backend be_web if { path_beg /w }", ws)).findings == []
    assert ws108(lint, config("use_backend be_web if { path_beg / }", ws)).rules_at() == {("WS108", 11)}
    assert ws108(lint, config("use_backend be_web if { path -m beg / }", ws)).rules_at() == {("WS108", 11)}


def test_a_listen_section(lint: Lint) -> None:
    text = config("use_backend be_web", "use_backend be_ws if { path_beg /ws }", section="listen app")
    assert ws108(lint, text).rules_at() == {("WS108", 11)}


def test_default_backend_never_shadows(lint: Lint) -> None:
    text = config("default_backend be_web", "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, text).findings == []


def test_a_backend_that_is_also_the_default_is_left_alone(lint: Lint) -> None:
    text = config("use_backend be_web", "use_backend be_ws if { path_beg /ws }", "default_backend be_ws")
    assert ws108(lint, text).findings == []


def test_a_route_still_reached_by_another_rule_is_not_shadowed(lint: Lint) -> None:
    text = config(
        "use_backend be_ws if { hdr(upgrade) -i websocket }",
        "use_backend be_web if { path_beg / }",
        "use_backend be_ws if { path_beg /ws }",
    )
    assert ws108(lint, text).findings == []


def test_an_earlier_rule_to_the_same_backend_or_a_dynamic_one(lint: Lint) -> None:
    same = config("use_backend be_ws if { path_beg / }", "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, same).findings == []
    dynamic = config("use_backend be_%[req.hdr(x-app)]", "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, dynamic).findings == []


def test_lines_wslint_cannot_read_never_fire(lint: Lint) -> None:
    conditional = config(
        '.if streq("${ROLE}",web)', "use_backend be_web", ".endif", "use_backend be_ws if { path_beg /ws }"
    )
    assert ws108(lint, conditional).findings == []
    variable = config('use_backend be_web if { path_beg "${PREFIX}" }', "use_backend be_ws if { path_beg /ws }")
    assert ws108(lint, variable).findings == []


def test_several_frontends_each_judged(lint: Lint) -> None:
    text = (
        HEAD
        + "frontend a\n    bind :80\n    use_backend be_web\n    use_backend be_ws if { path_beg /ws }\n"
        + "frontend b\n    bind :81\n    use_backend be_ws if { path_beg /ws }\n    use_backend be_web\n"
        + BACKENDS
    )
    assert ws108(lint, text).rules_at() == {("WS108", 11)}


def test_a_plain_backend_is_not_a_websocket_route(lint: Lint) -> None:
    # be_api is shadowed too, but carries no WebSocket: WS108 is about WebSocket routes
    text = (
        HEAD
        + "frontend fe\n    bind :80\n    use_backend be_web\n    use_backend be_api if { path_beg /api }\n"
        + "    use_backend be_ws if { path_beg /ws }\n"
        + "backend be_api\n    server s 10.0.0.3:80\n"
        + BACKENDS
    )
    assert ws108(lint, text).rules_at() == {("WS108", 12)}


def test_bad_conditions_give_no_traceback(lint: Lint) -> None:
    text = config("use_backend be_web if { path_beg /", "use_backend be_ws if { path_beg /ws }")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg")
    assert ("WS108", 11) not in result.rules_at()
    assert "Traceback" not in result.err


def test_shadowing_unit() -> None:
    rules = [
        SwitchRule("web", ("if", "{", "path_beg", "/", "}"), "use_backend web if { path_beg / }", 0),
        SwitchRule("ws", ("if", "{", "path_beg", "/ws", "}"), "use_backend ws if { path_beg /ws }", 1),
    ]
    found = shadowing(rules, "ws", {})
    assert found is not None and found[0] is rules[1] and found[1] is rules[0]
    assert shadowing(rules, "web", {}) is None
    assert shadowing(rules, "missing", {}) is None
    assert shadowing([rules[1], rules[0]], "ws", {}) is None


@pytest.mark.parametrize("flag", ["disabled", "be-unpublished"])
def test_an_earlier_rule_to_a_backend_haproxy_may_skip_does_not_shadow(lint: Lint, flag: str) -> None:
    text = config("use_backend be_off", "use_backend be_ws if { path_beg /ws }") + (
        f"backend be_off\n    {flag}\n    server s 10.0.0.4:80\n"
    )
    assert ws108(lint, text).findings == []
    # a later catch-all to a usable backend still shadows
    both = config("use_backend be_off", "use_backend be_web", "use_backend be_ws if { path_beg /ws }") + (
        f"backend be_off\n    {flag}\n    server s 10.0.0.4:80\n"
    )
    result = ws108(lint, both)
    assert result.rules_at() == {("WS108", 12)}
    assert "line 11" in str(result.findings[0]["message"])


def test_an_earlier_rule_to_an_undeclared_backend_does_not_shadow(lint: Lint) -> None:
    assert ws108(lint, config("use_backend be_elsewhere", "use_backend be_ws if { path_beg /ws }")).findings == []


# -- the real HAProxy: the shadowed WebSocket request reaches the plain backend -------------------------------------


def real_config(port: int, backend_port: int, ws_first: bool) -> str:
    rules = ["use_backend be_ws if { path_beg /ws }", "use_backend be_web if { path_beg / }"]
    if not ws_first:
        rules.reverse()
    return (
        "global\n    hard-stop-after 5s\n"
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n"
        f"frontend fe\n    bind 127.0.0.1:{port}\n" + "".join(f"    {rule}\n" for rule in rules) + "backend be_web\n"
        '    http-request return status 200 content-type text/plain string "plain" hdr x-backend web\n'
        f"backend be_ws\n    timeout tunnel 10s\n    server ws 127.0.0.1:{backend_port}\n"
    )


def handshake(port: int) -> str:
    """The status line and headers HAProxy answers a WebSocket handshake to /ws/ with (bounded by a timeout)."""
    request = (
        "GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("ws_first", [False, True], ids=["shadowed", "websocket-rule-first"])
def test_real_haproxy_sends_the_shadowed_handshake_to_the_plain_backend(
    haproxy_binary: str, lint: Lint, tmp_path: Path, ws_first: bool
) -> None:
    with realproxy.backend("echo") as backend_port:
        port = realproxy.free_port()
        conf = real_config(port, backend_port, ws_first)
        result = ws108(lint, conf)
        with realproxy.run_haproxy(haproxy_binary, tmp_path / "run", conf):
            head = handshake(port)
    status = head.split("\r\n", 1)[0]
    if ws_first:
        assert result.findings == []
        assert " 101 " in status, head
    else:
        assert result.rules_at() == {("WS108", 11)}  # predicted: the WebSocket rule is never used
        assert " 200 " in status and "x-backend: web" in head.lower(), head  # observed: the plain backend answered
