"""``wslint probe URL [FILE...]``: measure when a live WebSocket endpoint drops an idle connection.

The probe opens one WebSocket (``ws://`` or ``wss://``) and sends nothing of its own: it answers
the server's pings, as every client does, and counts them, because a server that pings keeps the
proxies on the way awake (FACTS.md "Measured": traffic either way resets nginx's and HAProxy's idle
timers). It reports how the connection ended:

- ``closed``: the server sent a close frame (``closed_by: server``, its code and reason), or the TCP
  connection ended without one (``closed_by: peer``, code 1006): what a proxy's idle timeout does;
- ``alive``: nothing closed it before ``--max-idle`` (or ``--duration``); wslint closed it
  (``closed_by: client``);
- ``handshake-failed``: no ``101 Switching Protocols`` (``status`` is the HTTP status received).

``--ping-interval D --duration D`` pings every D instead of staying silent: does the connection
survive with that keepalive? ``idle_seconds`` is the time from the last traffic in either direction
(the handshake, a ping we sent, a pong we answered, a frame received) to the close: the time an
idle timer on the way saw.

Given configuration files, the probe lints them with wslint's engine and matches the observed
cutoff against every route's idle timeout and every hop's lifetime cap, within max(1 s, 5 %).
A round-number cutoff that nothing explains names the usual suspects (``SUSPECTS``, from FACTS.md).

The probe is bounded and discreet: a message over ``--max-message-size`` (default 1 MiB) is refused at its
frame header (never buffered) and reported as ``frame too large`` (``closed_by: client``, code 1009); a
password in the URL is shown as ``***`` in every output; ``-H`` names and values and the request target are
checked or percent-encoded before anything is sent.

Exit codes (UX.md): 0 alive, 1 closed or handshake failed, 2 could not connect or bad input.
The sans-I/O ``websockets.client.ClientProtocol`` does the WebSocket framing over a plain (or
TLS-wrapped) socket, so every frame the server sends is seen; ``websockets`` is imported only here,
and the CLI imports this module only for ``wslint probe``. It is an optional dependency (the
``probe`` extra): without it the command says in one line how to install it, exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import socket
import ssl
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

try:  # an optional dependency (the `probe` extra): without it, `wslint probe` says how to install it (main)
    from websockets.client import ClientProtocol
    from websockets.exceptions import InvalidStatus, InvalidURI, PayloadTooBig
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Response
    from websockets.protocol import Event
    from websockets.uri import parse_uri
except ImportError as exc:
    if not (exc.name or "websockets").startswith("websockets"):
        raise
    WEBSOCKETS_MISSING = True
else:
    WEBSOCKETS_MISSING = False

from wslint.config import parse_ping_interval, parse_size
from wslint.escape import json_text, printable
from wslint.model import Duration, Finding, Hop, Route, format_seconds

if TYPE_CHECKING:
    from wslint.settings import CommandLine

Outcome = Literal["closed", "alive", "handshake-failed"]
ClosedBy = Literal["server", "peer", "client"]

DEFAULT_MAX_IDLE = 300.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024  # bytes: larger than any keepalive or handshake reply a probe expects
ABNORMAL_CLOSURE = 1006
MESSAGE_TOO_BIG = 1009
FRAME_TOO_LARGE = "frame too large"
DONE_REASON = "wslint probe done"
COMMAND_LINE = "command line"  # where an intermediary named among the FILEs is "written" (as in wslint path)
UNKNOWN_HOP = "an intermediary wslint was not told about?"


class CannotConnect(Exception):
    """DNS, TCP, TLS or a silent handshake: the probe measured nothing (exit 2)."""


# -- what is shown and what is sent ---------------------------------------------------------------------


def _userinfo(url: str) -> tuple[str, str, str] | None:
    """``(scheme://, user info, @host...)`` of a URL with user info: what ``urllib`` (and so websockets) reads
    as such, up to the last ``@`` before the path, query or fragment."""
    scheme, sep, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, at, _ = rest[:end].rpartition("@")
    return (scheme + sep, userinfo, rest[len(userinfo) :]) if sep and at else None


def _hidden(userinfo: str) -> str:
    """``user:***``; user info without a password, often a token (``wss://TOKEN@host``), is ``***`` whole."""
    user, colon, _ = userinfo.partition(":")
    return f"{user}:***" if colon else "***"


def redact(url: str) -> str:
    """The URL as shown in every output: the password of its user info is ``***`` (``wss://user:***@host/ws``)."""
    parts = _userinfo(url)
    return url if parts is None else f"{parts[0]}{_hidden(parts[1])}{parts[2]}"


def _redact_any(text: str) -> str:
    """A URL that does not parse, as shown: everything up to its last ``@`` is taken for user info."""
    scheme, sep, rest = text.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}" if sep and "@" in rest else redact(text)


def _scrub(text: str, url: str) -> str:
    """``text`` (an error) with the URL, and its user info wherever it appears alone, redacted."""
    parts = _userinfo(url)
    if parts is None:
        return text
    return text.replace(url, redact(url)).replace(f"{parts[1]}@", f"{_hidden(parts[1])}@")


TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 §5.6.2: what a field name may be
TARGET_SAFE = "/?:@!$&'()*+,;=%-._~"  # RFC 3986 pchar, "/" and "?" (and escapes already made): sent as they are


def request_target(resource: str) -> str:
    """The path and query as sent: every character a request-target may not hold raw (a space, a control
    character, non-ASCII, ``"<>\\^`{|}[]``) percent-encoded (UTF-8), as browsers do; ``%`` is left alone."""
    return urllib.parse.quote(resource, safe=TARGET_SAFE)


def _value_problem(value: str) -> str | None:
    """Why a header value cannot be sent as given: a control character but tab, or a non-ASCII character."""
    for at, char in enumerate(value, 1):
        code = ord(char)
        if (code < 0x20 and char != "\t") or code == 0x7F:
            return f"a control character (U+{code:04X}) at position {at}; only tab is allowed"
        if code > 0x7E:
            return f"a non-ASCII character (U+{code:04X}) at position {at}; header values must be ASCII"
    return None


def parse_header(text: str) -> tuple[str, str]:
    """``Name: value`` from ``-H``; ``ValueError`` (a reason that never quotes the value) when it cannot be sent."""
    name, colon, value = text.partition(":")
    name, value = name.strip(" \t"), value.strip(" \t")
    if not colon or not name:
        raise ValueError("expected 'Name: value'")
    if not TOKEN.fullmatch(name):
        bad = next(n for n, char in enumerate(name, 1) if not TOKEN.fullmatch(char))
        raise ValueError(
            f"{name!r} is not a header name (U+{ord(name[bad - 1]):04X} at position {bad}): "
            "letters, digits and !#$%&'*+-.^_`|~ only"
        )
    problem = _value_problem(value)
    if problem:
        raise ValueError(f"the value of {name} has {problem}")
    return name, value


# -- observing ---------------------------------------------------------------------------------------------


@dataclass
class Observation:
    """What one connection did. ``to_json`` gives exactly the keys of the JSON report."""

    url: str
    outcome: Outcome
    idle_seconds: float | None = None
    close_code: int | None = None
    close_reason: str | None = None
    closed_by: ClosedBy | None = None
    status: int | None = None
    server_pings: int = 0
    # text-only details
    open_seconds: float | None = None  # handshake to close: what a lifetime cap counts
    status_text: str = ""  # the reason phrase
    detail: str = ""  # why websockets refused the response (not a plain non-101 status)
    server_messages: int = 0
    pings_sent: int = 0
    pongs_received: int = 0
    bound: float = DEFAULT_MAX_IDLE
    ping_interval: float = 0.0
    too_large: str = ""  # what was over --max-message-size, when that ended it

    def to_json(self, matches: list[Match]) -> dict[str, Any]:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "idle_seconds": None if self.idle_seconds is None else round(self.idle_seconds, 3),
            "close_code": self.close_code,
            "close_reason": self.close_reason,
            "closed_by": self.closed_by,
            "status": self.status,
            "server_pings": self.server_pings,
            "matches": [m.to_json() for m in matches],
        }


