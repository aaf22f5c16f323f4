"""nginx text -> a tree of directives, with crossplane's tokens and nginx's own error messages.

crossplane's lexer (0.5.x) defines the tokens (wslint.sources.nginx_lexer yields the same
ones faster); this module builds the tree itself so that it can cover
crossplane's weak spots: an empty error on a missing final ``;`` or an unterminated
quote, a UTF-8 BOM glued to the first directive, CRLF, and the context checks that
reject an ``include`` inside ``if``. Columns are found on the source line, since
crossplane's tokens carry line numbers only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from crossplane.analyzer import analyze, enter_block_ctx
from crossplane.errors import NgxParserBaseException, NgxParserDirectiveError
from crossplane.ext.lua import LuaBlockPlugin

from wslint import templating
from wslint.sources import text as textio
from wslint.sources.nginx_lexer import lex

LuaBlockPlugin().register_extension()

MAX_DEPTH = 100
MAIN_ONLY = frozenset(
    {
        "http",
        "events",
        "stream",
        "mail",
        "worker_processes",
        "worker_rlimit_nofile",
        "worker_shutdown_timeout",
        "user",
        "pid",
        "load_module",
        "daemon",
        "master_process",
        "working_directory",
        "pcre_jit",
        "thread_pool",
        "lock_file",
        "timer_resolution",
        "worker_cpu_affinity",
        "worker_priority",
        "env",
    }
)
HTTP_LEVEL = frozenset(
    {
        "server",
        "upstream",
        "map",
        "geo",
        "split_clients",
        "limit_req_zone",
        "limit_conn_zone",
        "proxy_cache_path",
        "log_format",
        "types",
        "server_names_hash_bucket_size",
        "variables_hash_max_size",
    }
)
SERVER_LEVEL = frozenset({"location", "listen", "server_name"})


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
    # per argument: was it quoted (one shared tuple of False per length when none is)
    quoted: tuple[bool, ...] = ()
    # the line of the ";" or "{" that ends the directive: where nginx reports its errors
    term_line: int = 0


def decode(data: bytes) -> str:
    """Bytes -> text (wslint.sources.text), with nginx's error type."""
    try:
        return textio.decode(data)
    except textio.DecodeError as exc:
        raise NginxSyntaxError(exc.message, exc.line) from None


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

    def span(self, name: str, args: list[str], line: int) -> tuple[int, int]:
        """``find`` of the name, then of each non-empty argument, in one call: the directive's first
        column and the end of its last word found (one call per directive rather than per word)."""
        if not 0 < line <= len(self.lines):
            return 1, 1
        src = self.lines[line - 1]
        start = begin = self.cursor.get(line, 0)
        pos = src.find(name, start) if name else -1
        if pos < 0:
            column = start + 1
        else:
            column, start = pos + 1, pos + len(name)
        end = start + 1
        for arg in args:
            if arg:
                pos = src.find(arg, start)
                if pos >= 0:
                    start = pos + len(arg)
                end = start + 1
        if start != begin:
            self.cursor[line] = start
        return column, end


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
    # template placeholders ({{ x }} would open blocks) are read as one word each, then put back
    masked, originals = templating.mask(text)
    # crossplane's lexer drops a last token that no newline follows
    lexed = masked if masked.endswith("\n") else masked + "\n"
    tokens = lex(lexed)
    if originals:
        tokens = ((templating.unmask(token, originals), line, quoted) for token, line, quoted in tokens)
    try:
        return _tree(masked, tokens, file, columns)
    except NgxParserBaseException as exc:  # crossplane's Lua extension: a *_by_lua_block it cannot read
        raise NginxSyntaxError(exc.strerror, exc.lineno or 1) from None


def _unquoted(count: int) -> tuple[bool, ...]:
    """``(False,) * count``, one tuple per count (most directives quote nothing)."""
    found = _UNQUOTED.get(count)
    if found is None:
        found = _UNQUOTED[count] = (False,) * count
    return found


