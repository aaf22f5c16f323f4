"""WS2xx idle timeouts: WS201 the box's default, WS202-WS205 HAProxy's tunnel timeouts, time units and missing
timeouts, WS206 a time the box rejects, WS207 a lifetime cap of an hour or more, WS208 a timeout the hop never applies,
WS209 a lifetime cap under an hour, WS210 a timeout that bounds only the handshake."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import ASSUMED, Model, check, finding, problems, subject
from wslint.hops import (
    ALB,
    APACHE_HOP,
    AZURE_APPGW,
    AZURE_LB,
    CONTOUR,
    ELB,
    EMISSARY,
    ENVOY_GATEWAY,
    ENVOY_HOP,
    HAPROXY,
    INGRESS_NGINX,
    KONG_HOP,
    NGINX_HTTP,
    NGINX_INGRESS,
    TRAEFIK_HOP,
    HopKind,
)
from wslint.model import Duration, Finding, HaproxyRoute, Hop, Location, Proxy, Route, format_seconds

# hop kind -> (whose default, how to fix)
BOXES: dict[HopKind, tuple[str, str]] = {
    NGINX_HTTP: ("nginx's", "Set `{directive} 1h;` (or longer than twice your ping interval) in this block."),
    ALB: ("the ALB's", "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer."),
    INGRESS_NGINX: (
        "ingress-nginx's",
        'Set the annotation `{directive}: "3600"` on the Ingress (whole seconds, no unit; longer than twice your '
        "ping interval), or proxy-read-timeout in the controller's ConfigMap.",
    ),
    NGINX_INGRESS: (
        "NGINX Ingress Controller's",
        'Set the annotation `{directive}: "1h"` on the Ingress (longer than twice your ping interval).',
    ),
    ELB: (
        "the Classic ELB's",
        "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer.",
    ),
    AZURE_APPGW: (
        "the Application Gateway's",
        "Set {directive} to 3600 (seconds): Application Gateway applies it to the WebSocket session, and may count "
        "it from the handshake whatever the traffic (WS209), so pings alone are not enough.",
    ),
    APACHE_HOP: (
        "Apache's",
        "Set `ProxyTimeout 3600` in the <VirtualHost> of the WebSocket rule (or `timeout=3600` on its ProxyPass, "
        "which limits only its backend; whole seconds, no unit): the tunnel idles out after the larger of Timeout "
        "and the backend's timeout, so the server-wide `Timeout` (every client's read timeout) can stay short.",
    ),
    ENVOY_HOP: (
        "Envoy's",
        "Set `{directive}` on the HTTP connection manager (or `idle_timeout` on the WebSocket route) to 3600s, or "
        "longer than twice your ping interval; 0s switches it off.",
    ),
    CONTOUR: (
        "Contour's",
        'Set `timeoutPolicy.idle: 1h` on the WebSocket route (longer than twice your ping interval; "infinity" '
        "switches it off, while 0s means Contour's default), or `stream-idle-timeout` in Contour's configuration.",
    ),
    ENVOY_GATEWAY: (
        "Envoy Gateway's",
        "Set `timeout.http.streamIdleTimeout: 1h` in a ClientTrafficPolicy for the Gateway (longer than twice your "
        "ping interval).",
    ),
    EMISSARY: (
        "Envoy's",
        "Set `idle_timeout_ms: 3600000` on the Mapping (milliseconds, longer than twice your ping interval; 0 switches "
        "it off): Emissary makes it the route's idle timeout, which replaces Envoy's stream idle timeout.",
    ),
    KONG_HOP: (
        "Kong's",
        "Set `read_timeout: 3600000` (milliseconds) on the Service, or the annotation `konghq.com/read-timeout: "
        '"3600000"` on its Kubernetes Service (longer than twice your ping interval).',
    ),
    TRAEFIK_HOP: (
        "this Traefik release's",
        "Upgrade Traefik to v2.11.2 or v3.0.0-rc5 or later, which removed {directive}; on this release set "
        "`entryPoints.<name>.transport.respondingTimeouts.tcp.{directive}` longer than twice your ping interval.",
    ),
    AZURE_LB: (
        "the Azure Load Balancer's",
        "Raise {directive} (minutes) above twice your ping interval, or make clients ping more often than every half "
        "of it; where TCP reset is off, enable it so that an idle flow is reset instead of silently dropped.",
    ),
}
CAP_WARNING = 3600.0  # WS209 under an hour, WS207 (info) from an hour on


FIN_THRESHOLD = 300.0  # WS205: a tunnel of 5 minutes or more
# WS203: HAProxy's idle timeouts, where a bare number reads like seconds below 10000
IDLE_TIMEOUTS = frozenset(
    {"timeout client", "timeout server", "timeout tunnel", "timeout client-fin", "timeout server-fin"}
)


@check("WS201")
def default_idle_timeout(model: Model) -> Iterator[Finding]:
    """One finding per block the default applies to: an nginx location, an ALB or Classic ELB naming its listeners."""
    groups: dict[Location, list[tuple[Hop, Route, Duration]]] = {}
    for hop, route in model.routes():
        timeout = route.idle_timeout
        if timeout is None or not timeout.default or not route.default_applies:
            continue
        groups.setdefault(timeout.location, []).append((hop, route, timeout))
    for where, members in groups.items():
        hop, _, timeout = members[0]
        box, fix = BOXES.get(
            hop.kind,
            (f"{hop.kind.label}'s", f"Set {timeout.directive} to 3600 (or longer than twice your ping interval)."),
        )
        names = ", ".join(dict.fromkeys(route.name for _, route, _ in members))
        if members[0][1].assumed:
            names += ASSUMED
        if hop.kind is NGINX_HTTP:
            what = f"{names} has no {timeout.directive}: {box} default {timeout.human()} closes"
        else:
            verb = "keeps" if len(members) == 1 else "keep"
            what = f"{names} {verb} {box} default {timeout.directive} of {timeout.human()}, which closes"
        yield finding(
            "WS201",
            where,
            f"{what} a WebSocket that is idle that long (close 1006)",
            fix.format(directive=timeout.directive),
            hops=sorted({h.name for h, _, _ in members}),
        )


@check("WS202")
def no_tunnel_timeout(model: Model) -> Iterator[Finding]:
    groups: dict[Location, list[HaproxyRoute]] = {}
    for _, route, facts in model.dialect_routes(HAPROXY):
        # mode tcp has no HTTP phase: timeout client/server are the tunnel's own idle timeouts from the first byte,
        # judged by WS301-WS303; an unknown mode may be tcp
        if facts.mode == "http" and facts.tunnel is None and not facts.tunnel_unknown:
            groups.setdefault(route.location, []).append(facts)
    for where, members in groups.items():
        facts = members[0]
        ignored = [m.ignored_tunnel for m in members if m.ignored_tunnel]
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
    for _, haproxy in model.dialect_hops(HAPROXY):
        for time in haproxy.times:
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
    for hop, haproxy in model.dialect_hops(HAPROXY):
        groups: dict[Location, list[Proxy]] = {}
        for proxy in haproxy.proxies:
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
    groups: dict[Location, list[HaproxyRoute]] = {}
    for _, _, facts in model.dialect_routes(HAPROXY):
        if facts.frontend is None or facts.tunnel is None or facts.tunnel.seconds < FIN_THRESHOLD:
            continue
        if facts.client_fin is None and not facts.client_fin_unknown:
            groups.setdefault(facts.tunnel.location, []).append(facts)
    for where, members in groups.items():
        tunnel = members[0].tunnel
        assert tunnel is not None
        fronts = sorted({f"{m.frontend_kind} {m.frontend}" for m in members})
        yield finding(
            "WS205",
            where,
            f"timeout tunnel {tunnel.text} without timeout client-fin ({', '.join(fronts)}): a client that "
            f"half-closes its connection keeps it open for up to {tunnel.human()}",
            "Add `timeout client-fin 30s` to the frontend or its defaults.",
        )


@check("WS206")
def invalid_timeout(model: Model) -> Iterator[Finding]:
    for kind, f in problems(model, "invalid-duration"):
        f.rule = "WS206"
        f.help = _DURATION_FORMS.get(kind, _ANY_DURATION)
        yield f


# how each kind of document writes a duration the proxy takes as written (WS206's help)
_DURATION_FORMS = {
    "nginx": "nginx times are integers with units from largest to smallest (90, 1h30m, 500ms).",
    "haproxy": "HAProxy times are one integer with one unit (90m, 500ms; a bare number is milliseconds).",
    "apache": "Apache httpd timeouts are whole seconds without a unit (`ProxyTimeout 300`, `timeout=300`).",
    "aws": "Cloud load balancer timeouts are whole seconds within the setting's range.",
    "envoy": "Envoy durations are protobuf JSON strings of seconds with an `s` suffix (`300s`, `0.5s`); leave a "
    "timeout out for Envoy's default.",
    "kong": "Kong's Service timeouts are whole milliseconds (`read_timeout: 3600000` is an hour).",
    "traefik": "Traefik durations are Go durations (`90s`, `1m30s`) or a bare number of seconds.",
    "caddy": "Caddy durations are Go durations (`10m`, `1h30m`, `500ms`, and `d` for days) or, in JSON, an integer "
    "of nanoseconds.",
}
_ANY_DURATION = (
    "Write the value in the form the box reads (the message says which): nginx times are integers with units "
    "(90, 1h30m, 500ms); HAProxy's one integer with one unit; Go durations (30s, 1m30s) for Envoy's control planes, "
    "Istio, Contour and Gateway API; whole seconds for cloud load balancers."
)


def _caps(model: Model) -> dict[Location, list[tuple[Hop, Route, Duration]]]:
    """Every finite lifetime cap of a WebSocket route, in the files and in the declared paths, by where it is set."""
    capped: dict[Location, list[tuple[Hop, Route, Duration]]] = {}
    hops = [*model.hops(), *(hop for path in model.paths for hop in path.hops)]
    for hop in hops:
        for route in hop.routes:
            cap = route.cap(hop)
            if cap is None or cap.infinite:
                continue
            members = capped.setdefault(cap.location, [])
            if all(r.name != route.name or h.name != hop.name for h, r, _ in members):
                members.append((hop, route, cap))
    return capped


def _capped(members: list[tuple[Hop, Route, Duration]]) -> tuple[str, str]:
    """What the cap's finding says about the hop and its routes, and where the value comes from."""
    hop, _, cap = members[0]
    said = subject(hop, [r for _, r, _ in members])
    origin = f"the default {cap.directive}" if cap.default else f"{cap.directive} {cap.text}"
    note = f" — {cap.note}" if cap.note else ""
    return said, f"{origin}{note}"


