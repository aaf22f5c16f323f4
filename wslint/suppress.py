"""Inline suppressions: ``# wslint: ignore[...]`` comments read from a text, and applied to findings.

``scan`` reads the comments of one file (wslint.textblocks gives their places and what the
next statement or block is); ``apply`` marks the findings they cover and returns what each
covered nothing of, which WS003 (unused-suppression, in wslint.checks.input) judges after the
checks. Pure functions: no I/O, no configuration.

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
from wslint.model import Finding, Location, Suppression
from wslint.rules import ALWAYS_ON, RULES
from wslint.textblocks import Statement, Structure, Style

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
Unused = tuple[Suppression, list[str]]  # a suppression and the selectors in it that covered no finding


def covers(selector: str, rule: str) -> bool:
    """Does a selector (id, prefix or ALL) cover a rule? Never an always-on rule (WS001)."""
    return rule not in ALWAYS_ON and (selector == "ALL" or rule.startswith(selector))


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
        elif selector in ALWAYS_ON:
            errors.append(f"{selector} ({RULES[selector].name}) cannot be suppressed")
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


def covered(suppression: Suppression, line: int | None) -> bool:
    """Does the suppression cover this line of its file?"""
    if suppression.scope == "file":
        return True
    return line is not None and suppression.first_line <= line <= suppression.last_line


def apply(findings: list[Finding], suppressions: dict[str, list[Suppression]]) -> list[Unused]:
    """Marks each finding covered by a suppression of its file (``suppressed=True``, ``justification`` = reason).

    The always-on rules (WS001) are never suppressed. Returns, file by file in order, each suppression
    with the selectors in it that covered no finding: WS003 (wslint.checks.input) judges them.
    """
    used: set[tuple[int, str]] = set()
    for item in findings:
        if item.rule in ALWAYS_ON:
            continue
        for suppression in suppressions.get(item.location.file, ()):
            if not covered(suppression, item.location.line):
                continue
            hits = [s for s in suppression.rules if covers(s, item.rule)]
            if not hits:
                continue
            used.update((id(suppression), s) for s in hits)
            if not item.suppressed:
                item.suppressed = True
                item.justification = suppression.reason
    unused: list[Unused] = []
    for file in sorted(suppressions):
        for suppression in suppressions[file]:
            named = [s for s in suppression.rules if (id(suppression), s) not in used]
            if named:
                unused.append((suppression, named))
    return unused
