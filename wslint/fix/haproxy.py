"""Fixes for HAProxy: WS202, WS203, WS205, WS402, and the HAProxy side of WS201/WS301.

A directive is added as a new line after the last statement of the section that should hold
it (before the comments and blank lines that follow it), indented like the section's other
lines. A section that already writes the directive (``timeout tunnel 0``, which HAProxy reads
as unset) gets its value replaced instead. A value is replaced word for word, keeping quotes,
comments and everything else on its line.

Where it goes:

- WS202 ``timeout tunnel``: to the backend or listen; or to the ``defaults`` section it takes
  its settings from, when every backend and listen using that defaults carries WebSocket and
  there are several (a ``timeout tunnel`` in a defaults also bounds the whole connections of
  every tcp-mode proxy using it, so a defaults shared with anything else is left alone).
- WS205 ``timeout client-fin 30s``: to the frontends (or listens) the routes come from; or to
  their ``defaults`` when it is used by those frontends only, and by more than one.
- WS402 ``hard-stop-after 30m``: to the ``global`` section.
- WS203 (``--unsafe-fixes`` only): a unitless time that unambiguously means seconds gets an
  ``s`` — below 100 (HAProxy >= 3.1 warns about those itself), or a multiple of 60 that is not
  a multiple of 500 (``120``, ``600``, ``1800``, ``3600``: minutes written in seconds). Any
  other value (``1500``, ``5000``, ``30000``: milliseconds as HAProxy's own examples write
  them) is left as it is, with the reason.

Nothing is added inside a ``.if`` block: a section that starts inside one is not fixed,
and the new line goes after the last statement outside any ``.if`` of the section.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from wslint.fix import Context, Fix, Unfixable, fixer
from wslint.fix.text import Edit, FileText
from wslint.hops import HAPROXY
from wslint.model import Document, Duration, HaproxyHop, HaproxyRoute, Hop, Location, Proxy, Route
from wslint.sources.haproxy_syntax import HaproxySyntaxError, split_line
from wslint.textblocks import Statement, Structure

CLIENT_FIN = "30s"
HARD_STOP_AFTER = "30m"
FIN_THRESHOLD = 300.0  # WS205: a tunnel of 5 minutes or more (as the check)
MAX_MS = 2_147_483_647  # HAProxy's largest time (~24.8 days)
IDLE_DIRECTIVES = ("timeout tunnel", "timeout client", "timeout server")
BACKENDS = ("backend", "listen")
FRONTENDS = ("frontend", "listen")


def haproxy_time(seconds: float) -> str:
    """A HAProxy time: one number, the largest unit that divides it exactly (``1h``, ``90m``, ``3601s``)."""
    ms = round(seconds * 1000)
    if ms <= 0 or ms > MAX_MS:
        raise Unfixable(f"{seconds:g} s is outside HAProxy's range for a time (1 ms to 2147483647 ms)")
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


# -- sections ----------------------------------------------------------------------------------------------


@dataclass
class Section:
    """A section header and its statements, each with the number of ``.if`` blocks open around it."""

    text: FileText
    header: Statement
    depth: int  # .if blocks open at the header
    children: list[tuple[Statement, int]] = field(default_factory=list)  # (statement, depth after it)

    @property
    def kind(self) -> str:
        return self.header.text.split(" ", 1)[0]

    @property
    def where(self) -> str:
        return f"{self.header.text} ({self.text.file}:{self.header.line})"


_CACHE: dict[int, tuple[Structure, dict[int, tuple[int, int]]]] = {}


def _positions(structure: Structure) -> dict[int, tuple[int, int]]:
    """For each statement (by id): its index, and the ``.if`` blocks open after it."""
    cached = _CACHE.get(id(structure))
    if cached is not None and cached[0] is structure:
        return cached[1]
    if len(_CACHE) > 64:
        _CACHE.clear()
    positions: dict[int, tuple[int, int]] = {}
    depth = 0
    for index, statement in enumerate(structure.statements):
        word = _keyword(statement)
        if word == ".if":
            depth += 1
        elif word == ".endif":
            depth = max(depth - 1, 0)
        positions[id(statement)] = (index, depth)
    _CACHE[id(structure)] = (structure, positions)
    return positions


def _keyword(statement: Statement) -> str:
    return statement.text.split(" ", 1)[0]


def section_at(context: Context, where: Location, read_only: bool = False) -> Section:
    """The section whose header is at ``where``."""
    text = context.read(where.file) if read_only else context.text(where.file)
    structure = text.structure("sections")
    header = structure.statement_at(where.line or 1)
    if header is None or header.parent is not None or header.block_end is None:
        raise Unfixable(f"cannot find the section at {where}")
    positions = _positions(structure)
    index, _ = positions[id(header)]
    statements = structure.statements
    before = positions[id(statements[index - 1])][1] if index else 0
    children: list[tuple[Statement, int]] = []
    for statement in statements[index + 1 :]:
        if statement.parent is not header:
            break
        children.append((statement, positions[id(statement)][1]))
    return Section(text, header, before, children)


def _own(section: Section, words: tuple[str, ...]) -> Statement | None:
    """The section's last line (outside any ``.if``) that writes ``words`` (``timeout tunnel``)."""
    found = None
    depth = 0
    for statement, after in section.children:
        if depth == 0 and after == 0 and tuple(statement.text.split()[: len(words)]) == words:
            found = statement
        depth = after
    return found


