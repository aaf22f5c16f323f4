"""The block structure of a configuration text, by style: statements, the blocks they open, comments. No I/O.

This module holds the structure (``Structure``, ``Statement``, ``Comment``) and the helpers its
lexers share; each dialect's one lexer lives in its source's module family (``LEXERS``):
nginx_lexer (braces), hcl_blocks (hcl), haproxy_syntax (sections), yaml_lines (indent),
yaml_positions (none). Each source declares its style in wslint.sources.registry.

One lexer per style reads a whole text, however broken (a file with a WS001 still gets a
structure), and gives its statements in source order, each with its extent, the block it
opens (if any) and the block it stands in, plus every comment with its place:

- ``braces``: nginx. Statements end at ``;`` or open a ``{ ... }`` block; ``#`` starts a
  comment only where a word could start; quotes at a word's start (spanning lines) and
  backslash escapes as crossplane reads them; ``*_by_lua_block`` bodies are Lua, skipped.
- ``hcl``: Terraform. A statement ends at a newline outside brackets; ``name = value`` is an
  attribute, anything else before ``{`` a block header; ``#``, ``//`` and ``/* */``
  comments; strings with ``${ }``/``%{ }`` templates and heredocs are opaque.
- ``sections``: HAProxy. Every line is a statement; a section keyword line opens a block
  that lasts until the next section header; ``#`` outside quotes and unescaped.
- ``indent``: YAML. A line is a statement with its continuation lines (multi-line quoted,
  plain or flow values, block scalars); a mapping key without an inline value (or a
  sequence item holding a mapping) opens a block of the lines more indented than it,
  with a compact sequence (``- `` items at the key's own indentation) included.
- ``apache``: Apache httpd. A directive is a logical line (``\\`` continues it); ``<Section>`` opens a block
  that ``</Section>`` closes; a comment is a whole line starting with ``#``.
- ``caddyfile``: Caddy. A statement is a line (``\\`` continues it); a ``{`` ending it opens a block that ``}``
  closes; ``#`` starts a comment where a token could start; quotes and backticks span lines.
- ``none``: JSON (no comments). When the text is JSON, its keys are the statements,
  located by wslint.sources.yaml_positions, so that baselines still see the nesting.

Lines and columns are 1-based; CRLF and a leading BOM are accepted.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Style = Literal["braces", "hcl", "sections", "indent", "none", "apache", "caddyfile"]
STYLES: tuple[Style, ...] = ("braces", "hcl", "sections", "indent", "none", "apache", "caddyfile")


def style_of(kind: str, file: str, text: str | None = None) -> Style:
    """The style of a file of a source kind or a document kind (``nginx``, ``haproxy``, ``aws``, ``kubernetes``).

    Each source declares its style in the source registry (wslint.sources.registry); unknown kinds: ``none``.
    For AWS files the name decides: ``.tf`` is HCL, ``.json`` (and ``.tf.json``) has no comments,
    YAML names are indented; any other name is JSON when ``text`` starts like JSON, else YAML.
    """
    from wslint.sources import registry

    style = registry.style(kind, file, text)
    return style if style in STYLES else "none"


def closing_brace(text: str, pos: int, skip: Callable[[int, str], int | None]) -> int:
    """The offset of the ``}`` that closes a block whose body starts at ``pos`` (``len(text)`` if none does).

    ``skip(j, char)`` returns where to go on when a string or a comment starts at ``j``, else None.
    """
    n, j, depth = len(text), pos, 1
    while j < n:
        char = text[j]
        after = skip(j, char)
        if after is not None:
            j = after
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return n


@dataclass(eq=False)
class Statement:
    """One directive, attribute, line or key, with the block it opens and the block it stands in.

    ``end_line`` is the statement's own last line (a block's header ends at its ``{``);
    ``block_end`` is the last line of the block it opens (None: it opens none). ``text`` is
    the statement without comments and terminators, whitespace normalised (a block: its header).
    """

    line: int
    column: int
    end_line: int
    text: str
    block_end: int | None = None
    parent: Statement | None = None
    # braces style: the column of its last character (``;``, a block's ``{``) and of the ``}`` closing its block
    end_column: int | None = None
    close_column: int | None = None

    @property
    def last_line(self) -> int:
        """The last line it covers: its block's end, or its own end."""
        return self.end_line if self.block_end is None else max(self.block_end, self.end_line)

    def chain(self) -> list[Statement]:
        """The block headers it stands in, outermost first."""
        out: list[Statement] = []
        parent = self.parent
        while parent is not None:
            out.append(parent)
            parent = parent.parent
        return out[::-1]


@dataclass(frozen=True)
class Comment:
    """A comment: its marker's place, its text from the marker on (without line end)."""

    line: int
    column: int
    end_column: int  # exclusive
    text: str
    own_line: bool  # nothing but blanks before it on its line


