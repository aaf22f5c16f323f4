"""WS201: a WebSocket hop's idle timeout is the box's default. WS208: a timeout the hop never applies."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Duration, Finding, Hop, Location, Route

# hop kind -> (whose default, how to fix)
BOXES = {
    "nginx": ("nginx's", "Set `{directive} 1h;` (or longer than twice your ping interval) in this block."),
    "alb": ("the ALB's", "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer."),
    "ingress-nginx": (
        "ingress-nginx's",
        'Set the annotation `{directive}: "3600"` on the Ingress (whole seconds, no unit; longer than twice your '
        "ping interval), or proxy-read-timeout in the controller's ConfigMap.",
    ),
    "nginx-ingress": (
        "NGINX Ingress Controller's",
        'Set the annotation `{directive}: "1h"` on the Ingress (longer than twice your ping interval).',
    ),
    "elb": (
        "the Classic ELB's",
        "Set {directive} to 3600 (or longer than twice your ping interval) on the load balancer.",
    ),
}


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
            hop.kind, (hop.kind, f"Set {timeout.directive} to 3600 (or longer than twice your ping interval).")
        )
        names = ", ".join(dict.fromkeys(route.name for _, route, _ in members))
        if hop.kind == "nginx":
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
