"""Terraform resources of Cloudflare: a proxied zone's websockets setting -> hops of one module's document.

- provider v4: ``cloudflare_zone_settings_override`` ``settings { websockets = "on" | "off" }``;
- provider v5: ``cloudflare_zone_setting`` with ``setting_id = "websockets"`` and ``value`` (its schema:
  cloudflare/terraform-provider-cloudflare@04823587a365 docs/resources/zone_setting.md: ``setting_id``, ``value``,
  ``zone_id``, all required).

Cloudflare proxies WebSockets to the origin when the zone's ``websockets`` setting is on ("To enable WebSockets
connections to your origin server … switch the toggle to On", or the API setting ``websockets`` = ``"on"``:
cloudflare/cloudflare-docs@04e05ca80113 src/content/docs/network/websockets.mdx:15-27). Off: the zone is a
Cloudflare hop whose route refuses the upgrade (WS107). On: the zone carries WebSockets, with Cloudflare's
documented Proxy Read Timeout of 100 s as its idle timeout, noted as the named ``cloudflare`` hop notes it
(wslint.intermediaries). A zone whose setting is not written is no hop: nothing says it carries WebSockets, and
every proxied zone in every Cloudflare repository would otherwise get findings.
"""

from __future__ import annotations

from wslint.config import Settings
from wslint.hops import CLOUDFLARE
from wslint.intermediaries import INTERMEDIARIES
from wslint.model import Document, Duration, Hop, Route, UpgradeOff
from wslint.sources.terraform_blocks import Attr
from wslint.sources.terraform_values import Module, Resource

OVERRIDE = "cloudflare_zone_settings_override"
SETTING = "cloudflare_zone_setting"


def read(module: Module, document: Document, settings: Settings) -> None:
    """Add this provider's hops (and the problems met) from the module's resources to its document."""
    for resource in module.resources:
        if not resource.file.linted or module.absent(resource.block):
            continue
        attr: Attr | None = None
        if resource.type == OVERRIDE:
            for block in resource.block.children("settings"):
                attr = block.attrs.get("websockets") or attr
        elif resource.type == SETTING and (module.text(resource.block.attrs.get("setting_id")) or "").lower() == (
            "websockets"
        ):
            attr = resource.block.attrs.get("value")
        if attr is None:
            continue
        value = module.text(attr)
        if value is None or value.lower() not in ("on", "off"):
            continue  # unknown: never judged
        document.hops.append(_hop(module, resource, attr, value.lower() == "off"))


def _hop(module: Module, resource: Resource, attr: Attr, off: bool) -> Hop:
    name = f"{resource.type}.{resource.name}"
    zone = module.text(resource.block.attrs.get("zone_id"))
    route = Route(
        name=f"zone {zone}" if zone else f"the zone of {name}",
        location=resource.block.loc,
        reason="its websockets setting is off: the upgrade is off, Cloudflare refuses WebSockets (WS107)"
        if off
        else "its websockets setting is on",
        default_applies=False,
        websocket_path=True,
    )
    if off:
        route.upgrade_off = UpgradeOff(
            location=attr.loc,
            reason="the zone's websockets setting is off, and Cloudflare then refuses WebSocket connections to the "
            "origin",
            fix='Set websockets = "on": Cloudflare proxies WebSocket connections to the origin when the zone\'s '
            "websockets setting is on.",
        )
    else:
        box = INTERMEDIARIES["cloudflare"]
        assert box.idle is not None
        route.idle_timeout = Duration(
            seconds=float(box.idle),
            text=f"{int(box.idle)}s",
            dialect="seconds",
            location=attr.loc,
            default=True,
            directive=box.idle_directive,
            note=box.note,
        )
    return Hop(kind=CLOUDFLARE, name=name, location=resource.block.loc, routes=[route])
