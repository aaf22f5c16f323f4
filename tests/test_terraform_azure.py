"""Terraform Azure resources: Application Gateway request timeouts, Load Balancer rule idle timeouts, Front Door routes.

What a user sees: which rule fires, on which file and line, and what the message says about where the value
comes from (a default, a variable's default, an assumed WebSocket route).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Linted

Lint = Callable[..., Linted]


def gateway(settings: str, extra: str = "") -> str:
    """An application gateway (line 1) whose only backend_http_settings block starts on line 2."""
    return f'resource "azurerm_application_gateway" "gw" {{\n  backend_http_settings {{\n{settings}  }}\n{extra}}}\n'


PLAIN = '    name     = "api"\n    protocol = "Http"\n'


def test_default_request_timeout_is_an_assumed_idle_timeout_and_cap(lint: Lint) -> None:
    result = lint({"main.tf": gateway(PLAIN)}, "main.tf")
    assert result.rules_at() == {("WS201", 2), ("WS209", 2), ("WS303", 2)}
    cap = result.only("WS209")[0]
    assert "30s" in cap["message"] and "assumed to carry WebSockets" in cap["message"]
    assert "request_timeout" in cap["message"]
    assert result.code == 1


def test_a_written_request_timeout_is_located_where_it_is_written(lint: Lint) -> None:
    result = lint({"main.tf": gateway(PLAIN + "    request_timeout = 20\n")}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS209", 5), ("WS301", 5)}


def test_an_hour_or_more_is_information_only(lint: Lint) -> None:
    result = lint({"main.tf": gateway(PLAIN + "    request_timeout = 3600\n")}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS207", 5)}
    assert result.code == 0


def test_out_of_range_request_timeout_is_ws206(lint: Lint) -> None:
    result = lint({"main.tf": gateway(PLAIN + "    request_timeout = 90000\n")}, "main.tf", "--ping-interval", "25s")
    assert ("WS206", 5) in result.rules_at()
    assert "1 to 86400" in result.only("WS206")[0]["message"]


def test_variable_default_resolves_with_the_default_as_related(lint: Lint) -> None:
    files = {
        "main.tf": gateway(PLAIN + "    request_timeout = var.request_timeout\n"),
        "variables.tf": 'variable "request_timeout" {\n  default = 10\n}\n',
    }
    result = lint(files, "main.tf", "--ping-interval", "25s")
    cap = result.only("WS209")[0]
    assert (cap["file"], cap["line"], "10s" in cap["message"]) == ("main.tf", 5, True)
    assert ("WS301", 5) in result.rules_at()


def test_local_resolves(lint: Lint) -> None:
    text = gateway(PLAIN + "    request_timeout = local.timeout\n") + "locals {\n  timeout = 7200\n}\n"
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS207", 5)}


def test_null_default_and_tfvars_are_unknown(lint: Lint) -> None:
    body = gateway(PLAIN + "    request_timeout = var.t\n")
    null = lint({"a/main.tf": body, "a/variables.tf": 'variable "t" {\n  default = null\n}\n'}, "a/main.tf")
    assert null.rules_at() == set()
    tfvars = {
        "b/main.tf": body,
        "b/variables.tf": 'variable "t" {\n  default = 10\n}\n',
        "b/terraform.tfvars": "t = 3600\n",
    }
    assert lint(tfvars, "b/main.tf").rules_at() == set()


def test_a_path_rule_marks_its_settings_and_the_others_do_not_count(lint: Lint) -> None:
    text = (
        'resource "azurerm_application_gateway" "gw" {\n'
        "  backend_http_settings {\n"
        '    name     = "web"\n'
        '    protocol = "Http"\n'
        "  }\n"
        "  backend_http_settings {\n"  # line 6
        '    name     = "live"\n'
        '    protocol = "Http"\n'
        "  }\n"
        "  url_path_map {\n"
        '    name                               = "paths"\n'
        '    default_backend_http_settings_name = "web"\n'
        "    path_rule {\n"
        '      name                       = "sockets"\n'
        '      paths                      = ["/ws/*"]\n'
        '      backend_http_settings_name = "live"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 6), ("WS209", 6), ("WS301", 6)}
    assert "assumed" not in result.only("WS209")[0]["message"]


def test_a_settings_name_with_a_websocket_token_marks_it(lint: Lint) -> None:
    text = gateway('    name = "chat-websocket"\n    protocol = "Http"\n    request_timeout = 3600\n')
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS207", 5)}
    assert "assumed" not in result.only("WS207")[0]["message"]


def test_websocket_routes_names_the_settings(lint: Lint) -> None:
    files = {
        "main.tf": gateway(PLAIN),
        "wslint.toml": 'websocket-routes = ["other"]\nping-interval = "25s"\n',
    }
    assert lint(files, "--config", "wslint.toml", "main.tf").rules_at() == set()
    files["wslint.toml"] = 'websocket-routes = ["api"]\nping-interval = "25s"\n'
    listed = lint(files, "--config", "wslint.toml", "main.tf", "--output-format", "json")
    assert listed.rules_at() == {("WS201", 2), ("WS209", 2), ("WS301", 2)}


def test_a_dynamic_block_is_unknown_and_never_fires(lint: Lint) -> None:
    text = (
        'resource "azurerm_application_gateway" "gw" {\n'
        '  dynamic "backend_http_settings" {\n'
        "    for_each = var.settings\n"
        "    content {\n"
        "      name            = backend_http_settings.value.name\n"
        "      request_timeout = backend_http_settings.value.timeout\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == set()


def test_count_zero_is_left_out(lint: Lint) -> None:
    text = gateway(PLAIN).replace("{\n", "{\n  count = 0\n", 1)
    assert lint({"main.tf": text}, "main.tf").rules_at() == set()


# -- Load Balancer --------------------------------------------------------------------------------------

LB = 'resource "azurerm_lb" "lb" {\n  name = "lb"\n}\n'


def lb_rule(body: str, name: str = "web") -> str:
    """A load balancer (lines 1-3) and a rule starting on line 4."""
    return (
        LB + f'resource "azurerm_lb_rule" "{name}" {{\n'
        "  loadbalancer_id = azurerm_lb.lb.id\n"
        f'  name            = "{name}"\n'
        '  protocol        = "Tcp"\n'
        f"{body}"
        "}\n"
    )


def test_lb_rule_on_a_web_port_keeps_the_four_minute_default(lint: Lint) -> None:
    result = lint({"main.tf": lb_rule("  frontend_port = 80\n")}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 4)}
    message = result.only("WS201")[0]["message"]
    assert "4m" in message and "assumed to carry WebSockets" in message


def test_lb_idle_timeout_is_in_minutes_and_says_the_drop_is_silent(lint: Lint) -> None:
    result = lint({"main.tf": lb_rule("  frontend_port = 443\n  idle_timeout_in_minutes = 5\n")}, "main.tf")
    assert result.rules_at() == {("WS303", 9)}
    message = result.only("WS303")[0]["message"]
    assert "5m" in message and "silently" in message
    reset = lint(
        {"main.tf": lb_rule("  frontend_port = 443\n  idle_timeout_in_minutes = 5\n  tcp_reset_enabled = true\n")},
        "main.tf",
    )
    assert "silently" not in reset.only("WS303")[0]["message"]


def test_lb_ping_interval_against_minutes(lint: Lint) -> None:
    text = lb_rule("  frontend_port = 443\n  idle_timeout_in_minutes = 4\n")
    assert lint({"main.tf": text}, "main.tf", "--ping-interval", "2m").rules_at() == set()
    assert lint({"main.tf": text}, "main.tf", "--ping-interval", "3m").rules_at() == {("WS301", 9)}


def test_lb_out_of_range_is_ws206(lint: Lint) -> None:
    result = lint({"main.tf": lb_rule("  frontend_port = 80\n  idle_timeout_in_minutes = 120\n")}, "main.tf")
    assert ("WS206", 9) in result.rules_at()
    assert "4 to 100" in result.only("WS206")[0]["message"]
    ok = lint({"main.tf": lb_rule("  frontend_port = 80\n  idle_timeout_in_minutes = 100\n")}, "main.tf")
    assert ("WS206", 9) not in ok.rules_at()


def test_lb_rules_off_web_ports_and_udp_rules_are_not_websocket_routes(lint: Lint) -> None:
    ssh = lint({"main.tf": lb_rule("  frontend_port = 22\n")}, "main.tf")
    assert ssh.rules_at() == set()
    udp = lint({"main.tf": lb_rule("  frontend_port = 80\n").replace('"Tcp"', '"Udp"')}, "main.tf")
    assert udp.rules_at() == set()


def test_lb_rule_named_for_websocket_counts_on_any_port(lint: Lint) -> None:
    result = lint(
        {"main.tf": lb_rule("  frontend_port = 9000\n", name="socketio")}, "main.tf", "--ping-interval", "25s"
    )
    assert result.rules_at() == {("WS201", 4)}
    assert "assumed" not in result.only("WS201")[0]["message"]


def test_lb_idle_timeout_from_a_variable(lint: Lint) -> None:
    files = {
        "main.tf": lb_rule("  frontend_port = 443\n  idle_timeout_in_minutes = var.idle\n"),
        "variables.tf": 'variable "idle" {\n  default = 2\n}\n',
    }
    result = lint(files, "main.tf")
    assert ("WS206", 9) in result.rules_at()  # 2 minutes: below the 4-minute minimum


# -- Front Door -----------------------------------------------------------------------------------------

FD = (
    'resource "azurerm_cdn_frontdoor_profile" "fd" {\n'
    '  sku_name = "Standard_AzureFrontDoor"\n'
    "}\n"
    'resource "azurerm_cdn_frontdoor_endpoint" "ep" {\n'
    "  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n"
    "}\n"
)


def fd_route(patterns: str, cache: bool, name: str = "app") -> str:
    """A profile and endpoint (lines 1-6) and a route on line 7, whose cache block (if any) is on line 10."""
    return (
        FD + f'resource "azurerm_cdn_frontdoor_route" "{name}" {{\n'
        "  cdn_frontdoor_endpoint_id = azurerm_cdn_frontdoor_endpoint.ep.id\n"
        f"  patterns_to_match         = {patterns}\n"
        + ("  cache {\n    compression_enabled = true\n  }\n" if cache else "")
        + "}\n"
    )


def test_caching_on_a_websocket_route_is_ws107_at_the_cache_block(lint: Lint) -> None:
    result = lint({"main.tf": fd_route('["/ws/*"]', cache=True)}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS107", 10), ("WS207", 7)}  # WS207: Front Door's fixed 4-hour cap (info)
    assert result.code == 1
    assert "cache" in result.only("WS107")[0]["help"]


def test_a_websocket_route_without_cache_passes(lint: Lint) -> None:
    result = lint({"main.tf": fd_route('["/ws/*"]', cache=False)}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS207", 7)}
    assert result.code == 0


def test_caching_on_an_assumed_route_is_never_ws107(lint: Lint) -> None:
    result = lint({"main.tf": fd_route('["/*"]', cache=True)}, "main.tf", "--ping-interval", "25s")
    assert "WS107" not in {rule for rule, _ in result.rules_at()}


def test_front_door_limits_are_fixed_idle_five_minutes_and_a_four_hour_cap(lint: Lint) -> None:
    result = lint({"main.tf": fd_route('["/ws/*"]', cache=False)}, "main.tf")
    assert result.rules_at() == {("WS207", 7), ("WS303", 7)}
    assert "4h" in result.only("WS207")[0]["message"]
    assert "5m" in result.only("WS303")[0]["message"]
    # said as the named azure-frontdoor hop says them: a fixed limit, not a default, and no nested parentheses
    assert "(WebSocket connection limit 4h — fixed by Front Door)" in result.only("WS207")[0]["message"]
    assert "(WebSocket idle timeout 5m — fixed by Front Door)" in result.only("WS303")[0]["message"]
    slow = lint({"main.tf": fd_route('["/ws/*"]', cache=False)}, "main.tf", "--ping-interval", "3m")
    assert ("WS301", 7) in slow.rules_at()


def test_route_patterns_from_a_local(lint: Lint) -> None:
    text = fd_route("local.patterns", cache=True) + 'locals {\n  patterns = ["/socket.io/*"]\n}\n'
    assert lint({"main.tf": text}, "main.tf", "--ping-interval", "25s").rules_at() == {("WS107", 10), ("WS207", 7)}


def test_a_disabled_route_serves_nothing(lint: Lint) -> None:
    text = fd_route('["/ws/*"]', cache=True).replace("  patterns_to_match", "  enabled = false\n  patterns_to_match")
    assert lint({"main.tf": text}, "main.tf", "--ping-interval", "25s").rules_at() == set()


def test_a_dynamic_cache_block_is_unknown(lint: Lint) -> None:
    text = fd_route('["/ws/*"]', cache=False).replace(
        "  patterns_to_match", '  dynamic "cache" {\n    for_each = var.cache\n    content {}\n  }\n  patterns_to_match'
    )
    assert lint({"main.tf": text}, "main.tf", "--ping-interval", "25s").rules_at() == {("WS207", 7)}


def test_aws_resources_are_unchanged_beside_azure_ones(lint: Lint) -> None:
    aws = 'resource "aws_lb" "alb" {\n  idle_timeout = 30\n}\n'
    result = lint({"main.tf": aws + fd_route('["/ws/*"]', cache=True)}, "main.tf")
    rules = {rule for rule, _ in result.rules_at()}
    assert "WS107" in rules and ("WS303", 2) in result.rules_at()  # the ALB's idle_timeout 30


def test_lb_rule_whose_load_balancer_is_not_in_the_module(lint: Lint) -> None:
    text = (
        'resource "azurerm_lb_rule" "web" {\n'
        "  loadbalancer_id = data.azurerm_lb.shared.id\n"
        '  name            = "web"\n'
        '  protocol        = "Tcp"\n'
        "  frontend_port   = 80\n"
        "}\n"
    )
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 1)}
    assert "data.azurerm_lb.shared" in result.only("WS201")[0]["message"]


def test_websocket_routes_names_a_rule_by_its_resource_address(lint: Lint) -> None:
    files = {
        "main.tf": lb_rule("  frontend_port = 9000\n", name="events"),
        "wslint.toml": 'websocket-routes = ["azurerm_lb_rule.events"]\nping-interval = "25s"\n',
    }
    result = lint(files, "--config", "wslint.toml", "main.tf", "--output-format", "json")
    assert result.rules_at() == {("WS201", 4)}
    assert "assumed" not in result.only("WS201")[0]["message"]


def test_a_routing_rule_named_for_websocket_marks_its_settings(lint: Lint) -> None:
    rule = (
        "  request_routing_rule {\n"
        '    name                       = "realtime"\n'
        '    backend_http_settings_name = "api"\n'
        "  }\n"
    )
    result = lint(
        {"main.tf": gateway(PLAIN + "    request_timeout = 3600\n", rule)}, "main.tf", "--ping-interval", "25s"
    )
    assert result.rules_at() == {("WS207", 5)}
    assert "assumed" not in result.only("WS207")[0]["message"]


def test_a_marked_route_elsewhere_in_the_module_leaves_unmarked_settings_out(lint: Lint) -> None:
    text = gateway(PLAIN) + fd_route('["/ws/*"]', cache=False).replace("resource", "resource", 1)
    result = lint({"main.tf": text}, "main.tf", "--ping-interval", "25s")
    assert {rule for rule, _ in result.rules_at()} == {"WS207"}  # only the Front Door route's fixed 4-hour cap


def test_tf_json_is_read_the_same(lint: Lint) -> None:
    text = (
        '{\n  "resource": {\n    "azurerm_application_gateway": {\n      "gw": {\n'
        '        "backend_http_settings": [\n          {\n            "name": "socket",\n'
        '            "request_timeout": 10\n          }\n        ]\n      }\n    }\n  }\n}\n'
    )
    result = lint({"main.tf.json": text}, "main.tf.json", "--ping-interval", "2s")
    assert ("WS209", 8) in result.rules_at()


def test_settings_left_to_agic_by_ignore_changes_are_unknown(lint: Lint) -> None:
    lifecycle = "  lifecycle {\n    ignore_changes = [backend_http_settings, tags]\n  }\n"
    result = lint(
        {"main.tf": gateway(PLAIN + "    request_timeout = 1\n", lifecycle)}, "main.tf", "--ping-interval", "25s"
    )
    assert result.rules_at() == set()
    every = "  lifecycle {\n    ignore_changes = all\n  }\n"
    assert lint({"main.tf": gateway(PLAIN, every)}, "main.tf", "--ping-interval", "25s").rules_at() == set()
    other = "  lifecycle {\n    ignore_changes = [tags]\n  }\n"
    assert lint({"main.tf": gateway(PLAIN, other)}, "main.tf", "--ping-interval", "25s").rules_at() != set()


def test_lb_rule_with_an_unknown_port_is_not_assumed(lint: Lint) -> None:
    result = lint({"main.tf": lb_rule("  frontend_port = var.port\n")}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == set()


def test_a_gateway_the_aks_agic_add_on_manages_is_unknown(lint: Lint) -> None:
    cluster = (
        'resource "azurerm_kubernetes_cluster" "aks" {\n'
        "  ingress_application_gateway {\n"
        "    gateway_id = azurerm_application_gateway.gw.id\n"
        "  }\n"
        "}\n"
    )
    result = lint({"main.tf": gateway(PLAIN) + cluster}, "main.tf", "--ping-interval", "25s")
    assert result.rules_at() == set()
