"""Saved ``aws elbv2``/``aws elb`` CLI output (JSON) -> the load balancers it describes.

Known by shape (FACTS.md §A.8), one file at a time:

* ``aws elbv2 describe-load-balancer-attributes``: ``{"Attributes": [{"Key", "Value"}]}`` with
  load balancer keys. An ALB known only from its attributes is one WebSocket hop (RULES.md);
  a missing ``idle_timeout.timeout_seconds`` is AWS's default (moto leaves it out, FACTS.md §A.11:
  an ALB there shows access_logs.* and no ALB-only key). An NLB (``dns_record.*`` keys) has its
  idle timeout on its listeners, a Gateway Load Balancer (neither access logs nor ALB keys) none:
  nothing to check.
* ``aws elbv2 describe-listener-attributes``: ``tcp.idle_timeout.seconds`` is an NLB listener.
* ``aws elbv2 describe-target-group-attributes``: a target group behind a load balancer whose
  own settings are not in the file; ALB or NLB by the keys only one of them has.
* ``aws elb describe-load-balancer-attributes``: ``{"LoadBalancerAttributes": {"ConnectionSettings":
  {"IdleTimeout": N}}}``, a Classic ELB known only from its attributes.
* ``aws elbv2 describe-listeners`` (``Listeners``): the listeners of ALBs and NLBs (by their load
  balancer's ARN); a listener whose default actions only redirect or answer (``redirect``,
  ``fixed-response``) is no WebSocket route (its rules are not in this output). The load
  balancers' own attributes are not printed: unknown.
* ``aws elbv2 describe-load-balancers`` (``LoadBalancers``), ``aws elbv2 describe-target-groups``
  (``TargetGroups``) and ``aws elb describe-load-balancers`` (``LoadBalancerDescriptions``): the
  load balancers, their listeners (Classic) and health checks; the attributes these calls do not
  print are unknown.

Every value is located at its own node (an attribute at its ``Value``).
"""

from __future__ import annotations

import os

from wslint.model import Document, Location, Problem
from wslint.sources import aws_spec
from wslint.sources.aws_spec import Kind, ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_each
from wslint.sources.yaml_positions import load as load_yaml

ALB_IDLE_KEY = aws_spec.ALB_IDLE_KEY
CLB_IDLE_KEY = aws_spec.CLB_IDLE_KEY

# attribute keys by what they belong to (botocore elbv2 LoadBalancerAttribute, ListenerAttribute,
# TargetGroupAttribute); load_balancing.cross_zone.enabled is both a load balancer and a target group key
LISTENER_PREFIXES = ("tcp.idle_timeout.", "routing.http.response.", "routing.http.request.")
TARGET_GROUP_PREFIXES = (
    "deregistration_delay.",
    "stickiness.",
    "slow_start.",
    "load_balancing.algorithm.",
    "target_group_health.",
    "target_health_state.",
    "lambda.",
    "preserve_client_ip.",
    "proxy_protocol_v2.",
    "target_failover.",
)
LOAD_BALANCER_PREFIXES = (
    "idle_timeout.",
    "client_keep_alive.",
    "access_logs.",
    "connection_logs.",
    "health_check_logs.",
    "deletion_protection.",
    "routing.http.",
    "routing.http2.",
    "waf.",
    "zonal_shift.",
    "dns_record.",
    "ipv6.",
    "secondary_ips.",
)
ALB_ONLY = ("idle_timeout.", "client_keep_alive.", "connection_logs.", "health_check_logs.", "routing.http", "waf.")
NLB_ONLY = ("dns_record.", "secondary_ips.")
# target group keys only one kind has
TG_NLB_ONLY = ("deregistration_delay.connection_termination.", "preserve_client_ip.", "proxy_protocol_v2.")
TG_ALB_ONLY = ("slow_start.", "load_balancing.algorithm.", "lambda.", "stickiness.app_cookie.", "stickiness.lb_cookie.")


