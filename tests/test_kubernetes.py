"""Kubernetes (issue 10): Ingress and Service annotations as hops.

ingress-nginx, NGINX Inc's controller and the AWS Load Balancer Controller; Services of type
LoadBalancer on AWS (NLB, Classic ELB). The shared corpus (../shared/corpus/kubernetes) is read in
place, and every finding on it was looked at by hand (``CORPUS_FINDINGS``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import Linted

from wslint.sources.kubernetes import string_map
from wslint.sources.yaml_positions import load_all

Lint = Callable[..., Linted]

INGRESS_NGINX = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  namespace: web
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "{timeout}"
spec:
  ingressClassName: nginx
  rules:
    - host: chat.example.com
      http:
        paths:
          - path: /socket.io/
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

NO_ANNOTATION = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: live
spec:
  ingressClassName: nginx
  rules:
    - http:
        paths:
          - path: /ws
            pathType: Prefix
            backend:
              service: {name: live, port: {number: 80}}
"""

CONFIG_MAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
data:
  proxy-read-timeout: "{timeout}"
"""


def test_ingress_nginx_annotation_is_the_routes_idle_timeout(lint: Lint) -> None:
    result = lint({"ingress.yaml": INGRESS_NGINX.format(timeout="40")}, "ingress.yaml", "--ping-interval", "25s")
    # only the WebSocket path is a route, on the annotation's 40 s; never a WS1xx (the controller forwards Upgrade)
    assert result.rules_at() == {("WS301", 7)}
    assert "Ingress web/chat chat.example.com/socket.io/" in result.findings[0]["message"]
    assert lint({"ok.yaml": INGRESS_NGINX.format(timeout="3600")}, "ok.yaml", "--ping-interval", "25s").findings == []


def test_websocket_routes_names_ingress_paths(lint: Lint) -> None:
    files = {"ingress.yaml": INGRESS_NGINX.format(timeout="40"), "other.yaml": NO_ANNOTATION}
    for entry in ("/", "chat.example.com/", "ingress.yaml:/"):
        config = {"wslint.toml": f"websocket-routes = ['{entry}']\n", **files}
        result = lint(config, "ingress.yaml", "other.yaml", "--config", "wslint.toml", "--ping-interval", "25s")
        # only the listed path is a route: "/" of ingress.yaml, not its /socket.io/ nor other.yaml's /ws
        assert {f["message"].split(":")[0].rsplit(" of ", 1)[-1] for f in result.findings} == {
            "Ingress web/chat chat.example.com/"
        }, entry


def test_ingress_nginx_value_with_a_unit_is_ws206_and_the_default_applies(lint: Lint) -> None:
    result = lint({"ingress.yaml": INGRESS_NGINX.format(timeout="18000s")}, "ingress.yaml")
    assert result.rules_at() == {("WS206", 7), ("WS201", 6), ("WS303", 6)}
    ws206 = result.only("WS206")[0]
    assert "strconv.Atoi" in str(ws206["message"]) and "its default applies" in str(ws206["message"])
    assert "ingress-nginx's default" in str(result.only("WS201")[0]["message"])


def test_ingress_nginx_default_comes_from_the_controller_config_map(lint: Lint) -> None:
    files = {"ingress.yaml": NO_ANNOTATION, "controller.yaml": CONFIG_MAP.format(timeout="30")}
    result = lint(files, "ingress.yaml", "controller.yaml", "--ping-interval", "25s")
    # the finding is where the value is set: the ConfigMap
    assert result.rules_in() == {("WS301", "controller.yaml", 7)}
    assert "Ingress live /ws" in str(result.findings[0]["message"])
    assert "ConfigMap ingress-nginx/ingress-nginx-controller" in str(result.findings[0]["message"])
    # without the ConfigMap, the code default of 60 s applies: WS201 at the Ingress's metadata
    alone = lint({"ingress.yaml": NO_ANNOTATION}, "ingress.yaml", "--ping-interval", "25s")
    assert alone.rules_at() == {("WS201", 3)}


def test_two_config_maps_that_disagree_make_the_default_unknown(lint: Lint) -> None:
    files = {
        "ingress.yaml": NO_ANNOTATION,
        "a.yaml": CONFIG_MAP.format(timeout="30"),
        "b.yaml": CONFIG_MAP.format(timeout="3600"),
    }
    assert lint(files, "ingress.yaml", "a.yaml", "b.yaml", "--ping-interval", "25s").findings == []


def test_config_map_with_a_unit_is_nginx_incs_default_and_unknown_to_ingress_nginx(lint: Lint) -> None:
    inc = NO_ANNOTATION.replace(
        "  name: live\n", '  name: live\n  annotations:\n    nginx.org/websocket-services: "live"\n'
    )
    files = {"inc.yaml": inc, "nginx.yaml": NO_ANNOTATION, "controller.yaml": CONFIG_MAP.format(timeout="40s")}
    result = lint(files, "inc.yaml", "nginx.yaml", "controller.yaml", "--ping-interval", "25s")
    # NGINX Inc reads "40s" (WS301 at the ConfigMap); ingress-nginx cannot, so its default is unknown: nothing
    assert result.rules_in() == {("WS301", "controller.yaml", 7)}
    assert "Ingress live /ws" in str(result.findings[0]["message"])


def test_ingress_nginx_snippet_nginx_cannot_parse_is_ws001_at_its_line(lint: Lint) -> None:
    text = NO_ANNOTATION.replace(
        "  name: live\n",
        "  name: live\n  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: |\n"
        '      more_set_headers "X-A: b";\n      proxy_set_header X-B "c;\n',
    )
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "1h")
    assert ("WS001", 8) in result.rules_at()
    assert "configuration-snippet: unterminated quoted string" in str(result.only("WS001")[0]["message"])


def test_ingress_nginx_snippet_time_nginx_refuses_is_ws206(lint: Lint) -> None:
    text = NO_ANNOTATION.replace(
        "  name: live\n",
        "  name: live\n  annotations:\n    nginx.ingress.kubernetes.io/server-snippet: |\n"
        "      keepalive_timeout 75s;\n      client_body_timeout 1.5h;\n",
    )
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "1h")
    assert ("WS206", 8) in result.rules_at()
    assert "server-snippet: client_body_timeout 1.5h" in str(result.only("WS206")[0]["message"])


def test_ingress_nginx_connection_proxy_header_without_upgrade_is_ws103(lint: Lint) -> None:
    text = INGRESS_NGINX.format(timeout="3600").replace(
        '"3600"\n', '"3600"\n    nginx.ingress.kubernetes.io/connection-proxy-header: "keep-alive"\n'
    )
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS103", 8)}
    assert '"keep-alive" replaces the Connection header' in str(result.findings[0]["message"])
    upgrade = text.replace('"keep-alive"', '"upgrade"')
    assert lint({"ingress.yaml": upgrade}, "ingress.yaml", "--ping-interval", "25s").findings == []


def test_nginx_inc_annotations(lint: Lint) -> None:
    text = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: cafe
      annotations:
        nginx.org/proxy-read-timeout: "{timeout}"
        nginx.org/websocket-services: "tea-svc"
    spec:
      ingressClassName: nginx
      rules:
        - http:
            paths:
              - path: /tea
                pathType: Prefix
                backend:
                  service: {{name: tea-svc, port: {{number: 80}}}}
              - path: /coffee
                pathType: Prefix
                backend:
                  service: {{name: coffee-svc, port: {{number: 80}}}}
    """
    result = lint({"cafe.yaml": text.format(timeout="40s")}, "cafe.yaml", "--ping-interval", "25s")
    # /tea is a WebSocket route because its service is listed; the time is nginx's syntax
    assert result.rules_at() == {("WS301", 6)}
    assert "Ingress cafe /tea" in str(result.findings[0]["message"])
    bad = lint({"cafe.yaml": text.format(timeout="1.5h")}, "cafe.yaml", "--ping-interval", "25s")
    assert bad.rules_at() == {("WS206", 6)}
    assert lint({"cafe.yaml": text.format(timeout="1h")}, "cafe.yaml", "--ping-interval", "25s").findings == []


