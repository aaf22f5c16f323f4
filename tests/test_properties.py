"""Property-based tests (hypothesis) for the code that reads hostile text: duration parsers, tokenizers, the lint.

The suite runs the "ci" profile of tests/conftest.py (derandomized, no deadline, 200 examples a test);
scripts/fuzz.py runs the same properties with the "fuzz" profile (random, many more examples) and
docs/fuzzing.md records what it found.

A property that finds a real bug keeps the failing input as an ``@example``; while the bug is open the
test is marked ``xfail(strict=True)`` (fixed, it passes, strict xfail turns that into a failure, and the
mark must go). Each such test is narrow (one bug), so the general properties keep running. The bugs these
properties found, their inputs and their fixes are listed in docs/fuzzing.md; the inputs stay here as
explicit examples, so that none comes back.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import math
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from crossplane.lexer import _lex_file_object
from hypothesis import HealthCheck, assume, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st

from wslint.clients import parse_client_duration
from wslint.config import parse_ping_interval
from wslint.durations import InvalidDuration, TruncatedDuration, parse_haproxy, parse_nginx
from wslint.model import Location, format_seconds
from wslint.sources import haproxy_syntax
from wslint.sources.aws_spec import Value
from wslint.sources.haproxy_syntax import HaproxySyntaxError, Word, _split, _split_escaped, _split_simple, split_line
from wslint.sources.nginx_lexer import lex
from wslint.sources.nginx_syntax import Directive, NginxSyntaxError, check_directives, root_context
from wslint.sources.nginx_syntax import parse as parse_nginx_text

# Examples a property tries: the active profile's (ci: 200, fuzz: 20,000), or WSLINT_FUZZ_EXAMPLES, which
# scripts/fuzz.py sets to fit its time budget. The slower properties try a fraction of them.
EXAMPLES = int(os.environ.get("WSLINT_FUZZ_EXAMPLES") or settings().max_examples)
FULL = settings(max_examples=EXAMPLES)
HALF = settings(max_examples=max(EXAMPLES // 2, 10))
SLOW = settings(max_examples=max(EXAMPLES // 4, 10), suppress_health_check=[HealthCheck.too_slow])
SLOWEST = settings(max_examples=max(EXAMPLES // 8, 10), suppress_health_check=[HealthCheck.too_slow])

# digits other than ASCII 0-9: Python's \d and int() take them, nginx and HAProxy do not
UNICODE_DIGITS = "\u0663\uff11\u0967\u07c0\U0001d7ce"
BIG = "9" * 400  # larger than a float: 1e400
HUGE = "1" * 5000  # more digits than int() converts (sys.get_int_max_str_digits() is 4300)


def text_of(pieces: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    """Text made of the given pieces and arbitrary short strings: the pieces make the interesting cases likely."""
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=3)), max_size=max_size).map("".join)


# -- durations -------------------------------------------------------------------------------------------------------

NGINX_UNITS_MS = {"y": 365 * 86_400_000, "M": 30 * 86_400_000, "w": 7 * 86_400_000, "d": 86_400_000}
NGINX_UNITS_MS |= {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1, "": 1000}
NGINX_ORDER = ["y", "M", "w", "d", "h", "m", "s", "ms", ""]
# what nginx's ngx_parse_time reads: ASCII digits, a unit, from the largest to the smallest, blanks between
NGINX_GRAMMAR = re.compile(r"(?: *[0-9]+(?:ms|[yMwdhms])? *)+")
duration_text = text_of(
    ["0", "1", "25", "90", "ms", "s", "m", "h", "d", "w", "M", "y", "us", " ", "\t", ".", "-", "+"], max_size=12
)


def check_seconds(value: float) -> None:
    assert isinstance(value, float | int)
    assert math.isfinite(value)
    assert value >= 0


@FULL
@given(duration_text, st.booleans())
def test_nginx_duration_raises_only_invalid_duration(text: str, msec: bool) -> None:
    try:
        seconds = parse_nginx(text, msec=msec)
    except InvalidDuration:
        return
    check_seconds(seconds)


@FULL
@given(st.text(alphabet="0123456789 yMwdhms" + UNICODE_DIGITS, max_size=12), st.booleans())
@example("\u0663", True)  # ARABIC-INDIC DIGIT THREE: was read as 3 (\\d), nginx says "invalid value"
def test_nginx_duration_accepts_only_ascii_digits(text: str, msec: bool) -> None:
    try:
        parse_nginx(text, msec=msec)
    except InvalidDuration:
        return
    assert NGINX_GRAMMAR.fullmatch(text), text


@st.composite
def nginx_times(draw: st.DrawFn, msec: bool) -> tuple[str, int]:
    """An nginx time (``1h 30m``, ``500ms``, ``90``) and its value in milliseconds."""
    allowed = [u for u in NGINX_ORDER if not (msec and u in ("y", "M")) and not (not msec and u == "ms")]
    units = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=5, unique=True))
    units.sort(key=NGINX_ORDER.index)
    parts = []
    total = 0
    for unit in units:
        count = draw(st.integers(0, 10**6))
        total += count * NGINX_UNITS_MS[unit]
        parts.append(f"{count}{unit}")
    separators = [draw(st.sampled_from(["", " ", "  "])) for _ in parts]
    text = "".join(sep + part for sep, part in zip(separators, parts, strict=True))
    return text + draw(st.sampled_from(["", " "])), total


@FULL
@given(st.data(), st.booleans())
def test_nginx_duration_round_trip(data: st.DataObject, msec: bool) -> None:
    text, total_ms = data.draw(nginx_times(msec))
    assert parse_nginx(text, msec=msec) == total_ms / 1000


NGX_MAX_INT = 2**63 - 1


@FULL
@given(
    st.one_of(st.integers(0, 2**64), st.integers(0, 10**30)),
    st.sampled_from(NGINX_ORDER),
    st.booleans(),
    st.integers(0, 25),
)
@example(NGX_MAX_INT, "ms", True, 0)
@example(NGX_MAX_INT + 1, "ms", True, 0)
@example(106_751_991_167, "d", True, 0)  # nginx -t accepts it in proxy_read_timeout
@example(106_751_991_168, "d", True, 0)  # and says "invalid value" here
@example(NGX_MAX_INT, "", False, 3)
@example(NGX_MAX_INT + 1, "s", False, 0)
def test_nginx_duration_limit(count: int, unit: str, msec: bool, zeros: int) -> None:
    """Up to NGX_MAX_INT_T_VALUE milliseconds (seconds for second-resolution directives) is read as written,
    past it nginx says "invalid value"; leading zeros change nothing."""
    assume(not (msec and unit in ("y", "M")) and not (not msec and unit == "ms"))
    total = count * NGINX_UNITS_MS[unit] if msec else count * NGINX_UNITS_MS[unit] // 1000
    text = "0" * zeros + f"{count}{unit}"
    if total > NGX_MAX_INT:
        with pytest.raises(InvalidDuration):
            parse_nginx(text, msec=msec)
    else:
        assert parse_nginx(text, msec=msec) == (total / 1000 if msec else float(total))


@HALF
@given(st.data(), st.integers(0, 99), st.integers(0, 99))
def test_nginx_duration_units_out_of_order_are_rejected(data: st.DataObject, a: int, b: int) -> None:
    """``30m1h``, ``1h1h``: each unit must be smaller than the one before (a bare number is the smallest)."""
    index = data.draw(st.integers(0, len(NGINX_ORDER) - 2))
    first, second = NGINX_ORDER[index], NGINX_ORDER[data.draw(st.integers(0, index))]
    with pytest.raises(InvalidDuration):
        parse_nginx(f"{a}{first}{b}{second}", msec=False)
    with pytest.raises(InvalidDuration):
        parse_nginx(f"{a}{first}{b}{second}", msec=True)


@FULL
@given(st.integers(0, 10**10))
def test_format_seconds_reads_back_as_an_nginx_time(ms: int) -> None:
    """model.format_seconds writes what the reports show; nginx reads it as the same time."""
    assert parse_nginx(format_seconds(ms / 1000)) == ms / 1000


HAPROXY_UNITS: dict[str, Fraction] = {
    "us": Fraction(1, 10**6),
    "ms": Fraction(1, 1000),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
    "d": Fraction(86400),
}
HAPROXY_MAX_MS = 2_147_483_647


@FULL
@given(duration_text)
def test_haproxy_duration_raises_only_invalid_duration(text: str) -> None:
    try:
        seconds = parse_haproxy(text)
    except TruncatedDuration as exc:  # HAProxy warns and uses the leading value
        check_seconds(exc.seconds)
        assert exc.seconds * 1000 <= HAPROXY_MAX_MS
        return
    except InvalidDuration:
        return
    check_seconds(seconds)
    assert seconds * 1000 <= HAPROXY_MAX_MS


@FULL
@given(st.integers(0, 3 * 10**12), st.sampled_from(["", *HAPROXY_UNITS]))
@example(HAPROXY_MAX_MS, "")
@example(HAPROXY_MAX_MS + 1, "")
@example(HAPROXY_MAX_MS, "ms")
@example(HAPROXY_MAX_MS * 1000, "us")
@example(HAPROXY_MAX_MS * 1000 + 1, "us")
@example(2_147_483, "s")
@example(2_147_484, "s")
@example(0, "")
def test_haproxy_duration_round_trip(count: int, unit: str) -> None:
    """A plain number is milliseconds; up to 2147483647 ms is read exactly, above it is an overflow error."""
    exact = count * HAPROXY_UNITS[unit or "ms"]
    if exact * 1000 > HAPROXY_MAX_MS:
        with pytest.raises(InvalidDuration, match="overflow"):
            parse_haproxy(f"{count}{unit}")
        return
    seconds = parse_haproxy(f"{count}{unit}")
    assert math.isclose(seconds, exact, rel_tol=1e-12, abs_tol=1e-12)
    if count == 0:
        assert seconds == 0  # the caller's "0 means no timeout" (sources/haproxy.py) needs an exact zero


@FULL
@given(
    st.data(),
    st.sampled_from(list(HAPROXY_UNITS)),
    st.text(min_size=1, max_size=8).filter(lambda t: t[0] not in string.digits + "s"),
)
def test_haproxy_duration_reads_only_the_leading_value(data: st.DataObject, unit: str, rest: str) -> None:
    """``1h30m`` is 1h: HAProxy ignores (with a warning) what follows a valid unit."""
    count = data.draw(st.integers(0, int(HAPROXY_MAX_MS / (HAPROXY_UNITS[unit] * 1000))))
    expected = parse_haproxy(f"{count}{unit}")
    with pytest.raises(TruncatedDuration) as caught:
        parse_haproxy(f"{count}{unit}{rest}")
    assert caught.value.seconds == expected


@FULL
@given(st.sampled_from(["", "ms", "s", "m", "h", "d", "us"]), st.integers(0, 5), st.booleans())
@example("", 0, True)  # parse_nginx("999...9") raised OverflowError (exit 2); ValueError past 4300 digits
def test_durations_too_large_for_a_float_are_invalid(unit: str, padding: int, huge: bool) -> None:
    text = (HUGE if huge else BIG) + "0" * padding + unit
    for parse in (parse_nginx, parse_haproxy):
        try:
            seconds = parse(text)
        except InvalidDuration:
            continue
        check_seconds(seconds)


@HALF
@given(duration_text)
@example("off")
@example(" 25s ")
@example("1.5s")
@example("nan")
@example("inf")
@example("1e999")
def test_ping_interval_raises_only_value_error(text: str) -> None:
    """--ping-interval / ping-interval in the config: seconds, or ValueError (exit 2 with its message)."""
    try:
        seconds = parse_ping_interval(text)
    except ValueError:
        return
    check_seconds(seconds)


@HALF
@given(st.data(), st.sampled_from(["nginx", "go", "number", "off"]))
def test_ping_interval_round_trip(data: st.DataObject, form: str) -> None:
    if form == "nginx":
        text, total_ms = data.draw(nginx_times(True))
        assert parse_ping_interval(text) == total_ms / 1000
    elif form == "go":
        text, seconds = data.draw(go_durations())
        assume(seconds < GO_MAX_SECONDS * 0.999)  # past it: test_client_duration_round_trip
        assume(not re.fullmatch(r" *[0-9]+(ms|[dhms])? *", text) or "." in text)  # those are nginx times
        assert math.isclose(parse_ping_interval(text), seconds, rel_tol=1e-9)
    elif form == "number":
        value = data.draw(st.floats(0, 1e9, allow_nan=False))
        assert parse_ping_interval(repr(value)) == value
        assert parse_ping_interval(value) == value
    else:
        assert parse_ping_interval(data.draw(st.sampled_from(["off", "OFF", " none ", "0"]))) == 0


GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


GO_MAX_SECONDS = (2**63 - 1) / 1e9


@st.composite
def go_durations(draw: st.DrawFn) -> tuple[str, float]:
    """A Go time.ParseDuration string as chisel takes it (``1m30.5s``, ``.5h``, ``2500ms``) and its seconds."""
    parts = draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 999), st.sampled_from(list(GO_UNITS)))))
    if not parts:
        return draw(st.sampled_from(["0", "+0"])), 0.0
    text = draw(st.sampled_from(["", "+"]))
    seconds = 0.0
    for whole, fraction, unit in parts:
        number = f"{whole}.{fraction:03d}" if fraction else str(whole)
        text += number + unit
        seconds += float(number) * GO_UNITS[unit]
    return text, seconds


@HALF
@given(go_durations())
@example(("562048h1000000h1000000h", 9223372800.0))  # past Go's limit: an error since 7eae623
@example(("2562047h", 2562047 * 3600.0))  # the last whole hour Go takes
def test_client_duration_round_trip(case: tuple[str, float]) -> None:
    """Read as Go reads it, up to Go's limit (an int64 of nanoseconds, about 292 years), past which it is an error."""
    text, seconds = case
    assume(not math.isclose(seconds, GO_MAX_SECONDS, rel_tol=1e-9))  # float sums cannot settle the boundary
    if seconds > GO_MAX_SECONDS:
        with pytest.raises(ValueError, match="too large"):
            parse_client_duration(text)
    else:
        assert math.isclose(parse_client_duration(text), seconds, rel_tol=1e-9, abs_tol=1e-12)


