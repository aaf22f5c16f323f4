"""Bytes -> text for every source: NUL means binary, invalid UTF-8 is an error, BOM and CRLF go."""

from __future__ import annotations


class DecodeError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode(data: bytes) -> str:
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
