"""Each linted file is judged under its nearest config, as ruff does (issue 20, point 3).

The config a directory's files use is the closest ``.wslint.toml``, ``wslint.toml`` or ``pyproject.toml`` with
``[tool.wslint]`` in it or above it; ``--config`` wins for every file, ``--isolated`` ignores them all, the
command line beats each. Declared paths come from the config that declares them, hops relative to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

ROOT = Path(__file__).resolve().parent.parent
# WS101, WS102, WS103 (errors), WS201 (warning), WS303 (info) at 3:5
SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"


def findings(run: Run) -> list[tuple[str, str, int, str]]:
    return [(f["file"], f["rule"], f["line"], f["severity"]) for f in json.loads(run.out)["findings"]]


@pytest.mark.parametrize("command", [["path"], []], ids=["path", "check"])
def test_a_directory_is_linted_under_its_own_config(wslint: Callable[..., Run], command: list[str]) -> None:
    """The issue's case: from the repository's root, examples/three-hop's wslint.toml declares the path and its
    client (socket.io, 25 s pings): the HAProxy hop's 30 s tunnel timeout is the WS301 bottleneck."""
    run = wslint(*command, "--output-format", "json", "examples/three-hop", cwd=ROOT)
    assert run.code == 1, run.err
    assert ("examples/three-hop/haproxy.cfg", "WS301", 20, "error") in findings(run)
    if command:
        report = json.loads(run.out)
        assert [p["name"] for p in report["paths"]] == ["chat"]
        assert [h["kind"] for h in report["paths"][0]["hops"]] == ["alb", "nginx", "haproxy"]  # declared order
    text = wslint(*command, "examples/three-hop", cwd=ROOT)
    assert text.code == 1 and "WS301 [error]" in text.out


def test_path_of_a_directory_without_declared_paths_takes_it_as_one_hop(wslint: Callable[..., Run]) -> None:
    """--isolated: no config declares paths; the directory is one hop of a command-line path (as before)."""
    run = wslint("path", "--isolated", "--output-format", "json", "examples/three-hop", cwd=ROOT)
    assert run.code == 0
    (path,) = json.loads(run.out)["paths"]
    assert path["name"] == "examples/three-hop"
    assert [h["kind"] for h in path["hops"]] == ["alb", "haproxy", "nginx"]  # its files in file-name order


