"""The built wheel carries the rule documents and the report schema, and works in a fresh venv.

The wheel is built with ``python -m build --wheel`` (without build isolation when hatchling is
importable, so no network is needed) and installed with ``--no-deps`` into a new venv. wslint's
dependencies (crossplane, pydantic, ...) come from the test interpreter's site-packages through
a .pth file placed after the venv's own site-packages, so the installed wheel's wslint is the
one that runs, and no registry is asked.
"""

from __future__ import annotations

import email.parser
import importlib.util
import os
import re
import site
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

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
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    cmd = [sys.executable, "-m", "build", "--sdist", "--outdir", str(out)]
    if importlib.util.find_spec("hatchling") is not None:
        cmd.append("--no-isolation")
    proc = _run(cmd, cwd=ROOT)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    found = sorted(out.glob("wslint-*.tar.gz"))
    assert len(found) == 1, found
    return found[0]


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


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
    # rendered for a terminal (issue 20): the document without its front matter, from the wheel's copy
    from wslint import ruledoc
    from wslint.report.markdown_terminal import render

    markdown, _ = ruledoc.split(WS101_DOC.read_text(encoding="utf-8"))
    assert proc.stdout.startswith(render(markdown) + "\n")
    # where the rule is implemented, in the installed package
    assert proc.stdout.endswith(
        "\nCheck: http_version in wslint/checks/upgrade.py\nFixer: http_version in wslint/fix/nginx.py\n"
    )


# -- release hygiene (issue 20) -------------------------------------------------------------------------------

REPOSITORY = "https://github.com/wslint/wslint"


def test_license_file_is_the_declared_license() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert pyproject["license"] == "Apache-2.0"
    assert pyproject["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert re.search(r"^\s+Apache License\n\s+Version 2\.0, January 2004\n", text)
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text


def test_wheel_and_sdist_carry_the_license(wheel: Path, sdist: Path) -> None:
    licence = (ROOT / "LICENSE").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert len(names) == 1, archive.namelist()
        assert archive.read(names[0]) == licence
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/LICENSE")
        assert member is not None and member.read() == licence


def test_wheel_metadata_for_the_package_index(wheel: Path) -> None:
    meta = _metadata(wheel)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    classifiers = meta.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3 :: Only" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert not any(c.startswith("License :: ") for c in classifiers)  # the license expression says it (PEP 639)
    assert {"websocket", "nginx", "haproxy", "linter"} <= set((meta["Keywords"] or "").split(","))
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues", "Source"}, urls
    assert all(url.startswith(REPOSITORY) for url in urls.values()), urls
    # websockets only for `wslint probe`
    requires = meta.get_all("Requires-Dist") or []
    websockets = [r for r in requires if r.startswith("websockets")]
    assert "websockets>=13; extra == 'probe'" in websockets, requires
    assert all("extra ==" in r for r in websockets), requires
    assert {"aws", "probe", "test"} <= set(meta.get_all("Provides-Extra") or [])


def test_readme_links_work_on_the_package_index(wheel: Path) -> None:
    """The long description is shown on PyPI, where a relative link goes nowhere: every link is absolute."""
    description = _metadata(wheel).get_payload()
    assert isinstance(description, str) and "# wslint" in description
    links = re.findall(r"\]\(([^)\s]+)\)", description)
    assert links, "the README links to its documents"
    relative = [link for link in links if not re.match(r"https?://", link)]
    assert relative == [], relative
    for link in links:
        if link.startswith(REPOSITORY + "/blob/main/"):
            assert (ROOT / link.removeprefix(REPOSITORY + "/blob/main/")).exists(), link


def _changelog_versions() -> tuple[set[str], bool]:
    """The versions CHANGELOG.md has a section for, and whether its first section is "Unreleased"."""
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    versions = {m.group(1) for h in headings if (m := re.match(r"v?(\d+\.\d+\.\d+)\b", h))}
    return versions, bool(headings) and headings[0].strip().lower().startswith("unreleased")


def test_docs_name_versions_the_changelog_defines() -> None:
    """Every `rev: vX.Y.Z` and `wslint/wslint@vX.Y.Z` users copy names a version with a CHANGELOG section; while the
    top section is "Unreleased" (the release being prepared), that is the version in wslint/__init__.py."""
    from wslint import __version__

    versions, unreleased = _changelog_versions()
    if unreleased:
        versions.add(__version__)
    documents = [
        ROOT / "README.md",
        ROOT / ".pre-commit-hooks.yaml",
        ROOT / "action.yml",
        *sorted((ROOT / "docs").glob("*.md")),
    ]
    named: list[tuple[str, str]] = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        for match in re.finditer(r"^[\s#-]*rev:\s*v?(\S+)|\bwslint/wslint@v?([^\s`'\"]+)", text, re.M):
            named.append((document.name, match.group(1) or match.group(2)))
    assert named, "the docs show a rev: and a uses: wslint/wslint@"
    unknown = [(doc, version) for doc, version in named if version not in versions]
    assert unknown == [], f"versions the CHANGELOG does not define: {unknown} (defined: {sorted(versions)})"
