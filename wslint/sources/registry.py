"""The source registry: every kind of input wslint reads, declared once, one line each.

Everything that lists kinds derives from ``SOURCES`` (and from what ``register`` adds): the
CLI's ``--kind`` choices, the ``kinds`` setting's validation, discovery's recognition of a file,
the engine's loading, the rules' ``sources`` and ``wslint rules``' source column, the block
styles of suppressions, baselines and fixes, and how template syntax is read per kind.

A registry line names its source's module as a string: the module is imported only when a file
of that kind is linted (a plain nginx lint never imports YAML, HCL or boto3). Recognition is
declared with the helpers below and imports nothing until it runs.

Public API
----------
``Source(name, load, recognise, order, style, ...)``
    One kind. ``name`` is what ``--kind``, ``[tool.wslint] kinds`` and the rules' ``sources``
    say. ``load`` is ``"module:function"`` (imported when a file of the kind is linted) or the
    function itself, with the one signature every source has::

        def load(files: list[Target], context: Context) -> tuple[list[Document], list[str]]

    returning the documents read and one-line errors (an unreadable file, an internal error).
    ``recognise(name, head)`` says whether a file is of the kind, from its name (lower case) and
    its first bytes as text; sources are asked in ascending ``order`` and the first that says yes
    wins. ``style`` is the block style of its files (a ``textblocks`` style name, or a function
    ``(file, text) -> style``) for suppressions, baselines and fixes. ``documents`` is the kind
    its documents carry (the AWS file kinds all make ``aws`` documents). ``templates`` says how
    template syntax reads in it. ``files=False``: not a file kind (``aws``, the live account).
``Target(real, display, kind, named)``, ``Context(settings, tree_roots, stdin)``
    What ``load`` receives: the files of its kind, and what the run knows.
``register(source)`` / ``unregister(name)``
    Add a kind at run time (tests register a fake one) / remove it again.
``get(name)``, ``sources()``, ``names()``, ``file_kinds()``, ``family(document_kind)``
    Look-ups: one source, all of them in listing order, their names, the file kinds,
    the sources whose documents carry a document kind.
``recognise(name, head)``, ``binary_kind(path)``, ``style(kind, file, text)``
    A file's kind, or None; the kind a named file with binary content is read as (its WS001);
    the block style of a file of a kind (a source name or a document kind).
``by_suffix(*suffixes)``, ``data(*patterns)``, ``text(test)``
    Recognisers: by the file name; YAML/JSON whose text holds every pattern; a line-based
    config (never a YAML/JSON name, never binary) whose head ``test`` accepts.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from wslint.config import Settings
    from wslint.model import Document


@dataclass
class Target:
    """A file to lint: its real path, the name findings use, its kind, named on the command line or found."""

    real: str
    display: str
    kind: str
    named: bool = False  # named on the command line (not found by walking a directory)


class Context:
    """What every source's ``load`` gets besides its files: the settings, the linted trees (nginx reads
    includes inside them only), the contents read from stdin by the real path they stand for."""

    __slots__ = ("settings", "stdin", "tree_roots")

    def __init__(
        self, settings: Settings, tree_roots: list[str] | None = None, stdin: dict[str, bytes] | None = None
    ) -> None:
        self.settings = settings
        self.tree_roots = tree_roots or []
        self.stdin = stdin or {}


Loader = Callable[[list[Target], Context], "tuple[list[Document], list[str]]"]
Recogniser = Callable[[str, str], bool]  # (file name in lower case, its first bytes as text)
StyleOf = Callable[[str, "str | None"], str]  # (file name, its text if known) -> textblocks style


class Templates:
    """How template syntax reads in a kind (wslint.templating).

    - ``placeholders``: its value placeholders are read as unknown values (False: a template by its
      name is skipped);
    - ``hash_comments``: ``#`` comment lines render nothing, and ``${NAME}`` is the dialect's own
      variable, not a placeholder;
    - ``directives``: Terraform's ``%{ }`` is a template control structure (elsewhere, e.g. in
      HAProxy log formats, it is text);
    - ``blank``: text no template engine reads (a regular expression), blanked before looking.
    """

    __slots__ = ("blank", "directives", "hash_comments", "placeholders")

    def __init__(
        self, placeholders: bool = True, hash_comments: bool = False, directives: bool = False, blank: str = ""
    ) -> None:
        self.placeholders = placeholders
        self.hash_comments = hash_comments
        self.directives = directives
        self.blank = blank


_PLAIN = Templates()


class Source:
    """One kind of input (the module docstring says what each field means)."""

    __slots__ = ("binary_names", "documents", "files", "load", "name", "order", "recognise", "style", "templates")

    def __init__(
        self,
        name: str,
        load: str | Loader | None,
        recognise: Recogniser | None = None,
        order: int = 100,
        style: str | StyleOf = "none",
        documents: str = "",
        templates: Templates = _PLAIN,
        files: bool = True,
        binary_names: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.load = load
        self.recognise = recognise
        self.order = order
        self.style = style
        self.documents = documents  # the kind of its documents; "" is its name
        self.templates = templates
        self.files = files
        # suffixes of a file named on the command line read as this kind even with binary content (its WS001)
        self.binary_names = binary_names

    def __repr__(self) -> str:
        return f"Source({self.name!r})"

    @property
    def document_kind(self) -> str:
        return self.documents or self.name

    def loader(self) -> Loader | None:
        """The ``load`` function (its module imported now)."""
        if self.load is None or callable(self.load):
            return self.load
        return cast(Loader, _resolve(self.load))

    def style_of(self, file: str, text: str | None = None) -> str:
        return self.style if isinstance(self.style, str) else self.style(file, text)


def _resolve(spec: str) -> object:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


# -- recognisers -------------------------------------------------------------------------------------------

DATA_SUFFIXES = (".yaml", ".yml", ".json")
_DATA_NAMES = (*DATA_SUFFIXES, ".template")
_DATA_STARTS = ("{", "---", "apiVersion")
# stdin without --stdin-filename: no name says its kind, only its content does
UNNAMED = "-"
# after blank and comment lines, a YAML mapping's first key at the left margin (``Resources:``)
_YAML_KEY = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[A-Za-z_][\w.-]*[ \t]*:(?:[ \t]|\r?$)", re.M)
# a Terraform block at the left margin: ``resource "aws_lb" "x" {``, ``module "m" {``, ``locals {``
# (nginx and HAProxy have no such line: no block takes two quoted labels, none is named like these)
_HCL_BLOCK = (
    r'^(?:resource|data)[ \t]+"[^"\n]+"[ \t]+"[^"\n]+"[ \t]*\{'
    r'|^(?:module|variable|output|provider)[ \t]+"[^"\n]+"[ \t]*\{'
    r"|^(?:locals|terraform)[ \t]*\{"
)


def by_suffix(*suffixes: str) -> Recogniser:
    """A file whose name ends in one of ``suffixes``, whatever it holds."""
    return lambda name, head: name.endswith(suffixes)


def terraform_files(name: str, head: str) -> bool:
    """``.tf`` and ``.tf.json`` by the name; unnamed stdin whose content has a Terraform block (HCL)."""
    if name.endswith((".tf", ".tf.json")):
        return True
    return name == UNNAMED and "\x00" not in head and re.search(_HCL_BLOCK, head, re.M) is not None


def data(*patterns: str) -> Recogniser:
    """YAML or JSON (by its name, or text that starts like it) holding every pattern (multi-line regexes).

    Unnamed stdin also when, after comment lines, it starts with a YAML key (``AWSTemplateFormatVersion:``).
    """

    def recognise(name: str, head: str) -> bool:
        named_or_started = name.endswith(_DATA_NAMES) or head.lstrip().startswith(_DATA_STARTS)
        if not named_or_started and (name != UNNAMED or _YAML_KEY.match(head.lstrip("\ufeff")) is None):
            return False
        return all(re.search(p, head, re.M) for p in patterns)

    return recognise


def lazy(spec: str) -> Recogniser:
    """A recogniser written in a source's own module (``"module:function"``), imported when first asked."""
    resolved: list[Recogniser] = []

    def recognise(name: str, head: str) -> bool:
        if not resolved:
            resolved.append(cast(Recogniser, _resolve(spec)))
        return resolved[0](name, head)

    return recognise


