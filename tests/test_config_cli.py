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


def test_options_between_paths(wslint: Callable[..., Run], tmp_path: Path) -> None:
    """``wslint a.conf --ping-interval 25s b.conf`` lints both files, as ruff takes options between paths."""
    (tmp_path / "a.conf").write_text(SITE)
    (tmp_path / "b.conf").write_text(SITE)
    for command in ("check", "path"):
        run = wslint(command, "a.conf", "--isolated", "--output-format", "json", "b.conf", cwd=tmp_path)
        assert run.code == 1, (command, run.err)
        assert {f["file"] for f in json.loads(run.out)["findings"]} == {"a.conf", "b.conf"}, command


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
    # without --stdin-filename (issue 20: it was exit 2): told by content, includes relative to the working directory
    run = wslint("-", "--isolated", "--select", "WS101", cwd=tmp_path, stdin=text)
    assert run.code == 1 and run.out.startswith("snippets/ws.conf:1:1: WS101")


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
    # issue 20: skipped quietly (pre-commit passes every .json/.yaml), counted in the summary; the note with -v
    run = wslint("notes.txt", "--isolated", cwd=tmp_path)
    assert run.code == 0 and run.err == "" and run.out == "No files linted: 1 skipped (1 not a config).\n"
    run = wslint("notes.txt", "--isolated", "-v", cwd=tmp_path)
    assert run.code == 0 and "not a file of a kind wslint knows" in run.err


@pytest.mark.parametrize(
    ("text", "what", "line"),
    [
        ("server {\n    listen 80;\n{% if ws %}\n    location /ws/ { proxy_pass http://a; }\n{% endif %}\n}\n",
         "template statement", 3),
        ("server {\n{{- range .Sites }}\n    location /{{ .Name }}/ { proxy_pass http://a; }\n{{- end }}\n}\n",
         "template action", 2),
        ("server {\n    listen 80;\n    {{ if .WS }}proxy_read_timeout 1h;{{ end }}\n}\n", "template action", 3),
        ("server {\n    listen 80;\n    {{ $t := .Timeout }}\n    proxy_read_timeout {{ $t }};\n}\n",
         "template action", 3),
        ("server {\n    listen 80;\n    {{ .Values.extraConfig }}\n}\n", "stands for whole lines", 3),
    ],
    ids=["jinja-if", "go-range", "go-if-inline", "go-variable", "whole-line-placeholder"],
)  # fmt: skip
def test_templates_with_control_structures_are_skipped_with_the_reason(
    lint: Lint, text: str, what: str, line: int
) -> None:
    """Only a template that decides what text there is (or inserts whole lines) is skipped: said, and listed."""
    result = lint({"t.conf": text}, "t.conf")
    assert result.code == 0 and result.findings == []
    [skipped] = result.report["skipped"]  # type: ignore[misc]
    assert skipped["file"] == "t.conf" and what in skipped["reason"] and f"at line {line}" in skipped["reason"]
    assert "t.conf: template (" in result.err and "skipped" in result.err


# a WebSocket location whose values are placeholders, and that forgets the Upgrade header (WS102 still fires)
NGINX_PLACEHOLDERS = """\
server {
    listen {{ .Values.port }};
    location /ws/ {
        proxy_pass http://{{ upstream_host }}:{{UPSTREAM_PORT}};
        proxy_http_version {{HTTP_VERSION}};
        proxy_set_header Connection {{ connection }};
        proxy_read_timeout {{TIMEOUT}};
        proxy_send_timeout ${SEND_TIMEOUT};
        proxy_connect_timeout %%CONNECT_TIMEOUT%%;
    }
}
"""


