"""Emissary-ingress Mappings (issue 23): the upgrade is opt-in (WS107 without allow_upgrade on a WebSocket route),
Envoy's 5-minute stream idle timeout applies unless idle_timeout_ms is set (WS201), and timeout_ms bounds only the
handshake (WS210)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Linted

Lint = Callable[..., Linted]

MAPPING = """
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: chat
spec:
  hostname: "*"
  prefix: {prefix}
  service: {service}
{extra}"""


def mapping(prefix: str = "/ws/", service: str = "chat", extra: str = "") -> str:
    return MAPPING.format(prefix=prefix, service=service, extra=extra)


def test_a_websocket_mapping_without_allow_upgrade_is_ws107(lint: Lint) -> None:
    result = lint({"m.yaml": mapping()}, "m.yaml", "--ping-interval", "25s")
    assert ("WS107", 5) in result.rules_at()
    assert result.code == 1


def test_allow_upgrade_is_case_insensitive(lint: Lint) -> None:
    text = mapping(extra="  allow_upgrade:\n    - WebSocket\n  idle_timeout_ms: 3600000\n")
    assert lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s").findings == []


def test_use_websocket_true_enables_it(lint: Lint) -> None:
    text = mapping(extra="  use_websocket: true\n  idle_timeout_ms: 3600000\n")
    assert lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s").findings == []


def test_envoys_stream_idle_default_applies(lint: Lint) -> None:
    text = mapping(extra="  allow_upgrade: [websocket]\n")
    result = lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 5)}
    assert "5m" in str(result.only("WS201")[0]["message"])


def test_idle_timeout_ms_is_the_routes_idle_timeout(lint: Lint) -> None:
    text = mapping(extra="  allow_upgrade: [websocket]\n  idle_timeout_ms: 40000\n")
    result = lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS301", 10)}


def test_idle_timeout_ms_zero_switches_it_off(lint: Lint) -> None:
    text = mapping(extra="  allow_upgrade: [websocket]\n  idle_timeout_ms: 0\n")
    assert lint({"m.yaml": text}, "m.yaml", "--ping-interval", "0").findings == []


def test_timeout_ms_bounds_only_the_handshake(lint: Lint) -> None:
    text = mapping(extra="  allow_upgrade: [websocket]\n  idle_timeout_ms: 3600000\n  timeout_ms: 500000\n")
    result = lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS210", 11)}


def test_the_modules_request_timeout_bounds_only_the_handshake(lint: Lint) -> None:
    module = (
        "---\napiVersion: getambassador.io/v3alpha1\nkind: Module\nmetadata:\n  name: ambassador\nspec:\n"
        "  config:\n    cluster_request_timeout_ms: 60000\n"
    )
    text = mapping(extra="  allow_upgrade: [websocket]\n  idle_timeout_ms: 3600000\n") + module
    result = lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS210", 18)}


def test_an_unmarked_mapping_without_the_upgrade_is_no_websocket_route(lint: Lint) -> None:
    # the upgrade is opt-in: nothing says /api/ serves WebSockets, so nothing is assumed
    text = mapping(prefix="/api/", service="api", extra="  timeout_ms: 500000\n")
    assert lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s").findings == []


def test_a_service_name_marks_the_mapping(lint: Lint) -> None:
    text = mapping(prefix="/", service="chat-ws.apps:8080")
    assert ("WS107", 5) in lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s").rules_at()


def test_a_mapping_of_the_same_group_that_allows_the_upgrade_gives_it_to_the_route(lint: Lint) -> None:
    other = mapping(extra="  allow_upgrade: [websocket]\n  idle_timeout_ms: 3600000\n")
    other = other.replace("name: chat", "name: c2")
    text = mapping(extra="  idle_timeout_ms: 3600000\n") + "---" + other
    assert lint({"m.yaml": text}, "m.yaml", "--ping-interval", "25s").findings == []


def test_websocket_routes_names_the_mappings_that_count(lint: Lint) -> None:
    config = '[tool.wslint]\nwebsocket-routes = ["/live/"]\n'
    text = mapping(extra="  allow_upgrade: [websocket]\n")  # /ws/ enables the upgrade but is not listed
    listed = mapping(prefix="/live/", service="feed").replace("name: chat", "name: feed")
    files = {"pyproject.toml": config, "m.yaml": text + "---" + listed}
    result = lint(files, "m.yaml", "--config", "pyproject.toml", "--ping-interval", "25s", "--output-format", "json")
    # only the listed Mapping counts: it lacks allow_upgrade (WS107) and keeps Envoy's default (WS201)
    assert result.rules_at() == {("WS107", 15), ("WS201", 15)}
