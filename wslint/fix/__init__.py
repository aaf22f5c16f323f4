"""Autofix (``--fix``, ``--diff``): minimal text edits for the findings whose repair is unambiguous.

A fixer is a short function over the model, like a check: for each place its rule fails and
a finding was reported there (not suppressed, not in the baseline), it returns a ``Fix``:
the edits, or why it makes none. Fixers read files only through ``Context.text``, which
refuses files outside the paths given, ``nginx -T`` dumps, and files included from several
places (unless ``--fix-includes``). ``run`` applies the fixes in rounds (a fix may let another
rule's fix follow), re-linting the fixed texts in memory, until nothing changes.
"""

from __future__ import annotations

import bisect
import math
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, TypeVar, cast

from wslint.checks import Model, registered
from wslint.config import Settings
from wslint.discover import Discovery
from wslint.engine import Result, lint, merge
from wslint.escape import diff_path
from wslint.fix import write as safe
from wslint.fix.text import Edit, FileText, apply
from wslint.fix.write import Snapshot
from wslint.model import Document, Finding, Location
from wslint.sources import text as textio

MAX_ROUNDS = 4
T = TypeVar("T")


class Unfixable(Exception):
    """A fix that cannot be made: the message says why, and what to do instead."""


@dataclass
class Fix:
    rule: str
    location: Location  # where the finding it repairs is reported
    summary: str  # what it does: "add `proxy_http_version 1.1;` to location /ws/"
    edits: list[Edit] = field(default_factory=list)
    unsafe: bool = False
    reason: str = ""  # not made: why


@dataclass
class Options:
    fix_includes: bool = False
    unsafe_fixes: bool = False
    # real paths of the files and directories named on the command line
    allowed: tuple[str, ...] = ()
    # files under different configs: how many times each file is used (linted or included) over all the groups
    uses: dict[str, int] = field(default_factory=dict)


FixerFn = Callable[["Context"], Iterable[Fix]]
FIXERS: dict[str, FixerFn] = {}
# rules whose fixer never edits: it only says why wslint does not fix them (WS108: it reorders nothing)
EXPLAINED: set[str] = set()


def fixer(*rule_ids: str) -> Callable[[FixerFn], FixerFn]:
    """Register a fixer for the rules it repairs (one function may repair several); an id the catalogue
    (wslint.rules) lacks, or a rule with a fixer already, fails at import."""

    def register(fn: FixerFn) -> FixerFn:
        for rule_id in rule_ids:
            registered(rule_id, fn, "fixer", FIXERS)
            FIXERS[rule_id] = fn
        return fn

    return register


def explainer(*rule_ids: str) -> Callable[[FixerFn], FixerFn]:
    """Register a fixer that never edits: each Fix it returns carries the reason wslint makes none."""

    def register(fn: FixerFn) -> FixerFn:
        EXPLAINED.update(rule_ids)
        return fixer(*rule_ids)(fn)

    return register


def fixable() -> frozenset[str]:
    """The rules wslint can fix (not those whose fixer only explains why it does not)."""
    _load()
    return frozenset(FIXERS) - EXPLAINED


def fixer_of(rule_id: str) -> FixerFn | None:
    """The function that fixes a rule, or None."""
    _load()
    return FIXERS.get(rule_id)


def _load() -> None:
    # the AWS writer (and PyYAML, hcl2 with it) is imported by wslint.fix.idle only when an AWS timeout is fixed
    from wslint.fix import apache, haproxy, idle, nginx  # noqa: F401