ALB_INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
{attributes}spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: {path}
            pathType: Prefix
            backend:
              service: {{name: chat, port: {{number: 80}}}}
"""


def test_alb_ingress_default_idle_timeout_is_ws201(lint: Lint) -> None:
    result = lint({"alb.yaml": ALB_INGRESS.format(attributes="", path="/ws")}, "alb.yaml")
    assert result.rules_at() == {("WS201", 5), ("WS303", 5)}
    assert "alb.ingress.kubernetes.io/load-balancer-attributes idle_timeout.timeout_seconds" in str(
        result.only("WS201")[0]["message"]
    )
    # an Ingress none of whose paths is a WebSocket endpoint is not a WebSocket hop
    assert lint({"alb.yaml": ALB_INGRESS.format(attributes="", path="/")}, "alb.yaml").findings == []


def test_alb_ingress_attributes_as_a_block_scalar(lint: Lint) -> None:
    attributes = (
        "    alb.ingress.kubernetes.io/load-balancer-attributes: >-\n"
        "      routing.http2.enabled=true,\n"
        "      idle_timeout.timeout_seconds={seconds}\n"
    )
    ok = lint({"alb.yaml": ALB_INGRESS.format(attributes=attributes.format(seconds=3600), path="/ws")}, "alb.yaml")
    assert ok.rules_at() == {("WS303", 7)}
    assert "idle timeout 1h" in str(ok.findings[0]["message"])
    bad = lint({"alb.yaml": ALB_INGRESS.format(attributes=attributes.format(seconds=5000), path="/")}, "alb.yaml")
    assert [f["rule"] for f in bad.findings] == ["WS206"]  # range errors count whatever the paths


def test_alb_ingress_target_group_attributes(lint: Lint) -> None:
    attributes = (
        "    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=3600\n"
        "    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds={delay}\n"
    )
    short = lint({"alb.yaml": ALB_INGRESS.format(attributes=attributes.format(delay=5), path="/ws")}, "alb.yaml",
                 "--ping-interval", "25s")  # fmt: skip
    assert short.rules_at() == {("WS404", 8)}
    long = lint({"alb.yaml": ALB_INGRESS.format(attributes=attributes.format(delay=60), path="/ws")}, "alb.yaml",
                "--ping-interval", "25s")  # fmt: skip
    assert long.findings == []


def test_string_map_reads_commas_and_lines() -> None:
    (root,) = load_all("a: 'x=1, y = 2,\n  z=3'\n")
    values = string_map(root.get("a"), "f")
    assert {k: v.value for k, v in values.items()} == {"x": "1", "y": "2", "z": "3"}


SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  annotations:
{annotations}spec:
  type: LoadBalancer
  ports:
    - name: http
      port: 80
      protocol: TCP
"""


