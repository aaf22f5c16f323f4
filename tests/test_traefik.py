"""Traefik (issue 23): static and dynamic configuration in YAML and TOML, Docker labels in compose files, IngressRoutes
and Ingresses of class traefik. Traefik sets no idle timeout on a WebSocket (routes are infinite), its handshake
timeouts are WS210, the 2.11.1-only lingeringTimeout keys are WS206 and an image pinned to 2.11.1/3.0.0-rc4 is WS201.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Linted

from wslint.sources import registry
from wslint.sources.traefik import go_duration
from wslint.sources.traefik_files import looks_like, style

Lint = Callable[..., Linted]

STATIC = """
entryPoints:
  websecure:
    address: ":443"
    transport:
      respondingTimeouts:
        readTimeout: 1h
        writeTimeout: 1h
        idleTimeout: 1h
"""

DYNAMIC = """
http:
  routers:
    chat:
      rule: Host(`chat.example.com`) && PathPrefix(`/ws`)
      service: chat
    web:
      rule: Host(`chat.example.com`)
      service: web
  services:
    chat:
      loadBalancer:
        servers:
          - url: http://10.0.0.5:3000
"""

COMPOSE = """
services:
  traefik:
    image: {image}
    command:
      - --providers.docker=true
      - --entryPoints.web.transport.respondingTimeouts.readTimeout=10m
  chat:
    image: example/chat
    labels:
      - traefik.http.routers.chat.rule=PathPrefix(`/ws`)
"""

TOML = """
[entryPoints.web]
  address = ":80"
  [entryPoints.web.transport.respondingTimeouts]
    readTimeout = "10m"

[entryPoints.web.transport.respondingTimeouts.tcp]
  lingeringTimeout = "1h"

[http.routers.chat]
  rule = "PathPrefix(`/socket.io`)"
  service = "chat"
