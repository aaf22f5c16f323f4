""".ci/run runs exactly the README's test command, and fails whenever that command fails."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import readme_block

ROOT = Path(__file__).resolve().parent.parent
CI_RUN = ROOT / ".ci" / "run"


def readme_command(name: str) -> str:
    lines = [line for line in readme_block(name) if line.strip()]
    assert len(lines) == 1, f"README's {name} block must hold exactly one command line, got {lines}"
    return lines[0]


def test_ci_run_contains_the_readme_test_command_verbatim() -> None:
    command = readme_command("test-command")
    assert "pip install -e '.[test]'" in command
    assert "scripts/install-test-deps.sh" in command
    assert command.rstrip().endswith("pytest")
    ci_lines = CI_RUN.read_text(encoding="utf-8").split("\n")
    assert command in ci_lines, f".ci/run does not run the README's test command verbatim:\n{command}"


def test_ci_run_is_strict_and_complete() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert CI_RUN.stat().st_mode & stat.S_IXUSR, ".ci/run must be executable"
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert re.search(r"^export .*\bWSLINT_REQUIRE_SHARED=1\b", text, re.M)
    assert re.search(r"^export .*\bWSLINT_REQUIRE_PROXIES=1\b", text, re.M)
    for check in ("ruff check .", "ruff format --check .", "mypy wslint"):
        assert re.search(rf"^{re.escape(check)}$", text, re.M), f".ci/run does not run `{check}`"


def test_install_script_is_executable() -> None:
    script = ROOT / "scripts" / "install-test-deps.sh"
    assert script.stat().st_mode & stat.S_IXUSR
    subprocess.run(["bash", "-n", str(script)], check=True)


def _fake_checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of .ci/run in a tree whose python3, pip, pytest, ruff and mypy are stubs."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    (repo / "scripts").mkdir()
    (repo / ".ci" / "run").write_text(CI_RUN.read_text(encoding="utf-8"), encoding="utf-8")
    (repo / "scripts" / "install-test-deps.sh").write_text("exit 0\n", encoding="utf-8")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    scripts = {
        # python3 -m venv .venv: an activate script that is safe to source under set -u
        "python3": 'mkdir -p .venv/bin && echo "export FAKE_VENV=1" > .venv/bin/activate\n',
        "pip": "exit 0\n",
        "pytest": 'echo "pytest ran"; exit "${FAKE_PYTEST_EXIT:-0}"\n',
        "ruff": 'echo "ruff $*"; [ "${FAKE_VENV:-}" = 1 ]\n',
        "mypy": 'echo "mypy $*"; exit "${FAKE_MYPY_EXIT:-0}"\n',
    }
    for name, body in scripts.items():
        path = stubs / name
        path.write_text("#!/bin/sh\n" + textwrap.dedent(body), encoding="utf-8")
        path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "FAKE_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{stubs}:/usr/bin:/bin"
    return repo, env


@pytest.mark.parametrize(
    ("fake", "expected"),
    [
        ({}, 0),
        ({"FAKE_PYTEST_EXIT": "1"}, 1),
        ({"FAKE_PYTEST_EXIT": "5"}, 5),  # no tests collected must fail CI too
        ({"FAKE_MYPY_EXIT": "1"}, 1),
    ],
)
def test_ci_run_exit_status(tmp_path: Path, fake: dict[str, str], expected: int) -> None:
    repo, env = _fake_checkout(tmp_path)
    proc = subprocess.run(
        ["bash", str(repo / ".ci" / "run")],
        cwd=tmp_path,
        env={**env, **fake},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == expected, proc.stdout + proc.stderr
    if expected == 0:
        # the checks after the test command run in the venv it activated
        assert "ruff check ." in proc.stdout and "ruff format --check ." in proc.stdout
        assert "mypy wslint" in proc.stdout
    if "FAKE_PYTEST_EXIT" in fake:
        assert "mypy" not in proc.stdout


def test_install_script_and_test_extra_bring_the_ws101_matrix() -> None:
    """Every runtime a server of the WS101 matrix needs is installed by `pip install -e '.[test]'` (Python packages),
    tests/backends/package.json (npm packages, installed by the script) or the script's apt-get (Go, gorilla)."""
    from tests.test_proof_ws101 import BACKENDS, MATRIX

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "install-test-deps.sh").read_text(encoding="utf-8")
    npm = json.loads((BACKENDS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    needs = {need for server in MATRIX for need in server.needs}
    for need in sorted(needs):
        kind, _, name = need.partition(":")
        if kind == "python":
            assert re.search(rf'^\s*"{re.escape(name)}[>=<~ ;\[]', pyproject, re.M), f"pyproject.toml lacks {name}"
        elif kind == "node":
            assert re.fullmatch(r"\d+\.\d+\.\d+", npm.get(name, "")), f"package.json does not pin {name}"
        else:
            assert need == "go:gorilla"
            for package in ("golang-go", "golang-github-gorilla-websocket-dev"):
                assert re.search(rf"^need \S+ {package}$", script, re.M), f"the script does not install {package}"
    for command in ("node nodejs", "npm npm"):
        assert re.search(rf"^need {command}$", script, re.M), f"the script does not install {command.split()[1]}"
    assert re.search(r"^\s*npm install --prefix \"\$BACKENDS\"", script, re.M)
    assert "tests/backends/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_tool_pins_live_in_ci_constraints_not_in_the_test_extra() -> None:
    """The test extra gives ranges (issue 20); CI's exact ruff and mypy come from .ci/constraints.txt, which .ci/run
    hands to pip through PIP_CONSTRAINT, so the README's test command stays the same for users and for CI."""
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    test = {Requirement(r).name: Requirement(r) for r in extras["test"]}
    pinned = [str(r) for r in test.values() if any(s.operator in ("==", "===") for s in r.specifier)]
    assert pinned == [], f"exact pins in the test extra: {pinned}"
    constraints = {
        Requirement(line).name: Requirement(line)
        for line in (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for tool in ("ruff", "mypy"):
        (spec,) = constraints[tool].specifier
        assert spec.operator == "==", constraints[tool]
        assert test[tool].specifier.contains(spec.version), (
            f"{constraints[tool]} is outside the test extra's {test[tool]}"
        )
    text = CI_RUN.read_text(encoding="utf-8")
    export = re.search(r'^export PIP_CONSTRAINT="\$PWD/\.ci/constraints\.txt"$', text, re.M)
    assert export and export.start() < text.index(readme_command("test-command")), "set before the test command"
