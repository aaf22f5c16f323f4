"""A small Caddyfile reader with line numbers: tokens, blocks, snippets and imports. No I/O but through ``read``.

It follows Caddy's own lexer and parser (caddyconfig/caddyfile/lexer.go, parse.go) as far as wslint needs:

- tokens are separated by whitespace; ``"quoted"`` (``\\"`` escapes a quote) and ```backtick``` strings are one
  token each and may span lines; ``#`` starts a comment where a token could start; a ``\\`` before a newline
  continues the line;
- a line's first token is a directive, the rest its arguments; ``{`` opens a block and ``}`` closes it (only as
  tokens of their own: ``{host}`` and ``{$ENV}`` are placeholders inside a token);
- a file starts with an optional global options block (``{`` first), then site blocks, each with one or more
  addresses (``a.com, b.com {``); a file of one site may leave out the braces (its addresses on the first line);
- ``(name) { ... }`` defines a snippet; ``import name`` (a snippet) or ``import FILE`` (a path or glob relative to
  the importing file) puts its tokens in place of the line, as Caddy does before parsing; the caller says which
  files may be read (``resolve``), anything else is left out and reported;
- ``{$ENV}`` placeholders are kept as written (their value is unknown to wslint).

Not supported: heredocs (``<<MARKER``), snippet arguments (``{args[0]}`` stays as written), and the Caddyfile's
``caddy fmt`` rules. ``.caddyfiletest`` files (Caddy's adapter tests) hold a Caddyfile before a ``----------`` line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from wslint.textblocks import Comment, Statement, Structure

# a line of ten dashes ends the Caddyfile part of Caddy's adapter tests (caddytest/integration/caddyfile_adapt)
TEST_SEPARATOR = re.compile(r"^-{10,}[ \t]*$", re.M)
MAX_IMPORT_DEPTH = 30  # entries of the import chain (snippets and files)
MAX_NESTING = 100  # blocks inside blocks; real Caddyfiles nest a handful deep


class CaddyfileError(Exception):
    """A Caddyfile Caddy would refuse: unbalanced braces, an unterminated quote."""

    def __init__(self, message: str, file: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    file: str
    line: int
    column: int
    quoted: bool = False
    # tokens of one logical line share it (a continued line, an imported snippet's line)
    group: int = 0

    @property
    def brace_open(self) -> bool:
        return self.text == "{" and not self.quoted

    @property
    def brace_close(self) -> bool:
        return self.text == "}" and not self.quoted


@dataclass(slots=True)
class Directive:
    """A line: its first token's text, its arguments and the block it opens (None: no block)."""

    name: str
    tokens: list[Token]
    block: list[Directive] | None = None

    @property
    def args(self) -> list[Token]:
        return self.tokens[1:]

    @property
    def first(self) -> Token:
        return self.tokens[0]


@dataclass(slots=True)
class Site:
    """A site block (its addresses) or the global options block (no addresses, ``options``)."""

    keys: list[Token]
    body: list[Directive]
    at: Token
    options: bool = False


@dataclass(slots=True)
class Caddyfile:
    file: str
    options: Site | None = None
    sites: list[Site] = field(default_factory=list)
    # imports left out: (the import line's first token, the target as written, why)
    unread: list[tuple[Token, str, str]] = field(default_factory=list)


def caddyfile_part(text: str, file: str) -> str:
    """The Caddyfile of a ``.caddyfiletest`` (what comes before its ``----------`` line); other files whole."""
    if file.lower().endswith(".caddyfiletest"):
        match = TEST_SEPARATOR.search(text)
        if match is not None:
            return text[: match.start()]
    return text


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def tokenize(
    text: str, file: str, groups: _Counter | None = None, comments: list[Comment] | None = None
) -> list[Token]:
    """The tokens of a Caddyfile text, each with its line, column and logical line; its comments go to ``comments``
    when given (then an unterminated quote ends the text instead of raising CaddyfileError)."""
    groups = groups or _Counter()
    tokens: list[Token] = []
    i, n = 0, len(text)
    line, line_start = 1, 0
    group = groups.next()
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
            group = groups.next()
            i += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] == "\n":  # a continued line
            line, line_start = line + 1, i + 2
            i += 2
            continue
        if ch == "#":  # a comment where a token starts
            end = text.find("\n", i)
            end = n if end < 0 else end
            if comments is not None:
                column = i - line_start + 1
                own = not text[line_start:i].strip()
                comments.append(Comment(line, column, column + end - i, text[i:end], own))
            i = end
            continue
        start_line, column = line, i - line_start + 1
        if ch in '"`':
            quote, j, chars = ch, i + 1, []
            while j < n and text[j] != quote:
                if quote == '"' and text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\':
                    chars.append(text[j + 1])
                    j += 2
                    continue
                if text[j] == "\n":
                    line, line_start = line + 1, j + 1
                chars.append(text[j])
                j += 1
            if j >= n and comments is None:
                raise CaddyfileError(f"unterminated {quote} string", file, start_line)
            tokens.append(Token("".join(chars), file, start_line, column, True, group))
            i = j + 1
            continue
        j = i
        while j < n and text[j] not in " \t\r\n":
            if text[j] == "\\" and j + 1 < n and text[j + 1] != "\n":
                j += 2
                continue
            j += 1
        tokens.append(Token(text[i:j], file, start_line, column, False, group))
        i = j
    return tokens