def test_nlb_service_listener_attributes(lint: Lint) -> None:
    annotations = (
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80: tcp.idle_timeout.seconds=100\n"
    )
    result = lint({"svc.yaml": SERVICE.format(annotations=annotations)}, "svc.yaml", "--ping-interval", "60s")
    assert result.rules_at() == {("WS301", 8)}
    assert "NLB Service ingress-nginx/ingress-nginx-controller listener 80" in str(result.findings[0]["message"])
    default = SERVICE.format(annotations="    service.beta.kubernetes.io/aws-load-balancer-type: nlb\n")
    assert lint({"svc.yaml": default}, "svc.yaml", "--ping-interval", "25s").findings == []  # 350 s


def test_classic_elb_service_idle_timeout(lint: Lint) -> None:
    annotations = "    service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout: '{seconds}'\n"
    result = lint({"svc.yaml": SERVICE.format(annotations=annotations.format(seconds=30))}, "svc.yaml",
                  "--ping-interval", "25s")  # fmt: skip
    assert result.rules_at() == {("WS301", 7)}
    bad = lint({"svc.yaml": SERVICE.format(annotations=annotations.format(seconds=4000))}, "svc.yaml")
    assert bad.rules_at() == {("WS206", 7)}


def test_a_service_without_aws_annotations_is_no_hop(lint: Lint) -> None:
    text = SERVICE.format(annotations="    example.com/owner: team\n")
    assert lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "1s").findings == []


