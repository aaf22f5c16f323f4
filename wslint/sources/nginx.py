"""The nginx source: files -> Documents with one Hop per root file and its WebSocket routes.

It knows nginx's dialect: contexts, inheritance (scalars from the nearest outer level;
``proxy_set_header`` only when the inner level defines none), ``map``, ``upstream``,
``stream``, defaults and time units. It knows nothing about rules.

A root file's context is read off its top level: ``main`` (http/events/stream or
main-only directives), ``http`` (server/upstream/map blocks: a sites file, linted as
if included by a stock nginx.conf that sets nothing), ``server`` (location blocks:
what encloses them is unknown) or ``fragment`` (bare directives: unknown context).
Whatever a visible level does not decide and an invisible one could, is unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from wslint import BUG_HINT
from wslint.config import Settings, websocket_token_pattern
from wslint.durations import InvalidDuration, parse_nginx
from wslint.model import (
    ConnectionMap,
    Document,
    Duration,
    Header,
    Hop,
    IgnoredTimeout,
    Location,
    Problem,
    Related,
    Route,
    Setting,
    StockInclude,
    Unchecked,
    Upgrade,
)
from wslint.sources.nginx_files import Loader, Tree
from wslint.sources.nginx_handoff import PROXY_TIMEOUTS, Handoff, Server, destinations
from wslint.sources.nginx_syntax import Directive, check_directives
from wslint.templating import has_placeholder, opaque

NGINX_1_29_7 = (1, 29, 7)
SEC_RESOLUTION = frozenset({"ssl_session_timeout"})
# time directives whose names do not end in _timeout
TIME_DIRECTIVES = frozenset({"keepalive_time", "lingering_time"})
VAR_DEFINERS = {
    "set": 0,
    "perl_set": 0,
    "js_set": 0,
    "set_by_lua": 0,
    "set_by_lua_block": 0,
    "set_by_lua_file": 0,
}
BLOCK_VAR_DEFINERS = {"map": 1, "split_clients": 1}
# what an unread include could set -> the rules that read it (keepalive: the WS30x rule of the run's keepalive)
RULES_READING = {
    "proxy_http_version": ("WS101",),
    "proxy_set_header": ("WS102", "WS103", "WS104"),
    "outer proxy_set_header": ("WS104",),  # what an inner block's own list may hide
    "proxy_read_timeout": ("WS201", "keepalive"),
    "proxy_timeout": ("keepalive",),
    "worker_shutdown_timeout": ("WS401",),
    "worker_connections": ("WS501",),
    "worker_rlimit_nofile": ("WS502",),
}
WHAT_SAID = {
    "proxy_pass": "the headers or proxy_pass that make it a WebSocket route",
    "outer proxy_set_header": "proxy_set_header",
}
# a location that may or may not forward the upgrade (or proxy at all): every route rule is without a verdict
ROUTE_RULES = ("WS101", "WS102", "WS103", "WS104", "WS201", "keepalive")


@dataclass
class Level:
    kind: str  # main, http, server, location, stream, stream-server, fragment
    block: Directive | None
    location: Location
    scalars: dict[str, Directive] = field(default_factory=dict)
    headers: list[Directive] = field(default_factory=list)
    error_pages: list[Directive] = field(default_factory=list)
    unknown: bool = False
    unread: list[Directive] = field(default_factory=list)  # the includes that make it unknown


_UNKNOWN = object()


_LOCATIONS: dict[tuple[str, int, int, int, str | None], Location] = {}
_HEADERS: dict[int, Header] = {}  # by id() of a proxy_set_header directive of the trees being analysed


def _loc(d: Directive) -> Location:
    """The directive's location; one object per place, however many routes inherit the directive."""
    key = (d.file, d.line, d.column, d.end_column, d.origin)
    location = _LOCATIONS.get(key)
    if location is None:
        location = _LOCATIONS[key] = Location.plain(d.file, d.line, d.column, d.line, d.end_column, d.origin)
    return location


def _header_of(h: Directive) -> Header:
    """One Header per proxy_set_header directive, shared by every route that inherits it."""
    header = _HEADERS.get(id(h))
    if header is None:
        header = _HEADERS[id(h)] = Header(name=h.args[0], value=h.args[1] if len(h.args) > 1 else "", location=_loc(h))
    return header


