"""Fixes for AWS load balancers: the Terraform and CloudFormation side of WS201/WS301.

``set_idle_timeout`` writes a load balancer's idle timeout (ALB ``idle_timeout`` /
``idle_timeout.timeout_seconds``, Classic ELB ``idle_timeout`` / ``ConnectionSettings.IdleTimeout``)
or a TCP listener's ``tcp.idle_timeout.seconds`` (Terraform ``tcp_idle_timeout_seconds``, CloudFormation
``ListenerAttributes``) in whole seconds, within AWS's range for that kind (FACTS.md §A.1, A.5, A.6).

- A value written as a literal is replaced in place, keeping its form (a number stays a number,
  ``"30"`` becomes ``"3600"``). Anything else (a variable, a parameter, an expression) is never
  rewritten: the fix says where the value comes from.
- A default (nothing written) gets the setting inserted into the block the model names:
  Terraform, a new argument after the block's last argument before its nested blocks, aligned
  as ``terraform fmt`` aligns its neighbours; CloudFormation YAML, a ``Key``/``Value`` item
  appended to the attribute list (laid out and quoted as the template's own items), or the
  property added at the end of ``Properties``; JSON (CloudFormation and ``.tf.json``), a member
  appended after the last one, with its comma, indented as its siblings.

Files are read as text and positions come from the project's own readers (textblocks for
Terraform, wslint.sources.yaml_positions for YAML and JSON); nothing is ever re-serialised.
Kubernetes annotations, saved AWS CLI output and live load balancers are not fixed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from wslint.discover import HEAD_BYTES, detect_kind
from wslint.fix import Context, Unfixable
from wslint.fix.text import Edit, FileText
from wslint.hops import ALB, ELB, NLB, HopKind
from wslint.model import AwsRoute, Duration, Route, format_seconds
from wslint.sources import aws_spec
from wslint.sources.cloudformation import intrinsic
from wslint.sources.yaml_positions import Node, YamlError, load
from wslint.textblocks import Statement

# AWS's range for each kind's idle timeout (FACTS.md §A.1, A.5, A.6)
RANGES: dict[HopKind, tuple[int, int]] = {
    ALB: aws_spec.ALB_IDLE[1:],
    NLB: aws_spec.NLB_IDLE[1:],
    ELB: aws_spec.CLB_IDLE[1:],
}
LABELS = {ALB: "an ALB's", NLB: "an NLB listener's", ELB: "a Classic ELB's"}
# Terraform's argument for each setting the model names
TF_ARGUMENTS = {"idle_timeout": "idle_timeout", aws_spec.NLB_IDLE_KEY: "tcp_idle_timeout_seconds"}
# arguments that conventionally close a block's argument list: a new one goes before them
TF_LAST = frozenset({"tags", "tags_all", "depends_on", "provider"})
_HCL_ARGUMENT = re.compile(r"([A-Za-z_][\w-]*)(\s*)=(?!=)")
_HCL_NUMBER = re.compile(r'\s*("?)(\d+)\1(?=\s*(?:$|#|//|/\*|\}))')
_DIGITS = re.compile(r"""(["']?)(\d+)\1""")


@dataclass
class _Setting:
    kind: HopKind  # ALB, NLB, ELB
    route: Route | None
    seconds: int


def set_idle_timeout(context: Context, duration: Duration, seconds: float) -> list[Edit]:
    """Write ``seconds`` where ``duration`` is written, or insert it where its default applies."""
    where = duration.location
    if where.line is None:
        raise Unfixable("a live load balancer has no file to edit: change it where it is defined")
    form = _form(context.read(where.file))
    setting = _setting(context, duration, seconds)
    text = context.text(where.file)
    if form == "hcl":
        return _Terraform(text, duration, setting).edits()
    if form == "tf.json":
        return _TerraformJson(text, duration, setting).edits()
    return _CloudFormation(text, duration, setting).edits()


# -- what and where ---------------------------------------------------------------------------------------------


def _routes(context: Context, duration: Duration) -> Iterator[tuple[HopKind, Route]]:
    for hop, route in context.model.routes():
        if route.idle_timeout == duration:
            yield hop.kind, route


def _setting(context: Context, duration: Duration, seconds: float) -> _Setting:
    """The kind of load balancer, a route it serves, and the whole seconds to write (within AWS's range)."""
    found = next(_routes(context, duration), None)
    if found is not None:
        kind, route = found
    else:
        kind, route = (
            {aws_spec.NLB_IDLE_KEY: NLB, "ConnectionSettings.IdleTimeout": ELB}.get(duration.directive, ALB),
            None,
        )
    if kind not in RANGES:
        raise Unfixable(f"no idle timeout to write for a {kind} hop")
    value = math.ceil(seconds)
    low, high = RANGES[kind]
    target = math.ceil(context.settings.fix_idle_timeout)
    if value > high:
        if value > target:
            why = f"twice the ping interval needs {value} s: ping at most every {format_seconds(high / 2)}"
        else:
            why = f"lower fix-idle-timeout (now {format_seconds(target)}) to {high} s or less"
        raise Unfixable(f"{value} s is above {LABELS[kind]} maximum idle timeout of {high} s: {why}")
    value = max(value, low)
    if value < duration.seconds:
        raise Unfixable(
            f"fix-idle-timeout {format_seconds(value)} is below the {format_seconds(duration.seconds)} "
            "already in effect: raise fix-idle-timeout"
        )
    protocol = route.dialect.protocol if route is not None and isinstance(route.dialect, AwsRoute) else None
    if kind is NLB and protocol not in (None, "TCP"):
        raise Unfixable(
            f"the listener is {protocol}: only a TCP listener's idle timeout can be changed (AWS: a TLS "
            "listener's is 350 seconds and can't be modified); ping at most every 2m55s, or use a TCP listener"
        )
    return _Setting(kind, route, value)


def _form(text: FileText) -> str:
    """hcl, tf.json or cloudformation; Unfixable for the AWS inputs wslint does not edit."""
    name = text.file.lower()
    if name.endswith(".tf"):
        return "hcl"
    if name.endswith(".tf.json"):
        return "tf.json"
    kind = detect_kind(text.file, text.text[:HEAD_BYTES])
    if kind == "kubernetes":
        raise Unfixable("a Kubernetes annotation: wslint does not edit annotations; set the value by hand")
    if kind == "awscli":
        raise Unfixable(
            "saved AWS CLI output describes a load balancer, it does not configure one: "
            "change the load balancer where it is defined"
        )
    return "cloudformation"


def _number(text: str, value: int) -> str:
    """``value`` in the form of a written number ``text`` (``30`` -> ``3600``, ``"30"`` -> ``"3600"``)."""
    match = _DIGITS.fullmatch(text.strip())
    if match is None:
        raise Unfixable(f"{text.strip()!r} is not a whole number written here")
    return f"{match.group(1)}{value}{match.group(1)}"


def _not_literal(name: str, expression: str) -> Unfixable:
    shown = expression if len(expression) <= 60 else expression[:57] + "..."
    return Unfixable(
        f"{name} comes from `{shown}`, not a number written here: wslint does not rewrite expressions, "
        "variables or parameters; change the value where it is defined"
    )


# -- Terraform (HCL) --------------------------------------------------------------------------------------------


def _argument(statement: Statement) -> str | None:
    """The name of a ``name = value`` statement, else None."""
    match = _HCL_ARGUMENT.match(statement.text)
    return match.group(1) if match and statement.block_end is None else None


class _Writer:
    """Writes one setting into one file's text."""

    def __init__(self, text: FileText, duration: Duration, setting: _Setting) -> None:
        self.text = text
        self.duration = duration
        self.setting = setting


def _tf_argument(duration: Duration) -> str:
    """The Terraform argument that holds a duration's setting."""
    name = TF_ARGUMENTS.get(duration.directive)
    if name is None:
        raise Unfixable(f"wslint does not know the Terraform argument for {duration.directive}")
    return name


class _Terraform(_Writer):
    def __init__(self, text: FileText, duration: Duration, setting: _Setting) -> None:
        super().__init__(text, duration, setting)
        self.structure = text.structure("hcl")
        self.name = _tf_argument(duration)

    def edits(self) -> list[Edit]:
        where = self.duration.location
        statement = self.structure.statement_at(where.line or 1, where.column)
        if statement is None:
            raise Unfixable(f"cannot find the Terraform block or argument at {where}")
        if self.duration.default:
            return [self.insert(statement)]
        return [self.replace(statement)]

    def replace(self, statement: Statement) -> Edit:
        if _argument(statement) != self.name:
            raise Unfixable(f"cannot find `{self.name} =` at {self.duration.location}")
        text = self.text
        line = text.line(statement.line)
        equals = _HCL_ARGUMENT.match(line, statement.column - 1)
        if equals is None:
            raise Unfixable(f"cannot find `{self.name} =` at {self.duration.location}")
        value = _HCL_NUMBER.match(line, equals.end())
        if value is None or statement.end_line != statement.line:
            raise _not_literal(self.name, statement.text.split("=", 1)[1].strip())
        return text.replace(statement.line, value.start(2) + 1, value.group(2), str(self.setting.seconds))

    def insert(self, block: Statement) -> Edit:
        text, name = self.text, self.name
        if block.block_end is None or block.line != self.duration.location.line:
            # a module's listener map element, say: an argument inside a value, not a block
            raise Unfixable(f"{block.text.split(' =', 1)[0]} is not a block wslint can add `{name}` to; add it by hand")
        if block.block_end <= block.end_line:
            raise Unfixable(f"the block at {text.file}:{block.line} is written on one line")
        if self.setting.kind is NLB and not block.text.startswith("resource"):
            raise Unfixable(f"the listener is part of {block.text}: set {name} in its definition by hand")
        children = self.structure.children(block)
        arguments = [s for s in children if _argument(s) is not None]
        if any(_argument(s) == name for s in arguments):
            raise Unfixable(f"{block.text} already has `{name}`, but not one wslint can read as whole seconds")
        nested = [s for s in children if s.block_end is not None]
        first_block = nested[0] if nested else None
        before = [s for s in arguments if first_block is None or s.line < first_block.line]
        anchors = [s for s in before if _argument(s) not in TF_LAST] or before
        if anchors:
            anchor = anchors[-1]
            return text.after_line(anchor.last_line, self.lines(anchor, children), text.indent(anchor.line))
        line = f"{name} = {self.setting.seconds}"
        if first_block is not None:
            return text.before_line(first_block.line, [line, ""], text.indent(first_block.line))
        closing = text.line(block.block_end)
        if closing.strip() != "}":
            raise Unfixable(f"the block at {text.file}:{block.line} does not end with `}}` on a line of its own")
        indent = text.indent(block.line)
        return text.before_line(block.block_end, [line], indent + text.unit(indent))

    def lines(self, anchor: Statement, children: list[Statement]) -> list[str]:
        """The new argument as ``terraform fmt`` would leave it among its neighbours.

        fmt aligns the ``=`` of consecutive one-line arguments: the new line takes the group's
        column when its name fits, else blank lines make it a group of its own (so no other line
        has to move). A file whose arguments are not aligned gets ``name = value``.
        """
        name, value = self.name, str(self.setting.seconds)
        at = anchor.last_line

        def single(s: Statement) -> bool:
            return _argument(s) is not None and s.end_line == s.line

        above: list[Statement] = []
        if single(anchor):
            index = children.index(anchor)
            while index >= 0 and single(children[index]) and children[index].line == at - len(above):
                above.append(children[index])
                index -= 1
        below: list[Statement] = []
        index = children.index(anchor) + 1
        while index < len(children) and single(children[index]) and children[index].line == at + 1 + len(below):
            below.append(children[index])
            index += 1
        group = above + below
        if not group:
            # after a multi-line map or list: a paragraph of its own
            return ["", f"{name} = {value}"] if anchor.last_line > anchor.line else [f"{name} = {value}"]
        widths = [len(_argument(s) or "") for s in group]
        columns = {self.text.line(s.line).index("=", s.column - 1) - (s.column - 1) for s in group}
        width = max(widths)
        if columns != {width + 1}:  # not aligned as fmt aligns: write it plainly
            return [f"{name} = {value}"]
        if len(name) <= width:
            return [f"{name.ljust(width)} = {value}"]
        return [*([""] if above else []), f"{name} = {value}", *([""] if below else [])]


# -- YAML and JSON (CloudFormation, .tf.json) -------------------------------------------------------------------


def _load(text: FileText) -> Node:
    try:
        root = load(text.text)
    except (YamlError, RecursionError) as exc:
        raise Unfixable(f"{text.file} cannot be read: {exc}") from None
    if root is None or root.mapping is None:
        raise Unfixable(f"{text.file} holds no mapping")
    return root


def _walk(node: Node) -> Iterator[tuple[Node | None, str | None, Node]]:
    """Every (mapping, key, value) and (None, None, item) below ``node``, in document order."""
    if node.mapping is not None:
        for key, value in node.mapping.items():
            yield node, key, value
            yield from _walk(value)
    elif node.items is not None:
        for item in node.items:
            yield None, None, item
            yield from _walk(item)


def _member_at(root: Node, line: int, column: int) -> tuple[Node, str, Node]:
    """The mapping, key and value whose key is written at (line, column)."""
    for parent, key, value in _walk(root):
        if parent is None or key is None:
            continue
        node = parent.key_node(key)
        if node is not None and (node.line, node.column) == (line, column):
            return parent, key, value
    raise Unfixable(f"cannot find the key written at line {line}, column {column}")


def _node_at(root: Node, line: int, column: int) -> Node:
    for _, _, value in _walk(root):
        if (value.line, value.column) == (line, column) and value.is_scalar:
            return value
    raise Unfixable(f"cannot find the value written at line {line}, column {column}")


def _span(text: FileText, node: Node) -> str:
    return text.text[text.offset(node.line, node.column) : text.offset(node.end_line, node.end_column)]


def _replace_scalar(text: FileText, node: Node, name: str, value: int) -> Edit:
    """The literal ``node`` replaced by ``value`` in the same form (quoted or not)."""
    if not node.is_scalar or node.end_line != node.line:
        raise _not_literal(name, _span(text, node).strip() if node.line == node.end_line else "an expression")
    written = _span(text, node)
    if not _DIGITS.fullmatch(written):
        raise _not_literal(name, written)
    return Edit(text.file, node.line, node.column, node.end_line, node.end_column, _number(written, value))


def _check_key(text: FileText, key: Node, name: str) -> None:
    """The key node is really written at its place (JSON that YAML could not compose has no places)."""
    line = text.line(key.line)[key.column - 1 :]
    if not (line.startswith(name) or line.startswith(f'"{name}"') or line.startswith(f"'{name}'")):
        raise Unfixable(f"cannot place the change safely in {text.file}")


def _last_member(text: FileText, mapping: Node) -> tuple[Node, Node]:
    """The key and value nodes of a mapping's last member (in text order)."""
    if not mapping.mapping or mapping.keys is None:
        raise Unfixable(f"the mapping at {text.file}:{mapping.line} is empty")
    members = [(mapping.keys[k], v) for k, v in mapping.mapping.items() if k in mapping.keys]
    key, value = max(members, key=lambda kv: (kv[1].end_line, kv[1].end_column))
    return key, value


class _JsonText:
    """Members appended to JSON objects and arrays, indented as their siblings."""

    def __init__(self, text: FileText) -> None:
        self.text = text

    def indent_of(self, node: Node) -> str | None:
        """The indentation before ``node`` when it starts its line, else None."""
        before = self.text.line(node.line)[: node.column - 1]
        return before if not before.strip() else None

    def render(self, value: object, indent: str, unit: str) -> str:
        eol = self.text.eol
        rendered = json.dumps(value, indent=unit if unit.strip() == "" and unit else None)
        return rendered.replace("\n", eol + indent)

    def unit(self, container: Node, indent: str) -> str:
        outer = self.text.indent(container.line)
        return indent[len(outer) :] if indent.startswith(outer) and len(indent) > len(outer) else self.text.unit()

    def add_member(self, mapping: Node, key: str, value: object) -> Edit:
        last_key, last_value = _last_member(self.text, mapping)
        _check_key(self.text, last_key, next(k for k, n in (mapping.keys or {}).items() if n is last_key))
        indent = self.indent_of(last_key)
        if indent is None:  # the object is written on one line
            body = f", {json.dumps(key)}: {json.dumps(value)}"
        else:
            unit = self.unit(mapping, indent)
            body = f",{self.text.eol}{indent}{json.dumps(key)}: {self.render(value, indent, unit)}"
        return self.text.insert(last_value.end_line, last_value.end_column, body)

    def add_item(self, sequence: Node, item: str | object) -> Edit:
        """``item`` (a JSON text copied from a sibling, or a value to render) after the last item."""
        if not sequence.items:
            raise Unfixable(f"the list at {self.text.file}:{sequence.line} is empty")
        last = sequence.items[-1]
        indent = self.indent_of(last)
        text = item if isinstance(item, str) else None
        if indent is None:
            body = ", " + (text if text is not None else json.dumps(item))
        else:
            unit = self.unit(sequence, indent)
            body = f",{self.text.eol}{indent}" + (text if text is not None else self.render(item, indent, unit))
        return self.text.insert(last.end_line, last.end_column, body)


def _simple_item(item: Node) -> bool:
    """A ``{Key: literal, Value: literal}`` attribute item."""
    mapping = item.mapping
    return (
        mapping is not None
        and set(mapping) == {"Key", "Value"}
        and all(v.is_scalar and v.line == v.end_line for v in mapping.values())
    )


# -- Terraform JSON ---------------------------------------------------------------------------------------------


class _TerraformJson(_Writer):
    def __init__(self, text: FileText, duration: Duration, setting: _Setting) -> None:
        super().__init__(text, duration, setting)
        self.name = _tf_argument(duration)

    def edits(self) -> list[Edit]:
        where = self.duration.location
        root = _load(self.text)
        parent, key, value = _member_at(root, where.line or 1, where.column or 1)
        _check_key(self.text, parent.keys[key] if parent.keys else value, key)
        if not self.duration.default:
            if key != self.name:
                raise Unfixable(f"cannot find {self.name!r} at {where}")
            if not value.is_scalar or (isinstance(value.value, str) and not value.value.strip().isdigit()):
                raise _not_literal(self.name, _span(self.text, value) if value.is_scalar else "an expression")
            return [_replace_scalar(self.text, value, self.name, self.setting.seconds)]
        if value.mapping is None:
            raise Unfixable(f"the block {key!r} at {where} is not one JSON object")
        if self.name in value.mapping:
            raise Unfixable(f"{key!r} already has {self.name!r}, but not one wslint can read as whole seconds")
        return [_JsonText(self.text).add_member(value, self.name, self.setting.seconds)]


# -- CloudFormation -------------------------------------------------------------------------------------------


class _CloudFormation(_Writer):
    def __init__(self, text: FileText, duration: Duration, setting: _Setting) -> None:
        super().__init__(text, duration, setting)
        self.json = text.text.lstrip()[:1] in ("{", "[")
        self.root = _load(text)

    def edits(self) -> list[Edit]:
        where = self.duration.location
        if not self.duration.default:
            node = _node_at(self.root, where.line or 1, where.column or 1)
            return [_replace_scalar(self.text, node, self.duration.directive, self.setting.seconds)]
        resources = self.root.get("Resources")
        if resources is None or resources.mapping is None:
            raise Unfixable(f"{self.text.file} has no Resources")
        _, name, body = _member_at(resources, where.line or 1, where.column or 1)
        if body.mapping is None:
            raise Unfixable(f"resource {name} is not a mapping")
        properties = body.get("Properties")
        if properties is not None and (properties.mapping is None or self._intrinsic(properties)):
            raise Unfixable(f"the Properties of {name} are not a mapping wslint can add to")
        if self.setting.kind is ELB:
            return [self.connection_settings(name, body, properties)]
        prop = "ListenerAttributes" if self.setting.kind is NLB else "LoadBalancerAttributes"
        key = aws_spec.NLB_IDLE_KEY if self.setting.kind is NLB else aws_spec.ALB_IDLE_KEY
        return [self.attribute(name, body, properties, prop, key)]

    @staticmethod
    def _intrinsic(node: Node) -> bool:
        return intrinsic(node) is not None

    def _flow(self, node: Node) -> bool:
        return self.text.line(node.line)[node.column - 1 : node.column] in ("{", "[")

    # -- ALB LoadBalancerAttributes, NLB ListenerAttributes --

    def attribute(self, name: str, body: Node, properties: Node | None, prop: str, key: str) -> Edit:
        value = str(self.setting.seconds)
        attributes = properties.get(prop) if properties is not None else None
        if attributes is not None and (attributes.items is None or self._intrinsic(attributes)):
            raise Unfixable(f"the {prop} of {name} are not a list wslint can add to")
        if self.json:
            writer = _JsonText(self.text)
            if attributes is not None:
                template = next((i for i in reversed(attributes.items or []) if _simple_item(i)), None)
                if template is not None:
                    return writer.add_item(attributes, self._copy(template, key, value))
                return writer.add_item(attributes, {"Key": key, "Value": value})
            item = {prop: [{"Key": key, "Value": value}]}
            if properties is None:
                return writer.add_member(body, "Properties", item)
            return writer.add_member(properties, prop, item[prop])
        style = self._item_style(attributes, prop)
        if attributes is not None:
            if self._flow(attributes):
                raise Unfixable(f"the {prop} of {name} are written in flow style ([...]): add the item by hand")
            dash = self._dash((attributes.items or [attributes])[0])
            if dash is None:
                raise Unfixable(f"cannot read the layout of the {prop} list of {name}")
            return self._after(self._key_of(properties, prop), style.item(dash, key, value))
        if properties is None:
            indent = self._indent_of_keys(body)
            unit = self._unit(body)
            lines = ["Properties:", f"{unit}{prop}:", *style.item(unit + style.offset, key, value)]
            return self._after(self._last_key(body), [indent + line for line in lines])
        indent = self._indent_of_keys(properties)
        lines = [f"{prop}:", *style.item(style.offset, key, value)]
        return self._after(self._key_of(body, "Properties"), [indent + line for line in lines])

    def _copy(self, template: Node, key: str, value: str) -> str:
        """A JSON item's text with its Key and Value replaced, in the template's own layout."""
        mapping = template.mapping or {}
        start = self.text.offset(template.line, template.column)
        spans = sorted(
            (self.text.offset(n.line, n.column), self.text.offset(n.end_line, n.end_column), new)
            for n, new in (
                (mapping["Key"], json.dumps(key)),
                (mapping["Value"], self._json_value(mapping["Value"], value)),
            )
        )
        out, at = [], start
        for begin, end, new in spans:
            out.append(self.text.text[at:begin])
            out.append(new)
            at = end
        out.append(self.text.text[at : self.text.offset(template.end_line, template.end_column)])
        return "".join(out)

    def _json_value(self, node: Node, value: str) -> str:
        return json.dumps(value) if _span(self.text, node).startswith('"') else value

    # -- Classic ELB ConnectionSettings.IdleTimeout --

    def connection_settings(self, name: str, body: Node, properties: Node | None) -> Edit:
        seconds = self.setting.seconds
        settings = properties.get("ConnectionSettings") if properties is not None else None
        if settings is not None and (settings.mapping is None or self._intrinsic(settings)):
            raise Unfixable(f"the ConnectionSettings of {name} are not a mapping wslint can add to")
        if self.json:
            writer = _JsonText(self.text)
            if settings is not None:
                return writer.add_member(settings, "IdleTimeout", seconds)
            if properties is None:
                return writer.add_member(body, "Properties", {"ConnectionSettings": {"IdleTimeout": seconds}})
            return writer.add_member(properties, "ConnectionSettings", {"IdleTimeout": seconds})
        if settings is not None:
            if self._flow(settings) or not settings.mapping:
                raise Unfixable(f"the ConnectionSettings of {name} are written in flow style: add IdleTimeout by hand")
            indent = self._indent_of_keys(settings)
            return self._after(self._key_of(properties, "ConnectionSettings"), [f"{indent}IdleTimeout: {seconds}"])
        unit = self._unit(body)
        if properties is None:
            indent = self._indent_of_keys(body)
            lines = ["Properties:", f"{unit}ConnectionSettings:", f"{unit * 2}IdleTimeout: {seconds}"]
            return self._after(self._last_key(body), [indent + line for line in lines])
        indent = self._indent_of_keys(properties)
        lines = ["ConnectionSettings:", f"{unit}IdleTimeout: {seconds}"]
        return self._after(self._key_of(body, "Properties"), [indent + line for line in lines])

    # -- YAML layout --

    def _key_of(self, mapping: Node | None, key: str) -> Node:
        node = mapping.key_node(key) if mapping is not None else None
        if node is None:
            raise Unfixable(f"cannot find {key} in {self.text.file}")
        _check_key(self.text, node, key)
        return node

    def _last_key(self, mapping: Node) -> Node:
        return _last_member(self.text, mapping)[0]

    def _indent_of_keys(self, mapping: Node) -> str:
        """The indentation of a block mapping's keys."""
        if self._flow(mapping) or not mapping.keys:
            raise Unfixable(f"the mapping at {self.text.file}:{mapping.line} is written in flow style")
        first = next(iter(mapping.keys.values()))
        before = self.text.line(first.line)[: first.column - 1]
        if before.strip():
            raise Unfixable(f"cannot read the indentation at {self.text.file}:{first.line}")
        return before

    def _unit(self, body: Node) -> str:
        """One level of nesting: how far a resource's keys stand from its name."""
        resources = self.root.get("Resources")
        indent = self._indent_of_keys(body)
        outer = self._indent_of_keys(resources) if resources is not None else ""
        return indent[len(outer) :] if indent.startswith(outer) and len(indent) > len(outer) else self.text.unit()

    def _after(self, key: Node, lines: list[str]) -> Edit:
        """New lines after the last line of the value of the block key ``key`` (its nested lines included)."""
        statement = self.text.structure("indent").statement_at(key.line, key.column)
        if statement is None or statement.line != key.line:
            raise Unfixable(f"cannot find the block at {self.text.file}:{key.line}")
        return self.text.after_line(statement.last_line, lines, "")

    def _dash(self, item: Node) -> str | None:
        """The indentation of a block sequence item's ``-``."""
        line = self.text.line(item.line)[: item.column - 1]
        match = re.fullmatch(r"( *)-[ ]+", line)
        return match.group(1) if match else None

    def _item_style(self, prefer: Node | None, prop: str) -> _ItemStyle:
        """How the template writes Key/Value items.

        The layout (indentation, order) is taken from this list's own items, else from a list of
        the same property elsewhere, else another attribute list's, else any Key/Value list's (Tags);
        the quoting only from attribute lists (a tag's value says nothing about how numbers are
        written), else AWS's docs' ``"3600"``.
        """
        candidates: list[tuple[tuple[bool, bool, bool], Node, Node]] = []
        for parent, key, value in _walk(self.root):
            if parent is None or key is None or value.items is None or self._flow(value):
                continue
            for item in value.items:
                if _simple_item(item) and not self._flow(item):
                    own = prefer is not None and value is prefer
                    rank = (not own, key != prop, not key.endswith("Attributes"))
                    candidates.append((rank, parent.keys[key] if parent.keys else value, item))
        candidates.sort(key=lambda c: c[0])
        quotes = ("", '"')
        for rank, _, item in candidates:
            if not rank[2]:
                quotes = self._quotes(item)
                break
        for _, key_node, item in candidates:
            style = self._style_of(key_node, item)
            if style is not None:
                style.quotes = quotes
                return style
        return _ItemStyle(offset=self._sequence_offset(), gap=" ", quotes=quotes, order=("Key", "Value"))

    def _quotes(self, item: Node) -> tuple[str, str]:
        """The quote characters around an item's Key and Value scalars ("" for plain)."""
        mapping = item.mapping or {}
        found = [_span(self.text, mapping[k])[:1] for k in ("Key", "Value")]
        return tuple(q if q in ('"', "'") else "" for q in found)  # type: ignore[return-value]

    def _style_of(self, key_node: Node, item: Node) -> _ItemStyle | None:
        keys = item.keys or {}
        order = tuple(sorted(("Key", "Value"), key=lambda k: (keys[k].line, keys[k].column)))
        first, second = keys[order[0]], keys[order[1]]
        dash = self._dash(first)
        if dash is None or second.line != first.line + 1 or second.column != first.column:
            return None
        offset = len(dash) - (key_node.column - 1)
        if offset < 0:
            return None
        gap = " " * (first.column - 1 - len(dash) - 1)
        return _ItemStyle(offset=" " * offset, gap=gap, quotes=self._quotes(item), order=(order[0], order[1]))

    def _sequence_offset(self) -> str:
        """How far the template indents a block sequence under its key (0 for compact ``- `` lists)."""
        for parent, key, value in _walk(self.root):
            if parent is None or key is None or not value.items or self._flow(value):
                continue
            key_node = parent.key_node(key)
            dash = self._dash(value.items[0])
            if key_node is not None and dash is not None and value.items[0].line > key_node.line:
                return " " * max(len(dash) - (key_node.column - 1), 0)
        return self.text.unit()


@dataclass
class _ItemStyle:
    offset: str  # the ``-`` relative to the list's key
    gap: str  # between ``-`` and the first key
    quotes: tuple[str, str]  # of the Key's and of the Value's scalar
    order: tuple[str, str]

    def item(self, dash: str, key: str, value: str) -> list[str]:
        """The two lines of a Key/Value item whose ``-`` stands after ``dash``."""
        scalars = {"Key": f"{self.quotes[0]}{key}{self.quotes[0]}", "Value": f"{self.quotes[1]}{value}{self.quotes[1]}"}
        first, second = self.order
        return [
            f"{dash}-{self.gap}{first}: {scalars[first]}",
            f"{dash} {self.gap}{second}: {scalars[second]}",
        ]
