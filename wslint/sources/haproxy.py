"""The HAProxy source: config files -> a Document with one Hop and its WebSocket routes.

It knows HAProxy's dialect (configuration manual, FACTS.md §F):
- a proxy takes its settings from the last ``defaults`` before it, or the one ``from``
  names; a ``defaults`` without ``from`` starts from HAProxy's own defaults;
- which section types honour which timeout (``timeout tunnel`` is ignored in a frontend);
- times default to milliseconds;
- once upgraded, a connection idles out after the backend's ``timeout tunnel``, or
  without one after the smaller of the frontend's ``timeout client`` and the backend's
  ``timeout server`` (infinite only when none is set);
- several files given together continue each other, as ``haproxy -f a -f b`` reads them.
It knows nothing about rules.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from wslint import BUG_HINT
from wslint.config import WEBSOCKET_NAME_TOKENS, Settings, websocket_token_pattern
from wslint.durations import InvalidDuration, TruncatedDuration, parse_haproxy
from wslint.hops import HAPROXY_HOP
from wslint.model import (
    Document,
    Duration,
    HaproxyHop,
    HaproxyRoute,
    Hop,
    Location,
    Problem,
    Proxy,
    Route,
    Setting,
    Shadowed,
    construct,
)
from wslint.sources import text as textio
from wslint.sources.haproxy_shadow import SwitchRule, shadowing
from wslint.sources.haproxy_syntax import PROXY_SECTIONS, Config, HaproxySyntaxError, Line, Section, Word, parse
from wslint.sources.registry import Context, Target

# which sections honour a timeout (configuration manual, "May be used in sections")
FRONTEND_TIMEOUTS = frozenset({"client", "client-fin", "http-request", "http-keep-alive", "tarpit"})
BACKEND_TIMEOUTS = frozenset({"server", "server-fin", "connect", "tunnel", "queue", "check", "tarpit"})
# fetches that select a path, or a host (the Host header, or TLS SNI in TCP mode), for the "plain route" policy
PLAIN_PATH_FETCHES = re.compile(r"^(?:req\.)?(?:path|url|base)(?:_(?:beg|end|sub|reg|dir|dom|str|len))?(?:,|$)")
HOST_FETCHES = re.compile(r"^(?:req\.)?(?:hdr(?:_[a-z]+)?\(host\)|req[._]ssl_sni|ssl_fc_sni)")
PATH_FETCHES = re.compile(r"^(path|path_beg|path_end|path_sub|path_reg|path_dir|url|url_beg|url_sub|url_reg|base)")
_UNKNOWN = "unknown"
# what the idle timeout of a TCP-mode proxy is (configuration manual, `mode` and `timeout tunnel`)
TCP_TUNNEL_NOTE = "mode tcp: the connection is a tunnel from its first byte, with no HTTP phase"
# the keywords wslint reads: a .if that cannot be evaluated matters only around these
READ_KEYWORDS = frozenset(
    "timeout mode default_backend use_backend acl option http-check hard-stop-after close-spread-time".split()
)


def _loc(line: Line, word: Word | None = None) -> Location:
    """The line (or one word of it) as a Location; the whole line's is made once and shared."""
    if word is None and isinstance(line.location, Location):
        return line.location
    raw = line.raw
    column = word.column if word else len(raw) - len(raw.lstrip()) + 1
    end = word.end_column if word else len(raw.split("#", 1)[0].rstrip()) + 1
    made = construct(
        Location,  # values are plain and already checked
        file=line.file,
        line=line.line,
        column=column,
        end_line=line.line,
        end_column=max(end, column),
        origin=None,
    )
    if word is None:
        line.location = made
    return made


@dataclass
class _Settings:
    """Settings of one section after inheritance: timeouts, mode, backends, checks."""

    timeouts: dict[str, Duration | str] = field(default_factory=dict)  # Duration or _UNKNOWN
    mode: str | None = None
    mode_unknown: bool = False
    default_backend: str | None = None
    health_check: tuple[str, Location, bool] | None = None  # path, where, sends an Upgrade header
    disabled: bool = False  # a disabled proxy does not run: no routes, no start-up checks

    def copy(self) -> _Settings:
        return dataclasses.replace(self, timeouts=dict(self.timeouts))


