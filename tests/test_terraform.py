"""The Terraform source (issue 4): .tf and .tf.json -> AWS load balancer hops, and the corpus."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted, Run, _missing
from wslint.sources import terraform

Lint = Callable[..., Linted]
FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
PING = ("--ping-interval", "20s")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


ALB_WITH_LISTENER = """
resource "aws_lb" "web" {
  name         = "web"
  idle_timeout = {idle}
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.chat.arn
  }
}

resource "aws_lb_target_group" "chat" {
  port     = 8080
  protocol = "HTTP"
}
"""


# -- values: literals, defaults, variables, locals, unknowns ----------------------------------


def test_literal_idle_timeout_too_short_for_the_ping(lint: Lint) -> None:
    run = lint({"main.tf": ALB_WITH_LISTENER.replace("{idle}", "30")}, "main.tf", *PING)
    assert run.rules_at() == {("WS301", 3)}
    assert run.findings[0]["column"] == 3
    assert "ALB aws_lb.web listener 443" in str(run.findings[0]["message"])
    assert lint({"main.tf": ALB_WITH_LISTENER.replace("{idle}", "3600")}, "main.tf", *PING).rules_at() == set()


def test_default_idle_timeout_points_at_the_resource(lint: Lint) -> None:
    run = lint({"main.tf": 'resource "aws_lb" "web" {\n  name = "web"\n}\n'}, "main.tf", *PING)
    assert run.rules_at() == {("WS201", 1)}
    assert run.findings[0]["column"] == 1
    assert run.code == 1
    run = lint({"main.tf": 'resource "aws_lb" "web" {\n  name = "web"\n}\n'}, "main.tf", "--ping-interval", "45s")
    assert run.rules_at() == {("WS201", 1), ("WS301", 1)}


def test_default_idle_timeout_points_at_the_load_balancer(lint: Lint) -> None:
    """WS201 points at the block that should hold idle_timeout: the load balancer, naming its listener."""
    text = ALB_WITH_LISTENER.replace("  idle_timeout = {idle}\n", "")
    run = lint({"main.tf": text}, "main.tf", *PING)
    assert run.rules_at() == {("WS201", 1)}
    assert "listener" in str(run.only("WS201")[0]["message"])


def test_variable_default_is_located_where_it_is_used(lint: Lint, tmp_path: Path) -> None:
    files = {
        "main.tf": ALB_WITH_LISTENER.replace("{idle}", "var.idle_timeout"),
        "variables.tf": 'variable "idle_timeout" {\n  type    = number\n  default = 30\n}\n',
    }
    run = lint(files, ".", *PING)
    assert run.rules_in() == {("WS301", "main.tf", 3)}
    # the reader hands the default's own line over as Value.related
    specs = terraform.read_specs([(str(tmp_path / "main.tf"), "main.tf")])
    idle = specs[0].idle_timeout
    assert idle is not None and idle.value == 30
    assert (idle.location.file, idle.location.line) == ("main.tf", 3)
    assert idle.related is not None and (idle.related.file, idle.related.line) == ("variables.tf", 3)


def test_variable_default_is_related(lint: Lint) -> None:
    files = {
        "main.tf": ALB_WITH_LISTENER.replace("{idle}", "var.idle_timeout"),
        "variables.tf": 'variable "idle_timeout" {\n  default = 30\n}\n',
    }
    (finding,) = lint(files, ".", *PING).findings
    related = finding["related"]
    assert isinstance(related, list)
    assert [(r["file"], r["line"]) for r in related] == [("variables.tf", 2)]


def test_a_file_named_alone_reads_its_directory(lint: Lint) -> None:
    files = {
        "main.tf": ALB_WITH_LISTENER.replace("{idle}", "var.idle_timeout"),
        "variables.tf": 'variable "idle_timeout" {\n  default = 30\n}\n',
    }
    assert lint(files, "main.tf", *PING).rules_in() == {("WS301", "main.tf", 3)}


def test_locals(lint: Lint) -> None:
    text = ALB_WITH_LISTENER.replace("{idle}", "local.idle").replace(
        '  protocol = "HTTP"\n}', '  protocol = "HTTP"\n  deregistration_delay = local.drain\n}'
    )
    text += "\nlocals {\n  idle  = 3600\n  drain = 10\n}\n"
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS404", 19)}


@pytest.mark.parametrize(
    "expression",
    [
        "var.without_default",
        "var.null_default",
        "var.set_by_tfvars",
        "module.settings.idle_timeout",
        "data.aws_ssm_parameter.idle.value",
        'lookup(var.map, "idle", 30)',
        "var.enabled ? 30 : 3600",
        '"${var.without_default}0"',
        "local.missing",
        "each.value.idle",
    ],
)
def test_unknown_values_never_fire(lint: Lint, expression: str) -> None:
    files = {
        "main.tf": ALB_WITH_LISTENER.replace("{idle}", expression),
        "variables.tf": (
            'variable "without_default" {}\n'
            'variable "null_default" {\n  default = null\n}\n'
            'variable "set_by_tfvars" {\n  default = 30\n}\n'
            'variable "map" {\n  default = {}\n}\n'
        ),
        "terraform.tfvars": "set_by_tfvars = 3600\n",
    }
    run = lint(files, ".", *PING)
    assert run.findings == []
    assert run.code == 0


def test_literal_null_is_an_argument_not_set(lint: Lint) -> None:
    text = ALB_WITH_LISTENER.replace("{idle}", "null")
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS201", 1)}


def test_out_of_range_idle_timeout(lint: Lint) -> None:
    run = lint({"main.tf": ALB_WITH_LISTENER.replace("{idle}", "5000")}, "main.tf", *PING)
    assert run.rules_at() == {("WS206", 3)}
    assert lint({"main.tf": ALB_WITH_LISTENER.replace("{idle}", '"3600"')}, "main.tf", *PING).rules_at() == set()


# -- which listeners and target groups belong to which load balancer ------------------------


def test_redirect_only_listener_carries_no_websocket(lint: Lint) -> None:
    text = ALB_WITH_LISTENER.replace("  idle_timeout = {idle}\n", "") + (
        "\n"
        'resource "aws_lb_listener" "http" {\n'  # line 21
        "  load_balancer_arn = aws_lb.web.arn\n"
        "  port              = 80\n"
        "  default_action {\n"
        '    type = "redirect"\n'
        "    redirect {\n"
        '      port        = "443"\n'
        '      protocol    = "HTTPS"\n'
        '      status_code = "HTTP_301"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS201", 1)}


def test_fixed_response_listener_with_a_forwarding_rule_counts(lint: Lint) -> None:
    text = """
    resource "aws_lb" "web" {}

    resource "aws_lb_listener" "http" {
      load_balancer_arn = aws_lb.web.arn
      port              = 80
      protocol          = "HTTP"
      default_action {
        type = "fixed-response"
        fixed_response {
          content_type = "text/plain"
          status_code  = 404
        }
      }
    }

    resource "aws_lb_listener_rule" "chat" {
      listener_arn = aws_lb_listener.http.arn
      action {
        type             = "forward"
        target_group_arn = aws_lb_target_group.chat.arn
      }
    }

    resource "aws_lb_target_group" "chat" {
      protocol             = "HTTP"
      deregistration_delay = 0
    }
    """
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS201", 1), ("WS404", 26)}


def test_listener_without_protocol_on_an_alb_is_http(lint: Lint) -> None:
    text = ALB_WITH_LISTENER.replace('  protocol          = "HTTPS"\n', "").replace("{idle}", "30")
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS301", 3)}


def test_listener_of_an_unknown_load_balancer_attaches_nowhere(lint: Lint) -> None:
    text = ALB_WITH_LISTENER.replace("aws_lb.web.arn", "var.lb_arn").replace("{idle}", "30")
    # the ALB's listeners are not seen: the ALB itself is the hop, at its resource
    run = lint({"main.tf": text}, "main.tf", *PING)
    assert run.rules_at() == {("WS301", 3)}
    assert "listener" not in str(run.findings[0]["message"])


def test_target_groups_go_to_the_load_balancer_that_forwards_to_them(lint: Lint) -> None:
    text = """
    resource "aws_lb" "chat" {
      idle_timeout = 3600
    }

    resource "aws_lb" "admin" {
      idle_timeout = 3600
    }

    resource "aws_lb_listener" "chat" {
      load_balancer_arn = aws_lb.chat.arn
      protocol          = "HTTPS"
      default_action {
        type = "forward"
        forward {
          target_group {
            arn = aws_lb_target_group.chat.arn
          }
        }
      }
    }

    resource "aws_lb_listener" "admin" {
      load_balancer_arn = aws_lb.admin.arn
      protocol          = "HTTPS"
      default_action {
        type             = "forward"
        target_group_arn = aws_lb_target_group.admin.arn
      }
    }

    resource "aws_lb_target_group" "chat" {
      protocol             = "HTTP"
      deregistration_delay = 5
    }

    resource "aws_lb_target_group" "admin" {
      protocol             = "HTTP"
      deregistration_delay = 300
    }

    resource "aws_lb_target_group" "lambda" {
      target_type = "lambda"
      health_check {
        path = "/ws"
      }
    }
    """
    run = lint({"main.tf": text}, "main.tf", *PING)
    assert run.rules_at() == {("WS404", 33)}
    assert run.findings[0]["hops"] == ["aws_lb.chat"]


def test_unattributed_target_group_goes_to_every_load_balancer_of_its_family(lint: Lint) -> None:
    text = """
    resource "aws_lb" "web" {
      idle_timeout = 3600
    }

    resource "aws_lb_target_group" "chat" {
      protocol = "HTTP"
      health_check {
        path = "/socket.io/"
      }
    }

    resource "aws_lb_target_group" "tcp" {
      protocol = "TCP"
      health_check {
        path = "/ws"
      }
    }
    """
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS601", 8)}


def test_dynamic_health_check_is_unknown(lint: Lint) -> None:
    text = """
    resource "aws_lb" "web" {
      idle_timeout = 3600
    }

    resource "aws_lb_target_group" "chat" {
      protocol = "HTTP"
      dynamic "health_check" {
        for_each = var.checks
        content {
          path = "/ws"
        }
      }
    }
    """
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == set()


# -- NLB, Classic ELB, what is not a load balancer ------------------------------------------


NLB = """
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  idle_timeout       = 5
}

