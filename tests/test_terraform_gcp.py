"""Google Cloud read from Terraform (issue 21): backend services behind URL maps, and Cloud Run request timeouts."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]

URL_MAP = """
resource "google_compute_backend_service" "api" {{
  name = "api"
}}

resource "google_compute_backend_service" "chat" {{
  name = "chat"
{chat}
}}

resource "google_compute_url_map" "lb" {{
  name            = "lb"
  default_service = google_compute_backend_service.api.id
  host_rule {{
    hosts        = ["*"]
    path_matcher = "main"
  }}
  path_matcher {{
    name            = "main"
    default_service = google_compute_backend_service.api.id
    path_rule {{
      paths   = ["{path}"]
      service = google_compute_backend_service.chat.id
    }}
  }}
}}
"""


def url_map(chat: str = "", path: str = "/socket.io/*") -> str:
    return URL_MAP.format(chat=chat, path=path)


def messages(run: Linted, rule: str) -> list[str]:
    return [str(f["message"]) for f in run.findings if f["rule"] == rule]


# -- which backend services are WebSocket routes -------------------------------------------------------------


def test_the_backend_a_websocket_path_sends_to_keeps_the_default_30s_cap(lint: Lint) -> None:
    run = lint({"main.tf": url_map()}, "main.tf")
    assert run.rules_at() == {("WS209", 5)}  # the chat resource block: timeout_sec not written
    message = messages(run, "WS209")[0]
    assert "google_compute_url_map.lb (google_compute_backend_service.chat)" in message
    assert "30s (the default timeout_sec)" in message
    assert "assumed" not in message
    assert run.code == 1


def test_a_raised_timeout_is_info_only(lint: Lint) -> None:
    run = lint({"main.tf": url_map(chat="  timeout_sec = 3600")}, "main.tf")
    assert run.rules_at() == {("WS207", 7)}
    assert run.code == 0


def test_pings_do_not_help_a_lifetime_cap(lint: Lint) -> None:
    run = lint({"main.tf": url_map(chat="  timeout_sec = 600")}, "main.tf", "--ping-interval", "20s")
    assert run.rules_at() == {("WS209", 7)}  # no WS301-WS303: the cap is no idle timeout


def test_nothing_marked_every_http_backend_is_assumed(lint: Lint) -> None:
    run = lint({"main.tf": url_map(path="/api/*")}, "main.tf")
    assert run.rules_at() == {("WS209", 1), ("WS209", 5)}
    assert all("assumed to carry WebSockets" in m for m in messages(run, "WS209"))


def test_a_backend_named_for_websocket_is_the_only_route(lint: Lint) -> None:
    text = url_map(path="/api/*").replace('"chat" {', '"websocket" {').replace(".chat.id", ".websocket.id")
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 5)}
    assert "assumed" not in messages(run, "WS209")[0]


def test_a_route_rule_with_weighted_backends_marks_them(lint: Lint) -> None:
    text = url_map(path="/api/*").replace(
        "  path_matcher {\n",
        """  path_matcher {
    route_rules {
      priority = 1
      match_rules {
        prefix_match = "/realtime/"
      }
      route_action {
        weighted_backend_services {
          backend_service = google_compute_backend_service.api.id
          weight          = 100
        }
      }
    }
""",
        1,
    )
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 1)}  # api serves /realtime/; chat only /api/*
    assert "assumed" not in messages(run, "WS209")[0]


def test_websocket_routes_name_the_backend_services(lint: Lint) -> None:
    config = '[tool.wslint]\nwebsocket-routes = ["google_compute_backend_service.api"]\n'
    run = lint({"main.tf": url_map(), "pyproject.toml": config}, "main.tf", "--config", "pyproject.toml")
    assert run.rules_at() == {("WS209", 1)}


def test_a_backend_service_no_url_map_names_is_a_hop_of_its_own(lint: Lint) -> None:
    text = 'resource "google_compute_backend_service" "ws" {\n  name = "ws"\n  timeout_sec = 45\n}\n'
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 3)}
    assert messages(run, "WS209")[0].startswith("google_compute_backend_service.ws closes")


# -- load balancer types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "arguments", "judged"),
    [
        ("google_compute_backend_service", "", True),  # EXTERNAL, HTTP by default
        ("google_compute_backend_service", 'protocol = "HTTPS"', True),
        ("google_compute_backend_service", 'load_balancing_scheme = "EXTERNAL_MANAGED"', True),
        ("google_compute_region_backend_service", 'load_balancing_scheme = "INTERNAL_MANAGED"', True),
        ("google_compute_region_backend_service", "", False),  # INTERNAL by default: passthrough
        ("google_compute_backend_service", 'protocol = "TCP"', False),  # proxy Network Load Balancer: unknown
        ("google_compute_backend_service", 'protocol = "SSL"', False),
        ("google_compute_backend_service", 'load_balancing_scheme = "INTERNAL_SELF_MANAGED"', False),
        ("google_compute_backend_service", 'protocol = "GRPC"', False),
        ("google_compute_backend_service", "protocol = var.protocol", False),  # unknown
    ],
)
def test_only_application_load_balancers_cap_the_lifetime(
    lint: Lint, resource: str, arguments: str, judged: bool
) -> None:
    text = f'resource "{resource}" "ws" {{\n  {arguments}\n  timeout_sec = 45\n}}\nvariable "protocol" {{}}\n'
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == ({("WS209", 3)} if judged else set())


def test_a_serverless_neg_backend_is_not_judged(lint: Lint) -> None:
    text = """
resource "google_compute_backend_service" "ws" {
  load_balancing_scheme = "EXTERNAL_MANAGED"
  backend {
    group = google_compute_region_network_endpoint_group.run.id
  }
}

resource "google_compute_region_network_endpoint_group" "run" {
  network_endpoint_type = "SERVERLESS"
  region                = "europe-west1"
  cloud_run {
    service = "realtime"
  }
}
"""
    assert lint({"main.tf": text}, "main.tf").rules_at() == set()


def test_a_route_action_timeout_makes_the_cap_unknown(lint: Lint) -> None:
    text = url_map().replace(
        "      service = google_compute_backend_service.chat.id\n",
        "      service = google_compute_backend_service.chat.id\n      route_action {\n        timeout {\n"
        '          seconds = "3600"\n        }\n      }\n',
    )
    assert lint({"main.tf": text}, "main.tf").rules_at() == set()


# -- values: variables, locals, unknowns, ranges ---------------------------------------------------------


def test_variable_default_is_used_and_related(lint: Lint) -> None:
    text = url_map(chat="  timeout_sec = var.ws_timeout") + 'variable "ws_timeout" {\n  default = 90\n}\n'
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 7)}
    assert "after 1m30s (timeout_sec 90)" in messages(run, "WS209")[0]
    related = run.findings[0].get("related")
    assert isinstance(related, list)
    assert [r["line"] for r in related] == [27]  # the variable's default


def test_local_is_followed(lint: Lint) -> None:
    text = url_map(chat="  timeout_sec = local.ws") + "locals {\n  ws = 120\n}\n"
    assert lint({"main.tf": text}, "main.tf").rules_at() == {("WS209", 7)}


@pytest.mark.parametrize(
    ("chat", "extra", "tfvars"),
    [
        ("  timeout_sec = var.t", 'variable "t" {\n  default = null\n}\n', ""),  # null: the caller decides
        ("  timeout_sec = var.t", 'variable "t" {\n  default = 60\n}\n', "t = 7200\n"),  # a tfvars sets it
        ("  timeout_sec = var.t", 'variable "t" {}\n', ""),  # no default
        ('  timeout_sec = lookup(var.m, "ws", 30)', 'variable "m" {\n  default = {}\n}\n', ""),  # a function
    ],
)
def test_unknown_timeouts_never_fire(lint: Lint, chat: str, extra: str, tfvars: str) -> None:
    files = {"main.tf": url_map(chat=chat) + extra}
    if tfvars:
        files["terraform.tfvars"] = tfvars
    assert lint(files, "main.tf").rules_at() == set()


def test_count_zero_backend_is_absent(lint: Lint) -> None:
    text = url_map(chat="  count = 0")
    run = lint({"main.tf": text}, "main.tf")
    assert ("WS209", 5) not in run.rules_at()


def test_dynamic_path_matcher_marks_nothing_but_names_still_count(lint: Lint) -> None:
    text = """
resource "google_compute_backend_service" "ws" {
  name = "ws"
}

resource "google_compute_url_map" "lb" {
  default_service = google_compute_backend_service.ws.id
  dynamic "path_matcher" {
    for_each = var.matchers
    content {
      name            = path_matcher.value.name
      default_service = google_compute_backend_service.ws.id
    }
  }
}
"""
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 1)}


@pytest.mark.parametrize("value", ["0", "2147483648", '"abc"'])
def test_out_of_range_timeout_is_ws206(lint: Lint, value: str) -> None:
    run = lint({"main.tf": url_map(chat=f"  timeout_sec = {value}")}, "main.tf")
    assert run.rules_at() == {("WS206", 7)}


def test_largest_timeout_is_accepted(lint: Lint) -> None:
    run = lint({"main.tf": url_map(chat="  timeout_sec = 2147483647")}, "main.tf")
    assert run.rules_at() == {("WS207", 7)}


# -- Cloud Run ---------------------------------------------------------------------------------------------

RUN_V2 = """
resource "google_cloud_run_v2_service" "realtime" {{
  name     = "realtime"
  location = "europe-west1"
  template {{
{timeout}
    containers {{
      image = "gcr.io/acme/realtime"
    }}
  }}
}}
"""

RUN_V1 = """
resource "google_cloud_run_service" "realtime" {{
  name     = "realtime"
  location = "europe-west1"
  template {{
    spec {{
{timeout}
      containers {{
        image = "gcr.io/acme/realtime"
      }}
    }}
  }}
}}
"""


def test_cloud_run_v2_default_is_300s_at_the_template(lint: Lint) -> None:
    run = lint({"main.tf": RUN_V2.format(timeout="")}, "main.tf")
    assert run.rules_at() == {("WS209", 4)}
    message = messages(run, "WS209")[0]
    assert "google_cloud_run_v2_service.realtime" in message and "5m (the default timeout)" in message


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        ('    timeout = "900s"', {("WS209", 5)}),
        ('    timeout = "3600s"', {("WS207", 5)}),
        ('    timeout = "3600.5s"', {("WS206", 5)}),
        ('    timeout = "1h"', {("WS206", 5)}),
        ("    timeout = var.timeout", set()),
    ],
)
def test_cloud_run_v2_timeout(lint: Lint, timeout: str, expected: set[tuple[str, int]]) -> None:
    text = RUN_V2.format(timeout=timeout) + 'variable "timeout" {\n  default = null\n}\n'
    assert lint({"main.tf": text}, "main.tf").rules_at() == expected


def test_cloud_run_v1_timeout_seconds_from_a_variable(lint: Lint) -> None:
    text = RUN_V1.format(timeout="      timeout_seconds = var.t") + 'variable "t" {\n  default = 120\n}\n'
    run = lint({"main.tf": text}, "main.tf")
    assert run.rules_at() == {("WS209", 6)}
    assert "after 2m (timeout_seconds 120)" in messages(run, "WS209")[0]


def test_cloud_run_v1_default_is_at_the_spec(lint: Lint) -> None:
    run = lint({"main.tf": RUN_V1.format(timeout="")}, "main.tf")
    assert run.rules_at() == {("WS209", 5)}


def test_cloud_run_marking_by_name_and_websocket_routes(lint: Lint) -> None:
    plain = RUN_V2.format(timeout="").replace('"realtime"', '"api"')
    two = plain + RUN_V2.format(timeout="").replace('"realtime"', '"ws"')
    run = lint({"main.tf": two}, "main.tf")
    assert run.rules_at() == {("WS209", 15)}  # the service named for WebSocket only
    config = '[tool.wslint]\nwebsocket-routes = ["google_cloud_run_v2_service.api"]\n'
    run = lint({"main.tf": two, "pyproject.toml": config}, "main.tf", "--config", "pyproject.toml")
    assert run.rules_at() == {("WS209", 4)}


def test_gcp_path_hop_uses_the_terraform_backend(lint: Lint) -> None:
    config = '[[tool.wslint.path]]\nname = "chat"\nhops = ["gcp"]\nping-interval = "25s"\n'
    files = {"main.tf": url_map(chat="  timeout_sec = 7200"), "pyproject.toml": config}
    run = lint(files, "path", "--config", "pyproject.toml", "main.tf")
    text = json.dumps(run.report)
    assert "google_compute_backend_service.chat" in text
