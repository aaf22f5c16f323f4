"""Colour follows the conventions: --color, then FORCE_COLOR, NO_COLOR, TERM=dumb, and whether stdout is a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"
ESC = "\x1b["


def _env(**values: str) -> dict[str, str]:
    """NO_COLOR, FORCE_COLOR and TERM as given, empty (unset) otherwise."""
    return {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm-256color", **values}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.conf").write_text(SITE)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        ((), {}, False),  # a pipe: plain
        ((), {"FORCE_COLOR": "1"}, True),  # forced on a pipe
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),  # force-color.org: FORCE_COLOR is checked last
        ((), {"FORCE_COLOR": "1", "TERM": "dumb"}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),  # the command line beats the environment
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        (("--color", "always"), {"TERM": "dumb"}, True),
    ],
)
def test_color_on_a_pipe(
    wslint: Callable[..., Run], site: Path, args: tuple[str, ...], env: dict[str, str], colored: bool
) -> None:
    run = wslint("site.conf", "--isolated", *args, cwd=site, env=_env(**env))
    assert run.code == 1 and "site.conf:3:5: WS101 [error]" in re.sub(r"\x1b\[[0-9;]*m", "", run.out)
    assert (ESC in run.out) is colored, run.out


def test_a_report_file_is_plain_unless_color_always(wslint: Callable[..., Run], site: Path) -> None:
    wslint("site.conf", "--isolated", "-o", "plain.txt", cwd=site, env=_env(FORCE_COLOR="1"))
    assert ESC not in (site / "plain.txt").read_text()
    wslint("site.conf", "--isolated", "-o", "colored.txt", "--color", "always", cwd=site, env=_env())
    assert ESC in (site / "colored.txt").read_text()


def _on_a_terminal(cwd: Path, env: dict[str, str], *args: str) -> str:
    """wslint's stdout when it is a terminal (a pseudo-terminal)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    full.update(env)
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wslint", "site.conf", "--isolated", *args],
            cwd=cwd,
            env=full,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    assert proc.returncode == 1
    return b"".join(chunks).decode()


@pytest.mark.parametrize(
    ("env", "colored"),
    [({}, True), ({"TERM": "dumb"}, False), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True)],
)
def test_color_on_a_terminal(site: Path, env: dict[str, str], colored: bool) -> None:
    out = _on_a_terminal(site, _env(**env))
    assert "WS101" in out
    assert (ESC in out) is colored, out
