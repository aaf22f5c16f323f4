"""What the Terraform readers of managed load balancers and platforms share: a cap-only route's idle timeout, and
``websocket-routes`` entries naming a resource."""

from __future__ import annotations

import math

from wslint.model import Duration, Location


def no_idle_timeout(where: Location) -> Duration:
    """A box whose only limit is a lifetime cap has no idle timeout of its own (as a named cap-only box)."""
    return Duration(seconds=math.inf, text="", dialect="seconds", location=where, directive="no idle timeout")


def listed(entry: str, names: list[str], file: str) -> bool:
    """A ``websocket-routes`` entry (``NAME`` or ``FILE:NAME``) naming a resource by address, label or name."""
    file_part, sep, name = entry.rpartition(":")
    norm = file.replace("\\", "/")
    if sep and not (norm == file_part or norm.endswith("/" + file_part)):
        return False
    return name.strip() in names
