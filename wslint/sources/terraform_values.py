"""One Terraform module (a directory): its resources, and what its variables and locals stand for.

Values (RULES.md "Values"): a literal; ``var.x`` is the variable's ``default`` in the same
directory, located where it is used with the default in ``related``; ``local.x`` is its
expression, followed the same way; anything else is unknown and never fires a rule. A
variable that an auto-loaded ``.tfvars`` sets, or whose default is ``null``, is unknown too.
``override.tf`` files merge into what they override; a name defined twice is read per file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from wslint.model import Location
from wslint.sources.aws_spec import Value
from wslint.sources.terraform_blocks import Attr, Block, Expr, Scalar, TfFile

_MAX_DEPTH = 32

T = TypeVar("T")


def pick(candidates: list[T], file: str, file_of: Callable[[T], str]) -> T | None:
    """The one candidate, or among duplicates (invalid Terraform) the one written in ``file``; else None."""
    if len(candidates) == 1:
        return candidates[0]
    same = [c for c in candidates if file_of(c) == file]
    return same[0] if len(same) == 1 else None


@dataclass
class _Resolved:
    expr: Expr
    related: Location | None


@dataclass
class Resource:
    type: str
    name: str
    block: Block
    file: TfFile

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.name, self.file.display)


@dataclass
class _Variable:
    file: str
    default: Attr | None


class Module:
    """The files of one directory and what their variables and locals stand for.

    Terraform refuses a directory that defines a resource, variable or local twice; wslint
    keeps each and, where a name is defined twice, takes the definition in the same file
    as the reference (a folder of unrelated examples stays readable), else unknown.
    """

    def __init__(self, files: list[TfFile], tfvars: set[str]) -> None:
        self.files = files
        self.tfvars = tfvars
        self.complete = all(f.error is None for f in files)
        self.variables: dict[str, list[_Variable]] = {}
        self.locals: dict[str, list[Attr]] = {}
        self.resources: list[Resource] = []
        self.modules: list[tuple[Block, TfFile]] = []
        overrides: list[Block] = []
        for tf in sorted(files, key=lambda f: f.override):  # override files apply last
            for block in tf.blocks:
                if block.type == "variable" and block.labels:
                    name = block.labels[0]
                    default = block.attrs.get("default")
                    if tf.override:
                        for variable in self.variables.get(name, []):
                            variable.default = default or variable.default
                    else:
                        self.variables.setdefault(name, []).append(_Variable(tf.display, default))
                elif block.type == "locals":
                    for name, attr in block.attrs.items():
                        if tf.override and name in self.locals:
                            self.locals[name] = [attr]
                        else:
                            self.locals.setdefault(name, []).append(attr)
                elif block.type == "resource" and len(block.labels) == 2:
                    if tf.override:
                        overrides.append(block)
                    else:
                        self.resources.append(Resource(block.labels[0], block.labels[1], block, tf))
                elif block.type == "module" and block.labels and not tf.override:
                    self.modules.append((block, tf))
        for block in overrides:  # an override of a resource the module does not have is nothing of its own
            for resource in self.resources:
                if [resource.type, resource.name] != block.labels:
                    continue
                base = resource.block
                merged = Block(base.type, base.labels, base.loc, {**base.attrs, **block.attrs}, list(base.blocks))
                for kind in {b.type for b in block.blocks}:
                    merged.blocks = [b for b in merged.blocks if b.type != kind] + block.children(kind)
                resource.block = merged

    def find(self, rtype: str, name: str, file: str) -> Resource | None:
        candidates = [r for r in self.resources if r.type == rtype and r.name == name]
        return pick(candidates, file, lambda r: r.file.display) if candidates else None

    # -- values ------------------------------------------------------------

    def _target(self, path: tuple[str, ...], file: str) -> Attr | None:
        """The expression ``var.x`` or ``local.x`` stands for, as written (None: unknown)."""
        if path[0] == "var":
            if path[1] in self.tfvars:
                return None  # an auto-loaded .tfvars sets it
            variable = pick(self.variables.get(path[1], []), file, lambda v: v.file)
            if variable is None or variable.default is None:
                return None
            default = variable.default
            if default.expr.kind == "lit" and default.expr.value is None:
                return None  # default = null: the caller decides
            return default
        return pick(self.locals.get(path[1], []), file, lambda a: a.loc.file)

    def resolve(self, expr: Expr, depth: int = 0) -> _Resolved | None:
        """Follow ``var.``/``local.`` references to the expression they stand for; None: unknown."""
        if depth > _MAX_DEPTH:
            return None
        if expr.kind != "ref":
            return _Resolved(expr, None)
        path = expr.path
        if len(path) < 2 or path[0] not in ("var", "local"):
            return None
        target = self._target(path, expr.loc.file)
        if target is None:
            return None
        inner = self.resolve(target.expr, depth + 1)
        if inner is None:
            return None
        current, related = inner.expr, inner.related or target.loc
        for key in path[2:]:
            if current.kind != "obj" or key not in current.items:
                return None
            item = current.items[key]
            step = self.resolve(item.expr, depth + 1)
            if step is None:
                return None
            current, related = step.expr, step.related or item.loc
        return _Resolved(current, related)

    def scalar_of(self, expr: Expr, depth: int = 0) -> tuple[Scalar, Location | None, bool]:
        """(value, related, known) of an expression."""
        resolved = self.resolve(expr, depth)
        if resolved is None:
            return None, None, False
        target = resolved.expr
        if target.kind == "lit":
            return target.value, resolved.related, True
        if target.kind == "concat" and depth < _MAX_DEPTH:
            text = ""
            for part in target.elems:
                value, _, known = self.scalar_of(part, depth + 1)
                if not known or value is None or isinstance(value, bool):
                    return None, None, False
                text += str(value)
            return text, resolved.related, True
        return None, None, False

    def value(self, attr: Attr | None) -> Value | None:
        """The argument as a Value located where it is written; None when it is not written (or null)."""
        if attr is None:
            return None
        if attr.expr.kind == "lit" and attr.expr.value is None:
            return None  # a literal null is an argument not set
        value, related, known = self.scalar_of(attr.expr)
        if not known:
            return Value(None, attr.loc)
        return Value(value, attr.loc, related=related)

    def text(self, attr: Attr | None) -> str | None:
        """A known string value (protocol names, types), or None."""
        value = self.value(attr)
        if value is None or value.value is None or isinstance(value.value, bool):
            return None
        return str(value.value)

    def obj(self, attr: Attr | None) -> dict[str, Attr] | None:
        """The elements of an object the argument is (through references); None: not a known object."""
        found = self._collection(attr, "obj")
        return None if found is None else found.items

    def elems(self, attr: Attr | None) -> list[Expr] | None:
        """The elements of a tuple the argument is (through references); None: not a known tuple."""
        found = self._collection(attr, "tuple")
        return None if found is None else found.elems

    def _collection(self, attr: Attr | None, kind: str) -> Expr | None:
        resolved = None if attr is None else self.resolve(attr.expr)
        return resolved.expr if resolved is not None and resolved.expr.kind == kind else None

    def refs(self, attr: Attr | None) -> list[tuple[str, str]]:
        """The ``a.b`` traversals an argument names, through the locals it names."""
        if attr is None:
            return []
        found = list(attr.expr.refs)
        if attr.expr.kind == "ref" and len(attr.expr.path) >= 2:
            found.append((attr.expr.path[0], attr.expr.path[1]))
        seen: set[str] = set()
        for root, name in found:
            if root != "local" or name in seen:
                continue
            seen.add(name)
            target = pick(self.locals.get(name, []), attr.loc.file, lambda a: a.loc.file)
            if target is not None:
                found.extend(target.expr.refs)
                if target.expr.kind == "ref" and len(target.expr.path) >= 2:
                    found.append((target.expr.path[0], target.expr.path[1]))
        return found

    def absent(self, block: Block) -> bool:
        """A resource or module Terraform creates zero times (``count = 0``, an empty ``for_each``)."""
        count = self.value(block.attrs.get("count"))
        if count is not None and count.value is not None and str(count.value).strip() == "0":
            return True
        for_each = block.attrs.get("for_each")
        if for_each is not None:
            resolved = self.resolve(for_each.expr)
            if resolved is not None and resolved.expr.kind in ("obj", "tuple"):
                return not resolved.expr.items and not resolved.expr.elems
        return False
