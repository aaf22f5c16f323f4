"""nginx tokens, as crossplane's lexer yields them, an order of magnitude faster.

crossplane's ``_lex_file_object`` walks the text one character at a time through three
chained generators; on a large config it is most of wslint's run time. This lexer yields
exactly the same ``(token, line, quoted)`` tuples with one regular expression per token.
The rare inputs whose handling depends on crossplane's lexer state — ``${...}`` parameter
expansion and the Lua blocks of its Lua extension — go to crossplane's own lexer, and
tests/test_nginx_lexer.py checks both lexers agree on every file of the nginx corpus.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from crossplane.lexer import _lex_file_object

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
