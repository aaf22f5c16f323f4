"""The Terraform source: ``.tf`` and ``.tf.json`` files -> AWS load balancer specs (``aws_spec``).

A Terraform module is a directory: the files of one directory are read together, and each
directory linted becomes one Document (``aws_spec.build``). The reader knows Terraform's
dialect and the AWS provider's, and nothing about rules:

- values: literals; ``var.x`` is the variable's ``default`` in the same directory, located
  where it is used with the default in ``related`` (RULES.md "Values"); ``local.x`` is its
  expression, followed the same way; everything else (functions, conditionals, data
  sources, module outputs, ``each``/``count``, interpolations of unknowns) is unknown and
  never fires a rule. A variable that an auto-loaded ``terraform.tfvars`` or
  ``*.auto.tfvars`` sets, or whose default is ``null`` (the caller decides), is unknown too.
  A literal ``null`` argument is an argument not written: the provider's default applies.
- resources: ``aws_lb``/``aws_alb`` (``load_balancer_type``, ``idle_timeout``,
  ``client_keep_alive``), ``aws_lb_listener``/``aws_alb_listener`` (``protocol``, ``port``,
  ``tcp_idle_timeout_seconds``), ``aws_lb_listener_rule``, ``aws_lb_target_group``/
  ``aws_alb_target_group`` (``deregistration_delay``, ``connection_termination``,
  ``health_check { path }``) and ``aws_elb`` (``listener`` blocks, ``idle_timeout``);
  ``module`` blocks of terraform-aws-modules/alb (registry ``terraform-aws-modules/alb/aws``
  or its GitHub URL; v9+ ``listeners``/``target_groups`` maps and the older
  ``http_tcp_listeners``/``https_listeners``/``target_groups`` lists) with their literal inputs,
  located at their map elements. A resource or module created zero times (``count = 0``, an
  empty ``for_each``, the module's ``create = false``) is left out. Nothing else is a load
  balancer setting (an ECS service's ``idle_timeout_seconds`` is not read at all).
- a listener belongs to the load balancer its ``load_balancer_arn`` names; one that names
  none (or several) belongs to none. A target group belongs to the load balancers whose
  listeners (or listener rules) forward to it; one no listener names is attached to every
  load balancer of the module of its protocol family (HTTP/HTTPS: ALB; TCP/TLS/UDP: NLB;
  unknown: both). A listener whose only actions are ``redirect``/``fixed-response`` and
  that no rule forwards from carries no WebSocket and is left out.
- a load balancer whose listeners wslint saw (at least one listener of the module names
  it) has ``listeners_known``; one without is a WebSocket hop of its own (aws_spec).
- sibling files: a file named alone on the command line is read with the other
  ``.tf``/``.tf.json`` files of its directory (variables, locals, listeners, target
  groups), as Terraform does; load balancers are reported only from the files linted.
  ``override.tf`` and ``*_override.tf`` files merge into the resource they override. A name
  defined twice in one directory (invalid Terraform, but common in folders of examples) is
  read per file: a reference takes the definition in its own file, else it is unknown.

Line and column numbers come from python-hcl2's lark tree (``parses_to_tree``; its
``with_meta`` does nothing in 8.x), ``object_elem`` nodes inside maps included; for
``.tf.json`` from a small position-tracking JSON reader.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import hcl2
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from wslint import BUG_HINT
from wslint.model import Document, Location, Problem
from wslint.sources import aws_spec
from wslint.sources import text as textio
from wslint.sources.aws_spec import Kind, ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value
from wslint.sources.registry import Context, Target

Scalar = str | int | float | bool | None

LB_TYPES = frozenset({"aws_lb", "aws_alb"})
LISTENER_TYPES = frozenset({"aws_lb_listener", "aws_alb_listener"})
RULE_TYPES = frozenset({"aws_lb_listener_rule", "aws_alb_listener_rule"})
TARGET_GROUP_TYPES = frozenset({"aws_lb_target_group", "aws_alb_target_group"})
CLASSIC_TYPES = frozenset({"aws_elb"})
READ_TYPES = LB_TYPES | LISTENER_TYPES | RULE_TYPES | TARGET_GROUP_TYPES | CLASSIC_TYPES
# nested blocks of the resources read (in .tf.json a nested block is a JSON object or array)
BLOCK_NAMES = frozenset(
    "listener health_check default_action action forward target_group redirect fixed_response stickiness "
    "condition dynamic content lifecycle access_logs connection_logs subnet_mapping timeouts "
    "authenticate_cognito authenticate_oidc jwt_validation mutual_authentication".split()
)
HTTP_FAMILY = frozenset({"HTTP", "HTTPS"})
TCP_FAMILY = frozenset({"TCP", "TLS", "UDP", "TCP_UDP"})
# terraform-aws-modules/alb from the registry (optionally pinned through a git URL)
ALB_MODULE = re.compile(
    r"^(?:registry\.terraform\.io/)?terraform-aws-modules/alb/aws$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-alb(?:\.git)?(?:\?.*)?$"
)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_JSON_REF = re.compile(r"^\$\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+)\s*\}$")
_TRAVERSAL = re.compile(r"(?<![\w.-])([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)")
_MAX_DEPTH = 32


# ---------------------------------------------------------------------------
# What a file holds, independent of HCL or JSON syntax
# ---------------------------------------------------------------------------


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
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _location(
    file: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None
) -> Location:
    return Location(
        file=file,
        line=line,
        column=column,
        end_line=end_line if end_line is not None else line,
        end_column=end_column if end_column is not None else column,
    )


# ---------------------------------------------------------------------------
# HCL (python-hcl2 8.x's lark tree)
# ---------------------------------------------------------------------------


def _parse_hcl(text: str, display: str) -> list[Block]:
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            lines = text.rstrip("\n").split("\n")
            raise SyntaxProblem(
                "unexpected end of file: a block, string or bracket is not closed", len(lines), len(lines[-1]) + 1
            ) from None
        shown = str(token.value).split("\n", 1)[0].strip()[:30]
        what = repr(shown) if shown else "end of line"
        raise SyntaxProblem(f"unexpected {what}", int(exc.line), int(exc.column)) from None
    except UnexpectedCharacters as exc:
        raise SyntaxProblem(f"unexpected character {exc.char!r}", int(exc.line), int(exc.column)) from None
    except UnexpectedEOF:
        lines = text.rstrip("\n").split("\n")
        raise SyntaxProblem(
            "unexpected end of file: a block, string or bracket is not closed", len(lines), len(lines[-1]) + 1
        ) from None
    except UnexpectedInput as exc:
        raise SyntaxProblem(str(exc).split("\n", 1)[0], int(exc.line or 1), int(exc.column or 1)) from None
    return _HclReader(display).body(tree.children[0])[1]


class _HclReader:
    def __init__(self, file: str) -> None:
        self.file = file

    def loc(self, node: Any) -> Location:
        if isinstance(node, Token):
            return _location(self.file, node.line or 1, node.column or 1, node.end_line, node.end_column)
        meta = node.meta
        if getattr(meta, "empty", True):
            return _location(self.file, 1, 1)
        return _location(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    @staticmethod
    def trees(node: Any) -> list[Any]:
        """The child trees that matter (no punctuation tokens, newlines or comments)."""
        return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def name(self, node: Any) -> str:
        """The text of an identifier, keyword or literal used as a name, or of a plain string label."""
        if isinstance(node, Token):
            return str(node.value)
        if node.data == "string":
            expr = self.string(node)
            return str(expr.value) if expr.kind == "lit" else ""
        for child in node.children:
            if isinstance(child, Token):
                return str(child.value)
            if isinstance(child, Tree):
                return self.name(child)
        return ""

    def body(self, node: Any) -> tuple[dict[str, Attr], list[Block]]:
        attrs: dict[str, Attr] = {}
        blocks: list[Block] = []
        for child in self.trees(node):
            if child.data == "attribute":
                parts = self.trees(child)
                name = self.name(parts[0])
                expr = self.expr(parts[-1])
                expr.refs = self.refs(parts[-1])  # once per argument: what it names, at any depth
                attrs[name] = Attr(name, self.loc(child), expr)
            elif child.data == "block":
                parts = self.trees(child)
                inner = parts[-1]
                kind = self.name(parts[0])
                labels = [self.name(p) for p in parts[1:-1]]
                block = Block(kind, labels, self.loc(child))
                block.attrs, block.blocks = self.body(inner)
                blocks.append(block)
        return attrs, blocks

    def refs(self, node: Any) -> list[tuple[str, str]]:
        """Every ``a.b`` traversal start in a subtree, from its tokens in order."""
        if isinstance(node, Token):
            return []
        tokens = [t for t in node.scan_values(lambda v: isinstance(v, Token))] if isinstance(node, Tree) else []
        found: list[tuple[str, str]] = []
        for i in range(len(tokens) - 2):
            if tokens[i].type == "NAME" and tokens[i + 1].type == "DOT" and tokens[i + 2].type == "NAME":
                if i > 0 and tokens[i - 1].type in ("DOT", "ATTR_SPLAT"):
                    continue
                found.append((str(tokens[i].value), str(tokens[i + 2].value)))
        return found

    def unknown(self, node: Any) -> Expr:
        return Expr("unknown", self.loc(node))

    def expr(self, node: Any) -> Expr:
        if isinstance(node, Token):
            return Expr("unknown", self.loc(node))
        data = node.data
        if data == "expr_term":
            kids = self.trees(node)
            if len(kids) == 1:
                return self.expr(kids[0])
            return self.unknown(node)
        if data == "int_lit":
            return Expr("lit", self.loc(node), value=int(str(node.children[0])))
        if data == "float_lit":
            return Expr("lit", self.loc(node), value=float(str(node.children[0])))
        if data == "literal_value":
            word = str(node.children[0])
            return Expr("lit", self.loc(node), value={"true": True, "false": False}.get(word))
        if data == "string":
            return self.string(node)
        if data == "identifier":
            return Expr("ref", self.loc(node), path=(self.name(node),))
        if data == "get_attr_expr_term":
            base_node, attr = node.children[0], node.children[1]
            base = self.expr(base_node)
            names = [self.name(c) for c in self.trees(attr)]
            if base.kind == "ref" and names:
                return Expr("ref", self.loc(node), path=(*base.path, names[0]))
            return self.unknown(node)
        if data == "unary_op":
            sign = str(node.children[0])
            inner = self.expr(node.children[1])
            number = inner.value
            if (
                sign == "-"
                and inner.kind == "lit"
                and isinstance(number, (int, float))
                and not isinstance(number, bool)
            ):
                return Expr("lit", self.loc(node), value=-number)
            return self.unknown(node)
        if data == "object":
            items: dict[str, Attr] = {}
            for elem in self.trees(node):
                if elem.data != "object_elem":
                    continue
                key_node, value_node = self.trees(elem)[0], self.trees(elem)[-1]
                key = self.key(key_node)
                if key is None:
                    return self.unknown(node)
                items[key] = Attr(key, self.loc(elem), self.expr(value_node))
            return Expr("obj", self.loc(node), items=items)
        if data == "tuple":
            return Expr("tuple", self.loc(node), elems=[self.expr(e) for e in self.trees(node)])
        return self.unknown(node)

    def key(self, node: Any) -> str | None:
        """An object key: a bare name or a literal string; None for a computed key."""
        kids = self.trees(node)
        if not kids:
            return self.name(node)
        inner = kids[0]
        if inner.data == "keyword":
            return self.name(inner)
        if inner.data == "expr_term":
            sub = self.trees(inner)
            if len(sub) == 1 and sub[0].data == "identifier":
                return self.name(sub[0])
        expr = self.expr(inner)
        if expr.kind == "lit" and expr.value is not None:
            return str(expr.value)
        return None

    def string(self, node: Any) -> Expr:
        parts: list[Expr] = []
        text = ""
        loc = self.loc(node)
        for part in node.children:
            if not (isinstance(part, Tree) and part.data == "string_part"):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                if inner.type == "STRING_CHARS":
                    text += _unescape(str(inner))
                elif inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    text += str(inner)[1:]
                else:
                    return self.unknown(node)
            elif inner.data == "interpolation":
                if text:
                    parts.append(Expr("lit", loc, value=text))
                    text = ""
                parts.append(self.expr(self.trees(inner)[0]))
            else:  # a template directive (%{ if }, %{ for })
                return self.unknown(node)
        if text or not parts:
            parts.append(Expr("lit", loc, value=text))
        if len(parts) == 1:
            only = parts[0]
            if only.kind == "lit":
                return only
            return Expr(only.kind, loc, value=only.value, path=only.path, items=only.items, elems=only.elems)
        return Expr("concat", loc, elems=parts)


def _unescape(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(one, raw)


# ---------------------------------------------------------------------------
# Terraform JSON syntax (.tf.json), with positions
# ---------------------------------------------------------------------------


@dataclass
class _J:
    kind: str  # obj, arr, str, num, lit
    pos: int
    value: Scalar = None
    items: list[tuple[str, int, _J]] = field(default_factory=list)
    elems: list[_J] = field(default_factory=list)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")


class _JsonReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def fail(self, message: str, pos: int) -> SyntaxProblem:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return SyntaxProblem(message, line, column)

    def skip(self) -> None:
        match = _JSON_SPACE.match(self.text, self.i)
        self.i = match.end() if match else self.i

    def document(self) -> _J:
        value = self.value(0)
        self.skip()
        if self.i < len(self.text):
            raise self.fail("extra data after the JSON value", self.i)
        return value

    def value(self, depth: int) -> _J:
        if depth > 200:
            raise self.fail("JSON nested too deeply", self.i)
        self.skip()
        text, start = self.text, self.i
        if start >= len(text):
            raise self.fail("unexpected end of file", start)
        char = text[start]
        if char == "{":
            node = _J("obj", start)
            self.i += 1
            self.skip()
            if text.startswith("}", self.i):
                self.i += 1
                return node
            while True:
                self.skip()
                if not text.startswith('"', self.i):
                    raise self.fail("expected a quoted key", self.i)
                key_pos = self.i
                key = self.string()
                self.skip()
                if not text.startswith(":", self.i):
                    raise self.fail("expected ':'", self.i)
                self.i += 1
                node.items.append((key, key_pos, self.value(depth + 1)))
                self.skip()
                if text.startswith(",", self.i):
                    self.i += 1
                    continue
                if text.startswith("}", self.i):
                    self.i += 1
                    return node
                raise self.fail("expected ',' or '}'", self.i)
        if char == "[":
            node = _J("arr", start)
            self.i += 1
            self.skip()
            if text.startswith("]", self.i):
                self.i += 1
                return node
            while True:
                node.elems.append(self.value(depth + 1))
                self.skip()
                if text.startswith(",", self.i):
                    self.i += 1
                    continue
                if text.startswith("]", self.i):
                    self.i += 1
                    return node
                raise self.fail("expected ',' or ']'", self.i)
        if char == '"':
            return _J("str", start, value=self.string())
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, start):
                self.i += len(word)
                return _J("lit", start, value=literal)
        match = _JSON_NUMBER.match(text, start)
        if match and match.end() > start:
            self.i = match.end()
            number: int | float = float(match.group()) if match.group(1) or match.group(2) else int(match.group())
            return _J("num", start, value=number)
        raise self.fail(f"unexpected character {char!r}", start)

    def string(self) -> str:
        try:
            value, end = json.decoder.scanstring(self.text, self.i + 1, True)  # type: ignore[attr-defined]
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg.lower(), exc.pos) from None
        self.i = end
        return str(value)


class _JsonTf:
    """Terraform's JSON syntax over positioned JSON nodes."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def loc(self, pos: int) -> Location:
        line = bisect.bisect_right(self.starts, pos)
        return _location(self.file, line, pos - self.starts[line - 1] + 1)

    def blocks(self, root: _J) -> list[Block]:
        if root.kind != "obj":
            raise SyntaxProblem("a Terraform JSON file holds one object", *self._line_col(root.pos))
        out: list[Block] = []
        for kind, pos, node in root.items:
            if kind == "resource" or kind == "data":
                for rtype, _, by_name in self._objects(node):
                    for name, npos, body in self._objects(by_name):
                        out.append(self.block(kind, [rtype, name], npos, body))
            elif kind in ("variable", "module", "output", "provider"):
                for name, npos, body in self._objects(node):
                    out.append(self.block(kind, [name], npos, body))
            elif kind == "locals":
                for body in self._bodies(node):
                    out.append(self.block("locals", [], pos, body))
        return out

    def _line_col(self, pos: int) -> tuple[int, int]:
        loc = self.loc(pos)
        return loc.line or 1, loc.column or 1

    def _bodies(self, node: _J) -> list[_J]:
        if node.kind == "obj":
            return [node]
        if node.kind == "arr":
            return [e for e in node.elems if e.kind == "obj"]
        return []

    def _objects(self, node: _J) -> Iterator[tuple[str, int, _J]]:
        """The ``"label": {...}`` pairs of one level (an array of objects may repeat the level)."""
        for body in self._bodies(node):
            for key, pos, value in body.items:
                if key != "//":
                    yield key, pos, value

    def block(self, kind: str, labels: list[str], pos: int, body: _J, nested: bool = False) -> Block:
        """A block from its JSON object; inside resources, objects under BLOCK_NAMES keys are nested blocks."""
        block = Block(kind, labels, self.loc(pos))
        nested = nested or kind == "resource"
        for target in self._bodies(body):
            for key, kpos, value in target.items:
                if key == "//":
                    continue
                if key == "dynamic" and nested:
                    for name, dpos, dyn in self._objects(value):
                        for one in self._bodies(dyn):
                            block.blocks.append(self.block("dynamic", [name], dpos, one, nested=True))
                elif key in BLOCK_NAMES and nested and value.kind in ("obj", "arr") and self._bodies(value):
                    for one in self._bodies(value):
                        block.blocks.append(self.block(key, [], kpos, one, nested=True))
                else:
                    block.attrs[key] = Attr(key, self.loc(kpos), self.expr(value, template=kind != "variable"))
        return block

    def expr(self, node: _J, template: bool = True) -> Expr:
        loc = self.loc(node.pos)
        if node.kind == "obj":
            items = {k: Attr(k, self.loc(p), self.expr(v, template)) for k, p, v in node.items if k != "//"}
            refs = [r for attr in items.values() for r in attr.expr.refs]
            return Expr("obj", loc, items=items, refs=refs)
        if node.kind == "arr":
            elems = [self.expr(e, template) for e in node.elems]
            return Expr("tuple", loc, elems=elems, refs=[r for e in elems for r in e.refs])
        if node.kind == "str" and template and isinstance(node.value, str):
            value = node.value
            if "${" not in value and "%{" not in value:
                return Expr("lit", loc, value=value.replace("$${", "${").replace("%%{", "%{"))
            refs = [(m.group(1), m.group(2)) for m in _TRAVERSAL.finditer(value)]
            whole = _JSON_REF.match(value)
            if whole:
                return Expr("ref", loc, path=tuple(whole.group(1).split(".")), refs=refs)
            return Expr("unknown", loc, refs=refs)
        return Expr("lit", loc, value=node.value)


