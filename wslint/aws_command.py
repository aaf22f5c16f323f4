"""``wslint aws``: lint live load balancers through boto3.

``wslint aws [--region R] [--profile P] (--name N | --arn A | --all)`` and the report
options of ``wslint check``. The region may also come from the ARN, AWS_REGION /
AWS_DEFAULT_REGION or the profile. boto3 is imported only once the command runs.
Findings are located at ``aws://REGION/ARN`` with no line (RULES.md).
"""

from __future__ import annotations

import argparse

from wslint.cli_common import Parser, add_run_options, command_line, emit, say, say_notes, show_settings


def _parser() -> argparse.ArgumentParser:
    p = Parser(prog="wslint aws", description="Lint live load balancers (ALB, NLB, Classic ELB) through boto3.")
    p.add_argument("--region", metavar="R", help="AWS region (default: the ARN's, AWS_REGION, or the profile's)")
    p.add_argument("--profile", metavar="P", help="a profile of ~/.aws/config (default: the standard chain)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", metavar="N", help="the load balancer of that name (ALB, NLB or Classic ELB)")
    which.add_argument("--arn", metavar="A", help="the ALB or NLB with that ARN")
    which.add_argument("--all", action="store_true", help="every load balancer in the region")
    add_run_options(p)
    return p


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # --help, or a bad command line (one line, exit 2)
        return exc.code if isinstance(exc.code, int) else 2

    from wslint.config import ConfigError
    from wslint.engine import Result, enabled_rules, run_checks
    from wslint.settings import resolve

    try:
        settings, notes = resolve(command_line(args))
    except ConfigError as exc:
        say("error", str(exc))
        return 2
    say_notes(notes, args)
    if args.show_settings:
        return show_settings(settings)

    try:
        import boto3  # noqa: F401  (an optional dependency: the extra "aws")
    except ImportError as exc:
        say("error", f"`wslint aws` needs boto3: pip install 'wslint[aws]' ({exc})")
        return 2
    from wslint.sources import aws_live

    selection = aws_live.Selection(name=args.name, arn=args.arn, all=args.all)
    try:
        live = aws_live.read(args.region, args.profile, selection)
    except aws_live.AwsError as exc:
        say("error", aws_live.safe(str(exc)))
        return 2
    document = live.document(settings.all_websocket_ports)
    result = Result(documents=[document], notes=list(live.notes), files=1, rules=enabled_rules(settings))
    result.notes.extend(f"{p.location}: {p.message}" for p in document.problems if p.kind == "note")
    result.findings, errors = run_checks([document], settings)
    result.errors.extend(errors)
    return emit(result, settings, args)