class _Reader:
    def __init__(self, root: Node, file: str) -> None:
        self.root = root
        self.file = file
        self.name = os.path.basename(file)
        self.problems: list[Problem] = []

    def loc(self, node: Node) -> Location:
        return node.location(self.file)

    def value(self, node: Node | None) -> Value | None:
        if node is None:
            return None
        return Value(node.value if node.is_scalar else None, self.loc(node))

    def text(self, node: Node | None) -> str | None:
        return None if node is None or not node.is_scalar or node.value is None else str(node.value)

    def note(self, node: Node, message: str) -> None:
        self.problems.append(Problem(kind="note", location=self.loc(node), message=message))

    def where(self, key: str) -> Location:
        node = self.root.key_node(key) or self.root
        return self.loc(node)

    def read(self) -> list[LoadBalancerSpec]:
        shapes = (
            ("Attributes", self._attributes),
            ("LoadBalancerAttributes", self._classic_attributes),
            ("LoadBalancers", self._load_balancers),
            ("LoadBalancerDescriptions", self._classic_balancers),
            ("Listeners", self._listeners),
            ("TargetGroups", self._target_groups),
        )
        for key, handler in shapes:
            node = self.root.get(key)
            if node is not None:
                return handler(node)
        self.note(self.root, "not saved Elastic Load Balancing CLI output; nothing to lint")
        return []

    def items(self, node: Node, key: str) -> list[Node]:
        if node.items is None:
            self.note(node, f"{key} is not a list: not saved Elastic Load Balancing CLI output")
            return []
        return [item for item in node.items if item.mapping is not None]

    # -- describe-*-attributes ------------------------------------------------------------------------
    def _attribute_list(self, node: Node) -> dict[str, Value] | None:
        if node.items is None:
            return None
        out: dict[str, Value] = {}
        for item in node.items:
            key = self.text(item.get("Key"))
            if key is None:
                continue
            value = self.value(item.get("Value"))
            out[key] = value if value is not None else Value(None, self.loc(item))
        return out

    def _attributes(self, node: Node) -> list[LoadBalancerSpec]:
        attributes = self._attribute_list(node)
        if attributes is None:
            self.note(node, "Attributes is not a list of Key/Value pairs: not saved Elastic Load Balancing output")
            return []
        keys = list(attributes)
        listener = [k for k in keys if k.startswith(LISTENER_PREFIXES)]
        group = [k for k in keys if k.startswith(TARGET_GROUP_PREFIXES)]
        balancer = [k for k in keys if k.startswith(LOAD_BALANCER_PREFIXES) and k not in listener]
        where = self.where("Attributes")
        if listener and not group and not balancer:
            return self._listener_attributes(attributes, where)
        if group and not balancer and not listener:
            return self._group_attributes(attributes, where)
        if balancer and not group and not listener:
            return self._balancer_attributes(attributes, where)
        self.note(node, "cannot tell whether these attributes belong to a load balancer, listener or target group")
        return []

    def _balancer_attributes(self, attributes: dict[str, Value], where: Location) -> list[LoadBalancerSpec]:
        keys = list(attributes)
        nlb = any(k.startswith(NLB_ONLY) for k in keys)
        alb = any(k.startswith(ALB_ONLY) for k in keys)
        if nlb and not alb:
            return []  # an NLB's idle timeout is a listener attribute; its load balancer has none
        if not alb and not any(k.startswith("access_logs.") for k in keys):
            # a Gateway Load Balancer has neither access logs nor an idle timeout; moto's ALB has access logs
            self.note(self.root, "cannot tell whether these are an ALB's attributes; not checked")
            return []
        return [
            LoadBalancerSpec(kind="alb", name=self.name, location=where,
                             idle_timeout=aws_spec.reported(ALB_IDLE_KEY, attributes.get(ALB_IDLE_KEY)),
                             client_keep_alive=aws_spec.reported(aws_spec.ALB_KEEPALIVE_KEY,
                                                                 attributes.get(aws_spec.ALB_KEEPALIVE_KEY)),
                             idle_key=ALB_IDLE_KEY)
        ]  # fmt: skip

    def _listener_attributes(self, attributes: dict[str, Value], where: Location) -> list[LoadBalancerSpec]:
        idle = attributes.get(aws_spec.NLB_IDLE_KEY)
        if idle is None:
            return []  # an ALB listener's attributes: its idle timeout is the load balancer's
        listener = ListenerSpec(location=where, attributes={aws_spec.NLB_IDLE_KEY: idle})
        return [LoadBalancerSpec(kind="nlb", name=self.name, location=where, listeners=[listener],
                                 listeners_known=True)]  # fmt: skip

    def _group_attributes(self, attributes: dict[str, Value], where: Location) -> list[LoadBalancerSpec]:
        keys = list(attributes)
        stickiness = attributes.get("stickiness.type")
        sticky = "" if stickiness is None else str(stickiness.value)
        nlb = any(k.startswith(TG_NLB_ONLY) for k in keys) or sticky == "source_ip"
        alb = any(k.startswith(TG_ALB_ONLY) for k in keys) or sticky in ("lb_cookie", "app_cookie")
        if nlb == alb:
            self.note(self.root, "cannot tell whether this target group is an ALB's or an NLB's; not checked")
            return []
        group = TargetGroupSpec(
            name=self.name,
            location=where,
            deregistration_delay=attributes.get("deregistration_delay.timeout_seconds"),
            connection_termination=attributes.get("deregistration_delay.connection_termination.enabled"),
        )
        return [self._unseen("nlb" if nlb else "alb", self.name, where, [group])]

    def _unseen(self, kind: Kind, name: str, where: Location, groups: list[TargetGroupSpec]) -> LoadBalancerSpec:
        """A load balancer the file shows only a part of: its own idle timeout is unknown."""
        if kind == "nlb":
            listener = ListenerSpec(location=where, attributes={aws_spec.NLB_IDLE_KEY: Value(None, where)})
            return LoadBalancerSpec(kind="nlb", name=name, location=where, listeners=[listener],
                                    listeners_known=True, target_groups=groups)  # fmt: skip
        return LoadBalancerSpec(kind=kind, name=name, location=where, idle_timeout=Value(None, where),
                                client_keep_alive=Value(None, where), target_groups=groups,
                                idle_key=CLB_IDLE_KEY if kind == "elb" else ALB_IDLE_KEY)  # fmt: skip

    # -- aws elb describe-load-balancer-attributes ---------------------------------------------------------
    def _classic_attributes(self, node: Node) -> list[LoadBalancerSpec]:
        if node.mapping is None:
            self.note(node, "LoadBalancerAttributes is not a mapping: not saved Elastic Load Balancing output")
            return []
        settings = node.get("ConnectionSettings")
        idle = self.value(settings.get("IdleTimeout")) if settings is not None and settings.is_map else None
        idle = aws_spec.reported(CLB_IDLE_KEY, idle)
        where = self.where("LoadBalancerAttributes")
        return [LoadBalancerSpec(kind="elb", name=self.name, location=where, idle_timeout=idle, idle_key=CLB_IDLE_KEY)]

    # -- describe-load-balancers, describe-target-groups ------------------------------------------------------
    def _load_balancers(self, node: Node) -> list[LoadBalancerSpec]:
        specs = []
        for item in self.items(node, "LoadBalancers"):
            text = str(self.text(item.get("Type"))).lower()
            kind: Kind | None = "alb" if text == "application" else "nlb" if text == "network" else None
            if kind is not None:
                name = self.text(item.get("LoadBalancerName")) or self.text(item.get("LoadBalancerArn")) or self.name
                specs.append(self._unseen(kind, name, self.loc(item), []))
        return specs

    def _classic_balancers(self, node: Node) -> list[LoadBalancerSpec]:
        specs = []
        for item in self.items(node, "LoadBalancerDescriptions"):
            where = self.loc(item)
            spec = self._unseen("elb", self.text(item.get("LoadBalancerName")) or self.name, where, [])
            descriptions = item.get("ListenerDescriptions")
            if descriptions is not None and descriptions.items is not None:
                spec.listeners_known = True
                for description in descriptions.items:
                    listener = description.get("Listener")
                    if listener is None or listener.mapping is None:
                        continue
                    spec.listeners.append(
                        ListenerSpec(location=self.loc(listener), protocol=self.value(listener.get("Protocol")),
                                     port=self.value(listener.get("LoadBalancerPort")))
                    )  # fmt: skip
            specs.append(spec)
        return specs

    def _listeners(self, node: Node) -> list[LoadBalancerSpec]:
        balancers: dict[str, LoadBalancerSpec] = {}
        for item in self.items(node, "Listeners"):
            arn_node = item.get("LoadBalancerArn")
            arn = self.text(arn_node)
            kind = _arn_kind(arn)
            if arn is None or arn_node is None or kind is None:
                continue
            spec = balancers.get(arn)
            if spec is None:
                spec = balancers[arn] = self._unseen(kind, _arn_name(arn), self.loc(arn_node), [])
                spec.listeners, spec.listeners_known = [], True  # the real ones follow
            actions = item.get("DefaultActions")
            types = [self.text(a.get("Type")) for a in actions.items or []] if actions is not None else []
            if aws_spec.only_answers(types):
                continue  # redirects (http -> https) or answers itself: no WebSocket reaches a target
            where = self.loc(item)
            listener = ListenerSpec(
                location=where,
                protocol=self.value(item.get("Protocol")),
                port=self.value(item.get("Port")),
                target_groups=self._forwards_to(actions),
            )
            if kind == "nlb":
                listener.attributes[aws_spec.NLB_IDLE_KEY] = Value(None, where)  # a listener attribute: not printed
            spec.listeners.append(listener)
        return list(balancers.values())

    def _forwards_to(self, actions: Node | None) -> list[str]:
        """The names of the target groups default actions forward to (from their ARNs)."""
        names: list[str] = []
        for action in actions.items or [] if actions is not None else []:
            arns = [self.text(action.get("TargetGroupArn"))]
            forward = action.get("ForwardConfig")
            groups = None if forward is None else forward.get("TargetGroups")
            arns += [self.text(g.get("TargetGroupArn")) for g in groups.items or []] if groups is not None else []
            names += [_arn_name(a) for a in arns if a is not None]
        return names

    def _target_groups(self, node: Node) -> list[LoadBalancerSpec]:
        balancers: dict[str, LoadBalancerSpec] = {}
        for item in self.items(node, "TargetGroups"):
            where = self.loc(item)
            group = TargetGroupSpec(
                name=self.text(item.get("TargetGroupName")) or self.name,
                location=where,
                deregistration_delay=Value(None, where),  # an attribute: not printed by describe-target-groups
                connection_termination=Value(None, where),
                health_check_path=self._health_check_path(item),
                http_health_check=str(self.text(item.get("HealthCheckProtocol"))).upper() in ("HTTP", "HTTPS"),
            )
            arns = item.get("LoadBalancerArns")
            for arn_node in arns.items or [] if arns is not None else []:
                arn = self.text(arn_node)
                kind = _arn_kind(arn)
                if arn is None or kind is None:
                    continue
                spec = balancers.get(arn)
                if spec is None:
                    spec = balancers[arn] = self._unseen(kind, _arn_name(arn), self.loc(arn_node), [])
                spec.target_groups.append(group)
        return list(balancers.values())

    def _health_check_path(self, item: Node) -> Value | None:
        if str(self.text(item.get("HealthCheckEnabled"))).lower() == "false":
            return None
        protocol = self.text(item.get("HealthCheckProtocol")) or self.text(item.get("Protocol"))
        if protocol is None or protocol.upper() not in ("HTTP", "HTTPS"):
            return None
        return self.value(item.get("HealthCheckPath"))