@HALF
@given(text_of(["0", "1", ".", "5", "ns", "us", "µs", "ms", "s", "m", "h", "+", "-", " ", "e"]))
def test_client_duration_raises_only_value_error(text: str) -> None:
    try:
        seconds = parse_client_duration(text)
    except ValueError:
        return
    check_seconds(seconds)


@FULL
@given(st.sampled_from(["s", "ms", "h", "ns"]), st.integers(0, 5))
@example("s", 0)  # chisel --keepalive 999...9s was inf: the lint said "ping interval infinite"
def test_client_duration_too_large_is_rejected(unit: str, padding: int) -> None:
    try:
        seconds = parse_client_duration(BIG + "0" * padding + unit)
    except ValueError:
        return
    check_seconds(seconds)


LOCATION = Location(file="alb.tf", line=1)


@FULL
@given(st.one_of(st.text(max_size=12), st.integers(-(10**30), 10**30), st.floats(), st.booleans(), st.none()))
def test_aws_seconds_never_raise(raw: str | int | float | bool | None) -> None:
    """An AWS time is whole seconds: a number, None when unknown, NaN for a value AWS refuses (then a problem)."""
    seconds = Value(raw, LOCATION).seconds()
    if seconds is not None and not math.isnan(seconds):
        assert math.isfinite(seconds)
        assert seconds == int(seconds)