def _anchor(section: Section) -> tuple[int, str]:
    """Where a new line goes (after this line) and its indentation."""
    if section.depth:
        raise Unfixable(f"{section.where} is inside a .if block: add it where it applies yourself")
    anchor = section.header.line
    depth = 0
    regular: list[Statement] = []
    for statement, after in section.children:
        if not _keyword(statement).startswith(".") and depth == 0:
            regular.append(statement)
        if after == 0:
            anchor = statement.line
        depth = after
    if regular:
        indent = section.text.indent(regular[-1].line)
    else:
        others = [s for s, _ in section.children if not _keyword(s).startswith(".")]
        header_indent = section.text.indent(section.header.line)
        indent = section.text.indent(others[0].line) if others else header_indent + section.text.unit(header_indent)
    return anchor, indent


def replace_word(text: FileText, line: int, index: int, new: str) -> Edit:
    """Replace word ``index`` of ``line`` (inside its quotes when it has some)."""
    raw = text.line(line)
    try:
        words = split_line(raw, line)
    except HaproxySyntaxError as exc:
        raise Unfixable(f"{text.file}:{line}: {exc.message}") from None
    if len(words) <= index:
        raise Unfixable(f"{text.file}:{line} has no value to change")
    word = words[index]
    written = raw[word.column - 1 : word.end_column - 1]
    if written == word.text:
        return text.replace(line, word.column, written, new)
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "\"'" and written[1:-1] == word.text:
        return text.replace(line, word.column + 1, word.text, new)
    raise Unfixable(f"the value at {text.file}:{line} is written with escapes: change it yourself")


def set_in_section(section: Section, directive: str, value: str) -> Edit:
    """``directive value`` in the section: its own line's value replaced, else a new line."""
    words = tuple(directive.split())
    own = _own(section, words)
    if own is not None:
        edit = replace_word(section.text, own.line, len(words), value)
        if section.text.line(own.line)[edit.column - 1 : edit.end_column - 1] == value:
            raise Unfixable(f"{section.where} already has `{directive} {value}` at line {own.line}")
        return edit
    line, indent = _anchor(section)
    return section.text.after_line(line, [f"{directive} {value}"], indent)


# -- the model -------------------------------------------------------------------------------------------


def _haproxy(context: Context) -> Iterator[tuple[Document, Hop, HaproxyHop]]:
    for document in context.model.documents:
        for hop in document.hops:
            if hop.kind.family is HAPROXY and isinstance(hop.dialect, HaproxyHop):
                yield document, hop, hop.dialect


def _pings(context: Context, routes: Iterable[Route]) -> list[float]:
    """The keepalive intervals the routes are judged with: their paths', or the run's."""
    keys = {(r.name, r.location) for r in routes}
    pings: list[float | None] = []
    seen: set[tuple[str, Location]] = set()
    for path in context.model.paths:
        for hop in path.hops:
            for route in hop.routes:
                key = (route.name, route.location)
                if key in keys:
                    pings.append(path.keepalive.seconds)
                    seen.add(key)
    if keys - seen:
        pings.append(context.settings.keepalive.seconds)
    return [p for p in pings if p]