def _connect(host: str, port: int, secure: bool, insecure: bool, timeout: float) -> socket.socket:
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise CannotConnect(f"cannot resolve {host}: {exc.strerror}") from None
    except TimeoutError:
        raise CannotConnect(f"cannot connect to {where}: timed out after {format_seconds(timeout)}") from None
    except OSError as exc:
        raise CannotConnect(f"cannot connect to {where}: {(exc.strerror or str(exc)).lower()}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not secure:
        return sock
    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except OSError as exc:  # ssl.SSLError is one
        sock.close()
        raise CannotConnect(f"TLS handshake with {where} failed: {_tls_failure(exc, timeout)}") from None


# what OpenSSL says when the first bytes back are not a TLS record (an HTTP reply, say): names across versions
NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL", "HTTP_REQUEST"}
)
PLAIN_PORT = "is it a plain ws:// port?"


def _tls_failure(exc: OSError, timeout: float) -> str:
    """Why the TLS handshake failed, and the hint that can help: ``--insecure`` only for a certificate."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{exc.reason}: {exc.verify_message} (--insecure skips the certificate check)"
    if isinstance(exc, TimeoutError):
        return f"no TLS answer within {format_seconds(timeout)}: {PLAIN_PORT}"
    reason = getattr(exc, "reason", None)
    if reason in NOT_TLS:
        return f"the server did not answer TLS: {PLAIN_PORT}"
    if isinstance(exc, (ssl.SSLEOFError, ConnectionError)) or reason == "UNEXPECTED_EOF_WHILE_READING":
        return f"the server closed the connection during the TLS handshake: {PLAIN_PORT}"
    return f"{reason or exc.strerror or exc}"


class _Wire:
    """One socket and the protocol over it: flushes what the protocol wants sent, notes when."""

    def __init__(self, sock: socket.socket, protocol: ClientProtocol) -> None:
        self.sock, self.protocol = sock, protocol
        self.last_activity = time.monotonic()
        self.broken = False
        self.eof = False

    def flush(self) -> None:
        for data in self.protocol.data_to_send():
            if self.broken:
                return
            try:
                if data:
                    self.sock.sendall(data)
                    self.last_activity = time.monotonic()
                elif not isinstance(self.sock, ssl.SSLSocket):
                    self.sock.shutdown(socket.SHUT_WR)  # the protocol's half-close
            except OSError:
                self.broken = True  # the peer is gone; the next read says how

    def read(self, until: float) -> bytes | None:
        """Bytes, ``b""`` at EOF (or a reset), ``None`` when ``until`` (monotonic) passes first."""
        self.sock.settimeout(max(until - time.monotonic(), 0.001))
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return None
        except OSError:  # reset, or TLS closed without close_notify
            data = b""
        self.eof = not data
        return data


def _handshake(wire: _Wire, url: str, timeout: float) -> tuple[Response | None, list[Event]]:
    """The server's response (None when it closed before a valid one) and the frames that came with it."""
    protocol, deadline = wire.protocol, time.monotonic() + timeout
    while True:
        data = wire.read(deadline)
        if data is None:
            raise CannotConnect(f"{url}: no handshake response within {format_seconds(timeout)}")
        if data:
            protocol.receive_data(data)
        else:
            protocol.receive_eof()
        events = protocol.events_received()
        for n, event in enumerate(events):
            if isinstance(event, Response):
                return event, events[n + 1 :]
        if not data or protocol.handshake_exc is not None:
            return None, []


