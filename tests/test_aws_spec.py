"""AWS's dialect, reader-independent: defaults, ranges, which listeners count, and the AWS rules."""

from __future__ import annotations

from wslint.checks import Model
from wslint.config import Settings
from wslint.engine import run_checks
from wslint.hops import ALB
from wslint.model import Location
from wslint.settings import validate_table
from wslint.sources.aws_spec import ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value, build


def at(line: int) -> Location:
    return Location(file="main.tf", line=line, column=1)


def lint(specs: list[LoadBalancerSpec], **settings: object) -> set[tuple[str, int | None]]:
    findings, errors = run_checks([build(specs, "main.tf")], validate_table(settings))
    assert errors == []
    return {(f.rule, f.location.line) for f in findings}


def alb(**kw: object) -> LoadBalancerSpec:
    return LoadBalancerSpec(kind="alb", name="web", location=at(1), **kw)  # type: ignore[arg-type]


def test_alb_default_idle_timeout() -> None:
    assert lint([alb()]) == {("WS201", 1), ("WS303", 1)}
    assert lint([alb()], **{"ping-interval": "45s"}) == {("WS201", 1), ("WS301", 1)}


def test_alb_set_idle_timeout_and_range() -> None:
    assert lint([alb(idle_timeout=Value(3600, at(3)))], **{"ping-interval": "25s"}) == set()
    assert lint([alb(idle_timeout=Value(4001, at(3)))]) == {("WS206", 3)}
    assert lint([alb(idle_timeout=Value("abc", at(3)))]) == {("WS206", 3)}
    assert lint([alb(idle_timeout=Value(None, at(3)))], **{"ping-interval": "25s"}) == set()  # unknown


def test_only_http_listeners_of_an_alb_count() -> None:
    listeners = [
        ListenerSpec(at(5), Value("HTTPS", at(6)), Value(443, at(7))),
        ListenerSpec(at(9), Value(None, at(10))),  # unknown protocol: not known to carry WebSocket
    ]
    spec = alb(idle_timeout=Value(30, at(3)), listeners=listeners, listeners_known=True)
    assert lint([spec], **{"ping-interval": "20s"}) == {("WS301", 3)}


def test_nlb_listener_attribute_and_default() -> None:
    listeners = [
        ListenerSpec(at(5), Value("TCP", at(6)), attributes={"tcp.idle_timeout.seconds": Value(59, at(7))}),
        ListenerSpec(at(9), Value("TLS", at(10))),
    ]
    spec = LoadBalancerSpec(kind="nlb", name="n", location=at(1), listeners=listeners, listeners_known=True)
    assert lint([spec], **{"ping-interval": "200s"}) == {("WS206", 7), ("WS301", 9)}


def test_classic_elb_http_listener() -> None:
    spec = LoadBalancerSpec(
        kind="elb",
        name="old",
        location=at(1),
        idle_timeout=Value(3600, at(2)),
        listeners=[ListenerSpec(at(4), Value("HTTP", at(5))), ListenerSpec(at(7), Value("TCP", at(8)))],
        listeners_known=True,
    )
    assert lint([spec], **{"ping-interval": "25s"}) == {("WS110", 4)}
    assert lint([LoadBalancerSpec(kind="elb", name="x", location=at(1), idle_timeout=Value(3601, at(2)))]) == {
        ("WS206", 2)
    }


def test_deregistration_delay_and_health_check() -> None:
    groups = [
        TargetGroupSpec("fast", at(20), deregistration_delay=Value(10, at(21)), health_check_path=Value("/ws", at(22))),
        TargetGroupSpec(
            "ok", at(30), deregistration_delay=Value(60, at(31)), health_check_path=Value("/ws/health", at(32))
        ),
        TargetGroupSpec("default", at(40)),
    ]
    spec = alb(idle_timeout=Value(3600, at(3)), target_groups=groups)
    assert lint([spec], **{"ping-interval": "25s"}) == {("WS404", 21), ("WS601", 22)}
    assert lint([spec], **{"ping-interval": "25s", "min-deregistration-delay": "5s"}) == {("WS601", 22)}
    nlb_groups = [TargetGroupSpec("n", at(20), deregistration_delay=Value(10, at(21)))]
    nlb = LoadBalancerSpec(kind="nlb", name="n", location=at(1), target_groups=nlb_groups)
    assert lint([nlb]) == set()  # NLB keeps connections past the delay unless termination is enabled
    nlb_groups[0].connection_termination = Value("true", at(23))
    nlb.listeners = [ListenerSpec(at(5), Value("TCP", at(6)))]
    assert ("WS404", 21) in lint([nlb])


def test_model_checks_see_aws_hops() -> None:
    document = build([alb()], "main.tf")
    assert [h.kind for h in Model([document], Settings()).hops()] == [ALB]