def test_kind_list_and_several_documents(lint: Lint) -> None:
    items = INGRESS_NGINX.format(timeout="40").strip().replace("\n", "\n    ")
    text = f"apiVersion: v1\nkind: List\nitems:\n  - {items}\n---\n" + NO_ANNOTATION.strip() + "\n"
    result = lint({"all.yaml": text}, "all.yaml", "--ping-interval", "25s")
    assert {f["rule"] for f in result.findings} == {"WS301", "WS201"}
    assert len(result.findings) == 2


def test_path_through_the_load_balancer_and_the_ingress(lint: Lint) -> None:
    annotations = (
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80: tcp.idle_timeout.seconds=3600\n"
    )
    files = {"svc.yaml": SERVICE.format(annotations=annotations), "ingress.yaml": INGRESS_NGINX.format(timeout="40")}
    result = lint(files, "path", "svc.yaml", "ingress.yaml", "--ping-interval", "25s")
    assert result.rules_in() == {("WS301", "ingress.yaml", 7)}
    (path,) = result.report["paths"]  # type: ignore[misc]
    assert [hop["kind"] for hop in path["hops"]] == ["nlb", "ingress-nginx"]
    # a route selector names an Ingress path, with or without its host
    for selector in ("/socket.io/", "chat.example.com/socket.io/", "web/chat"):
        picked = lint(
            files, "path", "svc.yaml", "ingress.yaml", "--route", f"ingress.yaml:{selector}", "--ping-interval", "25s"
        )
        assert picked.rules_in() == {("WS301", "ingress.yaml", 7)}, selector
    missing = lint(
        files, "path", "svc.yaml", "ingress.yaml", "--route", "ingress.yaml:/other/", "--ping-interval", "25s"
    )
    assert missing.code == 2 and "matches no WebSocket route" in missing.err


def test_in_tree_nlb_reads_no_listener_attributes(lint: Lint) -> None:
    annotations = (
        "    service.beta.kubernetes.io/aws-load-balancer-type: nlb\n"
        "    service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80: tcp.idle_timeout.seconds=100\n"
    )
    result = lint({"svc.yaml": SERVICE.format(annotations=annotations)}, "svc.yaml", "--ping-interval", "60s")
    assert result.findings == []  # AWS's 350 s applies, not the 100 s written
    assert "svc.yaml:8:" in result.err and "is not applied" in result.err and "type external" in result.err


def test_load_balancer_class_of_the_controller_is_an_nlb(lint: Lint) -> None:
    text = SERVICE.format(annotations="    example.com/owner: team\n").replace(
        "  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerClass: service.k8s.aws/nlb\n"
    )
    assert lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "200s").rules_at() == {("WS301", 12)}
    other = text.replace("service.k8s.aws/nlb", "example.com/metallb")
    assert lint({"svc.yaml": other}, "svc.yaml", "--ping-interval", "200s").findings == []


def test_alb_ingress_group_is_one_load_balancer(lint: Lint) -> None:
    grouped = ALB_INGRESS.replace(
        "alb.ingress.kubernetes.io/scheme: internet-facing", "alb.ingress.kubernetes.io/group.name: web"
    )
    setter = grouped.format(
        attributes="    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=3600\n",
        path="/",
    ).replace("name: chat\n", "name: site\n", 1)
    member = grouped.format(attributes="", path="/ws")
    # another member of the group sets the ALB's idle timeout: the WebSocket member is fine
    both = lint({"site.yaml": setter, "chat.yaml": member}, "site.yaml", "chat.yaml", "--ping-interval", "25s")
    assert both.findings == []
    # alone, a member outside the run may set it: unknown, no WS201
    assert lint({"chat.yaml": member}, "chat.yaml").findings == []


