"""The engine: sources -> model -> checks -> sorted findings, with selection and severities."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wslint import BUG_HINT
from wslint.checks import AFTER_SUPPRESSIONS, Model, load_all
from wslint.config import Settings
from wslint.discover import Discovery, Target
from wslint.model import Document, Finding, Location, Path, Severity
from wslint.rules import RULES
from wslint.sources import registry

if TYPE_CHECKING:
    from wslint.logs.events import Evidence


def _specificity(rule_id: str, selectors: list[str]) -> int:
    """Length of the most specific selector matching the rule; -1 when none matches."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif rule_id.startswith(selector):
            best = max(best, len(selector))
    return best


def enabled_rules(settings: Settings) -> list[str]:
    select = settings.select if settings.select is not None else ["ALL"]
    chosen = select + settings.extend_select
    out = []
    for rule_id, rule in RULES.items():
        on = _specificity(rule_id, chosen)
        off = _specificity(rule_id, settings.ignore)
        if rule.always_on or (on >= 0 and on > off):
            out.append(rule_id)
    return out


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    # the declared paths composed from the documents (``wslint path`` draws them)
    paths: list[Path] = field(default_factory=list)
    # the rules enabled in this run, in catalogue order (SARIF lists them all)
    rules: list[str] = field(default_factory=list)
    # files linted under different configs (lint_groups): each group's fail-on with its findings; else empty
    thresholds: list[tuple[str, list[Finding]]] = field(default_factory=list)
    # what `wslint logs` read (the close-time histogram); None in a lint of configs alone
    evidence: Evidence | None = None


def load_documents(
    targets: list[Target], tree_roots: list[str], settings: Settings, stdin: dict[str, bytes] | None = None
) -> tuple[list[Document], list[str]]:
    """Run each target through its kind's source (wslint.sources.registry), kinds in the registry's order."""
    return registry.load(targets, registry.Context(settings, tree_roots, stdin or {}))


def run_checks(
    documents: list[Document], settings: Settings, paths: list[Path] | None = None, evidence: Evidence | None = None
) -> tuple[list[Finding], list[str]]:
    """Every enabled check over the run's model; a check that raises is run again on each part of the run alone.

    The parts (``_parts``) are what the check would see of the run anyway: documents that a declared
    path or a shared file relates, with those paths. So a crash costs that check's findings on the
    part whose input it crashed on (one error line naming the rule and the part's files), never a
    different answer elsewhere.
    """
    checks = load_all()
    rules = enabled_rules(settings)
    paths = paths or []
    findings: list[Finding] = []
    errors: list[str] = []
    parts: list[_Part] | None = None
    for rule_id in rules:
        fn = checks.get(rule_id)
        if fn is None:
            continue
        try:
            findings.extend(fn(Model(documents, settings, paths, evidence)))
        except Exception:  # an internal error: isolate it, keep the rest
            parts = _parts(documents, paths) if parts is None else parts
            for part in parts:
                try:
                    findings.extend(fn(Model(part.documents, settings, part.paths, evidence)))
                except Exception as exc:
                    where = traceback.extract_tb(exc.__traceback__)[-1]
                    errors.append(
                        f"{part.name()}: internal error in check {rule_id}: {type(exc).__name__}: {exc} "
                        f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}); {BUG_HINT}"
                    )
    return finalize(findings, settings), errors


@dataclass
class _Part:
    """Documents a check judges together (related by a declared path or a shared file), with their paths."""

    documents: list[Document] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    def name(self) -> str:
        """The part's files, as an error line starts; a path of intermediaries only: where it is declared."""
        if self.documents:
            return ", ".join(d.file for d in self.documents)
        return ", ".join(f"{p.location} (path '{p.name}')" for p in self.paths)


