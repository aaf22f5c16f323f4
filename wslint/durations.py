"""Duration parsers, one per dialect. Each returns seconds or raises InvalidDuration.

nginx follows ``ngx_parse_time`` (src/core/ngx_parse.c) and the syntax page
(xml/en/docs/syntax.xml): units ms s m h d w M y, combined from the most to the least
significant, optionally separated by spaces; a bare number means seconds and may only
come last; integers only; ``y``/``M`` are rejected by millisecond-resolution directives
(proxy_read_timeout and the other ``ngx_conf_set_msec_slot`` ones) and ``ms`` by
second-resolution ones. A value too large for nginx (``NGX_PARSE_LARGE_TIME``) is not
rejected: the msec/sec slots only test for ``NGX_ERROR``, so nginx -t accepts ``25d`` and
the timer becomes practically infinite; it is returned as written.
"""

from __future__ import annotations

import re


class InvalidDuration(ValueError):
    """A value the box would reject, with nginx's/HAProxy's reason in words."""


_NGINX_UNITS = {
    # unit: (order, seconds)
    "y": (1, 365 * 86400),
    "M": (2, 30 * 86400),
    "w": (3, 7 * 86400),
    "d": (4, 86400),
    "h": (5, 3600),
    "m": (6, 60),
    "s": (7, 1),
    "ms": (8, 0.001),
    "": (9, 1),
}
_NGINX_PART = re.compile(r" *(\d+)(ms|[yMwdhms]?) *")


def parse_nginx(text: str, *, msec: bool = True) -> float:
    """Parse an nginx time (``1h30m``, ``90``, ``500ms``) into seconds."""
    if not text.strip(" "):
        raise InvalidDuration("empty time")
    pos = 0
    order = 0
    total_ms = 0
    while pos < len(text):
        match = _NGINX_PART.match(text, pos)
        if match is None or match.end() == pos:
            raise InvalidDuration(f'invalid time "{text}"')
        digits, unit = match.groups()
        unit_order, scale = _NGINX_UNITS[unit]
        if msec and unit in ("y", "M"):
            raise InvalidDuration(f'"{unit}" is not allowed in a millisecond-resolution time')
        if not msec and unit == "ms":
            raise InvalidDuration('"ms" is not allowed in a second-resolution time')
        if unit_order <= order:
            raise InvalidDuration(f'units of "{text}" are not in order from largest to smallest')
        order = unit_order
        total_ms += round(int(digits) * scale * 1000)
        pos = match.end()
    return total_ms / 1000


class TruncatedDuration(InvalidDuration):
    """HAProxy reads the leading number and unit, warns, and ignores the rest (``1h30m`` is 1h)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


_HAPROXY_UNITS = {"us": 0.000001, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HAPROXY_TIME = re.compile(r"(\d+)(us|ms|s|m|h|d)?")
_HAPROXY_MAX_MS = 2147483647


def parse_haproxy(text: str) -> float:
    """Parse a HAProxy time (default unit ms; one unit: us ms s m h d) into seconds.

    Follows ``parse_time_err`` (src/tools.c) as HAProxy 2.6 applies it to ``timeout``:
    no digits, or a character that is not a unit right after them, is an error
    (``unexpected character 'x'``); a value above 2147483647 ms is an overflow error;
    anything after a valid unit is ignored with a warning (TruncatedDuration).
    """
    match = _HAPROXY_TIME.match(text)
    if not text:
        raise InvalidDuration("expects an integer value (in milliseconds)")
    if match is None:
        raise InvalidDuration(f"unexpected character '{text[0]}'")
    digits, unit = match.groups()
    seconds = int(digits) * _HAPROXY_UNITS[unit or "ms"]
    if seconds * 1000 > _HAPROXY_MAX_MS:
        raise InvalidDuration("timer overflow (maximum value is 2147483647 ms or ~24.8 days)")
    rest = text[match.end() :]
    if rest:
        if unit is None:
            raise InvalidDuration(f"unexpected character '{rest[0]}'")
        raise TruncatedDuration(
            f"unexpected character '{rest[0]}' after the timer value: HAProxy reads it as {digits}{unit}", seconds
        )
    return seconds
