"""Named files of no known kind are skipped quietly (-v says so); -q/--quiet prints findings only; --statistics."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BAD_NGINX, Run

SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"
UNRELATED = {
    "package.json": '{"name": "app", "version": "1.0.0"}\n',
    "data/users.json": '[{"id": 1}]\n',
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    "config/app.yaml": "debug: true\n",
    "empty.yaml": "",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name, text in {"nginx.conf": BAD_NGINX, "site.conf": SITE, **UNRELATED}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_named_files_of_no_known_kind_are_skipped_quietly(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "nginx.conf", *UNRELATED, cwd=tree)
    assert run.code == 1 and run.err == "", run.err
    assert "nginx.conf:5:9: WS101 [error]" in run.out
    assert run.out.splitlines()[-1].endswith("in 1 file; 5 skipped (4 not configs, 1 empty file).")
    report = json.loads(wslint("--isolated", "--output-format", "json", "nginx.conf", *UNRELATED, cwd=tree).out)
    assert sorted(entry["file"] for entry in report["skipped"]) == sorted(UNRELATED)


def test_verbose_says_each_skipped_file(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "-v", "nginx.conf", *UNRELATED, cwd=tree)
    assert run.code == 1
    notes = [line for line in run.err.splitlines() if line.startswith("wslint: note: ")]
    assert len(notes) == len(UNRELATED), run.err
    assert "wslint: note: package.json: not a file of a kind wslint knows; skipped" in notes
    assert "wslint: note: empty.yaml: empty file, nothing to lint" in notes


def test_errors_stay_loud(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "-q", "nginx.conf", "missing.conf", cwd=tree)
    assert run.code == 2 and "wslint: error: missing.conf: no such file or directory" in run.err
    (tree / "bad.conf").write_bytes(b"server {\n")
    run = wslint("--isolated", "-q", "bad.conf", cwd=tree)
    assert run.code == 1 and "bad.conf:" in run.out and "WS001" in run.out


def test_quiet_prints_findings_only(wslint: Callable[..., Run], tree: Path) -> None:
    loud = wslint("--isolated", "nginx.conf", "site.conf", "--ping-interval", "nonsense", cwd=tree)
    assert loud.code == 2  # a bad value is an error: still said
    (tree / "wslint.toml").write_text('ping-interval = "25s"\n')
    (tree / "ws.conf.j2").write_text("{% if x %}\nserver {}\n{% endif %}\n")  # a template: a note without -q
    normal = wslint("nginx.conf", "ws.conf.j2", cwd=tree)
    assert "note: ws.conf.j2: template" in normal.err and normal.out.splitlines()[-1].startswith("Found ")
    quiet = wslint("nginx.conf", "ws.conf.j2", "-q", cwd=tree)
    assert quiet.code == normal.code == 1
    assert quiet.err == ""
    assert quiet.out == "\n".join(normal.out.splitlines()[:-1]) + "\n"  # the same findings, no summary line
    clean = wslint("--isolated", "--quiet", "package.json", cwd=tree)
    assert (clean.code, clean.out, clean.err) == (0, "", "")


def test_quiet_github_format_has_no_summary_line(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "-q", "--output-format", "github", "nginx.conf", cwd=tree)
    assert run.code == 1 and "::error title=wslint (WS101)" in run.out
    assert run.out.splitlines()[-1] == "::endgroup::"


def test_quiet_path_keeps_the_drawing(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("path", "--isolated", "-q", "--ping-interval", "25s", "nginx.conf", cwd=tree)
    assert run.code == 1 and 'path "nginx.conf"' in run.out
    assert not any(line.startswith("Found ") for line in run.out.splitlines())


def test_quiet_and_verbose_do_not_go_together(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("-q", "-v", "nginx.conf", cwd=tree)
    assert run.code == 2 and run.err.startswith("wslint: error: ")


def test_statistics_counts_per_rule(wslint: Callable[..., Run], tree: Path) -> None:
    (tree / "more.conf").write_text(BAD_NGINX.replace("/ws/", "/chat/"))
    full = json.loads(wslint("--isolated", "--output-format", "json", "nginx.conf", "more.conf", cwd=tree).out)
    expected: dict[str, int] = {}
    for finding in full["findings"]:
        expected[finding["rule"]] = expected.get(finding["rule"], 0) + 1
    run = wslint("--isolated", "--statistics", "nginx.conf", "more.conf", cwd=tree)
    assert run.code == 1
    rows = [line.split("\t") for line in run.out.splitlines()]
    assert {code.strip(): int(count) for count, code, _ in rows} == expected
    # the largest count first, then by code; ruff's columns: count (right-aligned), code, name, tab-separated
    assert [(-int(count), code) for count, code, _ in rows] == sorted((-int(count), code) for count, code, _ in rows)
    assert rows[0] == ["2", "WS101", "nginx-http-version"] and len({len(count) for count, _, _ in rows}) == 1
    as_json = json.loads(
        wslint("--isolated", "--statistics", "--output-format", "json", "nginx.conf", "more.conf", cwd=tree).out
    )
    assert [(row["code"], row["count"]) for row in as_json] == [(code.strip(), int(n)) for n, code, _ in rows]
    assert {"code": "WS101", "name": "nginx-http-version", "count": 2} in as_json


def test_statistics_of_a_clean_run_is_empty(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "--statistics", "package.json", cwd=tree)
    assert (run.code, run.out) == (0, "")
    as_json = wslint("--isolated", "--statistics", "--output-format", "json", "package.json", cwd=tree)
    assert json.loads(as_json.out) == []


@pytest.mark.parametrize("fmt", ["gitlab", "junit", "sarif", "html", "mermaid"])
def test_statistics_never_replaces_a_machine_read_report(wslint: Callable[..., Run], tree: Path, fmt: str) -> None:
    # GitLab, a JUnit or SARIF reader, a browser would get `2\tWS101 ...`: refused, one line, exit 2, nothing written
    out = tree / "report.out"
    run = wslint("--isolated", "--statistics", "--output-format", fmt, "-o", str(out), "nginx.conf", cwd=tree)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("wslint: error: ") and len(run.err.splitlines()) == 1 and "--statistics" in run.err
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["concise", "github"])
def test_statistics_with_a_text_format_is_the_text_counts(wslint: Callable[..., Run], tree: Path, fmt: str) -> None:
    run = wslint("--isolated", "--statistics", "--output-format", fmt, "nginx.conf", cwd=tree)
    plain = wslint("--isolated", "--statistics", "nginx.conf", cwd=tree)
    assert run.code == plain.code == 1 and run.out == plain.out and run.out.split("\t")[1].startswith("WS")
