"""``--statistics``: how many findings each rule has, most first (ruff's ``count  CODE  name`` shape).

Text: one line per rule, ``count<TAB>CODE<TAB>name``, the counts right-aligned; JSON (``--output-format
json``): an array of ``{"code", "name", "count"}`` in the same order; ``concise`` and ``github`` get the
text. The machine-read formats (gitlab, junit, sarif, html, mermaid) refuse --statistics (cli_common).
Suppressed findings are not counted, as they are not reported.
"""

from __future__ import annotations

import json
from collections import Counter

from wslint.engine import Result
from wslint.rules import RULES


def counts(result: Result) -> list[tuple[str, str, int]]:
    """(code, name, count) per rule with a shown finding: the largest count first, then by code."""
    counted = Counter(f.rule for f in result.findings if not f.suppressed)
    rows = [(code, RULES[code].name if code in RULES else "", n) for code, n in counted.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def render(result: Result, fmt: str) -> str:
    rows = counts(result)
    if fmt == "json":
        data = [{"code": code, "name": name, "count": n} for code, name, n in rows]
        return json.dumps(data, indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(n)) for _, _, n in rows)
    code_width = max(len(code) for code, _, _ in rows)
    return "".join(f"{n:>{width}}\t{code:<{code_width}}\t{name}\n" for code, name, n in rows)
