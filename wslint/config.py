"""Settings: what a run is configured with, as plain data with the defaults, and the parsers of its values.

``Settings`` (a slots dataclass) is what the engine, the sources and the checks read;
``wslint.settings.resolve`` builds it once per run from the command line and the config file,
with the keepalive's typed origin (``KeepaliveOrigin``). The value parsers here (durations,
versions, sizes, rule selectors, clients) check command-line values and serve the config
table's validation (``wslint.config_table``, pydantic), which only a run with a table imports.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from wslint.durations import InvalidDuration, parse_nginx
from wslint.model import Keepalive, Severity
from wslint.sources import text as textio

FORMATS = (
    "text",
    "json",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "concise",
    "mermaid",
    "html",
)
FAIL_ON = ("error", "warning", "info", "none")
DEFAULT_EXCLUDE = (".git", ".terraform", "node_modules", ".venv", "vendor")
DEFAULT_WEBSOCKET_PATHS = (
    "ws",
    "wss",
    "websocket",
    "websockets",
    "socket.io",
    "sockjs",
    "cable",
    "signalr",
    "hub",
    "hubs",
    "realtime",
    "xmpp-websocket",
    "colibri-ws",
)
# tokens of a proxy, backend or target group name that mark it as carrying WebSocket (names split on
# -, _, . and, for AWS names, camelCase; RULES.md "Which routes are WebSocket routes")
WEBSOCKET_NAME_TOKENS = frozenset(
    "ws wss websocket websockets socket sockets socketio sockjs cable signalr realtime".split()
)
# listener ports that carry web traffic: an NLB TCP/TLS listener (or a Kubernetes Service port) on one of
# them is a WebSocket route; `websocket-ports` adds more (RULES.md "Which routes are WebSocket routes")
DEFAULT_WEBSOCKET_PORTS = (80, 443, 8080, 8443)
# keys of the contract that later versions act on; accepted, with a note that they do nothing yet
RULE_SELECTOR = re.compile(r"^(ALL|WS\d{0,3})$")


@functools.lru_cache(maxsize=8)
def websocket_token_pattern(tokens: frozenset[str]) -> re.Pattern[str]:
    """Finds any WebSocket path token as a whole word in lower-cased text (a path or a regex)."""
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


class ConfigError(Exception):
    """A bad config file or command line: one line on stderr, exit 2."""


def one_of(choices: Iterable[str]) -> str:
    """``Input should be 'a', 'b' or 'c'``: what a value outside its choices is told (as pydantic says it of a
    Literal), for the command line, the config table and the kinds of the source registry alike."""
    *first, last = list(choices)
    return f"Input should be {', '.join(map(repr, first))} or {last!r}" if first else f"Input should be {last!r}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'ping-interval'?`` for the closest of ``choices`` to a mistyped ``word`` (difflib), else ""."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def parse_ping_interval(value: str | float | int) -> float:
    """``25s``, ``1m``, ``500ms``, ``20`` (seconds), ``0``/``off`` (no keepalive)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 25s, or 0/off")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        if text.lower() in ("off", "none", "0"):
            return 0.0
        try:
            seconds = parse_nginx(text)
        except InvalidDuration:
            from wslint.clients import parse_client_duration

            try:
                seconds = float(text)
            except ValueError:
                try:
                    seconds = parse_client_duration(text)  # Go style, as clients take it: 1.5s
                except ValueError:
                    raise ValueError(f"invalid duration {value!r} (use e.g. 25s, 1m30s, 2500ms, 0 or off)") from None
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"invalid duration {value!r}")
    return seconds


def parse_version(value: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"(?:nginx/)?(\d+)\.(\d+)(?:\.(\d+))?", value.strip())
    if not match:
        raise ValueError(f"invalid nginx version {value!r} (use e.g. 1.24.0)")
    return (int(match[1]), int(match[2]), int(match[3] or 0))


