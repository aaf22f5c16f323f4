"""Which files are linted, and as what kind: by content, not by extension (UX.md)."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wslint import templating
from wslint.config import Settings
from wslint.gitignore import Ignores
from wslint.sources import registry
from wslint.sources import text as textio
from wslint.sources.registry import Target

HEAD_BYTES = 64 * 1024
# never configuration: skipped in a directory walk without being read
SKIP_EXTENSIONS = frozenset(
    ".py .pyc .js .mjs .ts .go .rb .java .c .h .cc .cpp .rs .php .pl .sh .bat .ps1 .md .rst .html .htm .css "
    ".scss .png .jpg .jpeg .gif .svg .ico .webp .pdf .zip .gz .tgz .bz2 .xz .tar .jar .war .whl .so .dll .exe "
    ".lock .crt .pem .key .csr .der .woff .woff2 .ttf .eot .mp3 .mp4 .sqlite .db .csv .tsv .log .gitignore".split()
)
NOT_KNOWN = "not a file of a kind wslint knows; skipped"
# the temporary file `--fix` writes beside a file before renaming it over it (wslint.fix.write): a kill can leave one
FIX_TEMPORARY = re.compile(r"\..+\.wslint-\w+\.tmp")
# Terraform templatefile(), Jinja/Ansible, Go and generic templates: never read as the config they render to
TEMPLATE_EXTENSIONS = frozenset({".tftpl", ".tpl", ".j2", ".jinja", ".jinja2", ".gotmpl", ".tmpl"})
__all__ = ["Discovery", "Target", "detect_kind", "discover"]


@dataclass
class Discovery:
    targets: list[Target] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # notes said only with --verbose: a file named on the command line (or stdin) of no kind wslint knows, as
    # pre-commit passes every changed .json and .yaml; it is still listed in skipped (the summary counts it)
    verbose_notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # contents read from stdin, by the real path they stand for (--stdin-filename)
    stdin: dict[str, bytes] = field(default_factory=dict)
    # the settings a target is linted with, by its real path, when not the run's (its nearest config's)
    settings_of: dict[str, Settings] = field(default_factory=dict)

    def groups(self, settings: Settings) -> list[tuple[Settings, list[Target]]]:
        """The targets by the settings they are linted with (``settings`` unless ``settings_of`` says), in the order
        of their first target; no targets: one empty group of ``settings``."""
        groups: dict[int, tuple[Settings, list[Target]]] = {}
        for target in self.targets:
            own = self.settings_of.get(target.real, settings)
            groups.setdefault(id(own), (own, []))[1].append(target)
        return list(groups.values()) or [(settings, [])]

    def split(self, settings: Settings) -> list[tuple[Settings, Discovery]]:
        """``groups`` as discoveries of their own (what was said stays with this one); all under ``settings``:
        this one."""
        groups = self.groups(settings)
        if len(groups) == 1 and groups[0][0] is settings:
            return [(settings, self)]
        return [(own, Discovery(targets=targets, stdin=self.stdin)) for own, targets in groups]

    def assign(self, owner: Callable[[str], Settings | None], settings: Settings) -> None:
        """Lint each target whose real path ``owner`` gives settings for under them (``settings``: the run's)."""
        for target in self.targets:
            own = owner(target.real)
            if own is settings:
                self.settings_of.pop(target.real, None)
            elif own is not None:
                self.settings_of[target.real] = own

    def extend(self, other: Discovery, settings: Settings) -> None:
        """Add another discovery's files (and what it said), linted with ``settings``."""
        seen = {t.real for t in self.targets}
        for target in other.targets:
            if target.real not in seen:
                self.targets.append(target)
                self.settings_of[target.real] = other.settings_of.get(target.real, settings)
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.verbose_notes.extend(other.verbose_notes)
        self.errors.extend(other.errors)
        self.stdin.update(other.stdin)


def detect_kind(name: str, head: str) -> str | None:
    """The kind of a file from its name and first bytes, or None (the source registry's recognisers, in order)."""
    return registry.recognise(name, head)


def template_reason(head: str, kind: str, by_name: bool) -> str | None:
    """Why a file is skipped as a template, or None: it is linted, its placeholders unknown values.

    Only a template control structure (``templating.control``) skips a file. A template by its name
    (``.j2``, ``.tftpl`` ...) of a kind whose placeholders wslint does not read (Terraform, saved CLI
    JSON) is skipped too, as is JSON with a placeholder outside its strings (not JSON until rendered).
    """
    if not registry.templates(kind).placeholders:
        return "template of a kind whose placeholders wslint does not read" if by_name else None
    reason = templating.control(head, kind)
    if reason is None and head.lstrip().startswith(("{", "[")) and _bare_placeholder(head):
        reason = "a placeholder outside a JSON string"
    return reason


def _bare_placeholder(text: str) -> bool:
    return bool(templating.mask(re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text))[1])


