"""The drawing of a WebSocket path (``wslint path``): each hop's idle timeout, the bottleneck, the verdict.

A WebSocket survives an idle spell only if the ping interval is at most half the smallest idle timeout
on its path (the bottleneck). ``render_text`` draws a table, a timeline of the timeouts and the verdict;
``paths_json`` gives the same facts as data, one dict per path, shaped by wslint/schemas/path.schema.json.

A lifetime cap (a route's, e.g. a Google Cloud backend service timeout, or a whole hop's) is drawn apart from
the idle timeouts: it closes every connection at that age whatever the traffic, so no ping interval fixes it
(WS209 under an hour, WS207 from an hour). An unknown idle timeout says why when its route says (a named hop
whose vendor documents none), and a route counted only because nothing marks any says it is assumed.

Per route, ``ok`` means "this route keeps an idle connection open at the ping interval": a lifetime cap under an
hour (WS209) in effect on the route fails it whatever the ping; otherwise an infinite timeout is always ok (it never
drops an idle connection), an unknown timeout or an unknown ping interval gives ``None``, no keepalive (0) fails
every finite timeout, otherwise ``ping * 2 <= timeout``.

The path's verdict is decided once, here (``_verdict``, ``layout().verdict``), for every format: a route whose hop
refuses the upgrade (``route.upgrade_off``, WS107) makes it ``upgrade-off`` (and that route's ``ok`` false); else a
WS209 cap on the path makes it ``short-lifetime-cap`` unless the idle timeouts already fail it (``ping-too-long``,
``no-keepalive``), so no drawing calls a path OK that refuses WebSockets or closes every one within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from wslint.checks import ASSUMED
from wslint.checks.idle import CAP_WARNING
from wslint.escape import printable
from wslint.model import Duration, Finding, Hop, Path, Route, format_seconds
from wslint.report.location_json import location_fields
from wslint.report.text import _paint

Verdict = Literal[
    "ok", "ping-too-long", "no-keepalive", "keepalive-unknown", "no-idle-timeout", "short-lifetime-cap", "upgrade-off"
]

BAR_WIDTH = 48


class Glyphs(NamedTuple):
    """The drawing's symbols: Unicode, or ASCII for a stream that cannot carry them (a cp1252 or ASCII stdout)."""

    block: str = "█"
    arrow: str = "◀"
    infinite: str = "∞"
    mark: str = "┆"
    times: str = "×"
    at_most: str = "≤"
    ok: str = "✓"
    fail: str = "✗"
    cap: str = "⊣"


UNICODE = Glyphs()
ASCII = Glyphs(block="#", arrow="<-", infinite="~", mark="|", times="x", at_most="<=", ok="+", fail="!", cap="-|")
# said of a route counted only because nothing read marks any route
ASSUMED_NOTE = ASSUMED.strip().removeprefix("(").removesuffix(")")
# how a named hop's route says its idle timeout is unknown, and why (wslint.intermediaries)
UNKNOWN_MARK = "idle timeout unknown: "
# row colours: the bottleneck, a timeout too short for the ping, a default nobody wrote, a timeout that holds
BOTTLENECK, SHORT, DEFAULT, GOOD = "1;31", "31", "33", "32"


def _ok(timeout: Duration | None, ping: float | None) -> bool | None:
    if timeout is None:
        return None
    if timeout.infinite:
        return True
    if ping is None:
        return None
    return ping > 0 and ping * 2 <= timeout.seconds


def short_cap(cap: Duration | None) -> bool:
    """A finite lifetime cap under an hour (WS209): no ping interval keeps a connection open beyond it."""
    return cap is not None and not cap.infinite and cap.seconds < CAP_WARNING


def _route_ok(hop: Hop, route: Route, ping: float | None) -> bool | None:
    """A route's ``ok``: false when its hop refuses the upgrade or under a WS209 cap, whatever the ping; else its idle
    timeout's."""
    if route.upgrade_off is not None or short_cap(route.cap(hop)):
        return False
    return _ok(route.idle_timeout, ping)


def _bottleneck_at(path: Path) -> tuple[int, int] | None:
    """(hop index, route index), both 0-based, of the path's bottleneck."""
    found = path.bottleneck()
    if found is None:
        return None
    for h, hop in enumerate(path.hops):
        for r, route in enumerate(hop.routes):
            if route is found[1]:
                return h, r
    return None  # pragma: no cover - bottleneck() returns one of the path's routes


