"""``wslint aws``: live load balancers read through boto3, tested against moto (no network)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from wslint.aws_command import main as aws_main  # noqa: E402
from wslint.checks import load_all  # noqa: E402
from wslint.sources import aws_live  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example secret


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        data = json.loads(self.out)
        assert isinstance(data, dict)
        return data

    @property
    def findings(self) -> list[dict[str, Any]]:
        found = self.report["findings"]
        assert isinstance(found, list)
        return found

    def at(self) -> set[tuple[str, str]]:
        """{(rule, file)} of every finding; every one has no line."""
        assert all(f["line"] is None and f["column"] is None for f in self.findings)
        return {(f["rule"], f["file"]) for f in self.findings}


def _aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, credentials: bool) -> None:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    empty = tmp_path / "aws-empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    if credentials:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Account]:
    _aws_env(monkeypatch, tmp_path, credentials=True)
    with moto.mock_aws():
        yield Account()


def run(*args: str) -> Run:
    """``wslint aws ARGS`` in-process, JSON report, no config file."""
    argv = [*args, "--isolated"]
    if "--output-format" not in argv:
        argv += ["--output-format", "json"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = aws_main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def where(arn: str) -> str:
    return f"aws://{REGION}/{arn}"


class Account:
    """A moto account with a VPC, two subnets, and helpers that create load balancers."""

    def __init__(self) -> None:
        ec2 = boto3.client("ec2", region_name=REGION)
        self.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [
            ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
                "SubnetId"
            ]
            for i, zone in ((1, "a"), (2, "b"))
        ]
        self.elbv2 = boto3.client("elbv2", region_name=REGION)
        self.elb = boto3.client("elb", region_name=REGION)

    def balancer(self, name: str, kind: str = "application", **attributes: str) -> str:
        arn = str(
            self.elbv2.create_load_balancer(Name=name, Subnets=self.subnets, Type=kind)["LoadBalancers"][0][
                "LoadBalancerArn"
            ]
        )
        if attributes:
            self.elbv2.modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()]
            )
        return arn

    def target_group(self, name: str, protocol: str = "HTTP", **attributes: str) -> str:
        extra = {"HealthCheckPath": "/health"} if protocol in ("HTTP", "HTTPS") else {}
        arn = str(
            self.elbv2.create_target_group(Name=name, Protocol=protocol, Port=80, VpcId=self.vpc, **extra)[
                "TargetGroups"
            ][0]["TargetGroupArn"]
        )
        if attributes:
            self.elbv2.modify_target_group_attributes(
                TargetGroupArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()]
            )
        return arn

    def listener(self, balancer: str, protocol: str = "HTTP", port: int = 80, group: str | None = None) -> str:
        group = group or self.target_group(f"tg-{port}-{balancer[-6:]}", "TCP" if protocol == "TCP" else "HTTP")
        return str(
            self.elbv2.create_listener(
                LoadBalancerArn=balancer,
                Protocol=protocol,
                Port=port,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
            )["Listeners"][0]["ListenerArn"]
        )

    def classic(self, name: str, protocol: str = "HTTP", idle: int | None = None) -> str:
        self.elb.create_load_balancer(
            LoadBalancerName=name,
            Listeners=[{"Protocol": protocol, "LoadBalancerPort": 80, "InstancePort": 8080}],
            AvailabilityZones=[f"{REGION}a"],
        )
        if idle is not None:
            self.elb.modify_load_balancer_attributes(
                LoadBalancerName=name, LoadBalancerAttributes={"ConnectionSettings": {"IdleTimeout": idle}}
            )
        return f"aws://{REGION}/elb/{name}"


def one_line_error(result: Run) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("wslint: error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


# ---- ALB ----------------------------------------------------------------------------------------


def test_alb_with_default_attributes_is_ws201_at_the_load_balancer(aws: Account) -> None:
    alb = aws.balancer("web")
    aws.listener(alb)
    result = run("--region", REGION, "--name", "web")
    assert result.code == 1
    # the default idle timeout is located at the load balancer itself, which should set it
    assert ("WS201", where(alb)) in result.at()
    assert ("WS303", where(alb)) in result.at()
    ws201 = next(f for f in result.findings if f["rule"] == "WS201")
    assert "idle_timeout.timeout_seconds" in ws201["message"] and ws201["hops"] == ["web"]
    assert "listener 80" in ws201["message"]


def test_alb_idle_equal_to_the_default_is_the_default(aws: Account) -> None:
    """The real API always reports idle_timeout.timeout_seconds ("60"); moto leaves it out: same findings."""
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "60"})
    aws.listener(alb)
    assert ("WS201", where(alb)) in run("--region", REGION, "--all").at()


def test_alb_idle_30_with_ping_20s_is_ws301(aws: Account) -> None:
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "30"})
    aws.listener(alb)
    result = run("--region", REGION, "--name", "web", "--ping-interval", "20s")
    assert result.code == 1
    rules = result.at()
    assert ("WS301", where(alb)) in rules
    assert not any(rule == "WS201" for rule, _ in rules)
    ws301 = next(f for f in result.findings if f["rule"] == "WS301")
    assert "idle_timeout.timeout_seconds 30" in ws301["message"]


def test_alb_idle_long_enough_is_clean(aws: Account) -> None:
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "3600"})
    aws.listener(alb)
    result = run("--region", REGION, "--all", "--ping-interval", "25s")
    assert result.code == 0, result
    assert result.findings == []


def test_alb_idle_out_of_range_is_ws206(aws: Account) -> None:
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "4001"})  # moto accepts it; AWS would not
    aws.listener(alb)
    result = run("--region", REGION, "--arn", alb)
    assert result.code == 1
    assert ("WS206", where(alb)) in result.at()
    assert not any(rule in ("WS201", "WS301", "WS303") for rule, _ in result.at())


def test_alb_listener_attributes_are_not_an_idle_timeout(aws: Account) -> None:
    """moto gives every listener tcp.idle_timeout.seconds 350; on an ALB it means nothing."""
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "4000"})
    listener = aws.listener(alb)
    aws.elbv2.modify_listener_attributes(
        ListenerArn=listener, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "10"}]
    )
    result = run("--region", REGION, "--all", "--ping-interval", "1000s")
    assert result.code == 0, result.out


def test_only_http_listeners_of_an_alb_are_routes(aws: Account) -> None:
    alb = aws.balancer("web")
    aws.listener(alb, "HTTP", 80)
    result = run("--region", REGION, "--all")
    assert {file for rule, file in result.at() if rule == "WS201"} == {where(alb)}
    assert "listener 80" in next(f for f in result.findings if f["rule"] == "WS201")["message"]


def test_alb_without_listeners_serves_nothing(aws: Account) -> None:
    aws.balancer("idle-lb")
    result = run("--region", REGION, "--all", "--ping-interval", "25s")
    assert result.code == 0 and result.findings == []


# ---- NLB ----------------------------------------------------------------------------------------


def test_nlb_listener_idle_timeout(aws: Account) -> None:
    nlb = aws.balancer("net", "network")
    listener = aws.listener(nlb, "TCP", 443)
    aws.elbv2.modify_listener_attributes(
        ListenerArn=listener, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "90"}]
    )
    result = run("--region", REGION, "--name", "net", "--ping-interval", "60s")
    assert ("WS301", where(listener)) in result.at()
    assert "tcp.idle_timeout.seconds 90" in result.findings[0]["message"]
    assert not any(rule == "WS201" for rule, _ in result.at())  # an NLB's default is not a WS201
    assert run("--region", REGION, "--name", "net", "--ping-interval", "45s").code == 0


def test_nlb_default_is_350s_and_out_of_range_is_ws206(aws: Account) -> None:
    nlb = aws.balancer("net", "network")
    default = aws.listener(nlb, "TCP", 443)
    bad = aws.listener(nlb, "TCP", 8443)
    aws.elbv2.modify_listener_attributes(
        ListenerArn=bad, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "30"}]
    )
    result = run("--region", REGION, "--all", "--ping-interval", "200s")
    assert ("WS301", where(default)) in result.at()
    assert "5m50s" in next(f["message"] for f in result.findings if f["rule"] == "WS301")
    assert ("WS206", where(bad)) in result.at()


def test_nlb_listener_attributes_denied_is_a_note_not_a_failure(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies written before listener attributes existed may lack DescribeListenerAttributes."""
    nlb = aws.balancer("net", "network")
    aws.listener(nlb, "TCP", 443)
    _deny(monkeypatch, "DescribeListenerAttributes", "AccessDenied")
    result = run("--region", REGION, "--all", "--ping-interval", "500s")
    assert result.code == 0, result
    assert "NLB listener idle timeouts are unknown" in result.err
    assert "WS301" not in {rule for rule, _ in result.at()}  # unknown never fires