def _parse_json(text: str, display: str) -> list[Block]:
    return _JsonTf(text, display).blocks(_JsonReader(text).document())


# ---------------------------------------------------------------------------
# One module (directory): values
# ---------------------------------------------------------------------------

T = TypeVar("T")


def _pick(candidates: list[T], file: str, file_of: Callable[[T], str]) -> T | None:
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
        return _pick(candidates, file, lambda r: r.file.display) if candidates else None

    # -- values ------------------------------------------------------------

    def _target(self, path: tuple[str, ...], file: str) -> Attr | None:
        """The expression ``var.x`` or ``local.x`` stands for, as written (None: unknown)."""
        if path[0] == "var":
            if path[1] in self.tfvars:
                return None  # an auto-loaded .tfvars sets it
            variable = _pick(self.variables.get(path[1], []), file, lambda v: v.file)
            if variable is None or variable.default is None:
                return None
            default = variable.default
            if default.expr.kind == "lit" and default.expr.value is None:
                return None  # default = null: the caller decides
            return default
        return _pick(self.locals.get(path[1], []), file, lambda a: a.loc.file)

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
        if attr is None:
            return None
        resolved = self.resolve(attr.expr)
        if resolved is None or resolved.expr.kind != "obj":
            return None
        return resolved.expr.items

    def elems(self, attr: Attr | None) -> list[Expr] | None:
        if attr is None:
            return None
        resolved = self.resolve(attr.expr)
        if resolved is None or resolved.expr.kind != "tuple":
            return None
        return resolved.expr.elems

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
            target = _pick(self.locals.get(name, []), attr.loc.file, lambda a: a.loc.file)
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


