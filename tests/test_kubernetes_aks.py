"""Azure hops of Kubernetes manifests (issue 21): Application Gateway through AGIC Ingresses (its request timeout
judged both as an idle timeout and as a lifetime cap) and the Azure Load Balancer of a LoadBalancer Service (its
idle timeout in minutes)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Linted

from wslint.sources.azure_spec import APPGW_NOTE

Lint = Callable[..., Linted]

AGIC = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  annotations:
    kubernetes.io/ingress.class: azure/application-gateway
{extra}spec:
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

TIMEOUT = '    appgw.ingress.kubernetes.io/request-timeout: "{value}"\n'


def test_agic_default_request_timeout_is_an_idle_timeout_and_a_cap(lint: Lint) -> None:
    result = lint({"ingress.yaml": AGIC.format(extra="")}, "ingress.yaml", "--ping-interval", "25s")
    # the default 30 s, located at the annotations: WS201 (idle default) and WS209 (cap), WS301 (25 s > 30 s / 2)
    assert result.rules_at() == {("WS201", 5), ("WS209", 5), ("WS301", 5)}
    assert "Ingress chat (/ws) closes" in str(result.only("WS209")[0]["message"])


def test_agic_note_is_the_terraform_and_arm_note(lint: Lint) -> None:
    result = lint({"ingress.yaml": AGIC.format(extra="")}, "ingress.yaml", "--ping-interval", "25s")
    # one text for Application Gateway's request timeout, whichever input sets it
    assert all(APPGW_NOTE in str(f["message"]) for f in result.findings if f["rule"] in ("WS209", "WS301"))
    assert "Microsoft does not say whether idle or in total" in str(result.only("WS209")[0]["message"])


def test_agic_request_timeout_annotation(lint: Lint) -> None:
    text = AGIC.format(extra=TIMEOUT.format(value="3600"))
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    # an hour: WS207 (information) as a cap, and the pings are well inside it as an idle timeout
    assert result.rules_at() == {("WS207", 7)}
    short = lint({"ingress.yaml": AGIC.format(extra=TIMEOUT.format(value="40"))}, "ingress.yaml")
    assert ("WS209", 7) in short.rules_at() and ("WS303", 7) in short.rules_at()


def test_agic_request_timeout_beyond_application_gateways_range_is_ws206_and_unknown(lint: Lint) -> None:
    # Application Gateway takes 1 to 86400 s (azurerm IntBetween(1, 86400), ARM's "1 second to 86400 seconds"),
    # as the Terraform and ARM readers check: AGIC's annotation is the same setting
    text = AGIC.format(extra=TIMEOUT.format(value="100000"))
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS206", 7)}
    assert "from 1 to 86400 seconds" in str(result.only("WS206")[0]["message"])
    assert ("WS207", 7) in lint(
        {"ingress.yaml": AGIC.format(extra=TIMEOUT.format(value="86400"))}, "ingress.yaml"
    ).rules_at()


def test_agic_request_timeout_with_a_unit_is_ws206_and_the_default_applies(lint: Lint) -> None:
    text = AGIC.format(extra=TIMEOUT.format(value="60s"))
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "10s")
    assert result.rules_at() == {("WS206", 7), ("WS201", 5), ("WS209", 5)}
    assert "strconv.Atoi" in str(result.only("WS206")[0]["message"])


def test_agic_class_name_and_ingress_class(lint: Lint) -> None:
    by_name = AGIC.format(extra="").replace(
        "  annotations:\n    kubernetes.io/ingress.class: azure/application-gateway\n", ""
    )
    by_name = by_name.replace("spec:\n", "spec:\n  ingressClassName: azure-application-gateway\n", 1)
    assert ("WS209", 3) in lint({"ingress.yaml": by_name}, "ingress.yaml").rules_at()
    custom = by_name.replace("azure-application-gateway", "public")
    ingress_class = """
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata:
      name: public
    spec:
      controller: azure/application-gateway
    """
    result = lint({"ingress.yaml": custom, "class.yaml": ingress_class}, "ingress.yaml", "class.yaml")
    assert ("WS209", 3) in result.rules_at()
    # a class nobody documents: unknown
    assert lint({"ingress.yaml": custom}, "ingress.yaml").findings == []


def test_nginx_annotation_on_an_agic_ingress_is_ws208(lint: Lint) -> None:
    text = AGIC.format(
        extra='    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"\n' + TIMEOUT.format(value="3600")
    )
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    assert [f["line"] for f in result.only("WS208")] == [7]
    assert "request-timeout" in str(result.only("WS208")[0]["help"])


def test_agic_nothing_marked_every_path_is_assumed(lint: Lint) -> None:
    text = AGIC.format(extra=TIMEOUT.format(value="40")).replace("path: /ws", "path: /api")
    result = lint({"ingress.yaml": text}, "ingress.yaml")
    assert "assumed to carry WebSockets" in str(result.only("WS209")[0]["message"])
    assert "Ingress chat (/api, /; assumed to carry WebSockets" in str(result.only("WS209")[0]["message"])


LB = """
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path: /healthz
{extra}spec:
  type: LoadBalancer
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: https
      port: 443
      targetPort: https
    - name: ssh
      port: 2222
