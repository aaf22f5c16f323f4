"""Gateway API HTTPRoutes of Envoy-based gateways: Envoy Gateway (with its policies), Contour and Istio.

An HTTPRoute's implementation is its parent Gateway's GatewayClass's ``spec.controllerName``, both looked up in the
run (``gateway.envoyproxy.io/gatewayclass-controller``: Envoy Gateway; ``projectcontour.io/gateway-controller``:
Contour; ``istio.io/gateway-controller``: Istio). A Gateway or GatewayClass not in the run leaves it unknown (no hop),
except the class name ``istio``, which Istio creates itself. GKE's ``gke-l7-*`` classes are kubernetes_gke.py's;
other implementations make no hop. One hop per HTTPRoute, a route per (path match, Service backendRef) that is a
WebSocket route.

- **Envoy Gateway** passes the upgrade on every route (internal/xds/translator/route.go ``buildUpgradeConfig``:
  ``websocket`` unless a BackendTrafficPolicy's ``httpUpgrade`` lists the types, then only those: a list without
  ``websocket`` is WS107). Nothing read marking a WebSocket route, every route counts (``Route.assumed``).
  Idle timeout, in Envoy Gateway's order:
  a rule's ``timeouts.request``/``backendRequest`` (backendRequest last, internal/gatewayapi/route.go
  ``processTimeout``), else a BackendTrafficPolicy's ``timeout.http.requestTimeout``, is the Envoy route timeout
  (handshake only: WS210), and it sets the route's ``idle_timeout`` to max(1h, it), 0 when it is 0 (route.go
  ``idleTimeout``), which replaces the stream idle timeout on that route. A BackendTrafficPolicy's
  ``timeout.http.streamIdleTimeout`` is the route's stream idle timeout (both together: unknown). Else a
  ClientTrafficPolicy for the Gateway (``targetRef``/``targetRefs``; one naming the route's listener in
  ``sectionName`` beats one for the whole Gateway) ``timeout.http.streamIdleTimeout`` (api/v1alpha1/timeout_types.go:
  "Default: 5 minutes"; 0s switches it off, as in Envoy), else Envoy's 5 minutes (WS201).
  ``timeout.http.maxStreamDuration`` of a BackendTrafficPolicy caps the stream's lifetime (WS207/WS209);
  ``connectionIdleTimeout`` (no active request) never fires on an open WebSocket; what ``maxConnectionDuration`` (an
  upstream connection's) does to an upgraded stream is not settled: a note. A policy for the HTTPRoute beats one for
  its Gateway. Durations are Gateway API durations (GEP-2257: ``1h``, ``30s``, ``500ms``).
- **Contour**: Contour's global stream idle timeout (kubernetes_contour.global_idle); whether Contour passes the
  upgrade on an HTTPRoute is not settled here (GEP-1911 says Contour needs an explicit opt-in): a note, and only
  routes marked by path or name count. ``timeouts.request`` is Contour's route timeout (WS210).
- **Istio** turns the stream idle timeout off on every connection manager it generates (pilot/pkg/networking/core/
  listener_builder.go): no idle timeout; ``timeouts.request`` is its route timeout (WS210).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.hops import HopKind
from wslint.model import Duration, Hop, IgnoredTimeout, Route, UpgradeOff, format_seconds
from wslint.sources import kubernetes_contour
from wslint.sources.cloud_common import no_idle_timeout
from wslint.sources.envoy import route_timeout_reason
from wslint.sources.kubernetes_index import Backend, namespace, route_paths, websocket
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value
from wslint.sources.yaml_positions import Node

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis

GATEWAY_API = "gateway.networking.k8s.io/"
EG_API = "gateway.envoyproxy.io/"
CONTROLLERS: dict[str, HopKind] = {
    "gateway.envoyproxy.io/gatewayclass-controller": hops.ENVOY_GATEWAY,
    "projectcontour.io/gateway-controller": hops.CONTOUR,
    "istio.io/gateway-controller": hops.ISTIO,
}
DEFAULT_IDLE = 300.0  # Envoy's stream_idle_timeout default; timeout_types.go "Default: 5 minutes"
IDLE_DIRECTIVE = "timeout.http.streamIdleTimeout"
ROUTE_IDLE_FLOOR = 3600.0  # route.go idleTimeout: "Default to 1 hour", never below the request timeout
# Gateway API Duration (GEP-2257)
_DURATION = re.compile(r"(?:[0-9]{1,5}(?:h|m|s|ms)){1,4}")
_PART = re.compile(r"([0-9]{1,5})(h|ms|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def gateway_duration(text: str) -> float | None:
    """A Gateway API duration (``1h``, ``30s``, ``1h30m``, ``500ms``) in seconds; None when the format refuses it."""
    text = text.strip()
    if not _DURATION.fullmatch(text):
        return None
    return sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))


def _duration(analysis: _Analysis, node: Node, file: str, directive: str) -> Duration | None:
    """A written duration; WS206 (in its own file only) when the Gateway API format refuses it; None: unknown."""
    text = value(node)
    if text is None:
        return None
    seconds = gateway_duration(text)
    if seconds is None:
        if file == analysis.file:
            analysis._problem("invalid-duration", node, f'{directive} "{text}": not a Gateway API duration (1 to 4 '
                              "parts of up to 5 digits and a unit h, m, s or ms, like 1h or 30s); the API server "
                              "refuses it")  # fmt: skip
        return None
    where = node.location(file)
    if seconds == 0:
        return Duration(seconds=math.inf, text=text, dialect="seconds", location=where, directive=directive)
    return Duration(seconds=seconds, text=text, dialect="seconds", location=where, directive=directive)


def _implementation(analysis: _Analysis, route: _Manifest) -> tuple[HopKind | None, list[tuple[_Manifest, str]]]:
    """The hop kind of an HTTPRoute's gateways (None: not an Envoy-based one known here), and its (Gateway,
    sectionName) parents of that kind."""
    index = analysis.defaults.index
    spec = route.node.get("spec")
    parents = None if spec is None else spec.get("parentRefs")
    kinds: set[HopKind] = set()
    found: list[tuple[_Manifest, str]] = []
    for parent in (parents.items or []) if parents is not None else []:
        if (scalar(parent.get("kind")) or "Gateway") != "Gateway":
            continue
        space = scalar(parent.get("namespace")) or namespace(route)
        gateway = index.find("Gateway", scalar(parent.get("name")) or "", space, route.file, GATEWAY_API)
        if gateway is None:
            continue
        class_name = gateway.text("spec", "gatewayClassName") or ""
        gateway_class = index.find("GatewayClass", class_name, "", gateway.file, GATEWAY_API)
        if gateway_class is not None:
            kind = CONTROLLERS.get(gateway_class.text("spec", "controllerName") or "")
        else:
            kind = hops.ISTIO if class_name == "istio" else None
        if kind is not None:
            kinds.add(kind)
            found.append((gateway, scalar(parent.get("sectionName")) or ""))
    if len(kinds) != 1:
        return None, []  # none, or parents of different implementations (unknown which serves it)
    return kinds.pop(), found


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """An HTTPRoute of an Envoy Gateway, Contour or Istio gateway: that gateway's routes to its Services."""
    if manifest.kind != "HTTPRoute" or not (manifest.text("apiVersion") or "").startswith(GATEWAY_API):
        return
    kind, parents = _implementation(analysis, manifest)
    if kind is None:
        return
    hop = Hop(kind=kind, name=f"HTTPRoute {manifest.name}", location=manifest.where("metadata"))
    noted: set[str] = set()
    for backend in route_paths(manifest):
        if kind is hops.CONTOUR:
            reason = analysis._websocket(backend.path, backend.service, set())
            if reason is None and analysis.settings.websocket_routes is None and _named(backend.service):
                reason = "its Service's name has a WebSocket token"
            marked = None if reason is None else (reason, False)
        else:
            marked = websocket(analysis, backend.path, backend.service)
        if marked is None:
            continue
        reason, assumed = marked
        route = Route(name=f"HTTPRoute {manifest.name} {backend.path}", location=backend.node.location(analysis.file),
                      reason=reason, websocket_path=True, default_applies=True, assumed=assumed)  # fmt: skip
        if kind is hops.ENVOY_GATEWAY:
            _envoy_gateway(analysis, manifest, backend, route, parents, noted)
        else:
            _other(analysis, manifest, backend, route, kind, noted)
        hop.routes.append(route)
    if hop.routes:
        analysis.read.hops.append(hop)


