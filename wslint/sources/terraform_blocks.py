"""What a Terraform file holds, independent of HCL or JSON syntax: blocks, arguments, expressions.

``terraform_hcl`` (``.tf``) and ``terraform_json`` (``.tf.json``) read a file into these;
``terraform_values`` follows their references; nothing else knows the file's syntax.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from wslint.model import Location, Problem

Scalar = str | int | float | bool | None


@dataclass
class Expr:
    """An expression as far as wslint reads it.

    ``lit``: a literal scalar; ``ref``: a plain traversal such as ``var.x.y``; ``obj`` and
    ``tuple``: collection literals; ``concat``: a string template of literal and expression
    parts; ``unknown``: anything else. ``refs`` (set on an argument's expression) holds every
    ``a.b`` traversal written in it (``aws_lb.web``, ``module.alb``), for telling what a
    listener or action points at.
    """

    kind: str
    loc: Location
    value: Scalar = None
    path: tuple[str, ...] = ()
    items: dict[str, Attr] = field(default_factory=dict)
    elems: list[Expr] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Attr:
    """``name = expr``: a block argument or an object element (located at its name)."""

    name: str
    loc: Location
    expr: Expr


@dataclass
class Block:
    type: str
    labels: list[str]
    loc: Location
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def children(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.type == kind]

    def dynamic(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.type == "dynamic" and b.labels[:1] == [kind]]


@dataclass
class TfFile:
    real: str
    display: str
    linted: bool  # named or found by discovery (not only read as a sibling)
    blocks: list[Block] = field(default_factory=list)
    error: Problem | None = None

    @property
    def override(self) -> bool:
        base = os.path.basename(self.real).lower()
        for ext in (".tf.json", ".tf"):
            if base.endswith(ext):
                stem = base[: -len(ext)]
                return stem == "override" or stem.endswith("_override")
        return False


class SyntaxProblem(Exception):
    """A ``.tf``/``.tf.json`` file (or a ``.tfvars.json``) that cannot be read: what is wrong, and where (1-based)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def location(file: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> Location:
    return Location(
        file=file,
        line=line,
        column=column,
        end_line=end_line if end_line is not None else line,
        end_column=end_column if end_column is not None else column,
    )
