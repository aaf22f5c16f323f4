"""wslint in pull requests, through the real CLI: formats, suppressions, per-file ignores, baselines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Wslint = Callable[..., Any]

# a WebSocket location on nginx's 60 s default: WS201 at line 4 (and WS401 at the top)
SITE = """\
worker_shutdown_timeout 30s;
events { worker_connections 1024; }
http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://10.0.0.2:8080;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
}
"""


def _rules(run: Any) -> list[tuple[str, int, bool]]:
    assert run.code in (0, 1), run.err
    return sorted((f["rule"], f["line"], f["suppressed"]) for f in json.loads(run.out)["findings"])


# -- formats ------------------------------------------------------------------------------------


def test_github_format_is_chosen_on_github_actions(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(SITE)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run = wslint("--isolated", "nginx.conf", cwd=tmp_path, env=env)
    assert run.code == 1
    assert "::warning title=wslint (WS201),file=nginx.conf,line=6" in run.out
    assert "::group::" in run.out
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "WS201" in text  # appended, not replaced
    # an explicit format wins
    run = wslint("--isolated", "--output-format", "json", "nginx.conf", cwd=tmp_path, env=env)
    assert json.loads(run.out)["findings"]


def test_one_run_writes_annotations_and_a_sarif_file(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(SITE)
    run = wslint("--isolated", "--output-format", "github", "--sarif-file", "out.sarif", "nginx.conf", cwd=tmp_path)
    assert run.code == 1 and "::warning" in run.out
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "WS201" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_output_file_and_sarif_file_together(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(SITE)
    run = wslint(
        "--isolated", "--output-format", "json", "-o", "report.json", "--sarif-file", "r.sarif", "nginx.conf",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 1 and run.out == ""
    assert json.loads((tmp_path / "report.json").read_text())["schema"] == 1
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


# -- inline suppressions --------------------------------------------------------------------------


def test_suppression_comment_marks_the_finding(wslint: Wslint, tmp_path: Path) -> None:
    text = SITE.replace(
        "        location /ws/ {", "        # wslint: ignore[WS201] -- chat pings every 20s\n        location /ws/ {"
    )
    (tmp_path / "nginx.conf").write_text(text)
    run = wslint("--isolated", "--ping-interval", "20s", "--output-format", "json", "nginx.conf", cwd=tmp_path)
    assert run.code == 0, run.out
    [ws201] = [f for f in json.loads(run.out)["findings"] if f["rule"] == "WS201"]
    assert ws201["suppressed"] is True
    text_run = wslint("--isolated", "--ping-interval", "20s", "nginx.conf", cwd=tmp_path)
    assert "WS201" not in text_run.out and text_run.code == 0
    # --no-inline-ignores: the comment counts for nothing
    run = wslint("--isolated", "--ping-interval", "20s", "--no-inline-ignores", "--output-format", "json", "nginx.conf",
                 cwd=tmp_path)  # fmt: skip
    assert run.code == 1 and ("WS201", 7, False) in _rules(run)


def test_unused_suppression_is_ws003(wslint: Wslint, tmp_path: Path) -> None:
    text = SITE.replace(
        "            proxy_pass", "            proxy_read_timeout 1h;  # wslint: ignore[WS201]\n            proxy_pass"
    )
    (tmp_path / "nginx.conf").write_text(text)
    run = wslint("--isolated", "--ping-interval", "20s", "--output-format", "json", "nginx.conf", cwd=tmp_path)
    assert [r for r in _rules(run) if r[0] == "WS003"] == [("WS003", 7, False)]
    # not unused when its rule is not selected in this run
    run = wslint("--isolated", "--select", "WS1,WS003", "--output-format", "json", "nginx.conf", cwd=tmp_path)
    assert [r for r in _rules(run) if r[0] == "WS003"] == []


def test_ws001_cannot_be_suppressed(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text("# wslint: file-ignore[ALL]\nhttp {\n    server {\n")
    run = wslint("--isolated", "--output-format", "json", "nginx.conf", cwd=tmp_path)
    assert run.code == 1
    assert [(r[0], r[2]) for r in _rules(run)] == [("WS001", False)]


# -- per-file ignores ----------------------------------------------------------------------------------


def test_per_file_ignores(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.conf").write_text(SITE)
    (tmp_path / "nginx.conf").write_text(SITE)
    (tmp_path / "wslint.toml").write_text('[per-file-ignores]\n"legacy/*.conf" = ["WS2", "WS303"]\n')
    run = wslint("--output-format", "json", ".", cwd=tmp_path)
    found = {(f["file"], f["rule"]) for f in json.loads(run.out)["findings"]}
    assert ("nginx.conf", "WS201") in found
    assert not [f for f in found if f[0].startswith("legacy/") and f[1] in ("WS201", "WS303")]


@pytest.mark.parametrize("value", ['{ "a" = [1] }', '{ "a" = ["WS9999"] }', '"WS201"'])
def test_bad_per_file_ignores_is_exit_2(wslint: Wslint, tmp_path: Path, value: str) -> None:
    (tmp_path / "nginx.conf").write_text(SITE)
    (tmp_path / "wslint.toml").write_text(f"per-file-ignores = {value}\n")
    run = wslint("nginx.conf", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("wslint: error: ") and "per-file-ignores" in run.err


# -- baselines --------------------------------------------------------------------------------------


def test_baseline_survives_edits_above(wslint: Wslint, tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(SITE)
    run = wslint("--isolated", "--write-baseline", "wslint-baseline.json", "nginx.conf", cwd=tmp_path)
    assert run.code == 0 and "wrote" in run.err
    run = wslint("--isolated", "--baseline", "wslint-baseline.json", "nginx.conf", cwd=tmp_path)
    assert run.code == 0 and "All clean" in run.out, run.out
    # lines inserted above: the same findings, still known
    conf.write_text("# a comment\n\n" + SITE.replace("listen 80;", "listen 80;\n        server_name chat.example.com;"))
    run = wslint("--isolated", "--baseline", "wslint-baseline.json", "nginx.conf", cwd=tmp_path)
    assert run.code == 0 and "All clean" in run.out, run.out
    # a new WebSocket location is a new finding
    live = "        location /live/ws/ {\n            proxy_pass http://10.0.0.3:80;\n        }\n"
    conf.write_text(SITE.replace("        location /ws/ {", live + "        location /ws/ {"))
    run = wslint("--isolated", "--baseline", "wslint-baseline.json", "--output-format", "json", "nginx.conf",
                 cwd=tmp_path)  # fmt: skip
    assert {f["rule"] for f in json.loads(run.out)["findings"]} >= {"WS201", "WS102"}


def test_baseline_from_config_and_bad_baseline(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(SITE)
    (tmp_path / "ci").mkdir()
    run = wslint("--isolated", "--write-baseline", "ci/base.json", "nginx.conf", cwd=tmp_path)
    assert run.code == 0
    (tmp_path / "wslint.toml").write_text('baseline = "ci/base.json"\n')
    (tmp_path / "sub").mkdir()
    run = wslint("../nginx.conf", cwd=tmp_path / "sub")
    assert run.code == 0, run.out + run.err
    (tmp_path / "ci" / "base.json").write_text("not json")
    run = wslint("nginx.conf", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("wslint: error:") and "base.json" in run.err
