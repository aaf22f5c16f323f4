"""The nginx source end to end: contexts, includes, inheritance, maps, unknowns, stream, dumps."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted

Lint = Callable[..., Linted]

MAP = """
map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}
"""

GOOD_LOCATION = """
        location /ws/ {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
        }
"""


def main_conf(server_body: str, http_extra: str = "") -> str:
    return (
        "worker_shutdown_timeout 10s;\nworker_rlimit_nofile 8192;\nevents { worker_connections 4096; }\nhttp {\n"
        + MAP
        + http_extra
        + "    server {\n        listen 80;\n"
        + server_body
        + "    }\n}\n"
    )


def test_a_correct_main_config_is_clean(lint: Lint) -> None:
    result = lint({"nginx.conf": main_conf(GOOD_LOCATION)}, "nginx.conf", "--ping-interval", "25s")
    assert result.findings == []
    assert result.code == 0


def test_server_snippet_fragment_does_not_guess_the_outer_context(lint: Lint) -> None:
    # a file of bare locations: the server/http that include it are invisible, so only an
    # explicit mistake fires, never a default or a missing header
    result = lint(
        {"ws.conf": "location /ws/ {\n    proxy_pass http://app;\n    proxy_http_version 1.0;\n}\n"}, "ws.conf"
    )
    assert result.rules_at() == {("WS101", 3)}


def test_sites_file_is_linted_as_if_included_by_a_stock_nginx_conf(lint: Lint) -> None:
    result = lint(
        {"site.conf": "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"}, "site.conf"
    )
    assert {r for r, _ in result.rules_at()} == {"WS101", "WS102", "WS103", "WS201", "WS303"}
    # WS105 needs the http context: a map may live in the includer
    body = (
        "server {\n  location /ws/ {\n    proxy_pass http://a;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection $connection_upgrade;\n  }\n}\n"
    )
    assert lint({"site2.conf": body}, "site2.conf", "--select", "WS105").findings == []


def test_included_file_is_linted_through_its_includer_only(lint: Lint) -> None:
    files = {
        "nginx.conf": main_conf("        include locations/*.conf;\n", http_extra="    proxy_read_timeout 2h;\n"),
        "locations/ws.conf": "location /ws/ {\n    proxy_pass http://app;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection $connection_upgrade;\n}\n",
    }
    result = lint(files, ".", "--ping-interval", "25s")
    # the http-level proxy_read_timeout of the includer applies: no WS201, no WS303 noise
    assert result.findings == []
    assert result.report["summary"]["files"] == 2  # type: ignore[index]


def test_unreadable_include_makes_its_block_unknown(lint: Lint) -> None:
    body = (
        "        location /ws/ {\n            proxy_pass http://app;\n"
        "            include /config/nginx/proxy.conf;\n        }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf")
    # the include could set every header and timeout: only WS002 (info, outside the tree)
    assert [(f["rule"], f["severity"], f["line"]) for f in result.findings] == [("WS002", "info", 14)]


def test_missing_relative_include_is_a_warning(lint: Lint) -> None:
    result = lint({"nginx.conf": main_conf("        include snippets/ws.conf;\n")}, "nginx.conf")
    assert [(f["rule"], f["severity"]) for f in result.findings] == [("WS002", "warning")]


def test_known_param_files_are_not_unknowns(lint: Lint) -> None:
    body = (
        "        location /ws/ {\n            proxy_pass http://app;\n            include fastcgi_params;\n        }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf")
    assert {"WS102", "WS103", "WS201"} <= {f["rule"] for f in result.findings}


def test_absolute_include_is_rerooted_under_the_prefix(lint: Lint) -> None:
    files = {
        "nginx.conf": main_conf("", http_extra="    include /etc/nginx/conf.d/*.conf;\n"),
        "conf.d/app.conf": "server {\n    location /ws/ { proxy_pass http://app; }\n}\n",
    }
    result = lint(files, "nginx.conf")
    assert ("WS102", "conf.d/app.conf", 2) in result.rules_in()


def test_relative_include_falls_back_to_the_prefix(lint: Lint) -> None:
    files = {
        "nginx.conf": main_conf("", http_extra="    include sites-enabled/*;\n"),
        "sites-enabled/app": (
            "server {\n    location /ws/ {\n        proxy_pass http://app;\n"
            "        include snippets/ws.conf;\n    }\n}\n"
        ),
        "snippets/ws.conf": "proxy_http_version 1.0;\n",
    }
    result = lint(files, "nginx.conf")
    assert ("WS101", "snippets/ws.conf", 1) in result.rules_in()


def test_include_cycle_is_reported_once(lint: Lint) -> None:
    files = {"a.conf": "server {\n    include b.conf;\n}\n", "b.conf": "include a.conf;\n"}
    result = lint(files, "a.conf")
    assert [f["rule"] for f in result.findings] == ["WS001"]
    assert "cycle" in str(result.findings[0]["message"])


def test_include_outside_the_linted_tree_is_not_read(lint: Lint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "secret.conf").write_text("proxy_http_version 1.0;\n")
    files = {
        "etc/nginx.conf": main_conf(
            "        location /ws/ {\n            proxy_pass http://a;\n"
            "            include ../secret.conf;\n        }\n"
        )
    }
    result = lint(files, "etc/nginx.conf")
    assert [(f["rule"], f["severity"]) for f in result.findings] == [("WS002", "info")]
    assert "outside" in str(result.findings[0]["message"])


def test_syntax_error_in_an_included_file_points_there(lint: Lint) -> None:
    files = {"nginx.conf": main_conf("        include ws.conf;\n"), "ws.conf": "location /ws/ {\n    proxy_pass x\n"}
    result = lint(files, "nginx.conf")
    assert ("WS001", "ws.conf", 3) in result.rules_in()  # nginx reports the end of the file


def test_proxy_set_header_in_inner_block_hides_outer_upgrade(lint: Lint) -> None:
    body = (
        "        proxy_http_version 1.1;\n"
        "        proxy_set_header Upgrade $http_upgrade;\n"
        "        proxy_set_header Connection $connection_upgrade;\n"
        "        proxy_read_timeout 1h;\n"
        "        location /ws/ {\n"
        "            proxy_pass http://app;\n"
        "            proxy_set_header X-Real-IP $remote_addr;\n"
        "        }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS104", 18)}  # only the cause, not WS102/WS103 as well
    assert len(result.findings[0]["related"]) == 2  # type: ignore[arg-type]


def test_nested_location_inherits_from_outer_location(lint: Lint) -> None:
    body = (
        "        location /app/ {\n"
        "            proxy_http_version 1.1;\n"
        "            proxy_set_header Upgrade $http_upgrade;\n"
        "            proxy_set_header Connection $connection_upgrade;\n"
        "            proxy_read_timeout 30s;\n"
        "            location /app/ws/ { proxy_pass http://app; }\n"
        "        }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 16)}


def test_if_blocks_do_not_count_for_the_location(lint: Lint) -> None:
    body = "        location /ws/ {\n            if ($http_upgrade) { proxy_pass http://app; }\n        }\n"
    assert lint({"nginx.conf": main_conf(body)}, "nginx.conf").findings == []


def test_regex_and_named_locations_are_websocket_routes_by_path(lint: Lint) -> None:
    body = (
        "        location ~* ^/(api|socket\\.io)/ { proxy_pass http://app; }\n"
        "        location @ws { proxy_pass http://app; }\n"
        "        location ~ \\.(css|js)$ { proxy_pass http://app; }\n"
        "        location /static/ { proxy_pass http://app; }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--select", "WS102")
    assert result.rules_at() == {("WS102", 12), ("WS102", 13)}


def test_locations_without_proxy_pass_are_not_routes(lint: Lint) -> None:
    body = "        location /ws/ { return 404; }\n        location /socket.io/ { uwsgi_pass app; }\n"
    assert lint({"nginx.conf": main_conf(body)}, "nginx.conf").findings == []


def test_extend_websocket_paths_and_websocket_routes(lint: Lint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = "        location /live/ { proxy_pass http://app; }\n        location /ws/ { proxy_pass http://app; }\n"
    files = {"nginx.conf": main_conf(body)}
    assert {ln for _, ln in lint(files, "nginx.conf", "--select", "WS102").rules_at()} == {13}
    (tmp_path / "a.toml").write_text('extend-websocket-paths = ["live"]\n')
    assert {ln for _, ln in lint({}, "nginx.conf", "--select", "WS102", "--config", "a.toml").rules_at()} == {12, 13}
    (tmp_path / "b.toml").write_text('websocket-routes = ["nginx.conf:/live/"]\n')
    assert {ln for _, ln in lint({}, "nginx.conf", "--select", "WS102", "--config", "b.toml").rules_at()} == {12}


def test_undefined_connection_variable_needs_a_visible_http_context(lint: Lint) -> None:
    body = (
        "        location /ws/ {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n"
        "            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $conn_up;\n"
        "            proxy_read_timeout 1h;\n        }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS105", 16)}
    # an http-level include that cannot be read could define it
    unknown = main_conf(body, http_extra="    include /etc/nginx/conf.d/*.conf;\n")
    result = lint({"nginx.conf": unknown}, "nginx.conf", "--ping-interval", "25s", "--select", "WS105")
    assert result.findings == []


def test_map_that_never_yields_upgrade(lint: Lint) -> None:
    http = "    map $http_upgrade $conn_close {\n        default close;\n    }\n"
    body = GOOD_LOCATION.replace("$connection_upgrade", "$conn_close")
    result = lint({"nginx.conf": main_conf(body, http_extra=http)}, "nginx.conf", "--select", "WS105")
    assert len(result.findings) == 1


def test_upstream_keepalive_with_hard_coded_upgrade(lint: Lint) -> None:
    http = "    upstream app {\n        server 127.0.0.1:8080;\n        keepalive 16;\n    }\n"
    body = (
        "        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n"
        "            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection upgrade;\n"
        "            proxy_read_timeout 1h;\n        }\n"
    )
    result = lint({"nginx.conf": main_conf(body, http_extra=http)}, "nginx.conf", "--select", "WS106")
    assert result.rules_at() == {("WS106", 20)}
    # a /ws/ path serves only WebSocket: exempt
    ws_only = body.replace("location / {", "location /ws/ {")
    assert lint({"nginx.conf": main_conf(ws_only, http_extra=http)}, "nginx.conf", "--select", "WS106").findings == []


def test_nginx_version_changes_the_http_version_default(lint: Lint) -> None:
    body = GOOD_LOCATION.replace("            proxy_http_version 1.1;\n", "")
    files = {"nginx.conf": main_conf(body)}
    old = lint(files, "nginx.conf", "--select", "WS101")
    assert len(old.findings) == 1 and "assumed" in str(old.findings[0]["message"])
    assert lint(files, "nginx.conf", "--select", "WS101", "--nginx-version", "1.29.7").findings == []
    named = lint(files, "nginx.conf", "--select", "WS101", "--nginx-version", "1.24.0")
    assert "nginx 1.24.0" in str(named.findings[0]["message"])


def test_stream_servers_are_tcp_hops_with_proxy_timeout(lint: Lint) -> None:
    conf = (
        "events {}\nstream {\n    server {\n        listen 9000;\n        proxy_pass 127.0.0.1:9001;\n    }\n"
        "    server {\n        listen 9002;\n        proxy_pass 127.0.0.1:9003;\n        proxy_timeout 30s;\n    }\n}\n"
    )
    result = lint({"nginx.conf": conf}, "nginx.conf", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 10)}  # the default 10m is fine; no WS201 for stream
    result = lint({}, "nginx.conf")
    assert result.rules_at() == {("WS303", 3), ("WS303", 10)}


def test_invalid_times_are_ws206_and_unknown(lint: Lint) -> None:
    body = GOOD_LOCATION.replace("proxy_read_timeout 1h;", "proxy_read_timeout 1h30x;")
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS206", 18)}


def test_nginx_t_dump_reports_dump_lines_and_the_original_file(lint: Lint) -> None:
    dump = (
        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
        "# configuration file /etc/nginx/nginx.conf:\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/conf.d/*.conf;\n"
        "}\n"
        "\n"
        "# configuration file /etc/nginx/conf.d/app.conf:\n"
        "server {\n"
        "    location /ws/ { proxy_pass http://app; }\n"
        "}\n"
    )
    result = lint({"dump.txt": dump}, "dump.txt", "--select", "WS102", "--kind", "nginx")
    assert result.rules_in() == {("WS102", "dump.txt", 10)}
    assert "(in /etc/nginx/conf.d/app.conf:2)" in str(result.findings[0]["message"])


def test_routes_sharing_a_directive_share_one_finding(lint: Lint) -> None:
    body = (
        "        proxy_http_version 1.0;\n"
        "        location /ws/ { proxy_pass http://app; }\n"
        "        location /socket.io/ { proxy_pass http://app; }\n"
    )
    result = lint({"nginx.conf": main_conf(body)}, "nginx.conf", "--select", "WS101")
    assert len(result.findings) == 1
    assert result.findings[0]["line"] == 12
    assert "location /ws/, location /socket.io/" in str(result.findings[0]["message"])


def test_maps_with_several_values(lint: Lint) -> None:
    def ws105(map_body: str) -> int:
        http = "    map $http_upgrade $conn {\n" + map_body + "    }\n"
        body = GOOD_LOCATION.replace("$connection_upgrade", "$conn")
        result = lint({"nginx.conf": main_conf(body, http_extra=http)}, "nginx.conf", "--select", "WS105")
        return len(result.findings)

    assert ws105("        default keep-alive;\n        ~*websocket upgrade;\n        '' '';\n") == 0
    assert ws105("        default $http_connection;\n") == 0  # passes the client's header through
    assert ws105("        include /etc/nginx/upgrade-map.conf;\n") == 0  # unknown
    assert ws105("        default close;\n        websocket keep-alive;\n") == 1


def test_a_symlinked_tree_is_reported_under_the_path_given(lint: Lint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = {
        "real/nginx.conf": main_conf("", http_extra="    include conf.d/*.conf;\n"),
        "real/conf.d/app.conf": "server {\n    location /ws/ { proxy_pass http://app; }\n}\n",
    }
    lint(files, "real")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = lint({}, "link", "--select", "WS102")
    assert result.rules_in() == {("WS102", "link/conf.d/app.conf", 2)}
