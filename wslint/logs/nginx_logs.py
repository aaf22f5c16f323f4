"""nginx's error and access logs.

Error log (ngx_log_error_core, src/core/ngx_log.c): ``2024/03/22 05:28:30 [info] 41#41: *7 upstream timed out (110:
Connection timed out) while proxying upgraded connection, client: …, server: …, request: "GET /ws/ HTTP/1.1", …``.
An upgraded connection that idles past ``proxy_read_timeout`` is logged so (ngx_http_upstream_process_upgraded,
src/http/ngx_http_upstream.c; the log action "proxying upgraded connection"), at level ``info``: the default
``error_log … error`` hides it.

Access log: one line per request when it ends; for a ``101`` the request lasted as long as the tunnel, so
``$request_time`` is the WebSocket's lifetime. The line's shape is the ``log_format`` the config names, read from
the run's nginx files (``combined``, nginx's predefined format, has no duration).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wslint.logs.events import Close
from wslint.model import Location

ERROR_LINE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*)$")
_TIMED_OUT = re.compile(r"^(upstream|client) timed out \(\d+: [^)]*\) while proxying upgraded connection")
_REQUEST = re.compile(r', request: "[A-Z]+ ([^" ?]*)')
COMBINED = (  # nginx's predefined format (ngx_http_log_module)
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
)
LEVELS = ("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg")


def error_closes(lines: Iterable[tuple[int, str]], file: str) -> Iterator[Close]:
    """The upgraded connections an nginx error log says timed out."""
    for number, line in lines:
        found = ERROR_LINE.match(line)
        if found is None:
            continue
        timed = _TIMED_OUT.match(found.group(2))
        if timed is None:
            continue
        request = _REQUEST.search(line)
        side = timed.group(1)
        yield Close(location=Location(file=file, line=number), text=line, reader="nginx-error",
                    timed_out=f"{side} timed out while proxying upgraded connection", side=side,
                    uri=request.group(1) if request else None)  # fmt: skip


@dataclass(slots=True)
class LogFormat:
    """A ``log_format`` compiled to a regular expression, with where it is written."""

    name: str
    pattern: re.Pattern[str]
    variables: tuple[str, ...]
    location: Location | None  # None: nginx's predefined combined

    def has_duration(self) -> bool:
        return "request_time" in self.variables


# the shape each variable's value takes in a line; any other variable is any text up to what follows it
_SHAPES = {
    "status": r"\d{3}",
    "request_time": r"\d+(?:\.\d+)?",
    "request": r"[^\"]*",
    "time_local": r"[^\]]*",
    "remote_addr": r"\S+",
}


def compile_format(name: str, template: str, location: Location | None) -> LogFormat:
    """``log_format NAME TEXT…`` as a regex: each ``$variable``/``${variable}`` a group, the rest literal."""
    parts: list[str] = []
    names: list[str] = []
    pos = 0
    for found in re.finditer(r"\$\{(\w+)\}|\$(\w+)", template):
        parts.append(re.escape(template[pos : found.start()]))
        variable = found.group(1) or found.group(2)
        shape = _SHAPES.get(variable, r".*?")
        if variable in names:
            parts.append(f"(?:{shape})")
        else:
            names.append(variable)
            parts.append(f"(?P<{variable}>{shape})")
        pos = found.end()
    parts.append(re.escape(template[pos:]))
    return LogFormat(name, re.compile("^" + "".join(parts) + "$"), tuple(names), location)


def access_closes(lines: Iterable[tuple[int, str]], file: str, fmt: LogFormat) -> Iterator[Close]:
    """The WebSockets (status 101) an access log in ``fmt`` shows, with their lifetimes when it has one."""
    for number, line in lines:
        found = fmt.pattern.match(line)
        if found is None:
            continue
        fields = found.groupdict()
        if fields.get("status") != "101":
            continue
        uri = fields.get("uri") or fields.get("request_uri")
        if uri is None and fields.get("request"):
            words = fields["request"].split()
            uri = words[1] if len(words) >= 2 else None
        seconds = fields.get("request_time")
        yield Close(location=Location(file=file, line=number), text=line, reader="nginx-access",
                    lifetime=float(seconds) if seconds else None,
                    uri=uri.split("?", 1)[0] if uri else None)  # fmt: skip


def config_formats(text: str, file: str) -> tuple[list[LogFormat], list[tuple[str, Location]], dict[str, str]]:
    """The ``log_format``s of one nginx file, its ``error_log`` levels (level, where) for the note on ``info``, and
    the log files it names (file name -> ``error`` or the access log's format name: ``combined`` by default)."""
    from wslint.sources.nginx_lexer import lex

    formats: list[LogFormat] = []
    levels: list[tuple[str, Location]] = []
    named: dict[str, str] = {}
    statement: list[tuple[str, int, bool]] = []
    for token in lex(text):
        word, _line, quoted = token
        if not quoted and word in (";", "{", "}"):
            if statement and not statement[0][2]:
                head, line = statement[0][0], statement[0][1]
                args = [t[0] for t in statement[1:]]
                if head == "log_format" and len(args) >= 2:
                    escape = args[1].startswith("escape=")
                    body = args[2:] if escape else args[1:]
                    formats.append(compile_format(args[0], "".join(body), Location(file=file, line=line)))
                elif head == "error_log" and args:
                    levels.append((args[1] if len(args) > 1 else "error", Location(file=file, line=line)))
                    named[posixpath.basename(args[0])] = "error"
                elif head == "access_log" and args and args[0] != "off":
                    named[posixpath.basename(args[0])] = args[1] if len(args) > 1 else "combined"
            statement = []
            continue
        statement.append(token)
    return formats, levels, named


def looks_like_error_log(head: list[str]) -> bool:
    return any(ERROR_LINE.match(line) for line in head)
