"""Includes wslint cannot read: stock files read by their published contents, and WS002 saying what the others cost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import Linted, Run

Lint = Callable[..., Linted]
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "wslint" / "schemas" / "report.schema.json").read_text())

# a sites file: one TLS server whose WebSocket location sets everything but proxy_read_timeout
SITE = """
server {
    listen 443 ssl;
    server_name board.example.net;
    INCLUDE
    ssl_certificate /etc/letsencrypt/live/board.example.net/fullchain.pem;

    location /live/ {
        proxy_pass http://127.0.0.1:8181;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
}
"""


def site(include: str) -> str:
    return SITE.replace("INCLUDE", include)


def test_certbot_options_leave_the_websocket_location_decidable(lint: Lint) -> None:
    result = lint({"board.conf": site("include /etc/letsencrypt/options-ssl-nginx.conf;")}, "board.conf")
    # the file holds ssl_* only: the location's proxy_read_timeout is nginx's 60 s default
    assert result.rules_at() == {("WS201", 7), ("WS303", 7)}
    assert result.report["stock_includes"] == [
        {
            "file": "board.conf",
            "line": 4,
            "column": 5,
            "include": "/etc/letsencrypt/options-ssl-nginx.conf",
            "read_as": "options-ssl-nginx.conf",
            "source": result.report["stock_includes"][0]["source"],  # type: ignore[index]
        }
    ]
    assert "certbot" in str(result.report["stock_includes"][0]["source"])  # type: ignore[index]
    jsonschema.validate(result.report, SCHEMA)


@pytest.mark.parametrize(
    ("include", "stock"),
    [
        ("proxy_params", "proxy_params"),
        ("/etc/nginx/proxy_params", "proxy_params"),
        ("snippets/snakeoil.conf", "snippets/snakeoil.conf"),
        ("/etc/nginx/snippets/snakeoil.conf", "snippets/snakeoil.conf"),
        ("/etc/letsencrypt/options-ssl-nginx.conf", "options-ssl-nginx.conf"),
        ("mime.types", "mime.types"),
        ("/usr/local/etc/nginx/fastcgi_params", "fastcgi_params"),
    ],
)
def test_stock_files_are_known_by_the_end_of_their_path(lint: Lint, include: str, stock: str) -> None:
    result = lint({"board.conf": site(f"include {include};")}, "board.conf")
    assert "WS002" not in {f["rule"] for f in result.findings}
    assert "WS201" in {f["rule"] for f in result.findings}
    assert [(s["include"], s["read_as"]) for s in result.report["stock_includes"]] == [(include, stock)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("include", ["fastcgi-php.conf", "conf/snakeoil.conf", "my_proxy_params", "/opt/proxy_param*"])
def test_other_paths_are_not_stock_files(lint: Lint, include: str) -> None:
    result = lint({"board.conf": site(f"include {include};")}, "board.conf")
    assert "stock_includes" not in result.report
    assert result.rules_at() == {("WS002", 4)}


def test_fastcgi_php_snippet_reads_its_own_stock_include(lint: Lint) -> None:
    body = (
        "server {\n    listen 80;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n"
        "        fastcgi_pass unix:/run/php/php-fpm.sock;\n    }\n}\n"
    )
    result = lint({"php.conf": body}, "php.conf")
    assert result.findings == []
    read = [(s["line"], s["read_as"]) for s in result.report["stock_includes"]]  # type: ignore[attr-defined]
    # its `include fastcgi.conf;` is placed at the line that brings the snippet in
    assert read == [(4, "snippets/fastcgi-php.conf"), (4, "fastcgi.conf")]


def test_a_file_of_that_name_in_the_tree_wins(lint: Lint) -> None:
    files = {
        "board.conf": site("include proxy_params;"),
        "proxy_params": "proxy_http_version 1.0;\nproxy_read_timeout 1h;\n",
    }
    result = lint(files, "board.conf", "--ping-interval", "25s")
    assert "stock_includes" not in result.report
    # the tree's proxy_params is read: its timeout reaches the location through the server
    assert "WS201" not in {f["rule"] for f in result.findings}


def test_proxy_params_in_a_location_hides_the_servers_upgrade_headers(lint: Lint) -> None:
    body = (
        "server {\n    listen 80;\n    proxy_http_version 1.1;\n"
        "    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n"
        "    proxy_read_timeout 1h;\n"
        "    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        include proxy_params;\n    }\n}\n"
    )
    result = lint({"hub.conf": body}, "hub.conf", "--ping-interval", "25s")
    # Debian's proxy_params sets four proxy_set_header lines: the location's own list hides Upgrade/Connection
    assert result.rules_at() == {("WS104", 9)}


def test_the_fix_copies_a_stock_include_once(lint: Lint, tmp_path: Path) -> None:
    body = (
        "server {\n    listen 80;\n    include proxy_params;\n"
        "    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        proxy_http_version 1.1;\n    }\n}\n"
    )
    result = lint({"hub.conf": body}, "hub.conf", "--select", "WS102,WS103", "--fix")
    assert result.findings == []
    text = (tmp_path / "hub.conf").read_text()
    # the location's new headers would hide the inherited ones: the include is repeated there, once
    assert text.count("include proxy_params;") == 2
    assert "proxy_set_header Upgrade $http_upgrade;" in text


# -- WS002: what an unread include leaves unchecked ---------------------------------------------------


def test_unknown_include_names_the_rules_and_locations_it_leaves_unchecked(lint: Lint) -> None:
    result = lint({"board.conf": site("include /opt/custom/thing.conf;")}, "board.conf")
    # unknown never fires: no WS201 on the location
    assert result.rules_at() == {("WS002", 4)}
    (f,) = result.findings
    assert f["severity"] == "info"  # outside the linted tree (RULES.md)
    message = str(f["message"])
    assert "location /live/" in message and "WS201" in message and "WS303" in message
    assert "WS101" not in message  # the location sets proxy_http_version itself
    assert [(r["file"], r["line"]) for r in f["related"]] == [("board.conf", 7)]  # type: ignore[attr-defined]
    assert "nginx-prefix" in str(f["help"])


def test_ws002_names_only_the_rules_that_are_enabled(lint: Lint) -> None:
    result = lint({"board.conf": site("include /opt/custom/thing.conf;")}, "board.conf", "--ignore", "WS201")
    message = str(result.only("WS002")[0]["message"])
    assert "WS303" in message and "WS201" not in message


def test_ws002_names_a_location_that_may_be_a_websocket_route(lint: Lint) -> None:
    body = (
        "server {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n"
        "        include conf/proxy.conf;\n    }\n}\n"
    )
    result = lint({"app.conf": body}, "app.conf")
    (f,) = result.findings
    assert f["severity"] == "warning"  # a relative include inside the tree's reach
    assert "location / (WS101-WS104, WS201, WS303)" in str(f["message"])
    assert [r["line"] for r in f["related"]] == [3]  # type: ignore[attr-defined]


def test_ws002_says_when_nothing_depends_on_the_include(lint: Lint) -> None:
    body = site("include /opt/custom/thing.conf;").replace(
        'proxy_set_header Connection "upgrade";',
        'proxy_set_header Connection "upgrade";\n        proxy_read_timeout 1h;',
    )
    result = lint({"board.conf": body}, "board.conf", "--ping-interval", "25s")
    (f,) = result.findings
    assert "no block wslint sees depends on" in str(f["message"])
    assert f["related"] == []


def test_ws002_names_the_main_context_it_leaves_unchecked(lint: Lint) -> None:
    main = (
        "include /opt/nginx/main-extra.conf;\nevents { worker_connections 4096; }\nhttp {\n"
        "    server {\n        listen 80;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n"
        "            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n"
        "            proxy_set_header Connection upgrade;\n            proxy_read_timeout 1h;\n        }\n    }\n}\n"
    )
    result = lint({"nginx.conf": main}, "nginx.conf", "--ping-interval", "25s")
    message = str(result.only("WS002")[0]["message"])
    assert "the main context (WS401, WS502)" in message
    assert "WS401" not in {f["rule"] for f in result.findings}


def test_relative_include_is_found_under_the_nginx_prefix(lint: Lint, tmp_path: Path) -> None:
    files = {
        "sites/app.conf": "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://a;\n"
        "        include snippets/ws.conf;\n    }\n}\n",
        "etc-nginx/snippets/ws.conf": "proxy_http_version 1.0;\n",
    }
    result = lint(files, "sites/app.conf", "--nginx-prefix", str(tmp_path / "etc-nginx"))
    assert ("WS101", "etc-nginx/snippets/ws.conf", 1) in result.rules_in()
    assert "WS002" not in {f["rule"] for f in result.findings}


def test_show_files_lists_the_stock_includes(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "board.conf").write_text(site("include /etc/letsencrypt/options-ssl-nginx.conf;").lstrip())
    (tmp_path / "other.conf").write_text(site("include proxy_params;").lstrip())
    run = wslint("--isolated", "--show-files", ".", cwd=tmp_path)
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[:2] == ["board.conf\tnginx", "other.conf\tnginx"]
    stock = dict(line.split("\t", 1) for line in lines[2:])
    assert set(stock) == {"/etc/letsencrypt/options-ssl-nginx.conf", "proxy_params"}
    assert "board.conf:4" in stock["/etc/letsencrypt/options-ssl-nginx.conf"]
    assert "certbot" in stock["/etc/letsencrypt/options-ssl-nginx.conf"]
    assert "other.conf:4" in stock["proxy_params"] and "Debian" in stock["proxy_params"]
