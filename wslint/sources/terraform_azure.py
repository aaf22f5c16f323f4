"""Terraform resources of Azure: Application Gateway, Load Balancer, Front Door -> hops of one module's document.

Read (hashicorp/terraform-provider-azurerm; Azure's dialect is ``azure_spec``'s):

- ``azurerm_application_gateway``: ``backend_http_settings`` blocks (``name``, ``protocol``,
  ``request_timeout``), ``request_routing_rule`` (``name``, ``backend_http_settings_name``,
  ``url_path_map_name``) and ``url_path_map`` ``path_rule`` (``name``, ``paths``,
  ``backend_http_settings_name``): a path rule with a WebSocket path, or a rule named for
  WebSocket, marks the backend settings it names. A ``dynamic "backend_http_settings"`` block is
  a settings block whose values are unknown (never fires); a dynamic path rule marks nothing. A gateway whose
  ``lifecycle { ignore_changes }`` names ``backend_http_settings`` (or ``all``) leaves them to another tool
  (the Application Gateway Ingress Controller rewrites them): their timeouts are unknown; so are those of
  a gateway an ``azurerm_kubernetes_cluster``'s ``ingress_application_gateway { gateway_id }`` names.
- ``azurerm_lb`` and ``azurerm_lb_rule`` (``loadbalancer_id``, ``name``, ``protocol``,
  ``frontend_port``, ``idle_timeout_in_minutes``, ``tcp_reset_enabled`` or the older
  ``enable_tcp_reset``). A rule whose load balancer is not in the module belongs to a hop named
  after what its ``loadbalancer_id`` names.
- Front Door Standard/Premium: ``azurerm_cdn_frontdoor_route`` (``name``, ``enabled``,
  ``patterns_to_match``, a ``cache`` block: caching is on; "To disable caching, do not provide the
  ``cache`` block"), under the profile its ``cdn_frontdoor_endpoint_id`` names through
  ``azurerm_cdn_frontdoor_endpoint.cdn_frontdoor_profile_id``. Rule sets that override caching
  are not read.

Values resolve as for the AWS resources (``terraform_values.Module``: variable defaults,
locals; tfvars and null defaults are unknown). A resource created zero times is left out; hops
are reported from the linted files only.
"""

from __future__ import annotations

from wslint.config import Settings, websocket_token_pattern
from wslint.model import Document
from wslint.sources import azure_spec
from wslint.sources.aws_spec import websocket_name
from wslint.sources.azure_spec import (
    AzureSpecs,
    FrontDoorRouteSpec,
    FrontDoorSpec,
    GatewaySpec,
    HttpSettingsSpec,
    LbRuleSpec,
    LoadBalancerSpec,
)
from wslint.sources.terraform_blocks import Attr, Block
from wslint.sources.terraform_values import Module, Resource

GATEWAY = "azurerm_application_gateway"
LB = "azurerm_lb"
LB_RULE = "azurerm_lb_rule"
FD_PROFILE = "azurerm_cdn_frontdoor_profile"
FD_ENDPOINT = "azurerm_cdn_frontdoor_endpoint"
FD_ROUTE = "azurerm_cdn_frontdoor_route"
CLUSTER = "azurerm_kubernetes_cluster"
AGIC = "the AKS ingress_application_gateway add-on (AGIC) rewrites them"


def read(module: Module, document: Document, settings: Settings) -> None:
    """Add this provider's hops (and the problems met) from the module's resources to its document."""
    present = [r for r in module.resources if r.type.startswith("azurerm_") and not module.absent(r.block)]
    if not present:
        return
    reader = _Reader(module, settings)
    agic = {name for r in present if r.type == CLUSTER for name in reader.agic_gateways(r)}
    specs = AzureSpecs(
        gateways=[reader.gateway(r, r.name in agic) for r in present if r.type == GATEWAY and r.file.linted],
        balancers=reader.balancers(present),
        frontdoors=reader.frontdoors(present),
    )
    hops, problems = azure_spec.build(specs, settings)
    document.hops.extend(hops)
    document.problems.extend(problems)


def _address(resource: Resource) -> str:
    return f"{resource.type}.{resource.name}"


