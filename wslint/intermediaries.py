"""Fixed-timeout intermediaries a path can name as hops: boxes users cannot lint but must know.

``hops = ["cloudflare", "alb.tf", "nginx.conf"]``. Where the limit is configurable, the
hop says so with ``NAME=DURATION`` (``gcp=1h``: the backend service timeout in use).
Every number comes from FACTS.md, which cites the provider's documentation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wslint.model import Duration, Hop, Location, Route, format_seconds


@dataclass(frozen=True)
class Intermediary:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    # an idle timeout: traffic either way resets it (WS301-WS303)
    idle: float | None = None
    idle_directive: str = ""
    # a cap on every connection's lifetime, whatever the traffic (WS207)
    lifetime: float | None = None
    lifetime_directive: str = ""
    # which of the two NAME=DURATION sets, if any
    configurable: str = ""
    note: str = ""


INTERMEDIARIES: dict[str, Intermediary] = {
    i.name: i
    for i in (
        Intermediary(
            "cloudflare",
            "Cloudflare",
            idle=100,
            idle_directive="Proxy Read Timeout",
            configurable="idle",
            note="documented as Cloudflare's Proxy Read Timeout; that it closes idle WebSockets comes from "
            "user reports, unverified in Cloudflare's docs",
        ),
        Intermediary(
            "heroku",
            "Heroku router",
            idle=55,
            idle_directive="rolling idle window",
        ),
        Intermediary(
            "api-gateway",
            "API Gateway WebSocket API",
            aliases=("apigateway", "aws-api-gateway"),
            idle=600,
            idle_directive="idle connection timeout",
            lifetime=7200,
            lifetime_directive="connection duration limit",
        ),
        Intermediary(
            "gcp",
            "Google Cloud load balancer",
            aliases=("gcp-lb", "google-cloud", "gclb"),
            lifetime=30,
            lifetime_directive="backend service timeout",
            configurable="lifetime",
            note="the default is 30s; name the hop gcp=DURATION with your backend service's timeoutSec",
        ),
        Intermediary(
            "daphne",
            "daphne",
            lifetime=86400,
            lifetime_directive="--websocket_timeout",
            configurable="lifetime",
        ),
    )
}
_BY_ALIAS = {alias: i for i in INTERMEDIARIES.values() for alias in (i.name, *i.aliases)}


def known(entry: str) -> bool:
    """Is a hop entry (``cloudflare``, ``gcp=1h``) a named intermediary?"""
    return entry.partition("=")[0].strip().lower() in _BY_ALIAS


def hop(entry: str, location: Location) -> Hop:
    """The hop a path entry names; ``ValueError`` for a bad ``=DURATION``."""
    from wslint.config import parse_ping_interval

    name, _, value = (part.strip() for part in entry.partition("="))
    box = _BY_ALIAS[name.lower()]
    given: float | None = None
    if value:
        if not box.configurable:
            raise ValueError(f"{box.label}'s limit is fixed: name the hop {box.name} without =DURATION")
        given = parse_ping_interval(value)
        if given <= 0:
            raise ValueError(f"{entry!r}: the {box.configurable} limit must be more than 0")

    def duration(seconds: float | None, directive: str, kind: str) -> Duration | None:
        if seconds is None:
            return None
        explicit = given is not None and box.configurable == kind
        seconds = given if explicit and given is not None else seconds
        return Duration(
            seconds=float(seconds),
            text=value if explicit else format_seconds(seconds),
            dialect="seconds",
            location=location,
            default=bool(box.configurable) and not explicit,
            directive=directive,
            note=box.note if not explicit else "",
        )

    # a box with only a lifetime cap has no idle timeout: an infinite one says so
    idle = duration(box.idle, box.idle_directive, "idle") or Duration(
        seconds=math.inf, text="", dialect="seconds", location=location, directive="no idle timeout"
    )
    routes = [
        Route(
            name=box.label,
            location=location,
            reason="named in the path",
            idle_timeout=idle,
            websocket_path=True,
            default_applies=False,
        )
    ]
    return Hop(
        kind=box.name,
        name=box.label,
        location=location,
        routes=routes,
        lifetime=duration(box.lifetime, box.lifetime_directive, "lifetime"),
    )
