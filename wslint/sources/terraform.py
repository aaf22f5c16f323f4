"""The Terraform source: ``.tf`` and ``.tf.json`` files -> AWS load balancer specs (``aws_spec``).

A Terraform module is a directory: the files of one directory are read together, and each
directory linted becomes one Document (``aws_spec.build``). The reader knows Terraform's
dialect and the AWS provider's, and nothing about rules:

- values: literals; ``var.x`` is the variable's ``default`` in the same directory, located
  where it is used with the default in ``related`` (RULES.md "Values"); ``local.x`` is its
  expression, followed the same way; everything else (functions, conditionals, data
  sources, module outputs, ``each``/``count``, interpolations of unknowns) is unknown and
  never fires a rule. A variable that an auto-loaded ``terraform.tfvars`` or
  ``*.auto.tfvars`` sets, or whose default is ``null`` (the caller decides), is unknown too.
  A literal ``null`` argument is an argument not written: the provider's default applies.
- resources: ``aws_lb``/``aws_alb`` (``load_balancer_type``, ``idle_timeout``,
  ``client_keep_alive``), ``aws_lb_listener``/``aws_alb_listener`` (``protocol``, ``port``,
  ``tcp_idle_timeout_seconds``), ``aws_lb_listener_rule``, ``aws_lb_target_group``/
  ``aws_alb_target_group`` (``deregistration_delay``, ``connection_termination``,
  ``health_check { path }``) and ``aws_elb`` (``listener`` blocks, ``idle_timeout``);
  ``module`` blocks of terraform-aws-modules/alb (registry ``terraform-aws-modules/alb/aws``
  or its GitHub URL; v9+ ``listeners``/``target_groups`` maps and the older
  ``http_tcp_listeners``/``https_listeners``/``target_groups`` lists) with their literal inputs,
  located at their map elements. A resource or module created zero times (``count = 0``, an
  empty ``for_each``, the module's ``create = false``) is left out. Nothing else is a load
  balancer setting (an ECS service's ``idle_timeout_seconds`` is not read at all).
- a listener belongs to the load balancer its ``load_balancer_arn`` names; one that names
  none (or several) belongs to none. A target group belongs to the load balancers whose
  listeners (or listener rules) forward to it; one no listener names is attached to every
  load balancer of the module of its protocol family (HTTP/HTTPS: ALB; TCP/TLS/UDP: NLB;
  unknown: both). A listener whose only actions are ``redirect``/``fixed-response`` and
  that no rule forwards from carries no WebSocket and is left out.
- a load balancer whose listeners wslint saw (at least one listener of the module names
  it) has ``listeners_known``; one without is a WebSocket hop of its own (aws_spec).
- sibling files: a file named alone on the command line is read with the other
  ``.tf``/``.tf.json`` files of its directory (variables, locals, listeners, target
  groups), as Terraform does; load balancers are reported only from the files linted.
  ``override.tf`` and ``*_override.tf`` files merge into the resource they override. A name
  defined twice in one directory (invalid Terraform, but common in folders of examples) is
  read per file: a reference takes the definition in its own file, else it is unknown.

This module loads the files and builds the documents; the concerns live beside it:
``terraform_blocks`` (what a file holds), ``terraform_hcl`` (``.tf``, the only importer of
python-hcl2) and ``terraform_json`` (``.tf.json``) read the syntax with line and column
numbers, ``terraform_values`` resolves variables and locals in one directory,
``terraform_resources`` and ``terraform_alb_module`` turn resources and module blocks into
load balancer specs (``aws_spec``).
"""

from __future__ import annotations

import functools
import os
import re

from wslint import BUG_HINT
from wslint.config import Settings
from wslint.model import Document, Location, Problem
from wslint.sources import aws_spec, terraform_alb_module, terraform_azure, terraform_cloudflare, terraform_gcp
from wslint.sources import text as textio
from wslint.sources.aws_spec import LoadBalancerSpec
from wslint.sources.registry import Context, Target
from wslint.sources.terraform_blocks import Block, SyntaxProblem, TfFile
from wslint.sources.terraform_hcl import Hcl2Unavailable, parse_hcl
from wslint.sources.terraform_json import JsonReader, parse_json
from wslint.sources.terraform_resources import ResourceReader
from wslint.sources.terraform_values import Module


def _specs(module: Module) -> list[LoadBalancerSpec]:
    """The load balancer specs of one module: its resources, then its terraform-aws-modules/alb blocks."""
    alb_modules = [terraform_alb_module.read(module, block, tf) for block, tf in module.modules]
    return ResourceReader(module).specs([lb for lb in alb_modules if lb is not None])


def _is_tf(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".tf", ".tf.json"))


def _read(real: str, stdin: dict[str, bytes], limit: int) -> str:
    return textio.read_text(real, limit, stdin, reader="Terraform")


@functools.lru_cache(maxsize=64)
def _parse_text(text: str, display: str, is_json: bool) -> tuple[Block, ...]:
    """The blocks of one file (read-only; cached: a directory's files are read again with each file named alone)."""
    return tuple(parse_json(text, display) if is_json else parse_hcl(text, display))