resource "aws_lb_listener" "tcp" {
  load_balancer_arn        = aws_lb.nlb.arn
  port                     = 443
  protocol                 = "TCP"
  tcp_idle_timeout_seconds = {tcp_idle}
}

resource "aws_lb_listener" "tls" {
  load_balancer_arn        = aws_lb.nlb.arn
  port                     = 8443
  protocol                 = "TLS"
  tcp_idle_timeout_seconds = 100
}

resource "aws_lb_listener" "udp" {
  load_balancer_arn = aws_lb.nlb.arn
  port              = 53
  protocol          = "UDP"
}
"""


def test_nlb_listener_tcp_idle_timeout(lint: Lint) -> None:
    # TCP: tcp_idle_timeout_seconds is tcp.idle_timeout.seconds; TLS: the provider ignores it (350 s);
    # UDP carries no WebSocket; an NLB has no idle_timeout (no WS206 for 5, but WS208: it never applies),
    # and no default is WS201
    run = lint({"main.tf": NLB.replace("{tcp_idle}", "100")}, "main.tf", "--ping-interval", "200s")
    assert run.rules_at() == {("WS301", 10), ("WS301", 13), ("WS208", 3)}
    run = lint({"main.tf": NLB.replace("{tcp_idle}", "3600")}, "main.tf", "--ping-interval", "60s")
    assert run.rules_at() == {("WS208", 3)}
    run = lint({"main.tf": NLB.replace("{tcp_idle}", "30")}, "main.tf", "--ping-interval", "60s")
    assert run.rules_at() == {("WS206", 10), ("WS208", 3)}


def test_nlb_listener_with_unknown_protocol_is_unknown(lint: Lint) -> None:
    text = NLB.replace('"TCP"', "var.protocol").replace("{tcp_idle}", "100")
    run = lint({"main.tf": text}, "main.tf", "--ping-interval", "200s")
    assert run.rules_at() == {("WS301", 13), ("WS208", 3)}


def test_gateway_load_balancer_is_not_a_hop(lint: Lint) -> None:
    text = 'resource "aws_lb" "gw" {\n  load_balancer_type = "gateway"\n}\n'
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == set()
    text = 'resource "aws_lb" "x" {\n  load_balancer_type = var.kind\n}\n'
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == set()


CLASSIC = """
resource "aws_elb" "old" {
  availability_zones = ["us-east-1a"]
  idle_timeout       = {idle}

  listener {
    instance_port     = 8080
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "{protocol}"
  }
}
"""


def test_classic_elb_http_listener(lint: Lint) -> None:
    run = lint({"main.tf": CLASSIC.replace("{idle}", "3600").replace("{protocol}", "http")}, "main.tf", *PING)
    assert run.rules_at() == {("WS110", 5)}
    run = lint({"main.tf": CLASSIC.replace("{idle}", "3600").replace("{protocol}", "tcp")}, "main.tf", *PING)
    assert run.rules_at() == set()


def test_classic_elb_idle_timeout(lint: Lint) -> None:
    text = CLASSIC.replace("{protocol}", "tcp")
    run = lint({"main.tf": text.replace("  idle_timeout       = {idle}\n", "")}, "main.tf", *PING)
    assert run.rules_at() == {("WS201", 1)}
    assert lint({"main.tf": text.replace("{idle}", "30")}, "main.tf", *PING).rules_at() == {("WS301", 3)}
    assert lint({"main.tf": text.replace("{idle}", "3601")}, "main.tf", *PING).rules_at() == {("WS206", 3)}


def test_ecs_and_other_idle_settings_are_not_load_balancer_settings(lint: Lint) -> None:
    text = """
    resource "aws_ecs_service" "chat" {
      name = "chat"
      service_connect_configuration {
        enabled = true
        service {
          port_name = "http"
          timeout {
            idle_timeout_seconds        = 5
            per_request_timeout_seconds = 5
          }
        }
      }
      load_balancer {
        target_group_arn = aws_lb_target_group.chat.arn
        container_name   = "chat"
        container_port   = 8080
      }
    }

    resource "aws_apigatewayv2_api" "ws" {
      name                       = "ws"
      protocol_type              = "WEBSOCKET"
      route_selection_expression = "$request.body.action"
    }

    module "ecs_service" {
      source                      = "terraform-aws-modules/ecs/aws//modules/service"
      service_connect_configuration = { service = [{ timeout = { idle_timeout_seconds = 5 } }] }
    }
    """
    assert lint({"main.tf": text}, "main.tf", *PING).findings == []


def test_zero_count_and_overrides(lint: Lint) -> None:
    files = {
        "main.tf": ALB_WITH_LISTENER.replace("{idle}", "30"),
        "override.tf": 'resource "aws_lb" "web" {\n  idle_timeout = 3600\n}\n',
        "gone.tf": 'resource "aws_lb" "gone" {\n  count = 0\n}\n',
    }
    assert lint(files, ".", *PING).rules_in() == set()
    # an override file alone (a patch for files elsewhere) is no load balancer of its own
    patch = CLASSIC.replace("{idle}", "30").replace("{protocol}", "http")
    assert lint({"patch/elb_override.tf": patch}, "patch", *PING).findings == []


# -- terraform-aws-modules/alb -----------------------------------------------------------


def test_alb_module_inputs(lint: Lint) -> None:
    run = lint({"main.tf": fixture("alb-module/main.tf")}, "main.tf", *PING)
    assert run.rules_at() == {("WS301", 7), ("WS404", 33), ("WS601", 35)}
    (ws301,) = run.only("WS301")
    assert "module.alb listener 443" in str(ws301["message"])  # the redirect listener carries nothing
    assert run.only("WS601")[0]["column"] == 9


def test_alb_module_defaults_and_unknown_inputs(lint: Lint) -> None:
    text = """
    module "alb" {
      source  = "terraform-aws-modules/alb/aws"
      version = "~> 9.0"

      listeners = {
        http = {
          port = 80
          forward = {
            target_group_key = "chat"
          }
        }
      }
    }

    module "nlb" {
      source             = "terraform-aws-modules/alb/aws"
      load_balancer_type = "network"
      listeners = {
        tcp = {
          port                     = 443
          protocol                 = "TCP"
          tcp_idle_timeout_seconds = 120
        }
      }
    }

    module "merged" {
      source       = "terraform-aws-modules/alb/aws"
      idle_timeout = var.alb.idle_timeout
      listeners    = merge(var.listeners, {})
    }

    module "disabled" {
      source = "terraform-aws-modules/alb/aws"
      create = false
    }

    module "elsewhere" {
      source       = "../../"
      idle_timeout = 5
    }
    """
    run = lint({"main.tf": text}, "main.tf", "--ping-interval", "90s")
    # module.alb: the default 60 s on its HTTP listener (the module's default protocol);
    # module.nlb: tcp_idle_timeout_seconds 120 at its map element; the rest is unknown or not this module
    assert run.rules_at() == {("WS201", 1), ("WS301", 1), ("WS301", 22)}


def test_alb_module_v8_list_inputs(lint: Lint) -> None:
    text = """
    module "alb" {
      source       = "terraform-aws-modules/alb/aws"
      version      = "~> 8.0"
      idle_timeout = 30

      target_groups = [
        {
          backend_protocol     = "HTTP"
          backend_port         = 80
          deregistration_delay = 10
        }
      ]
      https_listeners = [
        {
          port               = 443
          target_group_index = 0
        }
      ]
    }
    """
    assert lint({"main.tf": text}, "main.tf", *PING).rules_at() == {("WS301", 4), ("WS404", 10)}


# -- .tf.json, syntax errors, stdin ------------------------------------------------------------


def test_terraform_json(lint: Lint) -> None:
    run = lint({"main.tf.json": fixture("json/main.tf.json")}, "main.tf.json", *PING)
    assert run.rules_at() == {("WS301", 12), ("WS404", 29), ("WS601", 30)}
    assert {(f["rule"], f["column"]) for f in run.findings} == {("WS301", 9), ("WS404", 9), ("WS601", 26)}


def test_syntax_errors_are_ws001_and_the_rest_is_linted(lint: Lint) -> None:
    files = {
        "broken/main.tf": 'resource "aws_lb" "x" {\n  idle_timeout = \n}\n',
        "unclosed/main.tf": 'resource "aws_lb" "x" {\n  idle_timeout = 30\n',
        "json/main.tf.json": '{"resource": {"aws_lb": {"x": {"idle_timeout": 30,}}}}\n',
        "ok/main.tf": ALB_WITH_LISTENER.replace("{idle}", "30"),
    }
    run = lint(files, ".", *PING)
    assert run.rules_in() == {
        ("WS001", "broken/main.tf", 2),
        ("WS001", "unclosed/main.tf", 2),
        ("WS001", "json/main.tf.json", 1),
        ("WS301", "ok/main.tf", 3),
    }
    assert "Traceback" not in run.err
    assert all(str(f["message"]).startswith("Terraform syntax error") for f in run.only("WS001"))


def test_templates_and_odd_syntax_are_normal_hcl(lint: Lint) -> None:
    text = """
    locals {
      greeting = "%{ if var.formal }Good day%{ else }Hi%{ endif }, $${literal}"
      names    = [for s in ["a", "b"] : upper(s) if s != "b"]
      parsed   = provider::aws::arn_parse("arn:aws:iam::444455556666:role/example")
      script   = <<-EOT
        echo ${var.x}
      EOT
    }

    resource "aws_lb" "web" {
      idle_timeout = 3600 # a comment
      tags         = { for k in local.names : k => "${k}-%{ if true }x%{ endif }" }
    }
    """
    run = lint({"main.tf": text}, "main.tf", *PING)
    assert run.findings == []
    assert run.code == 0


def test_binary_or_undecodable_file_is_ws001(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_bytes(b'resource "aws_lb" "x" {\n  name = "\xff"\n}\n')
    assert lint({}, "bad.tf").rules_at() == {("WS001", 2)}


def test_stdin(wslint: Callable[..., object], tmp_path: Path) -> None:
    run = wslint(
        "--isolated",
        "--ping-interval",
        "20s",
        "-",
        "--stdin-filename",
        "infra/main.tf",
        cwd=tmp_path,
        stdin=ALB_WITH_LISTENER.replace("{idle}", "30").lstrip("\n"),
    )
    out = str(getattr(run, "out", ""))
    assert "infra/main.tf:3:3: WS301" in out
    assert getattr(run, "code", None) == 1


# -- the shared corpus -------------------------------------------------------------------


# Every finding on ../shared/corpus/terraform, reviewed by hand (no --ping-interval: WS303 is the
# information "this hop closes idle connections after N"). The corpus flattens each repository into
# one folder, so unrelated examples share a directory (a "module"): duplicate names are read per file.
BRIKIS = "brikis98__terraform-up-and-running-code/code__terraform__"
ZERO_DOWNTIME = BRIKIS + "05-tips-and-tricks__zero-downtime-deployment__modules__services__webserver-cluster__main.tf"
CORPUS_FINDINGS = {
    # terraform-aws-modules/alb ~> 9.0 without idle_timeout: AWS's 60 s on its HTTP listener (the module's
    # listener map element), the default shown at the module block
    ("WS303", "aws-ia__terraform-aws-ecs-blueprints/terraform__ec2-examples__lb-service__main.tf", 115),
    ("WS201", "aws-ia__terraform-aws-ecs-blueprints/terraform__ec2-examples__lb-service__main.tf", 115),
    ("WS303", "aws-ia__terraform-aws-ecs-blueprints/terraform__fargate-examples__backstage__main.tf", 118),
    ("WS201", "aws-ia__terraform-aws-ecs-blueprints/terraform__fargate-examples__backstage__main.tf", 118),
    ("WS303", "aws-ia__terraform-aws-ecs-blueprints/terraform__fargate-examples__lb-service__main.tf", 106),
    ("WS201", "aws-ia__terraform-aws-ecs-blueprints/terraform__fargate-examples__lb-service__main.tf", 106),
    # aws_lb without idle_timeout; its HTTP listener answers 404 but a listener rule forwards
    ("WS303", BRIKIS + "02-intro-to-terraform-syntax__webserver-cluster__main.tf", 72),
    ("WS201", BRIKIS + "02-intro-to-terraform-syntax__webserver-cluster__main.tf", 72),
    ("WS303", ZERO_DOWNTIME, 121),
    ("WS201", ZERO_DOWNTIME, 121),
    # idle_timeout = var.idle_timeout (default 60) and deregistration_delay = var.deregistration_delay
    # (default 15): located where used
    ("WS303", "cloudposse__terraform-aws-alb/main.tf", 118),
    ("WS404", "cloudposse__terraform-aws-alb/main.tf", 160),
    # aws_elb with an HTTP listener and no idle_timeout
    ("WS303", "hashicorp__terraform-provider-aws/examples__asg__main.tf", 16),
    ("WS110", "hashicorp__terraform-provider-aws/examples__asg__main.tf", 22),
    ("WS201", "hashicorp__terraform-provider-aws/examples__asg__main.tf", 16),
    # aws_alb without idle_timeout, HTTP listener
    ("WS303", "hashicorp__terraform-provider-aws/examples__ecs-fargate__alb.tf", 1),
    ("WS201", "hashicorp__terraform-provider-aws/examples__ecs-fargate__alb.tf", 1),
    # aws_elb with HTTP and HTTPS listeners, idle_timeout = 400
    ("WS110", "hashicorp__terraform-provider-aws/website__docs__r__elb.html.markdown__block1.tf", 12),
    ("WS110", "hashicorp__terraform-provider-aws/website__docs__r__elb.html.markdown__block1.tf", 19),
    ("WS303", "hashicorp__terraform-provider-aws/website__docs__r__elb.html.markdown__block1.tf", 37),
    # an ALB alone (no listener in sight): one hop at the resource, AWS's default
    ("WS201", "hashicorp__terraform-provider-aws/website__docs__r__lb.html.markdown__block1.tf", 1),
    ("WS303", "hashicorp__terraform-provider-aws/website__docs__r__lb.html.markdown__block1.tf", 1),
    # terraform-aws-modules/alb inputs: default idle timeout, deregistration_delay 10 / 5 in target_groups
    ("WS303", "terraform-aws-modules__terraform-aws-atlantis/examples__github-separate__main.tf", 121),
    ("WS201", "terraform-aws-modules__terraform-aws-atlantis/examples__github-separate__main.tf", 121),
    ("WS404", "terraform-aws-modules__terraform-aws-atlantis/examples__github-separate__main.tf", 152),
    ("WS303", "terraform-aws-modules__terraform-aws-ecs/examples__complete__main.tf", 308),
    ("WS201", "terraform-aws-modules__terraform-aws-ecs/examples__complete__main.tf", 308),
    ("WS404", "terraform-aws-modules__terraform-aws-ecs/examples__complete__main.tf", 370),
    ("WS404", "terraform-aws-modules__terraform-aws-ecs/examples__complete__main.tf", 393),
    ("WS303", "terraform-aws-modules__terraform-aws-ecs/examples__fargate__main.tf", 279),
    ("WS201", "terraform-aws-modules__terraform-aws-ecs/examples__fargate__main.tf", 279),
    ("WS404", "terraform-aws-modules__terraform-aws-ecs/examples__fargate__main.tf", 379),
    ("WS404", "terraform-aws-modules__terraform-aws-ecs/examples__fargate__main.tf", 404),
    # aws_elb idle_timeout = var.idle_timeout (default 60), dynamic listeners: the ELB is the hop
    ("WS303", "terraform-aws-modules__terraform-aws-elb/modules__elb__main.tf", 12),
}  # fmt: skip

# Shapes that must stay silent: reusable modules whose settings are variables defaulting to null,
# inputs built with merge()/try(), and ECS service-connect idle_timeout_seconds.
CORPUS_SILENT = (
    "terraform-aws-modules__terraform-aws-alb/main.tf",
    "terraform-aws-modules__terraform-aws-alb/wrappers__main.tf",
    "terraform-aws-modules__terraform-aws-atlantis/main.tf",
    "terraform-aws-modules__terraform-aws-ecs/modules__service__main.tf",
    "cloudposse__terraform-aws-elastic-beanstalk-environment/main.tf",
    "aws-ia__terraform-aws-eks-blueprints/patterns__istio__main.tf",
)


def test_corpus(lint: Lint, shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "terraform"
    run = lint({}, str(corpus))
    assert run.code in (0, 1)
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert isinstance(run.report.get("summary"), dict)
    prefix = str(corpus) + "/"
    found = {(f["rule"], str(f["file"]).removeprefix(prefix), f["line"]) for f in run.findings}
    assert not {f for f in found if f[1] in CORPUS_SILENT}
    assert not [f for f in found if f[0] == "WS001"]
    assert found == CORPUS_FINDINGS


def test_corpus_files_one_by_one(lint: Lint, shared_dir: Path) -> None:
    """Each file named alone (its directory read for definitions): no traceback, no WS001."""
    corpus = shared_dir / "corpus" / "terraform"
    for path in sorted(corpus.rglob("*.tf")):
        run = lint({}, str(path))
        assert run.code in (0, 1), path
        assert "Traceback" not in run.err and "internal error" not in run.err, path
        assert not run.only("WS001"), path


# -- which NLB listeners are WebSocket routes: web ports, or evidence ---------------------------------------


def _nlb_listener(name: str, port: int, group: str) -> str:
    return f"""
