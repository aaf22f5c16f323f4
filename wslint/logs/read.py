"""Read the logs of a ``wslint logs`` run, streaming, and attribute each close to the route and timeout behind it.

A log's kind is told by its first lines (``sniff``). nginx access logs are read in the ``log_format`` of the run's
nginx files that matches their lines; HAProxy logs in ``httplog``, ``tcplog`` or a ``log-format`` of the run's
HAProxy files. Memory holds one ``Group`` per cause (counts, a histogram in whole seconds, three sample lines),
never the lines.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from wslint.hops import ALB, HAPROXY, NGINX
from wslint.logs import alb_logs, chisel_logs, haproxy_logs, nginx_logs
from wslint.logs.events import (
    TOLERANCE_SECONDS,
    TOLERANCE_SHARE,
    WHOLE_SECONDS,
    WHOLE_SHARE,
    Close,
    Evidence,
    Group,
    Loop,
    Session,
    known_defaults,
    same_time,
)
from wslint.model import Document, Duration, HaproxyRoute, Hop, Location, Route, format_seconds

HEAD_LINES = 50  # lines read to tell a log's kind
MIN_CLUSTER = 3  # sessions of one length before a client's reconnects are a loop
MIN_SPIKE = 5  # closes at one known default, with no route of the run to explain them, before they are evidence
SPIKE = 10  # ... and that many times as dense as in the minute around it
_LOCATION = re.compile(r"^location\s+(?:(=|\^~|~\*|~)\s+)?(.+)$")


@dataclass(slots=True)
class _Matcher:
    hop: Hop
    route: Route
    modifier: str  # "", "=", "^~", "~", "~*"
    path: str
    regex: re.Pattern[str] | None = None


@dataclass(slots=True)
class _Index:
    """The run's routes a log line can name: nginx locations by their path, HAProxy routes by backend."""

    nginx: list[_Matcher] = field(default_factory=list)
    haproxy: list[tuple[Hop, Route, HaproxyRoute]] = field(default_factory=list)
    alb: list[tuple[Hop, Route]] = field(default_factory=list)

    def nginx_route(self, uri: str | None) -> list[tuple[Hop, Route]]:
        """The location each nginx hop would pick for ``uri`` (nginx's order: =, longest prefix, ^~, regex)."""
        if uri is None:
            return []
        picked: list[tuple[Hop, Route]] = []
        for hop in {id(m.hop): m.hop for m in self.nginx}.values():
            own = [m for m in self.nginx if m.hop is hop]
            exact = [m for m in own if m.modifier == "=" and m.path == uri]
            if exact:
                picked.append((hop, exact[0].route))
                continue
            prefixes = [m for m in own if m.modifier in ("", "^~") and uri.startswith(m.path)]
            longest = max(prefixes, key=lambda m: len(m.path), default=None)
            if longest is not None and longest.modifier == "^~":
                picked.append((hop, longest.route))
                continue
            regex = next((m for m in own if m.regex is not None and m.regex.search(uri)), None)
            chosen = regex or longest
            if chosen is not None:
                picked.append((hop, chosen.route))
        return picked

    def alb_route(self, name: str | None) -> list[tuple[Hop, Route]]:
        """The ALB routes of the run: those of the load balancer the log names, when one of its hops says the name."""
        named = [(hop, route) for hop, route in self.alb if name and name in hop.name]
        return named or self.alb

    def haproxy_route(self, frontend: str | None, backend: str | None) -> list[tuple[Hop, Route]]:
        return [
            (hop, route)
            for hop, route, facts in self.haproxy
            if facts.backend == backend and (frontend is None or facts.frontend in (None, frontend))
        ]


def _index(documents: Iterable[Document]) -> _Index:
    index = _Index()
    for document in documents:
        for hop in document.hops:
            for route in hop.routes:
                if hop.kind.family is NGINX:
                    found = _LOCATION.match(route.name)
                    if found is None:
                        continue
                    modifier, path = found.group(1) or "", found.group(2).strip()
                    regex = None
                    if modifier in ("~", "~*"):
                        try:
                            regex = re.compile(path, re.I if modifier == "~*" else 0)
                        except re.error:
                            continue  # a PCRE construct Python lacks: this location is never picked
                    index.nginx.append(_Matcher(hop, route, modifier, path, regex))
                elif hop.kind is ALB:
                    index.alb.append((hop, route))
                elif hop.kind.family is HAPROXY and isinstance(route.dialect, HaproxyRoute):
                    index.haproxy.append((hop, route, route.dialect))
    return index


def sniff(head: list[str], formats: list[nginx_logs.LogFormat]) -> tuple[str, nginx_logs.LogFormat | None] | None:
    """The kind of a log from its first lines: nginx-error, nginx-access (with its format), haproxy, chisel."""
    if nginx_logs.looks_like_error_log(head):
        return "nginx-error", None
    if haproxy_logs.looks_like(head):
        return "haproxy", None
    if chisel_logs.looks_like(head):
        return "chisel", None
    if alb_logs.looks_like(head):
        return "alb", None
    for fmt in formats:
        if any(fmt.pattern.match(line) for line in head):
            return "nginx-access", fmt
    return None


