"""Fixes for nginx: WS101-WS106, WS401, and the nginx side of WS201/WS301.

Directives are inserted into the block the model names, after its last ``proxy_pass``,
``proxy_http_version`` or ``proxy_set_header`` (else after its last statement), with the
indentation of their neighbours. ``proxy_set_header`` lines go to the block whose list is in
effect, so that adding one never hides the headers an outer level sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from wslint.checks.upgrade import is_hidden, last_header
from wslint.fix import Context, Fix, Unfixable, fixer
from wslint.fix.text import Edit, FileText
from wslint.hops import NGINX, NGINX_HTTP
from wslint.model import Document, Duration, Header, Hop, Location, NginxRoute, Route, format_seconds
from wslint.textblocks import Statement

ANCHORS = ("proxy_pass", "proxy_http_version", "proxy_set_header", "proxy_read_timeout", "proxy_send_timeout")
# where a new directive goes: after the last of the first group the block has (else after ANCHORS)
NEIGHBOURS: dict[str, tuple[tuple[str, ...], ...]] = {
    "proxy_http_version": (("proxy_pass",),),
    "proxy_set_header": (("proxy_set_header",), ("proxy_http_version",), ("proxy_pass",)),
    "proxy_read_timeout": (("proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout"),),
}
MAP_VARIABLE = "$connection_upgrade"
WORKER_SHUTDOWN_TIMEOUT = "30s"


def _routes(context: Context) -> Iterator[tuple[Document, Hop, Route, NginxRoute]]:
    for document in context.model.documents:
        for hop in document.hops:
            if hop.kind.family is not NGINX:
                continue
            for route in hop.routes:
                if isinstance(route.dialect, NginxRoute):
                    yield document, hop, route, route.dialect


def _statement(text: FileText, where: Location) -> Statement:
    found = text.structure("braces").statement_at(where.line or 1, where.column)
    if found is None:
        raise Unfixable(f"cannot find the directive at {where}")
    return found


def _children(text: FileText, block: Statement | None) -> list[Statement]:
    return text.structure("braces").children(block)


def _written(context: Context, where: Location) -> str:
    """A one-line directive as it is written, with its ``;`` (quotes and inner spaces kept)."""
    text = context.read(where.file)
    statement = _statement(text, where)
    if statement.end_line != statement.line or statement.end_column is None:
        return statement.text + ";"
    return text.line(statement.line)[statement.column - 1 : statement.end_column]


def _name(statement: Statement) -> str:
    return statement.text.split(" ", 1)[0]


def insert_in_block(text: FileText, block: Statement, directives: list[str]) -> Edit:
    """``directives`` as new lines in the block: after their kin, else after the proxy settings, else last."""
    if block.block_end is None:
        raise Unfixable(f"{text.file}:{block.line} does not open a block")
    children = _children(text, block)
    name = directives[-1].split(" ", 1)[0]
    anchor = None
    for names in (*NEIGHBOURS.get(name, ()), ANCHORS):
        kin = [s for s in children if _name(s) in names]
        if kin:
            anchor = kin[-1]
            break
    anchor = anchor or (children[-1] if children else None)
    if anchor is not None and anchor.last_line < block.block_end:
        return text.after_line(anchor.last_line, directives, text.indent(anchor.line))
    closing = text.line(block.block_end)
    alone = block.close_column is not None and not closing[: block.close_column - 1].strip()
    if alone and block.block_end > block.end_line:
        indent = text.indent(block.line)
        indent = text.indent(children[0].line) if children else indent + text.unit(indent)
        return text.before_line(block.block_end, directives, indent)
    if block.close_column is None:
        raise Unfixable(f"the block at {text.file}:{block.line} is not closed")
    before = closing[block.close_column - 2] if block.close_column > 1 else " "
    inline = " ".join(directives)
    return text.insert(block.block_end, block.close_column, (inline + " ") if before in " \t" else (" " + inline + " "))


def block_at(context: Context, where: Location) -> tuple[FileText, Statement]:
    text = context.text(where.file)
    return text, _statement(text, where)


def replace_value(text: FileText, where: Location, directive: str, old: str, new: str) -> Edit:
    """Replace the first argument ``old`` of the directive at ``where``."""
    statement = _statement(text, where)
    for line in range(statement.line, statement.end_line + 1):
        start = (statement.column + len(directive)) if line == statement.line else 1
        column = text.find_word(line, start, old)
        if column is not None:
            return text.replace(line, column, old, new)
    raise Unfixable(f"cannot find {old!r} in the directive at {where}")


# -- WS101 ---------------------------------------------------------------------------------------------------


@fixer("WS101")
def http_version(context: Context) -> Iterator[Fix]:
    seen: set[Location] = set()
    for _, _, route, up in _routes(context):
        where = up.http_version_location
        if where is None or up.http_version in (None, "1.1") or where in seen:
            continue
        seen.add(where)
        if up.http_version_default:

            def insert(where: Location = where) -> list[Edit]:
                text, block = block_at(context, where)
                return [insert_in_block(text, block, ["proxy_http_version 1.1;"])]

            yield context.make("WS101", where, f"add `proxy_http_version 1.1;` to {route.name}", insert)
        else:
            version = up.http_version or ""

            def change(where: Location = where, version: str = version) -> list[Edit]:
                return [replace_value(context.text(where.file), where, "proxy_http_version", version, "1.1")]

            yield context.make("WS101", where, f"change `proxy_http_version {version}` to 1.1", change)


# -- WS102, WS103, WS105, WS106: the headers and the map ---------------------------------------------------------


def _headers_edit(context: Context, route: Route, up: NginxRoute, lines: list[str]) -> Edit:
    """New proxy_set_header lines for a route, in its own block.

    When the list in effect is an outer level's, the new lines would hide it: the outer
    headers are copied in first, so the route keeps sending them.
    """
    text, block = block_at(context, route.location)
    if up.headers_block is not None and up.headers_block != route.location:
        # a stock include's headers all point at its include line: that line is copied once
        inherited = dict.fromkeys(_written(context, h.location) for h in up.headers or ())
        lines = [*inherited, *lines]
    return insert_in_block(text, block, lines)


@fixer("WS102", "WS103")
def upgrade_headers(context: Context) -> Iterator[Fix]:
    """The missing Upgrade and Connection headers of a route (one edit for both), or a wrong Connection value."""
    for document, _, route, up in _routes(context):
        if up.headers is None:
            continue
        upgrade = context.reported("WS102", route.location) and last_header(up, "upgrade") is None
        upgrade = upgrade and not is_hidden(up, "upgrade")
        header = last_header(up, "connection")
        connection = context.reported("WS103", route.location) and header is None and not is_hidden(up, "connection")
        if upgrade or connection:

            def insert(
                document: Document = document, route: Route = route, up: NginxRoute = up, upgrade: bool = upgrade,
                connection: bool = connection,
            ) -> list[Edit]:  # fmt: skip
                lines = ["proxy_set_header Upgrade $http_upgrade;"] if upgrade else []
                extra: list[Edit] = []
                if connection:
                    value, extra = _connection(context, document, route)
                    lines.append(f"proxy_set_header Connection {value};")
                return [_headers_edit(context, route, up, lines), *extra]

            if upgrade:
                yield context.make(
                    "WS102", route.location, f"add `proxy_set_header Upgrade $http_upgrade;` to {route.name}", insert
                )
            if connection:
                yield context.make(
                    "WS103", route.location, f"add `proxy_set_header Connection` to {route.name}", insert
                )
        elif header is not None and "$" not in header.value and "upgrade" not in header.value.lower():

            def change(document: Document = document, route: Route = route, header: Header = header) -> list[Edit]:
                value, extra = _connection(context, document, route)
                return [_replace_header_value(context, header, value), *extra]

            yield context.make(
                "WS103", header.location, f"send `Connection` from the upgrade map for {route.name}", change
            )


def _maps(context: Context, document: Document) -> dict[str, tuple[FileText, Statement]]:
    """Every ``map`` block of the document's files, by the variable it defines (lower case)."""
    return context.memo(("nginx maps", id(document)), lambda: _find_maps(context, document))