# ---- Classic ELB --------------------------------------------------------------------------------


def test_classic_elb_http_listener_idle_30(aws: Account) -> None:
    base = aws.classic("old", "HTTP", idle=30)
    result = run("--region", REGION, "--name", "old", "--ping-interval", "20s")
    assert result.code == 1
    rules = result.at()
    assert ("WS301", base) in rules
    assert not any(rule == "WS201" for rule, _ in rules)
    if "WS110" in load_all():
        assert ("WS110", f"{base}/listener/80") in rules


def test_classic_elb_default_idle_is_ws201(aws: Account) -> None:
    base = aws.classic("old", "TCP")
    result = run("--region", REGION, "--all")
    assert ("WS201", base) in result.at()
    assert ("WS303", base) in result.at()
    assert "WS110" not in {rule for rule, _ in result.at()}  # a TCP listener carries WebSockets


def test_classic_elb_idle_out_of_range_is_ws206(aws: Account) -> None:
    base = aws.classic("old", "TCP", idle=4000)  # the API allows 1-3600; moto accepts anything
    assert ("WS206", base) in run("--region", REGION, "--all").at()


# ---- target groups ------------------------------------------------------------------------------


def test_short_deregistration_delay(aws: Account) -> None:
    if "WS404" not in load_all():
        pytest.skip("WS404 is not written yet")
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "3600"})
    group = aws.target_group("short", **{"deregistration_delay.timeout_seconds": "10"})
    aws.listener(alb, group=group)
    result = run("--region", REGION, "--all", "--ping-interval", "25s")
    assert ("WS404", where(group)) in result.at()
    ws404 = next(f for f in result.findings if f["rule"] == "WS404")
    assert ws404["hops"] == ["web"]


