"""Fixes for Apache httpd: WS107 (``upgrade=websocket``), WS108 (never: why), and the Apache side of WS201/WS301.

- WS107 on an ``http(s)://`` ``ProxyPass``/``ProxyPassMatch`` rule: `` upgrade=websocket`` is appended after the
  rule's last argument (on the last line of a ``\\``-continued rule; Apache has no trailing comments: a ``#``
  after a directive is an argument). The rule's other ``key=value`` parameters stay. A rule that already writes
  ``upgrade=`` with other protocols gets ``websocket`` added to its list (``upgrade=h2c,websocket``):
  mod_proxy_http matches the Upgrade header against the worker's ``upgrade=`` value as a comma-separated
  token list (``ap_proxy_worker_can_upgrade``: ``ap_find_token``), and mod_proxy refuses a value of 16
  characters or more ("upgrade protocol length must be < 16 characters"), so a list that would not fit is
  left with the reason (a ``ws://`` rule's own ``upgrade=`` list replaces its WebSocket default: the same fix).
  Not fixed: a ``RewriteRule … [P]`` (it takes no worker parameters), a target wslint cannot read. (A ``ws://``
  target needs no ``mod_proxy_wstunnel`` since 2.4.47, measured on 2.4.71: nothing to fix there.)
- WS108: never. Moving a rule changes which requests every rule after it sees; the user must decide.
- WS201/WS301: the tunnel's idle timeout is max(``Timeout``, the worker's ``timeout=`` or ``ProxyTimeout``).
  A rule with a ``timeout=`` of its own gets it raised (the worker's timeout beats ``ProxyTimeout``). Else
  ``ProxyTimeout`` is set in the one ``<VirtualHost>`` that holds the WebSocket rules (a virtual host's own
  ``ProxyTimeout`` beats the server's, and under the max-rule it beats a shorter ``Timeout``, which is left
  alone for plain requests); or at the end of a main config that has no ``<VirtualHost>`` at all. Not fixed:
  a setting several virtual hosts (or the main server) share, main-server rules where virtual hosts exist
  (they inherit the main server's ProxyTimeout), rules outside any virtual host of a file that is no main
  config, and a server that also proxies other routes (a ``ProxyTimeout`` there lets their silent backends
  hold a request as long; a virtual host inherits the main server's ProxyPass rules, ProxyPassInherit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wslint.fix import Context, Fix, Unfixable, explainer, fixer
from wslint.fix.text import Edit, FileText
from wslint.hops import APACHE_HOP
from wslint.model import ApacheHop, ApacheRoute, Duration, Hop, Location, Route, format_seconds

UPGRADE_MAX = 15  # mod_proxy.c set_worker_param: "upgrade protocol length must be < 16 characters"
PROXY_RULE = re.compile(r"\s*(ProxyPass|ProxyPassMatch)\s", re.IGNORECASE)
REWRITE_PROXY = re.compile(r"\s*RewriteRule\s.*\[[^\]]*\bP\b[^\]]*\]\s*$", re.IGNORECASE)
VHOST_OPEN = re.compile(r"\s*<VirtualHost[\s>]", re.IGNORECASE)
VHOST_CLOSE = re.compile(r"\s*</VirtualHost\s*>", re.IGNORECASE)
SECTION_OPEN = re.compile(r"\s*<(?!/)([A-Za-z]+)", re.IGNORECASE)
SECTION_CLOSE = re.compile(r"\s*</([A-Za-z]+)\s*>", re.IGNORECASE)


def _routes(context: Context) -> Iterator[tuple[Hop, Route, ApacheRoute]]:
    for hop, route in context.model.routes():
        if hop.kind is APACHE_HOP and isinstance(route.dialect, ApacheRoute):
            yield hop, route, route.dialect


# -- the text of a directive ------------------------------------------------------------------------------------


@dataclass
class Logical:
    """A directive's physical lines (a ``\\`` at a line's end continues it) and where its text ends."""

    text: FileText
    first: int
    last: int

    @property
    def end(self) -> tuple[int, int]:
        """(line, column) just after the directive's last argument."""
        raw = self.text.line(self.last)
        return self.last, len(raw.rstrip(" \t\v\f\r")) + 1

    def lines(self) -> Iterator[tuple[int, str]]:
        for number in range(self.first, self.last + 1):
            raw = self.text.line(number)
            yield number, raw[:-1] if number < self.last else raw  # without the continuation's backslash


