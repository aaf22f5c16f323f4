"""Duration parsers, one per dialect. Each returns seconds or raises InvalidDuration.

nginx follows ``ngx_parse_time`` (src/core/ngx_parse.c) and the syntax page
(xml/en/docs/syntax.xml): units ms s m h d w M y, combined from the most to the least
significant, optionally separated by spaces; a bare number means seconds and may only
come last; integers only; ``y``/``M`` are rejected by millisecond-resolution directives
(proxy_read_timeout and the other ``ngx_conf_set_msec_slot`` ones) and ``ms`` by
second-resolution ones; a total above 2147483647 ms (or s) is rejected as too large.
"""

from __future__ import annotations

import re


class InvalidDuration(ValueError):
    """A value the box would reject, with nginx's/HAProxy's reason in words."""


_NGINX_UNITS = {
    # unit: (order, seconds, max value in seconds mode)
    "y": (1, 365 * 86400, 68),
    "M": (2, 30 * 86400, 828),
    "w": (3, 7 * 86400, 3550),
    "d": (4, 86400, 24855),
    "h": (5, 3600, 596523),
    "m": (6, 60, 35791394),
    "s": (7, 1, 2147483647),
    "ms": (8, 0.001, 2147483647),
    "": (9, 1, 2147483647),
}
_NGINX_PART = re.compile(r" *(\d+)(ms|[yMwdhms]?) *")
_INT_MAX = 2147483647


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
        unit_order, scale, max_value = _NGINX_UNITS[unit]
        if msec and unit in ("y", "M"):
            raise InvalidDuration(f'"{unit}" is not allowed in a millisecond-resolution time')
        if not msec and unit == "ms":
            raise InvalidDuration('"ms" is not allowed in a second-resolution time')
        if unit_order <= order:
            raise InvalidDuration(f'units of "{text}" are not in order from largest to smallest')
        order = unit_order
        value = int(digits)
        if unit != "ms" and msec:
            max_value //= 1000
        if value > max_value:
            raise InvalidDuration(f'time "{text}" is too large')
        total_ms += round(value * scale * 1000)
        limit = _INT_MAX if msec else _INT_MAX * 1000
        if total_ms > limit:
            raise InvalidDuration(f'time "{text}" is too large')
        pos = match.end()
    return total_ms / 1000
