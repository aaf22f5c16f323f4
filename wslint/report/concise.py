"""The concise report (``--output-format concise``): one line per finding, ``path:line:col: WS201 message``.

Ruff's concise shape: no severity, no help or related lines, then the text report's summary line.
A finding without a line (a live AWS resource) starts with its name as it is. File names and
messages go through ``escape.printable``, as in the text report; colour as in the text report.
"""

from __future__ import annotations

from wslint.engine import Result
from wslint.escape import printable
from wslint.model import Finding, Severity
from wslint.report.text import COLORS, summary_line


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def line(f: Finding, color: bool = False) -> str:
    """``path:line:col: WS201 message`` (bold place and coloured rule when ``color``)."""
    rule = _paint(f.rule, COLORS[f.severity or Severity.WARNING], color)
    return f"{_paint(printable(str(f.location)), '1', color)}: {rule} {printable(f.message)}"


def render(result: Result, color: bool = False, summary: bool = True) -> str:
    """The lines; ``summary`` False (``--quiet``) leaves out the summary line."""
    shown = [f for f in result.findings if not f.suppressed]
    lines = [line(f, color) for f in shown]
    if not summary:
        return "".join(f"{text}\n" for text in lines)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in Severity}
    parts = [f"{counts[s]} {s.value}{'s' if s != Severity.INFO and counts[s] != 1 else ''}" for s in reversed(Severity)]
    lines.append(summary_line(result, len(shown), ", ".join(parts)))
    return "\n".join(lines) + "\n"
