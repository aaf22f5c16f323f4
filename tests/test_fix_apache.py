"""Apache autofix (WS107 upgrade=websocket, WS201/WS301 ProxyTimeout or timeout=, WS108 never) through the real CLI:
the fixed file, --diff, idempotence, the fixes wslint declines to make (with their reasons), and `apache2 -t` on the
fixed config (a minimal wrapper config in tmp: no server is ever started)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, _missing

Wslint = Callable[..., Run]
pytestmark = pytest.mark.timeout(120)
MODULES = Path("/usr/lib/apache2/modules")
LOADED = ("mpm_event", "authz_core", "proxy", "proxy_http", "proxy_wstunnel", "rewrite")


@pytest.fixture(scope="session")
def apache2() -> str:
    path = shutil.which("apache2") or ("/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None)
    if path is None or not MODULES.is_dir():
        _missing("the apache2 binary", "WSLINT_REQUIRE_PROXIES")
    assert path is not None
    return path


def apache_check(binary: str, conf: Path) -> str:
    """`apache2 -t` on ``conf`` included from a wrapper config in its folder: "" when Apache accepts it."""
    run = conf.parent / "run"
    run.mkdir(exist_ok=True)
    wrapper = run / "wrapper.conf"
    loads = "".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so\n" for m in LOADED)
    wrapper.write_text(
        f"ServerRoot {run}\nPidFile {run}/httpd.pid\nErrorLog {run}/error.log\nServerName localhost\n"
        f"Listen 127.0.0.1:8\n{loads}Include {conf}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("APACHE")}
    proc = subprocess.run([binary, "-t", "-f", str(wrapper)], capture_output=True, text=True, timeout=30, env=env)
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


def _cli(args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSLINT_")}
    return subprocess.run(
        [sys.executable, "-m", "wslint", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def fixed(wslint: Wslint, tmp_path: Path, text: str, select: str, *extra: str) -> tuple[str, Run]:
    """--diff (writes nothing, patch applies), then --fix; the fixed text, and the --fix run."""
    conf = tmp_path / "httpd.conf"
    conf.write_text(text, encoding="utf-8")
    args = ("--isolated", "--select", select, *extra)
    diff = _cli((*args, "--diff", conf.name), tmp_path)
    assert conf.read_text(encoding="utf-8") == text  # --diff writes nothing
    if diff.stdout:
        assert diff.stdout.startswith(f"--- {conf.name}\n+++ {conf.name}\n@@ "), diff.stdout
        patched = subprocess.run(
            ["patch", "-p0", "--dry-run"], input=diff.stdout, cwd=tmp_path, capture_output=True, text=True
        )
        assert patched.returncode == 0, patched.stdout + patched.stderr
    run = wslint(*args, "--fix", conf.name, cwd=tmp_path)
    after = conf.read_text(encoding="utf-8")
    # idempotent: from the file written, nothing more to fix
    again = _cli((*args, "--diff", conf.name), tmp_path)
    assert again.stdout == "" and "would fix" not in again.stderr, again.stderr
    return after, run


VHOST = """\
<VirtualHost *:80>
    ServerName example.com
    ProxyPass /ws/ http://127.0.0.1:3000/ws/ retry=0
    ProxyPassReverse /ws/ http://127.0.0.1:3000/ws/
