#!/usr/bin/env python3
"""Run the real ``haproxy -c`` over the shared HAProxy corpus and summarise what HAProxy says.

The corpus (../shared/corpus/haproxy: four folders, listed in MANIFEST.tsv) is read in place.
Every file gets ``haproxy -c -dr -f FILE`` (``-c``: check only, nothing is started or bound;
``-dr``: a server address that does not resolve is not an error, so no DNS look-ups decide the
verdict), run from an empty temporary directory (relative paths such as ``crt site.pem`` resolve
there, i.e. to nothing), with a minimal environment (PATH, LANG=C: HAProxy expands ``${VAR}`` from
its environment, so the linting machine's variables must not leak in) and a time limit per call.

Per file it records the exit status and verdict, every ALERT and every WARNING (with file:line
when HAProxy gives one), and, parsed out of them:

* ``missing timeouts for <frontend|backend|proxy> '<name>'`` (HAProxy 2.6 says ``proxy`` for a
  ``listen`` section; this script reports ``listen``),
* ``'timeout <x>' will be ignored because <frontend> '<name>' has no <backend> capability``,
* ``unexpected character 'c' after the timer value 'v'`` (a warning without file:line in 2.6)
  and the ``unexpected character 'c' in 'timeout x'`` alert (a bad unit).

Verdicts: ``valid`` (exit 0), ``valid-no-listener`` (exit 2 with "Configuration file has no error
but will not start (no listener)": the configuration is accepted, it only binds nothing),
``rejected`` (exit 1), ``timeout``, ``crash`` (anything else). "Accepted" = the two ``valid`` ones.

vtest macros. The reg-test configs (haproxy-regtests) are templates for vtest, which replaces
``${sN_addr}``/``${sN_port}`` and friends in the configuration text itself before starting haproxy,
and hands it listening sockets as ``bind "fd@${fe}"``. Under plain ``haproxy -c`` they are
environment variables (HAProxy 2.6 expands ``${VAR}`` only inside double quotes, plus in
bind/server addresses), all unset: "file descriptor '' is not a valid integer in 'fd@'",
"resolves to an empty address (environment variable missing?)", or the literal ``${s1_port}`` in
an ACL. A file rejected as-is that uses such macros is checked a second time (mode ``vtest-env``)
on a temporary copy with the macros replaced the way vtest would (the line numbers do not
change; messages are mapped back to the corpus file): ``*_addr`` = 127.0.0.1, ``*_port`` = 1,
``*_sock`` = 127.0.0.1:1, ``testdir`` and ``tmpdir`` = the empty temporary directory, every
``fd@${NAME}`` = the number of an inherited socket that is bound to 127.0.0.1:0 but never listens.
``${VAR-default}`` is not a vtest macro and stays for HAProxy, which uses the default (e.g.
``"${HAPROXY_TEST_TIMEOUT-5s}"`` = 5s). The files named ``*__conf-BAD.cfg``
are the reg-tests' own "HAProxy must refuse this" cases.

    python3 scripts/haproxy_corpus_report.py                   # summary
    python3 scripts/haproxy_corpus_report.py --json out.json   # also per-file results
    python3 scripts/haproxy_corpus_report.py --compare         # also wslint WS001/WS204 vs HAProxy

``--compare`` lints every accepted file on its own with ``wslint --isolated --kind haproxy``
(in-process) and lists the files where wslint reports WS001, or where the set of proxies named by
WS204 findings differs from the set HAProxy warns ``missing timeouts`` about.

Exit status: 0; 1 when a haproxy call crashed or timed out, or (with --compare) when there is a
disagreement; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "haproxy"
TIMEOUT = 10.0
NO_LISTENER = "Configuration file has no error but will not start (no listener)"
ACCEPTED = ("valid", "valid-no-listener")

_MSG = re.compile(r"^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\)\s*:\s?(.*)$")
_WHERE = re.compile(r"^(?:parsing\s*)?\[([^\]\n]+):(\d+)\]\s*:?\s*")
MISSING_TIMEOUTS = re.compile(r"missing timeouts for (frontend|backend|listen|proxy) '(.*)'\.")
IGNORED_TIMEOUT = re.compile(
    r"'timeout ([\w-]+)' will be ignored because (frontend|backend|listen|proxy) '(.*)' has no (\w+) capability"
)
TIMER_TRAILING = re.compile(r"unexpected character '(.)' after the timer value '([^']*)'")
TIMER_BAD_UNIT = re.compile(r"unexpected character '(.)' in '([^']*)'")
# HAProxy 2.6's proxy_type_str() says "proxy" for a listen section
HAPROXY_KIND = {"frontend": "frontend", "backend": "backend", "listen": "listen", "proxy": "listen"}

_VTEST_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VTEST_FD = re.compile(r"fd@\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Message:
    level: str  # ALERT | WARNING
    text: str  # without the "[LEVEL] (pid) : config :" prefix and the file:line part
    file: str | None = None
    line: int | None = None

    def shape(self) -> str:
        """The text with quoted values, paths and numbers taken out, to count kinds."""
        text = re.sub(r"'[^']*'", "'X'", self.text)
        text = re.sub(r"\[[^\]]*:\d+\]", "[F:L]", text)
        text = re.sub(r"(?<![\w'])/\S+", "PATH", text)
        return re.sub(r"\b\d+\b", "N", text)


@dataclass
class Check:
    """One ``haproxy -c`` call on one file."""

    file: str  # relative to the corpus folder
    mode: str  # as-is | vtest-env
    exit_code: int | None
    verdict: str
    seconds: float
    alerts: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    missing_timeouts: list[tuple[str, str]] = field(default_factory=list)  # (frontend|backend|listen, name)
    ignored_timeouts: list[dict[str, Any]] = field(default_factory=list)
    timer_warnings: list[dict[str, Any]] = field(default_factory=list)
    macros: dict[str, str] = field(default_factory=dict)  # the vtest macros replaced (vtest-env mode)

    @property
    def accepted(self) -> bool:
        return self.verdict in ACCEPTED

    def causes(self) -> list[Message]:
        """The alerts that say why, without HAProxy's closing "Error(s) found" / "Fatal errors" lines."""
        return [
            m
            for m in self.alerts
            if not m.text.startswith(("Error(s) found in configuration file", "Fatal errors found in configuration"))
        ]


