"""wslint over the shared nginx corpus (../shared/corpus/nginx: about 1,400 real files, read in place).

What must hold on every run: exit 0 or 1 (never 2: no path in the corpus is unreadable), no
traceback, a JSON report valid against the shipped schema, findings that point at existing files
and at lines inside them, and the same findings whether the corpus is linted at once or one
repository folder at a time (each top-level folder is one repository; includes never cross them).

Then the facts from a review by hand, with nginx's behaviour checked by `nginx -t` on copies:
the corpus README's known-broken files get WS001 at the line nginx reports, WS001 appears only on
files nginx rejects, and the false-positive classes the review found stay found. An assertion that
fails because of a known wslint limit is ``xfail(strict=True)`` with the reason: a fix turns it
into an XPASS failure, and the mark goes away with the fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "wslint" / "schemas" / "report.schema.json"

GIXY = "MegaManSec__gixy-next/tests/plugins/simply/"
CERTBOT_RT = "certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/"
CERTBOT_ETC = "certbot__certbot/certbot/src/certbot/_internal/tests/plugins/nginx/testdata/etc_nginx/"
CROSSPLANE = "nginxinc__crossplane/tests/configs/"
LINUXSERVER = "linuxserver__reverse-proxy-confs/"
NPM = "NginxProxyManager__nginx-proxy-manager/docker/rootfs/etc/nginx/"

NO_CHECKS = (
    "wslint's nginx parser has no directive table: no context check (nginx: '\"X\" directive is not allowed "
    "here'), no argument count (nginx: 'invalid number of arguments'), no block check (nginx: 'directive \"X\" "
    'is not terminated by ";"\'); crossplane.analyzer.analyze() has the table'
)

# The corpus README's known-broken real-world files: the line(s) nginx reports (nginx -t on a copy,
# wrapped in the context the file is meant for; test_known_broken_lines_are_nginx_lines re-checks them).
# (file, wrapper context, nginx's line(s), why)
KNOWN_BROKEN = [
    (
        CERTBOT_RT + "elgg/nginx.conf",
        "http",
        {45},
        'rewrite regex with a space: invalid number of arguments in "rewrite"',
    ),
    # nginx stops at `listen ... spdy` (34, an invalid parameter since 1.9.5); the missing ";" after
    # `ssl_ciphers HIGH:!aNULL:!MD5` (63) is reported where the statement ends: line 104
    (CERTBOT_RT + "guide-to-nginx-ssl-spdy-hsts/nginx.conf", "main", {34, 104}, "spdy, and ssl_ciphers without ;"),
    (CERTBOT_RT + "simplecgi/nginx.conf", "main", {4}, '"location" directive is not allowed here (in http)'),
    (CERTBOT_RT + "javaservers/nginx.conf", "http", {3}, '"proxy_pass" directive is not allowed here'),
    (
        "jupyterhub__jupyterhub/docs/source/howto/configuration/config-proxy.md.block2.conf",
        "http",
        {20},
        'directive "root" is not terminated by ";" (reported at the "{" of the next location)',
    ),
    (LINUXSERVER + "_template.subdomain.conf.sample", "http", {53}, "set $upstream_proto <http or https>: arguments"),
    (LINUXSERVER + "_template.subfolder.conf.sample", "server", {31}, "set $upstream_proto <http or https>: arguments"),
]

# WS001 that wslint reports today and nginx agrees with (same line)
WS001_TRUE_POSITIVES = {
    GIXY + "allow_without_deny/include_and_deny_fp.conf": 1,  # nginx: unknown directive "//"
    GIXY + "origins/map_origin_allowlist_fp.conf": 3,  # unquoted {1,5} in a map regex: unexpected "{"
    CERTBOT_ETC + "broken.conf": 13,  # "@@@" without ";" at the end of the file
    CROSSPLANE + "missing-semicolon/broken-above.conf": 5,
    CROSSPLANE + "missing-semicolon/broken-below.conf": 8,
}

# Every other file nginx rejects for a reason WS001 covers (syntax, context, arguments), found by
# `nginx -t` on copies; WS001 may appear on these (today it does not: NO_CHECKS).
NGINX_REJECTS = {
    *WS001_TRUE_POSITIVES,
    *(f for f, _, _, _ in KNOWN_BROKEN),
    GIXY + "add_header_redefinition/non_block_fp.conf",  # directive "server" has no opening "{"
    GIXY + "host_spoofing/incomplete_directive_fp.conf",  # proxy_set_header Host;
    GIXY + "http_splitting/mapped_value_with_set.conf",  # set in server
    GIXY + "missing_worker_processes/misplaced_in_http.conf",
    GIXY + "mixed_case_variable/if_condition_inconsistent.conf",  # add_header in server if
    GIXY + "origins/origin_wo_slash.conf",  # if in http
    GIXY + "proxy_pass_normalized/map_fixed_values_fp.conf",  # location in http
    GIXY + "proxy_pass_normalized/map_request_uri_fp.conf",
    GIXY + "proxy_pass_normalized/map_uri.conf",
    GIXY + "return_bypasses_allow_deny/same_next_level_fp.conf",  # try_files in server
    GIXY + "stale_dns_cache/block_with_include_with_if.conf",  # a dump whose include puts if in http
    GIXY + "worker_rlimit_nofile_vs_connections/worker_rlimit_nofile_vs_connections_fp.conf",
    GIXY + "worker_rlimit_nofile_vs_connections/worker_rlimit_nofile_vs_connections_missing.conf",
    GIXY + "worker_rlimit_nofile_vs_connections/worker_rlimit_nofile_vs_connections_too_low.conf",
    CERTBOT_ETC + "edge_cases.conf",  # add_header with four arguments
    CERTBOT_ETC + "ubuntu_nginx_1_4_6/default_vhost/nginx/sites-enabled/default",  # a git symlink stored as text
    CROSSPLANE + "bad-args/nginx.conf",
    CROSSPLANE + "quote-behavior/nginx.conf",
    CROSSPLANE + "spelling-mistake/nginx.conf",  # unknown directive "proxy_passs"
    # a main config (user, http) that minimalistic_comments.conf includes at http level: "user"
    # directive is not allowed here
    CERTBOT_ETC + "foo.conf",
}

# RULES.md makes undecodable bytes WS001, although nginx (byte-oriented) accepts both files: the
# bytes are in a comment and in a string. Allowed, not required.
WS001_BY_SPEC_ONLY = {
    CERTBOT_ETC + "invalid_unicode_comments.conf",  # EUC-KR comment
    CROSSPLANE + "non-unicode/nginx.conf",  # Latin-1 comment and return string
}

# Files nginx never reads: a relative include resolves against nginx's prefix (the main file's
# directory), not against the including file's directory.
NEVER_READ_BY_NGINX = {
    CROSSPLANE + "includes-globbed/servers/locations/not-included.conf",  # "this file should never be included"
    CROSSPLANE + "includes-regular/conf.d/foo.conf",
    CROSSPLANE + "includes-regular/conf.d/bar.conf",
}
INCLUDE_ORDER = (
    "nginx_files._FileResolver.resolve tries a relative include against the including file's directory before "
    "the prefix; nginx resolves it against the prefix only (ngx_conf_full_name), so servers/server1.conf's "
    "`include locations/*.conf` reads servers/locations/not-included.conf instead of locations/*.conf"
)
DOUBLE_LINT = (
    "sources/nginx.py load(): an included file is still linted as its own root when its includer's path sorts "
    "after it; `real not in files_of[inc] or inc < real` should be `inc not in files_of[real] or inc < real`"
)


# -- running wslint ------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return env


def _cli(args: list[str], cwd: Path) -> tuple[int, dict[str, Any], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "wslint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=110,
        check=False,
    )
    report = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
    return proc.returncode, report, proc.stderr


def _in_process(args: list[str]) -> tuple[int, dict[str, Any], str]:
    from wslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    text = out.getvalue()
    return code, json.loads(text) if text.startswith("{") else {}, err.getvalue()


def _rel(corpus: Path, file: str, cwd: Path) -> str:
    return os.path.relpath(os.path.normpath(cwd / file), corpus)


def _keys(report: dict[str, Any], corpus: Path, cwd: Path) -> Counter[tuple[str, str, Any, str]]:
    return Counter((f["rule"], _rel(corpus, f["file"], cwd), f["line"], f["message"]) for f in report["findings"])


def _by_file(report: dict[str, Any], corpus: Path, rule: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in report["findings"]:
        if f["rule"] == rule:
            out.setdefault(_rel(corpus, f["file"], corpus), set()).add(f["line"])
    return out


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "nginx"
    assert (path / "MANIFEST.tsv").is_file(), f"{path} has no MANIFEST.tsv"
    return path


@pytest.fixture(scope="module")
def whole(corpus: Path) -> tuple[int, dict[str, Any], str]:
    """One CLI run over the whole corpus, from the corpus folder (paths relative to it)."""
    return _cli(["--isolated", "--output-format", "json", "."], corpus)


@pytest.fixture(scope="module")
def per_repo(corpus: Path) -> dict[str, tuple[int, dict[str, Any], str]]:
    """One in-process run per repository folder: what a user linting their repository gets."""
    return {
        d.name: _in_process(["--isolated", "--output-format", "json", str(d)])
        for d in sorted(corpus.iterdir())
        if d.is_dir()
    }


# -- every run -----------------------------------------------------------------------------------


def test_whole_corpus_exit_code_and_stderr(whole: tuple[int, dict[str, Any], str]) -> None:
    code, report, err = whole
    assert "Traceback" not in err
    assert "internal error" not in err
    assert [line for line in err.splitlines() if line.startswith("wslint: error")] == []
    assert code in (0, 1), err[-2000:]
    assert report, "no JSON on stdout"
    assert code == (1 if any(f["severity"] != "info" for f in report["findings"]) else 0)
    assert report["summary"]["files"] > 1300


def test_whole_corpus_report_matches_schema(whole: tuple[int, dict[str, Any], str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, report, _ = whole
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    shown = [f for f in report["findings"] if not f["suppressed"]]
    assert report["summary"]["findings"] == len(shown)
    for severity, count in report["summary"]["by_severity"].items():
        assert count == sum(1 for f in shown if f["severity"] == severity)


def _check_place(corpus: Path, where: dict[str, Any], lines: dict[str, list[str]]) -> str | None:
    path = corpus / where["file"]
    if not path.is_file():
        return f"{where['file']}: no such file"
    key = str(path)
    if key not in lines:
        lines[key] = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    text = lines[key]
    line = where["line"]
    # nginx numbers an error at the end of a file that ends with a newline one past the last line
    if line is None or not 1 <= line <= len(text):
        return f"{where['file']}:{line}: line outside the file ({len(text)} lines)"
    if where["column"] is not None and not 1 <= where["column"] <= len(text[line - 1]) + 1:
        return f"{where['file']}:{line}:{where['column']}: column outside the line"
    if where["end_line"] is not None and where["end_line"] < line:
        return f"{where['file']}:{line}: end_line {where['end_line']} before line"
    return None


def test_every_finding_points_into_an_existing_file(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    _, report, _ = whole
    cache: dict[str, list[str]] = {}
    problems = []
    for f in report["findings"]:
        for where in [f, *f["related"]]:
            problem = _check_place(corpus, where, cache)
            if problem:
                problems.append(f"{f['rule']} {problem}")
    assert problems == []


def test_per_repo_runs_match_the_whole_run(
    corpus: Path, whole: tuple[int, dict[str, Any], str], per_repo: dict[str, tuple[int, dict[str, Any], str]]
) -> None:
    _, report, _ = whole
    merged: Counter[tuple[str, str, Any, str]] = Counter()
    files = 0
    for name, (code, one, err) in per_repo.items():
        assert code in (0, 1), f"{name}: exit {code}: {err[-500:]}"
        assert "Traceback" not in err, name
        merged += _keys(one, corpus, corpus)
        files += one["summary"]["files"]
    assert files == report["summary"]["files"]
    whole_keys = _keys(report, corpus, corpus)
    assert sorted((whole_keys - merged).elements()) == []
    assert sorted((merged - whole_keys).elements()) == []


# -- WS001 against nginx -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "line"), sorted(WS001_TRUE_POSITIVES.items()), ids=[os.path.basename(f) for f in WS001_TRUE_POSITIVES]
)
def test_ws001_true_positives_at_nginx_lines(
    corpus: Path, whole: tuple[int, dict[str, Any], str], file: str, line: int
) -> None:
    assert (corpus / file).is_file()
    assert _by_file(whole[1], corpus, "WS001").get(file) == {line}


@pytest.mark.parametrize(
    ("file", "lines"),
    [(f, lines) for f, _, lines, _ in KNOWN_BROKEN],
    ids=[os.path.basename(os.path.dirname(f)) + "/" + os.path.basename(f) for f, _, _, _ in KNOWN_BROKEN],
)
def test_known_broken_files_get_ws001(
    corpus: Path, whole: tuple[int, dict[str, Any], str], file: str, lines: set[int]
) -> None:
    assert (corpus / file).is_file()
    found = _by_file(whole[1], corpus, "WS001").get(file, set())
    # nginx stops at its first error; wslint reports every directive nginx would reject
    assert found and min(found) in lines, f"WS001 at {sorted(found)}, nginx reports {sorted(lines)}"


def _nginx_t(binary: str, work: Path, text: str, context: str) -> tuple[bool, int | None, str]:
    """`nginx -t` on text wrapped in context (includes commented out, lines kept)."""
    text = re.sub(r"(?m)^(\s*)(include\s)", r"\1#\2", text)
    (work / "snippet.conf").write_text(text, encoding="utf-8")
    inner = f"include {work}/snippet.conf;"
    if context == "main":
        conf = work / "snippet.conf"
    else:
        conf = work / "nginx.conf"
        body = {"http": inner, "server": f"server {{ {inner} }}"}[context]
        conf.write_text(f"pid {work}/nginx.pid;\nevents {{}}\nhttp {{ {body} }}\n", encoding="utf-8")
    proc = subprocess.run(
        [binary, "-t", "-q", "-p", f"{work}/", "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    match = re.search(r"\[emerg\] \d+#\d+: (.*?) in \S*snippet\.conf:(\d+)$", proc.stderr, re.M)
    return proc.returncode == 0, int(match.group(2)) if match else None, proc.stderr


@pytest.mark.parametrize(
    ("file", "context", "lines"),
    [(f, c, lines) for f, c, lines, _ in KNOWN_BROKEN],
    ids=[os.path.basename(os.path.dirname(f)) + "/" + os.path.basename(f) for f, _, _, _ in KNOWN_BROKEN],
)
def test_known_broken_lines_are_nginx_lines(
    corpus: Path, nginx_binary: str, tmp_path: Path, file: str, context: str, lines: set[int]
) -> None:
    ok, line, err = _nginx_t(nginx_binary, tmp_path, (corpus / file).read_text(encoding="utf-8"), context)
    assert not ok
    assert line in lines, err


def test_ws001_only_on_files_nginx_rejects(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    flagged = set(_by_file(whole[1], corpus, "WS001"))
    # the files nginx never reads are the subject of their own test below
    unexpected = flagged - NGINX_REJECTS - WS001_BY_SPEC_ONLY - NEVER_READ_BY_NGINX
    assert sorted(unexpected) == []


def test_no_ws001_on_files_nginx_never_reads(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    flagged = set(_by_file(whole[1], corpus, "WS001"))
    assert sorted(flagged & NEVER_READ_BY_NGINX) == []


def test_nginx_accepts_the_globbed_include_tree(corpus: Path, nginx_binary: str, tmp_path: Path) -> None:
    """The premise of the test above: nginx -t passes on includes-globbed, so not-included.conf is never read."""
    tree = tmp_path / "includes-globbed"
    shutil.copytree(corpus / CROSSPLANE / "includes-globbed", tree)
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    proc = subprocess.run(
        [nginx_binary, "-t", "-q", "-p", f"{tree}/", "-c", str(tree / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_ws001_on_a_last_token_without_newline(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    file = CERTBOT_ETC + "ubuntu_nginx_1_4_6/default_vhost/nginx/sites-enabled/default"
    assert (corpus / file).read_bytes() == b"../sites-available/default"
    assert _by_file(whole[1], corpus, "WS001").get(file) == {1}


@pytest.mark.xfail(
    strict=True,
    reason='after a closing quote nginx wants a space, ";" or "{" (unexpected "-"); crossplane\'s lexer '
    "glues the rest on",
)
def test_ws001_on_text_glued_to_a_quote(corpus: Path) -> None:
    code, report, err = _cli(
        ["--isolated", "--output-format", "json", "--kind", "nginx", CROSSPLANE + "quote-behavior/nginx.conf"], corpus
    )
    assert code in (0, 1), err
    assert {(f["rule"], f["line"]) for f in report["findings"]} == {("WS001", 1)}


# -- false-positive classes ----------------------------------------------------------------------


def test_linuxserver_locations_get_no_upgrade_findings(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    """Their headers come from /config/nginx/proxy.conf, which is not in the corpus: unknown, never a finding."""
    rules = {
        f["rule"]
        for f in whole[1]["findings"]
        if _rel(corpus, f["file"], corpus).startswith(LINUXSERVER) and "/_template." not in f["file"]
    }
    assert rules <= {"WS002"}, rules


def test_partial_header_list_is_unknown(corpus: Path, tmp_path: Path) -> None:
    """plex, jellyfin, synclounge...: `include /config/nginx/proxy.conf;` (Upgrade, Connection) plus own headers."""
    config = tmp_path / "wslint.toml"
    config.write_text('websocket-routes = ["/", "location /"]\n', encoding="utf-8")
    code, report, err = _cli(
        ["--config", str(config), "--output-format", "json", "--select", "WS1", LINUXSERVER], corpus
    )
    assert code in (0, 1), err
    assert [(f["rule"], f["file"], f["line"]) for f in report["findings"] if f["rule"] != "WS001"] == []


def test_included_file_is_linted_through_its_includer_only(
    corpus: Path, whole: tuple[int, dict[str, Any], str]
) -> None:
    """conf.d/dev.conf is included by nginx.conf, whose http level sets proxy_read_timeout 90s."""
    report = whole[1]
    assert _by_file(report, corpus, "WS201").get(NPM + "conf.d/dev.conf") is None
    # conf.d/default.conf's `include conf.d/include/*.conf` resolve from nginx.conf's directory
    warnings = [
        f for f in report["findings"] if f["rule"] == "WS002" and _rel(corpus, f["file"], corpus).startswith(NPM)
    ]
    assert [f for f in warnings if f["severity"] == "warning"] == []


def test_include_not_found_only_for_missing_files(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    repo = corpus / "h5bp__server-configs-nginx"
    wrong = []
    for f in whole[1]["findings"]:
        match = re.match(r'include "([^"]+)" was not read', f["message"])
        if f["rule"] != "WS002" or f["severity"] != "warning" or not match:
            continue
        target = match.group(1)
        in_repo = _rel(corpus, f["file"], corpus).startswith(repo.name + "/")
        if in_repo and not os.path.isabs(target) and (repo / target).is_file():
            wrong.append(f"{f['file']}:{f['line']} {target}")
    assert wrong == []


def test_udp_stream_server_is_not_a_websocket_hop(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    file = "nginxinc__NGINX-Demos/nginx-gcp-meetup-demo/nginxplus/udp.conf"
    assert "listen 8044 udp;" in (corpus / file).read_text(encoding="utf-8")
    assert [f["rule"] for f in whole[1]["findings"] if _rel(corpus, f["file"], corpus) == file] == []


def test_ws301_bottleneck_stays_on_the_path(corpus: Path) -> None:
    code, report, err = _cli(
        [
            "--isolated",
            "--output-format",
            "json",
            "--ping-interval",
            "6m",
            "--select",
            "WS301",
            "nginxinc__NGINX-Demos",
        ],
        corpus,
    )
    assert code in (0, 1), err
    assert report["findings"], "WS301 should fire on the 10m stream servers"
    crossing = [
        f"{f['file']}:{f['line']} -> {r['file']}:{r['line']}"
        for f in report["findings"]
        for r in f["related"]
        if r["file"] != f["file"]
    ]
    assert crossing == []
