"""Traefik static and dynamic configuration (YAML, TOML, Docker labels in compose files) -> hops.

One ``traefik`` hop per file with HTTP routers: a route per router (``http.routers.NAME``: its ``rule`` and
``service``; a compose service with ``traefik.*`` labels and no router label is Traefik's default router for it).

- **Which routers are WebSocket routes**: a ``Path``/``PathPrefix``/``PathRegexp`` of the rule with a WebSocket
  token, a router or service name with one, or the ``websocket-routes`` setting naming the router (then only listed
  ones). Traefik passes upgrades by default, so when nothing in the file marks one, every router counts
  (``Route.assumed``).
- **No idle timeout**: Traefik clears every deadline when it hands an upgraded connection over (the entry point's
  read deadline only guards the first bytes and the TCP router clears it: traefik/traefik@fd5a576df2e8
  pkg/server/server_entrypoint_tcp.go:270-287, pkg/server/router/tcp/router.go:167-171; the HTTP server's
  ``(*conn).hijackLocked`` runs ``rwc.SetDeadline(time.Time{})``: golang/go src/net/http/server.go). Each route's
  idle timeout is infinite: nothing of Traefik's fires WS201 or WS30x.
- **WS210**: ``entryPoints.<ep>.transport.respondingTimeouts.readTimeout/writeTimeout/idleTimeout`` and the
  servers transport's ``forwardingTimeouts.responseHeaderTimeout/idleConnTimeout`` bound the handshake (or the
  keep-alive between requests, or the backend pool), never an upgraded WebSocket: one info per written timeout.
- **lingeringTimeout**: Traefik 2.11.1 and 3.0.0-rc4 only (commit cef842245c introduced it, 099c7e9444 removed it
  in 2.11.2 and 3.0.0-rc5: docs/content/migration/v2.md "v2.11.2"). A config writing
  ``respondingTimeouts.tcp.lingeringTimeout`` or ``respondingTimeouts.http.*`` is refused at start-up by every
  later version (WS206), unless its compose file pins one of those two versions. A compose ``image:`` pinned to
  ``traefik:v2.11.1``/``v3.0.0-rc4`` gives every route the 2 s lingering timeout those versions default to (WS201;
  traefik/traefik#10598, #10601).

Locations: YAML keys carry their lines. TOML (``tomllib``) has none: a key is put at the line a small text search
finds (``_TomlLines``): the ``[table]`` header holding it (the longest header that is a prefix of its path), then
the first ``key =`` line under that header; the header's line when the key is not there; line 1 when neither is.
Compose labels (``traefik.http.routers.x.rule=...``), the Traefik service's ``command`` flags
(``--entryPoints.web.transport...``) and its ``TRAEFIK_*`` environment are read as the same dotted keys.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from wslint import hops
from wslint.config import websocket_token_pattern
from wslint.durations import go_seconds
from wslint.model import Document, Duration, Hop, IgnoredTimeout, Location, Problem, Route
from wslint.sources import aws_spec
from wslint.sources.cloud_common import listed
from wslint.sources.registry import Context, Target
from wslint.sources.traefik_files import is_toml
from wslint.sources.yaml_positions import Node, YamlError, load_all, load_each, scalar_text

HOP = "traefik"
_GO_MAX_SECONDS = (2**63 - 1) // 10**9
# the two releases that had lingeringTimeout (default 2 s): traefik/traefik cef842245c, removed by 099c7e9444
LINGERING_VERSIONS = ("2.11.1", "3.0.0-rc4")
LINGERING_DEFAULT = 2.0
_IMAGE = re.compile(r"^(?:[\w.:-]+/)*traefik(?::v?([\w.-]+))?(?:@.*)?$", re.I)
NO_IDLE_NOTE = (
    "Traefik clears every deadline of a connection it hands over after the 101 (traefik/traefik "
    "pkg/server/router/tcp/router.go, Go's net/http Hijack): no idle timeout applies to a WebSocket"
)
LINGERING_NOTE = (
    "Traefik 2.11.1 and 3.0.0-rc4 close a connection after this long between two reads, WebSockets included "
    "(traefik/traefik#10598, #10601); later versions removed lingeringTimeout"
)
_RESPONDING = {
    "readtimeout": (
        "readTimeout",
        "it limits reading the handshake request (Go's http.Server ReadTimeout), and the deadline is cleared when "
        "the upgraded connection is handed over",
    ),
    "writetimeout": (
        "writeTimeout",
        "it limits writing a response (the 101), and the deadline is cleared when the upgraded connection is "
        "handed over",
    ),
    "idletimeout": (
        "idleTimeout",
        "it limits the keep-alive wait between two requests, which an upgraded connection never returns to",
    ),
}
_FORWARDING = {
    "responseheadertimeout": (
        "responseHeaderTimeout",
        "it limits the wait for the backend's response headers (the 101 is one), after which Go's Transport hands "
        "the connection over",
    ),
    "idleconntimeout": (
        "idleConnTimeout",
        "it closes pooled keep-alive connections to backends, and an upgraded connection leaves the pool",
    ),
}
_APPLIES = "no idle timeout of Traefik's applies to an upgraded WebSocket"


@dataclass
class Entry:
    """One written value: its dotted path (lower-cased for matching, as written for messages)."""

    keys: tuple[str, ...]
    written: tuple[str, ...]
    value: str | None
    location: Location

    def name(self) -> str:
        return ".".join(self.written)


@dataclass
class _Read:
    entries: list[Entry] = field(default_factory=list)
    # compose: (service name, its location, whether it is the Traefik container) of each service with labels
    default_routers: list[tuple[str, Location]] = field(default_factory=list)
    image: tuple[str, Location] | None = None  # a Traefik image and where it is written


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Traefik files (the source registry's ``load``)."""

    def read_one(text: str, display: str, named: bool) -> Document:
        return _document(text, display, context)

    return load_each(files, context.settings.max_file_size, context.stdin, read_one, "traefik")


