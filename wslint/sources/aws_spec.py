"""What every AWS reader (Terraform, CloudFormation, saved CLI JSON, the live API) hands over.

A reader knows its input form; it turns it into ``LoadBalancerSpec`` objects and knows
nothing about rules. ``build`` then applies AWS's dialect (FACTS.md §A): defaults, valid
ranges, which listener carries WebSocket, and makes the model's Hops.

A ``Value`` whose ``value`` is None is unknown (an expression, a variable without a
default): unknown never fires a rule. A setting nobody wrote is ``None`` in the spec, and
the AWS default applies, located at the resource.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from wslint.config import DEFAULT_WEBSOCKET_PORTS, WEBSOCKET_NAME_TOKENS
from wslint.hops import ALB, ELB, NLB, HopKind
from wslint.model import (
    AwsHop,
    AwsRoute,
    Dialect,
    Document,
    Duration,
    Hop,
    IgnoredTimeout,
    Location,
    Problem,
    Related,
    Route,
    TargetGroup,
)
from wslint.templating import has_placeholder

Kind = Literal["alb", "nlb", "elb", "unknown"]


@dataclass
class Value:
    value: str | int | float | bool | None  # None: unknown
    location: Location
    # where a variable's or parameter's default that gave the value is written
    related: Location | None = None
    # the API reported AWS's default: read as not set (the default applies), located where it is written
    default: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.value, str) and has_placeholder(self.value):
            self.value = None  # a template placeholder ({{ x }}, ${X}, %%X%%, {{resolve:...}}): unknown

    def seconds(self) -> float | None:
        """The value as whole seconds (AWS times are integer seconds, strings in the APIs)."""
        if isinstance(self.value, bool) or self.value is None:
            return None
        text = str(self.value).strip()
        # ASCII digits only (int() would take "1_000" and other scripts' digits), and few enough for a float
        if not re.fullmatch(r"-?[0-9]{1,30}", text):
            return math.nan
        return float(int(text))


@dataclass
class ListenerSpec:
    location: Location
    protocol: Value | None = None  # HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, SSL (Classic: HTTP/HTTPS/TCP/SSL)
    port: Value | None = None
    # listener attributes, e.g. "tcp.idle_timeout.seconds" (NLB)
    attributes: dict[str, Value] = field(default_factory=dict)
    # the names (TargetGroupSpec.name) of the target groups it forwards to; None: not known
    target_groups: list[str] | None = None
    # why the reader knows it carries web traffic whatever its port (a Kubernetes port's name, ...)
    evidence: str | None = None


@dataclass
class TargetGroupSpec:
    name: str
    location: Location
    deregistration_delay: Value | None = None  # deregistration_delay.timeout_seconds
    connection_termination: Value | None = None  # deregistration_delay.connection_termination.enabled (NLB)
    health_check_path: Value | None = None
    aws_name: str | None = None  # the target group's name in AWS when ``name`` is another (a resource's)
    http_health_check: bool = False  # its health check is HTTP or HTTPS (written, or reported by the API)


@dataclass
class LoadBalancerSpec:
    kind: Kind
    name: str
    location: Location
    idle_timeout: Value | None = None  # ALB idle_timeout.timeout_seconds / Classic ConnectionSettings.IdleTimeout
    client_keep_alive: Value | None = None  # ALB client_keep_alive.seconds
    listeners: list[ListenerSpec] = field(default_factory=list)
    target_groups: list[TargetGroupSpec] = field(default_factory=list)
    # the reader saw the listeners (a resource with none is then a balancer without routes)
    listeners_known: bool = False
    # how the setting is spelled in this input form, for messages
    idle_key: str = "idle_timeout"


# FACTS.md §A.1, A.5, A.6: defaults and valid ranges (seconds)
ALB_IDLE = (60, 1, 4000)
NLB_IDLE = (350, 60, 6000)
CLB_IDLE = (60, 1, 3600)
WEBSOCKET_PROTOCOLS = {"alb": {"HTTP", "HTTPS"}, "nlb": {"TCP", "TLS", "TCP_UDP"}}
WEB_PORTS = frozenset(DEFAULT_WEBSOCKET_PORTS)
NOT_CARRYING = frozenset({"redirect", "fixed-response"})  # listener actions that never reach a target


def only_answers(types: Iterable[str | None]) -> bool:
    """Listener action types all written and all ``redirect``/``fixed-response``: no request reaches a target.

    No actions, or one whose type is unknown (None), may forward: False.
    """
    written = list(types)
    return bool(written) and all(t is not None and t.lower() in NOT_CARRYING for t in written)


# the hop kind of each load balancer kind a reader finds
HOP_KINDS: dict[Kind, HopKind] = {"alb": ALB, "nlb": NLB, "elb": ELB}
NLB_IDLE_KEY = "tcp.idle_timeout.seconds"
ALB_IDLE_KEY = "idle_timeout.timeout_seconds"
ALB_KEEPALIVE_KEY = "client_keep_alive.seconds"
DELAY_KEY = "deregistration_delay.timeout_seconds"
CLB_IDLE_KEY = "ConnectionSettings.IdleTimeout"
# FACTS.md §A.1, A.2, A.3, A.5, A.6: what the API reports when nobody set the value
API_DEFAULTS = {
    ALB_IDLE_KEY: "60",
    ALB_KEEPALIVE_KEY: "3600",
    NLB_IDLE_KEY: "350",
    DELAY_KEY: "300",
    CLB_IDLE_KEY: "60",
}


def reported(key: str, value: Value | None) -> Value | None:
    """An attribute the API (live, or saved CLI output) reports, or None when it equals AWS's default.

    The API prints every attribute, set or not, so a value equal to the default cannot be told
    from "not set": it is read as the default, which applies (and WS201 fires where it bites),
    located at the value the output holds (``Value.default``).
    """
    if value is None:
        return None
    if str(value.value).strip() == API_DEFAULTS.get(key):
        return Value(value.value, value.location, related=value.related, default=True)
    return value


def websocket_name(name: str) -> bool:
    """A name with a WebSocket token: ``ws-tg``, ``chat_websocket``, ``WebSocketTargetGroup``, ``socketio``."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name)
    return any(t.lower() in WEBSOCKET_NAME_TOKENS for t in [*re.split(r"[^A-Za-z0-9]+", name), *words])