def observe(
    url: str,
    headers: Sequence[tuple[str, str]] = (),
    *,
    insecure: bool = False,
    bound: float = DEFAULT_MAX_IDLE,
    ping_interval: float = 0.0,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    progress: Callable[[Observation, float, float], None] | None = None,
) -> Observation:
    """Open the WebSocket and watch it for ``bound`` seconds; ``CannotConnect`` when it cannot be opened.

    ``headers`` are sent as given: check them with ``parse_header`` first. The report shows ``redact(url)``.
    """
    uri = parse_uri(url)
    shown = redact(url)
    sock = _connect(uri.host, uri.port, uri.secure, insecure, connect_timeout)
    try:
        protocol = ClientProtocol(uri, max_size=max_message_size)  # refused at the frame header, never read
        request = protocol.connect()
        request.path = request_target(request.path)
        for name in {name for name, _ in headers if name in request.headers}:
            del request.headers[name]  # -H replaces a header websockets sets (Origin, Host, ...)
        for name, value in headers:
            request.headers[name] = value
        protocol.send_request(request)
        wire = _Wire(sock, protocol)
        wire.flush()
        response, early = _handshake(wire, shown, connect_timeout)
        result = Observation(shown, "handshake-failed", bound=bound, ping_interval=ping_interval)
        exc = protocol.handshake_exc
        if response is None or exc is not None:
            if response is not None:
                result.status, result.status_text = response.status_code, response.reason_phrase
            if exc is not None and not isinstance(exc, InvalidStatus):
                cause = f": {exc.__cause__}" if exc.__cause__ else ""
                result.detail = f"{exc}{cause}"
            return result
        result.outcome, result.status = "alive", response.status_code
        _watch(wire, result, early, progress)
        return result
    finally:
        sock.close()