def _document(text: str, file: str, context: Context) -> Document:
    document = Document(file=file, kind="traefik", files=[file])
    read = _Read()
    if is_toml(file):
        import tomllib

        try:
            data = tomllib.loads(text)
            walked = list(_walk_data(data, ()))
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else 1
            document.problems.append(
                Problem(kind="parse-error", location=Location(file=file, line=line), message=f"invalid TOML: {exc}")
            )
            return document
        except RecursionError:  # tomllib and the walk recurse per level: nesting past the stack is refused
            document.problems.append(
                Problem(kind="parse-error", location=Location(file=file, line=1),
                        message="invalid TOML: values nest too deeply")
            )  # fmt: skip
            return document
        lines = _TomlLines(text)
        for keys, value in walked:
            read.entries.append(_entry(keys, value, lines.location(file, keys)))
    else:
        try:
            nodes = load_all(text)
        except YamlError as exc:
            document.problems.append(
                Problem(kind="parse-error", location=Location(file=file, line=exc.line, column=exc.column),
                        message=exc.message)
            )  # fmt: skip
            return document
        for node in nodes:
            if not node.is_map:
                continue
            services = node.get("services")
            if services is not None and services.is_map and _compose(node):
                _read_compose(services, file, read)
            else:
                read.entries.extend(_walk_node(node, (), file))
    _analyse(read, file, context, document)
    return document


def _compose(node: Node) -> bool:
    """A docker-compose file: top-level ``services`` whose values are mappings (never a Traefik ``http.services``)."""
    services = node.get("services")
    return services is not None and all(v.is_map or v.value is None for v in (services.mapping or {}).values())


def _entry(written: tuple[str, ...], value: str | None, location: Location) -> Entry:
    return Entry(tuple(k.lower() for k in written), written, value, location)


def _text(node: Node | None) -> str | None:
    if node is None or not node.is_scalar or node.value is None:
        return None
    return scalar_text(node.value)


def _walk_node(node: Node, keys: tuple[str, ...], file: str) -> Iterator[Entry]:
    if node.mapping is not None:
        for key, child in node.mapping.items():
            yield from _walk_node(child, (*keys, str(key)), file)
    elif node.items is not None:
        for index, child in enumerate(node.items):
            yield from _walk_node(child, (*keys, str(index)), file)
    elif keys:
        yield _entry(keys, _text(node), node.location(file))