def _read_head(path: str, limit: int) -> str | None:
    """The first HEAD_BYTES of a file, or of its text after the comment lines it starts with.

    A licence, a generated banner or one huge comment line can fill the first HEAD_BYTES; the kind is
    in what follows. Past them only within ``limit`` (max-file-size): a file over it is WS001 anyway.
    """
    try:
        with textio.open_regular(path) as handle:
            data = handle.read(HEAD_BYTES)
            if len(data) < HEAD_BYTES or not _LEADING_COMMENTS.fullmatch(data):
                return _head_text(data)
            if os.fstat(handle.fileno()).st_size > limit:
                return _head_text(data)
            consumed = len(data) + len(handle.readline(limit))  # the rest of the comment line it ends in
            while consumed < limit:
                line = handle.readline(limit - consumed)
                if not line:
                    break
                consumed += len(line)
                if line.strip() and not line.lstrip().startswith(b"#"):
                    data = line + handle.read(HEAD_BYTES)
                    break
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _head_text(data: bytes) -> str:
    """The first bytes of a file as text, to tell its kind; UTF-16 too (its source then says it is WS001)."""
    return data.decode("utf-16" if data.startswith(textio.UTF16_BOMS) else "utf-8", errors="replace")


# nothing but comment lines and blank lines (the last one possibly cut short)
_LEADING_COMMENTS = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?(?:\r?\n|$))*")


def _excluded(rel: str, path: str, settings: Settings, named: bool = False) -> bool:
    """Whether ``exclude``/``extend-exclude`` leave out ``path``: a pattern matches one of the names of ``rel`` (the
    part of the path the walk or the command line gives), or ``path`` relative to the directory of the config that
    declares the patterns (as ruff; no config: the current directory), wherever the walk started. A ``named`` path
    (--force-exclude) is also left out when one of its directories is (a walk never enters those)."""
    parts = rel.replace(os.sep, "/").split("/")
    base = os.path.dirname(os.path.abspath(settings.config_file)) if settings.config_file else os.getcwd()
    anchored = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    steps = anchored.split("/")
    candidates = ["/".join(steps[:n]) for n in range(1, len(steps) + 1)] if named else [anchored]
    for pattern in settings.all_excludes:
        if any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            return True
    return False


def _forced_kind(display: str, settings: Settings) -> str | None:
    norm = display.replace(os.sep, "/")
    for pattern, kind in settings.kinds.items():
        if fnmatch.fnmatchcase(norm, pattern) or fnmatch.fnmatchcase(os.path.basename(norm), pattern):
            return kind
    return None