def text(test: str | Callable[[str], bool] = "", *, find: str = "", avoid: str = "") -> Recogniser:
    """A line-based config: its head holds ``find`` and not ``avoid`` (multi-line regexes), and ``test``
    accepts it (``"module:function"``, imported when first asked).

    A YAML or JSON name and binary content are never one: no data source claiming them, they are no kind.
    """
    resolved: list[Callable[[str], bool]] = []

    def recognise(name: str, head: str) -> bool:
        if name.endswith(DATA_SUFFIXES) or "\x00" in head:
            return False
        if (find and not re.search(find, head, re.M)) or (avoid and re.search(avoid, head, re.M)):
            return False
        if not test:
            return True
        if not resolved:
            resolved.append(test if callable(test) else _resolve(test))  # type: ignore[arg-type]
        return resolved[0](head)

    return recognise


# -- block styles ------------------------------------------------------------------------------------------


def data_style(file: str, text: str | None = None) -> str:
    """AWS and Kubernetes files: ``.json`` has no comments, ``.tf`` is HCL, YAML names are indented;
    any other name is JSON when ``text`` starts like JSON, else YAML."""
    name = file.lower()
    if name.endswith(".json"):
        return "none"
    if name.endswith(".tf"):
        return "hcl"
    if name.endswith((".yaml", ".yml", ".template")):
        return "indent"
    if text is not None and text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return "none"
    return "indent"