def _walk_data(data: object, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str | None]]:
    if isinstance(data, dict):
        for key, child in data.items():
            yield from _walk_data(child, (*keys, str(key)))
    elif isinstance(data, list):
        for index, child in enumerate(data):
            yield from _walk_data(child, (*keys, str(index)))
    elif keys:
        yield keys, scalar_text(data) if isinstance(data, (str, int, float, bool)) else _toml_text(data)


def _toml_text(value: object) -> str:
    """A TOML date or time as TOML writes it (``1979-05-27T07:32:00Z``)."""
    text = value.isoformat() if isinstance(value, (datetime.date, datetime.time)) else str(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _TomlLines:
    """Where a TOML key is written, found by a text search (tomllib gives no positions)."""

    _HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$", re.M)
    _KEY = re.compile(r"^[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*=")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, tuple[str, ...]]] = []
        for number, line in enumerate(self.lines, 1):
            found = self._HEADER.match(line)
            if found:
                self.headers.append((number, _dotted(found.group(1))))

    def location(self, file: str, keys: tuple[str, ...]) -> Location:
        path = tuple(k.lower() for k in keys if not k.isdigit())
        best: tuple[int, int] | None = None  # (header length, its line)
        for number, header in self.headers:
            if len(header) <= len(path) and path[: len(header)] == header and (best is None or len(header) > best[0]):
                best = (len(header), number)
        start, depth = (best[1], best[0]) if best is not None else (0, 0)
        rest = path[depth:]
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._HEADER.match(line):
                break
            found = self._KEY.match(line)
            if found and _dotted(found.group(1)) == rest:
                return Location(file=file, line=number, column=len(line) - len(line.lstrip()) + 1)
        return Location(file=file, line=start or 1)


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'").lower() for part in text.split("."))


def _read_compose(services: Node, file: str, read: _Read) -> None:
    """A compose file's services: ``traefik.*`` labels (dynamic config), the Traefik container's image, command
    flags and ``TRAEFIK_*`` environment (static config)."""
    for name, service in (services.mapping or {}).items():
        if not service.is_map:
            continue
        image = _text(service.get("image"))
        is_traefik = image is not None and is_traefik_image(image)
        if is_traefik and image is not None and read.image is None:
            node = service.get("image")
            assert node is not None
            read.image = (image.strip(), node.location(file))
        labelled = False
        for key, value, where in _pairs(service.get("labels"), file):
            if key.lower().startswith("traefik."):
                labelled = True
                read.entries.append(_entry(tuple(key.split(".")[1:]), value, where))
        if labelled and not is_traefik:
            read.default_routers.append((str(name), service.location(file)))
        if not is_traefik:
            continue
        command = service.get("command")
        items: list[tuple[str, Location]] = []
        if command is not None and command.items is not None:
            items = [(t, c.location(file)) for c in command.items if (t := _text(c)) is not None]
        elif command is not None and (t := _text(command)) is not None:
            items = [(part, command.location(file)) for part in t.split()]
        for flag, where in items:
            if flag.startswith("--") and "." in flag:
                key, _, value = flag[2:].partition("=")
                read.entries.append(_entry(tuple(key.split(".")), value or "true", where))
        for key, value, where in _pairs(service.get("environment"), file):
            if key.upper().startswith("TRAEFIK_"):
                read.entries.append(_entry(tuple(key[len("TRAEFIK_") :].split("_")), value, where))


def _pairs(node: Node | None, file: str) -> Iterator[tuple[str, str | None, Location]]:
    """``KEY=VALUE`` items of a list, or a mapping's keys and values (compose labels and environment)."""
    if node is None:
        return
    if node.items is not None:
        for item in node.items:
            text = _text(item)
            if text is not None:
                key, _, value = text.partition("=")
                yield key.strip(), value, item.location(file)
    elif node.mapping is not None:
        for key, child in node.mapping.items():
            yield str(key), _text(child), (node.key_node(key) or child).location(file)


