"""The Apache httpd source: a root config (with its includes) -> a Document with one APACHE_HOP and its routes.

What it knows of Apache 2.4 (mod_proxy, mod_proxy_http, mod_proxy_wstunnel, core; HOPS.md §5 has the measurements):
- every ``ProxyPass``/``ProxyPassMatch`` (also inside ``<Location>``/``<LocationMatch>``, whose path is the
  section's) and every ``RewriteRule … [P]`` is a proxy rule; it is a WebSocket route when its path names a
  WebSocket endpoint (the same tokens as nginx), its target is ``ws://``/``wss://``, its worker has
  ``upgrade=websocket``, or a ``RewriteCond %{HTTP:Upgrade}`` guards it (``websocket-routes`` overrides all);
- since 2.4.47 mod_proxy_http forwards an Upgrade only when the worker's ``upgrade=`` names it (``ws://`` targets
  default to WebSocket): an ``http://`` WebSocket route without ``upgrade=websocket`` gets a 426 (WS107);
- the tunnel's idle timeout is the larger of the client's ``Timeout`` (default 60 s) and the backend's socket
  timeout (the worker's ``timeout=``, else ``ProxyTimeout``, else ``Timeout``); ``Timeout``/``ProxyTimeout`` are
  server-config directives a ``<VirtualHost>`` inherits or sets; all three are read with ``atoi`` (whole seconds:
  ``Timeout 1h`` is one second, WS206); ``ProxyWebsocketFallbackToProxyHttp Off`` with a ``ws://`` target runs
  the pre-2.4.47 engine, which has no idle timeout;
- ProxyPass rules of a server match in the order written, the first match wins (WS108).
It knows nothing about rules.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from wslint import BUG_HINT
from wslint.config import Settings, websocket_token_pattern
from wslint.hops import APACHE_HOP
from wslint.model import (
    ApacheHop,
    ApacheRoute,
    Document,
    Duration,
    Hop,
    IgnoredTimeout,
    Location,
    Problem,
    Related,
    Route,
    Shadowed,
    UpgradeOff,
)
from wslint.sources.apache_files import Loader, Tree, location
from wslint.sources.apache_syntax import Directive
from wslint.sources.registry import Context, Target

DEFAULT_TIMEOUT = 60.0  # core Timeout: "Default: TimeOut 60" (httpd 2.4 core docs)
PROXY_DIRECTIVES = frozenset({"proxypass", "proxypassmatch"})
LOCATION_SECTIONS = frozenset({"location", "locationmatch"})
# sections ProxyPass may stand in without changing what it matches (server config, virtual host)
# a ProxyPassMatch regex that matches every URL-path (the only regexes WS108 reads)
CATCH_ALL = re.compile(r"\^?/?(?:\(\.\*\)|\.\*)\$?")
TRANSPARENT = frozenset({"ifmodule", "ifdefine", "ifversion", "if", "elseif", "else", "iffile", "ifdirective"})
_INTEGER = re.compile(r"[0-9]+")
_LEADING_INT = re.compile(r"\s*[-+]?[0-9]*")
UNKNOWN = "unknown"
MAIN_NAMES = frozenset({"apache2.conf", "httpd.conf"})
REFUSED_DIRECTIVE = (
    "not an Apache 2.4 directive: it exists only in httpd 2.5 (trunk), and `apache2 -t` 2.4 refuses it "
    "(Invalid command 'ProxyWebsocketIdleTimeout')"
)


def _atoi(text: str) -> int:
    """C's ``atoi``: the leading integer of the text, 0 when there is none."""
    match = _LEADING_INT.match(text)
    digits = match.group().strip() if match else ""
    try:
        return int(digits)
    except ValueError:
        return 0


@dataclass
class _Server:
    """The main server or one ``<VirtualHost>``: its own Timeout and ProxyTimeout, and its rules in order."""

    name: str
    location: Location
    timeout: Duration | str | None = None  # None: not set here (inherited); UNKNOWN
    proxy_timeout: Duration | str | None = None
    rules: list[_Rule] = field(default_factory=list)