@dataclass
class Structure:
    statements: list[Statement] = field(default_factory=list)  # in source order
    comments: list[Comment] = field(default_factory=list)
    lines: int = 1
    _starts: list[tuple[int, int]] = field(default_factory=list, repr=False)
    _children: dict[Statement | None, list[Statement]] | None = field(default=None, repr=False)

    def _index(self) -> list[tuple[int, int]]:
        if len(self._starts) != len(self.statements):
            self._starts = [(s.line, s.column) for s in self.statements]
        return self._starts

    def children(self, block: Statement | None) -> list[Statement]:
        """The statements standing directly in ``block`` (None: at the top), in source order.

        The index is built once, in one pass over the statements: asking for each block's
        children costs the block's children, not the whole file (a file of thousands of blocks).
        """
        if self._children is None:
            index: dict[Statement | None, list[Statement]] = {}
            for statement in self.statements:
                index.setdefault(statement.parent, []).append(statement)
            self._children = index
        return list(self._children.get(block, ()))

    def statement_at(self, line: int, column: int | None = None) -> Statement | None:
        """The statement written at ``line`` (the last one starting at or before ``column`` on it).

        A block's header counts, its body does not: inside a body this is the inner statement,
        or None on a blank line, a comment or a closing brace.
        """
        starts = self._index()
        first = bisect.bisect_left(starts, (line, 0))
        last = bisect.bisect_right(starts, (line, 1 << 30))
        on_line = self.statements[first:last]
        # a statement that starts on an earlier line and runs on to this one (statements never overlap)
        previous = self.statements[first - 1] if first > 0 else None
        spanning = previous if previous is not None and previous.end_line >= line else None
        if not on_line:
            return spanning
        if column is None:
            return on_line[0]
        before = [s for s in on_line if s.column <= column]
        return before[-1] if before else spanning or on_line[0]

    def next_statement(self, line: int) -> Statement | None:
        """The first statement that starts after ``line``."""
        index = bisect.bisect_left(self._index(), (line + 1, 0))
        return self.statements[index] if index < len(self.statements) else None

    def enclosing(self, line: int, column: int | None = None) -> list[Statement]:
        """The block headers around ``line``, outermost first (a header's own line: its parents)."""
        statement = self.statement_at(line, column)
        if statement is not None:
            return statement.chain()
        starts = self._index()
        index = bisect.bisect_right(starts, (line, 1 << 30))
        for candidate in reversed(self.statements[:index]):
            # the innermost block whose body holds the line
            block: Statement | None = candidate
            while block is not None:
                if block.block_end is not None and block.line <= line <= block.block_end:
                    return [*block.chain(), block]
                block = block.parent
            break
        return []

    def block_path(self, line: int, column: int | None = None) -> str:
        """``http > server > location /ws/``: the headers around ``line``."""
        return " > ".join(s.text for s in self.enclosing(line, column))


# each dialect's one block lexer, in its source's module family (imported when a file of the style is read)
LEXERS: dict[Style, str] = {
    "braces": "wslint.sources.nginx_lexer:blocks",
    "hcl": "wslint.sources.hcl_blocks:blocks",
    "sections": "wslint.sources.haproxy_syntax:blocks",
    "indent": "wslint.sources.yaml_lines:blocks",
    "caddyfile": "wslint.sources.caddyfile:blocks",
    "none": "wslint.sources.yaml_positions:json_blocks",
    "apache": "wslint.sources.apache_syntax:blocks",
}


def parse(text: str, style: Style) -> Structure:
    """The statements and comments of ``text`` read in ``style``, by its dialect's lexer (``LEXERS``)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    module, _, name = LEXERS.get(style, LEXERS["none"]).partition(":")
    lexer: Callable[[str], Structure] = getattr(importlib.import_module(module), name)
    structure = lexer(text)
    structure.lines = text.count("\n") + (0 if text.endswith("\n") else 1) if text else 1
    return structure


def normalise(text: str) -> str:
    """Every run of whitespace one space, none at the ends."""
    return " ".join(text.split())


# -- shared by the character lexers (wslint.sources.nginx_lexer, wslint.sources.hcl_blocks) --------------------------


class Lexer:
    """Offsets -> (line, column), statements from token spans, comments."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.out = Structure()
        self.stack: list[Statement] = []

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def column_of(self, offset: int) -> int:
        return offset - self.starts[self.line_of(offset) - 1] + 1

    def eol(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return self.n if end < 0 else end

    def comment(self, start: int, end: int) -> None:
        line = self.line_of(start)
        body = self.text[start:end].rstrip("\r")
        before = self.text[self.starts[line - 1] : start]
        column = start - self.starts[line - 1] + 1
        self.out.comments.append(Comment(line, column, column + len(body), body, not before.strip()))

    def join(self, spans: list[tuple[int, int]]) -> str:
        parts: list[str] = []
        previous = -1
        for start, end in spans:
            if parts and start > previous:
                parts.append(" ")
            parts.append(self.text[start:end])
            previous = end
        return normalise("".join(parts))

    def statement(self, spans: list[tuple[int, int]], end: int, block: bool = False) -> Statement:
        start = spans[0][0] if spans else end
        line = self.line_of(start)
        statement = Statement(
            line=line,
            column=self.column_of(start),
            end_line=max(line, self.line_of(max(end, start))),
            text=self.join(spans),
            block_end=self.line_of(max(end, start)) if block else None,
            parent=self.stack[-1] if self.stack else None,
            end_column=self.column_of(max(end, start)),
        )
        self.out.statements.append(statement)
        if block:
            self.stack.append(statement)
        return statement

    def close(self, offset: int) -> None:
        if self.stack:
            block = self.stack.pop()
            block.block_end = self.line_of(offset)
            block.close_column = self.column_of(offset)

    def finish(self) -> Structure:
        last = self.line_of(max(self.n - 1, 0))
        while self.stack:  # unclosed blocks run to the end of the text
            self.stack.pop().block_end = last
        return self.out

    def quoted(self, pos: int, quote: str) -> int:
        """The offset after a quoted string starting at ``pos`` (backslash escapes)."""
        text, j = self.text, pos + 1
        while j < self.n:
            char = text[j]
            if char == "\\":
                j += 2
                continue
            if char == quote:
                return j + 1
            j += 1
        return self.n