def is_traefik_image(image: str) -> bool:
    """``traefik``, ``traefik:v3.1``, ``docker.io/library/traefik:v2.11.1`` (never ``traefik/whoami``)."""
    return _IMAGE.match(image.strip()) is not None


def image_version(image: str) -> str | None:
    """The tag of a Traefik image, lower-cased and without its ``v``; None without one."""
    found = _IMAGE.match(image.strip())
    return None if found is None or found.group(1) is None else found.group(1).lower()


def _analyse(read: _Read, file: str, context: Context, document: Document) -> None:
    pinned = read.image is not None and image_version(read.image[0]) in LINGERING_VERSIONS
    lingering: Duration | None = None
    for entry in read.entries:
        keys = entry.keys
        if len(keys) >= 5 and keys[0] == "entrypoints" and keys[2:4] == ("transport", "respondingtimeouts"):
            lingering = _responding(entry, keys[1], entry.written[1], pinned, document) or lingering
        elif (
            keys[-2:-1] == ("forwardingtimeouts",)
            and keys[-1] in _FORWARDING
            and (keys[0] == "serverstransport" or keys[:2] == ("http", "serverstransports"))
        ):
            _handshake_only(entry, _FORWARDING[keys[-1]][1], document)
    idle: Duration | None = None
    if pinned and read.image is not None:
        version = image_version(read.image[0])
        idle = lingering or Duration(
            seconds=LINGERING_DEFAULT, text="2s", dialect="seconds", location=read.image[1], default=True,
            directive="lingeringTimeout", note=f"Traefik {version}'s default; {LINGERING_NOTE}",
        )  # fmt: skip
    routes = _routes(read, file, context, idle)
    if pinned and read.image is not None and not routes:
        routes = [
            Route(name="every router of this Traefik", location=read.image[1], reason="Traefik passes upgrades "
                  "by default", idle_timeout=idle, assumed=context.settings.websocket_routes is None)
        ]  # fmt: skip
    if routes:
        document.hops.append(Hop(kind=hops.TRAEFIK_HOP, name="Traefik", location=routes[0].location,
                                 routes=routes))  # fmt: skip


def _responding(entry: Entry, ep: str, written_ep: str, pinned: bool, document: Document) -> Duration | None:
    """An entry point's respondingTimeouts key: WS210 for the handshake timeouts, WS206 for the keys only 2.11.1
    and 3.0.0-rc4 read; the lingeringTimeout written when the image pins one of them."""
    rest = entry.keys[4:]
    if len(rest) == 1 and rest[0] in _RESPONDING:
        _handshake_only(entry, _RESPONDING[rest[0]][1], document)
        return None
    if not (rest[:1] in (("tcp",), ("http",)) and len(rest) == 2):
        return None
    if pinned:
        if rest == ("tcp", "lingeringtimeout") and entry.value is not None:
            seconds = go_duration(entry.value)
            if seconds is not None:
                return Duration(seconds=seconds, text=entry.value, dialect="seconds", location=entry.location,
                                directive="lingeringTimeout", note=LINGERING_NOTE)  # fmt: skip
        return None
    document.problems.append(
        Problem(kind="invalid-duration", location=entry.location, message=refused(entry.name(), rest[0]))
    )
    return None


def _handshake_only(entry: Entry, reason: str, document: Document) -> None:
    """A timeout that covers at most the handshake (WS210), or one Traefik refuses or reads as none (WS206)."""
    seconds = go_duration(entry.value) if entry.value is not None else None
    if seconds is None or seconds < 0:
        why = (
            "Traefik refuses it at start-up (a duration is a Go duration like 90s or a bare number of seconds)"
            if seconds is None
            else "Go reads a negative timeout as no timeout"
        )
        document.problems.append(
            Problem(kind="invalid-duration", location=entry.location, message=f"{entry.name()}: {entry.value}: {why}")
        )
        return
    document.handshake_only.append(
        IgnoredTimeout(location=entry.location, setting=f"{entry.name()}: {entry.value}", reason=reason,
                       applies=_APPLIES, hop=HOP)
    )  # fmt: skip