def logical(text: FileText, line: int) -> Logical:
    last = line
    while text.line(last).endswith("\\") and last < len(text.lines):
        last += 1
    return Logical(text, line, last)


def _parameter(rule: Logical, key: str) -> tuple[int, int, str] | None:
    """The last ``key=value`` argument of the rule (Apache keeps the last): (line, column of the value, value)."""
    found = None
    pattern = re.compile(rf"(?:^|(?<=[\s\"']))({re.escape(key)})=([^\s\"']*)", re.IGNORECASE)
    for number, raw in rule.lines():
        for match in pattern.finditer(raw):
            found = (number, match.start(2) + 1, match.group(2))
    return found


# -- WS107 -----------------------------------------------------------------------------------------------------


def add_upgrade(context: Context, route: Route, up: ApacheRoute, where: Location) -> list[Edit]:
    scheme = (up.scheme or "").lower()
    if up.directive.lower() == "rewriterule":
        raise Unfixable(
            "a RewriteRule [P] takes no worker parameters: give its backend `upgrade=websocket` with a ProxyPass "
            "or `<Proxy URL>` + `ProxySet upgrade=websocket`, or use a ws:// target"
        )
    if scheme not in ("http", "https", "h2", "h2c", "balancer", "ws", "wss"):
        raise Unfixable(f"wslint cannot tell which module proxies {up.target!r}: add `upgrade=websocket` yourself")
    start = up.end.line if up.end is not None and up.end.line == where.line else where.line
    text = context.text(where.file)
    rule = logical(text, start or 1)
    if not PROXY_RULE.match(text.line(rule.first)):
        raise Unfixable(f"cannot find the {up.directive} at {where}")
    existing = _parameter(rule, "upgrade")
    if existing is not None:
        line, column, value = existing
        protocols = [p for p in value.split(",") if p]
        if any(p.lower() == "websocket" for p in protocols) or value in ("*",) or value.lower() == "any":
            raise Unfixable(f"upgrade={value} already accepts WebSocket")
        new = ",".join([*protocols, "websocket"])
        if len(new) > UPGRADE_MAX:
            raise Unfixable(
                f"upgrade={new} would be longer than the {UPGRADE_MAX} characters Apache accepts: choose the "
                "protocols yourself (upgrade=* accepts any)"
            )
        return [text.replace(line, column, value, new)]
    if up.end is not None and up.end.end_line is not None and up.end.end_column is not None:
        line, column = up.end.end_line, up.end.end_column
    else:
        line, column = rule.end
    return [text.insert(line, column, " upgrade=websocket")]


@fixer("WS107")
def upgrade_websocket(context: Context) -> Iterator[Fix]:
    seen: set[Location] = set()
    for _, route, up in _routes(context):
        off = route.upgrade_off
        if off is None or off.location in seen:
            continue
        seen.add(off.location)
        summary = f"add `upgrade=websocket` to `{up.directive} {up.path or ''} {up.target}`".replace("  ", " ")

        def edits(route: Route = route, up: ApacheRoute = up, where: Location = off.location) -> list[Edit]:
            return add_upgrade(context, route, up, where)

        yield context.make("WS107", off.location, summary, edits)


# -- WS108 -----------------------------------------------------------------------------------------------------


@explainer("WS108")
def shadowed(context: Context) -> Iterator[Fix]:
    """Never made: the reason says why."""
    for _, route in context.model.routes():
        shadow = route.shadowed
        if shadow is None:
            continue
        yield Fix(
            "WS108",
            route.location,
            f"move {route.name} above {shadow.rule} (line {shadow.location.line})"
            if shadow.fix is None
            else shadow.fix[0].lower() + shadow.fix[1:].rstrip("."),
            reason="wslint reorders nothing: moving a rule changes which requests every rule between the two "
            "sees, so which order is right is yours to decide (or narrow the broader rule)",
        )


# -- WS201, WS301 (through wslint.fix.idle) --------------------------------------------------------------------


def apache_time(seconds: float) -> str:
    """Whole seconds, as Timeout, ProxyTimeout and timeout= read a number without a unit."""
    whole = int(seconds)
    if whole != seconds or whole <= 0:
        raise Unfixable(f"{format_seconds(seconds)} is not a whole number of seconds")
    return str(whole)


