"""Caddy configuration (JSON, Caddyfile) -> hops: reverse_proxy handlers and their stream settings.

Stub landed by the integrator (issue 23): the Caddy helper writes the reader.
"""

from __future__ import annotations

from wslint.model import Document
from wslint.sources.registry import Context, Target


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Caddy files (the source registry's ``load``)."""
    return [], []
