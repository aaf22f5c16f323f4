"""The JSON report; its shape is wslint/schemas/report.schema.json (schema version 1)."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from wslint import __version__
from wslint.engine import Result
from wslint.escape import json_text
from wslint.model import Finding, Severity
from wslint.report.location_json import location_fields

SCHEMA_VERSION = 1
# findings encoded and written together: few enough that their lines are a small string, enough that
# writing costs little per finding
_BATCH = 256


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": (f.severity or Severity.WARNING).value,
        **location_fields(f.location),
        "message": f.message,
        "help": f.help,
        "hops": f.hops,
        "related": [{**location_fields(r.location), "message": r.message} for r in f.related],
        "suppressed": f.suppressed,
    }


def stock_includes(result: Result) -> list[dict[str, Any]]:
    """nginx includes read as a stock file's published contents, once per include directive."""
    out: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for document in result.documents:
        for used in document.stock:
            where = used.location
            out.setdefault(
                (where.file, where.line or 0, where.column or 0, used.name),
                {
                    "file": where.file,
                    "line": where.line,
                    "column": where.column,
                    "include": used.include,
                    "read_as": used.name,
                    "source": used.source,
                },
            )
    return [out[key] for key in sorted(out, key=lambda key: key[:3])]  # by place; at one place, in reading order


def render(result: Result, draw: bool = False) -> str:
    """The whole report as one string (``write`` streams it)."""
    out = io.StringIO()
    write(result, out, draw)
    return out.getvalue()


def write(result: Result, out: TextIO, draw: bool = False) -> None:
    """The report written to ``out`` a finding at a time: the same text as ``render``, never all of it in memory."""
    shown = [f for f in result.findings if not f.suppressed]
    data: dict[str, Any] = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "findings": None,  # written by _write_findings, one finding at a time
        "skipped": result.skipped,
        "summary": {
            "files": result.files,
            "skipped": len(result.skipped),
            "errors": len(result.errors),
            "findings": len(shown),
            "by_severity": {s.value: sum(1 for f in shown if f.severity == s) for s in Severity},
        },
    }
    stock = stock_includes(result)
    if stock:
        data["stock_includes"] = stock
    if draw:
        from wslint.report.path_view import paths_json

        data["paths"] = paths_json(result.paths)
    # "version" and "schema" come first: the placeholder is the first null
    head, _, tail = json.dumps(data, indent=2, ensure_ascii=False).partition('"findings": null')
    out.write(json_text(head + '"findings": '))
    _write_findings(out, result.findings)
    out.write(json_text(tail + "\n"))


def _write_findings(out: TextIO, findings: list[Finding]) -> None:
    """The findings array, indented, one finding per line, printable as it is (``escape.json_text``).

    ``json.dumps(indent=...)`` runs Python's pure-Python encoder, a tenth of a large run; each
    finding is encoded by the C encoder instead, on a line of its own (easy to grep and diff).
    Each finding's dict and line live only while the line is encoded and written, a batch at a
    time: the report is never in memory as a whole (tens of megabytes on a large config).
    """
    if not findings:
        out.write("[]")
        return
    one = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    out.write("[\n")
    for start in range(0, len(findings), _BATCH):
        batch = ",\n".join(f"    {one(finding_dict(f))}" for f in findings[start : start + _BATCH])
        out.write(json_text(batch if start == 0 else ",\n" + batch))
    out.write("\n  ]")
