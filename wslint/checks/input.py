"""WS0xx what the sources met: WS001 parse-error, WS002 include-not-found (WS003 is in suppress.py for now)."""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, check, finding, problems
from wslint.model import Finding, Location, Problem, Severity, Unchecked


@check("WS001")
def parse_error(model: Model) -> Iterator[Finding]:
    for f in problems(model, "parse-error"):
        f.rule = "WS001"
        f.help = (
            "Fix the file so that the tool that reads it accepts it (`nginx -t`, `haproxy -c`, "
            "`terraform validate`, `cfn-lint`)."
        )
        yield f


@check("WS002")
def include_not_found(model: Model) -> Iterator[Finding]:
    """One finding per include not read, naming the blocks and rules it left without a verdict (all roots)."""
    from wslint.engine import enabled_rules

    enabled = set(enabled_rules(model.settings))
    merged: dict[Location, tuple[Problem, dict[tuple[str, Location], Unchecked]]] = {}
    for document in model.documents:
        for problem in document.problems:
            if problem.kind == "include-not-found":
                _, blocks = merged.setdefault(problem.location, (problem, {}))
                for u in problem.unchecked:
                    blocks[(u.subject, u.location)] = u.merged(blocks.get((u.subject, u.location)))
    for location, (problem, blocks) in merged.items():
        left = _left_unchecked(list(blocks.values()), enabled)
        f = finding(
            "WS002",
            location,
            problem.message + _say_left(left),
            help=_how_to_read(problem),
            related=[
                (u.location, f"{u.subject}: no verdict on {rules}: the include could set {', '.join(u.what)}")
                for u, rules in left[:MAX_RELATED]
            ],
        )
        if problem.outside:
            f.severity = Severity.INFO
        yield f


MAX_NAMED = 5  # blocks named in the message
MAX_RELATED = 20  # blocks given as related locations


def _left_unchecked(blocks: list[Unchecked], enabled: set[str]) -> list[tuple[Unchecked, str]]:
    """The blocks with enabled rules left without a verdict, in file order, with those rules written out."""
    out = []
    for u in sorted(blocks, key=lambda u: (u.location.sort_key(), u.subject)):
        rules = {r for r in u.rules if r in enabled}
        if rules:
            out.append((u, _ids(rules)))
    return out


def _say_left(left: list[tuple[Unchecked, str]]) -> str:
    if not left:
        return "; no block wslint sees depends on what it could set"
    named = ", ".join(f"{u.subject} ({rules})" for u, rules in left[:MAX_NAMED])
    more = len(left) - MAX_NAMED
    tail = f" and {more} more block{'s' if more > 1 else ''}" if more > 0 else ""
    return f"; it leaves rules without a verdict: {named}{tail}"


def _ids(rules: set[str]) -> str:
    """WS101, WS102, WS103, WS201 -> ``WS101-WS103, WS201`` (a run of three or more becomes a range)."""
    runs: list[list[int]] = []
    for number in sorted(int(r[2:]) for r in rules):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts: list[str] = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"WS{run[0]:03d}-WS{run[-1]:03d}")
        else:
            parts.extend(f"WS{n:03d}" for n in run)
    return ", ".join(parts)


def _how_to_read(problem: Problem) -> str:
    """How to let wslint read the file: the folder that holds it, or nginx-prefix."""
    pattern = problem.target or "the included file"
    parts = [p for p in pattern.split("/") if p]
    if pattern.startswith("/") and parts:
        found = f"DIR/{'/'.join(parts[-2:])} or DIR/{parts[-1]}" if len(parts) > 1 else f"DIR/{parts[-1]}"
        return (
            f"Let wslint read the file: lint a copy of the folder that holds it with --nginx-prefix "
            f"DIR (config key nginx-prefix), where {pattern} is found as {found}. wslint never reads the host's "
            "own files."
        )
    return (
        f"Let wslint read the file: lint the configuration folder that holds {pattern} (the one nginx resolves "
        "it against, with nginx.conf) together with this file, or set nginx-prefix (--nginx-prefix DIR) to it."
    )
