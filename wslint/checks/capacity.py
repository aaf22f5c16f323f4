"""WS501, WS502: enough connections and file descriptors for long-lived WebSockets."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.hops import NGINX
from wslint.model import Finding, Hop, NginxHop

NGINX_DEFAULT_CONNECTIONS = 512


def _proxying_main_hops(model: Model) -> Iterator[tuple[Hop, NginxHop]]:
    """nginx hops that proxy WebSocket, with their main context's settings."""
    for hop, main in model.dialect_hops(NGINX):
        if hop.routes:
            yield hop, main


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


@check("WS501")
def worker_connections(model: Model) -> Iterator[Finding]:
    for hop, main in _proxying_main_hops(model):
        setting = main.worker_connections
        if setting is None or setting.unknown:
            continue
        count = NGINX_DEFAULT_CONNECTIONS if setting.default else _int(setting.value)
        if count is None or count >= 1024:
            continue
        what = "unset (nginx's default is 512)" if setting.default else f"{count}"
        yield finding(
            "WS501",
            setting.location,
            f"worker_connections is {what}: each proxied WebSocket holds two connections, so a worker "
            f"serves at most {count // 2} WebSockets",
            "Set `worker_connections 4096;` (or more) in the events block, with worker_rlimit_nofile to match.",
            hops=[hop.name],
        )


@check("WS502")
def rlimit_nofile(model: Model) -> Iterator[Finding]:
    for hop, main in _proxying_main_hops(model):
        connections = main.worker_connections
        rlimit = main.worker_rlimit_nofile
        if connections is None or connections.default or rlimit is None or rlimit.unknown:
            continue
        count = _int(connections.value)
        if count is None or count <= NGINX_DEFAULT_CONNECTIONS:
            continue
        limit = None if rlimit.default else _int(rlimit.value)
        if not rlimit.default and limit is None:
            continue
        if limit is not None and limit >= 2 * count:
            continue
        what = "unset, so the system's limit (often 1024) applies" if limit is None else f"only {limit}"
        yield finding(
            "WS502",
            connections.location,
            f"worker_connections {count} needs up to {2 * count} open files per worker, but worker_rlimit_nofile "
            f"is {what}: workers run out of file descriptors first",
            f"Set `worker_rlimit_nofile {2 * count};` (or more) in the main context.",
            hops=[hop.name],
            related=[] if rlimit.default else [(rlimit.location, "worker_rlimit_nofile")],
        )
