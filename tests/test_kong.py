"""Kong (issue 23): decK / declarative files (services, routes, read_timeout in milliseconds) and the Kong Ingress
Controller (an Ingress of class kong, its Service's konghq.com/read-timeout)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Linted

Lint = Callable[..., Linted]

DECK = """
_format_version: "{version}"
services:
  - name: chat
    url: http://chat.internal:8080
{timeout}    routes:
      - name: chat-ws
        paths:
          - /ws
  - name: web
    host: web.internal
    routes:
      - name: web
        paths:
          - /
"""


def deck(version: str = "3.0", timeout: str = "") -> str:
    return DECK.format(version=version, timeout=f"    read_timeout: {timeout}\n" if timeout else "")


def test_default_read_timeout_is_ws201_at_the_service(lint: Lint) -> None:
    for version in ("1.1", "2.1", "3.0"):
        result = lint({"kong.yaml": deck(version)}, "kong.yaml")
        assert result.code == 1
        assert result.rules_at() == {("WS201", 3), ("WS303", 3)}, version
        message = str(result.only("WS201")[0]["message"])
        assert "Service chat route chat-ws" in message and "1m" in message
        assert result.only("WS201")[0]["hops"] == ["kong.yaml"]


def test_only_marked_routes_count_when_one_is_marked(lint: Lint) -> None:
    result = lint({"kong.yaml": deck()}, "kong.yaml")
    # /ws marks the chat route: the web route (/) is no WebSocket route, and nothing is assumed
    assert "assumed" not in str(result.findings)
    assert all("web" not in str(f["message"]) for f in result.findings)


def test_read_timeout_is_milliseconds(lint: Lint) -> None:
    result = lint({"kong.yaml": deck(timeout="30000")}, "kong.yaml", "--ping-interval", "25s")
    # 30 s: a 25 s ping is more than half of it
    assert result.rules_at() == {("WS301", 5)}
    assert "idle timeout 30s (read_timeout 30000" in str(result.only("WS301")[0]["message"])
    passing = lint({"kong.yaml": deck(timeout="3600000")}, "kong.yaml", "--ping-interval", "25s")
    assert passing.code == 0 and passing.findings == []


def test_values_kong_refuses_are_ws206_and_unknown(lint: Lint) -> None:
    for value in ("0", "-1", "2147483647", "1.5", "60s", "true"):
        result = lint({"kong.yaml": deck(timeout=value)}, "kong.yaml", "--ping-interval", "25s")
        assert result.rules_at() == {("WS206", 5)}, value
        assert f"read_timeout {value} " in str(result.only("WS206")[0]["message"])  # as written
    # the largest value Kong takes, and a quoted whole number
    for value in ("2147483646", '"3600000"'):
        result = lint({"kong.yaml": deck(timeout=value)}, "kong.yaml", "--ping-interval", "25s")
        assert result.findings == [], value


def test_deck_environment_value_is_unknown(lint: Lint) -> None:
    result = lint({"kong.yaml": deck(timeout='${{ env "DECK_READ_TIMEOUT" }}')}, "kong.yaml", "--ping-interval", "25s")
    assert result.code == 0 and result.findings == []


def test_every_http_route_is_assumed_when_nothing_is_marked(lint: Lint) -> None:
    text = """
    _format_version: "3.0"
    services:
      - name: app
        host: app.internal
        routes:
          - name: root
            paths: [/]
          - name: grpc
            protocols: [grpc]
            paths: [/grpc]
      - name: db
        protocol: tcp
        host: db.internal
        routes:
          - name: tcp
            protocols: [tcp]
            destinations:
              - port: 5432
      - name: idle
        host: idle.internal
    """
    result = lint({"kong.yaml": text}, "kong.yaml")
    # only the HTTP route counts (the gRPC and TCP ones do not, the Service without routes gets no traffic)
    assert result.rules_at() == {("WS201", 3), ("WS303", 3)}
    message = str(result.only("WS201")[0]["message"])
    assert "Service app route root (assumed to carry WebSockets" in message
    assert "grpc" not in message


def test_top_level_routes_and_json(lint: Lint) -> None:
    text = """
    {
      "_format_version": "3.0",
      "services": [{"name": "chat", "host": "chat.internal", "read_timeout": 20000}],
      "routes": [
        {"name": "sock", "service": {"name": "chat"}, "paths": ["/socket.io"]},
        {"name": "other", "service": "elsewhere", "paths": ["/hub"]}
      ]
    }
    """
    result = lint({"kong.json": text}, "kong.json", "--ping-interval", "25s")
    # the route reaches its Service's read_timeout (line 3); a Service in another file is unknown (a note)
    assert result.rules_at() == {("WS301", 3)}
    assert "route sock (Service chat)" in str(result.only("WS301")[0]["message"])
    assert "Service elsewhere, which is not in this file" in result.err


def test_ws_service_is_a_websocket_route_with_an_unknown_timeout(lint: Lint) -> None:
    text = """
    _format_version: "3.0"
    services:
      - name: live
        protocol: wss
        host: live.internal
        routes:
          - name: live
            protocols: [wss]
            paths: [/live]
      - name: web
        host: web.internal
        routes:
          - name: web
            paths: [/]
    """
    result = lint({"kong.yaml": text}, "kong.yaml", "--ping-interval", "25s")
    # the ws/wss route marks the file: the web route is not assumed; the Enterprise proxy's timeout is unknown
    assert result.code == 0 and result.findings == []
    assert "Kong Enterprise" in result.err


def test_websocket_routes_lists_routes(lint: Lint) -> None:
    config = """
    [tool.wslint]
    websocket-routes = ["web"]
    """
    result = lint({"kong.yaml": deck(), "pyproject.toml": config}, "kong.yaml", "--config", "pyproject.toml")
    assert {f["line"] for f in result.only("WS201")} == {9}
    assert "Service web route web" in str(result.only("WS201")[0]["message"])


def test_unreadable_file_is_ws001(lint: Lint) -> None:
    result = lint({"kong.yaml": '_format_version: "3.0"\nservices: [\n'}, "kong.yaml")
    assert result.rules_at() == {("WS001", 3)} or {f["rule"] for f in result.findings} == {"WS001"}
    assert result.code == 1


def test_a_kong_config_in_a_configmap_stays_kubernetes(lint: Lint) -> None:
    text = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: kong-config
    data:
      kong.yml: |
        _format_version: "3.0"
        services:
          - name: chat
            host: chat.internal
            routes:
              - paths: [/ws]
    """
    result = lint({"cm.yaml": text}, "cm.yaml", "--output-format", "json", "--verbose")
    assert result.findings == []


SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: chat
{annotations}spec:
  ports:
    - port: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
{ingress_annotations}spec:
  ingressClassName: kong
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


def kic(service: dict[str, str] | None = None, ingress: dict[str, str] | None = None) -> str:
    def block(values: dict[str, str] | None) -> str:
        if not values:
            return ""
        return "  annotations:\n" + "".join(f'    {k}: "{v}"\n' for k, v in values.items())

    return SERVICE.format(annotations=block(service), ingress_annotations=block(ingress))


def test_kic_default_read_timeout_at_the_service(lint: Lint) -> None:
    result = lint({"k8s.yaml": kic()}, "k8s.yaml")
    # the default is reported at the Service's metadata (the block the annotation goes in)
    assert result.rules_at() == {("WS201", 3), ("WS303", 3)}
    assert "Ingress chat /ws" in str(result.only("WS201")[0]["message"])


def test_kic_service_annotation_in_milliseconds(lint: Lint) -> None:
    result = lint({"k8s.yaml": kic({"konghq.com/read-timeout": "30000"})}, "k8s.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS301", 6)}
    ok = lint({"k8s.yaml": kic({"konghq.com/read-timeout": "3600000"})}, "k8s.yaml", "--ping-interval", "25s")
    assert ok.findings == []


def test_kic_annotation_it_cannot_read(lint: Lint) -> None:
    result = lint({"k8s.yaml": kic({"konghq.com/read-timeout": "3600s"})}, "k8s.yaml", "--ping-interval", "25s")
    # KIC drops "3600s" (strconv.Atoi): WS206 there, and Kong's default applies (WS201 at the annotations)
    assert result.rules_at() == {("WS206", 6), ("WS201", 5)}
    refused = lint({"k8s.yaml": kic({"konghq.com/read-timeout": "0"})}, "k8s.yaml", "--ping-interval", "25s")
    assert refused.rules_at() == {("WS206", 6)}


def test_kic_annotation_on_the_ingress_is_ws208(lint: Lint) -> None:
    result = lint(
        {"k8s.yaml": kic({"konghq.com/read-timeout": "3600000"}, {"konghq.com/read-timeout": "3600000"})},
        "k8s.yaml",
        "--ping-interval",
        "25s",
    )
    assert result.rules_at() == {("WS208", 16)}


def test_kic_kongingress_proxy_read_timeout_is_unknown(lint: Lint) -> None:
    text = (
        kic({"konghq.com/override": "long"})
        + """---
apiVersion: configuration.konghq.com/v1
kind: KongIngress
metadata:
  name: long
proxy:
  read_timeout: 3600000
"""
    )
    result = lint({"k8s.yaml": text}, "k8s.yaml", "--ping-interval", "25s")
    assert result.findings == []
    assert "3.0 no longer reads" in result.err


def test_kic_service_not_in_the_run_is_unknown(lint: Lint) -> None:
    text = kic().split("---\n", 1)[1]
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    assert result.findings == []
    assert "Service chat (it is not in the linted files)" in result.err


def test_deck_object_defaults_give_the_read_timeout(lint: Lint) -> None:
    text = """
    _format_version: "3.0"
    _info:
      defaults:
        service:
          read_timeout: 30000
    services:
      - name: chat
        host: chat.internal
        routes:
          - paths: [/ws]
      - name: live
        host: live.internal
        read_timeout: 3600000
        routes:
          - paths: [/live/ws]
    """
    result = lint({"kong.yaml": text}, "kong.yaml", "--ping-interval", "25s")
    # the decK default (line 5) applies to chat; live's own value wins
    assert result.rules_at() == {("WS301", 5)}
    assert "Service chat route 1" in str(result.only("WS301")[0]["message"])


def test_upstream_timeout_plugin_makes_the_timeout_unknown(lint: Lint) -> None:
    text = """
    _format_version: "3.0"
    services:
      - name: chat
        host: chat.internal
        routes:
          - name: ws
            paths: [/ws]
            plugins:
              - name: upstream-timeout
                config:
                  read_timeout: 3600000
      - name: live
        host: live.internal
        routes:
          - name: live
            paths: [/live/ws]
    plugins:
      - name: upstream-timeout
        service: live
        config:
          read_timeout: 3600000
    """
    result = lint({"kong.yaml": text}, "kong.yaml", "--ping-interval", "25s")
    assert result.findings == []
    assert "upstream-timeout" in result.err