@dataclass
class _Proxy:
    section: Section
    settings: _Settings
    defaults: Section | None
    # (backend, reached on a WebSocket ACL, reached only on paths or hosts without a WebSocket token)
    use_backends: list[tuple[str, bool, bool]] = field(default_factory=list)
    acls: dict[str, bool] = field(default_factory=dict)  # name -> tests Upgrade or a WebSocket path
    criteria: dict[str, list[list[str]]] = field(default_factory=dict)  # name -> its criteria (lines ORed)
    unread_acls: set[str] = field(default_factory=set)  # ACLs with a line in a .if or with a variable
    switches: list[SwitchRule] = field(default_factory=list)  # the use_backend rules in order (WS108)
    switch_lines: list[Line] = field(default_factory=list)  # their lines, by SwitchRule.index
    ignored_tunnel: Location | None = None
    has_servers: bool = False
    # `be-unpublished`, or `disabled` in a .if: use_backend rules naming it may be skipped (WS108 never counts on it)
    unpublished: bool = False


class _Analysis:
    def __init__(self, configs: list[Config], settings: Settings, continues: bool = True) -> None:
        self.configs = configs
        self.settings = settings
        # without a global or defaults section of its own, the group takes its defaults from another file
        self.continues = continues
        self.problems: list[Problem] = []
        self.times: list[Duration] = []
        self.ws_paths = settings.all_websocket_paths
        self.file = configs[0].file

    def run(self) -> Document:
        sections = [s for c in self.configs for s in c.sections]
        for config in self.configs:
            for error in config.errors:
                self.problems.append(
                    Problem(
                        kind="parse-error",
                        location=Location(file=config.file, line=error.line, column=error.column),
                        message=error.message,
                    )
                )
            relevant = [
                line.line
                for section in config.sections
                for line in [section.header, *section.lines]
                if line.conditional
                and (line.keyword in READ_KEYWORDS or (line is section.header and section.kind in PROXY_SECTIONS))
            ]
            if relevant:
                lines = ", ".join(map(str, relevant[:5])) + (" ..." if len(relevant) > 5 else "")
                self.problems.append(
                    Problem(
                        kind="note",
                        location=Location(file=config.file, line=relevant[0], column=1),
                        message=f"settings in .if branches that depend on where HAProxy runs (line {lines}): "
                        "both branches are considered possible, and what they set is unknown",
                    )
                )
        proxies = self._proxies(sections)
        by_name = {p.section.name: p for p in proxies if p.section.kind in ("backend", "listen")}
        routes, marked = self._routes(proxies, by_name)
        hop_name = self.file if len(self.configs) == 1 else f"{self.file} (+{len(self.configs) - 1} files)"
        models = [self._proxy_model(p, marked) for p in proxies]
        hop = Hop(
            kind=HAPROXY_HOP,
            name=hop_name,
            location=Location(file=self.file, line=1, column=1),
            routes=routes,
            dialect=HaproxyHop(proxies=models, times=self.times),
        )
        glob = next((s for s in sections if s.kind == "global"), None)
        if glob is not None:
            hop.location = _loc(glob.header)
            hop.drain = self._global_setting(glob, "hard-stop-after")
        return Document(
            file=self.file,
            kind="haproxy",
            context="haproxy",
            hops=[hop],
            problems=self.problems,
            files=[c.file for c in self.configs],
        )

    # -- sections and inheritance ------------------------------------------------------------------
    def _proxies(self, sections: list[Section]) -> list[_Proxy]:
        named: dict[str, tuple[Section, _Settings]] = {}
        last: tuple[Section, _Settings] | None = None
        # a fragment (no global, no defaults) that continues another file: its defaults are there, unseen;
        # one that continues nothing runs as `haproxy -f FILE` runs it, on HAProxy's own defaults (mode tcp)
        fragment = self.continues and not _complete(sections)
        unseen = _Settings(timeouts=dict.fromkeys(FRONTEND_TIMEOUTS | BACKEND_TIMEOUTS, _UNKNOWN), mode_unknown=True)
        out: list[_Proxy] = []
        for section in sections:
            if section.kind not in PROXY_SECTIONS:
                if section.kind == "global":
                    self._read_times(section)
                continue
            base: tuple[Section, _Settings] | None = last
            if section.parent is not None:
                base = named.get(section.parent)
                if base is None:
                    self.problems.append(
                        Problem(
                            kind="parse-error",
                            location=_loc(section.header),
                            message=f"defaults section '{section.parent}' not found for {section.kind} "
                            f"'{section.name}'",
                        )
                    )
            if section.kind == "defaults" and section.parent is None:
                base = None  # a defaults section resets everything to HAProxy's own defaults
            inherited = base[1].copy() if base else (unseen.copy() if fragment else _Settings())
            proxy = _Proxy(section, inherited, base[0] if base else None)
            self._apply(proxy)
            if section.kind == "defaults":
                last = (section, proxy.settings)
                if section.name:
                    named[section.name] = last
            else:
                if not proxy.settings.disabled:
                    out.append(proxy)
        return out

    def _apply(self, proxy: _Proxy) -> None:
        kind = proxy.section.kind
        settings = proxy.settings
        for line in proxy.section.lines:
            words = line.texts()
            keyword = words[0]
            if keyword == "timeout" and len(words) >= 2:
                self._timeout(proxy, line)
            elif keyword == "mode" and len(words) >= 2:
                settings.mode = None if line.conditional or line.unknown(1) else words[1]
                settings.mode_unknown = settings.mode is None
            elif keyword in ("server", "server-template"):
                proxy.has_servers = True
            elif keyword in ("disabled", "enabled") and not line.conditional:
                settings.disabled = keyword == "disabled"
            elif keyword in ("disabled", "be-unpublished"):
                proxy.unpublished = True
            elif keyword == "default_backend" and len(words) >= 2:
                settings.default_backend = words[1]
            elif keyword == "use_backend" and len(words) >= 2 and kind != "backend":
                condition = words[2:]
                proxy.use_backends.append(
                    (words[1], self._websocket_condition(proxy, condition), self._plain_condition(proxy, condition))
                )
                unknown = line.conditional or any(line.unknown(i) for i in range(len(words)))
                proxy.switches.append(
                    SwitchRule(words[1], tuple(condition), " ".join(words), len(proxy.switch_lines), unknown)
                )
                proxy.switch_lines.append(line)
            elif keyword == "acl" and len(words) >= 3:
                if line.conditional or any(line.unknown(i) for i in range(len(words))):
                    proxy.unread_acls.add(words[1])
                proxy.acls[words[1]] = proxy.acls.get(words[1], False) or self._websocket_acl(words[2:])
                proxy.criteria.setdefault(words[1], []).append(words[2:])
            elif keyword == "option" and len(words) >= 2 and words[1] == "httpchk":
                args = words[2:]
                path = args[1] if len(args) >= 2 else (args[0] if len(args) == 1 else "/")
                settings.health_check = (path, _loc(line), False)
            elif keyword == "http-check" and len(words) >= 2 and words[1] == "send" and "uri" in words:
                index = words.index("uri")
                if index + 1 < len(words):
                    upgrade = any(w.lower() == "upgrade" for w in words[index + 2 :])
                    settings.health_check = (words[index + 1], _loc(line, line.words[index + 1]), upgrade)

    def _timeout(self, proxy: _Proxy, line: Line) -> None:
        words = line.texts()
        name = words[1]
        kind = proxy.section.kind
        if len(words) < 3:
            self.problems.append(
                Problem(
                    kind="invalid-duration",
                    location=_loc(line),
                    message=f"'timeout {name}' expects an integer value (in milliseconds)",
                )
            )
            proxy.settings.timeouts[name] = _UNKNOWN
            return
        duration = self._duration(line, f"timeout {name}", 2)  # HAProxy reads the value before ignoring it
        if kind == "frontend" and name in BACKEND_TIMEOUTS - FRONTEND_TIMEOUTS:
            if name == "tunnel":
                proxy.ignored_tunnel = _loc(line)
            return  # HAProxy: "will be ignored because frontend has no backend capability"
        if kind == "backend" and name in FRONTEND_TIMEOUTS - BACKEND_TIMEOUTS:
            return
        if duration is not None and duration.infinite and not line.conditional:
            proxy.settings.timeouts.pop(name, None)  # 0 means unset: HAProxy tests the timeout for non-zero
        else:
            proxy.settings.timeouts[name] = _UNKNOWN if duration is None or line.conditional else duration

    def _duration(self, line: Line, directive: str, index: int) -> Duration | None:
        """Word ``index`` of the line as a HAProxy time; None when unknown or rejected."""
        if line.unknown(index):
            word = line.words[index]
            if line.raw[word.column - 1 : word.column + 1] == "${":  # envsubst's, not HAProxy's "${X}"
                self.problems.append(
                    Problem(
                        kind="note",
                        location=_loc(line, word),
                        message=f"{directive} {word.text}: read as a template placeholder (an unknown value); "
                        'HAProxy expands variables only within double quotes ("${X}"): unrendered, it refuses this',
                    )
                )
            return None
        try:
            seconds = parse_haproxy(line.texts()[index])
        except TruncatedDuration as exc:
            seconds = exc.seconds
            self.problems.append(
                Problem(
                    kind="invalid-duration",
                    location=_loc(line, line.words[index]),
                    message=f"{directive} {line.texts()[index]}: {exc}",
                )
            )
        except InvalidDuration as exc:
            self.problems.append(
                Problem(
                    kind="invalid-duration",
                    location=_loc(line, line.words[index]),
                    message=f"{directive} {line.texts()[index]}: {exc}; HAProxy refuses to start",
                )
            )
            return None
        duration = construct(
            Duration,  # plain values, already checked
            seconds=seconds if seconds else math.inf,
            text=line.texts()[index],
            dialect="haproxy",
            location=_loc(line),
            directive=directive,
        )
        self.times.append(duration)
        return duration

    def _read_times(self, section: Section) -> None:
        for line in section.lines:
            if line.keyword in ("hard-stop-after", "close-spread-time") and len(line.texts()) >= 2:
                self._duration(line, line.keyword, 1)

    def _global_setting(self, section: Section, name: str) -> Setting:
        found = [line for line in section.lines if line.keyword == name]
        if not found:
            return Setting(name=name, value=None, location=_loc(section.header), default=True)
        line = found[-1]
        unknown = line.conditional or len(line.texts()) < 2 or line.unknown(1)
        value = line.texts()[1] if len(line.texts()) > 1 else None
        return Setting(name=name, value=value, location=_loc(line), unknown=unknown)

    # -- WebSocket detection -------------------------------------------------------------------------
    def _websocket_acl(self, criterion: list[str]) -> bool:
        fetch = criterion[0].lower()
        values = [v for v in criterion[1:] if not v.startswith("-")]
        if "upgrade" in fetch and ("hdr" in fetch or "upgrade)" in fetch):
            return True
        if "hdr" in fetch and "connection" in fetch and any("upgrade" in v.lower() for v in values):
            return True
        if PATH_FETCHES.match(fetch):
            return any(self._websocket_path(v) for v in values)
        return False

    def _websocket_path(self, value: str) -> bool:
        return bool(websocket_token_pattern(self.ws_paths).search(value.replace("\\", "").lower()))

    def _websocket_condition(self, proxy: _Proxy, words: list[str]) -> bool:
        if not words or words[0] != "if":
            return False
        terms = words[1:]
        anonymous = " ".join(terms)
        for inner in re.findall(r"\{([^}]*)\}", anonymous):
            if self._websocket_acl(inner.split()):
                return True
        return any(not t.startswith("!") and proxy.acls.get(t, False) for t in terms)

    def _plain_condition(self, proxy: _Proxy, words: list[str]) -> bool:
        """Whether an ``if`` condition selects only requests to given paths or hosts, none with a WebSocket token.

        Every ``||`` branch must hold a test of a path or host, not negated, whose values wslint can read, and no
        branch a test of the Upgrade header, a WebSocket path or a host with a WebSocket token.
        """
        if len(words) < 2 or words[0] != "if":
            return False
        branches: list[list[tuple[bool, list[list[str]]]]] = [[]]
        for negated, criteria in _terms(words[1:], proxy.criteria):
            if criteria is None:
                branches.append([])  # `||` / `or`
            else:
                branches[-1].append((negated, criteria))
        for branch in branches:
            if any(any(self._websocket_acl(c) or _host_with_token(c) for c in criteria) for _, criteria in branch):
                return False
            selects = [criteria for negated, criteria in branch if not negated and criteria]
            if not any(all(map(_plain_selector, criteria)) for criteria in selects):
                return False
        return True

    @staticmethod
    def _name_is_websocket(name: str) -> bool:
        return any(token.lower() in WEBSOCKET_NAME_TOKENS for token in re.split(r"[-_.]", name))

    # -- routes ---------------------------------------------------------------------------------------------
    def _routes(self, proxies: list[_Proxy], backends: dict[str, _Proxy]) -> tuple[list[Route], set[str]]:
        # (frontend, backend, reached on a WebSocket ACL, reached on a plain path or host)
        pairs: list[tuple[_Proxy | None, _Proxy, bool, bool]] = []
        reached: set[str] = set()
        for proxy in proxies:
            kind = proxy.section.kind
            if kind == "listen":
                pairs.append((proxy, proxy, False, False))
                reached.add(proxy.section.name)
            if kind in ("frontend", "listen"):
                targets = list(proxy.use_backends)
                if proxy.settings.default_backend:
                    targets.append((proxy.settings.default_backend, False, False))
                for name, on_websocket, plain in targets:
                    backend = backends.get(name)
                    if backend is not None and backend is not proxy:
                        pairs.append((proxy, backend, on_websocket, plain))
                        reached.add(name)
        for proxy in proxies:
            if proxy.section.kind == "backend" and proxy.section.name not in reached:
                pairs.append((None, proxy, False, False))
        explicit = self.settings.websocket_routes
        marked: set[str] = set()
        fallback = False
        if explicit is not None:
            marked = {b.section.name for _, b, _, _ in pairs if any(self._listed(e, b.section.name) for e in explicit)}
        else:
            marked = {b.section.name for _, b, ws, _ in pairs if ws or self._name_is_websocket(b.section.name)}
            if not marked:  # HAProxy forwards upgrades by default: every proxy with servers may carry them,
                # except one reached only on paths or hosts without a WebSocket token: a plain HTTP route
                fallback = True
                marked = {
                    b.section.name
                    for _, b, _, plain in pairs
                    if not plain
                    and b.has_servers
                    and (b.settings.mode_unknown or (b.settings.mode or "tcp") in ("http", "tcp"))
                }
        routes: list[Route] = []
        seen: set[tuple[str | None, str]] = set()
        for front, back, _, plain in pairs:
            key = (front.section.name if front else None, back.section.name)
            if back.section.name not in marked or key in seen or (fallback and plain):
                continue
            seen.add(key)
            route = self._route(front, back, explicit is not None)
            if front is not None and not fallback:
                route.shadowed = self._shadowed(front, back, backends)
            routes.append(route)
        return routes, marked

    @staticmethod
    def _shadowed(front: _Proxy, back: _Proxy, backends: dict[str, _Proxy]) -> Shadowed | None:
        """The earlier ``use_backend`` that catches every request the rules naming this backend match (WS108).

        Only for a backend the section names in ``use_backend`` rules alone: one that is also its
        ``default_backend`` (or the listen section itself) is reached in other ways wslint does not weigh.
        """
        name = back.section.name
        if back is front or front.settings.default_backend == name:
            return None
        criteria = {k: [] if k in front.unread_acls else v for k, v in front.criteria.items()}  # []: unknown
        usable = {n for n, proxy in backends.items() if not proxy.unpublished}
        found = shadowing(front.switches, name, criteria, usable)
        if found is None:
            return None
        rule, earlier, why = found
        return Shadowed(
            location=_loc(front.switch_lines[earlier.index]),
            rule=earlier.text,
            reason=why,
            at=_loc(front.switch_lines[rule.index]),
        )

    def _listed(self, entry: str, name: str) -> bool:
        if ":" not in entry:
            return entry == name
        file_part, route = entry.rsplit(":", 1)
        return route == name and any(c.file.replace(os.sep, "/").endswith(file_part) for c in self.configs)

    def _route(self, front: _Proxy | None, back: _Proxy, explicit: bool) -> Route:
        tunnel = back.settings.timeouts.get("tunnel")
        client = front.settings.timeouts.get("client") if front else _UNKNOWN
        server = back.settings.timeouts.get("server")
        client_fin = front.settings.timeouts.get("client-fin") if front else _UNKNOWN
        facts = construct(
            HaproxyRoute,
            frontend=front.section.name if front else None,
            frontend_kind=front.section.kind if front else "frontend",
            backend=back.section.name,
            backend_kind=back.section.kind,
            tunnel=tunnel if isinstance(tunnel, Duration) else None,
            tunnel_unknown=tunnel == _UNKNOWN,
            client_fin=client_fin if isinstance(client_fin, Duration) else None,
            client_fin_unknown=client_fin == _UNKNOWN,
            ignored_tunnel=front.ignored_tunnel if front else None,
            mode=None if back.settings.mode_unknown else back.settings.mode or "tcp",
        )
        idle: Duration | None
        if isinstance(tunnel, Duration):
            idle = tunnel
        elif tunnel == _UNKNOWN or client == _UNKNOWN or server == _UNKNOWN:
            idle = None
        else:
            candidates = [d for d in (server, client) if isinstance(d, Duration)]  # the backend's first on a tie
            idle = min(candidates, key=lambda d: d.seconds) if candidates else None
            if idle is None:
                where = _loc(back.section.header)
                idle = Duration(
                    seconds=math.inf,
                    text="",
                    dialect="haproxy",
                    location=where,
                    default=True,
                    directive="timeout tunnel",
                )
        if idle is not None and facts.mode == "tcp" and not idle.infinite:
            idle = dataclasses.replace(idle, note=TCP_TUNNEL_NOTE)
        if back.section.kind == "listen":
            name = f"listen {back.section.name}"
        elif front is None:
            name = f"backend {back.section.name}"
        else:
            name = f"{front.section.kind} {front.section.name} -> backend {back.section.name}"
        reason = "listed in websocket-routes" if explicit else "carries WebSocket"
        return construct(
            Route,
            name=name,
            location=_loc(back.section.header),
            reason=reason,
            idle_timeout=idle,
            default_applies=False,
            dialect=facts,
        )

    @staticmethod
    def _missing(proxy: _Proxy) -> list[str]:
        """The timeouts HAProxy's start-up check finds missing (check_config_validity, src/cfgparse.c).

        A frontend needs ``client``; a backend with servers needs ``connect``, and ``server``
        unless it is in TCP mode with a ``timeout tunnel``. An unknown value counts as set.
        """
        timeouts = proxy.settings.timeouts
        kind = proxy.section.kind
        missing = []
        if kind in ("frontend", "listen") and "client" not in timeouts:
            missing.append("client")
        if kind in ("backend", "listen") and proxy.has_servers:
            if "connect" not in timeouts:
                missing.append("connect")
            if "server" not in timeouts and ((proxy.settings.mode or "tcp") == "http" or "tunnel" not in timeouts):
                missing.append("server")
        return missing

    def _proxy_model(self, proxy: _Proxy, marked: set[str]) -> Proxy:
        section = proxy.section
        settings = proxy.settings
        mode = settings.mode or "tcp"
        missing = [] if settings.mode_unknown or mode not in ("http", "tcp") else self._missing(proxy)
        check = settings.health_check if section.kind != "frontend" else None
        return construct(
            Proxy,
            kind=section.kind,
            name=section.name,
            location=_loc(section.header),
            mode=mode,
            defaults=_loc(proxy.defaults.header) if proxy.defaults else None,
            missing_timeouts=missing,
            websocket=section.name in marked and section.kind != "frontend",
            health_check_path=check[0] if check else None,
            health_check_location=check[1] if check else None,
            health_check_upgrade=check[2] if check else False,
        )


