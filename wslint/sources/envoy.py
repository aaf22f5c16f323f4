"""Envoy bootstrap files (YAML or JSON) -> hops: listeners, HTTP connection managers, routes, TCP proxies.

Stub landed by the integrator (issue 23): the Envoy helper writes the reader.
"""

from __future__ import annotations

from wslint.model import Document
from wslint.sources.registry import Context, Target


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Envoy bootstraps (the source registry's ``load``)."""
    return [], []
