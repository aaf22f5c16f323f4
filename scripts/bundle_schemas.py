"""Embed wslint/schemas/path.schema.json in report.schema.json, so that the report schema validates on its own.

report.schema.json's ``paths`` items are ``{"$ref": "path.schema.json"}``, which resolves (against its
``$id``) to path.schema.json's ``$id``. A copy of that schema under ``$defs.path``, ``$id`` and all, is an
embedded resource (JSON Schema 2020-12, "Compound Documents"): every validator finds the reference in the
document itself, with no network and no registry. path.schema.json stays the source; run this after
editing it (tests/test_schemas.py fails until the copy is the same).

Usage: python scripts/bundle_schemas.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent.parent / "wslint" / "schemas"


def bundled() -> str:
    """report.schema.json's text with the current path.schema.json under ``$defs.path``."""
    report = json.loads((SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))
    report["$defs"]["path"] = json.loads((SCHEMAS / "path.schema.json").read_text(encoding="utf-8"))
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    target = SCHEMAS / "report.schema.json"
    fd, temporary = tempfile.mkstemp(dir=SCHEMAS, prefix=".report.schema.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(bundled())
    os.replace(temporary, target)
    print(f"{target}: path.schema.json embedded as $defs.path")


if __name__ == "__main__":
    main()
