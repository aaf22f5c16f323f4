"""WS201/WS301 fixes for AWS load balancers (wslint/fix/aws.py) through the real CLI.

Before/after pairs in tests/fixtures/fix/aws/: Terraform (HCL and JSON) and CloudFormation (YAML
and JSON), each copied alone into a temporary directory (a Terraform module is a directory) and
fixed there. Every pair is checked for: the fixed file, what the fix says it did and did not do,
the re-lint, a second --fix changing nothing, --diff printing the same change as a patch, and the
fixed file still parsing.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import hcl2
import pytest

from tests.conftest import Run
from wslint.fix import Context, Unfixable
from wslint.model import Duration, Location
from wslint.sources import yaml_positions

Wslint = Callable[..., Run]
PAIRS = Path(__file__).resolve().parent / "fixtures" / "fix" / "aws"
pytestmark = pytest.mark.timeout(120)


@dataclass(frozen=True)
class Case:
    before: str  # fixture file
    target: str  # its name in the temporary directory
    args: tuple[str, ...]
    fixed: tuple[str, ...]  # "RULE@LINE" the fix repairs (lines of the before file)
    after: str | None = None  # None: the file stays as it is
    left: tuple[str, ...] = ()  # "RULE@LINE" left unfixed
    reasons: tuple[str, ...] = ()  # what stderr says about them


CASES = {
    "tf-default": Case(
        "tf-default.before.tf", "main.tf", (), ("WS201@2", "WS201@30", "WS201@41"), "tf-default.after.tf"
    ),
    "tf-raise": Case(
        "tf-raise.before.tf",
        "main.tf",
        ("--ping-interval", "4m"),
        ("WS301@4", "WS301@9", "WS301@14", "WS301@30", "WS301@45"),
        "tf-raise.after.tf",
        left=("WS301@56",),
        reasons=("not fixed main.tf:54:1: WS301", "the listener is TLS", "a TLS listener's is 350 seconds"),
    ),
    "tf-variable": Case(
        "tf-variable.before.tf",
        "main.tf",
        ("--ping-interval", "25s"),
        (),
        left=("WS301@13", "WS301@18"),
        reasons=(
            "not fixed main.tf:13:3: WS301 raise idle_timeout to 1h: the value comes from the default of a "
            "variable, local or parameter at main.tf:4:3: change it there",
            "not fixed main.tf:18:3: WS301",
            "local or parameter at main.tf:8:3",
        ),
    ),
    "tf-json": Case(
        "tf-json.before.tf.json",
        "lb.tf.json",
        ("--ping-interval", "25s"),
        ("WS301@6", "WS201@8"),
        "tf-json.after.tf.json",
    ),
    "tf-above-max": Case(
        "tf-default.before.tf",
        "main.tf",
        ("--ping-interval", "40m"),
        (),
        left=("WS201@2", "WS301@2", "WS201@30", "WS301@30", "WS201@41", "WS301@41"),
        reasons=(
            "not fixed main.tf:2:1: WS201 set idle_timeout to 1h20m: 4800 s is above an ALB's maximum idle timeout "
            "of 4000 s: twice the ping interval needs 4800 s: ping at most every 33m20s",
            "not fixed main.tf:30:1: WS301 set idle_timeout to 1h20m: 4800 s is above a Classic ELB's maximum idle "
            "timeout of 3600 s",
        ),
    ),
    "cfn-default": Case(
        "cfn-default.before.yaml", "template.yaml", (), ("WS201@5", "WS201@16", "WS201@37"), "cfn-default.after.yaml"
    ),
    "cfn-raise": Case(
        "cfn-raise.before.yaml",
        "template.yaml",
        ("--ping-interval", "4m"),
        ("WS301@10", "WS301@16", "WS301@26", "WS301@46"),
        "cfn-raise.after.yaml",
        left=("WS301@50",),
        reasons=("not fixed template.yaml:47:3: WS301", "the listener is TLS"),
    ),
    "cfn-parameter": Case(
        "cfn-parameter.before.yaml",
        "template.yaml",
        ("--ping-interval", "4m"),
        (),
        left=("WS301@13",),
        reasons=("not fixed template.yaml:13:18: WS301", "local or parameter at template.yaml:5:14: change it there"),
    ),
    "cfn-json": Case(
        "cfn.before.json",
        "template.json",
        ("--ping-interval", "25s"),
        ("WS201@4", "WS301@17", "WS201@23", "WS201@31"),
        "cfn.after.json",
    ),
}


def _findings(run: Run) -> set[str]:
    assert run.code in (0, 1), f"exit {run.code}\n{run.err}"
    return {f"{f['rule']}@{f['line']}" for f in json.loads(run.out)["findings"]}


def _patch(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), name, name))


def _parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".tf"):
        hcl2.loads(text)
    elif path.name.endswith(".json"):
        json.loads(text)
    if not path.name.endswith(".tf"):
        assert yaml_positions.load(text) is not None


@pytest.mark.parametrize("name", sorted(CASES))
def test_aws_pair(wslint: Wslint, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    before = (PAIRS / case.before).read_text(encoding="utf-8")
    after = (PAIRS / case.after).read_text(encoding="utf-8") if case.after else before
    args = ("--isolated", "--select", "WS001,WS201,WS301", *case.args)
    target = tmp_path / case.target

    # --diff: the change as a patch, exit 1, nothing written
    target.write_text(before, encoding="utf-8")
    shown = wslint(*args, "--diff", case.target, cwd=tmp_path)
    assert "Traceback" not in shown.err, shown.err
    assert shown.out == _patch(before, after, case.target)
    assert shown.code == (1 if case.fixed or case.left else 0), shown.err
    assert target.read_text(encoding="utf-8") == before

    # --fix: the after file, and what was and was not fixed
    run = wslint(*args, "--output-format", "json", "--fix", case.target, cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == after, run.err
    for expected in case.fixed:
        rule, line = expected.split("@")
        assert re.search(rf"^wslint: fixed {re.escape(case.target)}:{line}:\d+: {rule} ", run.err, re.M), run.err
    assert run.err.count("wslint: fixed ") == len(case.fixed), run.err
    for reason in case.reasons:
        assert reason in run.err, run.err
    assert _findings(run) == set(case.left), run.err
    _parses(target)

    # a second --fix: nothing more to do; the re-lint from disk leaves only what could not be fixed
    if case.after is None:
        return  # nothing was written: the run above was the re-lint
    again = wslint(*args, "--output-format", "json", "--fix", case.target, cwd=tmp_path)
    assert "wslint: fixed" not in again.err, again.err
    assert target.read_text(encoding="utf-8") == after
    assert _findings(again) == set(case.left), again.err


def test_pairs_are_used() -> None:
    """Every fixture file belongs to a case."""
    used = {c.before for c in CASES.values()} | {c.after for c in CASES.values() if c.after}
    assert {p.name for p in PAIRS.iterdir()} == used


def test_crlf_and_bom_are_kept(wslint: Wslint, tmp_path: Path) -> None:
    before = (PAIRS / "cfn-default.before.yaml").read_text(encoding="utf-8")
    after = (PAIRS / "cfn-default.after.yaml").read_text(encoding="utf-8")
    target = tmp_path / "template.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + before.replace("\n", "\r\n").encode())
    run = wslint("--isolated", "--fix", "template.yaml", cwd=tmp_path)
    assert run.err.count("wslint: fixed ") == 3, run.err
    assert target.read_bytes() == b"\xef\xbb\xbf" + after.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("value", "written", "reason"),
    [
        ("30m", "1800", ""),
        ("2h", None, "7200 s is above an ALB's maximum idle timeout of 4000 s: lower fix-idle-timeout (now 2h)"),
    ],
)
def test_fix_idle_timeout_setting(wslint: Wslint, tmp_path: Path, value: str, written: str | None, reason: str) -> None:
    shutil.copyfile(PAIRS / "tf-default.before.tf", tmp_path / "main.tf")
    (tmp_path / "wslint.toml").write_text(f'fix-idle-timeout = "{value}"\n', encoding="utf-8")
    run = wslint("--config", "wslint.toml", "--fix", "main.tf", cwd=tmp_path)
    text = (tmp_path / "main.tf").read_text(encoding="utf-8")
    if written is not None:
        assert f"  idle_timeout       = {written}\n" in text, run.err
    else:
        assert "idle_timeout" not in text and reason in run.err, run.err


def test_terraform_fixes_stay_fmt_clean(tmp_path: Path) -> None:
    """`terraform fmt` would change nothing in the fixed files (new arguments aligned as fmt aligns them)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    for path in sorted(PAIRS.glob("*.tf")):
        shutil.copyfile(path, tmp_path / path.name)
    proc = subprocess.run(
        [terraform, "fmt", "-check", "-list=true", "."], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: chat
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
spec:
  ingressClassName: alb
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


def test_kubernetes_and_cli_output_are_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "ingress.yaml").write_text(INGRESS, encoding="utf-8")
    shutil.copyfile(PAIRS.parent.parent / "awscli" / "lb-attributes-30.json", tmp_path / "attributes.json")
    run = wslint("--isolated", "--ping-interval", "25s", "--fix", ".", cwd=tmp_path)
    assert "wslint: fixed" not in run.err
    assert "not fixed ingress.yaml:5:3: WS201" in run.err and "a Kubernetes annotation" in run.err, run.err
    assert "not fixed attributes.json:9:22: WS301" in run.err and "saved AWS CLI output" in run.err, run.err
    assert (tmp_path / "ingress.yaml").read_text(encoding="utf-8") == INGRESS


def test_live_load_balancers_are_not_fixed() -> None:
    from wslint.fix import aws

    where = Location(file="aws://us-east-1/arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/chat/1")
    live = Duration(seconds=60, text="60", dialect="aws", location=where, default=True, directive="idle_timeout")
    with pytest.raises(Unfixable, match="a live load balancer"):
        aws.set_idle_timeout(cast(Context, cast(Any, None)), live, 3600)
