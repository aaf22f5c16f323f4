"""WS101-WS106: does the upgrade handshake reach the app through nginx?"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Finding, Header, Route, Upgrade


def _nginx_routes(model: Model) -> Iterator[tuple[Route, Upgrade]]:
    for hop, route in model.routes():
        if hop.kind == "nginx" and route.upgrade is not None:
            yield route, route.upgrade


def _hidden(upgrade: Upgrade, name: str) -> bool:
    """The header is missing because the block hides an outer one: WS104 reports that."""
    return any(h.name.lower() == name for h in upgrade.hidden)


def _header(upgrade: Upgrade, name: str) -> Header | None:
    found = None
    for header in upgrade.headers or ():
        if header.name.lower() == name:
            found = header
    return found


@check("WS101")
def http_version(model: Model) -> Iterator[Finding]:
    for route, up in _nginx_routes(model):
        if up.http_version is None or up.http_version == "1.1" or up.http_version_location is None:
            continue
        fix = "add `proxy_http_version 1.1;`"
        if up.http_version_default:
            message = (
                f"{route.name} proxies with HTTP/1.0, nginx's default before 1.29.7 (assumed: no nginx-version "
                "given); the upgrade needs HTTP/1.1"
            )
            if model.settings.nginx_version is not None:
                version = ".".join(map(str, model.settings.nginx_version))
                message = (
                    f"{route.name} proxies with HTTP/1.0, the default of nginx {version}; the upgrade needs HTTP/1.1"
                )
            help = f"{fix[0].upper()}{fix[1:]} to the location, or set nginx-version if you run nginx 1.29.7 or later."
        else:
            message = f"proxy_http_version {up.http_version} cannot carry the WebSocket upgrade of {route.name}"
            help = "Use `proxy_http_version 1.1;`."
        yield finding("WS101", up.http_version_location, message, help)


@check("WS102")
def upgrade_header(model: Model) -> Iterator[Finding]:
    for route, up in _nginx_routes(model):
        if up.headers is None:
            continue
        header = _header(up, "upgrade")
        if (header is not None and header.value.strip()) or (header is None and _hidden(up, "upgrade")):
            continue
        where = header.location if header is not None else route.location
        what = "sets an empty Upgrade header" if header is not None else "does not forward the Upgrade header"
        yield finding(
            "WS102",
            where,
            f"{route.name} {what}: nginx never passes the client's Upgrade to the backend by itself",
            "Add `proxy_set_header Upgrade $http_upgrade;`.",
        )


@check("WS103")
def connection_header(model: Model) -> Iterator[Finding]:
    for route, up in _nginx_routes(model):
        if up.headers is None:
            continue
        header = _header(up, "connection")
        if header is not None and ("$" in header.value or "upgrade" in header.value.lower()):
            continue
        if header is None and _hidden(up, "connection"):
            continue
        if header is None:
            where, what = route.location, "does not set the Connection header"
        else:
            where, what = header.location, f'sends "Connection: {header.value}"'
        yield finding(
            "WS103",
            where,
            f"{route.name} {what}; the backend needs Connection: upgrade to switch protocols",
            "Add `proxy_set_header Connection $connection_upgrade;` with nginx's documented map, "
            'or `proxy_set_header Connection "upgrade";`.',
        )


@check("WS104")
def header_inheritance(model: Model) -> Iterator[Finding]:
    for route, up in _nginx_routes(model):
        if not up.hidden or not up.headers:
            continue
        first = up.headers[0]
        names = ", ".join(sorted({h.name for h in up.hidden}))
        yield finding(
            "WS104",
            first.location,
            f"this block's own proxy_set_header hides {names} set at an outer level, so {route.name} "
            "does not send it (nginx inherits proxy_set_header only when a block sets none)",
            "Repeat the Upgrade and Connection headers in this block.",
            related=[(h.location, f"hidden: proxy_set_header {h.name} {h.value}") for h in up.hidden],
        )


@check("WS105")
def connection_map(model: Model) -> Iterator[Finding]:
    for _route, up in _nginx_routes(model):
        header = _header(up, "connection")
        if header is None:
            continue
        if up.connection_map_missing:
            yield finding(
                "WS105",
                header.location,
                f"Connection is set from {header.value}, which no map defines: nginx refuses to start "
                '("unknown variable") or sends it empty',
                "Define it at http level: map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
            )
        elif up.connection_map is not None and up.connection_map.yields_upgrade is False:
            m = up.connection_map
            yield finding(
                "WS105",
                header.location,
                f'Connection is set from {header.value}, whose map never yields "upgrade" for a WebSocket request',
                "Map non-empty $http_upgrade to upgrade: `default upgrade;`.",
                related=[(m.location, f"map {m.source} {m.variable}")],
            )


@check("WS106")
def connection_keepalive(model: Model) -> Iterator[Finding]:
    for route, up in _nginx_routes(model):
        header = _header(up, "connection")
        if header is None or route.websocket_path or not up.upstream_keepalive:
            continue
        value = header.value.lower()
        problem = None
        if "$" not in value and "upgrade" in value:
            problem = 'every plain request also gets "Connection: upgrade"'
        elif up.connection_map is not None and (up.connection_map.empty_value or "").lower() == "close":
            problem = 'the map sends "Connection: close" on plain requests'
        if problem is None:
            continue
        related = [(up.upstream_location, "upstream keepalive")] if up.upstream_location else []
        yield finding(
            "WS106",
            header.location,
            f"{route.name} serves plain HTTP too and its upstream keeps connections alive, but {problem}, "
            "which defeats the keepalive",
            "Use a map that yields an empty value: map $http_upgrade $connection_upgrade { default upgrade; '' \"\"; }",
            related=related,
        )
