"""Kong declarative configuration (decK `kong.yaml`, `_format_version`) -> hops: services and their routes.

Stub landed by the integrator (issue 23): the Kong helper writes the reader.
"""

from __future__ import annotations

from wslint.model import Document
from wslint.sources.registry import Context, Target


def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Lint Kong declarative files (the source registry's ``load``)."""
    return [], []
