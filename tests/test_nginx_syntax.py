"""The nginx parser: crossplane's lexer, our tree, nginx's own error wording and lines."""

from __future__ import annotations

import pytest

from wslint.sources.nginx_syntax import NginxSyntaxError, decode, parse


def test_tree_lines_and_columns() -> None:
    text = "http {\n  server { listen 80; location /ws { proxy_pass http://a; } }\n}\n"
    (http,) = parse(text, "f")
    (server,) = http.block or []
    listen, location = server.block or []
    assert (server.line, server.column) == (2, 3)
    assert (listen.name, listen.args, listen.column) == ("listen", ["80"], 12)
    assert (location.args, location.column) == (["/ws"], 23)
    assert (location.block or [])[0].column == 38


def test_if_parentheses_are_stripped() -> None:
    (d,) = parse('if ($http_upgrade = "websocket") { return 403; }', "f")
    assert d.args == ["$http_upgrade", "=", "websocket"]


def test_include_inside_if_is_accepted() -> None:
    (d,) = parse("if ($a) { include x.conf; }", "f")
    assert (d.block or [])[0].name == "include"


def test_map_entries_keep_the_empty_key() -> None:
    (m,) = parse("map $http_upgrade $c { default upgrade; '' close; }", "f")
    assert [(e.name, e.args) for e in m.block or []] == [("default", ["upgrade"]), ("", ["close"])]


def test_lua_blocks_are_one_token() -> None:
    (d,) = parse("content_by_lua_block { local t = {a = 1} ngx.say('}') }", "f")
    assert d.block is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("events {}\nhttp {\n  server {\n", 'unexpected end of file, expecting "}"', 4),
        ("user nginx;\nworker_processes 1", 'unexpected end of file, expecting ";" or "}"', 2),
        ("a;\n}\n", 'unexpected "}"', 2),
        ('server {\n  return 200 "ok;\n}\n', "unterminated quoted string", 2),
        ("a;\n;\n", 'unexpected ";"', 2),
        ("{ a; }", 'unexpected "{"', 1),
    ],
)
def test_errors_have_nginx_wording_and_line(text: str, message: str, line: int) -> None:
    with pytest.raises(NginxSyntaxError) as info:
        parse(text, "f")
    assert (info.value.message, info.value.line) == (message, line)


def test_deep_nesting_is_an_error_not_a_recursion_error() -> None:
    with pytest.raises(NginxSyntaxError, match="nesting"):
        parse("a {" * 10_000 + "}" * 10_000, "f")


def test_decode_strips_bom_and_crlf() -> None:
    assert decode(b"\xef\xbb\xbfuser x;\r\nhttp {}\r\n") == "user x;\nhttp {}\n"
    (user, _) = parse(decode(b"\xef\xbb\xbfuser x;\r\nhttp {}\r\n"), "f")
    assert user.name == "user"


def test_decode_rejects_binary_and_invalid_utf8() -> None:
    with pytest.raises(NginxSyntaxError, match="binary"):
        decode(b"user x;\n\x00\x01")
    with pytest.raises(NginxSyntaxError, match="not UTF-8") as info:
        decode(b"user x;\nhttp { \xff }")
    assert info.value.line == 2