def _verdict(path: Path) -> Verdict:
    if _upgrade_off(path):
        return "upgrade-off"
    idle = _idle_verdict_of(path)
    if idle not in ("ping-too-long", "no-keepalive") and _short_cap_on(path):
        return "short-lifetime-cap"
    return idle


def _upgrade_off(path: Path) -> list[str]:
    """The rows (``1``, ``2.1``) whose hop refuses the upgrade (WS107), with their kind: ``1 cloudflare``."""
    return [
        f"{h}{'' if len(hop.routes) == 1 else '.' + str(r + 1)} {hop.kind.name}"
        for h, hop in enumerate(path.hops, start=1)
        for r, route in enumerate(hop.routes)
        if route.upgrade_off is not None
    ]


def _short_cap_on(path: Path) -> bool:
    found = _shortest_cap(path)
    return found is not None and short_cap(found[1])


def _idle_verdict_of(path: Path) -> Verdict:
    bottleneck = path.bottleneck()
    ping = path.keepalive.seconds
    if bottleneck is None:
        return "no-idle-timeout"
    if ping is None:
        return "keepalive-unknown"
    if ping == 0:
        return "no-keepalive"
    return "ping-too-long" if ping * 2 > bottleneck[2].seconds else "ok"


# -- text ------------------------------------------------------------------------------------------------------


def _label(hop: Hop, route: Route) -> str:
    if hop.name in route.name:  # "ALB aws_lb.web listener 443" already names its hop
        return route.name
    return f"{hop.name}: {route.name}"


def _source(duration: Duration) -> str:
    written = f"{duration.directive} {duration.text}".strip()
    return f"default {written}" if duration.default else written


def cap_rule(cap: Duration) -> str:
    """The rule a lifetime cap gets: WS209 under an hour, WS207 from an hour."""
    return "WS209" if cap.seconds < CAP_WARNING else "WS207"


def cap_words(cap: Duration) -> str:
    """What a lifetime cap does, in the words every drawing uses."""
    return (
        f"lifetime cap {cap.human()}: closes every connection at {cap.human()} whatever the traffic, "
        f"pings do not help ({cap_rule(cap)})"
    )


def cap_origin(cap: Duration) -> str:
    """Where a lifetime cap comes from: ``default backend service timeout 30s at main.tf:3:1``."""
    return printable(f"{_source(cap)} at {cap.location}")


def upgrade_off_words(route: Route) -> str:
    """``upgrade off: <why> (WS107)`` for a route whose hop refuses the upgrade, else ``""``."""
    off = route.upgrade_off
    return "" if off is None else f"upgrade off: {off.reason} (WS107)"


def unknown_why(route: Route) -> str:
    """Why a route's idle timeout is unknown, when its route says (a named hop whose vendor documents none, a hop
    that refuses the upgrade)."""
    if route.idle_timeout is not None:
        return ""
    return upgrade_off_words(route) or route.reason.partition(UNKNOWN_MARK)[2]


def _timeout_cells(route: Route) -> tuple[str, str, str]:
    """(idle timeout, set by, at) for one route."""
    timeout = route.idle_timeout
    if timeout is None and route.upgrade_off is not None:
        return "none: upgrade off", "no WebSocket passes (WS107)", str(route.upgrade_off.location)
    if timeout is None:
        return "unknown", "not documented" if unknown_why(route) else "wslint cannot read it", str(route.location)
    value = "infinite (no idle timeout)" if timeout.infinite else timeout.human()
    return value, _source(timeout), str(timeout.location)


class _Row:
    """One table row and what is drawn under it (``caps``: the lifetime caps drawn with it, the route's own and, on
    the hop's last row, the whole hop's)."""

    def __init__(self, number: str, hop: Hop, route: Route | None, ok: bool | None, bottleneck: bool) -> None:
        self.number, self.hop, self.route, self.ok, self.bottleneck = number, hop, route, ok, bottleneck
        # a lifetime cap under an hour in effect on the route (WS209): the row fails whatever the ping
        self.capped = route is not None and short_cap(route.cap(hop))
        self.caps: list[Duration] = []
        if route is None:
            self.cells = [number, hop.kind.name, hop.name, "no WebSocket route", "", str(hop.location)]
        else:
            self.cells = [number, hop.kind.name, _label(hop, route), *_timeout_cells(route)]
        self.cells = [printable(cell) for cell in self.cells]  # names and values from the configs, as data
        self.style = self._style(route.idle_timeout if route else None)

    def _style(self, timeout: Duration | None) -> str:
        if self.bottleneck:
            return BOTTLENECK
        if self.ok is False:
            return SHORT
        if timeout is not None and timeout.default:
            return DEFAULT
        return GOOD if self.ok else ""


