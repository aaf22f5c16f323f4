"""Contour's hops of Kubernetes manifests (issue 23): HTTPProxy routes and Ingresses of class contour. The upgrade is
opt-in per route (WS107), the idle timeout is timeoutPolicy.idle or the global stream idle timeout (5m by default,
WS201), "0s" is read as unset (WS206), and a response timeout bounds only the handshake (WS210)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Linted

Lint = Callable[..., Linted]

PROXY = """
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata:
  name: chat
  namespace: default
spec:
  virtualhost:
    fqdn: chat.example.com
  routes:
    - services:
        - name: web
          port: 80
    - conditions:
        - prefix: /ws
{ws}
      services:
        - name: chat
          port: 80
"""


def proxy(*lines: str) -> str:
    return PROXY.format(ws="\n".join(" " * 6 + line for line in lines))


def test_a_websocket_path_without_enable_websockets_is_ws107_and_the_default_idle_is_ws201(lint: Lint) -> None:
    result = lint({"proxy.yaml": proxy()}, "proxy.yaml")
    assert result.rules_in() == {("WS107", "proxy.yaml", 13), ("WS201", "proxy.yaml", 13), ("WS303", "proxy.yaml", 13)}
    assert "enableWebsockets: true" in str(result.only("WS107")[0]["message"])
    assert "5m" in str(result.only("WS201")[0]["message"])
    assert result.code == 1
    # the plain route (no WebSocket path, no enableWebsockets) is no WebSocket route at all
    assert all("web" not in str(f["message"]) for f in result.findings)


def test_enable_websockets_with_an_idle_timeout_passes(lint: Lint) -> None:
    result = lint(
        {"proxy.yaml": proxy("enableWebsockets: true", "timeoutPolicy:", "  idle: 1h")},
        "proxy.yaml",
        "--ping-interval",
        "25s",
    )
    assert result.findings == []
    assert result.code == 0


def test_idle_zero_is_read_as_unset_and_infinity_switches_it_off(lint: Lint) -> None:
    zero = lint({"proxy.yaml": proxy("enableWebsockets: true", "timeoutPolicy:", "  idle: 0s")}, "proxy.yaml")
    assert zero.rules_in() == {("WS206", "proxy.yaml", 17), ("WS201", "proxy.yaml", 17), ("WS303", "proxy.yaml", 17)}
    assert "infinity" in str(zero.only("WS206")[0]["message"])
    off = lint({"proxy.yaml": proxy("enableWebsockets: true", "timeoutPolicy:", "  idle: infinity")}, "proxy.yaml")
    assert off.findings == []
    bad = lint({"proxy.yaml": proxy("enableWebsockets: true", "timeoutPolicy:", "  idle: 10x")}, "proxy.yaml")
    assert bad.rules_in() == {("WS206", "proxy.yaml", 17)}


def test_the_global_stream_idle_timeout_comes_from_contours_config(lint: Lint) -> None:
    config = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: contour
      namespace: projectcontour
    data:
      contour.yaml: |
        timeouts:
          stream-idle-timeout: 30s
    """
    files = {"proxy.yaml": proxy("enableWebsockets: true"), "config.yaml": config}
    result = lint(files, "proxy.yaml", "config.yaml", "--ping-interval", "25s")
    # 25 s is more than half of the configured 30 s, at the line that sets it
    assert result.rules_in() == {("WS301", "config.yaml", 9)}
    configuration = """
    apiVersion: projectcontour.io/v1alpha1
    kind: ContourConfiguration
    metadata:
      name: contour
    spec:
      envoy:
        timeouts:
          streamIdleTimeout: infinity
    """
    files = {"proxy.yaml": proxy("enableWebsockets: true"), "config.yaml": configuration}
    assert lint(files, "proxy.yaml", "config.yaml", "--ping-interval", "25s").findings == []


def test_a_response_timeout_on_a_websocket_route_bounds_only_the_handshake(lint: Lint) -> None:
    text = proxy("enableWebsockets: true", "timeoutPolicy:", "  idle: 1h", "  response: 15s")
    result = lint({"proxy.yaml": text}, "proxy.yaml", "--ping-interval", "25s")
    assert result.rules_in() == {("WS210", "proxy.yaml", 18)}


