"""The default report: ``path:line:col: WS201 [warning] message`` and an indented help line.

File names and messages (which quote config values) are printed through ``escape.printable``.
"""

from __future__ import annotations

from wslint.engine import Result, outcome
from wslint.escape import printable
from wslint.model import Severity

COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(result: Result, color: bool, summary: bool = True) -> str:
    """Each shown finding with its help and related lines, then the summary line (unless ``summary`` is False)."""
    lines = []
    shown = [f for f in result.findings if not f.suppressed]
    for f in shown:
        severity = f.severity or Severity.WARNING
        # a live resource (aws://REGION/ARN) has no line: show it as it is
        where = printable(str(f.location))
        lines.append(
            f"{_paint(where, '1', color)}: {_paint(f.rule, COLORS[severity], color)} [{severity.value}] "
            + printable(f.message)
        )
        if f.help:
            lines.append(f"  help: {printable(f.help)}")
        for related in f.related:
            lines.append(f"  related: {printable(f'{related.location}: {related.message}')}")
    if summary:
        counts = {s: sum(1 for f in shown if f.severity == s) for s in Severity}
        parts = [
            f"{counts[s]} {s.value}{'s' if s != Severity.INFO and counts[s] != 1 else ''}" for s in reversed(Severity)
        ]
        lines.append(summary_line(result, len(shown), ", ".join(parts)))
    return "\n".join(lines) + "\n" if lines else ""


def summary_line(result: Result, shown: int, by_severity: str) -> str:
    """The last line: findings, files, and what was skipped or failed; "All clean" only when all was linted."""
    files = f"{result.files} file" + ("" if result.files == 1 else "s")
    other = outcome(result)
    tail = f"; {other}" if other else ""
    if shown:
        return f"Found {shown} finding{'s' if shown != 1 else ''} ({by_severity}) in {files}{tail}."
    if not result.files:
        return f"No files linted{': ' + other if other else ''}."
    if other:
        return f"No findings in {files}{tail}."
    return f"All clean: no findings in {files}."
