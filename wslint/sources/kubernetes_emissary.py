"""Emissary-ingress (Ambassador) resources of Kubernetes manifests -> hops (kind ``emissary``).

Emissary 2.x and later turn each ``Mapping`` (``getambassador.io`` v2/v3alpha1, ``x.getambassador.io``
``AmbassadorMapping``) into an Envoy route (python/ambassador/envoy/v3/v3route.py, ``V3Route``; the rule documents
cite the sources):

- **The upgrade is opt-in per Mapping.** Emissary writes ``upgrade_configs`` on the route only from
  ``allow_upgrade`` (a case-insensitive list: ``websocket``); the deprecated ``use_websocket`` is turned into it
  (irhttpmapping.py); its HTTP connection manager lists no upgrade itself (v3listener.py), and Envoy answers an
  upgrade on such a route with 403. A Mapping marked as a WebSocket route (its ``prefix`` has a WebSocket segment,
  its ``service`` a WebSocket token, or ``websocket-routes`` names its prefix) without it is WS107, unless another
  Mapping of the same group (same prefix, host and method), which Emissary merges into one route, enables it.
  An unmarked Mapping without the upgrade serves no WebSocket: it is not a route here (no assumption).
- **Idle timeout.** ``idle_timeout_ms`` becomes the route's ``idle_timeout`` (``0`` switches it off). Unset, no
  idle timeout of Emissary's applies, and its connection manager sets no ``stream_idle_timeout`` (the Module has
  no such key): Envoy's 5-minute stream idle timeout closes an idle WebSocket (WS201).
- **``timeout_ms``** (default 3000, or the ``ambassador`` Module's ``cluster_request_timeout_ms``) becomes the
  route's ``timeout``, which bounds only the upgrade handshake: WS210 where one is written (non-zero) for a
  WebSocket route.
- ``marks``: a Mapping that enables the upgrade.

Not read: Mappings written in ``getambassador.io/config`` annotations (YAML inside a string), a YAML file whose top
level is a bare list (not a Kubernetes ``List``), and ``listener_idle_timeout_ms``/``cluster_idle_timeout_ms``
(idle timeouts of connections without active requests, which an open WebSocket never reaches).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.model import Duration, Hop, IgnoredTimeout, Location, Route, UpgradeOff
from wslint.sources import aws_spec
from wslint.sources.envoy import route_timeout_reason
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis
    from wslint.sources.yaml_positions import Node

STREAM_IDLE_DEFAULT = 300.0  # Envoy's stream_idle_timeout default, which Emissary never sets
HANDSHAKE_REASON = route_timeout_reason("Emissary")
UPGRADE_FIX = (
    "Add `allow_upgrade: [websocket]` to this Mapping's spec (use_websocket is deprecated); Emissary's Envoy "
    "answers the WebSocket handshake with 403 until then."
)


def _is_mapping(manifest: _Manifest) -> bool:
    api = manifest.text("apiVersion") or ""
    return ("getambassador.io/" in api) and manifest.kind in ("Mapping", "AmbassadorMapping")


def _spec(manifest: _Manifest) -> Node:
    return manifest.node.get("spec") or manifest.node


def _upgrade(spec: Node) -> bool:
    """Does the Mapping enable the websocket upgrade (``allow_upgrade`` listing it, ``use_websocket: true``)?"""
    allowed = spec.get("allow_upgrade")
    for item in (allowed.items or []) if allowed is not None else []:
        if (scalar(item) or "").strip().lower() == "websocket":
            return True
    return (scalar(spec.get("use_websocket")) or "").lower() == "true"


def _maybe_upgrade(spec: Node) -> bool:
    """``use_websocket`` written but not true: irhttpmapping.py adds websocket whenever the key is present, in some
    versions at least; whether the upgrade is on is then unknown (no WS107)."""
    return spec.get("use_websocket") is not None or value(spec.get("allow_upgrade")) is not None


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """A Mapping that enables the websocket upgrade."""
    return _is_mapping(manifest) and _upgrade(_spec(manifest))


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """Emissary reads no Ingress class of its own here (its Ingress support names Mappings' behaviour)."""


def _service_name(service: str) -> str:
    """``https://chat-ws.ns:8080`` -> ``chat-ws.ns``."""
    return re.sub(r"^[a-z]+://", "", service.strip().lower()).split(":", 1)[0].split("/", 1)[0]


def _group_key(spec: Node) -> tuple[str, str, str, str]:
    host = scalar(spec.get("hostname")) or scalar(spec.get("host")) or ""
    return (
        scalar(spec.get("prefix")) or "",
        host,
        scalar(spec.get("method")) or "",
        scalar(spec.get("precedence")) or "",
    )


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """A Mapping: one hop, with its route when it is a WebSocket route."""
    if not _is_mapping(manifest):
        return
    spec = _spec(manifest)
    prefix = scalar(spec.get("prefix"))
    if prefix is None:
        return
    service = scalar(spec.get("service")) or ""
    upgrade = _upgrade(spec)
    where = (spec.get("prefix") or spec).location(analysis.file)
    name = f"Mapping {manifest.name}"
    reason = analysis._websocket(prefix, service, set())
    explicit = analysis.settings.websocket_routes
    if reason is None and explicit is None and aws_spec.websocket_name(_service_name(service)):
        reason = "its service's name has a WebSocket token"
    if explicit is not None and reason is None:
        return  # websocket-routes is set and does not name this Mapping's prefix
    off = None
    if upgrade:
        reason = reason or "it enables the websocket upgrade (allow_upgrade)"
    elif reason is None:
        return  # the upgrade is opt-in: an unmarked Mapping without it serves no WebSocket
    elif not _maybe_upgrade(spec) and not _merged_upgrade(analysis, manifest, spec):
        off = UpgradeOff(
            location=manifest.where("spec"),
            reason="the Mapping has no `allow_upgrade: [websocket]`, so Emissary puts no websocket upgrade config on "
            "its Envoy route and Envoy answers the upgrade with 403",
            fix=UPGRADE_FIX,
        )
    hop = Hop(kind=hops.EMISSARY, name=name, location=manifest.where("metadata"))
    hop.routes.append(
        Route(name=f"{name} prefix {prefix}", location=where, reason=reason,
              idle_timeout=_idle(analysis, manifest, spec), default_applies=True, websocket_path=True, upgrade_off=off)
    )  # fmt: skip
    analysis.read.hops.append(hop)
    if off is None:
        _handshake_timeout(analysis, manifest, spec, name)


def _merged_upgrade(analysis: _Analysis, manifest: _Manifest, spec: Node) -> bool:
    """Another Mapping of the run in the same group (prefix, host, method, precedence) enables the upgrade: Emissary
    merges a group's Mappings into one route, and the group takes allow_upgrade from them."""
    key = _group_key(spec)
    for other in analysis.defaults.index.of_kind("Mapping"):
        if other is manifest or other.node is manifest.node or not _is_mapping(other):
            continue
        other_spec = _spec(other)
        if _group_key(other_spec) == key and _upgrade(other_spec):
            return True
    return False


def _ms(node: Node | None) -> float | None:
    text = value(node)
    if text is None or not re.fullmatch(r"[0-9]+", text.strip()):
        return None
    return int(text) / 1000.0


def _idle(analysis: _Analysis, manifest: _Manifest, spec: Node) -> Duration | None:
    node = spec.get("idle_timeout_ms")
    if node is not None:
        seconds = _ms(node)
        if seconds is None:
            return None
        where = node.location(analysis.file)
        text = scalar(node) or ""
        if seconds == 0:
            return Duration(seconds=float("inf"), text=text, dialect="seconds", location=where,
                            directive="idle_timeout_ms", note="0 switches the route's idle timeout off")  # fmt: skip
        return Duration(seconds=seconds, text=text, dialect="seconds", location=where, directive="idle_timeout_ms")
    return Duration(seconds=STREAM_IDLE_DEFAULT, text="300s", dialect="seconds", location=manifest.where("spec"),
                    default=True, directive="stream_idle_timeout",
                    note="Envoy's default: Emissary sets no stream idle timeout of its own")  # fmt: skip


def _handshake_timeout(analysis: _Analysis, manifest: _Manifest, spec: Node, hop: str) -> None:
    """WS210: ``timeout_ms`` on the WebSocket Mapping, else the Module's ``cluster_request_timeout_ms``."""
    node = spec.get("timeout_ms")
    setting = "timeout_ms"
    if node is None:
        node = _module_default(analysis)
        setting = "cluster_request_timeout_ms (Module ambassador)"
    seconds = _ms(node)
    if node is None or not seconds:
        return  # unset (3000 ms, Emissary's default), unknown, or 0 (switched off)
    where: Location = node.location(analysis.file)
    if any(w.location == where for w in analysis.read.handshake_only):
        return
    analysis.read.handshake_only.append(
        IgnoredTimeout(location=where, setting=f"{setting}: {scalar(node)}", reason=HANDSHAKE_REASON,
                       applies=_applies(spec), hop=hop)
    )  # fmt: skip


def _applies(spec: Node) -> str:
    if spec.get("idle_timeout_ms") is not None:
        return "the route's idle_timeout_ms is what closes an idle WebSocket"
    return "Envoy's 5-minute stream idle timeout is what closes an idle WebSocket (set idle_timeout_ms)"


def _module_default(analysis: _Analysis) -> Node | None:
    """``cluster_request_timeout_ms`` of the ``ambassador`` Module in this file (a Module elsewhere: not read)."""
    for manifest in analysis.objects:
        api = manifest.text("apiVersion") or ""
        name = manifest.text("metadata", "name") or manifest.text("name")
        if manifest.kind == "Module" and "getambassador.io/" in api and name == "ambassador":
            spec = manifest.node.get("spec") or manifest.node
            config = spec.get("config")
            node = None if config is None else config.get("cluster_request_timeout_ms")
            if node is not None:
                return node
    return None
