"""Hostile and broken input (issue 9): every row of docs/bad-input.md, run through the real CLI.

Each case lints its bad input beside ``companion.conf``, a good nginx file whose findings are known:
whatever the bad input does, the companion is still linted and reported, nothing prints a traceback,
and the exit code is the one UX.md's table gives. The table in docs/bad-input.md names each case by
its id, and a test keeps the two in step.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run

COMPANION = (
    "events {}\n"
    "http {\n"
    "  server {\n"
    "    listen 80;\n"
    "    location /ws/ {\n"
    "      proxy_pass http://127.0.0.1:8000;\n"
    "      proxy_http_version 1.1;\n"
    "      proxy_set_header Upgrade $http_upgrade;\n"
    '      proxy_set_header Connection "upgrade";\n'
    "      proxy_read_timeout 1h;\n"
    "    }\n"
    "  }\n"
    "}\n"
)
# what the companion always gets (info only: on its own it exits 0)
COMPANION_FINDINGS = {("WS303", 10), ("WS401", 1), ("WS501", 1)}

# a site that forgets to forward Upgrade: WS102 (an error) at its location, whatever else it gets
SITE = (
    "http {\n  server {\n    listen 80;\n    location /ws/ {\n      proxy_pass http://127.0.0.1:8000;\n"
    '      proxy_http_version 1.1;\n      proxy_set_header Connection "upgrade";\n'
    "      proxy_read_timeout 30s;\n    }\n  }\n}\n"
)
HAPROXY = (
    "defaults\n  mode http\n  timeout connect 5s\n  timeout client 1m\n  timeout server 1m\n"
    "  timeout tunnel 1h\nfrontend fe\n  bind :80\n  default_backend ws_app\n"
    "backend ws_app\n  server s1 127.0.0.1:8000\n"
)
CFN_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"
SERVER = "server { listen 80; location /ws/ { proxy_pass http://127.0.0.1:1; } }\n"
ALB = "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
TFTPL = CFN_HEAD + "Resources:\n%{ for name in names ~}\n  ${name}:\n" + ALB + "%{ endfor ~}\n"


@dataclass
class Case:
    id: str
    files: dict[str, bytes | str]
    args: list[str]
    code: int
    # (file, rule) pairs that must be among the findings; rules a file must not have beyond them
    findings: set[tuple[str, str]] = field(default_factory=set)
    only: bool = True  # the bad file has no findings but those listed
    err: str | None = None  # a regex stderr must match
    skipped: str | None = None  # a file JSON skipped[] must list
    message: str | None = None  # a regex the bad file's first finding message must match
    setup: Callable[[Path], None] | None = None
    cwd: str = "."
    # where the good file goes: inside the tree of a case about what lies outside it
    companion: str = "companion.conf"
    line: int | None = None  # the line of the bad file's first finding
    root_reads: bool = False  # permissions do not bite root (CI runs as root): skipped there
    stdin: str | None = None  # what the run reads on stdin (for -)


ENVOY = """\
static_resources:
  listeners:
  - name: main
    address: {{socket_address: {{address: 0.0.0.0, port_value: 8080}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          stream_idle_timeout: {idle}
          upgrade_configs: [{{upgrade_type: websocket}}]
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {{prefix: /ws/}}
                route: {{cluster: app}}
"""


def _bomb() -> str:
    """A billion-laughs CloudFormation template: 9 levels of 9 aliases, a billion strings if expanded."""
    lines = [CFN_HEAD, 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"lol{level}: &l{level} [{refs}]\n")
    lines.append("Resources:\n  LB:\n" + ALB + "    Properties:\n      Tags: *l9\n")
    return "".join(lines)


def _glob_files(tmp: Path) -> None:
    conf_d = tmp / "globs" / "conf.d"
    conf_d.mkdir(parents=True)
    for i in range(1500):
        (conf_d / f"site{i}.conf").write_text(SERVER)


def _outside_links(tmp: Path) -> None:
    (tmp / "elsewhere").mkdir()
    (tmp / "elsewhere" / "secret.conf").write_text("server { location /ws/ { proxy_pass http://127.0.0.1:1; } }\n")
    (tmp / "tree").mkdir(exist_ok=True)
    (tmp / "tree" / "site.conf").write_text(SITE)
    os.symlink(tmp / "elsewhere" / "secret.conf", tmp / "tree" / "linked.conf")
    os.symlink(tmp / "elsewhere", tmp / "tree" / "linked-dir")


def _unreadable(tmp: Path) -> None:
    (tmp / "locked.conf").chmod(0)


def _locked_directory(tmp: Path) -> None:
    (tmp / "tree" / "locked").chmod(0)


def _read_only_directory(tmp: Path) -> None:
    (tmp / "ro").mkdir()
    (tmp / "ro").chmod(0o500)


def _fifo(name: str) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(tmp / name)

    return make


def _link_to_zero(tmp: Path) -> None:
    os.symlink("/dev/zero", tmp / "z.conf")


def _beyond_path_max(tmp: Path) -> None:
    """tree/deep/ddd.../ddd.../...: directories nested past PATH_MAX (4096), made one level at a time."""
    (tmp / "tree" / "deep").mkdir(parents=True)
    fd = os.open(tmp / "tree" / "deep", os.O_RDONLY)
    try:
        for _ in range(24):  # 24 x 201 characters
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with os.fdopen(os.open("lost.conf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write(SITE)
    finally:
        os.close(fd)


def _deep_baseline() -> str:
    return '{"wslint_baseline": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}\n"


CASES = [
    Case("missing-file", {}, ["missing.conf"], 2, err=r"missing\.conf: no such file or directory"),
    Case(
        "no-known-files",
        {"docs/readme.txt": "hello\n", "docs/notes.md": "# notes\n"},
        ["docs"],
        0,
        err=r"docs: no files of a kind wslint knows",
    ),
    Case(
        "unreadable-file",
        {"locked.conf": SITE},
        ["locked.conf"],
        2,
        err=r"locked\.conf: cannot read: permission denied",
        setup=_unreadable,
        root_reads=True,
    ),
    Case(
        "unreadable-directory",
        {"tree/site.conf": SITE, "tree/locked/hidden.conf": SITE},
        ["tree"],
        1,
        {("tree/site.conf", "WS102")},
        only=False,
        err=r"tree/locked: cannot read directory: .*; skipped",
        skipped="tree/locked",
        setup=_locked_directory,
        root_reads=True,
    ),
    Case(
        "path-beyond-path-max",
        {"tree/site.conf": SITE},
        ["tree"],
        1,
        {("tree/site.conf", "WS102")},
        only=False,
        err=r"tree/deep/d+(/d+)*: cannot read directory: .*; skipped",
        setup=_beyond_path_max,
    ),
    Case(
        "fifo-in-walk",
        {"tree/site.conf": SITE},
        ["tree"],
        1,
        {("tree/site.conf", "WS102")},
        only=False,
        err=r"tree/pipe\.conf: a named pipe, not a regular file; skipped",
        skipped="tree/pipe.conf",
        setup=_fifo("tree/pipe.conf"),
    ),
    Case(
        "named-fifo",
        {},
        ["pipe.conf"],
        2,
        err=r"pipe\.conf: not a regular file \(a named pipe\)",
        setup=_fifo("pipe.conf"),
    ),
    Case(
        "fifo-terraform-tfvars",
        {"tf/main.tf": 'resource "aws_lb" "x" {\n  name = "x"\n  idle_timeout = var.idle\n}\nvariable "idle" {}\n'},
        ["tf/main.tf"],
        0,
        setup=_fifo("tf/terraform.tfvars"),
    ),
    Case("named-device", {}, ["/dev/zero"], 2, err=r"/dev/zero: not a regular file \(a character device\)"),
    Case(
        "named-device-kind",
        {},
        ["--kind", "nginx", "/dev/zero"],
        2,
        err=r"/dev/zero: not a regular file \(a character device\)",
    ),
    Case(
        "named-link-to-device",
        {},
        ["z.conf"],
        2,
        err=r"z\.conf: not a regular file \(a character device\)",
        setup=_link_to_zero,
    ),
    Case(
        "baseline-device",
        {},
        ["--baseline", "/dev/zero"],
        2,
        err=r"/dev/zero: cannot read the baseline: not a regular",
    ),
    Case(
        "baseline-too-deep",
        {"deep.json": _deep_baseline()},
        ["--baseline", "deep.json"],
        2,
        err=r"deep\.json: not a wslint baseline: invalid JSON: values nest too deeply",
    ),
    Case(
        "write-baseline-missing-directory",
        {},
        ["--write-baseline", "nowhere/baseline.json"],
        2,
        err=r"nowhere/baseline\.json: cannot write the baseline: ",
    ),
    Case(
        "write-baseline-directory",
        {"adir/keep.txt": "x\n"},
        ["--write-baseline", "adir"],
        2,
        err=r"adir: cannot write the baseline: ",
    ),
    Case(
        "write-baseline-read-only",
        {},
        ["--write-baseline", "ro/baseline.json"],
        2,
        err=r"ro/baseline\.json: cannot write the baseline: ",
        setup=_read_only_directory,
        root_reads=True,
    ),
    Case("binary-file", {"bin.conf": bytes(range(256)) * 8}, ["bin.conf"], 1, {("bin.conf", "WS001")}),
    # the note only with --verbose (issue 20: named files of no kind are skipped quietly, as pre-commit passes them)
    Case("empty-file", {"empty.conf": b""}, ["-v", "empty.conf"], 0, err=r"empty\.conf: empty file, nothing to lint"),
    Case(
        "non-utf8",
        {"latin1.conf": b"# caf\xe9\n" + SITE.encode()},
        ["latin1.conf"],
        1,
        {("latin1.conf", "WS001")},
        message=r"undecodable bytes \(not UTF-8\)",
    ),
    Case(
        "utf8-bom", {"bom.conf": b"\xef\xbb\xbf" + SITE.encode()}, ["bom.conf"], 1, {("bom.conf", "WS102")}, only=False
    ),
    Case("crlf", {"crlf.conf": SITE.replace("\n", "\r\n")}, ["crlf.conf"], 1, {("crlf.conf", "WS102")}, only=False),
    Case(
        "over-max-file-size",
        {"wslint.toml": "max-file-size = 2000\n", "big.conf": "http {\n" + "# pad\n" * 400 + "}\n" + SITE},
        ["big.conf"],
        1,
        {("big.conf", "WS001")},
        message=r"larger than max-file-size",
    ),
    Case(
        "over-max-file-size-terraform",
        {
            "wslint.toml": "max-file-size = 2000\n",
            "big.tf": "# pad\n" * 400 + 'resource "aws_lb" "x" {\n  name = "x"\n}\n',
        },
        ["big.tf"],
        1,
        {("big.tf", "WS001")},
        message=r"larger than max-file-size",
        line=1,
    ),
    Case(
        "stdin-over-max-file-size",
        {"wslint.toml": "max-file-size = 2000\n"},
        ["--stdin-filename", "piped.conf", "-"],
        1,
        {("piped.conf", "WS001")},
        message=r"larger than max-file-size \(more than 2000 bytes\)",
        line=1,
        stdin="events {}\n" * 100_000,
    ),
    Case(
        "utf16-nginx",
        {"tree/u16.conf": SITE.encode("utf-16")},
        ["tree"],
        1,
        {("tree/u16.conf", "WS001")},
        message=r"UTF-16",
        line=1,
    ),
    Case(
        "haproxy-missing-final-lf",
        {"lb.cfg": HAPROXY + "  # the end, without LF"},
        ["lb.cfg"],
        1,
        {("lb.cfg", "WS001")},
        only=False,  # and the rest of the file is linted
        message=r"LF",
        line=12,
    ),
    Case(
        "deep-nesting-nginx",
        {"deep.conf": "http {\n" + "location /a {\n" * 10_000 + "}\n" * 10_001},
        ["deep.conf"],
        1,
        {("deep.conf", "WS001")},
        message=r"nesting deeper than",
    ),
    Case(
        "deep-nesting-yaml",
        {"deep.yaml": CFN_HEAD + "Resources:\n  X: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        ["deep.yaml"],
        1,
        {("deep.yaml", "WS001")},
        # the reason is the YAML parser's own (RecursionError or PyYAML's nesting limit): only its presence is asserted
    ),
    Case(
        "deep-nesting-json",
        {"deep.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + "[" * 10_000 + "]" * 10_000 + "}"},
        ["deep.json"],
        1,
        {("deep.json", "WS001")},
        message=r"nest too deeply",
    ),
    Case(
        "deep-nesting-terraform",
        {"deep.tf": 'resource "aws_lb" "x" {\n  idle_timeout = ' + "[" * 10_000 + "]" * 10_000 + "\n}\n"},
        ["deep.tf"],
        1,
        {("deep.tf", "WS001")},
        message=r"nested too deeply",
    ),
    Case(
        "one-megabyte-line",
        {"long.conf": "# " + "x" * 1_000_000 + "\n" + SITE},
        ["long.conf"],
        1,
        {("long.conf", "WS102")},
        only=False,
    ),
    Case(
        "one-megabyte-line-haproxy",
        {"long.cfg": "  # " + "y" * 1_000_000 + "\n" + HAPROXY.replace("  timeout tunnel 1h\n", "")},
        ["long.cfg"],
        1,
        {("long.cfg", "WS202")},
        only=False,
    ),
    Case(
        "include-cycle",
        {"cycle/a.conf": "http { include b.conf; }\n", "cycle/b.conf": "include a.conf;\n"},
        ["cycle/a.conf"],
        1,
        {("cycle/b.conf", "WS001")},
        message=r"include cycle: a\.conf -> b\.conf -> a\.conf",
    ),
    Case(
        "include-self",
        {"self.conf": "http { include self.conf; }\n"},
        ["self.conf"],
        1,
        {("self.conf", "WS001")},
        message=r"include cycle: self\.conf -> self\.conf",
    ),
    Case(
        "include-glob-thousands",
        {"globs/nginx.conf": "http { include conf.d/*.conf; }\n"},
        ["globs/nginx.conf"],
        1,
        {("globs/nginx.conf", "WS002")},
        message=r"matches more than 1000 files",
        setup=_glob_files,
    ),
    Case(
        "include-outside-tree",
        {
            "elsewhere/secret.conf": "server { location /ws/ { proxy_pass http://x; } }\n",
            "tree/nginx.conf": "http { include ../elsewhere/secret.conf; }\n",
        },
        ["tree/nginx.conf"],
        0,
        {("tree/nginx.conf", "WS002")},
        message=r"points outside the linted tree",
        companion="tree/companion.conf",
    ),
    Case(
        "symlink-outside-tree",
        {},
        ["tree"],
        1,
        {("tree/site.conf", "WS102")},
        only=False,
        err=r"tree/linked\.conf: symbolic link to a file outside the linted tree .*; not followed",
        skipped="tree/linked-dir",
        setup=_outside_links,
        companion="tree/companion.conf",
    ),
    Case(
        "nginx-unterminated-quote",
        {"quote.conf": 'http { server { location /ws/ { proxy_set_header X "abc; } } }\n'},
        ["quote.conf"],
        1,
        {("quote.conf", "WS001")},
        message=r"unterminated quoted string",
    ),
    Case(
        "nginx-unterminated-brace",
        {"brace.conf": "http { server { location /ws/ { proxy_pass http://x;\n"},
        ["brace.conf"],
        1,
        {("brace.conf", "WS001")},
        message=r'unexpected end of file, expecting "}"',
    ),
    Case(
        "haproxy-unterminated-quote",
        {"quote.cfg": HAPROXY + '  http-request set-header X "abc\n'},
        ["quote.cfg"],
        1,
        {("quote.cfg", "WS001")},
        message=r"unmatched quote",
        only=False,
    ),
    Case(
        "haproxy-unterminated-brace",
        {"brace.cfg": HAPROXY.replace("  default_backend ws_app\n", "  use_backend ws_app if { path_beg /ws\n")},
        ["brace.cfg"],
        1,
        {("brace.cfg", "WS001")},
        message=r"missing closing '\}' in condition",
        only=False,
    ),
    Case(
        "terraform-syntax-error",
        {"bad.tf": 'resource "aws_lb" "x" {\n  idle_timeout = \n'},
        ["bad.tf"],
        1,
        {("bad.tf", "WS001")},
        message=r"Terraform syntax error",
    ),
    Case(
        "yaml-syntax-error",
        {"bad.yaml": CFN_HEAD + "Resources:\n  LB: {Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"},
        ["bad.yaml"],
        1,
        {("bad.yaml", "WS001")},
    ),
    Case(
        "helm-template",
        {
            "chart/templates/ingress.yaml": "{{- if .Values.ingress.enabled }}\n"
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
            "  name: {{ .Values.name }}\n  annotations:\n"
            '    nginx.ingress.kubernetes.io/proxy-read-timeout: "{{ .Values.timeout }}"\n'
            "{{- end }}\n"
        },
        ["chart"],
        0,
        err=r"ingress\.yaml: template \(a template action .* at line 1\); skipped",
        skipped="chart/templates/ingress.yaml",
    ),
    Case(
        "terraform-templated-yaml",
        {"lb.yaml.tftpl": TFTPL, "templates/stack.yaml": TFTPL},
        ["lb.yaml.tftpl", "templates"],
        0,
        err=r"lb\.yaml\.tftpl: template \(a template directive .* at line 3\); skipped",
        skipped="templates/stack.yaml",
    ),
    Case(
        "yaml-python-tag",
        {
            "tagged.yaml": CFN_HEAD
            + "Resources:\n  LB:\n"
            + ALB
            + "    Properties: !!python/object/apply:os.system ['touch PWNED']\n"
        },
        ["tagged.yaml"],
        1,
        {("tagged.yaml", "WS001")},
        message=r"python/object/apply:os\.system is not allowed",
    ),
    Case(
        "yaml-alias-bomb",
        {"bomb.yaml": _bomb()},
        ["bomb.yaml"],
        1,
        {("bomb.yaml", "WS001")},
        message=r"alias bomb",
    ),
    Case(
        "invalid-durations-nginx",
        {
            "times.conf": SITE.replace(
                "proxy_read_timeout 30s;", "proxy_read_timeout 10x; proxy_send_timeout -5s;"
            ).replace("proxy_http_version 1.1;", "proxy_http_version 1.1; proxy_connect_timeout 1e9d;")
        },
        ["times.conf"],
        1,
        {("times.conf", "WS206")},
        only=False,
    ),
    Case(
        "invalid-durations-haproxy",
        {
            "times.cfg": HAPROXY.replace("client 1m", "client 10x")
            .replace("server 1m", "server -5s")
            .replace("1h", "1e9d")
        },
        ["times.cfg"],
        1,
        {("times.cfg", "WS206")},
        only=False,
    ),
    Case(
        "invalid-durations-terraform",
        {"lb.tf": 'resource "aws_lb" "x" {\n  load_balancer_type = "application"\n  idle_timeout = "10x"\n}\n'},
        ["lb.tf"],
        1,
        {("lb.tf", "WS206")},
        only=False,
    ),
    Case(
        "deep-nesting-caddyfile",
        {"Caddyfile": "a.com {\n" + "a {\n" * 10_000 + "}\n" * 10_000 + "}\n"},
        ["Caddyfile"],
        1,
        {("Caddyfile", "WS001")},
        message=r"nested more than 100 deep",
    ),
    Case(
        "deep-nesting-toml",
        {"traefik.toml": '[entryPoints.web]\naddress = ":80"\nx = ' + "[" * 10_000 + "]" * 10_000 + "\n"},
        ["traefik.toml"],
        1,
        {("traefik.toml", "WS001")},
        message=r"nest too deeply",
    ),
    Case(
        "caddyfile-unclosed-brace",
        {"Caddyfile": "a.com {\n\treverse_proxy /ws/* app:80\n"},
        ["Caddyfile"],
        1,
        {("Caddyfile", "WS001")},
        line=1,
    ),
    Case(
        "invalid-durations-envoy",
        {"envoy.yaml": ENVOY.format(idle="1h")},
        ["envoy.yaml"],
        1,
        {("envoy.yaml", "WS206")},
        only=False,
    ),
    Case(
        "envoy-upgrade-configs-not-a-list",
        {
            "envoy.yaml": ENVOY.format(idle="3600s").replace(
                "upgrade_configs: [{upgrade_type: websocket}]", "upgrade_configs: websocket"
            )
        },
        ["envoy.yaml"],
        0,
        {("envoy.yaml", "WS303")},  # its idle timeout, and no WS107: the upgrade is unknown
        err=r"upgrade_configs is a list of UpgradeConfig objects",
    ),
    Case(
        "invalid-durations-traefik",
        {
            "traefik.toml": '[entryPoints.web]\naddress = ":80"\n[entryPoints.web.transport.respondingTimeouts]\n'
            'readTimeout = "10x"\n'
        },
        ["traefik.toml"],
        1,
        {("traefik.toml", "WS206")},
        line=4,
    ),
    Case(
        "invalid-durations-kong",
        {
            "kong.yaml": '_format_version: "3.0"\nservices:\n- name: chat\n  url: http://chat:80\n  read_timeout: 60s\n'
            "  routes:\n  - name: ws\n    paths: [/ws]\n"
        },
        ["kong.yaml"],
        1,
        {("kong.yaml", "WS206")},
        only=False,
    ),
    Case(
        "config-unknown-key",
        {"wslint.toml": "slect = ['WS1']\n", "site.conf": SITE},
        ["site.conf"],
        2,
        err=r"wslint\.toml.*slect",
    ),
    Case(
        "config-wrong-type",
        {"wslint.toml": "max-file-size = 'big'\n", "site.conf": SITE},
        ["site.conf"],
        2,
        err=r"wslint\.toml.*max-file-size",
    ),
    Case(
        "config-bad-rule-id",
        {"wslint.toml": "select = ['WS999']\n", "site.conf": SITE},
        ["site.conf"],
        2,
        err=r"wslint\.toml.*WS999",
    ),
    Case(
        "config-bad-duration",
        {"wslint.toml": "ping-interval = '10x'\n", "site.conf": SITE},
        ["site.conf"],
        2,
        err=r"wslint\.toml.*ping-interval",
    ),
    Case(
        "config-too-deep",
        {"wslint.toml": "a = " + "[" * 50_000 + "]" * 50_000 + "\n", "site.conf": SITE},
        ["site.conf"],
        2,
        err=r"wslint\.toml: invalid TOML: values nest too deeply",
    ),
    Case(
        "config-not-regular",
        {"site.conf": SITE},
        ["--config", "pipe.toml", "site.conf"],
        2,
        err=r"pipe\.toml: cannot read config: not a regular file",
        setup=_fifo("pipe.toml"),
    ),
]
CONFIG_CASES = {c.id for c in CASES if c.id.startswith("config-")}


def _lint(case: Case, tmp: Path, wslint: Callable[..., Run]) -> tuple[Run, dict[str, object] | None]:
    for name, content in {**case.files, case.companion: COMPANION}.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    if case.setup:
        case.setup(tmp)
    run = wslint("--output-format", "json", *case.args, case.companion, cwd=tmp / case.cwd, stdin=case.stdin)
    try:
        report = json.loads(run.out)
    except ValueError:
        report = None
    return run, report


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, wslint: Callable[..., Run]) -> None:
    if case.root_reads and (not hasattr(os, "geteuid") or os.geteuid() == 0):
        pytest.skip("root reads and writes whatever the permissions (CI runs as root)")
    if case.id.startswith(("named-device", "named-link", "baseline-device")) and not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    run, report = _lint(case, tmp_path, wslint)
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    assert run.code == case.code, (run.code, run.err, run.out[-2000:])
    if case.err:
        assert re.search(case.err, run.err), run.err
    if case.id in CONFIG_CASES:
        # the config applies to every file: a run with half of it would report what it configures away
        assert run.out == "" and len(run.err.strip().splitlines()) == 1, run.err
        return
    assert report is not None, run.out[-2000:]
    findings = report["findings"]
    assert isinstance(findings, list)
    got = {(f["file"], f["rule"]) for f in findings}
    companion = {(f["rule"], f["line"]) for f in findings if f["file"] == case.companion}
    assert companion == COMPANION_FINDINGS, "the other file of the run is still linted and reported"
    assert case.findings <= got, got
    bad_files = {file for file, _ in case.findings}
    if case.only:
        assert {(file, rule) for file, rule in got if file in bad_files} == case.findings
    for finding in findings:
        if finding["file"] in bad_files:  # every finding says why, whoever words the reason
            assert str(finding["message"]).strip(), finding
    if case.message:
        first = next(f for f in findings if (f["file"], f["rule"]) in case.findings)
        assert re.search(case.message, first["message"]), first["message"]
    if case.line is not None:
        first = next(f for f in findings if (f["file"], f["rule"]) in case.findings)
        assert first["line"] == case.line, first
    if case.skipped:
        assert case.skipped in {s["file"] for s in report["skipped"]}  # type: ignore[union-attr]
    if case.id == "yaml-python-tag":
        assert not (tmp_path / "PWNED").exists()
    if case.id == "symlink-outside-tree":
        assert not any("secret" in f["file"] for f in findings)  # not followed
        assert re.search(r"tree/linked-dir: symbolic link to a directory outside the linted tree", run.err)


def test_crlf_and_bom_keep_lines_and_columns(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    """A CRLF or BOM file gets the findings of its LF twin, at the same lines and columns."""
    variants = {"lf.conf": SITE.encode(), "crlf.conf": SITE.replace("\n", "\r\n").encode()}
    variants["bom.conf"] = b"\xef\xbb\xbf" + SITE.encode()
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
    report = json.loads(wslint("--output-format", "json", *variants, cwd=tmp_path).out)
    by_file: dict[str, list[tuple[object, ...]]] = {}
    for f in report["findings"]:
        by_file.setdefault(f["file"], []).append((f["rule"], f["line"], f["column"], f["end_line"], f["end_column"]))
    assert by_file["lf.conf"] and by_file["crlf.conf"] == by_file["lf.conf"] == by_file["bom.conf"]


def test_over_max_file_size_reads_no_further(tmp_path: Path) -> None:
    """Over the limit, the file is WS001 from its size alone: the process reads nowhere near all of it."""
    import subprocess

    if not os.path.exists("/proc/self/io"):
        pytest.skip("reads are counted with Linux's /proc/self/io")
    (tmp_path / "wslint.toml").write_text("max-file-size = 1000\n")
    (tmp_path / "big.conf").write_text("http {\n" + "# padding\n" * 5_000_000 + "}\n")  # 50 MB
    code = (
        "import sys\n"
        "from wslint.cli import main\n"
        "def read():\n"
        "    return int(next(l for l in open('/proc/self/io') if l.startswith('rchar')).split()[1])\n"
        "before = read()\n"
        "code = main(['--output-format', 'json', 'big.conf'])\n"
        "print(read() - before, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_env()
    )
    assert proc.returncode == 1, proc.stderr
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["WS001"]
    assert int(proc.stderr.strip().splitlines()[-1]) < 10_000_000, "read the 50 MB file beyond the limit"


def test_stdin_without_end_is_read_bounded(tmp_path: Path) -> None:
    """`yes | wslint -`: stdin is read up to max-file-size + 1 bytes, then WS001; the run ends, in little memory.

    The run gets 1 GB of address space: reading without limit ends in a MemoryError, not in a swapping machine.
    """
    import resource
    import subprocess

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    (tmp_path / "wslint.toml").write_text("max-file-size = 100000\n")
    with subprocess.Popen(["yes", "events {}"], stdout=subprocess.PIPE) as endless:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "wslint", "--output-format", "json", "--stdin-filename", "y.conf", "-"],
                stdin=endless.stdout,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                env=_env(),
                preexec_fn=limit_memory,
            )
        finally:
            endless.kill()
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["file"], f["rule"], f["line"]) for f in findings] == [("y.conf", "WS001", 1)]
    assert "larger than max-file-size" in findings[0]["message"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_docs_table_lists_every_case() -> None:
    """docs/bad-input.md has one row per case here, by id: the table users read is the one that is tested.

    A row whose case is a test elsewhere names it as `tests/FILE.py::test_NAME`: that test must exist.
    """
    text = (ROOT / "docs" / "bad-input.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\|[^|]*\|[^|]*\| `([a-z0-9-]+)` \|$", text, re.M))
    tested = {c.id for c in CASES} | {"internal-error-in-a-check", "internal-error-in-a-source"}
    assert documented == tested, (documented - tested, tested - documented)
    elsewhere = re.findall(r"^\|.*\| `(tests/[\w/]+\.py)::(test_\w+)(?:\[[^]`]*\])?` \|$", text, re.M)
    missing = [
        f"{file}::{name}"
        for file, name in elsewhere
        if not (ROOT / file).is_file()
        or not re.search(rf"^(?:async )?def {name}\(", (ROOT / file).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == [], "rows of docs/bad-input.md name tests that do not exist"


INTERNAL = """
import sys
import wslint.checks as checks
from wslint.cli import main
checks.load_all()
original = checks.CHECKS["WS201"]
def broken(model):
    for document in model.documents:
        if document.file.endswith("broken.conf"):
            raise KeyError("a bug")
    return original(model)
checks.CHECKS["WS201"] = broken
sys.exit(main(sys.argv[1:]))
"""


def test_internal_error_in_a_check(tmp_path: Path) -> None:
    """A bug in a check: one line naming the check and the file with a hint to report it, exit 2, the rest printed."""
    import subprocess

    default_timeout = "http {\n  server {\n    location /ws/ {\n      proxy_pass http://127.0.0.1:1;\n    }\n  }\n}\n"
    (tmp_path / "broken.conf").write_text(default_timeout)
    (tmp_path / "fine.conf").write_text(default_timeout)
    proc = subprocess.run(
        [sys.executable, "-c", INTERNAL, "--select", "WS1,WS201", "broken.conf", "fine.conf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if "internal error" in line]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("wslint: error: broken.conf: internal error in check WS201: KeyError")
    assert "please report it at https://github.com/wslint/wslint/issues" in errors[0]
    assert "Traceback" not in proc.stderr
    shown = {(line.split(":")[0], line.split()[1]) for line in proc.stdout.splitlines() if ": WS" in line}
    assert ("fine.conf", "WS201") in shown  # the check still ran on the other file
    assert ("broken.conf", "WS101") in shown  # and the other checks on this one


def test_internal_error_in_a_source(tmp_path: Path) -> None:
    """A bug in a source: that file is an internal error with the hint; the other files are linted."""
    import subprocess

    code = (
        "import sys\n"
        "from wslint.sources import haproxy\n"
        "def broken(self):\n"
        "    raise IndexError('a bug')\n"
        "haproxy._Analysis.run = broken\n"
        "from wslint.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    (tmp_path / "lb.cfg").write_text(HAPROXY)
    (tmp_path / "site.conf").write_text(SITE)
    proc = subprocess.run(
        [sys.executable, "-c", code, "lb.cfg", "site.conf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 2
    assert "lb.cfg: internal error in the HAProxy source: IndexError: a bug; this is a bug in wslint" in proc.stderr
    assert re.search(r"^site\.conf:4:\d+: WS102", proc.stdout, re.M)  # the other file is linted
