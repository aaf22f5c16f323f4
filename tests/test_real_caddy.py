"""Proof on the real Caddy (Debian's /usr/bin/caddy, 2.6.2): wslint's Caddy claims against what Caddy does.

Caddy runs on 127.0.0.1 with a Caddyfile of the test's own (``caddy run --config F --adapter caddyfile``; its admin
endpoint on a free 127.0.0.1 port, HOME and XDG directories in tmp_path, automatic HTTPS off), in front of
tests/ws_backend.py, and a websockets client measures:

1. WS210: with server ``timeouts { idle 1s read_body 1s write 1s read_header 1s }`` an idle WebSocket through Caddy
   is still open after 4 s: the server timeouts never close an established WebSocket (and wslint predicts no idle
   timeout: no WS201/WS301, WS210 on each timeout);
2. WS405: ``caddy reload`` with a changed config closes an open idle WebSocket at once (close code 1001, or an
   abnormal close), as wslint's WS405 says;
3. ``transport http { read_timeout 2s }``: the one Caddy setting that does close an idle WebSocket (after 2 s,
   with no close frame), which wslint reads as the route's idle timeout (WS303 without a ping interval);
4. ``stream_close_delay`` in a Caddyfile: what ``caddy adapt`` of the installed Caddy does (only its exit code is
   recorded: 2.6.2 predates the subdirective, which arrived in Caddy 2.7).

The table of predicted vs observed is printed at the end of the module. The proof stays in this module rather than in
tests/test_proof.py: that table is a fixture of its own module, built around nginx, HAProxy and Apache scenarios,
and a Caddy row there would make the Caddy proof run only with the whole nginx proof suite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import Linted, _missing
from tests.realproxy import _running, backend, free_port, print_table

Lint = Callable[..., Linted]
pytestmark = [pytest.mark.proxies, pytest.mark.timeout(60)]
IDLE = 4.0  # seconds an idle WebSocket is kept waiting, past every 1 s server timeout
RELOAD_WINDOW = 2.0  # seconds after `caddy reload` returns within which the WebSocket must be closed


@pytest.fixture(scope="module")
def caddy_binary() -> str:
    path = shutil.which("caddy") or ("/usr/bin/caddy" if os.path.exists("/usr/bin/caddy") else None)
    if path is None:
        _missing("the caddy binary (apt-get install caddy)", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def table(request: pytest.FixtureRequest) -> Iterator[list[list[str]]]:
    rows: list[list[str]] = []
    yield rows
    if rows:
        print_table(request, "Caddy: predicted vs observed", [["scenario", "predicted", "observed", "verdict"], *rows])


def caddy_env(tmp: Path) -> dict[str, str]:
    """Caddy's HOME and data/config directories in tmp (it writes autosave.json and storage there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "CADDY"))}
    env.update(HOME=str(tmp), XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def caddyfile(admin: int, port: int, upstream: int, options: str = "", proxy: str = "", extra: str = "") -> str:
    return (
        "{\n"
        f"\tadmin 127.0.0.1:{admin}\n"
        "\tauto_https off\n"
        f"{options}"
        "}\n\n"
        f"http://127.0.0.1:{port} {{\n"
        f"\treverse_proxy /ws/* 127.0.0.1:{upstream}{proxy}\n"
        f"{extra}"
        "}\n"
    )


@contextmanager
def run_caddy(binary: str, tmp: Path, conf: Path, port: int) -> Iterator[int]:
    """caddy run with the test's own Caddyfile; stopped by pid when the context exits."""
    with (
        tempfile.TemporaryFile() as log,
        _running([binary, "run", "--config", str(conf), "--adapter", "caddyfile"], [port], "caddy", log, cwd=tmp),
    ):
        yield port


def _patch_env(tmp: Path) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(caddy_env(tmp))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def idle_then_echo(port: int, idle: float) -> tuple[bool, float]:
    """Connect, stay idle, then send: (whether the echo came back, seconds connected)."""
    started = time.monotonic()
    async with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=5, ping_interval=None, close_timeout=1) as ws:
        await asyncio.sleep(idle)
        try:
            await ws.send("still there?")
            echo = await asyncio.wait_for(ws.recv(), timeout=2)
        except (ConnectionClosed, TimeoutError):
            return False, time.monotonic() - started
        return echo == "still there?", time.monotonic() - started


