"""Where nginx sends a request instead of proxying it in the location that matched (WS208).

nginx 1.22's request phases decide it (src/http/ngx_http_core_module.c, ngx_http_rewrite_module.c,
modules/ngx_http_try_files_module.c):

- the rewrite module's directives of a location (``rewrite``, ``return``, ``break``, ``if``) run in order in
  the rewrite phase: ``return CODE`` ends the request there (an ``error_page`` for CODE then redirects it),
  ``rewrite ... last`` searches the locations again with the new URI;
- ``try_files`` runs in the precontent phase, before any content handler: when no file exists its last
  parameter sends the request to a named location or a URI (``=CODE`` ends it with that code);
- ``proxy_pass`` is a content handler: a location that has one proxies what reaches its content phase,
  ``try_files`` with a file that exists included (so a location with both may apply its own timeouts).

Measured on nginx 1.22.1: a location with ``try_files $uri @ws`` and no ``proxy_pass`` proxies a WebSocket
with ``@ws``'s ``proxy_read_timeout``; with a ``proxy_pass`` too, a missing file goes to ``@ws`` and an
existing one is proxied with the location's own value; ``if ($http_upgrade) { return 418; }`` with
``error_page 418 = @ws`` sends every WebSocket to ``@ws``; ``rewrite ^ /x/ last`` to ``location /x/``.

Only handoffs wslint can be sure of count: a location whose WebSocket requests may reach its own
``proxy_pass``, or may go somewhere wslint cannot tell, has none (``None``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from wslint.sources.nginx_syntax import Directive

# the proxy module's timeouts that a location written in applies only to what it proxies itself
PROXY_TIMEOUTS = ("proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout")
REDIRECT_FLAGS = frozenset({"redirect", "permanent"})
# regex tails that match whatever follows the literal part (ngx_regex_exec searches, it does not anchor)
_ANY_TAIL = re.compile(r"(?:(?:\.\*|\(\.\*\))\$?)?")
_LITERAL = re.compile(r"[^\\.^$*+?()\[\]{}|]*")
MAX_CHAIN = 4
# content handlers: a location with one handles what reaches its content phase itself
CONTENT_HANDLERS = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"})


@dataclass(frozen=True)
class Handoff:
    """A location the request goes to, the directive that sends it there, and how (for messages)."""

    target: Directive
    via: Directive
    how: str


@dataclass
class Server:
    """A server's locations as wslint sees them."""

    locations: list[Directive]
    # every location of the server is visible (no unread include at server level)
    known: bool

    def named(self, name: str) -> Directive | None:
        return next((d for d in self.locations if d.args == [name]), None)


# error pages in effect for a location: None when an unread include may hold some
ErrorPages = Callable[[Directive], list[Directive] | None]


def destinations(location: Directive, server: Server, error_pages: ErrorPages) -> list[Handoff] | None:
    """The locations that proxy the WebSocket requests ``location`` matched, when it never proxies them itself.

    None when it may proxy some itself, or send them somewhere wslint cannot tell; [] when nothing
    proxies them (they are answered or redirected).
    """
    block = location.block or []
    if _opaque(block):
        return None
    flow = _rewrite_phase(location, server, error_pages)
    if flow is None:
        return None
    found, falls_through = flow
    if falls_through:
        if _proxies(block):
            return None
        content = _content_phase(location, server, error_pages)
        if content is None:
            return None
        found = found + content
    out: list[Handoff] = []
    for handoff in found:
        final = _final(handoff, server, error_pages, frozenset({id(location)}))
        if final is None:
            return None
        out += final
    return out


def _final(handoff: Handoff, server: Server, error_pages: ErrorPages, seen: frozenset[int]) -> list[Handoff] | None:
    """The handoff itself when its target proxies what reaches it, else where the target hands it on."""
    target = handoff.target
    block = target.block or []
    if id(target) in seen or len(seen) > MAX_CHAIN or _opaque(block):
        return None
    flow = _rewrite_phase(target, server, error_pages)
    if flow is None:
        return None
    found, falls_through = flow
    out: list[Handoff] = []
    if falls_through:
        if _proxies(block):
            out.append(handoff)
        else:
            content = _content_phase(target, server, error_pages)
            if content is None:
                return None
            found = found + content
    for onward in found:
        chained = Handoff(onward.target, handoff.via, f"{handoff.how}, which hands them on to {_name(onward.target)}")
        further = _final(chained, server, error_pages, seen | {id(target)})
        if further is None:
            return None
        out += further
    return out


