"""HAProxy in TCP mode (issue 18, point 1): no `mode` line is `mode tcp`, HAProxy's default.

A file with only proxies runs on HAProxy's own defaults; a TCP connection is a tunnel from its first byte, whose
idle timeout is `timeout tunnel` or the smaller of `timeout client` and `timeout server`.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted

Lint = Callable[..., Linted]

GLOBAL = "global\n    hard-stop-after 30m\n"
# a frontend and two backends, no mode, no timeouts (lines 1-10)
PROXIES_ONLY = (
    "frontend fe\n"
    "    bind :8080\n"
    "    use_backend ws if { path_beg /ws }\n"
    "    default_backend web\n"
    "\n"
    "backend ws\n"
    "    server s1 127.0.0.1:9000\n"
    "\n"
    "backend web\n"
    "    server s2 127.0.0.1:9001\n"
)


def tcp_defaults(mode: str = "", tunnel: str = "") -> str:
    """global (lines 1-2) + defaults (line 3: connect, client 30s, client-fin, server 20s at line 7, tunnel at 8)."""
    return (
        GLOBAL + "defaults\n" + mode + "    timeout connect 5s\n    timeout client 30s\n    timeout client-fin 30s\n"
        "    timeout server 20s\n" + tunnel
    )


def test_a_file_of_proxies_without_mode_or_timeouts_gets_ws204_for_each(lint: Lint) -> None:
    result = lint({"haproxy.cfg": PROXIES_ONLY}, "haproxy.cfg")
    assert result.code == 1
    assert result.rules_in() == {("WS204", "haproxy.cfg", 1), ("WS204", "haproxy.cfg", 6), ("WS204", "haproxy.cfg", 9)}
    assert all(f["help"] for f in result.findings)


def test_a_conf_d_file_of_proxies_still_inherits_what_it_cannot_see(lint: Lint) -> None:
    result = lint({"conf.d/10-site.cfg": PROXIES_ONLY}, "conf.d/10-site.cfg")
    assert (result.code, result.findings) == (0, [])


def test_a_file_of_proxies_below_a_file_with_defaults_continues_it(lint: Lint) -> None:
    # found in a walk, one configuration per folder; the file with defaults lies above: its defaults may apply
    files = {"haproxy/haproxy.cfg": tcp_defaults(), "haproxy/sites/chat.cfg": PROXIES_ONLY}
    result = lint(files, "haproxy", "--select", "WS204")
    assert result.findings == []


def test_a_file_with_defaults_in_a_sibling_folder_does_not_make_a_fragment(lint: Lint) -> None:
    files = {"other/haproxy.cfg": tcp_defaults(), "haproxy/chat.cfg": PROXIES_ONLY}
    result = lint(files, ".", "--select", "WS204")
    assert {(f["file"], f["line"]) for f in result.findings} == {("haproxy/chat.cfg", n) for n in (1, 6, 9)}


def test_tcp_mode_has_no_ws202_and_its_idle_timeout_is_client_or_server(lint: Lint) -> None:
    for mode in ("", "    mode tcp\n"):
        text = tcp_defaults(mode) + "listen ws_tcp\n    bind :8443\n    server s 10.0.0.1:8443\n"
        result = lint({"haproxy.cfg": text}, "haproxy.cfg")
        server_line = 7 + bool(mode)
        assert result.rules_at() == {("WS303", server_line)}, (mode, result.findings)
        message = str(result.only("WS303")[0]["message"])
        assert "20s" in message and "mode tcp" in message
        pinged = lint({"haproxy.cfg": text}, "haproxy.cfg", "--ping-interval", "15s")
        assert pinged.rules_at() == {("WS301", server_line)}


def test_tcp_mode_tunnel_supersedes_client_and_server(lint: Lint) -> None:
    text = (
        tcp_defaults(tunnel="    timeout tunnel 10s\n") + "listen ws_tcp\n    bind :8443\n    server s 10.0.0.1:8443\n"
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--ping-interval", "8s")
    assert result.rules_at() == {("WS301", 8)}
    assert "10s" in str(result.only("WS301")[0]["message"])


def test_http_mode_still_gets_ws202(lint: Lint) -> None:
    text = tcp_defaults("    mode http\n") + "listen ws_http\n    bind :80\n    server s 10.0.0.1:80\n"
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    assert result.rules_at() == {("WS202", 9)}


def test_a_tcp_proxy_is_a_websocket_hop_by_the_same_route_detection(lint: Lint) -> None:
    text = tcp_defaults() + (
        "frontend fe\n    bind :443\n"
        "    tcp-request inspect-delay 5s\n"
        "    use_backend be_ws if { req_ssl_sni -i chat.example.com } { path_beg /ws }\n"
        "    default_backend be_db\n"
        "backend be_ws\n    server s 10.0.0.1:8443\n"
        "backend be_db\n    server d 10.0.0.2:5432\n"
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS303")
    (finding,) = result.findings
    assert finding["line"] == 7
    assert "frontend fe -> backend be_ws:" in str(finding["message"])
    assert "be_db" not in str(finding["message"])