def _style(spec: str, file: str, text: str | None) -> str:
    """The block style a source's own module gives a file (``"module:function"``, imported when first asked)."""
    return cast(StyleOf, _resolve(spec))(file, text)


def terraform_style(file: str, text: str | None = None) -> str:
    """``.tf.json`` has no comments; anything else Terraform reads is HCL."""
    return "none" if file.lower().endswith(".json") else "hcl"


# -- the sources -------------------------------------------------------------------------------------------

_LINES = Templates(hash_comments=True)
_YAML = Templates(directives=True)
_OPAQUE = Templates(placeholders=False)
# a HAProxy section header, and no line that ends like nginx's
_HAPROXY = (
    r"^[ \t]*(global|defaults|frontend|backend|listen|userlist|peers|resolvers|mailers|program|http-errors|ring|cache"
    r"|log-forward|crt-store|traces)([ \t]+[\w.:-]+.*)?[ \t]*$"
)
# an Azure Resource Manager deployment template's $schema (resource group, subscription, management group, tenant)
_ARM = r'"\$schema"\s*:\s*"https?://schema\.management\.azure\.com/schemas/[^"]*[dD]eploymentTemplate\.json'
# Apache httpd: a section tag alone on its line, or a directive only Apache has, on a line not ending like nginx's
_APACHE = (
    r"^[ \t]*</?(?:VirtualHost|Location|LocationMatch|Directory|DirectoryMatch|Files|FilesMatch|IfModule|IfDefine"
    r"|Proxy|ProxyMatch|IfVersion)\b[^\n;{}]*>[ \t]*\r?$"
    r"|^[ \t]*(?:LoadModule|ProxyPass|ProxyPassMatch|ProxyPassReverse|ServerName|ServerAlias|DocumentRoot|RewriteEngine"
    r"|ProxyRequests|ProxyPreserveHost|BalancerMember)[ \t]+[^;{}\n]*[^;{}\s][ \t]*\r?$"
)
# an Envoy bootstrap: static_resources at the left margin (YAML) or as a quoted key (JSON, also right after the
# opening brace); not an Envoy config
# embedded, indented, in a Kubernetes ConfigMap
_ENVOY = (
    r"^(?:static_resources|dynamic_resources|[\s{]*\"(?:static|dynamic)_resources\")[ \t]*:"
    # or an LDS file: top-level resources holding v3 Listeners
    r"|(?s:\A(?=.*^[\s{]*\"?resources\"?[ \t]*:)(?=.*type\.googleapis\.com/envoy\.config\.listener\.v3\.Listener\b))"
)
# a Kong declarative config: _format_version at the left margin (YAML) or as a quoted key (JSON); not a Kong config
# embedded, indented, in a Kubernetes ConfigMap
_KONG = r"^(?:[\"']?_format_version[\"']?|[ \t]*\{?[ \t]*\"_format_version\")[ \t]*:"
_AWSCLI = r'"(LoadBalancers|LoadBalancerDescriptions|LoadBalancerAttributes|TargetGroups|Listeners|Attributes)"\s*:'

