"""A plain nginx or HAProxy lint, or its fixes, stays light: no boto3, no hcl2, no YAML on its path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("boto3", "botocore", "hcl2", "lark", "yaml", "moto")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("nginx.conf", "events {}\nhttp { server { location /ws/ { proxy_pass http://a; } } }\n"),
        ("haproxy.cfg", "global\n    daemon\ndefaults\n    mode http\nlisten ws\n    bind :80\n"),
    ],
)
@pytest.mark.parametrize("fix", [(), ("--diff",)], ids=["lint", "diff"])
def test_plain_lint_imports_nothing_heavy(tmp_path: Path, name: str, text: str, fix: tuple[str, ...]) -> None:
    (tmp_path / name).write_text(text)
    code = (
        f"import sys\nfrom wslint.cli import main\nmain(['--isolated', '--exit-zero', *{fix!r}, sys.argv[1]])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True, timeout=60
    )
    assert "HEAVY []" in proc.stderr, proc.stderr
