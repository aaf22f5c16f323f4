"""Tunnel clients that log their reconnects: chisel and the OutSystems Cloud Connector (``outsystemscc``, built on a
fork of chisel). Their client logs (Go's ``log`` package: ``2024/03/22 05:28:30 client: …``) say
``client: Connected (Latency 17.595289ms)`` when the tunnel is up and
``client: Connection error: websocket: close 1006 (abnormal closure): unexpected EOF`` (or ``Disconnected``) when
it drops, then ``client: Retrying in 100ms...``: each session lasts from one to the next, to the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from wslint.logs.events import Session
from wslint.model import Location

LINE = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)(?:\.\d+)? client: (.*)$")
_KEEPALIVE = re.compile(r"--keepalive[= ](\S+)")


def sessions(lines: Iterable[tuple[int, str]], file: str) -> Iterator[Session]:
    """Each Connected … Connection error/Disconnected span of a chisel client log."""
    connected: datetime | None = None
    keepalive: str | None = None
    for number, line in lines:
        setting = _KEEPALIVE.search(line)
        if setting is not None:
            keepalive = setting.group(1)
        found = LINE.match(line)
        if found is None:
            continue
        when = datetime.strptime(found.group(1), "%Y/%m/%d %H:%M:%S")
        message = found.group(2)
        if message.startswith("Connected"):
            connected = when
        elif connected is not None and message.startswith(("Connection error", "Disconnected")):
            yield Session(location=Location(file=file, line=number), text=line,
                          lasted=(when - connected).total_seconds(), reader="chisel", keepalive=keepalive)  # fmt: skip
            connected = None


def looks_like(head: list[str]) -> bool:
    return any(LINE.match(line) for line in head)
