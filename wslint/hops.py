"""Hop kinds: what a box on the WebSocket's path is, its dialect family and how it is named.

A ``HopKind`` is a registry object, compared by identity (``hop.kind is ALB``), never by its name;
its ``name`` is what ``wslint path`` prints (text and JSON: wslint/schemas/path.schema.json). Each
kind belongs to one ``Family``: the dialect whose typed facts its hops and routes carry in
``Hop.dialect``/``Route.dialect`` (``NginxHop``/``NginxRoute`` for the nginx family, ...).
Checks that belong to one dialect select its hops through the checks' ``Model``
(``model.routes(NGINX)``), which hands them those facts typed.

Hop kinds are not file kinds: one file kind makes several hop kinds (a Kubernetes manifest makes
ingress-nginx, NGINX Ingress Controller and AWS load balancer hops) and one hop kind comes from
several file kinds (an ALB from Terraform, CloudFormation, saved CLI output or a Kubernetes Ingress).

This module imports nothing of wslint at run time: ``wslint.model`` needs ``HopKind`` for ``Hop.kind``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from wslint.model import (
        ApacheHop,
        ApacheRoute,
        AwsHop,
        AwsRoute,
        HaproxyHop,
        HaproxyRoute,
        IngressRoute,
        NginxHop,
        NginxRoute,
    )

H = TypeVar("H", covariant=True)
R = TypeVar("R", covariant=True)


@dataclass(frozen=True, eq=False, slots=True)
class Family(Generic[H, R]):
    """A dialect: its hops carry facts of type ``H`` in ``Hop.dialect``, its routes ``R`` in ``Route.dialect``.

    ``None`` there means the hop or route has none (an nginx stream server has no upgrade handshake).
    """

    name: str

    def __repr__(self) -> str:
        return f"Family({self.name})"


@dataclass(frozen=True, eq=False, slots=True)
class HopKind:
    """One kind of box, with its family and the label a sentence names it by (``ALB``, ``Classic ELB``)."""

    name: str  # printed by ``wslint path`` (text and JSON)
    label: str
    family: Family[object, object]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"HopKind({self.name})"


KINDS: dict[str, HopKind] = {}


def hop_kind(name: str, label: str, family: Family[object, object]) -> HopKind:
    """Register a hop kind (a source module calls this once per kind it makes); names are unique."""
    if name in KINDS:
        raise ValueError(f"hop kind {name!r} is registered twice")
    kind = KINDS[name] = HopKind(name, label, family)
    return kind


NGINX: Family[NginxHop, NginxRoute] = Family("nginx")
HAPROXY: Family[HaproxyHop, HaproxyRoute] = Family("haproxy")
AWS: Family[AwsHop, AwsRoute] = Family("aws")
APACHE: Family[ApacheHop, ApacheRoute] = Family("apache")
# Kubernetes Ingress controllers built on nginx, configured by annotations
INGRESS: Family[None, IngressRoute] = Family("ingress")
# boxes a path names that wslint cannot lint (wslint.intermediaries): their fixed limits only
NAMED: Family[None, None] = Family("named")
# managed load balancers and platforms (Google Cloud, Azure, Cloudflare): hop-neutral facts only (idle timeouts,
# lifetime caps, an upgrade that is switched off), read from Terraform, ARM templates or manifests, or named in a
# path (wslint.intermediaries gives the named hop of the same kind its documented limits)
CLOUD: Family[None, None] = Family("cloud")
# Envoy and the proxies built on it (Contour, Envoy Gateway, Istio, Emissary): hop-neutral facts only, read from an
# Envoy bootstrap (wslint.sources.envoy) or from their Kubernetes resources (wslint.sources.kubernetes_*)
ENVOY: Family[None, None] = Family("envoy")
# Kong (OpenResty): decK/declarative files and the Kong Ingress Controller's annotations
KONG: Family[None, None] = Family("kong")
# Traefik: static and dynamic configuration, Docker labels, IngressRoute resources
TRAEFIK: Family[None, None] = Family("traefik")
# Caddy: JSON config and the Caddyfile; its hops carry ``Hop.drain`` (stream_close_delay, WS405)
CADDY: Family[None, None] = Family("caddy")

NGINX_HTTP = hop_kind("nginx", "nginx", NGINX)
NGINX_STREAM = hop_kind("nginx-stream", "nginx stream", NGINX)
HAPROXY_HOP = hop_kind("haproxy", "HAProxy", HAPROXY)
APACHE_HOP = hop_kind("apache", "Apache httpd", APACHE)
ALB = hop_kind("alb", "ALB", AWS)
NLB = hop_kind("nlb", "NLB", AWS)
ELB = hop_kind("elb", "Classic ELB", AWS)
INGRESS_NGINX = hop_kind("ingress-nginx", "ingress-nginx", INGRESS)  # kubernetes/ingress-nginx
NGINX_INGRESS = hop_kind("nginx-ingress", "NGINX Ingress Controller", INGRESS)  # nginx/kubernetes-ingress (NGINX Inc)
GCP_LB = hop_kind("gcp", "Google Cloud load balancer", CLOUD)  # backend services behind an Application LB
CLOUD_RUN = hop_kind("cloud-run", "Cloud Run", CLOUD)  # Cloud Run and Knative services: the request timeout
AZURE_APPGW = hop_kind("azure-appgw", "Azure Application Gateway", CLOUD)
AZURE_LB = hop_kind("azure-lb", "Azure Load Balancer", CLOUD)
AZURE_FRONTDOOR = hop_kind("azure-frontdoor", "Azure Front Door", CLOUD)
CLOUDFLARE = hop_kind("cloudflare", "Cloudflare", CLOUD)  # a proxied zone
CLOUDFLARE_TUNNEL = hop_kind("cloudflare-tunnel", "Cloudflare Tunnel", CLOUD)
ENVOY_HOP = hop_kind("envoy", "Envoy", ENVOY)  # a bootstrap's listeners
CONTOUR = hop_kind("contour", "Contour", ENVOY)  # HTTPProxy, Ingress of class contour
ENVOY_GATEWAY = hop_kind("envoy-gateway", "Envoy Gateway", ENVOY)  # Gateway API routes and its policies
ISTIO = hop_kind("istio", "Istio", ENVOY)  # VirtualService, DestinationRule, gateways and sidecars
EMISSARY = hop_kind("emissary", "Emissary-ingress", ENVOY)  # Emissary / Ambassador Mapping
KONG_HOP = hop_kind("kong", "Kong", KONG)
TRAEFIK_HOP = hop_kind("traefik", "Traefik", TRAEFIK)
CADDY_HOP = hop_kind("caddy", "Caddy", CADDY)
