"""``wslint -`` reads stdin: without --stdin-filename its kind comes from its content and it is reported as ``-``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BAD_NGINX, ROOT, Run

HAPROXY = """\
global
    daemon
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind :80
    default_backend be
backend be
    server a 127.0.0.1:8000
"""
INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ws
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "30"
spec:
  rules:
    - http:
        paths:
          - path: /ws
            pathType: Prefix
            backend:
              service:
                name: app
                port:
                  number: 80
"""


@pytest.mark.parametrize(
    ("text", "rule", "line", "code"),
    [(BAD_NGINX, "WS101", 5, 1), (HAPROXY, "WS202", 11, 1), (INGRESS, "WS303", 6, 0)],
    ids=["nginx", "haproxy", "kubernetes"],
)
def test_stdin_without_a_name_is_told_by_content(
    wslint: Callable[..., Run], tmp_path: Path, text: str, rule: str, line: int, code: int
) -> None:
    run = wslint("--isolated", "--output-format", "json", "-", stdin=text, cwd=tmp_path)
    assert run.code == code, run.err
    report = json.loads(run.out)
    assert (rule, "-", line) in {(f["rule"], f["file"], f["line"]) for f in report["findings"]}
    assert report["summary"]["files"] == 1 and report["skipped"] == []


TERRAFORM = (ROOT / "examples" / "three-hop" / "alb.tf").read_text(encoding="utf-8")
CLOUDFORMATION = (ROOT / "tests" / "fixtures" / "cloudformation" / "alb-default.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "rule", "line", "code"),
    [
        (TERRAFORM, "WS303", 6, 0),
        ("# edge\n\nlocals {\n  port = 443\n}\n\n" + TERRAFORM, "WS303", 12, 0),
        (CLOUDFORMATION, "WS201", 4, 1),
        ("# the public edge\n" + CLOUDFORMATION.replace('AWSTemplateFormatVersion: "2010-09-09"\n', ""), "WS201", 4, 1),
    ],
    ids=["terraform", "terraform-locals-first", "cloudformation", "cloudformation-resources-first"],
)
def test_stdin_without_a_name_tells_terraform_and_cloudformation_by_content(
    wslint: Callable[..., Run], tmp_path: Path, text: str, rule: str, line: int, code: int
) -> None:
    # as a file of that name would be: never nginx's WS001 `unexpected "}"`, never skipped as of no kind
    run = wslint("--isolated", "--output-format", "json", "-", stdin=text, cwd=tmp_path)
    assert run.code == code, run.err
    report = json.loads(run.out)
    found = {(f["rule"], f["file"], f["line"]) for f in report["findings"]}
    assert (rule, "-", line) in found and not any(r == "WS001" for r, _, _ in found)
    assert report["summary"]["files"] == 1 and report["skipped"] == []


def test_content_recognition_of_unnamed_stdin_leaves_named_files_alone() -> None:
    # a file's name still decides: HCL in a file of no Terraform name (terragrunt.hcl, Packer) is no kind,
    # and no longer nginx (its WS001 `unexpected "}"`)
    from wslint.discover import detect_kind

    assert detect_kind("-", TERRAFORM) == "terraform" and detect_kind("terragrunt.hcl", TERRAFORM) is None
    assert detect_kind("-", CLOUDFORMATION) == "cloudformation" and detect_kind("template.cfn", CLOUDFORMATION) is None
    # nginx's blocks take no quoted labels: an nginx config is never Terraform
    assert detect_kind("-", BAD_NGINX) == "nginx"


def test_stdin_text_report_names_it_dash(wslint: Callable[..., Run], tmp_path: Path) -> None:
    run = wslint("--isolated", "-", stdin=BAD_NGINX, cwd=tmp_path)
    assert run.code == 1 and run.err == ""
    assert "-:5:9: WS101 [error] location /ws/ proxies with HTTP/1.0" in run.out


def test_stdin_filename_still_names_it(wslint: Callable[..., Run], tmp_path: Path) -> None:
    run = wslint("--isolated", "--stdin-filename", "edge/nginx.conf", "-", stdin=BAD_NGINX, cwd=tmp_path)
    assert run.code == 1
    assert "edge/nginx.conf:5:9: WS101 [error]" in run.out


def test_stdin_of_no_known_kind_is_skipped_as_a_named_file_is(wslint: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    piped = wslint("--isolated", "--output-format", "json", "-", stdin="hello\n", cwd=tmp_path)
    named = wslint("--isolated", "--output-format", "json", "notes.txt", cwd=tmp_path)
    assert piped.code == named.code == 0
    assert json.loads(piped.out)["skipped"] == [{"file": "-", "reason": "not a file of a kind wslint knows; skipped"}]
    assert json.loads(named.out)["skipped"][0]["reason"] == json.loads(piped.out)["skipped"][0]["reason"]
    text = wslint("--isolated", "-", stdin="hello\n", cwd=tmp_path)
    assert text.out == "No files linted: 1 skipped (1 not a config).\n" and text.err == ""


def test_unnamed_stdin_points_at_no_file_in_github_and_sarif(wslint: Callable[..., Run], tmp_path: Path) -> None:
    # `-` is no file of the repository: an annotation or a SARIF result naming it would point nowhere
    github = wslint("--isolated", "--output-format", "github", "-", stdin=BAD_NGINX, cwd=tmp_path)
    assert github.code == 1
    annotations = [line for line in github.out.splitlines() if line.startswith("::error ")]
    assert annotations and all("file=" not in line.split("::")[1] for line in annotations)
    assert any("::-:5:9: WS101 " in line for line in annotations)  # the text still says where
    sarif = json.loads(wslint("--isolated", "--output-format", "sarif", "-", stdin=BAD_NGINX, cwd=tmp_path).out)
    results = sarif["runs"][0]["results"]
    assert results and all("physicalLocation" not in r["locations"][0] for r in results)
    assert {r["locations"][0]["logicalLocations"][0]["name"] for r in results} == {"-"}
    # a name given with --stdin-filename is the repository's file: it stays
    named = wslint(
        "--isolated", "--output-format", "github", "--stdin-filename", "nginx.conf", "-", stdin=BAD_NGINX, cwd=tmp_path
    )
    assert "file=nginx.conf,line=5,col=9" in named.out
