"""Which files are Caddy's (the source registry's recogniser) and their block style. Imports nothing heavy.

- a Caddyfile by its name: ``Caddyfile``, ``*.caddyfile``, ``Caddyfile.*`` and any name holding ``caddyfile``
  (``Caddyfile.prod``, ``site.Caddyfile``), including Caddy's adapter tests ``*.caddyfiletest``; never a name of
  another kind of text (YAML, JSON, TOML, Markdown, ...);
- Caddy's JSON config: JSON whose head holds an ``"apps"`` key, and ``"http"`` and ``"servers"`` keys.
"""

from __future__ import annotations

import re

# names holding "caddyfile" that are documents or data of another kind
_OTHER = (".json", ".yaml", ".yml", ".toml", ".md", ".rst", ".txt", ".html", ".go", ".py", ".sh", ".tmpl", ".j2")
_JSON_KEYS = (r'"apps"\s*:', r'"http"\s*:', r'"servers"\s*:')


def is_caddyfile(name: str) -> bool:
    """A Caddyfile by its (lower-cased) name."""
    base = re.split(r"[\\/]", name)[-1]
    return "caddyfile" in base and (base.endswith(".caddyfiletest") or not base.endswith(_OTHER))


def looks_like(name: str, head: str) -> bool:
    """Is this file (its lower-cased name, its first bytes as text) a Caddy configuration?"""
    if "\x00" in head:
        return False
    if is_caddyfile(name):
        return True
    if not (name.endswith(".json") or head.lstrip("\ufeff \t\r\n").startswith("{")):
        return False
    return all(re.search(key, head) for key in _JSON_KEYS)


def style(file: str, text: str | None = None) -> str:
    """The block style (wslint.textblocks) of a Caddy file: JSON has no comments; a Caddyfile is ``caddyfile`` (nginx's
    ``braces`` would run a line without ``;`` into the next one)."""
    name = file.lower()
    if is_caddyfile(name) or (text is not None and not text.lstrip("\ufeff \t\r\n").startswith("{")):
        return "caddyfile"
    return "none"