"""


def _path(wslint: Any, tmp_path: Path, files: dict[str, str], *args: str) -> dict[str, Any]:
    for name, text in files.items():
        (tmp_path / name).write_text(text.lstrip("\n"), encoding="utf-8")
    run = wslint("path", "--isolated", "--output-format", "json", *args, *files, cwd=tmp_path)
    report: dict[str, Any] = json.loads(run.out)
    return report


# -- recognition -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("traefik.yml", STATIC),
        ("dynamic.yaml", DYNAMIC),
        ("docker-compose.yml", COMPOSE.format(image="traefik:v3.1")),
        ("traefik.toml", TOML),
        ("dyn.toml", "[http.services.web.loadBalancer]\n  passHostHeader = true\n"),
        ("traefik.yaml", "log:\n  level: INFO\nproviders:\n  # the file provider\n  file:\n    directory: /etc/t\n"),
    ],
)
def test_traefik_files_are_recognised(name: str, text: str) -> None:
    assert looks_like(name, text.lstrip("\n"))
    assert registry.recognise(name, text.lstrip("\n")) == "traefik"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # an IngressRoute is the Kubernetes source's
        ("route.yaml", "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: x\n"),
        # a compose file without Traefik
        ("docker-compose.yml", "services:\n  web:\n    image: nginx\n    labels:\n      - com.example=1\n"),
        # traefik/whoami is not Traefik
        ("docker-compose.yml", "services:\n  web:\n    image: traefik/whoami\n"),
        # other YAML and TOML
        ("values.yaml", "http:\n  port: 80\n"),
        # Grafana's provisioning file
        ("dashboards.yaml", "apiVersion: 1\nproviders:\n  - name: default\n    type: file\n"),
        ("pyproject.toml", "[tool.ruff]\nline-length = 120\n"),
        ("traefik.conf", "entryPoints:\n  web: {}\n"),
    ],
)
def test_other_files_are_not_traefik(name: str, text: str) -> None:
    assert not looks_like(name, text)


def test_block_style() -> None:
    assert style("traefik.yml") == "indent"
    assert style("traefik.toml") == "sections"


def test_suppressions_in_toml_and_yaml(lint: Lint) -> None:
    toml = """
    [entryPoints.web.transport.respondingTimeouts]
      readTimeout = "10m"  # wslint: ignore[WS210] -- known
      # wslint: ignore[WS210] -- known
      idleTimeout = "10m"
      writeTimeout = "10m"
    """
    yaml = """
    entryPoints:
      web:
        # wslint: ignore[WS210] -- known
        transport:
          respondingTimeouts:
            readTimeout: 1h
    """
    result = lint({"traefik.toml": toml, "traefik.yml": yaml}, "traefik.toml", "traefik.yml")
    shown = {(f["rule"], f["file"], f["line"]) for f in result.findings if not f["suppressed"]}
    assert shown == {("WS210", "traefik.toml", 5)}


def test_go_durations() -> None:
    assert go_duration("1m30s") == 90
    assert go_duration("500ms") == 0.5
    assert go_duration("42") == 42  # a bare number is seconds
    assert go_duration("1 hour") is None


# -- WS210: timeouts that bound only the handshake -----------------------------------------------------


def test_responding_timeouts_are_handshake_only(lint: Lint) -> None:
    result = lint({"traefik.yml": STATIC}, "traefik.yml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS210", 6), ("WS210", 7), ("WS210", 8)}
    assert all(f["severity"] == "info" for f in result.findings)
    assert result.code == 0


def test_forwarding_timeouts_are_handshake_only(lint: Lint) -> None:
    text = """
    [serversTransport.forwardingTimeouts]
      dialTimeout = "30s"
      responseHeaderTimeout = "1h"
      idleConnTimeout = "1h"
    """
    result = lint({"traefik.toml": text}, "traefik.toml")
    # TOML findings sit at the key's line, found by a text search (dialTimeout is no WS210)
    assert result.rules_at() == {("WS210", 3), ("WS210", 4)}


def test_dynamic_servers_transport_forwarding_timeouts(lint: Lint) -> None:
    text = """
    http:
      serversTransports:
        slow:
          forwardingTimeouts:
            responseHeaderTimeout: 1h
    """
    assert lint({"dynamic.yml": text}, "dynamic.yml").rules_at() == {("WS210", 5)}


def test_compose_command_flags_are_static_configuration(lint: Lint) -> None:
    result = lint({"docker-compose.yml": COMPOSE.format(image="traefik:v3.1")}, "docker-compose.yml")
    assert result.rules_at() == {("WS210", 6)}


# -- no idle timeout --------------------------------------------------------------------------------


def test_routers_have_no_idle_timeout(wslint: Any, tmp_path: Path) -> None:
    report = _path(wslint, tmp_path, {"dynamic.yml": DYNAMIC})
    hop = report["paths"][0]["hops"][0]
    assert hop["kind"] == "traefik"
    # the /ws router marks a WebSocket route: the other one is not counted
    assert [(r["name"], r["line"], r["idle_timeout"]["infinite"]) for r in hop["routes"]] == [("router chat", 4, True)]
    assert report["findings"] == []


def test_unmarked_routers_are_assumed(wslint: Any, tmp_path: Path) -> None:
    text = DYNAMIC.replace("PathPrefix(`/ws`)", "PathPrefix(`/api`)")
    routes = _path(wslint, tmp_path, {"dynamic.yml": text})["paths"][0]["hops"][0]["routes"]
    assert [(r["name"], r["assumed"]) for r in routes] == [("router chat", True), ("router web", True)]


def test_websocket_routes_setting_names_routers(wslint: Any, tmp_path: Path) -> None:
    (tmp_path / "wslint.toml").write_text('websocket-routes = ["web"]\n', encoding="utf-8")
    for name, text in {"dynamic.yml": DYNAMIC}.items():
        (tmp_path / name).write_text(text.lstrip("\n"), encoding="utf-8")
    run = wslint("path", "--config", "wslint.toml", "--output-format", "json", "dynamic.yml", cwd=tmp_path)
    routes = json.loads(run.out)["paths"][0]["hops"][0]["routes"]
    assert [r["name"] for r in routes] == ["router web"]


def test_traefik_is_never_the_bottleneck(wslint: Any, tmp_path: Path) -> None:
    nginx = """
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://10.0.0.5:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
    """
    import textwrap

    files = {"dynamic.yml": DYNAMIC, "nginx.conf": textwrap.dedent(nginx)}
    report = _path(wslint, tmp_path, files, "--ping-interval", "25s")
    path = report["paths"][0]
    assert [h["kind"] for h in path["hops"]] == ["traefik", "nginx"]
    assert [r["bottleneck"] for h in path["hops"] for r in h["routes"]] == [False, True]
    assert {(f["rule"], f["file"]) for f in report["findings"]} == {("WS201", "nginx.conf")}


# -- lingeringTimeout -------------------------------------------------------------------------------


def test_lingering_timeout_keys_are_refused_by_later_versions(lint: Lint) -> None:
    result = lint({"traefik.toml": TOML}, "traefik.toml")
    assert result.rules_at() == {("WS210", 4), ("WS206", 7)}
    assert result.only("WS206")[0]["severity"] == "error"
    assert result.code == 1


def test_http_section_keys_are_refused_too(lint: Lint) -> None:
    text = """
    entryPoints:
      web:
        transport:
          respondingTimeouts:
            http:
              readTimeout: 1h
    """
    assert lint({"traefik.yml": text}, "traefik.yml").rules_at() == {("WS206", 6)}


@pytest.mark.parametrize("image", ["traefik:v2.11.1", "docker.io/library/traefik:v3.0.0-rc4", "traefik:2.11.1"])
def test_image_pinned_to_a_lingering_release(lint: Lint, image: str) -> None:
    result = lint({"docker-compose.yml": COMPOSE.format(image=image)}, "docker-compose.yml", "--ping-interval", "25s")
    assert ("WS201", 3) in result.rules_at()
    assert "lingeringTimeout of 2s" in str(result.only("WS201")[0]["message"])


@pytest.mark.parametrize("image", ["traefik:v2.11.2", "traefik:v3.0.0-rc5", "traefik:v2.11", "traefik"])
def test_other_images_have_no_idle_timeout(lint: Lint, image: str) -> None:
    result = lint({"docker-compose.yml": COMPOSE.format(image=image)}, "docker-compose.yml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS210", 6)}


def test_pinned_release_accepts_its_own_lingering_timeout(lint: Lint) -> None:
    compose = COMPOSE.format(image="traefik:v2.11.1").replace(
        "      - --providers.docker=true\n",
        "      - --providers.docker=true\n"
        "      - --entryPoints.web.transport.respondingTimeouts.tcp.lingeringTimeout=1h\n",
    )
    result = lint({"docker-compose.yml": compose}, "docker-compose.yml", "--ping-interval", "25s")
    # 2.11.1 reads it: no WS206, and the 1h written replaces the 2s default (no WS201)
    assert {rule for rule, _ in result.rules_at()} == {"WS210"}


# -- bad input --------------------------------------------------------------------------------------


def test_bad_toml_is_a_parse_error(lint: Lint) -> None:
    result = lint({"traefik.toml": "[entryPoints.web]\naddress = \n"}, "traefik.toml")
    assert {rule for rule, _ in result.rules_at()} == {"WS001"}
    assert result.code == 1


def test_deep_nesting_is_a_parse_error(lint: Lint) -> None:
    deep = "[" * 5000 + "]" * 5000
    result = lint({"traefik.toml": f'[entryPoints.web]\naddress = ":80"\nx = {deep}\n'}, "traefik.toml")
    assert {rule for rule, _ in result.rules_at()} == {"WS001"}
    assert result.code == 1
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("value", "line"),
    [('"10x"', 4), ('"-3s"', 4), ("1979-05-27T07:32:00Z", 4), ('"99999999999999h"', 4), ("99999999999999", 4)],
)
def test_durations_traefik_refuses_or_reads_as_none_are_ws206(lint: Lint, value: str, line: int) -> None:
    head = '[entryPoints.web]\naddress = ":80"\n[entryPoints.web.transport.respondingTimeouts]\n'
    text = f"{head}readTimeout = {value}\n"
    result = lint({"traefik.toml": text}, "traefik.toml")
    assert result.rules_at() == {("WS206", line)}
    assert value.strip('"') in str(result.only("WS206")[0]["message"])  # the value as written


def test_go_template_placeholders_read(lint: Lint) -> None:
    text = """
    [providers.file]
      filename = "{{ .SelfFilename }}"

    [http.routers.router1]
      service = "service1"
      rule = "Path(`/ws`)"
    """
    result = lint({"config.toml": text}, "config.toml")
    assert result.findings == []


# -- Kubernetes ---------------------------------------------------------------------------------------

INGRESS_ROUTE = """
apiVersion: {api}
kind: IngressRoute
metadata:
  name: chat
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(`chat.example.com`) && PathPrefix(`/ws`)
      kind: Rule
      services:
        - name: chat
          port: 80
    - match: Host(`chat.example.com`)
      kind: Rule
      services:
        - name: web
          port: 80
