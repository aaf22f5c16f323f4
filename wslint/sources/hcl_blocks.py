"""Terraform's HCL read for its block structure and comments (wslint.textblocks' ``hcl`` style).

python-hcl2, which the Terraform source parses with, keeps no comments and no extents: this is
the dialect's one line-level lexer, used for suppressions, baselines and fixes. A statement ends
at a newline outside brackets; ``name = value`` is an attribute, anything else before ``{`` a
block header; ``#``, ``//`` and ``/* */`` comments; strings with ``${ }``/``%{ }`` templates and
heredocs are opaque.
"""

from __future__ import annotations

import re

from wslint.textblocks import Lexer, Structure, closing_brace

# -- hcl (Terraform) ----------------------------------------------------------------------------------------

_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")
_HCL_SPACE = re.compile(r"[ \t\r\ufeff]+")
_HCL_WORD = re.compile(r"(?:[^ \t\r\n\ufeff\"{}\[\]()=,#/]|/(?![/*]))+")


class _Hcl(Lexer):
    def run(self) -> Structure:
        text, n = self.text, self.n
        spans: list[tuple[int, int]] = []
        depth = 0
        attribute = False
        pos = 0

        def end_statement() -> None:
            nonlocal spans, depth, attribute
            if spans:
                self.statement(spans, spans[-1][1] - 1)
            spans, depth, attribute = [], 0, False

        while pos < n:
            char = text[pos]
            if char == "\n":
                if depth == 0:
                    end_statement()
                pos += 1
            elif char in " \t\r\ufeff":
                pos = _HCL_SPACE.match(text, pos).end()  # type: ignore[union-attr]
            elif char == "#" or text.startswith("//", pos):
                end = self.eol(pos)
                self.comment(pos, end)
                pos = end
            elif text.startswith("/*", pos):
                close = text.find("*/", pos + 2)
                pos = n if close < 0 else close + 2
            elif char == '"':
                end = self._string(pos)
                spans.append((pos, end))
                pos = end
            elif char == "<" and (heredoc := _HEREDOC.match(text, pos)) is not None:
                end = self._heredoc(heredoc)
                spans.append((pos, end))
                pos = end
            elif char == "{" and depth == 0 and not attribute:
                self.statement(spans, pos, block=True)  # a block header (or a stray brace)
                spans, attribute = [], False
                pos += 1
            elif char == "}" and depth == 0:
                end_statement()
                self.close(pos)
                pos += 1
            elif char in "{[(":
                depth += 1
                spans.append((pos, pos + 1))
                pos += 1
            elif char in "}])":
                depth = max(depth - 1, 0)
                spans.append((pos, pos + 1))
                pos += 1
            elif char == "=":
                width = 2 if text.startswith(("==", "=>"), pos) else 1
                if width == 1 and depth == 0 and len(spans) == 1:
                    attribute = True
                spans.append((pos, pos + width))
                pos += width
            elif char == ",":
                spans.append((pos, pos + 1))
                pos += 1
            else:
                word = _HCL_WORD.match(text, pos)
                end = max(word.end() if word else pos, pos + 1)
                spans.append((pos, end))
                pos = end
        end_statement()
        return self.finish()

    def _string(self, pos: int) -> int:
        """The offset after a quoted template starting at ``pos``; it ends at the line's end if unclosed."""
        text, n, j = self.text, self.n, pos + 1
        while j < n:
            char = text[j]
            if char == "\\":
                j += 2
            elif char == '"':
                return j + 1
            elif char == "\n":
                return j
            elif char in "$%" and text.startswith("{", j + 1):
                if text.startswith(char * 2, j):  # $${ and %%{ are literal
                    j += 3
                else:
                    j = self._template(j + 2)
            else:
                j += 1
        return n

    def _template(self, pos: int) -> int:
        """The offset after the ``}`` that closes a template expression whose body starts at ``pos``."""
        end = closing_brace(self.text, pos, lambda j, char: self._string(j) if char == '"' else None)
        return end + 1 if end < self.n else end

    def _heredoc(self, match: re.Match[str]) -> int:
        """The offset at the end of the heredoc's closing line (or of the text)."""
        marker = match.group(1)
        pos = match.end()
        while pos < self.n:
            end = self.eol(pos)
            if self.text[pos:end].strip() == marker:
                return end
            pos = end + 1
        return self.n


def blocks(text: str) -> Structure:
    """The statements, blocks and comments of HCL text."""
    return _Hcl(text).run()