def _parts(documents: list[Document], paths: list[Path]) -> list[_Part]:
    """The run split into the parts a check's findings depend on, in document order.

    A check reads documents, and declared paths with their hops; a route in a path is judged
    with the path's keepalive (checks.keepalive.cases), and a place written in a file that two
    documents include is judged once for both. So a document goes with every document it shares
    a file or a path with, and with those paths; a path none of the documents' hops is on (only
    intermediaries) is a part of its own.
    """
    root = list(range(len(documents)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    def join(members: list[int]) -> None:
        for i in members[1:]:
            a, b = find(members[0]), find(i)
            root[max(a, b)] = min(a, b)

    by_file: dict[str, list[int]] = {}
    by_hop: dict[Location, set[int]] = {}
    for i, document in enumerate(documents):
        for file in dict.fromkeys([document.file, *document.files]):
            by_file.setdefault(file, []).append(i)
        for hop in document.hops:
            by_hop.setdefault(hop.location, set()).add(i)
    for members in by_file.values():
        join(members)
    on_path = [sorted({i for hop in path.hops for i in by_hop.get(hop.location, ())}) for path in paths]
    for members in on_path:
        join(members)
    parts: dict[int, _Part] = {}
    for i, document in enumerate(documents):
        parts.setdefault(find(i), _Part()).documents.append(document)
    alone: list[_Part] = []
    for path, members in zip(paths, on_path, strict=True):
        if members:
            parts[find(members[0])].paths.append(path)
        else:
            alone.append(_Part(paths=[path]))
    return [*parts.values(), *alone]


def finalize(findings: list[Finding], settings: Settings) -> list[Finding]:
    """Severities and names; one finding per (rule, location); deterministic order.

    Two findings at one place (an included file reached from two roots) merge: the first
    message in sort order stays and the hops are united.
    """
    unique: dict[tuple[str, Location], Finding] = {}
    for f in sorted(findings, key=Finding.sort_key):
        rule = RULES[f.rule]
        f.name = rule.name
        f.severity = settings.severity.get(f.rule, f.severity or rule.severity)
        if f.location.origin and f.location.origin not in f.message:
            f.message += f" (in {f.location.origin})"
        kept = unique.setdefault((f.rule, f.location), f)
        if kept is not f:
            kept.hops = sorted(set(kept.hops) | set(f.hops))
    return sorted(unique.values(), key=Finding.sort_key)


def lint(discovery: Discovery, tree_roots: list[str], settings: Settings, logs: list[str] | None = None) -> Result:
    """Lint the discovered files; with ``logs`` (``wslint logs``), read those logs against them too."""
    result = Result(skipped=list(discovery.skipped), errors=list(discovery.errors), notes=list(discovery.notes))
    result.rules = enabled_rules(settings)
    supported = {s.name for s in registry.sources() if s.files and s.load is not None}
    linted = [t for t in discovery.targets if t.kind in supported]
    for target in discovery.targets:
        if target.kind not in supported:
            result.notes.append(f"{target.display}: {target.kind} files are not supported yet; skipped")
            result.skipped.append({"file": target.display, "reason": f"{target.kind}: no source yet"})
    documents, errors = load_documents(linted, tree_roots, settings, discovery.stdin)
    result.errors.extend(errors)
    result.documents = documents
    if settings.path:
        from wslint.paths import compose

        result.paths, path_errors = compose(settings, documents, {t.display: t.real for t in linted})
        result.errors.extend(path_errors)
    for document in documents:
        result.notes.extend(f"{p.location}: {p.message}" for p in document.problems if p.kind == "note")
    result.files = len(linted) - len(errors)
    evidence = None
    if logs:
        from wslint.logs.run import read_logs

        evidence, log_errors = read_logs(logs, documents)
        result.errors.extend(log_errors)
        result.notes.extend(evidence.notes)
        result.files += len(evidence.logs)
        result.evidence = evidence
    findings, check_errors = run_checks(documents, settings, result.paths, evidence)
    result.errors.extend(check_errors)
    result.findings = _leave_out(findings, result, settings, discovery, linted)
    return result


def lint_groups(
    discovery: Discovery, roots_of: Callable[[Settings], list[str]], settings: Settings, logs: list[str] | None = None
) -> Result:
    """Lint each group of the discovered files under its own settings (their nearest config, ``Discovery.groups``)
    and merge the results into one: findings in the report's order, the rest in the groups' order, the exit code
    over all (each finding against its own config's fail-on). ``settings``: the run's own (the report's format,
    ``--write-baseline``), which one group alone is linted with when it is the run's."""
    parts = discovery.split(settings)
    if not parts or (len(parts) == 1 and parts[0][0] is settings):
        return lint(discovery, roots_of(settings), settings, logs)
    # the logs are read once, against the first group's configs (``wslint logs`` lints the configs named with them)
    results = [
        (own, lint(part, roots_of(own), replace(own, write_baseline=None), logs if n == 0 else None))
        for n, (own, part) in enumerate(parts)
    ]
    merged = merge(discovery, results)
    merged.evidence = next((r.evidence for _, r in results if r.evidence is not None), None)
    if settings.write_baseline:
        linted = [t for _, part in parts for t in part.targets]
        _write_baseline(merged.findings, merged, settings, discovery, linted)
    return merged


def merge(discovery: Discovery, results: list[tuple[Settings, Result]]) -> Result:
    """The results of the groups of a run (``lint_groups``) as one, with what the run's discovery said first."""
    merged = Result(skipped=list(discovery.skipped), errors=list(discovery.errors), notes=list(discovery.notes))
    for own, result in results:
        merged.documents.extend(result.documents)
        merged.skipped.extend(result.skipped)
        merged.errors.extend(result.errors)
        merged.notes.extend(result.notes)
        merged.files += result.files
        merged.paths.extend(result.paths)
        merged.rules.extend(rule for rule in result.rules if rule not in merged.rules)
        merged.findings.extend(result.findings)
        merged.thresholds.append((own.fail_on, result.findings))
    merged.rules.sort(key=list(RULES).index)
    merged.findings = _once(merged.findings)
    merged.findings.sort(key=Finding.sort_key)
    return merged


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once in the report: a file included from files under different configs is judged in each of
    their groups, and the same (rule, location, message) reported once, the first group's; a copy one group shows
    wins over one another suppresses (a baseline leaves a finding out of its group: the others' copy stays). Each
    group's fail-on still weighs its own copy (``Result.thresholds``)."""
    kept: dict[tuple[str, Location, str], int] = {}
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule, finding.location, finding.message)
        if key not in kept:
            kept[key] = len(unique)
            unique.append(finding)
        elif unique[kept[key]].suppressed and not finding.suppressed:
            unique[kept[key]] = finding
    return unique


def _leave_out(
    findings: list[Finding], result: Result, settings: Settings, discovery: Discovery, linted: list[Target]
) -> list[Finding]:
    """Per-file ignores, inline suppressions (WS003 for unused ones) and the baseline."""
    from wslint import ignoring

    findings = ignoring.per_file(findings, settings)
    text_of = ignoring.text_reader(discovery.stdin, {t.display: t.real for t in linted}, settings.max_file_size)
    if settings.inline_ignores:
        suppressed, notes = ignoring.inline(findings, result.documents, result.rules, text_of)
        result.notes.extend(notes)
        after = [AFTER_SUPPRESSIONS[rule] for rule in result.rules if rule in AFTER_SUPPRESSIONS]  # WS003
        if after:
            findings = finalize(findings + [f for check in after for f in check(suppressed)], settings)
    if settings.write_baseline:
        _write_baseline(findings, result, settings, discovery, linted)
    elif settings.baseline:
        from wslint import baseline

        try:
            known = baseline.load(settings.baseline, settings.max_file_size)
        except ValueError as exc:
            result.errors.append(str(exc))
        else:
            root = os.path.dirname(os.path.abspath(settings.baseline))
            findings = baseline.filter_known(findings, known, text_of, ignoring.styles(result.documents), root)
    return findings


def _write_baseline(
    findings: list[Finding], result: Result, settings: Settings, discovery: Discovery, linted: list[Target]
) -> None:
    """``--write-baseline``: the findings shown (not suppressed) written to the baseline file, once per run."""
    from wslint import baseline, ignoring

    text_of = ignoring.text_reader(discovery.stdin, {t.display: t.real for t in linted}, settings.max_file_size)
    shown = [f for f in findings if not f.suppressed]
    try:
        count = baseline.write(settings.write_baseline or "", shown, text_of, ignoring.styles(result.documents))
    except ValueError as exc:
        result.errors.append(str(exc))
    else:
        result.notes.append(f"{settings.write_baseline}: wrote {count} findings; --baseline leaves them out")


# what a skipped file is, by the start of its reason (discover.py, lint), as the summary line counts it
_SKIP_KINDS = (
    ("template", "template", "templates"),
    ("not a file of a kind", "not a config", "not configs"),
    ("empty file", "empty file", "empty files"),
    ("not a regular file", "not a regular file", "not regular files"),
    ("cannot read directory", "unreadable directory", "unreadable directories"),
    ("symbolic link", "link outside the tree", "links outside the tree"),
)


def outcome(result: Result) -> str:
    """What the run did besides its findings: ``2 skipped (1 template, 1 not a config), 1 error``; "" if nothing.

    A summary says it so that a run that linted nothing, or skipped files, never reads as "All clean".
    """
    counts: dict[tuple[str, str], int] = {}
    for entry in result.skipped:
        reason = entry.get("reason", "")
        kind = next(((one, many) for start, one, many in _SKIP_KINDS if reason.startswith(start)), None)
        kind = kind or ("unsupported kind", "unsupported kinds")
        counts[kind] = counts.get(kind, 0) + 1
    parts = []
    if counts:
        each = ", ".join(f"{n} {one if n == 1 else many}" for (one, many), n in counts.items())
        parts.append(f"{len(result.skipped)} skipped ({each})")
    if result.errors:
        parts.append(f"{len(result.errors)} error{'' if len(result.errors) == 1 else 's'}")
    return ", ".join(parts)


def exit_code(result: Result, fail_on: str, exit_zero: bool) -> int:
    if result.errors:
        return 2
    if exit_zero:
        return 0
    groups = result.thresholds or [(fail_on, result.findings)]
    return 1 if any(_failing(findings, own) for own, findings in groups) else 0


def _failing(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "none":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity is not None and f.severity.rank >= threshold and not f.suppressed for f in findings)