def _level(kind: str, block: Directive | None, directives: list[Directive], where: Location) -> Level:
    level = Level(kind, block, _loc(block) if block else where)
    for d in directives:
        if d.unresolved is not None:
            level.unknown = True
            level.unread.append(d)
        elif d.name == "proxy_set_header":
            level.headers.append(d)
        elif d.block is None:
            if d.name == "error_page":
                level.error_pages.append(d)
            level.scalars[d.name] = d
    return level


class _Analysis:
    def __init__(self, tree: Tree, settings: Settings) -> None:
        self.tree = tree
        self.settings = settings
        self.problems: list[Problem] = []
        self.routes: list[Route] = []
        self.route_blocks: set[int] = set()  # id() of the location directives that are routes (WS208)
        self.stream_routes: list[Route] = []
        self.maps: dict[str, ConnectionMap] = {}
        self.defined_vars: set[str] = set()
        self.upstreams: dict[str, Directive] = {}
        self.http_known = False  # the http context is visible in full
        # every variable definition is visible: a main config with no unreadable include
        # (``set`` anywhere declares a variable for the whole configuration)
        self.vars_known = False
        self.ws_paths = settings.all_websocket_paths
        self.unread: list[Directive] = []  # every include not read, anywhere in the tree
        self.http_unread: list[Directive] = []  # those that make the http context unknown (main config)
        # per include not read (file, line, column): the blocks and rules it left without a verdict
        self.unchecked: dict[tuple[str, int, int], dict[tuple[str, Location], Unchecked]] = {}
        # what the route being built could not decide: (the includes to blame, what they could set)
        self._lost: list[tuple[list[Directive], str]] = []
        # each location block's chain of levels, by id() of its directive
        self.chains: dict[int, list[Level]] = {}
        self.ignored: list[IgnoredTimeout] = []
        # the main context's "block" is the file: its first directive stands for it
        first = tree.directives[0] if tree.directives else None
        self.file_location = (
            Location(file=first.file, line=first.line, column=first.column, origin=first.origin)
            if first is not None
            else Location(file=tree.file, line=1, column=1)
        )

    # -- walking -------------------------------------------------------------------------
    def run(self) -> Document:
        directives = self.tree.directives
        context = self.tree.context
        self._scan(directives)
        for d, message in check_directives(directives, context):
            line = d.term_line or d.line
            self.problems.append(
                Problem(
                    kind="parse-error",
                    location=Location(
                        file=d.file, line=line, column=d.column if line == d.line else 1, origin=d.origin
                    ),
                    message=message,
                )
            )
        top = _level(context, None, directives, self.file_location)
        settings: dict[str, Setting] = {}
        if context == "main":
            self.vars_known = not self.unread
            self._walk_main(top, directives)
            settings = self._main_settings(top, directives)
        elif context == "http":
            self._walk_http([top], directives, complete=True)
        elif context == "stream":
            self._walk_stream([top], directives, complete=True)
        elif context == "server":
            self._walk_server([top], directives, complete=False)
            self._handoffs([top], directives, complete=False)
        hops = []
        file = self.tree.file
        if self.routes or context == "main":
            hops.append(
                Hop(
                    kind="nginx",
                    name=file,
                    location=self.file_location,
                    routes=self.routes,
                    settings=settings,
                    main_visible=context == "main",
                )
            )
        if self.stream_routes:
            hops.append(
                Hop(
                    kind="nginx-stream", name=f"{file} (stream)", location=self.file_location, routes=self.stream_routes
                )
            )
        return Document(
            file=file,
            kind="nginx",
            context=context,
            hops=hops,
            problems=[*map(self._with_unchecked, self.tree.problems), *self.problems],
            files=self.tree.files,
            ignored=self.ignored,
        )

    def _with_unchecked(self, problem: Problem) -> Problem:
        if problem.kind != "include-not-found":
            return problem
        where = problem.location
        found = self.unchecked.get((where.file, where.line or 0, where.column or 0))
        return replace(problem, unchecked=list(found.values())) if found else problem

    def _walk_main(self, top: Level, directives: list[Directive]) -> None:
        for d in directives:
            if d.name == "http" and d.block is not None:
                http = _level("http", d, d.block, self.file_location)
                self.http_known = not http.unknown and not top.unknown
                self.http_unread = [*top.unread, *http.unread]
                self._walk_http([top, http], d.block, complete=True)
            elif d.name == "stream" and d.block is not None:
                stream = _level("stream", d, d.block, self.file_location)
                self._walk_stream([top, stream], d.block, complete=True)

    def _walk_http(self, chain: list[Level], directives: list[Directive], complete: bool) -> None:
        for d in directives:
            if d.name == "server" and d.block is not None:
                server = _level("server", d, d.block, self.file_location)
                self._walk_server([*chain, server], d.block, complete)
                self._handoffs([*chain, server], d.block, complete)

    def _walk_server(self, chain: list[Level], directives: list[Directive], complete: bool) -> None:
        for d in directives:
            if d.name == "location" and d.block is not None:
                level = _level("location", d, d.block, self.file_location)
                inner = [*chain, level]
                self.chains[id(d)] = inner
                route = self._route(inner, d, complete)
                if route is not None:
                    self.routes.append(route)
                    self.route_blocks.add(id(d))
                self._walk_server(inner, d.block, complete)

    def _walk_stream(self, chain: list[Level], directives: list[Directive], complete: bool) -> None:
        for d in directives:
            if d.name == "server" and d.block is not None:
                server = _level("stream-server", d, d.block, self.file_location)
                if not any(x.name == "proxy_pass" for x in d.block):
                    continue
                listens = [x.args for x in d.block if x.name == "listen"]
                if listens and all("udp" in args for args in listens):
                    continue  # UDP datagrams: no WebSocket here
                self._lost = []
                timeout = self._duration([*chain, server], "proxy_timeout", "10m", _loc(d), complete)
                listen = next((x.args[0] for x in d.block if x.name == "listen" and x.args), "")
                self._blame(f"stream server {listen}".strip(), _loc(d))
                self.stream_routes.append(
                    Route(
                        name=f"stream server {listen}".strip(),
                        location=_loc(d),
                        reason="stream server with proxy_pass",
                        idle_timeout=timeout,
                        default_applies=False,
                    )
                )

    # -- timeouts a location never applies (WS208) ----------------------------------------------
    def _handoffs(self, chain: list[Level], directives: list[Directive], complete: bool) -> None:
        """A proxy timeout a location sets while it hands its WebSocket requests to another location."""
        locations = [d for d in directives if d.name == "location" and d.block is not None]
        server = Server(locations, known=complete and not chain[-1].unknown)
        for d in locations:
            level = self.chains[id(d)][-1]
            own = [level.scalars[name] for name in PROXY_TIMEOUTS if name in level.scalars]
            if not own:
                continue
            found = destinations(d, server, lambda x: self._error_pages(x, complete))
            targets = {id(h.target): h for h in found or () if id(h.target) in self.route_blocks}
            for written in own:
                self._ignored(written, list(targets.values()), complete)
        self._lost = []  # what the lookups above could not decide belongs to no route (WS002 blames routes only)

    def _error_pages(self, location: Directive, complete: bool) -> list[Directive] | None:
        """The error_page list in effect in a location (inherited only when it sets none); None: unknown."""
        for level in reversed(self.chains[id(location)]):
            if level.error_pages:
                return level.error_pages
            if level.unknown:
                return None
        return [] if complete else None

    def _ignored(self, written: Directive, handoffs: list[Handoff], complete: bool) -> None:
        name = written.name
        text = written.args[0] if written.args else ""
        try:
            seconds = parse_nginx(text)
        except InvalidDuration:
            return  # WS206's business, or a variable: unknown
        differ: list[tuple[Handoff, Duration]] = []
        for handoff in handoffs:
            effective = self._duration(self.chains[id(handoff.target)], name, "60s", _loc(handoff.target), complete)
            if effective is not None and effective.seconds != seconds:
                differ.append((handoff, effective))
        if not differ:
            return
        names = ", ".join(dict.fromkeys(_location_name(h.target) for h, _ in differ))
        applies = "; ".join(
            f"{_location_name(h.target)} applies {name} {e.text if not e.default else e.human()}"
            + (" (nginx's default)" if e.default else "")
            for h, e in differ
        )
        related = [Related(location=_loc(h.via), message=h.how) for h, _ in differ]
        related += [
            Related(location=e.location, message=f"the {name} that applies in {_location_name(h.target)}")
            for h, e in differ
        ]
        self.ignored.append(
            IgnoredTimeout(
                location=_loc(written),
                setting=f"{name} {text}",
                reason="; ".join(dict.fromkeys(h.how for h, _ in differ)),
                applies=f"{applies} instead",
                fix=f"Set `{name}` in {names}, which proxies the WebSocket (or in the server block, which both "
                "inherit), and remove it here.",
                hop=self.tree.file,
                related=tuple(related),
            )
        )

    # -- definitions -------------------------------------------------------------------------
    def _scan(self, directives: Iterable[Directive]) -> None:
        """One pass over the tree: variable definitions, maps, upstreams, invalid times, includes not read."""
        for d in _walk(directives):
            if d.unresolved is not None:
                self.unread.append(d)
            elif d.name in VAR_DEFINERS and len(d.args) > VAR_DEFINERS[d.name]:
                self.defined_vars.add(d.args[VAR_DEFINERS[d.name]].lower())
            elif d.name in BLOCK_VAR_DEFINERS and d.block is not None and len(d.args) >= 2:
                var = d.args[BLOCK_VAR_DEFINERS[d.name]].lower()
                self.defined_vars.add(var)
                if d.name == "map":
                    self.maps[var] = _read_map(d)
            elif d.name == "geo" and d.block is not None and d.args:
                self.defined_vars.add(d.args[-1].lower())
            elif d.name == "upstream" and d.block is not None and d.args:
                self.upstreams[d.args[0].lower()] = d
            elif is_time_directive(d):
                self._check_time(d)

    def _check_time(self, d: Directive) -> None:
        for message in invalid_times(d):
            self.problems.append(Problem(kind="invalid-duration", location=_loc(d), message=message))

    # -- one location --------------------------------------------------------------------------
    def _route(self, chain: list[Level], d: Directive, complete: bool) -> Route | None:
        level = chain[-1]
        self._lost = []
        route = self._build_route(chain, d, complete)
        self._blame(f"location {' '.join(d.args)}", level.location)
        return route

    def _build_route(self, chain: list[Level], d: Directive, complete: bool) -> Route | None:
        level = chain[-1]
        proxy_pass = level.scalars.get("proxy_pass")
        path_ws = self._websocket_path(d.args)
        if proxy_pass is None:
            if path_ws and level.unknown and self.settings.websocket_routes is None:
                self._lost.append((level.unread, "proxy_pass"))  # it may proxy this WebSocket path
            return None
        name = " ".join(d.args)
        headers, headers_level = self._headers(chain, complete)
        upgrade = Upgrade()
        if headers is not None:
            upgrade.headers = tuple(_header_of(h) for h in headers if h.args)
            upgrade.headers_block = headers_level.location if headers_level else None
            upgrade.hidden = self._hidden(chain, headers_level, complete)
        conn = _header(upgrade.headers, "connection")
        header_ws = bool(_header(upgrade.headers, "upgrade")) or (
            conn is not None and ("upgrade" in conn.value.lower() or self._is_upgrade_map(conn.value))
        )
        explicit = self.settings.websocket_routes
        if explicit is not None:
            if not any(_route_matches(entry, self.tree.file, name) for entry in explicit):
                return None
            reason = "listed in websocket-routes"
        elif header_ws:
            reason = "forwards the Upgrade handshake"
        elif path_ws:
            reason = "its path names a WebSocket endpoint"
        else:
            if headers is None:  # an unread include may forward the upgrade: a route or not, unknown
                self._lost = [(unread, "proxy_pass") for unread, _ in self._lost]
            return None
        self._upgrade_facts(upgrade, chain, proxy_pass, conn, complete)
        if upgrade.upstream_keepalive is None and conn is not None and not path_ws:
            self._lost.extend((unread, "upstream keepalive") for unread in self._keepalive_unread(proxy_pass))
        timeout = self._duration(chain, "proxy_read_timeout", "60s", level.location, complete)
        return Route(
            name=f"location {name}",
            location=level.location,
            reason=reason,
            idle_timeout=timeout,
            upgrade=upgrade,
            websocket_path=path_ws,
        )

    def _upgrade_facts(
        self,
        upgrade: Upgrade,
        chain: list[Level],
        proxy_pass: Directive,
        conn: Header | None,
        complete: bool,
    ) -> None:
        version = self._scalar(chain, "proxy_http_version", complete)
        if isinstance(version, Directive) and not (version.args and opaque(version.args[0])):
            upgrade.http_version = version.args[0] if version.args else ""
            upgrade.http_version_location = _loc(version)
        elif version is None:
            new = self.settings.nginx_version is not None and self.settings.nginx_version >= NGINX_1_29_7
            upgrade.http_version = "1.1" if new else "1.0"
            upgrade.http_version_default = True
            upgrade.http_version_location = chain[-1].location
        if conn is not None and conn.value.startswith("$") and re.fullmatch(r"\$\w+", conn.value):
            var = conn.value.lower()
            if var in self.maps:
                upgrade.connection_map = self.maps[var]
            elif var not in self.defined_vars and not _builtin_variable(var):
                upgrade.connection_map_missing = self.vars_known
                if self.unread and self.tree.context == "main":  # an unread include may define it
                    self._lost.append((self.unread, f"the map of {conn.value}"))
        upgrade.upstream_keepalive, upgrade.upstream_location = self._keepalive(proxy_pass)

    def _keepalive(self, proxy_pass: Directive) -> tuple[bool | None, Location | None]:
        target = proxy_pass.args[0] if proxy_pass.args else ""
        match = re.match(r"https?://([^/:$]+)(?::\d+)?(?:/|$)", target)
        if opaque(target) or not match:
            return None, None
        upstream = self.upstreams.get(match.group(1).lower())
        if upstream is None:
            return (False, None) if self.http_known else (None, None)
        keepalive = next((x for x in upstream.block or [] if x.name == "keepalive"), None)
        if keepalive is not None:
            return True, _loc(keepalive)
        if any(x.unresolved for x in upstream.block or []):
            return None, None
        new = self.settings.nginx_version is not None and self.settings.nginx_version >= NGINX_1_29_7
        return new, _loc(upstream)

    def _keepalive_unread(self, proxy_pass: Directive) -> list[list[Directive]]:
        """The includes that leave the upstream's keepalive unknown."""
        target = proxy_pass.args[0] if proxy_pass.args else ""
        match = re.match(r"https?://([^/:$]+)(?::\d+)?(?:/|$)", target)
        if "$" in target or not match:
            return []
        upstream = self.upstreams.get(match.group(1).lower())
        if upstream is None:
            return [self.http_unread] if self.http_unread else []
        return [[x for x in upstream.block or [] if x.unresolved is not None]]

    def _blame(self, subject: str, where: Location) -> None:
        """Record what the block could not decide, against each include not read that could decide it."""
        for unread, what in self._lost:
            rules = tuple(self._rule(r) for r in RULES_READING.get(what, ROUTE_RULES if what == "proxy_pass" else ()))
            if what == "upstream keepalive":
                rules = ("WS106",)
            elif what.startswith("the map of"):
                rules = ("WS105",)
            for d in unread:
                if d.unresolved is None:
                    continue
                key = (d.file, d.line, d.column)
                entries = self.unchecked.setdefault(key, {})
                said = WHAT_SAID.get(what, what)
                new = Unchecked(subject=subject, location=where, rules=rules, what=(said,))
                entries[(subject, where)] = new.merged(entries.get((subject, where)))
        self._lost = []

    def _rule(self, rule: str) -> str:
        """``keepalive``: the WS30x rule the run's keepalive would be judged by."""
        if rule != "keepalive":
            return rule
        seconds = self.settings.keepalive.seconds
        return "WS303" if seconds is None else "WS302" if seconds == 0 else "WS301"

    def _is_upgrade_map(self, value: str) -> bool:
        found = self.maps.get(value.lower())
        return found is not None and found.source.lower() == "$http_upgrade"

    def _websocket_path(self, args: list[str]) -> bool:
        if not args:
            return False
        path = args[-1]
        modifier = args[0] if len(args) > 1 else ""
        if modifier in ("~", "~*"):
            return bool(websocket_token_pattern(self.ws_paths).search(path.replace("\\", "").lower()))
        segments = path.lstrip("@").lower().split("/")
        return any(segment in self.ws_paths for segment in segments)

    # -- inheritance -----------------------------------------------------------------------------
    def _scalar(self, chain: list[Level], name: str, complete: bool) -> Directive | object | None:
        """The directive in effect, None for the default, _UNKNOWN when wslint cannot know.

        Every level with an unread include below the one that decides is blamed for it.
        """
        found: Directive | object | None = None if complete else _UNKNOWN
        blamed = []
        for level in reversed(chain):
            if name in level.scalars:
                found = level.scalars[name]
                break
            if level.unknown:
                blamed.append(level)
        if blamed:
            self._lost.extend((level.unread, name) for level in blamed)
            return _UNKNOWN
        return found

    def _duration(
        self, chain: list[Level], name: str, default: str, where: Location, complete: bool
    ) -> Duration | None:
        found = self._scalar(chain, name, complete)
        if found is _UNKNOWN:
            return None
        if isinstance(found, Directive):
            text = found.args[0] if found.args else ""
            try:
                seconds = parse_nginx(text)
            except InvalidDuration:
                return None
            return Duration(seconds=seconds, text=text, dialect="nginx", location=_loc(found), directive=name)
        return Duration(
            seconds=parse_nginx(default), text=default, dialect="nginx", location=where, default=True, directive=name
        )

    def _headers(self, chain: list[Level], complete: bool) -> tuple[list[Directive] | None, Level | None]:
        blamed = []
        for level in reversed(chain):
            if level.unknown:  # an unreadable include may add to (or start) this level's list
                blamed.append(level)
            if level.headers:
                if not blamed:
                    return level.headers, level
                break
        if blamed:
            self._lost.extend((level.unread, "proxy_set_header") for level in blamed)
            return None, None
        return ([], None) if complete else (None, None)

    def _hidden(self, chain: list[Level], effective: Level | None, complete: bool) -> tuple[Header, ...]:
        if effective is None:
            return ()
        own = {h.args[0].lower() for h in effective.headers if h.args}
        if {"upgrade", "connection"} <= own:  # nothing outside can be hidden
            return ()
        index = chain.index(effective)
        lost = len(self._lost)
        outer, _ = self._headers(chain[:index], complete)
        self._lost[lost:] = [(unread, "outer proxy_set_header") for unread, _ in self._lost[lost:]]
        if not outer:
            return ()
        return tuple(
            Header(name=h.args[0], value=h.args[1] if len(h.args) > 1 else "", location=_loc(h))
            for h in outer
            if h.args and h.args[0].lower() in ("upgrade", "connection") and h.args[0].lower() not in own
        )

    # -- main context ------------------------------------------------------------------------------
    def _main_settings(self, top: Level, directives: list[Directive]) -> dict[str, Setting]:
        events = next((d for d in directives if d.name == "events" and d.block is not None), None)
        out: dict[str, Setting] = {}
        unread = {
            name: top.unread for name in ("worker_shutdown_timeout", "worker_rlimit_nofile", "worker_connections")
        }
        for name in ("worker_shutdown_timeout", "worker_rlimit_nofile"):
            out[name] = _setting(name, top.scalars.get(name), top.unknown, self.file_location)
        if events is None:
            out["worker_connections"] = _setting("worker_connections", None, top.unknown, self.file_location)
        else:
            level = _level("events", events, events.block or [], self.file_location)
            out["worker_connections"] = _setting(
                "worker_connections",
                level.scalars.get("worker_connections"),
                level.unknown,
                _loc(events),
            )
            unread["worker_connections"] = level.unread
        if self.routes:  # WS401 and WS50x judge a main context with WebSocket routes
            self._lost = [(unread[name], name) for name, setting in out.items() if setting.unknown]
            self._blame("the main context", self.file_location)
        return out


