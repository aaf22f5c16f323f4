"""Inline suppressions (wslint.suppress) over the block structure of each style (wslint.textblocks).

scan() for every style: end of line, own line before a directive or a block, file-ignore,
ids, prefixes and reasons, quotes, malformed comments, CRLF; apply() and WS003 (wslint.checks.input) for
the unused ones; CloudFormation Metadata through the real source.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wslint import suppress, textblocks
from wslint.checks import Suppressed, finding
from wslint.checks.input import unused_suppression
from wslint.config import Settings
from wslint.model import Finding, Location, Suppression
from wslint.sources import cloudformation
from wslint.sources.registry import Context, Target
from wslint.textblocks import Style


def scan(text: str, style: Style, file: str = "f") -> list[tuple[str, tuple[str, ...], int, int, str, int]]:
    """(scope, rules, first, last, reason, comment line) of each suppression; no problems allowed."""
    found, problems = suppress.scan(text, file, style)
    assert problems == []
    return [(s.scope, s.rules, s.first_line, s.last_line, s.reason, s.location.line or 0) for s in found]


def problems(text: str, style: Style) -> list[tuple[int, str]]:
    return [(where.line or 0, message) for where, message in suppress.scan(text, "f", style)[1]]


# -- nginx (braces) ---------------------------------------------------------------------------------------

NGINX = """\
http {
    server {
        listen 80;  # wslint: ignore[WS501]

        # wslint: ignore[WS201] -- the app pings every 20 s
        location /ws/ {
            proxy_pass http://app;
            # wslint: ignore[WS102]
            proxy_set_header
                Upgrade $http_upgrade;
            proxy_set_header Connection "a#b";   # wslint: ignore[WS103, ws104]
        }
    }

    # wslint: ignore[WS2]
    server {
        location /chat/ { proxy_pass http://chat; }
    }
}
"""


def test_nginx_end_of_line_own_line_and_blocks() -> None:
    assert scan(NGINX, "braces") == [
        ("line", ("WS501",), 3, 3, "", 3),
        ("block", ("WS201",), 6, 12, "the app pings every 20 s", 5),  # the location block
        ("next", ("WS102",), 9, 10, "", 8),  # a directive written over two lines
        ("line", ("WS103", "WS104"), 11, 11, "", 11),
        ("block", ("WS2",), 16, 18, "", 15),  # a whole server block
    ]


def test_nginx_end_of_line_on_a_multi_line_directive_covers_all_of_it() -> None:
    text = "server {\n    proxy_set_header\n        Upgrade $http_upgrade;  # wslint: ignore[WS102]\n}\n"
    assert scan(text, "braces") == [("line", ("WS102",), 2, 3, "", 3)]


def test_nginx_hash_inside_quotes_and_words_is_no_comment() -> None:
    text = (
        'server {\n    set $a "x # wslint: ignore[WS201]";\n    return 200 a#wslint:ignore[WS201];\n'
        "    set $b 'it''s # wslint: ignore[WS1]\n    still quoted';\n}\n"
    )
    assert scan(text, "braces") == []
    structure = textblocks.parse(text, "braces")
    assert [s.text for s in structure.statements][1:] == [
        'set $a "x # wslint: ignore[WS201]"',
        "return 200 a#wslint:ignore[WS201]",
        "set $b 'it''s # wslint: ignore[WS1] still quoted'",
    ]


def test_nginx_lua_block_bodies_are_not_read_as_nginx() -> None:
    text = (
        "location /ws/ {\n    content_by_lua_block {\n        local t = {}  -- }\n"
        "        ngx.say(#t)\n    }\n    # wslint: ignore[WS101]\n    proxy_pass http://a;\n}\n"
    )
    assert scan(text, "braces") == [("next", ("WS101",), 7, 7, "", 6)]


def test_file_ignore_anywhere() -> None:
    text = "server {\n    listen 80;\n}\n# wslint: file-ignore[WS4, WS5] -- capacity is someone else's\n"
    assert scan(text, "braces") == [("file", ("WS4", "WS5"), 1, 4, "capacity is someone else's", 4)]
    text = "server {  # wslint: file-ignore[ALL]\n}\n"
    assert scan(text, "braces") == [("file", ("ALL",), 1, 2, "", 1)]


@pytest.mark.parametrize(
    ("comment", "rules", "reason"),
    [
        ("# wslint: ignore[WS201]", ("WS201",), ""),
        ("#wslint:ignore[ws201,ws3]", ("WS201", "WS3"), ""),
        ("# wslint: ignore[WS201, WS301] -- reason -- with dashes  ", ("WS201", "WS301"), "reason -- with dashes"),
        ("# wslint: ignore[ WS2 WS2 ]— em dash", ("WS2",), "em dash"),
        ("# WSLINT: IGNORE[all]", ("ALL",), ""),
        ("# see JIRA-1 # wslint: ignore[WS201] -- after another comment", ("WS201",), "after another comment"),
    ],
)
def test_ids_prefixes_and_reasons(comment: str, rules: tuple[str, ...], reason: str) -> None:
    [(_, got, _, _, why, _)] = scan(f"listen 80; {comment}\n", "braces")
    assert (got, why) == (rules, reason)


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# wslint: ignor[WS201]", "expected 'ignore[IDS]'"),
        ("# wslint: ignore WS201", "expected 'ignore[IDS]'"),
        ("# wslint: ignore", "needs the rule ids in brackets"),
        ("# wslint: ignore[]", "names no rule"),
        ("# wslint: ignore[WS201] because", "expected 'ignore[IDS]'"),
        ("# wslint: ignore[WS2O1]", "'WS2O1' is not a rule id"),
        ("# wslint: ignore[WS999]", "WS999 names no rule"),
        ("# wslint: ignore[WS001]", "WS001 (parse-error) cannot be suppressed"),
        ("# wslint ignore[WS201]", "with a colon"),
    ],
)
def test_malformed_comments_are_reported_and_ignored(comment: str, message: str) -> None:
    found, reported = suppress.scan(f"listen 80; {comment}\n", "a.conf", "braces")
    assert found == []
    [(where, text)] = reported
    assert (where.file, where.line, where.column) == ("a.conf", 1, 12)
    assert text.startswith("malformed suppression: ") and message in text


def test_a_bad_id_in_a_list_is_reported_and_the_rest_kept() -> None:
    found, reported = suppress.scan("listen 80; # wslint: ignore[WS201, WS999, WS001]\n", "f", "braces")
    assert [s.rules for s in found] == [("WS201",)]
    assert [m for _, m in reported] == [
        "malformed suppression: WS999 names no rule",
        "malformed suppression: WS001 (parse-error) cannot be suppressed",
    ]


def test_prose_mentioning_wslint_is_no_directive() -> None:
    assert problems("# wslint is run in CI\n# see wslint: the docs\n# wslint: the docs\nlisten 80;\n", "braces") == [
        (3, "malformed suppression: expected 'ignore[IDS]' or 'file-ignore[IDS]', optionally followed by ' -- reason'")
    ]
    assert problems("# wslint is run in CI\nlisten 80;\n", "braces") == []


def test_crlf_text() -> None:
    text = NGINX.replace("\n", "\r\n")
    assert scan(text, "braces") == scan(NGINX, "braces")
    found, _ = suppress.scan(text, "f", "braces")
    assert found[1].reason == "the app pings every 20 s"
    assert found[0].location.end_column == 44  # the comment's end, without the CR


def test_a_comment_with_nothing_after_it_covers_nothing() -> None:
    assert scan("listen 80;\n# wslint: ignore[WS201]\n", "braces") == [("next", ("WS201",), 2, 2, "", 2)]


# -- HAProxy (sections) ---------------------------------------------------------------------------------------

HAPROXY = """\
global
    maxconn 4096  # wslint: ignore[WS402]

# wslint: ignore[WS202, WS205] -- tunnels are closed by the app
backend be_ws
    server app1 10.0.0.1:8080
    http-request set-header X-Note "a # b"   # wslint: ignore[WS601]
    # a comment at the end of the section

# wslint: ignore[WS204]
    timeout connect 5s
frontend fe
    bind :80 # wslint: ignore[WS2]
"""


def test_haproxy_section_blocks_and_lines() -> None:
    assert scan(HAPROXY, "sections") == [
        ("line", ("WS402",), 2, 2, "", 2),
        ("block", ("WS202", "WS205"), 5, 11, "tunnels are closed by the app", 4),  # until the next section
        ("line", ("WS601",), 7, 7, "", 7),
        ("next", ("WS204",), 11, 11, "", 10),
        ("line", ("WS2",), 13, 13, "", 13),
    ]


def test_haproxy_quotes_and_escapes() -> None:
    text = 'backend b\n    http-request set-header X "a # wslint: ignore[WS2]"\n    acl a path \\#x\n'
    assert scan(text, "sections") == []
    assert [s.text for s in textblocks.parse(text, "sections").statements][1:] == [
        'http-request set-header X "a # wslint: ignore[WS2]"',
        "acl a path \\#x",
    ]


# -- Terraform (hcl) ----------------------------------------------------------------------------------------

TERRAFORM = """\
# wslint: ignore[WS201] -- listeners are internal
resource "aws_lb" "chat" {
  name = "a#b//c"   // wslint: ignore[WS110]
  tags = {
    note = "${var.a == "#" ? "x" : "y"}"
  }
}

resource "aws_lb_target_group" "chat" {
  // wslint: ignore[WS404] -- drained by the app
  deregistration_delay = (
    10
  )
  description = <<EOT
  # wslint: ignore[WS999]
  EOT
  /* # wslint: ignore[WS1] */
}
"""


def test_terraform_resource_blocks_attributes_and_slash_comments() -> None:
    assert scan(TERRAFORM, "hcl") == [
        ("block", ("WS201",), 2, 7, "listeners are internal", 1),
        ("line", ("WS110",), 3, 3, "", 3),
        ("next", ("WS404",), 11, 13, "drained by the app", 10),
    ]
    structure = textblocks.parse(TERRAFORM, "hcl")
    assert structure.block_path(5) == 'resource "aws_lb" "chat"'
    statement = structure.statement_at(5)
    assert statement is not None and statement.text.startswith("tags = {")


def test_terraform_one_line_blocks() -> None:
    text = 'resource "a" "b" {\n  lifecycle { ignore_changes = [tags] }  # wslint: ignore[WS2]\n  x = 1\n}\n'
    assert scan(text, "hcl") == [("line", ("WS2",), 2, 2, "", 2)]
    structure = textblocks.parse(text, "hcl")
    inner = structure.statement_at(2, 15)
    assert inner is not None and inner.text == "ignore_changes = [tags]"
    assert structure.block_path(2, 15) == 'resource "a" "b" > lifecycle'


# -- YAML (indent) ------------------------------------------------------------------------------------------

YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # wslint: ignore[WS201] -- behind a proxy that pings
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Name: 'x # y'   # wslint: ignore[WS404]
      Description: "a
        # not a comment"
      LoadBalancerAttributes:
      - Key: idle_timeout.timeout_seconds
        # wslint: ignore[WS301]
        Value: 30
      - Key: x
        Value: |
          # wslint: ignore[WS999]
          text

  Web:
    Type: AWS::ElasticLoadBalancingV2::Listener
"""


def test_yaml_mapping_blocks_items_and_quotes() -> None:
    assert scan(YAML, "indent") == [
        ("block", ("WS201",), 4, 17, "behind a proxy that pings", 3),
        ("line", ("WS404",), 7, 7, "", 7),
        ("next", ("WS301",), 13, 13, "", 12),
    ]
    structure = textblocks.parse(YAML, "indent")
    assert (
        structure.block_path(13)
        == "Resources > Alb > Properties > LoadBalancerAttributes > - Key: idle_timeout.timeout_seconds"
    )
    assert structure.block_path(20) == "Resources > Web"


def test_yaml_own_line_before_a_list_item_covers_the_item() -> None:
    text = "Listeners:\n  # wslint: ignore[WS110]\n  - Protocol: HTTP\n    Port: 80\n  - Protocol: TCP\n"
    assert scan(text, "indent") == [("block", ("WS110",), 3, 4, "", 2)]


def test_json_has_no_comments() -> None:
    text = '{"Resources": {"A": {"Description": "# wslint: ignore[WS201]"}}}\n'
    assert suppress.scan(text, "t.json", "none") == ([], [])


@pytest.mark.parametrize(
    ("kind", "file", "style"),
    [
        ("nginx", "nginx.conf", "braces"),
        ("haproxy", "haproxy.cfg", "sections"),
        ("aws", "main.tf", "hcl"),
        ("aws", "main.tf.json", "none"),
        ("aws", "template.yaml", "indent"),
        ("aws", "template.YML", "indent"),
        ("aws", "stack.template", "indent"),
        ("aws", "template.json", "none"),
        ("aws", "lb-attributes.json", "none"),
        ("kubernetes", "ingress.yaml", "indent"),
        ("terraform", "x.tf", "hcl"),
        ("awscli", "dump", "none"),
    ],
)
def test_style_of(kind: str, file: str, style: str) -> None:
    assert textblocks.style_of(kind, file) == style


def test_style_of_an_unnamed_aws_file_follows_its_text() -> None:
    assert textblocks.style_of("aws", "-", "{\n}") == "none"
    assert textblocks.style_of("aws", "-", "Resources: {}") == "indent"


@pytest.mark.parametrize("style", ["braces", "hcl", "sections", "indent", "none"])
def test_broken_text_never_breaks_the_lexers(style: Style) -> None:
    for text in [
        '"unclosed # x\n',
        "{{{ # wslint: ignore[WS2]\n",
        "}}}\n]]\n",
        "<<EOF\n",
        "- - -\n  : :\n",
        "\ufeff",
        "",
    ]:
        structure = textblocks.parse(text, style)
        for statement in structure.statements:
            assert statement.line <= statement.last_line


# -- apply ----------------------------------------------------------------------------------------------------


def at(rule: str, line: int | None, file: str = "a.conf") -> Finding:
    return finding(rule, Location(file=file, line=line, column=5), f"{rule} here")


def sup(
    rules: tuple[str, ...], first: int, last: int, scope: str = "block", line: int = 1, file: str = "a.conf"
) -> Suppression:
    return Suppression(
        location=Location(file=file, line=line, column=5),
        rules=rules,
        reason="why",
        scope=scope,
        first_line=first,
        last_line=last,
    )


ALL_ON = {"WS001", "WS002", "WS003", "WS101", "WS201", "WS301", "WS401"}


def apply(findings: list[Finding], suppressions: dict[str, list[Suppression]], enabled: set[str]) -> list[Finding]:
    """The suppressions applied, then WS003's check after suppressions, as the engine runs it when it is enabled."""
    unused = suppress.apply(findings, suppressions)
    if "WS003" not in enabled:
        return []
    return list(unused_suppression(Suppressed(findings, suppressions, unused, sorted(enabled))))


def test_apply_marks_covered_findings_with_the_reason() -> None:
    findings = [at("WS201", 6), at("WS201", 20), at("WS101", 7), at("WS201", None)]
    unused = apply(findings, {"a.conf": [sup(("WS2",), 6, 12)]}, ALL_ON)
    assert [(f.suppressed, f.justification) for f in findings] == [
        (True, "why"),
        (False, None),
        (False, None),
        (False, None),
    ]
    assert unused == []


def test_file_scope_covers_findings_without_a_line() -> None:
    findings = [at("WS201", None), at("WS301", 3)]
    assert apply(findings, {"a.conf": [sup(("ALL",), 1, 9, "file")]}, ALL_ON) == []
    assert all(f.suppressed for f in findings)


def test_ws001_is_never_suppressed() -> None:
    findings = [at("WS001", 3), at("WS201", 3)]
    apply(findings, {"a.conf": [sup(("ALL",), 1, 9, "file"), sup(("WS0",), 3, 3)]}, ALL_ON)
    assert [f.suppressed for f in findings] == [False, True]


def test_unused_suppression_is_ws003_at_the_comment() -> None:
    findings = [at("WS201", 6)]
    [report] = apply(findings, {"a.conf": [sup(("WS101",), 6, 12, line=5)]}, ALL_ON)
    assert (report.rule, report.location.line, report.severity) == ("WS003", 5, None)
    assert report.message == "unused suppression (WS101): no WS101 finding in the block it precedes (lines 6-12)"
    assert not findings[0].suppressed


def test_the_unused_id_of_a_two_id_list_is_named() -> None:
    findings = [at("WS201", 6)]
    [report] = apply(findings, {"a.conf": [sup(("WS201", "WS301"), 6, 6, "line", line=6)]}, ALL_ON)
    assert findings[0].suppressed
    assert report.message == "unused suppression (WS201, WS301): no WS301 finding on line 6"


def test_no_ws003_for_rules_outside_the_run() -> None:
    suppressions = {"a.conf": [sup(("WS301",), 6, 12), sup(("WS4",), 1, 1)]}
    enabled = {"WS001", "WS003", "WS201"}
    assert apply([at("WS201", 6)], suppressions, enabled) == []


def test_no_ws003_when_ws003_is_off() -> None:
    assert apply([], {"a.conf": [sup(("WS301",), 6, 12)]}, ALL_ON - {"WS003"}) == []


def test_no_ws003_in_a_file_with_a_parse_error() -> None:
    suppressions = {"a.conf": [sup(("WS301",), 6, 12)], "b.conf": [sup(("WS301",), 6, 12, file="b.conf")]}
    reports = apply([at("WS001", 30)], suppressions, ALL_ON)
    assert [r.location.file for r in reports] == ["b.conf"]


def test_findings_of_another_file_do_not_use_a_suppression() -> None:
    [report] = apply([at("WS201", 6, "b.conf")], {"a.conf": [sup(("WS201",), 6, 6)]}, ALL_ON)
    assert report.location.file == "a.conf"


def test_an_unused_suppression_can_itself_be_suppressed_by_naming_ws003() -> None:
    suppressions = {"a.conf": [sup(("WS301",), 6, 12, line=5), sup(("WS003",), 1, 40, "file", line=40)]}
    [report] = apply([], suppressions, ALL_ON)
    assert report.suppressed and report.justification == "why"
    # ALL does not hide WS003: it would hide its own report
    [report] = apply([], {"a.conf": [sup(("ALL",), 1, 9, "file", line=9)]}, ALL_ON)
    assert not report.suppressed and report.message == "unused suppression (ALL): no finding in this file"


def test_a_selector_that_names_no_rule_is_reported() -> None:
    [report] = apply([], {"t.yaml": [sup(("FOO",), 3, 9, "resource", file="t.yaml")]}, ALL_ON)
    assert report.message == "unused suppression (FOO): FOO names no rule"


def test_scan_then_apply_on_nginx() -> None:
    found, _ = suppress.scan(NGINX, "n.conf", "braces")
    findings = [at("WS201", 6, "n.conf"), at("WS102", 9, "n.conf"), at("WS104", 11, "n.conf"), at("WS501", 3, "n.conf")]
    reports = apply(findings, {"n.conf": found}, ALL_ON | {"WS102", "WS103", "WS104", "WS501"})
    assert all(f.suppressed for f in findings)
    assert findings[0].justification == "the app pings every 20 s"
    assert [(r.location.line, r.message) for r in reports] == [
        (11, "unused suppression (WS103, WS104): no WS103 finding on line 11"),
        (15, "unused suppression (WS2): no WS2 finding in the block it precedes (lines 16-18)"),
    ]


# -- CloudFormation Metadata, through the real source ---------------------------------------------------------

CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Metadata:
      wslint:
        ignore: [WS201, ws303]
        reason: the clients ping every 20 s
    Properties:
      Subnets: [subnet-1, subnet-2]

  # a comment between resources
  Web:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Metadata:
      wslint:
        ignore: WS110
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
"""

CFN_JSON = """\
{
  "Resources": {
    "Alb": {
      "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
      "Metadata": {"wslint": {"ignore": ["WS201"], "reason": "pings"}},
      "Properties": {"Subnets": ["subnet-1"]}
    },
    "Web": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Metadata": {"wslint": {"ignore": "WS2, WS3"}}}
  }
}
"""


def load_template(tmp_path: Path, name: str, text: str) -> list[Suppression]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    documents, errors = cloudformation.load([Target(str(path), name, "cloudformation", True)], Context(Settings()))
    assert errors == []
    [document] = documents
    return document.suppressions


def test_cloudformation_yaml_metadata(tmp_path: Path) -> None:
    alb, web = load_template(tmp_path, "t.yaml", CFN_YAML)
    assert (alb.scope, alb.rules, alb.first_line, alb.last_line, alb.reason) == (
        "resource",
        ("WS201", "WS303"),
        3,
        10,
        "the clients ping every 20 s",
    )
    assert (alb.location.file, alb.location.line) == ("t.yaml", 7)
    assert (web.rules, web.first_line, web.last_line, web.reason, web.location.line) == (("WS110",), 13, 21, "", 17)


def test_cloudformation_json_metadata(tmp_path: Path) -> None:
    alb, web = load_template(tmp_path, "t.json", CFN_JSON)
    assert (alb.rules, alb.first_line, alb.last_line, alb.reason, alb.location.line) == (("WS201",), 3, 7, "pings", 5)
    assert (web.rules, web.first_line, web.last_line, web.location.line) == (("WS2", "WS3"), 8, 8, 8)


def test_cloudformation_without_metadata_has_no_suppressions(tmp_path: Path) -> None:
    text = CFN_YAML.replace("    Metadata:\n      wslint:\n        ignore: WS110\n", "")
    assert [s.rules for s in load_template(tmp_path, "t.yaml", text)] == [("WS201", "WS303")]
    assert load_template(tmp_path, "u.yaml", "Resources:\n  A:\n    Type: X\n    Metadata: {wslint: {}}\n") == []
