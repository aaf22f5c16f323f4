"""Reports: findings -> text or JSON (SARIF and GitHub annotations come with the CI issue)."""

from __future__ import annotations

from wslint.engine import Result
from wslint.report import json_report, text


def render(result: Result, fmt: str, color: bool) -> str:
    if fmt == "json":
        return json_report.render(result)
    return text.render(result, color)
