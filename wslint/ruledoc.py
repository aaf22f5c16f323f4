"""Rule documents (``rules/WS101.md``): front matter, sections and runnable examples.

A document is front matter between ``---`` lines (``id``, ``name``, ``severity``,
``sources`` as a list), then Markdown: ``# WS101 nginx-http-version`` and ``##``
sections. The front matter and the title are written from the catalogue, wslint.rules,
by scripts/gen_rules_doc.py. Examples are fenced blocks whose info string says what they are
(DESIGN.md)::

    ```nginx file=nginx.conf args="--ping-interval 25s" expect="WS101@14 WS102@14"

- ``file=`` names the file, relative to a temporary directory; a fence without
  ``file=`` is an illustration and never runs.
- ``expect=`` starts an example: space-separated ``RULE@LINE`` (a line of the
  example's first file) or ``RULE@FILE:LINE``; ``expect=""`` is a passing example.
- Blocks with ``file=`` and no ``expect=`` that follow under the same ``###``
  heading add files to the example before them (a multi-file example).
- ``lint=`` (first block only) names what to lint: ``"a.conf b.conf"`` or ``.``;
  by default the first block's file. ``args=`` are extra command-line arguments.
- ``only=false`` makes ``expect`` list every finding of the run; by default it
  lists only the findings of the document's own rule.
- ``fixed=true`` on a later block under the same heading shows one of the example's
  files as ``wslint --fix`` leaves it (``fix-args=`` adds arguments to that run, e.g.
  ``--unsafe-fixes``): the fix is tested to give exactly that text, to re-lint without
  the rule's finding, and to change nothing when run again.

This module only reads documents; it never runs wslint.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^(`{3,})(.*)$")
EXPECT_TOKEN = re.compile(r"^(?P<rule>WS\d{3})@(?:(?P<file>[^@\s]+):)?(?P<line>[1-9]\d*)$")
ATTRIBUTES = frozenset({"file", "expect", "args", "lint", "only", "fixed", "fix-args"})
EXAMPLE_ONLY = frozenset({"expect", "args", "lint", "only"})


class RuleDocError(ValueError):
    """A document that does not follow the format; the message starts with ``path:line:``."""


@dataclass(frozen=True)
class ExampleFile:
    """One fenced block of an example: a file written into the example's directory."""

    name: str
    language: str
    text: str
    line: int  # the line of the opening fence in the document


@dataclass(frozen=True, order=True)
class Expected:
    """One finding an example expects: rule, file (relative POSIX path) and line."""

    rule: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.rule}@{self.file}:{self.line}"


@dataclass
class Example:
    """A runnable example: files, what to lint with which arguments, and the findings."""

    rule: str  # the id of the document it belongs to
    section: str  # the ``##`` heading it stands under
    title: str  # the ``###`` heading it stands under
    line: int  # the line of its first fence
    files: list[ExampleFile]
    expect: tuple[Expected, ...]
    args: tuple[str, ...] = ()
    lint: tuple[str, ...] = ()
    only: bool = True
    # the files as ``wslint --fix`` leaves them, and the arguments that run adds
    fixed: list[ExampleFile] = field(default_factory=list)
    fix_args: tuple[str, ...] = ()

    @property
    def failing(self) -> bool:
        """Whether the example shows its own rule firing."""
        return any(e.rule == self.rule for e in self.expect)

    @property
    def kind(self) -> str:
        return "failing" if self.failing else "passing"

    @property
    def targets(self) -> tuple[str, ...]:
        """The command-line paths to lint."""
        return self.lint or (self.files[0].name,)


@dataclass
class RuleDoc:
    """A parsed rule document."""

    id: str
    name: str
    severity: str
    sources: tuple[str, ...]
    title: str  # the text of the ``#`` heading
    body: str  # the Markdown after the front matter
    sections: list[str] = field(default_factory=list)  # ``##`` headings in order
    examples: list[Example] = field(default_factory=list)
    path: str = "<string>"

    def example_ids(self) -> list[tuple[str, Example]]:
        """``WS101-failing-1``, ``WS101-passing-1``, ... in document order."""
        counts: dict[str, int] = {}
        out = []
        for example in self.examples:
            counts[example.kind] = counts.get(example.kind, 0) + 1
            out.append((f"{self.id}-{example.kind}-{counts[example.kind]}", example))
        return out


