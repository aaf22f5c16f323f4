"""WS301-WS303: the keepalive (ping) interval against every hop's idle timeout.

Without a declared path (that comes with path support) each route is judged on its own:
its hop is its own bottleneck.

The rule (FACTS.md: traffic either way resets the idle timers of nginx, HAProxy and AWS):
ping interval <= smallest idle timeout / 2. The factor 2 leaves room for one late ping.
"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Duration, Finding, Hop, Location, Route, format_seconds

HOW_TO_SAY = "Tell wslint the client's interval with --ping-interval (e.g. 25s) or ping-interval in config."


def _by_location(model: Model) -> list[tuple[Location, Duration, list[tuple[Hop, Route]]]]:
    """Routes with a known, finite idle timeout, grouped by where the timeout is set."""
    groups: dict[Location, list[tuple[Hop, Route]]] = {}
    durations: dict[Location, Duration] = {}
    for hop, route in model.routes():
        timeout = route.idle_timeout
        if timeout is None or timeout.infinite:
            continue
        where = timeout.location
        groups.setdefault(where, []).append((hop, route))
        durations[where] = timeout
    return [(where, durations[where], members) for where, members in groups.items()]


def _describe(timeout: Duration, members: list[tuple[Hop, Route]]) -> str:
    names = ", ".join(route.name for _, route in members)
    origin = f"the default {timeout.directive}" if timeout.default else f"{timeout.directive} {timeout.text}"
    return f"{names}: idle timeout {timeout.human()} ({origin})"


def _related(timeout: Duration) -> list[tuple[Location, str]]:
    """The default of the variable or parameter the value came from, when it has one."""
    return [(timeout.related, "the default it comes from (variable or parameter)")] if timeout.related else []


def _hops(members: list[tuple[Hop, Route]]) -> list[str]:
    return sorted({hop.name for hop, _ in members})


@check("WS301")
def ping_interval_too_long(model: Model) -> Iterator[Finding]:
    ping = model.settings.ping_interval
    if not ping:
        return
    for where, timeout, members in _by_location(model):
        if ping * 2 <= timeout.seconds:
            continue
        yield finding(
            "WS301",
            where,
            f"ping interval {format_seconds(ping)} is more than half of {_describe(timeout, members)}: "
            "one late or lost ping and the idle connection is closed (close 1006)",
            f"Raise {timeout.directive} to at least {format_seconds(ping * 2)}, or ping every "
            f"{format_seconds(timeout.seconds / 2)} or sooner.",
            hops=_hops(members),
            related=_related(timeout),
        )


@check("WS302")
def no_keepalive(model: Model) -> Iterator[Finding]:
    if model.settings.ping_interval != 0:
        return
    for where, timeout, members in _by_location(model):
        yield finding(
            "WS302",
            where,
            f"the client sends no keepalive, and {_describe(timeout, members)} closes every connection idle "
            f"that long; the largest safe ping interval is {format_seconds(timeout.seconds / 2)}",
            f"Make the client (or the server) ping every {format_seconds(timeout.seconds / 2)} or sooner.",
            hops=_hops(members),
            related=_related(timeout),
        )


@check("WS303")
def keepalive_unknown(model: Model) -> Iterator[Finding]:
    if model.settings.ping_interval is not None:
        return
    for where, timeout, members in _by_location(model):
        yield finding(
            "WS303",
            where,
            f"{_describe(timeout, members)}; the largest safe ping interval is {format_seconds(timeout.seconds / 2)}",
            HOW_TO_SAY,
            hops=_hops(members),
            related=_related(timeout),
        )
