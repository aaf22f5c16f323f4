"""WS1xx: does the upgrade handshake reach the app? WS101-WS106 through nginx, WS107 through a hop that needs an
opt-in, WS110 through a Classic ELB.

Each check decides per WebSocket route, then reports once per place to fix: routes that
share the directive (a server-level ``proxy_http_version 1.0``) share one finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from wslint.checks import Model, check, finding, subject
from wslint.hops import AWS, ELB, INGRESS, NGINX
from wslint.model import Finding, Header, Hop, Location, NginxRoute, Route
from wslint.templating import opaque

T = TypeVar("T")


def _nginx_routes(model: Model) -> Iterator[tuple[Route, NginxRoute]]:
    for _, route, facts in model.dialect_routes(NGINX):
        yield route, facts


def _grouped(items: Iterable[tuple[Location, T, Route]]) -> Iterator[tuple[Location, T, str]]:
    """(where, what, route) -> (where, what, "location /a, location /b"), first-seen order."""
    groups: dict[tuple[Location, T], list[str]] = {}
    for where, what, route in items:
        names = groups.setdefault((where, what), [])
        if route.name not in names:
            names.append(route.name)
    for (where, what), names in groups.items():
        yield where, what, ", ".join(names)


def is_hidden(upgrade: NginxRoute, name: str) -> bool:
    """The header is missing because the block hides an outer one: WS104 reports that."""
    return any(h.name.lower() == name for h in upgrade.hidden)


def last_header(upgrade: NginxRoute, name: str) -> Header | None:
    found = None
    for header in upgrade.headers or ():
        if header.name.lower() == name:
            found = header
    return found


# What backends do with nginx's HTTP/1.0 upgrade, as measured behind nginx 1.22.1 (rules/WS101.md has the matrix and
# its versions; tests/test_proof_ws101.py re-measures it on the real servers).
HTTP10_REFUSED = (
    "the WebSocket handshake needs HTTP/1.1 (RFC 6455): Python websockets refuses it (505), Hypercorn too (400), "
    "and tornado closes the connection right after its 101"
)
HTTP10_ACCEPTED = (
    "Node ws, socket.io, uvicorn, aiohttp, daphne and gorilla/websocket accept HTTP/1.0 today, outside RFC 6455."
)


@check("WS101")
def http_version(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, tuple[str, bool], Route]]:
        for route, up in _nginx_routes(model):
            if up.http_version is None or up.http_version == "1.1" or up.http_version_location is None:
                continue
            yield up.http_version_location, (up.http_version, up.http_version_default), route

    for where, (version, default), names in _grouped(failing()):
        if default:
            if model.settings.nginx_version is None:
                why = "nginx's default before 1.29.7 (assumed: no nginx-version given)"
            else:
                why = f"the default of nginx {'.'.join(map(str, model.settings.nginx_version))}"
            message = f"{names} proxies with HTTP/1.0, {why}; {HTTP10_REFUSED}"
            help = "Add `proxy_http_version 1.1;`, or set nginx-version if you run nginx 1.29.7 or later. "
            help += HTTP10_ACCEPTED
        elif version == "1.0":
            message = f"proxy_http_version 1.0 sends the WebSocket upgrade of {names} as HTTP/1.0; {HTTP10_REFUSED}"
            help = f"Use `proxy_http_version 1.1;`. {HTTP10_ACCEPTED}"
        else:
            message = f"proxy_http_version {version} cannot carry the WebSocket upgrade of {names}"
            help = "Use `proxy_http_version 1.1;`."
        yield finding("WS101", where, message, help)


@check("WS102")
def upgrade_header(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, str, Route]]:
        for route, up in _nginx_routes(model):
            if up.headers is None:
                continue
            header = last_header(up, "upgrade")
            if header is None and not is_hidden(up, "upgrade"):
                yield route.location, "does not forward the Upgrade header", route
            elif header is not None and not header.value.strip():
                yield header.location, "sets an empty Upgrade header", route

    for where, what, names in _grouped(failing()):
        yield finding(
            "WS102",
            where,
            f"{names} {what}: nginx never passes the client's Upgrade to the backend by itself",
            "Add `proxy_set_header Upgrade $http_upgrade;`.",
        )
    for hop, route, ingress in model.dialect_routes(INGRESS):
        if ingress.websocket_service is False:
            yield finding(
                "WS102",
                route.location,
                f"{route.name} names a WebSocket endpoint and its service is not in nginx.org/websocket-services: "
                "NGINX Ingress Controller forwards Upgrade and Connection only to the services listed there",
                "Add the service to the Ingress's `nginx.org/websocket-services` annotation (comma-separated names).",
                hops=[hop.name],
            )


@check("WS103")
def connection_header(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, str, Route]]:
        for route, up in _nginx_routes(model):
            if up.headers is None:
                continue
            header = last_header(up, "connection")
            if header is None:
                if not is_hidden(up, "connection"):
                    yield route.location, "does not set the Connection header", route
            elif not opaque(header.value) and "upgrade" not in header.value.lower():
                yield header.location, f'sends "Connection: {header.value}"', route

    for where, what, names in _grouped(failing()):
        yield finding(
            "WS103",
            where,
            f"{names} {what}; the backend needs Connection: upgrade to switch protocols",
            "Add `proxy_set_header Connection $connection_upgrade;` with nginx's documented map, "
            'or `proxy_set_header Connection "upgrade";`.',
        )

    def ingress() -> Iterator[tuple[Location, str, Route]]:
        for _, route, facts in model.dialect_routes(INGRESS):
            header = facts.connection
            if header is not None:
                yield header.location, header.value, route

    for where, value, names in _grouped(ingress()):
        yield finding(
            "WS103",
            where,
            f'nginx.ingress.kubernetes.io/connection-proxy-header "{value}" replaces the Connection header '
            f"ingress-nginx sends ($connection_upgrade) for {names}; the backend needs Connection: upgrade "
            "to switch protocols",
            "Remove the annotation: ingress-nginx sends Connection: upgrade to WebSocket requests by itself.",
        )


@check("WS104")
def header_inheritance(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, tuple[Header, ...], Route]]:
        for route, up in _nginx_routes(model):
            if up.hidden and up.headers:
                yield up.headers[0].location, up.hidden, route

    for where, hidden, names in _grouped(failing()):
        headers = ", ".join(sorted({h.name for h in hidden}))
        yield finding(
            "WS104",
            where,
            f"this block's own proxy_set_header hides {headers} set at an outer level, so {names} "
            "does not send it (nginx inherits proxy_set_header only when a block sets none)",
            "Repeat the Upgrade and Connection headers in this block.",
            related=[(h.location, f"hidden: proxy_set_header {h.name} {h.value}") for h in hidden],
        )


@check("WS105")
def connection_map(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, tuple[str, Location | None], Route]]:
        for route, up in _nginx_routes(model):
            header = last_header(up, "connection")
            if header is None:
                continue
            if up.connection_map_missing:
                yield header.location, (header.value, None), route
            elif up.connection_map is not None and up.connection_map.yields_upgrade is False:
                yield header.location, (header.value, up.connection_map.location), route

    for where, (variable, map_location), _names in _grouped(failing()):
        if map_location is None:
            yield finding(
                "WS105",
                where,
                f'Connection is set from {variable}, which no map defines: nginx refuses to start ("unknown variable")',
                "Define it at http level: map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
            )
        else:
            yield finding(
                "WS105",
                where,
                f'Connection is set from {variable}, whose map never yields "upgrade" for a WebSocket request',
                "Map a non-empty $http_upgrade to upgrade: `default upgrade;`.",
                related=[(map_location, f"the map that defines {variable}")],
            )


@check("WS106")
def connection_keepalive(model: Model) -> Iterator[Finding]:
    def failing() -> Iterator[tuple[Location, tuple[str, Location | None], Route]]:
        for route, up in _nginx_routes(model):
            header = last_header(up, "connection")
            if header is None or route.websocket_path or not up.upstream_keepalive:
                continue
            value = header.value.lower()
            if not opaque(value) and "upgrade" in value:
                yield (
                    header.location,
                    ('every plain request also gets "Connection: upgrade"', up.upstream_location),
                    route,
                )
            elif up.connection_map is not None and (up.connection_map.empty_value or "").lower() == "close":
                yield (
                    header.location,
                    ('the map sends "Connection: close" on plain requests', up.upstream_location),
                    route,
                )

    for where, (problem, upstream), names in _grouped(failing()):
        yield finding(
            "WS106",
            where,
            f"{names} serves plain HTTP too and its upstream keeps connections alive, but {problem}, "
            "which defeats the keepalive",
            "Use a map that yields an empty value: map $http_upgrade $connection_upgrade { default upgrade; '' \"\"; }",
            related=[(upstream, "upstream keepalive")] if upstream else [],
        )


@check("WS110")
def classic_http_listener(model: Model) -> Iterator[Finding]:
    for hop, route, listener in model.dialect_routes(AWS):
        if hop.kind is ELB and listener.protocol in ("HTTP", "HTTPS"):
            yield finding(
                "WS110",
                route.location,
                f"{route.name} is an {listener.protocol} listener: AWS documents no WebSocket support on Classic "
                "ELB HTTP/HTTPS listeners, and the handshake is reported to fail with 400 there (reported "
                "behaviour, not documented)",
                "Use a TCP or SSL listener, or move to an ALB, which supports WebSockets natively.",
                hops=[hop.name],
            )


@check("WS107")
def upgrade_not_enabled(model: Model) -> Iterator[Finding]:
    """One finding per place a hop switches the upgrade off (or lacks the opt-in), naming the routes it costs."""
    groups: dict[Location, list[tuple[Hop, Route]]] = {}
    for hop, route in model.routes():
        if route.upgrade_off is not None:
            groups.setdefault(route.upgrade_off.location, []).append((hop, route))
    for where, members in groups.items():
        hop, route = members[0]
        off = route.upgrade_off
        assert off is not None
        yield finding(
            "WS107",
            where,
            f"{subject(hop, [r for _, r in members])}: {off.reason}, so the WebSocket handshake fails",
            off.fix,
            hops=sorted({h.name for h, _ in members}),
            related=[(r.location, r.message) for r in off.related],
        )


@check("WS108")
def route_shadowed(model: Model) -> Iterator[Finding]:
    """One finding per shadowed WebSocket route, at the route, naming the earlier rule that catches it."""
    for hop, route in model.routes():
        shadow = route.shadowed
        if shadow is None:
            continue
        yield finding(
            "WS108",
            shadow.at or route.location,
            f"{subject(hop, [route])} is never reached: '{shadow.rule}' at line {shadow.location.line} catches its "
            f"requests first ({shadow.reason})",
            shadow.fix
            or "Move the WebSocket rule above the broader one, or narrow the broader rule so that it no longer covers "
            "the WebSocket requests.",
            hops=[hop.name],
            related=[(shadow.location, "the rule that catches the WebSocket requests")],
        )
