"""Envoy bootstraps: listeners, HTTP connection managers, routes and TCP proxies as hops.

What a user sees: rule, file, line and exit code; a broken bootstrap is WS001, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Linted
from wslint.durations import InvalidDuration
from wslint.sources import envoy_durations, registry

Lint = Callable[..., Linted]
Wslint = Callable[..., Any]
HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
TCP_TYPE = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"


def hcm(routes: list[dict[str, Any]], **config: Any) -> dict[str, Any]:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": HCM_TYPE,
            "stat_prefix": "ingress",
            **config,
            "route_config": {"virtual_hosts": [{"name": "app", "domains": ["*"], "routes": routes}]},
        },
    }


def route(prefix: str, cluster: str, **action: Any) -> dict[str, Any]:
    return {"match": {"prefix": prefix}, "route": {"cluster": cluster, **action}}


def bootstrap(*filters: dict[str, Any], name: str = "main") -> dict[str, Any]:
    return {
        "static_resources": {
            "listeners": [
                {
                    "name": name,
                    "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8080}},
                    "filter_chains": [{"filters": list(filters)}],
                }
            ]
        }
    }


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    return [i for i, line in enumerate(text.split("\n"), 1) if needle in line][nth - 1]


UPGRADE = {"upgrade_configs": [{"upgrade_type": "websocket"}]}

YAML = """\
static_resources:
  listeners:
  - name: main
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          upgrade_configs:
          - upgrade_type: WebSocket
          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              routes:
              - match: {prefix: "/"}
                route: {cluster: app}
