"""Apache httpd text -> directives and ``<Section>`` blocks, by httpd 2.4's own reading rules.

The rules (server/util.c ``ap_cfg_getline``, ``ap_getword_conf``; server/config.c ``ap_build_config``),
checked against ``apache2 -t`` 2.4.71:

- a line ending in ``\\`` continues on the next line (the backslash and the line end are dropped); a
  backslash followed by blanks is no continuation;
- a logical line whose first non-blank character is ``#`` is a comment, continuation lines included;
  ``#`` anywhere else is an argument (``Timeout 5 # x`` gives Timeout two arguments: refused);
- arguments are separated by blanks; an argument that starts with ``"`` or ``'`` runs to the matching
  quote (``\\"`` inside is a quote), a quote inside a word is an ordinary character, an unmatched quote
  runs to the end of the line;
- ``<Name args>`` opens a section, ``</Name>`` closes it (names are case-insensitive); a section line
  without its closing ``>``, a section left open at the end of the file (but a true ``<IfModule>``/``<IfDefine>``,
  which Apache accepts open), a ``</X>`` with no open ``<X>`` or closing another section are syntax errors
  (``apache2 -t`` refuses them);
- ``${NAME}`` is a variable (``Define``): it is resolved later, in file order (wslint.sources.apache_files).

Every word keeps its line and column. ``blocks`` gives the block structure for suppressions and baselines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wslint.textblocks import Comment, Statement, Structure

BLANKS = " \t\v\f\r"
# left open at the end of the text, these are refused only when their condition is false (apache2 -t 2.4.71:
# "<IfModule mpm_event_module>" unclosed with the module loaded is "Syntax OK", with a module not loaded
# "Expected </IfModule> before end of configuration"): wslint cannot always know, so it says nothing
CONDITIONAL_CONTAINERS = frozenset({"ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection"})


class ApacheSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class Word:
    text: str
    line: int
    column: int
    end_column: int
    # holds a ${VAR} that no visible Define gives a value: its value is unknown
    unknown: bool = False


@dataclass(eq=False)
class Directive:
    """One directive, or a section (``block`` is its body, in order)."""

    name: str
    args: list[Word]
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    block: list[Directive] | None = None
    # the line of the section's closing tag
    close_line: int | None = None
    # inside a conditional section whose condition wslint cannot decide: may or may not apply
    conditional: bool = False

    @property
    def lower(self) -> str:
        return self.name.lower()

    def texts(self) -> list[str]:
        return [w.text for w in self.args]

    def unknown(self) -> bool:
        return any(w.unknown for w in self.args)


@dataclass
class Config:
    file: str
    directives: list[Directive] = field(default_factory=list)
    errors: list[ApacheSyntaxError] = field(default_factory=list)


@dataclass(slots=True)
class _Logical:
    """A logical line: its text, and the (line, column) of each of its characters."""

    text: str
    places: list[tuple[int, int]]
    first: int
    last: int


def logical_lines(text: str) -> list[_Logical]:
    """The text's logical lines (continuations joined), every character with its place."""
    out: list[_Logical] = []
    chars: list[str] = []
    places: list[tuple[int, int]] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        if not chars:
            first = number
        if raw.endswith("\\"):
            chars.extend(raw[:-1])
            places.extend((number, c) for c in range(1, len(raw)))
            continue
        chars.extend(raw)
        places.extend((number, c) for c in range(1, len(raw) + 1))
        out.append(_Logical("".join(chars), places, first, number))
        chars, places = [], []
    if chars:
        out.append(_Logical("".join(chars), places, first, text.count("\n") + 1))
    return out


def split_words(logical: _Logical, start: int, end: int) -> list[Word]:
    """The arguments in ``logical.text[start:end]`` as ``ap_getword_conf`` reads them."""
    text, places = logical.text, logical.places
    words: list[Word] = []
    i = start
    while i < end:
        while i < end and text[i] in BLANKS:
            i += 1
        if i >= end:
            break
        begin = i
        quote = text[i] if text[i] in "\"'" else ""
        if quote:
            i += 1
            out: list[str] = []
            while i < end and text[i] != quote:
                if text[i] == "\\" and i + 1 < end and text[i + 1] == quote:
                    i += 1
                out.append(text[i])
                i += 1
            value = "".join(out)
            i = min(i + 1, end)
        else:
            while i < end and text[i] not in BLANKS:
                i += 1
            value = text[begin:i]
        line, column = places[begin]
        end_line, end_column = places[i - 1]
        words.append(Word(value, line, column, end_column + 1 if end_line == line else column + len(value)))
    return words