def _count(result: Observation, events: list[Event]) -> bool:
    """Count the server's frames; whether one of them was a close frame."""
    closed_frame = False
    for event in events:
        if not isinstance(event, Frame):
            continue
        if event.opcode is Opcode.PING:
            result.server_pings += 1
        elif event.opcode is Opcode.PONG:
            result.pongs_received += 1
        elif event.opcode is Opcode.CLOSE:
            closed_frame = True
        else:
            result.server_messages += 1
    return closed_frame


def _watch(
    wire: _Wire,
    result: Observation,
    early: list[Event],
    progress: Callable[[Observation, float, float], None] | None,
) -> None:
    """After the handshake (and the frames that came with it): read until the peer closes or the bound ends."""
    protocol = wire.protocol
    opened = at = wire.last_activity = time.monotonic()
    end, interval, idle_before = opened + result.bound, result.ping_interval, 0.0
    next_ping = opened + interval if interval > 0 else math.inf
    next_progress = opened + 1 if progress else math.inf
    closed_frame = _count(result, early)
    wire.flush()  # pongs to pings that came with the response (or the close of a frame too large among them)
    while not closed_frame and protocol.close_sent is None:
        now = time.monotonic()
        if now >= next_progress and progress is not None:
            progress(result, now - opened, now - wire.last_activity)
            next_progress = now + 1
        if now >= end:
            _survived(wire, result, now - opened)
            return
        if now >= next_ping:
            protocol.send_ping(str(result.pings_sent).encode())
            result.pings_sent += 1
            wire.flush()
            next_ping = max(next_ping + interval, now + interval / 2)
        data = wire.read(min(end, next_ping, next_progress))
        if data is None:
            continue
        at = time.monotonic()
        idle_before = at - wire.last_activity
        if data:
            protocol.receive_data(data)
            wire.last_activity = at
        else:
            protocol.receive_eof()
        closed_frame = _count(result, protocol.events_received())
        wire.flush()  # pongs, or the echo of a close frame
        if not data or protocol.close_sent is not None:
            break
    _ended(result, protocol, closed_frame, at - opened, idle_before)
    if not result.too_large:  # a server mid-frame would not answer our close before it sent the whole frame
        _drain(wire)


def _survived(wire: _Wire, result: Observation, age: float) -> None:
    """Our bound ended it: close politely and say so."""
    result.idle_seconds, result.open_seconds = time.monotonic() - wire.last_activity, age
    result.outcome, result.closed_by, result.close_code, result.close_reason = "alive", "client", 1000, DONE_REASON
    wire.protocol.send_close(1000, DONE_REASON)
    wire.flush()
    _drain(wire)


def _ended(result: Observation, protocol: ClientProtocol, closed_frame: bool, age: float, idle: float) -> None:
    result.outcome, result.idle_seconds, result.open_seconds = "closed", idle, age
    if closed_frame and protocol.close_rcvd is not None:
        result.closed_by = "server"
        result.close_code, result.close_reason = protocol.close_rcvd.code, protocol.close_rcvd.reason
    elif isinstance(protocol.parser_exc, PayloadTooBig):
        result.too_large = _too_large(protocol.parser_exc)
        result.closed_by, result.close_code = "client", MESSAGE_TOO_BIG
        result.close_reason = f"{FRAME_TOO_LARGE}: {result.too_large}"
    elif protocol.close_sent is not None and protocol.close_sent.code != ABNORMAL_CLOSURE and protocol.parser_exc:
        result.closed_by = "client"  # the server broke the protocol; websockets failed the connection
        result.close_code, result.close_reason = protocol.close_sent.code, protocol.close_sent.reason
    else:
        result.closed_by, result.close_code, result.close_reason = "peer", ABNORMAL_CLOSURE, ""


def _too_large(exc: PayloadTooBig) -> str:
    """What went over the limit: a frame's length, as its header announced it (the payload is never read)."""
    limit = f"over the {exc.max_size}-byte limit (--max-message-size)"
    if exc.current_size:
        return f"a message of at least {exc.current_size + (exc.size or 0)} bytes, {limit}"
    return f"a frame of {exc.size} bytes, {limit}"


def _drain(wire: _Wire, seconds: float = 1.0) -> None:
    """Give the peer a moment to finish the closing handshake; never longer than ``seconds``."""
    until = time.monotonic() + seconds
    while not wire.eof and time.monotonic() < until:
        wire.read(until)