def _location_name(d: Directive) -> str:
    return "location " + " ".join(d.args)


def _setting(name: str, d: Directive | None, unknown: bool, where: Location) -> Setting:
    if d is not None:
        return Setting(name=name, value=d.args[0] if d.args else "", location=_loc(d))
    return Setting(name=name, value=None, location=where, default=True, unknown=unknown)


def _header(headers: tuple[Header, ...] | None, name: str) -> Header | None:
    found = None
    for h in headers or ():
        if h.name.lower() == name:
            found = h
    return found


def _builtin_variable(var: str) -> bool:
    return var.startswith(("$http_", "$sent_http_", "$arg_", "$cookie_", "$upstream_")) or var in ("$connection",)


def _read_map(d: Directive) -> ConnectionMap:
    source, var = d.args[0], d.args[1]
    values: dict[str, str] = {}
    opaque = False
    for entry in d.block or []:
        if entry.unresolved is not None or entry.name in ("include", "hostnames", "volatile"):
            opaque = True
            continue
        values.setdefault(entry.name, entry.args[0] if entry.args else "")
    default = values.get("default", "")
    empty = values.get("", default)
    non_empty = [v for k, v in values.items() if k != ""] or [default]
    if opaque:
        yields: bool | None = None
    elif any("$" in v for v in non_empty):
        yields = True
    elif any(has_placeholder(v) for v in non_empty):
        yields = None  # a template placeholder: what it renders to is unknown
    else:
        yields = any(v.lower() == "upgrade" for v in non_empty)
    return ConnectionMap(
        variable=var, source=source, location=_loc(d), empty_value=None if opaque else empty, yields_upgrade=yields
    )


