"""YAML read line by line for its block structure and comments (wslint.textblocks' ``indent`` style).

PyYAML, which the YAML sources compose with (wslint.sources.yaml_positions), drops comments:
this is the dialect's one line-level lexer, for suppressions, baselines and fixes. A line is a
statement with its continuation lines (multi-line quoted, plain or flow values, block scalars);
a mapping key without an inline value (or a sequence item holding a mapping) opens a block of
the lines more indented than it, with a compact sequence (``- `` items at the key's own
indentation) included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wslint.textblocks import Comment, Statement, Structure, normalise

# where a quoted or flow scalar may start: the line's start, after a flow indicator, a key's
# colon, a sequence dash or a '?', past any tags and anchors
_SCALAR_START = re.compile(r"(?:^|[\[{,:]|(?:^|\s)[-?])\s*(?:[!&]\S*\s+)*$")
_KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'\[\]{}#&*!|>%@`,][^#]*?)\s*:(?:\s+|$)""")
_PROPERTIES = re.compile(r"(?:[!&]\S*\s*)*")  # tags and anchors only
_BLOCK_SCALAR = re.compile(r"(?:[!&]\S*\s+)*[|>][-+1-9]*")


def _yaml_scan(line: str, quote: str, flow: int) -> tuple[int | None, str, int]:
    """(where a comment starts, the quote still open at the end, the flow depth at the end)."""
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if quote == "'":
            if char == "'":
                if line.startswith("''", i):
                    i += 2
                    continue
                quote = ""
        elif quote == '"':
            if char == "\\":
                i += 2
                continue
            if char == '"':
                quote = ""
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return i, quote, flow
        elif char in "\"'" and _SCALAR_START.search(line, 0, i):
            quote = char
        elif char in "[{" and (flow > 0 or _SCALAR_START.search(line, 0, i)):
            flow += 1
        elif char in "]}" and flow > 0:
            flow -= 1
        i += 1
    return None, quote, flow


@dataclass
class _Entry:
    line: int
    indent: int
    text: str
    end_line: int
    dash: bool  # a sequence item
    opens: bool  # its value is the lines below (a nested mapping or sequence)
    holds_sequence: bool  # a key whose items may stand at its own indentation


def _yaml_line(number: int, indent: int, content: str) -> tuple[_Entry, int | None]:
    """An entry for a line's content, and the indentation its block scalar's lines must exceed."""
    rest, dashes = content, 0
    while rest == "-" or rest.startswith(("- ", "-\t")):
        dashes += 1
        rest = rest[1:].lstrip(" \t")
    offset = indent + len(content) - len(rest)
    key = _KEY.match(rest)
    value = rest[key.end() :].strip() if key else rest
    bare = _PROPERTIES.fullmatch(value) is not None
    opens = dashes > 1 or (dashes == 1 and (key is not None or bare)) or (key is not None and bare)
    scalar = None
    if _BLOCK_SCALAR.fullmatch(value):
        scalar = offset if key is not None else (offset - 1 if dashes else indent)
        opens = dashes > 0 and key is not None
    entry = _Entry(number, indent, content, number, dashes > 0, opens, dashes == 0 and opens)
    return entry, scalar


def _indent(text: str) -> Structure:
    out = Structure()
    entries: list[_Entry] = []
    quote, flow = "", 0
    scalar_indent: int | None = None
    current: _Entry | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if scalar_indent is not None:
            if not stripped or indent > scalar_indent:  # a block scalar's text: no comments in there
                if stripped and current is not None:
                    current.end_line = number
                continue
            scalar_indent = None
        continuing = bool(quote) or flow > 0
        at, quote, flow = _yaml_scan(line, quote, flow)
        content = (line if at is None else line[:at]).strip()
        if at is not None:
            out.comments.append(Comment(number, at + 1, len(line) + 1, line[at:], not line[:at].strip()))
        if not content:
            continue
        if continuing and current is not None:
            current.end_line = number
            current.text += " " + content
            continue
        current, scalar_indent = _yaml_line(number, indent, content)
        entries.append(current)
    out.statements = _yaml_statements(entries)
    return out


def _yaml_statements(entries: list[_Entry]) -> list[Statement]:
    statements: list[Statement] = []
    stack: list[tuple[_Entry, Statement]] = []
    last: tuple[_Entry, Statement] | None = None

    def reach(statement: Statement, line: int) -> None:
        parent = statement.parent
        while parent is not None:
            parent.block_end = max(parent.block_end or line, line)
            parent = parent.parent

    for entry in entries:
        if last is not None and not last[0].opens and entry.indent > last[0].indent:
            last[1].end_line = entry.end_line  # a multi-line plain value
            last[1].text = normalise(last[1].text + " " + entry.text)
            reach(last[1], entry.end_line)
            continue
        while stack and not (
            entry.indent > stack[-1][0].indent
            or (entry.dash and entry.indent == stack[-1][0].indent and stack[-1][0].holds_sequence)
        ):
            stack.pop()
        parent = stack[-1][1] if stack else None
        text = normalise(entry.text)
        if entry.opens and text.endswith(":"):
            text = text[:-1].rstrip()  # a header reads as its key: "Resources > Alb > Properties"
        statement = Statement(entry.line, entry.indent + 1, entry.end_line, text, parent=parent)
        statements.append(statement)
        reach(statement, entry.end_line)
        last = (entry, statement)
        if entry.opens:
            stack.append(last)
    return statements


def blocks(text: str) -> Structure:
    """The statements, blocks and comments of YAML text."""
    return _indent(text)
