"""wslint against the real HAProxy (`haproxy -c -dr`): times, parse errors, ignored and missing timeouts.

Only configuration checks: nothing listens. The proof tests that run HAProxy come with the proof issue.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]
pytestmark = pytest.mark.timeout(60)


def haproxy_check(binary: str, conf: Path) -> tuple[bool, str]:
    proc = subprocess.run(
        [binary, "-c", "-dr", "-f", str(conf)], capture_output=True, text=True, timeout=30, cwd=conf.parent
    )
    return proc.returncode == 0, proc.stdout + proc.stderr


def config(tunnel: str = "1h", extra_frontend: str = "", defaults: str | None = None) -> str:
    defaults = (
        defaults
        if defaults is not None
        else ("    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n")
    )
    return (
        "global\n    hard-stop-after 30m\n"
        f"defaults\n    mode http\n{defaults}"
        f"frontend fe\n    bind 127.0.0.1:18999\n{extra_frontend}    default_backend ws\n"
        f"backend ws\n    timeout tunnel {tunnel}\n    server s 127.0.0.1:9\n"
    )


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("1h", "ok"), ("3600", "ok"), ("500us", "ok"), ("0", "ok"), ("1h30m", "warning"), ("1m30s", "warning"),
     ("1.5s", "error"), ("10x", "error"), ("5S", "error"), ("25d", "error"), ("2147483648", "error")],
)  # fmt: skip
def test_times_agree_with_haproxy(haproxy_binary: str, lint: Lint, tmp_path: Path, value: str, verdict: str) -> None:
    result = lint({"haproxy.cfg": config(tunnel=value)}, "haproxy.cfg", "--select", "WS206")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert ok is (verdict != "error"), output
    # a warning that quotes the value (haproxy's wording is not asserted: a package update may change it)
    warned = re.search(rf"\[WARNING\].*'{re.escape(value)}'", output)
    assert bool(warned) is (verdict == "warning"), output
    assert [f["line"] for f in result.findings] == ([] if verdict == "ok" else [12])


def test_tunnel_in_a_frontend_is_ignored_by_both(haproxy_binary: str, lint: Lint, tmp_path: Path) -> None:
    text = config(extra_frontend="    timeout tunnel 1h\n").replace("    timeout tunnel 1h\n    server", "    server")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS202")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert ok and "haproxy.cfg:10] : 'timeout tunnel' will be ignored because frontend 'fe'" in output
    (finding,) = result.findings
    assert "the timeout tunnel at line 10 is in a frontend" in str(finding["message"])


@pytest.mark.parametrize(
    "defaults",
    [
        "",
        "    timeout client 30s\n",
        "    timeout connect 5s\n    timeout server 30s\n",
        "    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n",
    ],
    ids=["none", "client-only", "no-client", "all"],
)
def test_missing_timeouts_agree_with_haproxy(haproxy_binary: str, lint: Lint, tmp_path: Path, defaults: str) -> None:
    text = config(defaults=defaults) + "listen l\n    bind 127.0.0.1:18998\n    server s 127.0.0.1:9\n"
    text += "backend empty\n    mode tcp\n"  # no servers: HAProxy does not warn
    text += (
        "backend tcp_tunnel\n    mode tcp\n    timeout connect 5s\n    timeout tunnel 1h\n    server s 127.0.0.1:9\n"
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS204")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert ok, output
    kinds = {"proxy": "listen"}
    warned = {(kinds.get(k, k), n) for k, n in re.findall(r"missing timeouts for (\w+) '([^']*)'", output)}
    ours = {
        (k, n)
        for f in result.findings
        for k, n in re.findall(r"(frontend|backend|listen) '([^']*)'", str(f["message"]))
    }
    assert ours == warned


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ('global\n    log-format "abc\n', 2, "unmatched quote"),
        ("global\n.if 1\n    daemon\n", 3, "non-terminated '.if' block"),
        # a CR ends a line, what follows it is never read, but a last line holding only a CR is a line
        ("global\n.if 1\rjunk\n    daemon\r\n\r", 4, "non-terminated '.if' block"),
        ("defaults x from nope\n    mode http\n", 1, "defaults section 'nope' not found for defaults 'x'"),
    ],
    ids=["quote", "endif", "endif-cr", "from"],
)
def test_parse_errors_agree_with_haproxy(
    haproxy_binary: str, lint: Lint, tmp_path: Path, text: str, line: int, needle: str
) -> None:
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS001")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert not ok
    assert re.search(rf"haproxy\.cfg:{line}\]", output), output
    # haproxy reports a missing final LF first, at the same line as the error of the case: either one is right
    needles = (needle, "no LF at the end") if not text.endswith("\n") else (needle,)
    found = [(f["line"], any(n in str(f["message"]) for n in needles)) for f in result.findings]
    assert found == [(line, True)], result.findings


@pytest.mark.parametrize(
    ("tail", "line"),
    [("", None), ("    server s2 127.0.0.1:10", 14), ("# the end", 14), ("   ", 14), ("\n\t", 15)],
    ids=["final-lf", "directive", "comment", "blanks", "tab-after-empty-line"],
)
def test_missing_final_lf_agrees_with_haproxy(
    haproxy_binary: str, lint: Lint, tmp_path: Path, tail: str, line: int | None
) -> None:
    """HAProxy refuses a file whose last line, whatever it holds, has no LF; a file ending in LF is fine."""
    (tmp_path / "haproxy.cfg").write_text(config() + tail)  # as it is: lint() would dedent a blank last line
    result = lint({}, "haproxy.cfg", "--select", "WS001")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert ok is (line is None), output
    if line is not None:
        assert re.search(rf"haproxy\.cfg:{line}\]", output), output
    assert [f["line"] for f in result.findings] == ([] if line is None else [line])


def test_unquoted_environment_variable_in_a_time_is_a_placeholder(
    haproxy_binary: str, lint: Lint, tmp_path: Path
) -> None:
    """HAProxy reads an unquoted ${TUNNEL} literally and refuses it; envsubst writes it so (issue 18): an unknown
    value, never WS206, with a note saying what HAProxy would do with the file unrendered."""
    text = config(tunnel="${TUNNEL}")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS206")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert not ok and re.search(r"haproxy\.cfg:12\]", output), output
    assert result.findings == []
    assert re.search(r"haproxy\.cfg:12:\d+: timeout tunnel \$\{TUNNEL\}: read as a template placeholder", result.err)
    quoted = lint({"haproxy.cfg": config(tunnel='"${TUNNEL}"')}, "haproxy.cfg", "--select", "WS206,WS202")
    assert quoted.findings == []  # expanded where HAProxy runs: unknown here


def test_a_bad_value_in_an_ignored_timeout_is_still_rejected(haproxy_binary: str, lint: Lint, tmp_path: Path) -> None:
    text = config(extra_frontend="    timeout tunnel 10x\n")
    result = lint({"haproxy.cfg": text}, "haproxy.cfg", "--select", "WS206")
    ok, output = haproxy_check(haproxy_binary, tmp_path / "haproxy.cfg")
    assert not ok and re.search(r"haproxy\.cfg:10\]", output), output
    assert [f["line"] for f in result.findings] == [10]
