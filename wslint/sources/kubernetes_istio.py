"""Istio resources of Kubernetes manifests -> hops (kind ``istio``).

What Istio does with a WebSocket (the rule documents cite the sources):

- **HTTP traffic has no idle timeout.** Istio enables the ``websocket`` upgrade and sets the stream idle timeout
  to 0 (off) on every HTTP connection manager it generates (istio/istio pilot/pkg/networking/core/
  listener_builder.go, ``buildHTTPConnectionManager``). A VirtualService ``http`` route (a ``uri`` match
  ``prefix``/``exact``/``regex`` to a ``destination.host``) that is a WebSocket route is a route with no idle
  timeout. ``ISTIO_META_IDLE_TIMEOUT`` sets that connection manager's *connection* idle timeout (no active
  streams), which an open WebSocket never reaches: it is not read. ``connectionPool.http.idleTimeout`` of a
  DestinationRule is the upstream pool's idle timeout ("no active requests"), which an open WebSocket never
  reaches either: not read.
- **A route ``timeout``** is Envoy's route timeout, which bounds only the upgrade handshake: WS210 on a WebSocket
  route (never on a route only assumed to carry WebSockets); ``0s`` switches it off.
- **TCP traffic.** A Service port Istio proxies as opaque TCP (``appProtocol``, else the port name's
  ``<protocol>[-<suffix>]``: ``tcp``, ``tls``, ``https`` (a sidecar does not decrypt it), ``mongo``, ``mysql``,
  ``redis``; an unnamed or HTTP port is sniffed, and a WebSocket handshake is HTTP) that carries WebSocket (its
  port's or Service's name has a WebSocket token, or ``websocket-routes`` names the Service) is a TCP route whose
  idle timeout is the matching DestinationRule's ``trafficPolicy`` (port-level first)
  ``connectionPool.tcp.idleTimeout``: 1 hour when unset, ``0s`` switches it off. Such a Service counts only where
  Istio is evidently in use: a DestinationRule names it, or an Istio object is in its directory.
- **An Ingress of class istio**: a route per WebSocket path, with no idle timeout.
- ``marks``: a VirtualService ``uri`` match with a WebSocket path segment.

Left unread, and why: ``h2UpgradePolicy: UPGRADE`` (whether a WebSocket survives it is not documented by Istio),
Gateway servers (no timeout of their own), ``proxy.istio.io/config`` (see above), subset traffic policies (which
subset a TCP connection uses is not in the files: a subset that sets another tcp idle timeout makes it unknown).
"""

from __future__ import annotations

import math
import posixpath
import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.durations import go_seconds
from wslint.model import Duration, Hop, IgnoredTimeout, Location, Problem, Route
from wslint.sources import aws_spec
from wslint.sources.cloud_common import listed, no_idle_timeout
from wslint.sources.envoy import route_timeout_reason
from wslint.sources.kubernetes_index import namespace, no_idle_ingress, websocket
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis
    from wslint.sources.yaml_positions import Node

ISTIO_API = "istio.io/"
TCP_IDLE = "connectionPool.tcp.idleTimeout"
TCP_IDLE_DEFAULT = 3600.0  # destination_rule.proto TCPSettings.idle_timeout: "If not set, the default ... 1 hour"
# protocols a sidecar proxies as opaque TCP (Istio "Protocol Selection"): https/tls are not decrypted by a sidecar;
# mongo, mysql and redis are opaque TCP unless their experimental support is switched on
TCP_PROTOCOLS = frozenset({"tcp", "tls", "https", "mongo", "mysql", "redis"})
NO_IDLE_NOTE = "Istio switches the stream idle timeout off on every HTTP connection manager it generates"
HANDSHAKE_REASON = route_timeout_reason("Istio")


def go_duration(text: str) -> float | None:
    """Seconds of a Go duration (``1h30m``, ``0.5s``, ``0``), as the Istio API's durations are written; None when it
    is not one."""
    return go_seconds(text.strip())


def _is_istio(manifest: _Manifest) -> bool:
    return ISTIO_API in (manifest.text("apiVersion") or "")


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """A VirtualService's HTTP routes, and a Service's ports that Istio proxies as TCP."""
    if manifest.kind == "VirtualService" and _is_istio(manifest):
        _virtual_service(analysis, manifest)
    elif manifest.kind == "DestinationRule" and _is_istio(manifest):
        _check_rule(analysis, manifest)
    elif manifest.kind == "Service" and not (manifest.text("apiVersion") or "").startswith("serving.knative.dev/"):
        _tcp_service(analysis, manifest)


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An Ingress of class istio: its ingress gateway's routes to WebSocket paths, with no idle timeout."""
    no_idle_ingress(analysis, manifest, hops.ISTIO, NO_IDLE_NOTE)


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """A VirtualService whose uri match has a WebSocket path segment."""
    if manifest.kind != "VirtualService" or not _is_istio(manifest):
        return False
    return any(pattern.search(path.lower()) for _, path, _ in _http_matches(manifest))