# -- explaining --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A configured timeout the observed cutoff agrees with."""

    hop: str
    setting: str
    file: str
    line: int | None
    seconds: float
    text: str = ""
    default: bool = False
    lifetime: bool = False
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "hop": self.hop,
            "setting": self.setting,
            "file": self.file,
            "line": self.line,
            "seconds": float(self.seconds),
        }

    def describe(self) -> str:
        value = f"(default {self.text or format_seconds(self.seconds)})" if self.default else self.text
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where = "on the command line" if where == COMMAND_LINE else f"at {where}"
        kind = "lifetime cap " if self.lifetime else ""
        note = f" — {self.note}" if self.note else ""
        return f"{self.hop}: {kind}{self.setting} {value} {where}{note}".replace("  ", " ")


@dataclass(frozen=True)
class Suspect:
    """A well-known default that cuts connections at a round number (FACTS.md section in ``source``)."""

    seconds: float
    what: str
    source: str
    lifetime: bool = False  # counts from the handshake, whatever the traffic


# FACTS.md: §E.1 nginx, §B.1 ingress-nginx, §A.1 ALB, §A.5 NLB, §A.6 Classic ELB, §A.7 API Gateway,
# §A.2 ALB client keepalive, §C.1 Cloudflare, §C.2 Google Cloud, §C.4 Heroku, §C.5 Envoy, §C.6 Traefik,
# §F.2 HAProxy without timeout tunnel.
SUSPECTS: tuple[Suspect, ...] = (
    Suspect(30, "Google Cloud load balancer backend service timeout (default 30s, a lifetime cap)", "C.2", True),
    Suspect(55, "Heroku router (55s rolling idle window)", "C.4"),
    Suspect(60, "nginx proxy_read_timeout (default 60s)", "E.1"),
    Suspect(60, "ingress-nginx proxy-read-timeout (default 60)", "B.1"),
    Suspect(60, "AWS ALB idle_timeout.timeout_seconds (default 60)", "A.1"),
    Suspect(60, "AWS Classic ELB ConnectionSettings.IdleTimeout (default 60)", "A.6"),
    Suspect(100, "Cloudflare Proxy Read Timeout (100s; applied to WebSockets per user reports, unverified)", "C.1"),
    Suspect(180, "Traefik idleTimeout (default 180s; whether it applies to WebSockets is unverified)", "C.6"),
    Suspect(300, "Envoy stream_idle_timeout (default 5m)", "C.5"),
    Suspect(350, "AWS NLB tcp.idle_timeout.seconds (default 350)", "A.5"),
    Suspect(600, "AWS API Gateway WebSocket idle connection timeout (10 min)", "A.7"),
    Suspect(3600, "AWS ALB client_keep_alive.seconds (default 3600; effect on WebSockets unverified)", "A.2", True),
    Suspect(7200, "AWS API Gateway WebSocket connection duration (2 h, a lifetime cap)", "A.7", True),
)
HAPROXY_SUSPECT = "a HAProxy timeout client/server of that value where no timeout tunnel is set"  # §F.2


def close_enough(observed: float, configured: float) -> bool:
    """Within max(1 s, 5 %): timers fire a little late, and loopback is not the only network."""
    return abs(observed - configured) <= max(1.0, 0.05 * configured)


def _hop_label(hop: Hop, route: Route | None) -> str:
    if route is None or hop.name in route.name:  # "ALB aws_lb.web listener 443" already names its hop
        return hop.name if route is None else route.name
    return f"{hop.kind.name} {route.name}"


def candidates(hops: Iterable[Hop]) -> list[Match]:
    """Every known, finite idle timeout of a route and lifetime cap of a hop, once per place it is set."""
    out: dict[tuple[str, str, int | None, float, bool], Match] = {}
    for hop in hops:
        timed: list[tuple[Route | None, Duration, bool]] = [
            (route, route.idle_timeout, False) for route in hop.routes if route.idle_timeout is not None
        ]
        if hop.lifetime is not None:
            timed.append((None, hop.lifetime, True))
        for route, duration, lifetime in timed:
            if duration.infinite:
                continue
            match = Match(
                hop=_hop_label(hop, route),
                setting=duration.directive or ("lifetime" if lifetime else "idle timeout"),
                file=duration.location.file,
                line=duration.location.line,
                seconds=duration.seconds,
                text=duration.text,
                default=duration.default,
                lifetime=lifetime,
                note=duration.note,
            )
            key = (match.setting, match.file, match.line, match.seconds, lifetime)
            kept = out.setdefault(key, match)
            if kept is not match and match.hop not in kept.hop.split(", "):
                out[key] = replace(kept, hop=f"{kept.hop}, {match.hop}")
    return list(out.values())