def _arn_kind(arn: str | None) -> Kind | None:
    if arn is not None and ":loadbalancer/app/" in arn:
        return "alb"
    if arn is not None and ":loadbalancer/net/" in arn:
        return "nlb"
    return None


def _arn_name(arn: str) -> str:
    """The name in an ARN: ``...:loadbalancer/app/NAME/id``, ``...:targetgroup/NAME/id``."""
    resource = arn.split(":", 5)[-1]
    parts = resource.split("/")
    if parts[0] == "loadbalancer" and len(parts) >= 3:
        return parts[2]
    if parts[0] == "targetgroup" and len(parts) >= 2:
        return parts[1]
    return arn


def read_output(text: str, file: str, named: bool = True, ports: frozenset[int] = aws_spec.WEB_PORTS) -> Document:
    """The Document for one saved CLI output's text."""
    try:
        root = load_yaml(text)
    except YamlError as exc:
        document = aws_spec.build([], file)
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=file, line=exc.line, column=exc.column),
                    message=f"cannot read the saved CLI output: {exc.message}")
        )  # fmt: skip
        return document
    if root is None or root.mapping is None:
        document = aws_spec.build([], file)
        if named:
            document.problems.append(
                Problem(kind="note", location=Location(file=file), message="not saved Elastic Load Balancing output")
            )
        return document
    reader = _Reader(root, file)
    specs = reader.read()
    document = aws_spec.build(specs, file, ports=ports)
    document.problems[:0] = [p for p in reader.problems if named or p.kind != "note"]
    return document


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint saved CLI output (the source registry's ``load``)."""
    settings = context.settings
    ports = settings.all_websocket_ports

    def read_one(text: str, file: str, named: bool) -> Document:
        return read_output(text, file, named, ports)

    return load_each(files, settings.max_file_size, context.stdin, read_one, "saved CLI output")
