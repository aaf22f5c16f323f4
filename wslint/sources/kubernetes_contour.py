"""Contour's hops of Kubernetes manifests: HTTPProxy routes and Ingresses of class ``contour``.

- **HTTPProxy** (``projectcontour.io/v1``): hop ``contour`` per HTTPProxy, a route per ``spec.routes[]`` entry that is
  a WebSocket route: its path (the ``prefix``/``exact``/``regex`` of its ``conditions``, ``/`` without one, after
  ``virtualhost.fqdn``) has a WebSocket segment, a service name has a WebSocket token, it sets ``enableWebsockets:
  true``, or ``websocket-routes`` lists it (then only listed routes count). Contour turns the upgrade on per route
  only (site/content/docs/main/config/websockets.md): a route marked by its path, service name or listing without
  ``enableWebsockets: true`` is WS107. An unmarked route without it plainly serves no WebSocket: no route, no
  assumption. ``includes`` are not followed: an included HTTPProxy is read on its own, its paths without the
  including prefix.
- **Idle timeout**: ``timeoutPolicy.idle`` (a Go duration; ``infinity``/``infinite`` = none). Contour reads ``0s``
  (any zero) as "not set" (internal/timeout/timeout.go ``Parse``; request-routing.md "A value of 0s will be treated
  as if the field were not set"): WS206, and the default applies. Unset, the global stream idle timeout applies: the
  ``timeouts: stream-idle-timeout`` of Contour's configuration file (a ConfigMap named ``contour`` with a
  ``contour.yaml`` key) or ``spec.envoy.timeouts.streamIdleTimeout`` of a ContourConfiguration in the run, else
  Envoy's 5 minutes (WS201). Two configurations in the run that disagree make it unknown.
- ``timeoutPolicy.response`` on a WebSocket route is the Envoy route timeout, which bounds only the handshake (WS210).
  ``timeoutPolicy.idleConnection`` is the upstream connection's idle time with no active request: it never fires
  while a WebSocket is open, and is not read.
- **Ingress** of class ``contour``: ``projectcontour.io/websocket-routes`` lists the paths (comma-separated) that
  get the upgrade (site/content/docs/main/config/annotations.md); a WebSocket path not listed is WS107. Its idle
  timeout is the global one; ``projectcontour.io/response-timeout`` on a WebSocket path is WS210.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wslint import hops
from wslint.durations import go_seconds
from wslint.model import Duration, Hop, IgnoredTimeout, Location, Problem, Route, UpgradeOff
from wslint.sources import aws_spec
from wslint.sources.envoy import route_timeout_reason
from wslint.sources.kubernetes_index import ingress_paths
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value
from wslint.sources.yaml_positions import Node, YamlError, load_all

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis

API = "projectcontour.io/"
WEBSOCKET_ROUTES = "projectcontour.io/websocket-routes"
RESPONSE_TIMEOUT = "projectcontour.io/response-timeout"
CONFIG_MAP = "contour"
CONFIG_KEY = "contour.yaml"
# Envoy's HTTP connection manager stream_idle_timeout default, which Contour keeps (examples/contour/
# 01-contour-config.yaml: "stream-idle-timeout: 5m"; request-routing.md)
DEFAULT_IDLE = 300.0
IDLE_DIRECTIVE = "stream-idle-timeout"
ZERO_IS_DEFAULT = (
    "Contour reads a zero timeout as not set (internal/timeout/timeout.go Parse), so Envoy's default applies; "
    'write "infinity" to switch the timeout off, or a duration like 1h'
)
HANDSHAKE_ONLY = route_timeout_reason("Contour")


def go_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration`` (``1h30m``, ``1.5s``, ``0``) in seconds; None when Go refuses it."""
    return go_seconds(text.strip())


@dataclass
class Timeout:
    """A Contour timeout as written: a Duration (infinite for ``infinity``), zero (the default applies), or invalid."""

    duration: Duration | None = None
    zero: bool = False
    invalid: bool = False