# ---------------------------------------------------------------------------
# One module: load balancers
# ---------------------------------------------------------------------------

Key = tuple[str, str, str]  # (resource type or "module", name, file)


@dataclass
class _Lb:
    key: Key
    spec: LoadBalancerSpec
    linted: bool
    saw_listener: bool = False
    listeners_unknown: bool = False


@dataclass
class _Listener:
    resource: Resource
    lb: Key | None
    groups: set[Key] = field(default_factory=set)
    actions: list[str | None] = field(default_factory=list)  # default action types (None: unknown)
    forwarded_by_rule: bool = False


def _all_refs(module: Module, block: Block) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for attr in block.attrs.values():
        found.extend(module.refs(attr))
    for child in block.blocks:
        found.extend(_all_refs(module, child))
    return found


def _kind(value: Value | None) -> Kind | None:
    """``load_balancer_type`` -> spec kind (unset: application); None: a gateway load balancer."""
    if value is None:
        return "alb"
    if value.value is None:
        return "unknown"
    lowered = str(value.value).lower()
    if lowered == "application":
        return "alb"
    if lowered == "network":
        return "nlb"
    return None


class _ModuleReader:
    def __init__(self, module: Module) -> None:
        self.module = module
        self.lbs: dict[Key, _Lb] = {}
        self.listeners: dict[Key, _Listener] = {}

    def specs(self) -> list[LoadBalancerSpec]:
        m = self.module
        present = [r for r in m.resources if not m.absent(r.block)]
        for resource in present:
            if resource.type in LB_TYPES:
                self._lb(resource)
            elif resource.type in CLASSIC_TYPES:
                self._classic(resource)
        for block, tf in m.modules:
            self._alb_module(block, tf)
        for resource in present:
            if resource.type in LISTENER_TYPES:
                self._listener(resource)
        for resource in present:
            if resource.type in RULE_TYPES:
                self._rule(resource)
        self._attach_listeners()
        self._attach_target_groups(present)
        out = []
        for lb in self.lbs.values():
            if not lb.linted:
                continue
            if lb.spec.kind in ("alb", "nlb") and not lb.spec.listeners_known:
                lb.spec.listeners_known = lb.saw_listener and m.complete and not lb.listeners_unknown
            out.append(lb.spec)
        return out

    def _named(self, refs: list[tuple[str, str]], types: frozenset[str], file: str) -> set[Key]:
        """The resources of ``types`` that traversals name (a duplicate name: the one in ``file``)."""
        found: set[Key] = set()
        for rtype, name in refs:
            if rtype in types:
                resource = self.module.find(rtype, name, file)
                if resource is not None:
                    found.add(resource.key)
        return found

    # -- aws_lb / aws_alb --------------------------------------------------

    def _lb(self, resource: Resource) -> None:
        m, block = self.module, resource.block
        kind = _kind(m.value(block.attrs.get("load_balancer_type")))
        if kind is None:
            return
        spec = LoadBalancerSpec(kind=kind, name=f"{resource.type}.{resource.name}", location=block.loc)
        if kind == "alb":
            # aws_lb idle_timeout / client_keep_alive: Default 60 / 3600, DiffSuppressFunc
            # suppressIfLBTypeNot(Application): ignored on other types (FACTS.md §A.9)
            spec.idle_timeout = m.value(block.attrs.get("idle_timeout"))
            spec.client_keep_alive = m.value(block.attrs.get("client_keep_alive"))
        elif kind == "nlb":
            spec.idle_timeout = m.value(block.attrs.get("idle_timeout"))  # ignored there: WS208
        self.lbs[resource.key] = _Lb(resource.key, spec, resource.file.linted)

    # -- aws_elb -------------------------------------------------------------

    def _classic(self, resource: Resource) -> None:
        m, block = self.module, resource.block
        # aws_elb (internal/service/elb/load_balancer.go): idle_timeout Default 60, IntBetween(1, 4000);
        # the API allows 1-3600 (FACTS.md §A.6). connection_draining (Default false) and
        # connection_draining_timeout (Default 300) are the Classic ELB's counterpart of a
        # deregistration delay, but not one (no target group): not read.
        spec = LoadBalancerSpec(kind="elb", name=f"{resource.type}.{resource.name}", location=block.loc)
        spec.idle_timeout = m.value(block.attrs.get("idle_timeout"))
        for listener in block.children("listener"):
            spec.listeners.append(
                ListenerSpec(
                    location=listener.loc,
                    protocol=m.value(listener.attrs.get("lb_protocol")),
                    port=m.value(listener.attrs.get("lb_port")),
                )
            )
        spec.listeners_known = m.complete and bool(spec.listeners) and not block.dynamic("listener")
        self.lbs[resource.key] = _Lb(resource.key, spec, resource.file.linted)

    # -- terraform-aws-modules/alb ------------------------------------------

    def _alb_module(self, block: Block, tf: TfFile) -> None:
        m = self.module
        source = m.text(block.attrs.get("source"))
        if source is None or not ALB_MODULE.match(source.strip()):
            return
        create = m.value(block.attrs.get("create"))
        if create is not None and create.value is not None and str(create.value).lower() == "false":
            return
        if m.absent(block):
            return
        kind = _kind(m.value(block.attrs.get("load_balancer_type")))  # the module's default is "application" too
        if kind is None:
            return
        name = f"module.{block.labels[0]}"
        spec = LoadBalancerSpec(kind=kind, name=name, location=block.loc)
        if kind == "alb":
            spec.idle_timeout = m.value(block.attrs.get("idle_timeout"))
            spec.client_keep_alive = m.value(block.attrs.get("client_keep_alive"))
        elif kind == "nlb":
            spec.idle_timeout = m.value(block.attrs.get("idle_timeout"))  # ignored there: WS208
        lb = _Lb(("module", block.labels[0], tf.display), spec, tf.linted)
        self.lbs[lb.key] = lb
        default_protocol = m.value(block.attrs.get("default_protocol"))
        default_port = m.value(block.attrs.get("default_port"))
        listeners_attr = block.attrs.get("listeners")
        if listeners_attr is not None:
            items = m.obj(listeners_attr)
            if items is None:
                lb.listeners_unknown = True
            else:
                lb.saw_listener = lb.saw_listener or bool(items)
                for item in items.values():
                    self._module_listener(lb, item, default_protocol, default_port, None)
        # terraform-aws-modules/alb before v9: http_tcp_listeners / https_listeners lists
        for legacy, default in (("http_tcp_listeners", None), ("https_listeners", "HTTPS")):
            attr = block.attrs.get(legacy)
            if attr is None:
                continue
            elems = m.elems(attr)
            if elems is None:
                lb.listeners_unknown = True
                continue
            lb.saw_listener = lb.saw_listener or bool(elems)
            for index, elem in enumerate(elems):
                item = Attr(f"{legacy}[{index}]", elem.loc, elem)
                self._module_listener(lb, item, default_protocol, default_port, default)
        groups_attr = block.attrs.get("target_groups")
        group_items: list[Attr] = []
        objects = m.obj(groups_attr)
        if objects is not None:
            group_items = list(objects.values())
        else:
            elems = m.elems(groups_attr)
            if elems is not None:
                group_items = [Attr(f"target_groups[{i}]", e.loc, e) for i, e in enumerate(elems)]
        for item in group_items:
            group = self._module_target_group(name, item)
            if group is not None:
                spec.target_groups.append(group)

    def _module_listener(
        self, lb: _Lb, item: Attr, default_protocol: Value | None, default_port: Value | None, fallback: str | None
    ) -> None:
        m = self.module
        fields = m.obj(item)
        if fields is None:
            lb.spec.listeners.append(self._unknown_listener(lb, item.loc))
            return
        protocol = m.value(fields.get("protocol"))
        if protocol is None:
            protocol = default_protocol or Value(fallback or "HTTP", item.loc)
        port = m.value(fields.get("port")) or default_port
        if ("redirect" in fields or "fixed_response" in fields) and not (
            {"forward", "weighted_forward", "rules", "target_group_index"} & set(fields)
        ):
            return  # redirects or answers itself: no WebSocket reaches a target through it
        action = m.text(fields.get("action_type"))
        if aws_spec.only_answers([action]):
            return
        listener = ListenerSpec(location=item.loc, protocol=protocol, port=port)
        if lb.spec.kind == "nlb":
            self._tcp_idle(listener, fields.get("tcp_idle_timeout_seconds"))
        lb.spec.listeners.append(listener)

    def _unknown_listener(self, lb: _Lb, where: Location) -> ListenerSpec:
        listener = ListenerSpec(location=where, protocol=Value(None, where))
        if lb.spec.kind == "nlb":
            listener.attributes[aws_spec.NLB_IDLE_KEY] = Value(None, where)
        return listener

    def _tcp_idle(self, listener: ListenerSpec, attr: Attr | None) -> None:
        """``tcp_idle_timeout_seconds`` of an NLB listener.

        hashicorp/terraform-provider-aws internal/service/elbv2/listener.go (resourceListener):
        ``"tcp_idle_timeout_seconds": {Type: schema.TypeInt, Optional: true, Computed: true,
        ValidateFunc: validation.IntBetween(60, 6000), DiffSuppressFunc:
        suppressIfListenerProtocolNot(awstypes.ProtocolEnumGeneve, awstypes.ProtocolEnumTcp)}``,
        commented "Attribute only valid for TCP (NLB) and GENEVE (GWLB) listeners"; CHANGELOG.md
        5.73.0: "resource/aws_lb_listener: Add `tcp_idle_timeout_seconds` argument (#39585)",
        5.75.0: "Remove the default `tcp_idle_timeout_seconds` value". So it is the listener
        attribute ``tcp.idle_timeout.seconds`` of a TCP listener, ignored on TLS/UDP/TCP_UDP ones
        (where AWS's 350 s default stays).
        """
        value = self.module.value(attr)
        protocol = listener.protocol
        if protocol is not None and protocol.value is None:
            listener.attributes[aws_spec.NLB_IDLE_KEY] = Value(None, listener.location)  # TCP or not: unknown
            return
        if value is None:
            return
        if protocol is None or str(protocol.value).upper() == "TCP":
            listener.attributes[aws_spec.NLB_IDLE_KEY] = value

    def _module_target_group(self, module_name: str, item: Attr) -> TargetGroupSpec | None:
        m = self.module
        fields = m.obj(item)
        if fields is None:
            return None
        target_type = m.text(fields.get("target_type"))
        if target_type is not None and target_type.lower() == "lambda":
            return None  # no deregistration delay, no WebSocket (FACTS.md §A.3, §A.4)
        health = m.obj(fields.get("health_check"))
        path: Value | None = None
        http_check = False
        if health is not None:
            path = m.value(health.get("path"))
            http_check = (m.text(health.get("protocol")) or "").upper() in HTTP_FAMILY
        elif fields.get("health_check") is not None:
            path = Value(None, fields["health_check"].loc)
        return TargetGroupSpec(
            name=f"{module_name} {item.name}",
            location=item.loc,
            deregistration_delay=m.value(fields.get("deregistration_delay")),
            connection_termination=m.value(fields.get("connection_termination")),
            health_check_path=path,
            aws_name=m.text(fields.get("name")) or m.text(fields.get("name_prefix")),
            http_health_check=http_check,
        )

    # -- listeners, rules, target groups ------------------------------------

    def _owner(self, attr: Attr | None, file: str) -> Key | None:
        """The load balancer a ``load_balancer_arn`` names; None when it names none or several."""
        refs = self.module.refs(attr)
        owners = self._named(refs, LB_TYPES, file)
        modules = [lb for lb in self.lbs.values() if lb.key[0] == "module"]
        for root, name in refs:
            if root == "module":
                picked = _pick([lb for lb in modules if lb.key[1] == name], file, lambda lb: lb.key[2])
                if picked is not None:
                    owners.add(picked.key)
        return owners.pop() if len(owners) == 1 else None

    def _listener(self, resource: Resource) -> None:
        m, block, file = self.module, resource.block, resource.file.display
        listener = _Listener(resource, self._owner(block.attrs.get("load_balancer_arn"), file))
        for action in block.children("default_action"):
            listener.actions.append(m.text(action.attrs.get("type")))
            listener.groups |= self._named(_all_refs(m, action), TARGET_GROUP_TYPES, file)
        for action in block.dynamic("default_action"):
            listener.actions.append(None)
            listener.groups |= self._named(_all_refs(m, action), TARGET_GROUP_TYPES, file)
        self.listeners[resource.key] = listener

    def _rule(self, resource: Resource) -> None:
        m, block, file = self.module, resource.block, resource.file.display
        owners = self._named(m.refs(block.attrs.get("listener_arn")), LISTENER_TYPES, file)
        actions = block.children("action") + block.dynamic("action")
        groups = self._named([r for a in actions for r in _all_refs(m, a)], TARGET_GROUP_TYPES, file)
        types = [m.text(a.attrs.get("type")) for a in block.children("action")] + [None] * len(block.dynamic("action"))
        forwards = not aws_spec.only_answers(types)
        for owner in owners:
            listener = self.listeners.get(owner)
            if listener is None:
                continue
            listener.groups |= groups
            listener.forwarded_by_rule = listener.forwarded_by_rule or forwards

    def _attach_listeners(self) -> None:
        m = self.module
        for listener in self.listeners.values():
            if listener.lb is None or listener.lb not in self.lbs:
                continue
            lb = self.lbs[listener.lb]
            lb.saw_listener = True
            block = listener.resource.block
            actions = listener.actions
            if aws_spec.only_answers(actions) and not listener.forwarded_by_rule:
                continue  # a redirect (http -> https) or a fixed answer: no WebSocket reaches a target
            protocol = m.value(block.attrs.get("protocol"))
            if protocol is None and lb.spec.kind == "alb":
                # the provider creates an ALB listener without protocol as HTTP (listener.go,
                # resourceListenerCreate: "Keep previous default of HTTP for Application Load Balancers")
                protocol = Value("HTTP", block.loc)
            spec = ListenerSpec(location=block.loc, protocol=protocol, port=m.value(block.attrs.get("port")))
            # the target groups its actions and rules name (a dynamic action may name others: then unknown)
            if not block.dynamic("default_action"):
                spec.target_groups = sorted(f"{group[0]}.{group[1]}" for group in listener.groups)
            if lb.spec.kind == "nlb":
                self._tcp_idle(spec, block.attrs.get("tcp_idle_timeout_seconds"))
            lb.spec.listeners.append(spec)

    def _attach_target_groups(self, present: list[Resource]) -> None:
        m = self.module
        owners: dict[Key, set[Key]] = {}
        for listener in self.listeners.values():
            for group in listener.groups:
                owners.setdefault(group, set())
                if listener.lb is not None and listener.lb in self.lbs:
                    owners[group].add(listener.lb)
        for resource in present:
            if resource.type not in TARGET_GROUP_TYPES:
                continue
            block = resource.block
            target_type = m.text(block.attrs.get("target_type"))
            if target_type is not None and target_type.lower() == "lambda":
                continue  # no deregistration delay, no WebSocket (FACTS.md §A.3, §A.4)
            if resource.key in owners:
                lbs = [self.lbs[k] for k in sorted(owners[resource.key])]
            else:  # no listener names it: every load balancer of its protocol family
                family = (m.text(block.attrs.get("protocol")) or "").upper()
                kinds = {"alb"} if family in HTTP_FAMILY else {"nlb"} if family in TCP_FAMILY else {"alb", "nlb"}
                lbs = [lb for lb in self.lbs.values() if lb.spec.kind in kinds and lb.key[0] != "module"]
            spec = self._target_group(resource)
            for lb in lbs:
                lb.spec.target_groups.append(spec)

    def _target_group(self, resource: Resource) -> TargetGroupSpec:
        m, block = self.module, resource.block
        path: Value | None = None
        http_check = False
        for health in block.children("health_check"):
            path = m.value(health.attrs.get("path"))
            # only a written protocol: AWS's default for a TCP/TLS target group is a TCP check
            http_check = (m.text(health.attrs.get("protocol")) or "").upper() in HTTP_FAMILY
        for health in block.dynamic("health_check"):
            path = Value(None, health.loc)
        return TargetGroupSpec(
            name=f"{resource.type}.{resource.name}",
            location=block.loc,
            deregistration_delay=m.value(block.attrs.get("deregistration_delay")),
            connection_termination=m.value(block.attrs.get("connection_termination")),
            health_check_path=path,
            aws_name=m.text(block.attrs.get("name")) or m.text(block.attrs.get("name_prefix")),
            http_health_check=http_check,
        )


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def _is_tf(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".tf", ".tf.json"))