@FULL
@given(st.integers(0, 10**7), st.sampled_from(["{}", "{} ", " {}", '"{}"']))
def test_aws_seconds_round_trip(seconds: int, form: str) -> None:
    value: str | int = seconds if form == '"{}"' else form.format(seconds)
    assert Value(value, LOCATION).seconds() == seconds


@FULL
@given(st.sampled_from([BIG, BIG + "0", "-" + BIG]), st.booleans())
@example(BIG, True)  # idle_timeout = 999...9 in a .tf file was an OverflowError: "internal error", exit 2
def test_aws_seconds_too_large_for_a_float(text: str, as_int: bool) -> None:
    seconds = Value(int(text) if as_int else text, LOCATION).seconds()
    assert seconds is not None
    assert math.isnan(seconds) or math.isfinite(seconds)


# -- the HAProxy tokenizer -------------------------------------------------------------------------------------------

HAPROXY_CHARS = st.one_of(
    st.sampled_from([*"\"'#\\${} \t", "\\x4", "\\x41", "${A}", "$A", "${A-b}", "\\n", "\\ "]),
    st.sampled_from(list("abcxAZ019-_.:/")),
    st.characters(codec="utf-8", exclude_characters="\n"),
)
haproxy_line = st.lists(HAPROXY_CHARS, max_size=30).map("".join)


