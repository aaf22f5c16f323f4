"""WS201/WS301: set or raise a WebSocket hop's idle timeout to ``fix-idle-timeout`` (at least twice the ping).

One fix per place the timeout is written (or would be): WS201 (a default) and WS301 (too short
for the keepalive) at one place share it. The dialect's module writes the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from wslint.checks.keepalive import cases
from wslint.fix import Context, Fix, Unfixable, fixer
from wslint.fix.text import Edit
from wslint.hops import HopKind
from wslint.model import Duration, Location, format_seconds

Writer = Callable[[Context, Duration, float], list[Edit]]


def _aws(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    from wslint.fix import aws  # PyYAML and the CloudFormation reader: only when an AWS timeout is fixed

    return aws.set_idle_timeout(context, duration, seconds)


def _writers() -> dict[str, Writer]:
    from wslint.fix import apache, haproxy, nginx

    return {
        "nginx": nginx.set_idle_timeout,
        "haproxy": haproxy.set_idle_timeout,
        "aws": _aws,
        "apache": apache.set_idle_timeout,
    }


@fixer("WS201", "WS301")
def idle_timeout(context: Context) -> Iterator[Fix]:
    places: dict[Location, tuple[Duration, HopKind, list[float]]] = {}
    for hop, route in context.model.routes():
        timeout = route.idle_timeout
        if timeout is not None and timeout.default and route.default_applies:
            places.setdefault(timeout.location, (timeout, hop.kind, []))
    for case in cases(context.model):
        ping = case.keepalive.seconds or 0
        if ping * 2 > case.timeout.seconds:
            places.setdefault(case.timeout.location, (case.timeout, case.hop.kind, []))[2].append(ping)
    writers = _writers()
    for where, (timeout, kind, pings) in places.items():
        writer = writers.get(timeout.dialect)
        seconds = context.idle_timeout_for(pings)
        verb = "set" if timeout.default else "raise"
        summary = f"{verb} {timeout.directive} to {format_seconds(seconds)}"
        if timeout.dialect == "apache":  # the max-rule: the fix writes ProxyTimeout or timeout=, not Timeout
            from wslint.fix import apache

            summary = apache.summary(context, timeout, seconds)

        def edits(
            timeout: Duration = timeout, seconds: float = seconds, writer: Writer | None = writer, kind: HopKind = kind
        ) -> list[Edit]:
            if writer is None:
                raise Unfixable(f"wslint has no fix for {kind} yet")
            if timeout.related is not None:
                raise Unfixable(
                    f"the value comes from the default of a variable, local or parameter at {timeout.related}: "
                    "change it there"
                )
            if seconds < timeout.seconds:  # a fix never lowers a timeout
                raise Unfixable(
                    f"fix-idle-timeout ({format_seconds(seconds)}) is below the {timeout.human()} in effect"
                )
            return writer(context, timeout, seconds)

        for rule in ("WS201", "WS301"):
            if context.reported(rule, where):
                yield context.make(rule, where, summary, edits)
