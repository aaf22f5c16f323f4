"""CloudFormation templates (YAML and JSON) -> the AWS load balancers they declare.

Read (FACTS.md §A.10): ``AWS::ElasticLoadBalancingV2::LoadBalancer`` (Type, LoadBalancerAttributes),
``::Listener`` (Protocol, Port, LoadBalancerArn, ListenerAttributes, DefaultActions),
``::ListenerRule`` (ListenerArn, Actions), ``::TargetGroup`` (TargetGroupAttributes,
HealthCheckPath) and the Classic ``AWS::ElasticLoadBalancing::LoadBalancer`` (Listeners,
ConnectionSettings.IdleTimeout).

Values (RULES.md "Values"): a literal is itself; ``!Ref Param`` is the Parameter's Default,
located where it is used with the Default as ``related``; anything else (``!Sub``, ``!GetAtt``,
``!If``, ``!ImportValue``, a Parameter without a Default) is unknown. An attribute list item
under ``!If`` sets its key only maybe: that key is unknown; an item whose key cannot be known
makes every attribute the list does not set for sure unknown.

Which load balancer a target group is behind: the one whose listener (DefaultActions) or
listener rule (Actions) names it with ``!Ref``/``!GetAtt``. A target group no listener or rule
of the template names is taken to be behind every ELBv2 load balancer of the template that
can carry its protocol. Listeners, rules and target groups whose load balancer is not in the
template (``!ImportValue`` ...) belong to a load balancer "outside this template", of the kind
their protocol implies, whose own attributes are unknown.

A resource's ``Metadata: {wslint: {ignore: [WS201], reason: ...}}`` becomes a Suppression over
the resource's lines (``Document.suppressions``; wslint.suppress applies it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wslint.model import Document, Location, Problem, Suppression
from wslint.sources import aws_spec
from wslint.sources.aws_spec import Kind, ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_each
from wslint.sources.yaml_positions import load as load_yaml

LB_V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
OUTSIDE = "(outside this template)"

ALB_PROTOCOLS = frozenset({"HTTP", "HTTPS"})
NLB_PROTOCOLS = frozenset({"TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"})


def intrinsic(node: Node | None) -> tuple[str, Node] | None:
    """``(function, argument)`` when ``node`` is an intrinsic function (``Ref``, ``Fn::X``, a tag)."""
    if node is None or node.mapping is None or len(node.mapping) != 1:
        return None
    name, argument = next(iter(node.mapping.items()))
    if name in ("Ref", "Condition") or name.startswith(("Fn::", "!")):
        return name, argument
    return None


def _protocol_kind(protocol: Value | None) -> Kind:
    text = None if protocol is None or protocol.value is None else str(protocol.value).upper()
    if text in ALB_PROTOCOLS:
        return "alb"
    if text in NLB_PROTOCOLS:
        return "nlb"
    return "unknown"


@dataclass
class _Attributes:
    """A Key/Value attribute list: what it sets for sure, maybe, and whether anything may be set."""

    known: dict[str, Value] = field(default_factory=dict)
    maybe: dict[str, Location] = field(default_factory=dict)
    anything: Location | None = None

    def get(self, key: str) -> Value | None:
        """The value of ``key``; an unknown Value when it may be set; None when it is not set."""
        where = self.maybe.get(key)
        if where is not None:
            return Value(None, where)
        if key in self.known:
            return self.known[key]
        return None if self.anything is None else Value(None, self.anything)


@dataclass
class _Resource:
    name: str
    type: str
    key: Node
    properties: Node | None


class _Template:
    def __init__(self, root: Node, file: str) -> None:
        self.root = root
        self.file = file
        self.problems: list[Problem] = []
        self.parameters: dict[str, Node | None] = {}
        self.resources: dict[str, _Resource] = {}

    # -- helpers ---------------------------------------------------------------------------------------
    def loc(self, node: Node) -> Location:
        return node.location(self.file)

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(kind="parse-error", location=self.loc(node), message=message))

    def value(self, node: Node | None) -> Value | None:
        """A property's value: a literal, a Parameter's Default through ``!Ref``, else unknown."""
        if node is None:
            return None
        where = self.loc(node)
        if node.is_scalar:
            return Value(node.value, where)
        call = intrinsic(node)
        if call is not None and call[0] == "Ref" and call[1].is_scalar:
            default = self.parameters.get(str(call[1].value))
            if default is not None and default.is_scalar:
                return Value(default.value, where, related=self.loc(default))
        return Value(None, where)

    def text(self, node: Node | None) -> str | None:
        value = self.value(node)
        return None if value is None or value.value is None else str(value.value)

    @staticmethod
    def target(node: Node | None) -> str | None:
        """The logical id a ``!Ref X`` or ``!GetAtt X.Attr`` names."""
        call = intrinsic(node)
        if call is None:
            return None
        name, argument = call
        if name == "Ref" and argument.is_scalar:
            return str(argument.value)
        if name == "Fn::GetAtt" and argument.items and argument.items[0].is_scalar:
            return str(argument.items[0].value)
        return None

    def targets(self, node: Node | None, kind: str) -> list[str]:
        """Every resource of type ``kind`` that ``node`` names anywhere inside (``!If`` branches too)."""
        found: list[str] = []
        stack = [node] if node is not None else []
        while stack:
            current = stack.pop()
            name = self.target(current)
            if name is not None:
                resource = self.resources.get(name)
                if resource is not None and resource.type == kind and name not in found:
                    found.append(name)
                continue
            if current.mapping is not None:
                stack.extend(reversed(list(current.mapping.values())))
            elif current.items is not None:
                stack.extend(reversed(current.items))
        return found

    def properties(self, resource: _Resource) -> Node | None:
        props = resource.properties
        if props is None or props.is_map:
            return props
        self.problem(props, f"{resource.name}: Properties must be a mapping")
        return None

    # -- attribute lists ---------------------------------------------------------------------------------
    def attributes(self, node: Node | None, prop: str) -> _Attributes:
        out = _Attributes()
        if node is None:
            return out
        if intrinsic(node) is not None:
            out.anything = self.loc(node)
        elif node.items is None:
            self.problem(node, f"{prop} must be a list of Key/Value pairs")
            out.anything = self.loc(node)
        else:
            for item in node.items:
                self._attribute(item, out, prop, maybe=False)
        return out

    def _attribute(self, item: Node, out: _Attributes, prop: str, maybe: bool) -> None:
        call = intrinsic(item)
        if call is not None:
            name, argument = call
            if name == "Ref" and argument.value == "AWS::NoValue":
                return
            if name == "Fn::If" and argument.items is not None and len(argument.items) == 3:
                for branch in argument.items[1:]:
                    self._attribute(branch, out, prop, maybe=True)
                return
            out.anything = out.anything or self.loc(item)
            return
        if item.mapping is None:
            self.problem(item, f"an item of {prop} must be a mapping with Key and Value")
            return
        key_node = item.get("Key")
        if key_node is None:
            self.problem(item, f"an item of {prop} has no Key")
            return
        key = self.text(key_node)
        if key is None:
            out.anything = out.anything or self.loc(item)
            return
        if maybe:
            out.maybe[key] = self.loc(item)
            return
        value = self.value(item.get("Value"))
        out.known[key] = value if value is not None else Value(None, self.loc(item))

    # -- reading ------------------------------------------------------------------------------------------
    def read(self) -> list[LoadBalancerSpec] | None:
        """The template's load balancers; None when this is not a CloudFormation template."""
        resources = self.root.get("Resources")
        if resources is None:
            return None
        if resources.mapping is None:
            self.problem(resources, "Resources must be a mapping of logical ids to resources")
            return []
        parameters = self.root.get("Parameters")
        if parameters is not None and parameters.mapping is not None:
            for name, parameter in parameters.mapping.items():
                self.parameters[name] = parameter.get("Default")
        for name, body in resources.mapping.items():
            key = resources.key_node(name) or body
            if body.mapping is None:
                self.problem(key, f"resource {name} must be a mapping")
                continue
            kind = body.get("Type")
            if kind is None or not kind.is_scalar or not isinstance(kind.value, str):
                self.problem(kind or key, f"resource {name} has no Type")
                continue
            properties = body.get("Properties")
            if intrinsic(properties) is not None:
                continue  # properties chosen by an expression: nothing about it can be known
            self.resources[name] = _Resource(name, kind.value, key, properties)
        return _Assembly(self).run()


