"""A Location as the JSON report and the path view write it: file, line, column, end line and end column."""

from __future__ import annotations

from typing import Any

from wslint.model import Location


def location_fields(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }
