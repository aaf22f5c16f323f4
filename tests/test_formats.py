"""--output-format gitlab, junit and concise: each valid against its format's published schema or documented
example (tests/fixtures/formats, validated offline), with the shape CI systems read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from tests.conftest import Run

Wslint = Callable[..., Run]
FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"

NGINX = """\
events {}
http {
    server {
        location /ws/ {
            proxy_pass http://app;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
}
"""
CLEAN = """\
events { worker_connections 4096; }
worker_shutdown_timeout 30s;
http {
    server {
        location / { proxy_pass http://app; }
    }
}
"""
BROKEN = "server {\n    location /ws/ {\n"


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(FORMATS / "junit-10.xsd"))


@pytest.fixture(scope="module")
def gitlab_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads((FORMATS / "gitlab-codequality.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # the schema accepts GitLab's own documented example
    validator.validate(json.loads((FORMATS / "gitlab-codequality-example.json").read_text(encoding="utf-8")))
    return validator


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository (``.git``) whose configs live under deploy/; returns deploy/."""
    (tmp_path / ".git").mkdir()
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    for name, text in files.items():
        (deploy / name).write_text(text, encoding="utf-8")
    return deploy


# -- gitlab ------------------------------------------------------------------------------------------------------


def test_gitlab_report_validates_and_names_files_from_the_repository_root(
    wslint: Wslint, tmp_path: Path, gitlab_schema: jsonschema.Draft202012Validator
) -> None:
    deploy = _repo(tmp_path, {"nginx.conf": NGINX, "broken.conf": BROKEN})
    run = wslint("--isolated", "--ping-interval", "25s", "--output-format", "gitlab", ".", cwd=deploy)
    assert run.code == 1, run.err
    issues: list[dict[str, Any]] = json.loads(run.out)
    gitlab_schema.validate(issues)
    by_rule = {issue["check_name"]: issue for issue in issues}
    assert {"WS001", "WS101", "WS201", "WS501"} <= set(by_rule)
    ws101 = by_rule["WS101"]
    assert ws101["location"] == {"path": "deploy/nginx.conf", "lines": {"begin": 4}}
    assert ws101["description"].startswith("WS101: location /ws/ proxies with HTTP/1.0")
    # error -> major, warning -> minor, info -> info
    assert (ws101["severity"], by_rule["WS201"]["severity"], by_rule["WS501"]["severity"]) == ("major", "minor", "info")
    assert by_rule["WS001"]["severity"] == "major" and by_rule["WS001"]["location"]["path"] == "deploy/broken.conf"
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_survive_line_moves_and_tell_twins_apart(wslint: Wslint, tmp_path: Path) -> None:
    deploy = _repo(tmp_path, {"nginx.conf": NGINX})

    def fingerprints() -> dict[tuple[str, int], str]:
        run = wslint("--isolated", "--output-format", "gitlab", "nginx.conf", cwd=deploy)
        return {(i["check_name"], i["location"]["lines"]["begin"]): i["fingerprint"] for i in json.loads(run.out)}

    before = fingerprints()
    assert before == fingerprints()  # same input, same fingerprints
    (deploy / "nginx.conf").write_text("# a comment\n# and another\n" + NGINX, encoding="utf-8")
    moved = fingerprints()
    assert ("WS101", 6) in moved and ("WS101", 4) in before  # the finding moved two lines down...
    assert {rule: f for (rule, _), f in moved.items()} == {rule: f for (rule, _), f in before.items()}  # ...same print
    # a second, identical location in the same block is a second issue with a fingerprint of its own
    twin = NGINX.replace(
        "    }\n}\n", "    }\n    server {\n" + NGINX.split("server {\n", 1)[1].split("    }\n}")[0] + "    }\n}\n"
    )
    (deploy / "nginx.conf").write_text(twin, encoding="utf-8")
    run = wslint("--isolated", "--output-format", "gitlab", "nginx.conf", cwd=deploy)
    ws101 = [i["fingerprint"] for i in json.loads(run.out) if i["check_name"] == "WS101"]
    assert len(ws101) == 2 and len(set(ws101)) == 2


def test_gitlab_report_of_a_clean_run_is_an_empty_array(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(CLEAN, encoding="utf-8")
    run = wslint("--isolated", "--output-format", "gitlab", "nginx.conf", cwd=tmp_path)
    assert (run.code, json.loads(run.out)) == (0, []), run.err


# -- junit -------------------------------------------------------------------------------------------------------


def test_junit_report_validates_one_testcase_per_file_one_failure_per_finding(
    wslint: Wslint, tmp_path: Path, junit_schema: xmlschema.XMLSchema
) -> None:
    for name, text in {"nginx.conf": NGINX, "clean.conf": CLEAN, "broken.conf": BROKEN}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--output-format", "junit", ".", cwd=tmp_path)
    assert run.code == 1, run.err
    junit_schema.validate(run.out)
    root = ET.fromstring(run.out)
    cases = {case.get("name", ""): case for case in root.iter("testcase")}
    assert sorted(cases) == ["broken.conf", "clean.conf", "nginx.conf"]
    assert list(cases["clean.conf"]) == []  # no finding: a passing testcase
    failures = cases["nginx.conf"].findall("failure")
    assert {f.get("type") for f in failures} == {"WS101", "WS201", "WS303", "WS401", "WS501"}
    ws101 = next(f for f in failures if f.get("type") == "WS101")
    assert (ws101.get("message") or "").startswith("nginx.conf:4:9: WS101 location /ws/ proxies with HTTP/1.0")
    assert "\nhelp: " in (ws101.text or "")
    [error] = cases["broken.conf"]
    assert (error.tag, error.get("type")) == ("error", "WS001")
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")


def test_junit_report_carries_hostile_names_and_values_as_valid_xml(
    wslint: Wslint, tmp_path: Path, junit_schema: xmlschema.XMLSchema
) -> None:
    name = 'odd\x1b[31m\x07\ufffe<&">.conf'
    (tmp_path / name).write_text(NGINX.replace("/ws/", "/ws/\x0b\ufffe<&]]>"), encoding="utf-8")
    run = wslint("--isolated", "--output-format", "junit", "--kind", "nginx", name, cwd=tmp_path)
    assert run.code == 1, run.err
    junit_schema.validate(run.out)  # parses: no character XML 1.0 cannot carry
    assert "\x1b" not in run.out and "\x07" not in run.out and "\ufffe" not in run.out
    [case] = ET.fromstring(run.out).iter("testcase")
    assert case.get("name") == 'odd\\x1b[31m\\x07\\ufffe<&">.conf'


def test_junit_report_of_run_errors_is_an_error_testcase(
    wslint: Wslint, tmp_path: Path, junit_schema: xmlschema.XMLSchema
) -> None:
    (tmp_path / "nginx.conf").write_text(CLEAN, encoding="utf-8")
    run = wslint("--isolated", "--output-format", "junit", "--baseline", "missing.json", "nginx.conf", cwd=tmp_path)
    assert run.code == 2
    junit_schema.validate(run.out)
    cases = {case.get("name"): case for case in ET.fromstring(run.out).iter("testcase")}
    [error] = cases["wslint"]
    assert error.tag == "error" and "missing.json" in (error.get("message") or "")


# -- concise -----------------------------------------------------------------------------------------------------


def test_concise_report_is_one_line_per_finding(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX, encoding="utf-8")
    run = wslint("--isolated", "--output-format", "concise", "nginx.conf", cwd=tmp_path)
    lines = run.out.splitlines()
    assert run.code == 1
    assert lines[:2] == [
        "nginx.conf:1:1: WS401 nginx proxies WebSocket and worker_shutdown_timeout is unset: after every reload the"
        " old workers keep serving open WebSockets until they close by themselves",
        "nginx.conf:1:1: WS501 worker_connections is unset (nginx's default is 512): each proxied WebSocket holds"
        " two connections, so a worker serves at most 256 WebSockets",
    ]
    assert [line.split(" ", 2)[:2] for line in lines[2:5]] == [
        ["nginx.conf:4:9:", "WS101"],
        ["nginx.conf:4:9:", "WS201"],
        ["nginx.conf:4:9:", "WS303"],
    ]
    assert lines[5:] == ["Found 5 findings (1 error, 1 warning, 3 info) in 1 file."]
    assert "help:" not in run.out
    colored = wslint("--isolated", "--output-format", "concise", "--color", "always", "nginx.conf", cwd=tmp_path)
    assert (
        colored.out.splitlines()[2] == "\x1b[1mnginx.conf:4:9\x1b[0m: \x1b[31mWS101\x1b[0m " + lines[2].split(" ", 2)[2]
    )


@pytest.mark.parametrize("fmt", ["gitlab", "junit", "concise"])
def test_new_formats_come_from_the_environment_and_the_config(wslint: Wslint, tmp_path: Path, fmt: str) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX, encoding="utf-8")
    by_env = wslint("--isolated", "nginx.conf", cwd=tmp_path, env={"WSLINT_OUTPUT_FORMAT": fmt})
    (tmp_path / "wslint.toml").write_text(f'output-format = "{fmt}"\n', encoding="utf-8")
    by_config = wslint("nginx.conf", cwd=tmp_path)
    by_option = wslint("--isolated", "--output-format", fmt, "nginx.conf", cwd=tmp_path)
    assert by_env.out == by_config.out == by_option.out and by_option.code == 1, by_config.err
    assert by_option.out.startswith({"gitlab": "[", "junit": "<?xml", "concise": "nginx.conf:1:1: WS401"}[fmt])
