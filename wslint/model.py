"""The model every source builds and every check reads: plain typed data, no I/O.

Slots dataclasses, not pydantic models: sources build tens of thousands of these from
values they parsed and checked themselves, and checks read them many times over (issue 19:
checks run about twice as fast over slots dataclasses, and a large config needs a third of
the memory). pydantic validates what users write (``wslint.config``), not this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from wslint.hops import HopKind

Dialect = Literal["nginx", "haproxy", "aws", "ingress-nginx", "seconds", "apache"]


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where something is written. ``line``/``column`` are 1-based; ``None`` for live AWS."""

    file: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    # the file a dump (``nginx -T``) says this line came from
    origin: str | None = None

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line or 0, self.column or 0)

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    @classmethod
    def plain(
        cls,
        file: str,
        line: int | None,
        column: int | None,
        end_line: int | None = None,
        end_column: int | None = None,
        origin: str | None = None,
    ) -> Location:
        """A Location from values already checked (a source makes one per directive): see ``construct``."""
        return cls(file=file, line=line, column=column, end_line=end_line, end_column=end_column, origin=origin)


M = TypeVar("M")


def construct(cls: type[M], **values: Any) -> M:
    """``cls(**values)``: kept for the sources that build objects from values already checked."""
    return cls(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Duration:
    """A time value in seconds with the text it came from.

    ``default`` marks a value nobody wrote: the box's documented default, located at
    the block that would hold the directive.
    """

    seconds: float
    text: str
    dialect: Dialect
    location: Location
    default: bool = False
    directive: str = ""
    # where a variable's or parameter's default that gave the value is written
    related: Location | None = None
    # a caveat stated wherever the value is used (e.g. a limit documented for HTTP, applied to WebSockets)
    note: str = ""

    @property
    def infinite(self) -> bool:
        return math.isinf(self.seconds)

    def human(self) -> str:
        return format_seconds(self.seconds)


def format_seconds(seconds: float) -> str:
    """``90`` -> ``1m30s``; ``0.5`` -> ``500ms``; inf -> ``infinite``."""
    if math.isinf(seconds):
        return "infinite"
    if seconds < 1 and seconds != 0:
        return f"{round(seconds * 1000)}ms"
    whole = int(seconds)
    rest = seconds - whole
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    text = "".join(parts) or "0s"
    if rest:
        text += f"{round(rest * 1000)}ms"
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """One ``proxy_set_header`` (or equivalent) as in effect for a route."""

    name: str
    value: str
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionMap:
    """What a ``map $http_upgrade $var`` yields, as far as wslint can read it."""

    variable: str
    source: str
    location: Location
    # value for an empty $http_upgrade ('' key, else default); None when unknown
    empty_value: str | None = None
    # can the map yield "upgrade" when $http_upgrade is non-empty?
    yields_upgrade: bool | None = None


@dataclass(slots=True, kw_only=True)
class NginxRoute:
    """What the upgrade handshake needs from one nginx location (the nginx family's route facts).

    ``None`` in a field means wslint cannot know it (an unreadable include, a context
    it cannot see); checks never fire on ``None``.
    """

    http_version: str | None = None
    http_version_location: Location | None = None
    http_version_default: bool = False
    # the proxy_set_header list in effect, from the innermost level that defines any
    headers: tuple[Header, ...] | None = None
    # the block whose proxy_set_header list is in effect (None: no level defines any)
    headers_block: Location | None = None
    # outer Upgrade/Connection headers that the effective list hides (WS104)
    hidden: tuple[Header, ...] = ()
    connection_map: ConnectionMap | None = None
    # the map for the Connection variable is not defined in the visible http context
    connection_map_missing: bool = False
    upstream_keepalive: bool | None = None
    upstream_location: Location | None = None


@dataclass(slots=True, kw_only=True)
class NginxHop:
    """The main context of an nginx config (the nginx family's hop facts): what capacity rules read (WS501, WS502).

    Each is the setting in effect or its default; ``None`` where the main context is not visible (a sites file).
    """

    worker_connections: Setting | None = None
    worker_rlimit_nofile: Setting | None = None


@dataclass(slots=True, kw_only=True)
class HaproxyHop:
    """Every proxy section of a HAProxy config, and every time written (for unit and range checks)."""

    proxies: list[Proxy] = field(default_factory=list)
    times: list[Duration] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class TargetGroup:
    """An AWS target group behind a load balancer."""

    name: str
    location: Location
    deregistration_delay: Duration | None = None  # None: unknown
    # connections still open when the delay ends are cut (ALB always; NLB with connection termination)
    terminates: bool | None = None
    health_check_path: str | None = None
    health_check_location: Location | None = None


@dataclass(slots=True, kw_only=True)
class AwsHop:
    """An AWS load balancer's facts: the target groups behind it."""

    target_groups: list[TargetGroup] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class AwsRoute:
    """An AWS listener's facts: its protocol (HTTP, HTTPS, TCP, TLS, SSL), None when unknown."""

    protocol: str | None = None


@dataclass(slots=True, kw_only=True)
class IngressRoute:
    """A Kubernetes Ingress path served by an nginx-based controller (the ingress family's route facts)."""

    # ingress-nginx: the Connection header a connection-proxy-header annotation sends instead of
    # $connection_upgrade, when it lacks "upgrade" (WS103)
    connection: Header | None = None
    # NGINX Ingress Controller: is the path's service in nginx.org/websocket-services (False: WS102)
    websocket_service: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpgradeOff:
    """Why a hop will not pass the upgrade on a route (WS107): where it is switched off, or the block lacking it."""

    location: Location
    # what is wrong, as a clause: "the route caches responses, and Front Door does not forward Upgrade then"
    reason: str
    fix: str
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Shadowed:
    """An earlier, broader rule of the same hop that catches this route's requests first (WS108)."""

    location: Location  # the earlier rule
    rule: str  # how it is written: "ProxyPass / http://app/", "use_backend be_web if { path_beg / }"
    reason: str  # why it always wins: "ProxyPass rules match in order, and / covers /ws/"
    # the shadowed rule itself when the route's location is elsewhere (a HAProxy route is its backend section): the
    # finding points there
    at: Location | None = None
    fix: str | None = None  # the help when moving the WebSocket rule above is not the fix (a later <Location> wins)


@dataclass(slots=True, kw_only=True)
class Route:
    """A WebSocket endpoint a hop serves: an nginx location, a HAProxy backend, a listener.

    Every kind has the same hop-neutral facts; what only one dialect has is in ``dialect``,
    typed by the hop kind's family (wslint.hops).
    """

    name: str
    location: Location
    # why the hop carries WebSocket here: the upgrade is enabled ("forwards the Upgrade handshake", ...)
    reason: str
    idle_timeout: Duration | None = None  # None: unknown
    websocket_path: bool = False
    # idle-timeout default rule applies (WS201): the box has a default that bites
    default_applies: bool = True
    # a cap on this route's connections' total lifetime, whatever the traffic (WS207, WS209): a Google Cloud
    # backend service's timeout; a cap of the whole box is ``Hop.lifetime``
    lifetime: Duration | None = None
    # the hop refuses or strips the upgrade on this route until it is switched on (WS107)
    upgrade_off: UpgradeOff | None = None
    # counted as a WebSocket route only because nothing the source read marks any route (every HTTP backend
    # counts then): findings say so
    assumed: bool = False
    # an earlier, broader rule of the hop catches this route's requests first: it is never reached (WS108)
    shadowed: Shadowed | None = None
    dialect: RouteFacts | None = None

    def cap(self, hop: Hop) -> Duration | None:
        """The lifetime cap in effect on this route: its own, else its hop's."""
        return self.lifetime if self.lifetime is not None else hop.lifetime


@dataclass(slots=True, kw_only=True)
class Hop:
    """One box a WebSocket crosses: hop-neutral facts, and the typed facts of its family in ``dialect``."""

    kind: HopKind
    name: str
    location: Location
    routes: list[Route] = field(default_factory=list)
    # a cap on every connection's total lifetime, whatever the traffic (WS207)
    lifetime: Duration | None = None
    # how long an old process keeps serving WebSockets after a reload (nginx worker_shutdown_timeout,
    # HAProxy hard-stop-after): the setting in effect or its default; None where it is not visible
    drain: Setting | None = None
    dialect: HopFacts | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """A scalar directive as in effect at some level, or the default that applies there."""

    name: str
    value: str | None  # None: unset (or unknown when ``unknown``)
    location: Location
    default: bool = False
    unknown: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Keepalive:
    """The keepalive (ping) interval a path is judged with, and where it comes from."""

    seconds: float | None = None  # None: not given (unknown); 0: no keepalive
    source: str = ""  # where it was given: "--ping-interval", "ping-interval in wslint.toml", ...
    client: str = ""  # the client that gives it: "socket.io's default", "outsystemscc --keepalive 20s"
    note: str = ""  # a caveat stated with every finding (uvicorn: only with its websockets backend)

    def describe(self) -> str:
        """``20s (--ping-interval)``, ``25s (socket.io's default; client in wslint.toml)``, ``none (...)``."""
        if self.seconds is None:
            return "unknown"
        value = "none" if self.seconds == 0 else format_seconds(self.seconds)
        origin = "; ".join(part for part in (self.client, self.source) if part)
        return f"{value} ({origin})" if origin else value


@dataclass(slots=True, kw_only=True)
class Path:
    """Hops in order, client side first, and the keepalive interval over them."""

    name: str
    # where the path is declared: a config file's line, or the command line
    location: Location
    # each file hop holds only its selected WebSocket routes
    hops: list[Hop]
    keepalive: Keepalive = field(default_factory=Keepalive)
    # hops declared but not linted in this run (pre-commit passes a subset of files)
    missing: list[str] = field(default_factory=list)
    # what composing the path found worth saying (the path view prints them): a named box whose hops were read
    # from the run's files ("gcp: read from main.tf"), a file that holds no WebSocket hop of its own
    notes: list[str] = field(default_factory=list)

    def timed(self) -> list[tuple[Hop, Route, Duration]]:
        """Every route with a known, finite idle timeout, in path order."""
        return [
            (hop, route, route.idle_timeout)
            for hop in self.hops
            for route in hop.routes
            if route.idle_timeout is not None and not route.idle_timeout.infinite
        ]

    def bottleneck(self) -> tuple[Hop, Route, Duration] | None:
        """The smallest known idle timeout (the first one on a tie), or None."""
        timed = self.timed()
        return min(timed, key=lambda t: t[2].seconds) if timed else None

    def largest_safe_ping(self) -> float | None:
        bottleneck = self.bottleneck()
        return bottleneck[2].seconds / 2 if bottleneck else None


@dataclass(slots=True, kw_only=True)
class Finding:
    rule: str
    name: str = ""
    # None until the engine applies the rule's default and the configured overrides
    severity: Severity | None = None
    location: Location
    message: str
    help: str = ""
    hops: list[str] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    suppressed: bool = False
    # the reason a suppression gives ("" when it gives none); None when not suppressed
    justification: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        file, line, column = self.location.sort_key()
        return (file, line, column, self.rule, self.message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoredTimeout:
    """A timeout written where the hop never applies it to the WebSocket, and the value that applies instead (WS208).

    ``setting`` is how the user wrote it (``proxy_read_timeout 1h``), ``reason`` why the hop never applies it,
    ``applies`` which value applies instead and where it comes from; ``related`` the places that matter
    (the handoff, the value that applies).
    """

    location: Location
    setting: str
    reason: str
    applies: str
    fix: str = ""
    hop: str = ""
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """An inline ignore: which rules, over which lines of one file, and why.

    ``# wslint: ignore[WS201] -- reason`` at the end of a line (scope ``line``), on its own
    line before a directive (``next``) or a block (``block``), ``# wslint: file-ignore[WS4]``
    (``file``), or a CloudFormation resource's ``Metadata: {wslint: {ignore: [...]}}``
    (``resource``). Rules are ids or prefixes, upper-case.
    """

    location: Location
    rules: tuple[str, ...]
    reason: str = ""
    scope: Literal["line", "next", "block", "file", "resource"]
    # the lines of location.file it covers, inclusive
    first_line: int
    last_line: int


@dataclass(slots=True, kw_only=True)
class Unchecked:
    """What an unread include leaves without a verdict: rules of one block it could decide."""

    subject: str  # "location /ws/", "the main context"
    location: Location  # the subject's block
    rules: tuple[str, ...]
    # what the include could set that they read: directive names, "whether it is a WebSocket route"
    what: tuple[str, ...]

    def merged(self, other: Unchecked | None) -> Unchecked:
        """This block's entry with another's (same block, another path to it) folded in."""
        if other is None:
            return self
        return replace(
            self,
            rules=tuple(dict.fromkeys((*other.rules, *self.rules))),
            what=tuple(dict.fromkeys((*other.what, *self.what))),
        )


@dataclass(slots=True, kw_only=True)
class Problem:
    """Something a source met in its input: a parse error, a missing include, a bad time."""

    kind: Literal["parse-error", "include-not-found", "invalid-duration", "note"]
    location: Location
    message: str
    # include-not-found: the target lies outside the linted tree (reported as info)
    outside: bool = False
    # include-not-found: the path as the include writes it
    target: str = ""
    # include-not-found: the blocks and rules it leaves without a verdict
    unchecked: list[Unchecked] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class StockInclude:
    """An nginx include read as a stock file's published contents: no file of that name is in the linted tree."""

    include: str  # the path as the include writes it
    location: Location  # the include directive
    name: str  # the stock file (wslint.sources.nginx_stock)
    source: str  # where its contents are published


@dataclass(slots=True, kw_only=True)
class Document:
    """What a source made of one root file: its hops and the problems met on the way."""

    file: str
    kind: str
    context: str = ""
    hops: list[Hop] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # every file read for this document (the root and what it includes)
    files: list[str] = field(default_factory=list)
    # ignores a source found in a form only it can read (CloudFormation Metadata)
    suppressions: list[Suppression] = field(default_factory=list)
    # nginx: each included file (as locations name it) -> how many times an include brought it in
    included: dict[str, int] = field(default_factory=dict)
    # nginx: includes read as a stock file's published contents
    stock: list[StockInclude] = field(default_factory=list)
    # timeouts written where the hop never applies them to the WebSocket (WS208)
    ignored: list[IgnoredTimeout] = field(default_factory=list)
    # timeouts written that bound only the upgrade handshake, never an established WebSocket (WS210): ``applies``
    # says what does limit it (another idle timeout of the hop, or none)
    handshake_only: list[IgnoredTimeout] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class HaproxyRoute:
    """What the tunnel of one frontend -> backend pair lives on (HAProxy terms)."""

    frontend: str | None  # None: reached from a frontend wslint cannot see
    frontend_kind: str = "frontend"  # frontend or listen
    backend: str
    backend_kind: str  # backend or listen
    tunnel: Duration | None = None
    tunnel_unknown: bool = False
    client_fin: Duration | None = None
    client_fin_unknown: bool = False
    # a `timeout tunnel` in the frontend, which HAProxy ignores there
    ignored_tunnel: Location | None = None
    # the backend's mode (a frontend and its backends share it): "http", "tcp", another, or None when unknown
    mode: str | None = "http"


@dataclass(slots=True, kw_only=True)
class Proxy:
    """A HAProxy frontend, backend or listen section with its effective settings."""

    kind: str
    name: str
    location: Location
    mode: str = "tcp"
    # the defaults section it takes its settings from
    defaults: Location | None = None
    # timeouts HAProxy warns about at start-up when unset: client (frontends), connect and server (backends)
    missing_timeouts: list[str] = field(default_factory=list)
    websocket: bool = False
    health_check_path: str | None = None
    health_check_location: Location | None = None
    # the check sends an Upgrade header (a real WebSocket handshake, expecting 101)
    health_check_upgrade: bool = False


@dataclass(slots=True, kw_only=True)
class ApacheRoute:
    """One Apache proxy rule (``ProxyPass``, ``ProxyPassMatch``, ``RewriteRule … [P]``): what the upgrade and the
    tunnel's idle timeout depend on. ``None`` in a field means wslint cannot know it."""

    directive: str  # ProxyPass, ProxyPassMatch, RewriteRule (as written)
    path: str | None  # the URL-path or regex it matches; None for ProxyPass inside <Location> (the section's)
    target: str  # the backend URL as written
    scheme: str | None  # http, https, ws, wss, balancer, ...; None when a variable
    upgrade: tuple[str, ...] = ()  # the worker's upgrade= protocols
    # where the rule ends (a fix appends " upgrade=websocket" there)
    end: Location | None = None
    # the worker's timeout= (which beats ProxyTimeout for this backend)
    worker_timeout: Duration | None = None
    # the <VirtualHost> (or the main server) the rule is in
    server: Location | None = None
    # the same server's proxy rules that are no WebSocket route (``!`` exclusions left out), included files too:
    # a fix that would change them all (a vhost's ProxyTimeout) is ambiguous then. One list shared by the server's
    # routes, complete once the source has read the server
    others: list[Location] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class ApacheHop:
    """An Apache configuration's server-wide facts: the modules it loads and the WebSocket engine."""

    # lower-cased module names (proxy_wstunnel_module) -> the LoadModule line; None: the LoadModules are not visible
    modules: dict[str, Location] | None = None
    # ProxyWebsocketFallbackToProxyHttp Off: the pre-2.4.47 wstunnel engine, which has no idle timeout
    fallback_off: Location | None = None
    # a main config (apache2.conf, httpd.conf, LoadModule/Listen/ServerRoot): no includer sets anything around it
    main: bool = False


# what one dialect alone has: typed per family (wslint.hops), never a free dict
HopFacts = NginxHop | HaproxyHop | AwsHop | ApacheHop
RouteFacts = NginxRoute | HaproxyRoute | AwsRoute | IngressRoute | ApacheRoute
