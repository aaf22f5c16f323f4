"""The HAProxy source end to end: inheritance, the idle timeout of a tunnel, WebSocket routes, unknowns."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted

Lint = Callable[..., Linted]

GLOBAL = "global\n    hard-stop-after 30m\n"


def cfg(*sections: str) -> str:
    return GLOBAL + "".join(sections)


DEFAULTS = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
FRONT = "frontend fe\n    bind :80\n    default_backend app\n"
BACK = "backend app\n    server s1 10.0.0.1:8080\n"


def test_no_tunnel_idle_is_the_smaller_of_client_and_server(lint: Lint) -> None:
    text = cfg(DEFAULTS, FRONT, "backend app\n    timeout server 20s\n    server s1 10.0.0.1:8080\n")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--ping-interval", "15s")
    # every backend counts when none is marked; no tunnel: WS202 at the backend, WS301 at the 20s server timeout
    assert result.rules_at() == {("WS202", 11), ("WS301", 12)}
    ws301 = result.only("WS301")[0]
    assert "frontend fe -> backend app: idle timeout 20s (timeout server 20s)" in str(ws301["message"])


def test_tie_points_at_the_backend(lint: Lint) -> None:
    text = cfg(
        DEFAULTS.replace("timeout server 30s\n", ""),
        FRONT,
        "backend app\n    timeout server 30s\n    server s 10.0.0.1:80\n",
    )
    assert lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS303").rules_at() == {("WS303", 11)}


def test_tunnel_in_defaults_wins(lint: Lint) -> None:
    text = cfg(DEFAULTS + "    timeout tunnel 1h\n    timeout client-fin 30s\n", FRONT, BACK)
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--ping-interval", "25s")
    assert result.findings == []


def test_tunnel_in_a_frontend_is_ignored_and_named(lint: Lint) -> None:
    text = cfg(DEFAULTS, FRONT + "    timeout tunnel 1h\n", BACK)
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    (finding,) = result.findings
    assert finding["line"] == 12
    assert "the timeout tunnel at line 11 is in a frontend" in str(finding["message"])


def test_defaults_from_and_proxy_from(lint: Lint) -> None:
    text = cfg(
        "defaults base\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
        "    timeout tunnel 2h\n",
        "defaults other\n    mode http\n",  # resets everything: no tunnel, no timeouts
        "frontend fe from base\n    bind :80\n    default_backend app\n",
        "backend app from base\n    server s1 10.0.0.1:8080\n",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202,WS204,WS303")
    assert result.rules_at() == {("WS303", 8)}  # the 2h tunnel of `defaults base`


def test_last_defaults_before_a_proxy_applies(lint: Lint) -> None:
    text = cfg(DEFAULTS + "    timeout tunnel 1h\n", "defaults\n    mode http\n", FRONT, BACK)
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202,WS204")
    assert result.rules_at() == {("WS202", 14), ("WS204", 9)}
    message = str(result.only("WS204")[0]["message"])
    assert "timeout client never set for frontend 'fe'" in message
    assert "timeout connect, timeout server never set for backend 'app'" in message


def test_websocket_routes_by_acl_name_and_fallback(lint: Lint) -> None:
    text = cfg(
        DEFAULTS,
        "frontend fe\n    bind :80\n    acl is_ws hdr(Upgrade) -i websocket\n    use_backend chat if is_ws\n"
        "    use_backend live if { path_beg /ws/ }\n    use_backend api if !is_ws\n    default_backend web\n",
        "backend chat\n    server a 10.0.0.1:80\n",
        "backend live\n    server b 10.0.0.2:80\n",
        "backend api\n    server c 10.0.0.3:80\n",
        "backend web\n    server d 10.0.0.4:80\n",
        "backend be_socketio\n    server e 10.0.0.5:80\n",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert {str(f["message"]).split(" carries")[0] for f in result.findings} == {
        "backend chat",
        "backend live",
        "backend be_socketio",
    }


def test_environment_variables_and_undecided_conditions_are_unknown(lint: Lint) -> None:
    text = cfg(
        DEFAULTS.replace("timeout client 30s", 'timeout client "${CLIENT_TIMEOUT}"'),
        FRONT,
        "backend app\n.if defined(WITH_TUNNEL)\n    timeout tunnel 1h\n.endif\n    server s1 10.0.0.1:8080\n",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--ping-interval", "25s")
    assert result.findings == []
    assert "both branches are considered possible" in result.err


def test_version_evaluates_conditions(lint: Lint) -> None:
    text = cfg(
        DEFAULTS,
        FRONT,
        "backend app\n.if version_atleast(2.4)\n    timeout tunnel 1h\n.endif\n    server s 10.0.0.1:80\n",
    )
    assert lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202", "--haproxy-version", "2.6").findings == []
    old = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202", "--haproxy-version", "2.2")
    assert [f["line"] for f in old.findings] == [11]


def test_unitless_and_invalid_times(lint: Lint) -> None:
    text = cfg(
        DEFAULTS.replace("timeout client 30s", "timeout client 3600").replace(
            "timeout connect 5s", "timeout connect 5000"
        ),
        FRONT,
        "backend app\n    timeout tunnel 1h30m\n    timeout server 10x\n    server s 10.0.0.1:80\n",
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS203,WS206")
    assert result.rules_at() == {("WS203", 6), ("WS206", 12), ("WS206", 13)}
    messages = [str(f["message"]) for f in result.only("WS206")]
    assert "HAProxy reads it as 1h" in messages[0] and "refuses to start" in messages[1]


def test_missing_timeouts_point_at_the_proxy_without_defaults(lint: Lint) -> None:
    text = GLOBAL + "frontend fe\n    mode http\n    bind :80\n    default_backend app\n" + BACK
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS204")
    assert result.rules_at() == {("WS204", 3), ("WS204", 7)}


def test_client_fin_hard_stop_and_health_check(lint: Lint) -> None:
    text = (
        "global\n    daemon\n"
        + DEFAULTS
        + "    timeout tunnel 1h\n"
        + FRONT.replace("default_backend app", "default_backend ws_back")
        + "backend ws_back\n    option httpchk GET /ws/\n    server s 10.0.0.1:80 check\n"
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS205,WS402,WS601")
    assert result.rules_at() == {("WS205", 8), ("WS402", 1), ("WS601", 13)}
    plain = text.replace("GET /ws/", "GET /ws/healthz")
    assert lint({"haproxy.cfg": plain}, "haproxy.cfg", "--select", "WS601").findings == []
    polling = text.replace("GET /ws/", 'GET "/socket.io/?EIO=4&transport=polling"').replace("ws_back", "sio")
    assert lint({"haproxy.cfg": polling}, "haproxy.cfg", "--select", "WS601").findings == []


def test_files_of_one_directory_continue_each_other(lint: Lint) -> None:
    files = {
        "conf.d/00-global.cfg": GLOBAL + DEFAULTS + "    timeout tunnel 1h\n",
        "conf.d/10-frontend.cfg": FRONT,
        "conf.d/20-backend.cfg": BACK,
    }
    result = lint(files, "conf.d", "--ping-interval", "25s", "--select", "ALL", "--ignore", "WS205")
    assert result.findings == []
    alone = lint({}, "conf.d/20-backend.cfg", "--select", "WS202")
    assert alone.findings == []  # alone, a fragment: its tunnel may come from defaults elsewhere


def test_independent_configs_in_one_directory_stay_apart(lint: Lint) -> None:
    good = cfg(DEFAULTS + "    timeout tunnel 1h\n", FRONT, BACK)
    bad = cfg(DEFAULTS, FRONT, BACK)
    result = lint({"sites/a.cfg": good, "sites/b.cfg": bad}, "sites", "--select", "WS202")
    assert result.rules_in() == {("WS202", "sites/b.cfg", 11)}


def test_a_fragment_is_linted_for_what_it_contains(lint: Lint) -> None:
    # a conf.d file with no global and no defaults: its defaults are in another file
    result = lint({"conf.d/10-chat.cfg": FRONT + BACK}, "conf.d/10-chat.cfg", "--ping-interval", "25s")
    assert result.findings == []


def test_files_named_together_continue_each_other_across_directories(lint: Lint) -> None:
    files = {"base/00-global.cfg": GLOBAL + DEFAULTS + "    timeout tunnel 1h\n", "sites/10-chat.cfg": FRONT + BACK}
    result = lint(files, "base/00-global.cfg", "sites/10-chat.cfg", "--select", "WS202,WS204")
    assert result.findings == []
