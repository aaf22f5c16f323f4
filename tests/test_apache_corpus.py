"""The Apache corpus (../shared/corpus/apache): read without a traceback, and wslint's WS001 agrees with
``apache2 -t`` on which files Apache refuses to parse.

``apache2 -t`` runs on a wrapper config: every module of the machine loaded (but those the file loads itself and
the MPMs other than event), ``ServerName``/``ErrorLog``/``PidFile`` set, ``ServerRoot`` the file's folder, then
``Include`` of the file. A refusal that depends on the machine, not on the text (a file it names that is not here,
a module built in, a certificate, a log folder) or on a value wslint does not validate (``LogLevel ${VAR}``) is
not comparable; every other verdict must agree. Skipped without apache2 unless WSLINT_REQUIRE_PROXIES=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _missing
from wslint.sources.apache_syntax import parse, walk

MODULES = Path("/usr/lib/apache2/modules")
# apache2 refusals that depend on the machine or on a directive's value, not on the text's syntax
ENVIRONMENT = re.compile(
    r"Could not open|does not exist|is built-in|Cannot access directory|No such file|SSLCertificate"
    r"|Log level keyword|Invalid command|not allowed here|takes one argument|must be",
    re.I,
)


@pytest.fixture(scope="module")
def apache2() -> str:
    path = shutil.which("apache2") or ("/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None)
    if path is None or not MODULES.is_dir():
        _missing("the apache2 binary", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


def _manifest(shared: Path) -> list[Path]:
    root = shared / "corpus" / "apache"
    lines = (root / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [root / line.split("\t")[0] for line in lines if line.strip()]


def _apache_verdict(binary: str, file: Path, tmp: Path, server_root: Path | None = None) -> tuple[bool, str]:
    """(accepted, apache2's first error line). The ServerRoot is the file's folder unless given."""
    own = {
        d.args[0].text.lower()
        for d in walk(parse(file.read_text(encoding="utf-8", errors="replace"), str(file)).directives)
        if d.lower == "loadmodule" and d.args
    }
    loads = []
    for so in sorted(MODULES.glob("mod_*.so")):
        name = so.stem.removeprefix("mod_") + "_module"
        if name in own or name in ("mpm_prefork_module", "mpm_worker_module"):
            continue
        # a file that loads its own modules is a main config: only an MPM is added (the others depend on its own)
        if own and not name.startswith("mpm_"):
            continue
        if own and any(m.startswith("mpm_") for m in own):
            continue
        loads.append(f"LoadModule {name} {so}")
    wrapper = tmp / "wrapper.conf"
    wrapper.write_text(
        "\n".join([*loads, "ServerName localhost", "ErrorLog /dev/null", f"PidFile {tmp}/pid", f'Include "{file}"'])
        + "\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [binary, "-t", "-f", str(wrapper), "-C", f"ServerRoot {server_root or file.parent}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line and not line.startswith("[")]
    errors = [line for line in lines if "Syntax OK" not in line and "Warning" not in line]
    return run.returncode == 0, " ".join(errors[:2])


def test_corpus_read_and_ws001_agrees_with_apache2(shared_dir: Path, apache2: str, tmp_path: Path) -> None:
    root = shared_dir / "corpus" / "apache"
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "--isolated", "--output-format", "json", "--select", "WS001", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    refused_by_wslint = {str(f["file"]) for f in report["findings"]}
    rows = []
    agree = compared = 0
    for file in _manifest(shared_dir):
        name = str(file.relative_to(root))
        accepted, error = _apache_verdict(apache2, file, tmp_path)
        wslint_ok = name not in refused_by_wslint
        if not accepted and ENVIRONMENT.search(error):
            rows.append((name, "not comparable", error[:120]))
            continue
        compared += 1
        agree += accepted == wslint_ok
        rows.append((name, "agree" if accepted == wslint_ok else "DISAGREE", error[:120]))
    print(f"\napache2 -t vs WS001: {agree}/{compared} agree ({len(rows) - compared} not comparable)")
    for row in rows:
        print("  ".join(row))
    assert compared and agree == compared, [r for r in rows if r[1] == "DISAGREE"]


def test_ws001_agrees_with_apache2_on_broken_copies(shared_dir: Path, apache2: str, tmp_path: Path) -> None:
    """Copies of the corpus files apache2 accepts, each broken one way (its last closing tag dropped; a stray
    ``</VirtualHost>`` appended; a section line without its ``>``): apache2 refuses each, and so does wslint."""
    from wslint.sources.apache_files import Loader
    from wslint.sources.apache_syntax import parse as parse_text

    broken = 0
    for file in _manifest(shared_dir):
        accepted, _ = _apache_verdict(apache2, file, tmp_path)
        if not accepted:
            continue
        text = file.read_text(encoding="utf-8")
        lines = text.splitlines()
        # an open true <IfModule> at the end is accepted: only other sections' closing tags are dropped
        closing = [i for i, line in enumerate(lines) if line.strip().startswith("</") and "</If" not in line]
        opening = [
            i for i, line in enumerate(lines) if line.strip().startswith("<") and not line.strip().startswith("</")
        ]
        variants = [text.rstrip("\n") + "\n</VirtualHost>\n"]
        if closing:
            variants.append("\n".join(lines[: closing[-1]] + lines[closing[-1] + 1 :]) + "\n")
        if opening:
            i = opening[0]
            variants.append("\n".join([*lines[:i], lines[i].rstrip().rstrip(">"), *lines[i + 1 :]]) + "\n")
        for variant in variants:
            copy = tmp_path / "broken" / file.name
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(variant, encoding="utf-8")
            accepted_copy, error = _apache_verdict(apache2, copy, tmp_path, server_root=file.parent)
            loader = Loader([str(tmp_path)], 10_000_000)
            ws001 = [p for p in loader.load(str(copy), str(copy)).problems if p.kind == "parse-error"]
            assert not accepted_copy, f"{file.name}: apache2 accepted a broken copy"
            assert ws001, f"{file.name}: apache2 refused a copy ({error}) and wslint found no WS001"
            assert parse_text(variant, "x").errors
            broken += 1
    print(f"\napache2 -t vs WS001 on broken copies: {broken}/{broken} agree")
    assert broken
