#!/usr/bin/env python3
"""Fuzz wslint's parsers: the properties of tests/test_properties.py, run much longer than the suite does.

The suite runs them derandomized with 200 examples each (the "ci" profile of tests/conftest.py). This
script runs them with ``HYPOTHESIS_PROFILE=fuzz`` (random, every health check off, no deadline) in
rounds, each with a new seed, within the time budget. The size of a round goes to the properties as
``WSLINT_FUZZ_EXAMPLES`` (the examples each property tries; the slow ones, such as the whole lint in
process, try a half, a quarter or an eighth of it). atheris is not used: hypothesis is the fuzzer.

    python3 scripts/fuzz.py --minutes 10              # ends within ten minutes, random seeds
    python3 scripts/fuzz.py --minutes 3 --seed 1 -k haproxy
    python3 scripts/fuzz.py --minutes 10 --json fuzz.json

The budget: the first round is small (``--examples``, 100) and measures the machine: its wall time,
the time its tests ran (the rest is starting pytest and collecting), hence the seconds per example. Each
next round is sized from the last round's measures to fit in what is left of the budget (with a margin),
a round that could not finish is not started, and a round still running at the deadline is stopped there
(the properties it finished keep their counts). The run ends within ``--minutes`` plus the report.

The count: scripts/fuzz_plugin.py counts the calls of each property's body itself (not hypothesis'
statistics, whose wording changes between versions). A property that ran no example in the whole run
(cut by the budget, deselected by nothing, or the counter broken) makes the run fail.

Prints, per property, the examples run (explicit, generated, replayed and shrunk, summed over the
rounds), how many an ``assume`` in the body rejected, the seconds, and the outcomes; a failure's
falsifying example is in the round's log (the path is printed). Exit status: 0; 1 when a property failed
(a new bug, or a strict xfail that now passes: the bug was fixed and the mark must go), when a property
ran no example, or when pytest did not run the properties.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "tests/test_properties.py"
FIRST_ROUND_EXAMPLES = 100  # the first round measures the machine: small, so that it fits a short budget
MIN_EXAMPLES = 50  # a round smaller than this is not worth starting pytest for
SAFETY = 0.85  # a round is sized for this share of the time left: the machine's speed varies
FAILED = ("failed", "error", "xpassed")


@dataclass
class Totals:
    examples: int = 0
    rejected: int = 0
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class Round:
    seed: int
    examples: int
    seconds: float  # wall time, starting pytest included
    test_seconds: float  # the time the tests themselves ran
    exit_code: int
    log: str
    cut: bool = False  # stopped at the deadline
    failed: list[str] = field(default_factory=list)


@dataclass
class Rate:
    """What a round costs on this machine now: ``overhead + per_example * examples`` seconds."""

    overhead: float
    per_example: float

    @classmethod
    def of(cls, last: Round) -> Rate:
        return cls(max(last.seconds - last.test_seconds, 0.0), last.test_seconds / max(last.examples, 1))

    def seconds(self, examples: int) -> float:
        return self.overhead + self.per_example * examples


def next_examples(rate: Rate, remaining: float) -> int:
    """Examples per property for a round that ends within ``remaining`` seconds (SAFETY margin); 0: none fits."""
    usable = remaining * SAFETY - rate.overhead
    if usable <= 0:
        return 0
    if rate.per_example <= 0:  # nothing measurable ran: no basis to size a bigger round
        return 0
    examples = int(usable / rate.per_example)
    return examples if examples >= MIN_EXAMPLES else 0


def read_record(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    """The properties collected and one record per test that ran, as fuzz_plugin.py wrote them."""
    collected: list[str] = []
    tests: list[dict[str, object]] = []
    if not path.exists():
        return collected, tests
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:  # the last line of a round killed while writing it
            continue
        if "collected" in record:
            collected += record["collected"]
        elif "test" in record:
            tests.append(record)
    return collected, tests


def _number(value: object) -> float:
    """A count or a time of a record; None (not a property) is 0."""
    return float(value) if isinstance(value, int | float) else 0.0


def add_round(tests: list[dict[str, object]], totals: dict[str, Totals]) -> list[str]:
    """Add a round's test records to totals; returns the tests that failed (``OUTCOME nodeid``)."""
    failed = []
    for record in tests:
        name = str(record["test"])
        outcome = str(record["outcome"])
        entry = totals.setdefault(name, Totals())
        entry.examples += int(_number(record.get("examples")))
        entry.rejected += int(_number(record.get("rejected")))
        entry.seconds += _number(record.get("seconds"))
        entry.outcomes[outcome] = entry.outcomes.get(outcome, 0) + 1
        if outcome in FAILED:
            failed.append(f"{outcome.upper()} {name}")
    return failed


