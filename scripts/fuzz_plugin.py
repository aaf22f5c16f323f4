"""pytest plugin of scripts/fuzz.py: counts the examples each hypothesis property runs, itself.

Loaded with ``-p fuzz_plugin`` (scripts/ on PYTHONPATH) and ``WSLINT_FUZZ_RECORD=FILE``. It wraps each
property's ``.hypothesis.inner_test`` (hypothesis' documented hook for wrapping the test body) with a
counter, so the count does not depend on the wording of hypothesis' statistics, which changes between
versions. It appends one JSON line to FILE when collection ends (the properties collected) and one per test
as soon as it has run, so a round cut at the deadline keeps the tests it finished:

    {"collected": ["tests/...::test_x", ...]}
    {"test": "tests/...::test_x", "outcome": "passed", "examples": 812, "rejected": 3, "seconds": 4.1}

``examples`` counts every call of the test body (explicit ``@example``s, generated, replayed and shrunk
examples); ``rejected`` those of them an ``assume`` inside the body rejected. ``examples`` is None for a
test that is not a property.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable, Generator
from typing import Any

import pytest
from hypothesis import is_hypothesis_test
from hypothesis.errors import UnsatisfiedAssumption

RECORD_ENV = "WSLINT_FUZZ_RECORD"


class Counter:
    def __init__(self) -> None:
        self.examples = 0
        self.rejected = 0

    def wrap(self, test: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.examples += 1
            try:
                return test(*args, **kwargs)
            except UnsatisfiedAssumption:
                self.rejected += 1
                raise

        return counted


_counters: dict[str, Counter] = {}
_seconds: dict[str, float] = {}


def _write(record: dict[str, Any]) -> None:
    path = os.environ.get(RECORD_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def _is_property(item: pytest.Item) -> bool:
    return isinstance(item, pytest.Function) and is_hypothesis_test(item.obj)


def pytest_collection_finish(session: pytest.Session) -> None:
    _write({"collected": [item.nodeid for item in session.items if _is_property(item)]})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    started = time.monotonic()
    if not _is_property(item):
        yield
        _seconds[item.nodeid] = time.monotonic() - started
        return
    assert isinstance(item, pytest.Function)
    handle = item.obj.hypothesis
    original = handle.inner_test
    counter = _counters[item.nodeid] = Counter()
    handle.inner_test = counter.wrap(original)
    try:
        yield
    finally:
        handle.inner_test = original
        _seconds[item.nodeid] = time.monotonic() - started


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and report.outcome == "passed":
        return
    if report.when != "call" and report.outcome == "failed":
        outcome = "error"
    elif hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.outcome == "skipped" else "xpassed"
    else:
        outcome = report.outcome
    counter = _counters.get(report.nodeid)
    _write(
        {
            "test": report.nodeid,
            "outcome": outcome,
            "examples": counter.examples if counter else None,
            "rejected": counter.rejected if counter else None,
            "seconds": round(_seconds.get(report.nodeid, 0.0), 3),
        }
    )
