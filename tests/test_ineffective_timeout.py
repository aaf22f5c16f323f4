"""WS208 ineffective-timeout: a timeout written where the hop never applies it to the WebSocket."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]

WS = """
    location @ws {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
"""


def server(body: str, tail: str = WS) -> str:
    return "server {\n    listen 80;\n" + body + tail + "}\n"


def ws208(lint: Lint, files: dict[str, str], *args: str) -> Linted:
    return lint(files, *args, "--select", "WS208")


# -- nginx ---------------------------------------------------------------------------------------------

FIRES = {
    "try_files to a named location": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @ws;
    }
""",
    "if ($http_upgrade) return + error_page, the location proxying plain requests": """
    location / {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        error_page 418 = @ws;
        if ($http_upgrade = "websocket") { return 418; }
    }
""",
    "a static location whose 404 goes to a named location": """
    location /live/ {
        root /srv/www;
        proxy_read_timeout 1h;
        error_page 404 = @ws;
    }
""",
    "try_files to a named location that hands on to another": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @static;
    }
    location @static {
        root /srv/www;
        try_files $uri @ws;
    }
""",
    "proxy_send_timeout": """
    location /ws/ {
        proxy_send_timeout 10m;
        try_files $uri @ws;
    }
""",
}


@pytest.mark.parametrize("body", FIRES.values(), ids=FIRES.keys())
def test_a_location_that_hands_websockets_on_does_not_apply_its_timeout(lint: Lint, body: str) -> None:
    result = ws208(lint, {"site.conf": server(body)}, "site.conf")
    [finding] = result.findings
    text = server(body)
    written = next(n for n, line in enumerate(text.splitlines(), 1) if "_timeout" in line)
    assert (finding["rule"], finding["file"], finding["line"]) == ("WS208", "site.conf", written)
    assert finding["severity"] == "warning" and result.code == 1
    assert "location @ws" in str(finding["message"])  # where the value that applies comes from
    assert finding["related"], finding


def test_rewrite_last_to_a_literal_uri_names_the_location_it_lands_in(lint: Lint) -> None:
    body = """
    location /ws/ {
        proxy_read_timeout 1h;
        rewrite ^ /socket/ last;
    }
    location /socket/ {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 5m;
    }
"""
    result = ws208(lint, {"site.conf": server(body, "")}, "site.conf")
    [finding] = result.findings
    assert finding["line"] == 5
    assert "location /socket/" in str(finding["message"])
    related = finding["related"]
    assert isinstance(related, list)
    assert {r["line"] for r in related} == {6, 13}  # the rewrite, and the value that applies


NO_FINDING = {
    "the location proxies too: try_files serves an existing file through its own proxy_pass": """
    location /ws/ {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        try_files $uri @ws;
    }
""",
    "proxy_pass inside an if inherits the location's timeout": """
    location /ws/ {
        proxy_read_timeout 1h;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        if ($http_upgrade) { proxy_pass http://app; }
    }
""",
    "the same value applies where it goes": """
    location /ws/ {
        proxy_read_timeout 60s;
        try_files $uri @ws;
    }
""",
    "an if that does not select WebSocket requests": """
    location / {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        error_page 418 = @ws;
        if ($request_method = POST) { return 418; }
    }
""",
    "a rewrite whose target depends on the URI": """
    location /ws/ {
        proxy_read_timeout 1h;
        rewrite ^/ws/(.*)$ /$1 last;
    }
""",
    "an unread include in the location may hold a proxy_pass": """
    location /ws/ {
        proxy_read_timeout 1h;
        include missing/ws-proxy.conf;
        try_files $uri @ws;
    }
""",
    "the named location does not carry WebSocket": """
    location /files/ {
        proxy_read_timeout 1h;
        try_files $uri @app;
    }
    location @app {
        proxy_pass http://app;
    }
""",
    "try_files ending in =404": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri =404;
    }
""",
}


@pytest.mark.parametrize("body", NO_FINDING.values(), ids=NO_FINDING.keys())
def test_no_finding_where_the_handoff_is_not_certain_or_changes_nothing(lint: Lint, body: str) -> None:
    result = ws208(lint, {"site.conf": server(body)}, "site.conf")
    assert result.findings == []


def test_the_default_of_the_target_is_named_as_such(lint: Lint) -> None:
    body = """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @ws;
    }
"""
    [finding] = ws208(lint, {"site.conf": server(body)}, "site.conf").findings
    assert "1m" in str(finding["message"]) and "default" in str(finding["message"])


def test_a_server_fragment_still_resolves_named_locations_but_not_uris(lint: Lint) -> None:
    """A file of bare locations: what encloses them is unknown, so an inherited value is unknown too."""
    named = "location /ws/ { proxy_read_timeout 1h; try_files $uri @ws; }\n" + WS.replace(
        "    }", "    proxy_read_timeout 5m;\n    }"
    )
    assert [f["line"] for f in ws208(lint, {"ws.conf": named}, "ws.conf").findings] == [1]
    inherited = "location /ws/ { proxy_read_timeout 1h; try_files $uri @ws; }\n" + WS
    assert ws208(lint, {"ws2.conf": inherited}, "ws2.conf").findings == []


# -- AWS network load balancers ------------------------------------------------------------------------

NLB_TF = """
resource "aws_lb" "ws" {
  name               = "ws"
  load_balancer_type = "%s"
  idle_timeout       = 3600
}

resource "aws_lb_listener" "ws" {
  load_balancer_arn = aws_lb.ws.arn
  port              = 443
  protocol          = "%s"
%s
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ws/0123456789abcdef"
  }
}
"""


def test_terraform_idle_timeout_on_a_network_load_balancer(lint: Lint) -> None:
    result = ws208(lint, {"main.tf": NLB_TF % ("network", "TCP", "")}, "main.tf")
    [finding] = result.findings
    assert (finding["rule"], finding["line"]) == ("WS208", 4)
    assert "tcp.idle_timeout.seconds" in str(finding["message"])  # where the NLB's idle timeout comes from
    related = finding["related"]
    assert isinstance(related, list) and [r["line"] for r in related] == [7]


@pytest.mark.parametrize(
    ("kind", "protocol", "extra"),
    [
        ("application", "HTTP", ""),  # an ALB applies it
        ("network", "TCP", "  tcp_idle_timeout_seconds = 3600"),  # the listener applies the same value
    ],
)
def test_terraform_idle_timeout_that_applies_or_changes_nothing(
    lint: Lint, kind: str, protocol: str, extra: str
) -> None:
    assert ws208(lint, {"main.tf": NLB_TF % (kind, protocol, extra)}, "main.tf").findings == []


NLB_CFN = """
Resources:
  WsNlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: "3600"
  WsListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref WsNlb
      Protocol: TCP
      Port: 443
      ListenerAttributes:
        - Key: tcp.idle_timeout.seconds
          Value: "%s"
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ws/0123456789abcdef
"""


def test_cloudformation_idle_timeout_attribute_on_a_network_load_balancer(lint: Lint) -> None:
    [finding] = ws208(lint, {"stack.yaml": NLB_CFN % "600"}, "stack.yaml").findings
    assert (finding["rule"], finding["line"]) == ("WS208", 9)
    assert "10m" in str(finding["message"])  # the listener's 600 s, which applies
    assert ws208(lint, {"same.yaml": NLB_CFN % "3600"}, "same.yaml").findings == []


# -- Kubernetes Ingress classes ------------------------------------------------------------------------

INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  annotations:
%s
spec:
%s
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
NGINX_TIMEOUT = '    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"'
NGINX_ORG_TIMEOUT = '    nginx.org/proxy-read-timeout: "1h"'
CLASS_ANNOTATION = "    kubernetes.io/ingress.class: %s"
PUBLIC = """
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: public
spec:
  controller: %s
"""


