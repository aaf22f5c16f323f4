"""Help: `wslint --help` lists the commands, `wslint help [COMMAND]`; each command's help shows its own options."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BAD_NGINX, Run

COMMANDS = ("check", "path", "rules", "rule", "aws", "probe")
FIX_OPTIONS = ("--fix", "--diff", "--fix-includes", "--unsafe-fixes")


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("help",), ("help", "help")])
def test_top_help_lists_every_command_with_one_line(wslint: Callable[..., Run], args: tuple[str, ...]) -> None:
    run = wslint(*args)
    assert run.code == 0 and run.err == ""
    assert run.out.startswith("usage: wslint [COMMAND]")
    listed = dict(re.findall(r"^  ([a-z]+)  +(\S.*)$", run.out, flags=re.M))
    for command in COMMANDS:
        assert listed.get(command), f"{command} is not listed:\n{run.out}"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_shows_its_own_prog(wslint: Callable[..., Run], command: str) -> None:
    direct = wslint(command, "--help")
    assert direct.code == 0
    assert direct.out.startswith(f"usage: wslint {command} "), direct.out
    via_help = wslint("help", command)
    assert (via_help.code, via_help.out) == (0, direct.out)


def test_path_help_offers_no_fix_options(wslint: Callable[..., Run], tmp_path: Path) -> None:
    path_help = wslint("path", "--help").out
    check_help = wslint("check", "--help").out
    for option in FIX_OPTIONS:
        assert option in check_help and option not in path_help
    (tmp_path / "nginx.conf").write_text(BAD_NGINX)
    run = wslint("path", "--isolated", "--fix", "nginx.conf", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("wslint: error: ") and "--fix" in run.err


def test_color_and_kind_have_help_text(wslint: Callable[..., Run]) -> None:
    out = wslint("check", "--help").out
    for option in ("--color", "--kind"):
        entry = re.search(rf"^  {option} \S+ *(.*(?:\n {{10,}}.*)*)", out, flags=re.M)
        assert entry and entry.group(1).strip(), f"{option} has no help text:\n{out}"


def test_help_of_an_unknown_command_is_an_error(wslint: Callable[..., Run]) -> None:
    run = wslint("help", "lint")
    assert run.code == 2 and run.err.startswith("wslint: error: ") and run.out == ""


def test_a_file_named_help_is_still_linted(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "help").write_text(BAD_NGINX)
    for args in (("check", "help"), ("./help",)):
        run = (
            wslint("--isolated", *args, cwd=tmp_path)
            if args[0] != "check"
            else wslint(*args, "--isolated", cwd=tmp_path)
        )
        assert run.code == 1 and "help:5:9: WS101 [error]" in run.out, run.out + run.err
    assert wslint("help", cwd=tmp_path).out.startswith("usage: wslint [COMMAND]")


def test_paths_without_a_command_are_checked(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(BAD_NGINX)
    bare, check = (
        wslint("--isolated", "nginx.conf", cwd=tmp_path),
        wslint("check", "--isolated", "nginx.conf", cwd=tmp_path),
    )
    assert bare.code == check.code == 1 and bare.out == check.out


def test_version_is_answered_everywhere(wslint: Callable[..., Run]) -> None:
    for args in (("--version",), ("check", "--version")):
        run = wslint(*args)
        assert run.code == 0 and re.fullmatch(r"wslint \d+\.\d+\.\d+\S*\n", run.out), run.out