def _inherited_defaults(context: Context, document: Document) -> set[str] | None:
    """The names of the defaults sections another defaults takes its settings from (``from``); None: unreadable."""
    names: set[str] = set()
    for file in dict.fromkeys([document.file, *document.files]):
        try:
            text = context.read(file)
        except Unfixable:
            return None
        for statement in text.structure("sections").statements:
            words = statement.text.split()
            if statement.parent is None and words[0] == "defaults" and "from" in words[:-1]:
                names.add(words[words.index("from") + 1])
    return names


def _name(context: Context, where: Location) -> str:
    """The name of the section at ``where`` ("" when it has none)."""
    header = section_at(context, where, read_only=True).header.text.split()
    return header[1] if len(header) > 1 and header[1] != "from" else ""


@dataclass
class Target:
    """One section that gets a directive, for the findings it repairs."""

    where: Location  # the section's header
    what: str  # "backend be_ws", "defaults websocket, which only WebSocket proxies use (for ...)"
    directive: str
    seconds: float = 0.0
    value: str = ""

    def edit(self, context: Context) -> Edit:
        value = self.value or haproxy_time(self.seconds)
        return set_in_section(section_at(context, self.where), self.directive, value)

    def summary(self, context: Context) -> str:
        try:
            value = self.value or haproxy_time(self.seconds)
        except Unfixable:
            value = f"{self.seconds:g}s"
        try:
            own = _own(section_at(context, self.where, read_only=True), tuple(self.directive.split()))
        except Unfixable:
            own = None
        if own is not None:
            return f"set `{self.directive} {value}` in {self.what} (line {own.line})"
        return f"add `{self.directive} {value}` to {self.what}"


def _shared_defaults(
    context: Context,
    document: Document,
    haproxy: HaproxyHop,
    needing: dict[Location, Proxy],
    settled: set[Location],
    kinds: tuple[str, ...],
    words: str,
) -> dict[Location, Location]:
    """Proxy -> the defaults that should hold the directive for it instead (where one does).

    A defaults qualifies when every proxy of ``kinds`` that uses it is in ``needing`` (whose
    findings are reported) or ``settled`` (set in its own section, and the same kind of proxy),
    at least two need it, no other defaults inherits from it, and none of those that need it
    writes the directive itself (its own line, ``timeout tunnel 0``, would win over the defaults).
    """
    by_defaults: dict[Location, list[Proxy]] = {}
    for proxy in haproxy.proxies:
        if proxy.kind in kinds and proxy.defaults is not None:
            by_defaults.setdefault(proxy.defaults, []).append(proxy)
    inherited = _inherited_defaults(context, document)
    out: dict[Location, Location] = {}
    for defaults, users in by_defaults.items():
        need = [p for p in users if p.location in needing]
        if (
            inherited is None
            or len(need) < 2
            or any(p.location not in needing and p.location not in settled for p in users)
        ):
            continue
        try:
            if _name(context, defaults) in inherited:
                continue
            if any(_own(section_at(context, p.location, read_only=True), tuple(words.split())) for p in need):
                continue
        except Unfixable:
            continue
        for proxy in need:
            out[proxy.location] = defaults
    return out


def _defaults_what(context: Context, defaults: Location, users: list[Proxy], only: str) -> str:
    try:
        name = _name(context, defaults)
    except Unfixable:
        name = ""
    label = f"defaults {name}" if name else f"the defaults section at line {defaults.line}"
    return f"{label}, which only {only} use (for {', '.join(f'{p.kind} {p.name}' for p in users)})"


def _targets(
    context: Context,
    document: Document,
    haproxy: HaproxyHop,
    needing: dict[Location, Proxy],
    pings: dict[Location, list[float]],
    settled: set[Location],
    kinds: tuple[str, ...],
    directive: str,
    only: str,
    value: str = "",
) -> dict[Location, Target]:
    """Proxy -> the target that repairs it: its shared defaults, or itself."""
    shared = _shared_defaults(context, document, haproxy, needing, settled, kinds, directive)
    groups: dict[Location, list[Proxy]] = {}
    for where, proxy in needing.items():
        groups.setdefault(shared.get(where, where), []).append(proxy)
    out: dict[Location, Target] = {}
    for section, proxies in groups.items():
        if section in needing:
            what = f"{proxies[0].kind} {proxies[0].name}"
        else:
            what = _defaults_what(context, section, proxies, only)
        seconds = context.idle_timeout_for([p for proxy in proxies for p in pings.get(proxy.location, [])])
        target = Target(section, what, directive, seconds, value)
        for proxy in proxies:
            out[proxy.location] = target
    return out