async def closed_by_reload(port: int, reload: Callable[[], int]) -> tuple[int | None, float, int]:
    """Connect, reload Caddy 1 s later: (the close code seen, None if still open; seconds from reload; reload exit)."""
    async with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=5, ping_interval=None, close_timeout=1) as ws:
        await asyncio.sleep(1.0)
        loop = asyncio.get_running_loop()
        code = await loop.run_in_executor(None, reload)
        reloaded = time.monotonic()
        try:
            await asyncio.wait_for(ws.recv(), timeout=RELOAD_WINDOW)
        except ConnectionClosed:
            return ws.close_code if ws.close_code is not None else 1006, time.monotonic() - reloaded, code
        except TimeoutError:
            return None, time.monotonic() - reloaded, code
        return None, time.monotonic() - reloaded, code


def test_server_timeouts_leave_an_idle_websocket_open(
    caddy_binary: str, lint: Lint, tmp_path: Path, table: list[list[str]]
) -> None:
    """WS210: Caddy's server timeouts (1 s each) never close an established WebSocket."""
    timeouts = "".join(f"\t\t\t{name} 1s\n" for name in ("idle", "read_body", "read_header", "write"))
    timeouts = f"\tservers {{\n\t\ttimeouts {{\n{timeouts}\t\t}}\n\t}}\n"
    with backend("echo") as upstream:
        admin, port = free_port(), free_port()
        text = caddyfile(admin, port, upstream, options=timeouts)
        conf = tmp_path / "Caddyfile"
        conf.write_text(text, encoding="utf-8")
        result = lint({"Caddyfile": text}, "Caddyfile")
        predicted = sorted(f["rule"] for f in result.findings)
        assert predicted == ["WS210", "WS210", "WS210", "WS210", "WS405"], result.findings
        with _env(tmp_path), run_caddy(caddy_binary, tmp_path, conf, port):
            alive, after = asyncio.run(idle_then_echo(port, IDLE))
    observed = f"{'alive' if alive else 'closed'} after {after:.1f} s idle"
    table.append(
        ["timeouts 1s, idle WebSocket", "no idle timeout (WS210 x4)", observed, "agree" if alive else "DISAGREE"]
    )
    assert alive, observed


def test_reload_closes_an_idle_websocket(caddy_binary: str, lint: Lint, tmp_path: Path, table: list[list[str]]) -> None:
    """WS405: a config reload closes every open WebSocket (Caddy 2.6.2 has no stream_close_delay)."""
    with backend("echo") as upstream:
        admin, port = free_port(), free_port()
        text = caddyfile(admin, port, upstream)
        conf = tmp_path / "Caddyfile"
        conf.write_text(text, encoding="utf-8")
        result = lint({"Caddyfile": text}, "Caddyfile")
        line = next(n for n, row in enumerate(text.splitlines(), 1) if "reverse_proxy" in row)
        assert [(f["rule"], f["line"]) for f in result.findings] == [("WS405", line)], result.findings
        changed = tmp_path / "Caddyfile.changed"
        changed.write_text(caddyfile(admin, port, upstream, extra='\trespond /other "other" 200\n'), encoding="utf-8")

        def reload() -> int:
            argv = [caddy_binary, "reload", "--config", str(changed), "--adapter", "caddyfile",
                    "--address", f"127.0.0.1:{admin}"]  # fmt: skip
            return subprocess.run(
                argv, capture_output=True, timeout=15, cwd=tmp_path, env=caddy_env(tmp_path)
            ).returncode

        with _env(tmp_path), run_caddy(caddy_binary, tmp_path, conf, port):
            code, after, reloaded = asyncio.run(closed_by_reload(port, reload))
    assert reloaded == 0, "caddy reload failed"
    observed = "still open" if code is None else f"closed {after:.2f} s after the reload, code {code}"
    closed = code in (1001, 1006)
    table.append(
        ["caddy reload, idle WebSocket", "closed by the reload (WS405)", observed, "agree" if closed else "DISAGREE"]
    )
    assert closed, observed


