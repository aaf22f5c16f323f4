"""Shared fixtures: the CLI runner, ../shared (corpus, schemas) and the proxy binaries.

WSLINT_REQUIRE_SHARED=1 turns "../shared is missing" from a skip into a failure;
WSLINT_REQUIRE_PROXIES=1 does the same for the nginx and haproxy binaries and the other things
scripts/install-test-deps.sh installs (checkov's bc-python-hcl2 in tests/.deps). CI sets both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Property tests: the suite's profile is derandomized (same examples on every run and machine, so a
# failure reproduces) with no deadline (a busy CI machine is not a bug); HYPOTHESIS_PROFILE=fuzz is
# the long random run of scripts/fuzz.py.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("fuzz", deadline=None, max_examples=20_000, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
SHARED = ROOT.parent / "shared"


def readme_block(name: str) -> list[str]:
    """The lines of the fenced block between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- {re.escape(name)}:begin -->\n```[a-z]*\n(.*?)\n```\n<!-- {re.escape(name)}:end -->", text, re.S
    )
    assert match, f"README.md has no fenced block between <!-- {name}:begin --> and <!-- {name}:end -->"
    return match.group(1).split("\n")


def _missing(what: str, env: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{what} is missing and {env}=1")
    pytest.skip(f"{what} is missing (set {env}=1 to make this a failure)")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        _missing(f"{SHARED}", "WSLINT_REQUIRE_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path is None:
        _missing("the nginx binary", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def haproxy_binary() -> str:
    path = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if path is None:
        _missing("the haproxy binary", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def wslint() -> Callable[..., Run]:
    """Run the real CLI in a subprocess: wslint(*args, cwd=..., stdin=..., env=...)."""

    def run(
        *args: str, cwd: str | Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> Run:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
        full_env.update(env or {})
        full_env.setdefault("NO_COLOR", "1")
        proc = subprocess.run(
            [sys.executable, "-m", "wslint", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@dataclass
class Linted:
    code: int
    report: dict[str, object]
    err: str

    @property
    def findings(self) -> list[dict[str, object]]:
        found = self.report.get("findings", [])
        assert isinstance(found, list)
        return found

    def rules_at(self) -> set[tuple[object, object]]:
        """{(rule, line)} of every finding."""
        return {(f["rule"], f["line"]) for f in self.findings}

    def rules_in(self) -> set[tuple[object, object, object]]:
        """{(rule, file, line)} of every finding."""
        return {(f["rule"], f["file"], f["line"]) for f in self.findings}

    def only(self, rule: str) -> list[dict[str, object]]:
        return [f for f in self.findings if f["rule"] == rule]


@pytest.fixture
def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Linted]:
    """Write files into tmp_path and lint in-process: lint({"a.conf": "..."}, "a.conf", "--ping-interval", "20s").

    Runs from tmp_path with --isolated and JSON output unless a --config is given.
    """
    import contextlib
    import io
    import json
    import textwrap

    from wslint.cli import main

    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str], *args: str) -> Linted:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        argv = [*args]
        if not any(a.startswith("--config") for a in argv):
            argv.append("--isolated")
        if not any(a.startswith("--output-format") for a in argv):
            argv += ["--output-format", "json"]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        text = out.getvalue()
        return Linted(code, json.loads(text) if text.startswith("{") else {"text": text}, err.getvalue())

    return run


# a WebSocket location proxied with HTTP/1.0 (WS101), and the same fixed: for hook and action tests
BAD_NGINX = """\
events {}
http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }
    }
}
"""
GOOD_NGINX = BAD_NGINX.replace(
    "proxy_pass http://127.0.0.1:8000;\n", "proxy_pass http://127.0.0.1:8000;\n            proxy_http_version 1.1;\n"
)
