"""Known WebSocket clients and stacks, their documented keepalive defaults, and client command lines.

``--client``/``client =`` take either a kind (``socket.io``) or the command line a client runs with
(``outsystemscc --header 'token: x' --keepalive 20s https://...``); :func:`client_keepalive` turns
either into the :class:`~wslint.model.Keepalive` a path is judged with. Every default below is
quoted in FACTS.md section D, and each kind's ``reference`` says where. Pure: no I/O.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from wslint.durations import parse_go
from wslint.model import Keepalive


@dataclass(frozen=True)
class ClientKind:
    """A client or stack with a documented default ping (keepalive) interval."""

    name: str  # canonical id used on the command line: "socket.io"
    label: str  # how messages name it: "socket.io", "Python websockets", "Node ws"
    interval: float  # documented default ping interval in seconds; 0.0 = sends no pings by itself
    aliases: tuple[str, ...] = ()
    note: str = ""  # a caveat stated with every finding
    reference: str = ""  # the primary source, as FACTS.md cites it


_UVICORN_NOTE = (
    "uvicorn pings{every} only with its websockets backend (--ws websockets, or auto with websockets installed);"
    " --ws wsproto and websockets-sansio send no pings"
)

CLIENTS: dict[str, ClientKind] = {
    kind.name: kind
    for kind in (
        ClientKind(
            "socket.io",
            "socket.io",
            25.0,
            ("socketio", "engine.io", "engineio"),
            reference="socketio/socket.io@d2d753fe:packages/engine.io/lib/server.ts:196-197 (pingInterval: 25000)",
        ),
        ClientKind(
            "websockets",
            "Python websockets",
            20.0,
            ("python-websockets",),
            reference="python-websockets/websockets:src/websockets/asyncio/client.py:70-71 (ping_interval = 20),"
            " docs/topics/keepalive.rst:34",
        ),
        ClientKind(
            "uvicorn",
            "uvicorn",
            20.0,
            note=_UVICORN_NOTE.format(every=" every 20s"),
            reference="encode/uvicorn:uvicorn/main.py:157-167 (--ws-ping-interval default=20.0), docs/settings.md:97",
        ),
        ClientKind(
            "daphne",
            "daphne",
            20.0,
            reference="django/daphne@c19f2f43:daphne/cli.py:41-44,99-108 (--ping-interval default=20, idle-based)",
        ),
        ClientKind(
            "signalr",
            "SignalR",
            15.0,
            ("aspnet-signalr",),
            reference="dotnet/aspnetcore@062aa732:src/SignalR/server/Core/src/HubOptionsSetup.cs"
            " (DefaultKeepAliveInterval 15s)",
        ),
        ClientKind(
            "phoenix",
            "Phoenix",
            30.0,
            reference="phoenixframework/phoenix@167c4695:assets/js/phoenix/socket.js:170 (heartbeatIntervalMs 30000)",
        ),
        ClientKind(
            "actioncable",
            "ActionCable",
            3.0,
            ("action-cable", "actioncable-rails"),
            reference="rails/rails@05088b62:actioncable/lib/action_cable/server/connections.rb (BEAT_INTERVAL = 3)",
        ),
        ClientKind(
            "sockjs",
            "SockJS",
            25.0,
            ("spring-sockjs",),
            reference="spring-projects/spring-framework@00d2606b:spring-websocket/src/main/java/org/springframework"
            "/web/socket/sockjs/support/AbstractSockJsService.java (heartbeatTime = 25 * 1000)",
        ),
        ClientKind(
            "chisel",
            "chisel",
            25.0,
            reference="jpillora/chisel@44310b65:main.go:377-381,429 (--keepalive, Defaults to '25s')",
        ),
        ClientKind(
            "outsystemscc",
            "outsystemscc",
            25.0,
            ("outsystems-cloud-connector",),
            reference="OutSystems/cloud-connector@5fedda50:main.go:125 (keepalive 25*time.Second), README.md:211-215",
        ),
        ClientKind(
            "ws",
            "Node ws",
            0.0,
            ("node-ws",),
            reference="websockets/ws@a2f4e7c0:README.md:452-483 (pings are user code: setInterval ... ws.ping())",
        ),
        ClientKind(
            "gorilla",
            "gorilla/websocket",
            0.0,
            ("gorilla-websocket", "gorilla/websocket"),
            reference="gorilla/websocket:doc.go:94-96 (the default ping handler only answers with a pong)",
        ),
        ClientKind(
            "browser",
            "browser WebSocket API",
            0.0,
            ("browsers",),
            reference='whatwg/websockets@4c2912fb:index.bs, Ping and Pong frames: "These are not currently exposed'
            ' in the API." (https://websockets.spec.whatwg.org/#ping-and-pong-frames)',
        ),
    )
}

_BY_ALIAS: dict[str, ClientKind] = {
    alias.lower(): kind for kind in CLIENTS.values() for alias in (kind.name, *kind.aliases)
}

_UVICORN_NO_PINGS = ("wsproto", "websockets-sansio", "none")
_UVICORN_WS = ("auto", "websockets", *_UVICORN_NO_PINGS)


def parse_client_duration(text: str) -> float:
    """Go-style durations as chisel/outsystemscc take them (flags.DurationVar): 25s, 1m30s, 2500ms, 1.5s, 1h, 0, 0s.

    ValueError otherwise (negative, no unit except 0, garbage).
    """
    if text.startswith("-"):
        raise ValueError(f"invalid duration {text!r}: a keepalive interval cannot be negative")
    return parse_go(text)


def client_keepalive(text: str) -> Keepalive:
    """A client kind (`socket.io`) or a client command line (`outsystemscc --keepalive 20s https://x`).

    Returns Keepalive(seconds=..., client=<description>, note=<caveat>) with source="" (the caller fills source).
    Raises ValueError with a one-line message for an unknown kind or a bad flag value.
    """
    kind = _BY_ALIAS.get(text.strip().lower())
    if kind is not None:
        return _default(kind)
    words = _split(text)
    program = _program(words[0])
    args = words[1:]
    if re.fullmatch(r"python[0-9.]*|py", program) and len(args) >= 2 and args[0] == "-m":
        program, args = args[1].lower(), args[2:]
    if program == "gunicorn":
        return _gunicorn(args)
    kind = _BY_ALIAS.get(program)
    if kind is None:
        raise ValueError(f"unknown client {words[0]!r} (known: {', '.join(CLIENTS)})")
    if kind.name in ("chisel", "outsystemscc"):
        return _chisel(kind, args)
    if kind.name == "uvicorn":
        return _uvicorn(kind, args)
    if kind.name == "daphne":
        return _daphne(kind, args)
    return _default(kind)


def _default(kind: ClientKind) -> Keepalive:
    """``socket.io's default``; ``Node ws: no automatic pings`` for a kind that never pings."""
    possessive = "'" if kind.label.endswith("s") else "'s"
    client = f"{kind.label}{possessive} default" if kind.interval else f"{kind.label}: no automatic pings"
    return Keepalive(seconds=kind.interval, client=client, note=kind.note)


