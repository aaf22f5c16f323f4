"""Reading Apache files: ``Include``/``IncludeOptional`` (globs, re-rooted), ``Define``/``${VAR}``, conditions.

Rules (httpd 2.4 core docs "Include", "Define", "IfModule", "IfDefine"; what wslint chose where they depend on the
machine):
- the ServerRoot, which relative includes resolve against, is the root config's directory (Debian's
  /etc/apache2/apache2.conf runs with ``ServerRoot /etc/apache2``); for a file that is not a main config
  (a vhost in ``sites-enabled/``) the including file's directory and its parents up to the linted tree are tried;
- an absolute include is re-rooted like an nginx include: its path suffixes are tried under the ServerRoot,
  longest first (``/etc/apache2/sites-enabled/*.conf`` finds ``<root>/sites-enabled/*.conf``); nothing outside
  the linted tree is read;
- ``Include`` of a file that does not exist stops Apache (a startup error): include-not-found (WS002);
  ``IncludeOptional`` of one is silently nothing; a glob matching nothing is nothing for both;
- ``Define NAME [value]`` gives ``${NAME}`` its value from there on, in file order; a variable no visible
  ``Define`` gives (Debian's envvars ``${APACHE_LOG_DIR}``, ``-D`` on the command line) is unknown;
- ``<IfModule [!]m>``: a module the visible config loaded before it decides; otherwise its contents are read as
  applying (a module wslint does not see loaded may be built in or loaded by a file it cannot see);
  ``<IfDefine [!]NAME>``: decided by a visible ``Define``, otherwise both ways are possible and what is inside is
  ``conditional``; ``<If>``/``<ElseIf>``/``<Else>`` (per request), ``<IfVersion>``, ``<IfFile>``: conditional.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field, replace

from wslint.model import Location, Problem
from wslint.sources import text as textio
from wslint.sources.apache_syntax import ApacheSyntaxError, Config, Directive, Word, parse

MAX_GLOB_MATCHES = 1000
MAX_DEPTH = 64
# files an include may bring in per root, counting repeats: globs that include each other grow exponentially
MAX_INCLUDED = 2000
_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")
# sections whose condition depends on the request or the machine: what is inside may or may not apply
UNDECIDED_SECTIONS = frozenset({"if", "elseif", "else", "ifversion", "iffile", "ifdirective", "ifsection"})


def module_key(name: str) -> str:
    """``mod_proxy_wstunnel.c`` and ``proxy_wstunnel_module`` -> ``proxy_wstunnel_module``."""
    name = name.strip().lower()
    if name.endswith(".c"):
        name = name[:-2].removeprefix("mod_") + "_module"
    return name


@dataclass
class Tree:
    """A root config with its includes expanded in place, variables substituted, undecided sections marked."""

    file: str
    directives: list[Directive]
    files: list[str] = field(default_factory=list)  # real paths read
    problems: list[Problem] = field(default_factory=list)
    # module -> its LoadModule; None: no LoadModule is visible
    modules: dict[str, Location] | None = None
    defines: dict[str, str | None] = field(default_factory=dict)  # None: defined, value unknown
    includes: dict[str, int] = field(default_factory=dict)
    # does the root (or what it includes) look like a whole server config (LoadModule, Listen, ServerRoot)?
    main: bool = False


def location(d: Directive, word: Word | None = None) -> Location:
    if word is not None:
        return Location(file=d.file, line=word.line, column=word.column, end_line=word.line, end_column=word.end_column)
    return Location(file=d.file, line=d.line, column=d.column, end_line=d.end_line, end_column=d.end_column)


def syntax_problem(file: str, error: ApacheSyntaxError) -> Problem:
    return Problem(
        kind="parse-error", location=Location(file=file, line=error.line, column=error.column), message=error.message
    )


class Loader:
    """Parses each file once; expands one root at a time."""

    def __init__(self, tree_roots: list[str], max_file_size: int, stdin: dict[str, bytes] | None = None) -> None:
        self.tree_roots = [os.path.realpath(r) for r in tree_roots]
        self.max_file_size = max_file_size
        self.stdin = stdin or {}
        self._parsed: dict[str, Config | OSError] = {}
        self.display: dict[str, str] = {}

    def inside(self, real: str) -> bool:
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.tree_roots)

    def parse_file(self, real: str, display: str) -> Config | OSError:
        cached = self._parsed.get(real)
        if cached is not None:
            return cached
        self.display.setdefault(real, display)
        result: Config | OSError
        try:
            result = parse(textio.read_text(real, self.max_file_size, self.stdin, reader="Apache"), self.display[real])
        except textio.DecodeError as exc:
            result = Config(self.display[real], errors=[ApacheSyntaxError(exc.message, exc.line)])
        except OSError as exc:
            result = exc
        self._parsed[real] = result
        return result

    def load(self, real: str, display: str) -> Tree:
        """Parse a root file and expand it. Raises OSError when it cannot be read."""
        parsed = self.parse_file(real, display)
        if isinstance(parsed, OSError):
            raise parsed
        tree = Tree(display, [], files=[real])
        tree.problems.extend(syntax_problem(display, e) for e in parsed.errors)
        conf_dir = os.path.dirname(os.path.abspath(display)) if os.path.exists(display) else os.path.dirname(real)
        tree.main = any(d.lower in ("loadmodule", "serverroot", "listen") for d in parsed.directives)
        bases = [conf_dir]
        if not tree.main:
            parent = conf_dir
            while self.inside(os.path.realpath(os.path.dirname(parent))) and os.path.dirname(parent) != parent:
                parent = os.path.dirname(parent)
                bases.append(parent)
        expander = _Expander(self, tree, conf_dir, bases)
        tree.directives = expander.expand(parsed.directives, [real], 0, False)
        return tree


class _Expander:
    def __init__(self, loader: Loader, tree: Tree, root: str, bases: list[str]) -> None:
        self.loader = loader
        self.tree = tree
        self.root = root
        self.bases = bases
        self.included = 0

    def expand(self, directives: list[Directive], stack: list[str], depth: int, conditional: bool) -> list[Directive]:
        out: list[Directive] = []
        if depth > MAX_DEPTH:
            if directives:
                self.tree.problems.append(
                    Problem(
                        kind="parse-error",
                        location=location(directives[0]),
                        message=f"nesting deeper than {MAX_DEPTH} sections and includes",
                    )
                )
            return out
        for d in directives:
            d = self._substitute(d)
            if conditional:
                d = replace(d, conditional=True)
            lower = d.lower
            if d.block is not None:
                taken = self._condition(d)
                if taken is False:
                    continue
                inner = conditional or taken is None
                out.append(replace(d, block=self.expand(d.block, stack, depth + 1, inner)))
                continue
            if lower in ("include", "includeoptional") and d.args:
                out.extend(self._include(d, stack, depth, conditional))
                continue
            if lower == "define" and d.args:
                name = d.args[0].text
                value = d.args[1].text if len(d.args) > 1 else ""
                unknown = conditional or d.unknown()
                self.tree.defines[name] = None if unknown else value
            elif lower == "undefine" and d.args and not conditional:
                self.tree.defines.pop(d.args[0].text, None)
            elif lower == "loadmodule" and d.args:
                modules = self.tree.modules if self.tree.modules is not None else {}
                modules.setdefault(module_key(d.args[0].text), location(d))
                self.tree.modules = modules
            out.append(d)
        return out

    def _substitute(self, d: Directive) -> Directive:
        if not any("${" in w.text for w in d.args):
            return d
        args = []
        for word in d.args:
            if "${" not in word.text:
                args.append(word)
                continue
            unknown = word.unknown

            def value(match: re.Match[str]) -> str:
                nonlocal unknown
                known = self.tree.defines.get(match.group(1))
                if known is None:
                    unknown = True
                    return match.group(0)
                return known

            args.append(replace(word, text=_VARIABLE.sub(value, word.text), unknown=unknown))
        return replace(d, args=args)

    def _condition(self, d: Directive) -> bool | None:
        """Whether a section's contents apply: True, False, or None (may or may not)."""
        lower = d.lower
        if lower in UNDECIDED_SECTIONS:
            return None
        if lower not in ("ifmodule", "ifdefine") or not d.args:
            return True
        word = d.args[0]
        if word.unknown:
            return None
        name = word.text
        negated = name.startswith("!")
        name = name[1:] if negated else name
        if lower == "ifmodule":
            loaded = self.tree.modules is not None and module_key(name) in self.tree.modules
            if loaded:
                return not negated
            return True if not negated else None
        if name in self.tree.defines:
            return not negated
        return None

    def _include(self, d: Directive, stack: list[str], depth: int, conditional: bool) -> list[Directive]:
        optional = d.lower == "includeoptional"
        pattern = d.args[0].text
        if d.args[0].unknown:
            self._note(d, f"{d.name} {pattern} was not read: it holds a variable no visible Define gives")
            return []
        is_glob = glob.has_magic(pattern)
        if os.path.isabs(pattern):
            parts = [p for p in pattern.split("/") if p]
            smallest = 2 if is_glob else 1
            candidates = [os.path.join(self.root, *parts[i:]) for i in range(len(parts) - smallest + 1)]
        else:
            candidates = list(dict.fromkeys(os.path.normpath(os.path.join(b, pattern)) for b in self.bases))
        found: list[str] = []
        for candidate in candidates:
            if is_glob:
                paths = sorted(glob.glob(candidate))
                # a glob's directory part must exist: then it is the one Apache reads, even if it matches nothing
                matched = bool(paths) or os.path.isdir(os.path.dirname(candidate))
            else:
                paths = [candidate] if os.path.exists(candidate) else []
                if paths and os.path.isdir(candidate):  # Include of a directory: every file in it, in order
                    paths = sorted(os.path.join(candidate, n) for n in os.listdir(candidate))
                matched = bool(paths)
            if matched:
                found = [p for p in paths if os.path.isfile(p)]
                break
        else:
            if not optional and not is_glob:
                self.tree.problems.append(
                    Problem(
                        kind="include-not-found",
                        location=location(d),
                        message=f'Include "{pattern}" was not read: no such file in the linted tree '
                        "(Apache refuses to start when an Include names no file; IncludeOptional does not)",
                        outside=os.path.isabs(pattern),
                        target=pattern,
                    )
                )
            return []
        inside = [p for p in found if self.loader.inside(os.path.realpath(p))]
        if len(inside) < len(found):
            self._note(d, f"{d.name} {pattern}: files outside the linted tree were not read")
        if len(inside) > MAX_GLOB_MATCHES:
            self._note(d, f"{d.name} {pattern} was not read: it matches more than {MAX_GLOB_MATCHES} files")
            return []
        out: list[Directive] = []
        for path in inside:
            self.included += 1
            if self.included > MAX_INCLUDED:
                if self.included == MAX_INCLUDED + 1:
                    self.tree.problems.append(
                        Problem(
                            kind="parse-error",
                            location=location(d),
                            message=f"includes bring in more than {MAX_INCLUDED} files (globs that include each "
                            "other?); the rest was not read",
                        )
                    )
                return out
            real = os.path.realpath(path)
            if real in stack:
                chain = " -> ".join(os.path.basename(s) for s in [*stack, real])
                self.tree.problems.append(
                    Problem(kind="parse-error", location=location(d), message=f"include cycle: {chain}")
                )
                continue
            display = self._display(path)
            parsed = self.loader.parse_file(real, display)
            if real not in self.tree.files:
                self.tree.files.append(real)
            self.tree.includes[display] = self.tree.includes.get(display, 0) + 1
            if isinstance(parsed, OSError):
                self._note(d, f"{d.name} {display} could not be read: {parsed.strerror or parsed}")
                continue
            for error in parsed.errors:
                problem = syntax_problem(display, error)
                if problem not in self.tree.problems:
                    self.tree.problems.append(problem)
            out.extend(self.expand(parsed.directives, [*stack, real], depth + 1, conditional))
        return out

    def _display(self, path: str) -> str:
        return textio.display_path(path, self.loader.display)

    def _note(self, d: Directive, message: str) -> None:
        self.tree.problems.append(Problem(kind="note", location=location(d), message=message))
