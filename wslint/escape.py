"""File names and config values as wslint prints them: data on a line, never a command.

wslint's output is read line by line by terminals and by CI runners (GitHub Actions reads stdout
and stderr for workflow commands: ``::cmd::`` at the start of a line, ``##[cmd]`` anywhere in it).
A file name or a config value may hold anything a file system or a quoted string allows, so every
value is passed through ``printable`` before it reaches a line-oriented stream, and JSON text through
``json_text``:

- C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides (text that
  displays in another order than it reads) and lone surrogates (a file name's undecodable bytes)
  are written ``\\xNN`` (below U+0100) or ``\\uNNNN``: no value breaks a line or reaches a terminal
  as an escape sequence (ESC, CSI ``\\x9b``, BEL...);
- a value that would begin with ``::`` (after blanks) has its first ``:`` written ``\\x3a``, and
  ``##[`` is written ``##\\x5b``: no value reads as a workflow command where it starts a line;
- a backslash is doubled when what follows it would read as one of these escapes (``\\``, ``x``,
  ``u``, or an escaped character), so every escape is unambiguous while an ordinary backslash
  (a regex such as ``~ \\.php$``) is printed as written.
"""

from __future__ import annotations

import re

# controls, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates, surrogates
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_CHAR = re.compile(f"[{_UNSAFE}]")
_ESCAPE_STARTS = "\\xuU"
# characters JSON text may carry only escaped: the ones json.dumps(ensure_ascii=False) leaves raw
_JSON_CHARS = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_JSON_CHAR = re.compile(f"[{_JSON_CHARS}]")
_JSON_RAW = re.compile(f"[{_JSON_CHARS}]|##\\[")


def _code(char: str) -> str:
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def printable(value: str) -> str:
    """``value`` for a line of text: one line, no control character, never a workflow command."""
    # the common case, nothing to do (isprintable is False for every character escaped here, and a few more)
    if value.isprintable() and "\\" not in value and "##[" not in value and value.lstrip()[:2] != "::":
        return value
    pieces: list[str] = []
    lead = len(value) - len(value.lstrip())
    for i, char in enumerate(value):
        if _UNSAFE_CHAR.match(char):
            pieces.append(_code(char))
        elif char == ":" and i == lead and value.startswith("::", i):
            pieces.append("\\x3a")
        elif char == "[" and value.endswith("##", 0, i):
            pieces.append("\\x5b")
        else:
            pieces.append(char)
    # a backslash followed by what reads as an escape is doubled (decided on the output, right to left)
    for i in range(len(pieces) - 2, -1, -1):
        if pieces[i] == "\\" and pieces[i + 1][0] in _ESCAPE_STARTS:
            pieces[i] = "\\\\"
    return "".join(pieces)


def has_controls(value: str) -> bool:
    """Does ``value`` hold a character ``printable`` writes as an escape (a control, a separator, a bidi control...)?"""
    return _UNSAFE_CHAR.search(value) is not None


_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}


def diff_path(path: str) -> str:
    """A path for a diff's ``---``/``+++`` line: as it is, or in double quotes with C escapes (as git writes it,
    and GNU patch reads it) when it holds a control character, ``##[``, or starts with a quote."""
    if not (has_controls(path) or "##[" in path or path.startswith('"')):
        return path
    out = []
    for char in path:
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif char in '"\\':
            out.append("\\" + char)
        elif has_controls(char) or char == "#":
            errors = "surrogateescape" if "\udc80" <= char <= "\udcff" else "surrogatepass"  # a name's raw byte
            out.append("".join(f"\\{byte:03o}" for byte in char.encode("utf-8", errors)))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def json_text(text: str) -> str:
    """JSON text (as json.dumps makes it) with DEL, C1, separators, bidi controls, surrogates and ``##[``
    written as ``\\uNNNN`` escapes: the same data, safe to print. They occur only inside strings."""
    if "##[" not in text and ("\x7f" not in text if text.isascii() else _JSON_CHAR.search(text) is None):
        return text  # the common case, checked fast (a large report is tens of megabytes)
    return _JSON_RAW.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    found = match.group()
    if found == "##[":
        return "#\\u0023["
    return f"\\u{ord(found):04x}"
