"""WS601: a health check that requests a WebSocket endpoint (HAProxy proxies, AWS target groups)."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.hops import AWS, HAPROXY
from wslint.model import Finding


def websocket_endpoint(path: str, websocket_paths: frozenset[str]) -> bool:
    """Is a health-check path a WebSocket endpoint itself?

    ``/ws`` or ``/socket.io/`` is; ``/ws/healthz`` (a plain endpoint under a WebSocket
    prefix) and Socket.IO's plain HTTP polling handshake are not.
    """
    route, _, query = path.lower().partition("?")
    last = next((segment for segment in reversed(route.split("/")) if segment), "")
    return last in websocket_paths and "transport=polling" not in query


@check("WS601")
def health_check_on_websocket_path(model: Model) -> Iterator[Finding]:
    ws_paths = model.settings.all_websocket_paths
    for _, haproxy in model.dialect_hops(HAPROXY):
        for proxy in haproxy.proxies:
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
    for hop, aws in model.dialect_hops(AWS):
        if not hop.routes:
            continue
        for group in aws.target_groups:
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