resource "aws_lb_listener" "{name}" {{
  load_balancer_arn        = aws_lb.nlb.arn
  port                     = {port}
  protocol                 = "TCP"
  tcp_idle_timeout_seconds = 100 # {name}
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.{group}.arn
  }}
}}
"""


NLB_PORTS = (
    'resource "aws_lb" "nlb" {\n  load_balancer_type = "network"\n}\n'
    + _nlb_listener("ssh", 22, "ssh")
    + _nlb_listener("postgres", 5432, "db")
    + _nlb_listener("https", 443, "web")
    + _nlb_listener("chat", 9000, "chat")
    + _nlb_listener("app", 7000, "app")
    + _nlb_listener("game", 6000, "game")
    + """
resource "aws_lb_target_group" "ssh" {
  protocol = "TCP"
}
resource "aws_lb_target_group" "db" {
  name     = "orders-db"
  protocol = "TCP"
}
resource "aws_lb_target_group" "web" {
  protocol = "TCP"
}
resource "aws_lb_target_group" "chat" {
  name     = "chat-ws"
  protocol = "TCP"
}
resource "aws_lb_target_group" "app" {
  protocol = "TCP"
  health_check {
    protocol = "HTTP"
    path     = "/health"
  }
}
resource "aws_lb_target_group" "game" {
  protocol = "TCP"
  health_check {
    protocol = "TCP"
  }
}
"""
)


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_nlb_listeners_count_on_web_ports_or_with_evidence(lint: Lint) -> None:
    # 22 and 5432 carry SSH and a database: no WebSocket route, so their 100 s is no WS301. 443 is a web
    # port; 9000 forwards to a target group named for WebSocket; 7000's target group checks over HTTP.
    run = lint({"main.tf": NLB_PORTS}, "main.tf", "--ping-interval", "200s")
    expected = {("WS301", _line(NLB_PORTS, f"# {name}")) for name in ("https", "chat", "app")}
    assert run.rules_at() == expected
    messages = " ".join(str(f["message"]) for f in run.findings)
    assert "listener 22" not in messages and "listener 5432" not in messages


def test_websocket_ports_adds_listener_ports(lint: Lint) -> None:
    config = "websocket-ports = [6000]\n"
    run = lint(
        {"main.tf": NLB_PORTS, "wslint.toml": config}, "main.tf", "--config", "wslint.toml", "--ping-interval", "200s"
    )
    assert ("WS301", _line(NLB_PORTS, "# game")) in run.rules_at()
    assert ("WS301", _line(NLB_PORTS, "# ssh")) not in run.rules_at()


@pytest.mark.parametrize("value", ['[22, "http"]', "[0]", "[70000]", "[true]", "8080"])
def test_websocket_ports_must_be_port_numbers(lint: Lint, value: str) -> None:
    run = lint(
        {"main.tf": NLB_PORTS, "wslint.toml": f"websocket-ports = {value}\n"}, "main.tf", "--config", "wslint.toml"
    )
    assert run.code == 2
    assert "websocket-ports" in run.err and "wslint.toml" in run.err and "unknown key" not in run.err
    assert "Traceback" not in run.err


BC_HCL2 = Path(__file__).parent / ".deps" / "bc-python-hcl2"  # installed by scripts/install-test-deps.sh


@pytest.fixture(scope="session")
def bc_python_hcl2() -> Path:
    """checkov's real bc-python-hcl2 (a module named hcl2, as python-hcl2's), in a folder of its own."""
    if not (BC_HCL2 / "hcl2" / "__init__.py").is_file():
        _missing(f"bc-python-hcl2 in {BC_HCL2} (scripts/install-test-deps.sh)", "WSLINT_REQUIRE_PROXIES")
    return BC_HCL2


def test_hcl2_of_checkov_says_what_happened_and_lints_the_rest(
    wslint: Callable[..., Run], bc_python_hcl2: Path, tmp_path: Path
) -> None:
    """checkov's bc-python-hcl2 first on the path (issue 20): one line with the fix, exit 2, the rest linted."""
    alb = 'resource "aws_lb" "web" {\n  idle_timeout = 30\n}\n'
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "alb.tf").write_text(alb, encoding="utf-8")
    (tmp_path / "c").mkdir()  # .tf.json needs no hcl2
    (tmp_path / "c" / "main.tf.json").write_text(
        '{"resource": {"aws_lb": {"web": {"idle_timeout": 30}}}}\n', encoding="utf-8"
    )
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    location /ws/ {\n      proxy_pass http://app;\n"
        '      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection "upgrade";\n    }\n  }\n}\n',
        encoding="utf-8",
    )
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(bc_python_hcl2), os.environ.get("PYTHONPATH")]))}
    run = wslint(
        "--isolated", "--ping-interval", "20s", "a/alb.tf", "b/alb.tf", "c", "nginx.conf", cwd=tmp_path, env=env
    )
    assert run.code == 2, run.err
    errors = [line for line in run.err.splitlines() if "error" in line]
    assert len(errors) == 1, run.err  # said once, not once per Terraform folder
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert "bc-python-hcl2" in errors[0] and "pipx install wslint" in errors[0] and "uvx wslint" in errors[0]
    assert "c/main.tf.json:1:" in run.out and " WS301 " in run.out  # .tf.json is read without hcl2
    assert "nginx.conf:4:" in run.out and " WS101 " in run.out  # the other sources go on
    assert "a/alb.tf:" not in run.out and "b/alb.tf:" not in run.out
    # the same files in wslint's own environment (pipx/uvx): read as usual
    clean = wslint("--isolated", "--ping-interval", "20s", "a/alb.tf", cwd=tmp_path)
    assert clean.code == 1 and "a/alb.tf:2:3: WS301 " in clean.out, clean.out + clean.err