def _named(service: str) -> bool:
    from wslint.sources.aws_spec import websocket_name

    return websocket_name(service)


def _rule_timeout(analysis: _Analysis, backend: Backend) -> tuple[Duration | None, Node | None]:
    """The route timeout an HTTPRoute rule writes (backendRequest beats request, as Envoy Gateway applies them)."""
    timeouts = None if backend.rule is None else backend.rule.get("timeouts")
    if timeouts is None:
        return None, None
    for key in ("backendRequest", "request"):
        node = timeouts.get(key)
        if node is not None:
            return _duration(analysis, node, analysis.file, f"timeouts.{key}"), node
    return None, None


def _handshake(analysis: _Analysis, timeout: Duration | None, route: Route, who: str, hop: str) -> None:
    if timeout is None or timeout.infinite or route.assumed:
        return
    if any(h.location == timeout.location for h in analysis.read.handshake_only):
        return
    analysis.read.handshake_only.append(
        IgnoredTimeout(location=timeout.location, setting=f"{timeout.directive}: {timeout.text}",
                       reason=route_timeout_reason(who), applies=_applies(route), hop=hop)
    )  # fmt: skip


def _applies(route: Route) -> str:
    idle = route.idle_timeout
    if idle is None:
        return "the WebSocket's idle timeout is unknown"
    if idle.infinite:
        return "the WebSocket has no idle timeout on this hop"
    return f"the WebSocket's idle timeout is {idle.human()} ({idle.directive})"


