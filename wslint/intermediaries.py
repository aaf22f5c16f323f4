"""Fixed-timeout intermediaries a path can name as hops: boxes users cannot lint but must know.

``hops = ["cloudflare", "alb.tf", "nginx.conf"]``. Where the limit is configurable, the
hop says so with ``NAME=DURATION`` (``gcp=1h``: the backend service timeout in use), within the
range the vendor documents (``azure-lb=5m``: 4 to 100 minutes). Every number cites the vendor's
documentation in the rule documents (rules/WS207.md, WS209.md, WS301.md) and in README's table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wslint.hops import KINDS as HOP_KINDS
from wslint.hops import NAMED, HopKind, hop_kind
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
    # which of the two NAME=DURATION sets, if any: "idle", "lifetime", or "idle+lifetime" (one setting is both)
    configurable: str = ""
    note: str = ""
    # no documented idle timeout for WebSockets: unknown (never judged), and the path view says why
    idle_unknown: str = ""
    # the documented range of NAME=DURATION, in seconds (None: no bound documented), and its step (Azure Load
    # Balancer takes whole minutes)
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    bounds: str = ""  # that range as the vendor writes it: "4 to 100 minutes"


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
            note="name the hop gcp=DURATION with your backend service's timeoutSec, or lint its Terraform or GKE "
            "manifests in the same run",
            minimum=1,
            maximum=2_147_483_647,
            bounds="1 to 2,147,483,647 seconds",
        ),
        Intermediary(
            "cloud-run",
            "Cloud Run",
            aliases=("cloudrun", "knative"),
            lifetime=300,
            lifetime_directive="request timeout",
            configurable="lifetime",
            note="at most 3600s; name the hop cloud-run=DURATION with your service's timeout, or lint its Terraform "
            "or service YAML in the same run",
            maximum=3600,
            bounds="at most 60 minutes (3600 seconds)",
        ),
        Intermediary(
            "azure-appgw",
            "Azure Application Gateway",
            aliases=("appgw", "application-gateway"),
            idle=30,
            idle_directive="request timeout",
            lifetime=30,
            lifetime_directive="request timeout",
            configurable="idle+lifetime",
            note="it applies to the WebSocket session: judged both as an idle timeout and as a lifetime cap until "
            "Microsoft documents which; name the hop azure-appgw=DURATION with yours",
            minimum=1,
            maximum=86400,
            bounds="1 to 86400 seconds",
        ),
        Intermediary(
            "azure-lb",
            "Azure Load Balancer",
            aliases=("azure-load-balancer",),
            idle=240,
            idle_directive="idle timeout",
            configurable="idle",
            note="idle flows are dropped silently unless TCP reset is enabled; name the hop azure-lb=DURATION with "
            "the rule's idle timeout (4 to 100 minutes; on AKS the Service annotation "
            "azure-load-balancer-tcp-idle-timeout allows 4 to 30)",
            minimum=240,
            maximum=6000,
            step=60,
            bounds="4 to 100 whole minutes",
        ),
        Intermediary(
            "azure-frontdoor",
            "Azure Front Door",
            aliases=("frontdoor", "front-door"),
            idle=300,
            idle_directive="WebSocket idle timeout",
            lifetime=14400,
            lifetime_directive="WebSocket connection limit",
        ),
        Intermediary(
            "cloudflare-tunnel",
            "Cloudflare Tunnel",
            aliases=("cloudflared",),
            idle_unknown="Cloudflare documents no idle timeout for WebSockets through a tunnel (cloudflared's "
            "keepAliveTimeout, 1m30s, discards idle keep-alive connections to the origin, not open WebSockets)",
        ),
        Intermediary(
            "envoy",
            "Envoy",
            idle=300,
            idle_directive="stream_idle_timeout",
            configurable="idle",
            note="Envoy's default stream idle timeout; name the hop envoy=DURATION with your HTTP connection "
            "manager's stream_idle_timeout (or the route's idle_timeout), or lint its bootstrap in the same run",
        ),
        Intermediary(
            "contour",
            "Contour",
            idle=300,
            idle_directive="stream idle timeout",
            configurable="idle",
            note="Envoy's default stream idle timeout, which Contour keeps; name the hop contour=DURATION with the "
            "route's timeoutPolicy.idle or the config's stream-idle-timeout, or lint its HTTPProxy in the same run",
        ),
        Intermediary(
            "envoy-gateway",
            "Envoy Gateway",
            idle=300,
            idle_directive="stream idle timeout",
            configurable="idle",
            note="Envoy's default stream idle timeout, which Envoy Gateway keeps unless a ClientTrafficPolicy sets "
            "timeout.http.streamIdleTimeout; name the hop envoy-gateway=DURATION with yours",
        ),
        Intermediary(
            "istio",
            "Istio",
            configurable="idle",
            idle_directive="stream idle timeout",
            note="Istio switches Envoy's stream idle timeout off on every HTTP connection manager it generates; "
            "name the hop istio=DURATION if your mesh sets one (a DestinationRule's tcp.idleTimeout, 1h by default, "
            "applies to ports Istio proxies as TCP)",
        ),
        Intermediary(
            "emissary",
            "Emissary-ingress",
            idle=300,
            idle_directive="stream_idle_timeout",
            configurable="idle",
            note="Envoy's default stream idle timeout, which Emissary sets none of its own over; name the hop "
            "emissary=DURATION with your Mapping's idle_timeout_ms, or lint the Mapping in the same run",
        ),
        Intermediary(
            "kong",
            "Kong",
            idle=60,
            idle_directive="read_timeout",
            configurable="idle",
            note="Kong's default Service read_timeout (60000 ms); name the hop kong=DURATION with your Service's "
            "read_timeout, or lint its declarative config in the same run",
        ),
        Intermediary(
            "traefik",
            "Traefik",
            note="Traefik clears every deadline when it hands the upgraded connection over: no idle timeout applies "
            "to a WebSocket",
        ),
        Intermediary(
            "caddy",
            "Caddy",
            lifetime_directive="stream_timeout",
            configurable="lifetime",
            note="Caddy sets no idle timeout on a WebSocket by default (a reverse_proxy transport's read_timeout "
            "sets one: lint the Caddyfile in the same run); name the hop caddy=DURATION with your reverse_proxy's "
            "stream_timeout if it sets one",
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
# each is a hop kind of its own: the kind a source gives the same box when it reads its config (``gcp``, ``azure-lb``),
# else one of the family of boxes a path names
KINDS: dict[str, HopKind] = {
    i.name: HOP_KINDS.get(i.name) or hop_kind(i.name, i.label, NAMED) for i in INTERMEDIARIES.values()
}


def known(entry: str) -> bool:
    """Is a hop entry (``cloudflare``, ``gcp=1h``) a named intermediary?"""
    return entry.partition("=")[0].strip().lower() in _BY_ALIAS


def kind_of(entry: str) -> HopKind:
    """The hop kind a known entry names (``gcp=1h`` -> the Google Cloud load balancer kind)."""
    return KINDS[_BY_ALIAS[entry.partition("=")[0].strip().lower()].name]


def _check_range(box: Intermediary, entry: str, given: float) -> None:
    """``ValueError`` for a ``NAME=DURATION`` outside the range the vendor documents."""
    low, high, step = box.minimum, box.maximum, box.step
    if (low is not None and given < low) or (high is not None and given > high) or (step and given % step):
        setting = box.idle_directive if "idle" in box.configurable else box.lifetime_directive
        raise ValueError(f"{entry!r}: {box.label}'s {setting} is {box.bounds}")


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
            setting = box.idle_directive if "idle" in box.configurable else box.lifetime_directive
            raise ValueError(f"{entry!r}: the {setting} must be more than 0")
        _check_range(box, entry, given)

    def duration(seconds: float | None, directive: str, kind: str) -> Duration | None:
        explicit = given is not None and kind in box.configurable.split("+")
        if seconds is None and not explicit:
            return None
        seconds = given if explicit and given is not None else seconds
        assert seconds is not None
        return Duration(
            seconds=float(seconds),
            text=value if explicit else format_seconds(seconds),
            dialect="seconds",
            location=location,
            default=bool(box.configurable) and not explicit,
            directive=directive,
            note=box.note if not explicit else "",
        )

    # a box with only a lifetime cap has no idle timeout: an infinite one says so; an undocumented one is unknown
    idle = duration(box.idle, box.idle_directive, "idle")
    if idle is None and not box.idle_unknown:
        idle = Duration(
            seconds=math.inf, text="", dialect="seconds", location=location, directive="no idle timeout", note=box.note
        )
    routes = [
        Route(
            name=box.label,
            location=location,
            reason="named in the path" + (f"; idle timeout unknown: {box.idle_unknown}" if idle is None else ""),
            idle_timeout=idle,
            websocket_path=True,
            default_applies=False,
        )
    ]
    return Hop(
        kind=KINDS[box.name],
        name=box.label,
        location=location,
        routes=routes,
        lifetime=duration(box.lifetime, box.lifetime_directive, "lifetime"),
    )