def test_nginx_value_placeholders_are_unknown_values(lint: Lint) -> None:
    """{{ }}, ${} and %%%% in nginx values: the file is linted, and no rule fires on a placeholder."""
    result = lint({"site.conf.template": NGINX_PLACEHOLDERS}, "site.conf.template")
    assert result.report["skipped"] == []
    assert result.report["summary"]["files"] == 1  # type: ignore[index]
    # what is written is still judged: no Upgrade header
    assert ("WS102", 3) in result.rules_at()
    # the placeholders are unknown: never invalid (WS206), never a wrong version (WS101) or Connection (WS103),
    # and an unknown proxy_read_timeout is no idle-timeout finding either
    assert {f["rule"] for f in result.findings} == {"WS102"}, result.findings
    located = result.only("WS102")[0]
    assert located["column"] == 5  # columns are the source's, placeholders and all
    # and the user is told what was left unchecked, at the first placeholder's line
    note = [line for line in result.err.splitlines() if "site.conf.template:" in line and "placeholder" in line]
    assert len(note) == 1 and "at line 2" in note[0], result.err


def test_a_file_without_placeholders_gets_no_placeholder_note(lint: Lint) -> None:
    """nginx's own ${var} and a placeholder in a comment line are no template placeholders."""
    text = "server {\n    # {{ .Values.comment }}\n    location / {\n        return 200 ${scheme};\n    }\n}\n"
    result = lint({"site.conf": text}, "site.conf")
    assert "placeholder" not in result.err, result.err


def test_nginx_placeholder_twin_with_bad_literals_fires(lint: Lint) -> None:
    """The twin of NGINX_PLACEHOLDERS with the placeholders filled in wrongly: the rules it is spared do fire."""
    bad = (
        NGINX_PLACEHOLDERS.replace("{{HTTP_VERSION}}", "1.0")
        .replace("{{ connection }}", "close")
        .replace("{{TIMEOUT}}", "1x")
    )
    result = lint({"site.conf": bad}, "site.conf")
    assert {("WS101", 5), ("WS103", 6), ("WS206", 7)} <= result.rules_at()


def test_haproxy_value_placeholders_are_unknown_values(lint: Lint) -> None:
    """`timeout tunnel ${TUNNEL}` (envsubst, unquoted), {{ }} with spaces, %%%%: unknown, never WS206."""
    text = (
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client {{ .Values.clientTimeout }}\n"
        "    timeout server %%SERVER_TIMEOUT%%\n    timeout tunnel ${TUNNEL}\n"
        "frontend fe\n    bind :{{ .Values.port }}\n    default_backend be_ws\n"
        "backend be_ws\n    timeout tunnel {{ .Values.tunnel }} {{ bad }}\n    server s1 {{ host }}:8080\n"
    )
    result = lint({"haproxy.cfg": text}, "haproxy.cfg")
    assert result.report["skipped"] == [] and result.report["summary"]["files"] == 1  # type: ignore[index]
    assert not {"WS206", "WS202", "WS204", "WS201"} & {f["rule"] for f in result.findings}, result.findings
    # the same file with a literal bad value: WS206 at that word
    bad = lint({"bad.cfg": text.replace("${TUNNEL}", "1x")}, "bad.cfg")
    assert ("WS206", 6) in bad.rules_at()


HELM_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}-ws
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: {{ .Values.readTimeout }}
    nginx.ingress.kubernetes.io/proxy-send-timeout: "{{ .Values.sendTimeout }}"
spec:
  ingressClassName: nginx
  rules:
    - host: {{ .Values.host }}
      http:
        paths:
          - path: /ws
            pathType: Prefix
            backend:
              service:
                name: {{ .Release.Name }}
                port:
                  number: %%PORT%%
