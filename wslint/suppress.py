"""Inline suppressions: ``# wslint: ignore[...]`` comments read from a text, and applied to findings.

``scan`` reads the comments of one file (wslint.textblocks gives their places and what the
next statement or block is); ``apply`` marks the findings they cover and reports the ones
that cover nothing (WS003). Pure functions: no I/O, no configuration.

Grammar (UX.md "Inline suppression"), case-insensitive, also after ``//`` in Terraform and
after another comment (``# note # wslint: ignore[WS201]``)::

    # wslint: ignore[WS201, WS3] -- reason        (or "— reason")
    # wslint: file-ignore[WS4]

Selectors are rule ids, prefixes (``WS2``) or ``ALL``, stored upper-case; ``ALL`` and the
prefixes never cover WS001, which cannot be suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from wslint import textblocks
from wslint.checks import finding
from wslint.model import Finding, Location, Suppression
from wslint.rules import RULES
from wslint.textblocks import Statement, Structure, Style

UNSUPPRESSIBLE = "WS001"
UNUSED = "WS003"

# the start of a directive inside a comment; anything after "wslint" that is not ":" is prose
_DIRECTIVE = re.compile(r"(?:#|//)\s*wslint\s*:", re.I)
# a typo'd directive: "wslint ignore[...]" without the colon
_ALMOST = re.compile(r"(?:#|//)\s*wslint\s+(?:file-)?ignore\b", re.I)
_BODY = re.compile(
    r"\s*(?P<kind>[A-Za-z-]+)\s*(?:\[(?P<ids>[^\]]*)\])?\s*(?:(?:--|—)\s*(?P<reason>.*?))?\s*$",
    re.S,
)
_SELECTOR = re.compile(r"WS\d{0,3}|ALL")
_KINDS = ("ignore", "file-ignore")

Problem = tuple[Location, str]


def covers(selector: str, rule: str) -> bool:
    """Does a selector (id, prefix or ALL) cover a rule? Never WS001."""
    return rule != UNSUPPRESSIBLE and (selector == "ALL" or rule.startswith(selector))


def selectors(raw: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """Upper-cased selectors, without duplicates, and what is wrong with the ones left out."""
    kept: list[str] = []
    errors: list[str] = []
    for text in raw:
        selector = text.strip().upper()
        if not selector:
            continue
        if not _SELECTOR.fullmatch(selector):
            errors.append(f"{text.strip()!r} is not a rule id, prefix or ALL")
        elif selector == UNSUPPRESSIBLE:
            errors.append(f"{UNSUPPRESSIBLE} (parse-error) cannot be suppressed")
        elif not any(covers(selector, rule) for rule in RULES):
            errors.append(f"{selector} names no rule")
        elif selector not in kept:
            kept.append(selector)
    return tuple(kept), errors


def scan(text: str, file: str, style: Style) -> tuple[list[Suppression], list[Problem]]:
    """The suppressions written in one file's comments, and the malformed ones (where, and why).

    A malformed comment is ignored; a bad id in a list is left out and the rest kept.
    ``file`` is the display path the findings of this file carry.
    """
    if style == "none":
        return [], []
    structure = textblocks.parse(text, style)
    found: list[Suppression] = []
    problems: list[Problem] = []
    for comment in structure.comments:
        match = _DIRECTIVE.search(comment.text)
        if match is None:
            almost = _ALMOST.search(comment.text)
            if almost is not None:
                where = _where(file, comment.line, comment.column + almost.start(), comment.end_column)
                problems.append(
                    (
                        where,
                        "malformed suppression: write 'wslint:' with a colon, e.g. '# wslint: ignore[WS201] -- reason'",
                    )
                )
            continue
        where = _where(file, comment.line, comment.column + match.start(), comment.end_column)
        suppression, errors = _read(comment.text[match.end() :], where, comment.own_line, structure)
        problems.extend((where, f"malformed suppression: {error}") for error in errors)
        if suppression is not None:
            found.append(suppression)
    return found, problems


def _where(file: str, line: int, column: int, end_column: int) -> Location:
    return Location(file=file, line=line, column=column, end_line=line, end_column=end_column)


def _read(body: str, where: Location, own_line: bool, structure: Structure) -> tuple[Suppression | None, list[str]]:
    match = _BODY.fullmatch(body)
    kind = match.group("kind").lower() if match else ""
    if match is None or kind not in _KINDS:
        return None, ["expected 'ignore[IDS]' or 'file-ignore[IDS]', optionally followed by ' -- reason'"]
    ids = match.group("ids")
    if ids is None:
        return None, [f"'{kind}' needs the rule ids in brackets, e.g. '{kind}[WS201]'"]
    rules, errors = selectors(re.split(r"[\s,]+", ids))
    if not rules:
        return None, errors or [f"'{kind}[]' names no rule"]
    reason = (match.group("reason") or "").strip()
    line = where.line or 1
    scope, first, last = _extent(kind, own_line, line, where.column, structure)
    return Suppression(
        location=where, rules=rules, reason=reason, scope=scope, first_line=first, last_line=last
    ), errors


def _extent(
    kind: str, own_line: bool, line: int, column: int | None, structure: Structure
) -> tuple[Literal["line", "next", "block", "file"], int, int]:
    """What a suppression comment at ``line`` covers: its scope and first and last lines."""
    if kind == "file-ignore":
        return "file", 1, max(structure.lines, line)
    if not own_line:
        return "line", *_line_extent(structure.statement_at(line, column), line)
    following = structure.next_statement(line)
    if following is None:  # nothing follows: it covers nothing (and is reported as unused)
        return "next", line, line
    if following.block_end is not None:
        return "block", following.line, following.last_line
    return "next", following.line, following.end_line


def _line_extent(statement: Statement | None, line: int) -> tuple[int, int]:
    """An end-of-line comment covers its line; on a statement written over several lines, all of them."""
    if statement is None:
        return line, line
    return min(statement.line, line), max(statement.end_line, line)


def _covered(suppression: Suppression, line: int | None) -> bool:
    if suppression.scope == "file":
        return True
    return line is not None and suppression.first_line <= line <= suppression.last_line


def apply(findings: list[Finding], suppressions: dict[str, list[Suppression]], enabled: set[str]) -> list[Finding]:
    """Marks each finding covered by a suppression of its file (``suppressed=True``, ``justification`` = reason).

    WS001 is never suppressed. Returns WS003 findings (built with wslint.checks.finding, severity left None)
    for each rule id/prefix of a suppression that matched no finding — only for selectors that cover at least
    one rule in ``enabled`` other than WS003 itself (a suppression of a rule not selected in this run is not
    'unused'), only when WS003 is in ``enabled``, and never in a file that has a WS001 finding (its findings
    are incomplete). A selector that names no rule at all (a CloudFormation Metadata typo) is reported too.
    The WS003 points at the comment; its message names the unused id(s). The WS003 findings are themselves
    suppressed by another suppression that names WS003 (or a prefix of it; not ALL) and covers their line.
    """
    used: set[tuple[int, str]] = set()
    for item in findings:
        if item.rule == UNSUPPRESSIBLE:
            continue
        for suppression in suppressions.get(item.location.file, ()):
            if not _covered(suppression, item.location.line):
                continue
            hits = [s for s in suppression.rules if covers(s, item.rule)]
            if not hits:
                continue
            used.update((id(suppression), s) for s in hits)
            if not item.suppressed:
                item.suppressed = True
                item.justification = suppression.reason
    if UNUSED not in enabled:
        return []
    broken = {f.location.file for f in findings if f.rule == UNSUPPRESSIBLE}
    checkable = {rule for rule in enabled if rule not in (UNSUPPRESSIBLE, UNUSED)}
    unused: list[tuple[Finding, Suppression]] = []
    for file in sorted(suppressions):
        if file in broken:
            continue
        for suppression in suppressions[file]:
            named = [s for s in suppression.rules if (id(suppression), s) not in used]
            stale = [s for s in named if any(covers(s, rule) for rule in checkable)]
            unknown = [s for s in named if not any(covers(s, rule) for rule in RULES)]
            if stale or unknown:
                unused.append((_unused(suppression, stale, unknown), suppression))
    for report, source in unused:
        for suppression in suppressions.get(report.location.file, ()):
            if suppression is source or not _covered(suppression, report.location.line):
                continue
            if any(s != "ALL" and covers(s, UNUSED) for s in suppression.rules):
                report.suppressed = True
                report.justification = suppression.reason
                break
    return [report for report, _ in unused]


def _span(suppression: Suppression) -> str:
    first, last = suppression.first_line, suppression.last_line
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    return {
        "line": f"on {lines}",
        "next": f"in the statement it precedes ({lines})",
        "block": f"in the block it precedes ({lines})",
        "file": "in this file",
        "resource": f"in this resource ({lines})",
    }[suppression.scope]


def _unused(suppression: Suppression, stale: list[str], unknown: list[str]) -> Finding:
    parts = []
    if stale:
        named = " or ".join(s for s in stale if s != "ALL")
        parts.append(f"no {named + ' ' if named else ''}finding {_span(suppression)}")
    if unknown:
        parts.append(f"{' and '.join(unknown)} names no rule")
    ids = ", ".join(suppression.rules)
    return finding(
        UNUSED,
        suppression.location,
        f"unused suppression ({ids}): " + "; ".join(parts),
        help="remove the suppression, or the ids in it that no longer match a finding",
    )


def malformed(problems: Iterable[Problem]) -> list[Finding]:
    """WS003 findings for the malformed comments ``scan`` reported (they suppress nothing either)."""
    return [
        finding(UNUSED, where, message, help="fix the comment: # wslint: ignore[WS201] -- reason")
        for where, message in problems
    ]
