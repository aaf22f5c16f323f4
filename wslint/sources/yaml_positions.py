"""YAML and JSON with a line and column on every value, loaded safely.

PyYAML composes a document into nodes (with marks) without running any constructor; this
module turns those nodes into ``Node`` objects itself, so a tag never executes code:
``!!python/object`` and the like are a ``YamlError`` (a parse error for the caller), never
an object. CloudFormation's short tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If`` ...) become
the long forms a JSON template spells out (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), located
at the tag. Any other local tag (``!Rain::Embed``) becomes a one-key mapping named after the
tag, which readers treat as an unknown expression.

Aliases are expanded, within a budget: a "billion laughs" document is a ``YamlError`` after
``ALIAS_BUDGET`` repeated nodes, and a recursive alias is one at once.

JSON goes through the same composer (JSON is YAML in flow style): ``json.loads`` checks it
first, with JSON's own error messages, and tabs between tokens (which YAML refuses) are
replaced by spaces so columns stay put. Plain scalars in JSON keep JSON's meaning (``1e5`` is
a number).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from wslint import BUG_HINT, templating
from wslint.model import Document, Location, Problem, construct
from wslint.sources.registry import Target

if TYPE_CHECKING:
    from wslint.textblocks import Structure

Scalar = str | int | float | bool | None


def scalar_text(value: Scalar) -> str:
    """A scalar as YAML writes it, for messages: ``true``, not Python's ``True``."""
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


# repeated nodes an alias expansion may add, and how deep values may nest
ALIAS_BUDGET = 100_000
MAX_DEPTH = 200

YAML_TAG = "tag:yaml.org,2002:"
# CloudFormation's short tags and the key of their long form
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Sub",
            "GetAtt",
            "If",
            "Join",
            "Select",
            "Split",
            "FindInMap",
            "ImportValue",
            "Base64",
            "Cidr",
            "GetAZs",
            "Equals",
            "And",
            "Or",
            "Not",
            "Transform",
            "ToJsonString",
            "Length",
            "ForEach",
        )
    },
}