"""


@pytest.mark.parametrize("api", ["traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"])
def test_ingress_route(wslint: Any, tmp_path: Path, api: str) -> None:
    report = _path(wslint, tmp_path, {"route.yaml": INGRESS_ROUTE.format(api=api)})
    hop = report["paths"][0]["hops"][0]
    assert hop["kind"] == "traefik"
    assert [(r["name"], r["line"], r["idle_timeout"]["infinite"]) for r in hop["routes"]] == [
        ("IngressRoute chat /ws", 8, True)
    ]
    assert report["findings"] == []


def test_ingress_of_class_traefik(wslint: Any, tmp_path: Path) -> None:
    ingress = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
spec:
  ingressClassName: traefik
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
    report = _path(wslint, tmp_path, {"ingress.yaml": ingress})
    routes = report["paths"][0]["hops"][0]["routes"]
    assert [(r["name"], r["idle_timeout"]["infinite"]) for r in routes] == [("Ingress chat /ws", True)]


def test_deployment_pinned_to_2_11_1(lint: Lint) -> None:
    deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: traefik
    spec:
      template:
        spec:
          containers:
            - name: traefik
              image: traefik:v2.11.1
    """
    result = lint({"traefik.yaml": deployment}, "traefik.yaml", "--ping-interval", "25s")
    assert ("WS201", 10) in result.rules_at()


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: traefik
spec:
  template:
    spec:
      containers:
        - name: traefik
          image: {image}
          args:
            - --entryPoints.web.address=:80
            - --entryPoints.web.transport.respondingTimeouts.tcp.lingeringTimeout=1h
"""


def test_deployment_flags_only_2_11_1_accepts(lint: Lint) -> None:
    result = lint({"traefik.yaml": DEPLOYMENT.format(image="traefik:v3.1")}, "traefik.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS206", 13)}
    # on 2.11.1 the flag is read: the 1h it sets replaces the 2s default (no WS201)
    text = DEPLOYMENT.format(image="traefik:v2.11.1")
    pinned = lint({"traefik.yaml": text}, "traefik.yaml", "--ping-interval", "25s")
    assert pinned.rules_at() == set()