def parse_haproxy_version(value: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(?:HAProxy version )?(\d+(?:\.\d+){0,2})\S*", value.strip())
    if not match:
        raise ValueError(f"invalid HAProxy version {value!r} (use e.g. 2.8)")
    return tuple(int(p) for p in match.group(1).split("."))


def parse_size(value: str | int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]i?[bB]?|[bB])?\s*", str(value))
    if not match:
        raise ValueError(f"invalid size {value!r} (use e.g. 10MB)")
    unit = (match[2] or "b")[0].lower()
    return int(match[1]) * {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _rule_ids() -> Iterable[str]:
    from wslint.rules import RULES  # the catalogue, which imports nothing of the config

    return RULES


def split_ids(value: str) -> list[str]:
    """``WS1,WS201 WS3`` as a list: commas and whitespace separate."""
    return [v for v in re.split(r"[,\s]+", value) if v]


def check_rule_selectors(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        value = raw.strip().upper()
        if not RULE_SELECTOR.match(value):
            raise ValueError(f"invalid rule selector {raw!r} (use an id like WS201, a prefix like WS2, or ALL)")
        if value != "ALL" and not any(rule.startswith(value) for rule in _rule_ids()):
            raise ValueError(f"unknown rule {raw!r}: no rule id starts with it (`wslint rules` lists them)")
        out.append(value)
    return out


def check_client(value: Any) -> str | None:
    """A client kind or command line, validated now so that a typo is an exit-2 error naming the key."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a client kind such as socket.io, or a client command line")
    from wslint.clients import client_keepalive

    client_keepalive(value)
    return value.strip()


def check_routes(hops: list[str], routes: list[str]) -> None:
    """Each route selector is ``FILE:SELECTOR`` with FILE one of the path's hops."""
    for selector in routes:
        if not any(selector.startswith(f"{hop}:") and len(selector) > len(hop) + 1 for hop in hops):
            raise ValueError(f"route {selector!r} must be FILE:SELECTOR with FILE one of the path's hops")


class Given(enum.Enum):
    """Where the keepalive a route is judged with was given; the command line beats a path table beats the top level."""

    NOWHERE = "nowhere"  # neither ping-interval nor client: the keepalive is unknown
    COMMAND_LINE = "command line"
    CONFIG_FILE = "config file"  # the top-level ping-interval or client of a config file
    PATH_TABLE = "path table"  # a [[path]] table's own ping-interval or client


@dataclass(frozen=True, slots=True)
class KeepaliveOrigin:
    """Where a keepalive comes from: its level, and the text findings show (``--ping-interval``,
    ``client in wslint.toml``, ``path 'edge' in wslint.toml``)."""

    given: Given = Given.NOWHERE
    text: str = ""


def keepalive(ping_interval: float | None, client: str | None, origin: KeepaliveOrigin) -> Keepalive:
    """The keepalive one level of settings gives (both set at one level is refused before this)."""
    if client is not None:
        from wslint.clients import client_keepalive

        return replace(client_keepalive(client), source=origin.text)
    if ping_interval is not None:
        return Keepalive(seconds=ping_interval, source=origin.text)
    return Keepalive()


@dataclass(slots=True)
class PathSpec:
    """One ``[[tool.wslint.path]]`` table, or the hops named on ``wslint path``'s command line."""

    name: str
    # files and named intermediaries (cloudflare, heroku, ...), client side first
    hops: list[str]
    # "FILE:SELECTOR": only these routes of that file (an nginx location, a HAProxy backend, ...)
    routes: list[str] = field(default_factory=list)
    ping_interval: float | None = None
    client: str | None = None
    # where the relative hop files are relative to, and where the path is declared
    base: str = "."
    declared_in: str | None = None
    line: int | None = None
    # hop entry -> (line, column) where the config file names it
    hop_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def table(self) -> dict[str, Any]:
        """The path as ``--show-settings`` prints it (the keys of its config table)."""
        return {
            "name": self.name,
            "hops": list(self.hops),
            "routes": list(self.routes),
            "ping-interval": self.ping_interval,
            "client": self.client,
        }


def command_line_path(hops: list[str], routes: list[str]) -> PathSpec:
    """``wslint path HOP... [--route FILE:SELECTOR]``: one path declared on the command line."""
    try:
        check_routes(hops, routes)
    except ValueError as exc:
        raise ConfigError(f"command line: {exc}") from None
    return PathSpec(name=" -> ".join(hops), hops=list(hops), routes=list(routes))


@dataclass(slots=True)
class Settings:
    """Resolved settings, with their defaults. Field names are the config keys with ``_`` for ``-``."""

    ping_interval: float | None = None
    client: str | None = None
    path: list[PathSpec] = field(default_factory=list)
    nginx_version: tuple[int, int, int] | None = None
    nginx_prefix: str | None = None
    haproxy_version: tuple[int, ...] | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: str = "warning"  # one of FAIL_ON
    output_format: str | None = None  # one of FORMATS
    kinds: dict[str, str] = field(default_factory=dict)  # glob -> a file kind of the source registry
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    websocket_paths: list[str] = field(default_factory=lambda: list(DEFAULT_WEBSOCKET_PATHS))
    extend_websocket_paths: list[str] = field(default_factory=list)
    websocket_routes: list[str] | None = None
    # more ports on which an NLB TCP/TLS listener or a LoadBalancer Service port counts as a WebSocket route
    websocket_ports: list[int] = field(default_factory=list)
    max_file_size: int = textio.DEFAULT_LIMIT
    # directory walks leave out what .gitignore, .ignore and .git/info/exclude ignore (wslint.gitignore)
    respect_gitignore: bool = True
    min_deregistration_delay: float = 30.0
    # --fix: the idle timeout WS201/WS301 fixes write (at least twice the ping interval)
    fix_idle_timeout: float = 3600.0
    # glob (relative to the config file) -> rule ids or prefixes left out for matching files
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    # report only findings not in this baseline file (relative to the config file)
    baseline: str | None = None
    # command line only: ignore every suppression comment; write a baseline instead of filtering
    inline_ignores: bool = True
    write_baseline: str | None = None
    # where the config file was found (relative globs are relative to it)
    config_file: str | None = None
    # where ping-interval or client was given
    keepalive_origin: KeepaliveOrigin = KeepaliveOrigin()

    @property
    def keepalive(self) -> Keepalive:
        """The keepalive every route outside a declared path is judged with."""
        return keepalive(self.ping_interval, self.client, self.keepalive_origin)

    @property
    def all_websocket_paths(self) -> frozenset[str]:
        return frozenset(p.lower() for p in [*self.websocket_paths, *self.extend_websocket_paths])

    @property
    def all_websocket_ports(self) -> frozenset[int]:
        return frozenset([*DEFAULT_WEBSOCKET_PORTS, *self.websocket_ports])

    @property
    def all_excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]

    def table(self) -> dict[str, Any]:
        """The settings as config keys and JSON values (``--show-settings``); the run-only fields left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in _RUN_ONLY:
                continue
            value = getattr(self, f.name)
            if f.name == "path":
                value = [spec.table() for spec in value]
            elif f.name == "severity":
                value = {rule: getattr(level, "value", level) for rule, level in value.items()}
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name.replace("_", "-")] = value
        return out


# fields that no config key sets: the command line's switches and what resolution found
_RUN_ONLY = frozenset({"inline_ignores", "write_baseline", "config_file", "keepalive_origin"})