</VirtualHost>
"""


# -- WS107 ---------------------------------------------------------------------------------------------------


def test_upgrade_websocket_is_appended(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    after, run = fixed(wslint, tmp_path, VHOST, "WS107")
    assert run.code == 0, run.err
    assert after == VHOST.replace("retry=0\n", "retry=0 upgrade=websocket\n")
    summary = "WS107 add `upgrade=websocket` to `ProxyPass /ws/ http://127.0.0.1:3000/ws/`"
    assert f"fixed httpd.conf:3:5: {summary}" in run.err
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_upgrade_goes_after_the_last_argument_of_a_continued_quoted_rule(
    wslint: Wslint, tmp_path: Path, apache2: str
) -> None:
    text = VHOST.replace(
        "ProxyPass /ws/ http://127.0.0.1:3000/ws/ retry=0\n",
        'ProxyPass "/ws/" "http://127.0.0.1:3000/ws/" \\\n        retry=0 "keepalive=On"  \n',
    )
    after, run = fixed(wslint, tmp_path, text, "WS107")
    assert run.code == 0, run.err
    assert after == text.replace('"keepalive=On"  \n', '"keepalive=On" upgrade=websocket  \n')
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_other_upgrade_protocols_get_websocket_added(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = VHOST.replace("retry=0\n", "upgrade=h2c retry=0\n")
    after, run = fixed(wslint, tmp_path, text, "WS107")
    assert run.code == 0, run.err
    assert after == VHOST.replace("retry=0\n", "upgrade=h2c,websocket retry=0\n")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_an_upgrade_list_apache_would_refuse_is_not_written(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = VHOST.replace("retry=0\n", "upgrade=h2c,tls/1.3 retry=0\n")
    after, run = fixed(wslint, tmp_path, text, "WS107")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:3:5: WS107" in run.err and "longer than the 15 characters" in run.err
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""  # the list as written is accepted
    refused = tmp_path / "refused.conf"
    refused.write_text(VHOST.replace("retry=0\n", "upgrade=h2c,tls/1.3,websocket\n"), encoding="utf-8")
    assert "upgrade" in apache_check(apache2, refused)  # what the fix would have written is refused


def test_a_rewrite_rule_is_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = VHOST.replace(
        "    ProxyPass /ws/ http://127.0.0.1:3000/ws/ retry=0\n",
        "    RewriteEngine On\n    RewriteRule ^/ws/(.*) http://127.0.0.1:3000/ws/$1 [P,L]\n",
    )
    after, run = fixed(wslint, tmp_path, text, "WS107")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:4:5: WS107" in run.err and "RewriteRule [P] takes no worker parameters" in run.err


# -- WS108 ---------------------------------------------------------------------------------------------------


def test_a_shadowed_rule_is_never_moved(wslint: Wslint, tmp_path: Path) -> None:
    text = VHOST.replace("    ProxyPass /ws/", "    ProxyPass / http://127.0.0.1:3000/\n    ProxyPass /ws/").replace(
        "retry=0\n", "upgrade=websocket\n"
    )
    after, run = fixed(wslint, tmp_path, text, "WS108")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:4:5: WS108" in run.err and "wslint reorders nothing" in run.err


# -- WS201 / WS301 -------------------------------------------------------------------------------------------

WS = VHOST.replace("retry=0\n", "upgrade=websocket\n")


def test_the_default_timeout_gets_a_proxytimeout_in_the_vhost(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    after, run = fixed(wslint, tmp_path, WS, "WS201")
    assert run.code == 0, run.err
    assert after == WS.replace("</VirtualHost>", "    ProxyTimeout 3600\n</VirtualHost>")
    assert "fixed httpd.conf:1:1: WS201 set `ProxyTimeout 3600` in the <VirtualHost> at line 1" in run.err
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_short_timeout_gets_a_proxytimeout_and_timeout_stays(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = WS.replace("    ServerName", "    Timeout 30\n    ServerName")
    after, run = fixed(wslint, tmp_path, text, "WS301", "--ping-interval", "25s")
    assert run.code == 0, run.err
    assert after == text.replace("</VirtualHost>", "    ProxyTimeout 3600\n</VirtualHost>")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_short_proxytimeout_in_the_vhost_is_raised(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = WS.replace("    ServerName", "    Timeout 3\n    ProxyTimeout 30\n    ServerName")
    after, run = fixed(wslint, tmp_path, text, "WS301", "--ping-interval", "25s")
    assert run.code == 0, run.err
    assert after == text.replace("ProxyTimeout 30\n", "ProxyTimeout 3600\n")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_short_worker_timeout_is_raised_on_the_rule(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = WS.replace("upgrade=websocket\n", "upgrade=websocket timeout=5\n").replace(
        "    ServerName", "    Timeout 3\n    ServerName"
    )
    after, run = fixed(wslint, tmp_path, text, "WS301", "--ping-interval", "25s")
    assert run.code == 0, run.err
    assert after == text.replace("timeout=5\n", "timeout=3600\n")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_timeout_two_vhosts_share_is_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = "Timeout 30\n" + WS + WS.replace("example.com", "other.example.com")
    after, run = fixed(wslint, tmp_path, text, "WS301", "--ping-interval", "25s")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:1:1: WS301" in run.err and "2 servers" in run.err


def test_a_main_config_without_virtual_hosts_gets_proxytimeout_at_its_end(
    wslint: Wslint, tmp_path: Path, apache2: str
) -> None:
    text = "Listen 8\nProxyPass /ws/ http://127.0.0.1:3000/ws/ upgrade=websocket\n\n# end\n"
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 0, run.err
    assert after == text.replace("websocket\n", "websocket\nProxyTimeout 3600\n")
    assert "WS201 add `ProxyTimeout 3600` to the main server" in run.err
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_main_server_rules_beside_virtual_hosts_are_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = "ProxyPass /ws/ http://127.0.0.1:3000/ws/ upgrade=websocket\n<VirtualHost *:80>\n</VirtualHost>\n"
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:1:1: WS201" in run.err and "every <VirtualHost> without its own inherits" in run.err


def test_a_main_server_that_proxies_other_routes_is_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = "ProxyPass /ws/ http://127.0.0.1:3000/ws/ upgrade=websocket\nProxyPass / http://127.0.0.1:3001/\n"
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert "the main server also proxies other routes (line 2)" in run.err


def test_a_vhost_that_proxies_other_routes_is_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = WS.replace("</VirtualHost>", "    ProxyPass /api/ http://127.0.0.1:3001/api/\n</VirtualHost>")
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:1:1: WS201" in run.err and "also proxies other routes (line 5)" in run.err
    assert "timeout=3600" in run.err


def test_all_fixes_together_leave_nothing_and_apache_accepts_them(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    after, run = fixed(wslint, tmp_path, VHOST, "WS107,WS201")
    assert run.code == 0, run.err
    expected = VHOST.replace("retry=0\n", "retry=0 upgrade=websocket\n").replace(
        "</VirtualHost>", "    ProxyTimeout 3600\n</VirtualHost>"
    )
    assert after == expected
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_worker_timeout_under_the_default_timeout_is_raised_on_the_rule(
    wslint: Wslint, tmp_path: Path, apache2: str
) -> None:
    """timeout=5 beats ProxyTimeout for its backend, so a ProxyTimeout would not help: the rule's timeout= rises."""
    text = WS.replace("upgrade=websocket\n", "upgrade=websocket timeout=5\n")
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 0, run.err
    assert after == text.replace("timeout=5\n", "timeout=3600\n")
    assert "WS201 raise timeout= to 3600 on ProxyPass /ws/" in run.err
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_the_rule_documents_apache_fixes_are_accepted_by_apache(tmp_path: Path, apache2: str) -> None:
    """Every fixed Apache block of the rule documents (the fix as the documents show it) passes `apache2 -t`."""
    from tests.test_rule_docs import DOCS

    blocks = [
        (doc.id, block)
        for doc in DOCS
        for _, example in doc.example_ids()
        for block in example.fixed
        if block.language == "apache"
    ]
    assert {rule for rule, _ in blocks} >= {"WS107", "WS201", "WS301"}
    for index, (rule, block) in enumerate(blocks):
        folder = tmp_path / f"{rule}-{index}"
        folder.mkdir()
        conf = folder / block.name
        conf.write_text(block.text, encoding="utf-8")
        assert apache_check(apache2, conf) == "", (rule, block.line)


