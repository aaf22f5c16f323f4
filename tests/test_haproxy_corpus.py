"""wslint over the shared HAProxy corpus, checked against the real ``haproxy -c`` (issue 3, "Proof").

The corpus (../shared/corpus/haproxy: haproxy-examples, haproxy-regtests, haproxy-tests-conf,
third-party; 418 files listed in MANIFEST.tsv) is read in place. HAProxy's verdicts come from
scripts/haproxy_corpus_report.py (``haproxy -c -dr -f FILE`` from an empty temporary directory,
minimal environment, 10 s per call, two calls at a time), computed once per session; run the
script by hand for the numbers:

    python3 scripts/haproxy_corpus_report.py [--json out.json] [--compare]

"Accepted" = exit 0, or exit 2 with "Configuration file has no error but will not start (no
listener)". The reg-test configs are vtest templates (``bind "fd@${fe}"``, ``server s1
${s1_addr}:${s1_port}``): HAProxy rejects almost all of them as they stand (the macros expand to
nothing); the script checks those again on a copy with the macros filled in as vtest would, and
a file accepted that way counts as accepted too (wslint lints the original: the ``${...}`` parts
are unknown values, which must not be a parse error).

What is checked:

a. one CLI run over the whole corpus folder: exit 0/1 (never 2), no traceback, a JSON report valid
   against wslint/schemas/report.schema.json, every finding (and related place) inside its file;
b. every file HAProxy accepts gets no WS001 from ``wslint --isolated --kind haproxy FILE`` (one
   in-process run per file: wslint combines the HAProxy files of one directory into one config,
   so a folder run is not a per-file verdict);
c. for every accepted file, the proxies HAProxy warns ``missing timeouts for <frontend|backend|
   proxy> 'name'`` about (HAProxy 2.6 says "proxy" for a listen section) are exactly the proxies
   wslint's WS204 findings name (``frontend 'x'``, ``backend 'x'``, ``listen 'x'`` in the message);
d. the files HAProxy rejects, the reg-tests' ``*__conf-BAD.cfg`` among them: wslint exits 0/1
   without a traceback; nothing more is asserted (most are rejected for a missing certificate,
   map or Lua file, or a keyword newer than 2.6, which wslint neither can nor should see).

What HAProxy 2.6.12 and wslint did when this module was written (scripts/haproxy_corpus_report.py):

* accepted: 92 files as they stand, 142 more reg-tests once vtest's macros are filled in (234);
  15 of them exit 2 "no listener" (accepted). HAProxy warns "missing timeouts" 13 times, in 4
  files (frontends and backends; no listen); WS204 names exactly those proxies, and no accepted
  file gets WS001.
* rejected: 184 files. 96 for keywords, options, converters or sections newer than 2.6
  (hash-preserve-affinity, crt-store, tune.lua.openlibs, force-be-switch, log-profile, removed
  nbproc/contimeout, ...), 61 for a missing external file (certificates, errorfiles, maps, Lua,
  SPOE configs: the run is from an empty directory), 19 ``*__conf-BAD.cfg``, 7 others (QUIC not
  compiled in, abnsz@/rhttp@ addresses, the ``(arg)`` fetch tests) and 1 unset environment
  variable (kubeadm's ``*:${APISERVER_DEST_PORT}``).
* wslint on the rejected files: exit 0/1, no traceback, no WS001 (none is a tokenizer-level error;
  wslint has no keyword table). Of the 19 ``*__conf-BAD.cfg``, 11 are clean (exit 0) and 8
  (startup default_rules h9-h13, h15, h16; ssl crt_store h2) get WS202/WS204/WS402 findings:
  HAProxy refuses them for semantic reasons (http-request rules in an anonymous defaults, a
  proxy inheriting TCP/HTTP rules from a defaults of the wrong kind, an unknown stick table,
  a missing certificate), which wslint does not check.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(150)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "wslint" / "schemas" / "report.schema.json"
SCRIPT = ROOT / "scripts" / "haproxy_corpus_report.py"
PROXY = re.compile(r"(frontend|backend|listen) '([^']*)'")

# Known disagreements, each verified by hand against haproxy -c (file -> why). Empty until one is
# found; a fix makes the test fail until the entry is removed.
KNOWN_WS001: dict[str, str] = {}
KNOWN_WS204: dict[str, str] = {}


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hap_report() -> ModuleType:
    """scripts/haproxy_corpus_report.py, which runs haproxy -c and parses what it says."""
    spec = importlib.util.spec_from_file_location("haproxy_corpus_report", SCRIPT)
    assert spec is not None and spec.loader is not None, f"{SCRIPT} is missing"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "haproxy"
    assert (path / "MANIFEST.tsv").is_file(), f"{path} has no MANIFEST.tsv"
    return path


@pytest.fixture(scope="session")
def haproxy_results(corpus: Path, haproxy_binary: str, hap_report: ModuleType) -> dict[str, Any]:
    """file (relative to the corpus) -> FileResult, for every file of MANIFEST.tsv."""
    results = hap_report.check_corpus(corpus, haproxy_binary, jobs=2)
    broken = [f"{r.file}: {r.best.verdict}" for r in results if r.best.verdict in ("timeout", "crash")]
    assert broken == [], "haproxy -c timed out or crashed"
    return {r.file: r for r in results}


@pytest.fixture(scope="session")
def accepted(haproxy_results: dict[str, Any]) -> list[str]:
    return sorted(f for f, r in haproxy_results.items() if r.accepted)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="session")
def whole(corpus: Path) -> tuple[int, dict[str, Any], str]:
    """One CLI run over the corpus folder, from the corpus folder (paths relative to it)."""
    proc = subprocess.run(
        [sys.executable, "-m", "wslint", "--isolated", "--output-format", "json", "--exit-zero", "."],
        cwd=corpus,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    report = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
    return proc.returncode, report, proc.stderr


def _lint_one(path: Path) -> tuple[int, dict[str, Any], str]:
    from wslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--isolated", "--kind", "haproxy", "--output-format", "json", str(path)])
        except SystemExit as exc:  # main() returns its status; exit is a failure to report, not to crash on
            code = exc.code if isinstance(exc.code, int) else 2
    text = out.getvalue()
    return code, json.loads(text) if text.startswith("{") else {}, err.getvalue()


@pytest.fixture(scope="session")
def per_file(corpus: Path, haproxy_results: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any], str]]:
    """``wslint --isolated --kind haproxy --output-format json FILE``, in-process, for every corpus file."""
    return {rel: _lint_one(corpus / rel) for rel in sorted(haproxy_results)}


def _ws204(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (kind, name)
        for f in report.get("findings", [])
        if f["rule"] == "WS204"
        for kind, name in PROXY.findall(f["message"])
    }


# -- the harness itself ---------------------------------------------------------------------------


def test_haproxy_wording_is_what_the_parser_expects(
    tmp_path: Path, haproxy_binary: str, hap_report: ModuleType
) -> None:
    """HAProxy 2.6: "missing timeouts for proxy 'li'" for a listen; no warning for a backend without servers."""
    cfg = tmp_path / "t.cfg"
    cfg.write_text(
        "defaults\n  mode http\n"
        "listen li\n  bind 127.0.0.1:8001\n  server s1 127.0.0.1:1\n"
        "frontend fe\n  bind 127.0.0.1:8002\n  timeout tunnel 1h\n  default_backend be\n"
        "backend be\n  server s 127.0.0.1:2\n"
        "backend be_nosrv\n  http-request return status 200\n",
        encoding="utf-8",
    )
    check = hap_report.run_haproxy(haproxy_binary, cfg, "t.cfg", str(tmp_path))
    assert check.accepted, [m.text for m in check.alerts]
    assert sorted(check.missing_timeouts) == [("backend", "be"), ("frontend", "fe"), ("listen", "li")]
    assert [(t["proxy"], t["line"]) for t in check.ignored_timeouts] == [(["frontend", "fe"], 8)]


def test_haproxy_accepts_enough_of_the_corpus(haproxy_results: dict[str, Any], accepted: list[str]) -> None:
    assert len(haproxy_results) == 418
    # 2.6.12: 92 as they stand, 142 more reg-tests once vtest's macros are filled in
    assert len(accepted) >= 200, len(accepted)


# -- a. the whole folder --------------------------------------------------------------------------


def test_whole_corpus_exit_code_and_stderr(whole: tuple[int, dict[str, Any], str]) -> None:
    code, report, err = whole
    assert "Traceback" not in err, err[-3000:]
    assert "internal error" not in err, err[-3000:]
    assert code in (0, 1), err[-2000:]
    assert report, "no JSON on stdout"


def test_whole_corpus_report_matches_schema(whole: tuple[int, dict[str, Any], str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, report, _ = whole
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def _outside(corpus: Path, where: dict[str, Any], cache: dict[str, list[str]]) -> str | None:
    path = corpus / where["file"]
    if not path.is_file():
        return f"{where['file']}: no such file"
    key = str(path)
    if key not in cache:
        text = path.read_bytes().decode("utf-8", errors="replace")
        cache[key] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = cache[key]
    line = where["line"]
    if line is None or not 1 <= line <= len(lines):
        return f"{where['file']}:{line}: line outside the file ({len(lines)} lines)"
    if where["column"] is not None and not 1 <= where["column"] <= len(lines[line - 1]) + 1:
        return f"{where['file']}:{line}:{where['column']}: column outside the line"
    if where["end_line"] is not None and where["end_line"] < line:
        return f"{where['file']}:{line}: end_line {where['end_line']} before line"
    return None


def test_every_finding_points_into_its_file(corpus: Path, whole: tuple[int, dict[str, Any], str]) -> None:
    _, report, _ = whole
    cache: dict[str, list[str]] = {}
    problems = [
        f"{f['rule']} {problem}"
        for f in report["findings"]
        for where in [f, *f["related"]]
        if (problem := _outside(corpus, where, cache))
    ]
    assert problems == []


# -- b. no WS001 where HAProxy accepts --------------------------------------------------------------


def test_per_file_runs_exit_cleanly(per_file: dict[str, tuple[int, dict[str, Any], str]]) -> None:
    bad = {
        rel: (code, err[-800:])
        for rel, (code, report, err) in per_file.items()
        if code not in (0, 1) or "Traceback" in err or not report
    }
    assert bad == {}


def test_no_ws001_on_files_haproxy_accepts(
    accepted: list[str], haproxy_results: dict[str, Any], per_file: dict[str, tuple[int, dict[str, Any], str]]
) -> None:
    found = {
        rel: [(f["line"], f["message"]) for f in per_file[rel][1].get("findings", []) if f["rule"] == "WS001"]
        for rel in accepted
    }
    found = {rel: ws001 for rel, ws001 in found.items() if ws001}
    unexpected = {
        rel: (haproxy_results[rel].best.mode, ws001) for rel, ws001 in found.items() if rel not in KNOWN_WS001
    }
    assert unexpected == {}
    assert sorted(set(KNOWN_WS001) - set(found)) == [], "fixed: remove from KNOWN_WS001"


# -- c. WS204 against HAProxy's "missing timeouts" ---------------------------------------------------


def test_missing_timeouts_agree_with_haproxy(
    corpus: Path,
    accepted: list[str],
    haproxy_results: dict[str, Any],
    per_file: dict[str, tuple[int, dict[str, Any], str]],
) -> None:
    differ: dict[str, dict[str, Any]] = {}
    for rel in accepted:
        haproxy = set(haproxy_results[rel].best.missing_timeouts)
        # a file with no global and no defaults, linted alone outside a conf.d-style folder, runs on HAProxy's own
        # defaults as `haproxy -f FILE` runs it: compared like the others
        wslint = _ws204(per_file[rel][1])
        if haproxy != wslint:
            differ[rel] = {
                "only haproxy": sorted(haproxy - wslint),
                "only wslint": sorted(wslint - haproxy),
                "WS204": [(f["line"], f["message"]) for f in per_file[rel][1]["findings"] if f["rule"] == "WS204"],
            }
    unexpected = {rel: d for rel, d in differ.items() if rel not in KNOWN_WS204}
    assert unexpected == {}
    assert sorted(set(KNOWN_WS204) - set(differ)) == [], "fixed: remove from KNOWN_WS204"


def test_the_corpus_exercises_ws204(haproxy_results: dict[str, Any], accepted: list[str]) -> None:
    """The agreement above means something: HAProxy warns about frontends and backends in several files."""
    warned = [(rel, k) for rel in accepted for k, _ in haproxy_results[rel].best.missing_timeouts]
    assert len({rel for rel, _ in warned}) >= 3
    assert {k for _, k in warned} >= {"frontend", "backend"}


# Small configs for what the corpus does not exercise: HAProxy's check (src/cfgparse.c,
# check_config_validity) skips disabled proxies, needs timeout server/connect only when a backend
# has servers, accepts timeout tunnel instead of timeout server in TCP mode, and reads 0 as unset.
_HEAD = "global\ndefaults\n  mode http\n"
_SET = "  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\n"
EDGE_CASES = {
    "no-servers": _HEAD
    + "backend be_tmpl\n  server-template s 3 127.0.0.1:2\n"
    + "backend be_no_server\n  default-server inter 1s\n"
    + "listen li_no_server\n  bind 127.0.0.1:8004\n  stats uri /\n"
    + "listen li_client_only\n  bind 127.0.0.1:8005\n  timeout client 5s\n  stats uri /\n",
    "tcp-tunnel": "global\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 5s\n"
    + "backend be_tcp_tunnel\n  timeout tunnel 1h\n  server s 127.0.0.1:2\n"
    + "backend be_http_tunnel\n  mode http\n  timeout tunnel 1h\n  server s 127.0.0.1:2\n"
    + "backend be_tcp\n  server s 127.0.0.1:2\n",
    "named-defaults": "global\ndefaults base\n  mode http\n  timeout connect 5s\n  timeout server 5s\n"
    + "defaults other from base\n  timeout client 5s\ndefaults\n  mode http\n"
    + "frontend fe from other\n  bind 127.0.0.1:8003\n  default_backend be\n"
    + "backend be from base\n  server s 127.0.0.1:2\n"
    + "frontend fe2\n  bind 127.0.0.1:8004\n  default_backend be2\nbackend be2\n  server s 127.0.0.1:2\n",
    "later-empty-defaults": _HEAD
    + _SET
    + "defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:8003\n  default_backend be\n"
    + "backend be\n  server s 127.0.0.1:2\n",
    "listen-and-ignored-tunnel": _HEAD
    + "listen li\n  bind 127.0.0.1:8001\n  server s1 127.0.0.1:1\n"
    + "frontend fe\n  bind 127.0.0.1:8002\n  timeout tunnel 1h\n  default_backend be\n"
    + "backend be\n  timeout connect 5s\n  timeout server 5s\n  server s 127.0.0.1:2\n",
    "disabled": _HEAD
    + "backend be_disabled\n  disabled\n  server s 127.0.0.1:3\n"
    + "frontend fe_disabled\n  disabled\n  bind 127.0.0.1:8005\n  default_backend be_disabled\n"
    + "frontend fe\n  bind 127.0.0.1:8006\n  timeout client 5s\n  default_backend be_disabled\n",
    "zero-is-unset": "global\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 0\n  timeout server 0s\n"
    + "frontend fe\n  bind 127.0.0.1:8003\n  default_backend be\nbackend be\n  server s 127.0.0.1:2\n",
}
EDGE_XFAIL: dict[str, str] = {}  # every edge case agrees with HAProxy 2.6


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=EDGE_XFAIL[name]))
        if name in EDGE_XFAIL
        else name
        for name in EDGE_CASES
    ],
)
def test_missing_timeouts_edge_cases_agree_with_haproxy(
    case: str, tmp_path: Path, haproxy_binary: str, hap_report: ModuleType
) -> None:
    cfg = tmp_path / f"{case}.cfg"
    cfg.write_text(EDGE_CASES[case], encoding="utf-8")
    check = hap_report.run_haproxy(haproxy_binary, cfg, cfg.name, str(tmp_path))
    assert check.accepted, [m.text for m in check.alerts]
    code, report, err = _lint_one(cfg)
    assert code in (0, 1), err
    assert _ws204(report) == set(check.missing_timeouts)


# -- d. what HAProxy rejects ---------------------------------------------------------------------------


def test_rejected_files_do_not_crash(
    haproxy_results: dict[str, Any], per_file: dict[str, tuple[int, dict[str, Any], str]]
) -> None:
    rejected = [rel for rel, r in haproxy_results.items() if not r.accepted]
    assert len(rejected) > 100
    bad = {
        rel: (per_file[rel][0], per_file[rel][2][-800:])
        for rel in rejected
        if per_file[rel][0] not in (0, 1) or "Traceback" in per_file[rel][2]
    }
    assert bad == {}


def test_conf_bad_files_do_not_crash(
    haproxy_results: dict[str, Any], per_file: dict[str, tuple[int, dict[str, Any], str]]
) -> None:
    bad_files = sorted(rel for rel, r in haproxy_results.items() if r.conf_bad)
    assert len(bad_files) == 19
    assert [rel for rel in bad_files if haproxy_results[rel].accepted] == []
    assert {rel: per_file[rel][0] for rel in bad_files if per_file[rel][0] not in (0, 1)} == {}
    assert [rel for rel in bad_files if "Traceback" in per_file[rel][2]] == []
