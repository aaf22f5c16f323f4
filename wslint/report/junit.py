"""The JUnit XML report (``--output-format junit``), for CI test-report views (GitLab ``artifacts:reports:junit``,
Jenkins, Azure DevOps...).

One ``<testsuite name="wslint">`` in ``<testsuites>``; one ``<testcase>`` per linted file (each
document's root file, and any other file a finding stands in), named by its path as given and sorted;
one ``<failure>`` per shown finding in it (``type`` the rule, ``message`` ``path:line:col: WS201
message``, the text the concise line, its help and related places); a file without findings is a
passing testcase. A WS001 finding (the file could not be read as a config) is an ``<error>``
instead, and each error of the run (``result.errors``) an ``<error>`` of a last testcase named
``wslint``. ``tests``/``failures``/``errors`` count testcases, as JUnit does. No ``time`` or
``timestamp``: the same input gives the same bytes. Valid against Jenkins xUnit's junit-10.xsd.

Every value is first made one safe line by ``escape.printable`` (no control character, which XML 1.0
cannot carry either), then XML-escaped; the two non-characters XML also refuses are written ``\\uFFFE``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from wslint.engine import Result
from wslint.escape import printable
from wslint.model import Finding
from wslint.report.concise import line

# what printable leaves that XML 1.0 cannot carry (it escapes controls and surrogates already)
_NOT_XML = re.compile("[\ufffe\uffff]")
RUN = "wslint"
PARSE_ERROR = "WS001"  # the file could not be read as a config: the test could not run


def _safe(value: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(value))


def _attr(value: str) -> str:
    return quoteattr(_safe(value))


def _body(f: Finding) -> str:
    lines = [line(f)]
    if f.help:
        lines.append(f"help: {printable(f.help)}")
    lines += [f"related: {printable(f'{r.location}: {r.message}')}" for r in f.related]
    return escape(_NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", "\n".join(lines)))


def _problem(f: Finding) -> str:
    tag = "error" if f.rule == PARSE_ERROR else "failure"
    message = f"{f.location}: {f.rule} {f.message}"
    return f"      <{tag} type={_attr(f.rule)} message={_attr(message)}>{_body(f)}</{tag}>"


def render(result: Result) -> str:
    shown = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    by_file: dict[str, list[Finding]] = {document.file: [] for document in result.documents}
    for f in shown:
        by_file.setdefault(f.location.file, []).append(f)
    cases: list[tuple[str, list[str], bool]] = []  # name, problem elements, any error among them
    for file in sorted(by_file):
        mine = by_file[file]
        cases.append((file, [_problem(f) for f in mine], any(f.rule == PARSE_ERROR for f in mine)))
    if result.errors:
        errors = [
            f"      <error type={_attr(RUN)} message={_attr(e)}>{escape(_safe(e))}</error>" for e in result.errors
        ]
        cases.append((RUN, errors, True))
    failed = sum(1 for _, problems, error in cases if problems and not error)
    errored = sum(1 for _, _, error in cases if error)
    counts = f'tests="{len(cases)}" failures="{failed}" errors="{errored}"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="wslint" {counts}>',
        f'  <testsuite name="wslint" {counts} skipped="0">',
    ]
    for name, problems, _ in cases:
        if problems:
            out.append(f"    <testcase name={_attr(name)} classname={_attr(RUN)}>")
            out += problems
            out.append("    </testcase>")
        else:
            out.append(f"    <testcase name={_attr(name)} classname={_attr(RUN)}/>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"
