"""Envoy bootstrap files (YAML or JSON) -> hops: listeners, HTTP connection managers, routes, TCP proxies.

Read: ``static_resources.listeners[]`` (and a top-level ``resources:`` list of Listener resources, an LDS file),
each listener's ``filter_chains[].filters[]``, a filter known by its ``name`` or its ``typed_config."@type"`` (v3
names, and the v2 ``config:`` form): the HTTP connection manager (``envoy.filters.network.http_connection_manager``)
and the TCP proxy (``envoy.filters.network.tcp_proxy``). One hop (``ENVOY_HOP``) per listener that carries a
WebSocket route; a route per ``route_config.virtual_hosts[].routes[]`` entry that forwards (``route:``, not
``redirect``/``direct_response``), and one TCP route per TCP proxy. Routes from RDS (``rds:``) or scoped routes
are not in the file: a note says what is left unchecked.

What Envoy does (rules/WS107.md, WS201.md, WS206.md, WS207.md, WS209.md, WS210.md cite the sources):

- **Upgrade** (WS107): the connection manager's ``upgrade_configs`` entry ``upgrade_type: websocket`` (compared
  without case; ``enabled`` defaults to true) passes WebSocket upgrades on every route; a route's
  ``route.upgrade_configs`` entry enables (``enabled`` true or absent) or disables (``enabled: false``) it for that
  route (``HttpConnectionManagerConfig::createUpgradeFilterChain``). Without it Envoy answers the handshake 403
  (``downstream_rq_ws_on_non_ws_route``).
- **Idle** (WS201, WS30x): the connection manager's ``stream_idle_timeout`` (default 5 minutes; ``0s`` switches it
  off), which a route's ``idle_timeout`` overrides (``0s`` switches it off for the route). The TCP proxy's
  ``idle_timeout`` (default 1 hour, which is no WS201 default: ``default_applies=False``; ``0s`` off). The
  connection's ``common_http_protocol_options.idle_timeout`` counts only time without an open stream: not read.
- **Caps** (WS207, WS209): ``common_http_protocol_options.max_stream_duration`` of the connection manager, a
  route's ``max_stream_duration.max_stream_duration`` (``0s`` lifts the connection manager's for the route), and
  the TCP proxy's ``max_downstream_connection_duration``.
- **Handshake only** (WS210): a route's ``timeout`` counts from the end of the downstream request, which an
  upgraded WebSocket never sends: written finite on a WebSocket route, it bounds only the handshake.
- **Times** (WS206): protobuf JSON durations (wslint.sources.envoy_durations).

Which routes are WebSocket routes (raw Envoy's upgrade is opt-in, so nothing is assumed): ``websocket-routes`` when
set (a route's name, cluster, path or prefix as written, its virtual host's or listener's name); else a route whose
path has a WebSocket segment, whose route name or cluster name has a WebSocket token, or on which the upgrade is
enabled. An unmarked route whose upgrade is off plainly serves no WebSocket and is left out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from wslint.config import Settings, websocket_token_pattern
from wslint.durations import InvalidDuration
from wslint.hops import ENVOY_HOP
from wslint.model import Document, Duration, Hop, IgnoredTimeout, Location, Problem, Route, UpgradeOff, format_seconds
from wslint.sources import envoy_durations
from wslint.sources.aws_spec import websocket_name
from wslint.sources.cloud_common import listed
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_all, load_each
from wslint.templating import has_placeholder

HCM_NAMES = frozenset({"envoy.filters.network.http_connection_manager", "envoy.http_connection_manager"})
TCP_NAMES = frozenset({"envoy.filters.network.tcp_proxy", "envoy.tcp_proxy"})
HCM_TYPE = re.compile(r"\.http_connection_manager\.v[23]\.HttpConnectionManager$")
TCP_TYPE = re.compile(r"\.tcp_proxy\.v[23]\.TcpProxy$")
LISTENER_TYPE = re.compile(r"\.(?:listener\.v3|api\.v2)\.Listener$")
# envoyproxy/data-plane-api: HttpConnectionManager.stream_idle_timeout "defaults to 5 minutes"; TcpProxy.idle_timeout
# "If not set, the default idle timeout is 1 hour"
STREAM_IDLE_DEFAULT = 300.0
TCP_IDLE_DEFAULT = 3600.0
ROUTE_TIMEOUT_HISTORY = (
    "Envoy's route timeout counts from the end of the downstream request, which an upgraded WebSocket never sends, "
    "and since September 2025 (envoyproxy/envoy#41075) it bounds the upgrade request until its response; older "
    "Envoy versions were reported to close WebSockets at it (envoyproxy/envoy#20062, versions not verified)"
)


_NOT_UPGRADE_CONFIGS = (
    "upgrade_configs is a list of UpgradeConfig objects (`- upgrade_type: websocket`), which Envoy refuses "
    "otherwise: whether WebSocket upgrades are on here is not checked"
)


def route_timeout_reason(who: str) -> str:
    """WS210's reason for a control plane's setting that becomes the Envoy route timeout (one text for all)."""
    return f"{who} makes it the Envoy route timeout: {ROUTE_TIMEOUT_HISTORY[0].lower()}{ROUTE_TIMEOUT_HISTORY[1:]}"


@dataclass
class _Upgrade:
    """Whether the websocket upgrade is on (None: unknown) and where that is decided."""

    on: bool | None
    location: Location
    written: bool  # an upgrade_configs entry for websocket says so (else: no entry, the upgrade is off)


@dataclass
class _Manager:
    """What an HTTP connection manager gives its routes."""

    location: Location  # the filter
    upgrade: _Upgrade
    idle: Duration | None
    cap: Duration | None


@dataclass
class _Bootstrap:
    file: str
    settings: Settings
    document: Document
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = websocket_token_pattern(self.settings.all_websocket_paths)

    # -- values ------------------------------------------------------------------------------------------------
    def loc(self, node: Node) -> Location:
        return node.location(self.file)

    def note(self, node: Node, message: str) -> None:
        self.document.problems.append(Problem(kind="note", location=self.loc(node), message=message))

    def duration(self, node: Node | None, directive: str) -> Duration | None:
        """A written duration: ``0s`` is none (infinite); None when not written, unknown or refused (WS206)."""
        if node is None:
            return None
        try:
            seconds = envoy_durations.parse(node.value) if node.is_scalar else None
        except InvalidDuration as exc:
            self.document.problems.append(
                Problem(kind="invalid-duration", location=self.loc(node),
                        message=f"{directive} {_text(node)}: {exc}; Envoy refuses the configuration at start-up")
            )  # fmt: skip
            return None
        if seconds is None:
            return None
        return Duration(seconds=math.inf if seconds == 0 else seconds, text=str(node.value), dialect="seconds",
                        location=self.loc(node), directive=directive)  # fmt: skip

    def upgrade_entry(self, configs: Node | None) -> tuple[bool | None, Node] | None:
        """The websocket entry of an ``upgrade_configs`` list: (enabled, the entry); None when it has none."""
        if configs is None:
            return None
        if configs.items is None:  # a template value, or a shape Envoy refuses (a string, a map): unknown
            if configs.is_scalar and configs.value is None:
                return None
            if not (isinstance(configs.value, str) and has_placeholder(configs.value)):
                self.note(configs, _NOT_UPGRADE_CONFIGS)
            return None, configs
        for entry in configs.items:
            if not entry.is_map:  # upgrade_configs: [websocket]
                self.note(entry, _NOT_UPGRADE_CONFIGS)
                return None, entry
            kind = entry.get("upgrade_type")
            if kind is None or not isinstance(kind.value, str):
                continue
            if has_placeholder(kind.value):
                return None, entry
            if kind.value.strip().lower() == "websocket":
                enabled = entry.get("enabled")
                if enabled is None:
                    return True, entry
                value = enabled.value
                if isinstance(value, dict) or enabled.is_map:  # a BoolValue written as {value: ...}
                    inner = enabled.get("value")
                    value = inner.value if inner is not None else False
                if isinstance(value, bool):
                    return value, entry
                if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                    return value.strip().lower() == "true", entry
                return None, entry
        return None

    # -- listeners -------------------------------------------------------------------------------------------
    def listeners(self, root: Node) -> list[Node]:
        found: list[Node] = []
        static = root.get("static_resources")
        listeners = static.get("listeners") if static is not None else None
        found += [n for n in (listeners.items or []) if n.is_map] if listeners is not None else []
        resources = root.get("resources")
        for item in resources.items or [] if resources is not None else []:
            kind = item.get("@type")
            if item.is_map and kind is not None and isinstance(kind.value, str) and LISTENER_TYPE.search(kind.value):
                found.append(item)
        dynamic = root.get("dynamic_resources")
        lds = dynamic.get("lds_config") if dynamic is not None else None
        if lds is not None:
            self.note(lds, "listeners from dynamic_resources.lds_config are not in this file: their WebSocket routes, "
                      "upgrade and timeouts are not checked (lint the LDS file with it)")  # fmt: skip
        return found

    def listener(self, node: Node, index: int) -> Hop | None:
        name = _scalar(node.get("name"))
        if not name:
            address = node.get("address")
            socket = address.get("socket_address") if address is not None else None
            host = _scalar(socket.get("address")) if socket is not None else None
            port = _scalar(socket.get("port_value")) if socket is not None else None
            name = f"{host}:{port}" if host and port else f"#{index}"
        hop = Hop(kind=ENVOY_HOP, name=f"Envoy listener {name}", location=self.loc(node))
        chains = node.get("filter_chains")
        for chain in chains.items or [] if chains is not None else []:
            filters = chain.get("filters")
            for item in filters.items or [] if filters is not None else []:
                self.filter(hop, name, item)
        default_chain = node.get("default_filter_chain")
        if default_chain is not None:
            filters = default_chain.get("filters")
            for item in filters.items or [] if filters is not None else []:
                self.filter(hop, name, item)
        return hop if hop.routes else None

    def filter(self, hop: Hop, listener: str, item: Node) -> None:
        if not item.is_map:
            return
        name = _scalar(item.get("name")) or ""
        config = item.get("typed_config") or item.get("config")
        kind = _scalar(config.get("@type")) if config is not None else None
        if config is None or not config.is_map:
            return
        if name in HCM_NAMES or (kind and HCM_TYPE.search(kind)):
            self.manager(hop, listener, item, config)
        elif name in TCP_NAMES or (kind and TCP_TYPE.search(kind)):
            self.tcp_proxy(hop, listener, item, config)

    # -- the HTTP connection manager -------------------------------------------------------------------------
    def manager(self, hop: Hop, listener: str, item: Node, config: Node) -> None:
        where = self.loc(item)
        entry = self.upgrade_entry(config.get("upgrade_configs"))
        if entry is None:
            upgrade = _Upgrade(False, where, written=False)
        else:
            upgrade = _Upgrade(entry[0], self.loc(entry[1]), written=True)
        idle_node = config.get("stream_idle_timeout")
        if idle_node is None:
            idle: Duration | None = Duration(seconds=STREAM_IDLE_DEFAULT, text="300s", dialect="seconds",
                                             location=where, default=True,
                                             directive="stream_idle_timeout")  # fmt: skip
        else:
            idle = self.duration(idle_node, "stream_idle_timeout")
        options = config.get("common_http_protocol_options")
        cap = self.duration(options.get("max_stream_duration") if options is not None else None, "max_stream_duration")
        manager = _Manager(location=where, upgrade=upgrade, idle=idle, cap=cap)
        routes = config.get("route_config")
        if routes is None:
            for key in ("rds", "scoped_routes"):
                other = config.get(key)
                if other is not None:
                    self.note(other, f"the routes of listener {listener} come from {key} and are not in this file: "
                              "their WebSocket routes, upgrade and timeouts are not checked")  # fmt: skip
            return
        hosts = routes.get("virtual_hosts")
        for host in hosts.items or [] if hosts is not None else []:
            entries = host.get("routes")
            for route in entries.items or [] if entries is not None else []:
                self.route(hop, listener, _scalar(host.get("name")) or "", route, manager)

    def route(self, hop: Hop, listener: str, vhost: str, node: Node, manager: _Manager) -> None:
        action = node.get("route")
        if action is None or not action.is_map:
            return  # a redirect or a direct response: nothing is proxied
        path = _path(node.get("match"))
        clusters = _clusters(action)
        route_name = _scalar(node.get("name")) or ""
        entry = self.upgrade_entry(action.get("upgrade_configs"))
        upgrade = manager.upgrade if entry is None else _Upgrade(entry[0], self.loc(entry[1]), written=True)
        reason = self.marked([route_name, *clusters, path[1] if path else "", vhost, listener], path, route_name,
                             clusters)  # fmt: skip
        if reason is None and upgrade.on:
            reason = ("the route enables websocket upgrades" if entry is not None
                      else "the HTTP connection manager enables websocket upgrades")  # fmt: skip
        if reason is None:
            return
        words = [hop.name, "route"]
        if route_name:
            words.append(route_name)
        if path:
            words.append(path[1])
        if clusters:
            words += ["cluster", ", ".join(clusters)]
        off = None
        if upgrade.on is False:
            off = self.upgrade_off(upgrade, entry is not None)
        if "idle_timeout" in _keys(action):
            idle = self.duration(action.get("idle_timeout"), "idle_timeout")
        else:
            idle = manager.idle
        cap_node = action.get("max_stream_duration")
        cap = manager.cap
        if cap_node is not None and cap_node.is_map and "max_stream_duration" in _keys(cap_node):
            cap = self.duration(cap_node.get("max_stream_duration"), "max_stream_duration")
        if cap is not None and cap.infinite:
            cap = None
        name = " ".join(words)
        route = Route(name=name, location=self.loc(node), reason=reason, idle_timeout=idle,
                      websocket_path=bool(path and self.pattern.search(path[1].lower())), default_applies=True,
                      lifetime=cap, upgrade_off=off)  # fmt: skip
        hop.routes.append(route)
        timeout = action.get("timeout")
        if off is None and timeout is not None:
            self.route_timeout(hop, route, timeout)

    def marked(
        self, names: list[str], path: tuple[str, str] | None, route_name: str, clusters: list[str]
    ) -> str | None:
        """Why a route is a WebSocket route by what it says (not by its upgrade), or None."""
        explicit = self.settings.websocket_routes
        if explicit is not None:
            known = [n for n in names if n]
            return "listed in websocket-routes" if any(listed(e, known, self.file) for e in explicit) else None
        if path and self.pattern.search(path[1].lower()):
            return f"its path {path[1]} names a WebSocket endpoint"
        if route_name and websocket_name(route_name):
            return f"its name {route_name} has a WebSocket token"
        for cluster in clusters:
            if websocket_name(cluster):
                return f"its cluster {cluster} has a WebSocket token in its name"
        return None

    def upgrade_off(self, upgrade: _Upgrade, on_route: bool) -> UpgradeOff:
        if on_route:
            reason = "its upgrade_configs entry disables websocket upgrades on this route (enabled: false)"
            fix = "Remove `enabled: false` from the route's websocket upgrade_configs entry."
        elif upgrade.written:
            reason = ("the HTTP connection manager's websocket upgrade_configs entry is disabled (enabled: false) and "
                      "the route does not enable it")  # fmt: skip
            fix = ("Enable it on the route: `upgrade_configs: [{upgrade_type: websocket}]` under the route's `route:`, "
                   "or remove `enabled: false` from the connection manager's entry.")  # fmt: skip
        else:
            reason = ("the HTTP connection manager has no websocket upgrade_configs entry and the route does not "
                      "enable it: Envoy answers the upgrade with 403 (downstream_rq_ws_on_non_ws_route)")  # fmt: skip
            fix = ("Add `upgrade_configs: [{upgrade_type: websocket}]` to the HTTP connection manager, or to the "
                   "route's `route:` to enable it on this route only.")  # fmt: skip
        if on_route or upgrade.written:
            reason += ": Envoy answers the upgrade with 403 (downstream_rq_ws_on_non_ws_route)"
        return UpgradeOff(location=upgrade.location, reason=reason, fix=fix)

    def route_timeout(self, hop: Hop, route: Route, node: Node) -> None:
        """WS210: a route ``timeout`` written finite on a WebSocket route bounds only the handshake."""
        try:
            seconds = envoy_durations.parse(node.value) if node.is_scalar else None
        except InvalidDuration as exc:
            self.document.problems.append(
                Problem(kind="invalid-duration", location=self.loc(node),
                        message=f"timeout {_text(node)}: {exc}; Envoy refuses the configuration at start-up")
            )  # fmt: skip
            return
        if seconds is None or seconds == 0:
            return
        idle = route.idle_timeout
        if idle is None:
            applies = "the WebSocket's idle timeout here is not known"
        elif idle.infinite:
            applies = f"no idle timeout applies to the WebSocket here ({idle.directive} {idle.text})"
        else:
            origin = f"the default {idle.directive}" if idle.default else f"{idle.directive} {idle.text}"
            applies = f"what closes an idle WebSocket here is {origin} ({idle.human()})"
        self.document.handshake_only.append(
            IgnoredTimeout(location=self.loc(node), setting=f"timeout {_text(node)} ({format_seconds(seconds)})",
                           reason=ROUTE_TIMEOUT_HISTORY, applies=applies, hop=hop.name,
                           fix="Keep it for the handshake and plain requests; on an Envoy that predates "
                           "envoyproxy/envoy#41075 and closes WebSockets at it, set `timeout: 0s` on the WebSocket "
                           "route. The WebSocket's idle limit is idle_timeout / stream_idle_timeout.")
        )  # fmt: skip

    # -- the TCP proxy ---------------------------------------------------------------------------------------
    def tcp_proxy(self, hop: Hop, listener: str, item: Node, config: Node) -> None:
        clusters = [c for c in [_scalar(config.get("cluster"))] if c]
        weighted = config.get("weighted_clusters")
        entries = weighted.get("clusters") if weighted is not None else None
        clusters += [c for c in (_scalar(e.get("name")) for e in entries.items or []) if c] if entries else []
        explicit = self.settings.websocket_routes
        names = [*clusters, listener]
        if explicit is not None:
            known = [n for n in names if n]
            reason = "listed in websocket-routes" if any(listed(e, known, self.file) for e in explicit) else None
        else:
            token = next((n for n in names if websocket_name(n)), None)
            reason = f"{token} has a WebSocket token in its name" if token else None
        if reason is None:
            return
        where = self.loc(item)
        if "idle_timeout" in _keys(config):
            idle = self.duration(config.get("idle_timeout"), "idle_timeout")
        else:
            idle = Duration(seconds=TCP_IDLE_DEFAULT, text="3600s", dialect="seconds", location=where, default=True,
                            directive="idle_timeout")  # fmt: skip
        cap_node = config.get("max_downstream_connection_duration")
        cap = self.duration(cap_node, "max_downstream_connection_duration")
        if cap is not None and cap_node is not None and (cap.infinite or cap.seconds < 0.001):
            # "Duration must be at least 1ms" (validate.rules gte 1ms): Envoy refuses 0s
            self.document.problems.append(
                Problem(kind="invalid-duration", location=self.loc(cap_node),
                        message=f"max_downstream_connection_duration {_text(cap_node)}: Envoy requires at least 1ms; "
                        "leave it out for no cap")
            )  # fmt: skip
            cap = None
        words = [hop.name, "tcp_proxy"] + (["cluster", ", ".join(clusters)] if clusters else [])
        hop.routes.append(
            Route(name=" ".join(words), location=where, reason=reason, idle_timeout=idle, default_applies=False,
                  lifetime=cap)
        )  # fmt: skip


def _keys(node: Node) -> dict[str, Node]:
    return node.mapping or {}


def _scalar(node: Node | None) -> str | None:
    if node is None or not node.is_scalar or node.value is None or isinstance(node.value, bool):
        return None
    return str(node.value)


def _text(node: Node) -> str:
    return str(node.value) if node.is_scalar else "(not a duration string)"


def _path(match: Node | None) -> tuple[str, str] | None:
    """(how, path) of a route's match: prefix, path, safe_regex, path_separated_prefix (v2: regex)."""
    if match is None:
        return None
    for key in ("prefix", "path", "path_separated_prefix"):
        value = _scalar(match.get(key))
        if value is not None:
            return key, value
    regex = match.get("safe_regex")
    if regex is not None:
        value = _scalar(regex.get("regex"))
        if value is not None:
            return "safe_regex", value
    value = _scalar(match.get("regex"))
    return ("regex", value) if value is not None else None


