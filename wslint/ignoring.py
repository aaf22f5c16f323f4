"""What a run leaves out of its findings: per-file ignores, inline suppressions and a baseline.

Order: ``per-file-ignores`` drop findings (as ``ignore`` does, per file); suppression
comments mark them ``suppressed`` (still in JSON and SARIF) and the checks after suppressions judge them (WS003);
a baseline drops the findings it already knows. WS001 is never left out.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from wslint.config import Settings
from wslint.model import Document, Finding, Suppression
from wslint.rules import ALWAYS_ON
from wslint.sources import text as textio

if TYPE_CHECKING:
    from wslint.checks import Suppressed

TextOf = Callable[[str], "str | None"]


def text_reader(stdin: dict[str, bytes], reals: dict[str, str], max_size: int) -> TextOf:
    """The text of a linted file by the name its findings use (stdin content for ``-``).

    A file over ``max-file-size`` is not read here either: its source did not read it, and its
    only finding is the WS001 that says so, which no suppression covers.
    """
    cache: dict[str, str | None] = {}

    def text_of(file: str) -> str | None:
        if file not in cache:
            real = reals.get(file, file)
            data: bytes | None
            try:
                data = stdin[real] if real in stdin else textio.read_bytes(file, max_size)
            except (OSError, textio.DecodeError):
                data = None
            cache[file] = None if data is None or len(data) > max_size else data.decode("utf-8", "replace")
        return cache[file]

    return text_of


def _covered(rule: str, selectors: list[str]) -> bool:
    return any(selector == "ALL" or rule.startswith(selector) for selector in selectors)


def per_file(findings: list[Finding], settings: Settings) -> list[Finding]:
    """Drop the findings ``per-file-ignores`` names for their file (globs relative to the config file)."""
    if not settings.per_file_ignores:
        return findings
    base = os.path.dirname(os.path.abspath(settings.config_file)) if settings.config_file else os.getcwd()
    kept = []
    for f in findings:
        relative = PurePosixPath(os.path.relpath(os.path.abspath(f.location.file), base).replace(os.sep, "/"))
        ignored = f.rule not in ALWAYS_ON and any(
            (relative.match(glob) or fnmatch.fnmatch(str(relative), glob)) and _covered(f.rule, ids)
            for glob, ids in settings.per_file_ignores.items()
        )
        if not ignored:
            kept.append(f)
    return kept


def inline(
    findings: list[Finding], documents: list[Document], enabled: list[str], text_of: TextOf
) -> tuple[Suppressed, list[str]]:
    """Mark suppressed findings; return what the checks after suppressions judge (WS003), and notes on malformed
    suppressions."""
    from wslint.checks import Suppressed
    from wslint.suppress import apply, scan
    from wslint.textblocks import style_of

    suppressions: dict[str, list[Suppression]] = {}
    notes: list[str] = []
    seen: set[str] = set()
    for document in documents:
        for suppression in document.suppressions:
            suppressions.setdefault(suppression.location.file, []).append(suppression)
        for file in document.files:
            if file in seen:
                continue
            seen.add(file)
            text = text_of(file)
            if not text or "wslint" not in text.lower():
                continue
            found, problems = scan(text, file, style_of(document.kind, file))
            suppressions.setdefault(file, []).extend(found)
            notes.extend(f"{where}: {message}" for where, message in problems)
    return Suppressed(findings, suppressions, apply(findings, suppressions), enabled), notes


def styles(documents: list[Document]) -> Callable[[str], str]:
    """The block style of each file of the run, for baseline keys."""
    from wslint.textblocks import style_of

    kinds = {file: document.kind for document in documents for file in document.files}
    return lambda file: style_of(kinds.get(file, ""), file)
