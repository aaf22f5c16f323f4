"""Gateway API HTTPRoutes of Envoy-based gateways (issue 23): Envoy Gateway with its ClientTrafficPolicy and
BackendTrafficPolicy, and Contour's and Istio's gateways, chosen by the GatewayClass's controllerName."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Linted

from wslint.sources.kubernetes_envoy_gateway import gateway_duration

Lint = Callable[..., Linted]

GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: {controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: default
spec:
  gatewayClassName: eg
  listeners:
    - name: http
      protocol: HTTP
      port: 80
"""

ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: chat
  namespace: default
spec:
  parentRefs:
    - name: eg
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /ws
      backendRefs:
        - name: chat
          port: 8080
{timeouts}
    - backendRefs:
        - name: web
          port: 8080
"""

EG = "gateway.envoyproxy.io/gatewayclass-controller"


def files(controller: str = EG, timeouts: str = "", **more: str) -> dict[str, str]:
    return {"gateway.yaml": GATEWAY.format(controller=controller), "route.yaml": ROUTE.format(timeouts=timeouts),
            **more}  # fmt: skip


def test_gateway_api_durations() -> None:
    assert gateway_duration("1h") == 3600
    assert gateway_duration("1h30m") == 5400
    assert gateway_duration("500ms") == 0.5
    assert gateway_duration("1.5s") is None
    assert gateway_duration("90") is None


def test_envoy_gateway_keeps_envoys_five_minute_stream_idle_timeout(lint: Lint) -> None:
    result = lint(files(), "gateway.yaml", "route.yaml")
    # located at the Gateway, where a ClientTrafficPolicy would attach; only the /ws route counts
    assert result.rules_in() == {("WS201", "gateway.yaml", 10), ("WS303", "gateway.yaml", 10)}
    assert "HTTPRoute default/chat /ws keeps" in str(result.only("WS201")[0]["message"])


def test_a_client_traffic_policy_sets_the_stream_idle_timeout(lint: Lint) -> None:
    policy = """
    apiVersion: gateway.envoyproxy.io/v1alpha1
    kind: ClientTrafficPolicy
    metadata:
      name: idle
      namespace: default
    spec:
      targetRefs:
        - group: gateway.networking.k8s.io
          kind: Gateway
          name: eg
      timeout:
        http:
          streamIdleTimeout: {value}
    """
    result = lint(files(**{"ctp.yaml": policy.format(value="40s")}), "gateway.yaml", "route.yaml", "ctp.yaml",
                  "--ping-interval", "25s")  # fmt: skip
    assert result.rules_in() == {("WS301", "ctp.yaml", 13)}
    off = lint(files(**{"ctp.yaml": policy.format(value="0s")}), "gateway.yaml", "route.yaml", "ctp.yaml")
    assert off.findings == []


def test_a_route_timeout_bounds_only_the_handshake_and_raises_the_route_idle_timeout(lint: Lint) -> None:
    timeouts = "      timeouts:\n        request: 30s"
    result = lint(files(timeouts=timeouts), "gateway.yaml", "route.yaml", "--ping-interval", "25s")
    # Envoy Gateway sets the route's idle_timeout to max(1h, the request timeout): no 5-minute default any more
    assert result.rules_in() == {("WS210", "route.yaml", 18)}
    zero = lint(files(timeouts="      timeouts:\n        request: 0s"), "gateway.yaml", "route.yaml")
    assert zero.findings == []
    bad = lint(files(timeouts="      timeouts:\n        request: 1.5s"), "gateway.yaml", "route.yaml")
    assert ("WS206", "route.yaml", 18) in bad.rules_in()


BACKEND_POLICY = """
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata:
  name: backend
  namespace: default
spec:
  targetRef:
    group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: chat
{body}
"""


def test_backend_policy_max_stream_duration_caps_the_lifetime(lint: Lint) -> None:
    body = "  timeout:\n    http:\n      streamIdleTimeout: 1h\n      maxStreamDuration: 30m"
    result = lint(files(**{"btp.yaml": BACKEND_POLICY.format(body=body)}), "gateway.yaml", "route.yaml", "btp.yaml",
                  "--ping-interval", "25s")  # fmt: skip
    assert result.rules_in() == {("WS209", "btp.yaml", 14)}


def test_backend_policy_http_upgrade_without_websocket_is_ws107(lint: Lint) -> None:
    body = "  httpUpgrade:\n    - type: spdy/3.1"
    result = lint(files(**{"btp.yaml": BACKEND_POLICY.format(body=body)}), "gateway.yaml", "route.yaml", "btp.yaml")
    assert ("WS107", "btp.yaml", 12) in result.rules_in()
    body = "  httpUpgrade:\n    - type: websocket\n    - type: spdy/3.1"
    result = lint(files(**{"btp.yaml": BACKEND_POLICY.format(body=body)}), "gateway.yaml", "route.yaml", "btp.yaml")
    assert result.only("WS107") == []


def test_nothing_marked_means_every_route_is_assumed(lint: Lint) -> None:
    route = ROUTE.format(timeouts="").replace("/ws", "/api").replace("- name: chat", "- name: api")
    result = lint({"gateway.yaml": GATEWAY.format(controller=EG), "route.yaml": route}, "gateway.yaml", "route.yaml")
    assert len(result.only("WS201")) == 1
    message = str(result.only("WS201")[0]["message"])
    assert "chat /api, HTTPRoute default/chat / (assumed to carry WebSockets" in message


def test_istio_and_contour_gateways(lint: Lint) -> None:
    istio = lint(files("istio.io/gateway-controller", "      timeouts:\n        request: 30s"), "gateway.yaml",
                 "route.yaml", "--ping-interval", "25s")  # fmt: skip
    # Istio turns the stream idle timeout off: only the handshake-only route timeout is worth saying
    assert istio.rules_in() == {("WS210", "route.yaml", 18)}
    contour = lint(files("projectcontour.io/gateway-controller"), "gateway.yaml", "route.yaml")
    assert {f["rule"] for f in contour.findings} == {"WS201", "WS303"}
    assert "whether Contour passes the WebSocket upgrade" in contour.err


def test_unknown_implementations_and_missing_gateways_make_no_hop(lint: Lint) -> None:
    assert lint(files("example.com/gateway-controller"), "gateway.yaml", "route.yaml").findings == []
    assert lint({"route.yaml": ROUTE.format(timeouts="")}, "route.yaml").findings == []
