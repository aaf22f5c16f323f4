"""Google Cloud hops of Kubernetes manifests (issue 21): GKE Ingress + BackendConfig, GKE Gateway +
GCPBackendPolicy, Knative / Cloud Run services. Each cap is a WebSocket's lifetime (WS209 under an hour, WS207 from an
hour on), never an idle timeout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Linted, Run

from wslint.config import Settings
from wslint.model import Route
from wslint.sources import kubernetes
from wslint.sources.registry import Context, Target

Lint = Callable[..., Linted]

INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  annotations:
    kubernetes.io/ingress.class: {klass}
spec:
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
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
"""

SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: chat
  annotations:
    {key}: '{value}'
spec:
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""

BACKEND_CONFIG = """
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: chat-config
spec:
  timeoutSec: {timeout}
  healthCheck:
    timeoutSec: 5
"""

NGINX = """
server {
    listen 80;
    location /ws {
        proxy_pass http://127.0.0.1:3000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 1h;
    }
}
"""


def _files(
    timeout: str = "600", key: str = "cloud.google.com/backend-config", value: str = '{"default": "chat-config"}'
) -> dict[str, str]:
    return {
        "ingress.yaml": INGRESS.format(klass="gce") + "---" + SERVICE.format(key=key, value=value),
        "backendconfig.yaml": BACKEND_CONFIG.format(timeout=timeout),
    }


def test_backend_config_in_another_file_is_the_websockets_lifetime(lint: Lint) -> None:
    result = lint(_files(), "ingress.yaml", "backendconfig.yaml", "--ping-interval", "25s")
    # only /ws is a route (a WebSocket path marks it); its cap is the BackendConfig's timeoutSec, not the health check's
    assert result.rules_in() == {("WS209", "backendconfig.yaml", 6)}
    message = str(result.findings[0]["message"])
    assert "Ingress chat (/ws)" in message and "10m" in message and "BackendConfig timeoutSec 600" in message
    # an hour or more is WS207 (information), never an idle-timeout finding
    long = lint(_files(timeout="7200"), "ingress.yaml", "backendconfig.yaml", "--ping-interval", "25s")
    assert long.rules_in() == {("WS207", "backendconfig.yaml", 6)}


def test_gce_internal_and_the_beta_annotation(lint: Lint) -> None:
    files = _files(key="beta.cloud.google.com/backend-config")
    files["ingress.yaml"] = files["ingress.yaml"].replace("class: gce", "class: gce-internal")
    result = lint(files, "ingress.yaml", "backendconfig.yaml")
    assert result.rules_in() == {("WS209", "backendconfig.yaml", 6)}


def test_port_entry_beats_the_default(lint: Lint) -> None:
    files = _files(value='{"default": "other", "ports": {"http": "chat-config"}}')
    assert lint(files, "ingress.yaml", "backendconfig.yaml").rules_in() == {("WS209", "backendconfig.yaml", 6)}
    by_number = _files(value='{"default": "other", "ports": {"80": "chat-config"}}')
    assert lint(by_number, "ingress.yaml", "backendconfig.yaml").rules_in() == {("WS209", "backendconfig.yaml", 6)}
    # the default names a BackendConfig that is not in the run: unknown, nothing fires
    unknown = _files(value='{"default": "other"}')
    assert lint(unknown, "ingress.yaml", "backendconfig.yaml").findings == []


def test_default_is_located_where_the_value_would_go(lint: Lint) -> None:
    # a BackendConfig without timeoutSec: its spec
    files = _files()
    files["backendconfig.yaml"] = BACKEND_CONFIG.format(timeout="1").replace("  timeoutSec: 1\n", "")
    result = lint(files, "ingress.yaml", "backendconfig.yaml")
    assert result.rules_in() == {("WS209", "backendconfig.yaml", 5)}
    assert "30s (the default BackendConfig timeoutSec)" in str(result.findings[0]["message"])
    # a Service without the annotation: its annotations
    plain = {"ingress.yaml": INGRESS.format(klass="gce") + "---" + SERVICE.format(key="team", value="a")}
    assert lint(plain, "ingress.yaml").rules_in() == {("WS209", "ingress.yaml", 30)}
    # the Service is not in the run: unknown (it may attach any BackendConfig), never the 30 s default
    alone = lint({"ingress.yaml": INGRESS.format(klass="gce")}, "ingress.yaml")
    assert alone.findings == []


def _routes(tmp_path: Path, text: str) -> list[Route]:
    """The routes the Kubernetes source reads from one manifest file."""
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    documents, _ = kubernetes.load([Target(str(path), "manifest.yaml", "kubernetes", True)], Context(Settings()))
    return [route for document in documents for hop in document.hops for route in hop.routes]