class _Assembly:
    """Load balancers, their listeners and target groups, tied together as the template names them."""

    def __init__(self, template: _Template) -> None:
        self.t = template
        self.specs: dict[str, LoadBalancerSpec] = {}  # by logical id
        self.outside: dict[Kind, LoadBalancerSpec] = {}
        self.listener_lb: dict[str, LoadBalancerSpec] = {}  # listener logical id -> its load balancer
        self.listener_spec: dict[str, ListenerSpec] = {}  # listener logical id -> the listener
        # listeners whose DefaultActions only redirect or answer, until a rule on them forwards
        self.not_carrying: set[str] = set()
        # target group -> the load balancers it is behind (None: one outside the template)
        self.groups_of: dict[str, list[LoadBalancerSpec | None]] = {}

    def _of_type(self, kind: str) -> list[_Resource]:
        return [r for r in self.t.resources.values() if r.type == kind]

    def run(self) -> list[LoadBalancerSpec]:
        for resource in self._of_type(LB_V2):
            self._load_balancer(resource)
        for resource in self._of_type(CLASSIC):
            self._classic(resource)
        for resource in self._of_type(LISTENER):
            self._listener(resource)
        for resource in self._of_type(RULE):
            self._rule(resource)
        for resource in self._of_type(TARGET_GROUP):
            self._target_group(resource)
        for spec in [*self.specs.values(), *self.outside.values()]:
            if spec.kind == "alb" and spec.listeners:
                spec.listeners_known = True
            # a redirect (http -> https) or a fixed answer: no WebSocket reaches a target through it
            dropped = [self.listener_spec[name] for name in self.not_carrying if self.listener_lb[name] is spec]
            spec.listeners = [x for x in spec.listeners if not any(x is d for d in dropped)]
        return [*self.specs.values(), *self.outside.values()]

    def _outside(self, kind: Kind, where: Location) -> LoadBalancerSpec | None:
        if kind not in ("alb", "nlb"):
            return None
        spec = self.outside.get(kind)
        if spec is None:
            # its own attributes are in another stack: unknown
            idle = Value(None, where) if kind == "alb" else None
            spec = LoadBalancerSpec(kind=kind, name=OUTSIDE, location=where, idle_timeout=idle,
                                    client_keep_alive=idle, idle_key="idle_timeout.timeout_seconds")  # fmt: skip
            self.outside[kind] = spec
        return spec

    def _load_balancer(self, resource: _Resource) -> None:
        t = self.t
        props = t.properties(resource)
        where = t.loc(resource.key)
        type_value = t.value(props.get("Type") if props else None)
        kind: Kind = "alb"  # CloudFormation's default Type is application
        if type_value is not None:
            text = str(type_value.value).lower()
            kind = "alb" if text == "application" else "nlb" if text == "network" else "unknown"
        attributes = t.attributes(props.get("LoadBalancerAttributes") if props else None, "LoadBalancerAttributes")
        self.specs[resource.name] = LoadBalancerSpec(
            kind=kind,
            name=resource.name,
            location=where,
            idle_timeout=attributes.get("idle_timeout.timeout_seconds"),
            client_keep_alive=attributes.get("client_keep_alive.seconds"),
            idle_key="idle_timeout.timeout_seconds",
        )

    def _classic(self, resource: _Resource) -> None:
        t = self.t
        props = t.properties(resource)
        spec = LoadBalancerSpec(
            kind="elb", name=resource.name, location=t.loc(resource.key), idle_key="ConnectionSettings.IdleTimeout"
        )
        self.specs[resource.name] = spec
        if props is None:
            return
        settings = props.get("ConnectionSettings")
        if settings is not None:
            if settings.mapping is not None and intrinsic(settings) is None:
                spec.idle_timeout = t.value(settings.get("IdleTimeout"))
            elif intrinsic(settings) is not None:
                spec.idle_timeout = Value(None, t.loc(settings))
            else:
                t.problem(settings, f"{resource.name}: ConnectionSettings must be a mapping with IdleTimeout")
        listeners = props.get("Listeners")
        if listeners is None or intrinsic(listeners) is not None:
            return
        if listeners.items is None:
            t.problem(listeners, f"{resource.name}: Listeners must be a list")
            return
        spec.listeners_known = True
        for item in listeners.items:
            self._classic_listener(spec, item)

    def _classic_listener(self, spec: LoadBalancerSpec, item: Node) -> None:
        t = self.t
        call = intrinsic(item)
        if call is not None:
            name, argument = call
            if name == "Fn::If" and argument.items is not None and len(argument.items) == 3:
                for branch in argument.items[1:]:
                    self._classic_listener(spec, branch)
            elif not (name == "Ref" and argument.value == "AWS::NoValue"):
                spec.listeners.append(ListenerSpec(location=t.loc(item), protocol=Value(None, t.loc(item))))
            return
        if item.mapping is None:
            t.problem(item, f"{spec.name}: a listener must be a mapping with Protocol and LoadBalancerPort")
            return
        spec.listeners.append(
            ListenerSpec(location=t.loc(item), protocol=t.value(item.get("Protocol")),
                         port=t.value(item.get("LoadBalancerPort")))
        )  # fmt: skip

    def _listener(self, resource: _Resource) -> None:
        t = self.t
        props = t.properties(resource)
        if props is None:
            return
        where = t.loc(resource.key)
        protocol = t.value(props.get("Protocol"))
        attributes = t.attributes(props.get("ListenerAttributes"), "ListenerAttributes")
        listener = ListenerSpec(location=where, protocol=protocol, port=t.value(props.get("Port")))
        idle = attributes.get(aws_spec.NLB_IDLE_KEY)
        if idle is not None:
            listener.attributes[aws_spec.NLB_IDLE_KEY] = idle
        lb_name = t.target(props.get("LoadBalancerArn"))
        spec = self.specs.get(lb_name) if lb_name is not None else None
        if spec is None or spec.kind == "elb":
            spec = self._outside(_protocol_kind(protocol), where)
            if spec is None:
                return
        spec.listeners.append(listener)
        self.listener_lb[resource.name] = spec
        self.listener_spec[resource.name] = listener
        actions = props.get("DefaultActions")
        listener.target_groups = t.targets(actions, TARGET_GROUP)
        for group in listener.target_groups:
            self._attach(group, spec)
        if self._only_answers(actions) and resource.name not in self._exported():
            self.not_carrying.add(resource.name)

    def _exported(self) -> list[str]:
        """Listeners the template's Outputs hand to other stacks, whose ListenerRules may forward from them."""
        return self.t.targets(self.t.root.get("Outputs"), LISTENER)

    def _only_answers(self, actions: Node | None) -> bool:
        """Actions that are all written and all ``redirect`` or ``fixed-response``."""
        if actions is None or actions.items is None:
            return False
        return aws_spec.only_answers(
            self.t.text(a.get("Type")) if a.mapping is not None else None for a in actions.items
        )

    def _rule(self, resource: _Resource) -> None:
        t = self.t
        props = t.properties(resource)
        if props is None:
            return
        listener = t.target(props.get("ListenerArn"))
        spec = self.listener_lb.get(listener) if listener is not None else None
        groups = t.targets(props.get("Actions"), TARGET_GROUP)
        for group in groups:
            self._attach(group, spec)  # None: a rule on a listener of another stack
        if listener is not None and listener in self.listener_spec:
            own = self.listener_spec[listener]
            own.target_groups = [*(own.target_groups or []), *groups]
            if not self._only_answers(props.get("Actions")):
                self.not_carrying.discard(listener)

    def _attach(self, group: str, spec: LoadBalancerSpec | None) -> None:
        specs = self.groups_of.setdefault(group, [])
        if not any(s is spec for s in specs):
            specs.append(spec)

    def _target_group(self, resource: _Resource) -> None:
        t = self.t
        props = t.properties(resource)
        where = t.loc(resource.key)
        attributes = t.attributes(props.get("TargetGroupAttributes") if props else None, "TargetGroupAttributes")
        protocol = t.value(props.get("Protocol")) if props else None
        group = TargetGroupSpec(
            name=resource.name,
            location=where,
            deregistration_delay=attributes.get("deregistration_delay.timeout_seconds"),
            connection_termination=attributes.get("deregistration_delay.connection_termination.enabled"),
            health_check_path=self._health_check_path(props, protocol),
            aws_name=t.text(props.get("Name")) if props else None,
            http_health_check=self._http_health_check(props, protocol),
        )
        kind = _protocol_kind(protocol)
        if kind == "unknown" and props is not None and t.text(props.get("TargetType")) == "lambda":
            kind = "alb"
        behind = self.groups_of.get(resource.name)
        if behind is None:  # no listener or rule of the template names it: behind every fitting load balancer
            behind = [s for s in self.specs.values() if s.kind in ("alb", "nlb") and kind in ("unknown", s.kind)]
        for spec in behind or [None]:
            target = spec if spec is not None else self._outside(kind, where)
            if target is not None and not any(g is group for g in target.target_groups):
                target.target_groups.append(group)

    def _http_health_check(self, props: Node | None, protocol: Value | None) -> bool:
        """HealthCheckProtocol HTTP/HTTPS, written or (not written) the target group's own protocol's."""
        if props is None:
            return False
        check = self.t.text(props.get("HealthCheckProtocol"))
        if check is None and props.get("HealthCheckProtocol") is None and protocol is not None:
            check = None if protocol.value is None else str(protocol.value)
        return check is not None and check.upper() in ALB_PROTOCOLS

    def _health_check_path(self, props: Node | None, protocol: Value | None) -> Value | None:
        if props is None:
            return None
        t = self.t
        enabled = t.value(props.get("HealthCheckEnabled"))
        if enabled is not None and str(enabled.value).lower() == "false":
            return None
        check = t.text(props.get("HealthCheckProtocol"))
        if check is None and props.get("HealthCheckProtocol") is None:
            check = None if protocol is None or protocol.value is None else str(protocol.value)
        if check is not None and check.upper() not in ALB_PROTOCOLS:
            return None  # a TCP health check requests no path
        return t.value(props.get("HealthCheckPath"))