def is_time_directive(d: Directive) -> bool:
    return d.block is None and bool(d.args) and (d.name.endswith("_timeout") or d.name in TIME_DIRECTIVES)


def invalid_times(d: Directive) -> Iterator[str]:
    """A message for each value of a time directive that nginx refuses (``$`` values, placeholders are unknown)."""
    values = d.args[:2] if d.name == "keepalive_timeout" else d.args[:1]
    for i, value in enumerate(values):
        if opaque(value):
            continue
        msec = d.name not in SEC_RESOLUTION and not (d.name == "keepalive_timeout" and i == 1)
        try:
            parse_nginx(value, msec=msec)
        except InvalidDuration as exc:
            yield f"{d.name} {value}: {exc}"


def walk(directives: Iterable[Directive]) -> Iterator[Directive]:
    """Every directive of a tree, depth first."""
    return _walk(directives)


def _route_matches(entry: str, file: str, name: str) -> bool:
    if ":" not in entry:
        return entry.removeprefix("location ").strip() == name
    file_part, route = entry.rsplit(":", 1)
    norm = file.replace(os.sep, "/")
    return route.removeprefix("location ").strip() == name and (norm == file_part or norm.endswith("/" + file_part))


def _walk(directives: Iterable[Directive]) -> Iterator[Directive]:
    stack = [iter(directives)]
    while stack:
        for d in stack[-1]:
            yield d
            if d.block:
                stack.append(iter(d.block))
                break
        else:
            stack.pop()