def _cap_default(cap: Duration) -> list[tuple[Location, str]]:
    """The default of the variable the cap came from, when it has one (a Terraform ``var.x``)."""
    return [(cap.related, "the default it comes from (variable or parameter)")] if cap.related else []


@check("WS207")
def lifetime_cap(model: Model) -> Iterator[Finding]:
    for where, members in _caps(model).items():
        cap = members[0][2]
        if cap.seconds < CAP_WARNING:
            continue
        said, origin = _capped(members)
        yield finding(
            "WS207",
            where,
            f"{said} closes every WebSocket after {cap.human()} ({origin}) whatever the traffic: "
            "keepalives do not help, clients must reconnect",
            "Make clients reconnect (with backoff) when the connection closes, and keep the cap above the "
            "longest session you expect.",
            hops=sorted({h.name for h, _, _ in members}),
            related=_cap_default(cap),
        )


@check("WS209")
def short_lifetime_cap(model: Model) -> Iterator[Finding]:
    for where, members in _caps(model).items():
        cap = members[0][2]
        if cap.seconds >= CAP_WARNING:
            continue
        said, origin = _capped(members)
        yield finding(
            "WS209",
            where,
            f"{said} closes every WebSocket after {cap.human()} ({origin}), idle or not: pings do not help; "
            f"raise {cap.directive} to keep WebSockets open longer",
            f"Raise {cap.directive} above the longest session you expect (an hour or more), and make clients "
            "reconnect (with backoff) when the connection closes.",
            hops=sorted({h.name for h, _, _ in members}),
            related=_cap_default(cap),
        )


@check("WS208")
def ineffective_timeout(model: Model) -> Iterator[Finding]:
    """One finding per timeout a source found written where the hop never applies it to the WebSocket."""
    for document in model.documents:
        for ignored in document.ignored:
            yield finding(
                "WS208",
                ignored.location,
                f"{ignored.setting} never applies to the WebSocket: {ignored.reason}; {ignored.applies}",
                ignored.fix,
                hops=[ignored.hop] if ignored.hop else [],
                related=[(r.location, r.message) for r in ignored.related],
            )


@check("WS210")
def handshake_only_timeout(model: Model) -> Iterator[Finding]:
    """One finding per timeout a source found written where it bounds only the upgrade handshake."""
    for document in model.documents:
        for written in document.handshake_only:
            yield finding(
                "WS210",
                written.location,
                f"{written.setting} bounds only the upgrade handshake, never an established WebSocket: "
                f"{written.reason}; {written.applies}",
                written.fix
                or "Leave it for what it bounds (plain requests, the handshake); when WebSockets drop, look for the "
                "hop whose idle timeout or lifetime cap matches the drops.",
                hops=[written.hop] if written.hop else [],
                related=[(r.location, r.message) for r in written.related],
            )
