"""Which files a directory walk leaves out because git would ignore them: .gitignore, .ignore, .git/info/exclude.

As ruff does (its walker follows git): inside a git repository, each directory's ``.gitignore``
applies to what is below it, and so do the ones of the directories above the walked one up to
the repository's root, with ``.git/info/exclude``; an ``.ignore`` file applies inside a
repository or not, and wins over a ``.gitignore`` of the same directory. A deeper file wins over
a shallower one, a later pattern over an earlier one, ``!pattern`` re-includes. Files named on
the command line are linted anyway (``discover``). The patterns are read with ``pathspec``,
imported only when a walk meets an ignore file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

# in one directory, the later name wins
_FILES = (".gitignore", ".ignore")


@dataclass(frozen=True, slots=True)
class _Rules:
    """The patterns of one ignore file, relative to its directory."""

    base: str  # absolute, ending in a separator
    spec: Any  # pathspec.GitIgnoreSpec


@dataclass(frozen=True, slots=True)
class Ignores:
    """The ignore rules in force in one directory of a walk: its own files' and those above it, deepest last."""

    rules: tuple[_Rules, ...] = ()
    in_repository: bool = False

    @classmethod
    def above(cls, directory: str) -> Ignores:
        """The rules a walk starting at ``directory`` inherits: the ignore files of the directories above it up to
        the repository's root (a ``.git`` directory or file), and ``.git/info/exclude``."""
        directory = os.path.abspath(directory)
        chain = [directory]
        while not os.path.exists(os.path.join(chain[-1], ".git")):
            parent = os.path.dirname(chain[-1])
            if parent == chain[-1]:
                return cls()  # not in a repository: .ignore files apply from the walked directory down
            chain.append(parent)
        root = chain[-1]
        found = cls(in_repository=True)
        exclude = os.path.join(root, ".git", "info", "exclude")
        if os.path.isfile(exclude):
            found = found._with(root, exclude)
        for parent in reversed(chain[1:]):
            found = found.enter(parent)
        return found

    def enter(self, directory: str) -> Ignores:
        """The rules in force below ``directory``: these, and its own ignore files."""
        found = self
        if not self.in_repository and os.path.exists(os.path.join(directory, ".git")):  # a repository within the walk
            found = Ignores(self.rules, in_repository=True)
        for name in _FILES:
            if name == ".gitignore" and not found.in_repository:
                continue
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                found = found._with(directory, path)
        return found

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (a file, or a directory when ``is_dir``) is ignored: the deepest matching pattern says."""
        path = os.path.abspath(path)
        for rules in reversed(self.rules):
            if not path.startswith(rules.base):
                continue
            relative = path[len(rules.base) :].replace(os.sep, "/")
            include = rules.spec.check_file(relative + "/" if is_dir else relative).include
            if include is not None:
                return bool(include)
        return False

    def _with(self, base: str, path: str) -> Ignores:
        spec = _read(path)
        if spec is None:
            return self
        return Ignores((*self.rules, _Rules(os.path.join(os.path.abspath(base), ""), spec)), self.in_repository)


def _read(path: str) -> Any:
    """An ignore file's patterns, or None when it cannot be read (a walk never stops on one)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(1024 * 1024).splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)
