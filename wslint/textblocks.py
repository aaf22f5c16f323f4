"""The block structure of a configuration text, by style: statements, the blocks they open, comments. No I/O.

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
- ``none``: JSON (no comments). When the text is JSON, its keys are the statements,
  located by wslint.sources.yaml_positions, so that baselines still see the nesting.

Lines and columns are 1-based; CRLF and a leading BOM are accepted.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Style = Literal["braces", "hcl", "sections", "indent", "none"]
STYLES: tuple[Style, ...] = ("braces", "hcl", "sections", "indent", "none")


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


def parse(text: str, style: Style) -> Structure:
    """The statements and comments of ``text`` read in ``style``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if style == "braces":
        structure = _Braces(text).run()
    elif style == "hcl":
        structure = _Hcl(text).run()
    elif style == "sections":
        structure = _sections(text)
    elif style == "indent":
        structure = _indent(text)
    else:
        structure = _json(text)
    structure.lines = text.count("\n") + (0 if text.endswith("\n") else 1) if text else 1
    return structure


def normalise(text: str) -> str:
    """Every run of whitespace one space, none at the ends."""
    return " ".join(text.split())


# -- shared by the character lexers -------------------------------------------------------------------------


class _Lexer:
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


# -- braces (nginx) -----------------------------------------------------------------------------------------

_NGINX_SPACE = re.compile(r"[ \t\r\n\ufeff]+")
# a word runs to a blank or ; { }; a backslash escapes the next character; ${name} is one variable
_NGINX_WORD = re.compile(r"(?:[^ \t\r\n\ufeff;{}\\$]|\\.|\\\Z|\$\{[^}]*\}?|\$)+", re.S)


class _Braces(_Lexer):
    def run(self) -> Structure:
        text, n = self.text, self.n
        spans: list[tuple[int, int]] = []
        pos = 0
        while pos < n:
            char = text[pos]
            if char in " \t\r\n\ufeff":
                pos = _NGINX_SPACE.match(text, pos).end()  # type: ignore[union-attr]
            elif char == "#":
                end = self.eol(pos)
                self.comment(pos, end)
                pos = end
            elif char == ";":
                if spans:
                    self.statement(spans, pos)
                    spans = []
                pos += 1
            elif char == "{":
                header = self.statement(spans, pos, block=True)
                spans = []
                pos += 1
                if header.text.split(" ", 1)[0].endswith("_by_lua_block"):
                    pos = self._lua(pos)  # at the closing brace, handled next
            elif char == "}":
                if spans:  # a directive without its ';' before the brace
                    self.statement(spans, spans[-1][1] - 1)
                    spans = []
                self.close(pos)
                pos += 1
            elif char in "\"'":
                end = self.quoted(pos, char)
                spans.append((pos, end))
                pos = end
            else:
                word = _NGINX_WORD.match(text, pos)
                end = max(word.end() if word else pos, pos + 1)
                spans.append((pos, end))
                pos = end
        if spans:
            self.statement(spans, spans[-1][1] - 1)
        return self.finish()

    def _lua(self, pos: int) -> int:
        """The offset of the brace that closes a Lua block body starting at ``pos``."""
        text = self.text

        def skip(j: int, char: str) -> int | None:
            if char in "\"'":
                return self.quoted(j, char)
            return self.eol(j) if text.startswith("--", j) else None

        return closing_brace(text, pos, skip)


# -- hcl (Terraform) ----------------------------------------------------------------------------------------

_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")
_HCL_SPACE = re.compile(r"[ \t\r\ufeff]+")
_HCL_WORD = re.compile(r"(?:[^ \t\r\n\ufeff\"{}\[\]()=,#/]|/(?![/*]))+")


