"""The JSON report is written a finding at a time and the process leaves without the interpreter's
teardown (issue 19): what reaches a pipe or a file is the whole report, valid against the schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "wslint" / "schemas" / "report.schema.json").read_text())
SERVERS = 400  # a report of about a megabyte: many times a pipe's buffer, many batches of findings


def _big_config(path: Path) -> None:
    sites = [
        f"""
    server {{
        listen 80;
        server_name site{n}.example.com;
        location /ws/ {{
            proxy_pass http://app;
            proxy_set_header Upgrade $http_upgrade;
        }}
        location /socket.io/ {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_read_timeout {n % 50 + 1}s;
        }}
    }}"""
        for n in range(SERVERS)
    ]
    path.write_text("events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; }\n" + "".join(sites) + "\n}\n")


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "wslint", "--isolated", "--output-format", "json", "--ping-interval", "25s", *args]
    # buffered as a user's shell has it (PYTHONUNBUFFERED would flush every write and hide a lost buffer)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED" and not k.startswith("WSLINT_")}
    return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=300, env=env)


def _complete(text: bytes) -> dict[str, object]:
    assert text.endswith(b"}\n")
    report = json.loads(text)
    jsonschema.validate(report, SCHEMA)
    findings = report["findings"]
    assert isinstance(findings, list) and len(findings) > 2 * SERVERS
    assert report["summary"]["findings"] == len(findings)  # type: ignore[index]
    return report  # type: ignore[no-any-return]


def test_a_large_report_reaches_a_pipe_whole(tmp_path: Path) -> None:
    _big_config(tmp_path / "nginx.conf")
    run = _lint(tmp_path, "nginx.conf")
    assert run.returncode == 1, run.stderr
    assert len(run.stdout) > 512 * 1024
    _complete(run.stdout)
    assert b"Traceback" not in run.stderr


def test_output_file_and_sarif_file_are_complete_and_the_same_as_stdout(tmp_path: Path) -> None:
    _big_config(tmp_path / "nginx.conf")
    piped = _lint(tmp_path, "nginx.conf")
    written = _lint(tmp_path, "nginx.conf", "--output-file", "report.json", "--sarif-file", "report.sarif")
    assert written.returncode == piped.returncode == 1, written.stderr
    assert written.stdout == b""
    report = (tmp_path / "report.json").read_bytes()
    assert report == piped.stdout  # byte for byte: the file is closed before the process leaves
    _complete(report)
    sarif = json.loads((tmp_path / "report.sarif").read_bytes())
    assert len(sarif["runs"][0]["results"]) == len(json.loads(report)["findings"])


def test_streamed_report_is_the_rendered_one() -> None:
    """report.write (streamed) and report.render (one string) give the same text, with and without findings."""
    import io

    from wslint.engine import Result
    from wslint.model import Finding, Location, Severity
    from wslint.report import json_report

    where = Location(file="a.conf", line=1, column=1)
    many = [
        Finding(rule="WS301", severity=Severity.WARNING, location=where, message=f"m{n} ##[x] \u2028")
        for n in range(600)
    ]
    for findings in ([], many[:1], many):
        result = Result(findings=findings, files=1)
        out = io.StringIO()
        json_report.write(result, out)
        text = out.getvalue()
        assert text == json_report.render(result)
        assert json.loads(text)["summary"]["findings"] == len(findings)
        assert "##[" not in text and "\u2028" not in text  # escaped in every batch
