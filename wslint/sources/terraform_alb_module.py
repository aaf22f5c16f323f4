"""terraform-aws-modules/alb ``module`` blocks -> load balancer specs, from their literal inputs.

The registry module ``terraform-aws-modules/alb/aws`` (or its GitHub URL): v9+ ``listeners``/
``target_groups`` maps and the older ``http_tcp_listeners``/``https_listeners``/``target_groups``
lists, located at their elements. A module created zero times (``count = 0``, an empty
``for_each``, ``create = false``) is left out.
"""

from __future__ import annotations

import re

from wslint.model import Location
from wslint.sources import aws_spec
from wslint.sources.aws_spec import ListenerSpec, TargetGroupSpec, Value
from wslint.sources.terraform_blocks import Attr, Block, TfFile
from wslint.sources.terraform_resources import (
    HTTP_FAMILY,
    Lb,
    lambda_targets,
    lb_kind,
    lb_spec,
    target_group_spec,
    tcp_idle,
)
from wslint.sources.terraform_values import Module

# terraform-aws-modules/alb from the registry (optionally pinned through a git URL)
ALB_MODULE = re.compile(
    r"^(?:registry\.terraform\.io/)?terraform-aws-modules/alb/aws$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-alb(?:\.git)?(?:\?.*)?$"
)


def read(m: Module, block: Block, tf: TfFile) -> Lb | None:
    """The load balancer a terraform-aws-modules/alb block creates; None for another module or none created."""
    source = m.text(block.attrs.get("source"))
    if source is None or not ALB_MODULE.match(source.strip()):
        return None
    create = m.value(block.attrs.get("create"))
    if create is not None and create.value is not None and str(create.value).lower() == "false":
        return None
    if m.absent(block):
        return None
    kind = lb_kind(m.value(block.attrs.get("load_balancer_type")))  # the module's default is "application" too
    if kind is None:
        return None
    name = f"module.{block.labels[0]}"
    spec = lb_spec(m, block, kind, name)  # the module passes idle_timeout/client_keep_alive to aws_lb
    lb = Lb(("module", block.labels[0], tf.display), spec, tf.linted)
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
                _listener(m, lb, item, default_protocol, default_port, None)
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
            _listener(m, lb, item, default_protocol, default_port, default)
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
        group = _target_group(m, name, item)
        if group is not None:
            spec.target_groups.append(group)
    return lb


def _listener(
    m: Module, lb: Lb, item: Attr, default_protocol: Value | None, default_port: Value | None, fallback: str | None
) -> None:
    fields = m.obj(item)
    if fields is None:
        lb.spec.listeners.append(_unknown_listener(lb, item.loc))
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
        tcp_idle(m, listener, fields.get("tcp_idle_timeout_seconds"))
    lb.spec.listeners.append(listener)


def _unknown_listener(lb: Lb, where: Location) -> ListenerSpec:
    listener = ListenerSpec(location=where, protocol=Value(None, where))
    if lb.spec.kind == "nlb":
        listener.attributes[aws_spec.NLB_IDLE_KEY] = Value(None, where)
    return listener


def _target_group(m: Module, module_name: str, item: Attr) -> TargetGroupSpec | None:
    fields = m.obj(item)
    if fields is None:
        return None
    if lambda_targets(m, fields):
        return None
    health = m.obj(fields.get("health_check"))
    path: Value | None = None
    http_check = False
    if health is not None:
        path = m.value(health.get("path"))
        http_check = (m.text(health.get("protocol")) or "").upper() in HTTP_FAMILY
    elif fields.get("health_check") is not None:
        path = Value(None, fields["health_check"].loc)
    return target_group_spec(m, f"{module_name} {item.name}", item.loc, fields, path, http_check)
