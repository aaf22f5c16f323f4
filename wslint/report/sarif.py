"""The SARIF 2.1.0 report (UX.md, "Output formats"), for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` lists every enabled rule (and any other rule a result uses), each
with a ``helpUri`` to its document in the repository at the release's tag; only the rules a result
uses carry their document's "Why" as ``fullDescription`` and "How to fix" / the whole document as
``help`` (GitHub shows ``help`` beside an alert; a rule no result uses needs no help to show).
Files are repo-relative POSIX URIs under ``%SRCROOT%`` (the nearest ancestor of the current
directory holding ``.git``, else the current directory), which ``originalUriBaseIds`` describes
without a ``uri`` (SARIF 2.1.0 §3.14.14): the report never holds the absolute path of the machine
that made it, and GitHub resolves relative URIs against the repository's root. A file outside the
root is an absolute ``file://`` URI. A finding without a line (a live AWS resource, a named
intermediary such as ``cloudflare``) has a logical location instead of a physical one. A finding's
related places (for a route in a declared path: the other hops) are ``relatedLocations``.
Suppressed findings are kept, with an ``inSource`` suppression. No fingerprints and no
``security-severity``: same input, same bytes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from wslint import __version__
from wslint.engine import Result
from wslint.escape import json_text
from wslint.model import Finding, Location, Severity
from wslint.rules import REPOSITORY_URL, RULES, rule_document, rule_document_url
from wslint.sources.registry import UNNAMED

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
# what %SRCROOT% is, said instead of an absolute file URI (SARIF 2.1.0 §3.14.14 allows a base with no uri)
SRCROOT_DESCRIPTION = "The root of the repository the report was made in; relative URIs start there."
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\S*).*$")


# -- the repository root and file URIs -------------------------------------------------------------------------


def repo_root(cwd: str | None = None) -> str:
    """The nearest ancestor of ``cwd`` (default: the current directory) holding ``.git``, else ``cwd``."""
    start = Path(os.path.abspath(cwd or os.getcwd()))
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return str(directory)
    return str(start)


def repo_relative(file: str, root: str) -> str | None:
    """``file`` (relative to the current directory, or absolute) as a POSIX path relative to ``root``.

    None when the file lies outside ``root``.
    """
    absolute = os.path.abspath(file)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive (Windows)
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return None
    return PurePath(relative).as_posix()


def _artifact(file: str, root: str) -> dict[str, Any]:
    """The file's URI: its raw bytes percent-encoded, so a name that is not UTF-8 is still the file's own name."""
    relative = repo_relative(file, root)
    if relative is None:
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


def _location(location: Location, root: str) -> dict[str, Any]:
    """A physical location with the full region; a logical one when there is no line (live AWS) or no file: stdin
    without a name (``-``) is no artifact of the repository, and a viewer would look for a file named ``-``."""
    if location.line is None or location.file == UNNAMED:
        return {"logicalLocations": [{"name": location.file, "fullyQualifiedName": location.file, "kind": "resource"}]}
    region: dict[str, int] = {"startLine": location.line}
    if location.column is not None:
        region["startColumn"] = location.column
    end_line = location.end_line if location.end_line is not None and location.end_line >= location.line else None
    if end_line is not None:
        region["endLine"] = end_line
    end_column = location.end_column
    if end_column is not None and (end_line not in (None, location.line) or end_column >= (location.column or 1)):
        region["endColumn"] = end_column  # exclusive, as in our model; never before the start on one line
    return {"physicalLocation": {"artifactLocation": _artifact(location.file, root), "region": region}}


# -- rules -----------------------------------------------------------------------------------------------------


def _body(document: str) -> str:
    """The Markdown after the front matter, fences reduced to their language (no ``file=``/``expect=``)."""
    lines = document.split("\n")
    if lines and lines[0].strip() == "---":
        closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
        if closing is not None:
            lines = lines[closing + 1 :]
    out = []
    for line in lines:
        fence = _FENCE.match(line)
        out.append(fence.group(1) + fence.group(2) if fence else line)
    return "\n".join(out).strip("\n")


def _section(body: str, title: str) -> str:
    """The Markdown of the ``## title`` section (without its heading); "" when there is none."""
    collected: list[str] | None = None
    fence: str | None = None
    for line in body.split("\n"):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker.startswith(fence) and not match.group(2):
                fence = None
        elif fence is None and line.startswith("## "):
            if collected is not None:
                break
            if line[3:].strip().lower() == title.lower():
                collected = []
                continue
        if collected is not None:
            collected.append(line)
    return "\n".join(collected or []).strip("\n")