@dataclass
class VirtualHost:
    text: FileText
    open: int  # the <VirtualHost> line
    close: int  # the </VirtualHost> line

    def top(self) -> Iterator[tuple[int, str]]:
        """The virtual host's own lines (not inside a nested section), comments skipped, continuations joined."""
        depth = 0
        number = self.open + 1
        while number < self.close:
            rule = logical(self.text, number)
            raw = " ".join(r for _, r in rule.lines())
            stripped = raw.strip()
            if SECTION_CLOSE.match(raw):
                depth = max(depth - 1, 0)
            elif SECTION_OPEN.match(raw):
                depth += 1
            elif depth == 0 and stripped and not stripped.startswith("#"):
                yield number, raw
            number = rule.last + 1

    def proxies(self) -> Iterator[int]:
        """The lines of every proxy rule in it (in nested sections too), ``ProxyPass … !`` exclusions left out."""
        number = self.open + 1
        while number < self.close:
            rule = logical(self.text, number)
            raw = " ".join(r for _, r in rule.lines())
            words = raw.split()
            if (PROXY_RULE.match(raw) and "!" not in words[1:3]) or REWRITE_PROXY.match(raw):
                yield number
            number = rule.last + 1


def _vhost(context: Context, where: Location) -> VirtualHost:
    text = context.text(where.file)
    line = where.line or 0
    if not VHOST_OPEN.match(text.line(line)):
        raise Unfixable(f"cannot find the <VirtualHost> at {where}")
    for number in range(line + 1, len(text.lines) + 1):
        if VHOST_CLOSE.match(text.line(number)):
            return VirtualHost(text, line, number)
    raise Unfixable(f"the <VirtualHost> at {where} is not closed")


def _users(context: Context, duration: Duration) -> list[tuple[Route, ApacheRoute]]:
    return [
        (route, up)
        for _, route, up in _routes(context)
        if route.idle_timeout is not None
        and route.idle_timeout.location == duration.location
        and route.idle_timeout.directive == duration.directive
    ]