def read_words(reader: Callable[[str, int], list[Word] | None], text: str) -> object:
    try:
        words = reader(text, 7)
    except HaproxySyntaxError as exc:
        return ("error", exc.message, exc.line, exc.column)
    return None if words is None else [(w.text, w.column, w.end_column, w.unknown) for w in words]


@FULL
@given(haproxy_line)
def test_haproxy_split_line_is_the_character_reader(text: str) -> None:
    """split_line's fast paths (a plain split, the regex reader) read every line as the character reader does.

    (Past the masking of template placeholders, which ``_split`` reads after.)
    """
    assert read_words(_split, text) == read_words(_split_escaped, text)


@HALF
@given(haproxy_line)
def test_haproxy_regex_reader_decides_only_what_it_can(text: str) -> None:
    simple = read_words(lambda t, _n: _split_simple(t), text)
    if simple is not None:
        assert simple == read_words(_split_escaped, text)


# Unicode blanks (NBSP, ideographic space, the information separators) are part of a word for HAProxy
SAFE_WORD = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.:/%@!?()[]{}=,+*~^&|<>é€😀\u00a0\u3000\x1c\u2028", min_size=1
)
# what separates words: HAProxy's isspace() blanks but the line ends (LF, CR)
BLANKS = st.text(alphabet=" \t\v\f", min_size=1, max_size=3)