def _read(real: str, stdin: dict[str, bytes], limit: int) -> str:
    return textio.read_text(real, limit, stdin, reader="Terraform")


@functools.lru_cache(maxsize=64)
def _parse_text(text: str, display: str, is_json: bool) -> tuple[Block, ...]:
    """The blocks of one file (read-only; cached: a directory's files are read again with each file named alone)."""
    return tuple(_parse_json(text, display) if is_json else _parse_hcl(text, display))


def _parse_file(tf: TfFile, text: str) -> None:
    try:
        tf.blocks = list(_parse_text(text, tf.display, tf.real.lower().endswith(".json")))
    except SyntaxProblem as exc:
        tf.error = Problem(
            kind="parse-error",
            location=Location(file=tf.display, line=exc.line, column=exc.column),
            message=f"Terraform syntax error: {exc.message}",
        )
    except RecursionError:
        tf.error = Problem(
            kind="parse-error",
            location=Location(file=tf.display, line=1, column=1),
            message="Terraform syntax error: nested too deeply to read",
        )


def _tfvars_names(directory: str, limit: int) -> set[str]:
    """Variables set by the files Terraform loads by itself (terraform.tfvars, *.auto.tfvars[.json])."""
    names: set[str] = set()
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return names
    for entry in entries:
        lower = entry.lower()
        if lower not in ("terraform.tfvars", "terraform.tfvars.json") and not lower.endswith(
            (".auto.tfvars", ".auto.tfvars.json")
        ):
            continue
        path = os.path.join(directory, entry)
        try:
            text = textio.read_text(path, limit)
            if lower.endswith(".json"):
                root = _JsonReader(text).document()
                names |= {key for key, _, _ in root.items}
            else:
                names |= {m.group(1) for m in re.finditer(r"^\s*([A-Za-z_][\w-]*)\s*=", text, re.M)}
        except (OSError, textio.DecodeError, SyntaxProblem):
            continue
    return names