def set_idle_timeout(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    value = apache_time(seconds)
    users = _users(context, duration)
    if not users:
        raise Unfixable(f"no Apache WebSocket rule uses the {duration.directive} at {duration.location}")
    servers = {up.server for _, up in users}
    if len(servers) > 1:
        raise Unfixable(
            f"the {duration.directive} at {duration.location} applies to WebSocket rules of "
            f"{len(servers)} servers (virtual hosts or the main server): set `ProxyTimeout {value}` in each "
            "<VirtualHost> that should have it yourself"
        )
    edits: list[Edit] = []
    # a worker's timeout= beats ProxyTimeout for its backend: raise it where it is written
    for _, up in users:
        if up.worker_timeout is None:
            continue
        where = up.worker_timeout.location
        text = context.text(where.file)
        rule = _rule_of(text, where)
        found = _parameter(rule, "timeout")
        if found is None:
            raise Unfixable(f"cannot find the timeout= of the rule at {where}")
        line, column, old = found
        edits.append(text.replace(line, column, old, value))
    if all(up.worker_timeout is not None for _, up in users):
        return edits
    (server,) = servers
    if server is None:
        return [*edits, *_main_server(context, users, value)]
    vhost = _vhost(context, server)
    own = {(route.location.file, route.location.line or 0) for route, _ in users}
    others = {(o.file, o.line or 0) for _, up in users for o in up.others}
    others |= {(vhost.text.file, line) for line in vhost.proxies()} - own
    if others:
        named = [f"{file}:{line}" if file != server.file else f"line {line}" for file, line in sorted(others)]
        raise _others_unfixable(f"the <VirtualHost> at {server}", named, value, users)
    written = [(n, raw) for n, raw in vhost.top() if raw.split()[0].lower() == "proxytimeout"]
    if written:
        number, raw = written[-1]
        words = raw.split()
        if len(words) != 2:
            raise Unfixable(f"the ProxyTimeout at {vhost.text.file}:{number} is not one value")
        column = vhost.text.line(number).find(words[1], vhost.text.line(number).lower().find("proxytimeout") + 12)
        edits.append(vhost.text.replace(number, column + 1, words[1], value))
        return edits
    children = list(vhost.top())
    indent = vhost.text.indent(vhost.open)
    indent = vhost.text.indent(children[0][0]) if children else indent + vhost.text.unit(indent)
    last = vhost.close - 1  # after the vhost's last line that is not blank or a comment (as HAProxy's fix does)
    while last > vhost.open and (not vhost.text.line(last).strip() or vhost.text.line(last).lstrip().startswith("#")):
        last -= 1
    if vhost.text.line(last).endswith("\\"):
        last = vhost.close - 1  # a continued line would take the new one in: before </VirtualHost> then
    edits.append(vhost.text.after_line(last, [f"ProxyTimeout {value}"], indent))
    return edits


def _others_unfixable(where: str, others: list[str], value: str, users: list[tuple[Route, ApacheRoute]]) -> Unfixable:
    # a RewriteRule [P] takes no worker parameters, and on a balancer:// ProxyPass timeout= is the wait for a free
    # member: their workers get timeout= through <Proxy URL> ProxySet (or BalancerMember)
    if any(up.directive.lower() == "rewriterule" or up.scheme == "balancer" for _, up in users):
        instead = f"give the WebSocket backend's worker `timeout={value}` (`<Proxy URL>` `ProxySet timeout={value}`)"
    else:
        instead = f"add `timeout={value}` to the WebSocket rule"
    return Unfixable(
        f"{where} also proxies other routes ({', '.join(others[:3])}), whose silent backends a "
        f"`ProxyTimeout {value}` would let hold a request as long: {instead} instead, or set ProxyTimeout yourself"
    )


def _main_server(context: Context, users: list[tuple[Route, ApacheRoute]], value: str) -> list[Edit]:
    """``ProxyTimeout`` at the end of a main config that has no ``<VirtualHost>`` and proxies only WebSockets."""
    where = users[0][0].location
    document = context.document_of(where.file)
    hop = next((h for h in document.hops if isinstance(h.dialect, ApacheHop)), None) if document else None
    if document is None or hop is None or not isinstance(hop.dialect, ApacheHop) or not hop.dialect.main:
        raise Unfixable(
            "the WebSocket rules are outside any <VirtualHost> of a file wslint does not see the main config of: "
            "add `ProxyTimeout` where it is meant to apply yourself"
        )
    for file in dict.fromkeys([document.file, *document.files]):
        if any(VHOST_OPEN.match(line) for line in context.read(file).lines):
            raise Unfixable(
                "the WebSocket rules are in the main server, whose ProxyTimeout every <VirtualHost> without its "
                "own inherits: add `ProxyTimeout` where it is meant to apply yourself"
            )
    others = sorted({(o.file, o.line or 0) for _, up in users for o in up.others})
    if others:
        named = [f"{file}:{line}" if file != document.file else f"line {line}" for file, line in others]
        raise _others_unfixable("the main server", named, value, users)
    text = context.text(document.file)
    last = len(text.lines)
    while last > 1 and (not text.line(last).strip() or text.line(last).lstrip().startswith("#")):
        last -= 1
    if text.line(last).endswith("\\"):
        raise Unfixable(f"{document.file} ends in a continued line: add `ProxyTimeout {value}` yourself")
    return [text.after_line(last, [f"ProxyTimeout {value}"], "")]


def _rule_of(text: FileText, where: Location) -> Logical:
    """The proxy rule whose text holds ``where`` (a continued rule's later line too)."""
    line = where.line or 1
    first = line
    while first > 1 and text.line(first - 1).endswith("\\"):
        first -= 1
    return logical(text, first)


def summary(context: Context, duration: Duration, seconds: float) -> str:
    """What the WS201/WS301 fix writes: the worker's timeout=, or ProxyTimeout in the virtual host."""
    try:
        value = apache_time(seconds)
    except Unfixable:
        value = format_seconds(seconds)
    users = _users(context, duration)
    if users and all(up.worker_timeout is not None for _, up in users):
        return f"raise timeout= to {value} on {', '.join(route.name for route, _ in users)}"
    servers = {up.server for _, up in users}
    if len(servers) == 1 and None not in servers:
        (server,) = servers
        assert server is not None
        return f"set `ProxyTimeout {value}` in the <VirtualHost> at line {server.line}"
    if servers == {None}:
        return f"add `ProxyTimeout {value}` to the main server"
    return f"set ProxyTimeout to {value}"