def refused(name: str, section: str) -> str:
    """Why Traefik refuses a ``respondingTimeouts.tcp``/``http`` key (WS206)."""
    return (
        f"{name}: only Traefik 2.11.1 and 3.0.0-rc4 know respondingTimeouts.{section}; 2.11.2 and 3.0.0-rc5 removed "
        "it (docs/content/migration/v2.md, v2.11.2) and every later version refuses this configuration at start-up; "
        "write the timeout directly under respondingTimeouts (readTimeout, writeTimeout, idleTimeout) or remove it"
    )


def responding_section(flag: str) -> tuple[str, str] | None:
    """A command-line flag ``--entryPoints.E.transport.respondingTimeouts.(tcp|http).KEY[=V]``: (section, value)."""
    key, _, written = flag.partition("=")
    keys = key.lstrip("-").lower().split(".")
    if len(keys) != 6 or keys[0] != "entrypoints" or keys[2:4] != ["transport", "respondingtimeouts"]:
        return None
    return (keys[4] + "." + keys[5], written) if keys[4] in ("tcp", "http") else None


def go_duration(text: str) -> float | None:
    """Seconds of a duration as Traefik reads it (paerser's types.Duration): a bare integer is seconds, anything else
    goes to Go's time.ParseDuration; None when Traefik refuses it."""
    text = text.strip()
    if re.fullmatch(r"[+-]?[0-9]+", text):  # seconds, times 1e9 in an int64 of nanoseconds (past it Go wraps)
        return float(text) if abs(int(text[:30])) <= _GO_MAX_SECONDS else None
    return go_seconds(text)


def _routes(read: _Read, file: str, context: Context, idle: Duration | None) -> list[Route]:
    settings = context.settings
    pattern = websocket_token_pattern(settings.all_websocket_paths)
    routers: dict[str, dict[str, Entry]] = {}
    for entry in read.entries:
        if len(entry.keys) >= 4 and entry.keys[:2] == ("http", "routers"):
            fields = routers.setdefault(entry.written[2], {})
            fields.setdefault(".".join(entry.keys[3:]), entry)
    candidates: list[tuple[str, str, Location, str | None]] = []  # name, service, location, why marked
    for name, fields in routers.items():
        rule = fields.get("rule")
        service_entry = fields.get("service")
        service = (service_entry.value if service_entry is not None else None) or ""
        where = (rule or next(iter(fields.values()))).location
        paths = _paths(rule.value if rule is not None and rule.value else "")
        why = None
        if any(pattern.search(p.lower()) for p in paths):
            why = "its rule matches a WebSocket path"
        elif aws_spec.websocket_name(name) or (service and aws_spec.websocket_name(service)):
            why = "its router's or service's name has a WebSocket token"
        candidates.append((name, service, where, why))
    for name, where in read.default_routers:
        if not any(c[1] == name or c[0] == name for c in candidates) and not routers:
            why = "its service's name has a WebSocket token" if aws_spec.websocket_name(name) else None
            candidates.append((name, name, where, why))
    explicit = settings.websocket_routes
    marked = any(c[3] for c in candidates)
    routes: list[Route] = []
    for name, _service, where, why in candidates:
        assumed = False
        if explicit is not None:
            if not any(listed(entry, [name, f"{name}@file", f"{name}@docker"], file) for entry in explicit):
                continue
            why = "listed in websocket-routes"
        elif why is None:
            if marked:
                continue
            why, assumed = "Traefik passes upgrades by default and nothing in this file marks a WebSocket route", True
        timeout = idle or Duration(seconds=math.inf, text="", dialect="seconds", location=where,
                                   directive="no idle timeout", note=NO_IDLE_NOTE)  # fmt: skip
        routes.append(
            Route(name=f"router {name}", location=where, reason=why, idle_timeout=timeout, default_applies=True,
                  websocket_path=why == "its rule matches a WebSocket path", assumed=assumed)
        )  # fmt: skip
    return routes


def _paths(rule: str) -> list[str]:
    """The paths of a router rule's ``Path``, ``PathPrefix`` and ``PathRegexp`` matchers."""
    return re.findall(r"Path(?:Prefix|Regexp)?\s*\(\s*[`\"']([^`\"']*)[`\"']", rule)
