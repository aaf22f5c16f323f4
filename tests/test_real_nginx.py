"""wslint against the real nginx binary (`nginx -t`, `nginx -T`): parse errors, invalid times, dumps.

Only configuration tests: nothing listens. The proof tests that start nginx come with the proof issue.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]
pytestmark = pytest.mark.timeout(60)


def nginx_test(binary: str, conf: Path) -> tuple[bool, int | None, str]:
    """(ok, error line, message) of `nginx -t` on conf."""
    proc = subprocess.run(
        [binary, "-t", "-q", "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if proc.returncode == 0:
        return True, None, ""
    match = re.search(r"\[emerg\] \d+#\d+: (.*?)(?: in (\S+):(\d+))?$", proc.stderr, re.M)
    assert match, proc.stderr
    return False, int(match.group(3)) if match.group(3) else None, match.group(1)


def wrap(tmp_path: Path, server_body: str) -> str:
    head = f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:18080;\n"
    return head + server_body + "    }\n}\n"


BROKEN = [
    "        location / {\n            return 200 ok\n        }\n",  # missing ;
    "        location / {\n            return 200 ok;\n",  # missing }
    "        location / {\n            return 200 ok;\n        }\n    }\n",  # extra }
    "        location / {\n            ;\n        }\n",  # stray ;
]


@pytest.mark.parametrize("body", BROKEN, ids=["missing-semicolon", "missing-brace", "extra-brace", "stray-semicolon"])
def test_parse_errors_agree_with_nginx(nginx_binary: str, lint: Lint, tmp_path: Path, body: str) -> None:
    result = lint({"nginx.conf": wrap(tmp_path, body)}, "nginx.conf")
    ok, line, message = nginx_test(nginx_binary, tmp_path / "nginx.conf")
    assert not ok
    errors = result.only("WS001")
    assert [(f["line"], f["message"]) for f in errors] == [(line, message)]


def test_unterminated_quote_points_at_the_quote(nginx_binary: str, lint: Lint, tmp_path: Path) -> None:
    body = '        location / {\n            return 200 "ok;\n        }\n'
    result = lint({"nginx.conf": wrap(tmp_path, body)}, "nginx.conf")
    ok, line, _ = nginx_test(nginx_binary, tmp_path / "nginx.conf")
    assert not ok and line == 11  # nginx reports the end of the file
    assert [(f["line"], f["message"]) for f in result.only("WS001")] == [(7, "unterminated quoted string")]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("1h30m", True), ("'1h 30m'", True), ("90", True), ("500ms", True), ("1w", True), ("1h30", True),
     ("1y", False), ("1M", False), ("30m1h", False), ("1.5h", False), ("10x", False), ("25d", True)],
)  # fmt: skip
def test_time_values_agree_with_nginx(nginx_binary: str, lint: Lint, tmp_path: Path, value: str, valid: bool) -> None:
    body = (
        "        location /ws/ {\n            proxy_pass http://127.0.0.1:9;\n"
        f"            proxy_read_timeout {value};\n        }}\n"
    )
    result = lint({"nginx.conf": wrap(tmp_path, body)}, "nginx.conf", "--select", "WS206")
    ok, line, _ = nginx_test(nginx_binary, tmp_path / "nginx.conf")
    assert ok is valid
    assert [f["line"] for f in result.findings] == ([] if valid else [line])


def test_dump_from_real_nginx_gives_the_same_findings(nginx_binary: str, lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "app.conf").write_text(
        "server {\n    listen 127.0.0.1:18081;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9;\n"
        "        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n"
    )
    conf = f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n    include {tmp_path}/conf.d/*.conf;\n}}\n"
    direct = lint({"nginx.conf": conf}, "nginx.conf")
    dump = subprocess.run(
        [nginx_binary, "-T", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    from_dump = lint({"dump.txt": dump}, "dump.txt")
    expected = {(f["rule"], Path(str(f["file"])).name, f["line"]) for f in direct.findings if f["rule"] != "WS002"}
    got = set()
    for f in from_dump.findings:
        origin = re.search(r"\(in (\S+):(\d+)\)$", str(f["message"]))
        assert origin, f["message"]
        got.add((f["rule"], Path(origin.group(1)).name, int(origin.group(2))))
    assert got == expected
    assert {"WS101", "WS103", "WS201"} <= {r for r, _, _ in got}


def test_undefined_connection_variable_fails_nginx_too(nginx_binary: str, lint: Lint, tmp_path: Path) -> None:
    body = (
        "        location /ws/ {\n            proxy_pass http://127.0.0.1:9;\n            proxy_http_version 1.1;\n"
        "            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $conn_up;\n"
        "        }\n"
    )
    result = lint({"nginx.conf": wrap(tmp_path, body)}, "nginx.conf", "--select", "WS105")
    ok, _, message = nginx_test(nginx_binary, tmp_path / "nginx.conf")
    assert not ok and message == 'unknown "conn_up" variable'
    assert [f["line"] for f in result.findings] == [10]