"""

IDLE = '    service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout: "{value}"\n'


def test_azure_load_balancer_idle_timeout_in_minutes(lint: Lint) -> None:
    result = lint({"svc.yaml": LB.format(extra=IDLE.format(value="10"))}, "svc.yaml", "--ping-interval", "25s")
    assert result.findings == []  # 10 minutes, pings every 25 s
    slow = lint({"svc.yaml": LB.format(extra=IDLE.format(value="10"))}, "svc.yaml", "--ping-interval", "6m")
    assert slow.rules_at() == {("WS301", 7)}
    message = str(slow.findings[0]["message"])
    # a route per web port (80, 443), not the SSH port
    assert "port 80" in message and "port 443" in message and "2222" not in message
    assert "10m" in message


def test_azure_load_balancer_default_is_four_minutes(lint: Lint) -> None:
    result = lint({"svc.yaml": LB.format(extra="")}, "svc.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 5)}
    assert "4m" in str(result.findings[0]["message"])


def test_azure_load_balancer_out_of_range_is_ws206_and_unknown(lint: Lint) -> None:
    for value in ("60", "2", "4m"):
        result = lint({"svc.yaml": LB.format(extra=IDLE.format(value=value))}, "svc.yaml", "--ping-interval", "25s")
        assert result.rules_at() == {("WS206", 7)}, value


def test_service_without_azure_evidence_is_unknown(lint: Lint) -> None:
    text = LB.format(extra="").replace(
        "  annotations:\n    service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path: /healthz\n", ""
    )
    assert lint({"svc.yaml": text}, "svc.yaml", "--ping-interval", "25s").findings == []


def test_azure_load_balancer_note_has_no_parentheses_inside(lint: Lint) -> None:
    result = lint({"svc.yaml": LB.format(extra="")}, "svc.yaml")
    message = str(result.only("WS303")[0]["message"])
    note = message[message.index("(the default") + 1 :]
    note = note[: note.index(")")]  # the directive's parenthesis closes at the first ")": nothing nested
    assert "dropped silently by a Basic one" in note and "reset by a Standard load balancer" in note


def test_azure_load_balancer_on_a_web_port_only_is_assumed(lint: Lint) -> None:
    result = lint({"svc.yaml": LB.format(extra="")}, "svc.yaml", "--ping-interval", "25s")
    assert result.rules_at() == {("WS201", 5)}
    assert "assumed to carry WebSockets" in str(result.findings[0]["message"])
    # something in the run marks a WebSocket route: the port counts, without the assumption
    files = {"svc.yaml": LB.format(extra=""), "ingress.yaml": AGIC.format(extra=TIMEOUT.format(value="3600"))}
    marked = lint(files, "svc.yaml", "ingress.yaml", "--ping-interval", "25s")
    assert ("WS201", "svc.yaml", 5) in marked.rules_in()
    assert "assumed to carry WebSockets" not in str(marked.only("WS201")[0]["message"])
    # a Service whose name has a WebSocket token: not assumed either
    named = lint(
        {"svc.yaml": LB.format(extra="").replace("name: ingress-nginx-controller", "name: chat-ws")}, "svc.yaml"
    )
    assert "assumed to carry WebSockets" not in str(named.only("WS201")[0]["message"])


def test_azure_load_balancer_honours_websocket_routes(lint: Lint) -> None:
    svc = LB.format(extra="")
    for entries, fires in (
        ("['/ws']", False),  # an Ingress path: not this Service
        ("['ingress-nginx-controller']", True),
        ("['default/ingress-nginx-controller']", True),
        ("['svc.yaml:ingress-nginx-controller']", True),
        ("['svc.yaml:default/ingress-nginx-controller']", True),
        ("['other/ingress-nginx-controller']", False),
        ("['other.yaml:ingress-nginx-controller']", False),
    ):
        files = {"svc.yaml": svc, "wslint.toml": f"websocket-routes = {entries}\n"}
        result = lint(files, "svc.yaml", "--config", "wslint.toml", "--ping-interval", "25s")
        assert (result.rules_at() == {("WS201", 5)}) is fires, entries
        if fires:
            message = str(result.findings[0]["message"])
            assert "assumed to carry WebSockets" not in message and "port 80" in message
    spaced = svc.replace(
        "  name: ingress-nginx-controller\n", "  name: ingress-nginx-controller\n  namespace: ingress\n"
    )
    files = {"svc.yaml": spaced, "wslint.toml": "websocket-routes = ['ingress/ingress-nginx-controller']\n"}
    assert lint(files, "svc.yaml", "--config", "wslint.toml", "--ping-interval", "25s").rules_in() == {
        ("WS201", "svc.yaml", 6)
    }