"""


def test_kubernetes_value_placeholders_are_unknown_values(lint: Lint) -> None:
    """An unquoted {{ }} (a flow mapping to YAML) or %%%% is read as the placeholder text, and is unknown."""
    result = lint({"ingress.yaml": HELM_INGRESS}, "ingress.yaml")
    assert result.report["skipped"] == [] and result.report["summary"]["files"] == 1  # type: ignore[index]
    assert result.findings == [], result.findings  # the read timeout is unknown: no WS206, no WS201/WS303
    known = lint({"known.yaml": HELM_INGRESS.replace("{{ .Values.readTimeout }}", '"60"')}, "known.yaml")
    [info] = known.only("WS303")
    assert info["line"] == 6 and "{{ .Release.Name }}-ws" in str(info["message"])  # names as written


def test_aws_value_placeholders_are_unknown_values(lint: Lint) -> None:
    """CloudFormation YAML and Terraform: an idle timeout that is a placeholder is unknown, not WS206."""
    cfn = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  LB:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Name: {{ lb_name }}\n"
        "      LoadBalancerAttributes:\n        - Key: idle_timeout.timeout_seconds\n          Value: %%IDLE%%\n"
    )
    tf = 'resource "aws_lb" "ws" {\n  load_balancer_type = "application"\n  idle_timeout = "{{ idle }}"\n}\n'
    result = lint({"stack.yaml": cfn, "tf/main.tf": tf}, "stack.yaml", "tf")
    assert result.report["summary"]["files"] == 2  # type: ignore[index]
    assert "WS206" not in {f["rule"] for f in result.findings}, result.findings
    bad = lint(
        {"bad.yaml": cfn.replace("%%IDLE%%", "xx"), "bad/main.tf": tf.replace("{{ idle }}", "xx")}, "bad.yaml", "bad"
    )
    assert {("WS206", "bad.yaml", 9), ("WS206", "bad/main.tf", 3)} <= bad.rules_in()


def test_json_with_a_placeholder_outside_a_string_is_skipped(lint: Lint) -> None:
    text = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"LB": {{ lb | tojson }}}}\n'
    result = lint({"stack.json": text}, "stack.json")
    assert result.code == 0 and result.findings == []
    assert "placeholder outside a JSON string" in result.report["skipped"][0]["reason"]  # type: ignore[index]


TEMPLATE = "{% if x %}\nserver { listen 80; }\n{% endif %}\n"


@pytest.mark.parametrize(
    ("files", "args", "code", "summary"),
    [
        ({}, ["missing.conf"], 2, "No files linted: 1 error."),
        ({"notes.txt": "hello\n"}, ["notes.txt"], 0, "No files linted: 1 skipped (1 not a config)."),
        ({"empty.conf": ""}, ["empty.conf"], 0, "No files linted: 1 skipped (1 empty file)."),
        ({"t.conf": "{% if x %}\nserver { listen 80; }\n{% endif %}\n"}, ["t.conf"], 0,
         "No files linted: 1 skipped (1 template)."),
        ({"d/notes.txt": "hello\n"}, ["d"], 0, "No files linted."),
        ({"site.conf": SITE.replace("/ws/", "/api/"), "t.conf": TEMPLATE, "n.txt": "x\n"},
         ["site.conf", "t.conf", "n.txt"], 0, "No findings in 1 file; 2 skipped (1 template, 1 not a config)."),
        ({"site.conf": SITE.replace("/ws/", "/api/")}, ["site.conf", "missing.conf"], 2,
         "No findings in 1 file; 1 error."),
        ({"site.conf": SITE, "t.conf": TEMPLATE}, ["site.conf", "t.conf"], 1,
         "in 1 file; 1 skipped (1 template)."),
        ({"site.conf": SITE.replace("/ws/", "/api/")}, ["site.conf"], 0, "All clean: no findings in 1 file."),
    ],
    ids=["missing", "not-a-config", "empty", "template", "nothing-in-dir", "mixed", "missing-and-file",
         "findings-and-skip", "all-clean"],
)  # fmt: skip
def test_summary_says_what_was_linted_and_skipped(
    wslint: Callable[..., Run], tmp_path: Path, files: dict[str, str], args: list[str], code: int, summary: str
) -> None:
    """The last line says "All clean" only when every file named was linted; else it says what happened."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    run = wslint("--isolated", *args, cwd=tmp_path)
    assert run.code == code, run.err
    last = run.out.rstrip("\n").split("\n")[-1]
    assert last.endswith(summary), run.out
    assert "All clean" not in run.out or summary.startswith("All clean")


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