def discover(
    paths: list[str],
    settings: Settings,
    kind: str | None = None,
    stdin: tuple[str, bytes] | None = None,
    force_exclude: bool = False,
    settings_for: Callable[[str], Settings | None] | None = None,
) -> Discovery:
    """Expand the command-line paths into files with a kind; ``-`` is ``stdin`` (name, bytes).

    ``settings_for(directory)``: the settings of the files in a directory (its nearest config), which its walk
    excludes, ignores and classifies with and ``Discovery.settings_of`` records; None for a directory whose config
    is bad (its files are left out: the error is the caller's to say). Without it, ``settings`` everywhere.
    """
    found = Discovery()

    def local(directory: str) -> Settings | None:
        return settings if settings_for is None else settings_for(directory)

    seen: set[str] = set()
    # the linted tree: the directories named, and the directory of each file named
    trees = [
        os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths if p != "-"
    ]
    for raw in paths:
        if raw == "-" and stdin is not None:
            name, data = stdin
            real = os.path.abspath(name)
            own = local(os.path.dirname(real))
            if own is None:
                continue
            detected = (
                kind or _forced_kind(name, own) or detect_kind(os.path.basename(name), _head_text(data[:HEAD_BYTES]))
            )
            if detected is None:
                found.verbose_notes.append(f"{name} (stdin): {NOT_KNOWN}")
                found.skipped.append({"file": name, "reason": NOT_KNOWN})
            else:
                found.stdin[real] = data
                found.targets.append(Target(real, name, detected, named=True))
                if own is not settings:
                    found.settings_of[real] = own
            continue
        if not os.path.exists(raw):
            found.errors.append(f"{raw}: no such file or directory")
            continue
        odd = _not_regular(raw, follow=True)
        if odd:  # a device or a pipe named on the command line (or through a link): never read
            found.errors.append(f"{raw}: not a regular file ({odd})")
            continue
        named = local(raw if os.path.isdir(raw) else os.path.dirname(os.path.abspath(raw)))
        if named is None:
            continue
        if force_exclude and _excluded(os.path.normpath(raw), raw, named, named=True):
            continue  # a named path is excluded only when asked (pre-commit passes every changed file)
        if os.path.isdir(raw):
            before = (len(found.targets), len(found.skipped), len(found.errors))
            ignores = _ignores_above(raw) if settings.respect_gitignore or settings_for is not None else None
            inherited: dict[str, Ignores] = {}
            bad_config = False  # a directory left out for its config's error (said by the caller)
            for root, dirs, files in os.walk(raw, onerror=lambda exc: _unlisted(exc, found)):
                own = local(root)
                if own is None:
                    dirs[:] = []
                    bad_config = True
                    continue
                dirs[:] = sorted(d for d in dirs if not _excluded(d, os.path.join(root, d), own))
                here = None
                if ignores is not None:  # .gitignore and .ignore (wslint.gitignore), as git and ruff read them
                    here = inherited.pop(root, ignores).enter(root)
                    if own.respect_gitignore:
                        dirs[:] = [d for d in dirs if not here.ignored(os.path.join(root, d), is_dir=True)]
                    inherited.update((os.path.join(root, d), here) for d in dirs)
                    here = here if own.respect_gitignore else None
                for name in dirs:  # os.walk does not descend into a linked directory
                    _outside_link(os.path.join(root, name), trees, found)
                for name in sorted(files):
                    path = os.path.join(root, name)
                    if Path(name).suffix.lower() in SKIP_EXTENSIONS or _excluded(os.path.relpath(path, raw), path, own):
                        continue
                    if here is not None and here.ignored(path, is_dir=False):
                        continue
                    if FIX_TEMPORARY.fullmatch(name):
                        continue
                    if os.path.islink(path):  # the file it names is linted under its own name, if inside
                        _outside_link(path, trees, found)
                        continue
                    odd = _not_regular(path, follow=False)
                    if odd:  # a FIFO would block the open, a device never ends: skipped, never opened
                        found.notes.append(f"{os.path.normpath(path)}: {odd}, not a regular file; skipped")
                        found.skipped.append({"file": os.path.normpath(path), "reason": f"not a regular file ({odd})"})
                        continue
                    count = len(found.targets)
                    _classify(
                        path,
                        os.path.normpath(path),
                        named=False,
                        found=found,
                        seen=seen,
                        settings=own,
                        kind=kind,
                    )
                    _record(found, count, own, settings)
            if before == (len(found.targets), len(found.skipped), len(found.errors)) and not bad_config:
                found.notes.append(f"{raw}: no files of a kind wslint knows")
        else:
            count = len(found.targets)
            _classify(raw, raw, named=True, found=found, seen=seen, settings=named, kind=kind)
            _record(found, count, named, settings)
    return found


