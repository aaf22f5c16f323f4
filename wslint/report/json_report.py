"""The JSON report; its shape is wslint/schemas/report.schema.json (schema version 1)."""

from __future__ import annotations

import json
from typing import Any

from wslint import __version__
from wslint.engine import Result
from wslint.model import Finding, Location, Severity

SCHEMA_VERSION = 1


def _where(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": (f.severity or Severity.WARNING).value,
        **_where(f.location),
        "message": f.message,
        "help": f.help,
        "hops": f.hops,
        "related": [{**_where(r.location), "message": r.message} for r in f.related],
        "suppressed": f.suppressed,
    }


def render(result: Result, draw: bool = False) -> str:
    shown = [f for f in result.findings if not f.suppressed]
    data = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "skipped": result.skipped,
        "summary": {
            "files": result.files,
            "findings": len(shown),
            "by_severity": {s.value: sum(1 for f in shown if f.severity == s) for s in Severity},
        },
    }
    if draw:
        from wslint.report.path_view import paths_json

        data["paths"] = paths_json(result.paths)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
