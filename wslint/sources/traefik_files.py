"""Which files are Traefik's (the source registry's recogniser) and their block style. Imports nothing heavy.

A Traefik file is, by its head (the first bytes):

- **static configuration** (``traefik.yml``/``traefik.toml``): a top-level ``entryPoints``, ``providers`` or
  ``certificatesResolvers`` key (YAML) or table (TOML ``[entryPoints.web]``);
- **dynamic configuration** of the file provider: a top-level ``http:``/``tcp:`` holding ``routers``, ``services``,
  ``middlewares`` or ``serversTransports`` (YAML), or a ``[http.routers.x]``-like table (TOML);
- a **docker-compose file** whose services carry ``traefik.`` labels or run a ``traefik`` image.

Never a Kubernetes manifest (``apiVersion`` and ``kind``: the Kubernetes source reads IngressRoutes), an Envoy
bootstrap or anything not YAML/TOML. Keys are matched case-insensitively, as Traefik reads them.
"""

from __future__ import annotations

import re

from wslint.sources.registry import DATA_SUFFIXES, UNNAMED

_KUBERNETES = re.compile(r"^apiVersion\s*:.*?^kind\s*:|^kind\s*:.*?^apiVersion\s*:", re.M | re.S)
_STATIC_YAML = re.compile(
    r"^[\"']?(?:entryPoints|certificatesResolvers)[\"']?[ \t]*:"
    # providers: only with a Traefik provider under it (Grafana's provisioning files have a list of providers)
    r"|^[\"']?providers[\"']?[ \t]*:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*[ \t]+[\"']?(?:docker|swarm|file|"
    r"kubernetesCRD|kubernetesIngress|kubernetesGateway|consul|consulCatalog|etcd|redis|zooKeeper|http|ecs|nomad|"
    r"rest|plugin|providersThrottleDuration)[\"']?[ \t]*:",
    re.M | re.I,
)
_DYNAMIC_YAML = re.compile(
    r"^[\"']?(?:http|tcp)[\"']?[ \t]*:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*"
    r"[ \t]+[\"']?(?:routers|services|middlewares|serversTransports)[\"']?[ \t]*:",
    re.M | re.I,
)
_COMPOSE = re.compile(r"^services[ \t]*:", re.M)
_COMPOSE_TRAEFIK = re.compile(
    r"^[ \t]*-?[ \t]*[\"']?traefik\.(?:enable|https?|tcp|udp|docker)\b|^[ \t]+image[ \t]*:[ \t]*[\"']?"
    r"(?:[\w.:-]+/)*traefik(?::|@|[\"']?[ \t]*(?:#.*)?$)",
    re.M | re.I,
)
_TOML_TABLE = re.compile(
    r"^[ \t]*\[\[?[ \t]*(?:entryPoints|providers|certificatesResolvers|serversTransport|"
    r"(?:http|tcp)\.(?:routers|services|middlewares|serversTransports))[ \t]*[.\]]",
    re.M | re.I,
)


def is_toml(name: str) -> bool:
    return name.lower().endswith(".toml")


def looks_like(name: str, head: str) -> bool:
    """Is this file (its lower-cased name, its first bytes as text) a Traefik configuration?"""
    if "\x00" in head:
        return False
    if is_toml(name):
        return _TOML_TABLE.search(head) is not None
    if not (name.endswith(DATA_SUFFIXES) or name == UNNAMED) or head.lstrip().startswith(("{", "[")):
        return False
    if _KUBERNETES.search(head):
        return False
    if _STATIC_YAML.search(head) or _DYNAMIC_YAML.search(head):
        return True
    return _COMPOSE.search(head) is not None and _COMPOSE_TRAEFIK.search(head) is not None


def style(file: str, text: str | None = None) -> str:
    """The block style (wslint.textblocks) of a Traefik file: YAML's indentation; TOML is read as line-based
    ``sections`` (``#`` comments, one statement a line): a suppression comment covers its line or the next one."""
    return "sections" if is_toml(file) else "indent"
