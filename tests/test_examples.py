"""The README's quick start, set-up command, config example and rule list are what the CLI does."""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import readme_block

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nginx.conf"
Wslint = Callable[..., Any]  # the `wslint` fixture of conftest.py


def quickstart() -> tuple[str, str]:
    """The quick start's command (without ``$ ``) and the output the README shows for it."""
    lines = readme_block("quickstart")
    assert lines[0].startswith("$ wslint "), "the quick start block starts with `$ wslint ...`"
    return lines[0][2:], "\n".join(lines[1:]) + "\n"


def test_quickstart_output_is_what_the_cli_prints(wslint: Wslint) -> None:
    command, shown = quickstart()
    run = wslint(*shlex.split(command)[1:], cwd=ROOT)
    assert run.code == 1, run.err
    assert run.err == ""
    assert run.out == shown, "README's quick start output drifted from the CLI's; paste the new output"


def test_quickstart_shows_the_promised_findings() -> None:
    _, shown = quickstart()
    rules = [line.split()[1] for line in shown.splitlines() if line.startswith("examples/nginx.conf:")]
    assert rules == ["WS401", "WS101", "WS201"]


def test_run_command_ends_with_the_quickstart_command() -> None:
    command, _ = quickstart()
    lines = [line for line in readme_block("run-command") if line.strip()]
    assert len(lines) == 1
    setup = lines[0]
    assert setup.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install ")
    assert setup.endswith(f" && {command}")


def test_directory_walk_finds_the_same(wslint: Wslint, tmp_path: Path) -> None:
    _, shown = quickstart()
    (tmp_path / "examples").mkdir()
    shutil.copyfile(EXAMPLE, tmp_path / "examples" / "nginx.conf")
    run = wslint("examples/", "--ping-interval", "25s", "--isolated", cwd=tmp_path)
    assert run.code == 1
    assert run.out == shown


def test_path_example_output_is_what_the_cli_prints(wslint: Wslint) -> None:
    lines = readme_block("path-example")
    assert lines[0] == "$ cd examples/three-hop && wslint path"
    run = wslint("path", cwd=ROOT / "examples" / "three-hop")
    assert run.code == 1, run.err
    assert run.err == ""
    assert run.out == "\n".join(lines[1:]) + "\n", "README's path example drifted from `wslint path`; paste it anew"
    # exactly one WS301, at HAProxy's tunnel timeout, the path's bottleneck
    assert [line.split()[:2] for line in run.out.splitlines() if " WS" in line and line[:1] != " "] == [
        ["haproxy.cfg:20:5:", "WS301"]
    ]


def _example_copy(tmp_path: Path) -> Path:
    target = tmp_path / "nginx.conf"
    shutil.copyfile(EXAMPLE, target)
    return target


def test_fixing_the_ws_location_leaves_only_ws401(wslint: Wslint, tmp_path: Path) -> None:
    conf = _example_copy(tmp_path)
    text = conf.read_text(encoding="utf-8")
    broken = "        location /ws/ {\n"
    assert text.count(broken) == 1
    conf.write_text(
        text.replace(broken, broken + "            proxy_http_version 1.1;\n            proxy_read_timeout 1h;\n"),
        encoding="utf-8",
    )
    run = wslint("nginx.conf", "--ping-interval", "25s", "--output-format", "json", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert [f["rule"] for f in json.loads(run.out)["findings"]] == ["WS401"]


def test_a_longer_ping_interval_is_ws301(wslint: Wslint) -> None:
    run = wslint("examples/nginx.conf", "--ping-interval", "40s", "--output-format", "json", cwd=ROOT)
    findings = json.loads(run.out)["findings"]
    assert [(f["rule"], f["line"]) for f in findings if f["rule"] == "WS301"] == [("WS301", 40)]


def test_no_ping_interval_gives_the_largest_safe_one(wslint: Wslint) -> None:
    run = wslint("examples/nginx.conf", cwd=ROOT)
    ws303 = [line for line in run.out.splitlines() if " WS303 " in line]
    assert len(ws303) == 2
    assert "location /ws/" in ws303[0] and "largest safe ping interval is 30s" in ws303[0]
    assert "location /socket.io/" in ws303[1] and "largest safe ping interval is 30m" in ws303[1]


def test_config_example_is_valid(wslint: Wslint, tmp_path: Path) -> None:
    toml = "\n".join(readme_block("config-example")) + "\n"
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    _example_copy(tmp_path)
    (tmp_path / "legacy").mkdir()
    _example_copy(tmp_path / "legacy")
    run = wslint("--show-settings", cwd=tmp_path)
    assert run.code == 0, run.err
    settings = json.loads(run.out)
    assert settings["ping-interval"] == 25.0
    assert settings["nginx-version"] == [1, 24, 0]
    assert settings["ignore"] == ["WS401"]
    assert settings["severity"] == {"WS201": "error"}
    files = wslint("--show-files", cwd=tmp_path)
    assert files.code == 0
    assert files.out.split() == ["nginx.conf", "nginx"]
    lint = wslint("nginx.conf", "--output-format", "json", cwd=tmp_path)
    assert lint.code == 1
    found = {(f["rule"], f["severity"]) for f in json.loads(lint.out)["findings"]}
    assert found == {("WS101", "error"), ("WS201", "error")}


def test_rule_list_is_what_wslint_rules_prints(wslint: Wslint) -> None:
    lines = readme_block("rules")
    assert lines[0] == "$ wslint rules"
    run = wslint("rules", cwd=ROOT)
    assert run.code == 0
    assert run.out == "\n".join(lines[1:]) + "\n", "README's rule list drifted from `wslint rules`"


def test_readme_workflow_is_the_documented_one() -> None:
    """README shows the complete workflow of docs/ci.md (which tests/test_action.py validates)."""
    workflow = "\n".join(readme_block("github-workflow")).rstrip("\n")
    documented = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert workflow.startswith("name: wslint") and "upload-sarif" in workflow
    assert f"```yaml\n{workflow}\n```" in documented