@dataclass
class FileResult:
    file: str
    folder: str
    conf_bad: bool
    uses_macros: bool
    as_is: Check
    vtest: Check | None = None

    @property
    def best(self) -> Check:
        """The check that decides: vtest-env when it ran (only on files rejected as-is), else as-is."""
        return self.vtest if self.vtest is not None else self.as_is

    @property
    def accepted(self) -> bool:
        return self.best.accepted

    def category(self) -> str:
        if self.as_is.accepted:
            return "accepted as-is"
        if self.vtest is not None and self.vtest.accepted:
            return "accepted with vtest macros defined"
        if self.best.verdict in ("timeout", "crash"):
            return f"haproxy {self.best.verdict}"
        if self.conf_bad:
            return "rejected: *conf-BAD (the reg-test expects HAProxy to refuse it)"
        return "rejected: " + classify(self.best.causes())


_CLASSES = [
    (
        "an external file is missing (certificate, map, Lua, errorfile, ...)",
        re.compile(
            r"No such file|unable to stat|unable to load|[Cc]annot open|failed to open|unable to open|"
            r"can't open|couldn't open|unable to read|error opening|Cannot read|failed to load|"
            r"unable to find required|cannot be read",
            re.I,
        ),
    ),
    (
        "an environment variable or vtest macro is unset or unusable",
        re.compile(r"is not a valid integer in 'fd@'|environment variable missing|\$\{|empty address"),
    ),
    (
        "a keyword, section or argument HAProxy 2.6 does not know (newer syntax?)",
        re.compile(
            r"unknown keyword|[Uu]nknown |not supported|expected|unsupported|unknown section|not implemented|"
            r"does not support|doesn't exist anymore|expects|invalid|unexpected|requires|not allowed|"
            r"cannot handle|no such|missing fetch method|not permitted",
            re.I,
        ),
    ),
]