def _distance(observation: Observation, seconds: float, lifetime: bool) -> float | None:
    """How far the cutoff is from a time (idle time, or the connection's age for a lifetime cap); None: too far."""
    if observation.outcome != "closed" or observation.closed_by == "client" or observation.idle_seconds is None:
        return None  # wslint closing it (a frame too large, a protocol error) is no timeout on the way
    observed = observation.open_seconds if lifetime else observation.idle_seconds
    if observed is None or not close_enough(observed, seconds):
        return None
    return abs(observed - seconds)


def explain(observation: Observation, known: list[Match]) -> list[Match]:
    """The candidates the cutoff agrees with, closest first: idle timeouts by idle time, lifetimes by age."""
    found = [(d, m) for m in known if (d := _distance(observation, m.seconds, m.lifetime)) is not None]
    return [match for _, match in sorted(found, key=lambda pair: pair[0])]


def suspects(observation: Observation) -> list[Suspect]:
    """The usual suspects whose number the cutoff agrees with."""
    return [s for s in SUSPECTS if _distance(observation, s.seconds, s.lifetime) is not None]


# -- reporting ---------------------------------------------------------------------------------------------


def _secs(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f} s"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _ending(obs: Observation) -> str:
    if obs.closed_by == "server":
        reason = f" {obs.close_reason!r}" if obs.close_reason else ""
        return f"the server sent a close frame ({obs.close_code}{reason})"
    if obs.closed_by == "client":
        return f"the server broke the protocol; wslint failed the connection ({obs.close_code} {obs.close_reason})"
    return f"the TCP connection closed without a close frame (code {ABNORMAL_CLOSURE}), as a proxy's idle timeout does"


def _traffic(obs: Observation) -> str:
    parts = [_plural(obs.server_pings, "ping")] if obs.server_pings else []
    parts += [_plural(obs.server_messages, "data frame")] if obs.server_messages else []
    return " and ".join(parts)


def _handshake_failed(obs: Observation, upgrade_findings: Sequence[Finding]) -> list[str]:
    got = f"HTTP {obs.status} {obs.status_text}".rstrip() if obs.status is not None else ""
    got = ": ".join(part for part in (got, obs.detail) if part) or "no valid HTTP response"
    lines = [f"{obs.url}: handshake failed: {got}"]
    lines += [f"  the configuration says why: {f.location}: {f.rule} {f.message}" for f in upgrade_findings]
    if obs.status == 505 and not upgrade_findings:  # FACTS.md "Measured": nginx without proxy_http_version 1.1
        lines.append("  a 505 from the application usually means a proxy forwarded the upgrade over HTTP/1.0")
    return lines


def _alive(obs: Observation) -> list[str]:
    traffic = _traffic(obs)
    if obs.ping_interval > 0:
        every = format_seconds(obs.ping_interval)
        sent = f"{_plural(obs.pings_sent, 'ping')} sent, {_plural(obs.pongs_received, 'pong')} back"
        lines = [f"{obs.url}: survived {_secs(obs.open_seconds)} with a ping every {every} ({sent})"]
    else:
        lines = [f"{obs.url}: alive after {_secs(obs.open_seconds)} with nothing sent by wslint ({_bound(obs)})"]
    if obs.server_pings:
        lines.append(f"  the server sent {traffic}: server pings explain the survival, whatever the idle timeouts")
    elif traffic:
        lines.append(f"  the server sent {traffic}: its traffic explains the survival, whatever the idle timeouts")
    elif obs.ping_interval <= 0:
        lines.append(f"  no server pings: every idle timeout on the way is longer than {format_seconds(obs.bound)}")
    return lines


def _closed(obs: Observation, matches: list[Match], files: Sequence[str]) -> list[str]:
    if obs.too_large:
        return [
            f"{obs.url}: {FRAME_TOO_LARGE}: the server sent {obs.too_large}",
            f"  wslint closed the connection ({MESSAGE_TOO_BIG}) {_secs(obs.open_seconds)} after the handshake, "
            "without reading that frame: nothing more was measured",
        ]
    verb = "closed" if obs.closed_by == "server" else "dropped"
    pinging = f", {_secs(obs.open_seconds)} after the handshake" if obs.ping_interval > 0 else ""
    lines = [f"{obs.url}: {verb} after {_secs(obs.idle_seconds)} idle{pinging}", f"  {_ending(obs)}"]
    traffic = _traffic(obs)
    if traffic:
        lines.append(f"  the server sent {traffic} before that")
    lines += [f"  matches {match.describe()}" for match in matches]
    if matches:
        return lines
    if files:
        lines.append(f"  nothing in the given configuration explains it ({UNKNOWN_HOP})")
    found = suspects(obs)
    if found:
        lines.append(f"  {format_seconds(found[0].seconds)} is a usual suspect:")
        lines += [f"    - {suspect.what}" for suspect in found]
        if not found[0].lifetime:
            lines.append(f"    - {HAPROXY_SUSPECT}")
    return lines