class YamlError(Exception):
    """A document that cannot be read: syntax, a forbidden tag, an alias bomb. Lines are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(eq=False)
class Node:
    """One value with where it is written (1-based; the end is exclusive, as PyYAML marks it).

    Exactly one of ``mapping`` (keys in document order), ``items`` or the scalar ``value`` is
    meaningful, by ``kind``. ``keys`` holds each mapping key's own node (for its position).
    """

    kind: str  # "map", "seq" or "scalar"
    line: int
    column: int
    end_line: int
    end_column: int
    value: Scalar = None
    items: list[Node] | None = None
    mapping: dict[str, Node] | None = None
    keys: dict[str, Node] | None = None

    @property
    def is_map(self) -> bool:
        return self.mapping is not None

    @property
    def is_seq(self) -> bool:
        return self.items is not None

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def get(self, key: str) -> Node | None:
        """The value under ``key`` of a mapping (None for a missing key or a non-mapping)."""
        return None if self.mapping is None else self.mapping.get(key)

    def key_node(self, key: str) -> Node | None:
        return None if self.keys is None else self.keys.get(key)

    def location(self, file: str) -> Location:
        # trusted ints and a str: no validation needed (as the nginx source builds its locations)
        return construct(
            Location, file=file, line=self.line, column=self.column, end_line=self.end_line, end_column=self.end_column
        )


def _mark(mark: Any) -> tuple[int, int]:
    return int(mark.line) + 1, int(mark.column) + 1


def _error(exc: yaml.YAMLError) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    message = str(problem or exc).strip()
    if context:
        message = f"{message} ({context})"
    if mark is None:
        return YamlError(message)
    line, column = _mark(mark)
    return YamlError(message, line, column)


class _Converter:
    """PyYAML nodes -> ``Node``; counts what aliases repeat and refuses cycles and unknown tags."""

    def __init__(self, json_mode: bool, originals: list[str] | None = None) -> None:
        self.json_mode = json_mode
        # the template placeholders masked in the text (templating.mask), put back in every scalar
        self.originals = originals or []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.repeats = 0
        self.constructor: Any = yaml.constructor.SafeConstructor()

    def convert(self, node: Any, depth: int = 0) -> Node:
        ident = id(node)
        if ident in self.seen:  # reached again through an alias
            if ident in self.active:
                raise YamlError("recursive alias: a value contains itself", *_mark(node.start_mark))
            self.repeats += 1
            if self.repeats > ALIAS_BUDGET:
                raise YamlError(
                    f"aliases expand to more than {ALIAS_BUDGET} repeated values (an alias bomb?)",
                    *_mark(node.start_mark),
                )
        else:
            self.seen.add(ident)
        if depth > MAX_DEPTH:
            raise YamlError(f"values nest deeper than {MAX_DEPTH} levels", *_mark(node.start_mark))
        self.active.add(ident)
        try:
            tag = node.tag or ""
            if tag.startswith(YAML_TAG):
                if tag.startswith("python", len(YAML_TAG)):
                    raise YamlError(f"tag {tag} is not allowed", *_mark(node.start_mark))
                return self._plain(node, depth)
            if tag in SHORT_TAGS:
                return self._intrinsic(SHORT_TAGS[tag], node, depth)
            if tag.startswith("!") and not tag.startswith("!!"):
                return self._intrinsic(tag, node, depth)  # an unknown local tag: an expression
            raise YamlError(f"tag {tag} is not allowed", *_mark(node.start_mark))
        finally:
            self.active.discard(ident)

    @staticmethod
    def _shell(node: Any, kind: str) -> Node:
        start, end = node.start_mark, node.end_mark
        return Node(kind, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def _intrinsic(self, name: str, node: Any, depth: int) -> Node:
        inner = self._plain(node, depth + 1)
        if name == "Fn::GetAtt" and inner.is_scalar and isinstance(inner.value, str) and "." in inner.value:
            resource, attribute = inner.value.split(".", 1)  # as CloudFormation reads !GetAtt A.B
            first, second = Node(**vars(inner)), Node(**vars(inner))
            first.value, second.value = resource, attribute
            inner = self._shell(node, "seq")
            inner.items = [first, second]
        outer = self._shell(node, "map")
        key = self._shell(node, "scalar")
        key.value = name
        outer.mapping = {name: inner}
        outer.keys = {name: key}
        return outer

    def _plain(self, node: Any, depth: int) -> Node:
        tag = str(node.tag or "")
        suffix = tag[len(YAML_TAG) :] if tag.startswith(YAML_TAG) else ""
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            out = self._shell(node, "seq")
            out.items = [self.convert(child, depth + 1) for child in node.value]
            return out
        out = self._shell(node, "scalar")
        out.value = self._scalar(node, suffix)
        return out

    def _scalar(self, node: Any, suffix: str) -> Scalar:
        raw = templating.unmask(str(node.value), self.originals)
        if self.json_mode and not node.style:  # a plain JSON scalar: number, true, false, null
            try:
                parsed = json.loads(raw)
            except ValueError:
                return raw
            return parsed if isinstance(parsed, (str, int, float, bool)) or parsed is None else raw
        try:
            if suffix == "int":
                return int(self.constructor.construct_yaml_int(node))
            if suffix == "float":
                return float(self.constructor.construct_yaml_float(node))
            if suffix == "bool":
                return bool(self.constructor.construct_yaml_bool(node))
        except (ValueError, yaml.YAMLError):
            return raw
        if suffix == "null":
            return None
        return raw  # str, timestamp, binary, ...: CloudFormation reads them as text

    def _mapping(self, node: Any, depth: int) -> Node:
        out = self._shell(node, "map")
        mapping: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if str(key_node.tag) == YAML_TAG + "merge":
                merged = self.convert(value_node, depth + 1)
                merges.extend(merged.items if merged.items is not None else [merged])
                continue
            key = self.convert(key_node, depth + 1)
            name = templating.unmask(str(key_node.value), self.originals) if key.is_scalar else _flat(key)
            mapping[name] = self.convert(value_node, depth + 1)
            keys[name] = key
        for merged in merges:  # YAML merge keys: explicit keys win, then earlier merged mappings
            if merged.mapping is None or merged.keys is None:
                raise YamlError("a merge key (<<) needs a mapping", merged.line, merged.column)
            for name, value in merged.mapping.items():
                if name not in mapping:
                    mapping[name] = value
                    keys[name] = merged.keys[name]
        out.mapping = mapping
        out.keys = keys
        return out


def _flat(node: Node) -> str:
    """A text for a key that is not a scalar (CloudFormation has none; YAML allows them)."""
    return json.dumps(to_python(node), default=str, sort_keys=True)


def to_python(node: Node) -> Any:
    """Plain dicts, lists and scalars (intrinsics in their long form), without positions."""
    if node.mapping is not None:
        return {key: to_python(value) for key, value in node.mapping.items()}
    if node.items is not None:
        return [to_python(item) for item in node.items]
    return node.value


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|\t', re.S)


def _untab(text: str) -> str:
    """JSON text with every tab outside a string made a space (YAML refuses tabs as separators)."""
    if "\t" not in text:
        return text
    return _JSON_TOKENS.sub(lambda m: " " if m.group(0) == "\t" else m.group(0), text)


def _from_data(data: Any, line: int = 1, column: int = 1) -> Node:
    """Nodes for JSON the YAML composer could not follow, all located at the start of the file."""
    node = Node(kind="scalar", line=line, column=column, end_line=line, end_column=column)
    if isinstance(data, dict):
        node.kind = "map"
        node.mapping = {str(k): _from_data(v) for k, v in data.items()}
        node.keys = {str(k): _from_data(str(k)) for k in data}
    elif isinstance(data, list):
        node.kind = "seq"
        node.items = [_from_data(v) for v in data]
    else:
        node.value = data
    return node


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _fast_loader() -> Any:
    """libyaml's parser (events) under PyYAML's own composer and resolver, when libyaml is there.

    libyaml parses about ten times faster; the composer stays PyYAML's Python one, whose
    recursion on deep nesting ends in a catchable RecursionError (libyaml's own composer
    recurses in C). Neither ever constructs a Python object from a tag.
    """
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    def init(self: Any, stream: str) -> None:
        CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    return type("_FastComposer", (yaml.composer.Composer, CParser, yaml.resolver.Resolver), {"__init__": init})


_FAST = _fast_loader()


def _compose(text: str) -> Any:
    """The document's node graph (composition only: no constructor ever runs)."""
    loader: Any = _FAST(text) if _FAST is not None else yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load(text: str) -> Node | None:
    """The document in ``text`` (YAML, or JSON when it starts with ``{`` or ``[``) as located nodes.

    None for an empty document. Raises ``YamlError`` for anything that cannot be read; text that
    looks like JSON must be JSON (a trailing comma YAML would forgive is an error).
    """
    if looks_like_json(text):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise YamlError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise YamlError("invalid JSON: values nest too deeply") from None
        try:
            composed = _compose(_untab(text))
        except yaml.YAMLError:
            try:
                return _from_data(data)  # valid JSON that YAML reads differently: values without places
            except RecursionError:
                raise YamlError("values nest too deeply") from None
        except RecursionError:
            raise YamlError("values nest too deeply") from None
        node = None if composed is None else _Converter(json_mode=True).convert(composed)
        if node is None or to_python(node) != data:
            return _from_data(data)  # YAML read it differently (it never should): JSON's values win
        return node
    text, originals = templating.mask(text)
    try:
        composed = _compose(text)
    except yaml.YAMLError as exc:
        raise _error(exc) from None
    except RecursionError:
        raise YamlError("values nest too deeply") from None
    if composed is None:
        return None
    return _Converter(json_mode=False, originals=originals).convert(composed)