def _siblings(directory: str, display_dir: str, known: set[str]) -> list[tuple[str, str]]:
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    out = []
    for entry in entries:
        real = os.path.realpath(os.path.join(directory, entry))
        if _is_tf(entry) and real not in known and os.path.isfile(real):
            out.append((real, os.path.join(display_dir, entry) if display_dir else entry))
    return out


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Terraform files (the source registry's ``load``).

    One Document per directory (a Terraform module), in the order the directories are first met.
    """
    settings, stdin = context.settings, context.stdin
    errors: list[str] = []
    by_dir: dict[str, list[tuple[str, str]]] = {}
    for file in files:
        by_dir.setdefault(os.path.dirname(file.real), []).append((file.real, file.display))
    documents: list[Document] = []
    for directory, members in by_dir.items():
        try:
            document = _module_document(
                directory, members, stdin, errors, settings.max_file_size, settings.all_websocket_ports
            )
        except Exception as exc:  # a bug of ours: this module is an internal error, the others go on
            errors.append(
                f"{members[0][1]}: internal error in the Terraform source: {type(exc).__name__}: {exc}; {BUG_HINT}"
            )
            continue
        if document is not None:
            documents.append(document)
    return documents, errors


def read_specs(
    files: list[tuple[str, str]], stdin: dict[str, bytes] | None = None, limit: int = textio.DEFAULT_LIMIT
) -> list[LoadBalancerSpec]:
    """The specs the files of one directory hold, given as (real path, display path)."""
    module = _read_module(os.path.dirname(files[0][0]), files, stdin or {}, [], limit)
    return [] if module is None else _ModuleReader(module).specs()


def _read_module(
    directory: str, members: list[tuple[str, str]], stdin: dict[str, bytes], errors: list[str], limit: int
) -> Module | None:
    tfs: list[TfFile] = []
    for real, display in members:
        tf = TfFile(real, display, linted=True)
        try:
            text = _read(real, stdin, limit)
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        except textio.DecodeError as exc:
            tf.error = Problem(
                kind="parse-error", location=Location(file=display, line=exc.line, column=1), message=exc.message
            )
            tfs.append(tf)
            continue
        _parse_file(tf, text)
        tfs.append(tf)
    if not tfs:
        return None
    known = {real for real, _ in members}
    display_dir = os.path.dirname(members[0][1])
    for real, display in _siblings(directory, display_dir, known):
        sibling = TfFile(real, display, linted=False)
        try:
            _parse_file(sibling, _read(real, stdin, limit))
        except (OSError, textio.DecodeError):
            sibling.error = Problem(kind="note", location=Location(file=display), message="unreadable")
        tfs.append(sibling)
    return Module(tfs, _tfvars_names(directory, limit))


def _module_document(
    directory: str,
    members: list[tuple[str, str]],
    stdin: dict[str, bytes],
    errors: list[str],
    limit: int,
    ports: frozenset[int] = aws_spec.WEB_PORTS,
) -> Document | None:
    module = _read_module(directory, members, stdin, errors, limit)
    if module is None:
        return None
    specs = _ModuleReader(module).specs()
    linted = [tf for tf in module.files if tf.linted]
    document = aws_spec.build(specs, file=linted[0].display, files=[tf.display for tf in linted], ports=ports)
    for tf in linted:
        if tf.error is not None:
            document.problems.append(tf.error)
    return document