def _rows(path: Path) -> list[_Row]:
    ping = path.keepalive.seconds
    at = _bottleneck_at(path)
    rows = []
    for h, hop in enumerate(path.hops, start=1):
        if not hop.routes:
            rows.append(_Row(str(h), hop, None, None, False))
        for r, route in enumerate(hop.routes):
            number = str(h) if len(hop.routes) == 1 else f"{h}.{r + 1}"
            rows.append(_Row(number, hop, route, _route_ok(hop, route, ping), at == (h - 1, r)))
            if route.lifetime is not None:
                rows[-1].caps.append(route.lifetime)
        # the hop's own cap, once, under its last row, when some route has no cap of its own
        if hop.lifetime is not None and (not hop.routes or any(r.lifetime is None for r in hop.routes)):
            rows[-1].caps.append(hop.lifetime)
    return rows


def _shortest_cap(path: Path) -> tuple[Hop, Duration] | None:
    """The shortest finite lifetime cap in effect on the path's routes (a hop without routes: its own)."""
    caps = [
        (hop, cap)
        for hop in path.hops
        for cap in ([route.cap(hop) for route in hop.routes] if hop.routes else [hop.lifetime])
        if cap is not None and not cap.infinite
    ]
    return min(caps, key=lambda c: c[1].seconds) if caps else None


def _paint_row(text: str, style: str, color: bool) -> str:
    return _paint(text, style, color) if style else text


def _table(path: Path, rows: list[_Row], color: bool, g: Glyphs) -> list[str]:
    header = ["hop", "kind", "route", "idle timeout", "set by", "at"]
    widths = [max(len(cells[i]) for cells in [header, *(row.cells for row in rows)]) for i in range(len(header))]
    indent = " " * (2 + widths[0] + 2 + widths[1] + 2)
    ping = path.keepalive.seconds

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [line(header)]
    for row in rows:
        text = line(row.cells)
        if row.bottleneck:
            text += f"   {g.arrow} bottleneck"
        elif ping and _ok(row.route.idle_timeout if row.route else None, ping) is False:
            # (a row failed by a lifetime cap alone says so on the cap's line under it)
            text += f"   {g.arrow} also shorter than 2 {g.times} ping"
        lines.append(_paint_row(text, row.style, color))
        lines += [f"{indent}{line}" for line in row_notes(row)]
        idle_note = row.route.idle_timeout.note if row.route and row.route.idle_timeout else ""
        for cap in row.caps:
            style = SHORT if cap_rule(cap) == "WS209" else ""
            lines.append(_paint_row(f"{indent}{g.cap} {cap_words(cap)}: {cap_origin(cap)}", style, color))
            if cap.note and cap.note != idle_note:  # one setting that is both (Application Gateway): said once
                lines.append(f"{indent}note: {printable(cap.note)}")
    return lines


def row_notes(row: _Row) -> list[str]:
    """The lines under a row before its caps: the idle timeout's note, why it is unknown, an assumed route."""
    lines = []
    route = row.route
    timeout = route.idle_timeout if route else None
    if timeout is not None and timeout.note:
        lines.append(f"note: {printable(timeout.note)}")
    if route is not None and route.upgrade_off is not None:
        lines.append(printable(upgrade_off_words(route)))
    elif route is not None and unknown_why(route):
        lines.append(f"why unknown: {printable(unknown_why(route))}; not judged")
    if route is not None and route.assumed:
        lines.append(f"note: {ASSUMED_NOTE}")
    return lines