def _lines(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = []
    for token in tokens:
        if out and out[-1][-1].group == token.group:
            out[-1].append(token)
        else:
            out.append([token])
    return out


def _close_of(tokens: list[Token], open_at: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``open_at``; CaddyfileError when it is missing."""
    depth = 0
    for k in range(open_at, len(tokens)):
        if tokens[k].brace_open:
            depth += 1
        elif tokens[k].brace_close:
            depth -= 1
            if depth == 0:
                return k
    opened = tokens[open_at]
    raise CaddyfileError("unclosed '{' (a '}' is missing)", opened.file, opened.line)


Resolve = Callable[[Token, str], "tuple[list[tuple[str, str]], str]"]


def _snippets(tokens: list[Token]) -> tuple[dict[str, list[Token]], list[Token]]:
    """Top-level ``(name) { ... }`` definitions taken out of the token stream."""
    snippets: dict[str, list[Token]] = {}
    rest: list[Token] = []
    k, depth = 0, 0
    while k < len(tokens):
        token = tokens[k]
        if (
            depth == 0
            and re.fullmatch(r"\(.+\)", token.text)
            and not token.quoted
            and k + 1 < len(tokens)
            and tokens[k + 1].brace_open
            and tokens[k + 1].group == token.group
        ):
            end = _close_of(tokens, k + 1)
            snippets[token.text[1:-1]] = tokens[k + 2 : end]
            k = end + 1
            continue
        if token.brace_open:
            depth += 1
        elif token.brace_close:
            depth -= 1
        rest.append(token)
        k += 1
    return snippets, rest


def _expand(
    tokens: list[Token],
    snippets: dict[str, list[Token]],
    resolve: Resolve,
    groups: _Counter,
    unread: list[tuple[Token, str, str]],
    chain: tuple[str, ...] = (),
) -> list[Token]:
    """The tokens with each ``import`` line replaced by what it imports (a snippet's or a file's tokens)."""
    out: list[Token] = []
    for line in _lines(tokens):
        head = line[0]
        if head.text != "import" or head.quoted or len(line) < 2:
            out.extend(line)
            continue
        # an import line's tokens stop before a brace on the same line (rare; kept as written)
        target = line[1].text
        tail = line[2:] if any(t.brace_open or t.brace_close for t in line[2:]) else []
        tail = [t for t in tail if t.brace_open or t.brace_close]
        depth = len(chain)
        if depth >= MAX_IMPORT_DEPTH:
            unread.append((head, target, "imports nest too deeply"))
            out.extend(tail)
            continue
        if target in snippets:
            if f"({target})" in chain:
                unread.append((head, target, "the snippet imports itself"))
                out.extend(tail)
                continue
            imported = _regroup(snippets[target], groups)
            inner = (*chain, f"({target})")
        else:
            files, why = resolve(head, target)
            if not files:
                unread.append((head, target, why))
                out.extend(tail)
                continue
            cycle = [name for name, _ in files if name in chain or name == head.file]
            if cycle:
                unread.append((head, target, f"an import cycle through {cycle[0]}"))
                out.extend(tail)
                continue
            imported = []
            inner = (*chain, head.file, *(name for name, _ in files))
            for name, text in files:
                try:
                    more, rest = _snippets(tokenize(text, name, groups))
                except CaddyfileError as exc:
                    unread.append((head, target, f"{exc.file}:{exc.line}: {exc.message}"))
                    continue
                snippets = {**snippets, **more}
                imported.extend(rest)
        out.extend(_expand(imported, snippets, resolve, groups, unread, inner))
        out.extend(tail)
    return out


def _regroup(tokens: list[Token], groups: _Counter) -> list[Token]:
    """A copy of imported tokens with logical lines of their own (a snippet imported twice stays two lines)."""
    mapping: dict[int, int] = {}
    out = []
    for token in tokens:
        if token.group not in mapping:
            mapping[token.group] = groups.next()
        out.append(Token(token.text, token.file, token.line, token.column, token.quoted, mapping[token.group]))
    return out


def _body(tokens: list[Token], start: int, end: int, depth: int = 0) -> list[Directive]:
    """The directives of tokens[start:end] (a block's inside), ``depth`` blocks deep."""
    if depth > MAX_NESTING and start < end:
        raise CaddyfileError(f"blocks nested more than {MAX_NESTING} deep are not read", tokens[start].file,
                             tokens[start].line)  # fmt: skip
    directives: list[Directive] = []
    k = start
    while k < end:
        token = tokens[k]
        if token.brace_close:
            raise CaddyfileError("unexpected '}' (no block is open)", token.file, token.line)
        if token.brace_open:  # a block without a directive: read its inside as lines of this level
            close = _close_of(tokens, k)
            directives.extend(_body(tokens, k + 1, close, depth + 1))
            k = close + 1
            continue
        line = [token]
        k += 1
        while k < end and tokens[k].group == token.group and not (tokens[k].brace_open or tokens[k].brace_close):
            line.append(tokens[k])
            k += 1
        directive = Directive(token.text, line)
        if k < end and tokens[k].brace_open and tokens[k].group == token.group:
            close = _close_of(tokens, k)
            if close >= end:
                raise CaddyfileError("unclosed '{' (a '}' is missing)", tokens[k].file, tokens[k].line)
            directive.block = _body(tokens, k + 1, close, depth + 1)
            k = close + 1
        directives.append(directive)
    return directives


def parse(text: str, file: str, resolve: Resolve | None = None) -> Caddyfile:
    """A Caddyfile's global options and sites; CaddyfileError for braces or quotes Caddy would refuse.

    ``resolve(import_token, target)`` gives the files an ``import`` of a path names, as ``(name, text)`` pairs, or
    none and why (by default no file is read).
    """
    resolve = resolve or (lambda token, target: ([], "imports of files are not read here"))
    groups = _Counter()
    snippets, tokens = _snippets(tokenize(text, file, groups))
    result = Caddyfile(file)
    tokens = _expand(tokens, snippets, resolve, groups, result.unread)
    k = 0
    if tokens and tokens[0].brace_open:
        close = _close_of(tokens, 0)
        result.options = Site([], _body(tokens, 1, close), tokens[0], options=True)
        k = close + 1
    while k < len(tokens):
        first = tokens[k]
        if first.brace_close:
            raise CaddyfileError("unexpected '}' (no block is open)", first.file, first.line)
        keys: list[Token] = []
        while k < len(tokens) and not tokens[k].brace_open and not tokens[k].brace_close:
            token = tokens[k]
            if keys and token.group != keys[-1].group and not keys[-1].text.endswith(","):
                break  # the addresses ended with their line, and no '{' follows: a site without braces
            keys.append(token)
            k += 1
        opens = bool(keys) and k < len(tokens) and tokens[k].brace_open and tokens[k].group == keys[-1].group
        if opens:
            close = _close_of(tokens, k)
            result.sites.append(Site(_addresses(keys), _body(tokens, k + 1, close), first))
            k = close + 1
            continue
        if not keys:
            close = _close_of(tokens, k)  # a second block without addresses
            result.sites.append(Site([], _body(tokens, k + 1, close), tokens[k]))
            k = close + 1
            continue
        # a single site without braces: the rest of the file is its body
        result.sites.append(Site(_addresses(keys), _body(tokens, k, len(tokens)), first))
        break
    return result


def _addresses(keys: list[Token]) -> list[Token]:
    """Site addresses with their separating commas taken off (``a.com, b.com``)."""
    out = []
    for key in keys:
        for part in key.text.split(","):
            if part.strip():
                out.append(Token(part.strip(), key.file, key.line, key.column, key.quoted, key.group))
    return out


def walk(directives: list[Directive]) -> list[Directive]:
    """Every directive of a body and of the blocks inside it, in order."""
    out: list[Directive] = []
    for directive in directives:
        out.append(directive)
        if directive.block:
            out.extend(walk(directive.block))
    return out


# -- blocks: the statements and comments for suppressions, baselines and fixes ---------------------------------------


def blocks(text: str) -> Structure:
    """The directives, blocks and comments of a Caddyfile (wslint.textblocks' ``caddyfile`` style), however broken.

    A statement is a line (with its continuations); a ``{`` ending it opens a block that a ``}`` closes.
    """
    out = Structure()
    comments: list[Comment] = []
    tokens = tokenize(caddyfile_part(text.removeprefix("\ufeff"), ".caddyfiletest"), "", comments=comments)
    out.comments = comments
    stack: list[Statement] = []
    for line in _lines(tokens):
        current: Statement | None = None
        for token in line:
            if token.brace_close:
                if stack:
                    closed = stack.pop()
                    closed.block_end = token.line
                    closed.close_column = token.column
                current = None
                continue
            if current is None:
                parent = stack[-1] if stack else None
                current = Statement(token.line, token.column, token.line, token.text, parent=parent)
                out.statements.append(current)
            elif not token.brace_open:
                current.text += " " + token.text
            current.end_line = max(current.end_line, token.line)
            current.end_column = token.column + len(token.text)
            if token.brace_open:
                current.block_end = token.line
                stack.append(current)
                current = None
    last = text.count("\n") + 1
    for statement in stack:
        statement.block_end = last
    out.lines = last
    return out