"""


def test_recognised_by_static_resources() -> None:
    assert registry.recognise("envoy.yaml", "static_resources:\n  listeners: []\n") == "envoy"
    assert registry.recognise("envoy.json", '{\n  "static_resources": {}\n}\n') == "envoy"
    assert registry.recognise("config.yaml", "data:\n  envoy.yaml: |\n    static_resources:\n") != "envoy"
    lds = 'resources:\n- "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n  name: main\n'
    assert registry.recognise("lds.yaml", lds) == "envoy"
    assert registry.recognise("kustomization.yaml", "resources:\n- deployment.yaml\n") != "envoy"


def test_default_stream_idle_timeout_is_ws201_at_the_connection_manager(lint: Lint) -> None:
    result = lint({"envoy.yaml": YAML}, "envoy.yaml")
    assert result.rules_at() >= {("WS201", 6)}
    (ws201,) = result.only("WS201")
    assert "stream_idle_timeout of 5m" in ws201["message"]
    assert result.code == 1  # any finding


def test_stream_idle_timeout_and_route_override(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/", "app", idle_timeout="120s")], stream_idle_timeout="3600s", **UPGRADE)))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "90s")
    assert result.rules_at() == {("WS301", line_of(text, '"idle_timeout": "120s"'))}
    assert result.code == 1


def test_zero_switches_the_idle_timeout_off(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/ws/", "chat")], stream_idle_timeout="0s", **UPGRADE)))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "0")
    assert result.findings == []  # no idle timeout: nothing to keep alive against


def test_no_upgrade_on_a_websocket_path_is_ws107(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/ws/", "chat"), route("/", "web")])))
    result = lint({"envoy.json": text}, "envoy.json")
    (ws107,) = result.only("WS107")
    assert ws107["line"] == line_of(text, '"name": "envoy.filters.network.http_connection_manager"') - 1
    assert "403" in ws107["message"] and "/ws/" in ws107["message"]
    assert result.code == 1


def test_unmarked_route_without_upgrade_is_no_websocket_route(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/api/", "api")])))
    result = lint({"envoy.json": text}, "envoy.json")
    assert result.findings == [] and result.code == 0


def test_route_upgrade_configs_enable_and_disable(lint: Lint) -> None:
    enabled = route("/chat/", "chat", upgrade_configs=[{"upgrade_type": "websocket"}])
    disabled = route("/ws/", "ws", upgrade_configs=[{"upgrade_type": "websocket", "enabled": False}])
    text = as_json(bootstrap(hcm([enabled, disabled], stream_idle_timeout="3600s")))
    result = lint({"envoy.json": text}, "envoy.json")
    (ws107,) = result.only("WS107")
    assert ws107["line"] == line_of(text, '"upgrade_type": "websocket"', 2) - 1  # the disabling entry
    assert "/chat/" not in ws107["message"]


@pytest.mark.parametrize("configs", ["websocket", ["websocket"], {"upgrade_type": "websocket"}])
def test_upgrade_configs_of_another_shape_are_unknown(lint: Lint, configs: object) -> None:
    text = as_json(bootstrap(hcm([route("/ws/", "chat")], upgrade_configs=configs, stream_idle_timeout="3600s")))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "25s")
    assert result.only("WS107") == []  # unknown never fires
    assert "upgrade_configs" in result.err  # and the user is told what was not checked
    assert result.code == 0


def test_websocket_routes_setting_names_a_cluster(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/live", "events")])))
    config = '[tool.wslint]\nwebsocket-routes = ["events"]\n'
    result = lint({"envoy.json": text, "pyproject.toml": config}, "envoy.json", "--config", "pyproject.toml")
    assert {f["rule"] for f in result.findings} >= {"WS107", "WS201"}


def test_invalid_durations_are_ws206(lint: Lint) -> None:
    text = as_json(
        bootstrap(hcm([route("/ws/", "chat", idle_timeout=3600, timeout="-1s")], stream_idle_timeout="1h", **UPGRADE))
    )
    result = lint({"envoy.json": text}, "envoy.json")
    assert {(f["rule"], f["line"]) for f in result.only("WS206")} == {
        ("WS206", line_of(text, '"stream_idle_timeout"')),
        ("WS206", line_of(text, '"idle_timeout": 3600')),
        ("WS206", line_of(text, '"timeout": "-1s"')),
    }
    assert result.only("WS201") == []  # the invalid value is unknown, never the default
    assert result.code == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("300s", 300.0), ("0.5s", 0.5), ("1.000000001s", 1.000000001), ("0s", 0.0), ("{{ .Values.t }}", None)],
)
def test_protobuf_durations(text: str, seconds: float | None) -> None:
    assert envoy_durations.parse(text) == seconds


@pytest.mark.parametrize("text", ["300", "5m", "1h", "1.5", "-2s", "s", "1.0000000001s", 300, True])
def test_protobuf_durations_envoy_refuses(text: object) -> None:
    with pytest.raises(InvalidDuration):
        envoy_durations.parse(text)


def test_lifetime_caps(lint: Lint) -> None:
    capped = route("/ws/", "chat", max_stream_duration={"max_stream_duration": "7200s"})
    lifted = route("/socket.io/", "chat", max_stream_duration={"max_stream_duration": "0s"})
    options = {"max_stream_duration": "600s"}
    routes = [capped, lifted, route("/cable", "cable")]
    text = as_json(bootstrap(hcm(routes, common_http_protocol_options=options, stream_idle_timeout="3600s", **UPGRADE)))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "25s")
    assert result.rules_at() == {
        ("WS207", line_of(text, '"max_stream_duration": "7200s"')),
        ("WS209", line_of(text, '"max_stream_duration": "600s"')),
    }


def test_route_timeout_on_a_websocket_route_is_ws210(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/ws/", "chat", timeout="30s"), route("/", "web", timeout="30s")])))
    result = lint({"envoy.json": text}, "envoy.json")
    assert result.only("WS210") == []  # the WebSocket route's upgrade is off: WS107 says so first
    text = as_json(bootstrap(hcm([route("/ws/", "chat", timeout="30s")], **UPGRADE)))
    result = lint({"envoy.json": text}, "envoy.json")
    (ws210,) = result.only("WS210")
    assert ws210["line"] == line_of(text, '"timeout": "30s"')
    assert "41075" in ws210["message"] and "not verified" in ws210["message"]
    assert "stream_idle_timeout (5m)" in ws210["message"]


def test_tcp_proxy_is_a_tcp_route_with_a_one_hour_default(lint: Lint) -> None:
    proxy = {"name": "envoy.filters.network.tcp_proxy", "typed_config": {"@type": TCP_TYPE, "cluster": "service_wss"}}
    text = as_json(bootstrap(proxy))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "25s")
    assert result.findings == []  # 1 h: no WS201 for the default, and a 25 s ping is fine
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "0")
    (ws302,) = result.only("WS302")
    assert ws302["line"] == line_of(text, '"name": "envoy.filters.network.tcp_proxy"') - 1
    proxy["typed_config"] |= {"idle_timeout": "60s", "max_downstream_connection_duration": "0s"}
    text = as_json(bootstrap(proxy))
    result = lint({"envoy.json": text}, "envoy.json", "--ping-interval", "45s")
    assert result.rules_at() == {
        ("WS301", line_of(text, '"idle_timeout": "60s"')),
        ("WS206", line_of(text, '"max_downstream_connection_duration"')),
    }


def test_tcp_proxy_to_an_unmarked_cluster_is_no_websocket_route(lint: Lint) -> None:
    proxy = {"name": "envoy.filters.network.tcp_proxy", "typed_config": {"@type": TCP_TYPE, "cluster": "postgres"}}
    result = lint({"envoy.json": as_json(bootstrap(proxy))}, "envoy.json", "--ping-interval", "0")
    assert result.findings == []


def test_rds_and_lds_are_notes(lint: Lint) -> None:
    text = """\