def classify(causes: list[Message]) -> str:
    """What HAProxy's first alert is about (it stops at the first error of some kinds)."""
    for name, pattern in _CLASSES:
        if causes and pattern.search(causes[0].text):
            return name
    return "other"


def parse_output(stderr: str) -> tuple[list[Message], list[Message]]:
    """ALERT and WARNING messages; "   | ..." continuation lines are appended to their message."""
    alerts: list[Message] = []
    warnings: list[Message] = []
    last: Message | None = None
    for raw in stderr.splitlines():
        match = _MSG.match(raw)
        if match is None:
            if last is not None and raw.strip():
                last.text += "\n" + raw.strip()
            continue
        level, text = match.groups()
        if level == "NOTICE":
            last = None
            continue
        text = re.sub(r"^config\s*:\s*", "", text)
        file = line = None
        where = _WHERE.match(text)
        if where:
            file, line = where.group(1), int(where.group(2))
            text = text[where.end() :]
        last = Message(level, text, file, line)
        (alerts if level == "ALERT" else warnings).append(last)
    return alerts, warnings


def vtest_macros(text: str, tmpdir: str, fd: int) -> dict[str, str]:
    """The values vtest would put in for this file's ``${NAME}`` macros (``${VAR-default}`` is no macro)."""
    macros: dict[str, str] = {}
    fds = set(_VTEST_FD.findall(text))
    for name in sorted(set(_VTEST_NAME.findall(text))):
        if name in fds:
            macros[name] = str(fd)
        elif name.endswith("_addr"):
            macros[name] = "127.0.0.1"
        elif name.endswith("_port"):
            macros[name] = "1"
        elif name.endswith("_sock"):
            macros[name] = "127.0.0.1:1"
        elif name in ("testdir", "tmpdir"):
            macros[name] = tmpdir
    return macros


def expand_macros(text: str, macros: dict[str, str]) -> str:
    return _VTEST_NAME.sub(lambda m: macros.get(m.group(1), m.group(0)), text)


