"""scripts/fuzz.py keeps its time budget and counts the examples itself (issue 17).

Two short real runs (about 15 s together) and the sizing arithmetic; the long runs are in docs/fuzzing.md.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "fuzz.py"
MARGIN = 8.0  # seconds past the budget: starting Python, writing the report, a busy machine


def load_fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wslint_fuzz_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = load_fuzz()


def run_fuzz(tmp_path: Path, *args: str) -> tuple[int, float, dict[str, object]]:
    report = tmp_path / "fuzz.json"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", "1", "--json", str(report), "--log-dir", str(tmp_path / "logs"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    seconds = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, seconds, json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("overhead", [0.5, 6.0, 40.0])
@pytest.mark.parametrize("remaining", [5.0, 30.0, 60.0, 540.0])
def test_a_round_is_sized_to_end_in_the_time_left(overhead: float, remaining: float) -> None:
    """The start-up time is measured, not assumed: a slow start-up leaves fewer examples, or no round at all."""
    rate = fuzz.Rate(overhead=overhead, per_example=0.02)
    examples = fuzz.next_examples(rate, remaining)
    if examples:
        assert examples >= fuzz.MIN_EXAMPLES
        assert rate.seconds(examples) <= remaining
    else:
        assert rate.seconds(fuzz.MIN_EXAMPLES) > remaining * fuzz.SAFETY


def test_the_rate_comes_from_the_measured_round() -> None:
    last = fuzz.Round(seed=1, examples=400, seconds=50.0, test_seconds=40.0, exit_code=0, log="x")
    rate = fuzz.Rate.of(last)
    assert (rate.overhead, rate.per_example) == (10.0, 0.1)


def test_a_property_without_examples_is_reported() -> None:
    totals: dict[str, object] = {}
    failed = fuzz.add_round(
        [
            {"test": "t.py::a", "outcome": "passed", "examples": 12, "rejected": 1, "seconds": 0.5},
            {"test": "t.py::b", "outcome": "passed", "examples": 0, "rejected": 0, "seconds": 0.1},
            {"test": "t.py::d", "outcome": "failed", "examples": 3, "rejected": 0, "seconds": 0.1},
        ],
        totals,
    )
    assert failed == ["FAILED t.py::d"]
    assert fuzz.without_examples(["t.py::a", "t.py::b", "t.py::c", "t.py::d"], totals) == ["t.py::b", "t.py::c"]


def test_a_short_run_keeps_its_budget_and_counts_the_examples(tmp_path: Path) -> None:
    budget = 12.0
    selected = ["test_format_seconds_reads_back_as_an_nginx_time", "test_aws_seconds_round_trip"]
    code, seconds, report = run_fuzz(
        tmp_path, "--minutes", str(budget / 60), "--examples", "20", "-k", " or ".join(selected)
    )
    assert code == 0, report
    assert seconds <= budget + MARGIN
    properties = report["properties"]
    assert isinstance(properties, dict)
    assert sorted(name.split("::")[1] for name in properties) == sorted(selected)
    rounds = report["rounds"]
    assert isinstance(rounds, list) and rounds
    for entry in properties.values():
        # at least the first round's 20 examples each, at most what the rounds asked for
        assert 20 <= entry["examples"] <= sum(r["examples"] for r in rounds)
    assert report["without_examples"] == []


def test_a_round_that_cannot_finish_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    """A million examples take minutes: the round is stopped at the 3 s budget, and no example counted fails the run."""
    budget = 3.0
    code, seconds, report = run_fuzz(
        tmp_path, "--minutes", str(budget / 60), "--examples", "1000000", "-k", "test_format_seconds_reads_back"
    )
    assert seconds <= budget + MARGIN
    assert code == 1
    rounds = report["rounds"]
    assert isinstance(rounds, list) and [r["cut"] for r in rounds] == [True]
    # the property ran no example (or, on a busy machine, pytest had not even collected it): the run fails
    assert report["without_examples"] in (
        ["tests/test_properties.py::test_format_seconds_reads_back_as_an_nginx_time"],
        ["(no property was collected)"],
    )