def load_all(text: str) -> list[Node]:
    """Every document of a multi-document YAML stream (``---`` between them), as located nodes.

    Empty documents are left out. JSON is one document. Raises ``YamlError`` as ``load`` does.
    """
    if looks_like_json(text):
        node = load(text)
        return [] if node is None else [node]
    text, originals = templating.mask(text)
    loader: Any = _FAST(text) if _FAST is not None else yaml.SafeLoader(text)
    nodes: list[Node] = []
    try:
        while loader.check_node():
            composed = loader.get_node()
            node = None if composed is None else _Converter(json_mode=False, originals=originals).convert(composed)
            if node is not None and not (node.is_scalar and node.value is None):
                nodes.append(node)
    except yaml.YAMLError as exc:
        raise _error(exc) from None
    except RecursionError:
        raise YamlError("values nest too deeply") from None
    finally:
        loader.dispose()
    return nodes


def read_text(real: str, settings_max_size: int, stdin: dict[str, bytes]) -> str:
    """The text of a file (or of what stdin stood for), within max-file-size.

    Raises OSError when it cannot be read and ``YamlError`` when it is too large or not UTF-8.
    """
    from wslint.sources import text as textio

    try:
        return textio.read_text(real, settings_max_size, stdin)
    except textio.DecodeError as exc:
        raise YamlError(exc.message, exc.line) from None