# listed in the order kinds are shown and loaded; ``order`` is the order files are recognised in
# fmt: off
SOURCES: tuple[Source, ...] = (
    Source("nginx", "wslint.sources.nginx:load", text("wslint.sources.nginx_lexer:looks_like", avoid=_HCL_BLOCK), 60,
           "braces", templates=_LINES, binary_names=(".conf",)),
    Source("haproxy", "wslint.sources.haproxy:load", text(find=_HAPROXY, avoid=r"^[^#\n]*[;{]\s*$"), 50,
           "sections", templates=_LINES),
    Source("apache", "wslint.sources.apache:load", text(find=_APACHE, avoid=r"^[^#\n]*[;{]\s*$"), 45, "apache",
           templates=_LINES),
    Source("terraform", "wslint.sources.terraform:load", terraform_files, 10, terraform_style,
           "aws", _OPAQUE),
    Source("cloudformation", "wslint.sources.cloudformation:load",
           data(r"AWSTemplateFormatVersion|Type['\"]?\s*:\s*['\"]?AWS::"), 20, data_style, "aws",
           Templates(directives=True, blank=r"\{\{resolve:[^}]*\}\}")),
    Source("awscli", "wslint.sources.awscli:load", data(_AWSCLI), 40, "none", "aws", _OPAQUE),
    Source("aws", None, None, style=data_style, files=False),  # the live account: `wslint aws`
    Source("arm", "wslint.sources.arm:load", data(_ARM), 25, data_style),
    Source("kubernetes", "wslint.sources.kubernetes:load", data(r"^apiVersion\s*:", r"^kind\s*:"), 30, data_style,
           templates=_YAML),
    Source("envoy", "wslint.sources.envoy:load", data(_ENVOY), 29, data_style, templates=_YAML),
    Source("kong", "wslint.sources.kong:load", data(_KONG), 28, data_style,
           templates=_YAML),
    Source("traefik", "wslint.sources.traefik:load", lazy("wslint.sources.traefik_files:looks_like"), 35,
           lambda file, text: _style("wslint.sources.traefik_files:style", file, text), templates=_YAML),
    Source("caddy", "wslint.sources.caddy:load", lazy("wslint.sources.caddy_files:looks_like"), 33,
           lambda file, text: _style("wslint.sources.caddy_files:style", file, text), templates=_LINES),
)
# fmt: on

_registered: dict[str, Source] = {s.name: s for s in SOURCES}


def register(source: Source) -> None:
    """Add a kind (or replace the one of its name)."""
    _registered[source.name] = source


def unregister(name: str) -> None:
    """Remove a kind ``register`` added."""
    _registered.pop(name, None)


def sources() -> list[Source]:
    """Every source, in listing order."""
    return list(_registered.values())


def get(name: str) -> Source | None:
    return _registered.get(name)


def names() -> tuple[str, ...]:
    """Every source's name: what rules' ``sources`` may say (besides ``path``)."""
    return tuple(_registered)


def file_kinds() -> tuple[str, ...]:
    """The kinds of files: ``--kind`` choices and ``[tool.wslint] kinds`` values."""
    return tuple(s.name for s in _registered.values() if s.files)


def family(document_kind: str) -> tuple[str, ...]:
    """The sources whose documents carry ``document_kind`` (``aws``: terraform, cloudformation, awscli, aws)."""
    return tuple(s.name for s in _registered.values() if s.document_kind == document_kind)


def recognise(name: str, head: str) -> str | None:
    """The kind of a file from its name and first bytes, or None."""
    lower = name.lower()
    for source in sorted(_registered.values(), key=lambda s: s.order):
        if source.recognise is not None and source.recognise(lower, head):
            return source.name
    return None


def binary_kind(path: str) -> str | None:
    """The kind a file named on the command line with binary content is read as (to say it is WS001), or None."""
    return next((s.name for s in _registered.values() if s.binary_names and path.endswith(s.binary_names)), None)


def style(kind: str, file: str, text: str | None = None) -> str:
    """The block style of a file of ``kind`` (a source's name or a document kind); unknown kinds: ``none``."""
    source = _registered.get(kind.lower())
    if source is None:
        source = next((s for s in _registered.values() if s.document_kind == kind.lower()), None)
    return "none" if source is None else source.style_of(file, text)


def templates(kind: str) -> Templates:
    source = _registered.get(kind)
    return _PLAIN if source is None else source.templates


def load(targets: Sequence[Target], context: Context) -> tuple[list[Document], list[str]]:
    """Run each kind's files through its source, kinds in listing order. Kinds without a loader are left out."""
    documents: list[Document] = []
    errors: list[str] = []
    for source in sources():
        files = [t for t in targets if t.kind == source.name]
        loader = source.loader() if files else None
        if loader is not None:
            docs, errs = loader(files, context)
            documents.extend(docs)
            errors.extend(errs)
    return documents, errors
