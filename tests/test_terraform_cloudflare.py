"""A Cloudflare zone's websockets setting read from Terraform (issue 21): off is WS107; on carries WebSockets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]

V5 = """
resource "cloudflare_zone_setting" "websockets" {{
  zone_id    = "023e105f4ecef8ad9ca31a8372d0c353"
  setting_id = "websockets"
  value      = {value}
}}
"""

V4 = """
resource "cloudflare_zone_settings_override" "example" {{
  zone_id = var.zone_id
  settings {{
    ssl        = "strict"
    websockets = {value}
  }}
}}

variable "zone_id" {{
  type = string
}}
"""


@pytest.mark.parametrize(("template", "line"), [(V5, 4), (V4, 5)])
def test_websockets_off_is_ws107_at_the_setting(lint: Lint, template: str, line: int) -> None:
    run = lint({"zone.tf": template.format(value='"off"')}, "zone.tf")
    assert run.rules_at() == {("WS107", line)}
    assert run.code == 1
    assert "websockets setting is off" in str(run.findings[0]["message"])


@pytest.mark.parametrize("template", [V5, V4])
def test_websockets_on_is_no_finding_and_an_idle_limit_for_the_keepalive(lint: Lint, template: str) -> None:
    text = template.format(value='"on"')
    assert {rule for rule, _ in lint({"zone.tf": text}, "zone.tf").rules_at()} == {"WS303"}  # no ping given
    run = lint({"zone.tf": text}, "zone.tf", "--ping-interval", "60s")
    assert {rule for rule, _ in run.rules_at()} == {"WS301"}  # Cloudflare's 100 s Proxy Read Timeout
    assert lint({"zone.tf": text}, "zone.tf", "--ping-interval", "25s").rules_at() == set()


def test_variable_default_off_fires_and_unknown_does_not(lint: Lint) -> None:
    off = V5.format(value="var.ws") + 'variable "ws" {\n  default = "off"\n}\n'
    assert lint({"zone.tf": off}, "zone.tf").rules_at() == {("WS107", 4)}
    unknown = V5.format(value="var.ws") + 'variable "ws" {\n  default = null\n}\n'
    assert lint({"zone.tf": unknown}, "zone.tf").rules_at() == set()
    local = V5.format(value="local.ws") + 'locals {\n  ws = "off"\n}\n'
    assert lint({"zone.tf": local}, "zone.tf").rules_at() == {("WS107", 4)}


def test_a_zone_without_the_setting_and_other_settings_are_no_hop(lint: Lint) -> None:
    other = V5.format(value='"off"').replace('"websockets"', '"always_use_https"')
    run = lint({"zone.tf": other}, "zone.tf", "--ping-interval", "5m")
    assert run.rules_at() == set()


def test_count_zero_is_absent(lint: Lint) -> None:
    text = V5.format(value='"off"').replace("{\n  zone_id", "{\n  count      = 0\n  zone_id", 1)
    assert lint({"zone.tf": text}, "zone.tf").rules_at() == set()


def test_a_cloudflare_path_hop_uses_the_zone_from_terraform(lint: Lint) -> None:
    config = '[[tool.wslint.path]]\nname = "site"\nhops = ["cloudflare"]\nping-interval = "25s"\n'
    files = {"zone.tf": V5.format(value='"off"'), "pyproject.toml": config}
    run = lint(files, "--config", "pyproject.toml", "zone.tf")
    assert ("WS107", 4) in run.rules_at()


def test_a_zone_with_websockets_off_has_a_route_that_says_the_upgrade_is_off(tmp_path: Path) -> None:
    from wslint.config import Settings
    from wslint.sources.registry import Context, Target
    from wslint.sources.terraform import load

    (tmp_path / "zone.tf").write_text(V5.format(value='"off"'), encoding="utf-8")
    documents, errors = load([Target(str(tmp_path / "zone.tf"), "zone.tf", "terraform", True)], Context(Settings()))
    assert errors == []
    (route,) = [route for document in documents for hop in document.hops for route in hop.routes]
    assert route.upgrade_off is not None and "the upgrade is off" in route.reason and "(WS107)" in route.reason