def _proxies(block: list[Directive]) -> bool:
    """A content handler of the location's own (an ``if`` inside it inherits its timeouts)."""
    return any(d.name in CONTENT_HANDLERS for d in _walk(block))


def _opaque(block: list[Directive]) -> bool:
    """An unread include may hold anything; a nested location inherits the timeouts: neither is followed."""
    return any(d.unresolved is not None or d.name == "location" for d in _walk(block))


# -- the rewrite phase ---------------------------------------------------------------------------------


def _rewrite_phase(location: Directive, server: Server, error_pages: ErrorPages) -> tuple[list[Handoff], bool] | None:
    """(handoffs of WebSocket requests, whether some reach the content phase); None when unsure."""
    found: list[Handoff] = []
    for d in location.block or []:
        if d.name == "if" and d.block is not None:
            inner = _first_flow(d.block)
            if inner is None:
                continue
            if _websocket_condition(d.args):
                # every WebSocket request takes this branch: where it goes is where they all go
                sent = _divert(inner, location, server, error_pages, "WebSocket requests")
                return None if sent is None or not sent[1] else (found + sent[0], False)
            if inner.name == "return" or (inner.name == "rewrite" and _flag(inner) in REDIRECT_FLAGS):
                continue  # some requests are answered or redirected here: not proxied in this location either
            sent = _divert(inner, location, server, error_pages, "some requests")
            if sent is None or inner.name != "rewrite" or _flag(inner) != "last":
                return None
            found += sent[0]
        elif d.name in ("return", "rewrite"):
            sent = _divert(d, location, server, error_pages, "every request")
            if sent is None:
                return None
            found += sent[0]
            if sent[1]:
                return found, False
        elif d.name == "break":
            break
    return found, True


def _first_flow(block: list[Directive]) -> Directive | None:
    return next((d for d in block if d.name in ("return", "rewrite", "break", "if")), None)


def _flag(d: Directive) -> str:
    return d.args[2] if len(d.args) > 2 else ""


def _divert(
    d: Directive, location: Directive, server: Server, error_pages: ErrorPages, who: str
) -> tuple[list[Handoff], bool] | None:
    """Where a ``return`` or ``rewrite`` sends requests: (handoffs, whether all of them go); None when unsure."""
    if d.name == "return":
        code = d.args[0] if d.args else ""
        if not code.isdigit():  # `return URL` is a 302
            code = "302"
        handoff = _error_page(code, location, server, error_pages, d, f"`return {code}` ends {who} here")
        if handoff is None:
            return None
        return handoff, True
    if d.name != "rewrite" or len(d.args) < 2:
        return None
    regex, replacement, flag = d.args[0], d.args[1], _flag(d)
    certain = _matches_all(regex, location)
    if flag in REDIRECT_FLAGS or replacement.startswith(("http://", "https://", "$scheme")):
        return [], certain  # a redirect: the client asks again, as a new request
    if flag != "last":
        return None  # no flag: later directives may rewrite again; break: stays here
    target = match_location(replacement, server)
    if target is None or target is location:
        return None
    how = (
        f"`rewrite {regex} {replacement} last` sends {who if certain else 'the requests it matches'} to {_name(target)}"
    )
    return [Handoff(target, d, how)], certain


def _websocket_condition(args: list[str]) -> bool:
    """``if`` conditions every WebSocket handshake meets: ``$http_upgrade`` set or naming websocket,
    ``$http_connection`` matching upgrade case-insensitively."""
    if args == ["$http_upgrade"]:
        return True
    if len(args) != 3:
        return False
    variable, operator, value = args[0].lower(), args[1], args[2]
    if variable == "$http_upgrade":
        return (operator == "=" and value == "websocket") or (
            operator in ("~", "~*") and "websocket" in (value.lower() if operator == "~*" else value)
        )
    return variable == "$http_connection" and operator == "~*" and "upgrade" in value.lower()


def _matches_all(regex: str, location: Directive) -> bool:
    """Does the rewrite regex match every URI this location receives?"""
    modifier, path = _modifier(location)
    if modifier == "=":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return re.search(regex, path) is not None
        except re.error:
            return False
    body = regex[1:] if regex.startswith("^") else regex
    literal = _LITERAL.match(body)
    prefix = literal.group(0) if literal else ""
    if not _ANY_TAIL.fullmatch(body[len(prefix) :]):
        return False
    if prefix in ("", "/"):
        return True
    return modifier in ("", "^~") and path.startswith(prefix)


