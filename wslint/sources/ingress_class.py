"""Which controller an Ingress's class belongs to, and nginx timeout annotations another controller never reads.

An Ingress names its class in ``spec.ingressClassName`` or (deprecated) the ``kubernetes.io/ingress.class``
annotation. The class belongs to a controller: the ``spec.controller`` of an ``IngressClass`` of that name in
the run, else the class names controllers document as theirs (``gce``/``gce-internal``: GKE's ingress-gce;
``alb``: the AWS Load Balancer Controller; ``traefik``: Traefik; ``azure/application-gateway`` and
``azure-application-gateway``: AGIC; ``contour``: Contour; ``kong``: the Kong Ingress Controller; ``istio``:
Istio). ``nginx`` is the default class of both ingress-nginx and NGINX Inc's controller, so it tells neither; a name
nobody documents tells nothing.

Each controller reads only its own annotations (ingress-nginx ``nginx.ingress.kubernetes.io/*``, NGINX Inc
``nginx.org/*``): a timeout annotation of the other family, or of either on another controller's Ingress, is
never applied (WS208).
"""

from __future__ import annotations

from wslint.model import IgnoredTimeout, Location

INGRESS_NGINX = "nginx.ingress.kubernetes.io/"
NGINX_INC = "nginx.org/"
TIMEOUT_ANNOTATIONS = ("proxy-read-timeout", "proxy-send-timeout", "proxy-connect-timeout")
# IngressClass spec.controller -> the controller (kubernetes.py's hop kinds; gce and traefik make no hop)
CONTROLLERS = {
    "k8s.io/ingress-nginx": "ingress-nginx",
    "nginx.org/ingress-controller": "nginx-ingress",
    "ingress.k8s.aws/alb": "alb",
    "traefik.io/ingress-controller": "traefik",
    "azure/application-gateway": "agic",
    "projectcontour.io/ingress-controller": "contour",
    "projectcontour.io/projectcontour/contour": "contour",
    "ingress-controllers.konghq.com/kong": "kong",
    "istio.io/ingress-controller": "istio",
}
# class names a controller documents as its own
CLASSES = {
    "gce": "gce",
    "gce-internal": "gce",
    "alb": "alb",
    "traefik": "traefik",
    "azure/application-gateway": "agic",
    "azure-application-gateway": "agic",
    "contour": "contour",
    "kong": "kong",
    "istio": "istio",
}
FAMILY = {"ingress-nginx": INGRESS_NGINX, "nginx-ingress": NGINX_INC}
NAMES = {
    "ingress-nginx": "ingress-nginx",
    "nginx-ingress": "NGINX Ingress Controller (nginx.org)",
    "alb": "the AWS Load Balancer Controller",
    "gce": "GKE's Ingress controller (ingress-gce)",
    "traefik": "Traefik",
    "agic": "the Application Gateway Ingress Controller (AGIC)",
    "contour": "Contour",
    "kong": "the Kong Ingress Controller",
    "istio": "Istio's ingress gateway",
}
DEFAULT_SECONDS = 60.0  # both nginx controllers' default for each of the three timeouts


def controller_of(name: str | None, classes: dict[str, str]) -> str | None:
    """The controller an Ingress class belongs to; None when wslint cannot tell."""
    if not name:
        return None
    controller = classes.get(name)
    if controller is not None:
        return CONTROLLERS.get(controller)
    return CLASSES.get(name)


def ignored_annotations(
    name: str,
    ingress_class: str,
    controller: str,
    annotations: dict[str, tuple[str | None, Location]],
    alb_idle: str | None = None,
) -> list[IgnoredTimeout]:
    """nginx timeout annotations on an Ingress whose class belongs to ``controller``, which never reads them.

    ``annotations``: key -> (scalar value, its location). ``alb_idle``: for an ALB Ingress, the
    ``idle_timeout.timeout_seconds`` its own load-balancer-attributes annotation sets (None: not set).
    """
    out = []
    own = FAMILY.get(controller)
    for key, (value, where) in annotations.items():
        family = next((f for f in FAMILY.values() if key.startswith(f)), None)
        suffix = key[len(family) :] if family else ""
        if family is None or family == own or suffix not in TIMEOUT_ANNOTATIONS or value is None:
            continue
        applies = _applies(controller, key, suffix, annotations, alb_idle)
        if applies is None:
            continue
        out.append(
            IgnoredTimeout(
                location=where,
                setting=f'{key}: "{value}"',
                reason=f"the Ingress's class `{ingress_class}` belongs to {NAMES[controller]}, which does not read "
                f"{family}* annotations",
                applies=applies,
                fix=_fix(controller, suffix),
                hop=f"Ingress {name}",
            )
        )
    return out


def _applies(
    controller: str,
    key: str,
    suffix: str,
    annotations: dict[str, tuple[str | None, Location]],
    alb_idle: str | None,
) -> str | None:
    """What applies instead; None when it is the same value (nothing changes)."""
    own = FAMILY.get(controller)
    if own is not None:
        value, _ = annotations.get(own + suffix, (None, None))
        written = annotations.get(_other(own) + suffix, (None, None))[0]
        if value is not None and value == written:
            return None
        shown = f'"{value}"' if value is not None else "60 s (its default, or its ConfigMap's)"
        return f"{NAMES[controller]} applies {own}{suffix} {shown} instead"
    if controller == "alb":
        if alb_idle is None:
            return (
                "the ALB applies its idle_timeout.timeout_seconds instead (60 s unless load-balancer-attributes "
                "sets it)"
            )
        if alb_idle == annotations[key][0]:
            return None
        return (
            f"the ALB applies idle_timeout.timeout_seconds {alb_idle} "
            "(alb.ingress.kubernetes.io/load-balancer-attributes) instead"
        )
    if controller == "gce":
        return (
            "the Google Cloud load balancer applies its backend service timeout instead (a BackendConfig's "
            "timeoutSec, 30 s by default, which caps the WebSocket's whole lifetime)"
        )
    if controller == "agic":
        return (
            "Application Gateway applies its request timeout instead (appgw.ingress.kubernetes.io/request-timeout, "
            "30 s by default)"
        )
    return f"{NAMES[controller]} applies its own timeouts instead"


def _other(family: str) -> str:
    return NGINX_INC if family == INGRESS_NGINX else INGRESS_NGINX


def _fix(controller: str, suffix: str) -> str:
    own = FAMILY.get(controller)
    if own is not None:
        return f"Use {own}{suffix}, the annotation {NAMES[controller]} reads, and remove this one."
    if controller == "alb":
        return (
            "Set idle_timeout.timeout_seconds in alb.ingress.kubernetes.io/load-balancer-attributes, and remove "
            "this annotation."
        )
    if controller == "gce":
        return "Set timeoutSec in a BackendConfig attached to the Service, and remove this annotation."
    if controller == "agic":
        return "Set appgw.ingress.kubernetes.io/request-timeout (seconds), and remove this annotation."
    return f"Set the timeout where {NAMES[controller]} reads it, and remove this annotation."
