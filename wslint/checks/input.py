"""WS0xx what wslint met reading the input: WS001 parse-error, WS002 include-not-found, WS003 unused-suppression.

WS003 runs after the other checks, once the inline suppressions were applied to their findings
(wslint.suppress reads and applies them; ``after_suppressions`` registers the check).
"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.checks import Model, Suppressed, after_suppressions, check, finding, problems
from wslint.model import Finding, Location, Problem, Severity, Suppression, Unchecked
from wslint.rules import RULES


@check("WS001")
def parse_error(model: Model) -> Iterator[Finding]:
    for kind, f in problems(model, "parse-error"):
        f.rule = "WS001"
        f.help = f"Fix the file so that {_VALIDATORS.get(kind, _ANY_VALIDATOR)} accepts it."
        yield f


# what checks a file of each document kind the way the proxy (or its tooling) reads it
_VALIDATORS = {
    "nginx": "`nginx -t`",
    "haproxy": "`haproxy -c -f FILE`",
    "apache": "`apachectl configtest`",
    "aws": "`terraform validate` or `cfn-lint`",
    "arm": "`az bicep build` or `az deployment group validate`",
    "kubernetes": "`kubectl apply --dry-run=server -f FILE`",
    "envoy": "`envoy --mode validate -c FILE`",
    "kong": "`kong config parse FILE`",
    "traefik": "Traefik (it refuses a file it cannot read at start-up)",
    "caddy": "`caddy validate --config FILE` (with `--adapter caddyfile` for a Caddyfile)",
}
_ANY_VALIDATOR = "the tool that reads it"


@check("WS002")
def include_not_found(model: Model) -> Iterator[Finding]:
    """One finding per include not read, naming the blocks and rules it left without a verdict (all roots)."""
    from wslint.engine import enabled_rules

    enabled = set(enabled_rules(model.settings))
    merged: dict[Location, tuple[Problem, dict[tuple[str, Location], Unchecked]]] = {}
    apache: set[Location] = set()
    for document in model.documents:
        for problem in document.problems:
            if problem.kind == "include-not-found":
                if document.kind == "apache":
                    apache.add(problem.location)
                _, blocks = merged.setdefault(problem.location, (problem, {}))
                for u in problem.unchecked:
                    blocks[(u.subject, u.location)] = u.merged(blocks.get((u.subject, u.location)))
    for location, (problem, blocks) in merged.items():
        left = _left_unchecked(list(blocks.values()), enabled)
        f = finding(
            "WS002",
            location,
            problem.message + _say_left(left),
            help=_how_apache_reads(problem) if location in apache else _how_to_read(problem),
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


def _how_apache_reads(problem: Problem) -> str:
    """How to let wslint read an Apache Include: lint the ServerRoot folder with the root config."""
    pattern = problem.target or "the included file"
    return (
        f"Let wslint read the file: lint a copy of the configuration folder that holds {pattern} together with the "
        "root config (apache2.conf or httpd.conf, whose folder plays the ServerRoot; an absolute path is found "
        "there by its last parts), or write IncludeOptional for a file that may be absent. wslint never reads the "
        "host's own files."
    )


@after_suppressions("WS003")
def unused_suppression(run: Suppressed) -> Iterator[Finding]:
    """One finding per suppression with a rule id or prefix that covered no finding.

    Only selectors that cover at least one enabled rule other than WS003 and the always-on ones count (a
    suppression of a rule not selected in this run is not unused), and never in a file with a WS001 finding
    (its findings are incomplete). A selector that names no rule at all (a CloudFormation Metadata typo) is
    reported too. The finding points at the comment; its message names the unused ids. Another suppression
    that names WS003 (or a prefix of it; not ALL) and covers the comment's line suppresses it.
    """
    from wslint.suppress import covered, covers

    broken = {f.location.file for f in run.findings if f.rule == "WS001"}
    checkable = {rule for rule in run.enabled if rule != "WS003" and not RULES[rule].always_on}
    for suppression, named in run.unused:
        if suppression.location.file in broken:
            continue
        stale = [s for s in named if any(covers(s, rule) for rule in checkable)]
        unknown = [s for s in named if not any(covers(s, rule) for rule in RULES)]
        if not stale and not unknown:
            continue
        report = _unused(suppression, stale, unknown)
        for other in run.suppressions.get(suppression.location.file, ()):
            if other is suppression or not covered(other, report.location.line):
                continue
            if any(s != "ALL" and covers(s, "WS003") for s in other.rules):
                report.suppressed = True
                report.justification = other.reason
                break
        yield report


def _span(suppression: Suppression) -> str:
    first, last = suppression.first_line, suppression.last_line
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    return {
        "line": f"on {lines}",
        "next": f"in the statement it precedes ({lines})",
        "block": f"in the block it precedes ({lines})",
        "file": "in this file",
        "resource": f"in this resource ({lines})",
    }[suppression.scope]


def _unused(suppression: Suppression, stale: list[str], unknown: list[str]) -> Finding:
    parts = []
    if stale:
        named = " or ".join(s for s in stale if s != "ALL")
        parts.append(f"no {named + ' ' if named else ''}finding {_span(suppression)}")
    if unknown:
        parts.append(f"{' and '.join(unknown)} names no rule")
    ids = ", ".join(suppression.rules)
    return finding(
        "WS003",
        suppression.location,
        f"unused suppression ({ids}): " + "; ".join(parts),
        help="remove the suppression, or the ids in it that no longer match a finding",
    )
