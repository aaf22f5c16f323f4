"""Bytes -> text for every source: NUL means binary, invalid UTF-8 is an error, BOM and CRLF go.

Every file wslint reads (configs, includes, baselines, its own config, stdin) goes through ``read_bytes``:
a regular file only, and never more than the size limit plus one byte, whatever ``stat`` says (it says 0
for a device, a pipe or a /proc file).
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

DEFAULT_LIMIT = 10 * 1024 * 1024  # max-file-size when nothing sets it
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# opened without blocking: a FIFO without a writer would block open() itself
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class DecodeError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class TooLarge(DecodeError):
    """More bytes than max-file-size: a WS001 at line 1, the rest never read."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        told = f"{size} > {limit} bytes" if size is not None else f"more than {limit} bytes"
        super().__init__(f"file is larger than max-file-size ({told})", 1)


class NotRegular(OSError):
    """A FIFO, a device, a socket or a directory where a file was expected: never read."""

    def __init__(self, path: str, mode: int) -> None:
        super().__init__(f"not a regular file ({kind_of(mode)})")
        self.strerror = str(self)
        self.filename = path


def kind_of(mode: int) -> str:
    """What a non-regular file is, for messages."""
    kinds = (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_bytes(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises NotRegular (an OSError) for anything but a regular file, OSError when it cannot be read,
    and TooLarge when it holds more than ``limit`` bytes: at most ``limit + 1`` bytes are ever read.
    """
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(limit, size)
        return read_stream(handle, limit)


def open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading in binary, without blocking on a FIFO; NotRegular when it is not a regular file."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(path, mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_stream(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of a stream (stdin); TooLarge when there are more."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def read_text(path: str, limit: int, stdin: dict[str, bytes] | None = None, reader: str = "wslint") -> str:
    """The decoded text of a file (or of what stdin stood for, by its real path), within ``limit`` bytes.

    Raises OSError (NotRegular included) or DecodeError (TooLarge included).
    """
    if stdin is not None and path in stdin:
        data = stdin[path]
        if len(data) > limit:
            raise TooLarge(limit)
    else:
        data = read_bytes(path, limit)
    return decode(data, reader)


def decode(data: bytes, reader: str = "wslint") -> str:
    """UTF-8 text without BOM or CR LF; DecodeError names ``reader`` (the tool the file is for) for UTF-16."""
    if data.startswith(UTF16_BOMS):
        raise DecodeError(f"UTF-16 file; {reader} reads UTF-8/ASCII only", 1)
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes)", data[: data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DecodeError(f"undecodable bytes (not UTF-8) at byte {exc.start}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def display_path(path: str, cache: dict[str, str]) -> str:
    """How a file a config includes is named in findings: relative to the working directory, or absolute when that
    climbs out of it; one name per real file (``cache`` maps real paths to names, shared by a run's includes)."""
    real = os.path.realpath(path)
    if real in cache:
        return cache[real]
    rel = os.path.relpath(path)
    display = path if os.path.isabs(path) and rel.startswith("..") else rel
    cache[real] = display
    return display
