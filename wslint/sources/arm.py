"""Azure Resource Manager (ARM) JSON templates -> the Azure hops they declare (``azure_spec``).

A template is recognised by its ``$schema`` (``https://schema.management.azure.com/schemas/
2019-04-01/deploymentTemplate.json#`` and the subscription, management group and tenant forms).
Bicep is not read (no Python parser; ``az bicep build`` turns it into this JSON).

Read (property names are case-insensitive, as ARM reads them):

- ``Microsoft.Network/applicationGateways``: ``properties.backendHttpSettingsCollection[]``
  (``name``, ``properties.protocol``, ``properties.requestTimeout``), ``urlPathMaps[].properties.
  pathRules[]`` (``name``, ``properties.paths``, ``properties.backendHttpSettings.id``) and
  ``requestRoutingRules[]`` (``name``, ``properties.backendHttpSettings.id``). A rule names its
  backend settings through an ``id`` expression; the settings whose literal name it holds is the one.
  A collection built by an expression or a ``copy`` loop is unknown.
- ``Microsoft.Network/loadBalancers``: ``properties.loadBalancingRules[]`` (``name``,
  ``properties.protocol``, ``frontendPort``, ``idleTimeoutInMinutes``, ``enableTcpReset``).
- ``Microsoft.Cdn/profiles/afdEndpoints/routes`` (Front Door Standard/Premium), top-level only:
  ``properties.patternsToMatch``, ``properties.cacheConfiguration`` (an object: caching is on),
  ``properties.enabledState``; the route belongs to the profile its ``name`` starts with.

A template whose AKS cluster (``Microsoft.ContainerService/managedClusters``) enables the
``ingressApplicationGateway`` add-on leaves the gateway's backend settings to AGIC, which rewrites
them from the Ingress annotations: their request timeouts are unknown here.

Values (RULES.md "Values"): a literal is itself; ``[parameters('x')]`` is the parameter's
``defaultValue``, located where it is used with the default as ``related``; any other expression
(``[variables(...)]``, ``[concat(...)]`` ...) is unknown and never fires a rule. Nested
deployments (``Microsoft.Resources/deployments``) are not read.
"""

from __future__ import annotations

import re

from wslint.config import Settings, websocket_token_pattern
from wslint.model import Document, Location, Problem
from wslint.sources import azure_spec
from wslint.sources.aws_spec import Value, websocket_name
from wslint.sources.azure_spec import (
    AzureSpecs,
    FrontDoorRouteSpec,
    FrontDoorSpec,
    GatewaySpec,
    HttpSettingsSpec,
    LbRuleSpec,
    LoadBalancerSpec,
)
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_each
from wslint.sources.yaml_positions import load as load_json

GATEWAY = "microsoft.network/applicationgateways"
LB = "microsoft.network/loadbalancers"
FD_ROUTE = "microsoft.cdn/profiles/afdendpoints/routes"
CLUSTER = "microsoft.containerservice/managedclusters"
AGIC = "the AKS ingressApplicationGateway add-on (AGIC) rewrites the gateway's backend settings"
SCHEMA = r"https?://schema\.management\.azure\.com/schemas/[^\"]*[dD]eploymentTemplate\.json"
_PARAMETER = re.compile(r"^\[\s*parameters\(\s*'([^']*)'\s*\)\s*\]$", re.I)
_QUOTED = re.compile(r"'([^']*)'")


def get(node: Node | None, key: str) -> Node | None:
    """``node[key]``, the key matched without regard to case (ARM's property names are case-insensitive)."""
    if node is None or node.mapping is None:
        return None
    found = node.mapping.get(key)
    if found is not None:
        return found
    lower = key.lower()
    return next((v for k, v in node.mapping.items() if k.lower() == lower), None)


def _items(node: Node | None) -> list[Node] | None:
    """The elements of a JSON array (None: not an array, e.g. an expression)."""
    return None if node is None else node.items


def _is_expression(text: str) -> bool:
    return text.startswith("[") and not text.startswith("[[")


