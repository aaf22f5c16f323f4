"""Terraform's JSON syntax (``.tf.json``) -> blocks (``terraform_blocks``), with positions.

A small position-tracking JSON reader (``JsonReader``; the standard library's keeps no
positions), and Terraform's JSON rules over it: which keys are nested blocks, which strings
are templates, what a ``"${var.x}"`` names.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from wslint.model import Location
from wslint.sources.terraform_blocks import Attr, Block, Expr, Scalar, SyntaxProblem, location

# nested blocks of the resources read (in .tf.json a nested block is a JSON object or array)
BLOCK_NAMES = frozenset(
    "listener health_check default_action action forward target_group redirect fixed_response stickiness "
    "condition dynamic content lifecycle access_logs connection_logs subnet_mapping timeouts "
    "authenticate_cognito authenticate_oidc jwt_validation mutual_authentication "
    # azurerm (terraform_azure)
    "backend_http_settings request_routing_rule url_path_map path_rule cache".split()
)
_JSON_REF = re.compile(r"^\$\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+)\s*\}$")
_TRAVERSAL = re.compile(r"(?<![\w.-])([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)")


@dataclass
class _J:
    kind: str  # obj, arr, str, num, lit
    pos: int
    value: Scalar = None
    items: list[tuple[str, int, _J]] = field(default_factory=list)
    elems: list[_J] = field(default_factory=list)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")


class JsonReader:
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
            self.members("}", lambda: node.items.append(self.member(depth)))
            return node
        if char == "[":
            node = _J("arr", start)
            self.members("]", lambda: node.elems.append(self.value(depth + 1)))
            return node
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

    def members(self, close: str, read_one: Callable[[], None]) -> None:
        """The comma-separated members of an object or array, from its opening bracket to ``close``."""
        self.i += 1
        self.skip()
        if self.text.startswith(close, self.i):
            self.i += 1
            return
        while True:
            read_one()
            self.skip()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith(close, self.i):
                self.i += 1
                return
            raise self.fail(f"expected ',' or '{close}'", self.i)

    def member(self, depth: int) -> tuple[str, int, _J]:
        """``"key": value`` in an object."""
        self.skip()
        if not self.text.startswith('"', self.i):
            raise self.fail("expected a quoted key", self.i)
        key_pos = self.i
        key = self.string()
        self.skip()
        if not self.text.startswith(":", self.i):
            raise self.fail("expected ':'", self.i)
        self.i += 1
        return key, key_pos, self.value(depth + 1)

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
        return location(self.file, line, pos - self.starts[line - 1] + 1)

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


def parse_json(text: str, display: str) -> list[Block]:
    return _JsonTf(text, display).blocks(JsonReader(text).document())