@dataclass
class _Built:
    hops: list[Hop] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ports: frozenset[int] = WEB_PORTS
    ignored: list[IgnoredTimeout] = field(default_factory=list)


def build(
    specs: list[LoadBalancerSpec],
    file: str,
    files: list[str] | None = None,
    ports: frozenset[int] = WEB_PORTS,
) -> Document:
    """The Document for one input file (or one live region): one Hop per load balancer.

    ``ports``: the listener ports on which an NLB TCP/TLS listener is a WebSocket route
    (``Settings.all_websocket_ports``).
    """
    built = _Built(ports=ports)
    for spec in specs:
        hop = _hop(spec, built)
        if hop is not None:
            built.hops.append(hop)
            _nlb_idle_timeout(spec, hop, built)
    return Document(
        file=file,
        kind="aws",
        context="aws",
        hops=built.hops,
        problems=built.problems,
        files=files or [file],
        ignored=built.ignored,
    )


def _duration(
    value: Value | None,
    default: int,
    low: int,
    high: int,
    where: Location,
    key: str,
    built: _Built,
    subject: str = "load balancer",
) -> Duration | None:
    return ranged_duration(value, (default, low, high), where, key, built.problems, vendor="AWS", subject=subject,
                           dialect="aws")  # fmt: skip