def _bars(path: Path, rows: list[_Row], color: bool, g: Glyphs) -> list[str]:
    shown = [row for row in rows if row.route is not None]
    if not shown:
        return []
    scale = max((duration.seconds for _, _, duration in path.timed()), default=0.0)
    labels = [f"{row.number} {row.hop.kind.name}" for row in shown]
    width = max(len(label) for label in labels)
    lines = []
    for row, label in zip(shown, labels, strict=True):
        timeout = row.route.idle_timeout if row.route else None
        if timeout is None and row.route is not None and row.route.upgrade_off is not None:
            bar = f"{g.fail} upgrade off (WS107)"
        elif timeout is None:
            bar = "? unknown"
        elif timeout.infinite:
            bar = f"{g.infinite} infinite"
        else:
            blocks = max(1, round(timeout.seconds / scale * BAR_WIDTH)) if timeout.seconds > 0 else 0
            bar = (g.block * blocks + " " + timeout.human()).lstrip()
        if row.bottleneck:
            bar += f" {g.arrow}"
        caps = row.route.cap(row.hop) if row.route else None
        capped = f"   {g.cap} lifetime cap {caps.human()}" if caps is not None and not caps.infinite else ""
        lines.append(f"  {label.ljust(width)}  {_paint_row(bar, row.style, color)}{capped}")
    ping = path.keepalive.seconds
    if ping and scale > 0:
        # the end of a bar that reaches this mark is long enough for the ping
        column = min(BAR_WIDTH, max(1, round(ping * 2 / scale * BAR_WIDTH)))
        beyond = " (beyond every timeout)" if ping * 2 > scale else ""
        mark = f"{' ' * (column - 1)}{g.mark} 2 {g.times} ping = {format_seconds(ping * 2)}{beyond}"
        lines.append(f"  {' ' * width}  {mark}")
    return lines


def _verdict_lines(path: Path, color: bool, g: Glyphs) -> list[str]:
    blocked = BLOCKED.get(_verdict(path), "")
    lines = _upgrade_lines(path, color, g) + _idle_verdict(path, color, g, blocked)
    return lines + _unknown_lines(path, color) + _cap_lines(path, color, g)


# why a path fails whatever its idle timeouts: said instead of "OK" when they hold
BLOCKED = {
    "upgrade-off": "a hop refuses the upgrade",
    "short-lifetime-cap": "a lifetime cap closes every connection within the hour",
}


def _upgrade_lines(path: Path, color: bool, g: Glyphs) -> list[str]:
    """The routes whose hop refuses the upgrade (WS107): no WebSocket crosses the path, whatever the timeouts."""
    rows = _upgrade_off(path)
    if not rows:
        return []
    which = printable(", ".join(rows))
    return [f"  {_paint(g.fail, BOTTLENECK, color)} upgrade off at {which}: no WebSocket crosses this path (WS107)"]


def _unknown_lines(path: Path, color: bool) -> list[str]:
    """Beside a bottleneck: the hops whose idle timeout is unknown, left out of it."""
    if path.bottleneck() is None:
        return []
    unknown = [
        f"{h}{'' if len(hop.routes) == 1 else '.' + str(r + 1)} {hop.kind.name}"
        for h, hop in enumerate(path.hops, start=1)
        for r, route in enumerate(hop.routes)
        if route.idle_timeout is None and route.upgrade_off is None
    ]
    if not unknown:
        return []
    which = printable(", ".join(unknown))
    return [f"  {_paint('?', '33', color)} idle timeout unknown at {which}: left out of the bottleneck"]


def _cap_lines(path: Path, color: bool, g: Glyphs) -> list[str]:
    """The shortest lifetime cap on the path: no ping interval keeps a connection open beyond it."""
    found = _shortest_cap(path)
    if found is None:
        return []
    hop, cap = found
    rule = cap_rule(cap)
    mark = _paint(g.fail, SHORT, color) if rule == "WS209" else _paint(g.cap, "36", color)
    fix = f"raise {cap.directive}" if rule == "WS209" and cap.directive else "clients must reconnect"
    return [
        f"  {mark} {printable(hop.name)} closes every connection at {cap.human()} whatever the traffic "
        f"(lifetime cap, {printable(_source(cap))}): pings do not help, {printable(fix)} ({rule})"
    ]


