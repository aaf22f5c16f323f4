"""Kong declarative configuration (decK ``kong.yaml``, DB-less ``kong.yml``, KIC's generated config) -> hops.

A file is recognised by its top-level ``_format_version`` (``"1.1"``, ``"2.1"``, ``"3.0"``: all read the same way;
Kong refuses a declarative config without it). YAML or JSON, with lines (``yaml_positions``).

What becomes a hop: one ``kong`` hop per file, named by the file, with a route per Kong Route that proxies HTTP:

- ``services[]`` (``name``, ``protocol`` or the ``url`` shorthand, ``read_timeout``) with nested ``routes[]``, and
  top-level ``routes[]`` naming their Service (``service: NAME``, ``service: {name: NAME}`` or ``{id: ID}``);
- a Route whose ``protocols`` (default ``[http, https]``) are HTTP ones, on a Service whose protocol is ``http`` or
  ``https``. A Service without a Route receives no traffic and is no route; a Route without a Service answers 503;
  ``grpc``, ``tcp``, ``tls``, ``udp`` Routes and Services are not WebSocket routes.

Which routes are WebSocket routes (RULES.md): a path (prefix or ``~`` regex) with a WebSocket segment, a Service or
Route name with a WebSocket token, a ``ws``/``wss`` Service or Route (Kong Enterprise's WebSocket proxy), or one that
``websocket-routes`` lists (``ROUTE``, ``SERVICE``, ``SERVICE/ROUTE`` or a path, optionally after ``FILE:``). Kong
proxies WebSocket upgrades on every ``http``/``https`` Route with no configuration, so when no Kong file of the run
marks any route, every HTTP route counts and is only assumed to carry WebSockets (``Route.assumed``).

The idle timeout is the Service's ``read_timeout`` in **milliseconds** (default 60000): Kong hands it to nginx per
request (``ngx.balancer.set_timeouts``), where it is ``proxy_read_timeout`` of the upstream connection, and an
upgraded connection idles out after it as under nginx. decK's object defaults
(``_info.defaults.service.read_timeout``, ``_info.defaults.route.protocols``) apply where a Service or Route sets
none. A value Kong's schema refuses (not a whole number, or outside 1..2^31-2) is WS206 and the timeout is unknown
(Kong refuses the whole config). A decK environment value (``${{ env "DECK_X" }}``) is unknown. On a ``ws``/``wss``
Service Kong Enterprise terminates the WebSocket itself, in code that is not public: its idle timeout is unknown, and
a note says so; so is a route that Kong Enterprise's ``upstream-timeout`` plugin applies to (nested in the route or
its Service, naming either, or global).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from wslint import hops
from wslint.config import Settings, websocket_token_pattern
from wslint.model import Document, Duration, Hop, Location, Problem, Route
from wslint.sources.aws_spec import websocket_name
from wslint.sources.cloud_common import selector
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_each, scalar_text
from wslint.sources.yaml_positions import load as load_yaml
from wslint.templating import has_placeholder

DIRECTIVE = "read_timeout"
DEFAULT_MS = 60000  # Kong/kong kong/db/schema/entities/services.lua: nonzero_timeout { default = 60000 }
MAX_MS = 2**31 - 2  # nonzero_timeout: between = { 1, math.pow(2, 31) - 2 }
HTTP = frozenset({"http", "https"})
WEBSOCKET = frozenset({"ws", "wss"})
DEFAULT_PROTOCOLS = ("http", "https")
ASSUMED = "every HTTP route counts: Kong proxies WebSocket upgrades on it, and nothing read marks a WebSocket route"
NOTE = "milliseconds"
TIMEOUT_PLUGIN = "upstream-timeout"  # Kong Enterprise: per-route upstream timeouts that replace the Service's
PLUGIN = (
    "has Kong Enterprise's upstream-timeout plugin, whose read_timeout replaces the Service's for the requests it "
    "applies to: its idle timeout is left unchecked"
)
ENTERPRISE = (
    "is a ws/wss Service: Kong Enterprise terminates the WebSocket itself, in code that is not public, so whether "
    "its read_timeout closes an idle WebSocket is not known; its idle timeout is left unchecked"
)


def _scalar(node: Node | None) -> str | None:
    return None if node is None or not node.is_scalar or node.value is None else scalar_text(node.value)


def _whole(value: object) -> int | None:
    """A whole number as Kong's integer fields take it (an integral float too); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value == int(value) else None
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        return int(value)
    return None