@pytest.fixture
def siblings(tmp_path: Path) -> Path:
    """a/ under a config that makes WS1 info and fails only on errors; b/ under none."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "site.conf").write_text(SITE)
    (tmp_path / "a" / "wslint.toml").write_text(
        'fail-on = "error"\n[severity]\nWS101 = "info"\nWS102 = "info"\nWS103 = "info"\n'
    )
    return tmp_path


def test_sibling_folders_with_different_configs_in_one_run(wslint: Callable[..., Run], siblings: Path) -> None:
    run = wslint("--output-format", "json", "b", "a", cwd=siblings)
    assert run.code == 1  # b's errors fail under its (default) fail-on
    assert findings(run) == [
        ("a/site.conf", "WS101", 3, "info"),
        ("a/site.conf", "WS102", 3, "info"),
        ("a/site.conf", "WS103", 3, "info"),
        ("a/site.conf", "WS201", 3, "warning"),
        ("a/site.conf", "WS303", 3, "info"),
        ("b/site.conf", "WS101", 3, "error"),
        ("b/site.conf", "WS102", 3, "error"),
        ("b/site.conf", "WS103", 3, "error"),
        ("b/site.conf", "WS201", 3, "warning"),
        ("b/site.conf", "WS303", 3, "info"),
    ]
    assert json.loads(run.out)["summary"]["files"] == 2
    assert wslint("--output-format", "json", ".", cwd=siblings).out == run.out  # a walk: the same, same bytes
    alone = wslint("a", cwd=siblings)
    assert alone.code == 0, alone.out  # a's own fail-on: its warning does not fail
    assert json.loads(wslint("--show-settings", "a/site.conf", cwd=siblings).out)["fail-on"] == "error"


def test_config_option_wins_for_every_file(wslint: Callable[..., Run], siblings: Path) -> None:
    (siblings / "all.toml").write_text('ignore = ["WS1", "WS3"]\n')
    run = wslint("--config", "all.toml", "--output-format", "json", "a", "b", cwd=siblings)
    assert run.code == 1
    assert findings(run) == [("a/site.conf", "WS201", 3, "warning"), ("b/site.conf", "WS201", 3, "warning")]


def test_isolated_ignores_every_config(wslint: Callable[..., Run], siblings: Path) -> None:
    run = wslint("--isolated", "--output-format", "json", "a", "b", cwd=siblings)
    assert run.code == 1
    assert {severity for file, rule, _, severity in findings(run) if rule == "WS101"} == {"error"}


def test_command_line_beats_each_config(wslint: Callable[..., Run], siblings: Path) -> None:
    run = wslint("--fail-on", "warning", "--select", "WS2", "--output-format", "json", "a", cwd=siblings)
    assert run.code == 1 and findings(run) == [("a/site.conf", "WS201", 3, "warning")]


def test_config_in_the_working_directory_still_applies_above_nested_ones(
    wslint: Callable[..., Run], siblings: Path
) -> None:
    """A file with no config of its own in its tree: the run's (found from the working directory), as ruff falls
    back; a nested config replaces it for its files (no merging, as ruff without `extend`)."""
    (siblings / "pyproject.toml").write_text('[tool.wslint]\nignore = ["WS3"]\n')
    run = wslint("--output-format", "json", ".", cwd=siblings)
    rules = {(file, rule) for file, rule, _, _ in findings(run)}
    assert ("b/site.conf", "WS303") not in rules and ("a/site.conf", "WS303") in rules


def test_bad_nested_config_is_one_error_and_the_rest_is_linted(wslint: Callable[..., Run], siblings: Path) -> None:
    (siblings / "a" / "wslint.toml").write_text("pingg-interval = '20s'\n")
    run = wslint("--output-format", "json", "a", "b", cwd=siblings)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "a/wslint.toml: pingg-interval: unknown key" in run.err
    assert {file for file, *_ in findings(run)} == {"b/site.conf"}


def test_path_draws_each_directorys_declared_paths(wslint: Callable[..., Run], siblings: Path) -> None:
    (siblings / "b" / "wslint.toml").write_text(
        "[[path]]\nname = 'b-edge'\nhops = ['site.conf']\nping-interval = '50s'\n"
    )
    (siblings / "a" / "wslint.toml").write_text(
        "[[path]]\nname = 'a-edge'\nhops = ['site.conf']\nping-interval = '5s'\n"
    )
    run = wslint("path", "--output-format", "json", "b", "a", cwd=siblings)
    report = json.loads(run.out)
    assert [p["name"] for p in report["paths"]] == ["b-edge", "a-edge"]
    assert ("b/site.conf", "WS301", 3, "error") in findings(run)  # 50 s pings over nginx's 1m default
    assert ("a/site.conf", "WS301", 3, "error") not in findings(run)
    picked = wslint("path", "--name", "a-edge", "--output-format", "json", "a", "b", cwd=siblings)
    assert [p["name"] for p in json.loads(picked.out)["paths"]] == ["a-edge"]
    (siblings / "c").mkdir()
    mixed = wslint("path", "a", "c", cwd=siblings)
    assert mixed.code == 2 and mixed.err.startswith("wslint: error: c: ") and mixed.err.count("\n") == 1


def test_hops_named_on_the_command_line_use_their_directorys_config(wslint: Callable[..., Run], tmp_path: Path) -> None:
    """The hops' nearest config gives the keepalive (its top-level client), the command line the hops' order."""
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    for name in ("alb.tf", "nginx.conf", "haproxy.cfg"):
        (deploy / name).write_text((ROOT / "examples" / "three-hop" / name).read_text())
    (deploy / "wslint.toml").write_text('client = "socket.io"\n')
    hops = [f"deploy/{name}" for name in ("alb.tf", "nginx.conf", "haproxy.cfg")]
    run = wslint("path", "--output-format", "json", *hops, cwd=tmp_path)
    assert run.code == 1 and ("deploy/haproxy.cfg", "WS301", 20, "error") in findings(run)
    assert wslint("path", "--isolated", *hops, cwd=tmp_path).code == 0  # no keepalive known: WS303 only


def test_fix_writes_each_file_under_its_own_config(wslint: Callable[..., Run], siblings: Path) -> None:
    (siblings / "a" / "wslint.toml").write_text('fix-idle-timeout = "2h"\n')
    run = wslint("--fix", "--output-format", "json", "a", "b", cwd=siblings)
    assert run.code == 0, run.err
    assert "proxy_read_timeout 2h;" in (siblings / "a" / "site.conf").read_text()
    assert "proxy_read_timeout 1h;" in (siblings / "b" / "site.conf").read_text()
    assert {rule for _, rule, _, _ in findings(run)} == {"WS303"}


def test_nested_config_excludes_in_its_own_tree(wslint: Callable[..., Run], siblings: Path) -> None:
    (siblings / "a" / "gen").mkdir()
    (siblings / "a" / "gen" / "out.conf").write_text(SITE)
    (siblings / "b" / "gen").mkdir()
    (siblings / "b" / "gen" / "out.conf").write_text(SITE)
    (siblings / "a" / "wslint.toml").write_text('extend-exclude = ["gen"]\n')
    run = wslint("--show-files", ".", cwd=siblings)
    assert [line.split("\t")[0] for line in run.out.splitlines()] == ["a/site.conf", "b/site.conf", "b/gen/out.conf"]


def test_stdin_uses_the_config_of_its_filename(wslint: Callable[..., Run], siblings: Path) -> None:
    run = wslint("--output-format", "json", "-", "--stdin-filename", "a/site.conf", cwd=siblings, stdin=SITE)
    assert run.code == 0 and ("a/site.conf", "WS101", 3, "info") in findings(run)


def test_each_directory_is_looked_up_once_and_pydantic_only_for_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from wslint import settings as settings_module
    from wslint.settings import CommandLine, Configs, resolve

    for name in ("a/one", "a/two", "b"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "site.conf").write_text(SITE)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.wslint]: not a config
    (tmp_path / "b" / "wslint.toml").write_text("")  # a config with an empty table
    looked: list[str] = []
    original = settings_module._config_in
    monkeypatch.setattr(settings_module, "_config_in", lambda d: looked.append(d) or original(d))
    monkeypatch.chdir(tmp_path)
    given = CommandLine()
    run, _ = resolve(given)
    configs = Configs(given, run)
    for directory in ("a/one", "a/two", "a", "b", "a/one", "b"):
        configs.for_directory(directory)
    assert sorted(looked) == sorted(set(looked))  # each directory once
    assert configs.for_directory("a/one") is run and configs.for_directory("b") is not run
    code = "import sys\nfrom wslint.cli import main\nmain(['.'])\nprint('PYDANTIC', 'pydantic' in sys.modules)\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "PYDANTIC False" in proc.stdout, proc.stdout + proc.stderr


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    """The root config declares path 'chat' (socket.io pings); its hops sit under deploy/, nginx under deploy/edge/."""
    (tmp_path / "deploy" / "edge").mkdir(parents=True)
    for name in ("alb.tf", "haproxy.cfg"):
        (tmp_path / "deploy" / name).write_text((ROOT / "examples" / "three-hop" / name).read_text())
    nginx = (ROOT / "examples" / "three-hop" / "nginx.conf").read_text()
    (tmp_path / "deploy" / "edge" / "nginx.conf").write_text(nginx)
    (tmp_path / "wslint.toml").write_text(
        '[[path]]\nname = "chat"\nhops = ["deploy/alb.tf", "deploy/edge/nginx.conf", "deploy/haproxy.cfg"]\n'
        'routes = ["deploy/edge/nginx.conf:/socket.io/"]\nclient = "socket.io"\n'
    )
    return tmp_path


@pytest.mark.parametrize("nested", ["deploy", "deploy/edge"])
def test_a_declared_hop_is_linted_with_its_path_under_a_nested_config(
    wslint: Callable[..., Run], chat: Path, nested: str
) -> None:
    """A file a config's [[path]] declares is linted as part of that path under the declaring config, whichever
    nested config is nearer to it: a bare run, a walk and the file list pre-commit passes all find the WS301."""
    (chat / nested / "wslint.toml").write_text('fail-on = "error"\nignore = ["WS401"]\n')
    hops = ["deploy/alb.tf", "deploy/edge/nginx.conf", "deploy/haproxy.cfg"]
    for arguments in ([], ["."], hops):
        run = wslint("--output-format", "json", *arguments, cwd=chat)
        assert run.code == 1, (arguments, run.err)
        assert ("deploy/haproxy.cfg", "WS301", 20, "error") in findings(run), arguments
        assert "WS303" not in {rule for _, rule, _, _ in findings(run)}, arguments


INCLUDER = "events {}\nhttp {\n  server {\n    listen 80;\n    include ../common/ws.inc;\n  }\n}\n"
WS_INCLUDE = "location /ws/ {\n    proxy_pass http://app;\n    proxy_http_version 1.1;\n"
WS_INCLUDE += '    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection "upgrade";\n}\n'


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """a/ and b/ both include common/ws.inc (WS201, WS303 at its 1:1); b/ has its own config."""
    for name in ("a", "b", "common"):
        (tmp_path / name).mkdir()
    for name in ("a", "b"):
        (tmp_path / name / "nginx.conf").write_text(INCLUDER)
    (tmp_path / "common" / "ws.inc").write_text(WS_INCLUDE)
    (tmp_path / "b" / "wslint.toml").write_text('ignore = ["WS401"]\n')
    return tmp_path


def test_a_finding_in_an_include_shared_across_configs_is_reported_once(
    wslint: Callable[..., Run], shared: Path
) -> None:
    run = wslint("--output-format", "json", ".", cwd=shared)
    assert run.code == 1, run.err
    in_include = [(rule, line) for file, rule, line, _ in findings(run) if file == "common/ws.inc"]
    assert in_include == [("WS201", 1), ("WS303", 1)]
    concise = wslint("--output-format", "concise", ".", cwd=shared)
    assert concise.out.count("common/ws.inc:1:1: WS201") == 1


def test_fix_of_an_include_shared_across_configs_is_made_once(wslint: Callable[..., Run], shared: Path) -> None:
    """The groups are fixed one after the other: b's group reads the include a's fixed; one fix, written once."""
    run = wslint("--fix", "--fix-includes", "--output-format", "json", ".", cwd=shared)
    assert run.code in (0, 1), run.err
    assert "error" not in run.err and run.err.count("fixed common/ws.inc:1:1: WS201") == 1
    assert (shared / "common" / "ws.inc").read_text().count("proxy_read_timeout") == 1
    assert ("common/ws.inc", "WS201", 1, "warning") not in findings(run)  # only what remains is reported
    diff = wslint("--diff", "--fix-includes", ".", cwd=shared)
    assert diff.code == 0 and diff.out == ""  # nothing left to fix


def test_exclude_is_relative_to_the_config_that_declares_it(wslint: Callable[..., Run], tmp_path: Path) -> None:
    """sub/wslint.toml's extend-exclude = ["gen/a.conf"] leaves out sub/gen/a.conf wherever the walk starts; a
    root config's "sub/gen" leaves it out of `wslint sub` too, and out of a named file with --force-exclude."""
    (tmp_path / "sub" / "gen").mkdir(parents=True)
    (tmp_path / "sub" / "gen" / "a.conf").write_text(SITE)
    (tmp_path / "sub" / "b.conf").write_text(SITE)
    (tmp_path / "sub" / "wslint.toml").write_text('extend-exclude = ["gen/a.conf"]\n')

    def shown(*arguments: str, cwd: Path = tmp_path) -> list[str]:
        run = wslint("--show-files", *arguments, cwd=cwd)
        assert run.code == 0, run.err
        return [line.split("\t")[0] for line in run.out.splitlines()]

    assert shown(".") == ["sub/b.conf"]
    assert shown(".", cwd=tmp_path / "sub") == ["b.conf"]
    assert shown("--force-exclude", "sub/gen/a.conf", "sub/b.conf") == ["sub/b.conf"]
    (tmp_path / "sub" / "wslint.toml").unlink()
    (tmp_path / "wslint.toml").write_text('extend-exclude = ["sub/gen"]\n')
    assert shown(".") == shown("sub") == ["sub/b.conf"]
    assert shown("--force-exclude", "sub/gen/a.conf") == []
    assert shown("sub/gen/a.conf") == ["sub/gen/a.conf"]  # a named file is linted unless --force-exclude


def test_a_tree_left_out_for_a_bad_config_gets_no_nothing_found_note(
    wslint: Callable[..., Run], tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "site.conf").write_text(SITE)
    (tmp_path / "a" / "wslint.toml").write_text("pingg-interval = '20s'\n")
    run = wslint(".", cwd=tmp_path)
    assert run.code == 2
    assert "no files of a kind" not in run.out + run.err
    assert run.err.count("\n") == 1 and "a/wslint.toml: pingg-interval: unknown key" in run.err


def test_an_include_shared_across_configs_counts_its_uses_over_all_of_them(
    wslint: Callable[..., Run], shared: Path
) -> None:
    """Without --fix-includes, an include a/ and b/ (under different configs) share is used twice: not fixed, and
    said once."""
    run = wslint("--fix", ".", cwd=shared)
    assert run.code == 1, run.err
    assert (shared / "common" / "ws.inc").read_text() == WS_INCLUDE
    assert run.err.count("not fixed common/ws.inc:1:1: WS201") == 1 and "included from 2 places" in run.err
