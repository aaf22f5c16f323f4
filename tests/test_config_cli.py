"""Config discovery and validation, command-line precedence, output options, stdin, exit 2 errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted, Run

Lint = Callable[..., Linted]
SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"


def test_config_discovery_order_and_upward_search(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wslint]\nping-interval = "50s"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    shown = json.loads(wslint("--show-settings", cwd=sub).out)
    assert shown["ping-interval"] == 50 and shown["config-file"].endswith("pyproject.toml")
    (tmp_path / "wslint.toml").write_text('ping-interval = "40s"\n')
    assert json.loads(wslint("--show-settings", cwd=sub).out)["ping-interval"] == 40
    (tmp_path / ".wslint.toml").write_text('ping-interval = "30s"\n')
    assert json.loads(wslint("--show-settings", cwd=sub).out)["ping-interval"] == 30
    # the command line beats the config; --isolated ignores it
    assert json.loads(wslint("--show-settings", "--ping-interval", "5s", cwd=sub).out)["ping-interval"] == 5
    assert json.loads(wslint("--show-settings", "--isolated", cwd=sub).out)["ping-interval"] is None


def test_pyproject_without_the_table_is_skipped(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert json.loads(wslint("--show-settings", cwd=tmp_path).out)["config-file"] is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("pingg-interval = '20s'", "pingg-interval: unknown key"),
        ("ping-interval = 'soon'", "ping-interval: invalid duration 'soon'"),
        ("select = ['WS9999']", "select: invalid rule selector 'WS9999'"),
        ("fail-on = 'sometimes'", "fail-on:"),
        ("max-file-size = 'big'", "max-file-size: invalid size 'big'"),
        ("ping-interval = ", "invalid TOML"),
        ("[severity]\nWS201 = 'fatal'", "severity.WS201:"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(wslint: Callable[..., Run], tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / ".wslint.toml").write_text(toml + "\n")
    (tmp_path / "site.conf").write_text(SITE)
    run = wslint("site.conf", cwd=tmp_path)
    assert run.code == 2
    assert message in run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err


def test_fix_idle_timeout_is_a_duration(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / ".wslint.toml").write_text('fix-idle-timeout = "10m"\n')
    run = wslint("--show-settings", cwd=tmp_path)
    assert run.code == 0 and run.err == ""
    assert json.loads(run.out)["fix-idle-timeout"] == 600.0


def test_bad_command_line_is_exit_2(wslint: Callable[..., Run], tmp_path: Path) -> None:
    for args in (["--fail-on", "x"], ["--ping-interval", "soon"], ["--select", "FOO"], ["--nginx-version", "new"]):
        run = wslint(*args, "--isolated", cwd=tmp_path)
        assert run.code == 2, args
        assert "Traceback" not in run.err and run.err.startswith("wslint: error:")


def test_output_format_from_env_and_file(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE)
    run = wslint("site.conf", "--isolated", cwd=tmp_path, env={"WSLINT_OUTPUT_FORMAT": "json"})
    assert json.loads(run.out)["schema"] == 1
    run = wslint("site.conf", "--isolated", "-o", "report.txt", cwd=tmp_path)
    assert run.out == "" and "site.conf:3:5: WS102 [error]" in (tmp_path / "report.txt").read_text()


def test_text_report_shape_and_color(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE)
    run = wslint("site.conf", "--isolated", cwd=tmp_path)
    lines = run.out.splitlines()
    assert lines[0].startswith("site.conf:3:5: WS101 [error] location /ws/ proxies with HTTP/1.0")
    assert lines[1].startswith("  help: ")
    assert lines[-1] == "Found 5 findings (3 errors, 1 warning, 1 info) in 1 file."
    assert "\x1b[" not in run.out
    assert "\x1b[" in wslint("site.conf", "--isolated", "--color", "always", cwd=tmp_path).out


def test_stdin_with_stdin_filename(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "ws.conf").write_text("proxy_http_version 1.0;\n")
    text = "server {\n    location /ws/ {\n        proxy_pass http://a;\n        include snippets/ws.conf;\n    }\n}\n"
    run = wslint("-", "--stdin-filename", "site.conf", "--isolated", "--select", "WS101", cwd=tmp_path, stdin=text)
    assert run.out.startswith("snippets/ws.conf:1:1: WS101")
    assert wslint("-", "--isolated", cwd=tmp_path, stdin=text).code == 2


def test_show_files_and_kind_detection(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE)
    (tmp_path / "supervisord.conf").write_text("[program:x]\ncommand=/bin/true\n")
    (tmp_path / "haproxy.cfg").write_text("global\n    daemon\ndefaults\n    timeout client 30s\n")
    (tmp_path / "default").write_text("server {\n    listen 80;\n    root /srv;\n}\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.conf").write_text(SITE)
    run = wslint("--show-files", "--isolated", cwd=tmp_path)
    assert sorted(run.out.splitlines()) == ["default\tnginx", "haproxy.cfg\thaproxy", "site.conf\tnginx"]
    forced = wslint("--show-files", "--isolated", "--kind", "nginx", "supervisord.conf", cwd=tmp_path)
    assert forced.out == "supervisord.conf\tnginx\n"


def test_named_file_of_no_known_kind_gets_a_note(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    run = wslint("notes.txt", "--isolated", cwd=tmp_path)
    assert run.code == 0 and "not a file of a kind wslint knows" in run.err


def test_templates_are_skipped_with_a_note(lint: Lint) -> None:
    result = lint({"t.conf": "server {\n    listen {{ .Values.port }};\n}\n"}, "t.conf")
    assert result.code == 0
    assert result.report["skipped"] == [{"file": "t.conf", "reason": "templated file (Helm/Jinja/Go template)"}]


def test_subcommand_wins_over_path_and_check_is_explicit(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "site.conf").write_text(SITE)
    assert "WS101" in wslint("check", "rules", "--isolated", cwd=tmp_path).out
    listing = wslint("rules", cwd=tmp_path)
    assert listing.code == 0 and listing.out.startswith("WS001  parse-error")


def test_version(wslint: Callable[..., Run]) -> None:
    from wslint import __version__

    assert wslint("--version").out.strip() == f"wslint {__version__}"


def test_named_paths_are_excluded_only_with_force_exclude(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "site.conf").write_text(SITE)
    assert wslint("--show-files", "--isolated", cwd=tmp_path).out == ""  # walked: excluded by default
    assert wslint("--show-files", "--isolated", "vendor/site.conf", cwd=tmp_path).out == "vendor/site.conf\tnginx\n"
    forced = wslint("--show-files", "--isolated", "--force-exclude", "vendor/site.conf", cwd=tmp_path)
    assert forced.out == ""
    (tmp_path / ".wslint.toml").write_text('extend-exclude = ["*.conf"]\n')
    assert wslint("--show-files", "--force-exclude", "vendor", cwd=tmp_path).out == ""
