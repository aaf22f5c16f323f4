"""Checks: small functions over the model, one rule id each. They never read files.

Each check registers by rule id (``@check("WS101")``) against the catalogue, wslint.rules.RULES: a
check for an id the catalogue lacks fails at import, and a test checks that every rule has one.
One module per rule family, named for the problem, so a rule's check is found from its id
(``wslint rule ID`` names the module and function, and the fixer in wslint.fix if any):

- WS0xx ``input.py``: what the sources met (WS001 parse-error, WS002 include-not-found) and WS003
  unused-suppression, a check that runs after the inline suppressions were applied (``after_suppressions``)
- WS1xx ``upgrade.py``: the upgrade handshake (WS101-WS106 nginx, WS110 Classic ELB)
- WS2xx ``idle.py``: idle timeouts (WS201 the box's default, WS202-WS205 HAProxy, WS206 invalid time,
  WS207 lifetime cap, WS208 a timeout the hop never applies)
- WS3xx ``keepalive.py``: the ping interval against the idle timeouts
- WS4xx ``drain.py``: reloads and deploys (WS401 nginx, WS402 HAProxy, WS404 AWS)
- WS5xx ``capacity.py``: connections and file descriptors
- WS6xx ``health_check.py``: health checks on a WebSocket path (WS601)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from wslint.config import Settings
from wslint.hops import Family
from wslint.model import Document, Finding, Hop, Location, Path, Related, Route, Suppression
from wslint.rules import RULES

if TYPE_CHECKING:
    from wslint.logs.events import Evidence

H = TypeVar("H")
R = TypeVar("R")
CheckFn = Callable[["Model"], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}
# the checks that run after the inline suppressions were applied to the other checks' findings (WS003)
AfterSuppressionsFn = Callable[["Suppressed"], Iterable[Finding]]
AFTER_SUPPRESSIONS: dict[str, AfterSuppressionsFn] = {}
# said of a route that counts only because nothing the source read with it (the same Terraform module, ARM template,
# or the run's Kubernetes manifests) marks any route (Route.assumed)
ASSUMED_WHY = "assumed to carry WebSockets, as nothing read with it marks a WebSocket route"
ASSUMED = f" ({ASSUMED_WHY})"


def subject(hop: Hop, routes: Iterable[Route]) -> str:
    """``hop (route, route)``: the hop's name and its routes' names without the hop's name they repeat, and
    ``; assumed to carry WebSockets …`` inside the parentheses when the routes are assumed ones."""
    routes = list(routes)
    names = [route.name.removeprefix(hop.name).strip() for route in routes if route.name != hop.name]
    said = [*dict.fromkeys(name for name in names if name)]
    inside = ", ".join(said)
    if any(route.assumed for route in routes):
        inside = f"{inside}; {ASSUMED_WHY}" if inside else ASSUMED_WHY
    return f"{hop.name} ({inside})" if inside else hop.name


@dataclass
class Model:
    """What the checks see: every document of the run, the settings and the declared paths."""

    documents: list[Document]
    settings: Settings
    paths: list[Path] = field(default_factory=list)
    # what `wslint logs` read in the run's logs (WS701, WS702); None in a lint of configs alone
    evidence: Evidence | None = None

    def hops(self) -> Iterator[Hop]:
        for document in self.documents:
            yield from document.hops

    def routes(self) -> Iterator[tuple[Hop, Route]]:
        for hop in self.hops():
            for route in hop.routes:
                yield hop, route

    def dialect_hops(self, family: Family[H, object]) -> Iterator[tuple[Hop, H]]:
        """The hops of one dialect family (``model.dialect_hops(HAPROXY)``) that carry its facts, with them."""
        for hop in self.hops():
            if hop.kind.family is family and hop.dialect is not None:
                yield hop, cast(H, hop.dialect)

    def dialect_routes(self, family: Family[object, R]) -> Iterator[tuple[Hop, Route, R]]:
        """The routes of one dialect family (``model.dialect_routes(NGINX)``) that carry its facts, with them."""
        for hop in self.hops():
            if hop.kind.family is family:
                for route in hop.routes:
                    if route.dialect is not None:
                        yield hop, route, cast(R, route.dialect)


@dataclass
class Suppressed:
    """What a check after suppressions sees: the findings with the inline suppressions applied, every
    suppression by file, and each suppression with the selectors in it that covered no finding."""

    findings: list[Finding]
    suppressions: dict[str, list[Suppression]]
    unused: list[tuple[Suppression, list[str]]]
    enabled: list[str]


def registered(rule_id: str, fn: Callable[..., object], what: str, registry: Mapping[str, object]) -> None:
    """Refuse, at import, a check or fixer for a rule the catalogue (wslint.rules) does not list, or a second one."""
    if rule_id not in RULES:
        raise ValueError(f"{fn.__module__}.{fn.__qualname__}: a {what} for {rule_id}, which wslint.rules.RULES lacks")
    if rule_id in registry and registry[rule_id] is not fn:
        raise ValueError(f"{fn.__module__}.{fn.__qualname__}: a second {what} for {rule_id}")


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check over the model for a rule of the catalogue."""

    def register(fn: CheckFn) -> CheckFn:
        registered(rule_id, fn, "check", {**CHECKS, **AFTER_SUPPRESSIONS})
        CHECKS[rule_id] = fn
        return fn

    return register


def after_suppressions(rule_id: str) -> Callable[[AfterSuppressionsFn], AfterSuppressionsFn]:
    """Register a check that judges the inline suppressions once they were applied (WS003); the engine runs it
    after the model checks, when inline suppressions are read and the rule is enabled."""

    def register(fn: AfterSuppressionsFn) -> AfterSuppressionsFn:
        registered(rule_id, fn, "check", {**CHECKS, **AFTER_SUPPRESSIONS})
        AFTER_SUPPRESSIONS[rule_id] = fn
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


def problems(model: Model, kind: str) -> Iterator[tuple[str, Finding]]:
    """The kind of document (nginx, envoy, ...) and a finding without a rule for each problem of this kind the sources
    met (WS001, WS206 fill in the rule and the help for that document kind)."""
    for document in model.documents:
        for problem in document.problems:
            if problem.kind == kind:
                yield document.kind, finding("", problem.location, problem.message)


def load_all() -> dict[str, CheckFn]:
    """Import every check module so that each registers its rules; the model checks by rule id."""
    from wslint.checks import capacity, drain, health_check, idle, input, keepalive, logs, upgrade  # noqa: F401

    return CHECKS


def implementation(rule_id: str) -> Callable[..., object] | None:
    """The function that checks a rule (a model check or a check after suppressions), or None."""
    load_all()
    return CHECKS.get(rule_id) or AFTER_SUPPRESSIONS.get(rule_id)
