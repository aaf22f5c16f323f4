"""nginx text read two ways, by its one lexer module: tokens for the source, blocks for suppressions and fixes.

``lex``: the tokens crossplane's lexer yields, an order of magnitude faster. ``blocks``: the
statements, blocks and comments with their extents (wslint.textblocks' ``braces`` style), read
with the same rules (``#`` starts a comment only where a word could start, quotes at a word's
start, backslash escapes, ``${name}`` one variable, ``*_by_lua_block`` bodies skipped), so
suppressions, baselines and fixes see the structure the source reads. ``looks_like``: whether a
file's head reads as nginx (discovery, through the source registry).


crossplane's ``_lex_file_object`` walks the text one character at a time through three
chained generators; on a large config it is most of wslint's run time. This lexer yields
exactly the same ``(token, line, quoted)`` tuples with one regular expression per token.
The rare inputs whose handling depends on crossplane's lexer state — ``${...}`` parameter
expansion and the Lua blocks of its Lua extension — go to crossplane's own lexer, and
tests/test_nginx_lexer.py checks both lexers agree on every file of the nginx corpus.
That lexer is private: crossplane's public ``lex`` takes a file name (not text already read,
or stdin) and raises on unbalanced braces, which the source reports itself. pyproject.toml
pins crossplane to the tested release, and a test fails by name if a new one changes it.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator

from crossplane.analyzer import DIRECTIVES
from crossplane.lexer import _lex_file_object

from wslint import templating
from wslint.textblocks import Lexer, Structure, closing_brace

# one escape pair (backslash and any character) or one other character, as crossplane's _iterescape pairs them
_PLAIN = r"(?:\\[\s\S]|[^\s{};\\])"
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<special>[{};])
    | (?P<comment>\#(?:\\[^\n]|[^\n\\])*)(?:\\?\n)
    | (?P<quoted>(?P<q>["'])(?P<body>(?:\\[\s\S]|(?!(?P=q))[^\\])*)(?P=q))
    | (?P<plain>(?:\\[\s\S]|[^\s{};\\"'\#])"""
    + _PLAIN
    + r"""*)
    """,
    re.VERBOSE,
)
_HANDOVER = ("${", "_by_lua_block")


def lex(text: str) -> Iterator[tuple[str, int, bool]]:
    """``(token, line, quoted)`` for nginx text, the tokens crossplane's lexer yields for it."""
    if any(marker in text for marker in _HANDOVER):
        yield from _lex_file_object(io.StringIO(text))
        return
    line = 1
    pos = 0
    n = len(text)
    match_at = _TOKEN.match
    count = text.count
    while pos < n:
        m = match_at(text, pos)
        if m is None:  # a quote that never closes, or a lone backslash at the end: crossplane stops there
            return
        kind = m.lastgroup
        end = m.end()
        if kind == "space":
            newlines = count("\n", pos, end)
            if newlines:
                line += newlines
        elif kind == "special":
            yield text[pos], line, False
        elif kind == "plain":
            if end == n or (end == n - 1 and text[end] == "\\"):
                return  # nothing (or a lone final backslash) follows the token: crossplane's lexer never yields it
            token = m.group("plain")
            # an escaped newline counts as it is read: the token starts on the line after it when it leads
            # (line numbers above 256 are objects: a token that moves no line shares its line's, and so
            # do the directives a large config keeps of them)
            yield token, (line + 1 if token[:2] == "\\\n" else line), False
            if "\n" in token:
                line += count("\n", pos, end)
        elif kind == "comment":
            # it ends at the first newline read, escaped or not; an escaped one takes its backslash along
            yield m.group("comment"), line, False
            line += 1
        else:  # quoted
            quote = m.group("q")
            body = m.group("body")
            yield (body.replace("\\" + quote, quote) if "\\" in body else body), line, True
            if "\n" in body:
                line += count("\n", pos, end)
        pos = end


# nginx's own directive table (crossplane's copy) plus common third-party ones
NGINX_WORDS = frozenset(DIRECTIVES) | {"more_set_headers", "more_clear_headers", "ssl_preread"}
# the first word of a line that ends a statement or opens or closes a block
_FIRST_WORD = re.compile(r"^\s*([A-Za-z_][\w.-]*)\b[^\n]*?([;{}])\s*(?:#.*)?$", re.M)
_INI_SECTION = re.compile(r"^\s*\[[^\]\n]+\]\s*$", re.M)
_BLOCK_START = re.compile(r"^\s*(server|location|http)\s*\{", re.M)


def looks_like(head: str) -> bool:
    """Does a file starting so read as nginx? A line of a known directive ending in ``;``, ``{`` or ``}``; not INI."""
    if _INI_SECTION.search(head) and not _BLOCK_START.search(head):
        return False
    return any(m.group(1) in NGINX_WORDS for m in _FIRST_WORD.finditer(head))


# -- blocks: the positioned reader for suppressions, baselines and fixes ---------------------------------------------

_NGINX_SPACE = re.compile(r"[ \t\r\n\ufeff]+")
# a word runs to a blank or ; { }; a backslash escapes the next character; ${name} is one variable
_NGINX_WORD = re.compile(r"(?:[^ \t\r\n\ufeff;{}\\$]|\\.|\\\Z|\$\{[^}]*\}?|\$)+", re.S)


class _Braces(Lexer):
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


def blocks(text: str) -> Structure:
    """The statements, blocks and comments of nginx text (wslint.textblocks' ``braces`` style).

    Template placeholders are masked first, as the source reads them (nginx_syntax): ``{{ x }}`` is a
    word, never a block.
    """
    masked, originals = templating.mask(text)
    structure = _Braces(masked).run()
    if originals:
        for statement in structure.statements:
            statement.text = templating.unmask(statement.text, originals)
        structure.comments = [
            dataclasses.replace(c, text=templating.unmask(c.text, originals)) for c in structure.comments
        ]
    return structure