class Reader:
    """One run's logs against its configs: feed each log, then ``finish`` for the evidence."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.index = _index(documents)
        self.evidence = Evidence()
        self.nginx_formats: list[nginx_logs.LogFormat] = []
        self.error_levels: list[tuple[str, Location]] = []
        self.haproxy_formats: list[re.Pattern[str]] = []
        self.defaults = sorted({value for value, _ in known_defaults()})
        self.named_logs: dict[str, str] = {}  # a log's file name as the nginx config names it -> "error" or a format
        self.unmatched: dict[str, Counter[int]] = {}  # reader -> deciseconds -> closes no route's timeout explains
        self.unmatched_samples: dict[tuple[str, int], list[tuple[Location, str]]] = {}
        self._configs()

    def _configs(self) -> None:
        for document in self.documents:
            for name in document.files:
                text = _text_of(name)
                if text is None:
                    continue
                if document.kind == "nginx":
                    formats, levels, named = nginx_logs.config_formats(text, name)
                    self.nginx_formats.extend(formats)
                    self.error_levels.extend(levels)
                    self.named_logs.update(named)
                elif document.kind == "haproxy":
                    self.haproxy_formats.extend(haproxy_logs.config_formats(text))
        combined = nginx_logs.compile_format("combined", nginx_logs.COMBINED, None)
        self.nginx_formats.append(combined)

    def read(self, name: str, lines: Iterable[str]) -> None:
        """One log, streamed: its kind from its first lines, then each line."""
        numbered = _Numbered(lines)
        head = [line for _, line in numbered.buffer]
        kind = sniff(head, self.nginx_formats) or self._named(name)
        if kind is None:
            self.evidence.notes.append(f"{name}: not a log wslint reads (nginx error or access log, HAProxy "
                                       "httplog/tcplog/log-format, AWS ALB access log, chisel client log); "
                                       "skipped")  # fmt: skip
            return
        self.evidence.logs.append(name)
        what, fmt = kind
        if what == "nginx-error":
            self._closes(nginx_logs.error_closes(numbered, name))
            self._error_level_note(name)
        elif what == "nginx-access" and fmt is not None:
            if not fmt.has_duration():
                self.evidence.notes.append(
                    f"{name}: its log_format ({fmt.name}) has no $request_time, so a WebSocket's lifetime is not in "
                    "it: add $request_time to the log_format to time closes"
                )
            self._closes(nginx_logs.access_closes(numbered, name, fmt))
        elif what == "haproxy":
            self._closes(haproxy_logs.closes(numbered, name, self.haproxy_formats))
        elif what == "alb":
            self._closes(alb_logs.closes(numbered, name))
        else:
            self._sessions(name, chisel_logs.sessions(numbered, name))
        self.evidence.lines += numbered.count

    def _named(self, name: str) -> tuple[str, nginx_logs.LogFormat | None] | None:
        """The kind of a log whose lines do not tell it (empty, or no line of a WebSocket yet) from the file name the
        nginx config gives its ``error_log`` or ``access_log``."""
        base = re.sub(r"(?:\.\d+)?(?:\.gz)?$", "", os.path.basename(name))  # error.log.1.gz: a rotated error.log
        named = self.named_logs.get(base)
        if named == "error":
            return "nginx-error", None
        fmt = next((f for f in self.nginx_formats if f.name == named), None)
        return ("nginx-access", fmt) if fmt is not None else None

    def _error_level_note(self, name: str) -> None:
        hiding = [(level, where) for level, where in self.error_levels if level in nginx_logs.LEVELS[2:]]
        if hiding and not any(level in ("debug", "info") for level, _ in self.error_levels):
            level, where = hiding[0]
            self.evidence.notes.append(
                f"{name}: nginx logs an upgraded connection's timeout at level info, and {where} sets error_log at "
                f"{level}: those lines are missing; set the level to info (`error_log FILE info;`) to see them"
            )

    def _closes(self, closes: Iterator[Close]) -> None:
        for close in closes:
            self._close(close)

    def _close(self, close: Close) -> None:
        if close.reader == "haproxy":
            candidates = self.index.haproxy_route(close.frontend, close.backend)
        elif close.reader == "alb":
            candidates = self.index.alb_route(close.backend)
        else:
            candidates = self.index.nginx_route(close.uri)
        if close.timed_out is not None:
            hop, route = _one(candidates, close.lifetime)
            timeout = route.idle_timeout if route is not None else None
            key: tuple[object, ...] = ("timeout", close.reader, hop.name if hop else "", route.name if route else "",
                                       close.side)  # fmt: skip
            group = self.evidence.group(key, Group(close.reader, hop.name if hop else "",
                                                   route.name if route else "", timeout, close.timed_out))  # fmt: skip
            group.add(close.location, close.text, close.lifetime)
            return
        if close.lifetime is None:
            return
        for hop, route in candidates:
            timeout = route.idle_timeout
            if timeout is not None and _fits(timeout, close.lifetime):
                key = ("duration", close.reader, hop.name, route.name, None)
                cause = f"closed {format_seconds(timeout.seconds)} after the handshake"
                group = self.evidence.group(key, Group(close.reader, hop.name, route.name, timeout, cause))
                group.add(close.location, close.text, close.lifetime)
                return
        if not any(abs(close.lifetime - seconds) <= 30 for seconds in self.defaults):
            return  # only the minute around a known default is ever judged: memory stays bounded
        tenths = round(close.lifetime * 10)  # deciseconds: a timer fires within milliseconds of its time
        self.unmatched.setdefault(close.reader, Counter())[tenths] += 1
        # samples only where a group may form, by the same test finish() applies to the tenths
        if any(same_time(tenths / 10, seconds) for seconds in self.defaults):
            samples = self.unmatched_samples.setdefault((close.reader, tenths), [])
            if len(samples) < 3:
                samples.append((close.location, close.text))

    def _sessions(self, name: str, sessions: Iterator[Session]) -> None:
        lengths: Counter[int] = Counter()
        samples: dict[int, list[tuple[Location, str]]] = {}
        keepalive: str | None = None
        for session in sessions:
            seconds = round(session.lasted)
            lengths[seconds] += 1
            keepalive = session.keepalive or keepalive
            kept = samples.setdefault(seconds, [])
            if len(kept) < 3:
                kept.append((session.location, session.text))
        cluster = _cluster(lengths)
        if cluster is not None and cluster[1] >= MIN_CLUSTER and cluster[1] * 2 >= sum(lengths.values()):
            seconds, count = cluster
            loop = Loop("chisel", float(seconds), count, keepalive)
            loop.samples = [s for k in sorted(samples, key=lambda k: abs(k - seconds)) for s in samples[k]][:3]
            self.evidence.loops.append(loop)

    def finish(self) -> Evidence:
        """The evidence, with the closes no route explains grouped at a known default when they spike there: at
        least MIN_SPIKE closes within the tolerance of it, and several times as many per second as in the minute
        around it (random lifetimes of normal closes do not bunch at one time)."""
        for reader, tenths in self.unmatched.items():
            for seconds in self.defaults:
                inside = [k for k in tenths if same_time(k / 10, seconds)]
                count = sum(tenths[k] for k in inside)
                width = max(2 * max(TOLERANCE_SECONDS, TOLERANCE_SHARE * seconds), 0.1)
                around = sum(n for k, n in tenths.items() if abs(k / 10 - seconds) <= 30) - count
                if count < MIN_SPIKE or count / width < SPIKE * around / (60 - width):
                    continue
                group = Group(reader, "", "", None, f"closed {format_seconds(seconds)} after the handshake")
                for k in inside:
                    group.count += tenths[k]
                    group.times[round(k / 10)] += tenths[k]
                    for sample in self.unmatched_samples.get((reader, k), []):
                        if len(group.samples) < 3:
                            group.samples.append(sample)
                self.evidence.groups[("unmatched", reader, seconds)] = group
        return self.evidence


def _one(candidates: list[tuple[Hop, Route]], lifetime: float | None) -> tuple[Hop | None, Route | None]:
    """The route a close belongs to: the only candidate, the one whose timeout its lifetime matches, or the first
    when every candidate's timeout is the same; (None, None) when the log cannot tell them apart."""
    if not candidates:
        return None, None
    if len(candidates) == 1:
        return candidates[0]
    if lifetime is not None:
        fitting = [c for c in candidates if _fits(c[1].idle_timeout, lifetime)]
        if len(fitting) == 1:
            return fitting[0]
    values = {c[1].idle_timeout.seconds if c[1].idle_timeout else None for c in candidates}
    return candidates[0] if len(values) == 1 else (None, None)