@dataclass
class Context:
    """What fixers see: the model, the findings to repair, the settings, and the files' texts."""

    model: Model
    findings: list[Finding]
    options: Options
    # display path -> real path of every file linted (named or found in a directory)
    reals: dict[str, str]
    overlay: dict[str, bytes]
    _texts: dict[str, FileText] = field(default_factory=dict)
    _reported: set[tuple[str, Location]] = field(default_factory=set)
    _uses: dict[str, int] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._reported = {(f.rule, f.location) for f in self.findings if not f.suppressed}

    @property
    def settings(self) -> Settings:
        return self.model.settings

    def idle_timeout_for(self, pings: list[float]) -> float:
        """The idle timeout a fix writes: fix-idle-timeout, or twice the longest ping interval when that is more."""
        return float(math.ceil(max([self.settings.fix_idle_timeout, *(2 * p for p in pings)])))

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, once per round: what fixers look up in whole files for each fix (a document's maps)."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(T, self._memo[key])

    def reported(self, rule: str, location: Location | None) -> bool:
        return location is not None and (rule, location) in self._reported

    def document_of(self, file: str) -> Document | None:
        for document in self.model.documents:
            if file == document.file or file in document.files:
                return document
        return None

    def read(self, file: str) -> FileText:
        """The text of a file of the run (as the fixes so far left it), to read only."""
        found = self._texts.get(file)
        if found is not None:
            return found
        real = self.reals.get(file) or (os.path.realpath(file) if os.path.exists(file) else None)
        if real is None:
            raise Unfixable(f"{file} is not a file wslint can edit")
        try:
            data = self.overlay[real] if real in self.overlay else textio.read_bytes(real, self.settings.max_file_size)
            found = FileText.decode(file, real, data)
        except (OSError, UnicodeDecodeError, textio.DecodeError) as exc:
            raise Unfixable(f"{file} cannot be read: {exc}") from None
        self._texts[file] = found
        return found

    def text(self, file: str) -> FileText:
        """The text of a file a fix may edit; Unfixable when it may not."""
        found = self.read(file)
        real = found.real
        if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.options.allowed):
            raise Unfixable(f"{file} is outside the paths given")
        uses = self._uses.get(file)
        if uses is None:
            uses = self._uses[file] = self.options.uses.get(file) or _uses(file, self.model.documents)
        if uses > 1 and not self.options.fix_includes:
            raise Unfixable(f"{file} is included from {uses} places, and a fix there changes them all: --fix-includes")
        return found

    def make(self, rule: str, where: Location, summary: str, edits: Callable[[], list[Edit]]) -> Fix:
        """A Fix whose edits are built now; an Unfixable becomes its reason."""
        if where.origin:
            return Fix(rule, where, summary, reason=f"it is in an nginx -T dump: fix {where.origin} itself")
        try:
            return Fix(rule, where, summary, edits())
        except Unfixable as exc:
            return Fix(rule, where, summary, reason=str(exc))


@dataclass
class Outcome:
    result: Result  # the lint of the fixed texts: what remains
    original: dict[str, FileText] = field(default_factory=dict)  # display -> text before any fix
    fixed: dict[str, str] = field(default_factory=dict)  # display -> text after the fixes
    applied: list[Fix] = field(default_factory=list)
    not_made: list[Fix] = field(default_factory=list)
    snapshot: Snapshot = field(default_factory=lambda: Snapshot({}, 0))  # the bytes the lint read, by real path
    relint: Callable[[], Result] | None = None  # the lint again, through the snapshot
    # files under different configs (engine.lint_groups): each group's own outcome, written each; this one merges
    parts: list[tuple[Settings, Outcome]] = field(default_factory=list)
    discovery: Discovery | None = None


def plan(context: Context) -> list[Fix]:
    """Every fix for the reported findings, in a stable order."""
    _load()
    rules = {f.rule for f in context.findings if not f.suppressed} & set(FIXERS)
    fixes: list[Fix] = []
    done: set[int] = set()
    for rule in sorted(rules):
        fn = FIXERS[rule]
        if id(fn) in done:
            continue
        done.add(id(fn))
        fixes.extend(fix for fix in fn(context) if context.reported(fix.rule, fix.location))
    return sorted(fixes, key=lambda fix: (fix.location.sort_key(), fix.rule))