dynamic_resources:
  lds_config: {path_config_source: {path: /etc/envoy/lds.yaml}}
static_resources:
  listeners:
  - name: main
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          rds: {route_config_name: local, config_source: {ads: {}}}
"""
    result = lint({"envoy.yaml": text}, "envoy.yaml")
    assert result.findings == [] and result.code == 0
    assert "envoy.yaml:2:" in result.err and "envoy.yaml:11:" in result.err and "not checked" in result.err


def test_lds_resources_file(lint: Lint) -> None:
    text = as_json(bootstrap(hcm([route("/ws/", "chat")], **UPGRADE)))
    listener = json.loads(text)["static_resources"]["listeners"][0]
    listener["@type"] = "type.googleapis.com/envoy.config.listener.v3.Listener"
    lds = as_json({"version_info": "1", "resources": [listener]})
    result = lint({"lds.json": lds}, "lds.json", "--ping-interval", "25s")
    assert {f["rule"] for f in result.findings} == {"WS201"}


@pytest.mark.parametrize(
    "text",
    [
        "static_resources:\n  listeners: [\n",  # YAML syntax
        '{"static_resources": {"listeners": [}\n',  # JSON syntax
        "static_resources: !!python/object:os.system {}\n",
    ],
)
def test_broken_file_is_ws001(lint: Lint, text: str) -> None:
    result = lint({"envoy.yaml": text}, "envoy.yaml")
    assert [f["rule"] for f in result.findings] == ["WS001"]
    assert result.code == 1 and "Traceback" not in result.err


@pytest.mark.parametrize(
    "text",
    [
        "static_resources: 3\n",
        "static_resources:\n  listeners: [1, null, {filter_chains: 3}, {filter_chains: [{filters: [3, {name: x}]}]}]\n",
        "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n      - name: envoy.filters.network."
        "http_connection_manager\n        typed_config: {route_config: {virtual_hosts: [{routes: [3, {route: 4}, "
        "{match: 5, route: {cluster: [1]}}]}]}, upgrade_configs: 7, stream_idle_timeout: [1]}\n",
    ],
)
def test_odd_shapes_never_crash(lint: Lint, text: str) -> None:
    result = lint({"envoy.yaml": text}, "envoy.yaml")
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert result.code in (0, 1)


def test_template_placeholders_are_unknown(lint: Lint) -> None:
    text = YAML.replace("          upgrade_configs:", "          stream_idle_timeout: {{ .Values.idle }}\n"
                        "          upgrade_configs:")  # fmt: skip
    result = lint({"envoy.yaml": text}, "envoy.yaml")
    assert result.only("WS201") == [] and result.only("WS206") == []


def test_path_with_nginx(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "envoy.yaml").write_text(YAML, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 80;\n    location /ws/ {\n      proxy_pass http://envoy;\n"
        "      proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n"
        '      proxy_set_header Connection "upgrade";\n      proxy_read_timeout 1h;\n    }\n  }\n}\n',
        encoding="utf-8",
    )
    run = wslint("path", "nginx.conf", "envoy.yaml", "--ping-interval", "200s", "--isolated", "--output-format",
                 "json", cwd=tmp_path)  # fmt: skip
    assert run.code == 1
    findings = json.loads(run.out)["findings"]
    ws301 = [f for f in findings if f["rule"] == "WS301"]
    assert [(f["file"], f["line"]) for f in ws301] == [("envoy.yaml", 6)]
    assert "bottleneck" in ws301[0]["message"]


def test_a_path_naming_envoy_takes_the_bootstraps_hops(wslint: Wslint, tmp_path: Path) -> None:
    text = YAML.replace("          upgrade_configs:", "          stream_idle_timeout: 60s\n          upgrade_configs:")
    (tmp_path / "envoy.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "wslint.toml").write_text(
        '[[path]]\nname = "chat"\nhops = ["envoy"]\nping-interval = "45s"\n', encoding="utf-8"
    )
    run = wslint(".", "--output-format", "json", cwd=tmp_path)
    ws301 = [f for f in json.loads(run.out)["findings"] if f["rule"] == "WS301"]
    assert [(f["file"], f["line"]) for f in ws301] == [("envoy.yaml", 10)]
    assert "path 'chat'" in ws301[0]["message"]
