"""CloudFormation templates (issue 4): the safe YAML/JSON loader, values, load balancers and rules.

Fixtures are in tests/fixtures/cloudformation; the shared corpus (../shared/corpus/cloudformation)
is read in place, and every finding on it was looked at by hand (see ``CORPUS_FINDINGS``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Linted

from wslint.config import Settings
from wslint.sources import cloudformation
from wslint.sources.aws_spec import LoadBalancerSpec
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import ALIAS_BUDGET, YamlError, load, to_python

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"
Lint = Callable[..., Linted]


def fixture(name: str) -> dict[str, str]:
    return {name: (FIXTURES / name).read_text(encoding="utf-8")}


def run(lint: Lint, name: str, *args: str) -> Linted:
    result = lint(fixture(name), name, *args)
    assert "Traceback" not in result.err, result.err
    assert result.code in (0, 1), (result.code, result.err)
    return result


def spec_of(name: str) -> list[LoadBalancerSpec]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    root = load(text)
    assert root is not None
    specs = cloudformation._Template(root, name).read()
    assert specs is not None
    return specs


# -- the loader ---------------------------------------------------------------------------------------


def test_short_tags_map_to_long_forms_at_the_tag() -> None:
    node = load(
        "A: !Ref P\nB: !GetAtt R.Arn.Part\nC: !Sub '${X}'\nD: !If [c, 1, 2]\nE: !Condition c\n"
        "F: !Base64 {Fn::Sub: x}\nG: !Join ['', [a, !Ref AWS::Region]]\nH: !Equals [a, b]\nI: !GetAZs ''\n"
        "J: !Cidr [a, 1, 2]\nK: !Select [0, !Split [',', 'a,b']]\nL: !FindInMap [M, k, v]\nM: !ImportValue x\n"
        "N: !And [!Not [!Condition c], !Or [!Condition d]]\n"
    )
    assert node is not None
    assert to_python(node) == {
        "A": {"Ref": "P"},
        "B": {"Fn::GetAtt": ["R", "Arn.Part"]},
        "C": {"Fn::Sub": "${X}"},
        "D": {"Fn::If": ["c", 1, 2]},
        "E": {"Condition": "c"},
        "F": {"Fn::Base64": {"Fn::Sub": "x"}},
        "G": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
        "H": {"Fn::Equals": ["a", "b"]},
        "I": {"Fn::GetAZs": ""},
        "J": {"Fn::Cidr": ["a", 1, 2]},
        "K": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
        "L": {"Fn::FindInMap": ["M", "k", "v"]},
        "M": {"Fn::ImportValue": "x"},
        "N": {"Fn::And": [{"Fn::Not": [{"Condition": "c"}]}, {"Fn::Or": [{"Condition": "d"}]}]},
    }
    ref = node.get("A")
    assert ref is not None and (ref.line, ref.column) == (1, 4)
    inner = ref.get("Ref")
    assert inner is not None and inner.value == "P" and inner.line == 1


def test_lines_and_columns_are_one_based_for_yaml_and_json() -> None:
    yaml_node = load("a:\n  b: [1, 'x']\n")
    assert yaml_node is not None
    b = yaml_node.get("a")
    assert b is not None
    value = b.get("b")
    assert value is not None and value.items is not None
    assert [(i.line, i.column, i.value) for i in value.items] == [(2, 7, 1), (2, 10, "x")]
    json_node = load('{\n\t"a": {"b":\t[1, "x", 1e5, null, true]}\n}')
    assert json_node is not None
    inner = json_node.get("a")
    assert inner is not None
    values = inner.get("b")
    assert values is not None and values.items is not None
    assert [i.value for i in values.items] == [1, "x", 100000.0, None, True]
    assert (values.items[1].line, values.items[1].column) == (2, 17)


def test_json_that_yaml_cannot_follow_still_loads() -> None:
    node = load('{"Resources"\n: {"a": 1}}')
    assert node is not None and to_python(node) == {"Resources": {"a": 1}}


def test_json_must_be_json() -> None:
    with pytest.raises(YamlError) as caught:
        load('{\n  "a": [1,],\n}')
    assert caught.value.message.startswith("invalid JSON") and caught.value.line == 2


def test_python_tags_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for text in (
        f'a: !!python/object/apply:os.system ["touch {marker}"]\n',
        f'a: !!python/object/new:subprocess.check_call [["touch", "{marker}"]]\n',
        "a: !!python/name:os.system\n",
        "a: !<tag:example.com,2000:thing> x\n",
    ):
        with pytest.raises(YamlError, match="not allowed"):
            load(text)
    assert not marker.exists()


def test_alias_bomb_is_bounded() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[index]
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    started = time.perf_counter()
    with pytest.raises(YamlError, match="alias bomb"):
        load("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 10


def test_aliases_within_the_budget_expand() -> None:
    node = load("base: &base {Key: idle_timeout.timeout_seconds, Value: '30'}\nlist: [*base, *base]\n")
    assert node is not None and to_python(node)["list"] == [{"Key": "idle_timeout.timeout_seconds", "Value": "30"}] * 2
    merged = load("base: &base {a: 1, b: 2}\nother:\n  <<: *base\n  b: 3\n")
    assert merged is not None and to_python(merged)["other"] == {"a": 1, "b": 3}
    assert ALIAS_BUDGET >= 10_000


def test_recursive_alias_and_deep_nesting_are_errors() -> None:
    with pytest.raises(YamlError, match="recursive"):
        load("a: &a [1, *a]\n")
    with pytest.raises(YamlError, match="nest"):
        load("a: " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(YamlError, match="nest"):
        load('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_unknown_local_tags_are_expressions() -> None:
    node = load("a: !Rain::Embed file.txt\n")
    assert node is not None and to_python(node) == {"a": {"!Rain::Embed": "file.txt"}}
    assert cloudformation.intrinsic(node.get("a")) is not None


# -- through the CLI ------------------------------------------------------------------------------------


def test_default_idle_timeout_is_ws201_at_the_resource(lint: Lint) -> None:
    result = run(lint, "alb-default.yaml")
    assert result.rules_at() == {("WS201", 4), ("WS303", 4)}
    assert result.code == 1


def test_literal_idle_timeout_with_long_ping_is_ws301_at_the_value(lint: Lint) -> None:
    result = run(lint, "alb-literal.yaml", "--ping-interval", "20s")
    (finding,) = result.only("WS301")
    assert (finding["line"], finding["column"]) == (10, 18)
    assert "30s" in str(finding["message"])
    assert not result.only("WS201")
    assert run(lint, "alb-literal.yaml", "--ping-interval", "15s").findings == []


def test_parameter_default_is_the_value_located_where_used(lint: Lint) -> None:
    result = run(lint, "alb-parameter.yaml", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 18)}  # the !Ref, not the Default (line 5)
    (finding,) = result.findings
    related = finding["related"]
    assert isinstance(related, list) and [(r["line"], r["column"]) for r in related] == [(5, 14)]
    (spec,) = spec_of("alb-parameter.yaml")
    assert spec.kind == "alb"  # Type: !Ref LoadBalancerType, Default application
    idle = spec.idle_timeout
    assert idle is not None and idle.value == 30 and idle.location.line == 18
    assert idle.related is not None and idle.related.line == 5


def test_unknown_values_fire_nothing(lint: Lint) -> None:
    result = run(lint, "alb-unknown.yaml", "--ping-interval", "5m")
    assert result.findings == [] and result.code == 0
    specs = spec_of("alb-unknown.yaml")
    assert len(specs) == 7
    for spec in specs:
        assert spec.idle_timeout is not None and spec.idle_timeout.value is None, spec.name


def test_conditional_items_for_other_keys_leave_the_idle_timeout_known(lint: Lint) -> None:
    result = run(lint, "alb-conditional-other-keys.yaml", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 10)}


def test_out_of_range_is_ws206_at_the_value(lint: Lint) -> None:
    result = run(lint, "out-of-range.yaml")
    found = {(f["line"], str(f["message"]).split(":")[0]) for f in result.only("WS206")}
    assert found == {
        (8, "idle_timeout.timeout_seconds 4001"),
        (21, "tcp.idle_timeout.seconds 59"),
        (26, "ConnectionSettings.IdleTimeout 3601"),
    }
    assert not run(lint, "in-range.yaml").only("WS206")


def test_short_tags_load(lint: Lint) -> None:
    result = run(lint, "short-tags.yaml", "--ping-interval", "5m")
    assert result.findings == []  # FindInMap is unknown: nothing fires


def test_json_template(lint: Lint) -> None:
    result = run(lint, "alb-literal.json", "--ping-interval", "20s")
    assert {(f["rule"], f["line"], f["column"]) for f in result.findings} == {
        ("WS301", 8, 60),
        ("WS601", 26, 28),
        ("WS404", 27, 92),
    }


def test_json_template_with_tabs(lint: Lint) -> None:
    result = run(lint, "tabs.json")
    (finding,) = result.findings
    assert finding["rule"] == "WS206" and finding["line"] == 6  # 1e5 is a number, not whole seconds


def test_classic_elb(lint: Lint) -> None:
    result = run(lint, "classic.yaml", "--ping-interval", "20s")
    assert {(f["rule"], f["line"]) for f in result.findings} == {("WS110", 8), ("WS201", 3)}
    (ws110,) = result.only("WS110")
    assert ws110["hops"] == ["WebElb"] and "HTTP listener" in str(ws110["message"])


def test_target_groups_ws404_and_ws601(lint: Lint) -> None:
    result = run(lint, "target-groups.yaml", "--ping-interval", "20s")
    assert {(f["rule"], f["line"]) for f in result.findings} == {
        ("WS601", 32),  # the ALB target group's /ws health check (the NLB's TCP check has no path)
        ("WS404", 35),  # ALB: 10 s
        ("WS404", 72),  # NLB with connection termination: 5 s (the NLB group without it: nothing)
    }
    (ws404,) = [f for f in result.only("WS404") if f["line"] == 35]
    assert ws404["hops"] == ["Alb"]


def test_min_deregistration_delay_option(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "wslint.toml").write_text('min-deregistration-delay = "8s"\n', encoding="utf-8")
    result = lint(fixture("target-groups.yaml"), "target-groups.yaml", "--config", "wslint.toml")
    assert {f["line"] for f in result.only("WS404")} == {72}  # 5 s < 8 s; 10 s is not


def test_unattributed_target_group_is_behind_every_fitting_load_balancer(lint: Lint) -> None:
    result = run(lint, "unattributed.yaml")
    (finding,) = result.only("WS404")
    assert finding["line"] == 19 and finding["hops"] == ["First", "Second"]  # not the NLB


def test_target_group_behind_a_load_balancer_of_another_stack(lint: Lint) -> None:
    result = run(lint, "service-outside.yaml")
    assert {(f["rule"], f["line"]) for f in result.findings} == {("WS601", 9), ("WS404", 12)}


def test_nlb_listener_idle_timeout(lint: Lint) -> None:
    result = run(lint, "nlb-keepalive.yaml", "--ping-interval", "90s")
    (finding,) = result.findings
    assert (finding["rule"], finding["line"]) == ("WS301", 15)  # the tcp.idle_timeout.seconds Value
    assert not run(lint, "nlb-keepalive.yaml", "--ping-interval", "60s").findings  # UDP, gateway: no hop


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Lb:\n    Type: [\n", 5),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Type: AWS::ElasticLoadBalancingV2::Listener\n", 3),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Lb:\n    Properties: {}\n", 3),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Lb: AWS::ElasticLoadBalancingV2::Listener\n", 3),
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::"
            "LoadBalancer\n    Properties:\n      LoadBalancerAttributes:\n        Key: idle_timeout.timeout_seconds\n",
            7,
        ),
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::"
            "LoadBalancer\n    Properties:\n      LoadBalancerAttributes:\n        - Value: '30'\n",
            7,
        ),
        ('{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"Lb": {"Type": 1,}}}', 2),
        ("AWSTemplateFormatVersion: '2010-09-09'\nx: !!python/object/apply:os.system [id]\nResources: {}\n", 2),
    ],
)
def test_syntax_and_structure_errors_are_ws001(lint: Lint, text: str, line: int) -> None:
    name = "t.json" if text.startswith("{") else "t.yaml"
    result = lint({name: text}, name)
    assert "Traceback" not in result.err
    assert ("WS001", line) in result.rules_at(), result.findings
    assert result.code == 1


def test_alias_bomb_through_the_cli(lint: Lint) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index, name in enumerate("bcdefghij"):
        lines.append(f"{name}: &{name} [{','.join(['*' + 'abcdefghij'[index]] * 9)}]")
    lines.append("Resources: {}")
    started = time.perf_counter()
    result = lint({"bomb.yaml": "\n".join(lines) + "\n"}, "bomb.yaml")
    assert time.perf_counter() - started < 10
    assert "Traceback" not in result.err
    assert [f["rule"] for f in result.findings] == ["WS001"]


def test_a_yaml_file_without_resources_is_not_a_template(lint: Lint) -> None:
    result = lint({"t.yaml": "Description: a list of AWS types\nType: AWS::S3::Bucket\n"}, "t.yaml")
    assert result.findings == [] and result.code == 0


def test_max_file_size_and_undecodable_bytes(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n" + "#" * 200, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: \xff\nResources: {}\n")
    files = [(str(big), "big.yaml"), (str(bad), "bad.yaml"), (str(tmp_path / "gone.yaml"), "gone.yaml")]
    documents, errors = cloudformation.load(
        [Target(real, name, "cloudformation", True) for real, name in files], Context(Settings(max_file_size=100))
    )
    assert [p.message for d in documents for p in d.problems] == [
        "file is larger than max-file-size (253 > 100 bytes)",
        "undecodable bytes (not UTF-8) at byte 52",
    ]
    assert [d.problems[0].location.line for d in documents] == [1, 2]
    assert errors == ["gone.yaml: cannot read: No such file or directory"]


def test_stdin_contents_are_read_instead_of_the_file() -> None:
    text = (FIXTURES / "alb-default.yaml").read_bytes()
    documents, errors = cloudformation.load(
        [Target("/nowhere/t.yaml", "t.yaml", "cloudformation", True)],
        Context(Settings(), stdin={"/nowhere/t.yaml": text}),
    )
    assert errors == [] and [h.name for d in documents for h in d.hops] == ["PublicLoadBalancer"]


# -- the shared corpus ----------------------------------------------------------------------------------

# Every finding on ../shared/corpus/cloudformation, each looked at by hand against the template:
# the ALBs set idle_timeout.timeout_seconds to 30 (WS303 at the value) or leave it at 60 (WS201 at
# the HTTP(S) listener, WS303 at the resource), widdix passes 60 through !Ref LoadBalancerIdleTimeout
# (Default 60, WS303 at the !Ref); the Classic ELB samples listen on HTTP/HTTPS (WS110), the Rain
# module's target group deregisters after 10 s and widdix's default target group after 0 s (WS404);
# the NLB's TCP listener keeps the default 350 s (WS303). Service stacks whose listener rules point
# at an imported listener have unknown ALB settings, health checks on / and delays >= 30 s: nothing.
ACT = "aws-cloudformation__aws-cloudformation-templates/"
ELB = ACT + "ElasticLoadBalancing__"
CORPUS_FINDINGS = {
    ("WS303", ACT + "AutoScaling__AutoScalingMultiAZWithNotifications.yaml", 261),
    ("WS201", ACT + "AutoScaling__AutoScalingMultiAZWithNotifications.yaml", 261),
    ("WS303", ACT + "ECS__EC2LaunchType__clusters__private-vpc.json", 627),
    ("WS303", ACT + "ECS__EC2LaunchType__clusters__private-vpc.json", 722),
    ("WS303", ACT + "ECS__EC2LaunchType__clusters__private-vpc.yaml", 464),
    ("WS303", ACT + "ECS__EC2LaunchType__clusters__private-vpc.yaml", 528),
    ("WS303", ACT + "ECS__EC2LaunchType__clusters__public-vpc.yaml", 332),
    ("WS303", ACT + "ECS__ECS_Schedule_Example.json", 276),
    ("WS303", ACT + "ECS__ECS_Schedule_Example.yaml", 204),
    ("WS303", ACT + "ECS__FargateLaunchType__clusters__public-vpc.json", 201),
    ("WS303", ACT + "ECS__FargateLaunchType__clusters__public-vpc.yaml", 168),
    ("WS303", ELB + "ELBStickinessSample.yaml", 120),
    ("WS110", ELB + "ELBStickinessSample.yaml", 132),
    ("WS201", ELB + "ELBStickinessSample.yaml", 120),
    ("WS303", ELB + "ELBWithLockedDownAutoScaledInstances.yaml", 214),
    ("WS110", ELB + "ELBWithLockedDownAutoScaledInstances.yaml", 220),
    ("WS201", ELB + "ELBWithLockedDownAutoScaledInstances.yaml", 214),
    ("WS303", ELB + "ELB_Access_Logs_And_Connection_Draining.json", 137),
    ("WS110", ELB + "ELB_Access_Logs_And_Connection_Draining.json", 146),
    ("WS201", ELB + "ELB_Access_Logs_And_Connection_Draining.json", 137),
    ("WS303", ELB + "ELB_Access_Logs_And_Connection_Draining.yaml", 108),
    ("WS110", ELB + "ELB_Access_Logs_And_Connection_Draining.yaml", 115),
    ("WS201", ELB + "ELB_Access_Logs_And_Connection_Draining.yaml", 108),
    ("WS303", ELB + "NetworkLoadBalancerWithEIPs.yaml", 80),
    ("WS303", ACT + "RainModules__load-balancer.yml", 23),
    ("WS201", ACT + "RainModules__load-balancer.yml", 23),
    ("WS404", ACT + "RainModules__load-balancer.yml", 101),
    ("WS303", ACT + "Solutions__CloudFrontCustomOriginLambda@Edge__CloudFront.json", 677),
    ("WS303", ACT + "Solutions__CloudFrontCustomOriginLambda@Edge__CloudFront.yaml", 514),
    ("WS303", "aws-samples__ecs-refarch-cloudformation/infrastructure__load-balancers.yaml", 23),
    ("WS201", "aws-samples__ecs-refarch-cloudformation/infrastructure__load-balancers.yaml", 23),
    ("WS303", "awslabs__aws-cloudformation-templates/aws__services__ECS__ECS_Schedule_Example.template", 302),
    ("WS303", "nathanpeck__socket.io-chat-fargate/infrastructure__cluster.yml", 156),
    ("WS303", "widdix__aws-cf-templates/ecs__cluster.yaml", 573),
    ("WS404", "widdix__aws-cf-templates/ecs__cluster.yaml", 610),
    ("WS303", "widdix__aws-cf-templates/fargate__cluster.yaml", 189),
    ("WS303", "widdix__aws-cf-templates/fargate__service-dedicated-alb.yaml", 536),
    ("WS303", "widdix__aws-cf-templates/jenkins__jenkins2-ha.yaml", 501),
    ("WS303", "widdix__aws-cf-templates/security__auth-proxy-ha-github-orga.yaml", 348),
    ("WS303", "widdix__aws-cf-templates/wordpress__wordpress-ha.yaml", 616),
    ("WS110", "widdix__aws-cf-templates/wordpress__wordpress-ha.yaml", 625),
}


def _corpus_run(lint: Lint, corpus: Path, *args: str) -> Linted:
    result = lint({}, str(corpus), *args)
    assert "Traceback" not in result.err, result.err
    assert result.code in (0, 1), (result.code, result.err)
    return result


def test_corpus_findings_are_the_reviewed_ones(lint: Lint, shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "cloudformation"
    result = _corpus_run(lint, corpus)
    prefix = str(corpus) + "/"
    found = {(f["rule"], str(f["file"]).removeprefix(prefix), f["line"]) for f in result.findings}
    assert found == CORPUS_FINDINGS
    summary = result.report["summary"]
    assert isinstance(summary, dict)
    manifest = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert summary["files"] == len(manifest)  # every template was linted, none skipped or in error
    assert not [f for f in result.findings if f["rule"] == "WS001"]


def test_corpus_with_a_ping_interval(lint: Lint, shared_dir: Path) -> None:
    """socket.io's 25 s ping against the 30 s ALBs: WS301 exactly where the 30 s values are written."""
    corpus = shared_dir / "corpus" / "cloudformation"
    result = _corpus_run(lint, corpus, "--ping-interval", "25s")
    prefix = str(corpus) + "/"
    ws301 = {(str(f["file"]).removeprefix(prefix), f["line"]) for f in result.only("WS301")}
    thirty = {(file, line) for rule, file, line in CORPUS_FINDINGS if rule == "WS303"}
    expected = set()
    for file, line in thirty:
        text = (corpus / file).read_text(encoding="utf-8").splitlines()[line - 1]
        if '"30"' in text or "'30'" in text:
            expected.add((file, line))
    assert ws301 == expected and len(expected) == 11