def contour_timeout(text: str, where: Location, directive: str) -> Timeout:
    """A timeout as Contour's ``timeout.Parse`` reads it."""
    if text in ("infinity", "infinite"):
        return Timeout(Duration(seconds=math.inf, text=text, dialect="seconds", location=where, directive=directive))
    seconds = go_duration(text)
    if seconds is None or seconds < 0:
        return Timeout(invalid=True)
    if seconds == 0:
        return Timeout(zero=True)
    return Timeout(Duration(seconds=seconds, text=text, dialect="seconds", location=where, directive=directive))


# -- the global stream idle timeout ------------------------------------------------------------------------
def global_idle(analysis: _Analysis, where: Location) -> Duration | None:
    """The stream idle timeout every Contour route without its own gets: the run's Contour configuration, else 5m.

    None (unknown) when two configurations in the run disagree or one cannot be read.
    """
    found: list[Duration | None] = []
    for config in analysis.defaults.index.of_kind("ConfigMap"):
        if config.text("metadata", "name") == CONFIG_MAP:
            data = config.node.get("data")
            node = None if data is None else data.get(CONFIG_KEY)
            if node is not None:
                found += _config_file(node, config.file)
    for config in analysis.defaults.index.of_kind("ContourConfiguration"):
        setting: Node | None = config.node
        for key in ("spec", "envoy", "timeouts", "streamIdleTimeout"):
            setting = None if setting is None else setting.get(key)
        if setting is not None:
            where_set = setting.location(config.file)
            found.append(_global_value(setting, where_set, "ContourConfiguration streamIdleTimeout"))
    if found:
        known = [d for d in found if d is not None]
        if len(known) != len(found) or len({d.seconds for d in known}) != 1:
            return None
        return known[0]
    return Duration(seconds=DEFAULT_IDLE, text="5m", dialect="seconds", location=where, default=True,
                    directive=IDLE_DIRECTIVE, note="Envoy's default, which Contour keeps")  # fmt: skip


def _config_settings(node: Node, file: str) -> list[tuple[Node, Location]] | None:
    """Each ``timeouts: stream-idle-timeout`` in the ``contour.yaml`` text of Contour's ConfigMap, located in the file;
    None when the text cannot be read."""
    text = value(node)
    if text is None:
        return None
    try:
        roots = load_all(text)
    except YamlError:
        return None
    base = node.line if node.end_line > node.line else node.line - 1  # a block scalar's text starts below its key
    out = []
    for root in roots:
        timeouts = root.get("timeouts")
        setting = None if timeouts is None else timeouts.get(IDLE_DIRECTIVE)
        if setting is not None:
            out.append((setting, Location(file=file, line=base + setting.line)))
    return out


def _config_file(node: Node, file: str) -> list[Duration | None]:
    settings = _config_settings(node, file)
    if settings is None:
        return [None]
    return [_global_value(setting, where, IDLE_DIRECTIVE) for setting, where in settings]


def _global_value(node: Node, where: Location, directive: str) -> Duration | None:
    """A global stream idle timeout: a zero is Envoy's default (WS206 in its own file); one Contour cannot parse is
    unknown."""
    text = value(node)
    if text is None:
        return None
    parsed = contour_timeout(text.strip(), where, directive)
    if parsed.zero:
        return Duration(seconds=DEFAULT_IDLE, text="5m", dialect="seconds", location=where, default=True,
                        directive=IDLE_DIRECTIVE, note=f"{directive} {text} is read as not set")  # fmt: skip
    return parsed.duration


def _config_problems(analysis: _Analysis, manifest: _Manifest) -> None:
    """WS206 for a global stream idle timeout Contour reads as not set (a zero) or cannot parse."""
    found: list[tuple[Node, Location, str]] = []
    if manifest.kind == "ConfigMap" and manifest.text("metadata", "name") == CONFIG_MAP:
        data = manifest.node.get("data")
        node = None if data is None else data.get(CONFIG_KEY)
        settings = None if node is None else _config_settings(node, analysis.file)
        found = [(setting, where, IDLE_DIRECTIVE) for setting, where in settings or []]
    elif manifest.kind == "ContourConfiguration":
        setting: Node | None = manifest.node
        for key in ("spec", "envoy", "timeouts", "streamIdleTimeout"):
            setting = None if setting is None else setting.get(key)
        if setting is not None:
            found = [(setting, setting.location(analysis.file), "streamIdleTimeout")]
    for setting, where, directive in found:
        text = value(setting)
        parsed = None if text is None else contour_timeout(text.strip(), where, directive)
        if parsed is not None and (parsed.zero or parsed.invalid):
            problem = (
                ZERO_IS_DEFAULT
                if parsed.zero
                else 'not a Go duration (like 1h) nor "infinity"; Contour cannot parse it'
            )
            analysis.read.problems.append(
                Problem(kind="invalid-duration", location=where, message=f'{directive} "{text}": {problem}')
            )


