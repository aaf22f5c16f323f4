"""Traefik resources of Kubernetes manifests -> ``traefik`` hops (issue 23).

- **IngressRoute** (``traefik.io/v1alpha1``, and ``traefik.containo.us/v1alpha1`` of Traefik v2): a route per
  ``spec.routes[]`` entry, named by its ``match`` rule's paths (``PathPrefix(`/ws`)``), with its services.
- **Ingress of class traefik**: a route per rule path.
- **Deployment, DaemonSet, StatefulSet** running a Traefik image pinned to ``v2.11.1`` or ``v3.0.0-rc4``: those two
  releases close a connection after 2 s between reads (``lingeringTimeout``, introduced by traefik/traefik
  cef842245c, removed by 099c7e9444): one assumed route with that default (WS201).

Which routes count: a WebSocket path token, a Service name with a WebSocket token, or ``websocket-routes``; when
nothing in the run marks one, every route counts (``Route.assumed``: Traefik passes upgrades by default). Routes have
no idle timeout: Traefik clears every deadline when it hands the upgraded connection over (see
wslint/sources/traefik.py for the source lines).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wslint import hops
from wslint.model import Duration, Hop, Route
from wslint.sources.cloud_common import no_idle_timeout
from wslint.sources.kubernetes_index import no_idle_ingress, websocket
from wslint.sources.kubernetes_manifest import Manifest as _Manifest
from wslint.sources.kubernetes_manifest import scalar, value

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis
    from wslint.sources.yaml_positions import Node

GROUPS = ("traefik.io/", "traefik.containo.us/")
WORKLOADS = ("Deployment", "DaemonSet", "StatefulSet")
_PATHS = re.compile(r"Path(?:Prefix|Regexp)?\s*\(\s*[`\"']([^`\"']*)[`\"']")


def _ingress_route(manifest: _Manifest) -> bool:
    return manifest.kind == "IngressRoute" and (manifest.text("apiVersion") or "").startswith(GROUPS)


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """Read one object of the file (most are not this module's: return at once)."""
    if _ingress_route(manifest):
        _routes(analysis, manifest)
    elif manifest.kind in WORKLOADS:
        _workload(analysis, manifest)


def _routes(analysis: _Analysis, manifest: _Manifest) -> None:
    from wslint.sources.traefik import NO_IDLE_NOTE

    spec = manifest.node.get("spec")
    entries = None if spec is None else spec.get("routes")
    hop = Hop(kind=hops.TRAEFIK_HOP, name=f"IngressRoute {manifest.name}", location=manifest.where("metadata"))
    for entry in (entries.items or []) if entries is not None else []:
        match = value(entry.get("match")) or ""
        paths = _PATHS.findall(match)
        services = entry.get("services")
        names = [scalar(s.get("name")) or "" for s in (services.items or [])] if services is not None else []
        marked = None
        for name in names or [""]:
            marked = websocket(analysis, " ".join(paths) or "/", name, "its service's name")
            if marked is not None and not marked[1]:
                break
        if marked is None:
            continue
        reason, assumed = marked
        where = (entry.get("match") or entry).location(analysis.file)
        hop.routes.append(
            Route(name=f"IngressRoute {manifest.name} {' '.join(paths) or match or '(no match)'}", location=where,
                  reason=reason, idle_timeout=no_idle_timeout(where, NO_IDLE_NOTE), default_applies=True,
                  websocket_path=analysis.pattern.search(" ".join(paths).lower()) is not None, assumed=assumed)
        )  # fmt: skip
    if hop.routes:
        analysis.read.hops.append(hop)


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An Ingress of class traefik: a route per rule path, with no idle timeout."""
    from wslint.sources.traefik import NO_IDLE_NOTE

    no_idle_ingress(analysis, manifest, hops.TRAEFIK_HOP, NO_IDLE_NOTE)


def _workload(analysis: _Analysis, manifest: _Manifest) -> None:
    """A workload running Traefik: its ``respondingTimeouts.tcp``/``http`` flags only 2.11.1 and 3.0.0-rc4 accept
    (WS206 on any other version), and on those two releases the 2 s lingeringTimeout default (or the one its flags
    set) that closes idle WebSockets."""
    from wslint.sources.traefik import (
        LINGERING_NOTE,
        LINGERING_VERSIONS,
        go_duration,
        image_version,
        is_traefik_image,
        refused,
        responding_section,
    )

    for container in _containers(manifest):
        node = container.get("image")
        image = (value(node) or "").strip()
        if node is None or not is_traefik_image(image):
            continue
        version = image_version(image)
        pinned = version in LINGERING_VERSIONS
        where = node.location(analysis.file)
        idle: Duration | None = None
        for key in ("command", "args"):
            flags = container.get(key)
            for item in (flags.items or []) if flags is not None else []:
                flag = value(item) or ""
                found = responding_section(flag)
                if found is None:
                    continue
                section, written = found
                if not pinned:
                    analysis._problem("invalid-duration", item, refused(flag.partition("=")[0].lstrip("-"),
                                                                         section.split(".")[0]))  # fmt: skip
                elif section == "tcp.lingeringtimeout" and (seconds := go_duration(written)) is not None:
                    idle = Duration(seconds=seconds, text=written, dialect="seconds", location=item.location(
                        analysis.file), directive="lingeringTimeout", note=LINGERING_NOTE)  # fmt: skip
        if not pinned:
            continue
        note = f"Traefik {version}'s default; {LINGERING_NOTE}"
        idle = idle or Duration(seconds=2.0, text="2s", dialect="seconds", location=where, default=True,
                                directive="lingeringTimeout", note=note)  # fmt: skip
        route = Route(name=f"{manifest.kind} {manifest.name}", location=where, reason="Traefik passes upgrades by "
                      "default", idle_timeout=idle, default_applies=True,
                      assumed=analysis.settings.websocket_routes is None)  # fmt: skip
        analysis.read.hops.append(
            Hop(kind=hops.TRAEFIK_HOP, name=f"{manifest.kind} {manifest.name}", location=where, routes=[route])
        )
        return


def _containers(manifest: _Manifest) -> list[Node]:
    node: Node | None = manifest.node
    for key in ("spec", "template", "spec", "containers"):
        node = None if node is None else node.get(key)
    return [c for c in (node.items or []) if c.is_map] if node is not None else []


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """An IngressRoute whose match has a WebSocket path marks a WebSocket route."""
    if not _ingress_route(manifest):
        return False
    spec = manifest.node.get("spec")
    entries = None if spec is None else spec.get("routes")
    for entry in (entries.items or []) if entries is not None else []:
        match = scalar(entry.get("match")) or ""
        if any(pattern.search(p.lower()) for p in _PATHS.findall(match)):
            return True
    return False
