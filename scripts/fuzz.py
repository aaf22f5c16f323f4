#!/usr/bin/env python3
"""Fuzz wslint's parsers: the properties of tests/test_properties.py, run much longer than the suite does.

The suite runs them derandomized with 200 examples each (the "ci" profile of tests/conftest.py). This
script runs them with ``HYPOTHESIS_PROFILE=fuzz`` (random, every health check off, no deadline) in
rounds, each with a new seed, until the time budget is spent; it sizes each round from the previous
one, through ``WSLINT_FUZZ_EXAMPLES`` (the examples each property tries; the slow ones, such as the
whole lint in process, try a quarter or an eighth of them). atheris is not used: hypothesis is the
fuzzer, and its statistics give the examples tried.

    python3 scripts/fuzz.py --minutes 10              # about ten minutes, random seeds
    python3 scripts/fuzz.py --minutes 3 --seed 1 -k haproxy
    python3 scripts/fuzz.py --minutes 10 --json fuzz.json

Prints, per property, the examples tried (passing, failing, invalid: hypothesis' own count, summed
over the rounds and phases) and the outcome; a failure's falsifying example is in the round's log
(the path is printed). Properties marked xfail are known bugs (see the test module); they stop at
their recorded failing example and try nothing else. Exit status: 0, or 1 when a property failed
(a new bug, or an xfail that now passes: the bug was fixed and the mark must go).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "tests/test_properties.py"
OVERHEAD = 6.0  # seconds a round spends starting pytest and collecting, whatever its examples
FIRST_ROUND_EXAMPLES = 400

_HEADER = re.compile(r"^(tests/\S.*::.*):$")
_PHASE = re.compile(r"^\s+- during (\w+) phase \(([\d.]+) seconds\):")
_COUNTS = re.compile(r"^\s+- (\d+) passing examples?, (\d+) failing examples?, (\d+) invalid examples?")
_EVENT = re.compile(r"^\s+\* ([\d.]+)%, (.+)$")
_OUTCOME = re.compile(r"^(PASSED|FAILED|XFAIL|XPASS|ERROR|SKIPPED) (tests/[^\[\s]+(?:\[[^\]]*\])?)(?: - (.*))?$")


@dataclass
class Totals:
    passing: int = 0
    failing: int = 0
    invalid: int = 0
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)
    # event text -> examples (estimated from hypothesis' percentages of each generate phase)
    events: dict[str, float] = field(default_factory=dict)

    @property
    def tried(self) -> int:
        """Examples the property ran on (an invalid one was rejected by a filter or assume before it ran)."""
        return self.passing + self.failing


@dataclass
class Round:
    seed: int
    examples: int
    seconds: float
    exit_code: int
    log: str
    failed: list[str]


def parse_statistics(output: str, totals: dict[str, Totals]) -> None:
    """Add the numbers of ``--hypothesis-show-statistics`` in one pytest output to totals."""
    test: str | None = None
    phase_tried = 0
    generating = False
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header:
            test = header.group(1)
            totals.setdefault(test, Totals())
            continue
        if test is None:
            continue
        phase = _PHASE.match(line)
        if phase:
            generating = phase.group(1) == "generate"
            totals[test].seconds += float(phase.group(2))
            continue
        counts = _COUNTS.match(line)
        if counts:
            passing, failing, invalid = (int(n) for n in counts.groups())
            totals[test].passing += passing
            totals[test].failing += failing
            totals[test].invalid += invalid
            phase_tried = passing + failing + invalid
            continue
        found = _EVENT.match(line)
        # the test's own events (hypothesis adds its own: "invalid because ...", "Retried draw ...")
        if found and generating and not found.group(2).startswith(("invalid because", "Retried draw")):
            events = totals[test].events
            events[found.group(2)] = events.get(found.group(2), 0.0) + float(found.group(1)) * phase_tried / 100


def parse_outcomes(output: str, totals: dict[str, Totals]) -> list[str]:
    """Count each test's outcome from pytest's ``-rA`` summary; returns the tests that failed."""
    failed = []
    for line in output.splitlines():
        match = _OUTCOME.match(line)
        if not match:
            continue
        outcome, test = match.group(1), match.group(2)
        entry = totals.setdefault(test, Totals())
        entry.outcomes[outcome] = entry.outcomes.get(outcome, 0) + 1
        if outcome in ("FAILED", "ERROR", "XPASS"):
            failed.append(f"{outcome} {test}" + (f" - {match.group(3)}" if match.group(3) else ""))
    return failed


def run_round(seed: int, examples: int, select: str | None, log_dir: Path, number: int) -> tuple[Round, str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        MODULE,
        "-q",
        "-rA",
        "-p",
        "no:cacheprovider",
        "--timeout=0",  # pyproject's 120 s per test is for the suite; a fuzzing property may run longer
        "--hypothesis-show-statistics",
        f"--hypothesis-seed={seed}",
    ]
    if select:
        command += ["-k", select]
    env = {**os.environ, "HYPOTHESIS_PROFILE": "fuzz", "WSLINT_FUZZ_EXAMPLES": str(examples)}
    started = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    log = log_dir / f"round-{number:02d}-seed-{seed}.log"
    log.write_text(output, encoding="utf-8")
    return Round(seed, examples, round(seconds, 1), proc.returncode, str(log), []), output


def next_examples(last: Round, remaining: float) -> int:
    """Examples for a round that fits in ``remaining`` seconds, from the rate of the last one."""
    per_example = max(last.seconds - OVERHEAD, 1.0) / last.examples
    return max(int((remaining - OVERHEAD) * 0.9 / per_example), 0)


def report(totals: dict[str, Totals], rounds: list[Round], elapsed: float, started: datetime.datetime) -> str:
    lines = [
        f"fuzz run of {MODULE}: started {started.isoformat(timespec='seconds')}, {elapsed / 60:.1f} min, "
        f"{len(rounds)} round(s)",
    ]
    for r in rounds:
        lines.append(
            f"  round seed={r.seed} WSLINT_FUZZ_EXAMPLES={r.examples}: {r.seconds:.0f} s, exit {r.exit_code}, "
            f"log {r.log}"
        )
    lines.append("")
    width = max((len(name.split("::", 1)[1]) for name in totals), default=10)
    lines.append(f"{'property':<{width}}  {'tried':>8}  {'passing':>8}  {'failing':>7}  {'invalid':>7}  outcome")
    for name in sorted(totals):
        t = totals[name]
        outcome = ", ".join(f"{k.lower()} x{v}" for k, v in sorted(t.outcomes.items()))
        if not t.tried and set(t.outcomes) == {"XFAIL"}:
            outcome += " (a known bug: stops at its recorded example)"
        short = name.split("::", 1)[1]
        lines.append(f"{short:<{width}}  {t.tried:>8}  {t.passing:>8}  {t.failing:>7}  {t.invalid:>7}  {outcome}")
        for event, count in sorted(t.events.items()):
            lines.append(f"{'':<{width}}    event {event!r}: ~{count:.0f}")
    tried = sum(t.tried for t in totals.values())
    failed = [f for r in rounds for f in r.failed]
    lines.append("")
    lines.append(f"examples tried in all: {tried}; failures: {len(failed)}")
    lines += [f"  {f}" for f in failed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10); at least one round")
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
    rounds: list[Round] = []
    while True:
        print(f"round {len(rounds) + 1}: seed {seed}, {examples} examples per property ...", flush=True)
        current, output = run_round(seed, examples, args.select, log_dir, len(rounds) + 1)
        parse_statistics(output, totals)
        current.failed = parse_outcomes(output, totals)
        rounds.append(current)
        print(f"  {current.seconds:.0f} s, exit {current.exit_code}, {len(current.failed)} failure(s)", flush=True)
        if current.exit_code not in (0, 1) or (current.exit_code == 1 and not current.failed):
            print(f"pytest did not run the properties (exit {current.exit_code}); see {current.log}", file=sys.stderr)
            break
        remaining = deadline - time.monotonic()
        examples = next_examples(current, remaining)
        if examples < 50:
            break
        seed += 1
    elapsed = time.monotonic() - started
    text = report(totals, rounds, elapsed, started_at)
    print()
    print(text)
    if args.json:
        data = {
            "started": started_at.isoformat(timespec="seconds"),
            "minutes": round(elapsed / 60, 2),
            "rounds": [asdict(r) for r in rounds],
            "properties": {name: {**asdict(t), "tried": t.tried} for name, t in sorted(totals.items())},
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r.failed for r in rounds) or any(r.exit_code not in (0, 1) for r in rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
