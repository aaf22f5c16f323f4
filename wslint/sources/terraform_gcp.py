"""Terraform resources of Google Cloud (backend services behind Application Load Balancers, Cloud Run) -> hops.

- ``google_compute_backend_service`` / ``google_compute_region_backend_service``: ``timeout_sec`` (the API's
  default 30 s, range 1-2,147,483,647: GoogleCloudPlatform/magic-modules@005bcd12f77c
  mmv1/products/compute/BackendService.yaml, property ``timeoutSec``), ``protocol`` (default HTTP, same file) and
  ``load_balancing_scheme`` (default EXTERNAL for the global resource, INTERNAL for the regional one:
  ``loadBalancingScheme`` in BackendService.yaml and RegionBackendService.yaml). The timeout "has a different
  meaning depending on the type of load balancer": behind an Application Load Balancer (protocol HTTP, HTTPS or
  HTTP2; scheme EXTERNAL, EXTERNAL_MANAGED or INTERNAL_MANAGED) it is the most a WebSocket lives, idle or not
  (kubernetes/ingress-gce@bf91d714 examples/websocket/README.md: "this timeout is not an idle timeout - it's a
  timeout on the connection lifetime"). Behind a proxy Network Load Balancer (TCP, SSL) and for Traffic Director
  (INTERNAL_SELF_MANAGED) its meaning for WebSockets is not settled from a primary source wslint could read: the
  route is kept with an unknown timeout, which never fires. A passthrough load balancer (INTERNAL) and UDP, gRPC
  and H2C backends carry no WebSocket through a proxy: not routes.
- a URL map (``google_compute_url_map`` / ``google_compute_region_url_map``) is one hop; its routes are the backend
  services it sends to (``default_service``, path matchers' ``default_service``, ``path_rule`` and ``route_rules``
  services, weighted backend services). A ``route_action { timeout }`` in the URL map overrides the backend
  service's timeout where it applies: the cap of the backend services it sends to is then unknown. Backend
  services no URL map of the module names are each a hop of their own.
- ``google_cloud_run_v2_service`` ``template { timeout = "300s" }`` and ``google_cloud_run_service``
  ``template { spec { timeout_seconds } }``: the request timeout, which caps a WebSocket's life (default 300 s,
  at most 3600 s): ``terraform_cloud_run``.

Which routes are WebSocket routes (RULES.md): a backend service a path or route rule with a WebSocket path sends
to, one whose resource name or ``name`` has a WebSocket token, or one ``websocket-routes`` lists (then only
those); when nothing in the module marks any, every HTTP(S) backend service of an Application Load Balancer counts,
assumed to carry WebSockets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wslint.config import Settings, websocket_token_pattern
from wslint.hops import GCP_LB
from wslint.model import Document, Duration, Hop, Location, Route
from wslint.sources import terraform_cloud_run
from wslint.sources.aws_spec import ranged_duration, websocket_name
from wslint.sources.cloud_common import listed, no_idle_timeout
from wslint.sources.terraform_blocks import Block
from wslint.sources.terraform_values import Module, Resource

BACKEND_TYPES = frozenset({"google_compute_backend_service", "google_compute_region_backend_service"})
URL_MAP_TYPES = frozenset({"google_compute_url_map", "google_compute_region_url_map"})
ALB_PROTOCOLS = frozenset({"HTTP", "HTTPS", "HTTP2"})
ALB_SCHEMES = frozenset({"EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_MANAGED"})
NEG_TYPES = frozenset({"google_compute_region_network_endpoint_group", "google_compute_network_endpoint_group"})
SERVERLESS_BLOCKS = ("cloud_run", "app_engine", "cloud_function", "serverless_deployment")
TIMEOUT_DEFAULT = 30
TIMEOUT_MAX = 2147483647
DIRECTIVE = "timeout_sec"

Key = tuple[str, str, str]


@dataclass
class _Backend:
    resource: Resource
    # why it carries WebSockets ("" when nothing marks it), and whether a WebSocket path sends to it
    marked: str = ""
    websocket_path: bool = False
    # a route_action timeout of a URL map that sends to it overrides timeout_sec somewhere
    overridden: Location | None = None
    maps: list[Key] = field(default_factory=list)


def read(module: Module, document: Document, settings: Settings) -> None:
    """Add this provider's hops (and the problems met) from the module's resources to its document."""
    present = [r for r in module.resources if not module.absent(r.block) and r.file.linted]
    reader = _Reader(module, settings, document)
    reader.backends(present)
    terraform_cloud_run.read(module, present, document, settings)


class _Reader:
    def __init__(self, module: Module, settings: Settings, document: Document) -> None:
        self.module = module
        self.settings = settings
        self.document = document
        self.pattern = websocket_token_pattern(settings.all_websocket_paths)

    def backends(self, present: list[Resource]) -> None:
        backends = {r.key: _Backend(r) for r in present if r.type in BACKEND_TYPES}
        if not backends:
            return
        maps = [r for r in present if r.type in URL_MAP_TYPES]
        for url_map in maps:
            for key, websocket_path in self._sent_to(url_map.block, url_map.file.display, False):
                backend = backends.get(key)
                if backend is None:
                    continue
                if url_map.key not in backend.maps:
                    backend.maps.append(url_map.key)
                backend.websocket_path = backend.websocket_path or websocket_path
            override = _route_timeout(url_map.block)
            if override is not None:
                for key, _ in self._sent_to(url_map.block, url_map.file.display, False):
                    if key in backends:
                        backends[key].overridden = override
        self._mark(list(backends.values()))
        assumed = not any(b.marked for b in backends.values())
        routes: dict[Key, Route] = {}
        for key, backend in backends.items():
            route = self._route(backend, assumed)
            if route is not None:
                routes[key] = route
        for url_map in maps:
            members = [routes[k] for k, b in backends.items() if url_map.key in b.maps and k in routes]
            if members:
                self.document.hops.append(
                    Hop(kind=GCP_LB, name=f"{url_map.type}.{url_map.name}", location=url_map.block.loc, routes=members)
                )
        for key, backend in backends.items():
            if not backend.maps and key in routes:
                resource = backend.resource
                name = f"{resource.type}.{resource.name}"
                hop = Hop(kind=GCP_LB, name=name, location=resource.block.loc, routes=[routes[key]])
                self.document.hops.append(hop)

    # -- which backend services a URL map sends to, and on which paths -------------------------------------------

    def _sent_to(self, block: Block, file: str, websocket_path: bool) -> list[tuple[Key, bool]]:
        """(backend service, on a WebSocket path) for every service the block and its children name."""
        found: list[tuple[Key, bool]] = []
        paths = self._paths(block)
        on_ws = websocket_path or any(self.pattern.search(p.lower()) for p in paths)
        for name, attr in block.attrs.items():
            if name in ("default_service", "service", "backend_service"):
                for rtype, label in self.module.refs(attr):
                    if rtype in BACKEND_TYPES:
                        resource = self.module.find(rtype, label, file)
                        if resource is not None:
                            found.append((resource.key, on_ws))
        for child in block.blocks:
            inner = child.blocks if child.type == "dynamic" else [child]
            for b in inner:
                found.extend(self._sent_to(b, file, on_ws))  # a rule's route_action sends its paths on
        return found

    def _paths(self, block: Block) -> list[str]:
        """The paths a path rule or route rule matches, as written (known strings only)."""
        out: list[str] = []
        if block.type == "path_rule":
            for expr in self.module.elems(block.attrs.get("paths")) or []:
                value, _, known = self.module.scalar_of(expr)
                if known and isinstance(value, str):
                    out.append(value)
        elif block.type == "route_rules":
            for match in block.children("match_rules"):
                for key in ("prefix_match", "full_path_match", "regex_match", "path_template_match"):
                    text = self.module.text(match.attrs.get(key))
                    if text:
                        out.append(text)
        return out

    # -- marking ----------------------------------------------------------------------------------------------

    def _mark(self, backends: list[_Backend]) -> None:
        explicit = self.settings.websocket_routes
        for backend in backends:
            resource = backend.resource
            aws_name = self.module.text(resource.block.attrs.get("name")) or ""
            names = [f"{resource.type}.{resource.name}", resource.name, *([aws_name] if aws_name else [])]
            if explicit is not None:
                if any(listed(e, names, resource.file.display) for e in explicit):
                    backend.marked = "listed in websocket-routes"
            elif backend.websocket_path:
                backend.marked = "a URL map sends a WebSocket path to it"
            elif any(websocket_name(n) for n in (resource.name, aws_name) if n):
                backend.marked = "named for WebSocket"

    # -- one backend service -> its route ---------------------------------------------------------------------

    def _route(self, backend: _Backend, fallback: bool) -> Route | None:
        m, resource = self.module, backend.resource
        block = resource.block
        regional = resource.type == "google_compute_region_backend_service"
        protocol = _upper(m, block, "protocol", "HTTP")
        scheme = _upper(m, block, "load_balancing_scheme", "INTERNAL" if regional else "EXTERNAL")
        name = f"{resource.type}.{resource.name}"
        if scheme == "INTERNAL" or protocol in ("UDP", "GRPC", "H2C"):
            return None  # a passthrough load balancer, or a protocol that carries no WebSocket through a proxy
        http = protocol in ALB_PROTOCOLS and scheme in ALB_SCHEMES
        if not backend.marked and not (fallback and http):
            return None
        reason = backend.marked or "an HTTP(S) backend service of an Application Load Balancer"
        route = Route(
            name=name,
            location=block.loc,
            reason=reason,
            websocket_path=backend.websocket_path,
            default_applies=False,
            assumed=not backend.marked,
        )
        if protocol is None or scheme is None:
            route.reason += "; its timeout is unknown: protocol or load_balancing_scheme is not a known value"
            return route
        if not http:
            what = "Traffic Director's" if scheme == "INTERNAL_SELF_MANAGED" else "a proxy Network Load Balancer's"
            route.reason += (
                f"; timeout_sec is {what} timeout here, whose effect on WebSockets wslint has not settled from "
                "Google's documentation: not judged"
            )
            return route
        if self._serverless(backend.resource):
            route.reason += (
                "; its backends are a serverless network endpoint group, whose platform's request timeout (Cloud Run's "
                "is judged on its own hop) wslint does not combine with timeout_sec: not judged"
            )
            return route
        cap = self._timeout(block)
        if cap is None:
            return route  # unknown, or a value Google refuses (WS206)
        if backend.overridden is not None:
            route.reason += (
                f"; a route_action timeout in a URL map (line {backend.overridden.line}) overrides timeout_sec on "
                "some of its routes: the cap is not judged"
            )
            return route
        route.lifetime = cap
        route.idle_timeout = no_idle_timeout(block.loc)
        return route

    def _serverless(self, resource: Resource) -> bool:
        """Any backend group is a serverless NEG (Cloud Run, App Engine, Cloud Functions, API Gateway)."""
        m = self.module
        for backend in resource.block.children("backend") + resource.block.dynamic("backend"):
            for rtype, label in [r for attr in backend.attrs.values() for r in m.refs(attr)] + [
                r for child in backend.blocks for attr in child.attrs.values() for r in m.refs(attr)
            ]:
                if rtype not in NEG_TYPES:
                    continue
                neg = m.find(rtype, label, resource.file.display)
                if neg is None:
                    continue
                kind = (m.text(neg.block.attrs.get("network_endpoint_type")) or "").upper()
                if kind == "SERVERLESS" or any(neg.block.children(b) for b in SERVERLESS_BLOCKS):
                    return True
        return False

    def _timeout(self, block: Block) -> Duration | None:
        value = self.module.value(block.attrs.get(DIRECTIVE))
        limits = (TIMEOUT_DEFAULT, 1, TIMEOUT_MAX)
        problems = self.document.problems
        return ranged_duration(
            value, limits, block.loc, DIRECTIVE, problems, vendor="Google Cloud", subject="backend service"
        )


def _upper(module: Module, block: Block, key: str, default: str) -> str | None:
    """An enum argument in upper case, its default when not written, None when unknown."""
    attr = block.attrs.get(key)
    value = module.value(attr)
    if value is None:
        return default
    if value.value is None or isinstance(value.value, bool):
        return None
    return str(value.value).upper()


def _route_timeout(block: Block) -> Location | None:
    """The first ``timeout`` block inside a ``route_action``/``default_route_action`` of a URL map."""
    for child in block.blocks:
        inner = child.blocks if child.type == "dynamic" else [child]
        for b in inner:
            if b.type in ("route_action", "default_route_action"):
                for timeout in b.children("timeout"):
                    return timeout.loc
                if b.dynamic("timeout"):
                    return b.loc
            found = _route_timeout(b)
            if found is not None:
                return found
    return None
