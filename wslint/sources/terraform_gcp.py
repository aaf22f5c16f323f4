"""Terraform resources of Google Cloud (backend services behind Application Load Balancers, Cloud Run) -> hops."""

from __future__ import annotations

from wslint.config import Settings
from wslint.model import Document
from wslint.sources.terraform_values import Module


def read(module: Module, document: Document, settings: Settings) -> None:
    """Add this provider's hops (and the problems met) from the module's resources to its document."""