@HALF
@given(st.lists(SAFE_WORD, max_size=8), st.data())
def test_haproxy_words_round_trip(words: list[str], data: st.DataObject) -> None:
    """Words without quotes, escapes, ``#`` or ``$``, joined with blanks, come back with their columns."""
    text = data.draw(st.sampled_from(["", " ", "\t "]))
    columns = []
    for word in words:
        columns.append((len(text) + 1, len(text) + len(word) + 1))
        text += word + data.draw(BLANKS)
    text += data.draw(st.sampled_from(["", "# a comment", "#"]))
    got = split_line(text, 1)
    assert [w.text for w in got] == words
    assert [(w.column, w.end_column) for w in got] == columns
    assert not any(w.unknown for w in got)


@FULL
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters='"\\$\n')), SAFE_WORD)
def test_haproxy_double_quoted_word_reads_as_its_content(content: str, before: str) -> None:
    text = f'{before} "{content}" # c'
    got = split_line(text, 1)
    assert [w.text for w in got] == [before, content]
    assert (got[1].column, got[1].end_column) == (len(before) + 2, len(before) + len(content) + 4)


@FULL
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="'\n")))
def test_haproxy_single_quoted_word_is_literal(content: str) -> None:
    """Within single quotes nothing is interpreted: backslashes, ``$``, ``#`` and double quotes stay."""
    assert [w.text for w in split_line(f"x '{content}'", 1)] == ["x", content]


def haproxy_escape(word: str) -> str:
    """Write any word so that HAProxy reads it back: a backslash before each character it would interpret.

    Blanks are space, tab, VT and FF (as haproxy -c 2.6 reads them); a CR ends the line, so it is written ``\\r``.
    """
    out = []
    for ch in word:
        if ch in " \t\v\f\"'#\\$":
            out.append("\\" + ch)
        else:
            out.append({"\n": "\\n", "\r": "\\r"}.get(ch, ch))
    return "".join(out)


@FULL
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5))
def test_haproxy_escaped_words_round_trip(words: list[str]) -> None:
    text = " ".join(haproxy_escape(w) for w in words)
    assert [w.text for w in split_line(text, 1)] == words


@FULL
@given(
    st.text(alphabet="ABC_", min_size=1, max_size=8),
    st.sampled_from(['"${{{}}}"', '"${{{}-dflt}}"', '"$' + "{}" + '"']),
)
def test_haproxy_environment_variable_is_unknown(name: str, form: str) -> None:
    word = split_line(f"timeout tunnel {form.format(name)}", 1)[2]
    assert word.unknown
    assert name in word.text


HAPROXY_PIECES = [
    "global", "defaults", "frontend", "backend", "listen", "peers", " ", "\t", "\n", "\n", "\r\n", '"', "'", "\\",
    "#", "$", "${", "}", "{", "timeout", "tunnel", "client", "server", "1h", "30s", "0", "if", "unless", ".if",
    ".elif", ".else", ".endif", "defined(X)", "version_atleast(2.4)", "streq(a,b)", "(", ")", "!", "&&", "||",
    "use_backend", "bind", "mode", "http", "option", "from", "\\x41", "\ufeff", "hard-stop-after", ":80",
]  # fmt: skip
haproxy_text = text_of(HAPROXY_PIECES, max_size=60)


@FULL
@given(haproxy_text)
def test_haproxy_parse_collects_errors_and_never_raises(text: str) -> None:
    config = haproxy_syntax.parse(text, "haproxy.cfg")
    lines = max(text.count("\n") + 1, 1)
    for error in config.errors:
        assert isinstance(error, HaproxySyntaxError)
        assert 1 <= error.line <= lines
    for section in config.sections:
        assert section.kind
        for line in [section.header, *section.lines]:
            assert line.texts() and 1 <= line.line <= lines


@HALF
@given(haproxy_text)
@example("defaults\n    timeout tunnel\u00a0x\n")  # were texts [timeout, tunnel, x], words [timeout, tunnel\xa0x]
@example("defaults\n    timeout tunnel\x0bx\n")
def test_haproxy_words_are_the_texts(text: str) -> None:
    """Line.texts() (read eagerly) and Line.words (read when a finding needs a column) are the same words."""
    for section in haproxy_syntax.parse(text, "haproxy.cfg").sections:
        for line in [section.header, *section.lines]:
            assert [w.text for w in line.words] == line.texts()


