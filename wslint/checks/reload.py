"""WS401: old nginx workers keep WebSockets open forever after a reload."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Finding


@check("WS401")
def worker_shutdown_timeout(model: Model) -> Iterator[Finding]:
    for hop in model.hops():
        if hop.kind != "nginx" or not hop.main_visible or not hop.routes:
            continue
        setting = hop.settings.get("worker_shutdown_timeout")
        if setting is None or setting.unknown or not setting.default:
            continue
        yield finding(
            "WS401",
            setting.location,
            "nginx proxies WebSocket and worker_shutdown_timeout is unset: after every reload the old workers "
            "keep serving open WebSockets until they close by themselves",
            "Set `worker_shutdown_timeout 30s;` (or what your clients tolerate) in the main context.",
            hops=[hop.name],
        )