# -- WS202 -----------------------------------------------------------------------------------------------------


_TARGETS: dict[int, tuple[Context, dict[Location, Target]]] = {}


def tunnel_targets(context: Context) -> dict[Location, Target]:
    """Every backend/listen with a reported WS202 -> where its ``timeout tunnel`` goes (made once per context)."""
    cached = _TARGETS.get(id(context))
    if cached is not None and cached[0] is context:
        return cached[1]
    out: dict[Location, Target] = {}
    for document, hop, haproxy in _haproxy(context):
        routes: dict[Location, list[Route]] = {}
        unsettled: set[Location] = set()  # a tunnel timeout unknown or missing
        for route in hop.routes:
            facts = route.dialect
            if not isinstance(facts, HaproxyRoute):
                continue
            if facts.tunnel is None and not facts.tunnel_unknown:
                routes.setdefault(route.location, []).append(route)
            if facts.tunnel is None:
                unsettled.add(route.location)
        proxies = {p.location: p for p in haproxy.proxies}
        needing: dict[Location, Proxy] = {}
        for where in routes:
            proxy = proxies.get(where)
            if proxy is not None and context.reported("WS202", where):
                needing[where] = proxy
        settled = {p.location for p in haproxy.proxies if p.websocket and p.location not in unsettled}
        pings = {where: _pings(context, routes[where]) for where in needing}
        out.update(
            _targets(
                context, document, haproxy, needing, pings, settled, BACKENDS, "timeout tunnel", "WebSocket proxies"
            )
        )
    _TARGETS.clear()  # one context at a time: a run's next round makes a new one
    _TARGETS[id(context)] = (context, out)
    return out


@fixer("WS202")
def tunnel_timeout(context: Context) -> Iterator[Fix]:
    for where, target in tunnel_targets(context).items():

        def edits(target: Target = target) -> list[Edit]:
            return [target.edit(context)]

        yield context.make("WS202", where, target.summary(context), edits)


# -- WS205 -----------------------------------------------------------------------------------------------------


@fixer("WS205")
def client_fin(context: Context) -> Iterator[Fix]:
    for document, hop, haproxy in _haproxy(context):
        findings: dict[Location, list[Proxy]] = {}
        by_name = {(p.kind, p.name): p for p in reversed(haproxy.proxies)}
        for route in hop.routes:
            facts = route.dialect
            if not isinstance(facts, HaproxyRoute) or facts.frontend is None or facts.tunnel is None:
                continue
            if facts.tunnel.seconds < FIN_THRESHOLD or facts.client_fin is not None or facts.client_fin_unknown:
                continue
            where = facts.tunnel.location
            front = by_name.get((facts.frontend_kind, facts.frontend))
            if front is not None and context.reported("WS205", where):
                fronts = findings.setdefault(where, [])
                if front not in fronts:
                    fronts.append(front)
        needing = {p.location: p for fronts in findings.values() for p in fronts}
        targets = _targets(
            context,
            document,
            haproxy,
            needing,
            {},
            set(),
            FRONTENDS,
            "timeout client-fin",
            "these frontends",
            CLIENT_FIN,
        )
        for where, fronts in findings.items():
            chosen = list({id(targets[p.location]): targets[p.location] for p in fronts}.values())
            summary = "; ".join(t.summary(context) for t in chosen)

            def edits(chosen: list[Target] = chosen) -> list[Edit]:
                return [t.edit(context) for t in chosen]

            yield context.make("WS205", where, summary, edits)


# -- WS402 -----------------------------------------------------------------------------------------------------


@fixer("WS402")
def hard_stop_after(context: Context) -> Iterator[Fix]:
    for _, hop, _ in _haproxy(context):
        setting = hop.drain  # hard-stop-after
        if setting is None or not setting.default:
            continue  # no global section (the rule needs one), or the setting is written

        def insert(where: Location = setting.location) -> list[Edit]:
            section = section_at(context, where)
            if section.kind != "global":
                raise Unfixable(f"no global section at {where}: add `hard-stop-after {HARD_STOP_AFTER}` to it")
            return [set_in_section(section, "hard-stop-after", HARD_STOP_AFTER)]

        yield context.make(
            "WS402", setting.location, f"add `hard-stop-after {HARD_STOP_AFTER}` to the global section", insert
        )


