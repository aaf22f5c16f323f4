"""wslint against the real apache2 (`apache2 -t -f FILE`): the times Apache refuses or misreads, and the directive
it does not know.

Only configuration checks: nothing listens (the proof tests that run apache2 are in tests/test_proof.py). The
configurations are the ones the proof suite runs (tests/realproxy.py apache_conf: ServerRoot and logs in tmp, the
proxy modules of Debian's /usr/lib/apache2/modules). The agreement over the Apache corpus is tests/test_apache_*.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Linted, _missing
from tests.realproxy import apache_conf, find_apache2

Lint = Callable[..., Linted]
pytestmark = pytest.mark.timeout(60)
NO_APACHE_SOURCE = "wslint has no Apache source yet (branch i22-apache): only apache2 -t is checked"


@pytest.fixture(scope="module")
def apache2_binary() -> str:
    path = find_apache2()
    if path is None:
        _missing("the apache2 binary (apt-get install apache2)", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


def apache_check(binary: str, conf: Path) -> bool:
    """Whether `apache2 -t` accepts conf (its wording is not asserted: a package update may change it)."""
    proc = subprocess.run([binary, "-t", "-f", str(conf)], capture_output=True, text=True, timeout=30, cwd=conf.parent)
    return proc.returncode == 0


def config(tmp: Path, server: str = "", params: str = "upgrade=websocket") -> str:
    return apache_conf(tmp, 18998, f"{server}ProxyPass /ws/ http://127.0.0.1:9/ws/ {params}\n")


def lines_of(result: Linted, rule: str) -> list[object]:
    if result.report.get("skipped") and not result.findings:
        pytest.xfail(NO_APACHE_SOURCE)
    return sorted(f["line"] for f in result.only(rule))


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


# (directive, value): whether apache2 2.4 accepts it, and whether wslint flags it (WS206). Apache reads these times
# with atoi: whole seconds, anything after the leading digits is dropped (`Timeout 1500ms` is 1500 s: measured in
# tests/test_proof.py); ProxyTimeout and timeout= refuse a value under 1 second, Timeout takes any.
TIMES = [
    ("Timeout", "30", True, False),
    ("Timeout", "10s", True, True),
    ("Timeout", "1.5", True, True),
    ("Timeout", "1500ms", True, True),
    ("ProxyTimeout", "30", True, False),
    ("ProxyTimeout", "10s", True, True),
    ("ProxyTimeout", "0", False, True),
    ("ProxyTimeout", "-1", False, True),
    ("ProxyTimeout", "abc", False, True),
    ("timeout=", "30", True, False),
    ("timeout=", "3000ms", True, True),
    ("timeout=", "0", False, True),
    ("timeout=", "abc", False, True),
]


@pytest.mark.parametrize(("directive", "value", "accepted", "flagged"), TIMES)
def test_times_agree_with_apache(
    apache2_binary: str, lint: Lint, tmp_path: Path, directive: str, value: str, accepted: bool, flagged: bool
) -> None:
    """A time apache2 -t refuses is WS206; one it accepts but misreads (a unit, a fraction) is WS206 too; whole
    seconds are not."""
    if directive == "timeout=":
        text = config(tmp_path, params=f"upgrade=websocket timeout={value}")
        needle = "ProxyPass /ws/"
    else:
        text = config(tmp_path, server=f"{directive} {value}\n")
        needle = f"{directive} {value}"
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS206")
    assert apache_check(apache2_binary, tmp_path / "apache2.conf") is accepted
    assert lines_of(result, "WS206") == ([line_of(text, needle)] if flagged else [])


def test_idle_timeout_directive_of_httpd_2_5_is_refused_by_both(
    apache2_binary: str, lint: Lint, tmp_path: Path
) -> None:
    """`ProxyWebsocketIdleTimeout` exists only in httpd 2.5 (trunk): apache2 2.4 refuses the configuration, and
    wslint says the line has no effect (WS208); without it both accept."""
    line = "ProxyWebsocketIdleTimeout 3600\n"
    text = config(tmp_path, server=line)
    result = lint({"apache2.conf": text}, "apache2.conf", "--select", "WS208")
    assert apache_check(apache2_binary, tmp_path / "apache2.conf") is False
    assert lines_of(result, "WS208") == [line_of(text, line.strip())]
    clean = config(tmp_path)
    result = lint({"apache2.conf": clean}, "apache2.conf", "--select", "WS208")
    assert apache_check(apache2_binary, tmp_path / "apache2.conf") is True
    assert lines_of(result, "WS208") == []
