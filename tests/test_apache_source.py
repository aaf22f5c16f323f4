"""The Apache source end to end: routes, the idle timeout max-rule, WS107/WS108/WS201/WS206/WS208, includes, Define."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted
from wslint.sources import registry

Lint = Callable[..., Linted]

WS_VHOST = """\
<VirtualHost *:80>
    ServerName chat.example.com
    ProxyPass /ws/ http://app:8080/ws/ upgrade=websocket
    ProxyPass / http://app:8080/
</VirtualHost>
"""


def message(result: Linted, rule: str) -> str:
    return str(result.only(rule)[0]["message"])


def test_recognised_by_content_not_stealing_nginx_or_haproxy() -> None:
    assert registry.recognise("apache2.conf", WS_VHOST) == "apache"
    assert registry.recognise("httpd.conf", "LoadModule proxy_module modules/mod_proxy.so\n") == "apache"
    nginx = "server {\n    server_name x;\n    location / { proxy_pass http://a; }\n}\n"
    assert registry.recognise("apache2.conf", nginx) == "nginx"
    haproxy = "global\n    maxconn 10\nfrontend fe\n    bind :80\n"
    assert registry.recognise("haproxy.cfg", haproxy) == "haproxy"


def test_default_timeout_is_ws201_at_the_vhost(lint: Lint) -> None:
    result = lint({"apache2.conf": WS_VHOST}, "apache2.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 1)}
    assert "ProxyPass /ws/" in message(result, "WS201") and "Timeout" in message(result, "WS201")
    assert result.code == 1


def test_max_of_timeout_and_proxy_timeout(lint: Lint) -> None:
    text = "Timeout 30\nProxyTimeout 90\n" + WS_VHOST
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "50s")
    # the larger (ProxyTimeout 90) applies: 50s pings are more than half of 90? no, under 45? 50 > 45: WS301
    assert result.rules_at() == {("WS301", 2)}
    assert "ProxyTimeout" in message(result, "WS301")


def test_timeout_wins_and_lower_proxy_timeout_is_ws208(lint: Lint) -> None:
    text = "Timeout 60\nProxyTimeout 10\n" + WS_VHOST
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS208", 2)}
    assert "60" in message(result, "WS208")


def test_worker_timeout_beats_proxy_timeout(lint: Lint) -> None:
    text = "Timeout 3\nProxyTimeout 100\n" + WS_VHOST.replace("upgrade=websocket", "upgrade=websocket timeout=5")
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "4s")
    assert result.rules_at() == {("WS301", 5)}
    assert "5s" in message(result, "WS301")


def test_vhost_sets_its_own_timeout(lint: Lint) -> None:
    text = "Timeout 20\n" + WS_VHOST.replace("    ServerName", "    Timeout 3600\n    ServerName")
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "25s")
    assert result.findings == []
    inherited = lint({"b/httpd.conf": "Timeout 20\n" + WS_VHOST}, "b/httpd.conf", "--ping-interval", "25s")
    assert inherited.rules_at() == {("WS301", 1)}


def test_unit_is_read_as_atoi_ws206(lint: Lint) -> None:
    result = lint({"apache2.conf": "Timeout 1h\n" + WS_VHOST}, "apache2.conf", "--ping-interval", "25s")
    assert ("WS206", 1) in result.rules_at()
    assert "1 second" in message(result, "WS206")
    assert ("WS301", 1) in result.rules_at()  # Apache reads 1h as 1 s


def test_proxy_timeout_zero_refused_ws206(lint: Lint) -> None:
    result = lint({"apache2.conf": "ProxyTimeout 0\n" + WS_VHOST}, "apache2.conf", "--select", "WS206")
    assert result.rules_at() == {("WS206", 1)}


def test_http_target_without_upgrade_is_ws107(lint: Lint) -> None:
    text = WS_VHOST.replace(" upgrade=websocket", "")
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS107")
    assert result.rules_at() == {("WS107", 3)}
    assert "upgrade=websocket" in str(result.only("WS107")[0]["help"])


def test_ws_target_needs_no_upgrade_parameter(lint: Lint) -> None:
    text = WS_VHOST.replace("http://app:8080/ws/ upgrade=websocket", "ws://app:8080/ws/")
    assert lint({"apache2.conf": text}, "apache2.conf", "--select", "WS107").findings == []


def test_ws_target_with_another_upgrade_list_is_ws107(lint: Lint) -> None:
    text = WS_VHOST.replace("http://app:8080/ws/ upgrade=websocket", "ws://app:8080/ws/ upgrade=h2c")
    assert lint({"apache2.conf": text}, "apache2.conf", "--select", "WS107").rules_at() == {("WS107", 3)}
    star = WS_VHOST.replace("upgrade=websocket", "upgrade=*")
    assert lint({"b/apache2.conf": star}, "b/apache2.conf", "--select", "WS107").findings == []


def test_location_scoped_proxy_pass_takes_the_section_path(lint: Lint) -> None:
    text = (
        "<VirtualHost *:80>\n<Location /socket.io/>\n    ProxyPass http://app/socket.io/\n</Location>\n</VirtualHost>\n"
    )
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS107,WS201")
    assert result.rules_at() == {("WS107", 3), ("WS201", 1)}
    assert "<Location /socket.io/> ProxyPass" in message(result, "WS201")


def test_rewrite_rule_proxy_ws(lint: Lint) -> None:
    text = (
        "Timeout 3600\n<VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{HTTP:Upgrade} websocket [NC]\n"
        "RewriteRule ^/(.*) ws://app/$1 [P,L]\nRewriteRule ^/(.*) http://app/$1 [P,L]\n</VirtualHost>\n"
    )
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "4000s")
    assert result.rules_at() == {("WS301", 1)}
    assert "RewriteRule ^/(.*)" in message(result, "WS301")


def test_plain_http_routes_are_not_websocket(lint: Lint) -> None:
    text = "<VirtualHost *:80>\nProxyPass /api/ http://app/api/\nProxyPass !\n</VirtualHost>\n"
    assert lint({"apache2.conf": text}, "apache2.conf").findings == []


def test_shadowed_by_an_earlier_prefix_ws108(lint: Lint) -> None:
    text = "Timeout 3600\n<VirtualHost *:80>\nProxyPass / http://app/\nProxyPass /ws/ ws://app/ws/\n</VirtualHost>\n"
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS108")
    assert result.rules_at() == {("WS108", 4)}
    assert "line 3" in message(result, "WS108")
    ordered = text.replace(
        "ProxyPass / http://app/\nProxyPass /ws/ ws://app/ws/", "ProxyPass /ws/ ws://app/ws/\nProxyPass / http://app/"
    )
    assert lint({"b.conf": ordered}, "b.conf", "--select", "WS108").findings == []


def test_not_shadowed_across_vhosts_or_by_exclusions_or_siblings(lint: Lint) -> None:
    other_vhost = (
        "<VirtualHost *:80>\nProxyPass / http://app/\n</VirtualHost>\n"
        "<VirtualHost *:81>\nProxyPass /ws/ ws://app/ws/\n</VirtualHost>\n"
    )
    assert lint({"a.conf": other_vhost}, "a.conf", "--select", "WS108").findings == []
    exclusion = "<VirtualHost *:80>\nProxyPass /ws/ !\nProxyPass /ws/ ws://app/ws/\n</VirtualHost>\n"
    assert lint({"b.conf": exclusion}, "b.conf", "--select", "WS108").findings == []
    sibling = "<VirtualHost *:80>\nProxyPass /wsx http://app/\nProxyPass /ws ws://app/ws\n</VirtualHost>\n"
    assert lint({"c.conf": sibling}, "c.conf", "--select", "WS108").findings == []


def test_fallback_off_has_no_idle_timeout(lint: Lint) -> None:
    text = "ProxyWebsocketFallbackToProxyHttp Off\n" + WS_VHOST.replace(
        "http://app:8080/ws/ upgrade=websocket", "ws://app:8080/ws/"
    )
    result = lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "25s")
    assert result.findings == []


def test_proxy_websocket_idle_timeout_is_ws208(lint: Lint) -> None:
    text = "ProxyWebsocketIdleTimeout 3600\n" + WS_VHOST
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS208")
    assert result.rules_at() == {("WS208", 1)}
    assert "2.4" in message(result, "WS208")


def test_include_glob_reroots_absolute_paths(lint: Lint) -> None:
    files = {
        "apache2/apache2.conf": "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\nTimeout 20\n"
        "IncludeOptional /etc/apache2/sites-enabled/*.conf\n",
        "apache2/sites-enabled/chat.conf": WS_VHOST,
    }
    result = lint(files, "apache2", "--ping-interval", "25s")
    # the vhost file is linted through apache2.conf: Timeout 20 applies
    assert result.rules_in() == {("WS301", "apache2/apache2.conf", 2)}


def test_missing_include_is_ws002_and_include_optional_is_not(lint: Lint) -> None:
    text = "Include conf/missing.conf\nIncludeOptional conf/optional.conf\n" + WS_VHOST
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS002")
    assert result.rules_at() == {("WS002", 1)}


def test_include_never_reads_outside_the_tree(lint: Lint, tmp_path: object) -> None:
    files = {"tree/apache2.conf": "Include ../outside.conf\n" + WS_VHOST, "outside.conf": "Timeout 3600\n"}
    result = lint(files, "tree/apache2.conf", "--select", "WS002,WS201")
    assert ("WS201", 2) in result.rules_at()  # the outside Timeout 3600 was not read


def test_define_gives_variables_their_value(lint: Lint) -> None:
    text = "Define IDLE 3600\nDefine APP app:8080\nTimeout ${IDLE}\n" + WS_VHOST.replace("app:8080", "${APP}")
    assert lint({"apache2.conf": text}, "apache2.conf", "--ping-interval", "25s").findings == []
    unknown = "Timeout ${APACHE_TIMEOUT}\n" + WS_VHOST
    # an undefined variable is an unknown value: no WS201, no WS30x
    assert lint({"b/httpd.conf": unknown}, "b/httpd.conf", "--ping-interval", "25s").findings == []


def test_ifdefine_undecided_makes_timeout_unknown_and_decided_reads_one_branch(lint: Lint) -> None:
    undecided = "<IfDefine LONG>\nTimeout 3600\n</IfDefine>\n" + WS_VHOST
    assert lint({"apache2.conf": undecided}, "apache2.conf", "--ping-interval", "25s").findings == []
    decided = "Define LONG\n<IfDefine !LONG>\nTimeout 5\n</IfDefine>\n" + WS_VHOST
    assert lint({"b/httpd.conf": decided}, "b/httpd.conf", "--ping-interval", "25s").rules_at() == {("WS201", 5)}


def test_syntax_error_is_ws001(lint: Lint) -> None:
    result = lint({"apache2.conf": "Timeout 5\n<VirtualHost *:80>\nProxyPass /ws/ ws://a/\n"}, "apache2.conf")
    assert ("WS001", 2) in result.rules_at()
    assert result.code == 1


def test_websocket_routes_setting_marks_routes(lint: Lint) -> None:
    text = "<VirtualHost *:80>\nProxyPass /live/ http://app/live/\n</VirtualHost>\n"
    assert lint({"a.conf": text}, "a.conf").findings == []
    files = {"a.conf": text, "wslint.toml": "websocket-routes = ['/live/']\n"}
    result = lint(files, "a.conf", "--config", "wslint.toml", "--select", "WS107")
    assert result.rules_at() == {("WS107", 2)}


def test_suppression_on_its_own_line(lint: Lint) -> None:
    text = "<VirtualHost *:80>\n# wslint: ignore[WS107] -- the backend speaks plain HTTP here\n" + (
        "ProxyPass /ws/ http://app/ws/\n</VirtualHost>\n"
    )
    result = lint({"a.conf": text}, "a.conf", "--select", "WS107,WS003")
    assert [(f["rule"], f["suppressed"]) for f in result.findings] == [("WS107", True)]
    assert result.code == 0


def test_bad_input_never_tracebacks(lint: Lint) -> None:
    nasty = "<VirtualHost\nProxyPass\nProxyPass /ws/\nRewriteRule\nTimeout\nProxyTimeout x\n</X>\n<Location /ws>\n"
    result = lint({"a.conf": "LoadModule x y\n" + nasty}, "a.conf")
    assert "Traceback" not in result.err and result.code in (0, 1)


def test_a_vhost_file_alone_leaves_the_idle_timeout_unknown(lint: Lint) -> None:
    # sites-enabled/chat.conf is included by a main config wslint does not see (Debian's sets Timeout 300)
    result = lint({"sites-enabled/chat.conf": WS_VHOST}, "sites-enabled/chat.conf", "--ping-interval", "25s")
    assert result.findings == []
    main = lint({"m.conf": "Listen 80\n" + WS_VHOST}, "m.conf", "--ping-interval", "25s")
    assert main.rules_at() == {("WS201", 2)}


def test_negated_upgrade_condition_is_no_websocket_route(lint: Lint) -> None:
    text = (
        "<VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{HTTP:Upgrade} =websocket [NC]\n"
        "RewriteRule /(.*) ws://app/$1 [P,L]\nRewriteCond %{HTTP:Upgrade} !=websocket [NC]\n"
        "RewriteRule /(.*) http://app/$1 [P,L]\n</VirtualHost>\n"
    )
    assert lint({"apache2.conf": text}, "apache2.conf", "--select", "WS107").findings == []


def test_globs_that_include_each_other_stop(lint: Lint) -> None:
    # each fragment includes all the others: without a budget the expansion grows exponentially
    files = {f"site/conf/f{i}.conf": "Include conf/*.conf\n" for i in range(12)}
    files["site/apache2.conf"] = "Listen 80\nInclude conf/*.conf\n" + WS_VHOST
    result = lint(files, "site/apache2.conf")
    assert "WS001" in {f["rule"] for f in result.findings}
    assert "Traceback" not in result.err


BALANCER = """\
<Proxy balancer://chat>
    BalancerMember http://10.0.0.1:8080 upgrade=websocket{member}