@dataclass
class _Rule:
    directive: Directive
    path: str | None  # None: unknown
    regex: bool
    target: str
    params: dict[str, str]
    section: Directive | None = None  # the <Location> it stands in
    upgrade_cond: bool = False  # RewriteCond %{HTTP:Upgrade} / %{HTTP:Connection} guards it
    worker_timeout: Duration | str | None = None


class _Analysis:
    def __init__(self, tree: Tree, settings: Settings) -> None:
        self.tree = tree
        self.settings = settings
        self.problems: list[Problem] = list(tree.problems)
        self.ignored: list[IgnoredTimeout] = []
        self.pattern = websocket_token_pattern(settings.all_websocket_paths)
        self.fallback_off: Location | None = None
        # a main config: what it does not set is Apache's default, not something an includer may set
        self.main = tree.main or os.path.basename(tree.file).lower() in MAIN_NAMES
        self.noted = False
        # workers and balancers whose timeout= is set outside the ProxyPass (<Proxy> ProxySet, BalancerMember):
        # the URL (or balancer://name) as written, lower case, without a trailing slash
        self.worker_timeouts: set[str] = set()
        self.inherit_set = False  # a ProxyPassInherit anywhere: the main server's rules may not reach a vhost

    def run(self) -> Document:
        main = _Server("the main server", Location(file=self.tree.file, line=1, column=1))
        servers = [main]
        self._collect(self.tree.directives, main, servers, None, [])
        routes: list[Route] = []
        for server in servers:
            routes.extend(self._routes(server, main))
        hop = Hop(
            kind=APACHE_HOP,
            name=self.tree.file,
            location=Location(file=self.tree.file, line=1, column=1),
            routes=routes,
            dialect=ApacheHop(modules=self.tree.modules, fallback_off=self.fallback_off, main=self.main),
        )
        return Document(
            file=self.tree.file,
            kind="apache",
            context="apache",
            hops=[hop],
            problems=self.problems,
            ignored=self.ignored,
            included=self.tree.includes,
        )

    # -- reading ------------------------------------------------------------------------------
    def _collect(
        self,
        directives: list[Directive],
        server: _Server,
        servers: list[_Server],
        section: Directive | None,
        conds: list[Directive],
    ) -> None:
        for d in directives:
            lower = d.lower
            if d.block is not None:
                if lower == "virtualhost" and section is None:
                    vhost = _Server(f"<VirtualHost {' '.join(d.texts())}>", location(d))
                    servers.append(vhost)
                    self._collect(d.block, vhost, servers, None, [])
                elif lower in LOCATION_SECTIONS:
                    self._collect(d.block, server, servers, d, conds)
                elif lower in TRANSPARENT:
                    self._collect(d.block, server, servers, section, conds)
                elif lower in ("proxy", "proxymatch"):
                    self._proxy_section(d)
                # <Directory>, <Files>: ProxyPass is not allowed there; timeouts neither
                continue
            if lower == "timeout" and section is None:
                server.timeout = self._seconds(d, "Timeout", minimum=None)
            elif lower == "proxytimeout" and section is None:
                server.proxy_timeout = self._seconds(d, "ProxyTimeout", minimum=1)
            elif lower == "proxywebsocketfallbacktoproxyhttp" and d.args and d.args[0].text.lower() == "off":
                if not d.conditional and self.fallback_off is None:
                    self.fallback_off = location(d)
            elif lower == "proxywebsocketidletimeout":
                self._refused_idle_timeout(d)
            elif lower in PROXY_DIRECTIVES:
                self._proxy_pass(d, server, section, conds)
            elif lower == "proxypassinherit":
                self.inherit_set = True
            elif lower in ("proxyset", "balancermember"):
                self._worker_params(d, None)
            elif lower == "rewritecond":
                # a condition that the request asks for an upgrade (not one that it does not: `!=websocket`)
                if (
                    len(d.args) > 1
                    and re.search(r"%\{HTTP:(Upgrade|Connection)\}", d.args[0].text, re.I)
                    and not d.args[1].text.startswith("!")
                ):
                    conds.append(d)
            elif lower == "rewriterule":
                self._rewrite_rule(d, server, section, conds)
                conds.clear()

    def _proxy_section(self, d: Directive) -> None:
        """``<Proxy balancer://x>``/``<Proxy http://backend>``: its ProxySet and BalancerMember lines."""
        name = d.texts()[0] if d.args and not d.args[0].unknown else None
        for inner in d.block or []:
            if inner.block is not None:
                if inner.lower in TRANSPARENT:
                    self._proxy_section(inner)
                continue
            if inner.lower in ("proxyset", "balancermember"):
                self._worker_params(inner, name if d.lower == "proxy" else None)

    def _worker_params(self, d: Directive, section: str | None) -> None:
        """A ProxySet or BalancerMember that sets timeout=: the worker (or balancer) it names gets a timeout wslint
        does not follow (BalancerMember [balancer://name] url key=value; ProxySet [url] key=value)."""
        texts = d.texts()
        if not any(t.lower().startswith("timeout=") for t in texts):
            return
        urls = [t for t in texts if "=" not in t or "://" in t.split("=", 1)[0]]
        names = [section] if section else []
        names += urls
        if not names or d.unknown():
            names = ["*"]  # no name wslint can read: any worker may be meant
        for name in names:
            if name:
                self.worker_timeouts.add(name.lower().rstrip("/"))

    def _seconds(self, d: Directive, name: str, minimum: int | None) -> Duration | str:
        """A time Apache reads with ``atoi``: whole seconds; anything else after the digits is ignored."""
        if not d.args or d.unknown() or d.conditional:
            return UNKNOWN
        text = d.args[0].text
        return self._value(d, name, text, minimum, location(d))

    def _value(self, d: Directive, name: str, text: str, minimum: int | None, where: Location) -> Duration | str:
        seconds = _atoi(text)
        if minimum is None and seconds < 1:  # Timeout 0 or below: a socket timeout wslint does not model
            return UNKNOWN
        if minimum is not None and seconds < minimum:
            self.problems.append(
                Problem(
                    kind="invalid-duration",
                    location=where,
                    message=f"{name} {text}: Apache refuses a value under {minimum} second "
                    "(`apache2 -t`: 'must be at least 1 second'); Apache times are whole seconds, without a unit",
                )
            )
            return UNKNOWN
        if not _INTEGER.fullmatch(text.strip()):
            self.problems.append(
                Problem(
                    kind="invalid-duration",
                    location=where,
                    message=f"{name} {text}: Apache reads only the leading digits (atoi), so this is "
                    f"{max(seconds, 0)} second{'s' if seconds != 1 else ''}; write whole seconds without a unit",
                )
            )
        return Duration(
            seconds=float(seconds),
            text=text,
            dialect="apache",
            location=where,
            directive=name,
        )

    def _refused_idle_timeout(self, d: Directive) -> None:
        self.ignored.append(
            IgnoredTimeout(
                location=location(d),
                setting=f"{d.name} {' '.join(d.texts())}".strip(),
                reason=REFUSED_DIRECTIVE,
                applies="the tunnel idles out after the larger of Timeout (default 60s) and ProxyTimeout or the "
                "worker's timeout=",
                fix="Remove it, and raise `ProxyTimeout` (or the ProxyPass worker's `timeout=`) instead.",
                hop=self.tree.file,
            )
        )

    def _params(self, words: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for word in words:
            key, sep, value = word.partition("=")
            if sep:
                out[key.lower()] = value
        return out

    def _proxy_pass(self, d: Directive, server: _Server, section: Directive | None, conds: list[Directive]) -> None:
        texts = d.texts()
        regex = d.lower == "proxypassmatch"
        if section is not None:
            if not texts:
                return
            target, params = texts[0], texts[1:]
            path: str | None = section.args[0].text if section.args and not section.args[0].unknown else None
            regex = regex or section.lower == "locationmatch" or bool(section.args and section.args[0].text == "~")
            if section.args and section.args[0].text == "~" and len(section.args) > 1:
                path = section.args[1].text
        else:
            if len(texts) < 2:
                return
            path = None if d.args[0].unknown else texts[0]
            target, params = texts[1], texts[2:]
        rule = _Rule(d, path, bool(regex), target, self._params(params), section)
        server.rules.append(rule)

    def _rewrite_rule(self, d: Directive, server: _Server, section: Directive | None, conds: list[Directive]) -> None:
        texts = d.texts()
        if len(texts) < 3:
            return
        flags = [f.strip().lower() for f in texts[2].strip("[]").split(",")]
        if not any(f in ("p", "proxy") for f in flags):
            return
        path = section.args[0].text if section is not None and section.args else texts[0]
        rule = _Rule(d, path, True, texts[1], {}, section, upgrade_cond=bool(conds))
        server.rules.append(rule)

    # -- routes -------------------------------------------------------------------------------
    def _routes(self, server: _Server, main: _Server) -> Iterator[Route]:
        explicit = self.settings.websocket_routes
        # a <VirtualHost> inherits the main server's ProxyPass rules (ProxyPassInherit, default On), ahead of its own
        earlier: list[_Rule] = (
            []
            if server is main or self.inherit_set
            else [r for r in main.rules if r.section is None and r.directive.lower == "proxypass"]
        )
        # the proxy rules that are no WebSocket route of this server (ApacheRoute.others); a <VirtualHost> inherits
        # the main server's (ProxyPassInherit, default On): all of them count, conservatively
        others: list[Location] = (
            [] if server is main else [location(r.directive) for r in main.rules if r.target != "!"]
        )
        for rule in server.rules:
            target = rule.target
            scheme = _scheme(target)
            upgrade = tuple(p.strip().lower() for p in rule.params.get("upgrade", "").split(",") if p.strip())
            name = self._name(rule)
            if target == "!":
                earlier.append(rule)
                continue
            path_ws = rule.path is not None and self._websocket_path(rule.path, rule.regex)
            if explicit is not None:
                if not any(_listed(entry, self.tree.file, name, rule.path) for entry in explicit):
                    others.append(location(rule.directive))
                    earlier.append(rule)
                    continue
                reason = "listed in websocket-routes"
            elif scheme in ("ws", "wss"):
                reason = f"proxies to a {scheme}:// backend"
            elif "websocket" in upgrade or "*" in upgrade:
                reason = "its worker has upgrade=websocket"
            elif rule.upgrade_cond:
                reason = "a RewriteCond on the Upgrade header guards it"
            elif path_ws:
                reason = "its path names a WebSocket endpoint"
            else:
                others.append(location(rule.directive))
                earlier.append(rule)
                continue
            worker = self._worker_timeout(rule)
            facts = ApacheRoute(
                directive=rule.directive.name,
                path=rule.path,
                target=target,
                scheme=scheme,
                upgrade=upgrade,
                end=_end(rule.directive),
                worker_timeout=worker if isinstance(worker, Duration) else None,
                server=server.location if server is not main else None,
                others=others,
            )
            yield Route(
                name=name,
                location=location(rule.directive),
                reason=reason,
                idle_timeout=self._idle(server, main, worker, scheme),
                websocket_path=path_ws,
                upgrade_off=self._upgrade_off(rule, scheme, upgrade),
                shadowed=self._shadowed(rule, earlier, server),
                dialect=facts,
            )
            earlier.append(rule)

    def _name(self, rule: _Rule) -> str:
        d = rule.directive
        if rule.section is not None:
            return f"<{rule.section.name} {' '.join(rule.section.texts())}> {d.name}"
        if d.lower == "rewriterule":
            return f"RewriteRule {rule.path}"
        return f"{d.name} {rule.path}"

    def _websocket_path(self, path: str, regex: bool) -> bool:
        if regex:
            return bool(self.pattern.search(path.replace("\\", "").lower()))
        return any(segment in self.settings.all_websocket_paths for segment in path.lower().split("/"))

    def _worker_timeout(self, rule: _Rule) -> Duration | str | None:
        target = rule.target.lower()
        if "*" in self.worker_timeouts or any(
            target == name or target.startswith(name + "/") for name in self.worker_timeouts
        ):
            return UNKNOWN  # a <Proxy> ProxySet or a BalancerMember sets this worker's timeout=
        if target.startswith("balancer://"):
            # on a balancer, timeout= is how long to wait for a free member, not the members' backend timeout
            return None
        if "timeout" not in rule.params:
            return None
        if rule.directive.unknown():
            return UNKNOWN
        text = rule.params["timeout"]
        word = next((w for w in rule.directive.args if w.text.lower().startswith("timeout=")), None)
        where = location(rule.directive, word)
        return self._value(rule.directive, "timeout=", text, 1, where)

    def _idle(
        self, server: _Server, main: _Server, worker: Duration | str | None, scheme: str | None
    ) -> Duration | None:
        if self.fallback_off is not None and scheme in ("ws", "wss"):
            return Duration(
                seconds=math.inf,
                text="Off",
                dialect="apache",
                location=self.fallback_off,
                directive="ProxyWebsocketFallbackToProxyHttp",
                note="the pre-2.4.47 mod_proxy_wstunnel engine has no idle timeout",
            )
        timeout = server.timeout if server.timeout is not None else main.timeout
        backend = worker
        if backend is None:
            backend = server.proxy_timeout if server.proxy_timeout is not None else main.proxy_timeout
        if not self.main and (timeout is None or backend is None):
            # the main config that includes this file may set them (Debian's apache2.conf sets Timeout 300)
            self._not_main()
            return None
        if timeout is None:
            timeout = Duration(
                seconds=DEFAULT_TIMEOUT,
                text="60",
                dialect="apache",
                location=server.location,
                default=True,
                directive="Timeout",
            )
        if timeout == UNKNOWN or backend == UNKNOWN:
            return None
        assert isinstance(timeout, Duration)
        if not isinstance(backend, Duration):
            return timeout
        # the larger wins; on a tie the one written (a default never beats a written value), then the backend's
        if backend.seconds >= timeout.seconds:
            return backend
        self._irrelevant(backend, timeout)
        return timeout

    def _not_main(self) -> None:
        if self.noted:
            return
        self.noted = True
        self.problems.append(
            Problem(
                kind="note",
                location=Location(file=self.tree.file, line=1, column=1),
                message="the WebSocket idle timeout is unknown: Timeout or ProxyTimeout is not set here, and this is "
                "no main config (apache2.conf, httpd.conf, or LoadModule/Listen/ServerRoot), so the one that includes "
                "it may set them (Debian's apache2.conf has Timeout 300); lint that main config to check it",
            )
        )

    def _irrelevant(self, backend: Duration, timeout: Duration) -> None:
        """A ProxyTimeout or timeout= under the Timeout that applies: the tunnel still waits the Timeout (WS208)."""
        if any(i.location == backend.location for i in self.ignored):
            return
        applies = f"Timeout {timeout.text}" if not timeout.default else "Apache's default Timeout 60"
        self.ignored.append(
            IgnoredTimeout(
                location=backend.location,
                setting=f"{backend.directive} {backend.text}"
                if backend.directive != "timeout="
                else f"timeout={backend.text}",
                reason="a WebSocket tunnel idles out after the larger of the client's Timeout and the backend's "
                "timeout (mod_proxy_http), so a shorter backend timeout never ends it",
                applies=f"{applies} ({timeout.human()}) applies instead",
                fix="Nothing is cut sooner: the tunnel waits the Timeout. For another WebSocket idle timeout, set the "
                "larger of the two to it (this one still limits how long an HTTP request waits for the backend).",
                hop=self.tree.file,
                related=(Related(location=timeout.location, message="the Timeout that applies"),),
            )
        )

    def _upgrade_off(self, rule: _Rule, scheme: str | None, upgrade: tuple[str, ...]) -> UpgradeOff | None:
        if "websocket" in upgrade or "*" in upgrade:
            return None
        d = rule.directive
        if scheme in ("ws", "wss") and upgrade:  # a list of its own replaces the ws:// default (WebSocket)
            return UpgradeOff(
                location=location(d),
                reason=f"{d.name} proxies to {scheme}:// with upgrade={','.join(upgrade)}, which replaces the "
                "default WebSocket: the Upgrade header is not forwarded",
                fix="Add websocket to the list: `upgrade=websocket` (or remove upgrade=).",
            )
        if scheme not in ("http", "https"):
            return None
        if d.lower == "rewriterule":
            return UpgradeOff(
                location=location(d),
                reason=f"RewriteRule proxies to {scheme}:// and its worker forwards no Upgrade (mod_proxy_http "
                "forwards one only for the protocols of the worker's upgrade=, WebSocket by default for ws://): "
                "the backend answers 426",
                fix="Proxy the WebSocket requests to a ws:// (or wss://) URL: "
                f"`RewriteRule {rule.path} {rule.target.replace(scheme + '://', 'ws' + scheme[4:] + '://', 1)} [P,L]`.",
            )
        return UpgradeOff(
            location=location(d),
            reason=f"{d.name} proxies to {scheme}:// without upgrade=websocket (mod_proxy_http forwards the "
            "Upgrade header only for the protocols in the worker's upgrade= list): the backend answers 426",
            fix="Append `upgrade=websocket` to this ProxyPass (Apache 2.4.47 and later), or proxy to a ws:// URL "
            "through mod_proxy_wstunnel.",
        )

    def _shadowed(self, rule: _Rule, earlier: list[_Rule], server: _Server) -> Shadowed | None:
        """An earlier plain-prefix ProxyPass of the same server (or the main server's, inherited) whose prefix
        covers this route's path; for a ``<Location>`` ProxyPass, a later ``<Location>`` that covers it (sections
        merge in order, the last match wins); for a server ProxyPass, a ``<Location>`` ProxyPass covering it (tried
        first)."""
        if rule.path is None or rule.regex or rule.directive.conditional:
            return None
        if rule.section is not None:
            if rule.section.lower != "location":
                return None
            other = _covering_location(server.rules[server.rules.index(rule) + 1 :], rule.path)
            if other is None:
                return None
            return Shadowed(
                location=location(other.directive),
                rule=f"<Location {other.path}> ProxyPass {other.target}",
                reason="<Location> sections are merged in the order written and the last one that matches wins; "
                f"{other.path} covers {rule.path}",
                fix=f"Move <Location {rule.path}> below <Location {other.path}> (the more specific section last), "
                "or narrow the broader section so that it no longer covers the WebSocket requests.",
            )
        if rule.directive.lower != "proxypass":
            return None
        other = _covering_location(server.rules, rule.path)
        if other is not None:
            return Shadowed(
                location=location(other.directive),
                rule=f"<Location {other.path}> ProxyPass {other.target}",
                reason="a ProxyPass inside a <Location> is tried before the server's ProxyPass rules; "
                f"{other.path} covers {rule.path}",
                fix=f"Proxy the WebSocket path in its own <Location {rule.path}> placed after <Location {other.path}>, "
                "or narrow that section so that it no longer covers the WebSocket requests.",
            )
        excluded = False
        for other in earlier:
            d = other.directive
            if other.section is not None or other.path is None:
                continue
            if other.regex and not (d.lower == "proxypassmatch" and CATCH_ALL.fullmatch(other.path)):
                continue
            if d.conditional or rule.directive.conditional:
                return None
            if not other.regex and not _covers(other.path, rule.path):
                continue
            if other.target == "!":
                excluded = True  # an exclusion before: not proxied at all, not shadowed
                continue
            if excluded:
                return None
            return Shadowed(
                location=location(d),
                rule=f"{d.name} {other.path} {other.target}",
                reason="ProxyPass rules match in the order written and the first match wins; "
                + (f"{other.path} matches every path" if other.regex else f"{other.path} covers {rule.path}")
                + (
                    ""
                    if other in server.rules
                    else " (a <VirtualHost> inherits the main server's ProxyPass rules ahead of its own: "
                    "ProxyPassInherit)"
                ),
                fix=None
                if other in server.rules
                else "Move the broader rule into the <VirtualHost>s that need it, below their WebSocket rule, or "
                "set `ProxyPassInherit Off` in this <VirtualHost>.",
            )
        return None


def _covering_location(rules: list[_Rule], path: str) -> _Rule | None:
    """The first plain-path ``<Location>`` ProxyPass of ``rules`` whose path covers ``path`` and proxies (not
    ``!``, not under a condition wslint cannot decide)."""
    for other in rules:
        section = other.section
        if section is None or section.lower != "location" or other.regex or other.path is None:
            continue
        if not _covers(other.path, path):
            continue
        if other.directive.conditional or other.target == "!":
            return None
        return other
    return None


def _covers(prefix: str, path: str) -> bool:
    """Does ProxyPass ``prefix`` match every request that ``path`` matches? (mod_proxy compares prefixes
    segment-aware: ``/api`` matches ``/api/x`` and ``/api``, not ``/apix``.)"""
    if prefix == "/":
        return True
    if prefix.endswith("/"):
        return path.startswith(prefix)
    return path == prefix or path.startswith(prefix + "/")


def _scheme(target: str) -> str | None:
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", target)
    return match.group(1).lower() if match else None


def _end(d: Directive) -> Location:
    last = d.args[-1] if d.args else None
    if last is None:
        return location(d)
    return Location(file=d.file, line=last.line, column=last.end_column, end_line=last.line, end_column=last.end_column)


def _listed(entry: str, file: str, name: str, path: str | None) -> bool:
    if ":" in entry and not entry.startswith("/"):
        file_part, _, route = entry.rpartition(":")
        norm = file.replace(os.sep, "/")
        if not (norm == file_part or norm.endswith("/" + file_part)):
            return False
        entry = route
    return entry.strip() in (name, path)


def _roots(trees: list[tuple[str, Tree]]) -> list[tuple[str, Tree]]:
    """The trees that are not read through another file of the run (in a cycle, the first name wins)."""
    read_by: dict[str, set[str]] = {}
    for real, tree in trees:
        for other in tree.files:
            if other != real:
                read_by.setdefault(other, set()).add(real)
    files_of = {r: set(t.files) for r, t in trees}
    return [
        (real, tree)
        for real, tree in trees
        if not any(inc not in files_of[real] or inc < real for inc in read_by.get(real, set()))
    ]


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Apache files (the source registry's ``load``). A file another file of the run includes is linted
    through its includer only."""
    settings = context.settings
    loader = Loader(context.tree_roots, settings.max_file_size, context.stdin)
    trees: list[tuple[str, Tree]] = []
    errors: list[str] = []
    for target in files:
        try:
            trees.append((target.real, loader.load(target.real, target.display)))
        except OSError as exc:
            errors.append(f"{target.display}: cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(
                f"{target.display}: internal error in the Apache source: {type(exc).__name__}: {exc}; {BUG_HINT}"
            )
    documents = []
    for _, tree in _roots(trees):
        try:
            document = _Analysis(tree, settings).run()
            document.files = [loader.display.get(f, f) for f in tree.files]
            documents.append(document)
        except Exception as exc:  # a bug of ours
            errors.append(f"{tree.file}: internal error in the Apache source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    return documents, errors
