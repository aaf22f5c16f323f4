"""nginx durations, per ngx_parse_time and the syntax page (FACTS.md E.5)."""

from __future__ import annotations

import pytest

from wslint.durations import InvalidDuration, parse_nginx
from wslint.model import format_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("60", 60),
        ("60s", 60),
        ("500ms", 0.5),
        ("1m", 60),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("90m", 5400),
        ("1h30", 3630),  # a trailing bare number is seconds
        ("1d", 86400),
        ("1w", 604800),
        ("1s500ms", 1.5),
        ("0", 0),
    ],
)
def test_valid_nginx_times(text: str, seconds: float) -> None:
    assert parse_nginx(text) == seconds


@pytest.mark.parametrize("text", ["10x", "1.5h", "30m1h", "1y", "1M", "-5s", "", "s", "1h h", "1e9d", "1hh"])
def test_invalid_nginx_times(text: str) -> None:
    with pytest.raises(InvalidDuration):
        parse_nginx(text)


def test_second_resolution_accepts_years_and_rejects_ms() -> None:
    assert parse_nginx("1y", msec=False) == 365 * 86400
    with pytest.raises(InvalidDuration):
        parse_nginx("500ms", msec=False)


def test_too_large_is_accepted_as_nginx_does() -> None:
    # ngx_conf_set_msec_slot tests only for NGX_ERROR, so NGX_PARSE_LARGE_TIME passes nginx -t
    assert parse_nginx("25d") == 25 * 86400


@pytest.mark.parametrize(
    ("seconds", "text"), [(60, "1m"), (5400, "1h30m"), (0.5, "500ms"), (90.5, "1m30s500ms"), (0, "0s")]
)
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
