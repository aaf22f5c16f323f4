"""What the Google Cloud and Azure hops of Kubernetes manifests share across the files of one run.

A GKE Ingress names Services, a Service names a ``BackendConfig`` in its annotation, a ``GCPBackendPolicy``
targets a Service, an ``HTTPRoute`` names its Gateway: each may be in another file of the run. ``Index`` holds
every object of the run by kind, and ``find`` looks one up by namespace and name the way a cluster would, preferring
the same file, then the same directory, then the whole run (a run over several projects holds several clusters): a
name that two objects of one level share is ambiguous, hence unknown (None).

``marked`` says whether anything in the run marks a WebSocket route (a path with a WebSocket segment, a backend
whose name has a WebSocket token, ``nginx.org/websocket-services``, or ``websocket-routes`` in the config): when
nothing does, every HTTP backend of a Google Cloud or Azure hop counts, with ``Route.assumed`` (RULES.md "Which
routes are WebSocket routes").
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wslint.config import Settings, websocket_token_pattern
from wslint.hops import HopKind
from wslint.model import Hop, Route
from wslint.sources import aws_spec
from wslint.sources.cloud_common import no_idle_timeout
from wslint.sources.kubernetes_manifest import NGINX_INC, scalar
from wslint.sources.kubernetes_manifest import Manifest as _Manifest

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis
    from wslint.sources.yaml_positions import Node

# the kinds the cloud hops look up across files
KINDS = frozenset(
    {
        "Service",
        "BackendConfig",
        "GCPBackendPolicy",
        "Gateway",
        "GatewayClass",
        "HTTPRoute",
        "ConfigMap",
        # the Envoy family, Kong and Traefik (issue 23)
        "HTTPProxy",
        "ContourConfiguration",
        "ContourDeployment",
        "ClientTrafficPolicy",
        "BackendTrafficPolicy",
        "EnvoyProxy",
        "DestinationRule",
        "VirtualService",
        "Sidecar",
        "ProxyConfig",
        "EnvoyFilter",
        "Mapping",
        "Module",
        "KongIngress",
        "KongUpstreamPolicy",
        "IngressRoute",
        "Middleware",
        "ServersTransport",
        "TraefikService",
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "Pod",
    }
)


def _directory(file: str) -> str:
    return posixpath.dirname(file.replace("\\", "/"))


def namespace(manifest: _Manifest) -> str:
    return manifest.text("metadata", "namespace") or ""


@dataclass
class Index:
    """The objects of a run the cloud hops refer to, by kind."""

    objects: dict[str, list[_Manifest]] = field(default_factory=dict)
    # something in the run marks a WebSocket route: no backend is assumed to carry WebSockets
    marked: bool = False
    # directories holding an IngressClass marked default (an Ingress without a class gets that class there)
    default_class_dirs: set[str] = field(default_factory=set)

    def find(self, kind: str, name: str, space: str, near: str, api: str = "") -> _Manifest | None:
        """The object of ``kind`` named ``name`` in namespace ``space`` (an unwritten namespace matches any), looked
        for in ``near``'s file, then its directory, then the run; None when none is found or two are."""
        return self.lookup(kind, name, space, near, api)[0]

    def lookup(self, kind: str, name: str, space: str, near: str, api: str = "") -> tuple[_Manifest | None, bool]:
        """``find``, and whether it found two (ambiguous: unknown, not absent)."""
        candidates = [
            m
            for m in self.objects.get(kind, [])
            if m.text("metadata", "name") == name
            and (not space or not namespace(m) or namespace(m) == space)
            and (m.text("apiVersion") or "").startswith(api)
        ]
        for level in (lambda m: m.file == near, lambda m: _directory(m.file) == _directory(near), lambda m: True):
            found = [m for m in candidates if level(m)]
            if found:
                return (found[0], False) if len(found) == 1 else (None, True)
        return None, False

    def of_kind(self, kind: str) -> list[_Manifest]:
        return self.objects.get(kind, [])


def build(
    everything: list[_Manifest], settings: Settings, marks: Iterable[Callable[[_Manifest, re.Pattern[str]], bool]] = ()
) -> Index:
    """The run's index; ``marks`` are the other readers' tests of an object marking a WebSocket route (kubernetes.py's
    ``EXTENSIONS``)."""
    index = Index()
    for m in everything:
        if m.kind in KINDS:
            index.objects.setdefault(m.kind, []).append(m)
        if m.kind == "IngressClass":
            flag = m.annotations().get("ingressclass.kubernetes.io/is-default-class")
            if (scalar(flag) or "").lower() == "true":
                index.default_class_dirs.add(_directory(m.file))
    pattern = websocket_token_pattern(settings.all_websocket_paths)
    if settings.websocket_routes is not None:
        index.marked = True
        return index
    for m in everything:
        if m.kind == "Ingress":
            listed = scalar(m.annotations().get(NGINX_INC + "websocket-services"))
            if listed and listed.strip():
                index.marked = True
            for path, service, _ in ingress_backends(m):
                if pattern.search(path.lower()) or aws_spec.websocket_name(service):
                    index.marked = True
        elif m.kind == "HTTPRoute":
            for path, service, _ in route_backends(m):
                if pattern.search(path.lower()) or aws_spec.websocket_name(service):
                    index.marked = True
        elif is_knative(m) and aws_spec.websocket_name(m.text("metadata", "name") or ""):
            index.marked = True
    if not index.marked:
        index.marked = any(mark(m, pattern) for m in everything for mark in marks)
    return index