def sections_of(config: haproxy_syntax.Config) -> object:
    return (
        [
            (s.kind, s.name, s.parent, [(li.line, li.texts(), li.conditional) for li in s.lines])
            for s in config.sections
        ],
        [(e.message, e.line, e.column) for e in config.errors],
    )


@HALF
@given(haproxy_text, st.lists(st.text(st.characters(exclude_characters="\n"), max_size=6), max_size=20))
@example(".if\n", [])  # the CR must not add a line after the final LF: the open .if is reported at the last line
@example(".if", ["x"])
def test_haproxy_a_cr_ends_the_line(text: str, junk: list[str]) -> None:
    """HAProxy reads a line up to its first CR or LF (haproxy -c 2.6): what follows a CR on a line is never read.

    A CR and junk go at the end of each line of the text: after the final LF there is no line (an empty text
    has none), and writing a CR there would add one, which moves what haproxy reports at the file's last line
    ("non-terminated '.if' block"; tests/test_real_haproxy.py checks that against haproxy -c).
    """
    lines = text.split("\n")
    if not lines[-1]:  # what follows the final LF (or the empty text) is not a line
        lines.pop()
    cut = "\n".join(line + "\r" + (junk[i] if i < len(junk) else "") for i, line in enumerate(lines))
    cut += "\n" if text.endswith("\n") else ""
    assert sections_of(haproxy_syntax.parse(cut, "haproxy.cfg")) == sections_of(
        haproxy_syntax.parse(text, "haproxy.cfg")
    )


CONDITIONS = st.one_of(
    text_of(["(", ")", "!", "&&", "||", "1", "0", " ", '"', "defined(A)", "version_atleast(2.4)", "$A"], max_size=30),
    st.tuples(st.sampled_from(["(", "!", "! ", "1", "version_atleast(1", "(1 && "]), st.integers(1, 6000)).map(
        lambda t: t[0] * t[1]
    ),
)


@FULL
@given(CONDITIONS)
@example("(" * 3000)  # was a RecursionError in evaluate(): "internal error", exit 2
@example("1" * 5000)  # was ValueError: Exceeds the limit (4300 digits) for integer string conversion
@example("version_atleast(" + "1" * 5000 + ")")
def test_haproxy_conditions_never_raise(condition: str) -> None:
    config = haproxy_syntax.parse(f"global\n.if {condition}\n.endif\n", "haproxy.cfg", (2, 6, 0))
    assert all(isinstance(e, HaproxySyntaxError) for e in config.errors)


# -- nginx: the lexer, the parser, fragments --------------------------------------------------------------------------

NGINX_PIECES = [
    "{", "}", ";", " ", "\n", "\n", "\t", "\r\n", '"', "'", "\\", "#", "$", "${", "server", "location", "http",
    "events", "stream", "include", "if", "(", ")", "proxy_pass", "http://a", "proxy_read_timeout", "1h", "listen",
    "80", "map", "upstream", "proxy_set_header", "Upgrade", "$http_upgrade", "\ufeff", "\u00a0", "\u2028",
    "worker_connections",
]  # fmt: skip
LUA_PIECES = ["content_by_lua_block", "set_by_lua_block", "access_by_lua_block", "--", "{", "}", "'", '"']
nginx_text = text_of(NGINX_PIECES, max_size=50)


def crossplane_tokens(text: str) -> object:
    try:
        return list(_lex_file_object(io.StringIO(text)))
    except Exception as exc:  # its Lua extension raises on a bad block; wslint's lexer hands those texts to it
        return ("error", type(exc).__name__, str(exc))


def wslint_tokens(text: str) -> object:
    try:
        return list(lex(text))
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))


@FULL
@given(st.one_of(nginx_text, text_of(NGINX_PIECES + LUA_PIECES), st.text()), st.booleans())
def test_nginx_lexer_is_crossplanes(text: str, newline: bool) -> None:
    """tests/test_nginx_lexer.py compares fixed cases and the corpus; this compares generated text."""
    assume(newline or not text.endswith("\\"))  # the known divergence below
    text = text + "\n" if newline else text
    assert wslint_tokens(text) == crossplane_tokens(text)


@FULL
@given(text_of(NGINX_PIECES, max_size=10))
@example("0")  # lex("0\\") yielded ("0", 1, False); crossplane's lexer yields nothing (fixed)
def test_nginx_lexer_token_before_a_final_backslash(text: str) -> None:
    text += "\\"
    assert wslint_tokens(text) == crossplane_tokens(text)