def _find_maps(context: Context, document: Document) -> dict[str, tuple[FileText, Statement]]:
    found: dict[str, tuple[FileText, Statement]] = {}
    for file in [document.file, *document.files]:
        try:
            text = context.read(file)
        except Unfixable:
            continue
        for statement in text.structure("braces").statements:
            words = statement.text.split()
            if statement.block_end is not None and len(words) >= 3 and words[0] == "map":
                found.setdefault(words[2].lower(), (text, statement))
    return found


def _empty_entry(text: FileText, block: Statement) -> Statement | None:
    """The ``'' value;`` entry of a map block."""
    return next((s for s in _children(text, block) if s.text.split(" ", 1)[0] in ("''", '""')), None)


def map_lines(variable: str, keepalive: bool) -> list[str]:
    """nginx's documented map; with an empty value for plain requests where the upstream keeps connections alive."""
    return [
        f"map $http_upgrade {variable} {{",
        "\tdefault upgrade;",
        "\t'' \"\";" if keepalive else "\t'' close;",
        "}",
    ]


def _indented(text: FileText, lines: list[str], indent: str) -> list[str]:
    unit = text.unit(indent)
    return [line.replace("\t", unit) for line in lines]


def add_map(context: Context, document: Document, route: Route, variable: str, keepalive: bool) -> Edit:
    """The map at http level: before the server block that holds the route, else first in the http block."""
    text, statement = block_at(context, route.location)
    server = next((s for s in reversed(statement.chain()) if _name(s) == "server"), None)
    if server is not None and server.column == len(text.indent(server.line)) + 1:
        parent = server.parent
        top_of_http_file = parent is None and text.file == document.file and document.context == "http"
        if top_of_http_file or (parent is not None and _name(parent) == "http"):
            indent = text.indent(server.line)
            return text.before_line(server.line, [*_indented(text, map_lines(variable, keepalive), indent), ""], indent)
    if document.context == "main":
        root = context.text(document.file)
        http = next((s for s in _children(root, None) if _name(s) == "http" and s.block_end is not None), None)
        if http is not None:
            children = _children(root, http)
            first = next((s for s in children if s.block_end is not None or _name(s) == "include"), None)
            lines = map_lines(variable, keepalive)
            if first is not None and first.column == len(root.indent(first.line)) + 1:
                indent = root.indent(first.line)
                return root.before_line(first.line, _indented(root, lines, indent), indent)
            return insert_in_block(root, http, [" ".join(line.strip() for line in lines)])
    raise Unfixable(
        f"the http context is not in the linted files, so wslint cannot tell whether {variable} is defined: "
        f"define it at http level with `{' '.join(line.strip() for line in map_lines(variable, keepalive))}`"
    )