def _idle_verdict(path: Path, color: bool, g: Glyphs, blocked: str = "") -> list[str]:
    """The largest safe ping interval and what the ping does against it; ``blocked`` (why the path fails whatever its
    idle timeouts: a hop refusing the upgrade, a WS209 cap): an idle verdict that holds is not called OK."""
    bottleneck = path.bottleneck()
    safe = path.largest_safe_ping()
    ping = path.keepalive.seconds
    if bottleneck is None or safe is None:
        lines = ["  largest safe ping interval: unknown: no finite idle timeout known on this path"]
        unknown = any(route.idle_timeout is None for hop in path.hops for route in hop.routes)
        mark = _paint("?", "33", color) if unknown or blocked else _paint(g.ok, "32", color)
        lines.append(f"  {mark} no finite idle timeout known: nothing wslint can read drops an idle connection")
        return lines
    limit = bottleneck[2]
    at = printable(str(limit.location))
    lines = [f"  largest safe ping interval: {format_seconds(safe)} (half of {limit.human()} at {at})"]
    if ping is None:
        lines.append(
            f"  {_paint('?', '33', color)} ping interval unknown: tell wslint with --ping-interval or --client (WS303)"
        )
    elif ping == 0:
        fail = _paint(g.fail, BOTTLENECK, color)
        lines.append(f"  {fail} no keepalive: connections idle for {limit.human()} are closed (WS302)")
    elif ping * 2 > limit.seconds:
        lines.append(
            f"  {_paint(g.fail, BOTTLENECK, color)} the ping interval {format_seconds(ping)} is more than half the "
            f"bottleneck {limit.human()}: idle connections drop (WS301)"
        )
    elif blocked:
        spare = format_seconds(safe - ping)
        fail = _paint(g.fail, SHORT, color)
        lines.append(
            f"  {fail} ping {format_seconds(ping)} {g.at_most} half of {limit.human()} keeps idle connections open "
            f"({spare} to spare), but {blocked}: not OK"
        )
    else:
        spare = format_seconds(safe - ping)
        ok = _paint(g.ok, GOOD, color)
        lines.append(f"  {ok} ping {format_seconds(ping)} {g.at_most} half of {limit.human()}: OK ({spare} to spare)")
    return lines


def _render_path(path: Path, color: bool, g: Glyphs) -> list[str]:
    hops = f"{len(path.hops)} hop{'' if len(path.hops) == 1 else 's'}"
    title = _paint('path "' + printable(path.name) + '"', "1", color)
    lines = [f"{title} ({printable(str(path.location))}): {hops}, client side first"]
    lines.append(f"  ping interval: {printable(path.keepalive.describe())}")
    if path.keepalive.note:
        lines.append(f"  note: {printable(path.keepalive.note)}")
    rows = _rows(path)
    lines += ["", *_table(path, rows, color, g)]
    bars = _bars(path, rows, color, g)
    if bars:
        lines += ["", *bars]
    lines += ["", *_verdict_lines(path, color, g)]
    if path.missing:
        missing = printable(", ".join(path.missing))
        lines.append(f"  not linted in this run: {missing} (the bottleneck is among the linted hops only)")
    lines += [f"  {printable(note)}" for note in path.notes]
    return lines


def render_text(paths: list[Path], color: bool, ascii_only: bool = False) -> str:
    """The drawing of every path, a blank line between paths; ``ascii_only`` draws it with ASCII symbols only."""
    g = ASCII if ascii_only else UNICODE
    blocks = ["\n".join(line.rstrip() for line in _render_path(path, color, g)) for path in paths]
    return "\n\n".join(blocks) + "\n" if blocks else ""