def walk(directives: list[Directive]) -> list[Directive]:
    out = []
    for d in directives:
        out.append(d)
        out.extend(walk(d.block or []))
    return out


@FULL
@given(st.one_of(nginx_text, text_of(NGINX_PIECES + LUA_PIECES), st.text()))
def test_nginx_parse_raises_only_syntax_errors(text: str) -> None:
    """parse returns directives or raises NginxSyntaxError; root_context and check_directives take what it returns."""
    try:
        directives = parse_nginx_text(text, "nginx.conf")
    except NginxSyntaxError as exc:
        assert exc.line >= 1
        return
    lines = text.count("\n") + 1
    for d in walk(directives):
        assert d.name and 1 <= d.line <= d.term_line <= lines
        assert 1 <= d.column <= d.end_column
        assert len(d.quoted) == len(d.args) or d.name == "if"
    context = root_context(directives)
    assert context in ("main", "http", "stream", "server", "fragment")
    for context in ("main", "http", "stream", "server", "fragment"):
        for directive, message in check_directives(directives, context):
            assert isinstance(directive, Directive)
            assert isinstance(message, str) and message


@HALF
@given(text_of(NGINX_PIECES + LUA_PIECES))
@example("content_by_lua_block x;\n")  # crossplane's LuaBlockParserSyntaxError got through: "internal error"
def test_nginx_parse_lua_blocks_raise_only_syntax_errors(text: str) -> None:
    with contextlib.suppress(NginxSyntaxError):
        parse_nginx_text(text, "nginx.conf")


@dataclass
class Node:
    name: str
    args: list[tuple[str, bool]]  # (text, quoted)
    block: list[Node] | None


NAME = st.builds(
    str.__add__,
    st.sampled_from(string.ascii_lowercase),
    st.text(string.ascii_lowercase + string.digits + "_", max_size=12),
).filter(lambda n: n != "if" and "_by_lua" not in n)
PLAIN_ARG = st.text(string.ascii_letters + string.digits + "_/.:=@%^~*+,-", min_size=1, max_size=10)
QUOTED_ARG = st.text(alphabet=st.characters(codec="utf-8", exclude_characters='"\\\n\r$'), max_size=10)
ARG = st.one_of(PLAIN_ARG.map(lambda a: (a, False)), QUOTED_ARG.map(lambda a: (a, True)))


def nodes(depth: int) -> st.SearchStrategy[list[Node]]:
    block = st.none() if depth == 0 else st.one_of(st.none(), st.deferred(lambda: nodes(depth - 1)))
    return st.lists(st.builds(Node, NAME, st.lists(ARG, max_size=4), block), max_size=4)


def render(tree: list[Node], indent: str = "") -> list[str]:
    lines = []
    for node in tree:
        args = "".join(" " + (f'"{text}"' if quoted else text) for text, quoted in node.args)
        if node.block is None:
            lines.append(f"{indent}{node.name}{args};")
        else:
            lines.append(f"{indent}{node.name}{args} {{")
            lines += render(node.block, indent + "    ")
            lines.append(f"{indent}}}")
    return lines


def shape(directives: list[Directive]) -> list[object]:
    return [
        (d.name, list(zip(d.args, d.quoted, strict=True)), None if d.block is None else shape(d.block))
        for d in directives
    ]


def expected(tree: list[Node]) -> list[object]:
    return [(n.name, n.args, None if n.block is None else expected(n.block)) for n in tree]


@SLOW
@given(nodes(3), st.sampled_from(["\n", "\r\n"]))
def test_nginx_tree_round_trip(tree: list[Node], newline: str) -> None:
    """Directives written out one a line (blocks indented) parse back to the same tree, each on its own line."""
    lines = render(tree)
    text = newline.join(lines) + newline
    directives = parse_nginx_text(text, "f.conf")
    assert shape(directives) == expected(tree)
    assert [d.line for d in walk(directives)] == [i for i, line in enumerate(lines, 1) if line.strip() != "}"]
    for d in walk(directives):
        source = text.split("\n")[d.line - 1]
        assert source[d.column - 1 :].startswith(d.name)
    root_context(directives)


@SLOW
@given(nodes(2))
def test_nginx_fragment_reads_as_it_does_in_its_context(tree: list[Node]) -> None:
    """A snippet linted on its own (an included file) has the directives it has inside the file that includes it."""
    fragment = render(tree)
    alone = parse_nginx_text("\n".join(fragment) + "\n", "snippet.conf")
    embedded = parse_nginx_text(
        "\n".join(["http {", "    server {", "        location /ws/ {", *fragment, "        }", "    }", "}"]) + "\n",
        "nginx.conf",
    )
    inner = embedded[0].block[0].block[0].block  # type: ignore[index]
    assert shape(inner or []) == shape(alone)
    assert [d.line + 3 for d in walk(alone)] == [d.line for d in walk(inner or [])]
    assert root_context(embedded) == "main"