def test_every_corpus_template_loads_with_lines(shared_dir: Path) -> None:
    """Each template loads, YAML and JSON alike, and what JSON yields equals json.loads."""
    for path in sorted((shared_dir / "corpus" / "cloudformation").glob("*/*")):
        if path.name == "MANIFEST.tsv":
            continue
        text = path.read_text(encoding="utf-8")
        node = load(text)
        assert node is not None and node.get("Resources") is not None, path
        resources = node.get("Resources")
        assert resources is not None and resources.mapping is not None
        assert all(child.line > 1 for child in resources.mapping.values()), path
        if text.lstrip().startswith("{"):
            assert to_python(node) == json.loads(text), path


HEALTH_CHECK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Protocol: HTTP
      HealthCheckPath: {path}
"""


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        ("/ws", True),
        ("/socket.io/", True),
        ("/cable?x=1", True),
        ("/ws/healthz", False),
        ("'/socket.io/?EIO=4&transport=polling'", False),
        ("/health", False),
        ("!Ref Unknown", False),
    ],
)
def test_ws601_only_on_a_websocket_endpoint(lint: Lint, path: str, fires: bool) -> None:
    result = lint({"t.yaml": HEALTH_CHECK.format(path=path)}, "t.yaml")
    assert bool(result.only("WS601")) == fires, result.findings
    assert all(f["line"] == 9 for f in result.only("WS601"))


def test_health_check_disabled_or_tcp_has_no_path(lint: Lint) -> None:
    disabled = HEALTH_CHECK.format(path="/ws") + "      HealthCheckEnabled: false\n"
    tcp = HEALTH_CHECK.format(path="/ws") + "      HealthCheckProtocol: TCP\n"
    assert not lint({"a.yaml": disabled, "b.yaml": tcp}, "a.yaml", "b.yaml").only("WS601")


def test_dynamic_references_are_not_templates(lint: Lint) -> None:
    text = (FIXTURES / "alb-default.yaml").read_text(encoding="utf-8")
    text += "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: '{{resolve:ssm:pw}}'\n"
    assert ("WS201", 4) in lint({"t.yaml": text}, "t.yaml").rules_at()


# -- which listeners are WebSocket routes: NLB ports and evidence, ALB redirects ------------------------------


def _cfn_nlb_listener(name: str, port: int, group: str) -> str:
    return f"""
  {name}Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Port: {port}
      Protocol: TCP
      ListenerAttributes:
        - Key: tcp.idle_timeout.seconds
          Value: "100"  # {name}
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref {group}
"""


CFN_NLB_PORTS = (
    "Resources:\n  Nlb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Type: network\n"
    + _cfn_nlb_listener("Ssh", 22, "SshGroup")
    + _cfn_nlb_listener("Redis", 6379, "CacheGroup")
    + _cfn_nlb_listener("Https", 443, "WebGroup")
    + _cfn_nlb_listener("Chat", 9000, "WebSocketGroup")
    + _cfn_nlb_listener("App", 7000, "AppGroup")
    + """
  SshGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 22}
  CacheGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 6379, Name: sessions}
  WebGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 8443}
  WebSocketGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 9000}
  AppGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 7000, HealthCheckProtocol: HTTP, HealthCheckPath: /health}
