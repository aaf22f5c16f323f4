"""Istio hops of Kubernetes manifests (issue 23): VirtualService routes carry no idle timeout (Istio switches the
stream idle timeout off), a route timeout bounds only the handshake (WS210), Service ports Istio proxies as TCP
take the DestinationRule's tcp idleTimeout (1 h by default), and an Ingress of class istio."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Linted

from wslint.sources.kubernetes_istio import go_duration

Lint = Callable[..., Linted]

VIRTUAL_SERVICE = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: chat
spec:
  hosts:
    - "*"
  gateways:
    - chat-gateway
  http:
    - match:
        - uri:
            prefix: /ws
      route:
        - destination:
            host: chat
{timeout}    - match:
        - uri:
            prefix: /
      route:
        - destination:
            host: web
      timeout: 15s
"""


def test_a_websocket_route_has_no_idle_timeout(lint: Lint) -> None:
    result = lint({"vs.yaml": VIRTUAL_SERVICE.format(timeout="")}, "vs.yaml", "--ping-interval", "25s")
    assert result.code == 0
    assert result.findings == []


def test_a_route_timeout_on_a_websocket_route_bounds_only_the_handshake(lint: Lint) -> None:
    text = VIRTUAL_SERVICE.format(timeout="      timeout: 30s\n")
    result = lint({"vs.yaml": text}, "vs.yaml", "--ping-interval", "25s")
    # the WebSocket route's timeout only; the plain route's 15s is a request timeout and stays unjudged
    assert result.rules_at() == {("WS210", 17)}
    assert "timeout: 30s" in str(result.only("WS210")[0]["message"])


def test_a_zero_route_timeout_switches_it_off(lint: Lint) -> None:
    text = VIRTUAL_SERVICE.format(timeout="      timeout: 0s\n")
    assert lint({"vs.yaml": text}, "vs.yaml", "--ping-interval", "25s").findings == []


def test_a_route_timeout_istio_cannot_read_is_ws206(lint: Lint) -> None:
    text = VIRTUAL_SERVICE.format(timeout="      timeout: 30 seconds\n")
    result = lint({"vs.yaml": text}, "vs.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS206", 17)}


def test_an_assumed_route_gets_no_ws210(lint: Lint) -> None:
    # nothing marks a WebSocket route: "/" counts only as assumed, and its timeout may well be a real request timeout
    text = VIRTUAL_SERVICE.format(timeout="").replace("prefix: /ws", "prefix: /api").replace("host: chat", "host: api")
    assert lint({"vs.yaml": text}, "vs.yaml", "--ping-interval", "25s").findings == []


TCP_SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: chat
  namespace: apps
spec:
  ports:
    - name: tcp-ws
      port: 8080
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: chat
  namespace: apps
spec:
  host: chat.apps.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
{idle}"""


def test_a_tcp_port_keeps_istios_one_hour_default(lint: Lint) -> None:
    result = lint({"svc.yaml": TCP_SERVICE.format(idle="")}, "svc.yaml", "--ping-interval", "25s")
    assert result.findings == []
    # an hour is longer than any ping: WS302 with no keepalive points at the DestinationRule's traffic policy
    silent = lint({"svc.yaml": TCP_SERVICE.format(idle="")}, "svc.yaml", "--ping-interval", "0")
    assert silent.rules_at() == {("WS302", 18)}


def test_a_short_tcp_idle_timeout_is_judged_against_the_ping(lint: Lint) -> None:
    text = TCP_SERVICE.format(idle="        idleTimeout: 30s\n")
    result = lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS301", 22)}


def test_a_zero_tcp_idle_timeout_switches_it_off(lint: Lint) -> None:
    text = TCP_SERVICE.format(idle="        idleTimeout: 0s\n")
    assert lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "0").findings == []


def test_a_tcp_idle_timeout_istio_cannot_read_is_ws206(lint: Lint) -> None:
    text = TCP_SERVICE.format(idle="        idleTimeout: 1 hour\n")
    result = lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS206", 22)}


def test_an_http_port_is_not_a_tcp_route(lint: Lint) -> None:
    text = TCP_SERVICE.format(idle="        idleTimeout: 30s\n").replace("name: tcp-ws", "name: http-ws")
    assert lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "25s").findings == []


def test_a_service_outside_any_mesh_is_not_an_istio_hop(lint: Lint) -> None:
    service = TCP_SERVICE.split("---")[0]
    assert lint({"svc.yaml": service}, "svc.yaml", "--ping-interval", "0").findings == []


INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
spec:
  ingressClassName: istio
  rules:
    - http:
        paths:
          - path: /ws
            pathType: Prefix
            backend:
              service:
                name: chat
                port:
                  number: 80
"""


def test_an_istio_ingress_route_has_no_idle_timeout(lint: Lint) -> None:
    result = lint({"ingress.yaml": INGRESS}, "ingress.yaml", "--ping-interval", "0")
    assert result.findings == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600.0), ("1h30m", 5400.0), ("0.5s", 0.5), ("500ms", 0.5), ("0", 0.0), ("90", None), ("1 h", None)],
)
def test_go_durations(text: str, seconds: float | None) -> None:
    assert go_duration(text) == seconds
