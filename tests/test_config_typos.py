"""A mistyped config key is an exit-2 error that names the closest key the table accepts (issue 20, point 9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"


@pytest.mark.parametrize(
    ("name", "toml", "where", "suggested"),
    [
        ("wslint.toml", "pingg-interval = '20s'", "pingg-interval", "ping-interval"),
        ("wslint.toml", "per-file-ignore = {}", "per-file-ignore", "per-file-ignores"),
        ("wslint.toml", "extend-exclud = ['gen']", "extend-exclud", "extend-exclude"),
        ("wslint.toml", "respect-git-ignore = false", "respect-git-ignore", "respect-gitignore"),
        ("pyproject.toml", "[tool.wslint]\nnginx-versoin = '1.24'", "nginx-versoin", "nginx-version"),
        ("wslint.toml", "[[path]]\nname = 'chat'\nhops = ['site.conf']\nrouts = ['site.conf:/ws/']", "routs", "routes"),
        ("wslint.toml", "[kinds]\n'*.conf' = 'ngnix'", "kinds.*.conf", "nginx"),
    ],
)
def test_unknown_key_suggests_the_closest(
    wslint: Callable[..., Run], tmp_path: Path, name: str, toml: str, where: str, suggested: str
) -> None:
    (tmp_path / name).write_text(toml + "\n")
    (tmp_path / "site.conf").write_text(SITE)
    run = wslint("site.conf", cwd=tmp_path)
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert where in run.err and f"did you mean '{suggested}'?" in run.err


def test_no_suggestion_when_nothing_is_close(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "wslint.toml").write_text("zzzz = 1\n")
    (tmp_path / "site.conf").write_text(SITE)
    run = wslint("site.conf", cwd=tmp_path)
    assert run.code == 2 and "zzzz: unknown key" in run.err and "did you mean" not in run.err


def test_one_of_is_said_alike_on_the_command_line_and_in_config(wslint: Callable[..., Run], tmp_path: Path) -> None:
    from wslint.config import one_of
    from wslint.sources import registry

    (tmp_path / "wslint.toml").write_text("[kinds]\n'*.conf' = 'lighttpd'\n")
    run = wslint("--show-settings", cwd=tmp_path)
    assert run.code == 2 and one_of(registry.file_kinds()) in run.err
    assert one_of(("a", "b", "c")) == "Input should be 'a', 'b' or 'c'"
