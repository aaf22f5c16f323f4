"""Google Cloud hops of Kubernetes manifests: GKE Ingress, GKE Gateway and Knative / Cloud Run services.

- **GKE Ingress** (ingress-gce): an Ingress whose ``kubernetes.io/ingress.class`` annotation is ``gce`` or
  ``gce-internal``; GKE ignores ``spec.ingressClassName`` (it takes no action on an Ingress that has only that field,
  cloud.google.com/kubernetes-engine/docs/concepts/ingress), so that alone is a note, not a hop. An Ingress with
  neither is GKE's on GKE only: wslint takes it as GKE's when it shows GKE evidence (its own GKE annotations, or a
  backend Service with a ``cloud.google.com/*`` annotation) and no IngressClass of its directory is the default.
  One hop ``gcp`` per Ingress, a route per WebSocket path. Each path's Service names a ``BackendConfig`` in
  ``cloud.google.com/backend-config`` (or the older ``beta.`` form; the GA key wins): ``{"default": NAME}`` or
  ``{"ports": {PORT-NAME-OR-NUMBER: NAME}}``, a port entry (by name, then by number) beating the default
  (ingress-gce pkg/backendconfig/utils.go ``BackendConfigName``). Its ``spec.timeoutSec`` is the backend service
  timeout, which is the WebSocket's whole lifetime: ``Route.lifetime``, 30 s by default, located at the
  BackendConfig's ``spec`` when one is attached, else at the Service's annotation (or its metadata). A Service (or
  an attached BackendConfig) that is not in the run makes the timeout unknown: it may attach any BackendConfig.
  ``healthCheck.timeoutSec`` is the health check's, not this.
- **GKE Gateway**: an ``HTTPRoute`` whose parent is a Gateway of a ``gke-l7-*`` class: one hop per HTTPRoute, a route
  per WebSocket (path match, Service). ``GCPBackendPolicy`` ``spec.default.timeoutSec`` on the Service (targetRef)
  is the backend service timeout (GoogleCloudPlatform/gke-gateway-api apis/networking/v1/gcpbackendpolicy_types.go:
  "If the field is omitted, a default value (30s) will be used"). What GKE does with an ``HTTPRoute`` rule's
  ``timeouts`` on a WebSocket is not documented: a rule with ``timeouts.request`` or ``timeouts.backendRequest``
  makes its routes' cap unknown (never judged), as a URL map's ``route_action { timeout }`` does in Terraform.
  ``HealthCheckPolicy`` is not a timeout of the traffic.
- **Knative / Cloud Run** (``serving.knative.dev/v1`` ``Service``): ``spec.template.spec.timeoutSeconds`` is the
  request timeout, which caps a WebSocket's lifetime (cloud.google.com/run/docs/triggering/websockets); unset, the
  ``revision-timeout-seconds`` of a ``config-defaults`` ConfigMap in the run, else 300 s (Cloud Run's and Knative's
  default). Hop ``cloud-run``.

None of these has an idle timeout on a WebSocket: each route's idle timeout is infinite ("no idle timeout").
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.model import Duration, Hop, Location, Route
from wslint.sources.kubernetes_index import Backend, ingress_paths, namespace, route_paths, service_port, websocket
from wslint.sources.kubernetes_manifest import CLASS_ANNOTATION, scalar, value
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.yaml_positions import Node

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis

GCE_CLASSES = ("gce", "gce-internal")
BACKEND_CONFIG = "cloud.google.com/backend-config"
BETA_BACKEND_CONFIG = "beta.cloud.google.com/backend-config"
# GoogleCloudPlatform/magic-modules mmv1/products/compute/BackendService.yaml: default 30, 1 through 2,147,483,647
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 2_147_483_647
TIMEOUT_DIRECTIVE = "BackendConfig timeoutSec"
POLICY_DIRECTIVE = "GCPBackendPolicy timeoutSec"
# Ingress annotations only GKE's controller reads, and Service annotation prefixes of Google Cloud
GKE_INGRESS_KEYS = (
    "kubernetes.io/ingress.global-static-ip-name",
    "kubernetes.io/ingress.regional-static-ip-name",
    "kubernetes.io/ingress.allow-http",
    "ingress.gcp.kubernetes.io/",
    "networking.gke.io/",
)
GKE_SERVICE_PREFIXES = ("cloud.google.com/", "beta.cloud.google.com/", "networking.gke.io/")
# Cloud Run: "set by default to 5 minutes (300 seconds) and can be extended up to 60 minutes (3600 seconds)"
RUN_DEFAULT = 300.0
RUN_MAX = 3600
RUN_DIRECTIVE = "timeoutSeconds"
CONFIG_DEFAULTS = "config-defaults"
NO_IDLE = "no idle timeout"
UNJUDGED_TIMEOUTS = "what GKE does with an HTTPRoute's timeouts on a WebSocket is not documented"


def _no_idle(where: Location) -> Duration:
    return Duration(seconds=math.inf, text="", dialect="seconds", location=where, directive=NO_IDLE)


def _default(where: Location, directive: str, note: str = "", seconds: float = DEFAULT_TIMEOUT) -> Duration:
    return Duration(seconds=seconds, text=f"{seconds:g}", dialect="seconds", location=where, default=True,
                    directive=directive, note=note)  # fmt: skip


def _seconds(analysis: _Analysis, node: Node, what: str, maximum: int = MAX_TIMEOUT) -> Duration | bool | None:
    """An integer number of seconds (1..maximum) as a Duration; False when it is invalid (WS206); None: unknown."""
    text = value(node)
    if text is None:
        return None
    if re.fullmatch(r"[0-9]+", text.strip()) and 1 <= int(text) <= maximum:
        return Duration(seconds=float(int(text)), text=text.strip(), dialect="seconds",
                        location=node.location(analysis.file), directive=what)  # fmt: skip
    analysis._problem(
        "invalid-duration", node, f'{what} "{text}": an integer number of seconds from 1 to {maximum} is required'
    )
    return False


# -- GKE Ingress ---------------------------------------------------------------------------------------------
def ingress(analysis: _Analysis, manifest: _Manifest, controller: str | None) -> None:
    """The Google Cloud load balancer an Ingress of GKE's makes, with a route per WebSocket path."""
    annotations = manifest.annotations()
    written = scalar(annotations.get(CLASS_ANNOTATION))
    named = manifest.text("spec", "ingressClassName")
    if written is not None:
        if written not in GCE_CLASSES:
            return
    elif named is not None:
        if named in GCE_CLASSES:
            node = manifest.node.get("spec")
            where = node.get("ingressClassName") if node is not None else None
            if where is not None:
                analysis._problem(
                    "note",
                    where,
                    f"Ingress {manifest.name}: GKE's Ingress controller ignores spec.ingressClassName and reads only "
                    f"the {CLASS_ANNOTATION} annotation; with the field alone it takes no action on this Ingress",
                )
        return
    elif controller is not None or not _gke_evidence(analysis, manifest):
        return
    elif analysis.defaults.index.default_class_dirs & {manifest.file.replace("\\", "/").rpartition("/")[0]}:
        return  # the default IngressClass of the cluster is written into it: GKE then takes no action
    hop = Hop(kind=hops.GCP_LB, name=f"Ingress {manifest.name}", location=manifest.where("metadata"))
    for backend in ingress_paths(manifest):
        marked = websocket(analysis, backend.path, backend.service)
        if marked is None:
            continue
        reason, assumed = marked
        cap, why = _ingress_timeout(analysis, manifest, backend)
        hop.routes.append(
            Route(name=f"Ingress {manifest.name} {backend.path}", location=backend.node.location(analysis.file),
                  reason=reason + why, idle_timeout=_no_idle(hop.location), default_applies=False,
                  websocket_path=True, lifetime=cap, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _gke_evidence(analysis: _Analysis, manifest: _Manifest) -> bool:
    if any(key.startswith(GKE_INGRESS_KEYS) for key in manifest.annotations()):
        return True
    for backend in ingress_paths(manifest):
        service = analysis.defaults.index.find("Service", backend.service, namespace(manifest), manifest.file, "v1")
        if service is not None and any(k.startswith(GKE_SERVICE_PREFIXES) for k in service.annotations()):
            return True
    return False


def _ingress_timeout(analysis: _Analysis, manifest: _Manifest, backend: Backend) -> tuple[Duration | None, str]:
    """The backend service timeout of one Ingress path, and what the route's reason adds about it."""
    index = analysis.defaults.index
    space = namespace(manifest)
    service, ambiguous = index.lookup("Service", backend.service, space, manifest.file, "v1")
    if ambiguous:
        return None, f"; the backend service timeout is unknown: more than one Service {backend.service} is in the run"
    if service is None:
        return None, (
            f"; the backend service timeout is unknown: Service {backend.service} is not in the files read, and a "
            "BackendConfig attached to it may set any"
        )
    annotations = service.annotations()
    key = BACKEND_CONFIG if BACKEND_CONFIG in annotations else BETA_BACKEND_CONFIG
    node = annotations.get(key)
    if node is None:
        return _default(service.where("metadata", "annotations"), TIMEOUT_DIRECTIVE), ""
    text = value(node)
    if text is None:
        return None, f"; the backend service timeout is unknown: {key} is not a literal"
    try:
        configs = json.loads(text)
    except ValueError:
        configs = None
    if not isinstance(configs, dict) or not (configs.get("default") or configs.get("ports")):
        where = node.location(service.file)
        return None, f"; the backend service timeout is unknown: {key} at {where} is not the JSON ingress-gce reads"
    name = _config_name(service, backend.port, configs)
    if name is None:
        return _default(node.location(service.file), TIMEOUT_DIRECTIVE), ""
    config = index.find("BackendConfig", name, namespace(service) or space, service.file, "cloud.google.com/")
    if config is None:
        return None, f"; the backend service timeout is unknown: BackendConfig {name} is not in the files read"
    spec = config.node.get("spec")
    timeout = None if spec is None else spec.get("timeoutSec")
    if timeout is None:
        return _default(config.where("spec"), TIMEOUT_DIRECTIVE), ""
    return _literal(timeout, config.file, TIMEOUT_DIRECTIVE), ""


def _literal(node: Node, file: str, directive: str) -> Duration | None:
    """A valid timeoutSec, else None (unknown; the object's own file reports an invalid one as WS206)."""
    text = value(node)
    if text is not None and re.fullmatch(r"[0-9]+", text.strip()) and 1 <= int(text) <= MAX_TIMEOUT:
        return Duration(seconds=float(int(text)), text=text.strip(), dialect="seconds", location=node.location(file),
                        directive=directive)  # fmt: skip
    return None


def _config_name(service: _Manifest, port: str | None, configs: dict[str, object]) -> str | None:
    """The BackendConfig a Service port uses: by port name, then port number, then the default."""
    ports = configs.get("ports")
    item = service_port(service, port)
    if isinstance(ports, dict) and item is not None:
        for key in (scalar(item.get("name")), scalar(item.get("port"))):
            if key is not None and isinstance(ports.get(key), str) and ports[key]:
                return str(ports[key])
    elif isinstance(ports, dict) and port is not None and isinstance(ports.get(port), str):
        return str(ports[port])
    default = configs.get("default")
    return default if isinstance(default, str) and default else None


def backend_configs(analysis: _Analysis, manifest: _Manifest) -> None:
    """A BackendConfig's own invalid timeoutSec is WS206 in its file, whoever uses it."""
    spec = manifest.node.get("spec")
    node = None if spec is None else spec.get("timeoutSec")
    if node is not None:
        _seconds(analysis, node, TIMEOUT_DIRECTIVE)


# -- GKE Gateway ---------------------------------------------------------------------------------------------
def http_route(analysis: _Analysis, route: _Manifest) -> None:
    """An HTTPRoute attached to a GKE Gateway: the Google Cloud load balancer's routes to its Services."""
    if not _gke_parent(analysis, route):
        return
    hop = Hop(kind=hops.GCP_LB, name=f"HTTPRoute {route.name}", location=route.where("metadata"))
    for backend in route_paths(route):
        marked = websocket(analysis, backend.path, backend.service)
        if marked is None:
            continue
        reason, assumed = marked
        timeouts = None if backend.rule is None else backend.rule.get("timeouts")
        cap = _policy_timeout(analysis, route, backend)
        if timeouts is not None:
            written = [key for key in ("request", "backendRequest") if timeouts.get(key) is not None]
            if written:
                cap = None
                reason += f"; its cap is unknown: the rule sets timeouts.{' and timeouts.'.join(written)}, and "
                reason += UNJUDGED_TIMEOUTS
            else:
                reason += f"; its timeouts are not judged: {UNJUDGED_TIMEOUTS}"
        hop.routes.append(
            Route(name=f"HTTPRoute {route.name} {backend.path}", location=backend.node.location(analysis.file),
                  reason=reason, idle_timeout=_no_idle(hop.location), default_applies=False, websocket_path=True,
                  lifetime=cap, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _gke_parent(analysis: _Analysis, route: _Manifest) -> bool:
    spec = route.node.get("spec")
    parents = None if spec is None else spec.get("parentRefs")
    for parent in (parents.items or []) if parents is not None else []:
        if (scalar(parent.get("kind")) or "Gateway") != "Gateway":
            continue
        space = scalar(parent.get("namespace")) or namespace(route)
        gateway = analysis.defaults.index.find(
            "Gateway", scalar(parent.get("name")) or "", space, route.file, "gateway.networking.k8s.io/"
        )
        if gateway is not None and (gateway.text("spec", "gatewayClassName") or "").startswith("gke-l7-"):
            return True
    return False


def _policy_timeout(analysis: _Analysis, route: _Manifest, backend: Backend) -> Duration | None:
    index = analysis.defaults.index
    space = scalar(backend.node.get("namespace")) or namespace(route)
    policies = [
        p
        for p in index.of_kind("GCPBackendPolicy")
        if p.text("spec", "targetRef", "name") == backend.service
        and (p.text("spec", "targetRef", "kind") or "") in ("Service", "ServiceImport")
        and (not space or not namespace(p) or namespace(p) == space)
    ]
    near = [p for p in policies if p.file == route.file] or policies
    if len(near) > 1:
        return None  # two policies for one Service: which applies is unknown
    if near:
        policy = near[0]
        default = policy.node.get("spec")
        default = None if default is None else default.get("default")
        node = None if default is None else default.get("timeoutSec")
        if node is None:
            return _default(policy.where("spec", "default"), POLICY_DIRECTIVE)
        return _literal(node, policy.file, POLICY_DIRECTIVE)
    service = index.find("Service", backend.service, space, route.file, "v1")
    where = service.where("metadata") if service is not None else backend.node.location(analysis.file)
    return _default(where, POLICY_DIRECTIVE)


def backend_policy(analysis: _Analysis, manifest: _Manifest) -> None:
    """A GCPBackendPolicy's own invalid timeoutSec is WS206 in its file."""
    spec = manifest.node.get("spec")
    default = None if spec is None else spec.get("default")
    node = None if default is None else default.get("timeoutSec")
    if node is not None:
        _seconds(analysis, node, POLICY_DIRECTIVE)


# -- Knative / Cloud Run -----------------------------------------------------------------------------------
def knative(analysis: _Analysis, service: _Manifest) -> None:
    """A Knative / Cloud Run service: its request timeout caps every WebSocket's lifetime."""
    name = service.text("metadata", "name") or ""
    explicit = analysis.settings.websocket_routes
    assumed = False
    if explicit is not None:
        if not any(entry.rpartition(":")[2].strip() in (name, service.name) for entry in explicit):
            return
        reason = "listed in websocket-routes"
    elif analysis.pattern.search(name.lower()) or _token(name):
        reason = "its name has a WebSocket token"
    elif not analysis.defaults.index.marked:
        reason, assumed = "every HTTP service counts: nothing read marks a WebSocket route", True
    else:
        return
    hop = Hop(kind=hops.CLOUD_RUN, name=f"Knative Service {service.name}", location=service.where("metadata"))
    cap = _run_timeout(analysis, service)
    hop.routes.append(
        Route(name=f"Knative Service {service.name}", location=service.where("metadata"), reason=reason,
              idle_timeout=_no_idle(hop.location), default_applies=False, websocket_path=True, lifetime=cap,
              assumed=assumed)
    )  # fmt: skip
    analysis.read.hops.append(hop)


def _token(name: str) -> bool:
    from wslint.sources.aws_spec import websocket_name

    return websocket_name(name)


def _run_timeout(analysis: _Analysis, service: _Manifest) -> Duration | None:
    known, defaults = _config_defaults(analysis)
    node: Node | None = service.node
    for key in ("spec", "template", "spec", "timeoutSeconds"):
        node = None if node is None else node.get(key)
    if node is None:
        if not known:
            return None
        if defaults is not None and defaults[0] is not None:
            return defaults[0]
        return _default(service.where("spec", "template", "spec"), RUN_DIRECTIVE, seconds=RUN_DEFAULT,
                        note="Cloud Run's and Knative's default")  # fmt: skip
    maximum = RUN_MAX if defaults is None or defaults[1] is None else defaults[1]
    found = _seconds(analysis, node, RUN_DIRECTIVE, maximum)
    return found if isinstance(found, Duration) else None


def _config_defaults(analysis: _Analysis) -> tuple[bool, tuple[Duration | None, int | None] | None]:
    """Knative's ``config-defaults`` ConfigMap of the run: whether it is known (False: two disagree) and its
    (revision-timeout-seconds, max-revision-timeout-seconds), None when the run has none."""
    maps = [
        m
        for m in analysis.defaults.index.of_kind("ConfigMap")
        if m.text("metadata", "name") == CONFIG_DEFAULTS and namespace(m) in ("", "knative-serving")
    ]
    found: set[tuple[str | None, str | None]] = set()
    result: tuple[Duration | None, int | None] | None = None
    for m in maps:
        data = m.node.get("data")
        timeout = None if data is None else data.get("revision-timeout-seconds")
        maximum = None if data is None else data.get("max-revision-timeout-seconds")
        texts = (None if timeout is None else value(timeout), None if maximum is None else value(maximum))
        found.add(texts)
        duration = None
        if timeout is not None and texts[0] is not None and re.fullmatch(r"[0-9]+", texts[0].strip()):
            duration = Duration(seconds=float(int(texts[0])), text=texts[0].strip(), dialect="seconds",
                                location=timeout.location(m.file),
                                directive="revision-timeout-seconds", note=f"set in ConfigMap {m.name}")  # fmt: skip
        limit = int(texts[1]) if texts[1] is not None and re.fullmatch(r"[0-9]+", texts[1].strip()) else None
        result = (duration, limit)
    return len(found) <= 1, result
