"""Output never fails on the stream's encoding (a cp1252 or ASCII stdout): what it lacks is written ``\\uNNNN``,
the path is drawn with ASCII symbols, and the formats that are UTF-8 by specification (JSON, SARIF) stay UTF-8.

Each test runs wslint in a real process with PYTHONIOENCODING set, as Windows gives a piped stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BAD_NGINX

ROOT = Path(__file__).resolve().parent.parent
THREE_HOP = ROOT / "examples" / "three-hop"
# a location in Cyrillic, and an idle timeout short enough for a WS301 on `wslint path --ping-interval 25s`
CYRILLIC_NGINX = BAD_NGINX.replace("/ws/", "/чат/ws/").replace("3600s", "30s")
GLYPHS = "█◀∞┆×≤✓✗"


def _run(args: list[str], cwd: Path, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env.update(PYTHONIOENCODING=encoding, NO_COLOR="1")
    env.pop("PYTHONUTF8", None)
    return subprocess.run(
        [sys.executable, "-m", "wslint", *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_three_hop_path_is_drawn_in_ascii_on_a_narrow_stdout(encoding: str) -> None:
    proc = _run(["path"], THREE_HOP, encoding)
    assert proc.returncode == 1, proc.stderr  # the WS301 finding, not an internal error (2)
    out = proc.stdout.decode(encoding)
    assert proc.stdout.decode("ascii")  # every glyph drawn with ASCII
    assert "haproxy.cfg:20:5   <- bottleneck" in out, out
    assert "| 2 x ping = 50s" in out, out
    assert "! the ping interval 25s is more than half the bottleneck 30s" in out, out
    assert not set(GLYPHS) & set(out)
    assert b"internal error" not in proc.stderr


def test_a_utf8_stdout_keeps_the_drawing() -> None:
    proc = _run(["path"], THREE_HOP, "utf-8")
    assert proc.returncode == 1, proc.stderr
    assert "haproxy.cfg:20:5   ◀ bottleneck" in proc.stdout.decode("utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--output-format", "text"], "nginx.conf:5:9: WS101 [error] location /\\u0447\\u0430\\u0442/ws/ proxies"),
        (["--output-format", "github"], "::error title=wslint (WS101),file=nginx.conf,line=5,col=9"),
        (
            ["path", "--ping-interval", "25s"],
            "nginx.conf: location /\\u0447\\u0430\\u0442/ws/  30s           proxy_read_timeout 30s",
        ),
    ],
    ids=["text", "github", "path"],
)
def test_a_non_latin_location_is_written_escaped(tmp_path: Path, encoding: str, args: list[str], line: str) -> None:
    (tmp_path / "nginx.conf").write_text(CYRILLIC_NGINX, encoding="utf-8")
    command = [args[0], "--isolated", *args[1:], "nginx.conf"] if args[0] == "path" else ["--isolated", *args, "."]
    proc = _run(command, tmp_path, encoding)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("ascii")
    assert line in out, out
    assert "location /\\u0447\\u0430\\u0442/ws/" in out, out
    assert b"internal error" not in proc.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_on_stdout_stay_utf8(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "nginx.conf").write_text(CYRILLIC_NGINX, encoding="utf-8")
    proc = _run(["--isolated", "--output-format", fmt, "nginx.conf"], tmp_path, "cp1252")
    assert proc.returncode == 1, proc.stderr
    assert "/чат/ws/" in json.dumps(json.loads(proc.stdout.decode("utf-8")), ensure_ascii=False)


def test_reports_written_to_files_stay_utf8(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(CYRILLIC_NGINX, encoding="utf-8")
    proc = _run(
        ["path", "--isolated", "--ping-interval", "25s", "-o", "out.txt", "--sarif-file", "out.sarif", "nginx.conf"],
        tmp_path,
        "ascii",
    )
    assert proc.returncode == 1, proc.stderr
    drawing = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert "nginx.conf: location /чат/ws/" in drawing and "◀ bottleneck" in drawing
    assert "/чат/ws/" in (tmp_path / "out.sarif").read_text(encoding="utf-8")


def test_stderr_notes_never_fail(tmp_path: Path) -> None:
    (tmp_path / "чат.conf").write_text("not a config\n", encoding="utf-8")
    proc = _run(["--isolated", "-v", "чат.conf"], tmp_path, "ascii")
    assert proc.returncode == 0, proc.stderr
    assert "\\u0447\\u0430\\u0442.conf" in proc.stderr.decode("ascii")
