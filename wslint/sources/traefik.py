"""Traefik static and dynamic configuration (YAML, TOML, Docker labels in compose files) -> hops.

Stub landed by the integrator (issue 23): the Traefik helper writes the reader.
"""

from __future__ import annotations

from wslint.model import Document
from wslint.sources.registry import Context, Target


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Traefik files (the source registry's ``load``)."""
    return [], []