def test_default_deregistration_delay_is_quiet(aws: Account) -> None:
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "3600"})
    aws.listener(alb)
    result = run("--region", REGION, "--all", "--ping-interval", "25s")
    assert result.findings == []


# ---- selection and pagination -------------------------------------------------------------------


def test_pagination_reads_every_load_balancer(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_live, "PAGE_SIZE", 2)
    albs = [aws.balancer(f"web{i}") for i in range(5)]
    for alb in albs:
        aws.listener(alb)
    classics = {aws.classic(f"old{i}", "TCP") for i in range(3)}
    result = run("--region", REGION, "--all")
    assert {file for rule, file in result.at() if rule == "WS201"} == {where(a) for a in albs} | classics


def test_pagination_of_listeners_and_target_groups(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_live, "PAGE_SIZE", 1)
    alb = aws.balancer("web")
    for port in (80, 81, 82):
        aws.listener(alb, "HTTP", port)
    result = run("--region", REGION, "--all")
    [ws201] = [f for f in result.findings if f["rule"] == "WS201"]
    assert ws201["file"] == where(alb)
    assert all(f"listener {port}" in ws201["message"] for port in (80, 81, 82))  # every page was read


def test_name_selects_one_and_arn_selects_one(aws: Account) -> None:
    a = aws.balancer("a")
    aws.listener(a)
    b = aws.balancer("b")
    aws.listener(b)
    aws.classic("c", "TCP")
    assert {f for r, f in run("--region", REGION, "--name", "a").at() if r == "WS201"} == {where(a)}
    assert {f for r, f in run("--region", REGION, "--arn", b).at() if r == "WS201"} == {where(b)}
    assert {f for r, f in run("--region", REGION, "--name", "c").at() if r == "WS201"} == {f"aws://{REGION}/elb/c"}
    # the region comes from the ARN when --region is not given
    assert {f for r, f in run("--arn", b).at() if r == "WS201"} == {where(b)}


def test_name_not_found_is_exit_2(aws: Account) -> None:
    aws.balancer("web")
    line = one_line_error(run("--region", REGION, "--name", "nope"))
    assert "no load balancer named 'nope'" in line and REGION in line


def test_arn_not_found_and_arn_in_another_region(aws: Account) -> None:
    arn = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/gone/0123456789abcdef"
    assert "no load balancer with ARN" in one_line_error(run("--region", REGION, "--arn", arn))
    line = one_line_error(run("--region", "eu-west-1", "--arn", arn))
    assert "us-east-1" in line and "eu-west-1" in line


def test_all_in_an_empty_region_is_clean_with_a_note(aws: Account) -> None:
    result = run("--region", REGION, "--all")
    assert result.code == 0
    assert result.findings == []
    assert "no load balancers" in result.err


