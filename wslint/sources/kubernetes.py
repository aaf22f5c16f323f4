"""Kubernetes manifests -> hops: the ingress controllers and AWS load balancers their annotations configure.

Every document of a file is read (multi-document YAML, ``kind: List`` and its ``items``), with
lines. What becomes a hop (FACTS.md §B; the rule documents cite the sources for the rest):

- An Ingress for **ingress-nginx** (``ingressClassName``/``kubernetes.io/ingress.class`` ``nginx``,
  or ``nginx.ingress.kubernetes.io/*`` annotations): hop ``ingress-nginx``, a route per rule path
  that names a WebSocket endpoint (or that ``websocket-routes`` lists). Its idle timeout is the
  ``nginx.ingress.kubernetes.io/proxy-read-timeout`` annotation, whole seconds without a unit read
  with Go's ``strconv.Atoi``; a value it refuses (``"120s"``) is WS206 and the controller's default
  applies: ``proxy-read-timeout`` of a controller ConfigMap in the run, else 60 s. The controller
  forwards Upgrade and Connection itself, so no WS1xx rule applies. ``configuration-snippet`` and
  ``server-snippet`` are nginx text: one nginx cannot parse is WS001 at the annotation.
- An Ingress for **NGINX Inc's controller** (``nginx.org/*`` annotations): hop ``nginx-ingress``,
  idle timeout ``nginx.org/proxy-read-timeout`` in nginx's time syntax (default 60s); the services
  ``nginx.org/websocket-services`` names are WebSocket routes.
- An Ingress for the **AWS Load Balancer Controller** (class ``alb`` or ``alb.ingress.kubernetes.io/*``):
  an ALB whose ``idle_timeout.timeout_seconds`` comes from ``load-balancer-attributes`` (a
  ``k1=v1,k2=v2`` string map) and whose target groups take ``target-group-attributes``.
- A **Service of type LoadBalancer** on AWS: the AWS Load Balancer Controller's NLB
  (``aws-load-balancer-type: external``/``nlb-ip`` or ``loadBalancerClass: service.k8s.aws/nlb``;
  idle timeout from ``aws-load-balancer-listener-attributes.TCP-<port>``, default 350 s); the
  in-tree provider's NLB (``aws-load-balancer-type: nlb``), which reads no listener attributes
  (350 s, and a note when one is written); otherwise, with ``aws-load-balancer-*`` annotations,
  the in-tree Classic ELB (``aws-load-balancer-connection-idle-timeout``, default 60 s). Without
  AWS annotations, or with another ``loadBalancerClass``, the cloud is unknown: no hop.
- ALB IngressGroups (``alb.ingress.kubernetes.io/group.name``) are one ALB whose attributes any
  member may set: the idle timeout its members in the run agree on, else unknown.

Google Cloud (GKE Ingress, GKE Gateway, Knative / Cloud Run) and Azure (AGIC Ingresses, LoadBalancer Services on
Azure) are read by kubernetes_gke.py and kubernetes_aks.py, with what they look up across files in
kubernetes_index.py; an object and its scalar helpers are kubernetes_manifest.py. Contour, Envoy Gateway (and Gateway
API routes of gateways other than GKE's), Istio, Emissary, Kong and Traefik resources are read by
kubernetes_contour.py, kubernetes_envoy_gateway.py, kubernetes_istio.py, kubernetes_emissary.py, kubernetes_kong.py
and kubernetes_traefik.py (``EXTENSIONS``). Every other kind is not a hop.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Literal

from wslint import hops
from wslint.config import Settings, websocket_token_pattern
from wslint.durations import InvalidDuration, parse_nginx
from wslint.model import Document, Duration, Header, Hop, IgnoredTimeout, IngressRoute, Location, Problem, Route
from wslint.sources import (
    aws_spec,
    ingress_class,
    kubernetes_aks,
    kubernetes_contour,
    kubernetes_emissary,
    kubernetes_envoy_gateway,
    kubernetes_gke,
    kubernetes_istio,
    kubernetes_kong,
    kubernetes_traefik,
)
from wslint.sources.aws_spec import ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value
from wslint.sources.cloud_common import selector
from wslint.sources.kubernetes_index import Index
from wslint.sources.kubernetes_index import build as build_index
from wslint.sources.kubernetes_manifest import CLASS_ANNOTATION, NGINX_INC
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar as _scalar
from wslint.sources.kubernetes_manifest import value as _value
from wslint.sources.registry import Context, Target
from wslint.sources.yaml_positions import Node, YamlError, load_all, read_text
from wslint.templating import opaque

INGRESS_NGINX = "nginx.ingress.kubernetes.io/"
ALB = "alb.ingress.kubernetes.io/"
SERVICE_AWS = "service.beta.kubernetes.io/aws-load-balancer-"
READ_TIMEOUT = "proxy-read-timeout"
# the modules that read the Envoy family's, Kong's and Traefik's resources (issue 23): each is asked about every
# object (``resource``), and about the Ingresses of its controller (``ingress``), by controller name
EXTENSIONS = (
    kubernetes_contour,
    kubernetes_envoy_gateway,
    kubernetes_istio,
    kubernetes_emissary,
    kubernetes_kong,
    kubernetes_traefik,
)
INGRESS_CONTROLLERS = {
    "contour": kubernetes_contour,
    "istio": kubernetes_istio,
    "kong": kubernetes_kong,
    "traefik": kubernetes_traefik,
}
# FACTS.md §B.1: ingress-nginx's default proxy-read-timeout; NGINX Inc's is the same 60s (its docs)
DEFAULT_READ_TIMEOUT = 60.0
_ATOI = re.compile(r"[+-]?[0-9]+")
# Service port names and appProtocol values (kubernetes.io/ws, kubernetes.io/wss, ...) that mean web traffic
WEB_PORT_NAMES = frozenset({"http", "https", "web", "ws", "wss", "websocket", "websockets", "h2c"})


@dataclass
class _Default:
    """A controller's default from the ConfigMaps of the run: None when none sets it; unknown when they disagree."""

    value: Duration | None = None
    unknown: bool = False

    def add(self, duration: Duration | None) -> None:
        if duration is None or (self.value is not None and self.value.seconds != duration.seconds):
            self.unknown = True
        self.value = self.value or duration


