"""ARM JSON templates: recognised by their $schema; Application Gateway, Load Balancer and Front Door routes.

What a user sees: rule, file, line and exit code; a broken template is WS001, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.conftest import Linted
from wslint.sources import registry

Lint = Callable[..., Linted]
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template(resources: list[dict[str, Any]], parameters: dict[str, Any] | None = None) -> str:
    """A template as ``json.dumps(indent=2)`` writes it (one key per line: tests find lines by text)."""
    body: dict[str, Any] = {"$schema": SCHEMA, "contentVersion": "1.0.0.0"}
    if parameters is not None:
        body["parameters"] = parameters
    body["resources"] = resources
    return json.dumps(body, indent=2) + "\n"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line holding ``needle``."""
    lines = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    return lines[nth - 1]


def gateway(settings: list[dict[str, Any]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Network/applicationGateways",
        "apiVersion": "2023-09-01",
        "name": "gw",
        "properties": {"backendHttpSettingsCollection": settings, **props},
    }


def settings(name: str, **props: Any) -> dict[str, Any]:
    return {"name": name, "properties": {"port": 80, "protocol": "Http", **props}}


def test_the_schema_makes_it_an_arm_template() -> None:
    head = '{\n  "$schema": "' + SCHEMA + '",\n'
    assert registry.recognise("azuredeploy.json", head) == "arm"
    assert registry.recognise("-", head) == "arm"  # stdin: by its content
    sub = head.replace("deploymentTemplate", "subscriptionDeploymentTemplate")
    assert registry.recognise("main.json", sub) == "arm"
    params = head.replace("deploymentTemplate", "deploymentParameters")
    assert registry.recognise("azuredeploy.parameters.json", params) is None


def test_default_request_timeout(lint: Lint) -> None:
    text = template([gateway([settings("api")])])
    result = lint({"azuredeploy.json": text}, "azuredeploy.json", "--ping-interval", "25s")
    where = line_of(text, '"name": "api"') - 1  # the settings object opens on the line before its name
    assert result.rules_at() == {("WS201", where), ("WS209", where), ("WS301", where)}
    assert "requestTimeout" in result.only("WS209")[0]["message"]
    assert result.code == 1


def test_request_timeout_from_a_parameter_default(lint: Lint) -> None:
    text = template(
        [gateway([settings("api", requestTimeout="[parameters('timeout')]")])],
        parameters={"timeout": {"type": "int", "defaultValue": 20}},
    )
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    used = line_of(text, '"requestTimeout"')
    assert result.rules_at() == {("WS209", used), ("WS301", used)}
    related = result.only("WS209")[0]
    assert "20s" in str(related["message"])


def test_any_other_expression_is_unknown(lint: Lint) -> None:
    text = template(
        [gateway([settings("api", requestTimeout="[variables('timeout')]")])],
        parameters={"timeout": {"type": "int"}},  # no defaultValue either
    )
    assert lint({"t.json": text}, "t.json", "--ping-interval", "25s").rules_at() == set()
    text = template(
        [gateway([settings("api", requestTimeout="[parameters('timeout')]")])],
        parameters={"timeout": {"type": "int"}},
    )
    assert lint({"t.json": text}, "t.json", "--ping-interval", "25s").rules_at() == set()


def test_out_of_range_request_timeout_is_ws206(lint: Lint) -> None:
    text = template([gateway([settings("api", requestTimeout=0)])])
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    assert ("WS206", line_of(text, '"requestTimeout"')) in result.rules_at()


def test_path_rule_marks_the_settings_its_id_names(lint: Lint) -> None:
    settings_id = "[resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', 'gw', 'live')]"
    maps = [
        {
            "name": "paths",
            "properties": {
                "pathRules": [
                    {"name": "sockets", "properties": {"paths": ["/socket.io/*"],
                                                       "backendHttpSettings": {"id": settings_id}}}
                ]
            },
        }
    ]  # fmt: skip
    text = template([gateway([settings("web"), settings("live", requestTimeout=3600)], urlPathMaps=maps)])
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    assert result.rules_at() == {("WS207", line_of(text, '"requestTimeout"'))}
    assert "assumed" not in result.only("WS207")[0]["message"]


def test_case_insensitive_property_names(lint: Lint) -> None:
    text = template([gateway([{"Name": "api", "Properties": {"Protocol": "Http", "RequestTimeout": 15}}])])
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    assert ("WS209", line_of(text, '"RequestTimeout"')) in result.rules_at()


def load_balancer(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "Microsoft.Network/loadBalancers",
        "apiVersion": "2023-09-01",
        "name": "lb",
        "properties": {"loadBalancingRules": rules},
    }


def test_load_balancer_rule_idle_timeout_in_minutes(lint: Lint) -> None:
    rule = {"name": "web", "properties": {"protocol": "Tcp", "frontendPort": 443, "idleTimeoutInMinutes": 4}}
    text = template([load_balancer([rule])])
    where = line_of(text, '"idleTimeoutInMinutes"')
    assert lint({"t.json": text}, "t.json", "--ping-interval", "2m").rules_at() == set()
    assert lint({"t.json": text}, "t.json", "--ping-interval", "3m").rules_at() == {("WS301", where)}


def test_load_balancer_default_and_range(lint: Lint) -> None:
    rule = {"name": "web", "properties": {"protocol": "Tcp", "frontendPort": 80}}
    text = template([load_balancer([rule])])
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", line_of(text, '"name": "web"') - 1)}
    rule["properties"]["idleTimeoutInMinutes"] = 101
    text = template([load_balancer([rule])])
    assert ("WS206", line_of(text, '"idleTimeoutInMinutes"')) in lint({"t.json": text}, "t.json").rules_at()


def test_load_balancer_rule_off_web_ports_is_not_a_websocket_route(lint: Lint) -> None:
    rule = {"name": "rdp", "properties": {"protocol": "Tcp", "frontendPort": 3389}}
    assert lint({"t.json": template([load_balancer([rule])])}, "t.json").rules_at() == set()


def front_door_route(patterns: list[str], cache: dict[str, Any] | None) -> dict[str, Any]:
    props: dict[str, Any] = {"patternsToMatch": patterns, "enabledState": "Enabled"}
    if cache is not None:
        props["cacheConfiguration"] = cache
    return {
        "type": "Microsoft.Cdn/profiles/afdEndpoints/routes",
        "apiVersion": "2024-02-01",
        "name": "fd/ep/chat",
        "properties": props,
    }


def test_front_door_route_with_caching_on_a_websocket_path_is_ws107(lint: Lint) -> None:
    text = template([front_door_route(["/ws/*"], {"queryStringCachingBehavior": "IgnoreQueryString"})])
    result = lint({"t.json": text}, "t.json", "--ping-interval", "25s")
    assert ("WS107", line_of(text, '"cacheConfiguration"')) in result.rules_at()
    assert result.code == 1
    passing = lint({"t.json": template([front_door_route(["/ws/*"], None)])}, "t.json", "--ping-interval", "25s")
    assert "WS107" not in {rule for rule, _ in passing.rules_at()} and passing.code == 0


def test_caching_on_an_unmarked_route_is_never_ws107(lint: Lint) -> None:
    text = template([front_door_route(["/*"], {"queryStringCachingBehavior": "IgnoreQueryString"})])
    assert "WS107" not in {rule for rule, _ in lint({"t.json": text}, "t.json").rules_at()}


def test_a_broken_template_is_ws001_never_a_traceback(lint: Lint) -> None:
    text = '{\n  "$schema": "' + SCHEMA + '",\n  "resources": [\n    {"type": \n  ]\n}\n'
    result = lint({"azuredeploy.json": text}, "azuredeploy.json")
    assert {rule for rule, _ in result.rules_at()} == {"WS001"}
    assert result.code == 1 and "Traceback" not in result.err


def test_resources_of_the_wrong_shape_are_skipped(lint: Lint) -> None:
    text = json.dumps(
        {
            "$schema": SCHEMA,
            "resources": [
                "not an object",
                {"type": "Microsoft.Network/applicationGateways", "name": "gw", "properties": []},
                {"type": "Microsoft.Network/loadBalancers", "name": "lb", "properties": {"loadBalancingRules": 5}},
                {"type": "Microsoft.Network/applicationGateways", "name": "x",
                 "properties": {"backendHttpSettingsCollection": [1, None, {"properties": "no"}]}},
            ],
        },
        indent=2,
    )  # fmt: skip
    result = lint({"t.json": text}, "t.json")
    assert result.code in (0, 1) and "Traceback" not in result.err and "internal error" not in result.err


def test_a_settings_collection_built_by_an_expression_is_unknown(lint: Lint) -> None:
    text = template([gateway("[variables('settings')]")])  # type: ignore[arg-type]
    assert lint({"t.json": text}, "t.json", "--ping-interval", "25s").rules_at() == set()


def test_a_gateway_the_aks_agic_add_on_manages_is_unknown(lint: Lint) -> None:
    cluster = {
        "type": "Microsoft.ContainerService/managedClusters",
        "apiVersion": "2024-05-01",
        "name": "aks",
        "properties": {"addonProfiles": {"ingressApplicationGateway": {"enabled": True, "config": {}}}},
    }
    text = template([gateway([settings("api")]), cluster])
    assert lint({"t.json": text}, "t.json", "--ping-interval", "25s").rules_at() == set()
    cluster["properties"]["addonProfiles"]["ingressApplicationGateway"]["enabled"] = False
    text = template([gateway([settings("api")]), cluster])
    assert lint({"t.json": text}, "t.json", "--ping-interval", "25s").rules_at() != set()