_UNQUOTED: dict[int, tuple[bool, ...]] = {}


def _tree(text: str, tokens: Iterator[tuple[str, int, bool]], file: str, columns: _Columns) -> list[Directive]:
    """The directive tree. Equal tokens share one string: a large config repeats the same names and
    arguments (``proxy_set_header``, ``Upgrade``, ``$http_upgrade``) tens of thousands of times, and
    its tree is most of a run's peak memory."""
    root: list[Directive] = []
    same: dict[str, str] = {}  # each token's first string
    one = same.setdefault
    stack: list[list[Directive]] = [root]
    name: str | None = None
    name_line = 0
    args: list[str] = []
    quoted: list[bool] = []
    for token, line, is_quoted in tokens:
        if is_quoted:
            pass
        elif token.startswith("#"):
            continue  # a comment, between directives or between a directive's arguments
        elif token in ("{", ";", "}"):
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
            col, end = columns.span(name, args, name_line)
            if name == "if" and args:
                args = _strip_if_parens(args)
            flags = tuple(quoted) if True in quoted else _unquoted(len(quoted))
            directive = Directive(name, args, file, name_line, col, end, quoted=flags, term_line=line)
            stack[-1].append(directive)
            if token == "{":
                if len(stack) > MAX_DEPTH:
                    raise NginxSyntaxError(f"nesting deeper than {MAX_DEPTH} blocks", line)
                directive.block = []
                stack.append(directive.block)
            name, args = None, []
            quoted.clear()
            continue
        if name is None:
            name, name_line = one(token, token), line
        else:
            args.append(one(token, token))
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


def root_context(directives: list[Directive]) -> str:
    names = {d.name for d in directives}
    if names & MAIN_ONLY:
        return "main"
    if names & HTTP_LEVEL:
        servers = [d for d in directives if d.name == "server" and d.block is not None]
        if servers and all(_looks_like_stream_server(s) for s in servers) and not names & {"map", "upstream"}:
            return "stream"
        return "http"
    if names & SERVER_LEVEL:
        return "server"
    return "fragment"


def _looks_like_stream_server(server: Directive) -> bool:
    block = server.block or []
    if any(d.name in ("location", "server_name", "root") for d in block):
        return False
    passes = [d for d in block if d.name == "proxy_pass" and d.args]
    return bool(passes) and all("://" not in d.args[0] for d in passes)


ROOT_CTX: dict[str, tuple[str, ...] | None] = {
    "main": (),
    "http": ("http",),
    "stream": ("stream",),
    "server": None,  # what includes bare locations is unknown
    "fragment": None,
}


def check_directives(directives: list[Directive], context: str) -> list[tuple[Directive, str]]:
    """Context and argument checks from crossplane's copy of nginx's directive table.

    Returns (directive, nginx's message) for each directive nginx -t would reject.
    Directives unknown to the table (third-party modules) are not judged; the top level
    of a file whose enclosing context is unknown gets argument checks only.
    """
    errors: list[tuple[Directive, str]] = []
    stack: list[tuple[list[Directive], tuple[str, ...], bool]] = []
    ctx = ROOT_CTX.get(context)
    stack.append((directives, ctx if ctx is not None else ("http", "location"), ctx is not None))
    while stack:
        block, block_ctx, check_ctx = stack.pop()
        for d in block:
            if d.unresolved is not None:
                continue
            stmt = {"directive": d.name, "line": d.term_line or d.line, "args": d.args}
            try:
                analyze("", stmt, "{" if d.block is not None else ";", block_ctx, check_ctx=check_ctx)
            except NgxParserDirectiveError as exc:
                errors.append((d, str(exc.strerror)))
                continue
            if d.block:
                inner = ("http", "server") if not check_ctx and d.name == "location" else block_ctx
                stack.append((d.block, enter_block_ctx(stmt, inner), True))
    return errors
