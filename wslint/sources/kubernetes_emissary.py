"""emissary resources of Kubernetes manifests -> hops (issue 23).

Stub landed by the integrator: the helper for emissary writes it. The Kubernetes source calls resource for every
object of a file, ingress for an Ingress whose class belongs to this controller (if the module handles Ingresses),
and the run's index calls marks to learn whether an object marks a WebSocket route (kubernetes_index.Index.marked).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wslint.sources.kubernetes_manifest import Manifest as _Manifest

if TYPE_CHECKING:
    from wslint.sources.kubernetes import _Analysis


def resource(analysis: _Analysis, manifest: _Manifest) -> None:
    """Read one object of the file (most are not this module's: return at once)."""


def ingress(analysis: _Analysis, manifest: _Manifest) -> None:
    """An Ingress whose class belongs to this controller."""


def marks(manifest: _Manifest, pattern: re.Pattern[str]) -> bool:
    """Does this object mark a WebSocket route (so that no route of the run is only assumed to be one)?"""
    return False