def _split_front_matter(text: str, path: str) -> tuple[dict[str, str | list[str]], str, int]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise RuleDocError(f"{path}:1: a rule document starts with front matter between --- lines")
    meta: dict[str, str | list[str]] = {}
    key: str | None = None
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip()
        if line == "---":
            return meta, "\n".join(lines[number:]), number
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s+(.*)$", line)
        if item and key is not None and isinstance(meta.get(key), list):
            value = meta[key]
            assert isinstance(value, list)
            value.append(_scalar(item.group(1)))
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*):\s*(.*)$", line)
        if pair is None:
            raise RuleDocError(f"{path}:{number}: cannot read front matter line {line!r}")
        key, value_text = pair.group(1), pair.group(2).strip()
        if key in meta:
            raise RuleDocError(f"{path}:{number}: duplicate front matter key {key!r}")
        if value_text.startswith("["):
            if not value_text.endswith("]"):
                raise RuleDocError(f"{path}:{number}: unterminated list for {key!r}")
            inner = value_text[1:-1].strip()
            meta[key] = [_scalar(v) for v in inner.split(",")] if inner else []
        elif value_text == "":
            meta[key] = []  # a block list follows
        else:
            meta[key] = _scalar(value_text)
    raise RuleDocError(f"{path}:1: front matter is not closed with ---")


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _info(info: str, path: str, line: int) -> tuple[str, dict[str, str]]:
    try:
        words = shlex.split(info)
    except ValueError as exc:
        raise RuleDocError(f"{path}:{line}: cannot read the fence's info string: {exc}") from None
    language = ""
    attrs: dict[str, str] = {}
    for index, word in enumerate(words):
        if "=" not in word:
            if index == 0:
                language = word
                continue
            raise RuleDocError(f"{path}:{line}: unexpected word {word!r} in the fence's info string")
        name, value = word.split("=", 1)
        if name not in ATTRIBUTES:
            raise RuleDocError(f"{path}:{line}: unknown attribute {name!r} (known: {', '.join(sorted(ATTRIBUTES))})")
        if name in attrs:
            raise RuleDocError(f"{path}:{line}: attribute {name!r} given twice")
        attrs[name] = value
    return language, attrs


def _relative(name: str, path: str, line: int, what: str) -> str:
    normal = posixpath.normpath(name)
    if not name or name.startswith("/") or normal == ".." or normal.startswith("../"):
        raise RuleDocError(f"{path}:{line}: {what} {name!r} must be a relative path inside the example")
    return normal


def _expectations(text: str, default_file: str, path: str, line: int) -> tuple[Expected, ...]:
    out = []
    for token in text.split():
        match = EXPECT_TOKEN.match(token)
        if match is None:
            raise RuleDocError(f"{path}:{line}: expect token {token!r} is not RULE@LINE or RULE@FILE:LINE")
        file = match.group("file")
        file = _relative(file, path, line, "expected file") if file else default_file
        out.append(Expected(match.group("rule"), file, int(match.group("line"))))
    if len(set(out)) != len(out):
        raise RuleDocError(f"{path}:{line}: expect lists the same finding twice")
    return tuple(out)


def _example(rule: str, section: str, title: str, block: ExampleFile, attrs: dict[str, str], path: str) -> Example:
    expect = _expectations(attrs["expect"], block.name, path, block.line)
    only_text = attrs.get("only", "true").lower()
    if only_text not in ("true", "false"):
        raise RuleDocError(f"{path}:{block.line}: only= takes true or false")
    only = only_text == "true"
    if only and any(e.rule != rule for e in expect):
        raise RuleDocError(f"{path}:{block.line}: expect lists another rule's finding; add only=false to check those")
    lint_text = attrs.get("lint", "")
    lint = tuple(_relative(t, path, block.line, "lint target") for t in lint_text.split())
    try:
        args = tuple(shlex.split(attrs.get("args", "")))
    except ValueError as exc:
        raise RuleDocError(f"{path}:{block.line}: cannot read args=: {exc}") from None
    return Example(rule, section, title, block.line, [block], expect, args, lint, only)