def ranged_duration(
    value: Value | None,
    limits: tuple[int, int, int],
    where: Location,
    key: str,
    problems: list[Problem],
    *,
    vendor: str,
    subject: str,
    unit: int = 1,
    dialect: Dialect = "seconds",
) -> Duration | None:
    """A cloud provider's whole-number time setting: its default (at ``where``, or at the reported value) when not
    written; None when unknown; outside ``low..high`` an invalid-duration problem (the provider refuses it) and None.
    ``limits`` is (default, low, high) in the setting's own unit, ``unit`` its length in seconds (60: minutes)."""
    default, low, high = limits
    if value is None or value.default:
        at = where if value is None else value.location
        return Duration(seconds=float(default * unit), text=str(default), dialect=dialect, location=at, default=True,
                        directive=key)  # fmt: skip
    number = value.seconds()
    if number is None:
        return None
    if math.isnan(number) or not low <= number <= high:
        units = "seconds" if unit == 1 else "minutes"
        problems.append(
            Problem(
                kind="invalid-duration",
                location=value.location,
                message=f"{key} {value.value}: {vendor} accepts whole {units} from {low} to {high}; "
                f"the {subject} cannot be created or updated with it",
            )
        )
        return None
    return Duration(seconds=number * unit, text=str(value.value), dialect=dialect, location=value.location,
                    directive=key, related=value.related)  # fmt: skip


def _protocol(listener: ListenerSpec) -> str | None:
    if listener.protocol is None or listener.protocol.value is None:
        return None
    return str(listener.protocol.value).upper()


def _hop(spec: LoadBalancerSpec, built: _Built) -> Hop | None:
    kind = spec.kind
    if kind == "unknown":
        return None
    aws = AwsHop()
    hop = Hop(kind=HOP_KINDS[kind], name=spec.name, location=spec.location, dialect=aws)
    if kind in ("alb", "elb"):
        default, low, high = ALB_IDLE if kind == "alb" else CLB_IDLE
        idle = _duration(spec.idle_timeout, default, low, high, spec.location, spec.idle_key, built)
        # every listener of an ALB is HTTP or HTTPS (one whose protocol is unknown too), and every
        # listener of a Classic ELB counts (RULES.md)
        listeners = list(spec.listeners)
        if not spec.listeners_known:
            hop.routes.append(
                Route(name=f"{_label(kind)} {spec.name}", location=spec.location, reason="a load balancer",
                      idle_timeout=idle, default_applies=True)
            )  # fmt: skip
        for listener in listeners:
            hop.routes.append(
                Route(name=f"{_label(kind)} {spec.name} listener {_port(listener)}".strip(), location=listener.location,
                      reason="an HTTP(S) listener" if kind == "alb" else "a Classic ELB listener", idle_timeout=idle,
                      default_applies=True, dialect=AwsRoute(protocol=_protocol(listener)))
            )  # fmt: skip
    else:  # NLB: the idle timeout is a listener attribute
        for listener in spec.listeners:
            if _protocol(listener) not in WEBSOCKET_PROTOCOLS["nlb"] and _protocol(listener) is not None:
                continue
            default, low, high = NLB_IDLE
            value = listener.attributes.get(NLB_IDLE_KEY)
            idle = _duration(value, default, low, high, listener.location, NLB_IDLE_KEY, built, subject="listener")
            reason = _nlb_reason(listener, spec, built.ports)
            if reason is None:
                continue  # SSH, a database, ...: no evidence that WebSockets go through it
            hop.routes.append(
                Route(name=f"NLB {spec.name} listener {_port(listener)}".strip(), location=listener.location,
                      reason=reason, idle_timeout=idle, default_applies=False,
                      dialect=AwsRoute(protocol=_protocol(listener)))
            )  # fmt: skip
    for group in spec.target_groups:
        aws.target_groups.append(_target_group(group, kind, built))
    return hop


def _port_number(listener: ListenerSpec) -> int | None:
    text = _port(listener).strip()
    return int(text) if re.fullmatch(r"[0-9]{1,5}", text) else None


