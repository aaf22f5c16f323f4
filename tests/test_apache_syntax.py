"""The Apache lexer (wslint.sources.apache_syntax): words, quotes, continuations, comments, sections, errors,
and the block structure suppressions and baselines use."""

from __future__ import annotations

from wslint import textblocks
from wslint.sources.apache_syntax import parse, walk


def test_directives_words_and_columns() -> None:
    config = parse('Timeout 30\n  ProxyPass "/ws/" ws://app:8080/ws/ upgrade=websocket\n', "a.conf")
    assert config.errors == []
    first, second = config.directives
    assert (first.name, first.texts(), first.line, first.column) == ("Timeout", ["30"], 1, 1)
    assert second.name == "ProxyPass" and second.column == 3
    assert second.texts() == ["/ws/", "ws://app:8080/ws/", "upgrade=websocket"]
    path = second.args[0]
    assert (path.line, path.column, path.end_column) == (2, 13, 19)


def test_quotes_single_and_escaped() -> None:
    config = parse('Header set X \'a b\' "c \\" d" e"f\n', "a.conf")
    assert config.directives[0].texts() == ["set", "X", "a b", 'c " d', 'e"f']


def test_continuation_joins_lines_and_keeps_places() -> None:
    config = parse("ProxyPass /ws/ \\\n    http://app/ws/ \\\n    upgrade=websocket\nTimeout 5\n", "a.conf")
    proxy, timeout = config.directives
    assert proxy.texts() == ["/ws/", "http://app/ws/", "upgrade=websocket"]
    assert (proxy.line, proxy.end_line) == (1, 3)
    assert (proxy.args[2].line, proxy.args[2].column) == (3, 5)
    assert timeout.line == 4


def test_backslash_then_blank_is_no_continuation() -> None:
    # apache2 -t 2.4.71: "Timeout \\  " then " 5" reads "5" as a directive of its own
    config = parse("Timeout \\  \n 5\n", "a.conf")
    assert [d.name for d in config.directives] == ["Timeout", "5"]


def test_comments_only_at_the_start_of_a_line() -> None:
    config = parse("# Timeout 1\n   # x\nTimeout 5 # not a comment\n# cont \\\nTimeout 9\n", "a.conf")
    assert len(config.directives) == 1
    assert config.directives[0].texts() == ["5", "#", "not", "a", "comment"]


def test_sections_nest_and_close_case_insensitively() -> None:
    text = "<VirtualHost *:80>\n  <Location /ws/>\n    ProxyPass ws://app/\n  </location>\n</VirtualHost>\n"
    config = parse(text, "a.conf")
    assert config.errors == []
    (vhost,) = config.directives
    assert vhost.name == "VirtualHost" and vhost.texts() == ["*:80"] and vhost.close_line == 5
    (location,) = vhost.block or []
    assert location.texts() == ["/ws/"] and location.close_line == 4
    assert [d.name for d in walk(config.directives)] == ["VirtualHost", "Location", "ProxyPass"]


def test_syntax_errors_at_their_line() -> None:
    unclosed = parse("Timeout 5\n<VirtualHost *:80>\nServerName x\n", "a.conf")
    assert [(e.line, "not closed" in e.message) for e in unclosed.errors] == [(2, True)]
    stray = parse("Timeout 5\n</VirtualHost>\n", "a.conf")
    assert [e.line for e in stray.errors] == [2]
    mismatched = parse("<VirtualHost *:80>\n</Location>\n", "a.conf")
    assert [e.line for e in mismatched.errors] == [2]
    no_bracket = parse("<VirtualHost *:80\n</VirtualHost>\n", "a.conf")
    assert no_bracket.errors and no_bracket.errors[0].line == 1
    # an open <IfModule>/<IfDefine> at the end is accepted when its condition holds (apache2 -t 2.4.71): no error
    assert parse("<IfModule mod_proxy.c>\nTimeout 5\n", "a.conf").errors == []
    open_vhost = parse("<IfModule mod_proxy.c>\n<VirtualHost *:80>\nTimeout 5\n", "a.conf")
    assert [e.line for e in open_vhost.errors] == [2]
    no_args = parse("<IfModule>\n</IfModule>\n", "a.conf")
    assert no_args.errors and no_args.errors[0].line == 1


def test_crlf_and_bom() -> None:
    config = parse("\ufeffTimeout 5\r\n<Location /ws>\r\nProxyPass ws://a/\r\n</Location>\r\n", "a.conf")
    assert config.errors == []
    assert config.directives[0].texts() == ["5"]


def test_blocks_structure_for_suppressions() -> None:
    text = (
        "# wslint: ignore[WS201] -- top\n"
        "<VirtualHost *:80>\n"
        "    # a comment\n"
        "    ProxyPass /ws/ \\\n"
        "        ws://app/ws/\n"
        "</VirtualHost>\n"
    )
    structure = textblocks.parse(text, "apache")
    assert [c.line for c in structure.comments] == [1, 3]
    assert all(c.own_line for c in structure.comments)
    vhost, proxy = structure.statements
    assert (vhost.line, vhost.block_end) == (2, 6)
    assert proxy.parent is vhost and (proxy.line, proxy.end_line) == (4, 5)
    assert structure.block_path(4) == "<VirtualHost *:80>"
