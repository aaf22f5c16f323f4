"""HCL (``.tf``) -> blocks (``terraform_blocks``), through python-hcl2's lark tree.

The only module that imports python-hcl2 (and lark): ``wslint.sources.terraform`` imports it,
and the engine imports that only when a Terraform file is linted. Line and column numbers
come from the lark tree (``parses_to_tree``; its ``with_meta`` does nothing in 8.x),
``object_elem`` nodes inside maps included.

checkov's fork, bc-python-hcl2, installs a module of the same name, ``hcl2``, without
``parses_to_tree``: with both in one environment the module is whichever was installed last (or
a mix of both). That is checked once, when this module is imported, and ``parse_hcl`` then raises
``Hcl2Unavailable`` (one line: what happened and how to fix it) instead of an AttributeError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from wslint.model import Location
from wslint.sources.terraform_blocks import Attr, Block, Expr, SyntaxProblem, location


class Hcl2Unavailable(Exception):
    """python-hcl2's ``hcl2`` module is missing or is another package's: no ``.tf`` file can be read."""


def _python_hcl2() -> tuple[Callable[[str], Any] | None, str]:
    """python-hcl2's ``parses_to_tree``, or None and why not (a feature check: the other package lacks it)."""
    try:
        import hcl2
    except ImportError as exc:
        return None, f"the module hcl2 does not import ({exc})"
    parse = getattr(hcl2, "parses_to_tree", None)
    return (parse, "") if callable(parse) else (None, "the module hcl2 has no parses_to_tree")


def _clash_message(why: str) -> str:
    """One line: which packages install ``hcl2`` here, and how to give wslint an environment of its own."""
    from importlib.metadata import packages_distributions  # only when it went wrong: it reads every dist-info

    others = sorted({name for name in packages_distributions().get("hcl2", []) if name.lower() != "python-hcl2"})
    if others:
        cause = (
            f"the Python module hcl2 here is not python-hcl2's: {', '.join(others)} (checkov's fork) installs a"
            " module of the same name"
        )
    else:
        cause = f"python-hcl2 is missing or broken ({why})"
    return (
        f"cannot read Terraform .tf files: {cause}; install wslint in an environment of its own:"
        " `pipx install wslint` or `uvx wslint`"
    )


_PARSES_TO_TREE, _WHY = _python_hcl2()
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def parse_hcl(text: str, display: str) -> list[Block]:
    if _PARSES_TO_TREE is None:
        raise Hcl2Unavailable(_clash_message(_WHY))
    try:
        tree = _PARSES_TO_TREE(text)
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise _unclosed(text) from None
        shown = str(token.value).split("\n", 1)[0].strip()[:30]
        what = repr(shown) if shown else "end of line"
        raise SyntaxProblem(f"unexpected {what}", int(exc.line), int(exc.column)) from None
    except UnexpectedCharacters as exc:
        raise SyntaxProblem(f"unexpected character {exc.char!r}", int(exc.line), int(exc.column)) from None
    except UnexpectedEOF:
        raise _unclosed(text) from None
    except UnexpectedInput as exc:
        raise SyntaxProblem(str(exc).split("\n", 1)[0], int(exc.line or 1), int(exc.column or 1)) from None
    return _HclReader(display).body(tree.children[0])[1]


def _unclosed(text: str) -> SyntaxProblem:
    """The end of the file reached inside a block, string or bracket: at the end of its last line."""
    lines = text.rstrip("\n").split("\n")
    return SyntaxProblem(
        "unexpected end of file: a block, string or bracket is not closed", len(lines), len(lines[-1]) + 1
    )


class _HclReader:
    def __init__(self, file: str) -> None:
        self.file = file

    def loc(self, node: Any) -> Location:
        if isinstance(node, Token):
            return location(self.file, node.line or 1, node.column or 1, node.end_line, node.end_column)
        meta = node.meta
        if getattr(meta, "empty", True):
            return location(self.file, 1, 1)
        return location(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

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
