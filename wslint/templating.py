"""Template syntax in config files: value placeholders are unknown values, control structures are skipped.

A file rendered by a template engine before use holds one of two kinds of template syntax:

- **value placeholders**, which stand for one value: ``{{NAME}}``, ``{{ .Values.timeout }}`` (Go
  templates: Helm, consul-template, tempio; Jinja), ``${NAME}`` (envsubst, the official nginx
  image's ``/etc/nginx/templates``, Terraform's ``templatefile``) and ``%%NAME%%``. The file is
  linted; each value holding a placeholder is unknown, and unknown never fires a rule.
- **control structures**, which decide what text there is at all: Jinja statements (``{% if %}``,
  ``{% for %}``, ``{% include %}``), Go template actions (``{{ if }}``, ``{{- range }}``,
  ``{{ end }}``, ``{{ with }}``, ``{{ define }}``, ``{{ template }}``, ``{{ $x := ... }}``),
  Terraform template directives (``%{ if }``), and a placeholder that stands alone on its line
  (``{{ toYaml .Values.x | nindent 4 }}``, ``{{ advanced_config }}``): it inserts lines, not a
  value. Such a file is skipped, with the reason and line (discover.py).

The readers parse a file's text with each placeholder ``mask``-ed: replaced by a token of the
same length that every dialect reads as one plain word (so lines and columns stay put), and
put back (``unmask``) in the words they read. Template comments (``{{/* */}}``, ``{# #}``) on
one line render to nothing: they are masked as blanks.
"""

from __future__ import annotations

import re

from wslint.sources import registry

# one Go/Jinja action on one line (the shortest), a ${NAME} as envsubst and templatefile() write it
# (with a shell-style default), a %%NAME%%
PLACEHOLDER = re.compile(
    r"\{\{\{?.*?\}\}\}?"  # {{ x }}, and Mustache's {{{ x }}}
    r"|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}\n]*)?\}"
    r"|%%[A-Za-z_][A-Za-z0-9_]*%%"
)
COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}|\{#.*?#\}")
# Go template actions that decide text (text/template's keywords, Helm's own definitions, variables)
_GO_CONTROL = re.compile(
    r"\{\{-?\s*(?:(?:if|else|end|range|with|define|block|template|break|continue)\b|\$[\w]*\s*:?=)"
    r"|\{\{[#^/!]"  # and Mustache sections and comments; a Go comment left here spans lines
)
_JINJA_STATEMENT = re.compile(r"\{%")
_TERRAFORM_DIRECTIVE = re.compile(r"%\{")  # templatefile() directives: %{ if }, %{ for }
_ALONE = re.compile(r"^[ \t]*\{\{.*\}\}[ \t]*\r?$", re.M)
_MARKERS = ("{{", "${", "%%", "{#")

# the mask: a start character, the placeholder's number in two characters, padding to its length
_START, _PAD = "\ue000", "\uf8ff"
_BASE = 0xF8FE - 0xE001
_MASKED = re.compile(f"{_START}([\\ue001-\\uf8fe])([\\ue001-\\uf8fe]){_PAD}*")


def has_placeholder(value: str) -> bool:
    """Does this value hold a template placeholder (so that its rendered value is unknown)?"""
    return any(marker in value for marker in _MARKERS[:3]) and PLACEHOLDER.search(value) is not None


def opaque(value: str) -> bool:
    """An nginx value wslint cannot read: it holds a variable (``$host``) or a template placeholder."""
    return "$" in value or has_placeholder(value)


def _template_text(text: str, kind: str) -> str:
    """The text as a template engine sees it: the config's comment lines (nginx, HAProxy), CloudFormation's
    dynamic references and template comments blanked, lines kept."""
    how = registry.templates(kind)
    if how.hash_comments:
        text = re.sub(r"(?m)^[ \t]*#.*$", "", text)  # template syntax in a comment line renders nothing
    if how.blank:
        text = re.sub(how.blank, "", text)  # e.g. CloudFormation's dynamic references
    return COMMENT.sub(lambda m: " " * len(m.group(0)), text)


def control(text: str, kind: str) -> str | None:
    """Why this text is a template wslint cannot read as a config (a control structure), or None.

    ``kind`` is the file's kind: Terraform's ``%{`` is a control structure only in the YAML kinds
    (HAProxy log formats use ``%{...}`` too; a ``.tf`` file is never checked here).
    """
    text = _template_text(text, kind)
    found: list[tuple[int, str]] = []
    for pattern, what in (
        (_JINJA_STATEMENT, "a template statement ({% ... %})"),
        (_GO_CONTROL, "a template action ({{ if }}, {{ range }}, {{ end }} ...)"),
        (_TERRAFORM_DIRECTIVE if registry.templates(kind).directives else None, "a template directive (%{ ... })"),
    ):
        match = pattern.search(text) if pattern is not None else None
        if match is not None:
            found.append((match.start(), what))
    alone = None if found else _ALONE.search(text)
    if alone is not None:
        found.append((alone.start(), "a placeholder that stands for whole lines"))
    if not found:
        return None
    start, what = min(found)
    return f"{what} at line {text.count(chr(10), 0, start) + 1}"


def placeholders(text: str, kind: str) -> str | None:
    """What to tell the user about the value placeholders of a file that is linted, or None if it has none.

    Each is an unknown value and never fires a rule, so the rules that depend on it are left unchecked.
    ``${name}`` is an nginx variable and ``"${X}"`` a HAProxy environment variable: not counted there.
    """
    if not any(marker in text for marker in _MARKERS[:3]):
        return None
    text = _template_text(text, kind)
    own_variables = registry.templates(kind).hash_comments
    found = [m for m in PLACEHOLDER.finditer(text) if not (own_variables and m.group(0)[0] == "$")]
    if not found:
        return None
    first = found[0]
    line = text.count("\n", 0, first.start()) + 1
    if len(found) == 1:
        what = f"a template placeholder read as an unknown value ({first.group(0)} at line {line})"
        return f"{what}; the rules that depend on it are not checked"
    return (
        f"{len(found)} template placeholders read as unknown values (the first: {first.group(0)} at line {line}); "
        "the rules that depend on them are not checked"
    )


def mask(text: str) -> tuple[str, list[str]]:
    """The text with each placeholder masked (same length, one plain word) and comments blanked; the originals."""
    if not any(marker in text for marker in _MARKERS):
        return text, []
    text = COMMENT.sub(lambda m: " " * len(m.group(0)), text)
    originals: list[str] = []

    def one(match: re.Match[str]) -> str:
        index = len(originals)
        if index >= _BASE * _BASE or len(match.group(0)) < 3:
            return match.group(0)
        originals.append(match.group(0))
        high, low = divmod(index, _BASE)
        return _START + chr(0xE001 + high) + chr(0xE001 + low) + _PAD * (len(match.group(0)) - 3)

    return PLACEHOLDER.sub(one, text), originals


def unmask(word: str, originals: list[str]) -> str:
    """A word of masked text with its placeholders put back."""
    if not originals or _START not in word:
        return word
    return _MASKED.sub(lambda m: originals[(ord(m.group(1)) - 0xE001) * _BASE + ord(m.group(2)) - 0xE001], word)