def _terms(words: list[str], criteria: dict[str, list[list[str]]]) -> Iterator[tuple[bool, list[list[str]] | None]]:
    """The terms of a condition as (negated, the criteria that test it); ``(False, None)`` for ``||``.

    An anonymous ACL ``{ fetch values }`` is one criterion; a named ACL has the criteria of its ``acl`` lines (none
    for one not declared here, such as HAProxy's predefined ``HTTP`` or ``TRUE``).
    """
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("||", "or"):
            yield False, None
            continue
        negated = word.startswith("!")
        word = word[1:] if negated else word
        if not word and index < len(words):  # `! name` or `! { ... }`
            word = words[index]
            index += 1
        if word == "{":
            end = words.index("}", index) if "}" in words[index:] else len(words)
            yield negated, [words[index:end]]
            index = end + 1
        elif word:
            yield negated, criteria.get(word, [])


def _values(criterion: list[str]) -> list[str] | None:
    """The patterns of a criterion (fetch, flags, values); None when they come from a file (``-f``, ``-M``)."""
    values: list[str] = []
    args = iter(criterion[1:])
    for word in args:
        if word in ("-f", "-M"):
            return None
        if word in ("-m", "-u"):
            next(args, None)
        elif word != "--" and not word.startswith("-"):
            values.append(word)
    return values


