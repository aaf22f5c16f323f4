"""The Kong Ingress Controller (KIC) in Kubernetes manifests -> ``kong`` hops.

- An **Ingress of class kong** (``ingressClassName``/``kubernetes.io/ingress.class`` ``kong``, or an IngressClass of
  controller ``ingress-controllers.konghq.com/kong``): hop ``kong``, a route per WebSocket path. Kong proxies
  WebSocket upgrades on its ``http``/``https`` routes with no configuration, so when nothing in the run marks a
  WebSocket route every path counts and is only assumed to carry WebSockets (kubernetes_index.websocket). A path
  also counts when ``konghq.com/protocols`` on the Ingress, or ``konghq.com/protocol`` on its Service, is ``ws`` or
  ``wss`` (Kong Enterprise's WebSocket proxy, whose idle timeout is not public: unknown, with a note).
- The idle timeout is the Kong Service's ``read_timeout`` in **milliseconds**, which KIC takes from the
  ``konghq.com/read-timeout`` annotation of the **Kubernetes Service** the path routes to (read with Go's
  ``strconv.Atoi``; a value it cannot read is dropped silently, and Kong's default applies: WS206). A whole number
  outside Kong's 1..2^31-2 makes Kong refuse the configuration (WS206, unknown). Without the annotation, a
  KongIngress named by the Service's ``konghq.com/override`` may set ``proxy.read_timeout``: KIC 2.x applies it,
  KIC 3.0 removed those fields, and the version is not in the manifests, so the timeout is unknown (a note says
  so). Otherwise Kong's default, **60000 ms**, applies (WS201, at the Service's annotations). A Service that is not
  in the run leaves the timeout unknown.
- ``konghq.com/read-timeout`` written on the Ingress is never read there (WS208).

Gateway API HTTPRoutes of a Kong GatewayClass are not read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.model import Duration, Hop, IgnoredTimeout, Route
from wslint.sources.kubernetes_index import ingress_paths, is_knative, namespace, websocket
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis

PREFIX = "konghq.com/"
READ_TIMEOUT = PREFIX + "read-timeout"
OVERRIDE = PREFIX + "override"
PROTOCOL = PREFIX + "protocol"  # on a Service: the Kong Service's protocol
PROTOCOLS = PREFIX + "protocols"  # on an Ingress: its Kong routes' protocols
DEFAULT_MS = 60000  # Kong/kong kong/db/schema/entities/services.lua
MAX_MS = 2**31 - 2
_ATOI = re.compile(r"[+-]?[0-9]+")
WEBSOCKET = frozenset({"ws", "wss"})
ENTERPRISE = (
    "ws/wss is Kong Enterprise's WebSocket proxy, which terminates the WebSocket in code that is not public: its idle "
    "timeout is left unchecked"
)


def _protocols(text: str | None) -> set[str]:
    return {p.strip().lower() for p in (text or "").split(",") if p.strip()}


def _atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi`` on a 64-bit platform: None where it returns an error."""
    if not _ATOI.fullmatch(text):
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """A Service's ``konghq.com/read-timeout`` that KIC drops or Kong refuses (WS206), wherever it is used."""
    if manifest.kind != "Service" or is_knative(manifest):
        return
    node = manifest.annotations().get(READ_TIMEOUT)
    text = value(node)
    if node is None or text is None:
        return
    number = _atoi(text)
    if number is None:
        analysis._problem("invalid-duration", node, f'{READ_TIMEOUT} "{text}": the Kong Ingress Controller reads a '
                          "whole number of milliseconds without a unit (strconv.Atoi) and drops this value: Kong's "
                          f"default {DEFAULT_MS} ms applies")  # fmt: skip
    elif not 1 <= number <= MAX_MS:
        analysis._problem("invalid-duration", node, f'{READ_TIMEOUT} "{text}": Kong takes a read_timeout of 1 to '
                          f"{MAX_MS} milliseconds and refuses the configuration the controller sends "
                          "(0 does not switch the timeout off)")  # fmt: skip


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An Ingress of class kong: Kong's routes to its WebSocket paths, on their Services' read_timeout."""
    annotations = manifest.annotations()
    written = annotations.get(READ_TIMEOUT)
    if written is not None and scalar(written) is not None:
        analysis.read.ignored.append(
            IgnoredTimeout(
                location=written.location(analysis.file),
                setting=f'{READ_TIMEOUT}: "{scalar(written)}"',
                reason="the Kong Ingress Controller reads konghq.com/read-timeout only from the Kubernetes Service "
                "a path routes to, never from the Ingress",
                applies=f"Kong applies the Service's read_timeout instead (its {READ_TIMEOUT}, else {DEFAULT_MS} ms)",
                fix=f"Move `{READ_TIMEOUT}` to the Service the WebSocket path routes to (milliseconds).",
                hop=f"Ingress {manifest.name}",
            )
        )
    ws_ingress = bool(_protocols(value(annotations.get(PROTOCOLS))) & WEBSOCKET)
    hop = Hop(kind=hops.KONG_HOP, name=f"Ingress {manifest.name}", location=manifest.where("metadata"))
    noted: set[str] = set()
    space = namespace(manifest)
    for backend in ingress_paths(manifest):
        service, ambiguous = analysis.defaults.index.lookup("Service", backend.service, space, analysis.file)
        ws_service = service is not None and bool(_protocols(value(service.annotations().get(PROTOCOL))) & WEBSOCKET)
        if ws_ingress or ws_service:
            reason, assumed = "a ws/wss route (Kong Enterprise's WebSocket proxy)", False
        else:
            marked = websocket(analysis, backend.path, backend.service)
            if marked is None:
                continue
            reason, assumed = marked
        timeout: Duration | None = None
        if ws_ingress or ws_service:
            _note(analysis, manifest, noted, backend.service, f"Service {backend.service}: {ENTERPRISE}")
        elif service is None:
            why = "two objects of that name are in the run" if ambiguous else "it is not in the linted files"
            _note(analysis, manifest, noted, backend.service, f"Service {backend.service} ({why}): its "
                  f"{READ_TIMEOUT} annotation, Kong's idle timeout for this Ingress, is unknown")  # fmt: skip
        else:
            timeout = _timeout(analysis, manifest, service, noted)
        hop.routes.append(
            Route(name=f"Ingress {manifest.name} {backend.path}", location=backend.node.location(analysis.file),
                  reason=reason, idle_timeout=timeout, default_applies=True, websocket_path=True, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def _note(analysis: _Analysis, manifest: _Manifest, noted: set[str], key: str, message: str) -> None:
    if key in noted:
        return
    noted.add(key)
    node = manifest.node.get("metadata") or manifest.node
    analysis._problem("note", node, f"Ingress {manifest.name}: {message}")


def _timeout(analysis: _Analysis, ingress: _Manifest, service: _Manifest, noted: set[str]) -> Duration | None:
    """The Kong Service's read_timeout from the Kubernetes Service: its annotation, a KongIngress, or the default."""
    node = service.annotations().get(READ_TIMEOUT)
    if node is not None:
        text = value(node)
        if text is None:
            return None  # a template value
        number = _atoi(text)
        if number is not None:
            if not 1 <= number <= MAX_MS:
                return None  # Kong refuses the configuration (WS206 at the annotation)
            return Duration(seconds=number / 1000, text=text, dialect="seconds",
                            location=node.location(service.file), directive=READ_TIMEOUT,
                            note="milliseconds")  # fmt: skip
        # KIC drops it (WS206 at the annotation): what follows applies
    override = value(service.annotations().get(OVERRIDE))
    if override:
        kong_ingress = analysis.defaults.index.find("KongIngress", override, namespace(service), service.file)
        proxy = None if kong_ingress is None else kong_ingress.node.get("proxy")
        if kong_ingress is None or (proxy is not None and proxy.get("read_timeout") is not None):
            what = (
                f"the KongIngress {override} its {OVERRIDE} names is not in the linted files"
                if kong_ingress is None
                else f"the KongIngress {override} sets proxy.read_timeout, which the Kong Ingress Controller 2.x "
                "applies and 3.0 no longer reads (its proxy fields were removed)"
            )
            _note(analysis, ingress, noted, service.name, f"Service {service.name}: {what}, so Kong's read_timeout "
                  "for it is unknown")  # fmt: skip
            return None
    where = service.where("metadata", "annotations")
    return Duration(seconds=DEFAULT_MS / 1000, text=str(DEFAULT_MS), dialect="seconds", location=where, default=True,
                    directive=READ_TIMEOUT)  # fmt: skip


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """A ws/wss protocol annotation (Kong Enterprise's WebSocket proxy) marks a WebSocket route."""
    if manifest.kind == "Ingress":
        return bool(_protocols(value(manifest.annotations().get(PROTOCOLS))) & WEBSOCKET)
    if manifest.kind == "Service":
        return bool(_protocols(value(manifest.annotations().get(PROTOCOL))) & WEBSOCKET)
    return False
