"""``python -m wslint`` and the ``wslint`` console script: ``cli.main`` in a process of its own."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from wslint.cli import main

# commands that may leave threads or exit handlers of their libraries behind (asyncio, boto3): they exit normally
_NORMAL_EXIT = ("probe", "aws")


def run() -> NoReturn:
    """Run wslint, then leave without the interpreter's teardown once every output is flushed.

    A lint of a large config leaves millions of objects; freeing them one by one at exit is a
    measurable part of the run, for nothing. Reports written to files are closed by then (``cli.emit``
    writes them in ``with`` blocks); stdout and stderr are flushed here, and when a flush fails
    (a closed pipe) the normal exit runs instead, with its usual handling.
    """
    code = main()
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in _NORMAL_EXIT or sys.getprofile() or sys.gettrace():
        raise SystemExit(code)  # and a profiler's or coverage's results are written at exit
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: let the interpreter exit as usual
        raise SystemExit(code) from None
    os._exit(code)


if __name__ == "__main__":
    run()
