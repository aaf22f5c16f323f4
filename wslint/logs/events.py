"""What a log line says about a WebSocket, and what the run keeps of it (bounded: counts, a histogram, samples)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wslint.model import Duration, Location

SAMPLES = 3  # log lines kept per group, as related locations
# two durations are the same close time within the larger of TOLERANCE_SECONDS and TOLERANCE_SHARE (0.5 %):
# nginx and HAProxy log lifetimes in milliseconds, and a timer fires a few milliseconds late (2.000-2.004 s for a
# 2 s timeout, measured); times known to the whole second (a client log's timestamps, the histogram's buckets)
# take WHOLE_SECONDS and WHOLE_SHARE
TOLERANCE_SECONDS = 0.25
TOLERANCE_SHARE = 0.005
WHOLE_SECONDS = 1.0
WHOLE_SHARE = 0.02


def same_time(a: float, b: float, floor: float = TOLERANCE_SECONDS, share: float = TOLERANCE_SHARE) -> bool:
    """Whether two close times are one: within the larger of ``floor`` and ``share`` of the longer."""
    return abs(a - b) <= max(floor, share * max(a, b))


def known_defaults() -> list[tuple[float, str]]:
    """Idle timeouts that boxes a run may not hold have unless set: (seconds, whose), for a close time alone."""
    from wslint.intermediaries import INTERMEDIARIES

    named = [(box.idle, f"{box.label}'s {box.idle_directive or 'idle timeout'}") for box in INTERMEDIARIES.values()
             if box.idle is not None]  # fmt: skip
    return [
        (60.0, "nginx's default proxy_read_timeout"),
        (60.0, "an AWS ALB's or Classic ELB's default idle timeout"),
        (60.0, "Apache's default Timeout"),
        (350.0, "an AWS NLB's TCP idle timeout"),
        *named,
    ]


@dataclass(slots=True)
class Close:
    """One WebSocket's end as a proxy's log tells it."""

    location: Location  # the log line
    text: str  # the line, for the finding's related locations
    reader: str  # nginx-error, nginx-access, haproxy
    # what the log says ended it: "upstream timed out", "client-side timeout (cD)", ...; None when it does not say
    timed_out: str | None = None
    side: str | None = None  # which side's timer: "upstream"/"server" or "client"; None when not said
    lifetime: float | None = None  # seconds from the handshake to the close, when the log gives it
    uri: str | None = None  # nginx: the request's path
    frontend: str | None = None  # HAProxy
    backend: str | None = None


@dataclass(slots=True)
class Session:
    """A tunnel client's connection as its log tells it: connected, then disconnected after ``lasted`` seconds."""

    location: Location  # the disconnect line
    text: str
    lasted: float
    reader: str  # chisel
    keepalive: str | None = None  # the --keepalive the log shows, if it does


@dataclass(slots=True)
class Group:
    """Closes the run attributes to one cause: a route's timeout, or one close time no hop explains."""

    reader: str
    hop: str  # the hop's name ("nginx.conf", a HAProxy file), "" when no config line explains it
    route: str  # "location /ws/", "frontend fe -> backend be", ""
    timeout: Duration | None  # the timeout that ended them, with its config line
    cause: str  # what the log says ("upstream timed out", "closed after 60s", ...)
    count: int = 0
    times: Counter[int] = field(default_factory=Counter)  # whole seconds -> closes (the histogram)
    samples: list[tuple[Location, str]] = field(default_factory=list)

    def add(self, location: Location, text: str, seconds: float | None) -> None:
        self.count += 1
        if seconds is not None:
            self.times[round(seconds)] += 1
        if len(self.samples) < SAMPLES:
            self.samples.append((location, text))


@dataclass(slots=True)
class Loop:
    """A client's sessions of about one length, end after end: a reconnect loop (WS702)."""

    reader: str
    seconds: float  # the typical session length
    count: int = 0
    keepalive: str | None = None
    samples: list[tuple[Location, str]] = field(default_factory=list)


@dataclass(slots=True)
class Evidence:
    """What the run's logs say, grouped: ``groups`` by cause, ``loops`` per client log, and what was left unread."""

    groups: dict[tuple[object, ...], Group] = field(default_factory=dict)
    loops: list[Loop] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)  # the logs read
    lines: int = 0
    notes: list[str] = field(default_factory=list)

    def group(self, key: tuple[object, ...], make: Group) -> Group:
        return self.groups.setdefault(key, make)
