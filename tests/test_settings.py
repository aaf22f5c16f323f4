"""Settings resolved once: ``settings.resolve`` from plain command-line values and the config file, the keepalive's
typed origin, and pydantic imported only when there is a table to validate."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from wslint.config import ConfigError, Given, KeepaliveOrigin, Settings
from wslint.settings import CommandLine, resolve


def test_the_keepalive_origin_says_which_level_gave_it(tmp_path: Path) -> None:
    (tmp_path / "wslint.toml").write_text('ping-interval = "40s"\n')
    settings, _ = resolve(CommandLine(), cwd=tmp_path, environ={})
    assert settings.keepalive_origin.given is Given.CONFIG_FILE
    assert settings.keepalive.seconds == 40
    settings, _ = resolve(CommandLine(client="socket.io"), cwd=tmp_path, environ={})
    assert settings.keepalive_origin == KeepaliveOrigin(Given.COMMAND_LINE, "--client")
    assert (settings.ping_interval, settings.keepalive.seconds) == (None, 25)  # the command line's replaces the file's
    settings, _ = resolve(CommandLine(isolated=True), cwd=tmp_path, environ={})
    assert settings.keepalive_origin.given is Given.NOWHERE and settings.keepalive.seconds is None


def test_command_line_values_are_checked_as_their_config_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^command line: --nginx-version: invalid nginx version 'x'"):
        resolve(CommandLine(isolated=True, nginx_version="x"), cwd=tmp_path, environ={})
    with pytest.raises(ConfigError, match=r"^command line: --select: unknown rule 'WS9'"):
        resolve(CommandLine(isolated=True, select="WS9"), cwd=tmp_path, environ={})
    settings, _ = resolve(
        CommandLine(isolated=True, haproxy_version="2.8", select="ws2, WS301", fail_on="error"), cwd=tmp_path
    )
    assert (settings.haproxy_version, settings.select, settings.fail_on) == ((2, 8), ["WS2", "WS301"], "error")


def test_the_defaults_need_no_validation() -> None:
    settings, notes = resolve(CommandLine(isolated=True), environ={})
    assert (settings, notes) == (Settings(), [])


@pytest.mark.parametrize(("config", "validated"), [("", False), ("ping-interval = '20s'\n", True)])
def test_pydantic_validates_a_config_table_only(tmp_path: Path, config: str, validated: bool) -> None:
    if config:
        (tmp_path / "wslint.toml").write_text(config)
    code = (
        "import sys\nfrom wslint.settings import CommandLine, resolve\n"
        "resolve(CommandLine(isolated=not sys.argv[1]))\n"
        "print('wslint.config_table' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, config], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == str(validated)


def test_extend_select_in_config_as_a_string_and_on_the_command_line(
    wslint: Callable[..., Run], tmp_path: Path
) -> None:
    # fixed: the config's string was spread into characters ('W', 'S', ...) before the command line's ids were added
    (tmp_path / "wslint.toml").write_text('extend-select = "WS1"\n')
    shown = json.loads(wslint("--show-settings", "--extend-select", "WS3", cwd=tmp_path).out)
    assert shown["extend-select"] == ["WS1", "WS3"]


def test_a_bad_route_on_the_command_line_says_what_is_wrong(wslint: Callable[..., Run], tmp_path: Path) -> None:
    # fixed: the message was the last line of pydantic's error, a link to its documentation
    (tmp_path / "a.conf").write_text("events {}\n")
    run = wslint("path", "a.conf", "--route", "b.conf:/ws/", "--isolated", cwd=tmp_path)
    assert run.code == 2
    assert run.err == (
        "wslint: error: command line: route 'b.conf:/ws/' must be FILE:SELECTOR with FILE one of the path's hops\n"
    )


@pytest.mark.parametrize(("args", "imported"), [(["--isolated"], False), (["--config", "wslint.toml"], True)])
def test_a_lint_imports_pydantic_only_with_a_config_file(tmp_path: Path, args: list[str], imported: bool) -> None:
    (tmp_path / "site.conf").write_text("events {}\nhttp { server { location /ws/ { proxy_pass http://a; } } }\n")
    (tmp_path / "wslint.toml").write_text("ping-interval = '25s'\n")
    code = (
        f"import sys\nfrom wslint.cli import main\nmain([*{args!r}, '--exit-zero', 'site.conf'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', 'asyncio'}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.splitlines()[-1] == str(["pydantic", "pydantic_core"] if imported else [])
