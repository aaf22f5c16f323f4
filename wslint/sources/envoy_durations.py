"""Envoy's times: protobuf ``google.protobuf.Duration`` in its JSON mapping, which is how Envoy reads YAML and JSON.

"In JSON format, the Duration type is encoded as a string rather than an object, where the string ends in the
suffix "s" (indicating seconds) and is preceded by the number of seconds, with nanoseconds expressed as fractional
seconds" (protocolbuffers/protobuf@4e211a89:src/google/protobuf/duration.proto, "JSON Mapping"): ``"300s"``,
``"0.5s"``, at most nine fractional digits. Envoy loads a YAML bootstrap by turning it into JSON and parsing that
(``MessageUtil::loadFromYaml``), so ``300`` (a number), ``5m`` or ``1h`` stop it at start-up; a negative duration
is refused by its ``validateDuration`` ("Expected positive duration", envoyproxy/envoy
source/common/protobuf/utility.cc). The object form some tools write (``{seconds: 300}``) is left unknown.
"""

from __future__ import annotations

import re

from wslint.durations import InvalidDuration
from wslint.templating import has_placeholder

# seconds, an optional fraction of up to nine digits, then "s" (protobuf's JSON parser); a sign is read to say so
_DURATION = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]{1,9}))?s")
_OTHER_UNIT = re.compile(r"[0-9.]+\s*(ms|us|ns|m|h|d)")
# google.protobuf.Duration's range: +-315,576,000,000 seconds (10,000 years)
_MAX_SECONDS = 315_576_000_000


def parse(value: object) -> float | None:
    """Seconds for a protobuf JSON duration; None when unknown (a template placeholder, an object form).

    Raises ``InvalidDuration`` with the reason Envoy refuses it.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidDuration("a duration is a string of seconds ending in s, such as 300s")
    if isinstance(value, (int, float)):
        raise InvalidDuration(f'{value} has no unit: Envoy reads durations as strings ending in s ("{value}s")')
    if not isinstance(value, str):
        return None
    text = value.strip()
    if has_placeholder(text):
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        other = _OTHER_UNIT.fullmatch(text)
        if other is not None:
            raise InvalidDuration(
                f'"{text}" uses the unit {other.group(1)}: Envoy reads durations only as seconds ending in s '
                '(such as "3600s" or "0.5s")'
            )
        if text.isdigit():
            raise InvalidDuration(f'"{text}" has no unit: Envoy reads durations as strings ending in s ("{text}s")')
        raise InvalidDuration(f'"{text}" is not a duration: Envoy reads durations as seconds ending in s, such as 300s')
    sign, whole, fraction = match.groups()
    seconds = int(whole) + (int(fraction.ljust(9, "0")) / 1e9 if fraction else 0.0)
    if sign == "-" and seconds > 0:
        raise InvalidDuration(f'"{text}" is negative: Envoy refuses a negative duration')
    if seconds > _MAX_SECONDS:
        raise InvalidDuration(f'"{text}" is out of range: a duration holds at most {_MAX_SECONDS} seconds')
    return seconds