def _other(analysis: _Analysis, manifest: _Manifest, backend: Backend, route: Route, kind: HopKind,
           noted: set[str]) -> None:  # fmt: skip
    """Contour's or Istio's HTTPRoute: their idle timeouts, and the route timeout as handshake-only."""
    timeout, _ = _rule_timeout(analysis, backend)
    if kind is hops.ISTIO:
        route.idle_timeout = no_idle_timeout(route.location)
        route.default_applies = False
        _handshake(analysis, timeout, route, "Istio", f"HTTPRoute {manifest.name}")
        return
    route.idle_timeout = kubernetes_contour.global_idle(analysis, route.location)
    _handshake(analysis, timeout, route, "Contour", f"HTTPRoute {manifest.name}")
    if "contour-upgrade" not in noted:
        noted.add("contour-upgrade")
        analysis._problem("note", backend.node, f"HTTPRoute {manifest.name}: whether Contour passes the WebSocket "
                          "upgrade on an HTTPRoute is not settled by wslint (Gateway API GEP-1911: Contour needs an "
                          "explicit opt-in): WS107 left unchecked")  # fmt: skip


# -- Envoy Gateway ------------------------------------------------------------------------------------------
def _targets(policy: _Manifest, kind: str, name: str, space: str) -> str | None:
    """The sectionName ("" for none) with which a policy targets the object, None when it does not target it."""
    if space and namespace(policy) and namespace(policy) != space:
        return None
    spec = policy.node.get("spec")
    if spec is None:
        return None
    many = spec.get("targetRefs")
    refs = [spec.get("targetRef"), *((many.items or []) if many is not None else [])]
    for ref in refs:
        if ref is not None and scalar(ref.get("kind")) == kind and scalar(ref.get("name")) == name:
            return scalar(ref.get("sectionName")) or ""
    return None


def _policies(analysis: _Analysis, kind: str, target: str, name: str, space: str) -> list[tuple[_Manifest, str]]:
    return [
        (p, section)
        for p in analysis.defaults.index.of_kind(kind)
        if (p.text("apiVersion") or "").startswith(EG_API) and (section := _targets(p, target, name, space)) is not None
    ]


def _http_timeout(policy: _Manifest, key: str) -> Node | None:
    node: Node | None = policy.node
    for step in ("spec", "timeout", "http", key):
        node = None if node is None else node.get(step)
    return node


def _backend_policy(analysis: _Analysis, manifest: _Manifest, parents: list[tuple[_Manifest, str]]) -> (
        _Manifest | None):  # fmt: skip
    """The BackendTrafficPolicy in effect: one for the HTTPRoute, else one for its (single) Gateway."""
    own = _policies(analysis, "BackendTrafficPolicy", "HTTPRoute", manifest.text("metadata", "name") or "",
                    namespace(manifest))  # fmt: skip
    if len(own) == 1:
        return own[0][0]
    if own:
        return None
    gateways = {(g.text("metadata", "name") or "", namespace(g)) for g, _ in parents}
    found = [p for name, space in gateways for p, _ in _policies(analysis, "BackendTrafficPolicy", "Gateway", name,
                                                                   space)]  # fmt: skip
    return found[0] if len(found) == 1 else None


