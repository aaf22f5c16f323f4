"""`wslint --fix` over the whole shared nginx and HAProxy corpus, in a temporary copy.

What must hold: no traceback and no exit 2; every fixed file still parses (no WS001 it did not
have); the findings the fixes were for are gone, and every finding of a fixable rule that remains
was said to be left ("not fixed ... : why"); a second run changes nothing; files with nothing to fix
are byte-identical. `nginx -t` and `haproxy -c` on the fixed complete configs need DNS for their host
names, so they run in scripts/fix_corpus.py, not here.
"""

from __future__ import annotations

import difflib
import filecmp
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from wslint.fix import fixable

pytestmark = pytest.mark.timeout(600)
ARGS = ("--isolated", "--ping-interval", "25s")
FIX = ("--fix-includes", "--unsafe-fixes")
# what a fix may change in a line it does not add: a version, a time, a map entry, a header value, a brace line
REPLACED = re.compile(r"proxy_http_version|timeout|''|Connection|hard-stop-after|[{}]")
LINE = re.compile(r"^wslint: (fixed|not fixed) (\S+?):(\d+):(\d+): (WS\d{3}) (.*)$")


def _json(run: Run) -> list[dict[str, Any]]:
    assert run.code in (0, 1), run.err[-3000:]
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-3000:]
    return list(json.loads(run.out)["findings"])


@pytest.fixture(scope="module")
def fixed_corpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("fix-corpus")
    for kind in ("nginx", "haproxy"):
        # a writable copy (copyfile, not copy2: the corpus is read-only, and --fix does not write read-only files)
        shutil.copytree(
            shared_dir / "corpus" / kind,
            work / kind,
            ignore=shutil.ignore_patterns("*.md", "*.tsv"),
            copy_function=shutil.copyfile,
        )
    original = tmp_path_factory.mktemp("fix-corpus-original")
    shutil.copytree(work, original, dirs_exist_ok=True)
    return {"work": work, "original": original}


def _run(wslint: Callable[..., Run], cwd: Path, *args: str) -> Run:
    return wslint(*ARGS, *FIX, *args, "nginx", "haproxy", cwd=cwd)


def test_fixing_the_corpus(wslint: Callable[..., Run], fixed_corpus: dict[str, Any]) -> None:
    work: Path = fixed_corpus["work"]
    original: Path = fixed_corpus["original"]
    before = _json(wslint(*ARGS, "--output-format", "json", "nginx", "haproxy", cwd=work))
    run = _run(wslint, work, "--output-format", "json", "--fix")
    after = _json(run)
    said = [
        LINE.match(line) for line in run.err.splitlines() if line.startswith(("wslint: fixed ", "wslint: not fixed "))
    ]
    assert all(said), [
        line for line in run.err.splitlines() if line.startswith("wslint: not fixed ") and not LINE.match(line)
    ]
    fixed = [m for m in said if m and m.group(1) == "fixed"]
    left = {(m.group(5), m.group(2)) for m in said if m and m.group(1) == "not fixed"}
    assert len(fixed) >= 20, run.err
    assert "no longer parses" not in run.err

    # every fixed file still parses: no WS001 it did not have
    broken_before = {f["file"] for f in before if f["rule"] == "WS001"}
    assert {f["file"] for f in after if f["rule"] == "WS001"} <= broken_before

    # what remains of the fixable rules was said to be left, with a reason
    rules = fixable()
    remaining = {(f["rule"], f["file"]) for f in after if f["rule"] in rules and not f["suppressed"]}
    assert remaining <= left, sorted(remaining - left)

    # the edits are minimal: lines are added, and only the values a fix replaces change
    changed = [
        path.relative_to(original)
        for path in sorted(original.rglob("*"))
        if path.is_file() and not filecmp.cmp(path, work / path.relative_to(original), shallow=False)
    ]
    assert {m.group(2) for m in fixed} <= {p.as_posix() for p in changed}
    for relative in changed:
        old = (original / relative).read_text(encoding="utf-8").splitlines()
        new = (work / relative).read_text(encoding="utf-8").splitlines()
        removed = [line for line in difflib.ndiff(old, new) if line.startswith("- ")]
        assert all(REPLACED.search(line) for line in removed), (relative, removed)

    # a second run has nothing left to do
    again = _run(wslint, work, "--diff")
    assert again.out == "" and "would fix" not in again.err, again.out[:3000]
