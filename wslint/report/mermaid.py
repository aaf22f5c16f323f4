"""``wslint path --output-format mermaid``: each declared path as a Mermaid flowchart, and the step summary's blocks.

One ``flowchart LR`` holds every path drawn, one ``subgraph`` per path: the client, each hop (its kind, route,
file:line, idle timeout and where that comes from), the app; the bottleneck hop carries the ``bottleneck``
class, a hop whose timeout is shorter than twice the ping the ``short`` class, one on a default the ``unset``
class; a note node gives the largest safe ping interval and the verdict, another the path's findings.
A lifetime cap is not an idle timeout: it hangs off its hop as a hexagon of its own (class ``cap``, or
``capinfo`` from an hour on), labelled "LIFETIME CAP" and "pings do not help".
The facts are path_view's layout, the same the text drawing shows.

Every value from a config (names, file names, directives) is written with Mermaid's entity codes
(``#34;`` for ``"``...) for everything but letters, digits, blanks and a few punctuation marks, so no value
ends a label, opens a link or a comment, or reads as HTML or Markdown in the renderer. ``:`` is coded too:
Mermaid's preprocessing cuts the last ``;`` of a line holding ``style``, a ``:`` and a ``#`` (its ``style``
statements), which would break an entity code in a label.
"""

from __future__ import annotations

from wslint.model import Finding, Path, Severity
from wslint.report.path_view import layout, path_findings

# characters a label shows as they are; any other ASCII character is written #CODE; (its decimal code point)
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_/'+!?@=*~^()")
MAX_FINDINGS = 5
CLASSES = (
    "classDef bottleneck fill:#ffd6d6,stroke:#c00000,stroke-width:3px,color:#600000",
    "classDef short fill:#ffe9e9,stroke:#c00000,color:#600000",
    "classDef unset fill:#fff6d6,stroke:#b08000",
    "classDef good fill:#e6f6e6,stroke:#2a7a2a",
    "classDef note fill:#f4f4f4,stroke:#888888,stroke-dasharray:4 3",
    "classDef endpoint fill:#ffffff,stroke:#555555",
    "classDef cap fill:#f3e5f5,stroke:#6a1b9a,stroke-width:2px,color:#38006b",
    "classDef capinfo fill:#f7f0f9,stroke:#8e6a9e,color:#38006b",
)


def escape(value: str) -> str:
    """A value for a quoted Mermaid label: a line break becomes a blank, any other character outside a small safe
    set its entity code (``#34;``, ``#1095;``): non-ASCII too, so the drawing is ASCII and reads the same on any
    stdout (a cp1252 console's ``\\u0447`` would be drawn as it stands)."""
    out = []
    for char in value:
        if char in _PLAIN:
            out.append(char)
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(f"#{ord(char)};")
    return "".join(out)


def _label(*lines: str) -> str:
    """A quoted node label: each line escaped, joined by ``<br/>`` (our markup, never a value's)."""
    return '"' + "<br/>".join(escape(line) for line in lines if line) + '"'


def _finding_line(f: Finding) -> str:
    where = f.location.file if f.location.line is None else f"{f.location.file}:{f.location.line}"
    severity = (f.severity or Severity.WARNING).value
    return f"{f.rule} [{severity}] {where}"


def _path_lines(path: Path, findings: list[Finding], number: int) -> list[str]:
    view = layout(path)
    p = f"p{number}"
    lines = [f"  subgraph {p}[{_label('path ' + chr(34) + view.title + chr(34))}]", "    direction LR"]
    lines.append(f"    {p}_client([{_label('client', 'ping ' + view.ping)}]):::endpoint")
    nodes = [f"{p}_client"]
    extra: list[str] = []  # the links to the caps' nodes, after the path's own chain
    for i, row in enumerate(view.rows):
        number_, kind, route, timeout, _, _ = row.cells
        node = f"{p}_h{i + 1}"
        hop_at = view.place(row)
        text = [f"{number_} {kind}: {route}", hop_at]
        if row.route is None:
            text.append("no WebSocket route")
        else:
            text += [f"idle timeout {timeout}", view.origin(row), *view.under(row)]
        if row.bottleneck:
            text.insert(0, "BOTTLENECK")
        style = view.state(row)
        lines.append(f"    {node}[{_label(*text)}]{':::' + style if style else ''}")
        nodes.append(node)
        for c, (rule, words, origin) in enumerate(view.caps(row), start=1):
            cap = f"{node}_cap{c}"
            what, _, rest = words.partition(": ")
            label = _label("LIFETIME CAP " + what.removeprefix("lifetime cap "), rest, origin)
            lines.append(f"    {cap}{{{{{label}}}}}:::{'cap' if rule == 'WS209' else 'capinfo'}")
            extra.append(f"    {node} -.- {cap}")
    lines.append(f"    {p}_app([{_label('app')}]):::endpoint")
    nodes.append(f"{p}_app")
    lines.append("    " + " --> ".join(nodes))
    lines += extra
    verdict = [*view.conclusion]
    if view.missing:
        verdict.append(f"not linted in this run: {view.missing}")
    verdict += view.notes
    lines.append(f"    {p}_verdict[{_label(*verdict)}]:::note")
    at = [i for i, row in enumerate(view.rows) if row.bottleneck]
    anchor = f"{p}_h{at[0] + 1}" if at else nodes[-1]
    lines.append(f"    {anchor} -.- {p}_verdict")
    mine = path_findings(path, findings)
    if mine:
        shown = [_finding_line(f) for f in mine[:MAX_FINDINGS]]
        if len(mine) > MAX_FINDINGS:
            shown.append(f"and {len(mine) - MAX_FINDINGS} more")
        count = f"{len(mine)} finding{'' if len(mine) == 1 else 's'}"
        lines.append(f"    {p}_findings[{_label(count, *shown)}]:::note")
        lines.append(f"    {p}_verdict -.- {p}_findings")
    lines.append("  end")
    return lines


def render_paths(paths: list[Path], findings: list[Finding]) -> str:
    """One Mermaid flowchart of these paths (a subgraph each); no path: a flowchart that says so."""
    lines = ["flowchart LR"]
    for number, path in enumerate(paths, start=1):
        lines += _path_lines(path, findings, number)
    if not paths:
        lines.append(f"  none[{_label('no path drawn')}]")
    lines += ["  " + line for line in CLASSES]
    return "\n".join(lines) + "\n"


def render(paths: list[Path], findings: list[Finding]) -> str:
    """``--output-format mermaid``: the flowchart of every path drawn."""
    return render_paths(paths, findings)