def without_examples(properties: list[str], totals: dict[str, Totals]) -> list[str]:
    """The properties that ran no example in the whole run."""
    return [name for name in properties if name not in totals or totals[name].examples == 0]


def run_round(
    seed: int, examples: int, select: str | None, log_dir: Path, number: int, timeout: float
) -> tuple[Round, list[str], list[dict[str, object]]]:
    record = log_dir / f"round-{number:02d}-seed-{seed}.jsonl"
    log = log_dir / f"round-{number:02d}-seed-{seed}.log"
    command = [
        sys.executable,
        "-m",
        "pytest",
        MODULE,
        "-q",
        "-rA",
        "-p",
        "no:cacheprovider",
        "-p",
        "fuzz_plugin",
        "--timeout=0",  # pyproject's 120 s per test is for the suite; a fuzzing property may run longer
        "--hypothesis-show-statistics",  # for the log, for a human: the counts come from fuzz_plugin
        f"--hypothesis-seed={seed}",
    ]
    if select:
        command += ["-k", select]
    path = os.pathsep.join(filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "HYPOTHESIS_PROFILE": "fuzz",
        "WSLINT_FUZZ_EXAMPLES": str(examples),
        "WSLINT_FUZZ_RECORD": str(record),
        "PYTHONPATH": path,
    }
    started = time.monotonic()
    cut = False
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            exit_code = proc.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_code = proc.wait()
            cut = True
    seconds = time.monotonic() - started
    collected, tests = read_record(record)
    test_seconds = sum(_number(t.get("seconds")) for t in tests)
    current = Round(seed, examples, round(seconds, 1), round(test_seconds, 1), exit_code, str(log), cut)
    return current, collected, tests