def test_an_ingress_service_not_read_makes_the_cap_unknown_and_says_why(tmp_path: Path) -> None:
    (route,) = _routes(tmp_path, INGRESS.format(klass="gce"))
    assert route.name == "Ingress chat /ws" and route.lifetime is None
    assert "Service chat is not in the files read" in route.reason


def test_invalid_timeout_sec_is_ws206_and_unknown(lint: Lint) -> None:
    result = lint(_files(timeout='"10m"'), "ingress.yaml", "backendconfig.yaml")
    assert result.rules_in() == {("WS206", "backendconfig.yaml", 6)}
    zero = lint(_files(timeout="0"), "ingress.yaml", "backendconfig.yaml")
    assert zero.rules_in() == {("WS206", "backendconfig.yaml", 6)}


def test_health_check_timeout_alone_is_not_the_backend_timeout(lint: Lint) -> None:
    files = _files()
    files["backendconfig.yaml"] = BACKEND_CONFIG.format(timeout="1").replace("  timeoutSec: 1\n", "")
    result = lint(files, "ingress.yaml", "backendconfig.yaml")
    # the health check's 5 s is not a cap: the default 30 s applies
    assert [f["rule"] for f in result.findings] == ["WS209"]
    assert "30s" in str(result.findings[0]["message"])


def test_class_decides_whose_ingress_it_is(lint: Lint) -> None:
    other = {"ingress.yaml": INGRESS.format(klass="traefik")}
    assert lint(other, "ingress.yaml").findings == []
    # no class and no GKE evidence: the controller is unknown
    bare = INGRESS.format(klass="x").replace("  annotations:\n    kubernetes.io/ingress.class: x\n", "")
    assert lint({"ingress.yaml": bare}, "ingress.yaml").findings == []
    # no class, but a GKE annotation: GKE's
    gke = bare.replace(
        "  name: chat\n", "  name: chat\n  annotations:\n    kubernetes.io/ingress.global-static-ip-name: ip\n", 1
    )
    service = "---" + SERVICE.format(key="team", value="a")
    assert lint({"ingress.yaml": gke + service}, "ingress.yaml").rules_at() == {("WS209", 30)}
    # ... unless the directory's default IngressClass is written into it
    default_class = """
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata:
      name: nginx
      annotations:
        ingressclass.kubernetes.io/is-default-class: "true"
    spec:
      controller: k8s.io/ingress-nginx
    """
    assert (
        lint({"ingress.yaml": gke + service, "class.yaml": default_class}, "ingress.yaml", "class.yaml").findings == []
    )


def test_ingress_class_name_gce_alone_is_ignored_by_gke(lint: Lint) -> None:
    text = INGRESS.format(klass="x").replace("  annotations:\n    kubernetes.io/ingress.class: x\n", "")
    text = text.replace("spec:\n", "spec:\n  ingressClassName: gce\n", 1)
    result = lint({"ingress.yaml": text}, "ingress.yaml")
    assert result.findings == []
    assert "ignores spec.ingressClassName" in result.err


def test_nothing_marked_every_path_is_assumed(lint: Lint) -> None:
    services = "".join(
        "---" + SERVICE.format(key="team", value="a").replace("name: chat", f"name: {n}") for n in ("chat", "web")
    )
    text = INGRESS.format(klass="gce").replace("path: /ws", "path: /api") + services
    result = lint({"ingress.yaml": text}, "ingress.yaml")
    assert result.rules_at() == {("WS209", 30), ("WS209", 42)}
    assert all("assumed to carry WebSockets" in str(f["message"]) for f in result.findings)
    # a Service whose name has a WebSocket token marks its path: the others are not assumed
    named = text.replace("name: chat\n", "name: chat-ws\n")
    result = lint({"ingress.yaml": named}, "ingress.yaml")
    assert result.rules_at() == {("WS209", 30)}
    assert "assumed" not in str(result.findings[0]["message"])
    # websocket-routes names the route
    config = {"wslint.toml": "websocket-routes = ['/']\n", "ingress.yaml": text}
    listed = lint(config, "ingress.yaml", "--config", "wslint.toml")
    assert listed.rules_at() == {("WS209", 42)}


def test_nginx_annotations_on_a_gce_ingress_are_ws208(lint: Lint) -> None:
    text = INGRESS.format(klass="gce").replace(
        "kubernetes.io/ingress.class: gce\n",
        'kubernetes.io/ingress.class: gce\n    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"\n',
    )
    result = lint({"ingress.yaml": text}, "ingress.yaml")
    ws208 = result.only("WS208")
    assert [f["line"] for f in ws208] == [7]
    assert "BackendConfig" in str(ws208[0]["help"])


