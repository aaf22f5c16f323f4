"""The default report: ``path:line:col: WS201 [warning] message`` and an indented help line.

File names and messages (which quote config values) are printed through ``escape.printable``.
"""

from __future__ import annotations

from wslint.engine import Result
from wslint.escape import printable
from wslint.model import Severity

COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(result: Result, color: bool) -> str:
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
    counts = {s: sum(1 for f in shown if f.severity == s) for s in Severity}
    files = f"{result.files} file" + ("" if result.files == 1 else "s")
    if shown:
        parts = [
            f"{counts[s]} {s.value}{'s' if s != Severity.INFO and counts[s] != 1 else ''}" for s in reversed(Severity)
        ]
        lines.append(f"Found {len(shown)} finding{'s' if len(shown) != 1 else ''} ({', '.join(parts)}) in {files}.")
    else:
        lines.append(f"All clean: no findings in {files}.")
    return "\n".join(lines) + "\n"