# -- HTTPProxy -----------------------------------------------------------------------------------------------
def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """An HTTPProxy: Contour's routes to its WebSocket endpoints; Contour's configuration: its invalid times."""
    if manifest.kind in ("ConfigMap", "ContourConfiguration"):
        _config_problems(analysis, manifest)
        return
    if manifest.kind != "HTTPProxy" or not (manifest.text("apiVersion") or "").startswith(API):
        return
    spec = manifest.node.get("spec")
    routes = None if spec is None else spec.get("routes")
    fqdn = manifest.text("spec", "virtualhost", "fqdn") or ""
    hop = Hop(kind=hops.CONTOUR, name=f"HTTPProxy {manifest.name}", location=manifest.where("metadata"))
    for entry in (routes.items or []) if routes is not None else []:
        if entry.mapping is None:
            continue
        route = _route(analysis, manifest, entry, fqdn)
        if route is not None:
            hop.routes.append(route)
    if hop.routes:
        analysis.read.hops.append(hop)


def _path(entry: Node) -> str:
    conditions = entry.get("conditions")
    for condition in (conditions.items or []) if conditions is not None else []:
        for key in ("prefix", "exact", "regex"):
            text = scalar(condition.get(key))
            if text:
                return text
    return "/"


def _route(analysis: _Analysis, manifest: _Manifest, entry: Node, fqdn: str) -> Route | None:
    where = entry.location(analysis.file)
    path = f"{fqdn}{_path(entry)}"
    services = entry.get("services")
    names = [scalar(s.get("name")) or "" for s in (services.items or []) if s.mapping is not None] if services else []
    switch = entry.get("enableWebsockets")
    enabled = (scalar(switch) or "").lower() == "true"
    reason = analysis._websocket(path, "", set())
    if reason is None and analysis.settings.websocket_routes is None:
        if any(aws_spec.websocket_name(name) for name in names):
            reason = "its service's name has a WebSocket token"
        elif enabled:
            reason = "it sets enableWebsockets: true"
    if reason is None:
        return None
    route = Route(name=f"HTTPProxy {manifest.name} {path}", location=where, reason=reason, websocket_path=True,
                  default_applies=True)  # fmt: skip
    if not enabled:
        off_at = switch.location(analysis.file) if switch is not None else where
        route.upgrade_off = UpgradeOff(
            location=off_at,
            reason="the route does not set `enableWebsockets: true`, and Contour passes the upgrade only where it does "
            "(Envoy answers the handshake with 403)",
            fix="Add `enableWebsockets: true` to this route.",
        )
    policy = entry.get("timeoutPolicy")
    idle = None if policy is None else policy.get("idle")
    route.idle_timeout = _idle(analysis, idle, where)
    response = None if policy is None else policy.get("response")
    if response is not None:
        _response(analysis, response, f"timeoutPolicy.response: {scalar(response)}", f"HTTPProxy {manifest.name}")
    return route


def _idle(analysis: _Analysis, node: Node | None, where: Location) -> Duration | None:
    if node is None:
        return global_idle(analysis, where)
    text = value(node)
    if text is None:
        return None
    parsed = contour_timeout(text.strip(), node.location(analysis.file), "timeoutPolicy.idle")
    if parsed.zero:
        analysis._problem("invalid-duration", node, f'timeoutPolicy.idle "{text}" does not switch the idle timeout '
                 f"off: {ZERO_IS_DEFAULT}")  # fmt: skip
        return global_idle(analysis, node.location(analysis.file))
    if parsed.invalid:
        analysis._problem("invalid-duration", node, f'timeoutPolicy.idle "{text}": not a Go duration (like 1h or '
                 '90s) nor "infinity"; Contour cannot parse it and does not program the route')  # fmt: skip
    return parsed.duration