def _fits(timeout: Duration | None, lifetime: float) -> bool:
    """Whether a close ``lifetime`` seconds after the handshake is this finite timeout's."""
    return timeout is not None and not math.isinf(timeout.seconds) and same_time(lifetime, timeout.seconds)


def _cluster(times: Counter[int]) -> tuple[int, int] | None:
    """The close time (whole seconds) with the most closes within the tolerance of it, and that count."""
    best: tuple[int, int] | None = None
    for seconds in times:
        count = sum(n for k, n in times.items() if same_time(k, seconds, WHOLE_SECONDS, WHOLE_SHARE))
        if best is None or count > best[1] or (count == best[1] and times[seconds] > times[best[0]]):
            best = (seconds, count)
    return best


class _Numbered:
    """Lines with their numbers, the first ones buffered for ``sniff`` and then read again."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.source = iter(lines)
        self.buffer: list[tuple[int, str]] = []
        self.count = 0
        for line in self.source:
            self.count += 1
            self.buffer.append((self.count, line.rstrip("\r\n")))
            if len(self.buffer) >= HEAD_LINES:
                break

    def __iter__(self) -> Iterator[tuple[int, str]]:
        yield from self.buffer
        self.buffer = []
        for line in self.source:
            self.count += 1
            yield self.count, line.rstrip("\r\n")


def _text_of(name: str) -> str | None:
    try:
        with open(name, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None
