"""WS202-WS205, WS402, WS601: HAProxy's tunnel timeouts, time units, missing timeouts, reloads, checks."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding, websocket_endpoint
from wslint.model import Finding, Hop, Location, Proxy, Route, format_seconds

FIN_THRESHOLD = 300.0  # WS205: a tunnel of 5 minutes or more
# WS203: HAProxy's idle timeouts, where a bare number reads like seconds below 10000
IDLE_TIMEOUTS = frozenset(
    {"timeout client", "timeout server", "timeout tunnel", "timeout client-fin", "timeout server-fin"}
)


def _haproxy_hops(model: Model) -> Iterator[Hop]:
    for hop in model.hops():
        if hop.kind == "haproxy":
            yield hop


def _haproxy_routes(model: Model) -> Iterator[tuple[Hop, Route]]:
    for hop in _haproxy_hops(model):
        for route in hop.routes:
            if route.haproxy is not None:
                yield hop, route


@check("WS202")
def no_tunnel_timeout(model: Model) -> Iterator[Finding]:
    groups: dict[Location, list[Route]] = {}
    for _, route in _haproxy_routes(model):
        facts = route.haproxy
        assert facts is not None
        # mode tcp has no HTTP phase: timeout client/server are the tunnel's own idle timeouts from the first byte,
        # judged by WS301-WS303; an unknown mode may be tcp
        if facts.mode == "http" and facts.tunnel is None and not facts.tunnel_unknown:
            groups.setdefault(route.location, []).append(route)
    for where, routes in groups.items():
        facts = routes[0].haproxy
        assert facts is not None
        ignored = [r.haproxy.ignored_tunnel for r in routes if r.haproxy and r.haproxy.ignored_tunnel]
        message = (
            f"{facts.backend_kind} {facts.backend} carries WebSocket without a timeout tunnel: upgraded connections "
            "live on timeout client/server, which are meant for HTTP requests"
        )
        if ignored:
            message += f"; the timeout tunnel at line {ignored[0].line} is in a frontend, where HAProxy ignores it"
        yield finding(
            "WS202",
            where,
            message,
            f"Add `timeout tunnel 1h` to {facts.backend_kind} {facts.backend} (or to the defaults it uses).",
            related=[(loc, "timeout tunnel in a frontend: ignored") for loc in ignored[:1]],
        )


@check("WS203")
def unitless_timeout(model: Model) -> Iterator[Finding]:
    for hop in _haproxy_hops(model):
        for time in hop.times:
            if not time.text.isdigit() or time.infinite:
                continue
            ms = int(time.text)
            if ms < 100 or (time.directive in IDLE_TIMEOUTS and ms < 10000):
                yield finding(
                    "WS203",
                    time.location,
                    f"{time.directive} {time.text} has no unit: HAProxy reads {time.text} milliseconds "
                    f"({format_seconds(time.seconds)}), not {time.text} seconds",
                    f"Write the unit: `{time.directive} {time.text}s` (or `{time.text}ms` if milliseconds are meant).",
                )


@check("WS204")
def missing_timeouts(model: Model) -> Iterator[Finding]:
    for hop in _haproxy_hops(model):
        groups: dict[Location, list[Proxy]] = {}
        for proxy in hop.proxies:
            if proxy.missing_timeouts:
                groups.setdefault(proxy.defaults or proxy.location, []).append(proxy)
        for where, proxies in groups.items():
            by_missing: dict[tuple[str, ...], list[str]] = {}
            for p in proxies:
                by_missing.setdefault(tuple(p.missing_timeouts), []).append(f"{p.kind} '{p.name}'")
            parts = [
                f"{', '.join(f'timeout {m}' for m in missing)} never set for {', '.join(names)}"
                for missing, names in by_missing.items()
            ]
            wanted = ", ".join(f"timeout {m}" for m in sorted({m for p in proxies for m in p.missing_timeouts}))
            if where != proxies[0].location:
                fix = f"Set {wanted} in this defaults section."
            elif proxies[0].defaults is None:
                fix = (
                    f"Set {wanted} in this section, or once in a defaults section before it (if HAProxy reads this "
                    "file with another that holds its defaults, lint the files together)."
                )
            else:
                fix = f"Set {wanted} in this section."
            yield finding(
                "WS204",
                where,
                "; ".join(parts) + ": infinite, and HAProxy warns about missing timeouts at start-up",
                fix,
                hops=[hop.name],
            )


@check("WS205")
def no_client_fin(model: Model) -> Iterator[Finding]:
    groups: dict[Location, list[Route]] = {}
    for _, route in _haproxy_routes(model):
        facts = route.haproxy
        assert facts is not None
        if facts.frontend is None or facts.tunnel is None or facts.tunnel.seconds < FIN_THRESHOLD:
            continue
        if facts.client_fin is None and not facts.client_fin_unknown:
            groups.setdefault(facts.tunnel.location, []).append(route)
    for where, routes in groups.items():
        tunnel = routes[0].haproxy.tunnel if routes[0].haproxy else None
        assert tunnel is not None
        fronts = sorted({f"{r.haproxy.frontend_kind} {r.haproxy.frontend}" for r in routes if r.haproxy})
        yield finding(
            "WS205",
            where,
            f"timeout tunnel {tunnel.text} without timeout client-fin ({', '.join(fronts)}): a client that "
            f"half-closes its connection keeps it open for up to {tunnel.human()}",
            "Add `timeout client-fin 30s` to the frontend or its defaults.",
        )


@check("WS402")
def hard_stop_after(model: Model) -> Iterator[Finding]:
    for hop in _haproxy_hops(model):
        setting = hop.settings.get("hard-stop-after")
        if not hop.routes or setting is None or setting.unknown or not setting.default:
            continue
        yield finding(
            "WS402",
            setting.location,
            "HAProxy carries WebSocket and hard-stop-after is unset: after every reload the old process keeps "
            "serving open WebSockets until the last one closes, and old processes pile up",
            "Set `hard-stop-after 30m` (or what your clients tolerate) in the global section.",
            hops=[hop.name],
        )


def haproxy_health_checks(model: Model) -> Iterator[Finding]:
    ws_paths = model.settings.all_websocket_paths
    for hop in _haproxy_hops(model):
        for proxy in hop.proxies:
            path, where = proxy.health_check_path, proxy.health_check_location
            if not proxy.websocket or path is None or where is None or proxy.health_check_upgrade:
                continue
            if websocket_endpoint(path, ws_paths):
                yield finding(
                    "WS601",
                    where,
                    f"the health check of {proxy.kind} {proxy.name} requests {path}, a WebSocket endpoint: a plain "
                    "GET there gets 400/426 or hangs, and the servers are marked down",
                    "Check a plain HTTP endpoint such as /health instead.",
                )
