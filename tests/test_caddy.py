"""The Caddy source: which files are Caddy's, the Caddyfile reader, the routes and findings, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted
from wslint.sources import caddy_files
from wslint.sources import caddyfile as cf
from wslint.sources.caddy import BadDuration, parse_duration
from wslint.textblocks import style_of

Lint = Callable[..., Linted]

JSON_HEAD = '{"apps": {"http": {"servers": {"srv0": {"listen": [":443"]}}}}}'


# -- recognition and block style --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "claimed"),
    [
        ("caddyfile", "example.com {\n}\n", True),
        ("deploy/caddyfile", "", True),
        ("site.caddyfile", "", True),
        ("caddyfile.prod", "", True),
        ("readme.md.block7.caddy-v2.caddyfile", "", True),
        ("reverse_proxy_load_balance.caddyfiletest", "", True),
        ("caddyfile.md", "# docs", False),
        ("caddyfile.yaml", "a: 1", False),
        ("nginx.conf", "server {\n}\n", False),
        ("caddy.json", JSON_HEAD, True),
        ("config.json", JSON_HEAD, True),
        ("config.json", '{"apps": {"tls": {}}}', False),
        ("package.json", '{"name": "x", "servers": []}', False),
        ("caddyfile", "a\x00b", False),
    ],
)
def test_looks_like(name: str, head: str, claimed: bool) -> None:
    assert caddy_files.looks_like(name, head) is claimed


def test_block_styles() -> None:
    assert style_of("caddy", "Caddyfile") == "caddyfile"
    assert style_of("caddy", "caddy.json", JSON_HEAD) == "none"


def test_registry_gives_caddy_files_their_kind(lint: Lint) -> None:
    result = lint({"Caddyfile": "example.com {\n\treverse_proxy app:80\n}\n", "caddy.json": JSON_HEAD}, ".")
    assert {f["file"] for f in result.findings} == {"Caddyfile"}


# -- the reader -------------------------------------------------------------------------------------------------


def test_tokens_quotes_comments_and_continuations() -> None:
    text = 'a "b c" `d "e"` # a comment\nf \\\n  g "h\\"i"\n'
    tokens = cf.tokenize(text, "F")
    assert [t.text for t in tokens] == ["a", "b c", 'd "e"', "f", "g", 'h"i']
    assert [t.line for t in tokens] == [1, 1, 1, 2, 3, 3]
    assert tokens[3].group == tokens[4].group != tokens[0].group  # a continued line is one line


def test_sites_options_matchers_and_nesting() -> None:
    text = (
        "{\n\tservers {\n\t\ttimeouts {\n\t\t\tidle 30s\n\t\t}\n\t}\n}\n"
        "a.com, b.com {\n\t@ws path /ws/*\n\thandle_path /api/* {\n\t\treverse_proxy api:80\n\t}\n}\n"
    )
    parsed = cf.parse(text, "F")
    assert parsed.options is not None and parsed.options.body[0].name == "servers"
    site = parsed.sites[0]
    assert [k.text for k in site.keys] == ["a.com", "b.com"]
    assert [(d.name, d.first.line) for d in cf.walk(site.body)] == [
        ("@ws", 9),
        ("handle_path", 10),
        ("reverse_proxy", 11),
    ]


def test_a_single_site_without_braces() -> None:
    parsed = cf.parse(":8884\n\nreverse_proxy a:1\nreverse_proxy b:2\n", "F")
    assert [k.text for k in parsed.sites[0].keys] == [":8884"]
    assert [d.name for d in parsed.sites[0].body] == ["reverse_proxy", "reverse_proxy"]


def test_snippets_are_imported_where_used() -> None:
    text = "(proxy) {\n\treverse_proxy app:80\n}\na.com {\n\timport proxy\n}\nb.com {\n\timport proxy\n}\n"
    parsed = cf.parse(text, "F")
    assert [[d.name for d in s.body] for s in parsed.sites] == [["reverse_proxy"], ["reverse_proxy"]]
    assert parsed.sites[0].body[0].first.line == 2  # located in the snippet


def test_unread_imports_are_listed() -> None:
    parsed = cf.parse("a.com {\n\timport sites/*.caddy\n}\n", "F")
    assert [(t.line, target) for t, target, _ in parsed.unread] == [(2, "sites/*.caddy")]


@pytest.mark.parametrize("text", ["a.com {\n\treverse_proxy x\n", "a.com {\n}\n}\n", 'a.com {\n\trespond "x\n}\n'])
def test_parse_errors(text: str) -> None:
    with pytest.raises(cf.CaddyfileError):
        cf.parse(text, "F")


def test_caddyfiletest_part() -> None:
    text = ':80\nreverse_proxy a:1\n----------\n{\n\t"apps": {}\n}\n'
    assert cf.caddyfile_part(text, "x.caddyfiletest") == ":80\nreverse_proxy a:1\n"
    assert cf.caddyfile_part(text, "Caddyfile") == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("1h30m", 5400.0), ("1.5h", 5400.0), ("2d", 172800.0), ("500ms", 0.5), ("0", 0.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "abc", "1x", "5 m", "."])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(BadDuration):
        parse_duration(text)


# -- routes and findings ----------------------------------------------------------------------------------------

SITE = "chat.example.com {{\n{body}}}\n"


def site(body: str) -> str:
    return SITE.format(body=body)


def test_no_stream_close_delay_is_ws405_at_the_reverse_proxy(lint: Lint) -> None:
    result = lint({"Caddyfile": site("\troot * /srv\n\treverse_proxy /ws/* app:3000\n")}, "Caddyfile")
    assert result.rules_at() == {("WS405", 3)}
    assert "assumed" not in str(result.findings[0]["message"])


def test_stream_close_delay_set(lint: Lint) -> None:
    result = lint(
        {"Caddyfile": site("\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5m\n\t}\n")}, "Caddyfile"
    )
    assert result.findings == []


@pytest.mark.parametrize("value", ["0", "-5m"])
def test_stream_close_delay_zero_or_negative_is_no_delay(lint: Lint, value: str) -> None:
    text = site(f"\treverse_proxy /ws/* app:3000 {{\n\t\tstream_close_delay {value}\n\t}}\n")
    result = lint({"Caddyfile": text}, "Caddyfile")
    assert result.rules_at() == {("WS405", 3)}
    assert f"stream_close_delay {value}," in str(result.only("WS405")[0]["message"])  # what is written, not "without"


@pytest.mark.parametrize(("value", "rule"), [("2h", "WS207"), ("30m", "WS209"), ("1d", "WS207")])
def test_stream_timeout_is_a_lifetime_cap(lint: Lint, value: str, rule: str) -> None:
    body = f"\treverse_proxy /ws/* app:3000 {{\n\t\tstream_close_delay 5m\n\t\tstream_timeout {value}\n\t}}\n"
    result = lint({"Caddyfile": site(body)}, "Caddyfile")
    assert result.rules_at() == {(rule, 4)}


def test_stream_timeout_zero_is_no_cap(lint: Lint) -> None:
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5m\n\t\tstream_timeout 0\n\t}\n"
    assert lint({"Caddyfile": site(body)}, "Caddyfile").findings == []


def test_no_idle_timeout_and_no_keepalive_findings(lint: Lint) -> None:
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5m\n\t}\n"
    result = lint({"Caddyfile": site(body)}, "Caddyfile", "--ping-interval", "10m")
    assert result.findings == []


def test_invalid_durations_are_ws206(lint: Lint) -> None:
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5x\n\t\tstream_timeout forever\n\t}\n"
    result = lint({"Caddyfile": site(body)}, "Caddyfile")
    assert result.rules_at() == {("WS206", 3), ("WS206", 4)}  # an unreadable delay is unknown: no WS405


def test_placeholder_is_unknown_with_a_note(lint: Lint) -> None:
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay {$DELAY}\n\t}\n"
    result = lint({"Caddyfile": site(body)}, "Caddyfile")
    assert result.findings == []
    assert "Caddyfile:3" in result.err


def test_server_timeouts_are_ws210(lint: Lint) -> None:
    options = "{\n\tservers {\n\t\ttimeouts {\n\t\t\tread_body 10s\n\t\t\tidle 2m\n\t\t}\n\t}\n}\n"
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5m\n\t}\n"
    result = lint({"Caddyfile": options + site(body)}, "Caddyfile")
    assert result.rules_at() == {("WS210", 4), ("WS210", 5)}


def test_server_timeouts_without_a_websocket_route_say_nothing(lint: Lint) -> None:
    options = "{\n\tservers {\n\t\ttimeouts {\n\t\t\tidle 2m\n\t\t}\n\t}\n}\n"
    assert lint({"Caddyfile": options + "a.com {\n\tfile_server\n}\n"}, "Caddyfile").findings == []


def test_unmarked_proxies_are_assumed_only_when_nothing_is_marked(lint: Lint) -> None:
    result = lint({"Caddyfile": site("\treverse_proxy app:3000\n")}, "Caddyfile")
    assert result.rules_at() == {("WS405", 2)}
    assert "assumed" in str(result.findings[0]["message"])
    marked = site("\treverse_proxy /api/* api:80\n\treverse_proxy /socket.io/* rt:3000\n")
    assert lint({"Caddyfile": marked}, "Caddyfile").rules_at() == {("WS405", 3)}


def test_marked_by_matcher_upstream_or_nesting(lint: Lint) -> None:
    named = site("\t@up header Connection *Upgrade*\n\treverse_proxy @up app:3000\n\treverse_proxy api:80\n")
    assert lint({"Caddyfile": named}, "Caddyfile").rules_at() == {("WS405", 3)}
    upstream = site("\treverse_proxy websocket-svc:3000\n\treverse_proxy api:80\n")
    assert lint({"Caddyfile": upstream}, "Caddyfile").rules_at() == {("WS405", 2)}
    nested = site("\thandle /ws/* {\n\t\troute {\n\t\t\treverse_proxy app:3000\n\t\t}\n\t}\n\treverse_proxy api:80\n")
    assert lint({"Caddyfile": nested}, "Caddyfile").rules_at() == {("WS405", 4)}


def test_websocket_routes_setting(lint: Lint) -> None:
    text = site("\treverse_proxy /live/* app:3000\n\treverse_proxy /api/* api:80\n")
    files = {"Caddyfile": text, "wslint.toml": "websocket-routes = ['/live/*']\n"}
    assert lint(files, "Caddyfile", "--config", "wslint.toml").rules_at() == {("WS405", 2)}


def test_imports_inside_the_tree_are_read(lint: Lint) -> None:
    files = {"Caddyfile": site("\timport sites/*.caddy\n"), "sites/ws.caddy": "reverse_proxy /ws/* app:3000\n"}
    result = lint(files, "Caddyfile")
    assert result.rules_in() == {("WS405", "sites/ws.caddy", 1)}


def test_imports_outside_the_tree_are_a_note(lint: Lint) -> None:
    result = lint({"Caddyfile": site("\timport /etc/caddy/conf.d/*\n\treverse_proxy /ws/* a:1\n")}, "Caddyfile")
    assert result.rules_at() == {("WS405", 3)}
    assert "Caddyfile:2" in result.err


def test_suppressions(lint: Lint) -> None:
    body = "\theader X-A b\n\t# wslint: ignore[WS405] -- never reloaded\n\treverse_proxy /ws/* app:3000 {\n"
    body += "\t\tstream_timeout 2h\n\t}\n"
    result = lint({"Caddyfile": site(body)}, "Caddyfile")
    found = sorted((f["rule"], f["line"], f["suppressed"]) for f in result.findings)
    assert found == [("WS207", 5, False), ("WS405", 4, True)]


def test_caddyfiletest_reads_the_caddyfile_part(lint: Lint) -> None:
    text = ':8884\n\nreverse_proxy /ws/* 127.0.0.1:65535\n----------\n{\n\t"apps": {}\n}\n'
    assert lint({"a.caddyfiletest": text}, "a.caddyfiletest").rules_at() == {("WS405", 3)}


# -- Caddy JSON -------------------------------------------------------------------------------------------------

JSON = """\
{
  "apps": {
    "http": {
      "servers": {
        "srv0": {
          "listen": [":443"],
          "idle_timeout": "2m",
          "routes": [
            {"match": [{"path": ["/ws/*"]}],
             "handle": [{"handler": "subroute", "routes": [{"handle": [
               {"handler": "reverse_proxy", "stream_timeout": %s, "stream_close_delay": %s,
                "upstreams": [{"dial": "app:3000"}]}]}]}]}
          ]
        }
      }
    }
  }
}
"""


def test_json_nanoseconds_and_strings(lint: Lint) -> None:
    result = lint({"caddy.json": JSON % ("1800000000000", '"5m"')}, "caddy.json")
    assert result.rules_at() == {("WS210", 7), ("WS209", 11)}
    result = lint({"caddy.json": JSON % ('"2h"', "0")}, "caddy.json")
    assert result.rules_at() == {("WS210", 7), ("WS207", 11), ("WS405", 11)}


def test_json_invalid_durations(lint: Lint) -> None:
    result = lint({"caddy.json": JSON % ('"1x"', "true")}, "caddy.json")
    assert result.rules_at() == {("WS210", 7), ("WS206", 11)}
    assert len(result.only("WS206")) == 2


# -- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("Caddyfile", "a.com {\n\treverse_proxy x\n", 1),
        ("Caddyfile", "a.com {\n}\n}\n", 3),
        ("Caddyfile", 'a.com {\n\trespond "x\n}\n', 2),
        ("caddy.json", '{"apps": {"http": {"servers": {}}},\n', 2),
    ],
)
def test_bad_input_is_ws001(lint: Lint, name: str, text: str, line: int) -> None:
    result = lint({name: text}, name)
    assert result.rules_at() == {("WS001", line)}
    assert "Traceback" not in result.err


def test_deep_nesting_is_ws001(lint: Lint) -> None:
    text = "a.com {\n" + "a {\n" * 5000 + "}\n" * 5000 + "}\n"
    result = lint({"Caddyfile": text}, "Caddyfile")
    assert {rule for rule, _ in result.rules_at()} == {"WS001"}
    assert result.code == 1
    assert "Traceback" not in result.err


def test_utf16_is_ws001(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "Caddyfile").write_bytes(b"\xff\xfea\x00.\x00c\x00")
    result = lint({}, "Caddyfile")
    assert {f["rule"] for f in result.findings} == {"WS001"}
    assert "Traceback" not in result.err


def test_import_cycles_end_with_a_note(lint: Lint) -> None:
    files = {
        "Caddyfile": site("\timport b.caddy\n\treverse_proxy /ws/* app:3000\n"),
        "b.caddy": "import Caddyfile\nimport c.caddy\n",
        "c.caddy": "import b.caddy\n(s) {\n\timport s\n}\nimport s\n",
    }
    result = lint(files, "Caddyfile")
    assert result.rules_at() == {("WS405", 3)}
    assert "b.caddy:1" in result.err and "c.caddy:3" in result.err


def test_transport_read_timeout_is_the_idle_timeout(lint: Lint) -> None:
    body = "\treverse_proxy /ws/* app:3000 {\n\t\tstream_close_delay 5m\n\t\ttransport http {\n"
    body += "\t\t\tread_timeout 30s\n\t\t}\n\t}\n"
    assert lint({"Caddyfile": site(body)}, "Caddyfile", "--ping-interval", "25s").rules_at() == {("WS301", 5)}
    assert lint({"Caddyfile": site(body)}, "Caddyfile", "--ping-interval", "10s").findings == []
    unreadable = body.replace("30s", "soon")
    assert lint({"Caddyfile": site(unreadable)}, "Caddyfile", "--ping-interval", "25s").rules_at() == {("WS206", 5)}


def test_json_transport_read_timeout(lint: Lint) -> None:
    text = JSON.replace('"stream_timeout": %s,', '"transport": {"protocol": "http", "read_timeout": 30000000000},')
    result = lint({"caddy.json": text % '"5m"'}, "caddy.json", "--ping-interval", "25s")
    assert result.rules_at() == {("WS210", 7), ("WS301", 11)}