def test_exactly_one_selector_is_required() -> None:
    for argv in ([], ["--name", "a", "--all"], ["--arn", "x", "--name", "a"]):
        line = one_line_error(run("--region", REGION, *argv))
        assert "--name" in line


# ---- report options -----------------------------------------------------------------------------


def test_json_report_validates_and_is_located_at_aws_urls(aws: Account, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "30"})
    aws.listener(alb)
    aws.classic("old", "HTTP")
    report_file = tmp_path / "report.json"
    result = run("--region", REGION, "--all", "--ping-interval", "20s", "-o", str(report_file))
    assert result.code == 1 and result.out == ""
    report = json.loads(report_file.read_text())
    schema = json.loads((ROOT / "wslint" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["findings"]
    for finding in report["findings"]:
        assert finding["file"].startswith(f"aws://{REGION}/")
        assert finding["line"] is None and finding["column"] is None


def test_selection_fail_on_and_exit_zero(aws: Account) -> None:
    aws.listener(aws.balancer("web"))
    assert run("--region", REGION, "--all", "--ignore", "WS2,WS3").findings == []
    assert run("--region", REGION, "--all", "--select", "WS201").code == 1
    assert run("--region", REGION, "--all", "--fail-on", "error").code == 0
    assert run("--region", REGION, "--all", "--exit-zero").code == 0


def test_text_report(aws: Account) -> None:
    alb = aws.balancer("web")
    aws.listener(alb)
    result = run("--region", REGION, "--all", "--output-format", "text")
    assert result.code == 1
    assert f"{where(alb)}: WS201" in result.out


def test_config_file_is_read(aws: Account, tmp_path: Path) -> None:
    alb = aws.balancer("web", **{"idle_timeout.timeout_seconds": "30"})
    aws.listener(alb)
    config = tmp_path / "wslint.toml"
    config.write_text('ping-interval = "20s"\n')
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = aws_main(["--region", REGION, "--all", "--config", str(config), "--output-format", "json"])
    assert code == 1
    assert "WS301" in {f["rule"] for f in json.loads(out.getvalue())["findings"]}
    bad = tmp_path / "bad.toml"
    bad.write_text('ping-interval = "soon"\n')
    assert "ping-interval" in one_line_error(run("--region", REGION, "--all", "--config", str(bad)))


# ---- errors: one line, exit 2, no traceback, no secret ------------------------------------------


def _deny(monkeypatch: pytest.MonkeyPatch, operation: str | None, code: str, message: str = "") -> None:
    """Make every call (or one operation) fail with ``code``, before moto sees it."""
    from botocore.client import BaseClient

    real: Callable[..., Any] = BaseClient._make_api_call

    def fake(self: Any, name: str, params: dict[str, Any]) -> Any:
        if operation is None or name == operation:
            raise ClientError({"Error": {"Code": code, "Message": message or code}}, name)
        return real(self, name, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", fake)


def test_access_denied(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    aws.listener(aws.balancer("web"))
    _deny(
        monkeypatch,
        None,
        "AccessDenied",
        f"User: arn:aws:iam::123456789012:user/ci is not authorized (key {ACCESS_KEY}, secret {SECRET})",
    )
    line = one_line_error(run("--region", REGION, "--all"))
    assert "access denied" in line and "DescribeLoadBalancers" in line
    assert ACCESS_KEY not in line and SECRET not in line


def test_throttling_exhausted(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    aws.listener(aws.balancer("web"))
    _deny(monkeypatch, "DescribeTargetGroups", "Throttling", "Rate exceeded")
    line = one_line_error(run("--region", REGION, "--all"))
    assert "throttled" in line and "DescribeTargetGroups" in line


def test_expired_credentials(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    _deny(monkeypatch, None, "ExpiredToken", "The security token included in the request is expired")
    assert "rejected the credentials" in one_line_error(run("--region", REGION, "--all"))


def test_uses_standard_retry_mode(aws: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real = boto3.session.Session.client

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("config"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", spy)
    run("--region", REGION, "--all")
    assert seen and all(c is not None and c.retries == {"mode": "standard"} for c in seen)


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _aws_env(monkeypatch, tmp_path, credentials=False)
    line = one_line_error(run("--region", REGION, "--all"))
    assert "no AWS credentials" in line


def test_no_credentials_in_a_subprocess(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WSLINT_"))}
    env.update(AWS_CONFIG_FILE=str(empty), AWS_SHARED_CREDENTIALS_FILE=str(empty), AWS_EC2_METADATA_DISABLED="true")
    code = "import sys\nfrom wslint.aws_command import main\nsys.exit(main(sys.argv[1:]))\n"
    proc = subprocess.run(
        [sys.executable, "-c", code, "--region", REGION, "--all", "--isolated"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("wslint: error: no AWS credentials")


def test_no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _aws_env(monkeypatch, tmp_path, credentials=True)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert "no AWS region" in one_line_error(run("--all"))


def test_unknown_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _aws_env(monkeypatch, tmp_path, credentials=False)
    assert "nope" in one_line_error(run("--region", REGION, "--profile", "nope", "--all"))


def test_profile_credentials_are_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _aws_env(monkeypatch, tmp_path, credentials=False)
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    with moto.mock_aws():
        account = Account()
        alb = account.balancer("web")
        account.listener(alb)
        result = run("--region", REGION, "--profile", "ci", "--all")
    assert ("WS201", where(alb)) in result.at()


def test_endpoint_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _aws_env(monkeypatch, tmp_path, credentials=True)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: refused, no network
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    line = one_line_error(run("--region", REGION, "--all"))
    assert "cannot reach the AWS endpoint" in line


def test_secrets_are_masked() -> None:
    text = f"bad Credential={ACCESS_KEY}/20240101/us-east-1 and {SECRET}\nsecond line"
    masked = aws_live.safe(text)
    assert ACCESS_KEY not in masked and SECRET not in masked and "\n" not in masked
    assert masked.startswith("bad Credential=****")


# ---- boto3 only on this command's path ----------------------------------------------------------


HEAVY = ("boto3", "botocore", "moto")


def test_plain_lint_never_imports_boto3(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp { server { location /ws/ { proxy_pass http://a; } } }\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSLINT_")}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wslint", "--isolated", "--exit-zero", str(conf)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "wslint" in imported
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_importing_the_command_does_not_import_boto3() -> None:
    code = (
        "import sys\nimport wslint.aws_command, wslint.sources.aws_live, wslint.cli\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_help_does_not_need_aws() -> None:
    code = "import sys\nfrom wslint.aws_command import main\nsys.exit(main(['--help']))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--region" in proc.stdout


def test_dispatched_from_the_cli(aws: Account) -> None:
    from wslint.cli import main

    aws.listener(aws.balancer("web"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["aws", "--region", REGION, "--all", "--isolated", "--output-format", "json"])
    assert code == 1, err.getvalue()
    assert json.loads(out.getvalue())["findings"]


# ---- which listeners are WebSocket routes -------------------------------------------------------------


def test_nlb_listeners_on_ssh_and_database_ports_are_not_routes(aws: Account) -> None:
    nlb = aws.balancer("edge", "network")
    ssh = aws.listener(nlb, "TCP", 22)
    database = aws.listener(nlb, "TCP", 5432)
    web = aws.listener(nlb, "TCP", 443)
    chat = aws.listener(nlb, "TCP", 9000, group=aws.target_group("chat-ws", "TCP"))
    result = run("--region", REGION, "--name", "edge", "--ping-interval", "200s")
    at = {file for rule, file in result.at() if rule == "WS301"}
    assert at == {where(web), where(chat)}  # AWS's 350 s on each; 22 and 5432 are not WebSocket routes
    assert where(ssh) not in at and where(database) not in at


def test_alb_redirect_listener_is_not_a_route_unless_a_rule_forwards(aws: Account) -> None:
    alb = aws.balancer("front", **{"idle_timeout.timeout_seconds": "30"})
    aws.listener(alb, "HTTP", 8080)
    redirect = aws.elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                                 "StatusCode": "HTTP_301"}}],
    )["Listeners"][0]["ListenerArn"]  # fmt: skip
    result = run("--region", REGION, "--name", "front", "--ping-interval", "20s")
    assert [rule for rule, _ in result.at()] == ["WS301"], result.err
    assert "listener 8080" in result.findings[0]["message"]
    assert not re.search(r"listener 80\b", result.findings[0]["message"])  # it redirects: no WebSocket route
    aws.elbv2.create_rule(
        ListenerArn=redirect,
        Priority=1,
        Conditions=[{"Field": "path-pattern", "Values": ["/ws/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": aws.target_group("chat")}],
    )
    result = run("--region", REGION, "--name", "front", "--ping-interval", "20s")
    messages = " ".join(f["message"] for f in result.findings if f["rule"] == "WS301")
    assert re.search(r"listener 80\b", messages)  # a rule forwards from it: a route again
