"""WS110, WS404 and WS601 for AWS load balancers and their target groups."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding, websocket_endpoint
from wslint.checks.haproxy import haproxy_health_checks
from wslint.model import Finding, Hop, format_seconds

AWS_KINDS = frozenset({"alb", "nlb", "elb"})


def _aws_hops(model: Model) -> Iterator[Hop]:
    for hop in model.hops():
        if hop.kind in AWS_KINDS:
            yield hop


@check("WS110")
def classic_http_listener(model: Model) -> Iterator[Finding]:
    for hop in _aws_hops(model):
        if hop.kind != "elb":
            continue
        for route in hop.routes:
            if route.protocol in ("HTTP", "HTTPS"):
                yield finding(
                    "WS110",
                    route.location,
                    f"{route.name} is an {route.protocol} listener: AWS documents no WebSocket support on Classic "
                    "ELB HTTP/HTTPS listeners, and the handshake is reported to fail with 400 there (reported "
                    "behaviour, not documented)",
                    "Use a TCP or SSL listener, or move to an ALB, which supports WebSockets natively.",
                    hops=[hop.name],
                )


@check("WS404")
def deregistration_delay(model: Model) -> Iterator[Finding]:
    minimum = model.settings.min_deregistration_delay
    for hop in _aws_hops(model):
        if not hop.routes:
            continue
        for group in hop.target_groups:
            delay = group.deregistration_delay
            if delay is None or group.terminates is not True or delay.seconds >= minimum:
                continue
            what = "the ALB cuts" if hop.kind == "alb" else "the load balancer closes"
            yield finding(
                "WS404",
                delay.location,
                f"target group {group.name} deregisters targets after {format_seconds(delay.seconds)}: on every "
                f"deploy {what} the WebSockets still open on a draining target, and their clients all reconnect "
                "at once",
                f"Set deregistration_delay.timeout_seconds to {int(minimum)} or more (AWS's default is 300), and "
                "make the app close WebSockets gracefully while it drains.",
                hops=[hop.name],
                related=[(delay.related, "the default it comes from (variable or parameter)")] if delay.related else [],
            )


@check("WS601")
def health_check_on_websocket_path(model: Model) -> Iterator[Finding]:
    yield from haproxy_health_checks(model)
    ws_paths = model.settings.all_websocket_paths
    for hop in _aws_hops(model):
        if not hop.routes:
            continue
        for group in hop.target_groups:
            path, where = group.health_check_path, group.health_check_location
            if path is None or where is None:
                continue
            if websocket_endpoint(path, ws_paths):
                yield finding(
                    "WS601",
                    where,
                    f"the health check of target group {group.name} requests {path}, a WebSocket endpoint: AWS "
                    "health checks do not support WebSockets, so the targets are marked unhealthy",
                    "Check a plain HTTP endpoint such as /health instead.",
                )
