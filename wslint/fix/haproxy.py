"""Fixes for this dialect (being written)."""

from __future__ import annotations

from wslint.fix import Context, Unfixable
from wslint.fix.text import Edit
from wslint.model import Duration


def set_idle_timeout(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    raise Unfixable("no fix for this dialect yet")