def parse(text: str, path: str = "<string>") -> RuleDoc:
    """Parse a rule document. Raises RuleDocError on anything out of format."""
    text = text.replace("\r\n", "\n")
    meta, body, offset = _split_front_matter(text, path)
    for key in ("id", "name", "severity", "sources"):
        if key not in meta:
            raise RuleDocError(f"{path}:1: front matter lacks {key!r}")
    unknown = set(meta) - {"id", "name", "severity", "sources"}
    if unknown:
        raise RuleDocError(f"{path}:1: unknown front matter keys: {', '.join(sorted(unknown))}")
    rule_id, name, severity, sources = meta["id"], meta["name"], meta["severity"], meta["sources"]
    if not isinstance(rule_id, str) or not isinstance(name, str) or not isinstance(severity, str):
        raise RuleDocError(f"{path}:1: id, name and severity are single values")
    if not isinstance(sources, list):
        raise RuleDocError(f"{path}:1: sources is a list")

    title = ""
    sections: list[str] = []
    examples: list[Example] = []
    section = ""  # the current ## heading
    heading = ""  # the current ### heading
    continuing = False  # the last thing met was a block of an example under this heading
    lines = body.split("\n")
    index = 0
    while index < len(lines):
        number = offset + index + 1
        line = lines[index]
        fence = FENCE.match(line)
        if fence is None:
            if line.startswith("# ") and not title:
                title = line[2:].strip()
            elif line.startswith("## "):
                section = line[3:].strip()
                sections.append(section)
                heading, continuing = "", False
            elif line.startswith("### "):
                heading, continuing = line[4:].strip(), False
            index += 1
            continue
        ticks, info = fence.group(1), fence.group(2).strip()
        end = index + 1
        while end < len(lines) and not (lines[end].startswith(ticks) and lines[end].strip("`").strip() == ""):
            end += 1
        if end == len(lines):
            raise RuleDocError(f"{path}:{number}: code fence is never closed")
        content = "\n".join(lines[index + 1 : end])
        index = end + 1
        language, attrs = _info(info, path, number)
        if "file" not in attrs:
            if attrs:
                raise RuleDocError(f"{path}:{number}: an example block needs file=")
            continue
        block = ExampleFile(
            _relative(attrs["file"], path, number, "file"), language, content + "\n" if content else "", number
        )
        if "expect" in attrs:
            examples.append(_example(rule_id, section, heading, block, attrs, path))
            continuing = True
            continue
        if "fixed" in attrs:
            _add_fixed(examples[-1] if continuing and examples else None, block, attrs, path)
            continue
        if "fix-args" in attrs:
            raise RuleDocError(f"{path}:{number}: fix-args= belongs on a block with fixed=true")
        extra = EXAMPLE_ONLY & set(attrs)
        if extra:
            raise RuleDocError(
                f"{path}:{number}: {', '.join(sorted(extra))} belong on an example's first block (the one with expect=)"
            )
        if not continuing or not examples:
            raise RuleDocError(f"{path}:{number}: a block with file= and no expect= must follow an example's block")
        current = examples[-1]
        if any(f.name == block.name for f in current.files):
            raise RuleDocError(f"{path}:{number}: file {block.name!r} appears twice in one example")
        current.files.append(block)
    if not title:
        raise RuleDocError(f"{path}:1: the document has no '# ' title")
    return RuleDoc(
        id=rule_id,
        name=name,
        severity=severity,
        sources=tuple(sources),
        title=title,
        body=body,
        sections=sections,
        examples=examples,
        path=path,
    )


def _add_fixed(example: Example | None, block: ExampleFile, attrs: dict[str, str], path: str) -> None:
    """A ``fixed=true`` block: one of the example's files after ``wslint --fix``."""
    if attrs["fixed"] != "true":
        raise RuleDocError(f"{path}:{block.line}: fixed= takes true")
    if example is None:
        raise RuleDocError(f"{path}:{block.line}: a block with fixed=true must follow an example's block")
    if EXAMPLE_ONLY & set(attrs):
        raise RuleDocError(f"{path}:{block.line}: a fixed=true block takes file= and fix-args= only")
    if not any(f.name == block.name for f in example.files):
        raise RuleDocError(f"{path}:{block.line}: fixed file {block.name!r} is not a file of the example")
    if any(f.name == block.name for f in example.fixed):
        raise RuleDocError(f"{path}:{block.line}: fixed file {block.name!r} appears twice")
    try:
        args = tuple(shlex.split(attrs.get("fix-args", "")))
    except ValueError as exc:
        raise RuleDocError(f"{path}:{block.line}: cannot read fix-args=: {exc}") from None
    if example.fixed and args != example.fix_args:
        raise RuleDocError(f"{path}:{block.line}: the fixed blocks of one example give different fix-args=")
    example.fixed.append(block)
    example.fix_args = args


def split(text: str, path: str = "<string>") -> tuple[str, dict[str, str]]:
    """A document's Markdown without its front matter, and its ``##`` sections: heading -> Markdown (in order).

    A section runs from its heading's next line to the next ``##`` heading, its ``###`` parts included;
    a ``## `` line inside a code fence is code. Raises RuleDocError when there is no front matter.
    """
    _, body, _ = _split_front_matter(text.replace("\r\n", "\n"), path)
    body = body.strip("\n") + "\n"
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    fence = ""
    for line in body.split("\n"):
        opened = FENCE.match(line)
        if fence:
            if line.startswith(fence) and line.strip("`").strip() == "":
                fence = ""
        elif opened:
            fence = opened.group(1)
        elif line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
            continue
        if current is not None:
            current.append(line)
    return body, {heading: "\n".join(lines).strip("\n") + "\n" for heading, lines in sections.items()}


def load(path: str | Path) -> RuleDoc:
    return parse(Path(path).read_text(encoding="utf-8"), str(path))


def load_all(directory: str | Path) -> list[RuleDoc]:
    """Every ``*.md`` document in the directory, sorted by file name."""
    return [load(p) for p in sorted(Path(directory).glob("*.md"))]
