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
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from wslint.checks import Model
from wslint.config import Settings
from wslint.discover import Discovery
from wslint.engine import Result, lint
from wslint.escape import diff_path
from wslint.fix.text import Edit, FileText, apply
from wslint.model import Document, Finding, Location

MAX_ROUNDS = 4


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


FixerFn = Callable[["Context"], Iterable[Fix]]
FIXERS: dict[str, FixerFn] = {}


def fixer(*rule_ids: str) -> Callable[[FixerFn], FixerFn]:
    """Register a fixer for the rules it repairs (one function may repair several)."""

    def register(fn: FixerFn) -> FixerFn:
        for rule_id in rule_ids:
            FIXERS[rule_id] = fn
        return fn

    return register


def fixable() -> frozenset[str]:
    _load()
    return frozenset(FIXERS)


def _load() -> None:
    # the AWS writer (and PyYAML, hcl2 with it) is imported by wslint.fix.idle only when an AWS timeout is fixed
    from wslint.fix import haproxy, idle, nginx  # noqa: F401


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

    def __post_init__(self) -> None:
        self._reported = {(f.rule, f.location) for f in self.findings if not f.suppressed}

    @property
    def settings(self) -> Settings:
        return self.model.settings

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
            data = self.overlay[real] if real in self.overlay else _read(real)
            found = FileText.decode(file, real, data)
        except (OSError, UnicodeDecodeError) as exc:
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
            uses = self._uses[file] = sum(d.included.get(file, 0) + (d.file == file) for d in self.model.documents)
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


def _read(real: str) -> bytes:
    with open(real, "rb") as handle:
        return handle.read()


@dataclass
class Outcome:
    result: Result  # the lint of the fixed texts: what remains
    original: dict[str, FileText] = field(default_factory=dict)  # display -> text before any fix
    fixed: dict[str, str] = field(default_factory=dict)  # display -> text after the fixes
    applied: list[Fix] = field(default_factory=list)
    not_made: list[Fix] = field(default_factory=list)


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
    """Lint, fix, re-lint the fixed texts, until no fix is left (at most MAX_ROUNDS rounds).

    Every fix and every fix not made is named at its line in the text as the user has it
    (a later round's lines are mapped back through the earlier rounds' edits).
    """
    reals = {t.display: t.real for t in discovery.targets}
    overlay: dict[str, bytes] = dict(discovery.stdin)
    result = lint(discovery, tree_roots, settings)
    outcome = Outcome(result)
    rounds: list[dict[str, list[Edit]]] = []
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
        discovery.stdin = overlay
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
        rounds.append(by_file)
    outcome.result = result
    remaining = {_key(f.rule, f.location, rounds) for f in result.findings if not f.suppressed}
    outcome.not_made = [fix for key, fix in reasons.items() if key in remaining]
    outcome.fixed = {f: t for f, t in outcome.fixed.items() if t != outcome.original[f].text}
    return outcome


def _back(edits: list[Edit], line: int) -> tuple[int, bool]:
    """The line, before ``edits``, of ``line`` after them, and whether they added it (then: the line before it)."""
    shift = 0
    for edit in sorted(edits, key=lambda e: (e.line, e.column)):
        start = edit.line + shift  # where the edit's text starts, after the edits
        added = edit.text.count("\n")
        if line < start:
            break
        whole_lines = edit.column == 1 and edit.end_column == 1 and edit.text.endswith("\n")
        if whole_lines and line < start + added:
            return max(edit.line - 1, 1), True
        if not whole_lines and line <= start + added:
            return edit.line, line != start
        shift += added - (edit.end_line - edit.line)
    return line - shift, False


def _original_line(file: str, line: int, rounds: list[dict[str, list[Edit]]]) -> tuple[int, bool]:
    """The line in the text as the user has it, and whether a fix added it (then: the line it follows)."""
    added = False
    for edits in reversed(rounds):
        if file in edits:
            line, new = _back(edits[file], line)
            added = added or new
    return line, added


def _key(rule: str, where: Location, rounds: list[dict[str, list[Edit]]]) -> tuple[str, str, int | None]:
    return rule, where.file, _original_line(where.file, where.line, rounds)[0] if where.line else None


def _placed(fix: Fix, rounds: list[dict[str, list[Edit]]]) -> Fix:
    """The fix named at its line in the text as the user has it."""
    where = fix.location
    if not rounds or where.line is None:
        return fix
    line, added = _original_line(where.file, where.line, rounds)
    if added:
        fix.summary += " (on a line an earlier fix adds after this one)"
    fix.location = where.model_copy(update={"line": line, "end_line": line})
    return fix


def _broken(result: Result) -> set[str]:
    return {f.location.file for f in result.findings if f.rule == "WS001"}


def diff(outcome: Outcome) -> str:
    """A unified diff of every fixed file (``patch -p0`` applies it), in file order."""
    import difflib

    out: list[str] = []
    for file in sorted(outcome.fixed):
        before = _lines(outcome.original[file].text)
        after = _lines(outcome.fixed[file])
        name = diff_path(file)
        for line in difflib.unified_diff(before, after, fromfile=name, tofile=name):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines with their ends, split at newlines only (a CR or form feed inside a line stays)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def write(outcome: Outcome) -> list[str]:
    """Write every fixed file in place (its bytes: BOM and line ends as they were). Returns errors."""
    errors = []
    for file in sorted(outcome.fixed):
        original = outcome.original[file]
        try:
            with open(original.real, "wb") as handle:
                handle.write(original.encode(outcome.fixed[file]))
        except OSError as exc:
            errors.append(f"{file}: cannot write the fix: {exc.strerror or exc}")
    return errors


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
