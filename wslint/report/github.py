"""GitHub Actions output (UX.md, "Output formats"): workflow-command annotations and a step summary.

``render`` prints, for each file with findings (sorted), ``::group::wslint: FILE``, one
``::error``/``::warning``/``::notice`` line per finding and the file's text-report lines, then
``::endgroup::``; the text report's summary line ends the output. GitHub shows at most 10
annotations per level per step: the text lines in the groups cover the rest. Suppressed
findings get no annotation. ``summary`` is Markdown for ``$GITHUB_STEP_SUMMARY``.

Every file name and message is first made one safe line by ``escape.printable`` (no control
character, no ``::`` at its start, no ``##[``); then escaping follows ``@actions/core`` (command.ts).
The ``file`` property is relative to the repository root (the runner reads a relative path that
way), the message keeps the path as given. A finding without a line (a live AWS resource, a named
intermediary) has no ``file``: it is not a file in the repository, so its annotation belongs to the run.
"""

from __future__ import annotations

import hashlib
import html
import re

from wslint.engine import Result, outcome
from wslint.escape import has_controls, printable
from wslint.model import Finding, Severity
from wslint.report import text
from wslint.report.sarif import repo_relative, repo_root
from wslint.sources.registry import UNNAMED

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
MAX_ROWS = 100


def escape_data(value: str) -> str:
    """A command's message: ``%``, CR and LF escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value: as data, and ``:`` and ``,`` too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def file_property(path: str) -> str:
    """The ``file`` property's value: the runner decodes ``%0A``/``%0D`` back, so a name with line breaks still
    names its file; one with another control character or ``##[`` is shown escaped (it then names no file)."""
    hostile = has_controls(path.replace("\r", "").replace("\n", "")) or "##[" in path
    return printable(path) if hostile else path


def _where(f: Finding) -> str:
    location = f.location
    return location.file if location.line is None else f"{location.file}:{location.line}:{location.column or 1}"


def annotation(f: Finding, root: str) -> str:
    """``::warning title=wslint (WS201),file=F,line=L,col=C,endLine=L,endColumn=C2::F:L:C: WS201 msg``."""
    location = f.location
    properties: list[tuple[str, object]] = [("title", f"wslint ({f.rule})")]
    # stdin without a name (``-``) is no file of the repository: its annotation names none, as a live finding's
    if location.line is not None and location.file != UNNAMED:
        end_line = max(location.end_line or location.line, location.line)
        single = end_line == location.line
        properties.append(("file", file_property(repo_relative(location.file, root) or location.file)))
        properties.append(("line", location.line))
        if single and location.column is not None:
            properties.append(("col", location.column))
        properties.append(("endLine", end_line))
        if single and location.column is not None and location.end_column is not None:
            properties.append(("endColumn", max(location.end_column, location.column)))
    command = COMMANDS[f.severity or Severity.WARNING]
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{command} {props}::{escape_data(printable(f'{_where(f)}: {f.rule} {f.message}'))}"


def _is_command(line: str) -> bool:
    """Would the runner read this line as a workflow command (``::x::`` first, or ``##[x]`` anywhere)?"""
    return line.lstrip().startswith("::") or "##[" in line


def verbatim(lines: list[str]) -> list[str]:
    """Report lines, printed as they are: between stop-commands markers when one looks like a command.

    The resume token is a hash of the lines, which they cannot contain.
    """
    if not any(_is_command(piece) for line in lines for piece in line.splitlines()):
        return lines
    token = "wslint-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]
    return [f"::stop-commands::{token}", *lines, f"::{token}::"]


def render(result: Result, summary: bool = True) -> str:
    """Annotations and the text report, grouped per file; then the summary line, unless ``summary`` is False."""
    root = repo_root()
    shown = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    files = sorted({f.location.file for f in shown})
    out: list[str] = []
    for file in files:
        mine = [f for f in shown if f.location.file == file]
        out.append(f"::group::wslint: {escape_data(printable(file))}")
        out.extend(annotation(f, root) for f in mine)
        # the file's lines of the text report, without its summary line
        report = text.render(Result(findings=mine, files=1), color=False).rstrip("\n").split("\n")[:-1]
        out.extend(verbatim(report))
        out.append("::endgroup::")
    if summary:
        out.extend(verbatim(text.render(result, color=False).rstrip("\n").split("\n")[-1:]))
    return "\n".join(out) + "\n" if out else ""


# -- $GITHUB_STEP_SUMMARY --------------------------------------------------------------------------------------


# what Markdown (GitHub's: links, images, emphasis, code, strikethrough, math, tables, a heading's closing #s)
# reads in text, backslash-escaped as CommonMark allows; ``_`` only where it can start or end emphasis (never
# inside a word: proxy_read_timeout stays as written); & < > are HTML-escaped instead
_MARKDOWN = re.compile(r"[\\`*\[\]!|~#$]|_(?![^\W_])|(?<![^\W_])_")


def _cell(value: str) -> str:
    """Markdown text for a table cell or a heading: one line, HTML escaped, its Markdown punctuation backslashed
    (a name like ``[l](http://e)``, ``![x](url)`` or ``*b*`` shows as written, never as a link, image or emphasis)."""
    return html.escape(_MARKDOWN.sub(lambda m: "\\" + m[0], printable(" ".join(value.split()))), quote=False)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"


def summary(result: Result, draw: bool = False) -> str:
    """Markdown: a heading, counts by severity, a table of the (unsuppressed) findings; with ``draw``
    (``wslint path``) then each path drawn as a ```mermaid block, which GitHub renders in a job summary."""
    shown = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    suppressed = len(result.findings) - len(shown)
    files = _plural(result.files, "file")
    lines = ["## wslint", ""]
    if shown:
        counts = ", ".join(
            _plural(sum(1 for f in shown if (f.severity or Severity.WARNING) == s), s.value) for s in reversed(Severity)
        )
        other = outcome(result)
        lines.append(f"**{_plural(len(shown), 'finding')}** in {files}: {counts}{'; ' + other if other else ''}.")
    else:
        lines.append(text.summary_line(result, 0, ""))
    if suppressed:
        lines.append(f"{suppressed} suppressed {'finding is' if suppressed == 1 else 'findings are'} not listed.")
    if result.errors:
        lines += ["", f"**{_plural(len(result.errors), 'error')}** stopped wslint from linting everything:", ""]
        lines += [f"- {_cell(error)}" for error in result.errors]
    if shown:
        lines += ["", "| Location | Rule | Severity | Message |", "| --- | --- | --- | --- |"]
        for f in shown[:MAX_ROWS]:
            where = f.location.file if f.location.line is None else f"{f.location.file}:{f.location.line}"
            rule = f"{f.rule} {f.name}".strip()
            severity = (f.severity or Severity.WARNING).value
            lines.append(f"| {_cell(where)} | {_cell(rule)} | {severity} | {_cell(f.message)} |")
        if len(shown) > MAX_ROWS:
            lines += ["", f"…and {len(shown) - MAX_ROWS} more: see the job log."]
    if draw:
        lines += _path_blocks(result)
    return "\n".join(lines) + "\n"


def _path_blocks(result: Result) -> list[str]:
    """A heading and a ```mermaid block per path (the block's text has no backtick: mermaid.escape codes it)."""
    from wslint.report import mermaid

    lines: list[str] = []
    for path in result.paths:
        lines += ["", f"### Path {_cell(path.name)}", "", "```mermaid"]
        lines += mermaid.render_paths([path], result.findings).rstrip("\n").split("\n")
        lines.append("```")
    return lines
