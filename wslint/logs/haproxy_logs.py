"""HAProxy's logs: ``option httplog``, ``option tcplog`` and a ``log-format`` read from the run's HAProxy files.

The termination state (``%tsc``, ``%ts``) says why a session ended: its first letter ``c`` is a client-side
timeout, ``s`` a server-side one, and its second ``D`` the data phase, where an upgraded WebSocket's tunnel lives
(HAProxy configuration manual, 8.5 "Session state at disconnection"). ``%Tt`` (tcplog) and ``%Ta`` (httplog) are
the session's and the request's total time in milliseconds: for a WebSocket, the tunnel's lifetime.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from wslint.logs.events import Close
from wslint.model import Location

_HEAD = r"^(?:.*?: )??"  # a syslog header, if any ("Dec  6 10:00:00 host haproxy[41]: ")
_WHO = r"\S+:\d+ \[[^\]]+\] (?P<ft>\S+) (?P<b>[^/\s]+)/\S+ "
HTTPLOG = re.compile(
    _HEAD + _WHO + r"-?\d+/-?\d+/-?\d+/-?\d+/\+?(?P<Ta>-?\d+) (?P<ST>-?\d+) \+?\d+ \S+ \S+ (?P<tsc>[-\w]{4}) "
)
TCPLOG = re.compile(_HEAD + _WHO + r"-?\d+/-?\d+/\+?(?P<Tt>-?\d+) \+?\d+ (?P<tsc>[-\w]{2}) ")
# log-format aliases: %ft/%f frontend, %b backend, %Ta/%Tt times, %ts/%tsc termination state, %ST status
_FIELDS = {
    "ft": r"\S+", "f": r"\S+", "b": r"[^/\s]+", "Ta": r"\+?-?\d+", "Tt": r"\+?-?\d+", "tsc": r"[-\w]{4}",
    "ts": r"[-\w]{2}", "ST": r"-?\d+",
}  # fmt: skip
_NAMES = {"f": "ft", "ts": "tsc", "Tt": "Tt"}


def compile_log_format(text: str) -> re.Pattern[str] | None:
    """A ``log-format`` string as a regex with the groups ft, b, Ta/Tt, tsc, ST; None without a termination state."""
    parts: list[str] = []
    seen: set[str] = set()
    pos = 0
    for found in re.finditer(r"%(?:\{[^}]*\})?(\w+)|%\[[^\]]*\]", text):
        parts.append(re.escape(text[pos : found.start()]).replace(r"\ ", " "))
        alias = found.group(1) or ""
        group = _NAMES.get(alias, alias)
        quoted = found.group(0).startswith("%{+Q}")
        if alias in _FIELDS and group not in seen:
            seen.add(group)
            shape = f'"(?P<{group}>{_FIELDS[alias]})"' if quoted else f"(?P<{group}>{_FIELDS[alias]})"
            parts.append(shape)
        else:
            parts.append(r'"[^"]*"' if quoted else r"\S*")
        pos = found.end()
    parts.append(re.escape(text[pos:]).replace(r"\ ", " "))
    if "tsc" not in seen:
        return None
    return re.compile(_HEAD + "".join(parts))


def closes(lines: Iterable[tuple[int, str]], file: str, custom: list[re.Pattern[str]]) -> Iterator[Close]:
    """The sessions a HAProxy log shows ending in the data phase: timeouts (cD, sD) and lifetimes of 101s."""
    patterns = [HTTPLOG, TCPLOG, *custom]
    for number, line in lines:
        found = None
        for pattern in patterns:
            found = pattern.match(line)
            if found is not None:
                break
        if found is None:
            continue
        fields = found.groupdict()
        state = fields.get("tsc") or ""
        status = fields.get("ST")
        if status not in (None, "101") or len(state) < 2 or state[1] != "D":
            continue  # not a WebSocket (an HTTP answer other than 101), or not ended in the data phase
        millis = fields.get("Tt") or fields.get("Ta")
        lifetime = abs(int(millis)) / 1000 if millis and millis.lstrip("+-").isdigit() else None
        side = {"c": "client", "s": "server"}.get(state[0])
        timed_out = f"{side}-side timeout in the data phase ({state[:2]})" if side else None
        yield Close(location=Location(file=file, line=number), text=line, reader="haproxy", timed_out=timed_out,
                    side=side, lifetime=lifetime, frontend=fields.get("ft", "").rstrip("~") or None,
                    backend=fields.get("b"))  # fmt: skip


def config_formats(text: str) -> list[re.Pattern[str]]:
    """The ``log-format`` lines of a HAProxy file, compiled (those with a termination state)."""
    out = []
    for found in re.finditer(r"^[ \t]*log-format[ \t]+(.+?)[ \t]*$", text, re.M):
        value = found.group(1)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        compiled = compile_log_format(value.replace("\\ ", " "))
        if compiled is not None:
            out.append(compiled)
    return out


def looks_like(head: list[str]) -> bool:
    return any(HTTPLOG.match(line) or TCPLOG.match(line) for line in head)