def _response(analysis: _Analysis, node: Node, setting: str, hop: str) -> None:
    """WS210 for a finite response timeout on a WebSocket route; WS206 for one Contour reads differently."""
    text = value(node)
    if text is None:
        return
    parsed = contour_timeout(text.strip(), node.location(analysis.file), setting)
    if parsed.invalid:
        analysis._problem("invalid-duration", node, f'{setting}: not a Go duration (like 30s) nor "infinity"; '
                 "Contour cannot parse it")  # fmt: skip
        return
    if parsed.duration is not None and parsed.duration.infinite:
        return
    where = node.location(analysis.file)
    if any(h.location == where for h in analysis.read.handshake_only):
        return
    shown = "Envoy's default 15s (a zero is read as not set)" if parsed.zero else text
    analysis.read.handshake_only.append(
        IgnoredTimeout(location=where, setting=setting, reason=HANDSHAKE_ONLY,
                       applies=f"it is {shown}, and the WebSocket's idle timeout is Contour's stream idle timeout",
                       hop=hop)
    )  # fmt: skip


# -- Ingress of class contour --------------------------------------------------------------------------------
def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An Ingress of Contour's class: its WebSocket paths, on the paths projectcontour.io/websocket-routes lists."""
    annotations = manifest.annotations()
    listed_node = annotations.get(WEBSOCKET_ROUTES)
    listed_text = value(listed_node)
    listed = {p.strip() for p in (listed_text or "").split(",") if p.strip()}
    unknown_list = listed_node is not None and listed_text is None
    hop = Hop(kind=hops.CONTOUR, name=f"Ingress {manifest.name}", location=manifest.where("metadata"))
    where = manifest.where("metadata", "annotations")
    for backend in ingress_paths(manifest):
        if backend.path == "/*":
            continue  # the default backend: no path of its own
        path = scalar(backend.node.get("path")) or "/"
        reason = analysis._websocket(backend.path, "", set())
        if reason is None and analysis.settings.websocket_routes is None:
            if path in listed:
                reason = f"{WEBSOCKET_ROUTES} lists it"
            elif aws_spec.websocket_name(backend.service):
                reason = "its Service's name has a WebSocket token"
        if reason is None:
            continue
        route = Route(name=f"Ingress {manifest.name} {backend.path}", location=backend.node.location(analysis.file),
                      reason=reason, websocket_path=True, default_applies=True,
                      idle_timeout=global_idle(analysis, where))  # fmt: skip
        if path not in listed and not unknown_list:
            route.upgrade_off = UpgradeOff(
                location=listed_node.location(analysis.file) if listed_node is not None else route.location,
                reason=f"{WEBSOCKET_ROUTES} does not list {path}, and Contour passes the upgrade only on the paths it "
                "lists (Envoy answers the handshake with 403)",
                fix=f'Add {path} to the annotation `{WEBSOCKET_ROUTES}: "{path}"` (comma-separated paths, as written '
                "in the rule).",
            )
        hop.routes.append(route)
    response = annotations.get(RESPONSE_TIMEOUT)
    if hop.routes and response is not None:
        _response(analysis, response, f'{RESPONSE_TIMEOUT}: "{scalar(response)}"', f"Ingress {manifest.name}")
    if hop.routes:
        analysis.read.hops.append(hop)


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """An HTTPProxy route with ``enableWebsockets: true`` or a WebSocket path, or an Ingress with
    ``projectcontour.io/websocket-routes``."""
    if manifest.kind == "Ingress":
        return bool((scalar(manifest.annotations().get(WEBSOCKET_ROUTES)) or "").strip())
    if manifest.kind != "HTTPProxy":
        return False
    spec = manifest.node.get("spec")
    routes = None if spec is None else spec.get("routes")
    for entry in (routes.items or []) if routes is not None else []:
        if (scalar(entry.get("enableWebsockets")) or "").lower() == "true":
            return True
        if pattern.search(_path(entry).lower()):
            return True
    return False
