"""WS201: a WebSocket hop's idle timeout is the box's default."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Finding

# hop kind -> (whose default, how to fix)
BOXES = {
    "nginx": ("nginx's", "Set `{directive} 1h;` (or longer than twice your ping interval) in this block."),
    "alb": ("the ALB's", "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer."),
    "elb": (
        "the Classic ELB's",
        "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer.",
    ),
}


@check("WS201")
def default_idle_timeout(model: Model) -> Iterator[Finding]:
    for hop, route in model.routes():
        timeout = route.idle_timeout
        if timeout is None or not timeout.default or not route.default_applies:
            continue
        box, fix = BOXES.get(
            hop.kind, (hop.kind, f"Set {timeout.directive} to 3600 (or longer than twice your ping interval).")
        )
        if hop.kind == "nginx":
            what = f"{route.name} has no {timeout.directive}: {box} default {timeout.human()} closes"
        else:
            what = f"{route.name} keeps {box} default {timeout.directive} of {timeout.human()}, which closes"
        yield finding(
            "WS201",
            route.location,
            f"{what} a WebSocket that is idle that long (close 1006)",
            fix.format(directive=timeout.directive),
            hops=[hop.name],
        )
