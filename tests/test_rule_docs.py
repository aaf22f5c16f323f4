"""The rule documents in rules/ are the rule tests: every example runs through the real CLI.

Each document's front matter and title are generated from the catalogue (wslint.rules.RULES), every rule
needs a document with at least one failing and one passing example, and each example
must produce exactly the findings it lists (its own rule's only, unless only=false).
docs/rules.md is generated from the documents and must be up to date.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from wslint import __version__, ruledoc
from wslint.checks import implementation
from wslint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
GENERATED = ROOT / "docs" / "rules.md"
GENERATOR = ROOT / "scripts" / "gen_rules_doc.py"
SECTIONS = ["Why", "When it fires", "How to fix", "Examples", "References"]


def _load() -> tuple[list[ruledoc.RuleDoc], list[str]]:
    docs, errors = [], []
    for path in sorted(RULES_DIR.glob("*.md")):
        try:
            docs.append(ruledoc.load(path))
        except ruledoc.RuleDocError as exc:
            errors.append(str(exc))
    return docs, errors


DOCS, LOAD_ERRORS = _load()
BY_ID = {doc.id: doc for doc in DOCS}
EXAMPLES = [pytest.param(doc, example, id=test_id) for doc in DOCS for test_id, example in doc.example_ids()]


# -- the documents and the registry ------------------------------------------------------------


def test_documents_parse() -> None:
    assert LOAD_ERRORS == []


def test_every_rule_has_exactly_one_document() -> None:
    assert sorted(p.stem for p in RULES_DIR.glob("*.md")) == sorted(RULES)
    for doc in DOCS:
        assert Path(doc.path).name == f"{doc.id}.md", f"{doc.path} holds {doc.id}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_front_matter_matches_registry(rule_id: str) -> None:
    rule = RULES[rule_id]
    doc = BY_ID.get(rule_id)
    assert doc is not None, f"rules/{rule_id}.md is missing or does not parse"
    assert (doc.id, doc.name, doc.severity, doc.sources) == (
        rule.id,
        rule.name,
        rule.severity.value,
        rule.sources,
    )


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_document_structure(rule_id: str) -> None:
    doc = BY_ID.get(rule_id)
    assert doc is not None, f"rules/{rule_id}.md is missing or does not parse"
    assert doc.title == f"{doc.id} {doc.name}"
    assert doc.sections == SECTIONS
    for _, example in doc.example_ids():
        assert example.section == "Examples", f"{doc.path}:{example.line}: example outside ## Examples"
        assert example.title, f"{doc.path}:{example.line}: example without a ### heading"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_failing_and_passing_examples(rule_id: str) -> None:
    doc = BY_ID.get(rule_id)
    assert doc is not None, f"rules/{rule_id}.md is missing or does not parse"
    kinds = {example.kind for example in doc.examples}
    assert kinds == {"failing", "passing"}, f"{doc.path} needs a failing and a passing example"


# -- the document parser ---------------------------------------------------------------------------

FRONT = (
    "---\nid: WS101\nname: nginx-http-version\nseverity: error\nsources:\n  - nginx\n---\n"
    "\n# WS101 nginx-http-version\n"
)


def test_parser_reads_multi_file_examples() -> None:
    text = FRONT + (
        "\n## Examples\n\n### Two files\n\n"
        '```nginx file=nginx.conf lint=". b.conf" args="--ping-interval 25s" expect="WS101@3 WS101@conf.d/a.conf:2"\n'
        "http {}\n```\n\nprose\n\n```nginx file=conf.d/a.conf\nserver {}\n```\n\n"
        '### Clean\n\n```nginx file=x.conf expect=""\n```\n\n```nginx\nnot an example\n```\n'
    )
    doc = ruledoc.parse(text)
    assert (doc.id, doc.sources, doc.title, doc.sections) == (
        "WS101",
        ("nginx",),
        "WS101 nginx-http-version",
        ["Examples"],
    )
    [(first_id, first), (second_id, second)] = doc.example_ids()
    assert (first_id, second_id) == ("WS101-failing-1", "WS101-passing-1")
    assert [f.name for f in first.files] == ["nginx.conf", "conf.d/a.conf"]
    assert first.files[1].text == "server {}\n"
    assert first.targets == (".", "b.conf")
    assert first.args == ("--ping-interval", "25s")
    assert [str(e) for e in first.expect] == ["WS101@nginx.conf:3", "WS101@conf.d/a.conf:2"]
    assert first.line == 15 and first.title == "Two files" and first.section == "Examples"
    assert second.targets == ("x.conf",) and second.expect == () and second.files[0].text == ""


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ('```nginx file=a.conf expect="WS101"\n```\n', "RULE@LINE"),
        ('```nginx file=a.conf expect="WS102@3"\n```\n', "only=false"),
        ("```nginx file=a.conf\n```\n", "must follow"),
        ('```nginx file=../a.conf expect=""\n```\n', "relative path"),
        ('```nginx file=a.conf expect="" colour=red\n```\n', "unknown attribute"),
        ('```nginx file=a.conf expect=""\n', "never closed"),
        ('```nginx file=a.conf expect=""\n```\n```nginx file=b.conf lint=.\n```\n', "first block"),
    ],
)
def test_parser_rejects_bad_examples(body: str, error: str) -> None:
    with pytest.raises(ruledoc.RuleDocError, match=error):
        ruledoc.parse(FRONT + "\n## Examples\n\n### One\n\n" + body, "x.md")


def test_parser_needs_front_matter() -> None:
    with pytest.raises(ruledoc.RuleDocError, match="front matter"):
        ruledoc.parse("# WS101 nginx-http-version\n")


# -- the examples, through the real CLI -----------------------------------------------------------


def _run(wslint: Callable[..., Any], example: ruledoc.Example, where: Path) -> tuple[Any, list[dict[str, Any]]]:
    for block in example.files:
        target = where / block.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    # an example of a command's own rule (WS7xx: `wslint logs`) names the command first in args=
    command = example.args[:1] if example.args[:1] == ("logs",) else ()
    args = example.args[len(command) :]
    run = wslint(*command, "--output-format", "json", "--isolated", *args, *example.targets, cwd=where)
    assert run.code in (0, 1), f"exit {run.code}\nstderr: {run.err}\nstdout: {run.out}"
    assert "error:" not in run.err, run.err
    findings: list[dict[str, Any]] = json.loads(run.out)["findings"]
    return run, findings


def _actual(findings: list[dict[str, Any]], rule: str | None) -> list[ruledoc.Expected]:
    return sorted(
        ruledoc.Expected(f["rule"], posixpath.normpath(f["file"]), f["line"])
        for f in findings
        if rule is None or f["rule"] == rule
    )


@pytest.mark.parametrize(("doc", "example"), EXAMPLES)
def test_example(wslint: Callable[..., Any], tmp_path: Path, doc: ruledoc.RuleDoc, example: ruledoc.Example) -> None:
    run, findings = _run(wslint, example, tmp_path)
    actual = _actual(findings, None if not example.only else doc.id)
    expected = sorted(example.expect)
    assert [str(e) for e in actual] == [str(e) for e in expected], (
        f"{doc.path}:{example.line} ({example.title}): expected {[str(e) for e in expected]}, "
        f"got {[str(e) for e in actual]}\n{json.dumps(findings, indent=1)}"
    )
    # the rule's own findings carry its default severity (WS002 outside the tree: info)
    allowed = {RULES[doc.id].severity.value} | ({"info"} if doc.id == "WS002" else set())
    assert {f["severity"] for f in findings if f["rule"] == doc.id} <= allowed
    # the exit code follows the findings (default fail-on: warning)
    if not {"--fail-on", "--exit-zero"} & set(example.args):
        failing = any(f["severity"] in ("warning", "error") and not f["suppressed"] for f in findings)
        assert run.code == (1 if failing else 0), run.out


def test_include_outside_the_tree_is_info(wslint: Callable[..., Any], tmp_path: Path) -> None:
    """WS002 documents both severities: warning inside the tree, info outside it."""
    severities: set[str] = set()
    for index, (_, example) in enumerate(BY_ID["WS002"].example_ids()):
        where = tmp_path / str(index)
        where.mkdir()
        _, findings = _run(wslint, example, where)
        severities |= {f["severity"] for f in findings if f["rule"] == "WS002"}
    assert severities == {"warning", "info"}


# -- the rules and rule commands -------------------------------------------------------------


def test_rules_lists_every_rule(wslint: Callable[..., Any]) -> None:
    run = wslint("rules")
    assert run.code == 0, run.err
    listed = [line.split()[0] for line in run.out.splitlines() if line.strip()]
    assert listed == list(RULES)


def test_rules_json_lists_every_rule(wslint: Callable[..., Any]) -> None:
    run = wslint("rules", "--output-format", "json")
    assert run.code == 0, run.err
    assert [r["id"] for r in json.loads(run.out)] == list(RULES)


@pytest.mark.parametrize("rule_id", ["WS101", "ws301"])
def test_rule_prints_its_document(wslint: Callable[..., Any], rule_id: str) -> None:
    run = wslint("rule", rule_id)
    assert run.code == 0, run.err
    document = (RULES_DIR / f"{rule_id.upper()}.md").read_text(encoding="utf-8")
    # rendered for a terminal since issue 20: the document without its front matter
    from wslint.report.markdown_terminal import render

    assert run.out.startswith(render(ruledoc.split(document)[0]) + "\n")
    assert run.err == ""


@pytest.mark.parametrize(
    ("rule_id", "lines"),
    [
        ("WS101", ["Check: http_version in wslint/checks/upgrade.py", "Fixer: http_version in wslint/fix/nginx.py"]),
        ("WS601", ["Check: health_check_on_websocket_path in wslint/checks/health_check.py"]),
        ("WS003", ["Check: unused_suppression in wslint/checks/input.py (after inline suppressions)"]),
    ],
)
def test_rule_says_where_it_is_implemented(wslint: Callable[..., Any], rule_id: str, lines: list[str]) -> None:
    run = wslint("rule", rule_id)
    assert run.code == 0, run.err
    assert run.out.splitlines()[-len(lines) :] == lines
    assert (ROOT / lines[0].split(" in ")[1].split(" ")[0]).is_file()


def test_rule_json_says_where_it_is_implemented(wslint: Callable[..., Any]) -> None:
    run = wslint("rule", "ws201", "--output-format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["document"] == (RULES_DIR / "WS201.md").read_text(encoding="utf-8")
    rule = RULES["WS201"]
    assert (data["id"], data["name"], data["severity"], data["summary"]) == (
        rule.id,
        rule.name,
        rule.severity.value,
        rule.summary,
    )
    assert data["check"] == {
        "module": "wslint.checks.idle",
        "function": "default_idle_timeout",
        "file": "wslint/checks/idle.py",
        "phase": "model",
    }
    assert data["fixer"]["module"] == "wslint.fix.idle"
    run = wslint("rule", "WS601", "--output-format", "json")
    assert json.loads(run.out)["fixer"] is None


def test_every_rule_is_implemented_in_its_family_module() -> None:
    """The id says the module: WS0xx input, WS1xx upgrade, WS2xx idle, WS3xx keepalive, WS4xx drain, ..."""
    family = {"0": "input", "1": "upgrade", "2": "idle", "3": "keepalive", "4": "drain", "5": "capacity"}
    family["6"] = "health_check"
    family["7"] = "logs"
    for rule_id in RULES:
        fn = implementation(rule_id)
        assert fn is not None, f"{rule_id} has no check"
        assert fn.__module__ == f"wslint.checks.{family[rule_id[2]]}", rule_id


def test_rule_unknown_id(wslint: Callable[..., Any]) -> None:
    run = wslint("rule", "WS999")
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1
    assert run.err.startswith("wslint: error:") and "WS999" in run.err


# -- docs/rules.md ---------------------------------------------------------------------------------


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_rules_doc", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_rules_doc", module)
    spec.loader.exec_module(module)
    return module


def test_generated_rules_doc_is_up_to_date() -> None:
    assert GENERATED.is_file(), "run: python scripts/gen_rules_doc.py"
    expected = _generator().render(RULES_DIR)
    assert GENERATED.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run python scripts/gen_rules_doc.py"
    )


def test_generated_rules_doc_lists_every_rule() -> None:
    text = _generator().render(RULES_DIR)
    for rule in RULES.values():
        assert f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) |" in text
        assert f"\n## {rule.id} {rule.name}\n" in text


# -- the documents' heads, generated from the catalogue ---------------------------------------------


def test_document_heads_are_generated_from_the_catalogue() -> None:
    generated = _generator().documents(RULES_DIR)
    assert sorted(p.stem for p in generated) == sorted(RULES)
    for path, text in generated.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python scripts/gen_rules_doc.py"


def test_generator_writes_the_head_of_a_new_or_renamed_rule() -> None:
    generator = _generator()
    rule = RULES["WS201"]
    body = "\n## Why\n\nThe box's default closes idle WebSockets.\n"
    assert generator.document(rule, body) == generator.head(rule) + body
    stale = "---\nid: WS201\nname: old-name\nseverity: error\nsources: [nginx]\n---\n\n# WS201 old-name\n" + body
    assert generator.document(rule, stale) == generator.head(rule) + body
    doc = ruledoc.parse(generator.document(rule, stale))
    assert (doc.id, doc.name, doc.severity, doc.sources, doc.title) == (
        rule.id,
        rule.name,
        rule.severity.value,
        rule.sources,
        f"{rule.id} {rule.name}",
    )


# -- what users read: `wslint rule ID` and the documents that ship (issue 20) -------------------------------------

# design and research files of the project that users never get (the wheel, the sdist's docs, SARIF help)
UNSHIPPED = ("FACTS.md", "HOPS.md", "RULES.md", "DESIGN.md", "UX.md")
# user-facing documents; docs/architecture.md is for developers. docs/bad-input.md still says "UX.md's exit-code
# table" in its introduction: that file is the integrator's in issue 20 (the report gives the line to change).
USER_DOCUMENTS = [
    *sorted(RULES_DIR.glob("*.md")),
    ROOT / "README.md",
    ROOT / "action.yml",
    ROOT / ".pre-commit-hooks.yaml",
    *(p for p in sorted((ROOT / "docs").glob("*.md")) if p.name != "architecture.md"),
]


def test_no_user_document_cites_an_unshipped_file() -> None:
    cited = [
        f"{path.relative_to(ROOT)}:{number}: {name}"
        for path in USER_DOCUMENTS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for name in UNSHIPPED
        if name in line
    ]
    assert cited == [], "cite the primary source (URL, manual section, file at a version) or wslint's own docs"


def test_no_shipped_string_cites_an_unshipped_file() -> None:
    """What wslint prints or ships (string constants other than docstrings, data files) never names those files."""
    import ast

    found = []
    for path in sorted((ROOT / "wslint").rglob("*")):
        if path.suffix == ".py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and any(name in node.value for name in UNSHIPPED)
            ]
        elif path.suffix in (".json", ".md", ".toml", ".yaml", ".txt") and any(
            name in path.read_text(encoding="utf-8") for name in UNSHIPPED
        ):
            found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_rule_is_rendered_for_a_terminal(wslint: Callable[..., Any]) -> None:
    run = wslint("rule", "WS101")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    # no front matter; the title and the sections set off by an underline
    assert lines[:2] == ["WS101 nginx-http-version", "=" * len("WS101 nginx-http-version")]
    assert not any(line.startswith(("id: ", "sources: ", "severity: ")) for line in lines)
    for section in SECTIONS:
        assert f"\n\n{section}\n{'-' * len(section)}\n" in run.out, section
    # code blocks indented, their fences gone, the example's file named above it
    assert "```" not in run.out
    assert any(line.startswith("        proxy_http_version 1.1;") for line in lines), run.out
    assert "nginx.conf:" in lines
    assert "**" not in run.out and "\x1b[" not in run.out  # strong emphasis without colour: plain text
    assert "refused: HTTP 505" in run.out
    assert lines[-2:] == [
        "Check: http_version in wslint/checks/upgrade.py",
        "Fixer: http_version in wslint/fix/nginx.py",
    ]


def test_rule_headings_are_bold_with_colour(wslint: Callable[..., Any]) -> None:
    coloured = wslint("rule", "WS101", "--color", "always")
    assert coloured.code == 0, coloured.err
    assert coloured.out.startswith("\x1b[1;4mWS101 nginx-http-version\x1b[0m\n========================\n")
    assert "\n\x1b[1mWhy\x1b[0m\n---\n" in coloured.out
    assert "refused: \x1b[1mHTTP 505\x1b[0m" in coloured.out
    plain = wslint("rule", "WS101", "--color", "never")
    assert "\x1b[" not in plain.out
    assert "\x1b[" not in wslint("rule", "WS101", env={"NO_COLOR": "1"}).out


def test_rule_json_gives_the_documents_fields(wslint: Callable[..., Any]) -> None:
    run = wslint("rule", "WS303", "--output-format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    text = (RULES_DIR / "WS303.md").read_text(encoding="utf-8")
    doc = ruledoc.parse(text)
    assert data["url"] == f"https://github.com/wslint/wslint/blob/v{__version__}/rules/WS303.md"
    assert data["markdown"].startswith("# WS303 ") and "\nid: " not in data["markdown"]
    assert text.endswith(data["markdown"])
    assert list(data["sections"]) == doc.sections == SECTIONS
    assert data["sections"]["References"].startswith("- ")
    assert all(f"## {heading}\n\n{body}" in data["markdown"] for heading, body in data["sections"].items())
    assert (data["id"], data["sources"]) == ("WS303", list(RULES["WS303"].sources))


def test_markdown_links_read_as_text_and_url() -> None:
    from wslint.report.markdown_terminal import render

    text = render("See [the manual](https://nginx.org/x) and <https://a.example/b>, not `[code](x)`.\n")
    assert text == "See the manual (https://nginx.org/x) and https://a.example/b, not `[code](x)`.\n"
