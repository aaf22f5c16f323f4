"""HAProxy autofix (WS202, WS203, WS205, WS402, WS301) through the real CLI: before/after pairs checked with
`haproxy -c`, idempotence, --diff, line ends, and the fixes wslint declines to make (with their reasons).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from wslint.fix import Context, Options, Unfixable
from wslint.fix.haproxy import haproxy_time, means_seconds, set_idle_timeout
from wslint.fix.text import apply
from wslint.model import Finding, Location
from wslint.sources import registry
from wslint.sources.registry import Target

Wslint = Callable[..., Run]
PAIRS = Path(__file__).resolve().parent / "fixtures" / "fix" / "haproxy"
pytestmark = pytest.mark.timeout(120)

# pair -> (the rules it fixes, extra arguments of the fix)
HAPROXY_PAIRS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ws202": ("WS202", ()),
    "ws202-defaults": ("WS202", ()),
    "ws202-crlf-tabs": ("WS2,WS3,WS4", ("--unsafe-fixes",)),
    "ws203": ("WS203", ("--unsafe-fixes",)),
    "ws205": ("WS205", ()),
    "ws205-frontends": ("WS205", ()),
    "ws301": ("WS202,WS301", ()),
    "ws402": ("WS402", ()),
}


def haproxy_check(binary: str, conf: Path) -> str:
    """`haproxy -c -dr`: "" when HAProxy accepts the file, else its output."""
    proc = subprocess.run(
        [binary, "-c", "-dr", "-f", str(conf)], capture_output=True, text=True, timeout=30, cwd=conf.parent
    )
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


def _warnings(binary: str, conf: Path) -> list[str]:
    proc = subprocess.run(
        [binary, "-c", "-dr", "-f", str(conf)], capture_output=True, text=True, timeout=30, cwd=conf.parent
    )
    lines = (proc.stdout + proc.stderr).splitlines()
    return sorted(re.sub(r"\(\d+\)|\[[^]]*:\d+\]", "", line) for line in lines if "WARNING" in line)


def _args(name: str) -> tuple[str, ...]:
    rules, extra = HAPROXY_PAIRS[name]
    return ("--isolated", "--ping-interval", "25s", "--select", rules, *extra)


def _cli(args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The real CLI, its output as bytes (the text mode of the shared runner would turn CRLF diffs into LF)."""
    return subprocess.run([sys.executable, "-m", "wslint", *args], cwd=cwd, capture_output=True, timeout=120)


def _report(stderr: str) -> list[dict[str, Any]]:
    """The findings of a JSON report written to stderr (after --diff's lines)."""
    return list(json.loads(stderr[stderr.index("{") :])["findings"])


