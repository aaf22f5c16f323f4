"""WS301-WS303: the keepalive (ping) interval against every hop's idle timeout.

The rule (FACTS.md: traffic either way resets the idle timers of nginx, HAProxy and AWS):
ping interval <= smallest idle timeout / 2. The factor 2 leaves room for one late ping.

A route in a declared path is judged with that path's keepalive, and the message names the
path's bottleneck; any other route is judged on its own with the run's keepalive, so that
unrelated files passed together (pre-commit) are never compared with each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from wslint.checks import ASSUMED, Model, check, finding
from wslint.model import Duration, Finding, Hop, Keepalive, Location, Path, Route, format_seconds

HOW_TO_SAY = (
    "Tell wslint the client's interval with --ping-interval (e.g. 25s) or the client with --client "
    "(e.g. socket.io), or with ping-interval or client in config."
)


@dataclass(frozen=True)
class Case:
    """One WebSocket route with a known, finite idle timeout, and what it is judged with."""

    hop: Hop
    route: Route
    timeout: Duration
    keepalive: Keepalive
    path: Path | None = None


def cases(model: Model) -> list[Case]:
    """Routes of declared paths with their path's keepalive, then every other route with the run's."""
    out: list[Case] = []
    in_paths: set[tuple[str, Location]] = set()
    for path in model.paths:
        for hop, route, timeout in path.timed():
            out.append(Case(hop, route, timeout, path.keepalive, path))
            in_paths.add((route.name, route.location))
    top = model.settings.keepalive
    for hop, route in model.routes():
        idle = route.idle_timeout
        if idle is None or idle.infinite or (route.name, route.location) in in_paths:
            continue
        out.append(Case(hop, route, idle, top))
    return out


def _groups(model: Model, judged: Callable[[Keepalive], bool]) -> Iterator[list[Case]]:
    """The cases a rule judges, grouped by where the timeout is set (one finding per place)."""
    groups: dict[Location, list[Case]] = {}
    for case in cases(model):
        if judged(case.keepalive):
            groups.setdefault(case.timeout.location, []).append(case)
    yield from groups.values()


def _describe(group: list[Case]) -> str:
    timeout = group[0].timeout
    names = ", ".join(dict.fromkeys(case.route.name for case in group))
    if any(case.route.assumed for case in group):
        names += ASSUMED
    origin = f"the default {timeout.directive}" if timeout.default else f"{timeout.directive} {timeout.text}"
    note = f" — {timeout.note}" if timeout.note else ""
    return f"{names}: idle timeout {timeout.human()} ({origin}{note})"


def _ping(keepalive: Keepalive) -> str:
    seconds = format_seconds(keepalive.seconds or 0)
    return f"{seconds} ({keepalive.client})" if keepalive.client else seconds


def _client_note(keepalive: Keepalive) -> str:
    return f"; note: {keepalive.note}" if keepalive.note else ""


def _bottleneck(case: Case) -> str:
    """What the message says about the path's bottleneck, for a route in a declared path."""
    path = case.path
    bottleneck = path.bottleneck() if path else None
    if path is None or bottleneck is None:
        return ""
    among = " among the hops linted in this run" if path.missing else ""
    _, route, timeout = bottleneck
    if timeout.location == case.timeout.location:
        return f"; this is the bottleneck of path '{path.name}'{among}"
    return f"; the bottleneck of path '{path.name}'{among} is {route.name} ({timeout.human()} at {timeout.location})"


def _safe(case: Case) -> str:
    """The largest safe ping interval: the path's when the route is in one, else the hop's own."""
    path = case.path
    bottleneck = path.bottleneck() if path else None
    if path is None or bottleneck is None:
        return f"the largest safe ping interval is {format_seconds(case.timeout.seconds / 2)}"
    _, route, timeout = bottleneck
    return (
        f"the largest safe ping interval on path '{path.name}' is {format_seconds(timeout.seconds / 2)} "
        f"(half of {route.name}'s {timeout.human()} at {timeout.location})"
    )


def _safe_seconds(case: Case) -> float:
    bottleneck = case.path.bottleneck() if case.path else None
    return (bottleneck[2] if bottleneck else case.timeout).seconds / 2


def _hops(group: list[Case]) -> list[str]:
    return sorted({case.hop.name for case in group})


def _related(timeout: Duration) -> list[tuple[Location, str]]:
    """The default of the variable or parameter the value came from, when it has one."""
    return [(timeout.related, "the default it comes from (variable or parameter)")] if timeout.related else []


def _other_hops(case: Case) -> list[tuple[Location, str]]:
    """For a route in a declared path: each other hop's idle timeout (or the hop, when none is known), in path order."""
    path = case.path
    if path is None:
        return []
    out: dict[Location, str] = {}
    for number, hop in enumerate(path.hops, start=1):
        where = f"hop {number} of path '{path.name}'"
        timed = [r for r in hop.routes if r.idle_timeout is not None and not r.idle_timeout.infinite]
        for route in timed:
            timeout = route.idle_timeout
            assert timeout is not None
            origin = f"the default {timeout.directive}" if timeout.default else f"{timeout.directive} {timeout.text}"
            out.setdefault(timeout.location, f"{where}: {route.name}: idle timeout {timeout.human()} ({origin})")
        if not timed:
            out.setdefault(hop.location, f"{where}: {hop.name}: no finite idle timeout known")
    out.pop(case.timeout.location, None)
    return list(out.items())


@check("WS301")
def ping_interval_too_long(model: Model) -> Iterator[Finding]:
    for group in _groups(model, lambda keepalive: bool(keepalive.seconds)):
        late = [c for c in group if (c.keepalive.seconds or 0) * 2 > c.timeout.seconds]
        if not late:
            continue
        case = max(late, key=lambda c: c.keepalive.seconds or 0)  # the worst keepalive at this place
        ping = case.keepalive.seconds or 0
        yield finding(
            "WS301",
            case.timeout.location,
            f"ping interval {_ping(case.keepalive)} is more than half of {_describe(late)}: "
            f"one late or lost ping and the idle connection is closed (close 1006)"
            f"{_bottleneck(case)}{_client_note(case.keepalive)}",
            f"Raise {case.timeout.directive} to at least {format_seconds(ping * 2)}, or ping every "
            f"{format_seconds(_safe_seconds(case))} or sooner.",
            hops=_hops(late),
            related=_related(case.timeout) + _other_hops(case),
        )


@check("WS302")
def no_keepalive(model: Model) -> Iterator[Finding]:
    for group in _groups(model, lambda keepalive: keepalive.seconds == 0):
        case = group[0]
        client = f" ({case.keepalive.client})" if case.keepalive.client else ""
        yield finding(
            "WS302",
            case.timeout.location,
            f"the client sends no keepalive{client}, and {_describe(group)} closes every connection idle "
            f"that long; {_safe(case)}{_client_note(case.keepalive)}",
            f"Make the client (or the server) ping every {format_seconds(_safe_seconds(case))} or sooner.",
            hops=_hops(group),
            related=_related(case.timeout) + _other_hops(case),
        )


@check("WS303")
def keepalive_unknown(model: Model) -> Iterator[Finding]:
    for group in _groups(model, lambda keepalive: keepalive.seconds is None):
        case = group[0]
        yield finding(
            "WS303",
            case.timeout.location,
            f"{_describe(group)}; {_safe(case)}",
            HOW_TO_SAY,
            hops=_hops(group),
            related=_related(case.timeout) + _other_hops(case),
        )
