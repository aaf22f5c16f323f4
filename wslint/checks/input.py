"""WS001 parse-error, WS002 include-not-found, WS206 invalid-timeout: what the sources met."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding
from wslint.model import Finding, Severity


def _problems(model: Model, kind: str) -> Iterator[Finding]:
    for document in model.documents:
        for problem in document.problems:
            if problem.kind == kind:
                yield finding("", problem.location, problem.message)


@check("WS001")
def parse_error(model: Model) -> Iterator[Finding]:
    for f in _problems(model, "parse-error"):
        f.rule = "WS001"
        f.help = (
            "Fix the file so that the tool that reads it accepts it (`nginx -t`, `haproxy -c`, "
            "`terraform validate`, `cfn-lint`)."
        )
        yield f


@check("WS002")
def include_not_found(model: Model) -> Iterator[Finding]:
    for document in model.documents:
        for problem in document.problems:
            if problem.kind != "include-not-found":
                continue
            f = finding(
                "WS002",
                problem.location,
                problem.message + "; settings it could hold are unknown",
                help="Lint the directory that holds the included files, or set nginx-prefix to where "
                "absolute includes live.",
            )
            if problem.outside:
                f.severity = Severity.INFO
            yield f


@check("WS206")
def invalid_timeout(model: Model) -> Iterator[Finding]:
    for f in _problems(model, "invalid-duration"):
        f.rule = "WS206"
        f.help = (
            "nginx times are integers with units from largest to smallest (90, 1h30m, 500ms); HAProxy times "
            "are one integer with one unit (90m, 500ms; a bare number is milliseconds); AWS times are whole "
            "seconds within the setting's range."
        )
        yield f