def render_text(
    obs: Observation, matches: list[Match], files: Sequence[str], upgrade_findings: Sequence[Finding] = ()
) -> str:
    """A few lines: what happened, how it ended, and what in the configuration (or outside it) explains it."""
    if obs.outcome == "handshake-failed":
        lines = _handshake_failed(obs, upgrade_findings)
    elif obs.outcome == "alive":
        lines = _alive(obs)
    else:
        lines = _closed(obs, matches, files)
    return "\n".join(lines) + "\n"


def _bound(obs: Observation) -> str:
    return f"{'--duration' if obs.ping_interval > 0 else '--max-idle'} {format_seconds(obs.bound)}"


# -- command line ------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from wslint.cli_common import Parser

    p = Parser(
        prog="wslint probe",
        description=(
            "Open a WebSocket, stay silent (answering the server's pings) and report when and how it ends; "
            "given config files, match the cutoff to the configured timeouts. Exit 0 alive, 1 closed or "
            "handshake failed, 2 could not connect."
        ),
    )
    p.add_argument("url", metavar="URL", help="ws:// or wss:// URL (a password in it is shown as ***)")
    p.add_argument("files", nargs="*", metavar="FILE", help="config files, or intermediaries (cloudflare, gcp=1h)")
    p.add_argument("--max-idle", metavar="D", help="how long to wait on a silent connection (default 5m)")
    p.add_argument("--ping-interval", metavar="D", help="ping every D instead of staying silent (0/off: never)")
    p.add_argument("--duration", metavar="D", help="how long to keep the connection (default: --max-idle)")
    p.add_argument(
        "-H",
        "--header",
        metavar="'K: V'",
        action="append",
        default=[],
        help="extra handshake header (an HTTP token name; an ASCII value without control characters but tab)",
    )
    p.add_argument("--insecure", action="store_true", help="wss: skip the certificate check (self-signed tests)")
    p.add_argument("--connect-timeout", metavar="D", default="10s", help="bound on connect and handshake (10s)")
    p.add_argument(
        "--max-message-size",
        metavar="N",
        default="1MiB",
        help="largest message the server may send (default 1MiB; 64KiB, 65536): a larger frame is reported as "
        f"'{FRAME_TOO_LARGE}' at its header, never read, and ends the probe",
    )
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    p.add_argument("--config", metavar="F", help="use this wslint config to lint FILEs")
    p.add_argument("--isolated", action="store_true", help="ignore every wslint config file")
    p.add_argument("--nginx-version", metavar="V", help="target nginx version, for the handshake hints (WS101)")
    p.add_argument("--nginx-prefix", metavar="DIR", help="where absolute nginx includes are re-rooted")
    return p