</Proxy>
<VirtualHost *:80>
    ProxyPass /ws/ balancer://chat/ws/{pass_}
</VirtualHost>
"""


def test_worker_timeout_set_by_balancer_member_or_proxyset_is_not_the_default(lint: Lint) -> None:
    # BalancerMember … timeout=3600 sets the members' backend timeout: no WS201 "default Timeout"
    member = lint(
        {"httpd.conf": BALANCER.format(member=" timeout=3600", pass_="")}, "httpd.conf", "--ping-interval", "25s"
    )
    assert member.only("WS201") == []
    proxyset = "<Proxy http://app:8080/>\n    ProxySet timeout=3600\n</Proxy>\n" + WS_VHOST
    result = lint({"httpd.conf": proxyset}, "httpd.conf", "--ping-interval", "25s")
    assert result.only("WS201") == []


def test_timeout_on_a_balancer_proxy_pass_is_not_the_idle_timeout(lint: Lint) -> None:
    # on balancer:// the ProxyPass timeout= is how long to wait for a free member; the members keep the default
    result = lint(
        {"httpd.conf": BALANCER.format(member="", pass_=" timeout=3600")}, "httpd.conf", "--ping-interval", "25s"
    )
    assert result.rules_at() == {("WS201", 4)}


def test_location_sections_later_one_wins_ws108(lint: Lint) -> None:
    # <Location> sections merge in the order written, the last match wins: a broader one after the WebSocket one
    # takes its requests (Apache's ProxyPass documentation: the more specific <Location> goes last)
    text = (
        "<VirtualHost *:80>\n"
        "    <Location /ws>\n        ProxyPass ws://app:8080/ws\n    </Location>\n"
        "    <Location />\n        ProxyPass http://app:8080/\n    </Location>\n"
        "</VirtualHost>\n"
    )
    result = lint({"httpd.conf": "Timeout 3600\n" + text}, "httpd.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS108", 4)}
    assert "last one that matches wins" in message(result, "WS108")
    assert "below <Location />" in str(result.only("WS108")[0]["help"])
    fine = text.replace("/ws>", "/@@>").replace("<Location />", "<Location /ws>").replace("/@@>", "/>")
    fine = (
        fine.replace("ws://app:8080/ws", "@@")
        .replace("http://app:8080/", "ws://app:8080/ws")
        .replace("@@", "http://app:8080/")
    )
    assert lint({"httpd.conf": "Timeout 3600\n" + fine}, "httpd.conf", "--ping-interval", "25s").findings == []


def test_location_proxy_pass_goes_before_the_server_rules_ws108(lint: Lint) -> None:
    text = (
        "Timeout 3600\n<VirtualHost *:80>\n"
        "    ProxyPass /ws ws://app:8080/ws\n"
        "    <Location />\n        ProxyPass http://app:8080/\n    </Location>\n"
        "</VirtualHost>\n"
    )
    result = lint({"httpd.conf": text}, "httpd.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS108", 3)}
    assert "tried before" in message(result, "WS108")


def test_main_server_rules_come_before_a_vhost_ws108(lint: Lint) -> None:
    text = "Timeout 3600\nProxyPass / http://app:8080/\n<VirtualHost *:80>\n    ProxyPass /ws ws://app:8080/ws\n</VirtualHost>\n"
    result = lint({"httpd.conf": text}, "httpd.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS108", 4)}
    assert "ProxyPassInherit" in message(result, "WS108")
    off = text.replace("<VirtualHost *:80>\n", "<VirtualHost *:80>\n    ProxyPassInherit Off\n")
    assert lint({"httpd.conf": off}, "httpd.conf", "--ping-interval", "25s").only("WS108") == []


def test_an_earlier_catch_all_proxy_pass_match_shadows_ws108(lint: Lint) -> None:
    text = (
        "Timeout 3600\n<VirtualHost *:80>\n    ProxyPassMatch ^/(.*)$ http://app:8080/$1\n"
        "    ProxyPass /ws ws://app:8080/ws\n</VirtualHost>\n"
    )
    result = lint({"httpd.conf": text}, "httpd.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS108", 4)}
    assert "matches every path" in message(result, "WS108")
    # a regex that does not match everything is not read
    narrower = text.replace("^/(.*)$", "^/(api/.*)$")
    assert lint({"httpd.conf": narrower}, "httpd.conf", "--ping-interval", "25s").findings == []
