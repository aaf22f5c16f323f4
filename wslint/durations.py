"""Duration parsers, one per dialect. Each returns seconds or raises InvalidDuration.

nginx follows ``ngx_parse_time`` (src/core/ngx_parse.c) and the syntax page
(xml/en/docs/syntax.xml): units ms s m h d w M y, combined from the most to the least
significant, optionally separated by spaces; a bare number means seconds and may only
come last; integers only; ``y``/``M`` are rejected by millisecond-resolution directives
(proxy_read_timeout and the other ``ngx_conf_set_msec_slot`` ones) and ``ms`` by
second-resolution ones. A large value is accepted as written (nginx -t accepts ``25d``, and the
timer becomes practically infinite) up to NGX_MAX_INT_T_VALUE milliseconds (seconds for the
second-resolution directives), past which nginx says "invalid value".
"""

from __future__ import annotations

import functools
import re


class InvalidDuration(ValueError):
    """A value the box would reject, with nginx's/HAProxy's reason in words."""


_NGINX_UNITS = {
    # unit: (order, milliseconds)
    "y": (1, 365 * 86400 * 1000),
    "M": (2, 30 * 86400 * 1000),
    "w": (3, 7 * 86400 * 1000),
    "d": (4, 86400 * 1000),
    "h": (5, 3600 * 1000),
    "m": (6, 60 * 1000),
    "s": (7, 1000),
    "ms": (8, 1),
    "": (9, 1000),
}
# ASCII digits only: nginx's parser tests '0'..'9' (\d would take any Unicode digit)
_NGINX_PART = re.compile(r" *([0-9]+)(ms|[yMwdhms]?) *")
# NGX_MAX_INT_T_VALUE on 64-bit builds: ngx_parse_time answers NGX_ERROR ("invalid value") past it,
# counted in milliseconds for the msec directives and in seconds for the sec ones (nginx -t agrees:
# 106751991167d is accepted by proxy_read_timeout, 106751991168d is not)
_NGX_MAX_INT = 2**63 - 1
_TOO_LARGE = 'too large: nginx says "invalid value" past 9223372036854775807 ms'


@functools.lru_cache(maxsize=1024)  # a large config writes the same few times tens of thousands of times
def parse_nginx(text: str, *, msec: bool = True) -> float:
    """Parse an nginx time (``1h30m``, ``90``, ``500ms``) into seconds."""
    if not text.strip(" "):
        raise InvalidDuration("empty time")
    pos = 0
    order = 0
    total = 0  # in milliseconds (msec) or seconds
    while pos < len(text):
        match = _NGINX_PART.match(text, pos)
        if match is None or match.end() == pos:
            raise InvalidDuration(f'invalid time "{text}"')
        digits, unit = match.groups()
        unit_order, scale_ms = _NGINX_UNITS[unit]
        if msec and unit in ("y", "M"):
            raise InvalidDuration(f'"{unit}" is not allowed in a millisecond-resolution time')
        if not msec and unit == "ms":
            raise InvalidDuration('"ms" is not allowed in a second-resolution time')
        if unit_order <= order:
            raise InvalidDuration(f'units of "{text}" are not in order from largest to smallest')
        order = unit_order
        digits = digits.lstrip("0") or "0"
        if len(digits) > 19:  # past 2^63 whatever the unit (and short of int()'s digit limit)
            raise InvalidDuration(_TOO_LARGE)
        total += int(digits) * (scale_ms if msec else scale_ms // 1000)
        if total > _NGX_MAX_INT:
            raise InvalidDuration(_TOO_LARGE)
        pos = match.end()
    return total / 1000 if msec else float(total)


class TruncatedDuration(InvalidDuration):
    """HAProxy reads the leading number and unit, warns, and ignores the rest (``1h30m`` is 1h)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


_HAPROXY_UNITS = {"us": 0.000001, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HAPROXY_TIME = re.compile(r"([0-9]+)(us|ms|s|m|h|d)?")  # ASCII digits, as parse_time_err reads them
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
    if len(digits.lstrip("0")) > 19:  # an overflow whatever the unit (and short of int()'s digit limit)
        raise InvalidDuration("timer overflow (maximum value is 2147483647 ms or ~24.8 days)")
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


# Go's time.ParseDuration (src/time/format.go): an optional sign, then one or more decimal numbers (an optional
# fraction, ".5" and "1." included) each with a unit; "0" alone needs none; past an int64 of nanoseconds it errs.
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_GO_MAX_SECONDS = (2**63 - 1) / 1e9


def parse_go(text: str) -> float:
    """Seconds of a Go duration (``1h30m``, ``1.5s``, ``500ms``, ``0``), negative when written so; InvalidDuration
    where Go's ``time.ParseDuration`` errs (Envoy's Go control planes, Istio, Contour, Traefik, Caddy and Go clients
    read durations with it)."""
    body = text[1:] if text[:1] in ("+", "-") else text
    sign = -1.0 if text[:1] == "-" else 1.0
    if body == "0":
        return 0.0
    seconds, pos = 0.0, 0
    while pos < len(body):
        match = _GO_PART.match(body, pos)
        if match is None:
            break
        seconds += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    if not body or pos < len(body):
        raise InvalidDuration(f"invalid duration {text[:40]!r}: a number with a unit (ms, s, m, h) is required, like "
                              "30s or 1m30s")  # fmt: skip
    if seconds > _GO_MAX_SECONDS:
        raise InvalidDuration(f"invalid duration {text[:40]!r}: too large (Go's limit is about 292 years)")
    return sign * seconds


def go_seconds(text: str) -> float | None:
    """parse_go, or None where Go's ``time.ParseDuration`` errs."""
    try:
        return parse_go(text)
    except InvalidDuration:
        return None