def _split(text: str) -> list[str]:
    """shlex words; a Windows command line (a backslash in the program) keeps its backslashes."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    if "\\" in first:
        lexer.escape = ""
    try:
        words = list(lexer)
    except ValueError as exc:
        raise ValueError(f"cannot read client command line {text!r}: {str(exc).lower()}") from None
    if not words:
        raise ValueError(f"empty client (known: {', '.join(CLIENTS)})")
    return words


def _program(word: str) -> str:
    """``./bin/chisel`` -> ``chisel``; ``C:\\tools\\outsystemscc.exe`` -> ``outsystemscc``."""
    base = re.split(r"[/\\]", word)[-1].lower()
    return base.removesuffix(".exe")


def _flag(program: str, args: list[str], *names: str) -> str | None:
    """The value of the last ``--name V``/``--name=V`` among args (Go's flag package: last one wins)."""
    value = None
    for index, arg in enumerate(args):
        name, equals, inline = arg.partition("=")
        if name not in names:
            continue
        if equals:
            value = inline
        elif index + 1 < len(args):
            value = args[index + 1]
        else:
            raise ValueError(f"{program} {name} needs a value")
    return value


def _chisel(kind: ClientKind, args: list[str]) -> Keepalive:
    value = _flag(kind.name, args, "--keepalive", "-keepalive")
    if value is None:
        return Keepalive(seconds=kind.interval, client=f"{kind.name}'s default (no --keepalive)")
    try:
        seconds = parse_client_duration(value)
    except ValueError as exc:
        raise ValueError(f"{kind.name} --keepalive: {exc}") from None
    disabled = " (disabled)" if seconds == 0 else ""
    return Keepalive(seconds=seconds, client=f"{kind.name} --keepalive {value}{disabled}")


def _uvicorn(kind: ClientKind, args: list[str]) -> Keepalive:
    ws = _flag("uvicorn", args, "--ws")
    if ws is not None and ws not in _UVICORN_WS:
        raise ValueError(f"uvicorn --ws {ws!r}: expected one of {', '.join(_UVICORN_WS)}")
    if ws in _UVICORN_NO_PINGS:
        return Keepalive(seconds=0.0, client=f"uvicorn --ws {ws} (no pings)")
    note = "" if ws == "websockets" else kind.note
    value = _flag("uvicorn", args, "--ws-ping-interval")
    if value is None:
        backend = f" (--ws {ws})" if ws else ""
        return Keepalive(seconds=kind.interval, client=f"uvicorn's default{backend}", note=note)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"uvicorn --ws-ping-interval {value!r}: expected a positive number of seconds")
    note = note and _UVICORN_NOTE.format(every="")
    return Keepalive(seconds=seconds, client=f"uvicorn --ws-ping-interval {value}", note=note)


def _daphne(kind: ClientKind, args: list[str]) -> Keepalive:
    value = _flag("daphne", args, "--ping-interval")
    if value is None:
        return Keepalive(seconds=kind.interval, client="daphne's default (no --ping-interval)")
    if not re.fullmatch("[0-9]+", value) or int(value) == 0:
        raise ValueError(f"daphne --ping-interval {value!r}: expected a whole number of seconds")
    return Keepalive(seconds=float(value), client=f"daphne --ping-interval {value}")


def _gunicorn(args: list[str]) -> Keepalive:
    """gunicorn has no WebSocket keepalive of its own; its uvicorn workers run with uvicorn's defaults."""
    worker = _flag("gunicorn", args, "-k", "--worker-class")
    worker = worker or next((arg[2:] for arg in args if arg.startswith("-k") and len(arg) > 2), None)
    if worker is None or not worker.rsplit(".", 1)[-1].startswith("Uvicorn"):
        raise ValueError(
            "gunicorn sends no WebSocket pings of its own; give the worker (-k uvicorn.workers.UvicornWorker)"
            f" or the client kind (known: {', '.join(CLIENTS)})"
        )
    uvicorn = CLIENTS["uvicorn"]
    return Keepalive(seconds=uvicorn.interval, client=f"gunicorn -k {worker} (uvicorn's default)", note=uvicorn.note)
