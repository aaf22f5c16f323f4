"""WS201: a WebSocket hop's idle timeout is the box's default."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Finding


@check("WS201")
def default_idle_timeout(model: Model) -> Iterator[Finding]:
    for hop, route in model.routes():
        timeout = route.idle_timeout
        if timeout is None or not timeout.default or not route.default_applies:
            continue
        yield finding(
            "WS201",
            route.location,
            f"{route.name} has no {timeout.directive}: nginx's default {timeout.human()} closes a WebSocket "
            f"that is idle that long (close 1006)",
            f"Set `{timeout.directive} 1h;` (or longer than twice your ping interval) in this block.",
            hops=[hop.name],
        )