def _reference(node: Node | None) -> str | None:
    """What a plugin's ``service:``/``route:`` names: ``NAME``, ``{name: NAME}`` or ``{id: ID}``."""
    if node is None:
        return None
    if node.mapping is not None:
        return _scalar(node.get("name")) or _scalar(node.get("id"))
    return _scalar(node)


def _strings(node: Node | None) -> list[str] | None:
    """A list of strings (None when the key is absent or not a list)."""
    if node is None or node.items is None:
        return None
    return [str(item.value) for item in node.items if item.is_scalar and item.value is not None]


@dataclass
class _Service:
    node: Node
    name: str
    protocol: str | None  # None: unknown (a template value)
    timeout: Duration | None
    marked_name: bool


@dataclass
class _Route:
    node: Node
    name: str
    label: str  # how findings name it: "Service chat route ws"
    service: _Service | None
    paths: list[str]
    protocols: list[str]
    # an upstream-timeout plugin (Kong Enterprise) applies to it: its timeouts are the plugin's
    plugin: bool = False


@dataclass
class _File:
    display: str
    root: Node
    services: list[_Service] = field(default_factory=list)
    routes: list[_Route] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    def __init__(self, display: str, root: Node) -> None:
        self.out = _File(display, root)
        info = root.get("_info")
        defaults = None if info is None else info.get("defaults")
        service = None if defaults is None else defaults.get("service")
        route = None if defaults is None else defaults.get("route")
        # decK's object defaults (_info.defaults): a Service's own value wins, then these, then Kong's
        written = None if service is None else service.get(DIRECTIVE)
        self.default_written = None if written is None or (written.is_scalar and written.value is None) else written
        self.default_timeout: Duration | None = None
        if self.default_written is not None:
            self.default_timeout = self.parse(self.default_written, "the _info.defaults Service")
        self.default_protocols = _strings(None if route is None else route.get("protocols"))
        # upstream-timeout plugins: everywhere (a global one), or the Services and Routes named or nesting them
        self.plugin_everywhere = False
        self.plugin_services: set[str] = set()
        self.plugin_routes: set[str] = set()

    def where(self, node: Node) -> Location:
        return node.location(self.out.display)

    def problem(self, node: Node, message: str, kind: str = "invalid-duration") -> None:
        self.out.problems.append(Problem(kind=kind, location=self.where(node), message=message))  # type: ignore[arg-type]

    def read(self) -> _File:
        root = self.out.root
        by_key: dict[str, _Service] = {}
        services = root.get("services")
        for number, node in enumerate(services.items or [] if services is not None else [], start=1):
            if node.mapping is None:
                continue
            service = self.service(node, number)
            self.out.services.append(service)
            by_key[service.name] = service
            ident = _scalar(node.get("id"))
            if ident:
                by_key[ident] = service
            if self.plugins(node):
                self.plugin_services.add(service.name)
            nested = node.get("routes")
            for index, route in enumerate(nested.items or [] if nested is not None else [], start=1):
                if route.mapping is not None:
                    self.route(route, service, f"Service {service.name} route", index)
        top = root.get("routes")
        for index, route in enumerate(top.items or [] if top is not None else [], start=1):
            if route.mapping is None:
                continue
            reference = route.get("service")
            key = _scalar(reference) if reference is None or reference.is_scalar else None
            if reference is not None and reference.mapping is not None:
                key = _scalar(reference.get("name")) or _scalar(reference.get("id"))
            if key is None:
                continue  # no Service: Kong answers 503 ("no Service found with those values")
            found = by_key.get(key)
            if found is None:
                self.problem(
                    route,
                    f"route {_scalar(route.get('name')) or index} names Service {key}, which is not in this file: its "
                    "idle timeout (the Service's read_timeout) is unknown",
                    "note",
                )
            self.route(route, found, "route", index, key)
        for plugin in self.timeout_plugins(root.get("plugins")):
            service_ref, route_ref = _reference(plugin.get("service")), _reference(plugin.get("route"))
            self.plugin_services.update([service_ref] if service_ref else [])
            self.plugin_routes.update([route_ref] if route_ref else [])
            self.plugin_everywhere = self.plugin_everywhere or not (service_ref or route_ref)
        for read in self.out.routes:
            service_name = read.service.name if read.service is not None else ""
            read.plugin = read.plugin or self.plugin_everywhere or service_name in self.plugin_services
            read.plugin = read.plugin or read.name in self.plugin_routes
        return self.out

    @staticmethod
    def timeout_plugins(plugins: Node | None) -> list[Node]:
        """The upstream-timeout plugins of a plugins list."""
        items = [] if plugins is None or plugins.items is None else plugins.items
        return [p for p in items if p.mapping is not None and _scalar(p.get("name")) == TIMEOUT_PLUGIN]

    def plugins(self, node: Node) -> bool:
        """Does this Service or Route nest an upstream-timeout plugin?"""
        return bool(self.timeout_plugins(node.get("plugins")))

    def service(self, node: Node, number: int) -> _Service:
        name = _scalar(node.get("name")) or f"service {number}"
        protocol = _scalar(node.get("protocol"))
        url = _scalar(node.get("url"))
        if protocol is None and url is not None:
            scheme = url.partition("://")[0] if "://" in url else ""
            protocol = scheme.lower() or None if not has_placeholder(scheme) else None
        elif protocol is None:
            protocol = "http"  # services.lua: protocol default "http"
        if protocol is not None and has_placeholder(protocol):
            protocol = None
        protocol = protocol.lower() if protocol else protocol
        timeout = self.timeout(node, name) if protocol not in WEBSOCKET else None
        return _Service(node=node, name=name, protocol=protocol, timeout=timeout, marked_name=websocket_name(name))

    def timeout(self, node: Node, name: str) -> Duration | None:
        written = node.get(DIRECTIVE)
        if written is None or (written.is_scalar and written.value is None):
            if self.default_written is not None:
                return self.default_timeout
            return Duration(seconds=DEFAULT_MS / 1000, text=str(DEFAULT_MS), dialect="seconds",
                            location=self.where(node), default=True, directive=DIRECTIVE)  # fmt: skip
        return self.parse(written, f"Service {name}")

    def parse(self, written: Node, owner: str) -> Duration | None:
        """A written read_timeout: its Duration, or None (unknown) for a template value or one Kong refuses (WS206)."""
        value = written.value if written.is_scalar else None
        text = _scalar(written) or ""
        if isinstance(value, str) and has_placeholder(value):
            return None  # a decK environment value or another template: unknown
        milliseconds = _whole(value)
        if milliseconds is None:
            self.problem(written, f"{DIRECTIVE} {text or '(not a number)'} on {owner}: Kong takes a whole "
                         f"number of milliseconds and refuses this config")  # fmt: skip
            return None
        if not 1 <= milliseconds <= MAX_MS:
            self.problem(written, f"{DIRECTIVE} {text} on {owner}: Kong takes 1 to {MAX_MS} milliseconds and "
                         "refuses this config (0 does not switch the timeout off)")  # fmt: skip
            return None
        return Duration(seconds=milliseconds / 1000, text=text, dialect="seconds", location=self.where(written),
                        directive=DIRECTIVE, note=NOTE)  # fmt: skip

    def route(self, node: Node, service: _Service | None, label: str, index: int, key: str = "") -> None:
        name = _scalar(node.get("name")) or str(index)
        protocols = _strings(node.get("protocols"))
        if protocols is None:
            # routes.lua: the default is http, https; a ws/wss Service's routes must be ws/wss (dao/routes.lua)
            protocols = [service.protocol] if service is not None and service.protocol in WEBSOCKET else []
            protocols = protocols or self.default_protocols or list(DEFAULT_PROTOCOLS)
        paths = _strings(node.get("paths")) or []
        if service is None and key:
            service = _Service(node=node, name=key, protocol=None, timeout=None, marked_name=websocket_name(key))
        self.out.routes.append(
            _Route(
                node=node,
                name=name,
                label=f"{label} {name}" + (f" (Service {key})" if key else ""),
                service=service,
                paths=paths,
                protocols=[p.lower() for p in protocols],
                plugin=self.plugins(node),
            )
        )