def _keepalive(context: Context, document: Document) -> bool:
    """Does any WebSocket route of the document proxy to an upstream that keeps connections alive?"""
    return any(up.upstream_keepalive for d, _, _, up in _routes(context) if d is document)


def _connection(context: Context, document: Document, route: Route) -> tuple[str, list[Edit]]:
    """The Connection value to send, and the edits that define it (the map, when none exists)."""
    maps = _maps(context, document)
    if MAP_VARIABLE in maps:
        return MAP_VARIABLE, []
    try:
        return MAP_VARIABLE, [add_map(context, document, route, MAP_VARIABLE, _keepalive(context, document))]
    except Unfixable:
        if route.websocket_path:  # a WebSocket-only location needs no map
            return '"upgrade"', []
        raise


def _replace_header_value(context: Context, header: Header, value: str) -> Edit:
    text = context.text(header.location.file)
    statement = _statement(text, header.location)
    raw = statement.text.split(" ", 2)[2] if statement.text.count(" ") >= 2 else None
    if raw is None:
        raise Unfixable(f"cannot read the value at {header.location}")
    return replace_value(text, header.location, f"proxy_set_header {header.name}", raw, value)


@fixer("WS105")
def connection_map(context: Context) -> Iterator[Fix]:
    for document, _, route, up in _routes(context):
        header = last_header(up, "connection")
        if header is None or not up.connection_map_missing or not re.fullmatch(r"\$\w+", header.value):
            continue

        def add(document: Document = document, route: Route = route, variable: str = header.value) -> list[Edit]:
            return [add_map(context, document, route, variable, _keepalive(context, document))]

        yield context.make("WS105", header.location, f"define {header.value} with nginx's upgrade map", add)