"""
)


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_nlb_listeners_count_on_web_ports_or_with_evidence(lint: Lint) -> None:
    result = lint({"stack.yaml": CFN_NLB_PORTS}, "stack.yaml", "--ping-interval", "200s")
    assert result.rules_at() == {("WS301", _line(CFN_NLB_PORTS, f"# {name}")) for name in ("Https", "Chat", "App")}
    reasons = " ".join(str(f["message"]) for f in result.findings)
    assert "listener 22" not in reasons and "listener 6379" not in reasons


def test_websocket_ports_adds_nlb_listener_ports(lint: Lint) -> None:
    files = {"stack.yaml": CFN_NLB_PORTS, "wslint.toml": "websocket-ports = [6379]\n"}
    result = lint(files, "stack.yaml", "--config", "wslint.toml", "--ping-interval", "200s")
    assert ("WS301", _line(CFN_NLB_PORTS, "# Redis")) in result.rules_at()
    assert ("WS301", _line(CFN_NLB_PORTS, "# Ssh")) not in result.rules_at()


CFN_ALB_REDIRECT = """
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: "30"
  HttpListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: redirect
          RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}
{more}
"""

HTTPS_FORWARD = """
  HttpsListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 443
      Protocol: HTTPS
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Web
  Web:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: HTTP, Port: 80}