def test_path_through_gke_ingress_backendconfig_and_nginx(wslint: Callable[..., Run], tmp_path: Path) -> None:
    files = {**_files(), "nginx.conf": NGINX}
    for name, text in files.items():
        (tmp_path / name).write_text(text.lstrip("\n"))
    run = wslint("path", "ingress.yaml", "backendconfig.yaml", "nginx.conf", "--ping-interval", "25s", cwd=tmp_path)
    assert run.code == 1, run.err
    assert "backendconfig.yaml:6:15: WS209" in run.out
    assert "gcp" in run.out and "nginx.conf: location /ws" in run.out
    raised = tmp_path / "backendconfig.yaml"
    raised.write_text(BACKEND_CONFIG.format(timeout="7200").lstrip("\n"))
    run = wslint("path", "ingress.yaml", "backendconfig.yaml", "nginx.conf", "--ping-interval", "25s", cwd=tmp_path)
    assert "WS209" not in run.out and "WS207" in run.out


GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: external
spec:
  gatewayClassName: {klass}
  listeners:
    - name: http
      protocol: HTTP
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: chat
spec:
  parentRefs:
    - name: external
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /socket.io
      backendRefs:
        - name: chat
          port: 80
    - backendRefs:
        - name: web
          port: 80
"""

POLICY = """
apiVersion: networking.gke.io/v1
kind: GCPBackendPolicy
metadata:
  name: chat
spec:
  default:
    timeoutSec: {timeout}
  targetRef:
    group: ""
    kind: Service
    name: chat
"""

HEALTH = """
apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata:
  name: chat
spec:
  default:
    timeoutSec: 10
  targetRef:
    group: ""
    kind: Service
    name: chat
"""


def test_gke_gateway_route_takes_the_backend_policy_timeout(lint: Lint) -> None:
    files = {
        "gateway.yaml": GATEWAY.format(klass="gke-l7-global-external-managed"),
        "policy.yaml": POLICY.format(timeout=90),
    }
    result = lint(files, "gateway.yaml", "policy.yaml")
    # the policy's timeoutSec caps the /socket.io route
    assert result.rules_in() == {("WS209", "policy.yaml", 7)}
    assert "HTTPRoute chat (/socket.io)" in str(result.findings[0]["message"])
    invalid = lint({**files, "policy.yaml": POLICY.format(timeout='"90s"')}, "gateway.yaml", "policy.yaml")
    assert invalid.rules_in() == {("WS206", "policy.yaml", 7)}


def test_gke_gateway_request_timeouts_make_the_cap_unknown(lint: Lint, tmp_path: Path) -> None:
    for key in ("request", "backendRequest"):
        gateway = GATEWAY.format(klass="gke-l7-global-external-managed").replace(
            "      backendRefs:\n        - name: chat",
            f"      timeouts:\n        {key}: 3600s\n      backendRefs:\n        - name: chat",
        )
        files = {"gateway.yaml": gateway, "policy.yaml": POLICY.format(timeout=90)}
        assert lint(files, "gateway.yaml", "policy.yaml").findings == []
        (route,) = _routes(tmp_path, gateway)
        assert route.lifetime is None and f"timeouts.{key}" in route.reason


def test_gke_gateway_without_policy_has_the_default_and_health_check_policy_is_a_trap(lint: Lint) -> None:
    files = {"gateway.yaml": GATEWAY.format(klass="gke-l7-rilb"), "health.yaml": HEALTH}
    result = lint(files, "gateway.yaml", "health.yaml")
    assert result.rules_in() == {("WS209", "gateway.yaml", 25)}
    assert "30s (the default GCPBackendPolicy timeoutSec)" in str(result.findings[0]["message"])
    # another implementation's Gateway is not Google Cloud's
    assert lint({"gateway.yaml": GATEWAY.format(klass="istio")}, "gateway.yaml").findings == []


KNATIVE = """
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: chat-ws
spec:
  template:
    spec:
      {timeout}containers:
        - image: example/chat
"""

CONFIG_DEFAULTS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-defaults
  namespace: knative-serving
data:
  revision-timeout-seconds: "{timeout}"
  max-revision-timeout-seconds: "{maximum}"
"""


def test_knative_timeout_seconds_caps_the_websocket(lint: Lint) -> None:
    result = lint({"svc.yaml": KNATIVE.format(timeout="timeoutSeconds: 900\n      ")}, "svc.yaml")
    assert result.rules_at() == {("WS209", 8)}
    assert "Knative Service chat-ws" in str(result.findings[0]["message"])
    assert lint({"svc.yaml": KNATIVE.format(timeout="timeoutSeconds: 3600\n      ")}, "svc.yaml").rules_at() == {
        ("WS207", 8)
    }
    # unset: Cloud Run's and Knative's default 300 s, located at the template's spec
    default = lint({"svc.yaml": KNATIVE.format(timeout="")}, "svc.yaml")
    assert default.rules_at() == {("WS209", 7)}
    assert "5m" in str(default.findings[0]["message"])
    # above self-hosted Knative's 600 s default maximum but within Cloud Run's: no config-defaults, not WS206
    cloud_run = lint({"svc.yaml": KNATIVE.format(timeout="timeoutSeconds: 1800\n      ")}, "svc.yaml")
    assert cloud_run.rules_in() == {("WS209", "svc.yaml", 8)}
    # above Cloud Run's maximum: WS206, unknown
    over = lint({"svc.yaml": KNATIVE.format(timeout="timeoutSeconds: 7200\n      ")}, "svc.yaml")
    assert over.rules_at() == {("WS206", 8)}