def _plain(markdown: str) -> str:
    """Markdown as plain text: code blocks indented, backticks, emphasis and link syntax dropped."""
    out = []
    fence: str | None = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if match and (fence is None or (match.group(1).startswith(fence) and not match.group(2))):
            fence = match.group(1) if fence is None else None
            continue
        if fence is not None:
            out.append("    " + line if line else "")
            continue
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
        out.append(line.replace("`", ""))
    return "\n".join(out).strip("\n")


def _rule(rule_id: str, used: bool) -> dict[str, Any]:
    """The rule's descriptor; its document ("Why", "How to fix", the whole text) only when a result uses it."""
    rule = RULES[rule_id]
    out: dict[str, Any] = {"id": rule.id, "name": rule.name, "shortDescription": {"text": rule.summary}}
    if used:
        document = rule_document(rule_id)
        body = _body(document) if document else ""
        why = _plain(_section(body, "Why")) if body else ""
        fix = _plain(_section(body, "How to fix")) if body else ""
        out["fullDescription"] = {"text": why or rule.summary}
        out["help"] = {"text": fix or rule.summary, "markdown": body or rule.summary}
    out["helpUri"] = rule_document_url(rule_id)
    out["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    out["properties"] = {"tags": list(rule.sources)}
    return out


def rule_ids(result: Result) -> list[str]:
    """The enabled rules and every rule a finding uses, in catalogue order."""
    used = set(result.rules) | {f.rule for f in result.findings}
    return [rule_id for rule_id in RULES if rule_id in used] + sorted(used - set(RULES))


# -- results ---------------------------------------------------------------------------------------------------


def _result(f: Finding, index: dict[str, int], root: str) -> dict[str, Any]:
    severity = f.severity or (RULES[f.rule].severity if f.rule in RULES else Severity.WARNING)
    text = f"{f.message}\nhelp: {f.help}" if f.help else f.message
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVELS[severity],
        "message": {"text": text},
        "locations": [_location(f.location, root)],
    }
    if f.related:
        out["relatedLocations"] = [
            {"id": i, **_location(r.location, root), "message": {"text": r.message}}
            for i, r in enumerate(f.related, start=1)
        ]
    if f.suppressed:
        suppression: dict[str, str] = {"kind": "inSource"}
        if f.justification:
            suppression["justification"] = f.justification
        out["suppressions"] = [suppression]
    return out


def sarif_log(result: Result, cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict; file URIs relative to the repository holding ``cwd``."""
    root = repo_root(cwd)
    ids = rule_ids(result)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    used = {f.rule for f in result.findings}
    rules = [_rule(rule_id, rule_id in used) if rule_id in RULES else {"id": rule_id} for rule_id in ids]
    notifications = [{"level": "error", "message": {"text": error}} for error in result.errors]
    notifications += [{"level": "note", "message": {"text": note}} for note in result.notes]
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {
            "driver": {
                "name": "wslint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"description": {"text": SRCROOT_DESCRIPTION}}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, root) for f in sorted(result.findings, key=Finding.sort_key)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: Result) -> str:
    """SARIF 2.1.0 JSON text, ending with a newline, printable as it is (``escape.json_text``)."""
    return json_text(json.dumps(sarif_log(result), indent=2, ensure_ascii=False)) + "\n"
