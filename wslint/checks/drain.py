"""WS4xx draining on reload and deploy: WS401 nginx's worker_shutdown_timeout, WS402 HAProxy's hard-stop-after,
WS404 an AWS target group's deregistration delay, WS405 Caddy's stream_close_delay."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding, subject
from wslint.hops import ALB, AWS, CADDY, HAPROXY, NGINX, Family
from wslint.model import Finding, Hop, Setting, format_seconds


def _default_drain(model: Model, family: Family[object, object]) -> Iterator[tuple[Hop, Setting]]:
    """The hops of a family that carry routes and whose drain setting is the box's default (known, not set)."""
    for hop in model.hops():
        if hop.kind.family is not family:
            continue
        setting = hop.drain  # None where the main context (nginx) or global section (HAProxy) is not visible
        if hop.routes and setting is not None and not setting.unknown and setting.default:
            yield hop, setting


@check("WS401")
def worker_shutdown_timeout(model: Model) -> Iterator[Finding]:
    for hop, setting in _default_drain(model, NGINX):  # worker_shutdown_timeout
        yield finding(
            "WS401",
            setting.location,
            "nginx proxies WebSocket and worker_shutdown_timeout is unset: after every reload the old workers "
            "keep serving open WebSockets until they close by themselves",
            "Set `worker_shutdown_timeout 30s;` (or what your clients tolerate) in the main context.",
            hops=[hop.name],
        )


@check("WS402")
def hard_stop_after(model: Model) -> Iterator[Finding]:
    for hop, setting in _default_drain(model, HAPROXY):  # hard-stop-after
        yield finding(
            "WS402",
            setting.location,
            "HAProxy carries WebSocket and hard-stop-after is unset: after every reload the old process keeps "
            "serving open WebSockets until the last one closes, and old processes pile up",
            "Set `hard-stop-after 30m` (or what your clients tolerate) in the global section.",
            hops=[hop.name],
        )


@check("WS404")
def deregistration_delay(model: Model) -> Iterator[Finding]:
    minimum = model.settings.min_deregistration_delay
    for hop, aws in model.dialect_hops(AWS):
        if not hop.routes:
            continue
        for group in aws.target_groups:
            delay = group.deregistration_delay
            if delay is None or group.terminates is not True or delay.seconds >= minimum:
                continue
            what = "the ALB cuts" if hop.kind is ALB else "the load balancer closes"
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


@check("WS405")
def caddy_stream_close_delay(model: Model) -> Iterator[Finding]:
    for hop, setting in _default_drain(model, CADDY):  # stream_close_delay
        yield finding(
            "WS405",
            setting.location,
            f"{subject(hop, hop.routes)} proxies WebSocket {_without_delay(setting)}: every config reload (caddy "
            "reload, an admin API change) closes all open WebSockets at once, and their clients all reconnect",
            "Set `stream_close_delay 5m` (or what your clients tolerate) in the reverse_proxy block (Caddy 2.7 or "
            "later): WebSockets then outlive a reload by that long, and reconnect spread over it.",
            hops=[hop.name],
        )


def _without_delay(setting: Setting) -> str:
    """``without stream_close_delay``, or what is written that means none (``stream_close_delay -5m``)."""
    if setting.value is None:
        return "without stream_close_delay"
    return f"with stream_close_delay {setting.value}, which is no delay"