# -- WS203 -----------------------------------------------------------------------------------------------------


def means_seconds(number: int) -> bool:
    """Does a unitless HAProxy time unambiguously mean seconds (the writer forgot the ``s``)?

    Below 100: no proxy timeout is meant to be a few milliseconds (HAProxy >= 3.1 warns about
    these itself). A multiple of 60 that is not a multiple of 500 (120, 600, 1800, 3600, 7200):
    whole minutes counted in seconds; as milliseconds they would be odd fractions of a second.
    Anything else is ambiguous: round milliseconds (500, 1500, 5000, 30000: how HAProxy's own
    examples write them) as much as any other number.
    """
    return 0 < number < 100 or (number % 60 == 0 and number % 500 != 0)


@fixer("WS203")
def unitless_time(context: Context) -> Iterator[Fix]:
    for _, _, haproxy in _haproxy(context):
        for time in haproxy.times:
            if not time.text.isdigit() or time.infinite or not context.reported("WS203", time.location):
                continue
            number = int(time.text)
            value = f"{number}s"
            summary = f"write `{time.directive} {value}` ({number} read as seconds)"
            if not means_seconds(number):
                yield Fix(
                    "WS203",
                    time.location,
                    f"add a unit to `{time.directive} {number}`",
                    reason=f"{number} may mean {number} ms (HAProxy's unit) or {number} s: write the unit yourself "
                    "(only values below 100, or multiples of 60 that are not multiples of 500, are read as seconds)",
                )
                continue

            def edit(time: Duration = time, value: str = value) -> list[Edit]:
                text = context.text(time.location.file)
                return [replace_word(text, time.location.line or 1, len(time.directive.split()), value)]

            fix = context.make("WS203", time.location, summary, edit)
            fix.unsafe = True
            yield fix


# -- WS201, WS301 (through wslint.fix.idle) --------------------------------------------------------------------


def set_idle_timeout(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    """Write ``seconds`` into the ``timeout tunnel``/``client``/``server`` the duration names.

    A default (no tunnel, client or server timeout at all: the source locates it at the
    backend/listen header) becomes a ``timeout tunnel`` in that section. Where WS202's fix adds
    a ``timeout tunnel`` for every route that lives on a ``timeout client``/``server``, that
    fix is the repair: the HTTP timeout is left as it is.
    """
    value = haproxy_time(seconds)
    if duration.default:
        if duration.directive != "timeout tunnel":
            raise Unfixable(f"no {duration.directive} is written: wslint cannot tell which section should hold it")
        if _tunnel_fixed(context, [duration.location]):
            raise Unfixable("the timeout tunnel WS202's fix adds repairs it")
        section = section_at(context, duration.location)
        if section.kind not in BACKENDS:
            raise Unfixable(f"{section.where} is not a backend or listen: add `timeout tunnel {value}` yourself")
        return [set_in_section(section, "timeout tunnel", value)]
    if duration.directive not in IDLE_DIRECTIVES:
        raise Unfixable(f"{duration.directive} is not an idle timeout wslint changes")
    if duration.directive != "timeout tunnel":
        backends = [
            route.location
            for _, hop, _ in _haproxy(context)
            for route in hop.routes
            if route.idle_timeout is not None and route.idle_timeout.location == duration.location
        ]
        if backends and _tunnel_fixed(context, backends):
            raise Unfixable(
                f"the timeout tunnel WS202's fix adds repairs it without lengthening {duration.directive} for HTTP"
            )
    text = context.text(duration.location.file)
    return [replace_word(text, duration.location.line or 1, len(duration.directive.split()), value)]


def _tunnel_fixed(context: Context, backends: list[Location]) -> bool:
    """Does WS202's fix add a ``timeout tunnel`` for every one of these backends?"""
    targets = tunnel_targets(context)
    for where in backends:
        target = targets.get(where)
        if target is None:
            return False
        try:
            target.edit(context)
        except Unfixable:
            return False
    return True