def _nlb_reason(listener: ListenerSpec, spec: LoadBalancerSpec, ports: frozenset[int]) -> str | None:
    """Why a TCP/TLS listener of an NLB carries WebSocket, or None (RULES.md: web ports or other evidence).

    A port that is not known (an expression, output without ports) counts, as every listener did before.
    """
    number = _port_number(listener)
    if number is None:
        return "a TCP/TLS listener (its port is not known)"
    if number in ports:
        return f"a TCP/TLS listener on web port {number}"
    if listener.evidence is not None:
        return listener.evidence
    names = listener.target_groups
    groups = spec.target_groups if names is None else [g for g in spec.target_groups if g.name in names]
    named = names if names is not None else [g.name for g in groups]
    for name in [*named, *(g.aws_name for g in groups)]:
        if name and websocket_name(name):
            return f"a TCP/TLS listener forwarding to target group {name}, named for WebSocket"
    for group in groups:
        if group.http_health_check:
            return f"a TCP/TLS listener whose target group {group.name} has an HTTP health check"
    return None


def _target_group(group: TargetGroupSpec, kind: Kind, built: _Built) -> TargetGroup:
    delay = _duration(
        group.deregistration_delay,
        300,
        0,
        3600,
        group.location,
        "deregistration_delay.timeout_seconds",
        built,
        subject="target group",
    )
    termination: bool | None
    if kind != "nlb":
        termination = True  # ALB cuts what is still open when the delay ends (FACTS.md §A.3)
    elif group.connection_termination is None:
        termination = False
    else:
        raw = group.connection_termination.value
        termination = None if raw is None else str(raw).lower() == "true"
    path = group.health_check_path
    return TargetGroup(
        name=group.name,
        location=group.location,
        deregistration_delay=delay,
        terminates=termination,
        health_check_path=None if path is None or path.value is None else str(path.value),
        health_check_location=None if path is None else path.location,
    )


def _label(kind: Kind) -> str:
    return HOP_KINDS[kind].label if kind in HOP_KINDS else kind


def _port(listener: ListenerSpec) -> str:
    return "" if listener.port is None or listener.port.value is None else str(listener.port.value)


def _nlb_idle_timeout(spec: LoadBalancerSpec, hop: Hop, built: _Built) -> None:
    """WS208: a load balancer idle timeout written on a network load balancer.

    AWS supports ``idle_timeout.timeout_seconds`` only on Application Load Balancers (API reference,
    LoadBalancerAttribute); an NLB's idle timeout is each TCP listener's ``tcp.idle_timeout.seconds``
    (ListenerAttribute, default 350 s; a TLS listener's is 350 s and cannot be changed). Reported where the
    NLB's WebSocket listeners keep another value.
    """
    value = spec.idle_timeout
    if spec.kind != "nlb" or value is None or value.value is None:
        return
    seconds = value.seconds()
    if seconds is None or math.isnan(seconds):
        return
    differ = [route for route in hop.routes if route.idle_timeout is not None and route.idle_timeout.seconds != seconds]
    if not differ:
        return
    applies = "; ".join(
        f"{route.name} keeps {NLB_IDLE_KEY} {route.idle_timeout.human()}"
        + (" (AWS's default)" if route.idle_timeout.default else "")
        for route in differ
        if route.idle_timeout is not None
    )
    built.ignored.append(
        IgnoredTimeout(
            location=value.location,
            setting=f"{spec.idle_key} {value.value}",
            reason=f"{spec.name} is a network load balancer, and AWS supports {ALB_IDLE_KEY} only on Application "
            f"Load Balancers: an NLB's idle timeout is each TCP listener's {NLB_IDLE_KEY}",
            applies=f"{applies} instead",
            fix=f"Set the listener attribute {NLB_IDLE_KEY} (60-6000 s) on each TCP listener (Terraform "
            "aws_lb_listener tcp_idle_timeout_seconds, CloudFormation ListenerAttributes; a TLS listener's is fixed "
            f"at 350 s), and remove {spec.idle_key} here.",
            hop=spec.name,
            related=tuple(
                Related(location=route.idle_timeout.location, message=f"the idle timeout of {route.name}")
                for route in differ
                if route.idle_timeout is not None
            ),
        )
    )