"""


def test_redirect_only_listener_is_not_a_route(lint: Lint) -> None:
    result = lint(
        {"stack.yaml": CFN_ALB_REDIRECT.replace("{more}", HTTPS_FORWARD)}, "stack.yaml", "--ping-interval", "20s"
    )
    assert result.rules_at() == {("WS301", 7)}  # the idle timeout's Value (the text starts at Resources)
    message = str(result.findings[0]["message"])
    assert "listener 443" in message and "listener 80" not in message
    # an ALB whose only listener redirects carries nothing: its 30 s is no WS301
    alone = lint({"stack.yaml": CFN_ALB_REDIRECT.replace("{more}", "")}, "stack.yaml", "--ping-interval", "20s")
    assert alone.code == 0 and alone.findings == []


def test_fixed_response_listener_with_a_forwarding_rule_counts(lint: Lint) -> None:
    text = CFN_ALB_REDIRECT.replace("Type: redirect", "Type: fixed-response").replace(
        'RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}', "FixedResponseConfig: {StatusCode: 404}"
    )
    rule = """
  ChatRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref HttpListener
      Priority: 1
      Conditions: [{Field: path-pattern, Values: [/ws/*]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref Chat}]
  Chat:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: HTTP, Port: 80}
"""
    assert lint({"stack.yaml": text.replace("{more}", "")}, "stack.yaml", "--ping-interval", "20s").findings == []
    result = lint({"stack.yaml": text.replace("{more}", rule)}, "stack.yaml", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 7)}  # the idle timeout's Value (the text starts at Resources)
    assert "listener 80" in str(result.findings[0]["message"])
    # a listener the Outputs export gets its rules from other stacks: it may forward
    exported = text.replace("{more}", "") + "Outputs:\n  Listener:\n    Value: !Ref HttpListener\n"
    result = lint({"stack.yaml": exported}, "stack.yaml", "--ping-interval", "20s")
    assert result.rules_at() == {("WS301", 7)}
