"""The HAProxy tokenizer and sections, per the configuration manual §2.2-§2.4."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wslint.durations import InvalidDuration, TruncatedDuration, parse_haproxy
from wslint.sources.haproxy_syntax import HaproxySyntaxError, Word, evaluate, parse, split_line


def words(text: str) -> list[str]:
    return [w.text for w in split_line(text, 1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timeout client 30s", ["timeout", "client", "30s"]),
        ("  bind :80   # a comment", ["bind", ":80"]),
        ('log-format "%ci # not a comment"', ["log-format", "%ci # not a comment"]),
        ("http-request set-header X 'a \"b\" $c'", ["http-request", "set-header", "X", 'a "b" $c']),
        (r"acl a path_reg ^/a\ b", ["acl", "a", "path_reg", "^/a b"]),
        (r"http-response set-header X a\#b", ["http-response", "set-header", "X", "a#b"]),
        (r'x "a\"b" \x41', ["x", 'a"b', "A"]),
        ("x \"a\"b'c'", ["x", "abc"]),
        ("x#comment", ["x"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_columns_and_unknown_environment_variables() -> None:
    (_, _, value) = split_line('\ttimeout server "${HAPROXY_TEST_TIMEOUT-5s}"', 1)
    assert (value.column, value.unknown) == (17, True)
    (_, plain) = split_line("bind $ADDR", 1)
    assert not plain.unknown  # outside double quotes HAProxy reads "$" literally
    (_, literal) = split_line("bind '$ADDR'", 1)
    assert not literal.unknown


def test_unmatched_quote() -> None:
    with pytest.raises(HaproxySyntaxError, match="unmatched quote"):
        split_line('log-format "%ci', 3)


def test_sections_from_and_unknown_sections_are_not_glued() -> None:
    config = parse(
        "global\n  daemon\ndefaults base\n  timeout server 1m\nring buf\n  timeout server 20s\n"
        "defaults web from base\n  mode http\nbackend app from web\n  server s 127.0.0.1:80\n",
        "f",
    )
    kinds = [(s.kind, s.name, s.parent) for s in config.sections]
    assert kinds == [("global", "", None), ("defaults", "base", None), ("ring", "buf", None),
                     ("defaults", "web", "base"), ("backend", "app", "web")]  # fmt: skip
    assert [line.texts() for line in config.sections[2].lines] == [["timeout", "server", "20s"]]


def test_crlf_bom_and_no_final_newline() -> None:
    config = parse("\ufeffglobal\r\n  daemon\r\nlisten ws\r\n  bind :80", "f")
    assert [(s.kind, [line.texts() for line in s.lines]) for s in config.sections] == [
        ("global", [["daemon"]]),
        ("listen", [["bind", ":80"]]),
    ]


def test_conditional_blocks() -> None:
    text = (
        "global\n"
        ".if version_atleast(2.4)\n  a\n.elif 1\n  b\n.else\n  c\n.endif\n"
        ".if feature(THREAD)\n  d\n.else\n  e\n.endif\n"
        ".if 0\n  f\n.elif defined(X)\n  g\n.else\n  h\n.endif\n"
    )
    old = parse(text, "f", (2, 2))
    lines = {line.keyword: line.conditional for line in old.sections[0].lines}
    assert lines == {"b": False, "d": True, "e": True, "g": True, "h": True}
    new = parse(text, "f", (2, 6))
    assert new.sections[0].lines[0].keyword == "a"
    unknown = parse(text, "f", None)
    assert {line.keyword: line.conditional for line in unknown.sections[0].lines}["a"] is True
    assert 2 in unknown.undecided and 9 in unknown.undecided


def test_missing_endif_is_an_error() -> None:
    config = parse("global\n.if 1\n  daemon\n", "f")
    assert [(e.message, e.line) for e in config.errors] == [("non-terminated '.if' block", 3)]


@pytest.mark.parametrize(
    ("expression", "value"),
    [("1", True), ("0", False), ("", False), ("!0", True), ("1 && 0", False), ("0 || 1", True),
     ("defined(X)", None), ("defined(X) || 1", True), ("defined(X) && 0", False), ("streq(a,a)", True),
     ("strneq(a,a)", False), ("strstr(abc,b)", True), ('streq("${X}",a)', None), ("(1 && !0) || 0", True)],
)  # fmt: skip
def test_evaluate(expression: str, value: bool | None) -> None:
    assert evaluate(expression, None) is value


@pytest.mark.parametrize(
    ("text", "seconds"), [("3600", 3.6), ("30s", 30), ("1m", 60), ("1h", 3600), ("2d", 172800), ("500us", 0.0005)]
)
def test_haproxy_times(text: str, seconds: float) -> None:
    assert parse_haproxy(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["1.5s", "10x", "", "abc", "5S", "25d", "2147483648"])
def test_haproxy_times_rejected(text: str) -> None:
    with pytest.raises(InvalidDuration) as info:
        parse_haproxy(text)
    assert not isinstance(info.value, TruncatedDuration)


def test_haproxy_reads_the_first_unit_only() -> None:
    with pytest.raises(TruncatedDuration) as info:
        parse_haproxy("1h30m")
    assert info.value.seconds == 3600


def test_an_unknown_section_keyword_is_a_section_of_its_own() -> None:
    config = parse("backend app\n    timeout server 1m\nfuture-section x\n    timeout server 1s\n", "f")
    assert [(s.kind, len(s.lines)) for s in config.sections] == [("backend", 1), ("future-section", 1)]


def test_a_stray_unindented_setting_stays_in_its_section() -> None:
    config = parse("backend app\n    server a 10.0.0.1:80\nmode http\n    timeout tunnel 1h\n", "f")
    assert [(s.kind, len(s.lines)) for s in config.sections] == [("backend", 3)]


def test_quick_reader_agrees_with_the_character_reader() -> None:
    """Lines whose quotes hold no escape or variable take a regex path; it must read them as the full reader does.

    (Both read text whose template placeholders are already masked: ``_split`` is split_line past that step.)
    """
    import random

    from wslint.sources.haproxy_syntax import _split, _split_escaped

    def read(reader: Callable[[str, int], list[Word]], text: str) -> object:
        try:
            return [(w.text, w.column, w.end_column, w.unknown) for w in reader(text, 1)]
        except HaproxySyntaxError as exc:
            return exc.message

    rng = random.Random(20261122)
    for _ in range(20_000):
        text = "".join(rng.choice(" \t\"'#\\$ab{}x0-") for _ in range(rng.randint(0, 14)))
        assert read(_split, text) == read(_split_escaped, text), repr(text)


def test_the_block_reader_sees_the_sections_the_source_reads(shared_dir: Path) -> None:
    """haproxy_syntax.blocks (suppressions, baselines, fixes) and parse (the source) agree on every corpus file."""
    from wslint.discover import detect_kind, template_reason
    from wslint.sources.haproxy_syntax import blocks

    checked = 0
    for path in sorted(p for p in (shared_dir / "corpus" / "haproxy").rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        except (UnicodeDecodeError, OSError):
            continue
        if detect_kind(path.name, text[:65536]) != "haproxy" or template_reason(text, "haproxy", False):
            continue
        headers = [s.line for s in blocks(text).statements if s.parent is None and not s.text.startswith(".")]
        assert headers == [section.header.line for section in parse(text, path.name).sections], path
        checked += 1
    assert checked > 300