@fixer("WS106")
def connection_keepalive(context: Context) -> Iterator[Fix]:
    for document, _, route, up in _routes(context):
        header = last_header(up, "connection")
        if header is None or route.websocket_path or not up.upstream_keepalive:
            continue
        value = header.value.lower()
        if "$" not in value and "upgrade" in value:

            def variable(document: Document = document, route: Route = route, header: Header = header) -> list[Edit]:
                maps = _maps(context, document)
                edits = [_replace_header_value(context, header, MAP_VARIABLE)]
                if MAP_VARIABLE in maps:
                    text, block = maps[MAP_VARIABLE]
                    entry = _empty_entry(text, block)
                    if entry is None or entry.text.split(" ", 1)[-1] not in ('""', "''"):
                        raise Unfixable(f"{MAP_VARIABLE} is already defined at {text.file}:{block.line}")
                    return edits
                return [*edits, add_map(context, document, route, MAP_VARIABLE, True)]

            yield context.make(
                "WS106", header.location, "send `Connection` from a map that keeps plain requests alive", variable
            )
        elif up.connection_map is not None and (up.connection_map.empty_value or "").lower() == "close":
            where = up.connection_map.location

            def empty(where: Location = where) -> list[Edit]:
                text, block = block_at(context, where)
                entry = _empty_entry(text, block)
                if entry is None:
                    raise Unfixable(f"the map at {where} has no '' entry to change")
                return [
                    replace_value(
                        text, Location.plain(where.file, entry.line, entry.column), entry.text.split()[0], "close", '""'
                    )
                ]

            yield context.make(
                "WS106",
                header.location,
                f"make the map at line {where.line} send no Connection header on plain requests",
                empty,
            )


# -- WS104 ---------------------------------------------------------------------------------------------------


@fixer("WS104")
def header_inheritance(context: Context) -> Iterator[Fix]:
    seen: set[Location] = set()
    for _, _, _route, up in _routes(context):
        if not up.hidden or not up.headers or up.headers[0].location in seen:
            continue
        first = up.headers[0].location
        seen.add(first)

        def copy(first: Location = first, hidden: tuple[Header, ...] = up.hidden) -> list[Edit]:
            lines = [_written(context, h.location) for h in hidden]
            text = context.text(first.file)
            indent = text.indent(first.line or 1)
            if first.column == len(indent) + 1:
                return [text.before_line(first.line or 1, lines, indent)]
            return [text.insert(first.line or 1, first.column or 1, " ".join(lines) + " ")]

        names = " and ".join(sorted({h.name for h in up.hidden}))
        yield context.make(
            "WS104", first, f"repeat the outer {names} header{'s' if len(up.hidden) > 1 else ''} in this block", copy
        )


# -- WS401 ---------------------------------------------------------------------------------------------------


@fixer("WS401")
def worker_shutdown_timeout(context: Context) -> Iterator[Fix]:
    for document in context.model.documents:
        for hop in document.hops:
            setting = hop.drain if hop.kind is NGINX_HTTP else None  # worker_shutdown_timeout
            if setting is None or not setting.default:
                continue

            def insert(document: Document = document) -> list[Edit]:
                text = context.text(document.file)
                top = _children(text, None)
                line = [f"worker_shutdown_timeout {WORKER_SHUTDOWN_TIMEOUT};"]
                first_block = next((s for s in top if s.block_end is not None), None)
                simple = [s for s in top if s.block_end is None and (first_block is None or s.line < first_block.line)]
                if simple:
                    return [text.after_line(simple[-1].last_line, line, text.indent(simple[-1].line))]
                if first_block is not None:
                    return [text.before_line(first_block.line, line, text.indent(first_block.line))]
                raise Unfixable("the main context has no statement to place it after")

            yield context.make(
                "WS401",
                setting.location,
                f"set `worker_shutdown_timeout {WORKER_SHUTDOWN_TIMEOUT};` in the main context",
                insert,
            )


# -- WS201, WS301 (through wslint.fix.idle) --------------------------------------------------------------------


def nginx_time(seconds: float) -> str:
    return format_seconds(seconds)


def set_idle_timeout(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    """Write ``proxy_read_timeout`` (or the directive the duration names) with ``seconds``."""
    value = nginx_time(seconds)
    if duration.default:
        text, block = block_at(context, duration.location)
        return [insert_in_block(text, block, [f"{duration.directive} {value};"])]
    text = context.text(duration.location.file)
    return [replace_value(text, duration.location, duration.directive, duration.text, value)]