def test_enable_websockets_marks_a_route_whatever_its_path(lint: Lint) -> None:
    text = PROXY.replace("/ws", "/live").format(ws=" " * 6 + "enableWebsockets: true")
    result = lint({"proxy.yaml": text}, "proxy.yaml")
    assert {f["rule"] for f in result.findings} == {"WS201", "WS303"}
    assert "chat.example.com/live" in str(result.only("WS201")[0]["message"])


INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  annotations:
    projectcontour.io/websocket-routes: "{listed}"
    projectcontour.io/response-timeout: "20s"
spec:
  ingressClassName: contour
  rules:
    - http:
        paths:
          - path: /ws
            pathType: Prefix
            backend:
              service:
                name: app
                port:
                  number: 80
"""


def test_an_ingress_websocket_path_needs_the_websocket_routes_annotation(lint: Lint) -> None:
    missing = lint({"ingress.yaml": INGRESS.format(listed="/other")}, "ingress.yaml")
    assert ("WS107", "ingress.yaml", 6) in missing.rules_in()
    listed = lint({"ingress.yaml": INGRESS.format(listed="/ws")}, "ingress.yaml")
    assert {f["rule"] for f in listed.findings} == {"WS201", "WS210", "WS303"}
    assert listed.only("WS210")[0]["line"] == 7


def test_corpus_like_files_of_other_kinds_are_not_contour_hops(lint: Lint) -> None:
    # an HTTPProxy's tcpproxy or an Ingress of another class makes no Contour hop
    other = INGRESS.format(listed="/ws").replace("ingressClassName: contour", "ingressClassName: traefik")
    assert lint({"ingress.yaml": other}, "ingress.yaml").only("WS107") == []


def test_a_zero_global_stream_idle_timeout_is_read_as_unset(lint: Lint) -> None:
    config = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: contour
    data:
      contour.yaml: |
        timeouts:
          stream-idle-timeout: 0s
    """
    files = {"proxy.yaml": proxy("enableWebsockets: true"), "config.yaml": config}
    result = lint(files, "proxy.yaml", "config.yaml", "--ping-interval", "25s")
    assert result.rules_in() == {("WS206", "config.yaml", 8), ("WS201", "config.yaml", 8)}


BAD = """
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: x}
spec:
  routes:
    - conditions: {prefix: /ws}
      services: chat
      timeoutPolicy: 5s
      enableWebsockets: [true]
    - conditions: [ {prefix: [1]}, 3 ]
      services: [1, {name: [x]}]
      timeoutPolicy: {idle: [1], response: {a: 1}}
    - 7
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: y}
spec: 3
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: z
  annotations:
    projectcontour.io/websocket-routes: [a]
    projectcontour.io/response-timeout: {a: 1}
spec:
  ingressClassName: contour
  rules:
    - http: {paths: [{path: /ws, backend: {service: {name: a}}}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg}
spec: {gatewayClassName: eg}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: eg, sectionName: [1]}, 5]
  rules:
    - matches: [{path: {value: /ws}}]
      backendRefs: [{name: ws}]
      timeouts: {request: [1], backendRequest: 7}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: b}
spec:
  targetRefs: [3, {kind: HTTPRoute, name: r}]
  targetRef: 5
  httpUpgrade: [3, {type: [1]}]
  timeout: {http: 5}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: c}
spec:
  targetRefs: {kind: Gateway}
  timeout: [1]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: contour}
data:
  contour.yaml: "timeouts: [1"
---
apiVersion: projectcontour.io/v1alpha1
kind: ContourConfiguration
metadata: {name: contour}
spec: {envoy: {timeouts: {streamIdleTimeout: "0"}}}
"""


def test_malformed_contour_and_gateway_objects_never_crash(lint: Lint) -> None:
    result = lint({"bad.yaml": BAD}, "bad.yaml")
    assert "internal error" not in result.err
    assert result.code == 1
    # what can be read is judged: a backendRequest without a unit, an httpUpgrade list without websocket, a zero
    assert {f["rule"] for f in result.findings} == {"WS206", "WS107"}
