"""WS7xx evidence in logs (``wslint logs``): WS701 observed-timeout-close, WS702 observed-reconnect-loop.

wslint.logs reads the logs and groups their closes by cause; these checks say what each group shows, at the config
line of the timeout that closed them when the run holds it, else at the first log line, with sample log lines as
related locations.
"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.logs.events import WHOLE_SECONDS, WHOLE_SHARE, Group, Loop, known_defaults, same_time
from wslint.model import Duration, Finding, Location, format_seconds


def could_be(seconds: float) -> list[str]:
    """The known defaults a close time matches (``60s: nginx's default proxy_read_timeout, ...``)."""
    return [whose for value, whose in known_defaults() if same_time(value, seconds, WHOLE_SECONDS, WHOLE_SHARE)]


def _origin(timeout: Duration) -> str:
    """``proxy_read_timeout 60s``, ``the default proxy_read_timeout of 1m``."""
    if timeout.default:
        return f"the default {timeout.directive} of {format_seconds(timeout.seconds)}"
    return f"{timeout.directive} {timeout.text}"


def _times(group: Group) -> str:
    if not group.times:
        return ""
    common, _ = group.times.most_common(1)[0]
    return f", most after {format_seconds(common)}"


@check("WS701")
def observed_timeout_close(model: Model) -> Iterator[Finding]:
    evidence = model.evidence
    if evidence is None:
        return
    by_timeout: dict[Location, list[Group]] = {}
    for group in evidence.groups.values():
        if group.timeout is not None:
            by_timeout.setdefault(group.timeout.location, []).append(group)
        else:
            yield from _group(group)
    for groups in by_timeout.values():
        yield _timed(groups)


def _timed(groups: list[Group]) -> Finding:
    """One finding at a timeout's config line, for every log that shows it closing WebSockets (an error log and an
    access log count the same connections: the largest count leads, each log's is said)."""
    lead = max(groups, key=lambda g: g.count)
    timeout = lead.timeout
    assert timeout is not None
    closes = f"{lead.count} WebSocket{'s' if lead.count != 1 else ''}"
    said = "; ".join(f"{g.count} {g.cause} ({_READERS.get(g.reader, g.reader)}){_times(g)}" for g in groups)
    related = [(where, f"log: {text[:200]}") for g in groups for where, text in g.samples]
    return finding(
        "WS701",
        timeout.location,
        f"{closes} closed by {_origin(timeout)} ({lead.route} in {lead.hop}): the logs show {said}",
        f"Ping more often than half of {format_seconds(timeout.seconds)} from the client (WS301), or raise "
        f"{timeout.directive} for this route; `wslint path` shows the other hops' timeouts.",
        hops=[lead.hop],
        related=related,
    )


_READERS = {
    "nginx-error": "nginx error log",
    "nginx-access": "nginx access log",
    "haproxy": "HAProxy log",
    "alb": "ALB access log",
}


def _group(group: Group) -> Iterator[Finding]:
    closes = f"{group.count} WebSocket{'s' if group.count != 1 else ''}"
    related = [(where, f"log: {text[:200]}") for where, text in group.samples]
    first = group.samples[0][0]
    if group.route or group.hop:
        yield finding(
            "WS701",
            first,
            f"{closes} closed by a timeout of {group.hop} {group.route}: the logs say {group.cause}{_times(group)}; "
            "its timeout is unknown to wslint",
            "Find the timeout that applies to this route and ping more often than half of it (WS301).",
            related=related[1:],
        )
    elif group.cause.startswith("closed "):  # a close time alone: only one a known default explains
        seconds = float(group.times.most_common(1)[0][0]) if group.times else 0.0
        boxes = could_be(seconds)
        if not boxes:
            return
        yield finding(
            "WS701",
            first,
            f"{closes} {group.cause}, a time no hop of this run explains: {format_seconds(seconds)} is "
            f"{', or '.join(boxes)}, or a proxy not in this run",
            "Lint the configs of every hop with the logs (`wslint logs LOG CONFIG...`), then ping more often than "
            "half of the timeout that matches.",
            related=related[1:],
        )
    else:
        yield finding(
            "WS701",
            first,
            f"{closes} closed by a timeout: the logs say {group.cause}{_times(group)}; no config of this run "
            "serves these requests",
            "Lint the proxy's config with its logs (`wslint logs LOG CONFIG...`) to see which timeout line it is.",
            related=related[1:],
        )


@check("WS702")
def observed_reconnect_loop(model: Model) -> Iterator[Finding]:
    evidence = model.evidence
    if evidence is None:
        return
    for loop in evidence.loops:
        yield _loop(model, loop)


def _loop(model: Model, loop: Loop) -> Finding:
    hops = [
        f"{route.name} in {hop.name} ({_origin(route.idle_timeout)} at {route.idle_timeout.location})"
        for hop, route in model.routes()
        if route.idle_timeout is not None
        and same_time(route.idle_timeout.seconds, loop.seconds, WHOLE_SECONDS, WHOLE_SHARE)
    ]
    likely = hops or could_be(loop.seconds) or ["no hop wslint knows of: look for one with this timeout"]
    keepalive = (
        f"the client's --keepalive is {loop.keepalive}"
        if loop.keepalive
        else "the log does not show whether a --keepalive was in use (chisel's default is 25s)"
    )
    first: Location = loop.samples[0][0]
    return finding(
        "WS702",
        first,
        f"the {loop.reader} client reconnected {loop.count} times after {format_seconds(loop.seconds)} connected: "
        f"a hop closes its tunnel at that age; likely {', or '.join(likely)}; {keepalive}",
        f"Give the client a keepalive under half of {format_seconds(loop.seconds)} (--keepalive), or raise that "
        "hop's timeout; a keepalive that does not help means a lifetime cap (WS209).",
        related=[(where, f"log: {text[:200]}") for where, text in loop.samples[1:]],
    )