def _plain_selector(criterion: list[str]) -> bool:
    """A test of the path or the host against values wslint can read (WebSocket tokens are checked apart)."""
    fetch = criterion[0].lower() if criterion else ""
    values = _values(criterion)
    return bool(values) and bool(PLAIN_PATH_FETCHES.match(fetch) or HOST_FETCHES.match(fetch))


def _host_with_token(criterion: list[str]) -> bool:
    """A test of the host whose values have a WebSocket name token (``ws.example.com``)."""
    if not criterion or not HOST_FETCHES.match(criterion[0].lower()):
        return False
    values = _values(criterion) or []
    return any(token in WEBSOCKET_NAME_TOKENS for value in values for token in re.split(r"[-_.]", value.lower()))


def _complete(sections: Iterable[Section]) -> bool:
    """Whether the sections hold a ``global`` or ``defaults`` section: a configuration of its own, not a fragment."""
    return any(s.kind in ("global", "defaults") for s in sections)


def _continues(group: list[str], complete: list[str]) -> bool:
    """Whether files (real paths) without global or defaults continue another file's configuration.

    They do when they sit in a ``*.d`` directory (``conf.d/``, read with ``haproxy -f haproxy.cfg -f conf.d/``), or
    when a file of the run that has a ``global`` or ``defaults`` section lies in their directory or above it.
    Otherwise they are what ``haproxy -f FILE`` runs: proxies on HAProxy's own defaults (``mode tcp``, no timeouts).
    """
    folders = {os.path.dirname(os.path.abspath(real)) for real in group}
    if any(os.path.basename(folder).endswith(".d") for folder in folders):
        return True
    above = {os.path.dirname(os.path.abspath(real)) for real in complete}
    return any(folder == top or folder.startswith(top.rstrip(os.sep) + os.sep) for folder in folders for top in above)