def _ignores(block: Block, argument: str) -> bool:
    """``lifecycle { ignore_changes = [argument] }`` (or ``all``): Terraform leaves the argument to someone else."""
    for lifecycle in block.children("lifecycle"):
        attr = lifecycle.attrs.get("ignore_changes")
        if attr is None:
            continue
        expr = attr.expr
        items = expr.elems if expr.kind == "tuple" else [expr]
        for item in items:
            name = item.path[0] if item.kind == "ref" and item.path else item.value if item.kind == "lit" else None
            if name in (argument, "all"):
                return True
    return False


def _named(attr: Attr | None) -> str | None:
    """What a plain reference names (``data.azurerm_lb.shared.id`` -> ``data.azurerm_lb.shared``), else None."""
    if attr is None or attr.expr.kind != "ref" or attr.expr.path[:1] in (("var",), ("local",)):
        return None
    path = attr.expr.path
    size = 3 if path[0] == "data" else 2
    return ".".join(path[:size]) if len(path) >= size else None


class _Reader:
    def __init__(self, module: Module, settings: Settings) -> None:
        self.m = module
        self.pattern = websocket_token_pattern(settings.all_websocket_paths)

    def strings(self, attr: Attr | None) -> list[str] | None:
        """The known strings of a list argument (None: the list itself is not known)."""
        elems = self.m.elems(attr)
        if elems is None:
            return None
        out = []
        for elem in elems:
            value, _, known = self.m.scalar_of(elem)
            if known and isinstance(value, str):
                out.append(value)
        return out

    def owner(self, attr: Attr | None, rtype: str, file: str) -> Resource | None:
        """The one resource of ``rtype`` an argument names (``azurerm_lb.web.id``), or None."""
        found = {n for t, n in self.m.refs(attr) if t == rtype}
        if len(found) != 1:
            return None
        return self.m.find(rtype, found.pop(), file)

    # -- Application Gateway -----------------------------------------------------------------------------
    def agic_gateways(self, cluster: Resource) -> set[str]:
        """The gateways of the module an AKS cluster's ingress_application_gateway add-on (AGIC) manages."""
        names: set[str] = set()
        for addon in cluster.block.children("ingress_application_gateway"):
            names |= {n for t, n in self.m.refs(addon.attrs.get("gateway_id")) if t == GATEWAY}
        return names

    def gateway(self, resource: Resource, agic: bool = False) -> GatewaySpec:
        m, block = self.m, resource.block
        gw = GatewaySpec(name=_address(resource), location=block.loc, key="request_timeout", file=resource.file.display)
        for s in block.children("backend_http_settings"):
            gw.settings.append(
                HttpSettingsSpec(name=m.text(s.attrs.get("name")), location=s.loc,
                                 request_timeout=m.value(s.attrs.get("request_timeout")),
                                 protocol=m.text(s.attrs.get("protocol")))
            )  # fmt: skip
        for s in block.dynamic("backend_http_settings"):
            gw.settings.append(HttpSettingsSpec(name=None, location=s.loc, unknown="a dynamic block"))
        owner = AGIC if agic else None
        if _ignores(block, "backend_http_settings"):
            owner = "lifecycle ignore_changes leaves them to another tool (AGIC)"
        if owner is not None:  # AGIC (or another tool) owns the settings: what Terraform writes is not what runs
            for spec in gw.settings:
                spec.unknown = spec.unknown or owner
        for rule in block.children("request_routing_rule"):
            name = m.text(rule.attrs.get("name"))
            target = m.text(rule.attrs.get("backend_http_settings_name"))
            if target is not None and name is not None:
                gw.rule_names.setdefault(target, []).append(name)
                if websocket_name(name):
                    gw.marks.setdefault(target, f"routing rule {name}, named for WebSocket, sends to it")
        for path_map in block.children("url_path_map"):
            for rule in path_map.children("path_rule"):
                self._path_rule(gw, rule)
        return gw

    def _path_rule(self, gw: GatewaySpec, rule: Block) -> None:
        m = self.m
        name = m.text(rule.attrs.get("name"))
        target = m.text(rule.attrs.get("backend_http_settings_name"))
        if target is None:
            return
        if name is not None:
            gw.rule_names.setdefault(target, []).append(name)
        for path in self.strings(rule.attrs.get("paths")) or []:
            if self.pattern.search(path.lower()):
                gw.marks.setdefault(target, f"path rule {name or ''} sends {path} to it".replace("  ", " "))
                return
        if name is not None and websocket_name(name):
            gw.marks.setdefault(target, f"path rule {name}, named for WebSocket, sends to it")

    # -- Load Balancer -------------------------------------------------------------------------------------
    def balancers(self, present: list[Resource]) -> list[LoadBalancerSpec]:
        m = self.m
        specs: dict[str, LoadBalancerSpec] = {}
        for resource in present:
            if resource.type == LB and resource.file.linted:
                specs[_address(resource)] = LoadBalancerSpec(name=_address(resource), location=resource.block.loc,
                                                             file=resource.file.display)  # fmt: skip
        for resource in present:
            if resource.type != LB_RULE:
                continue
            block = resource.block
            attr = block.attrs.get("loadbalancer_id")
            owner = self.owner(attr, LB, resource.file.display)
            if owner is not None:
                lb = specs.get(_address(owner))
                if lb is None:
                    continue  # a load balancer of a file not linted
            else:
                if not resource.file.linted:
                    continue
                name = _named(attr) or f"the load balancer of {_address(resource)}"
                lb = specs.setdefault(name, LoadBalancerSpec(name=name, location=block.loc, file=resource.file.display))
            reset_attr = block.attrs.get("tcp_reset_enabled") or block.attrs.get("enable_tcp_reset")
            lb.reset_key = "enable_tcp_reset" if "tcp_reset_enabled" not in block.attrs and reset_attr else lb.reset_key
            lb.rules.append(
                LbRuleSpec(name=m.text(block.attrs.get("name")) or _address(resource), location=block.loc,
                           protocol=m.value(block.attrs.get("protocol")),
                           frontend_port=m.value(block.attrs.get("frontend_port")),
                           idle_minutes=m.value(block.attrs.get("idle_timeout_in_minutes")),
                           tcp_reset=m.value(reset_attr), aliases=(_address(resource),))
            )  # fmt: skip
        return list(specs.values())

    # -- Front Door ------------------------------------------------------------------------------------------
    def frontdoors(self, present: list[Resource]) -> list[FrontDoorSpec]:
        specs: dict[str, FrontDoorSpec] = {}
        for resource in present:
            if resource.type == FD_PROFILE and resource.file.linted:
                specs[_address(resource)] = FrontDoorSpec(name=_address(resource), location=resource.block.loc,
                                                          file=resource.file.display)  # fmt: skip
        for resource in present:
            if resource.type != FD_ROUTE:
                continue
            route = self._route(resource)
            if route is None:
                continue
            file = resource.file.display
            endpoint = self.owner(resource.block.attrs.get("cdn_frontdoor_endpoint_id"), FD_ENDPOINT, file)
            profile = None
            if endpoint is not None:
                attr = endpoint.block.attrs.get("cdn_frontdoor_profile_id")
                profile = self.owner(attr, FD_PROFILE, endpoint.file.display)
            if profile is not None:
                fd = specs.get(_address(profile))
                if fd is None:
                    continue  # a profile of a file not linted
            else:
                if not resource.file.linted:
                    continue
                name = _address(endpoint) if endpoint is not None else f"the Front Door of {_address(resource)}"
                fd = specs.setdefault(name, FrontDoorSpec(name=name, location=resource.block.loc, file=file))
            fd.routes.append(route)
        return list(specs.values())

    def _route(self, resource: Resource) -> FrontDoorRouteSpec | None:
        m, block = self.m, resource.block
        enabled = m.value(block.attrs.get("enabled"))
        if enabled is not None and str(enabled.value).lower() == "false":
            return None  # a disabled route serves nothing
        attr = block.attrs.get("patterns_to_match")
        patterns = ["/*"] if attr is None else self.strings(attr)
        caches = block.children("cache")
        return FrontDoorRouteSpec(
            name=m.text(block.attrs.get("name")) or _address(resource),
            location=block.loc,
            patterns=patterns,
            cache=caches[0].loc if caches else None,
            cache_unknown=bool(block.dynamic("cache")),
            aliases=(_address(resource),),
        )