def _items(node: Node | None) -> list[Node]:
    return [n for n in (node.items or []) if n.mapping is not None] if node is not None else []


def _http_matches(manifest: _Manifest) -> list[tuple[Node, str, Node]]:
    """(http route, uri path or regex, the node to point at) for every uri match; a route without one matches /."""
    spec = manifest.node.get("spec")
    out = []
    for route in _items(None if spec is None else spec.get("http")):
        paths = []
        for match in _items(route.get("match")):
            uri = match.get("uri")
            for key in ("prefix", "exact", "regex"):
                text = scalar(None if uri is None else uri.get(key))
                if text is not None:
                    paths.append((text, match))
        for path, node in paths or [("/", route)]:
            out.append((route, path, node))
    return out


def _virtual_service(analysis: _Analysis, manifest: _Manifest) -> None:
    hop = Hop(kind=hops.ISTIO, name=f"VirtualService {manifest.name}", location=manifest.where("metadata"))
    timed: set[int] = set()
    for route, path, node in _http_matches(manifest):
        for destination in _items(route.get("route")):
            dest = destination.get("destination")
            host = scalar(None if dest is None else dest.get("host")) or ""
            marked = websocket(analysis, path, host, "its destination host")
            if marked is None:
                continue
            reason, assumed = marked
            where = node.location(analysis.file)
            hop.routes.append(
                Route(name=f"VirtualService {manifest.name} {path} -> {host}", location=where, reason=reason,
                      idle_timeout=no_idle_timeout(where, NO_IDLE_NOTE), default_applies=False, websocket_path=True,
                      assumed=assumed)
            )  # fmt: skip
            if not assumed and id(route) not in timed:
                timed.add(id(route))
                _route_timeout(analysis, manifest, route)
    if hop.routes:
        analysis.read.hops.append(hop)


def _route_timeout(analysis: _Analysis, manifest: _Manifest, route: Node) -> None:
    """WS210: a written, non-zero ``timeout`` on an HTTP route that carries WebSocket."""
    node = route.get("timeout")
    text = value(node)
    if node is None or text is None:
        return
    seconds = go_duration(text)
    if seconds is None:
        analysis._problem("invalid-duration", node, f'timeout "{text}": not a duration Istio reads (1h, 30m, 90s, '
                          "500ms); its validation refuses the VirtualService")  # fmt: skip
        return
    if seconds == 0:
        return  # 0s switches the route timeout off
    analysis.read.handshake_only.append(
        IgnoredTimeout(location=node.location(analysis.file), setting=f"timeout: {text}", reason=HANDSHAKE_REASON,
                       applies="no idle timeout applies to the WebSocket on this route (Istio switches Envoy's "
                       "stream idle timeout off)", hop=f"VirtualService {manifest.name}")
    )  # fmt: skip


# -- Services Istio proxies as TCP ---------------------------------------------------------------------------------
def _protocol(port: Node) -> str | None:
    """The protocol Istio selects for a Service port (appProtocol first, then the port name's prefix)."""
    chosen = (scalar(port.get("appProtocol")) or "").lower()
    if not chosen:
        chosen = (scalar(port.get("name")) or "").lower().split("-", 1)[0]
    return chosen or None


def _directory(file: str) -> str:
    return posixpath.dirname(file.replace("\\", "/"))


