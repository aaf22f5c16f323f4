"""The GitLab Code Quality report (``--output-format gitlab``), for ``artifacts:reports:codequality``.

A JSON array with one issue per shown finding (suppressed ones left out, as in the text report),
in the fields GitLab reads (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
``description`` (``WS201: message``), ``check_name`` (the rule), ``fingerprint``, ``severity``,
``location.path`` (relative to the repository root, as the SARIF report's URIs) and
``location.lines.begin`` (1 for a finding without a line: a live AWS resource, named as it is).

Severity: error -> ``major``, warning -> ``minor``, info -> ``info`` (``critical`` and ``blocker``
are left for nothing wslint says: a finding is a config that will drop or refuse a WebSocket, which
GitLab's own scanners rank major; the two above it would outrank security findings in the widget).

The fingerprint is the baseline's key (wslint/baseline.py: rule, file, enclosing block, statement
text; no line number) and its occurrence number among equal keys, hashed: the same finding keeps
its fingerprint when lines are added above it, and two identical statements in one block get two.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from wslint import baseline, ignoring
from wslint.engine import Result
from wslint.escape import json_text
from wslint.model import Document, Finding, Severity
from wslint.report.sarif import repo_relative, repo_root
from wslint.sources import text as textio

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def fingerprints(findings: list[Finding], documents: list[Document], root: str) -> list[str]:
    """One fingerprint per finding, from its baseline key (files read again; one it cannot read: by its message)."""
    text_of = ignoring.text_reader({}, {}, textio.DEFAULT_LIMIT)
    seen: Counter[tuple[str, ...]] = Counter()
    out = []
    for key in baseline.keys(findings, text_of, ignoring.styles(documents), root):
        seen[key] += 1
        out.append(hashlib.sha256("\0".join((*key, str(seen[key]))).encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return out


def issues(result: Result) -> list[dict[str, Any]]:
    root = repo_root()
    shown = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    out = []
    for f, fingerprint in zip(shown, fingerprints(shown, result.documents, root), strict=True):
        where = f.location
        path = where.file if where.line is None else (repo_relative(where.file, root) or where.file)
        out.append(
            {
                "description": f"{f.rule}: {f.message}",
                "check_name": f.rule,
                "fingerprint": fingerprint,
                "severity": SEVERITIES[f.severity or Severity.WARNING],
                "location": {"path": path, "lines": {"begin": where.line or 1}},
            }
        )
    return out


def render(result: Result) -> str:
    """The JSON array, printable as it is (``escape.json_text``), ending with a newline."""
    return json_text(json.dumps(issues(result), indent=2, ensure_ascii=False)) + "\n"
