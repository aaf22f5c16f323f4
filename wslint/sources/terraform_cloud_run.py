"""Terraform Cloud Run services -> hops: the request timeout caps every WebSocket's life.

- ``google_cloud_run_v2_service`` ``template { timeout = "300s" }``: "Max allowed time for an instance to respond to a
  request. A duration in seconds with up to nine fractional digits, ending with 's'" (hashicorp/google provider,
  generated from GoogleCloudPlatform/magic-modules mmv1/products/cloudrunv2/Service.yaml, ``template.timeout``).
- ``google_cloud_run_service`` ``template { spec { timeout_seconds = 300 } }`` (whole seconds).
- "WebSockets streams are HTTP requests, which are still subject to the request timeout configured for your Cloud
  Run service" (https://cloud.google.com/run/docs/triggering/websockets); "The timeout is set by default to 5
  minutes (300 seconds) and can be extended up to 60 minutes (3600 seconds)"
  (https://cloud.google.com/run/docs/configuring/request-timeout). Beyond 3600 s: WS206.

Which services carry WebSockets: one ``websocket-routes`` lists (then only those), or whose resource name or
``name`` has a WebSocket token; when nothing marks any, every service counts, assumed to carry WebSockets.
"""

from __future__ import annotations

import math
import re

from wslint.config import Settings
from wslint.hops import CLOUD_RUN
from wslint.model import Document, Duration, Hop, Problem, Route
from wslint.sources.aws_spec import Value, websocket_name
from wslint.sources.cloud_common import listed, no_idle_timeout
from wslint.sources.terraform_blocks import Block
from wslint.sources.terraform_values import Module, Resource

V2 = "google_cloud_run_v2_service"
V1 = "google_cloud_run_service"
DEFAULT = 300
MAXIMUM = 3600
_V2_DURATION = re.compile(r"([0-9]{1,12})(\.[0-9]{1,9})?s")


def read(module: Module, present: list[Resource], document: Document, settings: Settings) -> None:
    """One hop per Cloud Run service of the module that carries WebSockets."""
    services = [r for r in present if r.type in (V1, V2)]
    if not services:
        return
    marks = {r.key: _marked(module, r, settings) for r in services}
    assumed = not any(marks.values())
    for resource in services:
        reason = marks[resource.key]
        if not reason and not assumed:
            continue
        name = f"{resource.type}.{resource.name}"
        route = Route(
            name=name,
            location=resource.block.loc,
            reason=reason or "a Cloud Run service",
            default_applies=False,
            assumed=not reason,
        )
        cap = _timeout(module, resource, document)
        if cap is not None:
            route.lifetime = cap
            route.idle_timeout = no_idle_timeout(resource.block.loc)
        else:
            route.reason += "; its request timeout is unknown"
        document.hops.append(Hop(kind=CLOUD_RUN, name=name, location=resource.block.loc, routes=[route]))


def _marked(module: Module, resource: Resource, settings: Settings) -> str:
    given = module.text(resource.block.attrs.get("name")) or ""
    names = [f"{resource.type}.{resource.name}", resource.name, *([given] if given else [])]
    explicit = settings.websocket_routes
    if explicit is not None:
        return "listed in websocket-routes" if any(listed(e, names, resource.file.display) for e in explicit) else ""
    return "named for WebSocket" if any(websocket_name(n) for n in (resource.name, given) if n) else ""


def _timeout(module: Module, resource: Resource, document: Document) -> Duration | None:
    """The request timeout in effect (its default at the block that would hold it); None: unknown or refused."""
    block = resource.block
    templates = block.children("template")
    if block.dynamic("template"):
        return None
    template = templates[0] if templates else None
    if resource.type == V2:
        directive = "timeout"
        holder: Block | None = template
        attr = None if template is None else template.attrs.get("timeout")
    else:
        directive = "timeout_seconds"
        specs = [] if template is None else template.children("spec")
        if template is not None and template.dynamic("spec"):
            return None
        holder = specs[0] if specs else template
        attr = specs[0].attrs.get("timeout_seconds") if specs else None
    where = (holder or block).loc
    value = module.value(attr)
    if value is None:
        return Duration(
            seconds=float(DEFAULT),
            text=f"{DEFAULT}s" if resource.type == V2 else str(DEFAULT),
            dialect="seconds",
            location=where,
            default=True,
            directive=directive,
        )
    if value.value is None:
        return None
    seconds = _seconds(value, resource.type == V2)
    if seconds is None or not 0 < seconds <= MAXIMUM:
        form = 'a duration in seconds ending with "s" (e.g. "3600s")' if resource.type == V2 else "whole seconds"
        document.problems.append(
            Problem(
                kind="invalid-duration",
                location=value.location,
                message=f"{directive} {value.value}: Cloud Run takes {form}, more than 0 and at most {MAXIMUM} "
                "(60 minutes); the service cannot be deployed with it",
            )
        )
        return None
    return Duration(
        seconds=seconds,
        text=str(value.value),
        dialect="seconds",
        location=value.location,
        directive=directive,
        related=value.related,
    )


def _seconds(value: Value, v2: bool) -> float | None:
    if v2:
        match = _V2_DURATION.fullmatch(str(value.value).strip())
        return None if match is None else float(match.group(1) + (match.group(2) or ""))
    seconds = value.seconds()
    return None if seconds is None or math.isnan(seconds) else seconds
