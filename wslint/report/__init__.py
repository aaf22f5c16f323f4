"""Reports: findings -> text, JSON, SARIF, GitHub workflow commands, GitLab Code Quality, JUnit XML, concise
text, a Mermaid flowchart of the paths or HTML."""

from __future__ import annotations

import codecs
from typing import TextIO

from wslint.engine import Result
from wslint.report import json_report, text


def write(result: Result, fmt: str, color: bool, out: TextIO, draw: bool = False, summary: bool = True) -> None:
    """The report written to ``out``; the JSON report is streamed a finding at a time (``render`` is the same text)."""
    if fmt == "json":
        json_report.write(result, out, draw)
    else:
        out.write(render(result, fmt, color, draw, ascii_only=draw and not carries_drawing(out), summary=summary))


def carries_drawing(out: TextIO) -> bool:
    """Whether ``out``'s encoding can write the path drawing's symbols (a file or StringIO: UTF-8, yes)."""
    from wslint.report.path_view import UNICODE

    try:
        codecs.encode("".join(UNICODE), getattr(out, "encoding", None) or "utf-8")
    except (UnicodeError, LookupError):
        return False
    return True


def render(
    result: Result, fmt: str, color: bool, draw: bool = False, ascii_only: bool = False, summary: bool = True
) -> str:
    """The report; ``draw`` adds the declared paths (``wslint path``), with ASCII symbols only if ``ascii_only``.

    ``summary`` False (``--quiet``) leaves out the text and GitHub reports' summary line.
    """
    if fmt == "json":
        return json_report.render(result, draw)
    if fmt == "sarif":
        from wslint.report import sarif

        return sarif.render(result)
    if fmt == "github":
        from wslint.report import github

        return github.render(result, summary)
    if fmt == "gitlab":
        from wslint.report import gitlab

        return gitlab.render(result)
    if fmt == "junit":
        from wslint.report import junit

        return junit.render(result)
    if fmt == "concise":
        from wslint.report import concise

        return concise.render(result, color, summary)
    if fmt == "mermaid":
        from wslint.report import mermaid

        return mermaid.render(result.paths, result.findings)
    if fmt == "html":
        from wslint.report import html

        return html.render(result, draw)
    report = text.render(result, color, summary)
    if not draw:
        return report
    from wslint.report.path_view import render_text

    return (report + "\n" if report else "") + render_text(result.paths, color, ascii_only)