def _parse_file(tf: TfFile, text: str) -> None:
    try:
        tf.blocks = list(_parse_text(text, tf.display, tf.real.lower().endswith(".json")))
    except SyntaxProblem as exc:
        tf.error = Problem(
            kind="parse-error",
            location=Location(file=tf.display, line=exc.line, column=exc.column),
            message=f"Terraform syntax error: {exc.message}",
        )
    except RecursionError:
        tf.error = Problem(
            kind="parse-error",
            location=Location(file=tf.display, line=1, column=1),
            message="Terraform syntax error: nested too deeply to read",
        )


def _tfvars_names(directory: str, limit: int) -> set[str]:
    """Variables set by the files Terraform loads by itself (terraform.tfvars, *.auto.tfvars[.json])."""
    names: set[str] = set()
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return names
    for entry in entries:
        lower = entry.lower()
        if lower not in ("terraform.tfvars", "terraform.tfvars.json") and not lower.endswith(
            (".auto.tfvars", ".auto.tfvars.json")
        ):
            continue
        path = os.path.join(directory, entry)
        try:
            text = textio.read_text(path, limit)
            if lower.endswith(".json"):
                root = JsonReader(text).document()
                names |= {key for key, _, _ in root.items}
            else:
                names |= {m.group(1) for m in re.finditer(r"^\s*([A-Za-z_][\w-]*)\s*=", text, re.M)}
        except (OSError, textio.DecodeError, SyntaxProblem):
            continue
    return names


def _siblings(directory: str, display_dir: str, known: set[str]) -> list[tuple[str, str]]:
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    out = []
    for entry in entries:
        real = os.path.realpath(os.path.join(directory, entry))
        if _is_tf(entry) and real not in known and os.path.isfile(real):
            out.append((real, os.path.join(display_dir, entry) if display_dir else entry))
    return out


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Terraform files (the source registry's ``load``).

    One Document per directory (a Terraform module), in the order the directories are first met.
    """
    settings, stdin = context.settings, context.stdin
    errors: list[str] = []
    by_dir: dict[str, list[tuple[str, str]]] = {}
    for file in files:
        by_dir.setdefault(os.path.dirname(file.real), []).append((file.real, file.display))
    documents: list[Document] = []
    unavailable = False
    for directory, members in by_dir.items():
        try:
            document = _module_document(directory, members, stdin, errors, settings)
        except Hcl2Unavailable as exc:  # no .tf file can be read: said once, and the other sources go on
            if not unavailable:
                errors.append(f"{members[0][1]}: {exc}")
                unavailable = True
            continue
        except Exception as exc:  # a bug of ours: this module is an internal error, the others go on
            errors.append(
                f"{members[0][1]}: internal error in the Terraform source: {type(exc).__name__}: {exc}; {BUG_HINT}"
            )
            continue
        if document is not None:
            documents.append(document)
    return documents, errors


def read_specs(
    files: list[tuple[str, str]], stdin: dict[str, bytes] | None = None, limit: int = textio.DEFAULT_LIMIT
) -> list[LoadBalancerSpec]:
    """The specs the files of one directory hold, given as (real path, display path)."""
    module = _read_module(os.path.dirname(files[0][0]), files, stdin or {}, [], limit)
    return [] if module is None else _specs(module)


def _read_module(
    directory: str, members: list[tuple[str, str]], stdin: dict[str, bytes], errors: list[str], limit: int
) -> Module | None:
    tfs: list[TfFile] = []
    for real, display in members:
        tf = TfFile(real, display, linted=True)
        try:
            text = _read(real, stdin, limit)
        except OSError as exc:
            errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        except textio.DecodeError as exc:
            tf.error = Problem(
                kind="parse-error", location=Location(file=display, line=exc.line, column=1), message=exc.message
            )
            tfs.append(tf)
            continue
        _parse_file(tf, text)
        tfs.append(tf)
    if not tfs:
        return None
    known = {real for real, _ in members}
    display_dir = os.path.dirname(members[0][1])
    for real, display in _siblings(directory, display_dir, known):
        sibling = TfFile(real, display, linted=False)
        try:
            _parse_file(sibling, _read(real, stdin, limit))
        except (OSError, textio.DecodeError):
            sibling.error = Problem(kind="note", location=Location(file=display), message="unreadable")
        tfs.append(sibling)
    return Module(tfs, _tfvars_names(directory, limit))


def _module_document(
    directory: str, members: list[tuple[str, str]], stdin: dict[str, bytes], errors: list[str], settings: Settings
) -> Document | None:
    module = _read_module(directory, members, stdin, errors, settings.max_file_size)
    if module is None:
        return None
    specs = _specs(module)
    linted = [tf for tf in module.files if tf.linted]
    document = aws_spec.build(
        specs, file=linted[0].display, files=[tf.display for tf in linted], ports=settings.all_websocket_ports
    )
    # the other providers' load balancers and platforms: each adds its hops (and problems) to the module's document
    for provider in (terraform_gcp, terraform_azure, terraform_cloudflare):
        provider.read(module, document, settings)
    for tf in linted:
        if tf.error is not None:
            document.problems.append(tf.error)
    return document