class _Hcl(_Lexer):
    def run(self) -> Structure:
        text, n = self.text, self.n
        spans: list[tuple[int, int]] = []
        depth = 0
        attribute = False
        pos = 0

        def end_statement() -> None:
            nonlocal spans, depth, attribute
            if spans:
                self.statement(spans, spans[-1][1] - 1)
            spans, depth, attribute = [], 0, False

        while pos < n:
            char = text[pos]
            if char == "\n":
                if depth == 0:
                    end_statement()
                pos += 1
            elif char in " \t\r\ufeff":
                pos = _HCL_SPACE.match(text, pos).end()  # type: ignore[union-attr]
            elif char == "#" or text.startswith("//", pos):
                end = self.eol(pos)
                self.comment(pos, end)
                pos = end
            elif text.startswith("/*", pos):
                close = text.find("*/", pos + 2)
                pos = n if close < 0 else close + 2
            elif char == '"':
                end = self._string(pos)
                spans.append((pos, end))
                pos = end
            elif char == "<" and (heredoc := _HEREDOC.match(text, pos)) is not None:
                end = self._heredoc(heredoc)
                spans.append((pos, end))
                pos = end
            elif char == "{" and depth == 0 and not attribute:
                self.statement(spans, pos, block=True)  # a block header (or a stray brace)
                spans, attribute = [], False
                pos += 1
            elif char == "}" and depth == 0:
                end_statement()
                self.close(pos)
                pos += 1
            elif char in "{[(":
                depth += 1
                spans.append((pos, pos + 1))
                pos += 1
            elif char in "}])":
                depth = max(depth - 1, 0)
                spans.append((pos, pos + 1))
                pos += 1
            elif char == "=":
                width = 2 if text.startswith(("==", "=>"), pos) else 1
                if width == 1 and depth == 0 and len(spans) == 1:
                    attribute = True
                spans.append((pos, pos + width))
                pos += width
            elif char == ",":
                spans.append((pos, pos + 1))
                pos += 1
            else:
                word = _HCL_WORD.match(text, pos)
                end = max(word.end() if word else pos, pos + 1)
                spans.append((pos, end))
                pos = end
        end_statement()
        return self.finish()

    def _string(self, pos: int) -> int:
        """The offset after a quoted template starting at ``pos``; it ends at the line's end if unclosed."""
        text, n, j = self.text, self.n, pos + 1
        while j < n:
            char = text[j]
            if char == "\\":
                j += 2
            elif char == '"':
                return j + 1
            elif char == "\n":
                return j
            elif char in "$%" and text.startswith("{", j + 1):
                if text.startswith(char * 2, j):  # $${ and %%{ are literal
                    j += 3
                else:
                    j = self._template(j + 2)
            else:
                j += 1
        return n

    def _template(self, pos: int) -> int:
        """The offset after the ``}`` that closes a template expression whose body starts at ``pos``."""
        end = closing_brace(self.text, pos, lambda j, char: self._string(j) if char == '"' else None)
        return end + 1 if end < self.n else end

    def _heredoc(self, match: re.Match[str]) -> int:
        """The offset at the end of the heredoc's closing line (or of the text)."""
        marker = match.group(1)
        pos = match.end()
        while pos < self.n:
            end = self.eol(pos)
            if self.text[pos:end].strip() == marker:
                return end
            pos = end + 1
        return self.n


# -- sections (HAProxy) -------------------------------------------------------------------------------------


def _haproxy_comment(line: str) -> int | None:
    """Where the comment starts: the first ``#`` outside quotes and not escaped."""
    quote = ""
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if quote == "'":
            if char == "'":
                quote = ""
        elif char == "\\":
            i += 2
            continue
        elif quote == '"':
            if char == '"':
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return i
        i += 1
    return None


def _sections(text: str) -> Structure:
    from wslint.sources.haproxy_syntax import SECTIONS, opens_unknown_section

    out = Structure()
    section: Statement | None = None
    body: bool | None = None  # the section's lines (but .if and the like) so far: all indented; None: none yet
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        at = _haproxy_comment(line)
        content = line if at is None else line[:at]
        if at is not None:
            out.comments.append(Comment(number, at + 1, len(line) + 1, line[at:], not content.strip()))
        words = content.split()
        if not words:
            continue
        column = len(content) - len(content.lstrip()) + 1
        directive = words[0].startswith(".")
        # an unknown section keyword ends the section as the HAProxy source reads it (haproxy_syntax)
        unknown = column == 1 and not directive and bool(body) and opens_unknown_section(words, bool(body))
        if words[0] in SECTIONS or unknown:
            section = Statement(number, column, number, " ".join(words), block_end=number)
            out.statements.append(section)
            body = None
            continue
        out.statements.append(Statement(number, column, number, " ".join(words), parent=section))
        if section is not None:
            section.block_end = number
            if not directive:
                body = (body is not False) and column > 1
    return out


# -- indent (YAML) ------------------------------------------------------------------------------------------

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


# -- none (JSON) --------------------------------------------------------------------------------------------


def _json(text: str) -> Structure:
    from wslint.sources import yaml_positions

    out = Structure()
    if not yaml_positions.looks_like_json(text):
        return out
    try:
        root = yaml_positions.load(text)
    except (yaml_positions.YamlError, RecursionError):
        return out
    if root is None:
        return out

    def scalar(node: yaml_positions.Node) -> str:
        value = node.value
        return value if isinstance(value, str) else "null" if value is None else str(value).lower()

    def last_line(node: yaml_positions.Node) -> int:
        return node.end_line - 1 if node.end_column == 1 and node.end_line > node.line else node.end_line

    def walk(node: yaml_positions.Node, parent: Statement | None) -> None:
        if node.mapping is not None and node.keys is not None:
            for name, value in node.mapping.items():
                key = node.keys[name]
                if value.is_scalar:
                    text = f"{name}: {scalar(value)}"
                    out.statements.append(Statement(key.line, key.column, last_line(value), text, parent=parent))
                    continue
                header = Statement(key.line, key.column, key.line, name, last_line(value), parent)
                out.statements.append(header)
                walk(value, header)
        elif node.items is not None:
            for item in node.items:
                label = "-"
                if item.is_scalar:
                    label = f"- {scalar(item)}"
                elif item.mapping:
                    first, value = next(iter(item.mapping.items()))
                    label = f"- {first}: {scalar(value)}" if value.is_scalar else f"- {first}"
                if item.is_scalar:
                    out.statements.append(Statement(item.line, item.column, last_line(item), label, parent=parent))
                    continue
                header = Statement(item.line, item.column, item.line, label, last_line(item), parent)
                out.statements.append(header)
                walk(item, header)

    walk(root, None)
    out.statements.sort(key=lambda s: (s.line, s.column))
    return out
