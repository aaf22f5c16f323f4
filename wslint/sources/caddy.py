"""Caddy configuration (Caddyfile, JSON) -> hops: one per site block (Caddyfile) or server (JSON), a route per
``reverse_proxy``.

What it knows of Caddy (caddyserver/caddy@0cf03d32f7d9, modules/caddyhttp/reverseproxy/reverseproxy.go):

- ``reverse_proxy`` passes the WebSocket upgrade by default: a proxy whose path matcher or upstream has a WebSocket
  token (or that ``websocket-routes`` lists) is a WebSocket route; when nothing read marks any, every
  ``reverse_proxy`` counts, only assumed (``Route.assumed``);
- Caddy puts no idle timeout on a proxied WebSocket: the server ``timeouts`` (read_body, read_header, write, idle)
  bound the HTTP exchange only (measured with Caddy 2.6.2: tests/test_real_caddy.py), so a written one is WS210;
  the one exception is ``transport http { read_timeout }``, "the maximum time to wait for next read from backend",
  which also closes a WebSocket the backend is silent on (measured): it is the route's idle timeout (WS30x);
- ``stream_timeout`` closes every streaming request (WebSockets) that long after it started: a lifetime cap (WS207,
  WS209); 0 or unset is none;
- ``stream_close_delay`` keeps WebSockets open that long when the config is unloaded (a reload, an admin API
  change); unset, every reload closes them all (WS405). Both arrived in Caddy 2.7.0 (PR #5567);
- durations: Caddy's ``ParseDuration`` (Go's ``time.ParseDuration`` plus ``d`` for days); in JSON a string so
  read, or an integer of nanoseconds (caddy.go ``Duration.UnmarshalJSON``). Anything else is WS206.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from typing import Any

from wslint import BUG_HINT, hops
from wslint.config import Settings, websocket_token_pattern
from wslint.durations import InvalidDuration, parse_go
from wslint.model import Document, Duration, Hop, IgnoredTimeout, Location, Problem, Route, Setting
from wslint.sources import aws_spec
from wslint.sources import caddyfile as cf
from wslint.sources import text as textio
from wslint.sources.caddy_files import is_caddyfile
from wslint.sources.cloud_common import no_idle_timeout, selector
from wslint.sources.registry import Context, Target

SERVER_TIMEOUTS = ("read_body", "read_header", "write", "idle")
JSON_TIMEOUTS = ("read_timeout", "read_header_timeout", "write_timeout", "idle_timeout")
CONTAINERS = frozenset({"route", "handle", "handle_path", "handle_errors"})
HANDSHAKE_REASON = (
    "Caddy's server timeouts bound reading a request, writing its response and the wait for the next request on a "
    "kept-alive connection; an upgraded WebSocket leaves the HTTP server, and none of them applies to it (Caddy 2.6.2 "
    "kept an idle WebSocket open past `timeouts { idle 1s read_body 1s write 1s }`)"
)
HANDSHAKE_APPLIES = (
    "Caddy puts no idle timeout on a WebSocket: only reverse_proxy's stream_timeout (a lifetime cap) ends it"
)
READ_TIMEOUT_NOTE = (
    "a deadline on each read from the backend: a WebSocket on which the backend sends nothing for that long is closed "
    "(close 1006; measured with Caddy 2.6.2); the backend's pong to a client's ping counts"
)
BadDuration = InvalidDuration


def parse_duration(text: str) -> float:
    """Seconds of a Caddy duration string (caddy.ParseDuration: Go's time.ParseDuration, and ``d`` = 24h)."""
    body = text.strip()
    if len(body) > 1024:
        raise BadDuration("longer than 1024 characters")
    days = r"([0-9]+\.?[0-9]*|\.[0-9]+)d"  # Caddy writes each as hours for Go's parser
    return parse_go(re.sub(days, lambda m: f"{float(m.group(1)) * 24:f}h", body))


@dataclass
class _Proxy:
    """A reverse_proxy handler found, before deciding whether it is a WebSocket route."""

    hop: Hop
    name: str
    location: Location
    paths: list[str]  # path matchers and site paths on the way to it (lower case)
    names: list[str]  # what a websocket-routes entry may name: matchers, upstreams, the route's name
    upstreams: list[str]
    upgrade_matcher: bool
    lifetime: Duration | None
    close_delay: Setting
    # transport http read_timeout: a deadline on each read from the backend, which also ends an idle WebSocket
    # (measured); None: not written (no idle timeout); False: written but unreadable (unknown)
    read_timeout: Duration | bool | None = None


@dataclass
class _Read:
    document: Document
    proxies: list[_Proxy] = field(default_factory=list)
    timeouts: list[IgnoredTimeout] = field(default_factory=list)


def _loc(file: str, token: cf.Token) -> Location:
    return Location(file=token.file or file, line=token.line, column=token.column)


def _problem(read: _Read, kind: str, where: Location, message: str) -> None:
    read.document.problems.append(Problem(kind=kind, location=where, message=message))  # type: ignore[arg-type]


# -- Caddyfile ------------------------------------------------------------------------------------------------


def _resolver(real: str, context: Context, read: _Read) -> cf.Resolve:
    roots = [os.path.realpath(r) for r in context.tree_roots] or [os.path.realpath(os.path.dirname(real) or ".")]
    names: dict[str, str] = {}

    def resolve(token: cf.Token, target: str) -> tuple[list[tuple[str, str]], str]:
        if "{" in target:
            return [], "its path holds a placeholder wslint cannot know"
        base = os.path.dirname(real)
        pattern = target if os.path.isabs(target) else os.path.join(base, target)
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        files = []
        for path in found:
            full = os.path.realpath(path)
            if not any(full == r or full.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
                return [], "it lies outside the linted tree"
            if not os.path.isfile(full):
                continue
            try:
                text = textio.read_text(full, context.settings.max_file_size, context.stdin, reader="Caddy")
            except (OSError, textio.DecodeError) as exc:
                return [], f"it cannot be read ({getattr(exc, 'message', None) or exc})"
            files.append((textio.display_path(path, names), text))
            if files[-1][0] not in read.document.files:
                read.document.files.append(files[-1][0])
        return (files, "") if files else ([], "no such file")

    return resolve


def _caddyfile(text: str, real: str, display: str, context: Context, read: _Read) -> None:
    text = cf.caddyfile_part(text, display)
    try:
        parsed = cf.parse(text, display, _resolver(real, context, read))
    except cf.CaddyfileError as exc:
        _problem(read, "parse-error", Location(file=exc.file, line=exc.line), f"Caddyfile: {exc.message}")
        return
    for token, target, why in parsed.unread:
        _problem(
            read,
            "note",
            _loc(display, token),
            f"import {target} was not read ({why}): the reverse_proxy settings it may hold are unchecked",
        )
    if parsed.options is not None:
        for directive in cf.walk(parsed.options.body):
            if directive.name == "servers" and directive.block:
                _server_timeouts(directive.block, display, read)
    for site in parsed.sites:
        keys = site.keys
        label = ", ".join(k.text for k in keys) or "the site"
        hop = Hop(kind=hops.CADDY_HOP, name=f"Caddy site {label}", location=_loc(display, site.at))
        site_paths = [_site_path(k.text) for k in keys if "/" in k.text.split("//", 1)[-1]]
        matchers = _matchers(site.body)
        _body(site.body, site_paths, matchers, hop, label, display, read)
        read.document.hops.append(hop)


def _site_path(address: str) -> str:
    """The path part of a site address (``example.com/code/*`` -> ``/code/*``), lower-cased."""
    rest = address.split("//", 1)[-1]
    return rest[rest.index("/") :].lower()


def _server_timeouts(block: list[cf.Directive], file: str, read: _Read) -> None:
    for directive in block:
        if directive.name == "timeouts" and directive.block:
            for timeout in directive.block:
                if timeout.name in SERVER_TIMEOUTS and timeout.args:
                    value = " ".join(t.text for t in timeout.args)
                    read.timeouts.append(
                        IgnoredTimeout(location=_loc(file, timeout.first), setting=f"timeouts {timeout.name} {value}",
                                       reason=HANDSHAKE_REASON, applies=HANDSHAKE_APPLIES, hop="caddy")
                    )  # fmt: skip


def _matchers(body: list[cf.Directive]) -> dict[str, list[str]]:
    """Named matchers of a site (``@name path /ws/*`` or a block of them): their tokens, lower-cased."""
    found: dict[str, list[str]] = {}
    for directive in cf.walk(body):
        if directive.name.startswith("@") and len(directive.name) > 1:
            words = [t.text.lower() for t in directive.args]
            for inner in directive.block or []:
                words.extend(t.text.lower() for t in inner.tokens)
            found.setdefault(directive.name, []).extend(words)
    return found


def _matcher_paths(token: str, matchers: dict[str, list[str]]) -> tuple[list[str], bool]:
    """Path texts of a matcher token (``/ws/*``, ``@ws``), and whether it matches the Upgrade header."""
    if token.startswith("@"):
        words = matchers.get(token, [])
        upgrade = any(w in ("upgrade", "connection") for w in words) and any("upgrade" in w or "websocket" in w
                                                                          for w in words)  # fmt: skip
        return [token.lower(), *words], upgrade
    return [token.lower()], False


def _body(
    body: list[cf.Directive],
    paths: list[str],
    matchers: dict[str, list[str]],
    hop: Hop,
    label: str,
    file: str,
    read: _Read,
) -> None:
    for directive in body:
        name = directive.name
        if name in CONTAINERS and directive.block is not None:
            inner = list(paths)
            if directive.args and (directive.args[0].text.startswith(("/", "@", "*"))):
                inner.extend(_matcher_paths(directive.args[0].text, matchers)[0])
            _body(directive.block, inner, matchers, hop, label, file, read)
        elif name == "reverse_proxy":
            _reverse_proxy(directive, paths, matchers, hop, label, file, read)


def _reverse_proxy(
    directive: cf.Directive,
    paths: list[str],
    matchers: dict[str, list[str]],
    hop: Hop,
    label: str,
    file: str,
    read: _Read,
) -> None:
    args = [t.text for t in directive.args]
    where = _loc(file, directive.first)
    route_paths = list(paths)
    upgrade = False
    names: list[str] = []
    if args and args[0].startswith(("/", "@", "*")):
        more, upgrade = _matcher_paths(args[0], matchers)
        route_paths.extend(more)
        names.append(args[0])
        args = args[1:]
    upstreams = list(args)
    lifetime: Duration | None = None
    read_timeout: Duration | bool | None = None
    delay = Setting(name="stream_close_delay", value=None, location=where, default=True)
    for sub in directive.block or []:
        value = " ".join(t.text for t in sub.args)
        if sub.name == "to":
            upstreams.extend(t.text for t in sub.args)
        elif sub.name == "transport" and sub.args and sub.args[0].text == "http":
            for option in sub.block or []:
                if option.name == "read_timeout":
                    text = " ".join(t.text for t in option.args)
                    read_timeout = _read_timeout(text, _loc(file, option.first), read)
        elif sub.name in ("stream_timeout", "stream_close_delay"):
            seconds = _duration(sub.name, value, _loc(file, sub.first), read)
            sub_where = _loc(file, sub.first)
            if sub.name == "stream_timeout":
                if seconds is not None and seconds > 0:
                    lifetime = Duration(seconds=seconds, text=value, dialect="seconds", location=sub_where,
                                        directive="stream_timeout")  # fmt: skip
            elif seconds is None:
                delay = Setting(name="stream_close_delay", value=value, location=sub_where, unknown=True)
            else:
                delay = Setting(name="stream_close_delay", value=value, location=sub_where, default=seconds <= 0)
    route_name = " ".join(["reverse_proxy", *[t.text for t in directive.args]])
    read.proxies.append(
        _Proxy(hop=hop, name=route_name, location=where, paths=route_paths,
               names=[route_name, *names, *upstreams, label], upstreams=upstreams, upgrade_matcher=upgrade,
               lifetime=lifetime, close_delay=delay, read_timeout=read_timeout)
    )  # fmt: skip


def _read_timeout(text: str, where: Location, read: _Read) -> Duration | bool | None:
    return _timeout(_duration("read_timeout", text, where, read), text, where)


def _timeout(seconds: float | None, text: str, where: Location) -> Duration | bool | None:
    """The idle timeout a transport read_timeout gives (False: written, unknown; None: 0, no timeout)."""
    if seconds is None:
        return False
    if seconds <= 0:
        return None
    return Duration(seconds=seconds, text=text, dialect="seconds", location=where,
                    directive="transport http read_timeout", note=READ_TIMEOUT_NOTE)  # fmt: skip


def _duration(name: str, value: str | int | float, where: Location, read: _Read) -> float | None:
    """Seconds of a stream duration (a Caddy duration string, or JSON's integer nanoseconds); None when unknown."""
    if isinstance(value, bool):
        _problem(read, "invalid-duration", where, f"{name} {value}: Caddy reads a duration string or nanoseconds")
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            _problem(read, "invalid-duration", where, f"{name} {value}: Caddy reads a whole number of nanoseconds "
                     "in JSON and refuses this one")  # fmt: skip
            return None
        return value / 1e9
    if "{" in value:
        _problem(read, "note", where, f"{name} {value}: a placeholder wslint cannot know; the value is unchecked")
        return None
    try:
        return parse_duration(value)
    except BadDuration as exc:
        _problem(read, "invalid-duration", where, f"{name} {value}: Caddy refuses this duration: {exc}")
        return None


# -- JSON -----------------------------------------------------------------------------------------------------


def _json(text: str, display: str, read: _Read) -> None:
    from wslint.sources import yaml_positions as yp

    try:
        root = yp.load(text)
    except yp.YamlError as exc:
        _problem(read, "parse-error", Location(file=display, line=exc.line), exc.message)
        return
    http = root.get("apps") if root is not None else None
    http = http.get("http") if http is not None else None
    servers = http.get("servers") if http is not None else None
    if servers is None or servers.mapping is None:
        return
    for name, server in servers.mapping.items():
        if server.mapping is None:
            continue
        hop = Hop(kind=hops.CADDY_HOP, name=f"Caddy server {name}", location=server.location(display))
        for key in JSON_TIMEOUTS:
            node = server.get(key)
            if node is not None and node.is_scalar:
                read.timeouts.append(
                    IgnoredTimeout(location=node.location(display), setting=f"{key} {node.value}",
                                   reason=HANDSHAKE_REASON, applies=HANDSHAKE_APPLIES, hop="caddy")
                )  # fmt: skip
        _json_routes(server.get("routes"), [], f"server {name}", hop, display, read, 0)
        read.document.hops.append(hop)


def _json_routes(routes: Any, paths: list[str], label: str, hop: Hop, file: str, read: _Read, depth: int) -> None:
    if routes is None or routes.items is None or depth > 20:
        return
    for route in routes.items:
        inner = list(paths)
        upgrade = False
        match = route.get("match")
        for matcher in (match.items or []) if match is not None else []:
            for key in ("path", "path_regexp"):
                node = matcher.get(key)
                if node is None:
                    continue
                if node.items is not None:
                    inner.extend(str(i.value).lower() for i in node.items if i.is_scalar)
                elif node.mapping is not None:
                    inner.extend(str(i.value).lower() for i in node.mapping.values() if i.is_scalar)
            header = matcher.get("header")
            if header is not None and header.mapping is not None:
                keys = {k.lower() for k in header.mapping}
                upgrade = upgrade or "upgrade" in keys or "connection" in keys
        handle = route.get("handle")
        for handler in (handle.items or []) if handle is not None else []:
            kind = handler.get("handler")
            kind_text = kind.value if kind is not None else None
            if kind_text == "subroute":
                _json_routes(handler.get("routes"), inner, label, hop, file, read, depth + 1)
            elif kind_text == "reverse_proxy":
                _json_proxy(handler, inner, upgrade, label, hop, file, read)


def _json_proxy(handler: Any, paths: list[str], upgrade: bool, label: str, hop: Hop, file: str, read: _Read) -> None:
    where = handler.location(file)
    ups = handler.get("upstreams")
    upstreams = [str(u.get("dial").value) for u in (ups.items or []) if u.get("dial") is not None] if ups else []
    lifetime: Duration | None = None
    delay = Setting(name="stream_close_delay", value=None, location=where, default=True)
    for key in ("stream_timeout", "stream_close_delay"):
        node = handler.get(key)
        if node is None or not node.is_scalar:
            continue
        at = node.location(file)
        value = node.value
        seconds = (
            _duration(key, value, at, read) if isinstance(value, str | int | float) else _duration(key, True, at, read)
        )
        if key == "stream_timeout":
            if seconds is not None and seconds > 0:
                lifetime = Duration(seconds=seconds, text=str(value), dialect="seconds", location=at,
                                    directive="stream_timeout")  # fmt: skip
        elif seconds is None:
            delay = Setting(name=key, value=str(value), location=at, unknown=True)
        else:
            delay = Setting(name=key, value=str(value), location=at, default=seconds <= 0)
    read_timeout: Duration | bool | None = None
    transport = handler.get("transport")
    node = transport.get("read_timeout") if transport is not None else None
    protocol = transport.get("protocol") if transport is not None else None
    if node is not None and node.is_scalar and protocol is not None and protocol.value == "http":
        value = node.value
        at = node.location(file)
        seconds = _duration("read_timeout", value if isinstance(value, str | int | float) else True, at, read)
        read_timeout = _timeout(seconds, str(value), at)
    name = f"reverse_proxy {' '.join(paths[-1:])} {' '.join(upstreams)}".replace("  ", " ").strip()
    read.proxies.append(
        _Proxy(hop=hop, name=name, location=where, paths=paths, names=[name, *paths, *upstreams, label],
               upstreams=upstreams, upgrade_matcher=upgrade, lifetime=lifetime, close_delay=delay,
               read_timeout=read_timeout)
    )  # fmt: skip


# -- routes ---------------------------------------------------------------------------------------------------


def _marked(proxy: _Proxy, settings: Settings) -> str | None:
    """Why a reverse_proxy is a WebSocket route by what is written, or None."""
    pattern = websocket_token_pattern(settings.all_websocket_paths)
    for path in proxy.paths:
        if pattern.search(path.lower()):
            return f"its path matcher {path} has a WebSocket token"
    if proxy.upgrade_matcher:
        return "its matcher selects WebSocket upgrade requests"
    for upstream in proxy.upstreams:
        host = re.sub(r"^[a-z0-9+]+://", "", upstream.lower()).split(":")[0]
        if aws_spec.websocket_name(host):
            return f"its upstream {upstream} has a WebSocket token"
    return None


def _routes(reads: list[_Read], settings: Settings) -> None:
    explicit = settings.websocket_routes
    marks = {id(p): _marked(p, settings) for r in reads for p in r.proxies}
    any_marked = any(marks.values())
    for read in reads:
        carrying: list[_Proxy] = []
        for proxy in read.proxies:
            assumed = False
            if explicit is not None:
                file = read.document.file
                if not any(selector(entry, file) in proxy.names for entry in explicit):
                    continue
                reason = "listed in websocket-routes"
            elif marks[id(proxy)]:
                reason = marks[id(proxy)] or ""
            elif any_marked:
                continue
            else:
                reason = "reverse_proxy passes the WebSocket upgrade by default"
                assumed = True
            websocket_path = reason.startswith("its path")
            idle: Duration | None
            if isinstance(proxy.read_timeout, Duration):
                idle = proxy.read_timeout
            elif proxy.read_timeout is False:
                idle = None  # written, unreadable: unknown
            else:
                idle = no_idle_timeout(proxy.location)
            proxy.hop.routes.append(
                Route(name=proxy.name, location=proxy.location, reason=reason,
                      idle_timeout=idle, default_applies=False,
                      websocket_path=websocket_path, lifetime=proxy.lifetime, assumed=assumed)
            )  # fmt: skip
            carrying.append(proxy)
        for hop in {id(p.hop): p.hop for p in carrying}.values():
            mine = [p for p in carrying if p.hop is hop]
            unset = [p for p in mine if not p.close_delay.unknown and p.close_delay.default]
            unknown = [p for p in mine if p.close_delay.unknown]
            hop.drain = (unset or unknown or mine)[0].close_delay
        read.document.hops = [h for h in read.document.hops if h.routes]
        if carrying:
            read.document.handshake_only.extend(read.timeouts)


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Caddy files (the source registry's ``load``)."""
    reads: list[_Read] = []
    errors: list[str] = []
    for target in files:
        display = target.display
        try:
            text = textio.read_text(target.real, context.settings.max_file_size, context.stdin, reader="Caddy")
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        except textio.DecodeError as exc:
            read = _Read(Document(file=display, kind="caddy"))
            _problem(read, "parse-error", Location(file=display, line=exc.line), exc.message)
            reads.append(read)
            continue
        read = _Read(Document(file=display, kind="caddy", files=[display]))
        reads.append(read)
        try:
            if is_caddyfile(display.lower()) or not text.lstrip().startswith("{") or _is_global_options(text):
                _caddyfile(text, target.real, display, context, read)
            else:
                _json(text, display, read)
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            reads.pop()
            errors.append(f"{display}: internal error in the Caddy source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    try:
        _routes(reads, context.settings)
    except Exception as exc:  # a bug of ours
        errors.append(f"internal error in the Caddy source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    return [r.document for r in reads], errors


def _is_global_options(text: str) -> bool:
    """A text starting with ``{`` that is a Caddyfile's global options block, not JSON."""
    return re.match(r"\s*\{\s*(?:#[^\n]*\n\s*)*[^\s\"{}]", text) is not None