def _clusters(action: Node) -> list[str]:
    cluster = _scalar(action.get("cluster"))
    if cluster:
        return [cluster]
    weighted = action.get("weighted_clusters")
    entries = weighted.get("clusters") if weighted is not None else None
    return [c for c in (_scalar(e.get("name")) for e in entries.items or []) if c] if entries is not None else []


def read_bootstrap(text: str, file: str, settings: Settings) -> Document:
    """The Document for one Envoy bootstrap's text."""
    document = Document(file=file, kind="envoy", context="envoy", files=[file])
    try:
        roots = load_all(text)
    except YamlError as exc:
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=file, line=exc.line, column=exc.column),
                    message=f"cannot read the Envoy configuration: {exc.message}")
        )  # fmt: skip
        return document
    bootstrap = _Bootstrap(file, settings, document)
    index = 0
    for root in roots:
        if not root.is_map:
            continue
        for node in bootstrap.listeners(root):
            index += 1
            hop = bootstrap.listener(node, index)
            if hop is not None:
                document.hops.append(hop)
    return document


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Envoy bootstraps (the source registry's ``load``)."""
    settings = context.settings

    def read_one(text: str, file: str, named: bool) -> Document:
        return read_bootstrap(text, file, settings)

    documents, errors = load_each(files, settings.max_file_size, context.stdin, read_one, "Envoy")
    for document in documents:  # a file that could not be read at all is still an Envoy configuration's WS001
        document.kind, document.context = "envoy", "envoy"
    return documents, errors