def stock_includes(
    files: list[tuple[str, str]], tree_roots: list[str], settings: Settings, stdin: dict[str, bytes] | None = None
) -> list[StockInclude]:
    """The includes of these files that are read as a stock file's contents (--show-files); errors are the lint's."""
    loader = Loader(tree_roots, settings.nginx_prefix, settings.max_file_size, stdin or {})
    out: dict[tuple[Location, str], StockInclude] = {}
    for real, display in files:
        try:
            tree = loader.load(real, display)
        except Exception:  # unreadable, or a bug of ours: the lint itself reports it
            continue
        for used in tree.stock:
            out.setdefault((used.location, used.name), used)
    return sorted(out.values(), key=lambda used: used.location.sort_key())


def load(
    files: list[tuple[str, str]], tree_roots: list[str], settings: Settings, stdin: dict[str, bytes] | None = None
) -> tuple[list[Document], list[str]]:
    """Lint nginx files given as (real path, display path). Returns documents and errors.

    A file that another file in the run includes is linted through its includer only.
    """
    _LOCATIONS.clear()
    _HEADERS.clear()
    loader = Loader(tree_roots, settings.nginx_prefix, settings.max_file_size, stdin or {})
    trees: list[tuple[str, Tree]] = []
    errors: list[str] = []
    for real, display in files:
        try:
            trees.append((real, loader.load(real, display)))
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(f"{display}: internal error in the nginx source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    read_by: dict[str, set[str]] = {}
    for real, tree in trees:
        for other in tree.files:
            if other != real:
                read_by.setdefault(other, set()).add(real)
    files_of = {r: set(t.files) for r, t in trees}
    documents = []
    for real, tree in trees:
        includers = read_by.get(real, set())
        # a file included by another root is linted there; in a cycle, the first name wins
        if any(inc not in files_of[real] or inc < real for inc in includers):
            continue
        try:
            document = _Analysis(tree, settings).run()
            # the files it read, as its locations name them
            document.files = [loader.display.get(f, f) for f in tree.files]
            document.included = tree.includes
            document.stock = tree.stock
            documents.append(document)
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(f"{tree.file}: internal error in the nginx source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    _LOCATIONS.clear()
    _HEADERS.clear()
    return documents, errors
