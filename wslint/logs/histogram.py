"""The close times of each group of closes as a text histogram (``wslint logs`` after a text report)."""

from __future__ import annotations

from wslint.escape import printable
from wslint.logs.events import Evidence, Group
from wslint.model import format_seconds

WIDTH = 40  # characters of the longest bar
ROWS = 12  # close times shown per group: the most frequent, in time order


def render(evidence: Evidence) -> str:
    """``Close times`` and a bar per close time of each group with times; "" when no group has any."""
    groups = [g for g in evidence.groups.values() if g.times]
    if not groups:
        return ""
    lines = ["", "Close times seen in the logs (seconds after the handshake):"]
    for group in sorted(groups, key=lambda g: -g.count):
        lines.append(f"  {printable(title(group))}: {group.count} close{'s' if group.count != 1 else ''}")
        shown = sorted(t for t, _ in group.times.most_common(ROWS))
        top = max(group.times[t] for t in shown)
        for seconds in shown:
            n = group.times[seconds]
            bar = "#" * max(1, round(WIDTH * n / top))
            lines.append(f"    {format_seconds(seconds):>8} | {bar} {n}")
        hidden = len(group.times) - len(shown)
        if hidden > 0:
            lines.append(f"    ({hidden} other close time{'s' if hidden != 1 else ''})")
    return "\n".join(lines) + "\n"


def title(group: Group) -> str:
    """What a group of closes is: where, which log, which timeout, what the log says."""
    where = " ".join(part for part in (group.hop, group.route) if part) or "no hop of this run"
    timeout = f", {group.timeout.directive} {format_seconds(group.timeout.seconds)}" if group.timeout else ""
    return f"{where} ({group.reader}{timeout}): {group.cause}"
