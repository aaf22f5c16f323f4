"""Markdown (a rule document's body) -> text for a terminal: what ``wslint rule ID`` prints.

Headings are set off: underlined with ``=`` (``#``), ``-`` (``##``) or ``~`` (deeper), and bold
when colour is on. Fenced code blocks lose their fences and are indented four spaces, under a
``file:`` label when the fence names a file (a rule document's runnable examples). Links
``[text](url)`` become ``text (url)`` and autolinks ``<url>`` the bare URL; ``**strong**`` is
bold with colour and plain without; HTML comments go. Everything else (paragraphs, lists,
tables, inline code) stays as written: the documents are wrapped by their authors, and a
terminal shows a Markdown table well enough. Pure: no I/O.
"""

from __future__ import annotations

import re
import shlex

FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
COMMENT = re.compile(r"^[ \t]*<!--.*?-->[ \t]*\n|<!--.*?-->", re.S | re.M)  # a comment's own line goes with it
UNDERLINE = {1: "=", 2: "-"}
CODE_INDENT = "    "


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _inline(text: str, color: bool) -> str:
    """Links, autolinks and strong emphasis of one line; inline code spans are left as written."""
    parts = re.split(r"(`+[^`]*`+)", text)  # never rewrite inside `code`
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part)
            continue
        part = LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", part)
        part = AUTOLINK.sub(lambda m: m.group(1), part)
        part = STRONG.sub(lambda m: _paint(m.group(1) or m.group(2), "1", color), part)
        out.append(part)
    return "".join(out)


def _fence_label(info: str) -> str:
    """``nginx.conf:`` for a fence whose info string says ``file=nginx.conf``; else nothing."""
    try:
        words = shlex.split(info)
    except ValueError:
        return ""
    for word in words:
        if word.startswith("file="):
            return word[len("file=") :] + ":"
    return ""


def render(markdown: str, color: bool = False) -> str:
    """The Markdown as terminal text, ending with one newline (empty text stays empty)."""
    lines = COMMENT.sub("", markdown.replace("\r\n", "\n")).split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence:
            marker = fence.group(1)
            end = index + 1
            while end < len(lines) and not (lines[end].startswith(marker) and not lines[end].strip(marker[0]).strip()):
                end += 1
            label = _fence_label(fence.group(2).strip())
            if label:
                out.append(_paint(label, "2", color))
            out.extend((CODE_INDENT + code).rstrip() for code in lines[index + 1 : end])
            index = end + 1
            continue
        heading = HEADING.match(line)
        if heading:
            level, text = len(heading.group(1)), _inline(heading.group(2), False)
            if out and out[-1].strip():
                out.append("")
            out.append(_paint(text, "1;4" if level == 1 else "1", color))
            out.append(UNDERLINE.get(level, "~") * len(text))
            index += 1
            continue
        out.append(_inline(line, color))
        index += 1
    text = "\n".join(out).strip("\n")
    return text + "\n" if text else ""