# -- the content phase ---------------------------------------------------------------------------------


def _content_phase(location: Directive, server: Server, error_pages: ErrorPages) -> list[Handoff] | None:
    """A location without proxy_pass: try_files' fallback, and the named error pages its handler may reach."""
    found: list[Handoff] = []
    try_files = next((d for d in reversed(location.block or []) if d.name == "try_files"), None)
    if try_files is not None and len(try_files.args) >= 2:
        last = try_files.args[-1]
        if last.startswith("="):
            handoff = _error_page(last[1:], location, server, error_pages, try_files, f"`try_files ... {last}`")
            if handoff is None:
                return None
            found += handoff
        else:
            target = server.named(last) if last.startswith("@") else match_location(last, server)
            if target is None or target is location:
                return None
            found.append(Handoff(target, try_files, f"try_files sends requests for missing files to {_name(target)}"))
    pages = error_pages(location)
    for page in pages or []:
        target = server.named(page.args[-1]) if page.args and page.args[-1].startswith("@") else None
        if target is not None and target is not location:
            codes = " ".join(a for a in page.args[:-1] if a.isdigit())
            found.append(
                Handoff(target, page, f"`error_page {codes}` sends requests that end with {codes} to {_name(target)}")
            )
    return found


def _error_page(
    code: str, location: Directive, server: Server, error_pages: ErrorPages, via: Directive, how: str
) -> list[Handoff] | None:
    """Where a request that ends with ``code`` goes: [] when no error page takes it; None when unsure."""
    pages = error_pages(location)
    if pages is None:
        return None
    page = next((p for p in reversed(pages) if code in p.args[:-1]), None)
    if page is None:
        return []
    uri = page.args[-1]
    target = server.named(uri) if uri.startswith("@") else match_location(uri, server)
    if target is None or target is location:
        return None
    return [Handoff(target, via, f"{how} and `error_page {code}` sends them to {_name(target)}")]


# -- finding the location of a URI ---------------------------------------------------------------------


def _modifier(location: Directive) -> tuple[str, str]:
    """(modifier, path) of a location: ``=``, ``^~``, ``~``, ``~*``, ``@`` or "" (prefix)."""
    args = location.args
    if len(args) >= 2:
        return args[0], args[1]
    path = args[0] if args else ""
    if path.startswith("~*"):
        return "~*", path[2:]
    for mark in ("=", "~", "@"):
        if path.startswith(mark) and len(path) > 1:
            return (mark, path[1:]) if mark != "@" else ("@", path)
    return "", path


def match_location(uri: str, server: Server) -> Directive | None:
    """The location nginx picks for a literal URI (ngx_http_core_find_location); None when wslint cannot tell."""
    path = uri.split("?", 1)[0]
    if not server.known or "$" in path or not path.startswith("/"):
        return None
    exact, prefix, regexes = None, None, []
    best = -1
    for d in server.locations:
        modifier, value = _modifier(d)
        if modifier == "=" and value == path:
            exact = d
        elif modifier in ("", "^~") and path.startswith(value) and len(value) > best:
            prefix, best = d, len(value)
        elif modifier in ("~", "~*"):
            regexes.append((d, modifier, value))
    if exact is not None:
        return exact
    if prefix is not None and _has_location(prefix):
        return None  # its nested locations are searched first: not followed
    if prefix is not None and _modifier(prefix)[0] == "^~":
        return prefix
    for d, modifier, value in regexes:
        try:
            with warnings.catch_warnings():  # a FutureWarning on PCRE syntax Python reads otherwise
                warnings.simplefilter("ignore")
                pattern = re.compile(re.sub(r"\(\?<(?![=!])", "(?P<", value), re.IGNORECASE if modifier == "~*" else 0)
        except re.error:
            return None  # a PCRE feature Python lacks: which location matches is unknown
        if pattern.search(path):
            return None if _has_location(d) else d
    return prefix


def _has_location(d: Directive) -> bool:
    return any(x.name == "location" for x in d.block or [])


def _name(d: Directive) -> str:
    return "location " + " ".join(d.args)


def _walk(block: list[Directive]) -> list[Directive]:
    out: list[Directive] = []
    stack = list(reversed(block))
    while stack:
        d = stack.pop()
        out.append(d)
        stack.extend(reversed(d.block or []))
    return out