def run_haproxy(
    binary: str,
    path: Path,
    rel: str,
    cwd: str,
    mode: str = "as-is",
    macros: dict[str, str] | None = None,
    pass_fds: tuple[int, ...] = (),
    timeout: float = TIMEOUT,
) -> Check:
    """``haproxy -c -dr -f path`` from cwd; messages about path are reported as rel."""
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [binary, "-c", "-dr", "-f", str(path)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            pass_fds=pass_fds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Check(rel, mode, None, "timeout", time.perf_counter() - start, macros=macros or {})
    seconds = time.perf_counter() - start
    alerts, warnings = parse_output(proc.stderr.replace(str(path), rel).replace(cwd, "<cwd>"))
    if proc.returncode == 0:
        verdict = "valid"
    elif proc.returncode == 2 and NO_LISTENER in proc.stdout + proc.stderr:
        verdict = "valid-no-listener"
    elif proc.returncode == 1:
        verdict = "rejected"
    else:
        verdict = "crash"
    check = Check(rel, mode, proc.returncode, verdict, seconds, alerts, warnings, macros=macros or {})
    for m in warnings:
        for kind, name in MISSING_TIMEOUTS.findall(m.text):
            check.missing_timeouts.append((HAPROXY_KIND[kind], name))
        found = IGNORED_TIMEOUT.search(m.text)
        if found:
            timeout_name, kind, name, capability = found.groups()
            check.ignored_timeouts.append(
                {"timeout": timeout_name, "proxy": [HAPROXY_KIND[kind], name], "missing": capability, "line": m.line}
            )
        found = TIMER_TRAILING.search(m.text)
        if found:
            check.timer_warnings.append({"kind": "trailing", "char": found.group(1), "value": found.group(2)})
    for m in alerts:
        found = TIMER_BAD_UNIT.search(m.text)
        if found and found.group(2).startswith("timeout"):
            check.timer_warnings.append(
                {"kind": "bad-unit (alert)", "char": found.group(1), "value": found.group(2), "line": m.line}
            )
    return check


def corpus_files(corpus: Path) -> list[str]:
    """The files of MANIFEST.tsv (or every *.cfg when there is none), relative to the corpus."""
    manifest = corpus / "MANIFEST.tsv"
    if manifest.is_file():
        rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
        return sorted(row.split("\t")[0] for row in rows if row.strip())
    return sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.cfg"))


def check_corpus(
    corpus: Path,
    binary: str = "/usr/sbin/haproxy",
    jobs: int = 2,
    timeout: float = TIMEOUT,
    vtest: bool = True,
    files: Iterable[str] | None = None,
) -> list[FileResult]:
    """``haproxy -c -dr`` on every corpus file (and vtest-env on the rejected ones that use macros)."""
    rels = list(files) if files is not None else corpus_files(corpus)
    with tempfile.TemporaryDirectory(prefix="haproxy-c-") as tmp, socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # never listens: only something for fd@ to look at
        fd = sock.fileno()
        cwd = os.path.join(tmp, "cwd")  # stays empty
        copies = os.path.join(tmp, "vtest")
        os.mkdir(cwd)
        os.mkdir(copies)
        texts = {rel: (corpus / rel).read_bytes().decode("utf-8", "surrogateescape") for rel in rels}
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            as_is = dict(
                zip(
                    rels,
                    pool.map(lambda r: run_haproxy(binary, corpus / r, r, cwd, timeout=timeout), rels),
                    strict=True,
                )
            )
            again = [
                r
                for r in rels
                if vtest and not as_is[r].accepted and as_is[r].verdict == "rejected" and _VTEST_NAME.search(texts[r])
            ]

            def second(rel: str) -> Check:
                macros = vtest_macros(texts[rel], cwd, fd)
                copy = Path(copies) / rel.replace("/", "__")
                copy.write_text(expand_macros(texts[rel], macros), encoding="utf-8", errors="surrogateescape")
                return run_haproxy(binary, copy, rel, cwd, "vtest-env", macros, (fd,), timeout)

            vtested = dict(zip(again, pool.map(second, again), strict=True))
    return [
        FileResult(
            rel,
            rel.split("/", 1)[0] if "/" in rel else ".",
            rel.endswith("conf-BAD.cfg"),
            bool(_VTEST_NAME.search(texts[rel])),
            as_is[rel],
            vtested.get(rel),
        )
        for rel in rels
    ]


# -- wslint side (--compare, and the tests) --------------------------------------------------------

WS204_PROXY = re.compile(r"(frontend|backend|listen) '([^']*)'")


def lint_file(path: Path) -> tuple[int, dict[str, Any], str]:
    """``wslint --isolated --kind haproxy --output-format json FILE`` in-process."""
    from wslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--isolated", "--kind", "haproxy", "--output-format", "json", str(path)])
    text = out.getvalue()
    return code, json.loads(text) if text.startswith("{") else {}, err.getvalue()


def ws204_proxies(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (kind, name)
        for f in report.get("findings", [])
        if f["rule"] == "WS204"
        for kind, name in WS204_PROXY.findall(f["message"])
    }


def compare(corpus: Path, results: list[FileResult]) -> list[dict[str, Any]]:
    """Accepted files where wslint reports WS001 or names other proxies in WS204 than HAProxy warns about."""
    out = []
    for r in results:
        if not r.accepted:
            continue
        code, report, err = lint_file(corpus / r.file)
        ws001 = [(f["line"], f["message"]) for f in report.get("findings", []) if f["rule"] == "WS001"]
        haproxy = set(r.best.missing_timeouts)
        wslint = ws204_proxies(report)
        problems: dict[str, Any] = {}
        if code not in (0, 1) or "Traceback" in err or not report:
            problems["run"] = {"exit": code, "stderr": err[-2000:]}
        if ws001:
            problems["ws001"] = ws001
        if haproxy != wslint:
            problems["ws204_only_haproxy"] = sorted(haproxy - wslint)
            problems["ws204_only_wslint"] = sorted(wslint - haproxy)
            problems["ws204_findings"] = [
                (f["line"], f["message"]) for f in report.get("findings", []) if f["rule"] == "WS204"
            ]
        if problems:
            out.append({"file": r.file, "mode": r.best.mode, **problems})
    return out


# -- report ------------------------------------------------------------------------------------------


def summarise(results: list[FileResult], seconds: float, calls: int) -> dict[str, Any]:
    folders: dict[str, Counter[str]] = {}
    for r in results:
        c = folders.setdefault(r.folder, Counter())
        c["files"] += 1
        c["accepted as-is"] += r.as_is.accepted
        c["accepted with vtest macros"] += r.vtest is not None and r.vtest.accepted and not r.as_is.accepted
        c["rejected"] += not r.accepted
        c["no listener (exit 2)"] += r.best.verdict == "valid-no-listener"
        c["conf-BAD"] += r.conf_bad
    warnings: Counter[str] = Counter()
    alerts: Counter[str] = Counter()
    for r in results:
        for m in r.best.warnings:
            warnings[m.shape().split("\n")[0]] += 1
        for m in r.best.causes()[:1]:
            alerts[m.shape()] += 1
    categories = Counter(r.category() for r in results)
    return {
        "files": len(results),
        "haproxy_calls": calls,
        "seconds": round(seconds, 2),
        "per_folder": {k: dict(v) for k, v in sorted(folders.items())},
        "categories": dict(categories.most_common()),
        "warning_kinds": dict(warnings.most_common()),
        "first_alert_kinds": dict(alerts.most_common()),
        "missing_timeouts": [[r.file, k, n] for r in results if r.accepted for k, n in r.best.missing_timeouts],
        "ignored_timeouts": [[r.file, t] for r in results for t in r.best.ignored_timeouts],
        "timer_warnings": [[r.file, t] for r in results for t in r.best.timer_warnings],
        "conf_bad": {r.file: [m.text for m in r.best.causes()] for r in results if r.conf_bad},
        "failures": [f"{r.file}: {r.best.verdict}" for r in results if r.best.verdict in ("timeout", "crash")],
    }


def print_summary(data: dict[str, Any], top: int) -> None:
    print(f"{data['files']} files, {data['haproxy_calls']} haproxy -c calls, {data['seconds']:.1f} s")
    print()
    cols = ["files", "accepted as-is", "accepted with vtest macros", "rejected", "no listener (exit 2)", "conf-BAD"]
    heads = ["files", "as-is", "vtest", "rejected", "no-listener", "conf-BAD"]
    print(f"  {'folder':20s}" + "".join(f"{c:>12s}" for c in heads))
    total: Counter[str] = Counter()
    for folder, counts in data["per_folder"].items():
        total.update(counts)
        print(f"  {folder:20s}" + "".join(f"{counts.get(c, 0):12d}" for c in cols))
    print(f"  {'total':20s}" + "".join(f"{total.get(c, 0):12d}" for c in cols))
    print(
        "  (as-is / vtest: accepted by haproxy -c as the file stands / once vtest's macros are filled in;"
        " no-listener: accepted, exit 2)"
    )
    print("\nwhy (one category per file):")
    for name, n in data["categories"].items():
        print(f"  {n:4d}  {name}")
    print(f"\nwarning kinds on the deciding run (top {top}):")
    for shape, n in list(data["warning_kinds"].items())[:top]:
        print(f"  {n:4d}  {shape}")
    print(f"\nfirst alert of rejected files (top {top}):")
    for shape, n in list(data["first_alert_kinds"].items())[:top]:
        print(f"  {n:4d}  {shape}")
    print(f"\nmissing timeouts (accepted files): {len(data['missing_timeouts'])}")
    for file, kind, name in data["missing_timeouts"]:
        print(f"  {file}: {kind} '{name}'")
    print(f"\nignored timeouts: {len(data['ignored_timeouts'])}")
    for file, t in data["ignored_timeouts"]:
        print(f"  {file}:{t['line']}: timeout {t['timeout']} in {t['proxy'][0]} '{t['proxy'][1]}'")
    print(f"\ntimer warnings: {len(data['timer_warnings'])}")
    for file, t in data["timer_warnings"]:
        print(f"  {file}: {t}")
    print("\n*conf-BAD files:")
    for file, texts in data["conf_bad"].items():
        print(f"  {file}: {texts[0] if texts else '(no alert)'}")
    for failure in data["failures"]:
        print(f"FAILURE: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="default: ../shared/corpus/haproxy")
    parser.add_argument("--haproxy", default=None, help="the haproxy binary (default: PATH, then /usr/sbin/haproxy)")
    parser.add_argument("--jobs", type=int, default=2, help="haproxy calls in parallel (default 2)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per haproxy call (default 10)")
    parser.add_argument("--no-vtest-env", action="store_true", help="do not re-check reg-tests with macros defined")
    parser.add_argument("--top", type=int, default=25, help="how many warning/alert kinds to print")
    parser.add_argument("--compare", action="store_true", help="also lint accepted files with wslint and compare")
    parser.add_argument("--json", type=Path, metavar="F", help="write the summary and per-file results here")
    parser.add_argument("files", nargs="*", help="only these files (relative to the corpus)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus.resolve()
    binary = args.haproxy or _which_haproxy()
    if not corpus.is_dir() or binary is None:
        print(f"haproxy_corpus_report: no corpus at {corpus} or no haproxy binary", file=sys.stderr)
        return 2
    version = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    print(f"{version}\ncorpus: {corpus}\ncommand per file: {binary} -c -dr -f FILE (cwd: empty temp dir)\n")
    start = time.perf_counter()
    results = check_corpus(corpus, binary, args.jobs, args.timeout, not args.no_vtest_env, args.files or None)
    seconds = time.perf_counter() - start
    calls = len(results) + sum(r.vtest is not None for r in results)
    data = summarise(results, seconds, calls)
    data["haproxy_version"] = version
    print_summary(data, args.top)
    status = 1 if data["failures"] else 0
    if args.compare:
        start = time.perf_counter()
        found = compare(corpus, results)
        print(
            f"\nwslint vs haproxy on {sum(r.accepted for r in results)} accepted files "
            f"({time.perf_counter() - start:.1f} s): {len(found)} disagreements"
        )
        for d in found:
            print(f"  {d['file']} [{d['mode']}]")
            for key in ("run", "ws001", "ws204_only_haproxy", "ws204_only_wslint", "ws204_findings"):
                if key in d:
                    print(f"      {key}: {d[key]}")
        data["disagreements"] = found
        status = status or (1 if found else 0)
    if args.json:
        data["results"] = [
            {
                "file": r.file,
                "category": r.category(),
                "accepted": r.accepted,
                "as_is": _check_json(r.as_is),
                "vtest_env": _check_json(r.vtest) if r.vtest is not None else None,
            }
            for r in results
        ]
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return status


def _check_json(check: Check) -> dict[str, Any]:
    return asdict(check)


def _which_haproxy() -> str | None:
    import shutil

    found = shutil.which("haproxy")
    if found:
        return found
    return "/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None


if __name__ == "__main__":
    sys.exit(main())
