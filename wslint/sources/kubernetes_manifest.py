"""A Kubernetes object as the Kubernetes sources read it: its node with positions, its file, and scalar helpers.

Shared by kubernetes.py (ingress controllers, AWS) and the Google Cloud and Azure modules beside it
(kubernetes_gke.py, kubernetes_aks.py, kubernetes_index.py), which must not import kubernetes.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from wslint.model import Location
from wslint.sources.yaml_positions import Node
from wslint.templating import has_placeholder

CLASS_ANNOTATION = "kubernetes.io/ingress.class"
NGINX_INC = "nginx.org/"


@dataclass
class Manifest:
    node: Node
    file: str

    def text(self, *path: str) -> str | None:
        node: Node | None = self.node
        for key in path:
            node = None if node is None else node.get(key)
        return scalar(node)

    @property
    def kind(self) -> str:
        return self.text("kind") or ""

    @property
    def name(self) -> str:
        namespace = self.text("metadata", "namespace")
        name = self.text("metadata", "name") or "(unnamed)"
        return f"{namespace}/{name}" if namespace else name

    def annotations(self) -> dict[str, Node]:
        node = self.node.get("metadata")
        node = None if node is None else node.get("annotations")
        return dict(node.mapping) if node is not None and node.mapping is not None else {}

    def where(self, *path: str) -> Location:
        """The key of the deepest mapping along ``path`` that exists (the block a setting would go in)."""
        node, found = self.node, self.node
        for key in path:
            child, key_node = node.get(key), node.key_node(key)
            if child is None or key_node is None:
                break
            node, found = child, key_node
        return found.location(self.file)


def scalar(node: Node | None) -> str | None:
    return None if node is None or not node.is_scalar or node.value is None else str(node.value)


def value(node: Node | None) -> str | None:
    """A scalar read as a setting's value: None (unknown) when it is not one, or holds a template placeholder."""
    text = scalar(node)
    return None if text is None or has_placeholder(text) else text