def load_each(
    files: Sequence[Target],
    max_size: int,
    stdin: dict[str, bytes],
    read_one: Callable[[str, str, bool], Document],
    what: str,
) -> tuple[list[Document], list[str]]:
    """Read each file and hand its text (with its display name and whether it was named) to ``read_one``.

    An unreadable path is an error line; text the loader refuses is a WS001 document;
    a bug in ``read_one`` is an internal error for that file, and the others go on.
    """
    from wslint.sources import aws_spec

    documents: list[Document] = []
    errors: list[str] = []
    for real, display, named in ((f.real, f.display, f.named) for f in files):
        try:
            text = read_text(real, max_size, stdin)
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        except YamlError as exc:
            document = aws_spec.build([], display)
            document.problems.append(
                Problem(kind="parse-error", location=Location(file=display, line=exc.line), message=exc.message)
            )
            documents.append(document)
            continue
        try:
            documents.append(read_one(text, display, named))
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(f"{display}: internal error in the {what} source: {type(exc).__name__}: {exc}; {BUG_HINT}")
    return documents, errors


def json_blocks(text: str) -> Structure:
    """JSON's keys as statements, nested as blocks (wslint.textblocks' ``none`` style; JSON has no comments).

    Text that is not JSON, or that this loader refuses, has no structure.
    """
    from wslint.textblocks import Statement, Structure

    out = Structure()
    if not looks_like_json(text):
        return out
    try:
        root = load(text)
    except (YamlError, RecursionError):
        return out
    if root is None:
        return out

    def scalar(node: Node) -> str:
        value = node.value
        return value if isinstance(value, str) else "null" if value is None else str(value).lower()

    def last_line(node: Node) -> int:
        return node.end_line - 1 if node.end_column == 1 and node.end_line > node.line else node.end_line

    def walk(node: Node, parent: Statement | None) -> None:
        if node.mapping is not None and node.keys is not None:
            for name, value in node.mapping.items():
                key = node.keys[name]
                if value.is_scalar:
                    text = f"{name}: {scalar(value)}"
                    out.statements.append(Statement(key.line, key.column, last_line(value), text, parent=parent))
                    continue
                header = Statement(key.line, key.column, key.line, name, last_line(value), parent)
                out.statements.append(header)
                walk(value, header)
        elif node.items is not None:
            for item in node.items:
                label = "-"
                if item.is_scalar:
                    label = f"- {scalar(item)}"
                elif item.mapping:
                    first, value = next(iter(item.mapping.items()))
                    label = f"- {first}: {scalar(value)}" if value.is_scalar else f"- {first}"
                if item.is_scalar:
                    out.statements.append(Statement(item.line, item.column, last_line(item), label, parent=parent))
                    continue
                header = Statement(item.line, item.column, item.line, label, last_line(item), parent)
                out.statements.append(header)
                walk(item, header)

    walk(root, None)
    out.statements.sort(key=lambda s: (s.line, s.column))
    return out