class _Template:
    def __init__(self, root: Node, file: str, pattern: re.Pattern[str]) -> None:
        self.root = root
        self.file = file
        self.pattern = pattern  # WebSocket path tokens
        self.parameters: dict[str, Node] = {}
        params = get(root, "parameters")
        for name, body in (params.mapping or {}).items() if params is not None else ():
            default = get(body, "defaultValue")
            if default is not None:
                self.parameters[name.lower()] = default

    def loc(self, node: Node) -> Location:
        return node.location(self.file)

    def value(self, node: Node | None) -> Value | None:
        """A property's value: a literal, a parameter's default through ``[parameters('x')]``, else unknown."""
        if node is None:
            return None
        where = self.loc(node)
        if not node.is_scalar:
            return Value(None, where)
        if node.value is None:
            return None  # null: not set
        if isinstance(node.value, str) and _is_expression(node.value):
            match = _PARAMETER.match(node.value.strip())
            default = self.parameters.get(match.group(1).lower()) if match else None
            if default is not None and default.is_scalar and default.value is not None:
                text = default.value
                if isinstance(text, str) and _is_expression(text):
                    return Value(None, where)
                return Value(text, where, related=self.loc(default))
            return Value(None, where)
        text = node.value[1:] if isinstance(node.value, str) and node.value.startswith("[[") else node.value
        return Value(text, where)

    def text(self, node: Node | None) -> str | None:
        value = self.value(node)
        return None if value is None or value.value is None or isinstance(value.value, bool) else str(value.value)

    def resources(self) -> list[Node]:
        """Top-level resources (an array, or languageVersion 2.0's object of symbolic names)."""
        node = get(self.root, "resources")
        if node is None:
            return []
        if node.items is not None:
            return [r for r in node.items if r.mapping is not None]
        return [r for r in (node.mapping or {}).values() if r.mapping is not None]

    def kind(self, resource: Node) -> str:
        return (self.text(get(resource, "type")) or "").lower()

    def name(self, resource: Node) -> str:
        node = get(resource, "name")
        text = self.text(node)
        if text is not None:
            return text
        return str(node.value) if node is not None and node.is_scalar else "(unnamed)"

    def agic(self) -> bool:
        """An AKS cluster of the template runs the ingressApplicationGateway add-on (AGIC), which owns the gateway's
        backend settings (one template per gateway, as the add-on's samples write it)."""
        for resource in self.resources():
            if self.kind(resource) != CLUSTER:
                continue
            addon = get(get(get(resource, "properties"), "addonProfiles"), "ingressApplicationGateway")
            enabled = self.value(get(addon, "enabled"))
            if addon is not None and (enabled is None or str(enabled.value).lower() != "false"):
                return True
        return False

    # -- Application Gateway ---------------------------------------------------------------------------
    def gateway(self, resource: Node) -> GatewaySpec:
        props = get(resource, "properties")
        gw = GatewaySpec(name=f"applicationGateways {self.name(resource)}", location=self.loc(resource),
                         key="requestTimeout", file=self.file)  # fmt: skip
        collection = get(props, "backendHttpSettingsCollection")
        items = _items(collection)
        if items is None and (collection is not None or _copies(props, "backendHttpSettingsCollection")):
            gw.settings.append(
                HttpSettingsSpec(name=None, location=self.loc(collection or resource),
                                 unknown="the collection is built by an expression")
            )  # fmt: skip
        for item in items or []:
            if item.mapping is None:
                continue  # not a settings object: ARM refuses the template
            inner = get(item, "properties")
            gw.settings.append(
                HttpSettingsSpec(name=self.text(get(item, "name")), location=self.loc(item),
                                 request_timeout=self.value(get(inner, "requestTimeout")),
                                 protocol=self.text(get(inner, "protocol")))
            )  # fmt: skip
        names = [s.name for s in gw.settings if s.name is not None]
        for rule in _items(get(props, "requestRoutingRules")) or []:
            name = self.text(get(rule, "name"))
            target = _named(get(get(get(rule, "properties"), "backendHttpSettings"), "id"), names)
            if target is not None and name is not None:
                gw.rule_names.setdefault(target, []).append(name)
                if websocket_name(name):
                    gw.marks.setdefault(target, f"routing rule {name}, named for WebSocket, sends to it")
        for path_map in _items(get(props, "urlPathMaps")) or []:
            for rule in _items(get(get(path_map, "properties"), "pathRules")) or []:
                self._path_rule(gw, rule, names)
        return gw

    def _path_rule(self, gw: GatewaySpec, rule: Node, names: list[str]) -> None:
        inner = get(rule, "properties")
        name = self.text(get(rule, "name"))
        target = _named(get(get(inner, "backendHttpSettings"), "id"), names)
        if target is None:
            return
        if name is not None:
            gw.rule_names.setdefault(target, []).append(name)
        for path in _items(get(inner, "paths")) or []:
            text = self.text(path)
            if text is not None and self.pattern.search(text.lower()):
                gw.marks.setdefault(target, f"path rule {name or ''} sends {text} to it".replace("  ", " "))
                return
        if name is not None and websocket_name(name):
            gw.marks.setdefault(target, f"path rule {name}, named for WebSocket, sends to it")

    # -- Load Balancer --------------------------------------------------------------------------------------
    def balancer(self, resource: Node) -> LoadBalancerSpec:
        props = get(resource, "properties")
        lb = LoadBalancerSpec(name=f"loadBalancers {self.name(resource)}", location=self.loc(resource),
                              key="idleTimeoutInMinutes", reset_key="enableTcpReset", file=self.file)  # fmt: skip
        for index, rule in enumerate(_items(get(props, "loadBalancingRules")) or [], 1):
            if rule.mapping is None:
                continue
            inner = get(rule, "properties")
            lb.rules.append(
                LbRuleSpec(name=self.text(get(rule, "name")) or f"#{index}", location=self.loc(rule),
                           protocol=self.value(get(inner, "protocol")),
                           frontend_port=self.value(get(inner, "frontendPort")),
                           idle_minutes=self.value(get(inner, "idleTimeoutInMinutes")),
                           tcp_reset=self.value(get(inner, "enableTcpReset")))
            )  # fmt: skip
        return lb

    # -- Front Door ----------------------------------------------------------------------------------------
    def route(self, resource: Node) -> tuple[str, FrontDoorRouteSpec] | None:
        props = get(resource, "properties")
        enabled = self.text(get(props, "enabledState"))
        if enabled is not None and enabled.lower() == "disabled":
            return None
        name = self.name(resource)
        profile = name.split("/")[0] if "/" in name and not _is_expression(name) else "(this template)"
        patterns_node = get(props, "patternsToMatch")
        patterns: list[str] | None = ["/*"] if patterns_node is None else None
        if patterns_node is not None and patterns_node.items is not None:
            patterns = [t for t in (self.text(p) for p in patterns_node.items) if t is not None]
        cache = get(props, "cacheConfiguration")
        on = cache is not None and cache.mapping is not None
        unknown = cache is not None and cache.is_scalar and isinstance(cache.value, str) and _is_expression(cache.value)
        where = get_key(props, "cacheConfiguration") or cache
        route = FrontDoorRouteSpec(
            name=name,
            location=self.loc(resource),
            patterns=patterns,
            cache=self.loc(where) if on and where is not None else None,
            cache_unknown=unknown,
            cache_key="cacheConfiguration (or set it to null)",
        )
        return profile, route