def _tcp_service(analysis: _Analysis, manifest: _Manifest) -> None:
    spec = manifest.node.get("spec")
    ports = [p for p in _items(None if spec is None else spec.get("ports")) if _protocol(p) in TCP_PROTOCOLS]
    if not ports:
        return
    name = manifest.text("metadata", "name") or ""
    space = namespace(manifest)
    explicit = analysis.settings.websocket_routes
    names = [manifest.name, f"{space or 'default'}/{name}"]
    if explicit is not None and not any(listed(entry, names, analysis.file) for entry in explicit):
        return
    rules = _destination_rules(analysis, name, space)
    index = analysis.defaults.index
    near = _directory(manifest.file)
    in_mesh = bool(rules) or any(
        _is_istio(m) and _directory(m.file) == near
        for kind in ("VirtualService", "DestinationRule", "Sidecar", "EnvoyFilter", "ProxyConfig", "Gateway")
        for m in index.of_kind(kind)
    )
    if not in_mesh:
        return
    hop = Hop(kind=hops.ISTIO, name=f"Service {manifest.name}", location=manifest.where("metadata"))
    for port in ports:
        port_name = scalar(port.get("name")) or ""
        if explicit is not None:
            reason = "listed in websocket-routes"
        elif aws_spec.websocket_name(port_name):
            reason = f"its port name {port_name} has a WebSocket token"
        elif aws_spec.websocket_name(name):
            reason = "its Service's name has a WebSocket token"
        else:
            continue
        number = scalar(port.get("port")) or ""
        idle = _tcp_idle(analysis, manifest, rules, number)
        hop.routes.append(
            Route(name=f"Service {manifest.name} port {number} (Istio TCP, {_protocol(port)})",
                  location=port.location(analysis.file), reason=reason, idle_timeout=idle, default_applies=False)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _host_names(host: str, name: str, space: str) -> bool:
    """Does a DestinationRule's ``host`` name this Service (short name, name.namespace, or the cluster FQDN)?"""
    parts = host.lower().split(".")
    if parts[0] != name.lower():
        return False
    return len(parts) == 1 or not space or parts[1] == space.lower()


def _destination_rules(analysis: _Analysis, name: str, space: str) -> list[_Manifest] | None:
    """The DestinationRules of the run naming this Service; None when a wildcard host may also apply (unknown)."""
    found: list[_Manifest] = []
    for rule in analysis.defaults.index.of_kind("DestinationRule"):
        if not _is_istio(rule):
            continue
        host = rule.text("spec", "host") or ""
        if "*" in host:
            suffix = host.lstrip("*").lower()
            local = f".{space or '*'}.svc.cluster.local"
            if suffix in ("", ".") or local.endswith(suffix) or (not space and suffix.endswith(".svc.cluster.local")):
                return None
            continue
        if _host_names(host, name, space):
            found.append(rule)
    return found


def _tcp_idle(analysis: _Analysis, service: _Manifest, rules: list[_Manifest] | None, port: str) -> Duration | None:
    """The TCP proxy's idle timeout for this port: the DestinationRule's (port level first), else 1 hour."""
    if rules is None or len(rules) > 1:
        return None  # a wildcard rule or two rules may set it: unknown
    if not rules:
        return _default(service.where("metadata"), "no DestinationRule for this Service in the run")
    rule = rules[0]
    policy = rule.node.get("spec")
    policy = None if policy is None else policy.get("trafficPolicy")
    node = _tcp_idle_node(policy)
    for level in _items(None if policy is None else policy.get("portLevelSettings")):
        chosen = level.get("port")
        if scalar(None if chosen is None else chosen.get("number")) == port:
            node = _tcp_idle_node(level) or node
    spec = rule.node.get("spec")
    for subset in _items(None if spec is None else spec.get("subsets")):
        other = _tcp_idle_node(subset.get("trafficPolicy"))
        if other is not None and (node is None or scalar(other) != scalar(node)):
            return None  # which subset a connection uses is not in the files
    if node is None:
        return _default(rule.where("spec", "trafficPolicy"), f"DestinationRule {rule.name} sets none")
    text = value(node)
    if text is None:
        return None
    seconds = go_duration(text)
    if seconds is None or seconds < 0:
        return None  # WS206, reported at the DestinationRule (_check_rule)
    where = node.location(rule.file)
    if seconds == 0:
        return Duration(seconds=math.inf, text=text, dialect="seconds", location=where, directive=TCP_IDLE,
                        note="0s switches the TCP proxy's idle timeout off")  # fmt: skip
    return Duration(seconds=seconds, text=text, dialect="seconds", location=where, directive=TCP_IDLE,
                    note=f"the TCP proxy's idle timeout (DestinationRule {rule.name})")  # fmt: skip


def _tcp_idle_node(policy: Node | None) -> Node | None:
    pool = None if policy is None else policy.get("connectionPool")
    tcp = None if pool is None else pool.get("tcp")
    return None if tcp is None else tcp.get("idleTimeout")


def _default(where: Location, why: str) -> Duration:
    return Duration(seconds=TCP_IDLE_DEFAULT, text="1h", dialect="seconds", location=where, default=True,
                    directive=TCP_IDLE, note=f"Istio's default TCP idle timeout ({why})")  # fmt: skip


def _check_rule(analysis: _Analysis, rule: _Manifest) -> None:
    """WS206: a tcp idleTimeout of a DestinationRule that is not a duration Istio reads."""
    spec = rule.node.get("spec")
    policies = [None if spec is None else spec.get("trafficPolicy")]
    policies += [s.get("trafficPolicy") for s in _items(None if spec is None else spec.get("subsets"))]
    for policy in list(policies):
        policies += _items(None if policy is None else policy.get("portLevelSettings"))
    for policy in policies:
        node = _tcp_idle_node(policy)
        text = value(node)
        if node is None or text is None:
            continue
        seconds = go_duration(text)
        if seconds is None or seconds < 0:
            analysis.read.problems.append(
                Problem(kind="invalid-duration", location=node.location(analysis.file),
                        message=f'{TCP_IDLE} "{text}": not a duration Istio reads (1h, 30m, 90s, 500ms); its '
                        f"validation refuses DestinationRule {rule.name}")
            )  # fmt: skip