def _lstrip(text: str) -> int:
    i = 0
    while i < len(text) and text[i] in BLANKS:
        i += 1
    return i


def parse(text: str, file: str) -> Config:
    """Parse Apache text into directives and sections. Errors are collected; the first one is what
    ``apache2 -t`` reports, the rest are best effort."""
    if text.startswith("\ufeff"):
        text = text[1:]
    config = Config(file)
    stack: list[Directive] = []
    body = config.directives
    for logical in logical_lines(text):
        start = _lstrip(logical.text)
        content = logical.text.rstrip(BLANKS)
        if start >= len(content) or content[start] == "#":
            continue
        line, column = logical.places[start]
        end_line, end_column = logical.places[len(content) - 1]
        if content.startswith("</", start):
            name = content[start + 2 :].rstrip(">").strip(BLANKS)
            if not stack:
                config.errors.append(ApacheSyntaxError(f"</{name}> without matching <{name}> section", line, column))
                continue
            if stack[-1].lower != name.lower():
                config.errors.append(ApacheSyntaxError(f"Expected </{stack[-1].name}> but saw </{name}>", line, column))
            section = stack.pop()
            section.close_line = end_line
            body = stack[-1].block if stack else config.directives  # type: ignore[assignment]
            continue
        if content[start] == "<":
            words = split_words(logical, start + 1, len(content))
            name = words[0].text if words else ""
            if not content.endswith(">"):
                config.errors.append(ApacheSyntaxError(f"<{name}> directive missing closing '>'", line, column))
                continue
            words = split_words(logical, start + 1, len(content) - 1)
            if not words:
                config.errors.append(ApacheSyntaxError("empty section name", line, column))
                continue
            if len(words) == 1:
                config.errors.append(
                    ApacheSyntaxError(f"<{words[0].text}> directive requires additional arguments", line, column)
                )
            section = Directive(words[0].text, words[1:], file, line, column, end_line, end_column + 1, block=[])
            body.append(section)
            stack.append(section)
            body = section.block  # type: ignore[assignment]
            continue
        words = split_words(logical, start, len(content))
        body.append(Directive(words[0].text, words[1:], file, line, column, end_line, end_column + 1))
    sections = [section for section in stack if section.lower not in CONDITIONAL_CONTAINERS]
    if sections:
        first = sections[0]
        config.errors.append(ApacheSyntaxError(f"<{first.name}> was not closed", first.line, first.column))
    if stack:
        for section in stack:
            section.close_line = text.count("\n") + 1
    return config


def walk(directives: list[Directive]) -> list[Directive]:
    """Every directive and section, depth first, in file order."""
    out: list[Directive] = []
    for directive in directives:
        out.append(directive)
        if directive.block is not None:
            out.extend(walk(directive.block))
    return out


# -- blocks: the sections and comments for suppressions, baselines and fixes -----------------------------------------


def blocks(text: str) -> Structure:
    """The sections (blocks), directives and comments of Apache text (wslint.textblocks' ``apache`` style).

    A comment is a whole line (Apache has no end-of-line comments): suppressions go on their own line.
    """
    out = Structure()
    stack: list[Statement] = []
    for logical in logical_lines(text.removeprefix("\ufeff")):
        start = _lstrip(logical.text)
        content = logical.text.rstrip(BLANKS)
        if start >= len(content):
            continue
        line, column = logical.places[start]
        end_line, _ = logical.places[len(content) - 1]
        if content[start] == "#":
            out.comments.append(Comment(line, column, column + len(content) - start, content[start:], True))
            continue
        parent = stack[-1] if stack else None
        if content.startswith("</", start):
            if stack:
                stack.pop().block_end = end_line
            continue
        words = " ".join(content[start:].split())
        statement = Statement(line, column, end_line, words, parent=parent)
        out.statements.append(statement)
        if content[start] == "<":
            statement.block_end = end_line
            stack.append(statement)
    last = text.count("\n") + 1
    for statement in stack:
        statement.block_end = last
    return out