@pytest.mark.parametrize("name", sorted(HAPROXY_PAIRS))
def test_haproxy_pair(wslint: Wslint, tmp_path: Path, name: str, haproxy_binary: str) -> None:
    conf = tmp_path / f"{name}.cfg"
    shutil.copyfile(PAIRS / f"{name}.before.cfg", conf)
    before = conf.read_bytes()
    after = (PAIRS / f"{name}.after.cfg").read_bytes()
    args = _args(name)

    diff = _cli((*args, "--diff", conf.name), tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout.startswith(f"--- {conf.name}\n+++ {conf.name}\n@@ ".encode()), diff.stdout
    assert conf.read_bytes() == before  # --diff writes nothing
    patched = subprocess.run(["patch", "-p0", "--dry-run"], input=diff.stdout, cwd=tmp_path, capture_output=True)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    would = [line.replace("would fix", "fixed") for line in diff.stderr.decode().splitlines() if "would fix" in line]

    run = wslint(*args, "--output-format", "json", "--fix", conf.name, cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert conf.read_bytes() == after, conf.read_text(encoding="utf-8")
    assert [line for line in run.err.splitlines() if line.startswith("wslint: fixed ")] == would
    assert json.loads(run.out)["findings"] == []

    # from the file written: nothing left to fix, nothing left to report
    again = _cli((*args, "--output-format", "json", "--diff", conf.name), tmp_path)
    assert (again.returncode, again.stdout) == (0, b""), again.stderr
    assert b"would fix" not in again.stderr and _report(again.stderr.decode()) == []
    assert conf.read_bytes() == after

    assert haproxy_check(haproxy_binary, conf) == ""
    # and HAProxy has nothing new to say about the lines added (a timeout in a section that ignores it would warn)
    assert _warnings(haproxy_binary, conf) == _warnings(haproxy_binary, PAIRS / f"{name}.before.cfg")


def test_haproxy_pairs_are_valid_before_too(tmp_path: Path, haproxy_binary: str) -> None:
    """The before files are what HAProxy accepts: the fix, not the input, is tested."""
    for name in sorted(HAPROXY_PAIRS):
        assert haproxy_check(haproxy_binary, PAIRS / f"{name}.before.cfg") == "", name


def test_every_fixed_edit_keeps_the_rest_byte_for_byte() -> None:
    """Each after file is its before file with lines inserted and time values replaced: nothing else moves."""
    for name in HAPROXY_PAIRS:
        before = (PAIRS / f"{name}.before.cfg").read_bytes().split(b"\n")
        after = (PAIRS / f"{name}.after.cfg").read_bytes().split(b"\n")
        kept = iter(after)
        for line in before:
            for candidate in kept:
                if candidate == line:
                    break
                if re.match(rb"\s*(timeout \S+|hard-stop-after) ", candidate) and (
                    candidate.split(b"#")[0].split()[:2] == line.split(b"#")[0].split()[:2]
                    and (b"#" in line) == (b"#" in candidate)
                ):
                    break  # the same directive with its value replaced
                assert re.match(rb"\s*(timeout tunnel|timeout client-fin|hard-stop-after) ", candidate), (
                    name,
                    candidate,
                )
            else:
                pytest.fail(f"{name}: {line!r} is missing from the after file")


def test_crlf_pair_keeps_crlf_everywhere() -> None:
    after = (PAIRS / "ws202-crlf-tabs.after.cfg").read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") > 0
    assert b"\ttimeout tunnel 1h\r\n" in after and b"\thard-stop-after 30m\r\n" in after


# -- what is not fixed, and why --------------------------------------------------------------------------------

BASE = """\
global
    hard-stop-after 30m

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout client-fin 30s

frontend fe_main
    bind 127.0.0.1:18080
    default_backend be_ws

backend be_ws
    timeout tunnel 1h
    server ws1 127.0.0.1:3000 check
"""


def test_ambiguous_unitless_times_are_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = BASE.replace("timeout tunnel 1h", "timeout tunnel 5000")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS203", "--unsafe-fixes", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 1
    assert "not fixed haproxy.cfg:16:5: WS203 add a unit to `timeout tunnel 5000`: 5000 may mean 5000 ms" in run.err
    assert (tmp_path / "haproxy.cfg").read_text(encoding="utf-8") == text


def test_unitless_times_need_unsafe_fixes(wslint: Wslint, tmp_path: Path) -> None:
    text = BASE.replace("timeout tunnel 1h", "timeout tunnel 3600")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS203", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 1
    assert "not fixed haproxy.cfg:16:5: WS203 write `timeout tunnel 3600s`" in run.err and "--unsafe-fixes" in run.err
    assert (tmp_path / "haproxy.cfg").read_text(encoding="utf-8") == text
    run = wslint("--isolated", "--select", "WS203", "--unsafe-fixes", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 0, run.err
    assert (tmp_path / "haproxy.cfg").read_text(encoding="utf-8") == text.replace("3600", "3600s")


@pytest.mark.parametrize(
    ("number", "seconds"),
    [
        *[(n, True) for n in (1, 30, 99, 120, 600, 1800, 3600, 7200)],
        *[(n, False) for n in (100, 500, 1500, 3000, 4500, 5000, 9999)],
    ],
)
def test_which_unitless_times_mean_seconds(number: int, seconds: bool) -> None:
    assert means_seconds(number) is seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(3600, "1h"), (5400, "90m"), (3601, "3601s"), (86400, "1d"), (50, "50s"), (0.5, "500ms"), (120, "2m")],
)
def test_times_are_written_with_one_unit(seconds: float, text: str) -> None:
    assert haproxy_time(seconds) == text


def test_a_time_beyond_haproxys_range_is_not_written() -> None:
    with pytest.raises(Unfixable, match="outside HAProxy's range"):
        haproxy_time(30 * 86400)


def test_a_backend_inside_a_conditional_block_is_not_edited(wslint: Wslint, tmp_path: Path) -> None:
    text = BASE.replace("backend be_ws\n    timeout tunnel 1h\n", ".if defined(WS)\nbackend be_ws\n") + ".endif\n"
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS202", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert run.out == "" and "not fixed haproxy.cfg:16:1: WS202" in run.err and "inside a .if block" in run.err, run.err


def test_a_global_section_inside_a_conditional_block_is_not_edited(wslint: Wslint, tmp_path: Path) -> None:
    text = ".if defined(PROD)\n" + BASE.replace("    hard-stop-after 30m\n", "    maxconn 100\n.endif\n")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS402", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert run.out == "" and "not fixed haproxy.cfg:2:1: WS402" in run.err and "inside a .if block" in run.err, run.err


def test_no_global_section_no_fix(wslint: Wslint, tmp_path: Path) -> None:
    """WS402 needs a global section to fire; without one nothing is invented."""
    text = BASE.replace("global\n    hard-stop-after 30m\n\n", "")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS402", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert (run.code, run.out) == (0, ""), run.err


def test_a_defaults_shared_with_a_tcp_listen_is_left_alone(wslint: Wslint, tmp_path: Path) -> None:
    """A timeout tunnel in a defaults also bounds every tcp-mode proxy's whole connection: never put it there."""
    text = """\
global
    hard-stop-after 30m

defaults
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout client-fin 30s

listen ws_one
    mode http
    bind 127.0.0.1:18080
    server ws1 127.0.0.1:3000

listen ws_two
    mode http
    bind 127.0.0.1:18081
    server ws2 127.0.0.1:3001

listen postgres
    mode tcp
    bind 127.0.0.1:15432
    server db1 127.0.0.1:5432
"""
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS202", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 0, run.err
    fixed = (tmp_path / "haproxy.cfg").read_text(encoding="utf-8")
    assert fixed.count("timeout tunnel 1h") == 2
    assert "server ws1 127.0.0.1:3000\n    timeout tunnel 1h\n" in fixed
    assert "server ws2 127.0.0.1:3001\n    timeout tunnel 1h\n" in fixed
    assert "timeout client-fin 30s\n\nlisten ws_one" in fixed


def test_fix_idle_timeout_and_ping_set_the_tunnel(wslint: Wslint, tmp_path: Path) -> None:
    text = BASE.replace("    timeout tunnel 1h\n", "")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    (tmp_path / "wslint.toml").write_text('fix-idle-timeout = "90m"\n', encoding="utf-8")
    run = wslint("--select", "WS202", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert "+    timeout tunnel 90m\n" in run.out, run.out + run.err
    run = wslint("--select", "WS202", "--ping-interval", "50m", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert "+    timeout tunnel 100m\n" in run.out, run.out + run.err  # never below twice the ping


def test_timeout_server_is_raised_when_no_tunnel_is_wanted(wslint: Wslint, tmp_path: Path) -> None:
    """With WS202 ignored, WS301's fix raises the HTTP timeout the tunnel lives on (only what is written changes)."""
    text = BASE.replace("    timeout tunnel 1h\n", "").replace("timeout client 30s", "timeout client 5m")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--ping-interval", "25s", "--ignore", "WS202", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 0, run.err
    assert (tmp_path / "haproxy.cfg").read_text(encoding="utf-8") == text.replace("server 30s", "server 1h")


def test_a_section_wslint_does_not_know_ends_the_one_before(wslint: Wslint, tmp_path: Path) -> None:
    """An unindented unknown section keyword after an indented body is a section for the source: not a line of it."""
    text = BASE.replace("    timeout tunnel 1h\n", "") + "\nfuturesection x\n  something 1\n"
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS202", "--fix", "haproxy.cfg", cwd=tmp_path)
    assert run.code == 0, run.err
    fixed = (tmp_path / "haproxy.cfg").read_text(encoding="utf-8")
    assert "server ws1 127.0.0.1:3000 check\n    timeout tunnel 1h\n\nfuturesection x\n" in fixed


# -- set_idle_timeout on a default (no timeout written at all) ----------------------------------------------------

NO_TIMEOUTS = """\
defaults
    mode http
    timeout connect 5s

frontend fe_main
    bind 127.0.0.1:18080
    default_backend be_ws

backend be_ws
    server ws1 127.0.0.1:3000 check
"""


def _context(tmp_path: Path, findings: list[Finding]) -> tuple[Context, Any]:
    from wslint.checks import Model
    from wslint.config import Settings
    from wslint.sources import haproxy

    conf = tmp_path / "haproxy.cfg"
    conf.write_text(NO_TIMEOUTS, encoding="utf-8")
    settings = Settings()
    documents, errors = haproxy.load([Target(str(conf), "haproxy.cfg", "haproxy", True)], registry.Context(settings))
    assert not errors
    context = Context(
        Model(documents, settings), findings, Options(allowed=(str(tmp_path),)), {"haproxy.cfg": str(conf)}, {}
    )
    route = documents[0].hops[0].routes[0]
    assert route.idle_timeout is not None and route.idle_timeout.default
    return context, route


def test_a_default_idle_timeout_becomes_a_tunnel_timeout_in_the_backend(tmp_path: Path) -> None:
    context, route = _context(tmp_path, [])
    edits = set_idle_timeout(context, route.idle_timeout, 7200)
    text = context.text("haproxy.cfg")
    assert apply(text, edits) == NO_TIMEOUTS + "    timeout tunnel 2h\n"


def test_a_default_idle_timeout_is_left_to_ws202s_fix(tmp_path: Path) -> None:
    where = Location(file="haproxy.cfg", line=9, column=1, end_line=9, end_column=14)
    context, route = _context(tmp_path, [Finding(rule="WS202", location=where, message="")])
    assert route.location == where
    with pytest.raises(Unfixable, match="WS202"):
        set_idle_timeout(context, route.idle_timeout, 3600)
