"""What the Terraform readers of managed load balancers and platforms share: a cap-only route's idle timeout, and
``websocket-routes`` entries naming a resource (Kubernetes paths too)."""

from __future__ import annotations

import math

from wslint.model import Duration, Location


def no_idle_timeout(where: Location, note: str = "") -> Duration:
    """A box with no idle timeout of its own (a named cap-only box; Istio's and Traefik's upgraded streams)."""
    return Duration(seconds=math.inf, text="", dialect="seconds", location=where, directive="no idle timeout",
                    note=note)  # fmt: skip


def selector(entry: str, file: str) -> str | None:
    """What a ``websocket-routes`` entry names in this file: the part after ``FILE:`` when FILE is this file (or
    a path ending in it), the whole entry when it names no file, None when it names another file."""
    file_part, sep, name = entry.rpartition(":")
    norm = file.replace("\\", "/")
    if sep and not (norm == file_part or norm.endswith("/" + file_part)):
        return None
    return name.strip()


def listed(entry: str, names: list[str], file: str) -> bool:
    """A ``websocket-routes`` entry (``NAME`` or ``FILE:NAME``) naming a resource by address, label or name."""
    return selector(entry, file) in names
