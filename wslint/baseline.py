"""Baselines: adopt wslint on a repository that already has findings, and report only new ones.

A finding is keyed by rule, file (POSIX, relative to the baseline file's directory), the
block it stands in (``http > server > location /ws/``) and the text of its statement, never
by line: it stays known when lines are added above it, and becomes new when its directive
changes. The baseline is a multiset: two identical keys absorb two findings.

File format (deterministic, sorted)::

    {"wslint_baseline": 1, "findings": [{"rule", "file", "block", "directive", "count"}, ...]}

Reads and writes only the baseline file; the linted files' texts come through ``text_of``.
WS001 (parse error) is never written to a baseline nor left out by one; suppressed findings
are neither written nor counted against it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast, get_args

from wslint import textblocks
from wslint.model import Finding
from wslint.rules import ALWAYS_ON
from wslint.sources import text as textio
from wslint.textblocks import Structure, Style

FORMAT = 1
FIELDS = ("rule", "file", "block", "directive")
NEVER = ALWAYS_ON  # a baseline never hides them

Key = tuple[str, str, str, str]
TextOf = Callable[[str], "str | None"]
StyleOf = Callable[[str], str]  # a file's textblocks style (an unknown one reads as "none")


@dataclass
class Baseline:
    """A loaded baseline: how many findings of each key it holds, and the directory its paths start from."""

    counts: Counter[Key] = field(default_factory=Counter)
    root: str = "."

    def __len__(self) -> int:
        return sum(self.counts.values())


def _relative(file: str, root: str) -> str:
    if "://" in file:  # aws://... and other non-file locations stay as they are
        return file
    try:
        relative = os.path.relpath(os.path.abspath(file), os.path.abspath(root or "."))
    except ValueError:  # another drive (Windows)
        relative = os.path.abspath(file)
    return relative.replace(os.sep, "/")


def key(finding: Finding, text: str | None, style: Style, root: str) -> dict[str, str]:
    """{"rule", "file", "block", "directive"} of a finding, without line numbers.

    ``block`` is the chain of enclosing block headers, ``directive`` the text of the statement
    at the finding's line (comments stripped, whitespace normalised; the raw line when no
    statement starts there). A finding without a line (live AWS) or without a readable text
    has block "" and its message as directive.
    """
    return dict(
        zip(FIELDS, _key(finding, None if text is None else textblocks.parse(text, style), text, root), strict=True)
    )


def _key(finding: Finding, structure: Structure | None, text: str | None, root: str) -> Key:
    location = finding.location
    file = _relative(location.file, root)
    line = location.line
    if line is None or structure is None or text is None:
        return (finding.rule, file, "", textblocks.normalise(finding.message))
    statement = structure.statement_at(line, location.column)
    block = structure.block_path(line, location.column)
    if statement is not None:
        return (finding.rule, file, block, statement.text)
    lines = text.split("\n")
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    return (finding.rule, file, block, textblocks.normalise(raw))


class _Keys:
    """Keys for many findings, each file's text read and parsed once."""

    def __init__(self, text_of: TextOf, style_of_file: StyleOf, root: str) -> None:
        self.text_of = text_of
        self.style_of_file = style_of_file
        self.root = root
        self.parsed: dict[str, tuple[Structure | None, str | None]] = {}

    def __call__(self, finding: Finding) -> Key:
        file = finding.location.file
        if file not in self.parsed:
            text = self.text_of(file) if finding.location.line is not None else None
            structure = None if text is None else textblocks.parse(text, _style(self.style_of_file(file)))
            self.parsed[file] = (structure, text)
        structure, text = self.parsed[file]
        return _key(finding, structure, text, self.root)


def keys(findings: list[Finding], text_of: TextOf, style_of_file: StyleOf, root: str) -> list[Key]:
    """Each finding's baseline key (rule, file relative to ``root``, block, directive), each file parsed once."""
    keyed = _Keys(text_of, style_of_file, root)
    return [keyed(f) for f in findings]


def _style(name: str) -> Style:
    for style in get_args(Style):
        if name == style:
            return cast(Style, style)
    return "none"


def _counted(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.suppressed and f.rule not in NEVER]


def write(path: str, findings: list[Finding], text_of: TextOf, style_of_file: StyleOf) -> int:
    """Writes the baseline JSON for ``findings`` (suppressed ones and WS001 left out); returns how many it holds.

    Raises ValueError with a one-line message when the file cannot be written.
    """
    keys = _Keys(text_of, style_of_file, os.path.dirname(os.path.abspath(path)))
    counts = Counter(keys(f) for f in _counted(findings))
    entries = [
        {**dict(zip(FIELDS, k, strict=True)), "count": n}
        for k, n in sorted(counts.items(), key=lambda kv: _order(kv[0]))
    ]
    data = json.dumps({"wslint_baseline": FORMAT, "findings": entries}, indent=2, ensure_ascii=False) + "\n"
    try:
        # without blocking: a FIFO with no reader is an error, not a hang
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags, 0o666), "wb") as handle:
            handle.write(data.encode("utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return sum(counts.values())


def _order(k: Key) -> tuple[str, str, str, str]:
    rule, file, block, directive = k
    return (file, rule, block, directive)


def load(path: str, limit: int = textio.DEFAULT_LIMIT) -> Baseline:
    """The baseline in ``path`` (at most ``limit`` bytes).

    Raises ValueError with a one-line message when it cannot be read or is invalid.
    """
    try:
        data = json.loads(textio.read_text(path, limit))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except textio.DecodeError as exc:
        raise ValueError(f"{path}: cannot read the baseline: {exc.message}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a wslint baseline: invalid JSON: {exc}".replace("\n", " ")) from None
    except RecursionError:
        raise ValueError(f"{path}: not a wslint baseline: invalid JSON: values nest too deeply") from None
    if not isinstance(data, dict) or data.get("wslint_baseline") != FORMAT:
        raise ValueError(f'{path}: not a wslint baseline: expected {{"wslint_baseline": {FORMAT}, "findings": [...]}}')
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ValueError(f'{path}: not a wslint baseline: "findings" must be a list')
    baseline = Baseline(root=os.path.dirname(os.path.abspath(path)))
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(name), str) for name in FIELDS):
            raise ValueError(f"{path}: findings[{index}] needs the strings {', '.join(FIELDS)}")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"{path}: findings[{index}]: count must be a positive integer")
        baseline.counts[(entry["rule"], entry["file"], entry["block"], entry["directive"])] += count
    return baseline


def filter_known(
    findings: list[Finding], baseline: Baseline, text_of: TextOf, style_of_file: StyleOf, root: str | None = None
) -> list[Finding]:
    """The findings the baseline does not hold, in their order. Each baseline entry absorbs ``count`` findings.

    ``root`` is the directory the baseline's paths start from (default: the baseline file's).
    Suppressed findings and WS001 are kept and never use up an entry.
    """
    keys = _Keys(text_of, style_of_file, baseline.root if root is None else root)
    left = Counter(baseline.counts)
    out: list[Finding] = []
    for item in findings:
        if item.suppressed or item.rule in NEVER:
            out.append(item)
            continue
        k = keys(item)
        if left[k] > 0:
            left[k] -= 1
            continue
        out.append(item)
    return out