def _web(route: _Route) -> bool:
    """Does the route proxy HTTP (or Kong Enterprise's WebSocket protocols) to an HTTP Service?"""
    service = route.service
    protocols = set(route.protocols)
    if not protocols & (HTTP | WEBSOCKET):
        return False
    return service is None or service.protocol is None or service.protocol in HTTP | WEBSOCKET


def _marks(route: _Route, pattern: re.Pattern[str]) -> str | None:
    """Why a route is a WebSocket route by what it says itself; None when nothing marks it."""
    service = route.service
    if set(route.protocols) & WEBSOCKET or (service is not None and service.protocol in WEBSOCKET):
        return "a ws/wss route (Kong Enterprise's WebSocket proxy)"
    if any(pattern.search(path.lower()) for path in route.paths):
        return "its path names a WebSocket endpoint"
    if websocket_name(route.name) or (service is not None and service.marked_name):
        return "its route or Service name has a WebSocket token"
    return None


def _listed(route: _Route, entries: list[str], file: str) -> bool:
    names = {route.name, *route.paths}
    if route.service is not None:
        names |= {route.service.name, f"{route.service.name}/{route.name}"}
    return any(selector(entry, file) in names for entry in entries)


def _document(read: _File, settings: Settings, marked: bool) -> Document:
    document = Document(file=read.display, kind="kong", context="kong", files=[read.display])
    document.problems = read.problems
    pattern = websocket_token_pattern(settings.all_websocket_paths)
    explicit = settings.websocket_routes
    version = read.root.key_node("_format_version")
    hop = Hop(kind=hops.KONG_HOP, name=read.display,
              location=(version or read.root).location(read.display))  # fmt: skip
    noted: set[int] = set()
    for route in read.routes:
        if not _web(route):
            continue
        if route.service is not None and route.service.protocol in WEBSOCKET and id(route.service) not in noted:
            noted.add(id(route.service))
            where = route.service.node.location(read.display)
            document.problems.append(Problem(kind="note", location=where,
                                             message=f"Service {route.service.name} {ENTERPRISE}"))  # fmt: skip
        assumed = False
        if explicit is not None:
            if not _listed(route, explicit, read.display):
                continue
            reason = "listed in websocket-routes"
        else:
            found = _marks(route, pattern)
            if found is None and marked:
                continue
            reason, assumed = (found, False) if found is not None else (ASSUMED, True)
        service = route.service
        timeout = service.timeout if service is not None and not route.plugin else None
        if route.plugin:
            document.problems.append(Problem(kind="note", location=route.node.location(read.display),
                                             message=f"{route.label} {PLUGIN}"))  # fmt: skip
        hop.routes.append(
            Route(name=route.label, location=route.node.location(read.display), reason=reason,
                  idle_timeout=timeout, default_applies=True,
                  websocket_path=any(pattern.search(p.lower()) for p in route.paths), assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        document.hops.append(hop)
    return document


def _parse(text: str, display: str) -> _File | Document:
    """The file's services and routes, or a Document holding its parse error."""
    try:
        root = load_yaml(text)
    except YamlError as exc:
        document = Document(file=display, kind="kong", context="kong", files=[display])
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=display, line=exc.line, column=exc.column),
                    message=f"cannot read the Kong declarative config: {exc.message}")
        )  # fmt: skip
        return document
    if root is None or root.mapping is None:
        document = Document(file=display, kind="kong", context="kong", files=[display])
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=display, line=1, column=1),
                    message="a Kong declarative config must be a mapping (with _format_version, services, routes)")
        )  # fmt: skip
        return document
    return _Reader(display, root).read()


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Kong declarative files (the source registry's ``load``).

    Every file is read first: a route marked in any of them means no route of the run is only assumed.
    """
    settings = context.settings
    parsed: dict[str, _File] = {}

    def read_one(text: str, file: str, named: bool) -> Document:
        result = _parse(text, file)
        if isinstance(result, Document):
            return result
        parsed[file] = result
        return Document(file=file, kind="kong", context="kong", files=[file])

    documents, errors = load_each(files, settings.max_file_size, context.stdin, read_one, "Kong")
    pattern = websocket_token_pattern(settings.all_websocket_paths)
    marked = any(_web(r) and _marks(r, pattern) for read in parsed.values() for r in read.routes)
    out = []
    for document in documents:
        read = parsed.get(document.file)
        if read is not None:
            try:
                document = _document(read, settings, marked)
            except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
                from wslint import BUG_HINT

                errors.append(f"{read.display}: internal error in the Kong source: {type(exc).__name__}: {exc}; "
                              f"{BUG_HINT}")  # fmt: skip
                continue
        document.kind, document.context = "kong", "kong"
        out.append(document)
    return out, errors
