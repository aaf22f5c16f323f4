"""HAProxy text -> sections of lines of words, by the configuration manual's own rules.

- §2.2 quoting: ``"..."`` (escapes and environment variables apply) and ``'...'``
  (everything literal); a backslash escapes the next character outside single quotes;
  ``#`` starts a comment only outside quotes and unescaped.
- §2.3 environment variables (``"$VAR"``, ``"${VAR}"``, ``"${VAR-default}"``) are expanded
  only within double quotes, and never read from the linting machine: a word holding one
  is unknown. Outside double quotes ``$`` is a plain character, as HAProxy reads it.
- §2.4 conditional blocks ``.if/.elif/.else/.endif``: a condition wslint can evaluate
  statically picks its branch; otherwise both branches are possible, and every line in
  them is marked ``conditional`` (a setting there may or may not apply).
- CRLF, a missing final newline and a UTF-8 BOM are accepted. Every word keeps its column.

A section starts at a line whose first word is a section keyword HAProxy registers;
a section keyword wslint does not know about is still a section (skipped), never
glued onto the previous proxy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wslint import templating
from wslint.textblocks import Comment, Statement, Structure

PROXY_SECTIONS = frozenset({"defaults", "frontend", "backend", "listen"})
SECTIONS = PROXY_SECTIONS | frozenset(
    "global userlist peers resolvers mailers program http-errors ring cache log-forward crt-store traces "
    "acme fcgi-app dynamic-update spoe-agent spoe-message spoe-group namespace_list".split()
)


# keywords of proxy sections that a lone unindented line may carry: never a section of its own
PROXY_KEYWORDS = frozenset(
    "mode default_backend use_backend server bind balance log maxconn retries cookie option timeout acl stats "
    "http-check hash-type compression description disabled enabled id".split()
)


class HaproxySyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class Word:
    text: str
    column: int
    end_column: int
    # holds an environment variable or a template placeholder: its value is unknown here
    unknown: bool = False


@dataclass(slots=True)
class Line:
    """One configuration line. Its words (with columns) are built only when asked for."""

    words_text: list[str]
    raw: str
    file: str
    line: int
    # inside a branch of a .if that could not be evaluated: may or may not apply
    conditional: bool = False
    parsed: list[Word] | None = None
    # the source's Location of this line, made once when first needed
    location: object = None

    @property
    def keyword(self) -> str:
        return self.words_text[0]

    @property
    def words(self) -> list[Word]:
        if self.parsed is None:
            self.parsed = split_line(self.raw, self.line)
        return self.parsed

    def texts(self) -> list[str]:
        return self.words_text

    def unknown(self, index: int) -> bool:
        """Does word ``index`` hold an environment variable or a template placeholder? (Only such lines are parsed.)"""
        return self.parsed is not None and self.parsed[index].unknown


@dataclass
class Section:
    kind: str
    name: str
    header: Line
    lines: list[Line] = field(default_factory=list)
    # defaults/frontend/backend/listen ... from <defaults>
    parent: str | None = None


@dataclass
class Config:
    file: str
    sections: list[Section] = field(default_factory=list)
    errors: list[HaproxySyntaxError] = field(default_factory=list)
    # lines of .if conditions that could not be evaluated statically
    undecided: list[int] = field(default_factory=list)


_ESCAPES = {"r": "\r", "n": "\n", "t": "\t"}
_ENV = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


_PLAIN = re.compile(r"[^ \t\v\f]+")
# HAProxy separates words with isspace() blanks and ends a line at CR or LF (haproxy -c 2.6 agrees:
# "timeout\vserver 5s" is valid, "timeout\u00a0server" is an unknown keyword, after a CR nothing is read)
BLANKS = " \t\v\f"
# what str.split() also splits on, and HAProxy does not
_OTHER_BLANKS = "\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# a line holding none of these is its blank-separated words: str.split() reads it
_SPECIAL = re.compile(f"[\"'\\\\$#{_OTHER_BLANKS}]")


# a word with no backslash and no "$" in it or in its double quotes: nothing in it to interpret
_SIMPLE_WORD = re.compile(r"""(?:[^ \t\v\f"'#\\$]+|"[^"\\$]*"|'[^']*')+""")
_BLANKS = re.compile(r"[ \t\v\f]*")
_QUOTED_PARTS = re.compile(r"""([^"']+)|"([^"]*)"|'([^']*)'""")


def split_line(text: str, number: int) -> list[Word]:
    """The words of one line (§2.2). Raises HaproxySyntaxError on an unmatched quote.

    A template placeholder (``{{ x }}``, an unquoted ``${X}``, ``%%X%%``: templating.py) is one word,
    or part of one, whose value is unknown.
    """
    masked, originals = templating.mask(text)
    if not originals:
        return _split(text, number)
    if any("\\" in original for original in originals):  # escapes apply: read as HAProxy reads the text
        masked, originals = text, []
    words = _split(masked, number)
    for word in words:
        word.text = templating.unmask(word.text, originals)
        word.unknown = word.unknown or templating.has_placeholder(word.text)
    return words


def _split(text: str, number: int) -> list[Word]:
    if not _SPECIAL.search(text):  # words split on blanks, nothing to interpret
        return [Word(m.group(), m.start() + 1, m.end() + 1) for m in _PLAIN.finditer(text)]
    simple = _split_simple(text)
    return simple if simple is not None else _split_escaped(text, number)


def _split_simple(text: str) -> list[Word] | None:
    """The words of a line whose quotes hold no escape or variable; None when it has one (or a quote left open)."""
    words: list[Word] = []
    i, n = 0, len(text)
    while True:
        i = _BLANKS.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string
        if i >= n or text[i] == "#":
            return words
        match = _SIMPLE_WORD.match(text, i)
        if match is None:
            return None
        end = match.end()
        if end < n and text[end] not in BLANKS + "#":
            return None
        token = match.group()
        if '"' in token or "'" in token:
            token = "".join(part for m in _QUOTED_PARTS.finditer(token) for part in m.groups() if part)
        words.append(Word(token, i + 1, end + 1))
        i = end


def _split_escaped(text: str, number: int) -> list[Word]:
    """The words of one line, character by character: escapes, variables, unmatched quotes."""
    stripped = text.lstrip(BLANKS)
    if stripped.startswith("#"):
        return []
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in BLANKS:
            i += 1
        if i >= n or text[i] == "#":
            break
        start = i
        out: list[str] = []
        quote = ""
        quote_start = 0
        unknown = False
        while i < n:
            ch = text[i]
            if quote == "'":
                if ch == "'":
                    quote = ""
                else:
                    out.append(ch)
                i += 1
                continue
            if ch == "\\" and i + 1 < n:
                nxt = text[i + 1]
                if nxt == "x" and i + 3 < n and all(c in "0123456789abcdefABCDEF" for c in text[i + 2 : i + 4]):
                    out.append(chr(int(text[i + 2 : i + 4], 16)))
                    i += 4
                else:
                    out.append(_ESCAPES.get(nxt, nxt))
                    i += 2
                continue
            if ch == '"':
                if quote:
                    quote = ""
                else:
                    quote, quote_start = '"', i
                i += 1
                continue
            if ch == "'" and not quote:
                quote, quote_start = "'", i
                i += 1
                continue
            if not quote and (ch in BLANKS or ch == "#"):
                break
            if ch == "$" and quote == '"' and _ENV.match(text, i):  # §2.3: expanded only within double quotes
                match = _ENV.match(text, i)
                assert match is not None
                out.append(match.group(0))
                unknown = True
                i = match.end()
                continue
            out.append(ch)
            i += 1
        if quote:
            raise HaproxySyntaxError(f"unmatched quote at position {quote_start + 1}", number, quote_start + 1)
        words.append(Word("".join(out), start + 1, i + 1, unknown))
    return words


NO_FINAL_LF = "no LF at the end of the last line: HAProxy refuses the file (it may have been truncated)"


def parse(text: str, file: str, version: tuple[int, ...] | None = None) -> Config:
    """Parse HAProxy text into sections. Errors are collected, parsing goes on."""
    if text.startswith("\ufeff"):
        text = text[1:]
    config = Config(file)
    current: Section | None = None
    # stack of (taking this branch: True/False/None=unknown, some branch already taken: True/False/None)
    conds: list[tuple[bool | None, bool | None]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if "\r" in raw:
            raw = raw[: raw.index("\r")]
        parsed: list[Word] | None = None
        if _SPECIAL.search(raw) or "{{" in raw or "%%" in raw:
            try:
                parsed = split_line(raw, number)
            except HaproxySyntaxError as exc:
                config.errors.append(exc)
                continue
            texts = [w.text for w in parsed]
        else:
            texts = raw.split()
        if not texts:
            continue
        if "{" in texts and ("if" in texts or "unless" in texts):
            brace = _unclosed_brace(texts)
            if brace is not None:
                words = parsed if parsed is not None else split_line(raw, number)
                config.errors.append(
                    HaproxySyntaxError("missing closing '}' in condition", number, words[brace].column)
                )
                continue
        keyword = texts[0]
        if keyword.startswith("."):
            _directive(keyword, texts, number, conds, config, version)
            continue
        if conds and any(taken is False for taken, _ in conds):
            continue
        conditional = bool(conds) and any(taken is None for taken, _ in conds)
        line = Line(texts, raw, file, number, conditional, parsed)
        if keyword in SECTIONS or (raw[0] not in BLANKS and _unknown_section(current, raw)):
            current = _section(line)
            config.sections.append(current)
        elif current is None:
            config.errors.append(HaproxySyntaxError(f"unknown keyword '{keyword}' out of section", number, 1))
        else:
            current.lines.append(line)
    if conds:
        last = text.count("\n") + (0 if text.endswith("\n") else 1)  # HAProxy names the last line it read
        config.errors.append(HaproxySyntaxError("non-terminated '.if' block", max(last, 1)))
    if text and not text.endswith("\n"):  # even a blank or comment last line: HAProxy 2.6 refuses the file
        config.errors.append(HaproxySyntaxError(NO_FINAL_LF, text.count("\n") + 1))
    return config


def _unclosed_brace(texts: list[str]) -> int | None:
    """The index of a ``{`` of a condition (after ``if``/``unless``) that no ``}`` closes: HAProxy refuses it."""
    start = next((i for i, t in enumerate(texts) if i and t in ("if", "unless")), None)
    if start is None:
        return None
    opened: list[int] = []
    for index in range(start + 1, len(texts)):
        if texts[index] == "{":
            opened.append(index)
        elif texts[index] == "}" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _unknown_section(current: Section | None, raw: str) -> bool:
    if current is None or raw[:1].isspace() or not current.lines:
        return False
    return opens_unknown_section(raw.split(), all(line.raw[:1].isspace() for line in current.lines))


def opens_unknown_section(words: list[str], indented_body: bool) -> bool:
    """An unindented line (its words) after a section whose body so far is all indented: a section wslint
    does not know (``healthcheck x``), when it is short and no proxy keyword.

    Treating it as a section of its own keeps its settings from being glued onto the proxy above.
    """
    return indented_body and 0 < len(words) <= 2 and words[0] not in PROXY_KEYWORDS


def _section(line: Line) -> Section:
    args = line.texts()[1:]
    parent = None
    if "from" in args:
        index = args.index("from")
        parent = args[index + 1] if index + 1 < len(args) else None
        args = args[:index]
    name = args[0] if args and line.keyword != "global" else ""
    return Section(line.keyword, name, line, parent=parent)


def _directive(
    keyword: str,
    words: list[str],
    number: int,
    conds: list[tuple[bool | None, bool | None]],
    config: Config,
    version: tuple[int, ...] | None,
) -> None:
    """.if/.elif/.else/.endif: each open block is (this branch taken, some branch already taken)."""
    expression = " ".join(words[1:])
    if keyword == ".if":
        outer_off = any(taken is False for taken, _ in conds)
        value = None if outer_off else evaluate(expression, version)
        if value is None and not outer_off:
            config.undecided.append(number)
        conds.append((value, value))
    elif keyword in (".elif", ".else"):
        if not conds:
            config.errors.append(HaproxySyntaxError(f"'{keyword}' without '.if'", number))
            return
        outer_off = any(taken is False for taken, _ in conds[:-1])
        _, done = conds[-1]
        if done is True:
            conds[-1] = (False, True)
            return
        value = True if keyword == ".else" else (None if outer_off else evaluate(expression, version))
        if value is None and not outer_off and keyword == ".elif":
            config.undecided.append(number)
        if done is False:
            conds[-1] = (value, value)
        else:  # an earlier branch may have been taken
            conds[-1] = (None if value is not False else False, True if value is True else None)
    elif keyword == ".endif":
        if not conds:
            config.errors.append(HaproxySyntaxError("'.endif' without '.if'", number))
            return
        conds.pop()
    elif keyword not in (".diag", ".notice", ".warning", ".alert"):
        config.errors.append(HaproxySyntaxError(f"unknown directive '{keyword}'", number))


_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[A-Za-z_][\w]*\([^()]*\)|[^\s()!&|]+)")


def evaluate(expression: str, version: tuple[int, ...] | None) -> bool | None:
    """A .if condition (§2.4) as True/False, or None when it depends on the run time."""
    tokens = [t for t in _TOKEN.findall(expression) if t]
    position = 0

    def peek() -> str | None:
        return str(tokens[position]) if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return str(tokens[position - 1])

    def disjunction() -> bool | None:
        value = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            value = True if value is True or right is True else (None if value is None or right is None else False)
        return value

    def conjunction() -> bool | None:
        value = negation()
        while peek() == "&&":
            take()
            right = negation()
            value = False if value is False or right is False else (None if value is None or right is None else True)
        return value

    def negation() -> bool | None:
        if peek() == "!":
            take()
            value = negation()
            return None if value is None else not value
        if peek() == "(":
            take()
            value = disjunction()
            if peek() == ")":
                take()
            return value
        token = take() if peek() is not None else ""
        return _term(token, version)

    try:
        value = disjunction()
    except (IndexError, RecursionError, ValueError):  # cut short, nested past the stack, a 5000-digit number
        return None
    return value if position == len(tokens) else None


def _version(text: str) -> tuple[int, ...] | None:
    match = re.match(r"\s*([0-9]+(?:\.[0-9]+)*)", text)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def _term(token: str, version: tuple[int, ...] | None) -> bool | None:
    call = re.fullmatch(r"([A-Za-z_]\w*)\((.*)\)", token)
    if call is None:
        if "$" in token:
            return None
        text = token.strip("\"'")
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text) != 0
        return None if text else False
    name, raw = call.groups()
    args = [a.strip().strip("\"'") for a in raw.split(",")] if raw else []
    if any("$" in a for a in args):
        return None
    if name == "streq" and len(args) == 2:
        return args[0] == args[1]
    if name == "strneq" and len(args) == 2:
        return args[0] != args[1]
    if name == "strstr" and len(args) == 2:
        return args[1] in args[0]
    if name in ("version_atleast", "version_before") and version is not None and args:
        wanted = _version(args[0])
        if wanted is None:
            return None
        width = max(len(wanted), len(version))
        have = tuple(version) + (0,) * (width - len(version))
        need = wanted + (0,) * (width - len(wanted))
        return have >= need if name == "version_atleast" else have < need
    return None  # defined(), feature(), enabled(), openssl_*: known only where HAProxy runs


# -- blocks: the sections and comments for suppressions, baselines and fixes -----------------------------------------


def comment_start(line: str) -> int | None:
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


def blocks(text: str) -> Structure:
    """The sections (blocks) and lines of HAProxy text, and its comments (wslint.textblocks' ``sections`` style)."""
    out = Structure()
    section: Statement | None = None
    body: bool | None = None  # the section's lines (but .if and the like) so far: all indented; None: none yet
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        at = comment_start(line)
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