def is_knative(manifest: _Manifest) -> bool:
    return manifest.kind == "Service" and (manifest.text("apiVersion") or "").startswith("serving.knative.dev/")


@dataclass
class Backend:
    """An Ingress path or HTTPRoute match and the Service it sends to."""

    path: str  # host + path, as the other Kubernetes hops name routes
    service: str
    port: str | None  # a number or a port name; None when not written
    node: Node
    rule: Node | None = None  # the HTTPRoute rule


def ingress_backends(ingress: _Manifest) -> list[tuple[str, str, Node]]:
    return [(b.path, b.service, b.node) for b in ingress_paths(ingress)]


def ingress_paths(ingress: _Manifest) -> list[Backend]:
    """Every rule path of an Ingress (v1 and v1beta1 backends), and its default backend as ``/*``."""
    out: list[Backend] = []
    spec = ingress.node.get("spec")
    if spec is None:
        return out
    rules = spec.get("rules")
    for rule in (rules.items or []) if rules is not None else []:
        host = scalar(rule.get("host")) or ""
        http = rule.get("http")
        paths = None if http is None else http.get("paths")
        for entry in (paths.items or []) if paths is not None else []:
            backend = _backend(entry.get("backend"))
            if backend is not None:
                out.append(Backend(f"{host}{scalar(entry.get('path')) or '/'}", *backend, entry))
    for key in ("defaultBackend", "backend"):
        node = spec.get(key)
        backend = _backend(node)
        if node is not None and backend is not None:
            out.append(Backend("/*", *backend, node))
    return out


def _backend(node: Node | None) -> tuple[str, str | None] | None:
    if node is None:
        return None
    service = node.get("service")
    if service is not None:
        port = service.get("port")
        number = None if port is None else scalar(port.get("number")) or scalar(port.get("name"))
        return scalar(service.get("name")) or "", number
    name = scalar(node.get("serviceName"))  # v1beta1
    return (name, scalar(node.get("servicePort"))) if name else None


def route_backends(route: _Manifest) -> list[tuple[str, str, Node]]:
    return [(b.path, b.service, b.node) for b in route_paths(route)]


def route_paths(route: _Manifest) -> list[Backend]:
    """Every (path match, Service backendRef) of an HTTPRoute's rules; a rule without a path match matches ``/``."""
    out: list[Backend] = []
    spec = route.node.get("spec")
    rules = None if spec is None else spec.get("rules")
    hostnames = None if spec is None else spec.get("hostnames")
    host = ""
    if hostnames is not None and hostnames.items and len(hostnames.items) == 1:
        host = scalar(hostnames.items[0]) or ""
    for rule in (rules.items or []) if rules is not None else []:
        matches = rule.get("matches")
        paths = []
        for match in (matches.items or []) if matches is not None else []:
            written = match.get("path")
            paths.append((scalar(written.get("value")) if written is not None else None) or "/")
        refs = rule.get("backendRefs")
        for ref in (refs.items or []) if refs is not None else []:
            if (scalar(ref.get("kind")) or "Service") != "Service" or (scalar(ref.get("group")) or "") != "":
                continue
            name = scalar(ref.get("name")) or ""
            for path in paths or ["/"]:
                out.append(Backend(f"{host}{path}", name, scalar(ref.get("port")), ref, rule))
    return out


def service_port(service: _Manifest, port: str | None) -> Node | None:
    """The Service port an Ingress backend or backendRef names (by number or by name); None when none matches."""
    spec = service.node.get("spec")
    ports = None if spec is None else spec.get("ports")
    items = [p for p in (ports.items or []) if p.mapping is not None] if ports is not None else []
    if port is None:
        return items[0] if len(items) == 1 else None
    for item in items:
        if (re.fullmatch(r"[0-9]+", port) and scalar(item.get("port")) == port) or scalar(item.get("name")) == port:
            return item
    return None


ASSUMED_REASON = "every HTTP backend counts: nothing read marks a WebSocket route"


def websocket(
    analysis: _Analysis, path: str, service: str, name_reason: str = "its Service's name"
) -> tuple[str, bool] | None:
    """Why a cloud hop's backend is a WebSocket route, and whether it is only assumed; None when it is not one."""
    reason = analysis._websocket(path, service, set())
    if reason is not None:
        return reason, False
    if analysis.settings.websocket_routes is not None:
        return None
    if service and aws_spec.websocket_name(service):
        return f"{name_reason} has a WebSocket token", False
    if not analysis.defaults.index.marked:
        return ASSUMED_REASON, True
    return None


def no_idle_ingress(analysis: _Analysis, manifest: _Manifest, kind: HopKind, note: str) -> None:
    """An Ingress of a class whose proxy sets no idle timeout on an upgraded stream (istio, traefik): a route per
    WebSocket path, with none."""
    hop = Hop(kind=kind, name=f"Ingress {manifest.name}", location=manifest.where("metadata"))
    for backend in ingress_paths(manifest):
        marked = websocket(analysis, backend.path, backend.service)
        if marked is None:
            continue
        reason, assumed = marked
        where = backend.node.location(analysis.file)
        hop.routes.append(
            Route(name=f"Ingress {manifest.name} {backend.path}", location=where, reason=reason,
                  idle_timeout=no_idle_timeout(where, note), default_applies=False,
                  websocket_path=analysis.pattern.search(backend.path.lower()) is not None, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)
