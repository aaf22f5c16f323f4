"""nginx text -> a tree of directives, with crossplane's lexer and nginx's own error messages.

crossplane (0.5.x) tokenises; this module builds the tree itself so that it can cover
crossplane's weak spots: an empty error on a missing final ``;`` or an unterminated
quote, a UTF-8 BOM glued to the first directive, CRLF, and the context checks that
reject an ``include`` inside ``if``. Columns are found on the source line, since
crossplane's tokens carry line numbers only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from crossplane.ext.lua import LuaBlockPlugin
from crossplane.lexer import _lex_file_object

LuaBlockPlugin().register_extension()

MAX_DEPTH = 100


class NginxSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class Directive:
    name: str
    args: list[str]
    file: str
    line: int
    column: int
    end_column: int
    block: list[Directive] | None = None
    # set on an ``include`` whose target could not be read in full
    unresolved: str | None = None
    # for a dump (``nginx -T``): the file this directive came from
    origin: str | None = None
    quoted: list[bool] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Bytes -> text: NUL means binary, invalid UTF-8 is an error, BOM and CRLF are dropped."""
    if b"\x00" in data:
        raise NginxSyntaxError("binary file (contains NUL bytes)", data[: data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NginxSyntaxError(f"undecodable bytes (not UTF-8) at byte {exc.start}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


class _Columns:
    """Finds tokens on their source lines, left to right, for column numbers."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.cursor: dict[int, int] = {}

    def find(self, token: str, line: int) -> tuple[int, int]:
        if not 0 < line <= len(self.lines):
            return 1, 1
        src = self.lines[line - 1]
        start = self.cursor.get(line, 0)
        pos = src.find(token, start) if token else -1
        if pos < 0:
            return start + 1, start + 1
        self.cursor[line] = pos + len(token)
        return pos + 1, pos + len(token) + 1


def _unterminated_quote(text: str) -> int | None:
    """Line of a quote that is never closed, following nginx's lexer rules."""
    line = 1
    quote = ""
    start = 0
    i = 0
    in_token = False
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                line += 1
            i += 2
            continue
        if ch == "\n":
            line += 1
        if quote:
            if ch == quote:
                quote = ""
        elif ch == "#" and not in_token:
            end = text.find("\n", i)
            if end < 0:
                break
            i = end
            continue
        elif ch in "\"'" and not in_token:
            quote, start = ch, line
        elif ch.isspace() or ch in "{};":
            in_token = False
        else:
            in_token = True
        i += 1
    return start if quote else None


def parse(text: str, file: str) -> list[Directive]:
    """Parse nginx text into directives. Raises NginxSyntaxError with nginx's wording."""
    columns = _Columns(text)
    root: list[Directive] = []
    stack: list[list[Directive]] = [root]
    name: str | None = None
    name_line = 0
    args: list[str] = []
    quoted: list[bool] = []
    for token, line, is_quoted in _lex_file_object(io.StringIO(text)):
        if not is_quoted and token.startswith("#") and name is None:
            continue
        if not is_quoted and token in ("{", ";", "}"):
            if token == "}":
                if name is not None:
                    raise NginxSyntaxError('unexpected "}"', line, columns.find("}", line)[0])
                if len(stack) == 1:
                    raise NginxSyntaxError('unexpected "}"', line, columns.find("}", line)[0])
                stack.pop()
                columns.find("}", line)
                continue
            if name is None:
                raise NginxSyntaxError(f'unexpected "{token}"', line, columns.find(token, line)[0])
            col, end = columns.find(name, name_line)
            for arg in args:
                if arg:
                    _, end = columns.find(arg, name_line) if name_line else (col, end)
            if name == "if" and args:
                args = _strip_if_parens(args)
            directive = Directive(name, args, file, name_line, col, end, quoted=quoted)
            stack[-1].append(directive)
            if token == "{":
                if len(stack) > MAX_DEPTH:
                    raise NginxSyntaxError(f"nesting deeper than {MAX_DEPTH} blocks", line)
                directive.block = []
                stack.append(directive.block)
            name, args, quoted = None, [], []
            continue
        if not is_quoted and token.startswith("#"):
            continue  # a comment between a directive's arguments
        if name is None:
            name, name_line = token, line
        else:
            args.append(token)
            quoted.append(is_quoted)
    quote_line = _unterminated_quote(text) if (name is not None or len(stack) > 1) else None
    if quote_line is not None:
        raise NginxSyntaxError("unterminated quoted string", quote_line)
    eof_line = text.count("\n") + 1  # nginx reports the line after the last newline
    if name is not None:
        raise NginxSyntaxError('unexpected end of file, expecting ";" or "}"', eof_line)
    if len(stack) > 1:
        raise NginxSyntaxError('unexpected end of file, expecting "}"', eof_line)
    return root


def _strip_if_parens(args: list[str]) -> list[str]:
    """Remove the parentheses around an ``if`` condition, as crossplane's parser does."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args = list(args)
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        return [a for i, a in enumerate(args) if a or 0 < i < len(args) - 1]
    return args
