"""Terraform resources -> load balancer specs (``aws_lb``, ``aws_elb``, listeners, rules, target groups).

A listener belongs to the load balancer its ``load_balancer_arn`` names; a target group to
the load balancers whose listeners (or listener rules) forward to it, else to every load
balancer of the module of its protocol family. The load balancers of
terraform-aws-modules/alb blocks (``terraform_alb_module``) are given to ``ResourceReader.specs``
so that listeners can name them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wslint.model import Location
from wslint.sources import aws_spec
from wslint.sources.aws_spec import Kind, ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value
from wslint.sources.terraform_blocks import Attr, Block
from wslint.sources.terraform_values import Module, Resource, pick

LB_TYPES = frozenset({"aws_lb", "aws_alb"})
LISTENER_TYPES = frozenset({"aws_lb_listener", "aws_alb_listener"})
RULE_TYPES = frozenset({"aws_lb_listener_rule", "aws_alb_listener_rule"})
TARGET_GROUP_TYPES = frozenset({"aws_lb_target_group", "aws_alb_target_group"})
CLASSIC_TYPES = frozenset({"aws_elb"})
HTTP_FAMILY = frozenset({"HTTP", "HTTPS"})
TCP_FAMILY = frozenset({"TCP", "TLS", "UDP", "TCP_UDP"})

Key = tuple[str, str, str]  # (resource type or "module", name, file)


@dataclass
class Lb:
    """A load balancer being assembled: its spec, and whether wslint saw its listeners."""

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


def lb_kind(value: Value | None) -> Kind | None:
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


def lb_spec(module: Module, block: Block, kind: Kind, name: str) -> LoadBalancerSpec:
    """An ``aws_lb`` (or terraform-aws-modules/alb block) of ``kind`` with its idle timeouts."""
    spec = LoadBalancerSpec(kind=kind, name=name, location=block.loc)
    if kind == "alb":
        # aws_lb idle_timeout / client_keep_alive: Default 60 / 3600, DiffSuppressFunc
        # suppressIfLBTypeNot(Application): ignored on other types (FACTS.md §A.9)
        spec.idle_timeout = module.value(block.attrs.get("idle_timeout"))
        spec.client_keep_alive = module.value(block.attrs.get("client_keep_alive"))
    elif kind == "nlb":
        spec.idle_timeout = module.value(block.attrs.get("idle_timeout"))  # ignored there: WS208
    return spec


def lambda_targets(module: Module, args: dict[str, Attr]) -> bool:
    """A target group of Lambda functions: no deregistration delay, no WebSocket (FACTS.md §A.3, §A.4)."""
    target_type = module.text(args.get("target_type"))
    return target_type is not None and target_type.lower() == "lambda"


def target_group_spec(
    module: Module, name: str, where: Location, args: dict[str, Attr], health_path: Value | None, http_check: bool
) -> TargetGroupSpec:
    """A target group from its arguments (a resource's, or an element of the ALB module's ``target_groups``)."""
    return TargetGroupSpec(
        name=name,
        location=where,
        deregistration_delay=module.value(args.get("deregistration_delay")),
        connection_termination=module.value(args.get("connection_termination")),
        health_check_path=health_path,
        aws_name=module.text(args.get("name")) or module.text(args.get("name_prefix")),
        http_health_check=http_check,
    )


def tcp_idle(module: Module, listener: ListenerSpec, attr: Attr | None) -> None:
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
    value = module.value(attr)
    protocol = listener.protocol
    if protocol is not None and protocol.value is None:
        listener.attributes[aws_spec.NLB_IDLE_KEY] = Value(None, listener.location)  # TCP or not: unknown
        return
    if value is None:
        return
    if protocol is None or str(protocol.value).upper() == "TCP":
        listener.attributes[aws_spec.NLB_IDLE_KEY] = value


class ResourceReader:
    def __init__(self, module: Module) -> None:
        self.module = module
        self.lbs: dict[Key, Lb] = {}
        self.listeners: dict[Key, _Listener] = {}

    def specs(self, module_lbs: list[Lb]) -> list[LoadBalancerSpec]:
        """The load balancers of the module's resources, then ``module_lbs`` (terraform-aws-modules/alb)."""
        m = self.module
        present = [r for r in m.resources if not m.absent(r.block)]
        for resource in present:
            if resource.type in LB_TYPES:
                self._lb(resource)
            elif resource.type in CLASSIC_TYPES:
                self._classic(resource)
        for lb in module_lbs:
            self.lbs[lb.key] = lb
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
        kind = lb_kind(m.value(block.attrs.get("load_balancer_type")))
        if kind is None:
            return
        spec = lb_spec(m, block, kind, f"{resource.type}.{resource.name}")
        self.lbs[resource.key] = Lb(resource.key, spec, resource.file.linted)

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
        self.lbs[resource.key] = Lb(resource.key, spec, resource.file.linted)

    # -- listeners, rules, target groups ------------------------------------

    def _owner(self, attr: Attr | None, file: str) -> Key | None:
        """The load balancer a ``load_balancer_arn`` names; None when it names none or several."""
        refs = self.module.refs(attr)
        owners = self._named(refs, LB_TYPES, file)
        modules = [lb for lb in self.lbs.values() if lb.key[0] == "module"]
        for root, name in refs:
            if root == "module":
                picked = pick([lb for lb in modules if lb.key[1] == name], file, lambda lb: lb.key[2])
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
                tcp_idle(m, spec, block.attrs.get("tcp_idle_timeout_seconds"))
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
            if lambda_targets(m, block.attrs):
                continue
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
        return target_group_spec(m, f"{resource.type}.{resource.name}", block.loc, block.attrs, path, http_check)