def test_knative_default_and_maximum_come_from_config_defaults(lint: Lint) -> None:
    files = {"svc.yaml": KNATIVE.format(timeout=""), "defaults.yaml": CONFIG_DEFAULTS.format(timeout=120, maximum=900)}
    result = lint(files, "svc.yaml", "defaults.yaml")
    assert result.rules_in() == {("WS209", "defaults.yaml", 7)}
    # the setting named without parentheses inside the finding's own
    message = str(result.findings[0]["message"])
    assert "(revision-timeout-seconds 120 — set in ConfigMap " in message and "seconds (ConfigMap" not in message
    files["svc.yaml"] = KNATIVE.format(timeout="timeoutSeconds: 1200\n      ")
    assert lint(files, "svc.yaml", "defaults.yaml").rules_in() == {("WS206", "svc.yaml", 8)}
    # two config-defaults that disagree: the default is unknown
    files = {
        "svc.yaml": KNATIVE.format(timeout=""),
        "a/defaults.yaml": CONFIG_DEFAULTS.format(timeout=120, maximum=900),
        "b/defaults.yaml": CONFIG_DEFAULTS.format(timeout=600, maximum=900),
    }
    assert lint(files, "svc.yaml", "a/defaults.yaml", "b/defaults.yaml").findings == []


def test_bad_input_never_raises(lint: Lint) -> None:
    broken = {
        "ingress.yaml": INGRESS.format(klass="gce")
        + "---"
        + SERVICE.format(key="cloud.google.com/backend-config", value="{not json"),
        "route.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: x}\n"
        "spec:\n  parentRefs: 3\n",
        "svc.yaml": "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x}\nspec: [1]\n",
    }
    result = lint(broken, "ingress.yaml", "route.yaml", "svc.yaml")
    assert "internal error" not in result.err
    assert result.code in (0, 1)


def test_lookups_prefer_the_same_file_then_directory(lint: Lint) -> None:
    # two projects in one run, each with a Service "chat": the Ingress takes its own directory's
    files = {
        "a/ingress.yaml": INGRESS.format(klass="gce"),
        "a/service.yaml": SERVICE.format(key="cloud.google.com/backend-config", value='{"default": "chat-config"}'),
        "a/backendconfig.yaml": BACKEND_CONFIG.format(timeout=600),
        "b/service.yaml": SERVICE.format(key="team", value="b"),
    }
    result = lint(files, "a", "b")
    assert result.rules_in() == {("WS209", "a/backendconfig.yaml", 6)}
    # two Services "chat" in the Ingress's own directory: which one is unknown, the default is not assumed
    files["a/other.yaml"] = SERVICE.format(key="team", value="c")
    assert lint(files, "a", "b").findings == []


def test_knative_websocket_routes_and_marking(lint: Lint) -> None:
    plain = KNATIVE.format(timeout="").replace("name: chat-ws", "name: api")
    # nothing marks a route: the service is assumed to carry WebSockets
    assumed = lint({"svc.yaml": plain}, "svc.yaml")
    assert "assumed to carry WebSockets" in str(assumed.findings[0]["message"])
    # websocket-routes names it, or leaves it out
    config = {"wslint.toml": "websocket-routes = ['api']\n", "svc.yaml": plain}
    listed = lint(config, "svc.yaml", "--config", "wslint.toml")
    assert listed.rules_at() == {("WS209", 7)} and "assumed" not in str(listed.findings[0]["message"])
    config["wslint.toml"] = "websocket-routes = ['/ws']\n"
    assert lint(config, "svc.yaml", "--config", "wslint.toml").findings == []


def test_a_path_naming_gcp_uses_the_gke_hops_of_the_run(lint: Lint) -> None:
    config = '[[path]]\nname = "chat"\nhops = ["gcp", "nginx.conf"]\nping-interval = "25s"\n'
    files = {**_files(), "nginx.conf": NGINX, "wslint.toml": config}
    result = lint(files, "ingress.yaml", "backendconfig.yaml", "nginx.conf", "--config", "wslint.toml")
    # the cap is the BackendConfig's, not the named hop's default 30 s at wslint.toml
    assert result.rules_in() == {("WS209", "backendconfig.yaml", 6)}
