"""Checks: small functions over the model, one rule id each. They never read files."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from wslint.config import Settings
from wslint.model import Document, Finding, Hop, Location, Path, Related, Route

CheckFn = Callable[["Model"], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}


@dataclass
class Model:
    """What the checks see: every document of the run, the settings and the declared paths."""

    documents: list[Document]
    settings: Settings
    paths: list[Path] = field(default_factory=list)

    def hops(self) -> Iterator[Hop]:
        for document in self.documents:
            yield from document.hops

    def routes(self) -> Iterator[tuple[Hop, Route]]:
        for hop in self.hops():
            for route in hop.routes:
                yield hop, route


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[rule_id] = fn
        return fn

    return register


def finding(
    rule: str,
    location: Location,
    message: str,
    help: str = "",
    hops: Iterable[str] = (),
    related: Iterable[tuple[Location, str]] = (),
) -> Finding:
    return Finding(
        rule=rule,
        location=location,
        message=message,
        help=help,
        hops=list(hops),
        related=[Related(location=loc, message=msg) for loc, msg in related],
    )


def websocket_endpoint(path: str, websocket_paths: frozenset[str]) -> bool:
    """Is a health-check path a WebSocket endpoint itself (WS601)?

    ``/ws`` or ``/socket.io/`` is; ``/ws/healthz`` (a plain endpoint under a WebSocket
    prefix) and Socket.IO's plain HTTP polling handshake are not.
    """
    route, _, query = path.lower().partition("?")
    last = next((segment for segment in reversed(route.split("/")) if segment), "")
    return last in websocket_paths and "transport=polling" not in query


def load_all() -> dict[str, CheckFn]:
    """Import every check module so that each registers its rules."""
    from wslint.checks import aws, capacity, haproxy, idle, input, keepalive, reload, upgrade  # noqa: F401

    return CHECKS
