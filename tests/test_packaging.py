"""The built wheel carries the rule documents and the report schema, and works in a fresh venv.

The wheel is built with ``python -m build --wheel`` (without build isolation when hatchling is
importable, so no network is needed) and installed with ``--no-deps`` into a new venv. wslint's
dependencies (crossplane, pydantic, ...) come from the test interpreter's site-packages through
a .pth file placed after the venv's own site-packages, so the installed wheel's wslint is the
one that runs, and no registry is asked.
"""

from __future__ import annotations

import importlib.util
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WS101_DOC = ROOT / "rules" / "WS101.md"
needs_rule_docs = pytest.mark.skipif(not WS101_DOC.is_file(), reason="rules/WS101.md is not written yet")

pytestmark = pytest.mark.timeout(300)


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "PYTHON", "VIRTUAL_ENV"))}
    env["NO_COLOR"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=280)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    if importlib.util.find_spec("build") is not None:
        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out)]
        if importlib.util.find_spec("hatchling") is not None:
            cmd.append("--no-isolation")
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), "."]
    proc = _run(cmd, cwd=ROOT)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    wheels = sorted(out.glob("wslint-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv") / "venv"
    proc = _run([sys.executable, "-m", "venv", str(home)])
    assert proc.returncode == 0, proc.stderr
    python = home / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    outer = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    if site.ENABLE_USER_SITE:
        outer.append(site.getusersitepackages())
    # appended after the venv's own site-packages: dependencies only; .pth files in them are not run,
    # so an editable wslint of the test environment stays invisible
    (Path(purelib) / "zz_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in dict.fromkeys(outer) if os.path.isdir(path)), encoding="utf-8"
    )
    proc = _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return home


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "wslint/schemas/report.schema.json" in names
    assert "wslint/cli.py" in names
    assert not any(name.startswith(("tests/", "examples/", "rules/")) for name in names)


@needs_rule_docs
def test_wheel_carries_every_rule_document(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "wslint/_rules/WS101.md" in names
    for doc in sorted((ROOT / "rules").glob("*.md")):
        assert f"wslint/_rules/{doc.name}" in names


def test_installed_wheel_is_the_one_that_runs(venv: Path, tmp_path: Path) -> None:
    proc = _run([str(venv / "bin" / "python"), "-c", "import wslint; print(wslint.__file__)"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(venv), proc.stdout


def test_version(venv: Path, tmp_path: Path) -> None:
    from wslint import __version__

    proc = _run([str(venv / "bin" / "wslint"), "--version"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wslint {__version__}"


def test_lint_runs_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    proc = _run(
        [str(venv / "bin" / "wslint"), str(ROOT / "examples" / "nginx.conf"), "--ping-interval", "25s"],
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert " WS101 [error] " in proc.stdout


@needs_rule_docs
def test_rule_document_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    proc = _run([str(venv / "bin" / "wslint"), "rule", "WS101"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expected = WS101_DOC.read_text(encoding="utf-8")
    assert proc.stdout.startswith((expected if expected.endswith("\n") else expected + "\n") + "\n")
    # where the rule is implemented, in the installed package
    assert proc.stdout.endswith(
        "\nCheck: http_version in wslint/checks/upgrade.py\nFixer: http_version in wslint/fix/nginx.py\n"
    )