async def idle_until_closed(port: int, limit: float) -> tuple[int | None, float]:
    """Connect and stay idle until the connection closes (its close code) or limit seconds pass (None)."""
    started = time.monotonic()
    async with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=5, ping_interval=None, close_timeout=1) as ws:
        try:
            await asyncio.wait_for(ws.recv(), timeout=limit)
        except ConnectionClosed:
            return (ws.close_code if ws.close_code is not None else 1006), time.monotonic() - started
        except TimeoutError:
            return None, time.monotonic() - started
        return None, time.monotonic() - started


def test_transport_read_timeout_closes_an_idle_websocket(
    caddy_binary: str, lint: Lint, tmp_path: Path, table: list[list[str]]
) -> None:
    """transport http read_timeout is a deadline on each read from the backend: it ends an idle WebSocket."""
    read_timeout = 2.0
    proxy = " {\n\t\tstream_close_delay 5m\n\t\ttransport http {\n\t\t\tread_timeout 2s\n\t\t}\n\t}"
    with backend("echo") as upstream:
        admin, port = free_port(), free_port()
        text = caddyfile(admin, port, upstream, proxy=proxy)
        result = lint({"Caddyfile": text}, "Caddyfile")
        line = next(n for n, row in enumerate(text.splitlines(), 1) if "read_timeout" in row)
        assert result.rules_at() == {("WS303", line)}, result.findings
        assert "the largest safe ping interval is 1s" in str(result.findings[0]["message"])
        # 2.6.2 refuses stream_close_delay: run it with the same proxy block without that line
        runnable = text.replace("\t\tstream_close_delay 5m\n", "")
        conf = tmp_path / "Caddyfile"
        conf.write_text(runnable, encoding="utf-8")
        with _env(tmp_path), run_caddy(caddy_binary, tmp_path, conf, port):
            code, after = asyncio.run(idle_until_closed(port, 3 * read_timeout))
    observed = "still open" if code is None else f"closed after {after:.2f} s, code {code}"
    agree = code == 1006 and read_timeout - 0.1 <= after <= read_timeout + 0.6
    table.append(["transport read_timeout 2s, idle", "idle timeout 2s (WS303: ping within 1s)", observed,
                  "agree" if agree else "DISAGREE"])  # fmt: skip
    assert agree, observed


def test_stream_close_delay_needs_caddy_2_7(
    caddy_binary: str, lint: Lint, tmp_path: Path, table: list[list[str]]
) -> None:
    """stream_close_delay set: WS405 does not fire; the installed Caddy 2.6.2 refuses the subdirective."""
    text = caddyfile(free_port(), free_port(), 9, proxy=" {\n\t\tstream_close_delay 5m\n\t}")
    conf = tmp_path / "Caddyfile"
    conf.write_text(text, encoding="utf-8")
    assert lint({"Caddyfile": text}, "Caddyfile").findings == []
    version = subprocess.run([caddy_binary, "version"], capture_output=True, text=True, timeout=15).stdout.split()
    proc = subprocess.run(
        [caddy_binary, "adapt", "--config", str(conf), "--adapter", "caddyfile"],
        capture_output=True, timeout=15, cwd=tmp_path, env=caddy_env(tmp_path),
    )  # fmt: skip
    release = version[0] if version else "?"
    before_2_7 = release.lstrip("v").startswith(("2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"))
    verdict = "agree" if (proc.returncode != 0) == before_2_7 else "DISAGREE"
    scenario = f"stream_close_delay 5m, caddy adapt ({release})"
    table.append([scenario, "no WS405; needs Caddy 2.7", f"exit code {proc.returncode}", verdict])
    assert (proc.returncode != 0) == before_2_7


@contextmanager
def _env(tmp: Path) -> Iterator[None]:
    """The caddy process inherits HOME and XDG directories in tmp (it writes its data there, never in ~)."""
    yield from _patch_env(tmp)