def _parse_error(file: str, exc: YamlError) -> Problem:
    return Problem(
        kind="parse-error",
        location=Location(file=file, line=exc.line, column=exc.column),
        message=f"cannot read the template: {exc.message}",
    )


def _ignores(root: Node, file: str, text: str) -> list[Suppression]:
    """Each resource's ``Metadata: {wslint: {ignore: [WS201, ...], reason: ...}}``, over the resource's lines.

    ``ignore`` may be a list or one string (``"WS201, WS301"``); the ids are copied as written
    (upper-cased): wslint.suppress judges them.
    """
    resources = root.get("Resources")
    if resources is None or resources.mapping is None:
        return []
    lines = text.split("\n")
    out: list[Suppression] = []
    for name, body in resources.mapping.items():
        metadata = body.get("Metadata")
        settings = metadata.get("wslint") if metadata is not None else None
        ignore = settings.get("ignore") if settings is not None else None
        where = settings.key_node("ignore") if settings is not None else None
        if ignore is None or where is None:
            continue
        items = ignore.items if ignore.items is not None else [ignore]
        rules = tuple(
            part.upper()
            for item in items
            if item.is_scalar and item.value is not None
            for part in re.split(r"[\s,]+", str(item.value))
            if part
        )
        reason = settings.get("reason") if settings is not None else None
        first = (resources.key_node(name) or body).line
        # PyYAML ends a block mapping where the next token starts: step back over what is not this resource
        last = min(body.end_line, len(lines))
        if last > first and not lines[last - 1][: body.end_column - 1].strip():
            last -= 1
        while last > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
            last -= 1
        if rules:
            why = "" if reason is None else str(reason.value or "").strip()
            out.append(Suppression(location=where.location(file), rules=rules, reason=why, scope="resource",
                                   first_line=first, last_line=last))  # fmt: skip
    return out


def read_template(text: str, file: str, named: bool = True, ports: frozenset[int] = aws_spec.WEB_PORTS) -> Document:
    """The Document for one template's text."""
    try:
        root = load_yaml(text)
    except YamlError as exc:
        document = aws_spec.build([], file)
        document.problems.append(_parse_error(file, exc))
        return document
    template = _Template(root, file) if root is not None and root.mapping is not None else None
    specs = template.read() if template is not None else None
    document = aws_spec.build(specs or [], file, ports=ports)
    if template is not None:
        document.problems[:0] = template.problems
        document.suppressions = _ignores(template.root, file, text)
    if specs is None and named:
        document.problems.append(
            Problem(kind="note", location=Location(file=file),
                    message="no Resources: not a CloudFormation template; nothing to lint")
        )  # fmt: skip
    return document


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint CloudFormation templates (the source registry's ``load``)."""
    settings = context.settings
    ports = settings.all_websocket_ports

    def read_one(text: str, file: str, named: bool) -> Document:
        return read_template(text, file, named, ports)

    return load_each(files, settings.max_file_size, context.stdin, read_one, "CloudFormation")