def _read(real: str, display: str, settings: Settings, stdin: dict[str, bytes]) -> Config:
    try:
        source = textio.read_text(real, settings.max_file_size, stdin, reader="HAProxy")
    except textio.DecodeError as exc:
        config = Config(display)
        config.errors.append(HaproxySyntaxError(exc.message, exc.line))
        return config
    return parse(source, display, settings.haproxy_version)


def _groups(configs: list[Config], reals: list[str], named: list[bool]) -> Iterable[list[Config]]:
    """Which files form one configuration, as ``haproxy -f a -f b`` or ``-f dir/`` would read them.

    Files named on the command line form one configuration in the order given; files found
    in a directory walk, one per directory. Either way, files that each have a ``global``
    section are separate configurations (a pre-commit run passes unrelated configs together).
    """
    buckets: dict[str, list[Config]] = {}
    for config, real, is_named in zip(configs, reals, named, strict=True):
        buckets.setdefault("" if is_named else os.path.dirname(real), []).append(config)
    for group in buckets.values():
        globals_ = sum(1 for c in group if any(s.kind == "global" for s in c.sections))
        if len(group) > 1 and globals_ <= 1:
            yield group
        else:
            yield from ([c] for c in group)


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint HAProxy files, in order (the source registry's ``load``)."""
    settings = context.settings
    configs: list[Config] = []
    reals: list[str] = []
    named: list[bool] = []
    errors: list[str] = []
    for real, display, is_named in ((f.real, f.display, f.named) for f in files):
        try:
            configs.append(_read(real, display, settings, context.stdin))
            reals.append(real)
            named.append(is_named)
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
    documents = []
    real_of = {id(config): real for config, real in zip(configs, reals, strict=True)}
    complete = [real_of[id(c)] for c in configs if _complete(c.sections)]
    for group in _groups(configs, reals, named):
        continues = _continues([real_of[id(c)] for c in group], complete)
        try:
            documents.append(_Analysis(group, settings, continues).run())
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(
                f"{group[0].file}: internal error in the HAProxy source: {type(exc).__name__}: {exc}; {BUG_HINT}"
            )
    return documents, errors
