"""Open the logs of a ``wslint logs`` run (plain or gzip, any size: streamed) and read them against the configs."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator

from wslint.logs.events import Evidence
from wslint.logs.read import Reader
from wslint.model import Document


def read_logs(paths: list[str], documents: list[Document]) -> tuple[Evidence, list[str]]:
    """The evidence of the logs at ``paths``; the logs that cannot be read, as error lines (exit 2)."""
    reader = Reader(documents)
    errors: list[str] = []
    for path in paths:
        try:
            reader.read(path, _lines(path))
        except OSError as exc:
            errors.append(f"{path}: cannot read: {(exc.strerror or str(exc)).lower()}")
        except EOFError:
            errors.append(f"{path}: cannot read: the gzip file is cut short")
        except zlib.error:  # gzip.BadGzipFile is an OSError; damaged compressed data is not
            errors.append(f"{path}: cannot read: the gzip data is damaged")
    return reader.finish(), errors


def _lines(path: str) -> Iterator[str]:
    """The lines of a log, decoded as UTF-8 with undecodable bytes replaced (a log is not a config: read on)."""
    if not os.path.isfile(path):
        raise OSError(0, "not a regular file" if os.path.exists(path) else "no such file or directory")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        yield from handle
