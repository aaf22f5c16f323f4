"""A file's text as fixes see it, and the edits they make to it: minimal, at line and column. No rules.

The text is the file's bytes decoded as they are: the line ends stay (a CRLF file keeps its
``\\r``), a leading BOM is kept aside. Lines and columns are 1-based, columns count characters,
as the model's locations do (the sources drop the ``\\r`` of a CRLF before it, never inside a line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wslint.textblocks import Structure, Style, parse


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column), exclusive; an insert when empty."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass
class FileText:
    file: str  # as the model's locations name it
    real: str
    text: str  # without the BOM
    bom: bool = False
    _lines: list[str] = field(default_factory=list, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _structures: dict[str, Structure] = field(default_factory=dict, repr=False)
    _eol: str = field(default="", repr=False)

    @classmethod
    def decode(cls, file: str, real: str, data: bytes) -> FileText:
        text = data.decode("utf-8")
        bom = text.startswith("\ufeff")
        return cls(file, real, text[1:] if bom else text, bom)

    def encode(self, text: str) -> bytes:
        return (("\ufeff" if self.bom else "") + text).encode("utf-8")

    @property
    def lines(self) -> list[str]:
        """Each line without its line end; a text ending in a newline has an empty last entry."""
        if not self._lines:
            self._lines = [line.removesuffix("\r") for line in self.text.split("\n")]
            starts, at = [], 0
            for raw in self.text.split("\n"):
                starts.append(at)
                at += len(raw) + 1
            self._starts = starts
        return self._lines

    @property
    def eol(self) -> str:
        """The line end new lines get: CRLF when most lines of the file end so."""
        if not self._eol:
            crlf = self.text.count("\r\n")
            self._eol = "\r\n" if crlf and crlf * 2 >= self.text.count("\n") else "\n"
        return self._eol

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def indent(self, number: int) -> str:
        text = self.line(number)
        return text[: len(text) - len(text.lstrip(" \t"))]

    def offset(self, line: int, column: int) -> int:
        self.lines  # noqa: B018 - fills the line starts
        return self._starts[line - 1] + column - 1

    def structure(self, style: Style) -> Structure:
        found = self._structures.get(style)
        if found is None:
            found = self._structures[style] = parse(self.text, style)
        return found

    def unit(self, around: str = "") -> str:
        """One level of indentation: a tab in a tab-indented file, else the smallest run of spaces (4 by default)."""
        if "\t" in around:
            return "\t"
        widths = [len(line) - len(line.lstrip(" ")) for line in self.lines if line.startswith(" ") and line.strip()]
        if not widths and any(line.startswith("\t") for line in self.lines):
            return "\t"
        return " " * min(widths) if widths else "    "

    # -- edits ------------------------------------------------------------------------------------
    def after_line(self, number: int, lines: list[str], indent: str) -> Edit:
        """New lines after line ``number`` (after its line end), each with ``indent``."""
        eol = self.eol
        body = "".join((indent + line if line else "") + eol for line in lines)
        if number < len(self.lines) or self.lines[-1] == "":
            return self.insert(min(number + 1, len(self.lines)), 1, body)
        # the last line, without a line end: give it one first
        last = self.text.rsplit("\n", 1)[-1]
        return self.insert(len(self.lines), len(last) + 1, eol + body.removesuffix(eol))

    def before_line(self, number: int, lines: list[str], indent: str) -> Edit:
        return self.insert(number, 1, "".join((indent + line if line else "") + self.eol for line in lines))

    def insert(self, line: int, column: int, text: str) -> Edit:
        return Edit(self.file, line, column, line, column, text)

    def replace(self, line: int, column: int, old: str, new: str) -> Edit:
        """Replace ``old``, written at (line, column)."""
        assert self.line(line)[column - 1 : column - 1 + len(old)] == old, (self.file, line, column, old)
        return Edit(self.file, line, column, line, column + len(old), new)

    def find_word(self, line: int, start_column: int, word: str) -> int | None:
        """The column of ``word`` as a whole word on ``line``, at or after ``start_column``."""
        text = self.line(line)
        at = start_column - 1
        while True:
            at = text.find(word, at)
            if at < 0:
                return None
            before = text[at - 1] if at > 0 else " "
            after = text[at + len(word)] if at + len(word) < len(text) else " "
            if before in " \t\"'=:" and after in " \t;\"',}#":
                return at + 1
            at += 1


def apply(text: FileText, edits: list[Edit]) -> str:
    """The text with ``edits`` made; they must not overlap (inserts at one place keep their order)."""
    spans = sorted(
        ((text.offset(e.line, e.column), text.offset(e.end_line, e.end_column), i, e) for i, e in enumerate(edits)),
        key=lambda s: (s[0], s[2]),
    )
    out: list[str] = []
    at = 0
    for start, end, _, edit in spans:
        out.append(text.text[at:start])
        out.append(edit.text)
        at = max(at, end)
    out.append(text.text[at:])
    return "".join(out)
