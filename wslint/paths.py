"""Declared paths: each path's hops in order, from the linted documents and named intermediaries.

A path is declared in config (``[[tool.wslint.path]]``) or on ``wslint path``'s command
line. A file hop contributes the hops its document holds, keeping only the routes its
selectors (``"nginx.conf:/ws/"``) name; a hop declared but not linted in this run (pre-commit
passes a subset of files) is listed as missing, and the bottleneck is among the others.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from wslint import intermediaries
from wslint.config import ConfigError, Given, KeepaliveOrigin, PathSpec, Settings, keepalive
from wslint.model import Document, Hop, Keepalive, Location, Path, Route

if TYPE_CHECKING:
    from wslint.settings import Configs


class PathError(Exception):
    """A declared path that cannot be composed: one line, exit 2."""


def declared_files(specs: list[PathSpec]) -> list[str]:
    """The files (and directories) the paths name, as paths from the current directory."""
    files: list[str] = []
    for spec in specs:
        for entry in spec.hops:
            where = os.path.normpath(os.path.join(spec.base, entry))
            relative = os.path.relpath(where)
            where = where if relative.startswith("..") else relative
            if (os.path.exists(where) or not intermediaries.known(entry)) and where not in files:
                files.append(where)
    return files


def declaring(arguments: list[str], configs: Configs) -> list[Settings] | None:
    """The settings of the configs that declare the paths ``wslint path DIR...`` draws: each directory's nearest
    config (in the order of the arguments, each config once), when every argument is a directory whose config
    declares paths; None when none is (the arguments are then the hops of a path). ``ConfigError`` for a mix,
    or for a directory whose config is bad."""
    found: list[Settings] = []
    without: list[str] = []
    for argument in arguments:
        own = configs.for_directory(argument) if os.path.isdir(argument) else None
        if own is None and os.path.isdir(argument):
            raise ConfigError(configs.errors[-1])
        if own is not None and own.path:
            if all(own is not other for other in found):
                found.append(own)
        else:
            without.append(argument)
    if not found:
        return None
    if without:
        where = found[0].path[0].declared_in or "config"
        raise ConfigError(
            f"{without[0]}: not a directory whose config declares paths, as {where} does: give such directories "
            "(their declared paths are drawn) or the hops of one path"
        )
    return found


def compose(settings: Settings, documents: list[Document], reals: dict[str, str]) -> tuple[list[Path], list[str]]:
    """The declared paths over this run's documents; ``reals`` maps a document's file to its real path."""
    by_real: dict[str, list[Document]] = {}
    for document in documents:
        by_real.setdefault(os.path.realpath(reals.get(document.file, document.file)), []).append(document)
    paths: list[Path] = []
    errors: list[str] = []
    for spec in settings.path:
        try:
            paths.append(_compose(spec, by_real, settings))
        except PathError as exc:
            errors.append(str(exc))
    return paths, errors


def _keepalive(spec: PathSpec, settings: Settings) -> Keepalive:
    """Command line beats the path table beats the top-level config (RULES.md)."""
    if settings.keepalive_origin.given is Given.COMMAND_LINE or (spec.ping_interval is None and spec.client is None):
        return settings.keepalive
    origin = KeepaliveOrigin(Given.PATH_TABLE, f"path '{spec.name}' in {spec.declared_in}")
    return keepalive(spec.ping_interval, spec.client, origin)


def _compose(spec: PathSpec, by_real: dict[str, list[Document]], settings: Settings) -> Path:
    declared = Location(file=spec.declared_in or "command line", line=spec.line, column=1 if spec.line else None)
    hops: list[Hop] = []
    missing: list[str] = []
    notes: list[str] = []
    claims = _claims(spec, by_real)
    for entry in spec.hops:
        real = os.path.realpath(os.path.join(spec.base, entry))
        if not os.path.exists(real) and intermediaries.known(entry):
            if entry in claims:
                read = claims[entry]
                hops.extend(h for _, h in read)
                notes.append(f"{entry}: read from {', '.join(dict.fromkeys(file for file, _ in read))}")
                continue
            line, column = spec.hop_positions.get(entry, (None, None))
            where = Location(file=spec.declared_in, line=line, column=column) if spec.declared_in else None
            try:
                hops.append(intermediaries.hop(entry, where or Location(file=entry)))
            except ValueError as exc:
                raise PathError(f"{declared}: path '{spec.name}': {exc}") from None
            continue
        documents = sorted(
            (d for r, ds in by_real.items() if r == real or r.startswith(real + os.sep) for d in ds),
            key=lambda d: d.file,
        )
        if not documents:
            # a missing file named on the command line is already an error of the run
            if not os.path.exists(real) and spec.declared_in is not None:
                known = ", ".join(intermediaries.INTERMEDIARIES)
                raise PathError(
                    f"{declared}: path '{spec.name}': hop '{entry}' is neither a file nor a known intermediary "
                    f"({known})"
                )
            missing.append(entry)
            continue
        selectors = [s[len(entry) + 1 :].strip() for s in spec.routes if s.startswith(f"{entry}:")]
        # the hops a named box of the path (gcp) reads from this file are drawn where the box is named, not again here
        taken = {id(h): name for name, read in claims.items() for _, h in read}
        boxes = dict.fromkeys(taken[id(h)] for d in documents for h in d.hops if id(h) in taken)
        for box in boxes:
            notes.append(f"{entry}: its {box} hops are drawn where {box} is named, not again here")
        found = _selected(documents, selectors, spec, entry, declared, set(taken))
        if not found and boxes:
            continue
        if not found:
            # a BackendConfig, a Service: it may set what another file's hop applies, but holds no hop itself
            notes.append(f"{entry}: no WebSocket hop of its own (what it sets shows on the hops that apply it)")
        hops.extend(found)
    return Path(
        name=spec.name,
        location=declared,
        hops=hops,
        keepalive=_keepalive(spec, settings),
        missing=missing,
        notes=notes,
    )


def _claims(spec: PathSpec, by_real: dict[str, list[Document]]) -> dict[str, list[tuple[str, Hop]]]:
    """The hops each box the path names (``gcp``, no ``=DURATION``) takes from the run's config of it (Terraform,
    GKE manifests): ``{entry: [(file, hop)]}``, only for boxes the run holds hops of. They are drawn where the box is
    named (the path's order, client side first), even when the path names their file too; a hop goes to the first
    entry naming its box."""
    claims: dict[str, list[tuple[str, Hop]]] = {}
    taken: set[int] = set()
    for entry in spec.hops:
        real = os.path.realpath(os.path.join(spec.base, entry))
        if os.path.exists(real) or not intermediaries.known(entry) or "=" in entry:
            continue
        kind = intermediaries.kind_of(entry)
        read = [(d.file, h) for _, ds in sorted(by_real.items()) for d in ds for h in d.hops if h.kind is kind]
        read = [(file, h) for file, h in read if id(h) not in taken]
        if read:
            claims[entry] = read
            taken |= {id(h) for _, h in read}
    return claims


def _selected(
    documents: list[Document], selectors: list[str], spec: PathSpec, entry: str, declared: Location, taken: set[int]
) -> list[Hop]:
    """The hops of a file entry (all, or the routes its selectors name), but those ``taken`` by a named box."""
    if not selectors:
        return [hop for document in documents for hop in document.hops if id(hop) not in taken]
    hops = []
    used: set[str] = set()
    for document in documents:
        for hop in document.hops:
            if id(hop) in taken:
                continue
            routes = []
            for route in hop.routes:
                hits = {s for s in selectors if _matches(s, hop, route)}
                used |= hits
                if hits:
                    routes.append(route)
            if routes:
                hops.append(replace(hop, routes=routes))
    for selector in selectors:
        if selector not in used:
            raise PathError(
                f"{declared}: path '{spec.name}': route '{entry}:{selector}' matches no WebSocket route in {entry}"
            )
    return hops


def _matches(selector: str, hop: Hop, route: Route) -> bool:
    """``/ws/`` names ``location /ws/`` (and an Ingress path ``host/ws/``); ``be_ws`` a HAProxy route through that
    backend; ``ns/chat`` an Ingress's routes; a hop name all its routes."""
    words = route.name.split()
    if selector in (route.name, hop.name, route.name.partition(" ")[2]) or selector in words:
        return True
    return any(host and f"/{path}" == selector for host, _, path in (w.partition("/") for w in words if "/" in w))