def test_other_routes_in_an_included_file_make_the_vhost_ambiguous(wslint: Wslint, tmp_path: Path) -> None:
    """ManageIQ's layout: the vhost includes the files that hold its ProxyPass rules, one of them plain HTTP."""
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "redirects-ws").write_text(
        "ProxyPass /ws/ http://127.0.0.1:3000/ws/ upgrade=websocket\n", encoding="utf-8"
    )
    (tmp_path / "conf.d" / "redirects-api").write_text("ProxyPass /api http://127.0.0.1:3001/api\n", encoding="utf-8")
    text = "<VirtualHost *:443>\nInclude conf.d/redirects-api\nInclude conf.d/redirects-ws\n</VirtualHost>\n"
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert (
        "not fixed httpd.conf:1:1: WS201" in run.err and "also proxies other routes (conf.d/redirects-api:1)" in run.err
    )


def test_proxytimeout_goes_after_the_vhosts_last_statement(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = WS.replace("</VirtualHost>", "\n    # the end\n\n</VirtualHost>")
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 0, run.err
    assert after == text.replace("/ws/\n\n", "/ws/\n    ProxyTimeout 3600\n\n")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_main_server_proxy_the_vhost_inherits_makes_it_ambiguous(wslint: Wslint, tmp_path: Path) -> None:
    """ProxyPass rules of the main server apply in every virtual host too (ProxyPassInherit, default On)."""
    text = "ProxyPass /api http://127.0.0.1:3001/api\n" + WS
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:2:1: WS201" in run.err and "also proxies other routes (line 1)" in run.err


def test_a_ws_rule_whose_upgrade_list_lacks_websocket_gets_it(wslint: Wslint, tmp_path: Path, apache2: str) -> None:
    text = VHOST.replace("http://127.0.0.1:3000/ws/ retry=0\n", "ws://127.0.0.1:3000/ws/ upgrade=h2c\n")
    after, run = fixed(wslint, tmp_path, text, "WS107")
    assert run.code == 0, run.err
    assert after == text.replace("upgrade=h2c\n", "upgrade=h2c,websocket\n")
    assert apache_check(apache2, tmp_path / "httpd.conf") == ""


def test_a_rewrite_rule_beside_other_routes_is_told_to_use_proxyset(wslint: Wslint, tmp_path: Path) -> None:
    # a RewriteRule [P] takes no timeout=: the refusal names what works for it
    text = WS.replace(
        "    ProxyPass /ws/ http://127.0.0.1:3000/ws/ upgrade=websocket\n",
        "    RewriteEngine On\n    RewriteRule ^/ws/(.*) ws://127.0.0.1:3000/ws/$1 [P,L]\n",
    ).replace("</VirtualHost>", "    ProxyPass /api/ http://127.0.0.1:3001/api/\n</VirtualHost>")
    after, run = fixed(wslint, tmp_path, text, "WS201")
    assert run.code == 1 and after == text
    assert "ProxySet timeout=3600" in run.err and "add `timeout=3600` to the WebSocket rule" not in run.err


def test_a_later_broader_location_is_explained_as_moving_below(wslint: Wslint, tmp_path: Path) -> None:
    text = (
        "Timeout 3600\n<VirtualHost *:80>\n    <Location /ws>\n        ProxyPass ws://127.0.0.1:3000/ws\n"
        "    </Location>\n    <Location />\n        ProxyPass http://127.0.0.1:3000/\n    </Location>\n</VirtualHost>\n"
    )
    after, run = fixed(wslint, tmp_path, text, "WS108")
    assert run.code == 1 and after == text
    assert "not fixed httpd.conf:4:9: WS108 move <Location /ws> below <Location />" in run.err
