"""Reading nginx files and resolving ``include``: relative, absolute (re-rooted), globs, dumps.

Rules (the contract in UX.md/RULES.md):
- a relative include resolves against the including file's directory, then against the
  nginx prefix (default: the root file's directory, as nginx resolves against its conf dir);
- an absolute include is re-rooted under the prefix: its path suffixes are tried there,
  longest first, so ``/etc/nginx/conf.d/*.conf`` finds ``<prefix>/conf.d/*.conf``;
- nothing outside the linted tree is read, and the host's /etc/nginx never is;
- a cycle is an error at the include that closes it;
- an include that matches nothing but names a stock file (``proxy_params``, certbot's
  ``options-ssl-nginx.conf``, ``mime.types``: wslint.sources.nginx_stock) is read as its published
  contents, its directives placed at the include's line;
- an ``nginx -T`` dump is split into the files it names and includes resolve among them.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import glob
import os
import re
from dataclasses import dataclass, field

from wslint.model import Location, Problem, StockInclude
from wslint.sources import nginx_stock
from wslint.sources import text as textio
from wslint.sources.nginx_syntax import MAX_DEPTH, Directive, NginxSyntaxError, parse, root_context

# Debian's /etc/nginx/modules-enabled/*.conf hold load_module lines only
INERT_DIRECTORIES = ("modules-enabled/",)
MAX_GLOB_MATCHES = 1000
_STOCK_PARSED: dict[str, list[Directive]] = {}  # a stock file's directives, parsed once (copies are placed)
_DUMP_HEADER = re.compile(r"^# configuration file (.+):$", re.M)


@dataclass
class Tree:
    """A root file with its includes expanded in place."""

    file: str  # display path of the root
    directives: list[Directive]
    files: list[str] = field(default_factory=list)  # real paths read
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # the root itself could not be parsed
    context: str = "fragment"  # main, http, stream, server or fragment: read off the root's own top level
    # display path of each included file -> how many times an include brought it in
    includes: dict[str, int] = field(default_factory=dict)
    # includes read as a stock file's published contents
    stock: list[StockInclude] = field(default_factory=list)


def is_dump(text: str) -> bool:
    return text.startswith("nginx: the configuration file") or bool(_DUMP_HEADER.search(text[:4096]))


class Loader:
    """Parses each file once and expands includes per root."""

    def __init__(
        self, tree_roots: list[str], prefix: str | None, max_file_size: int, stdin: dict[str, bytes] | None = None
    ) -> None:
        self.tree_roots = [os.path.realpath(r) for r in tree_roots]
        self.stdin = stdin or {}
        self.prefix = prefix
        self.max_file_size = max_file_size
        self._parsed: dict[str, list[Directive] | NginxSyntaxError | OSError] = {}
        # display name of each real path, as first seen
        self.display: dict[str, str] = {}
        # real paths included by some other file
        self.included: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def inside(self, real: str) -> bool:
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.tree_roots)

    def _read_text(self, real: str) -> str:
        try:
            return textio.read_text(real, self.max_file_size, self.stdin, reader="nginx")
        except textio.DecodeError as exc:
            raise NginxSyntaxError(exc.message, exc.line) from None

    def parse_file(
        self, real: str, display: str, text: str | None = None
    ) -> list[Directive] | NginxSyntaxError | OSError:
        cached = self._parsed.get(real)
        if cached is not None:
            return cached
        self.display.setdefault(real, display)
        result: list[Directive] | NginxSyntaxError | OSError
        try:
            result = parse(text if text is not None else self._read_text(real), self.display[real])
        except (NginxSyntaxError, OSError) as exc:
            result = exc
        self._parsed[real] = result
        return result

    # -- one root --------------------------------------------------------------------------
    def load(self, real: str, display: str) -> Tree:
        """Parse a root file and expand its includes. Raises OSError if it cannot be read."""
        tree = Tree(display, [], files=[real])
        try:
            text = self._read_text(real)
        except NginxSyntaxError as exc:
            tree.failed = True
            tree.problems.append(_syntax_problem(display, exc))
            return tree
        if is_dump(text):
            return self._load_dump(display, text, tree)
        parsed = self.parse_file(real, display, text)
        if isinstance(parsed, OSError):
            raise parsed
        if isinstance(parsed, NginxSyntaxError):
            tree.failed = True
            tree.problems.append(_syntax_problem(display, parsed))
            return tree
        # directories keep the form the user gave (a symlinked tree stays under its link);
        # real paths serve only to recognise files (cache, cycles, the linted tree)
        conf_dir = os.path.dirname(os.path.abspath(display)) if os.path.exists(display) else os.path.dirname(real)
        tree.context = root_context(parsed)
        resolver = _FileResolver(self, self.prefix or conf_dir, conf_dir, main=tree.context == "main")
        tree.directives = _Expander(resolver, tree).expand(parsed, conf_dir, [real], 0)
        return tree

    def _load_dump(self, display: str, text: str, tree: Tree) -> Tree:
        sections: dict[str, list[Directive]] = {}
        first: str | None = None
        for match, end in _dump_sections(text):
            path = match.group(1)
            offset = text.count("\n", 0, match.end()) + 1
            body = "\n" * offset + text[match.end() + 1 : end]
            first = first or path
            try:
                directives = parse(body, display)
            except NginxSyntaxError as exc:
                tree.problems.append(_syntax_problem(display, exc, origin=f"{path}:{exc.line - offset}"))
                continue
            _set_origin(directives, path, offset)
            sections[path] = directives
        if first is None:
            return tree
        tree.context = root_context(sections[first])
        resolver = _DumpResolver(sections, os.path.dirname(first))
        tree.directives = _Expander(resolver, tree).expand(sections[first], os.path.dirname(first), [first], 0)
        return tree


def _placed(directives: list[Directive], at: Directive) -> list[Directive]:
    """Copies of ``directives`` that point at the directive ``at`` (a stock file's, at its include)."""
    return [
        dataclasses.replace(
            d,
            file=at.file,
            line=at.line,
            column=at.column,
            end_column=at.end_column,
            origin=at.origin,
            term_line=at.term_line,
            block=None if d.block is None else _placed(d.block, at),
        )
        for d in directives
    ]


def _dump_sections(text: str) -> list[tuple[re.Match[str], int]]:
    matches = list(_DUMP_HEADER.finditer(text))
    return [(m, matches[i + 1].start() if i + 1 < len(matches) else len(text)) for i, m in enumerate(matches)]


def _set_origin(directives: list[Directive], path: str, offset: int) -> None:
    """Mark each directive of a dump section with its original ``path:line``."""
    for d in directives:
        d.origin = f"{path}:{d.line - offset}"
        if d.block:
            _set_origin(d.block, path, offset)


def _syntax_problem(display: str, exc: NginxSyntaxError, origin: str | None = None) -> Problem:
    return Problem(
        kind="parse-error",
        location=Location(file=display, line=exc.line, column=exc.column or 1, origin=origin),
        message=exc.message,
    )


def _location(d: Directive) -> Location:
    return Location(
        file=d.file,
        line=d.line,
        column=d.column,
        end_line=d.line,
        end_column=d.end_column,
        origin=d.origin,
    )


@dataclass
class _Resolved:
    targets: list[tuple[str, str, str]]  # (key, display, directory its own includes start from)
    outside: bool = False
    missing: str | None = None  # why nothing (or not everything) could be read


class _FileResolver:
    """Where an include points, as nginx would see it from this root.

    A main config resolves relative includes against its own directory (nginx's conf
    prefix) and nowhere else. A snippet's conf prefix is unknown: the including file's
    directory is tried, then the root's directory and its parents up to the linted tree.
    A ``nginx-prefix`` given in settings plays nginx's configuration directory: it is tried last.
    """

    def __init__(self, loader: Loader, prefix: str, conf_dir: str, main: bool) -> None:
        self.loader = loader
        self.prefix = prefix
        self.bases = [conf_dir]
        if not main:
            parent = conf_dir
            while self.loader.inside(os.path.realpath(os.path.dirname(parent))) and os.path.dirname(parent) != parent:
                parent = os.path.dirname(parent)
                self.bases.append(parent)
        if loader.prefix and loader.prefix not in self.bases:
            self.bases.append(loader.prefix)
        self.main = main

    def resolve(self, pattern: str, base: str) -> _Resolved:
        is_glob = glob.has_magic(pattern)
        if os.path.isabs(pattern):
            candidates = _reroot(pattern, self.prefix, is_glob)
        else:
            bases = self.bases if self.main else [base, *self.bases]
            candidates = list(dict.fromkeys(os.path.normpath(os.path.join(b, pattern)) for b in bases))
        outside = os.path.isabs(pattern)
        for candidate in candidates:
            paths = sorted(glob.glob(candidate)) if is_glob else ([candidate] if os.path.exists(candidate) else [])
            paths = [p for p in paths if os.path.isfile(p)]
            if not paths:
                continue
            inside = [p for p in paths if self.loader.inside(os.path.realpath(p))]
            if len(inside) < len(paths):
                return _Resolved([], outside=True, missing="it points outside the linted tree")
            if len(inside) > MAX_GLOB_MATCHES:
                return _Resolved([], missing=f"it matches more than {MAX_GLOB_MATCHES} files")
            return _Resolved([(os.path.realpath(p), self._display(p), os.path.dirname(p)) for p in inside])
        if is_glob and not os.path.isabs(pattern):
            # nginx accepts a glob that matches nothing: nothing is included
            return _Resolved([])
        if not os.path.isabs(pattern):
            real = os.path.realpath(candidates[0])
            outside = not self.loader.inside(real)
        return _Resolved([], outside=outside, missing="no such file in the linted tree")

    def _display(self, path: str) -> str:
        return textio.display_path(path, self.loader.display)

    def directives(self, key: str, display: str) -> list[Directive] | NginxSyntaxError | OSError:
        self.loader.included.add(key)
        return self.loader.parse_file(key, display)


def _reroot(pattern: str, prefix: str, is_glob: bool) -> list[str]:
    parts = [p for p in pattern.split("/") if p]
    smallest = 2 if is_glob else 1
    return [os.path.join(prefix, *parts[i:]) for i in range(len(parts) - smallest + 1)]


class _DumpResolver:
    def __init__(self, sections: dict[str, list[Directive]], prefix: str) -> None:
        self.sections = sections
        self.prefix = prefix

    def resolve(self, pattern: str, base: str) -> _Resolved:
        full = pattern if os.path.isabs(pattern) else os.path.join(self.prefix, pattern)
        if glob.has_magic(full):
            keys = sorted(k for k in self.sections if fnmatch.fnmatchcase(k, full))
            return _Resolved([(k, k, os.path.dirname(k)) for k in keys])
        if full in self.sections:
            return _Resolved([(full, full, os.path.dirname(full))])
        return _Resolved([], outside=True, missing="the dump does not contain it")

    def directives(self, key: str, display: str) -> list[Directive] | NginxSyntaxError | OSError:
        return self.sections[key]


class _Expander:
    def __init__(self, resolver: _FileResolver | _DumpResolver, tree: Tree) -> None:
        self.resolver = resolver
        self.tree = tree

    def expand(self, directives: list[Directive], base: str, stack: list[str], depth: int) -> list[Directive]:
        if depth > MAX_DEPTH:
            d = directives[0] if directives else None
            self.tree.problems.append(
                Problem(
                    kind="parse-error",
                    location=_location(d) if d else Location(file=self.tree.file, line=1, column=1),
                    message=f"nesting deeper than {MAX_DEPTH} blocks and includes",
                )
            )
            return []
        out: list[Directive] = []
        changed = False  # a block without includes is the parsed one itself, not a copy
        for d in directives:
            if d.name == "include" and d.block is None and len(d.args) == 1:
                out.extend(self._include(d, base, stack, depth))
                changed = True
            elif d.block is not None:
                block = self.expand(d.block, base, stack, depth + 1)
                if block is d.block and d.unresolved is None:
                    out.append(d)
                else:
                    out.append(dataclasses.replace(d, block=block, unresolved=None))
                    changed = True
            else:
                out.append(d)
        return out if changed else directives

    def _include(self, d: Directive, base: str, stack: list[str], depth: int) -> list[Directive]:
        pattern = d.args[0]
        if "$" in pattern:
            return [self._unresolved(d, "it contains a variable", outside=False, report=False)]
        resolved = self.resolver.resolve(pattern, base)
        out: list[Directive] = []
        if resolved.missing is not None:
            stock = nginx_stock.find(pattern)
            if stock is not None:
                return self._stock(d, stock, base, stack, depth)
            if not any(d in pattern for d in INERT_DIRECTORIES):  # load_module lines only: nothing to say
                out.append(self._unresolved(d, resolved.missing, resolved.outside, report=True))
            return out
        for key, display, directory in resolved.targets:
            if key in stack:
                chain = " -> ".join(os.path.basename(s) for s in [*stack, key])
                self.tree.problems.append(
                    Problem(kind="parse-error", location=_location(d), message=f"include cycle: {chain}")
                )
                out.append(self._unresolved(d, "include cycle", outside=False, report=False))
                continue
            parsed = self.resolver.directives(key, display)
            if key not in self.tree.files:
                self.tree.files.append(key)
            self.tree.includes[display] = self.tree.includes.get(display, 0) + 1
            if isinstance(parsed, NginxSyntaxError):
                problem = _syntax_problem(display, parsed)
                if problem not in self.tree.problems:
                    self.tree.problems.append(problem)
                out.append(self._unresolved(d, f"{display} could not be parsed", outside=False, report=False))
                continue
            if isinstance(parsed, OSError):
                out.append(self._unresolved(d, f"{display} could not be read", outside=False, report=True))
                continue
            out.extend(self.expand(parsed, directory, [*stack, key], depth + 1))
        return out

    def _stock(
        self, d: Directive, stock: nginx_stock.Stock, base: str, stack: list[str], depth: int
    ) -> list[Directive]:
        """A stock file's published directives, each placed at the include that brings it in."""
        self.tree.stock.append(
            StockInclude(include=d.args[0], location=_location(d), name=stock.name, source=stock.source)
        )
        parsed = _STOCK_PARSED.get(stock.name)
        if parsed is None:
            parsed = _STOCK_PARSED[stock.name] = parse(stock.text, stock.name)
        key = f"(stock) {stock.name}"
        if key in stack:  # a stock file never includes itself; a tree file of that name could
            return [self._unresolved(d, "include cycle", outside=False, report=False)]
        return self.expand(_placed(parsed, d), base, [*stack, key], depth + 1)

    def _unresolved(self, d: Directive, why: str, outside: bool, report: bool) -> Directive:
        if report:
            self._report_missing(d, why, outside)
        marker = dataclasses.replace(d, block=None, unresolved=why)
        return marker

    def _report_missing(self, d: Directive, why: str, outside: bool) -> None:
        self.tree.problems.append(
            Problem(
                kind="include-not-found",
                location=_location(d),
                message=f'include "{d.args[0]}" was not read: {why}',
                outside=outside,
                target=d.args[0],
            )
        )