# -- the layout the other drawings share (Mermaid, HTML) ---------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What every drawing of one path shows, each value already ``printable`` (one line, no control character).

    ``rows`` are the text table's rows (``cells``: hop number, kind, route, idle timeout, set by, at; ``bottleneck``,
    ``ok``); ``conclusion`` the largest safe ping interval and the verdict, as the text drawing words them.
    """

    path: Path
    title: str
    ping: str
    rows: list[_Row]
    verdict: Verdict
    conclusion: list[str]
    missing: str
    notes: list[str]
    # the rule of the path's shortest lifetime cap (WS209, WS207), "" when none (a WS209 cap makes ``verdict``
    # short-lifetime-cap unless the idle timeouts fail the path already)
    cap: str

    def place(self, row: _Row) -> str:
        """Where a row's route is: the route's own line (``nginx.conf:29:5``, its location block), or the hop's
        when it has no WebSocket route (the text table's row says that place too)."""
        return printable(str(row.route.location if row.route is not None else row.hop.location))

    def state(self, row: _Row) -> str:
        """How a drawing marks a row: ``bottleneck``, ``short`` (too short for the ping, or under a lifetime cap of
        less than an hour), ``unset`` (a default nobody wrote), ``good``, or ``""`` when the ping is unknown (the text
        drawing's colours say the same)."""
        timeout = row.route.idle_timeout if row.route else None
        if row.bottleneck:
            return "bottleneck"
        if row.ok is False:
            return "short"
        if timeout is not None and timeout.default:
            return "unset"
        return "good" if row.ok else ""

    def under(self, row: _Row) -> list[str]:
        """The lines a drawing shows under a row's timeout: its note, why it is unknown, an assumed route."""
        return row_notes(row)

    def caps(self, row: _Row) -> list[tuple[str, str, str]]:
        """The lifetime caps drawn with a row: (rule, what it does, where it comes from) each."""
        return [(cap_rule(cap), cap_words(cap), cap_origin(cap)) for cap in row.caps]

    def origin(self, row: _Row) -> str:
        """Where a row's idle timeout comes from: ``default (...)`` or ``configured at FILE:LINE (...)``."""
        timeout = row.route.idle_timeout if row.route else None
        if timeout is None:
            return row.cells[4]
        written = printable(f"{timeout.directive} {timeout.text}".strip())
        if timeout.infinite and not timeout.text:  # nothing written: the box has none (a named hop's cap-only box)
            return written
        if timeout.default:
            return f"default{': ' + written if written else ''}"
        return f"configured at {row.cells[5]}{': ' + written if written else ''}"


def layout(path: Path) -> Layout:
    """The rows, the verdict and its words for one path: computed here once, drawn by each format."""
    shortest = _shortest_cap(path)
    marks = (f"{UNICODE.ok} ", f"{UNICODE.fail} ", f"{UNICODE.cap} ", "? ")
    conclusion = []
    for line in _verdict_lines(path, False, UNICODE):
        line = line.strip()
        for mark in marks:
            line = line.removeprefix(mark)
        conclusion.append(line)
    return Layout(
        path=path,
        title=printable(path.name),
        ping=printable(path.keepalive.describe()),
        rows=_rows(path),
        verdict=_verdict(path),
        conclusion=conclusion,
        missing=printable(", ".join(path.missing)),
        notes=[printable(note) for note in path.notes],
        cap="" if shortest is None else cap_rule(shortest[1]),
    )


def path_files(path: Path) -> set[str]:
    """The files a path's hops, routes and timeouts are read from (its findings are in these)."""
    files = {hop.location.file for hop in path.hops}
    for hop in path.hops:
        for route in hop.routes:
            files.add(route.location.file)
            for duration in (route.idle_timeout, route.lifetime):
                if duration is not None:
                    files.add(duration.location.file)
        if hop.lifetime is not None:
            files.add(hop.lifetime.location.file)
    return files


def path_findings(path: Path, findings: list[Finding]) -> list[Finding]:
    """The unsuppressed findings in the path's files, and those at its declaration, in report order."""
    files = path_files(path)
    declared = (path.location.file, path.location.line)

    def mine(f: Finding) -> bool:
        return f.location.file in files or (f.location.file, f.location.line) == declared

    return sorted((f for f in findings if not f.suppressed and mine(f)), key=Finding.sort_key)


# -- JSON ------------------------------------------------------------------------------------------------------


def _duration(duration: Duration | None) -> dict[str, Any] | None:
    if duration is None:
        return None
    return {
        "seconds": None if duration.infinite else duration.seconds,
        "infinite": duration.infinite,
        "text": duration.text,
        "human": duration.human(),
        "default": duration.default,
        "directive": duration.directive,
        "note": duration.note,
        **location_fields(duration.location),
    }


def _path_dict(path: Path) -> dict[str, Any]:
    keepalive = path.keepalive
    ping = keepalive.seconds
    at = _bottleneck_at(path)
    safe = path.largest_safe_ping()
    hops = [
        {
            "index": h + 1,
            "kind": hop.kind.name,
            "name": hop.name,
            **location_fields(hop.location),
            "lifetime": _duration(hop.lifetime),
            "routes": [
                {
                    "name": route.name,
                    **location_fields(route.location),
                    "idle_timeout": _duration(route.idle_timeout),
                    "unknown_why": unknown_why(route),
                    "lifetime": _duration(route.lifetime),
                    "assumed": route.assumed,
                    "bottleneck": at == (h, r),
                    "ok": _route_ok(hop, route, ping),
                }
                for r, route in enumerate(hop.routes)
            ],
        }
        for h, hop in enumerate(path.hops)
    ]
    return {
        "name": path.name,
        "declared": location_fields(path.location),
        "ping_interval": {
            "seconds": ping,
            "text": None if ping is None else "none" if ping == 0 else format_seconds(ping),
            "source": keepalive.source,
            "client": keepalive.client,
            "note": keepalive.note,
        },
        "bottleneck": None if at is None else {"hop": at[0] + 1, "route": at[1]},
        "largest_safe_ping": None if safe is None else {"seconds": safe, "text": format_seconds(safe)},
        "verdict": _verdict(path),
        "missing": list(path.missing),
        "notes": list(path.notes),
        "hops": hops,
    }


def paths_json(paths: list[Path]) -> list[dict[str, Any]]:
    """One dict per path, each valid against wslint/schemas/path.schema.json."""
    return [_path_dict(path) for path in paths]