# -- the whole lint, in process --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_lint(path: Path, *args: str) -> Outcome:
    from wslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    was_enabled = gc.isenabled()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--isolated", "--output-format", "json", *args, str(path)])
    finally:
        if was_enabled:
            gc.enable()  # main() switches the collector off for its one short run
    return Outcome(code, out.getvalue(), err.getvalue())


def check_outcome(outcome: Outcome) -> None:
    if currently_in_test_context():
        event(f"exit {outcome.code}")  # hypothesis statistics show how often a run found something
    assert outcome.code in (0, 1), outcome.err
    assert "Traceback" not in outcome.err
    assert "internal error" not in outcome.err
    report = json.loads(outcome.out)
    assert isinstance(report["findings"], list)


@pytest.fixture(scope="module")
def lint_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@SLOW
@given(
    st.one_of(nginx_text, text_of(NGINX_PIECES + LUA_PIECES), st.text(max_size=80), st.binary(max_size=80)),
    st.booleans(),
)
def test_lint_nginx_text_never_crashes(lint_dir: Path, content: str | bytes, forced: bool) -> None:
    path = lint_dir / "nginx.conf"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    check_outcome(run_lint(path, *(["--kind", "nginx"] if forced else [])))


@SLOW
@given(st.one_of(haproxy_text, st.text(max_size=80), st.binary(max_size=80)), st.booleans())
def test_lint_haproxy_text_never_crashes(lint_dir: Path, content: str | bytes, forced: bool) -> None:
    path = lint_dir / "haproxy.cfg"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    check_outcome(run_lint(path, *(["--kind", "haproxy"] if forced else [])))


@SLOWEST
@given(
    st.one_of(st.text(max_size=80), st.binary(max_size=80)), st.sampled_from(["terraform", "cloudformation", "awscli"])
)
def test_lint_aws_text_never_crashes(lint_dir: Path, content: str | bytes, kind: str) -> None:
    path = lint_dir / {"terraform": "main.tf", "cloudformation": "template.yaml", "awscli": "lb.json"}[kind]
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    check_outcome(run_lint(path, "--kind", kind))


# inputs that crashed the lint ("internal error", exit 2) or were misread before 7eae623, and what they give now
FOUND = [
    ("nginx.conf", "http {\n    content_by_lua_block x;\n}\n", "WS001", "LuaBlockParserSyntaxError escaped parse"),
    ("nginx.conf", f"http {{\n    proxy_read_timeout {BIG};\n}}\n", "WS206", "OverflowError in parse_nginx"),
    (
        "nginx.conf",
        f"http {{\n    proxy_read_timeout {HUGE};\n}}\n",
        "WS206",
        "ValueError (4300 digits) in parse_nginx",
    ),
    ("nginx.conf", "http {\n    proxy_read_timeout \u0663;\n}\n", "WS206", "a non-ASCII digit was read as 3"),
    ("haproxy.cfg", f"defaults\n    timeout tunnel {BIG}\n", "WS206", "OverflowError in parse_haproxy"),
    ("haproxy.cfg", f"global\n.if {'(' * 3000}\n.endif\n", None, "RecursionError in haproxy_syntax.evaluate"),
    ("haproxy.cfg", f"global\n.if {HUGE}\n.endif\n", None, "ValueError (4300 digits) in haproxy_syntax._term"),
    ("haproxy.cfg", "defaults\n    timeout tunnel\u00a0x\n", "WS206", "IndexError: texts and words differ"),
    ("main.tf", f'resource "aws_lb" "a" {{\n  idle_timeout = {BIG}\n}}\n', "WS206", "OverflowError in Value.seconds"),
]


@pytest.mark.parametrize(("name", "content", "rule"), [pytest.param(n, c, r, id=why) for n, c, r, why in FOUND])
def test_lint_inputs_the_properties_found(lint_dir: Path, name: str, content: str, rule: str | None) -> None:
    """What the bugs the properties found did to a user ("internal error", exit 2, or a time misread): fixed."""
    path = lint_dir / "found" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    outcome = run_lint(path)
    check_outcome(outcome)
    rules = [f["rule"] for f in json.loads(outcome.out)["findings"]]
    assert rules == ([rule] if rule else []), rules