@dataclass
class _Defaults:
    """What the controllers' ConfigMaps in the run set: ``proxy-read-timeout`` for each nginx controller."""

    ingress_nginx: _Default = field(default_factory=_Default)
    nginx_inc: _Default = field(default_factory=_Default)
    # ALB IngressGroups (group.name): the idle_timeout.timeout_seconds each member of the run sets (None: not set)
    groups: dict[str, list[Value | None]] = field(default_factory=dict)
    # (directory, IngressClass name) -> its spec.controller, from the IngressClasses of the run
    classes: dict[tuple[str, str], str] = field(default_factory=dict)
    # the objects the Google Cloud and Azure hops look up across files (kubernetes_index)
    index: Index = field(default_factory=Index)

    def classes_of(self, manifest: _Manifest) -> dict[str, str]:
        """The IngressClasses an Ingress's class name can mean: those in files of its own directory.

        A run over several projects holds several clusters' IngressClasses, and ``nginx`` names ingress-nginx's
        in one and NGINX Inc's in another.
        """
        directory = posixpath.dirname(manifest.file.replace("\\", "/"))
        return {name: controller for (where, name), controller in self.classes.items() if where == directory}


@dataclass
class _Read:
    hops: list[Hop] = field(default_factory=list)
    specs: list[LoadBalancerSpec] = field(default_factory=list)
    # per spec: the Ingress paths that are its WebSocket routes (None: every listener counts, a Service)
    paths: list[list[tuple[str, Location, str]] | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[IgnoredTimeout] = field(default_factory=list)
    # timeouts written that bound only the upgrade handshake (WS210)
    handshake_only: list[IgnoredTimeout] = field(default_factory=list)


def manifests(root: Node, file: str) -> list[_Manifest]:
    """The objects of one YAML document: itself, or the items of a ``List``."""
    if root.mapping is None:
        return []
    items = root.get("items")
    if (_scalar(root.get("kind")) or "").endswith("List") and items is not None:
        return [_Manifest(item, file) for item in items.items or [] if item.mapping is not None]
    return [_Manifest(root, file)]


def _class(ingress: _Manifest) -> str | None:
    return ingress.text("spec", "ingressClassName") or _scalar(ingress.annotations().get(CLASS_ANNOTATION))


def _controller(ingress: _Manifest, classes: dict[str, str]) -> str | None:
    """The controller of an Ingress: its class's when known (gce, traefik: not a hop), else its annotations'."""
    annotations = ingress.annotations()
    chosen = _class(ingress)
    by_class = ingress_class.controller_of(chosen, classes)
    if by_class is not None:
        return by_class
    if chosen == "alb" or any(key.startswith(ALB) for key in annotations):
        return "alb"
    if any(key.startswith(NGINX_INC) for key in annotations):
        return "nginx-ingress"
    if chosen == "nginx" or any(key.startswith(INGRESS_NGINX) for key in annotations):
        return "ingress-nginx"
    return None


def _number(node: Node | None) -> int | None:
    text = _scalar(node)
    return int(text) if text is not None and re.fullmatch(r"[0-9]{1,5}", text.strip()) else None


def string_map(node: Node | None, file: str) -> dict[str, Value]:
    """An AWS Load Balancer Controller ``stringMap`` annotation (``k1=v1,k2=v2``, over lines too)."""
    text = _scalar(node)
    if node is None or text is None:
        return {}
    where = node.location(file)
    out = {}
    for item in re.split(r"[,\n]", text):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            out[key.strip()] = Value(value.strip(), where)
    return out


class _Analysis:
    def __init__(self, file: str, objects: list[_Manifest], settings: Settings, defaults: _Defaults) -> None:
        self.file = file
        self.objects = objects
        self.settings = settings
        self.defaults = defaults
        self.read = _Read()
        self.pattern = websocket_token_pattern(settings.all_websocket_paths)

    def run(self) -> Document:
        for manifest in self.objects:
            if manifest.kind == "Ingress":
                self._ingress(manifest)
            elif manifest.kind == "Service" and (manifest.text("apiVersion") or "").startswith("serving.knative.dev/"):
                kubernetes_gke.knative(self, manifest)
            elif manifest.kind == "Service" and manifest.text("spec", "type") == "LoadBalancer":
                self._service(manifest)
            elif manifest.kind == "HTTPRoute":
                kubernetes_gke.http_route(self, manifest)
            elif manifest.kind == "BackendConfig":
                kubernetes_gke.backend_configs(self, manifest)
            elif manifest.kind == "GCPBackendPolicy":
                kubernetes_gke.backend_policy(self, manifest)
            for extension in EXTENSIONS:
                extension.resource(self, manifest)
        document = aws_spec.build(self.read.specs, self.file, ports=self.settings.all_websocket_ports)
        for hop, paths in zip(document.hops, self.read.paths, strict=True):
            if paths is not None:  # an ALB Ingress: its routes are its WebSocket paths, on the ALB's idle timeout
                idle = hop.routes[0].idle_timeout if hop.routes else None
                hop.routes = [
                    Route(name=f"{hop.name} {path}", location=where, reason=reason, idle_timeout=idle,
                          default_applies=True, websocket_path=True)
                    for path, where, reason in paths
                ]  # fmt: skip
        document.kind = "kubernetes"
        document.context = "kubernetes"
        document.hops[:0] = self.read.hops
        document.problems[:0] = self.read.problems
        document.ignored[:0] = self.read.ignored
        document.handshake_only[:0] = self.read.handshake_only
        return document

    # -- Ingress -----------------------------------------------------------------------------------
    def _paths(self, ingress: _Manifest) -> list[tuple[str, str, Node]]:
        """(host + path, backend service name, the path's node) for every rule path."""
        out = []
        rules = ingress.node.get("spec")
        rules = None if rules is None else rules.get("rules")
        for rule in (rules.items or []) if rules is not None else []:
            host = _scalar(rule.get("host")) or ""
            http = rule.get("http")
            paths = None if http is None else http.get("paths")
            for entry in (paths.items or []) if paths is not None else []:
                path = _scalar(entry.get("path")) or "/"
                backend = entry.get("backend")
                service = None if backend is None else backend.get("service")
                name = _scalar(service.get("name")) if service is not None else None
                name = name or (None if backend is None else _scalar(backend.get("serviceName")))  # v1beta1
                out.append((f"{host}{path}", name or "", entry))
        return out

    def _websocket(self, path: str, service: str, listed: set[str]) -> str | None:
        explicit = self.settings.websocket_routes
        if explicit is not None:
            return "listed in websocket-routes" if any(self._listed(entry, path) for entry in explicit) else None
        if service in listed:
            return "its service is in nginx.org/websocket-services"
        if self.pattern.search(path.lower()):
            return "its path names a WebSocket endpoint"
        return None

    def _listed(self, entry: str, path: str) -> bool:
        """A ``websocket-routes`` entry (``/ws``, ``host/ws`` or ``FILE:`` before either) naming this path."""
        return selector(entry, self.file) in (path, "/" + path.partition("/")[2])

    def _ingress(self, ingress: _Manifest) -> None:
        controller = _controller(ingress, self.defaults.classes_of(ingress))
        self._ignored_annotations(ingress)
        if controller in (None, "gce"):
            kubernetes_gke.ingress(self, ingress, controller)  # GKE's, when its class or its evidence says so
        elif controller == "agic":
            kubernetes_aks.ingress(self, ingress)
        elif controller in INGRESS_CONTROLLERS:
            INGRESS_CONTROLLERS[controller].ingress(self, ingress)
        if controller == "alb":
            self._alb(ingress)
            return
        if controller not in ("ingress-nginx", "nginx-ingress"):
            return
        annotations = ingress.annotations()
        connection: Header | None = None
        if controller == "ingress-nginx":
            timeout = self._ingress_nginx_timeout(ingress, annotations)
            self._snippets(annotations)
            listed: set[str] = set()
            # it replaces the template's `Connection $connection_upgrade`: anything without "upgrade" breaks the switch
            node = annotations.get(INGRESS_NGINX + "connection-proxy-header")
            value = _scalar(node)
            if node is not None and value is not None and not opaque(value) and "upgrade" not in value.lower():
                connection = Header(name="Connection", value=value, location=node.location(self.file))
        else:
            timeout = self._nginx_inc_timeout(ingress, annotations)
            listed = {s.strip() for s in (_scalar(annotations.get(NGINX_INC + "websocket-services")) or "").split(",")}
        kind = hops.INGRESS_NGINX if controller == "ingress-nginx" else hops.NGINX_INGRESS
        hop = Hop(kind=kind, name=f"Ingress {ingress.name}", location=ingress.where("metadata"))
        for path, service, node in self._paths(ingress):
            reason = self._websocket(path, service, listed - {""})
            if reason is None:
                continue
            route = Route(name=f"Ingress {ingress.name} {path}", location=node.location(self.file), reason=reason,
                          idle_timeout=timeout, default_applies=True, websocket_path=True)  # fmt: skip
            if kind is hops.NGINX_INGRESS and service not in listed:
                # NGINX Inc's template sets Upgrade and Connection only for the services it lists: none here (WS102)
                route.dialect = IngressRoute(websocket_service=False)
            elif connection is not None:
                route.dialect = IngressRoute(connection=connection)  # WS103
            hop.routes.append(route)
        if hop.routes:
            self.read.hops.append(hop)

    def _ignored_annotations(self, ingress: _Manifest) -> None:
        """WS208: nginx timeout annotations on an Ingress whose class belongs to a controller that never reads them."""
        chosen = _class(ingress)
        controller = ingress_class.controller_of(chosen, self.defaults.classes_of(ingress))
        if chosen is None or controller is None:
            return
        annotations = ingress.annotations()
        attributes = string_map(annotations.get(ALB + "load-balancer-attributes"), self.file)
        idle = attributes.get(aws_spec.ALB_IDLE_KEY)
        self.read.ignored += ingress_class.ignored_annotations(
            ingress.name,
            chosen,
            controller,
            {key: (_scalar(node), node.location(self.file)) for key, node in annotations.items()},
            alb_idle=None if idle is None or idle.value is None else str(idle.value),
        )

    def _ingress_nginx_timeout(self, ingress: _Manifest, annotations: dict[str, Node]) -> Duration | None:
        key = INGRESS_NGINX + READ_TIMEOUT
        node = annotations.get(key)
        text = _value(node)
        if node is not None and text is not None:
            if _ATOI.fullmatch(text):
                return Duration(seconds=float(int(text)), text=text, dialect="ingress-nginx",
                                location=node.location(self.file), directive=key)  # fmt: skip
            self._problem(
                "invalid-duration",
                node,
                f'{key} "{text}": ingress-nginx takes whole seconds without a unit (strconv.Atoi) '
                "and ignores this value: its default applies",
            )
        elif node is not None:
            return None  # not a plain scalar: unknown
        if self.defaults.ingress_nginx.unknown:
            return None
        if self.defaults.ingress_nginx.value is not None:
            return self.defaults.ingress_nginx.value
        where = ingress.where("metadata", "annotations")
        return Duration(seconds=DEFAULT_READ_TIMEOUT, text="60", dialect="ingress-nginx", location=where,
                        default=True, directive=key)  # fmt: skip

    def _nginx_inc_timeout(self, ingress: _Manifest, annotations: dict[str, Node]) -> Duration | None:
        key = NGINX_INC + READ_TIMEOUT
        node = annotations.get(key)
        text = _value(node)
        if node is None:
            if self.defaults.nginx_inc.unknown or self.defaults.nginx_inc.value is not None:
                return None if self.defaults.nginx_inc.unknown else self.defaults.nginx_inc.value
            where = ingress.where("metadata", "annotations")
            return Duration(seconds=DEFAULT_READ_TIMEOUT, text="60s", dialect="nginx", location=where, default=True,
                            directive=key)  # fmt: skip
        if text is None:
            return None
        try:
            seconds = parse_nginx(text)
        except InvalidDuration as exc:
            self._problem("invalid-duration", node, f"{key} {text}: {exc}; NGINX Ingress Controller rejects it")
            return None
        return Duration(seconds=seconds, text=text, dialect="nginx", location=node.location(self.file), directive=key)

    def _snippets(self, annotations: dict[str, Node]) -> None:
        """Snippet text is nginx: what nginx cannot parse is WS001, a time it refuses WS206, at the snippet's line."""
        from wslint.sources.nginx import invalid_times, is_time_directive, walk
        from wslint.sources.nginx_syntax import NginxSyntaxError, parse

        for name in ("configuration-snippet", "server-snippet"):
            node = annotations.get(INGRESS_NGINX + name)
            text = _scalar(node)
            if node is None or text is None:
                continue

            def line_of(line: int, node: Node = node) -> int:
                return node.line + line if node.end_line > node.line else node.line  # a block scalar starts below

            try:
                directives = parse(text, self.file)
            except NginxSyntaxError as exc:
                self.read.problems.append(
                    Problem(kind="parse-error", location=Location(file=self.file, line=line_of(exc.line)),
                            message=f"{INGRESS_NGINX}{name}: {exc.message} (where snippet annotations are allowed, "
                            "nginx refuses the config the controller generates)")
                )  # fmt: skip
                continue
            for d in walk(directives):
                if is_time_directive(d):
                    for message in invalid_times(d):
                        self.read.problems.append(
                            Problem(kind="invalid-duration", location=Location(file=self.file, line=line_of(d.line)),
                                    message=f"{INGRESS_NGINX}{name}: {message}")
                        )  # fmt: skip

    def _alb(self, ingress: _Manifest) -> None:
        paths = []
        for path, service, node in self._paths(ingress):
            reason = self._websocket(path, service, set())
            if reason is not None:
                paths.append((path, node.location(self.file), reason))
        annotations = ingress.annotations()
        attributes = string_map(annotations.get(ALB + "load-balancer-attributes"), self.file)
        groups = string_map(annotations.get(ALB + "target-group-attributes"), self.file)
        group = _scalar(annotations.get(ALB + "group.name"))
        where = ingress.where("metadata", "annotations")
        idle = attributes.get(aws_spec.ALB_IDLE_KEY)
        if group:
            # one ALB for the whole group, whose attributes any member may set ("Exclusive"): the value its
            # members in this run agree on; unknown when none sets it (a member outside the run may) or they differ
            values = [v for v in self.defaults.groups.get(group, []) if v is not None]
            agreed = {str(v.value) for v in values}
            idle = values[0] if len(agreed) == 1 else Value(None, where)
        spec = LoadBalancerSpec(
            kind="alb",
            name=f"group {group}" if group else f"Ingress {ingress.name}",
            location=where,
            idle_timeout=idle,
            idle_key=f"{ALB}load-balancer-attributes {aws_spec.ALB_IDLE_KEY}",
        )
        if groups:
            spec.target_groups.append(
                TargetGroupSpec(name=f"Ingress {ingress.name}", location=where,
                                deregistration_delay=groups.get(aws_spec.DELAY_KEY))
            )  # fmt: skip
        self.read.specs.append(spec)
        self.read.paths.append(paths)

    # -- Service -------------------------------------------------------------------------------------
    def _service(self, service: _Manifest) -> None:
        annotations = service.annotations()
        kind = (_scalar(annotations.get(SERVICE_AWS + "type")) or "").lower()
        balancer_class = service.text("spec", "loadBalancerClass")
        aws = any(key.startswith(SERVICE_AWS) for key in annotations)
        if balancer_class is None and not aws and kubernetes_aks.is_azure(service):
            kubernetes_aks.service(self, service)  # an Azure Load Balancer (AKS)
            return
        by_controller = kind in ("external", "nlb-ip") or balancer_class == "service.k8s.aws/nlb"
        if balancer_class is not None and not by_controller:
            return  # another controller's load balancer
        if not by_controller and not any(key.startswith(SERVICE_AWS) for key in annotations):
            return  # which cloud makes this load balancer is unknown
        where = service.where("metadata", "annotations")
        ports_node = service.node.get("spec")
        ports_node = None if ports_node is None else ports_node.get("ports")
        ports = [p for p in (ports_node.items or []) if p.mapping is not None] if ports_node is not None else []
        if by_controller or kind == "nlb":
            spec = LoadBalancerSpec(kind="nlb", name=f"Service {service.name}", location=where, listeners_known=True)
            for port in ports:
                protocol = (_scalar(port.get("protocol")) or "TCP").upper()
                number = _scalar(port.get("port")) or ""
                listener = ListenerSpec(location=port.location(self.file), protocol=Value(protocol, where),
                                        port=Value(number, where), evidence=self._web_port(port))  # fmt: skip
                key = f"{SERVICE_AWS}listener-attributes.{protocol}-{number}"
                if by_controller:
                    listener.attributes = string_map(annotations.get(key), self.file)
                elif key in annotations:
                    self._in_tree_nlb(annotations[key], key)
                spec.listeners.append(listener)
        else:  # the in-tree provider's Classic ELB
            node = annotations.get(SERVICE_AWS + "connection-idle-timeout")
            spec = LoadBalancerSpec(
                kind="elb",
                name=f"Service {service.name}",
                location=where,
                idle_timeout=None if node is None else Value(_scalar(node), node.location(self.file)),
                idle_key=f"{SERVICE_AWS}connection-idle-timeout",
            )
            # one route for the load balancer, unless every port is plainly something else (SSH, a database)
            web = self.settings.all_websocket_ports
            spec.listeners_known = bool(ports) and not any(
                _number(p.get("port")) in web or self._web_port(p) for p in ports
            )
        self.read.specs.append(spec)
        self.read.paths.append(None)

    def _web_port(self, port: Node) -> str | None:
        """Why a Service port carries web traffic whatever its own number: its target port, name or appProtocol."""
        target = port.get("targetPort")
        if _number(target) in self.settings.all_websocket_ports:
            return f"a TCP/TLS listener to target port {_scalar(target)}"
        for key in ("name", "appProtocol", "targetPort"):
            text = (_scalar(port.get(key)) or "").lower()
            if set(re.split(r"[^a-z0-9]+", text)) & WEB_PORT_NAMES or aws_spec.websocket_name(text):
                return f"a TCP/TLS listener whose Service port's {key} is {text}"
        return None

    def _in_tree_nlb(self, node: Node, key: str) -> None:
        self._problem(
            "note",
            node,
            f"{key} is not applied: aws-load-balancer-type nlb is the in-tree provider's NLB, which reads "
            "no listener attributes (the AWS Load Balancer Controller's needs type external); AWS's 350 s applies",
        )

    def _problem(self, kind: Literal["invalid-duration", "note"], node: Node, message: str) -> None:
        self.read.problems.append(Problem(kind=kind, location=node.location(self.file), message=message))


def _config_maps(objects: list[_Manifest], defaults: _Defaults) -> None:
    """Controller ConfigMaps: ``proxy-read-timeout``, whole seconds for ingress-nginx, nginx's syntax for NGINX Inc.

    Which controller a ConfigMap belongs to is not written in it: a value each can read is a default for it, a
    value one cannot read (ingress-nginx and ``"3600s"``) or two that differ make that controller's default unknown.
    """
    for manifest in objects:
        if manifest.kind != "ConfigMap":
            continue
        data = manifest.node.get("data")
        node = None if data is None else data.get(READ_TIMEOUT)
        text = _scalar(node)
        if node is None or text is None:
            continue
        where = node.location(manifest.file)
        directive = f"{READ_TIMEOUT} (ConfigMap {manifest.name})"
        whole = _ATOI.fullmatch(text) is not None
        defaults.ingress_nginx.add(
            Duration(seconds=float(int(text)), text=text, dialect="ingress-nginx", location=where, directive=directive)
            if whole
            else None
        )
        try:
            seconds = parse_nginx(text)
        except InvalidDuration:
            defaults.nginx_inc.add(None)
            continue
        defaults.nginx_inc.add(
            Duration(seconds=seconds, text=text, dialect="nginx", location=where, directive=directive)
        )


def _alb_groups(objects: list[_Manifest], defaults: _Defaults) -> None:
    for manifest in objects:
        if manifest.kind != "Ingress" or _controller(manifest, defaults.classes_of(manifest)) != "alb":
            continue
        annotations = manifest.annotations()
        group = _scalar(annotations.get(ALB + "group.name"))
        if group:
            attributes = string_map(annotations.get(ALB + "load-balancer-attributes"), manifest.file)
            defaults.groups.setdefault(group, []).append(attributes.get(aws_spec.ALB_IDLE_KEY))


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Kubernetes manifests (the source registry's ``load``)."""
    from wslint import BUG_HINT

    settings = context.settings

    documents: list[Document] = []
    errors: list[str] = []
    read: list[tuple[str, list[_Manifest]]] = []
    for real, display in ((f.real, f.display) for f in files):
        try:
            text = read_text(real, settings.max_file_size, context.stdin)
            objects = [m for root in load_all(text) for m in manifests(root, display)]
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        except YamlError as exc:
            document = Document(file=display, kind="kubernetes", context="kubernetes", files=[display])
            document.problems.append(
                Problem(kind="parse-error", location=Location(file=display, line=exc.line), message=exc.message)
            )
            documents.append(document)
            continue
        read.append((display, objects))
    defaults = _Defaults()
    everything = [m for _, objects in read for m in objects]
    _config_maps(everything, defaults)
    for m in everything:
        if m.kind == "IngressClass":
            key = (posixpath.dirname(m.file.replace("\\", "/")), m.text("metadata", "name") or "")
            defaults.classes[key] = m.text("spec", "controller") or ""
    _alb_groups(everything, defaults)
    defaults.index = build_index(everything, settings, [extension.marks for extension in EXTENSIONS])
    for display, objects in read:
        try:
            documents.append(_Analysis(display, objects, settings, defaults).run())
        except Exception as exc:  # a bug of ours: this file is an internal error, the others go on
            errors.append(
                f"{display}: internal error in the Kubernetes source: {type(exc).__name__}: {exc}; {BUG_HINT}"
            )
    return documents, errors