def report(
    totals: dict[str, Totals],
    rounds: list[Round],
    elapsed: float,
    started: datetime.datetime,
    minutes: float,
    stop: str,
    empty: list[str],
    properties: list[str],
) -> str:
    lines = [
        f"fuzz run of {MODULE}: started {started.isoformat(timespec='seconds')}, {elapsed / 60:.1f} min "
        f"of a {minutes:g} min budget, {len(rounds)} round(s); {stop}",
    ]
    for r in rounds:
        cut = ", CUT at the deadline" if r.cut else ""
        lines.append(
            f"  round seed={r.seed} WSLINT_FUZZ_EXAMPLES={r.examples}: {r.seconds:.0f} s ({r.test_seconds:.0f} s in "
            f"tests), exit {r.exit_code}{cut}, log {r.log}"
        )
    lines.append("")
    width = max((len(name.split("::", 1)[-1]) for name in properties), default=10)
    lines.append(f"{'property':<{width}}  {'examples':>9}  {'rejected':>8}  {'seconds':>7}  outcome")
    for name in sorted(n for n in totals if n in properties):
        t = totals[name]
        outcome = ", ".join(f"{k} x{v}" for k, v in sorted(t.outcomes.items()))
        short = name.split("::", 1)[-1]
        lines.append(f"{short:<{width}}  {t.examples:>9}  {t.rejected:>8}  {t.seconds:>7.0f}  {outcome}")
    others = [totals[n] for n in totals if n not in properties]  # the plain tests of the module (no examples)
    if others:
        outcomes: dict[str, int] = {}
        for t in others:
            for k, v in t.outcomes.items():
                outcomes[k] = outcomes.get(k, 0) + v
        summary = ", ".join(f"{k} x{v}" for k, v in sorted(outcomes.items()))
        lines.append(f"and {len(others)} test(s) that are not properties: {summary}")
    failed = [f for r in rounds for f in r.failed]
    lines.append("")
    lines.append(f"examples in all: {sum(t.examples for t in totals.values())}; failures: {len(failed)}")
    lines += [f"  {f}" for f in failed]
    if empty:
        lines.append(f"ERROR: {len(empty)} propert{'y' if len(empty) == 1 else 'ies'} ran no example:")
        lines += [f"  {name}" for name in empty]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10): the run ends within it")
    parser.add_argument("--seed", type=int, help="seed of the first round (then seed+1, ...); default: random")
    parser.add_argument(
        "--examples", type=int, help=f"examples per property in the first round ({FIRST_ROUND_EXAMPLES})"
    )
    parser.add_argument("-k", dest="select", metavar="EXPR", help="only the properties pytest -k selects")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--log-dir", metavar="DIR", help="where each round's pytest output goes (default: a temp dir)")
    args = parser.parse_args(argv)

    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    log_dir = Path(args.log_dir) if args.log_dir else Path(tempfile.mkdtemp(prefix="wslint-fuzz-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    examples = args.examples or FIRST_ROUND_EXAMPLES
    totals: dict[str, Totals] = {}
    properties: list[str] = []
    rounds: list[Round] = []
    broken = False
    while True:
        remaining = deadline - time.monotonic()
        print(f"round {len(rounds) + 1}: seed {seed}, {examples} examples per property ...", flush=True)
        current, collected, tests = run_round(seed, examples, args.select, log_dir, len(rounds) + 1, remaining)
        properties += [name for name in collected if name not in properties]
        current.failed = add_round(tests, totals)
        rounds.append(current)
        cut = " (cut at the deadline)" if current.cut else ""
        print(f"  {current.seconds:.0f} s{cut}, exit {current.exit_code}, {len(current.failed)} failure(s)", flush=True)
        if current.cut:
            stop = "the last round was stopped at the deadline"
            break
        if current.exit_code not in (0, 1) or (current.exit_code == 1 and not current.failed):
            print(f"pytest did not run the properties (exit {current.exit_code}); see {current.log}", file=sys.stderr)
            broken = True
            stop = "pytest did not run the properties"
            break
        rate = Rate.of(current)
        remaining = deadline - time.monotonic()
        examples = next_examples(rate, remaining)
        if not examples:
            stop = (
                f"no round of {MIN_EXAMPLES}+ examples fits the {remaining:.0f} s left "
                f"(start-up {rate.overhead:.1f} s, {rate.per_example * 1000:.1f} ms per example)"
            )
            break
        seed += 1
    elapsed = time.monotonic() - started
    empty = without_examples(properties, totals) if properties else ["(no property was collected)"]
    text = report(totals, rounds, elapsed, started_at, args.minutes, stop, empty, properties)
    print()
    print(text)
    if empty:
        print(f"fuzz: error: {len(empty)} property(ies) ran no example (see above)", file=sys.stderr)
    if args.json:
        data = {
            "started": started_at.isoformat(timespec="seconds"),
            "budget_minutes": args.minutes,
            "minutes": round(elapsed / 60, 2),
            "stop": stop,
            "rounds": [asdict(r) for r in rounds],
            "properties": {name: asdict(t) for name, t in sorted(totals.items())},
            "without_examples": empty,
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if broken or empty or any(r.failed for r in rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
