"""Azure hops of Kubernetes manifests: Application Gateway (AGIC Ingresses) and the Azure Load Balancer of a Service.

- **AGIC**: an Ingress of the Application Gateway Ingress Controller's class (``kubernetes.io/ingress.class:
  azure/application-gateway``, ``ingressClassName: azure-application-gateway``, or an IngressClass whose controller is
  ``azure/application-gateway``): hop ``azure-appgw``, a route per WebSocket path. Its request timeout is
  ``appgw.ingress.kubernetes.io/request-timeout`` (seconds, read with Go's ``strconv.Atoi``; default 30 s). A value
  AGIC cannot read is WS206 and the default applies (AGIC only records a warning event). The request timeout "also
  applies to the WebSocket session"; whether it counts from the last byte or from the handshake is not documented,
  so it is judged as both: the same Duration is the route's idle timeout and its lifetime cap.
- **Azure Load Balancer**: a Service of type LoadBalancer with Azure evidence (any
  ``service.beta.kubernetes.io/azure-*`` annotation; without one the cloud is unknown, and AKS users name
  ``azure-lb`` in their path). Hop ``azure-lb``, a route per web port (as for an NLB). Its idle timeout is
  ``service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout`` in **minutes**, a whole number from 4 to 30
  (cloud-provider-azure ``getIdleTimeout``; outside that the provider refuses to reconcile the load balancer: WS206,
  unknown), 4 by default. With ``websocket-routes`` set, only a Service an entry names counts: ``SERVICE`` or
  ``NAMESPACE/SERVICE`` (``default`` when the manifest has none), optionally after ``FILE:``; its web ports are
  then its routes. Otherwise a web port is the only evidence, and when nothing in the run marks a WebSocket route
  the route is only assumed to carry WebSockets (``Route.assumed``), unless the Service's name has a WebSocket token.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.model import Duration, Hop, Route
from wslint.sources import aws_spec
from wslint.sources.azure_spec import APPGW_NOTE, APPGW_TIMEOUT
from wslint.sources.cloud_common import listed
from wslint.sources.kubernetes_index import ingress_paths, namespace, websocket
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import value

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis

REQUEST_TIMEOUT = "appgw.ingress.kubernetes.io/request-timeout"
DEFAULT_REQUEST_TIMEOUT = 30.0  # AGIC docs/annotations.md: `int32` (seconds), default 30
AZURE_SERVICE = "service.beta.kubernetes.io/azure-"
IDLE_TIMEOUT = "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout"
IDLE_MIN, IDLE_MAX, IDLE_DEFAULT = 4, 30, 4  # minutes
LB_NOTE = (
    "minutes; an idle flow is then reset by a Standard load balancer, where AKS enables TCP reset, or dropped "
    "silently by a Basic one"
)


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An AGIC Ingress: the Application Gateway's routes to its WebSocket paths."""
    timeout = _request_timeout(analysis, manifest)
    hop = Hop(kind=hops.AZURE_APPGW, name=f"Ingress {manifest.name}", location=manifest.where("metadata"))
    for backend in ingress_paths(manifest):
        marked = websocket(analysis, backend.path, backend.service)
        if marked is None:
            continue
        reason, assumed = marked
        hop.routes.append(
            Route(name=f"Ingress {manifest.name} {backend.path}", location=backend.node.location(analysis.file),
                  reason=reason, idle_timeout=timeout, default_applies=True, websocket_path=True, lifetime=timeout,
                  assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _request_timeout(analysis: _Analysis, manifest: _Manifest) -> Duration | None:
    node = manifest.annotations().get(REQUEST_TIMEOUT)
    if node is not None:
        text = value(node)
        if text is None:
            return None
        _, low, high = APPGW_TIMEOUT
        if re.fullmatch(r"[+-]?[0-9]+", text) and low <= int(text) <= high:
            where = node.location(analysis.file)
            return Duration(seconds=float(int(text)), text=text, dialect="seconds", location=where,
                            directive=REQUEST_TIMEOUT, note=APPGW_NOTE)  # fmt: skip
        if re.fullmatch(r"[+-]?[0-9]+", text):
            analysis._problem("invalid-duration", node, f'{REQUEST_TIMEOUT} "{text}": Application Gateway takes a '
                              f"request timeout from {low} to {high} seconds and refuses this one")  # fmt: skip
            return None
        analysis._problem("invalid-duration", node, f'{REQUEST_TIMEOUT} "{text}": AGIC reads whole seconds without a '
                          "unit (strconv.Atoi) and ignores this value: the default 30 s applies")  # fmt: skip
    return Duration(seconds=DEFAULT_REQUEST_TIMEOUT, text="30", dialect="seconds",
                    location=manifest.where("metadata", "annotations"), default=True, directive=REQUEST_TIMEOUT,
                    note=APPGW_NOTE)  # fmt: skip


def is_azure(manifest: _Manifest) -> bool:
    return any(key.startswith(AZURE_SERVICE) for key in manifest.annotations())


def service(analysis: _Analysis, manifest: _Manifest) -> None:
    """A LoadBalancer Service on Azure: the load balancer's rule per web port, with its idle timeout."""
    idle = _idle_timeout(analysis, manifest)
    hop = Hop(kind=hops.AZURE_LB, name=f"Service {manifest.name}", location=manifest.where("metadata"))
    spec = manifest.node.get("spec")
    ports = None if spec is None else spec.get("ports")
    web = analysis.settings.all_websocket_ports
    explicit = analysis.settings.websocket_routes
    names = [manifest.name, f"{namespace(manifest) or 'default'}/{manifest.name}"]
    if explicit is not None and not any(listed(entry, names, analysis.file) for entry in explicit):
        return  # websocket-routes is set and does not name this Service
    named = aws_spec.websocket_name(manifest.text("metadata", "name") or "")
    for port in (ports.items or []) if ports is not None else []:
        if port.mapping is None:
            continue
        number = value(port.get("port")) or ""
        protocol = (value(port.get("protocol")) or "TCP").upper()
        if protocol != "TCP":
            continue
        evidence = analysis._web_port(port)
        if not (number.isdigit() and int(number) in web) and evidence is None:
            continue
        assumed = False
        if explicit is not None:
            reason = "listed in websocket-routes"
        elif named:
            reason = "its name has a WebSocket token"
        else:
            reason = evidence or f"a TCP rule on web port {number}"
            assumed = not analysis.defaults.index.marked
        hop.routes.append(
            Route(name=f"Service {manifest.name} port {number}", location=port.location(analysis.file), reason=reason,
                  idle_timeout=idle, default_applies=True, websocket_path=False, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _idle_timeout(analysis: _Analysis, manifest: _Manifest) -> Duration | None:
    node = manifest.annotations().get(IDLE_TIMEOUT)
    if node is None:
        return Duration(seconds=IDLE_DEFAULT * 60.0, text=str(IDLE_DEFAULT), dialect="seconds",
                        location=manifest.where("metadata", "annotations"), default=True, directive=IDLE_TIMEOUT,
                        note=LB_NOTE)  # fmt: skip
    text = value(node)
    if text is None:
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text.strip()) and IDLE_MIN <= int(text) <= IDLE_MAX:
        return Duration(seconds=int(text) * 60.0, text=text.strip(), dialect="seconds",
                        location=node.location(analysis.file), directive=IDLE_TIMEOUT, note=LB_NOTE)  # fmt: skip
    analysis._problem(
        "invalid-duration",
        node,
        f'{IDLE_TIMEOUT} "{text}": a whole number of minutes from {IDLE_MIN} to {IDLE_MAX} is required; the cloud '
        "provider refuses to reconcile the load balancer, whose idle timeout is then unknown",
    )
    return None