@pytest.mark.parametrize(
    ("annotations", "spec", "extra"),
    [
        pytest.param(CLASS_ANNOTATION % "gce" + "\n" + NGINX_TIMEOUT, "", "", id="gce annotation"),
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: gce-internal", "", id="gce-internal class name"),
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: traefik", "", id="traefik"),
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: alb", "", id="alb"),
        pytest.param(
            NGINX_ORG_TIMEOUT,
            "  ingressClassName: public",
            PUBLIC % "k8s.io/ingress-nginx",
            id="nginx.org on ingress-nginx",
        ),
        pytest.param(
            NGINX_TIMEOUT,
            "  ingressClassName: public",
            PUBLIC % "nginx.org/ingress-controller",
            id="ingress-nginx on nginx.org",
        ),
    ],
)
def test_nginx_timeout_annotations_on_another_controllers_ingress(
    lint: Lint, annotations: str, spec: str, extra: str
) -> None:
    text = INGRESS % (annotations, spec) + extra
    [finding] = ws208(lint, {"ingress.yaml": text}, "ingress.yaml").findings
    written = next(n for n, line in enumerate(text.lstrip("\n").splitlines(), 1) if "proxy-read-timeout" in line)
    assert (finding["rule"], finding["line"]) == ("WS208", written)
    assert "class" in str(finding["message"]) and "instead" in str(finding["message"])


@pytest.mark.parametrize(
    ("annotations", "spec", "extra"),
    [
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: nginx", "", id="nginx: either nginx controller"),
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: public", "", id="a class no IngressClass in the run names"),
        pytest.param(
            NGINX_TIMEOUT, "  ingressClassName: public", PUBLIC % "example.com/own", id="an unknown controller"
        ),
        pytest.param(NGINX_TIMEOUT, "", "", id="no class"),
        pytest.param(NGINX_TIMEOUT, "  ingressClassName: public", PUBLIC % "k8s.io/ingress-nginx", id="its own"),
    ],
)
def test_no_finding_where_the_class_does_not_tell_or_reads_them(
    lint: Lint, annotations: str, spec: str, extra: str
) -> None:
    assert ws208(lint, {"ingress.yaml": INGRESS % (annotations, spec) + extra}, "ingress.yaml").findings == []


def test_an_ingress_of_another_class_is_not_an_ingress_nginx_hop(lint: Lint) -> None:
    """Its nginx annotations do not make a gce Ingress an ingress-nginx one: no ingress-nginx finding there."""
    text = INGRESS % ('    nginx.ingress.kubernetes.io/proxy-read-timeout: "30"', "  ingressClassName: gce")
    result = lint({"ingress.yaml": text}, "ingress.yaml", "--ping-interval", "25s")
    assert {f["rule"] for f in result.findings} == {"WS208"}


def test_an_ingress_class_counts_only_in_its_own_directory(lint: Lint) -> None:
    """Another directory may be another cluster (a run over several projects): its IngressClass tells nothing."""
    ingress = INGRESS % (NGINX_ORG_TIMEOUT, "  ingressClassName: public")
    ingress_class = (PUBLIC % "k8s.io/ingress-nginx").lstrip("-\n")
    files = {"app/ingress.yaml": ingress, "cluster/class.yaml": ingress_class}
    assert ws208(lint, files, "app", "cluster").findings == []
    files = {"app/ingress.yaml": ingress, "app/class.yaml": ingress_class}
    assert [f["file"] for f in ws208(lint, files, "app").findings] == ["app/ingress.yaml"]


def test_handoff_cycles_and_unreadable_regexes_give_no_finding_and_no_noise(lint: Lint) -> None:
    body = """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @a;
    }
    location @a { try_files $uri @b; }
    location @b { try_files $uri @a; }
    location /r/ {
        proxy_read_timeout 1h;
        rewrite ^ /r/ last;
    }
    location ~ [[ { return 404; }
    location /x/ {
        proxy_read_timeout 1h;
        rewrite ^ /socket last;
    }
"""
    result = ws208(lint, {"site.conf": server(body)}, "site.conf")
    assert result.findings == [] and result.err == ""
