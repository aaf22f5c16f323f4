#!/usr/bin/env python3
"""Lint the shared nginx corpus with wslint and summarise what it reports.

The corpus (../shared/corpus/nginx, about 1,400 real nginx files) is read in place, never
copied. Each top-level folder there is one source repository whose relative includes
resolve among its own files, so two modes are offered:

* ``whole``: one CLI run over the corpus folder (``wslint --output-format json --exit-zero .``
  from the corpus folder), the fastest way to see everything at once;
* ``repos``: one run per repository folder, which is what a user does (they lint *their*
  repository, and the linted tree then ends at the repository). These runs are in-process
  by default (``wslint.cli.main``), or one CLI process each with ``--subprocess``.

``both`` (the default) runs the two and lists the findings that only one mode reports
(there should be none: includes never cross repository folders).

    python3 scripts/corpus_report.py                       # both modes, text summary
    python3 scripts/corpus_report.py --mode whole -- --ping-interval 45s
    python3 scripts/corpus_report.py --json report.json    # also write the raw numbers

Anything after ``--`` is passed to wslint unchanged. Exit status: 0, or 1 when a wslint run
exits 2 or prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "nginx"
BASE_ARGS = ["--isolated", "--output-format", "json", "--exit-zero", "--color", "never"]
SEVERITIES = ("error", "warning", "info")


@dataclass
class Run:
    """One wslint run (or the sum of several), with paths relative to the corpus folder."""

    label: str
    code: int = 0
    seconds: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    files: int = 0  # summary.files as wslint reports it
    linted: set[str] = field(default_factory=set)  # from --show-files
    failures: list[str] = field(default_factory=list)  # exit 2, tracebacks, bad JSON

    def add(self, other: Run) -> None:
        self.code = max(self.code, other.code)
        self.seconds += other.seconds
        self.findings += other.findings
        self.skipped += other.skipped
        self.stderr += other.stderr
        self.files += other.files
        self.linted |= other.linted
        self.failures += other.failures


def _rel(corpus: Path, path: str, cwd: Path) -> str:
    full = Path(path) if os.path.isabs(path) else cwd / path
    return os.path.relpath(os.path.normpath(full), corpus)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return env


def _cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "wslint", *args], cwd=cwd, capture_output=True, text=True, env=_env(), check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def _in_process(args: list[str], cwd: Path) -> tuple[int, str, str]:
    from wslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def lint(corpus: Path, target: str, extra: list[str], in_process: bool, label: str) -> Run:
    """Lint ``target`` (relative to the corpus folder) the way a user would, from the corpus folder."""
    runner = _in_process if in_process else _cli
    run = Run(label)
    start = time.perf_counter()
    code, out, err = runner([*BASE_ARGS, *extra, target], corpus)
    run.seconds = time.perf_counter() - start
    run.code = code
    run.stderr = [line for line in err.splitlines() if line.strip()]
    if code == 2:
        run.failures.append(f"{label}: exit 2")
    if "Traceback" in err:
        run.failures.append(f"{label}: traceback on stderr")
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        run.failures.append(f"{label}: stdout is not JSON ({out[:80]!r})")
        return run
    run.files = report["summary"]["files"]
    run.skipped = [{**s, "file": _rel(corpus, s["file"], corpus)} for s in report["skipped"]]
    for f in report["findings"]:
        f = dict(f)
        f["file"] = _rel(corpus, f["file"], corpus)
        f["related"] = [{**r, "file": _rel(corpus, r["file"], corpus)} for r in f["related"]]
        run.findings.append(f)
    code, out, _ = runner(["--isolated", "--show-files", *extra, target], corpus)
    run.linted = {_rel(corpus, line.split("\t")[0], corpus) for line in out.splitlines() if line.strip()}
    return run


def repos(corpus: Path) -> list[str]:
    return sorted(p.name for p in corpus.iterdir() if p.is_dir())


def manifest(corpus: Path) -> list[str]:
    path = corpus / "MANIFEST.tsv"
    if not path.is_file():
        return []
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split("\t")[0] for row in rows if row.strip()]


def _stderr_summary(lines: list[str]) -> list[str]:
    """Group stderr lines by their text with the file name taken out."""
    groups: Counter[str] = Counter()
    for line in lines:
        shape = re.sub(r"^(wslint: \w+: )\S+?: ", r"\1<file>: ", line)
        groups[shape] += 1
    return [f"{n:6d} x {shape}" for shape, n in groups.most_common()]


def summary(run: Run, corpus: Path) -> dict[str, Any]:
    by_rule: dict[str, Counter[str]] = {}
    for f in run.findings:
        by_rule.setdefault(f["rule"], Counter())[f["severity"]] += 1
    finding_files = {f["file"] for f in run.findings}
    ws001_files = {f["file"] for f in run.findings if f["rule"] == "WS001"}
    listed = manifest(corpus)
    skipped = {s["file"] for s in run.skipped}
    return {
        "mode": run.label,
        "exit_code": run.code,
        "wall_seconds": round(run.seconds, 2),
        "manifest_files": len(listed),
        "files_linted": run.files,
        "files_listed_by_show_files": len(run.linted),
        "clean_files": len(run.linted - finding_files),
        "files_with_findings": len(finding_files),
        "files_with_ws001": len(ws001_files),
        "skipped": len(run.skipped),
        "not_recognised": sorted(set(listed) - run.linted - skipped),
        "findings": len(run.findings),
        "by_severity": {s: sum(c[s] for c in by_rule.values()) for s in SEVERITIES},
        "by_rule": {rule: dict(by_rule[rule]) for rule in sorted(by_rule)},
        "stderr_lines": len(run.stderr),
        "stderr": _stderr_summary(run.stderr),
        "failures": run.failures,
    }


def print_summary(data: dict[str, Any]) -> None:
    print(f"== mode {data['mode']}: exit {data['exit_code']}, wall {data['wall_seconds']:.2f} s")
    print(f"  files in MANIFEST.tsv     {data['manifest_files']}")
    print(f"  files linted (summary)    {data['files_linted']}")
    print(f"  clean files               {data['clean_files']}")
    print(f"  files with findings       {data['files_with_findings']}")
    print(f"  files with WS001          {data['files_with_ws001']}")
    print(f"  skipped (templates, ...)  {data['skipped']}")
    print(f"  not recognised as nginx   {len(data['not_recognised'])}")
    sev = data["by_severity"]
    print(
        f"  findings                  {data['findings']} ({sev['error']} error, {sev['warning']} warning, "
        f"{sev['info']} info)"
    )
    print("  rule    error warning  info")
    for rule, counts in data["by_rule"].items():
        print(f"  {rule}  {counts.get('error', 0):5d} {counts.get('warning', 0):7d} {counts.get('info', 0):5d}")
    print(f"  stderr: {data['stderr_lines']} lines")
    for line in data["stderr"]:
        print(f"  {line}")
    for failure in data["failures"]:
        print(f"  FAILURE: {failure}")


def _keys(run: Run) -> Counter[tuple[str, str, int | None, str]]:
    return Counter((f["rule"], f["file"], f["line"], f["message"]) for f in run.findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="default: ../shared/corpus/nginx")
    parser.add_argument("--mode", choices=("whole", "repos", "both"), default="both")
    parser.add_argument("--subprocess", action="store_true", help="repos mode: one CLI process per repository")
    parser.add_argument("--per-repo", action="store_true", help="repos mode: print one line per repository")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the summaries (and findings) here")
    parser.add_argument("extra", nargs="*", help="arguments for wslint (after --)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus.resolve()
    if not corpus.is_dir():
        print(f"corpus_report: {corpus} is not a directory", file=sys.stderr)
        return 2
    print(f"wslint corpus report: {corpus}")
    if args.extra:
        print(f"extra wslint arguments: {' '.join(args.extra)}")
    out: dict[str, Any] = {}
    runs: dict[str, Run] = {}
    if args.mode in ("whole", "both"):
        runs["whole"] = lint(corpus, ".", args.extra, in_process=False, label="whole")
    if args.mode in ("repos", "both"):
        total = Run("repos")
        rows = []
        for name in repos(corpus):
            one = lint(corpus, name, args.extra, in_process=not args.subprocess, label=name)
            total.add(one)
            rules = Counter(f["rule"] for f in one.findings)
            rows.append((name, one, rules))
        runs["repos"] = total
        if args.per_repo:
            print("== per repository (files, findings, seconds, rules)")
            for name, one, rules in rows:
                text = " ".join(f"{r}:{n}" for r, n in sorted(rules.items()))
                print(f"  {name:45s} {one.files:5d} {len(one.findings):5d} {one.seconds:6.2f}  {text}")
    for label, run in runs.items():
        data = summary(run, corpus)
        print_summary(data)
        out[label] = {**data, "findings_list": run.findings}
    if len(runs) == 2:
        whole, per_repo = _keys(runs["whole"]), _keys(runs["repos"])
        only_whole = sorted((whole - per_repo).elements(), key=str)
        only_repos = sorted((per_repo - whole).elements(), key=str)
        print(f"== whole vs repos: {len(only_whole)} findings only in whole, {len(only_repos)} only per repo")
        for key in only_whole[:20]:
            print(f"  only whole: {key[0]} {key[1]}:{key[2]} {key[3][:100]}")
        for key in only_repos[:20]:
            print(f"  only repos: {key[0]} {key[1]}:{key[2]} {key[3][:100]}")
        out["difference"] = {"only_whole": only_whole, "only_repos": only_repos}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=list) + "\n", encoding="utf-8")
    return 1 if any(run.failures for run in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
