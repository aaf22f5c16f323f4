"""Terraform resources of Azure: Application Gateway, Load Balancer, Front Door -> hops of one module's document."""

from __future__ import annotations

from wslint.config import Settings
from wslint.model import Document
from wslint.sources.terraform_values import Module


def read(module: Module, document: Document, settings: Settings) -> None:
    """Add this provider's hops (and the problems met) from the module's resources to its document."""
