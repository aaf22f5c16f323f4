"""The source registry: every list of kinds derives from it, and a new kind plugs in with one registration.

The fake source here ("toyproxy": ``idle 30s`` lines) is registered from the test suite through the
registry's public API only; wslint lints it like any other kind (recognition, ``--kind``, the
``kinds`` setting, the keepalive rules on its hops, suppression comments in its block style).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from conftest import Linted

from wslint.hops import Family, HopKind
from wslint.model import Document, Duration, Hop, Location, Problem, Route
from wslint.rules import RULES
from wslint.sources import registry
from wslint.sources.registry import Context, Source, Target

# the fake source's hop kind: a family of its own, no typed facts (a real source registers it with hops.hop_kind)
TOYPROXY = HopKind("toyproxy", "toyproxy", Family("toyproxy"))

Lint = Callable[..., Linted]
_IDLE = re.compile(r"^(\s*)idle\s+(\d+)s\s*(?:#.*)?$")


def _toy_load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """A toyproxy source: every ``idle Ns`` line is a WebSocket route with that idle timeout."""
    documents: list[Document] = []
    errors: list[str] = []
    for file in files:
        try:
            data = context.stdin.get(file.real)
            text = data.decode() if data is not None else open(file.real, encoding="utf-8").read()  # noqa: SIM115
        except OSError as exc:
            errors.append(f"{file.display}: cannot read: {exc.strerror}")
            continue
        top = Location(file=file.display, line=1, column=1)
        hop = Hop(kind=TOYPROXY, name=file.display, location=top)
        document = Document(file=file.display, kind="toyproxy", context="toyproxy", hops=[hop], files=[file.display])
        for number, line in enumerate(text.splitlines(), start=1):
            match = _IDLE.match(line)
            if match is None:
                if line.strip() and not line.lstrip().startswith("#"):
                    where = Location(file=file.display, line=number, column=1)
                    document.problems.append(Problem(kind="parse-error", location=where, message="not a toyproxy line"))
                continue
            where = Location(file=file.display, line=number, column=len(match.group(1)) + 1)
            idle = Duration(
                seconds=float(match.group(2)),
                text=f"{match.group(2)}s",
                dialect="seconds",
                location=where,
                directive="idle",
            )
            hop.routes.append(
                Route(name=f"route {number}", location=where, reason="a toyproxy route", idle_timeout=idle)
            )
        documents.append(document)
    return documents, errors


TOY = Source(
    "toyproxy",
    _toy_load,
    registry.text(lambda head: head.startswith("# toyproxy")),
    order=45,
    style="sections",
)


@pytest.fixture
def toyproxy() -> Iterator[Source]:
    registry.register(TOY)
    yield TOY
    registry.unregister(TOY.name)


def test_a_fake_source_registered_from_the_tests_is_linted(toyproxy: Source, lint: Lint) -> None:
    result = lint({"edge.toy": "# toyproxy\nidle 30s\nidle 300s\n"}, "edge.toy", "--ping-interval", "20s")
    assert result.code == 1, result.err
    assert result.rules_in() == {("WS301", "edge.toy", 2)}
    [found] = result.findings
    assert found["hops"] == ["edge.toy"]


def test_a_fake_source_hops_without_a_ping_interval_are_ws303(toyproxy: Source, lint: Lint) -> None:
    result = lint({"edge.toy": "# toyproxy\nidle 30s\n"}, "edge.toy")
    assert result.rules_at() == {("WS303", 2)}


def test_a_fake_source_reads_suppressions_in_its_block_style(toyproxy: Source, lint: Lint) -> None:
    text = "# toyproxy\nidle 30s  # wslint: ignore[WS301]\nidle 40s\n"
    result = lint({"edge.toy": text}, "edge.toy", "--ping-interval", "25s")
    assert {(f["rule"], f["line"], f["suppressed"]) for f in result.findings} == {
        ("WS301", 2, True),
        ("WS301", 3, False),
    }


def test_a_fake_source_is_a_kind_for_the_command_line_and_the_config(toyproxy: Source, lint: Lint) -> None:
    forced = lint({"edge.cfg": "idle 30s\n"}, "--kind", "toyproxy", "edge.cfg")
    assert forced.rules_at() == {("WS303", 1)}
    config = '[tool.wslint]\nkinds = { "*.cfg" = "toyproxy" }\n'
    by_config = lint({"edge.cfg": "idle 30s\n", "pyproject.toml": config}, "--config", "pyproject.toml", "edge.cfg")
    assert by_config.rules_at() == {("WS303", 1)}


def test_a_fake_source_parse_error_is_ws001(toyproxy: Source, lint: Lint) -> None:
    result = lint({"edge.toy": "# toyproxy\nidle forever\n"}, "edge.toy")
    assert result.rules_at() == {("WS001", 2)}


def test_unregistered_kinds_are_not_recognised(lint: Lint) -> None:
    result = lint({"edge.toy": "# toyproxy\nidle 30s\n"}, "edge.toy", "--output-format", "text", "--verbose")
    assert "not a file of a kind wslint knows" in result.err


def test_rule_sources_are_registered_sources() -> None:
    known = set(registry.names()) | {"path", "logs"}  # declared paths and `wslint logs` read no file kind
    for rule in RULES.values():
        assert set(rule.sources) <= known, (rule.id, set(rule.sources) - known)


def test_the_kind_choices_are_the_registry_file_kinds(lint: Lint) -> None:
    result = lint({}, "--kind", "nope", "x")
    assert result.code == 2
    listed = re.findall(r"'([\w-]+)'", result.err.split("choose from", 1)[1])
    assert tuple(listed) == registry.file_kinds()
    assert "aws" not in registry.file_kinds()  # the live account is a source, not a kind of file
    assert registry.family("aws") == ("terraform", "cloudformation", "awscli", "aws")


def test_recognition_follows_the_order_and_each_source_test() -> None:
    assert registry.recognise("main.tf", "server { listen 80; }") == "terraform"
    assert registry.recognise("t.yaml", "AWSTemplateFormatVersion: x\napiVersion: v1\nkind: Service\n") == (
        "cloudformation"
    )
    assert registry.recognise("k.yaml", "apiVersion: v1\nkind: Service\n") == "kubernetes"
    assert registry.recognise("k.yaml", "global\n  daemon\n") is None  # a YAML name is never a line config
    assert registry.recognise("haproxy.cfg", "global\n  daemon\n") == "haproxy"
    assert registry.recognise("nginx.conf", "events {}\nhttp {\n}\n") == "nginx"
    assert registry.recognise("setup.cfg", "[metadata]\nname = x;\n") is None
    assert registry.binary_kind("x.conf") == "nginx" and registry.binary_kind("x.cfg") is None


def test_the_registry_imports_no_source_until_a_file_of_its_kind_is_linted() -> None:
    code = (
        "import sys\nimport wslint.sources.registry as r\n"
        "files = [('a.yaml', 'apiVersion: v1\\nkind: S\\n'), ('h.cfg', 'global\\n'), ('n.conf', 'http {\\n')]\n"
        "for name, head in files:\n"
        "    assert r.recognise(name, head), name\n"
        "loads = {s.load.partition(':')[0] for s in r.sources() if isinstance(s.load, str)}\n"
        "print(sorted(loads & set(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "[]"), proc.stderr