def _client_idle(analysis: _Analysis, parents: list[tuple[_Manifest, str]]) -> Duration | None:
    """The stream idle timeout of the route's listener: a ClientTrafficPolicy's, else Envoy's 5 minutes."""
    values: list[Duration | None] = []
    for gateway, section in parents:
        name, space = gateway.text("metadata", "name") or "", namespace(gateway)
        policies = _policies(analysis, "ClientTrafficPolicy", "Gateway", name, space)
        chosen = [p for p, s in policies if s and s == section] or [p for p, s in policies if not s]
        if any(s and not section for _, s in policies) or len(chosen) > 1:
            return None  # a policy for one listener, and a route on every listener: which applies is unknown
        node = _http_timeout(chosen[0], "streamIdleTimeout") if chosen else None
        if node is not None:
            values.append(_duration(analysis, node, chosen[0].file, f"ClientTrafficPolicy {IDLE_DIRECTIVE}"))
        else:
            where = chosen[0].where("spec") if chosen else gateway.where("metadata")
            default = Duration(seconds=DEFAULT_IDLE, text="5m", dialect="seconds", location=where, default=True,
                               directive=IDLE_DIRECTIVE, note="Envoy's default, which Envoy Gateway keeps")  # fmt: skip
            values.append(default)
    known = [v for v in values if v is not None]
    if not values or len(known) != len(values) or len({v.seconds for v in known}) != 1:
        return None
    return known[0]


def _envoy_gateway(analysis: _Analysis, manifest: _Manifest, backend: Backend, route: Route,
                   parents: list[tuple[_Manifest, str]], noted: set[str]) -> None:  # fmt: skip
    policy = _backend_policy(analysis, manifest, parents)
    hop_name = f"HTTPRoute {manifest.name}"
    # the upgrade: websocket unless the policy's httpUpgrade lists others only
    upgrade = None if policy is None else policy.node.get("spec")
    upgrade = None if upgrade is None else upgrade.get("httpUpgrade")
    if upgrade is not None and upgrade.items is not None and not route.assumed:
        types = [(scalar(item.get("type")) or "").lower() for item in upgrade.items if item.mapping is not None]
        if "websocket" not in types and policy is not None:
            route.upgrade_off = UpgradeOff(
                location=upgrade.location(policy.file),
                reason=f"BackendTrafficPolicy {policy.name} lists httpUpgrade types without websocket, and Envoy "
                "Gateway then enables only those (Envoy answers the handshake with 403)",
                fix="Add `- type: websocket` to the policy's httpUpgrade (or remove httpUpgrade: websocket is the "
                "default).",
            )
    timeout, written = _rule_timeout(analysis, backend)
    if written is not None and timeout is None:
        route.idle_timeout = None  # a timeout the API server refuses, or not a literal: unknown
        return
    if timeout is None and policy is not None:
        node = _http_timeout(policy, "requestTimeout")
        if node is not None:
            timeout = _duration(analysis, node, policy.file, "BackendTrafficPolicy timeout.http.requestTimeout")
    stream = None if policy is None else _http_timeout(policy, "streamIdleTimeout")
    if stream is not None and policy is not None:
        idle = None if timeout is not None else _duration(analysis, stream, policy.file,
                                                             f"BackendTrafficPolicy {IDLE_DIRECTIVE}")  # fmt: skip
    elif timeout is not None:
        seconds = math.inf if timeout.infinite else max(ROUTE_IDLE_FLOOR, timeout.seconds)
        idle = Duration(seconds=seconds, text=format_seconds(seconds), dialect="seconds", location=timeout.location,
                        directive="route idle_timeout", note=f"Envoy Gateway sets it from {timeout.directive} "
                        "(at least 1h; 0s switches it off)")  # fmt: skip
    else:
        idle = _client_idle(analysis, parents)
    route.idle_timeout = idle
    cap = None if policy is None else _http_timeout(policy, "maxStreamDuration")
    if cap is not None and policy is not None:
        route.lifetime = _duration(analysis, cap, policy.file, "BackendTrafficPolicy timeout.http.maxStreamDuration")
    connection = None if policy is None else _http_timeout(policy, "maxConnectionDuration")
    if connection is not None and policy is not None and policy.file == analysis.file and policy.name not in noted:
        noted.add(policy.name)
        analysis._problem("note", connection, f"BackendTrafficPolicy {policy.name} timeout.http.maxConnectionDuration: "
                          "what it does to an upgraded WebSocket on the upstream connection is not settled; not "
                          "judged")  # fmt: skip
    _handshake(analysis, timeout, route, "Envoy Gateway", hop_name)


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """HTTPRoute paths and backends with WebSocket tokens are marked by kubernetes_index already."""
    return False


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """Envoy Gateway reads no Ingress."""
