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