class _Taken:
    """The edits accepted in a round, per file, as offsets sorted by start (to find clashes fast)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.edits: set[Edit] = set()
        self.spans: dict[str, list[tuple[int, int]]] = {}

    def span(self, edit: Edit) -> tuple[int, int]:
        text = self.context.read(edit.file)
        return text.offset(edit.line, edit.column), text.offset(edit.end_line, edit.end_column)

    def no_op(self, edit: Edit) -> bool:
        start, end = self.span(edit)
        return self.context.read(edit.file).text[start:end] == edit.text

    def clashes(self, edit: Edit) -> bool:
        """Does the edit touch text an accepted edit changes (two inserts at one place do not clash)?"""
        a0, a1 = self.span(edit)
        spans = self.spans.get(edit.file, [])
        j = max(bisect.bisect_left(spans, (a0, a0)) - 1, 0)
        while j < len(spans) and spans[j][0] <= a1:
            b0, b1 = spans[j]
            if (a0 < b0 < a1 or b0 < a0 < b1) if a0 == a1 or b0 == b1 else (a0 < b1 and b0 < a1):
                return True
            j += 1
        return False

    def add(self, edit: Edit) -> None:
        self.edits.add(edit)
        bisect.insort(self.spans.setdefault(edit.file, []), self.span(edit))


def _accept(fixes: list[Fix], context: Context, options: Options) -> tuple[list[Fix], list[Fix], list[Fix]]:
    """(applied, not made, left for a later round): unsafe fixes wait for --unsafe-fixes; a clash waits."""
    applied: list[Fix] = []
    not_made: list[Fix] = []
    later: list[Fix] = []
    taken = _Taken(context)
    for fix in fixes:
        if fix.reason:
            not_made.append(fix)
            continue
        if fix.unsafe and not options.unsafe_fixes:
            fix.reason = "an unsafe fix (it changes what the config means): --unsafe-fixes applies it"
            not_made.append(fix)
            continue
        shared = [e for e in fix.edits if e in taken.edits]  # the same edit made for two findings counts once
        edits = [e for e in fix.edits if e not in taken.edits and not taken.no_op(e)]
        if not edits and not shared:
            fix.reason = "the fix would change nothing (a bug in wslint: please report it)"
            not_made.append(fix)
            continue
        if any(taken.clashes(e) for e in edits):
            later.append(fix)
            continue
        for edit in edits:
            taken.add(edit)
        fix.edits = edits
        applied.append(fix)
    return applied, not_made, later


def run(discovery: Discovery, tree_roots: list[str], settings: Settings, options: Options) -> Outcome:
    """``_run`` over the run's files; files under different configs (``Discovery.split``) each group under its own
    settings (its nginx-prefix in ``tree_roots`` for the run's), the outcomes merged.

    The groups are fixed one after the other through one snapshot: a later group reads the texts the earlier ones
    fixed (an include files under two configs share is fixed once), and an earlier group is linted again when a
    later one fixed a file. The merged outcome is written as one: each file once, over the bytes first read."""
    parts = discovery.split(settings)
    if len(parts) == 1 and parts[0][0] is settings:
        return _run(discovery, tree_roots, settings, options)
    named = [root for root in tree_roots if root != settings.nginx_prefix]
    shared = Snapshot(discovery.stdin, settings.max_file_size)
    roots = [[*named, *([own.nginx_prefix] if own.nginx_prefix else [])] for own, _ in parts]
    firsts: list[Result] = []
    for (own, part), own_roots in zip(parts, roots, strict=True):  # each group's first lint, to count the uses
        shared.max_size = own.max_file_size
        part.stdin = shared
        firsts.append(lint(part, own_roots, own))
    documents = [document for first in firsts for document in first.documents]
    options = replace(options, uses={file: _uses(file, documents) for first in firsts for file in _files(first)})
    outcomes: list[tuple[Settings, Outcome]] = []
    for (own, part), own_roots, first in zip(parts, roots, firsts, strict=True):
        shared.max_size = own.max_file_size
        fixed_before = any(earlier.fixed for _, earlier in outcomes)  # then this group reads their fixed texts
        outcomes.append((own, _run(part, own_roots, own, options, shared, None if fixed_before else first)))
    for i, (_, outcome) in enumerate(outcomes):
        if outcome.relint is not None and any(later.fixed for _, later in outcomes[i + 1 :]):
            outcome.result = outcome.relint()
    merged = Outcome(Result(), snapshot=shared, parts=outcomes, discovery=discovery)
    merged.relint = lambda: merge(discovery, [(own, o.relint() if o.relint else o.result) for own, o in outcomes])
    return _merged(merged)


def _merged(outcome: Outcome) -> Outcome:
    """An outcome of groups (``parts``) with their results, fixes and texts brought together: a file's original
    text is the one first read, its fixed text the last group's."""
    assert outcome.discovery is not None
    outcome.result = merge(outcome.discovery, [(own, part.result) for own, part in outcome.parts])
    outcome.original = {}
    for _, part in outcome.parts:
        for file, text in part.original.items():
            outcome.original.setdefault(file, text)
    outcome.fixed = {file: text for _, part in outcome.parts for file, text in part.fixed.items()}
    outcome.fixed = {file: text for file, text in outcome.fixed.items() if text != outcome.original[file].text}
    outcome.applied = [fix for _, part in outcome.parts for fix in part.applied]
    not_made: dict[tuple[str, Location, str], Fix] = {}
    for _, part in outcome.parts:
        for fix in part.not_made:  # a file two groups use: its fix not made said once
            not_made.setdefault((fix.rule, fix.location, fix.summary), fix)
    outcome.not_made = list(not_made.values())
    return outcome


def _uses(file: str, documents: list[Document]) -> int:
    """How many times ``file`` is used: linted, or brought in by an include."""
    return sum(d.included.get(file, 0) + (d.file == file) for d in documents)


def _files(result: Result) -> set[str]:
    return {file for document in result.documents for file in [document.file, *document.included]}


def _run(
    discovery: Discovery,
    tree_roots: list[str],
    settings: Settings,
    options: Options,
    shared: Snapshot | None = None,
    first: Result | None = None,
) -> Outcome:
    """Lint, fix, re-lint the fixed texts, until no fix is left (at most MAX_ROUNDS rounds).

    Every fix and every fix not made is named at its line in the text as the user has it
    (a later round's lines are mapped back through the earlier rounds' edits).
    """
    reals = {t.display: t.real for t in discovery.targets}
    # every file is read once, by the first lint: the fixes are made on those bytes, and written only over them
    overlay = shared if shared is not None else Snapshot(discovery.stdin, settings.max_file_size)
    discovery.stdin = overlay
    result = first if first is not None else lint(discovery, tree_roots, settings)
    outcome = Outcome(result, snapshot=overlay, relint=lambda: lint(discovery, tree_roots, settings))
    rounds: list[dict[str, Moves]] = []
    reasons: dict[tuple[str, str, int | None], Fix] = {}
    for _ in range(MAX_ROUNDS):
        model = Model(result.documents, settings, result.paths)
        context = Context(model, result.findings, options, reals, overlay)
        applied, not_made, _later = _accept(plan(context), context, options)
        for fix in not_made:
            reasons.setdefault(_key(fix.rule, fix.location, rounds), _placed(fix, rounds))
        if not applied:
            break
        by_file: dict[str, list[Edit]] = {}
        for fix in applied:
            for edit in fix.edits:
                by_file.setdefault(edit.file, []).append(edit)
        previous: dict[str, bytes] = {}
        for file, edits in by_file.items():
            text = context.text(file)
            outcome.original.setdefault(file, text)  # the first edit of a file: its text as read
            previous[file] = text.encode(text.text)
            new = apply(text, edits)
            outcome.fixed[file] = new
            overlay[text.real] = text.encode(new)
        before = _broken(result)
        result = lint(discovery, tree_roots, settings)
        broken = _broken(result) - before
        if broken:  # a fix must never break a file: undo this round's edits there
            for file in broken & set(previous):
                overlay[context.text(file).real] = previous[file]
                outcome.fixed[file] = context.text(file).text
                by_file.pop(file)
            for fix in applied:
                if any(e.file in broken for e in fix.edits):
                    fix.reason = (
                        f"the fixed file no longer parses (a bug in wslint's fix for {fix.rule}); left as it was"
                    )
                    reasons.setdefault(_key(fix.rule, fix.location, rounds), _placed(fix, rounds))
            applied = [fix for fix in applied if not any(e.file in broken for e in fix.edits)]
            result = lint(discovery, tree_roots, settings)
        outcome.applied.extend(_placed(fix, rounds) for fix in applied)
        rounds.append({file: Moves(edits) for file, edits in by_file.items()})
    outcome.result = result
    remaining = {_key(f.rule, f.location, rounds) for f in result.findings if not f.suppressed}
    outcome.not_made = [fix for key, fix in reasons.items() if key in remaining]
    outcome.fixed = {f: t for f, t in outcome.fixed.items() if t != outcome.original[f].text}
    return outcome


class Moves:
    """A round's edits of one file, to map a line after them back to the line before them.

    Sorted once, with where each edit's text starts after the edits and the shift up to it, so
    that each look-up is a bisection (a round may make thousands of edits in one file).
    """

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = sorted(edits, key=lambda e: (e.line, e.column))
        self.starts: list[int] = []  # where each edit's text starts, after the edits
        self.shifts: list[int] = []  # the shift the edits up to and including it make
        shift = 0
        for edit in self.edits:
            self.starts.append(edit.line + shift)
            shift += edit.text.count("\n") - (edit.end_line - edit.line)
            self.shifts.append(shift)
        ends = [start + edit.text.count("\n") for start, edit in zip(self.starts, self.edits, strict=True)]
        # edits that do not overlap start and end in order; else (an insert where a replaced span starts) the walk
        self.ordered = all(a <= b for a, b in pairwise(self.starts)) and all(a <= b for a, b in pairwise(ends))

    def back(self, line: int) -> tuple[int, bool]:
        """The line before the edits of ``line`` after them, and whether they added it (then: the line before it)."""
        if self.ordered:
            last = bisect.bisect_right(self.starts, line) - 1  # the last edit starting at or before the line
            first = last  # the edits whose text reaches the line: their ends only grow, so they are the last ones
            while first > 0 and self.starts[first - 1] + self.edits[first - 1].text.count("\n") >= line:
                first -= 1
        else:
            first, last = 0, next((i for i, start in enumerate(self.starts) if line < start), len(self.starts)) - 1
        if last < 0:
            return line, False
        for index in range(first, last + 1):
            edit, start = self.edits[index], self.starts[index]
            added = edit.text.count("\n")
            whole_lines = edit.column == 1 and edit.end_column == 1 and edit.text.endswith("\n")
            if whole_lines and line < start + added:
                return max(edit.line - 1, 1), True
            if not whole_lines and line <= start + added:
                return edit.line, line != start
        return line - self.shifts[last], False


def _back(edits: list[Edit], line: int) -> tuple[int, bool]:
    """The line, before ``edits``, of ``line`` after them, and whether they added it (then: the line before it)."""
    return Moves(edits).back(line)


def _original_line(file: str, line: int, rounds: list[dict[str, Moves]]) -> tuple[int, bool]:
    """The line in the text as the user has it, and whether a fix added it (then: the line it follows)."""
    added = False
    for moves in reversed(rounds):
        if file in moves:
            line, new = moves[file].back(line)
            added = added or new
    return line, added


def _key(rule: str, where: Location, rounds: list[dict[str, Moves]]) -> tuple[str, str, int | None]:
    return rule, where.file, _original_line(where.file, where.line, rounds)[0] if where.line else None


def _placed(fix: Fix, rounds: list[dict[str, Moves]]) -> Fix:
    """The fix named at its line in the text as the user has it."""
    where = fix.location
    if not rounds or where.line is None:
        return fix
    line, added = _original_line(where.file, where.line, rounds)
    if added:
        fix.summary += " (on a line an earlier fix adds after this one)"
    fix.location = replace(where, line=line, end_line=line)
    return fix


def _broken(result: Result) -> set[str]:
    return {f.location.file for f in result.findings if f.rule == "WS001"}


def diff(outcome: Outcome) -> str:
    """A unified diff of every fixed file (``patch -p0`` applies it), in file order."""
    import difflib

    out: list[str] = []
    for file in sorted(outcome.fixed):
        original = outcome.original[file]
        bom = "\ufeff" if original.bom else ""  # part of the file's first line, as patch reads it
        before = _lines(bom + original.text)
        after = _lines(bom + outcome.fixed[file])
        name = diff_path(file)
        for line in difflib.unified_diff(before, after, fromfile=name, tofile=name):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines with their ends, split at newlines only (a CR or form feed inside a line stays)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def write(outcome: Outcome) -> list[str]:
    """Write every fixed file safely (wslint.fix.write), its bytes as they were (BOM, line ends). Returns errors.

    A file that is not written takes its fixes, and those of the files they go with, out of the
    fixes made (they become fixes not made, with the reason); what remains is linted again.
    """
    errors: list[str] = []
    groups = _groups(outcome)
    refused: dict[str, str] = {}  # display -> why
    prepared: dict[str, safe.Prepared] = {}
    with safe.interruptible():
        _write_all(outcome, groups, refused, prepared)
    for file, why in sorted(refused.items()):
        errors.append(f"{file} {why}; its fixes are not written")
    if refused:
        _take_back(outcome, refused)
    return errors


def _write_all(
    outcome: Outcome, groups: dict[str, set[str]], refused: dict[str, str], prepared: dict[str, safe.Prepared]
) -> None:
    """Every temporary file first, then the renames; an exception (a signal) removes the temporary files left."""
    try:
        _prepare_and_commit(outcome, groups, refused, prepared)
    finally:
        safe.discard(prepared.values())


def _prepare_and_commit(
    outcome: Outcome, groups: dict[str, set[str]], refused: dict[str, str], prepared: dict[str, safe.Prepared]
) -> None:
    for file in sorted(outcome.fixed):
        original = outcome.original[file]
        if file in refused:
            continue
        try:
            seen = outcome.snapshot.seen.get(original.real)
            prepared[file] = safe.prepare(file, original.real, original.encode(outcome.fixed[file]), seen)
        except safe.Refused as exc:
            _refuse(file, str(exc), groups, refused, prepared)
    for file in sorted(prepared):
        if file in refused:
            continue
        try:
            safe.commit(prepared[file], outcome.snapshot.seen.get(outcome.original[file].real))
            del prepared[file]  # after the rename: a signal before it still finds the temporary file to remove
        except safe.Refused as exc:
            _refuse(file, str(exc), groups, refused, prepared)


def _groups(outcome: Outcome) -> dict[str, set[str]]:
    """The fixed files whose fixes go together (one fix edits both), each file to its whole group."""
    group: dict[str, set[str]] = {file: {file} for file in outcome.fixed}
    for fix in outcome.applied:
        files = {e.file for e in fix.edits} | {fix.location.file}
        merged = set().union(*(group[f] for f in files if f in group))
        for file in merged:
            group[file] = merged
    return group


def _refuse(
    file: str, why: str, groups: dict[str, set[str]], refused: dict[str, str], prepared: dict[str, safe.Prepared]
) -> None:
    """``file`` is not written, nor any file its fixes go with (their temporary files are removed)."""
    refused[file] = why
    for other in sorted(groups.get(file, {file}) - {file}):
        if other not in refused:
            refused[other] = f"has fixes that go with those in {file}, which is not written"
        if other in prepared:
            safe.discard([prepared.pop(other)])


def _take_back(outcome: Outcome, refused: dict[str, str]) -> None:
    """The fixes of the files not written are fixes not made; what remains is linted again on the bytes on disk."""
    kept: list[Fix] = []
    for fix in outcome.applied:
        files = {e.file for e in fix.edits} | {fix.location.file}
        if not files & refused.keys():
            kept.append(fix)
            continue
        culprit = next(f for f in sorted(files) if f in refused)
        fix.reason = f"{culprit} {refused[culprit]}"
        outcome.not_made.append(fix)
    outcome.applied = kept
    for file in refused:
        real = outcome.original[file].real
        seen = outcome.snapshot.seen.get(real)
        if seen is not None:
            outcome.snapshot[real] = seen.data
        outcome.fixed.pop(file, None)
    if outcome.relint is not None:
        outcome.result = outcome.relint()


def describe(outcome: Outcome, verb: str) -> Iterator[str]:
    """One line per fix made (``verb``: fixed / would fix) and per fix not made, then the counts."""
    for fix in sorted(outcome.applied, key=lambda f: (f.location.sort_key(), f.rule)):
        yield f"{verb} {fix.location}: {fix.rule} {fix.summary}"
    for fix in sorted(outcome.not_made, key=lambda f: (f.location.sort_key(), f.rule)):
        yield f"not fixed {fix.location}: {fix.rule} {fix.summary}: {fix.reason}"
    if outcome.applied or outcome.not_made:
        files = len(outcome.fixed)
        done = "fixed" if verb == "fixed" else "to fix"
        counts = f"{_plural(len(outcome.applied), 'finding')} {done} in {_plural(files, 'file')}"
        yield counts + (f", {len(outcome.not_made)} not fixed" if outcome.not_made else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