def get_key(node: Node | None, key: str) -> Node | None:
    """The key node of ``node[key]`` (case-insensitive), to locate a block at its name."""
    if node is None or node.keys is None:
        return None
    lower = key.lower()
    return next((v for k, v in node.keys.items() if k.lower() == lower), None)


def _copies(props: Node | None, name: str) -> bool:
    """A ``copy`` loop in ``properties`` that builds the property ``name``."""
    for loop in _items(get(props, "copy")) or []:
        target = get(loop, "name")
        if target is not None and isinstance(target.value, str) and target.value.lower() == name.lower():
            return True
    return False


def _named(id_node: Node | None, names: list[str]) -> str | None:
    """The one backend settings name an ``id`` (a resourceId()/concat() expression or a literal) holds."""
    if id_node is None or not isinstance(id_node.value, str):
        return None
    text = id_node.value
    candidates = set(_QUOTED.findall(text)) | {text.rsplit("/", 1)[-1].strip("')]")}
    found = [n for n in names if n in candidates]
    return found[0] if len(found) == 1 else None


def read_template(text: str, file: str, named: bool, settings: Settings) -> Document:
    """The Document for one template's text."""
    document = Document(file=file, kind="arm", context="arm", files=[file])
    try:
        root = load_json(text)
    except YamlError as exc:
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=file, line=exc.line, column=exc.column),
                    message=f"cannot read the template: {exc.message}")
        )  # fmt: skip
        return document
    if root is None or root.mapping is None:
        document.problems.append(
            Problem(kind="parse-error", location=Location(file=file, line=1, column=1),
                    message="an ARM template must be a JSON object")
        )  # fmt: skip
        return document
    template = _Template(root, file, websocket_token_pattern(settings.all_websocket_paths))
    specs = AzureSpecs()
    profiles: dict[str, FrontDoorSpec] = {}
    for resource in template.resources():
        kind = template.kind(resource)
        if kind == GATEWAY:
            specs.gateways.append(template.gateway(resource))
        elif kind == LB:
            specs.balancers.append(template.balancer(resource))
        elif kind == FD_ROUTE:
            found = template.route(resource)
            if found is not None:
                profile, route = found
                fd = profiles.setdefault(
                    profile, FrontDoorSpec(name=f"profiles {profile}", location=route.location, file=file)
                )
                fd.routes.append(route)
    specs.frontdoors = list(profiles.values())
    if template.agic():
        for gw in specs.gateways:
            for spec in gw.settings:
                spec.unknown = spec.unknown or AGIC
    hops, problems = azure_spec.build(specs, settings)
    document.hops = hops
    document.problems = problems
    return document


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint ARM templates (the source registry's ``load``)."""
    settings = context.settings

    def read_one(text: str, file: str, named: bool) -> Document:
        return read_template(text, file, named, settings)

    documents, errors = load_each(files, settings.max_file_size, context.stdin, read_one, "ARM template")
    for document in documents:  # a file that could not be read at all is still an ARM template's WS001
        document.kind, document.context = "arm", "arm"
    return documents, errors
