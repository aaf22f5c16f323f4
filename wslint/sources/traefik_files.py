"""Which files are Traefik's (the source registry's recogniser) and their block style. Imports nothing heavy.

Stub landed by the integrator (issue 23): the Traefik helper writes them.
"""

from __future__ import annotations


def looks_like(name: str, head: str) -> bool:
    """Is this file (its lower-cased name, its first bytes as text) a Traefik configuration?"""
    return False


def style(file: str, text: str | None = None) -> str:
    """The block style (wslint.textblocks) of a Traefik file."""
    return "none"