def _duration(parser: argparse.ArgumentParser, flag: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return parse_ping_interval(value)
    except ValueError as exc:
        parser.error(f"{flag}: {exc}")
        raise  # unreachable: error() exits


def _headers(parser: argparse.ArgumentParser, given: list[str]) -> list[tuple[str, str]]:
    out = []
    for text in given:
        try:
            out.append(parse_header(text))
        except ValueError as exc:
            parser.error(f"-H: {exc}")  # the value is never quoted: it may be a secret
    return out


def _size(parser: argparse.ArgumentParser, flag: str, value: str) -> int:
    try:
        size = parse_size(value)
    except ValueError as exc:
        parser.error(f"{flag}: {exc}")
        raise  # unreachable: error() exits
    if size <= 0:
        parser.error(f"{flag} must be more than 0")
    return size


def lint_files(files: list[str], given: CommandLine) -> tuple[list[Match], list[Finding]]:
    """The FILEs linted like ``wslint check`` (named intermediaries such as ``cloudflare`` or ``gcp=1h`` too, as
    ``wslint path`` takes them): their timeouts, and the upgrade findings (WS1xx) that can explain a failed
    handshake. ``ValueError`` (its arguments are the errors) when that cannot be done."""
    from wslint import intermediaries
    from wslint.cli_common import tree_roots
    from wslint.config import ConfigError
    from wslint.discover import discover
    from wslint.engine import lint
    from wslint.model import Location
    from wslint.settings import resolve

    try:
        settings, notes = resolve(given)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    for note in notes:
        sys.stderr.write(f"wslint: note: {printable(note)}\n")
    named = [e for e in files if not os.path.exists(e) and intermediaries.known(e)]
    hops = [intermediaries.hop(entry, Location(file=COMMAND_LINE)) for entry in named]  # ValueError: a bad =D
    paths = [e for e in files if e not in named]
    if not paths:
        return candidates(hops), []
    result = lint(discover(paths, settings), tree_roots(paths, settings, None), settings)
    for note in result.notes:
        sys.stderr.write(f"wslint: note: {printable(note)}\n")
    if result.errors:
        raise ValueError(*result.errors)
    hops = (
        [hop for document in result.documents for hop in document.hops]
        + [hop for path in result.paths for hop in path.hops]
        + hops
    )
    upgrade = [f for f in result.findings if f.rule.startswith("WS1") and not f.suppressed]
    return candidates(hops), upgrade


def _progress(obs: Observation, open_for: float, idle: float) -> None:
    pings = f", server pings {obs.server_pings}" if obs.server_pings else ""
    sent = f", pings sent {obs.pings_sent}" if obs.pings_sent else ""
    sys.stderr.write(
        f"\r\x1b[Kwslint probe: open {format_seconds(int(open_for))}, idle {format_seconds(int(idle))}{pings}{sent}"
    )
    sys.stderr.flush()


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(list(argv))
    if WEBSOCKETS_MISSING:
        sys.stderr.write(
            "wslint: error: wslint probe needs the websockets package: pip install 'wslint[probe]'"
            " (pipx: pipx install 'wslint[probe]'; uv: uvx --from 'wslint[probe]' wslint probe ...)\n"
        )
        return 2
    try:
        parse_uri(args.url)
    except (InvalidURI, ValueError):  # ValueError: a port that is no number, user info that is no UTF-8
        parser.error(f"{_redact_any(args.url)!r} is not a WebSocket URL (ws://host[:port]/path or wss://...)")
    if args.max_idle is not None and args.duration is not None:
        parser.error("--max-idle bounds a silent probe and --duration a pinging one: give one")
    ping = _duration(parser, "--ping-interval", args.ping_interval, 0.0)
    bound = _duration(
        parser, "--duration" if args.duration else "--max-idle", args.duration or args.max_idle, DEFAULT_MAX_IDLE
    )
    connect_timeout = _duration(parser, "--connect-timeout", args.connect_timeout, DEFAULT_CONNECT_TIMEOUT)
    if bound <= 0 or connect_timeout <= 0:
        parser.error("--max-idle, --duration and --connect-timeout must be more than 0")
    headers = _headers(parser, args.header)
    max_message_size = _size(parser, "--max-message-size", args.max_message_size)
    known: list[Match] = []
    upgrade: list[Finding] = []
    if args.files:
        try:
            from wslint.settings import CommandLine

            given = CommandLine(
                config=args.config,
                isolated=args.isolated,
                nginx_prefix=args.nginx_prefix,
                nginx_version=args.nginx_version,
            )
            known, upgrade = lint_files(args.files, given)
        except ValueError as exc:
            sys.stderr.write("".join(f"wslint: error: {printable(str(error))}\n" for error in exc.args))
            return 2
    tty = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    try:
        obs = observe(
            args.url,
            headers,
            insecure=args.insecure,
            bound=bound,
            ping_interval=ping,
            connect_timeout=connect_timeout,
            max_message_size=max_message_size,
            progress=_progress if tty else None,
        )
    except CannotConnect as exc:
        sys.stderr.write(f"wslint: error: {printable(_scrub(str(exc), args.url))}\n")
        return 2
    except Exception as exc:  # the CLI's own catch-all would quote the URL, password and all
        from wslint import BUG_HINT

        what = printable(_scrub(f"{type(exc).__name__}: {exc}", args.url))
        sys.stderr.write(f"wslint: error: internal error: {what}; {BUG_HINT}\n")
        return 2
    finally:
        if tty:
            sys.stderr.write("\r\x1b[K")
    matches = explain(obs, known)
    if args.output_format == "json":
        sys.stdout.write(json_text(json.dumps(obs.to_json(matches), indent=2)) + "\n")
    else:  # each line shown as data: it quotes the server's close reason and config values
        text = render_text(obs, matches, args.files, upgrade)
        sys.stdout.write("".join(printable(line) + "\n" for line in text.removesuffix("\n").split("\n")))
    return 0 if obs.outcome == "alive" else 1
