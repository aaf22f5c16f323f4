#!/usr/bin/env python3
"""Fix the shared nginx and HAProxy corpus in a temporary copy, then ask the real proxies about it.

    python3 scripts/fix_corpus.py [--corpus ../shared/corpus] [--ping-interval 25s] [--keep DIR]

Runs `wslint --fix --fix-includes --unsafe-fixes` on a copy of corpus/nginx and corpus/haproxy and
prints what was fixed and left, per rule. Then, for every file the fixes changed that is a complete
config (nginx: main or http context, the latter wrapped in `events {} http { include FILE; }`;
HAProxy: every file), it runs `nginx -t` / `haproxy -c -dr` on the original and on the fixed copy
(10 s per call) and counts: accepted before and after; refused before (host names that need DNS,
missing certificates or includes: nothing to learn); and REGRESSIONS, accepted before and refused
after, listed one by one. Not part of CI: the corpus's host names need DNS.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wslint.sources.nginx_syntax import NginxSyntaxError, parse, root_context  # noqa: E402

LINE = re.compile(r"^wslint: (fixed|not fixed) (\S+?):(\d+):(\d+): (WS\d{3}) (.*)$")


def nginx_t(conf: Path, tmp: Path) -> tuple[bool, str]:
    text = conf.read_text(encoding="utf-8", errors="replace")
    try:
        context = root_context(parse(text.replace("\r\n", "\n"), conf.name))
    except NginxSyntaxError as exc:
        return False, f"wslint cannot parse it: {exc}"
    if context == "main":
        target = conf
    elif context == "http":
        target = tmp / "wrapper.conf"
        target.write_text(f"events {{}}\nhttp {{ include {conf}; }}\n", encoding="utf-8")
    else:
        return False, f"not a complete config ({context} context)"
    argv = ["nginx", "-t", "-q", "-p", str(conf.parent), "-c", str(target), "-e", "stderr"]
    argv += ["-g", f"pid {tmp / 'nginx.pid'};"]
    return _call(argv)


def haproxy_c(conf: Path, tmp: Path) -> tuple[bool, str]:
    return _call(["haproxy", "-c", "-dr", "-f", str(conf)])


def _call(argv: list[str]) -> tuple[bool, str]:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    return proc.returncode == 0, (proc.stderr or proc.stdout).strip() if proc.returncode else ""


def _first(message: str) -> str:
    return next((line for line in message.splitlines() if "ALERT" in line or "emerg" in line), message[:200])


def _same(before: str, after: str, original: Path, fixed: Path) -> bool:
    """The same error, whatever the directory and line (fixes add lines)."""

    def plain(message: str, root: Path) -> set[str]:
        lines = message.replace(str(root), "").splitlines()
        kept = [
            re.sub(r"^.*?\[(emerg|ALERT)\]\s*(\(\d+\)|\d+#\d+:)?", "", line)
            for line in lines
            if "ALERT" in line or "emerg" in line
        ]
        return {re.sub(r"(:|line )\d+", "", line) for line in kept}

    return plain(before, original) == plain(after, fixed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--ping-interval", default="25s")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary directory")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="wslint-fix-corpus-"))
    original = work / "original"
    fixed = work / "fixed"
    for target in (original, fixed):
        shutil.rmtree(target, ignore_errors=True)
        for kind in ("nginx", "haproxy"):
            # a writable copy (copyfile, not copy2: the corpus is read-only, and --fix does not write read-only files)
            shutil.copytree(
                Path(args.corpus) / kind,
                target / kind,
                ignore=shutil.ignore_patterns("*.md", "*.tsv"),
                copy_function=shutil.copyfile,
            )
    argv = [sys.executable, "-m", "wslint", "--isolated", "--ping-interval", args.ping_interval]
    run = subprocess.run(
        [*argv, "--fix", "--fix-includes", "--unsafe-fixes", "nginx", "haproxy"],
        cwd=fixed,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    said = [m for m in (LINE.match(line) for line in run.stderr.splitlines()) if m]
    made = Counter(m.group(5) for m in said if m.group(1) == "fixed")
    left = Counter((m.group(5), m.group(6).rsplit(": ", 1)[-1][:90]) for m in said if m.group(1) == "not fixed")
    print(f"wslint --fix exit {run.returncode}; work dir {work}")
    print(f"fixes made: {sum(made.values())} ({', '.join(f'{r} {n}' for r, n in sorted(made.items()))})")
    print(f"fixes not made: {sum(left.values())}")
    for (rule, why), count in sorted(left.items()):
        print(f"  {rule} x{count}: {why}")
    changed = sorted(
        p.relative_to(original)
        for p in original.rglob("*")
        if p.is_file() and not filecmp.cmp(p, fixed / p.relative_to(original), shallow=False)
    )
    print(f"files changed: {len(changed)}")
    outcome: Counter[str] = Counter()
    regressions = []
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    for relative in changed:
        check = haproxy_c if relative.parts[0] == "haproxy" else nginx_t
        ok_before, why_before = check(original / relative, scratch)
        ok_after, why_after = check(fixed / relative, scratch)
        if ok_before and ok_after:
            outcome[f"{relative.parts[0]}: accepted before and after"] += 1
        elif ok_before:
            outcome[f"{relative.parts[0]}: REGRESSION (accepted before, refused after)"] += 1
            regressions.append(f"{relative}: {_first(why_after)}")
        elif ok_after:
            outcome[f"{relative.parts[0]}: refused before, accepted after"] += 1
        elif _same(why_before, why_after, original, fixed):
            outcome[f"{relative.parts[0]}: refused before and after, the same error (DNS, certificates, ...)"] += 1
        else:
            outcome[f"{relative.parts[0]}: REFUSED WITH ANOTHER ERROR after"] += 1
            regressions.append(f"{relative}: before: {_first(why_before)}; after: {_first(why_after)}")
    for key, count in sorted(outcome.items()):
        print(f"  {key}: {count}")
    for line in regressions:
        print(f"  regression: {line}")
    return 1 if regressions or run.returncode not in (0, 1) else 0


if __name__ == "__main__":
    raise SystemExit(main())
