"""No import cycles between wslint's modules.

The graph is read from the AST of every module of the ``wslint`` package, so an import that
only runs inside a function (a lazy import that keeps a run light) counts as much as one at
the top of the file: the dependency is there either way. What is an edge:

- ``import wslint.a.b`` and ``from wslint.a import b`` where ``wslint/a/b.py`` (or
  ``wslint/a/b/``) exists point at the module ``wslint.a.b``; ``from wslint.a import name``
  for any other name points at ``wslint.a`` (its ``__init__``); relative imports are
  resolved the same way.
- Importing ``wslint.a.b`` also runs ``wslint/a/__init__.py``, but that is no edge: a
  parent package is in ``sys.modules`` before its children run, so only a use of its names
  (``from wslint.checks import Model``, ``from wslint import BUG_HINT``) depends on it.
- A package's ``__init__`` that imports one of its own submodules *inside a function* (it
  loads its children on demand: ``checks.load_all``, the fixers, the report formats) is no
  edge: it runs after the package and the child are both initialised, and the children are
  meant to import the package's names (``check``, ``Model``). The same import at the top of
  ``__init__`` is an edge, so a child importing its package's names while the package
  imports the child at top level is a cycle, as it is at run time.
- Imports under ``if TYPE_CHECKING:`` never run and are no edge (a type-only reference is
  how a cycle is avoided). A module imported by a computed name (``importlib.import_module``
  with an f-string) is not seen.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "wslint"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    deferred: bool  # inside a function: runs when called, not when the module is imported

    def __str__(self) -> str:
        where = "in a function" if self.deferred else "at import"
        return f"{self.source} -> {self.target} ({self.source.replace('.', '/')}.py:{self.line}, {where})"


def _modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, packages by their ``__init__.py``."""
    found: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py" or any(m.startswith(name + ".") for m in modules)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it is inside a function; none under ``if TYPE_CHECKING``."""
    out: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def walk(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    walk(other, deferred)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                out.append((child, deferred))
            walk(child, deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(tree, False)
    return out


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is a wslint module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph(package: Path = PACKAGE) -> list[Edge]:
    modules = _modules(package)
    edges: list[Edge] = []
    for name, path in modules.items():
        here = name if _is_package(name, modules) else name.rpartition(".")[0]
        for node, deferred in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [t for a in node.names if (t := _known(a.name, modules))]
            else:
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    target = full if full in modules else _known(base, modules)
                    if target:
                        targets.append(target)
            for target in targets:
                if target == name:
                    continue
                if deferred and target.startswith(name + ".") and path.name == "__init__.py":
                    continue  # a package loading its own children on demand (see the docstring)
                edges.append(Edge(name, target, node.lineno, deferred))
    return edges


def _components(nodes: list[str], out: dict[str, list[Edge]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = sorted({e.target for e in out.get(node, [])})
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _shortest_cycle(start: str, members: set[str], out: dict[str, list[Edge]]) -> list[Edge]:
    """The shortest chain of imports from ``start`` back to itself, inside one component."""
    previous: dict[str, Edge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for edge in sorted(out.get(node, []), key=lambda e: (e.target, e.line)):
            if edge.target not in members or edge.target in previous:
                continue
            previous[edge.target] = edge
            if edge.target == start:
                chain = [edge]
                while chain[0].source != start:
                    chain.insert(0, previous[chain[0].source])
                return chain
            queue.append(edge.target)
    return []


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """For each group of modules that import each other, the shortest cycle through each of them (no repeats)."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    nodes = sorted({e.source for e in edges} | {e.target for e in edges})
    found: list[list[Edge]] = []
    seen: set[frozenset[tuple[str, str]]] = set()
    for component in _components(nodes, out):
        for start in component:
            chain = _shortest_cycle(start, set(component), out)
            key = frozenset((e.source, e.target) for e in chain)
            if chain and key not in seen:
                seen.add(key)
                found.append(chain)
    return found


def describe(chain: list[Edge]) -> str:
    return " -> ".join([chain[0].source] + [e.target for e in chain]) + "\n" + "\n".join(f"    {e}" for e in chain)


def test_no_import_cycles_between_wslint_modules() -> None:
    found = cycles(import_graph())
    assert not found, f"{len(found)} import cycle(s) between wslint modules:\n" + "\n".join(map(describe, found))


def test_the_graph_sees_deferred_relative_and_from_imports(tmp_path: Path) -> None:
    """The reader itself: a cycle through a function-level import, a relative import and a package's names."""
    package = tmp_path / "wslint"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("NAME = 1\n")
    (package / "a.py").write_text("def f():\n    from wslint import b\n")
    (package / "b.py").write_text("from . import c\n")
    (package / "c.py").write_text("import wslint.a\n")
    (package / "sub" / "__init__.py").write_text("from wslint.sub import child\n")
    (package / "sub" / "child.py").write_text("from wslint.sub import NAME\n")
    (package / "lazy.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import wslint.d\n")
    (package / "d.py").write_text("import wslint.lazy\n")
    (package / "plugins").mkdir()
    (package / "plugins" / "__init__.py").write_text("def load():\n    from wslint.plugins import one\n")
    (package / "plugins" / "one.py").write_text("from wslint.plugins import load\n")
    chains = sorted(" -> ".join([c[0].source] + [e.target for e in c]) for c in cycles(import_graph(package)))
    assert chains == ["wslint.a -> wslint.b -> wslint.c -> wslint.a", "wslint.sub -> wslint.sub.child -> wslint.sub"]


def test_python_hcl2_is_imported_by_one_module() -> None:
    """hcl2 (and its lark) are read in terraform_hcl only: one place to change when the hcl2 name clashes (issue 20)."""
    importers = set()
    for name, path in _modules(PACKAGE).items():
        for node, _ in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n.split(".")[0] in ("hcl2", "lark") for n in names):
                importers.add(name)
    assert importers == {"wslint.sources.terraform_hcl"}
