"""The JSON report validates against the shipped schema; text and JSON agree."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema

from tests.conftest import Linted

Lint = Callable[..., Linted]
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "wslint" / "schemas" / "report.schema.json").read_text())

FILES = {
    "nginx.conf": """
        events {}
        http {
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            server {
                location /static/ { include snippets/static.conf; }
                location /ws/ {
                    proxy_pass http://app;
                    proxy_set_header Host $host;
                    proxy_read_timeout 10x;
                }
            }
            server {
                location /chat/ { proxy_pass http://app; proxy_http_version 1.1; proxy_read_timeout 30s; }
            }
        }
        """,
    "broken.conf": "server {\n    location /ws/ {\n",
    "t.conf": "server {\n{% if port %}\n    listen {{ port }};\n{% endif %}\n}\n",
}


def test_json_report_validates_and_counts(lint: Lint) -> None:
    result = lint(FILES, ".", "--ping-interval", "25s")
    jsonschema.validate(result.report, SCHEMA)
    rules = {f["rule"] for f in result.findings}
    assert {"WS001", "WS002", "WS104", "WS206", "WS301"} <= rules
    related = [r for f in result.findings for r in f["related"]]  # type: ignore[attr-defined]
    assert related and all(r["line"] for r in related)
    summary = result.report["summary"]
    assert summary["findings"] == len(result.findings)  # type: ignore[index]
    assert result.report["skipped"] == [
        {"file": "t.conf", "reason": "template: a template statement ({% ... %}) at line 2"}
    ]
    assert (summary["skipped"], summary["errors"]) == (1, 0)  # type: ignore[index]
    assert result.report["schema"] == 1


def test_empty_report_validates(lint: Lint) -> None:
    result = lint({"empty.conf": ""}, "empty.conf", "--kind", "nginx")
    jsonschema.validate(result.report, SCHEMA)
    assert result.findings == [] and result.code == 0


def test_text_and_json_list_the_same_findings(lint: Lint) -> None:
    as_json = lint(FILES, ".", "--ping-interval", "25s")
    as_text = lint({}, ".", "--ping-interval", "25s", "--output-format", "text")
    text = str(as_text.report["text"])
    lines = [line for line in text.splitlines() if line and not line.startswith("  ")][:-1]
    expected = [
        f"{f['file']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] {f['message']}" for f in as_json.findings
    ]
    assert lines == expected


def test_summaries_count_what_was_skipped_and_failed(lint: Lint) -> None:
    """JSON's summary counts skipped files and errors; GitHub's step summary never says "All clean" then."""
    from wslint.engine import Result
    from wslint.report import github

    files = {"site.conf": "server { location /api/ { proxy_pass http://app; } }\n", "t.conf": FILES["t.conf"]}
    result = lint(files, "site.conf", "t.conf", "missing.conf")
    jsonschema.validate(result.report, SCHEMA)
    summary = result.report["summary"]
    assert result.code == 2 and (summary["files"], summary["skipped"], summary["errors"]) == (1, 1, 1)  # type: ignore[index]
    skipped = [{"file": "t.conf", "reason": "template: x"}]
    markdown = github.summary(Result(files=1, skipped=skipped, errors=["missing.conf: no such file or directory"]))
    assert "All clean" not in markdown and "No findings in 1 file; 1 skipped (1 template), 1 error." in markdown
    assert "No files linted: 1 skipped (1 template)." in github.summary(Result(skipped=skipped))
    assert "All clean: no findings in 2 files." in github.summary(Result(files=2))
