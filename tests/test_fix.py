"""Autofix (--fix, --diff) through the real CLI: the rule documents' fixed examples, nginx before/after pairs
checked with `nginx -t`, and what the commands promise (minimal edits, line ends, idempotence, exit codes,
the paths given, files included from several places).

HAProxy and AWS pairs: tests/test_fix_haproxy.py, tests/test_fix_aws.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import realproxy
from tests.conftest import Run
from tests.test_rule_docs import DOCS
from wslint import ruledoc
from wslint.sources.nginx_syntax import parse, root_context

Wslint = Callable[..., Run]
HERE = Path(__file__).resolve().parent
PAIRS = HERE / "fixtures" / "fix" / "nginx"
FIXED_EXAMPLES = [
    pytest.param(doc, example, id=f"{test_id}-fixed")
    for doc in DOCS
    for test_id, example in doc.example_ids()
    if example.fixed
]
pytestmark = pytest.mark.timeout(120)


def nginx_t(binary: str, tmp: Path, conf: Path) -> str:
    """`nginx -t` on a fixed file, wrapped in the contexts a sites or location file is included in; "" when ok."""
    text = conf.read_text(encoding="utf-8")
    context = root_context(parse(text.replace("\r\n", "\n"), conf.name))
    if context == "main":
        main = realproxy.nginx_prepare(tmp, text)
        target = conf.with_name(conf.name + ".test.conf")
        target.write_text(main, encoding="utf-8", newline="")
    else:
        target = tmp / "wrapper.conf"
        include = f"include {conf};"
        if context == "server":
            include = f"server {{ listen 127.0.0.1:18080; {include} }}"
        target.write_text(f"events {{}}\nhttp {{ {realproxy.nginx_http_settings(tmp)} {include} }}\n", encoding="utf-8")
    proc = subprocess.run(
        [binary, "-t", "-q", "-p", str(tmp), "-c", str(target), "-e", "stderr", "-g", f"pid {tmp / 'nginx.pid'};"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return "" if proc.returncode == 0 else proc.stderr


def _findings(run: Run) -> list[dict[str, Any]]:
    assert run.code in (0, 1), f"exit {run.code}\n{run.err}"
    return list(json.loads(run.out)["findings"])


# -- the rule documents' fixed examples -------------------------------------------------------------------


def test_every_fixable_rule_shows_its_fix() -> None:
    """Each rule with a fixer has a document example with a fixed=true block."""
    from wslint.fix import fixable

    shown = {param.values[0].id for param in FIXED_EXAMPLES}  # type: ignore[union-attr]
    assert fixable() <= shown, sorted(fixable() - shown)


@pytest.mark.parametrize(("doc", "example"), FIXED_EXAMPLES)
def test_fixed_example(
    wslint: Wslint, tmp_path: Path, doc: ruledoc.RuleDoc, example: ruledoc.Example, nginx_binary: str
) -> None:
    for block in example.files:
        target = tmp_path / block.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    args = ("--isolated", *example.args)
    run = wslint(*args, *example.fix_args, "--fix", *example.targets, cwd=tmp_path)
    assert run.code in (0, 1) and "error:" not in run.err, run.err
    assert f": {doc.id} " in run.err, f"{doc.path}:{example.line}: no {doc.id} fix reported\n{run.err}"
    for block in example.fixed:
        got = (tmp_path / block.name).read_text(encoding="utf-8")
        assert got == block.text, f"{doc.path}:{block.line}: the fixed file differs\n{got}"
    relint = _findings(wslint(*args, "--output-format", "json", *example.targets, cwd=tmp_path))
    assert not [f for f in relint if f["rule"] in (doc.id, "WS001")], relint
    again = wslint(*args, *example.fix_args, "--diff", *example.targets, cwd=tmp_path)
    assert again.out == "", f"a second fix changes more:\n{again.out}"
    for block in example.fixed:
        if block.language == "nginx":
            assert nginx_t(nginx_binary, tmp_path, tmp_path / block.name) == ""


# -- nginx before/after pairs ---------------------------------------------------------------------------------

# pair -> the rules it fixes
NGINX_PAIRS = {
    "ws101": "WS101",
    "ws102": "WS102",
    "ws103-crlf-tabs": "WS103",
    "ws103-sites": "WS103",
    "ws103-inherited": "WS103",
    "ws104": "WS104",
    "ws105": "WS105",
    "ws106": "WS106",
    "ws106-hardcoded": "WS106",
    "ws201-ws301": "WS201,WS301",
    "ws401": "WS401",
    "all-in-one-line": "WS1,WS201",
}


@pytest.mark.parametrize("name", sorted(NGINX_PAIRS))
def test_nginx_pair(wslint: Wslint, tmp_path: Path, name: str, nginx_binary: str) -> None:
    rules = NGINX_PAIRS[name]
    conf = tmp_path / f"{name}.conf"
    shutil.copyfile(PAIRS / f"{name}.before.conf", conf)
    args = ("--isolated", "--ping-interval", "25s", "--select", rules)
    before = _findings(wslint(*args, "--output-format", "json", conf.name, cwd=tmp_path))
    assert before, "the before file has nothing to fix"
    run = wslint(*args, "--fix", conf.name, cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert conf.read_bytes() == (PAIRS / f"{name}.after.conf").read_bytes()
    for finding in before:
        assert f"fixed {conf.name}:{finding['line']}:{finding['column']}: {finding['rule']} " in run.err, run.err
    assert _findings(wslint(*args, "--output-format", "json", conf.name, cwd=tmp_path)) == []
    again = wslint(*args, "--fix", conf.name, cwd=tmp_path)
    assert "fixed" not in again.err and conf.read_bytes() == (PAIRS / f"{name}.after.conf").read_bytes()
    assert nginx_t(nginx_binary, tmp_path, conf) == ""


def test_nginx_pairs_are_valid_before_too(tmp_path: Path, nginx_binary: str) -> None:
    """The before files are what nginx accepts (but WS105's undefined variable): the fix, not the input, is tested."""
    for name in sorted(NGINX_PAIRS):
        if name == "ws105":
            continue
        conf = tmp_path / f"{name}.conf"
        shutil.copyfile(PAIRS / f"{name}.before.conf", conf)
        assert nginx_t(nginx_binary, tmp_path, conf) == "", name


# -- what the commands promise ----------------------------------------------------------------------------------

SITE = """\
server {
    listen 127.0.0.1:18080;
    location /ws/ {
        proxy_pass http://127.0.0.1:8080;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 1h;
    }
}
"""


def test_diff_prints_a_patch_and_exits_1(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    run = wslint("--isolated", "--ping-interval", "25s", "--diff", "site.conf", cwd=tmp_path)
    assert run.code == 1, run.err
    assert run.out.startswith("--- site.conf\n+++ site.conf\n@@ ")
    assert "+        proxy_http_version 1.1;\n" in run.out
    assert (tmp_path / "site.conf").read_text(encoding="utf-8") == SITE  # --diff writes nothing
    assert "would fix site.conf:3:5: WS101 add `proxy_http_version 1.1;` to location /ws/" in run.err
    assert "All clean" in run.err  # the report of what remains goes to stderr, after the diff
    patched = subprocess.run(["patch", "-p0", "--dry-run"], input=run.out, text=True, cwd=tmp_path, capture_output=True)
    assert patched.returncode == 0, patched.stdout + patched.stderr


def test_exit_zero_covers_the_diff(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    run = wslint("--isolated", "--exit-zero", "--diff", "site.conf", cwd=tmp_path)
    assert run.code == 0 and run.out.startswith("--- site.conf")


def test_diff_without_changes_exits_as_the_lint_does(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    assert wslint("--isolated", "--fix", "site.conf", cwd=tmp_path).code == 0
    run = wslint("--isolated", "--diff", "site.conf", cwd=tmp_path)
    assert (run.code, run.out) == (0, "")


def test_fix_reports_what_remains(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    run = wslint("--isolated", "--ping-interval", "25s", "--output-format", "json", "--fix", "site.conf", cwd=tmp_path)
    assert run.code == 0
    assert "fixed site.conf:3:5: WS101" in run.err
    assert json.loads(run.out)["findings"] == []


def test_suppressed_findings_are_not_fixed(wslint: Wslint, tmp_path: Path) -> None:
    text = SITE.replace("    location /ws/ {", "    # wslint: ignore[WS101] -- HTTP/2 backend\n    location /ws/ {")
    (tmp_path / "site.conf").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--diff", "site.conf", cwd=tmp_path)
    assert (run.code, run.out) == (0, ""), run.err


def test_bom_crlf_and_missing_final_newline_are_kept(wslint: Wslint, tmp_path: Path) -> None:
    data = ("\ufeff" + SITE.rstrip("\n")).replace("\n", "\r\n").encode("utf-8")
    (tmp_path / "site.conf").write_bytes(data)
    run = wslint("--isolated", "--fix", "site.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    fixed = (tmp_path / "site.conf").read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") and not fixed.endswith(b"\n")
    assert b"\n" not in fixed.replace(b"\r\n", b"")
    assert fixed.replace(b"        proxy_http_version 1.1;\r\n", b"", 1) == data


def test_fix_idle_timeout_config_and_ping(wslint: Wslint, tmp_path: Path) -> None:
    site = SITE.replace("        proxy_read_timeout 1h;\n", "")
    site = site.replace("    location", "    proxy_http_version 1.1;\n    location")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "wslint.toml").write_text('fix-idle-timeout = "10m"\n', encoding="utf-8")
    run = wslint("--diff", "site.conf", cwd=tmp_path)
    assert "+        proxy_read_timeout 10m;\n" in run.out, run.out + run.err
    run = wslint("--ping-interval", "8m", "--diff", "site.conf", cwd=tmp_path)  # never below twice the ping
    assert "+        proxy_read_timeout 16m;\n" in run.out, run.out + run.err
    (tmp_path / "wslint.toml").write_text('fix-idle-timeout = "soon"\n', encoding="utf-8")
    bad = wslint("--diff", "site.conf", cwd=tmp_path)
    assert bad.code == 2 and "fix-idle-timeout" in bad.err


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--fix", "--diff"), "give one"),
        (("--fix-includes",), "go with --fix or --diff"),
        (("--unsafe-fixes",), "go with --fix or --diff"),
        (("--fix", "--write-baseline", "b.json"), "without --write-baseline"),
    ],
)
def test_options_that_do_not_go_together(wslint: Wslint, tmp_path: Path, args: tuple[str, ...], error: str) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    run = wslint("--isolated", *args, "site.conf", cwd=tmp_path)
    assert run.code == 2 and error in run.err and len(run.err.splitlines()) == 1
    assert (tmp_path / "site.conf").read_text(encoding="utf-8") == SITE


def test_stdin_cannot_be_fixed(wslint: Wslint, tmp_path: Path) -> None:
    run = wslint("--isolated", "--fix", "--stdin-filename", "site.conf", "-", stdin=SITE, cwd=tmp_path)
    assert run.code == 2 and "stdin" in run.err


MAIN = """\
events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    server {
        listen 127.0.0.1:18080;
        location /a/ws { include snippets/ws.conf; }
        location /b/ws { include snippets/ws.conf; }
    }
}
"""
SNIPPET = """\
proxy_pass http://127.0.0.1:8080;
proxy_set_header Upgrade $http_upgrade;
proxy_set_header Connection $connection_upgrade;
proxy_read_timeout 1h;
proxy_http_version 1.0;
"""


def test_a_file_included_from_several_places_needs_fix_includes(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "ws.conf").write_text(SNIPPET, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(MAIN, encoding="utf-8")
    args = ("--isolated", "--select", "WS101")
    run = wslint(*args, "--fix", ".", cwd=tmp_path)
    assert run.code == 1
    assert "not fixed snippets/ws.conf:5:1: WS101" in run.err and "included from 2 places" in run.err, run.err
    assert (tmp_path / "snippets" / "ws.conf").read_text(encoding="utf-8") == SNIPPET
    run = wslint(*args, "--fix", "--fix-includes", ".", cwd=tmp_path)
    assert run.code == 0, run.err
    assert (tmp_path / "snippets" / "ws.conf").read_text(encoding="utf-8") == SNIPPET.replace("1.0", "1.1")


def test_files_outside_the_paths_given_are_not_touched(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "ws.conf").write_text(SNIPPET, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(MAIN.replace("        location /b/ws { include snippets/ws.conf; }\n", ""))
    run = wslint("--isolated", "--select", "WS101", "--fix", "nginx.conf", cwd=tmp_path)
    assert run.code == 1
    assert "not fixed snippets/ws.conf:5:1: WS101" in run.err and "outside the paths given" in run.err, run.err
    assert (tmp_path / "snippets" / "ws.conf").read_text(encoding="utf-8") == SNIPPET
    assert wslint("--isolated", "--select", "WS101", "--fix", ".", cwd=tmp_path).code == 0


def test_a_dump_is_not_edited(wslint: Wslint, tmp_path: Path) -> None:
    dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
    dump += "# configuration file /etc/nginx/nginx.conf:\n"
    (tmp_path / "dump.txt").write_text(dump + MAIN.replace("include snippets/ws.conf;", SNIPPET.replace("\n", " ")))
    run = wslint("--isolated", "--kind", "nginx", "--select", "WS101", "--diff", "dump.txt", cwd=tmp_path)
    assert run.out == "" and "nginx -T dump" in run.err, run.err


def test_a_connection_map_is_not_invented_without_the_http_context(wslint: Wslint, tmp_path: Path) -> None:
    """A location file (server context) cannot hold a map: a WebSocket-only location gets "upgrade" instead."""
    text = "location /ws/ {\n    proxy_pass http://127.0.0.1:8080;\n    proxy_http_version 1.1;\n"
    text += "    proxy_set_header Upgrade $http_upgrade;\n}\n"
    text += "location /app {\n    proxy_pass http://127.0.0.1:8081;\n    proxy_http_version 1.1;\n"
    text += "    proxy_set_header Upgrade $http_upgrade;\n}\n"
    (tmp_path / "locations.conf").write_text(text, encoding="utf-8")
    run = wslint("--isolated", "--select", "WS103", "--fix", "locations.conf", cwd=tmp_path)
    fixed = (tmp_path / "locations.conf").read_text(encoding="utf-8")
    assert 'proxy_set_header Connection "upgrade";' in fixed.split("location /app")[0]
    assert "not fixed locations.conf:6:1: WS103" in run.err and "http context" in run.err, run.err
    app = "location /app {\n    proxy_pass http://127.0.0.1:8081;\n    proxy_http_version 1.1;\n"
    assert app + "    proxy_set_header Upgrade $http_upgrade;\n}" in fixed


def test_every_fixed_edit_keeps_the_rest_byte_for_byte(tmp_path: Path) -> None:
    """Each pair's after file is its before file plus inserted text and replaced words: no line is rewritten."""
    for name in NGINX_PAIRS:
        before = (PAIRS / f"{name}.before.conf").read_text(encoding="utf-8")
        after = (PAIRS / f"{name}.after.conf").read_text(encoding="utf-8")
        kept = [line for line in before.splitlines() if line.strip()]
        changed = [line for line in kept if line not in after.splitlines()]
        # only lines whose value a fix replaces (a version, a time, a map entry, a header value) may change
        assert all(re.search(r"proxy_http_version|_timeout|''|Connection|\{.*\}", line) for line in changed), (
            name,
            changed,
        )


HAPROXY = """\
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:8080
    use_backend be_ws if { hdr(Upgrade) -i websocket }

backend be_ws
    server ws1 127.0.0.1:9001
"""


def test_a_later_round_names_lines_of_the_file_as_it_was(wslint: Wslint, tmp_path: Path) -> None:
    """WS205's fix is possible only once WS202's has added `timeout tunnel`: it is named after the line before it."""
    (tmp_path / "haproxy.cfg").write_text(HAPROXY, encoding="utf-8")
    run = wslint("--isolated", "--ping-interval", "25s", "--diff", "haproxy.cfg", cwd=tmp_path)
    assert "would fix haproxy.cfg:14:1: WS202 add `timeout tunnel 1h` to backend be_ws" in run.err, run.err
    assert (
        "would fix haproxy.cfg:15:5: WS205 add `timeout client-fin 30s` to frontend fe "
        "(on a line an earlier fix adds after this one)"
    ) in run.err, run.err


def test_lines_map_back_through_edits() -> None:
    from wslint.fix import _back
    from wslint.fix.text import Edit

    edits = [
        Edit("f", 3, 1, 3, 1, "a\nb\n"),  # two whole lines before line 3
        Edit("f", 5, 10, 5, 12, "xyz"),  # a word replaced on line 5
        Edit("f", 7, 4, 7, 4, " one;\n two;"),  # an inline insert that adds a line on line 7
    ]
    after = {1: (1, False), 2: (2, False), 3: (2, True), 4: (2, True), 5: (3, False), 7: (5, False)}
    after |= {9: (7, False), 10: (7, True), 11: (8, False)}
    assert {line: _back(edits, line) for line in after} == after
