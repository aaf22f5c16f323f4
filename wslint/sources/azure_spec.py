"""What every Azure reader (Terraform, ARM templates) hands over, and Azure's dialect applied to it.

A reader turns its input into the specs below and knows nothing about rules; ``build`` applies
Azure's defaults and valid ranges, decides which routes carry WebSockets, and makes the hops:

- Application Gateway (one hop per gateway, ``AZURE_APPGW``): a route per backend HTTP settings
  block (``backendHttpSettingsCollection`` item) that carries WebSockets. Its request timeout
  (seconds, default 30, 1-86400) "also applies to the WebSocket session"; Microsoft does not say
  whether as an idle timeout or as a cap on the session's lifetime, so it is both
  (``Route.idle_timeout`` and ``Route.lifetime``).
- Load Balancer (one hop per load balancer, ``AZURE_LB``): a route per TCP (or ``All``)
  load-balancing rule; ``idle_timeout_in_minutes`` / ``idleTimeoutInMinutes`` is an idle timeout
  in minutes (default 4, 4-100), after which the flow is dropped silently unless TCP reset is on.
- Front Door Standard/Premium (one hop per profile, ``AZURE_FRONTDOOR``): a route per Front Door
  route; the idle timeout (5 minutes) and the cap on a WebSocket's lifetime (4 hours) are fixed. A
  route with caching on does not forward the Upgrade header (``Route.upgrade_off``, WS107), judged
  only on routes marked as WebSocket routes (never on an assumed one: caching is normal on a CDN).

Which routes carry WebSockets (RULES.md "Which routes are WebSocket routes"): with
``websocket-routes`` in config, the ones it names (a backend settings, rule or route name, or its
resource address, optionally ``FILE:`` before it); else the ones marked by a WebSocket path (a path
rule, a route pattern), or by a name with a WebSocket token; when nothing the reader saw marks any,
every HTTP(S) backend settings, every TCP rule on a web port and every Front Door route counts, as
``Route.assumed``. A ``Value`` whose ``value`` is None is unknown and never fires a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from wslint.config import Settings, websocket_token_pattern
from wslint.hops import AZURE_APPGW, AZURE_FRONTDOOR, AZURE_LB
from wslint.model import Duration, Hop, Location, Problem, Route, UpgradeOff
from wslint.sources.aws_spec import Value, ranged_duration, websocket_name
from wslint.sources.cloud_common import listed

# hashicorp/terraform-provider-azurerm@9f0392c44f84 internal/services/network/application_gateway_resource.go:
# backend_http_settings.request_timeout Default 30, IntBetween(1, 86400) (seconds)
APPGW_TIMEOUT = (30, 1, 86400)
# hashicorp/terraform-provider-azurerm@b5afc0ef391c internal/services/loadbalancer/lb_rule_resource.go:
# idle_timeout_in_minutes Default 4, IntBetween(4, 100) (minutes); learn.microsoft.com load-balancer-tcp-idle-timeout
LB_IDLE_MINUTES = (4, 4, 100)
# MicrosoftDocs/azure-docs@1521229153d3 articles/frontdoor/standard-premium/websocket.md:26-28
FRONTDOOR_IDLE = 300.0
FRONTDOOR_LIFETIME = 14400.0
FRONTDOOR_NOTE = "fixed by Front Door"
APPGW_NOTE = "it applies to the WebSocket session, and Microsoft does not say whether idle or in total: judged as both"


@dataclass
class HttpSettingsSpec:
    """A backend HTTP settings block of an Application Gateway."""

    name: str | None  # None: not known (an expression)
    location: Location
    request_timeout: Value | None = None  # None: not written (the default applies)
    protocol: str | None = None  # Http, Https; None: not known
    # why its request timeout is not known though the block is there (a dynamic block, AGIC manages it): "" if known
    unknown: str = ""


@dataclass
class GatewaySpec:
    name: str
    location: Location
    settings: list[HttpSettingsSpec] = field(default_factory=list)
    # backend settings name -> why a path rule or routing rule marks it as a WebSocket route
    marks: dict[str, str] = field(default_factory=dict)
    # paths and names as the gateway's rules write them (for websocket-routes): settings name -> rule names
    rule_names: dict[str, list[str]] = field(default_factory=dict)
    key: str = "timeout"  # how this input form spells the request timeout
    file: str = ""


@dataclass
class LbRuleSpec:
    name: str  # the rule's name (or its resource address when the name is not known)
    location: Location
    protocol: Value | None = None  # Tcp, Udp, All
    frontend_port: Value | None = None
    idle_minutes: Value | None = None  # None: not written (the default applies)
    tcp_reset: Value | None = None
    aliases: tuple[str, ...] = ()  # other names websocket-routes may use (the resource address)


@dataclass
class LoadBalancerSpec:
    name: str
    location: Location
    rules: list[LbRuleSpec] = field(default_factory=list)
    key: str = "idle_timeout_in_minutes"
    reset_key: str = "tcp_reset_enabled"
    file: str = ""


@dataclass
class FrontDoorRouteSpec:
    name: str
    location: Location
    patterns: list[str] | None = None  # None: not known
    cache: Location | None = None  # the cache block (caching is on)
    cache_unknown: bool = False  # a dynamic cache block: caching may be on
    # how the fix names what turns caching on in this input form
    cache_key: str = "the cache block"
    aliases: tuple[str, ...] = ()


@dataclass
class FrontDoorSpec:
    name: str
    location: Location
    routes: list[FrontDoorRouteSpec] = field(default_factory=list)
    file: str = ""


@dataclass
class AzureSpecs:
    gateways: list[GatewaySpec] = field(default_factory=list)
    balancers: list[LoadBalancerSpec] = field(default_factory=list)
    frontdoors: list[FrontDoorSpec] = field(default_factory=list)


def _listed(entries: list[str], names: Sequence[str | None], file: str) -> bool:
    """A ``websocket-routes`` entry (``NAME`` or ``FILE:NAME``) naming one of ``names``."""
    known = [n for n in names if n]
    return any(listed(entry, known, file) for entry in entries)


class _Builder:
    def __init__(self, specs: AzureSpecs, settings: Settings) -> None:
        self.specs = specs
        self.settings = settings
        self.explicit = settings.websocket_routes
        self.pattern = websocket_token_pattern(settings.all_websocket_paths)
        self.ports = settings.all_websocket_ports
        self.problems: list[Problem] = []

    def ws_path(self, path: str) -> bool:
        return self.pattern.search(path.lower()) is not None

    # -- which routes are marked ---------------------------------------------------------------------------
    def settings_mark(self, gw: GatewaySpec, s: HttpSettingsSpec) -> str | None:
        if self.explicit is not None:
            names = [s.name, *gw.rule_names.get(s.name or "", [])]
            return "listed in websocket-routes" if _listed(self.explicit, names, gw.file) else None
        if s.name is not None and s.name in gw.marks:
            return gw.marks[s.name]
        if s.name is not None and websocket_name(s.name):
            return "its name has a WebSocket token"
        return None

    def rule_mark(self, lb: LoadBalancerSpec, rule: LbRuleSpec) -> str | None:
        if self.explicit is not None:
            names = [rule.name, *rule.aliases]
            return "listed in websocket-routes" if _listed(self.explicit, names, lb.file) else None
        if any(websocket_name(n) for n in (rule.name, *rule.aliases)):
            return "its name has a WebSocket token"
        return None

    def route_mark(self, fd: FrontDoorSpec, route: FrontDoorRouteSpec) -> str | None:
        if self.explicit is not None:
            names = [route.name, *route.aliases]
            return "listed in websocket-routes" if _listed(self.explicit, names, fd.file) else None
        for pattern in route.patterns or []:
            if self.ws_path(pattern):
                return f"its pattern {pattern} names a WebSocket endpoint"
        if any(websocket_name(n) for n in (route.name, *route.aliases)):
            return "its name has a WebSocket token"
        return None

    def anything_marked(self) -> bool:
        s = self.specs
        return (
            any(self.settings_mark(gw, x) for gw in s.gateways for x in gw.settings)
            or any(self.rule_mark(lb, r) for lb in s.balancers for r in lb.rules)
            or any(self.route_mark(fd, r) for fd in s.frontdoors for r in fd.routes)
        )

    # -- values --------------------------------------------------------------------------------------------
    def duration(
        self, value: Value | None, limits: tuple[int, int, int], where: Location, key: str, unit: int, what: str
    ) -> Duration | None:
        return ranged_duration(value, limits, where, key, self.problems, vendor="Azure", subject=what, unit=unit)

    # -- hops ------------------------------------------------------------------------------------------------
    def hops(self) -> list[Hop]:
        fallback = self.explicit is None and not self.anything_marked()
        out: list[Hop] = []
        for gw in self.specs.gateways:
            out.append(self.gateway(gw, fallback))
        for lb in self.specs.balancers:
            out.append(self.balancer(lb, fallback))
        for fd in self.specs.frontdoors:
            out.append(self.frontdoor(fd, fallback))
        return [hop for hop in out if hop.routes]

    def gateway(self, gw: GatewaySpec, fallback: bool) -> Hop:
        hop = Hop(kind=AZURE_APPGW, name=gw.name, location=gw.location)
        for index, s in enumerate(gw.settings, 1):
            # a value the gateway refuses is WS206 whether or not the settings carry WebSockets
            timeout = None if s.unknown else self.duration(s.request_timeout, APPGW_TIMEOUT, s.location, gw.key, 1,
                                                           "Application Gateway")  # fmt: skip
            reason = self.settings_mark(gw, s)
            assumed = False
            if reason is None:
                if not fallback or (s.protocol is not None and s.protocol.lower() not in ("http", "https")):
                    continue
                reason, assumed = "an HTTP(S) backend setting", True
            if timeout is not None:
                timeout = _with_note(timeout, APPGW_NOTE)
            if s.unknown:
                reason += f"; its request timeout is not known: {s.unknown}"
            label = s.name if s.name is not None else f"#{index}"
            hop.routes.append(
                Route(name=f"{gw.name} backend settings {label}", location=s.location, reason=reason,
                      idle_timeout=timeout, lifetime=timeout, default_applies=True, assumed=assumed)
            )  # fmt: skip
        return hop

    def balancer(self, lb: LoadBalancerSpec, fallback: bool) -> Hop:
        hop = Hop(kind=AZURE_LB, name=lb.name, location=lb.location)
        for rule in lb.rules:
            protocol = None if rule.protocol is None or rule.protocol.value is None else str(rule.protocol.value)
            if protocol is not None and protocol.lower() == "udp":
                continue  # "TCP idle timeout does not affect load balancing rules on UDP protocol"
            idle = self.duration(rule.idle_minutes, LB_IDLE_MINUTES, rule.location, lb.key, 60, "load-balancing rule")
            reason = self.rule_mark(lb, rule)
            assumed = False
            if reason is None:
                port = _port(rule.frontend_port)
                if not fallback or port not in self.ports:
                    continue  # a port that is not known is no evidence of web traffic either
                reason, assumed = f"a load-balancing rule on web port {port}", True
            reset = None if rule.tcp_reset is None else rule.tcp_reset.value
            if idle is not None and (reset is None or str(reset).lower() != "true"):
                unknown = rule.tcp_reset is not None and reset is None
                idle = _with_note(
                    idle,
                    f"{lb.reset_key} may be off: an idle flow may be dropped silently, without a TCP reset"
                    if unknown
                    else f"{lb.reset_key} is not true: an idle flow is dropped silently, without a TCP reset",
                )
            hop.routes.append(
                Route(name=f"{lb.name} rule {rule.name}", location=rule.location, reason=reason, idle_timeout=idle,
                      default_applies=True, assumed=assumed)
            )  # fmt: skip
        return hop

    def frontdoor(self, fd: FrontDoorSpec, fallback: bool) -> Hop:
        hop = Hop(kind=AZURE_FRONTDOOR, name=fd.name, location=fd.location)
        for route in fd.routes:
            reason = self.route_mark(fd, route)
            assumed = False
            if reason is None:
                if not fallback:
                    continue
                reason, assumed = "a Front Door route", True
            idle = Duration(seconds=FRONTDOOR_IDLE, text="5m", dialect="seconds", location=route.location,
                            directive="WebSocket idle timeout", note=FRONTDOOR_NOTE)  # fmt: skip
            cap = Duration(seconds=FRONTDOOR_LIFETIME, text="4h", dialect="seconds", location=route.location,
                           directive="WebSocket connection limit", note=FRONTDOOR_NOTE)  # fmt: skip
            off = None
            if route.cache is not None and not assumed:
                off = UpgradeOff(
                    location=route.cache,
                    reason="caching is on, and Front Door does not forward the Upgrade header on a cached route",
                    fix=f"Remove {route.cache_key} from this route (or give WebSocket paths a route without caching).",
                )
            if route.cache_unknown and not assumed:
                reason += "; a dynamic cache block: whether caching is on is not known"
            hop.routes.append(
                Route(name=f"{fd.name} route {route.name}", location=route.location, reason=reason, idle_timeout=idle,
                      lifetime=cap, default_applies=False, upgrade_off=off, assumed=assumed)
            )  # fmt: skip
        return hop


def _with_note(duration: Duration, note: str) -> Duration:
    return replace(duration, note=note)


def _port(value: Value | None) -> int | None:
    if value is None or value.value is None or isinstance(value.value, bool):
        return None
    text = str(value.value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else None


def build(specs: AzureSpecs, settings: Settings) -> tuple[list[Hop], list[Problem]]:
    """The hops (only those with WebSocket routes) and the problems (bad values) of the specs one input holds."""
    builder = _Builder(specs, settings)
    hops = builder.hops()
    return hops, builder.problems