def _record(found: Discovery, count: int, own: Settings, settings: Settings) -> None:
    """The settings of the targets added since there were ``count``, when they are not the run's."""
    if own is not settings:
        found.settings_of.update((target.real, own) for target in found.targets[count:])


def _ignores_above(directory: str) -> Ignores:
    """The ignore rules a walk of ``directory`` starts with: those of the directories above it in its repository.

    A named directory is walked even when those rules ignore it (as a named file is linted): then they do not apply.
    """
    above = Ignores.above(directory)
    if above.ignored(os.path.abspath(directory), is_dir=True):
        return Ignores(in_repository=above.in_repository)
    return above


def _not_regular(path: str, follow: bool) -> str | None:
    """What ``path`` is when it is neither a regular file nor a directory (a FIFO, a device, a socket), else None."""
    try:
        mode = os.stat(path).st_mode if follow else os.lstat(path).st_mode
    except OSError:
        return None  # said by whoever reads it
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    return textio.kind_of(mode)


def _unlisted(exc: OSError, found: Discovery) -> None:
    """A directory the walk cannot list (permissions, a path beyond PATH_MAX): said, and listed as skipped."""
    where = os.path.normpath(exc.filename) if isinstance(exc.filename, str) else "?"
    reason = exc.strerror or str(exc)
    found.notes.append(f"{where}: cannot read directory: {reason}; skipped")
    found.skipped.append({"file": where, "reason": f"cannot read directory: {reason}"})


def _outside_link(path: str, trees: list[str], found: Discovery) -> None:
    """A symbolic link met in a directory walk that leads outside the linted tree: said, never followed."""
    if not os.path.islink(path):
        return
    real = os.path.realpath(path)
    if any(real == tree or real.startswith(tree.rstrip(os.sep) + os.sep) for tree in trees):
        return
    what = "directory" if os.path.isdir(real) else "file" if os.path.exists(real) else "missing target"
    found.notes.append(f"{path}: symbolic link to a {what} outside the linted tree ({real}); not followed")
    found.skipped.append({"file": path, "reason": "symbolic link outside the linted tree"})


def _classify(
    path: str,
    display: str,
    named: bool,
    found: Discovery,
    seen: set[str],
    settings: Settings,
    kind: str | None,
) -> None:
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    if not os.access(path, os.R_OK):
        found.errors.append(f"{display}: cannot read: permission denied")
        return
    forced = kind or _forced_kind(display, settings)
    head = _read_head(path, settings.max_file_size)
    if head is None:
        found.errors.append(f"{display}: cannot read")
        return
    template = False
    if forced is None:
        name, extension = os.path.splitext(os.path.basename(path))
        # a template file by its name (lb.yaml.tftpl, nginx.conf.j2): of the kind its inner name and content say
        template = extension.lower() in TEMPLATE_EXTENSIONS
        detected = detect_kind(name if template else name + extension, head)
        if detected is None and named and "\x00" in head:
            detected = registry.binary_kind(path)  # a .conf named on the command line: binary content is WS001
        if detected is None:
            if named:  # said, and counted as skipped: a run of such files never reads as "All clean"
                why = "empty file, nothing to lint" if not head.strip() else NOT_KNOWN
                found.verbose_notes.append(f"{display}: {why}")
                found.skipped.append({"file": display, "reason": why})
            return
    else:
        detected = forced
    reason = template_reason(head, detected, template)
    if reason is not None:
        found.skipped.append({"file": display, "reason": f"template: {reason}"})
        found.notes.append(f"{display}: template ({reason}); skipped")
        return
    placeholders = templating.placeholders(head, detected)
    if placeholders is not None:
        found.notes.append(f"{display}: {placeholders}")
    found.targets.append(Target(real, display, detected, named=named))