def test_nginx_inc_websocket_path_without_websocket_services_is_ws102(lint: Lint) -> None:
    text = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: chat
      annotations:
        nginx.org/proxy-read-timeout: "1h"
    spec:
      ingressClassName: nginx
      rules:
        - http:
            paths:
              - path: /ws
                pathType: Prefix
                backend:
                  service: {name: chat, port: {number: 80}}
    """
    result = lint({"chat.yaml": text}, "chat.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS102", 12)}
    assert "nginx.org/websocket-services" in str(result.findings[0]["message"])
    fixed = text.replace('"1h"\n', '"1h"\n        nginx.org/websocket-services: "chat"\n')
    assert lint({"chat.yaml": fixed}, "chat.yaml", "--ping-interval", "25s").findings == []


# Every finding wslint makes on ../shared/corpus/kubernetes, looked at by hand: the ingress-nginx
# project's own AWS deploy manifests put an NLB with the default 350 s idle timeout in front of the
# controller (WS303, info: the largest safe ping is 2m55s). The AWS Load Balancer Controller's
# examples (2048, echoserver, gRPC, cognito) and eks-workshop's ui Ingresses route "/" only: no
# WebSocket path, no finding. Three Helm charts are templates: skipped with a note.
CORPUS_FINDINGS = {
    ("WS303", "kubernetes__ingress-nginx/deploy__static__provider__aws__deploy.yaml", 356),
    ("WS303", "kubernetes__ingress-nginx/deploy__static__provider__aws__deploy.yaml", 361),
    ("WS303", "kubernetes__ingress-nginx/deploy__static__provider__aws__nlb-with-tls-termination__deploy.yaml", 365),
    ("WS303", "kubernetes__ingress-nginx/deploy__static__provider__aws__nlb-with-tls-termination__deploy.yaml", 370),
}


def test_corpus(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "kubernetes"
    proc = subprocess.run(
        [sys.executable, "-m", "wslint", "--isolated", "--output-format", "json", str(corpus)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    found = {(f["rule"], str(Path(f["file"]).relative_to(corpus)), f["line"]) for f in report["findings"]}
    assert found == CORPUS_FINDINGS
    assert len(report["skipped"]) == 3


# -- which Service ports of a LoadBalancer are WebSocket routes: web ports, or names that say so ---------------

PORTS = [
    ("22", "name: ssh"),
    ("5432", "name: postgres\n      targetPort: 5432"),
    ("443", "name: tls"),
    ("3000", "name: http-api"),
    ("9000", "name: backend\n      targetPort: 8080"),
    ("7000", "name: events\n      appProtocol: kubernetes.io/ws"),
]


def _nlb_service(ports: list[tuple[str, str]]) -> str:
    annotations = "    service.beta.kubernetes.io/aws-load-balancer-type: external\n" + "".join(
        f"    service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-{port}: "
        f"tcp.idle_timeout.seconds=100\n"
        for port, _ in ports
    )
    listed = "".join(f"    - port: {port}\n      protocol: TCP\n      {more}\n" for port, more in ports)
    return (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: edge\n  annotations:\n"
        + annotations
        + "spec:\n  type: LoadBalancer\n  ports:\n"
        + listed
    )


def _annotation_line(text: str, port: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if f".TCP-{port}:" in line)


def test_nlb_service_ports_count_on_web_ports_or_by_name(lint: Lint) -> None:
    text = _nlb_service(PORTS)
    result = lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "200s")
    # 443 is a web port; 3000 is named http-api; 9000 targets 8080; 7000's appProtocol is kubernetes.io/ws.
    # SSH (22) and PostgreSQL (5432) are no WebSocket routes.
    assert result.rules_at() == {("WS301", _annotation_line(text, port)) for port in ("443", "3000", "9000", "7000")}
    files = {"svc.yaml": text, "wslint.toml": "websocket-ports = [5432]\n"}
    more = lint(files, "svc.yaml", "--config", "wslint.toml", "--ping-interval", "200s")
    assert ("WS301", _annotation_line(text, "5432")) in more.rules_at()
    assert ("WS301", _annotation_line(text, "22")) not in more.rules_at()


def test_classic_elb_service_of_database_ports_is_no_route(lint: Lint) -> None:
    database = SERVICE.format(
        annotations="    service.beta.kubernetes.io/aws-load-balancer-internal: 'true'\n"
    ).replace("    - name: http\n      port: 80\n", "    - name: mysql\n      port: 3306\n")
    assert lint({"svc.yaml": database}, "svc.yaml", "--ping-interval", "25s").findings == []
    web = SERVICE.format(annotations="    service.beta.kubernetes.io/aws-load-balancer-internal: 'true'\n")
    assert lint({"svc.yaml": web}, "svc.yaml", "--ping-interval", "25s").rules_at() == {("WS201", 6)}
