"""AWS Application Load Balancer access logs (the files ELB writes to S3, plain or .gz).

"For WebSockets, an entry is written only after the connection is closed", and its ``timestamp`` "is the time when
the connection is closed"; ``request_creation_time`` is "the time when the load balancer received the request from
the client" (Elastic Load Balancing user guide, "Access logs for your Application Load Balancer", Access log
entries): the difference is the WebSocket's lifetime. The entry does not say why the connection closed, so only a
lifetime at the load balancer's idle timeout is evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from wslint.logs.events import Close
from wslint.model import Location

_FIELD = re.compile(r'"[^"]*"|\S+')
_START = re.compile(r"^wss? \d{4}-\d\d-\d\dT")
_TYPE, _TIME, _ELB, _STATUS, _REQUEST, _CREATED = 0, 1, 2, 8, 12, 21


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def closes(lines: Iterable[tuple[int, str]], file: str) -> Iterator[Close]:
    """Each WebSocket (``ws``/``wss`` with status 101) of an ALB access log, with its lifetime."""
    for number, line in lines:
        if not _START.match(line):
            continue
        fields = _FIELD.findall(line)
        if len(fields) <= _CREATED or fields[_STATUS] != "101":
            continue
        closed, created = _when(fields[_TIME]), _when(fields[_CREATED])
        if closed is None or created is None:
            continue
        words = fields[_REQUEST].strip('"').split()
        path = re.sub(r"^\w+://[^/]*", "", words[1]) if len(words) >= 2 else None
        elb = fields[_ELB].split("/")
        yield Close(location=Location(file=file, line=number), text=line, reader="alb",
                    lifetime=(closed - created).total_seconds(), uri=(path or "/").split("?", 1)[0],
                    backend=elb[1] if len(elb) >= 2 else None)  # fmt: skip


def looks_like(head: list[str]) -> bool:
    return any(re.match(r"^(?:https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT\S+ app/", line) for line in head)
