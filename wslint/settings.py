"""A run's settings resolved once: the config file found, read and validated, the command line on top.

``resolve(CommandLine(...))`` is the one entry point the commands (``wslint check``/``path``,
``aws``, ``probe``) call. Discovery: from the current directory upward, the first directory
holding ``.wslint.toml``, ``wslint.toml`` or a ``pyproject.toml`` with ``[tool.wslint]`` (in that
order) wins: the run's settings. A linted file is judged under its own nearest config the same way
(``Configs``, as ruff does), unless ``--config`` or ``--isolated`` is given; a file with no config above
it gets the run's. The command line beats every config file, and the keepalive's origin is typed
(``config.KeepaliveOrigin``) so that a declared path knows whether its own keepalive applies. A
table is validated by pydantic (``wslint.config_table``), imported only when there is a table.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wslint.config import (
    FAIL_ON,
    FORMATS,
    ConfigError,
    Given,
    KeepaliveOrigin,
    PathSpec,
    Settings,
    check_client,
    check_rule_selectors,
    one_of,
    parse_haproxy_version,
    parse_ping_interval,
    parse_version,
    split_ids,
)
from wslint.sources import text as textio


@dataclass(frozen=True, slots=True)
class CommandLine:
    """The settings a command line gives (``None``: not given), as plain values: what ``resolve`` reads."""

    config: str | None = None  # --config: this file, not the one found upward
    isolated: bool = False  # --isolated: no config file at all
    ping_interval: str | None = None
    client: str | None = None
    nginx_version: str | None = None
    nginx_prefix: str | None = None
    haproxy_version: str | None = None
    select: str | None = None  # ids or prefixes, comma or space separated
    extend_select: str | None = None
    ignore: str | None = None
    fail_on: str | None = None
    output_format: str | None = None
    baseline: str | None = None
    inline_ignores: bool = True
    write_baseline: str | None = None
    respect_gitignore: bool | None = None  # --no-respect-gitignore: False


def validate_table(table: Mapping[str, Any], source: str = "config") -> Settings:
    """A config table (``[tool.wslint]`` or a wslint.toml) as Settings; ``ConfigError`` naming SOURCE when invalid.

    An empty table needs no validation: the defaults, without importing pydantic."""
    if not table:
        return Settings()
    from wslint.config_table import validate

    return validate(dict(table), source)


def resolve(
    given: CommandLine, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, list[str]]:
    """The final settings of a run: the config file (``given.config``, or the closest one above ``cwd``) with the
    command line on top; and notes to show. ``ConfigError`` for a bad config file or command line."""
    _nearest.cache_clear()  # the lookups are cached for one run, not across runs in one process
    config_path: Path | None = None
    if given.config:
        config_path = Path(given.config)
        if not config_path.exists():
            raise ConfigError(f"{given.config}: config file not found")
    elif not given.isolated:
        config_path = find_config(cwd or Path.cwd())
    return resolve_config(given, config_path, environ)


class Configs:
    """The settings of each linted file: its nearest config's (as ruff finds it), with the command line on top.

    ``--config`` and ``--isolated`` give every file the run's settings; so does a file with no config in its
    directory or above (the run's settings are then the current directory's, as ruff falls back). Each
    directory's lookup and each config's validation is done once (pydantic only for a config with a table).
    """

    def __init__(self, given: CommandLine, run: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.given = given
        self.run = run
        self.environ = environ
        # said once per bad config; its files are left out
        self.errors: list[str] = []
        self.notes: list[str] = []
        self._by_config: dict[str, Settings | None] = {}
        self._failed: dict[str, str] = {}  # a bad config's error, said once when a linted file is under it
        self._hops: dict[int, list[str]] = {}  # the real paths a config's declared paths name, by its settings
        if run.config_file and not given.config:
            self._by_config[os.path.abspath(run.config_file)] = run

    def for_directory(self, directory: str) -> Settings | None:
        """The settings of the files in ``directory``; None when its config is bad (said in ``errors``)."""
        if self.given.config or self.given.isolated:
            return self.run
        found = _nearest(os.path.abspath(directory))
        if found is None:
            return self.run
        own = self._load(found)
        if own is None and found in self._failed:
            self.errors.append(self._failed.pop(found))
        return own

    def _load(self, found: str) -> Settings | None:
        """A config file's settings, read and validated once; None when bad (its error kept in ``_failed``)."""
        if found not in self._by_config:
            try:
                own, notes = resolve_config(self.given, Path(found), self.environ)
            except ConfigError as exc:
                self._failed[found] = str(exc)
                own, notes = None, []
            self._by_config[found] = own
            self.notes.extend(notes)
        return self._by_config[found]

    def declaring(self, real: str) -> Settings | None:
        """The settings of the config whose ``[[path]]`` declares the file ``real`` (a real path) as a hop, or as a
        file of a directory hop: the nearest such config in its directory or above, else the run's if it declares it;
        None when none does. A file on a declared path is linted as part of the path, under the config that declares
        it, whichever nested config is nearer to it. A bad config above is skipped here (said if a file is under it).
        """
        if self.given.config or self.given.isolated:
            return None
        directory = os.path.dirname(real)
        while True:
            found = _nearest(directory)
            if found is None:
                break
            own = self._load(found)
            if own is not None and self._declares(own, real):
                return own
            above = os.path.dirname(os.path.dirname(found))
            if above == directory or above == os.path.dirname(found):
                break
            directory = above
        return self.run if self.run.path and self._declares(self.run, real) else None

    def _declares(self, own: Settings, real: str) -> bool:
        if id(own) not in self._hops:
            self._hops[id(own)] = [
                os.path.realpath(os.path.join(spec.base, entry)) for spec in own.path for entry in spec.hops
            ]
        return any(real == hop or real.startswith(hop + os.sep) for hop in self._hops[id(own)])

    def for_path(self, path: str) -> Settings | None:
        """The settings of a file (its directory's) or of a directory."""
        return self.for_directory(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))


def resolve_config(
    given: CommandLine, config_path: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, list[str]]:
    """The settings one config file (None: none) gives, with the command line on top; and notes to show."""
    environ = os.environ if environ is None else environ
    notes: list[str] = []
    table: dict[str, Any] = {}
    source = "command line"
    if config_path is not None:
        table, notes = read_config(config_path)
        source = str(config_path)
        for key in ("nginx-prefix", "baseline"):  # relative to the config file
            value = table.get(key)
            if isinstance(value, str) and not os.path.isabs(value):
                table[key] = str((config_path.parent / value).resolve())
    if given.ping_interval is not None and given.client is not None:
        raise ConfigError("--ping-interval and --client are both given: give one")
    github = False
    env_format = environ.get("WSLINT_OUTPUT_FORMAT")
    if env_format and not given.output_format:
        table["output-format"] = env_format
    elif environ.get("GITHUB_ACTIONS") == "true" and not given.output_format and "output-format" not in table:
        github = True
    if len(table) == 1 and table.get("output-format") in FORMATS:  # WSLINT_OUTPUT_FORMAT alone, and valid
        settings = Settings(output_format=table["output-format"])
    else:
        settings = validate_table(table, source)
    if github:
        settings.output_format = "github"
    _command_line_on_top(settings, given)
    settings.config_file = str(config_path) if config_path else None
    settings.inline_ignores = given.inline_ignores
    settings.write_baseline = given.write_baseline
    if settings.write_baseline and settings.baseline and given.baseline:
        raise ConfigError("--baseline and --write-baseline are both given: give one")
    shown = _shown(config_path) if config_path else ""
    if given.ping_interval is not None or given.client is not None:
        flag = "--ping-interval" if given.ping_interval is not None else "--client"
        settings.keepalive_origin = KeepaliveOrigin(Given.COMMAND_LINE, flag)
    elif settings.ping_interval is not None or settings.client is not None:
        key = "client" if settings.client else "ping-interval"
        settings.keepalive_origin = KeepaliveOrigin(Given.CONFIG_FILE, f"{key} in {shown}")
    for spec in settings.path:
        spec.base = str(config_path.parent) if config_path else "."
        spec.declared_in = shown
    if settings.path and config_path:
        locate_paths(config_text(config_path), settings.path)
    return settings, notes


def _command_line_on_top(settings: Settings, given: CommandLine) -> None:
    """The command line's values over the validated table, each checked as the config key would be (in the order
    of the keys, so that the first bad one is the one named); its keepalive replaces the table's."""
    values: list[tuple[str, str | None, Any]] = [
        ("ping-interval", given.ping_interval, parse_ping_interval),
        ("client", given.client, check_client),
        ("nginx-version", given.nginx_version, parse_version),
        ("nginx-prefix", os.path.abspath(given.nginx_prefix) if given.nginx_prefix else None, str),
        ("haproxy-version", given.haproxy_version, parse_haproxy_version),
        ("select", given.select, _ids),
        ("extend-select", given.extend_select, lambda v: [*settings.extend_select, *_ids(v)]),
        ("ignore", given.ignore, _ids),
        ("fail-on", given.fail_on, _one_of(FAIL_ON)),
        ("output-format", given.output_format, _one_of(FORMATS)),
        ("baseline", os.path.abspath(given.baseline) if given.baseline else None, str),
    ]
    if given.ping_interval is not None or given.client is not None:
        settings.ping_interval = settings.client = None
    if given.respect_gitignore is not None:
        settings.respect_gitignore = given.respect_gitignore
    for key, value, check in values:
        if value is None:
            continue
        try:
            setattr(settings, key.replace("-", "_"), check(value))
        except ValueError as exc:
            raise ConfigError(f"command line: --{key}: {exc}") from None


def _ids(value: str) -> list[str]:
    return check_rule_selectors(split_ids(value))


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(one_of(choices))
        return value

    return check


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the current directory when under it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def find_config(start: Path) -> Path | None:
    """The closest config file upward from ``start``."""
    found = _nearest(os.path.abspath(start))
    return None if found is None else Path(found)


@functools.lru_cache(maxsize=4096)
def _nearest(directory: str) -> str | None:
    """The closest config file in an absolute ``directory`` or above it: each directory looked at once per run."""
    own = _config_in(directory)
    if own is not None:
        return own
    parent = os.path.dirname(directory)
    return None if parent == directory else _nearest(parent)


def _config_in(directory: str) -> str | None:
    """The config file of one directory: ``.wslint.toml``, ``wslint.toml``, a ``pyproject.toml`` with the table."""
    for name in (".wslint.toml", "wslint.toml"):
        if os.path.isfile(os.path.join(directory, name)):
            return os.path.join(directory, name)
    pyproject = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(pyproject):
        tomllib = _tomllib()
        try:
            data = tomllib.loads(config_text(Path(pyproject)))
        except (OSError, textio.DecodeError, tomllib.TOMLDecodeError, RecursionError):
            return None
        if "wslint" in data.get("tool", {}):
            return pyproject
    return None


def read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The raw table of a config file, and notes about keys that do nothing yet."""
    tomllib = _tomllib()
    try:
        data = tomllib.loads(config_text(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except textio.DecodeError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.message}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: values nest too deeply") from None
    table = data.get("tool", {}).get("wslint", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.wslint] must be a table")
    return table, []


def config_text(path: Path) -> str:
    """The text of a config file: a regular file within the default max-file-size (it cannot set its own)."""
    return textio.read_text(str(path), textio.DEFAULT_LIMIT)


def locate_paths(text: str, specs: list[PathSpec]) -> None:
    """Line numbers for declared paths and their hops, so findings can point into the config file.

    The n-th ``[[path]]`` header belongs to the n-th path (TOML keeps the order); a path
    written inline is found by its name.
    """
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*(tool\.wslint\.)?path\s*\]\]", line)]
    for n, spec in enumerate(specs):
        if len(headers) == len(specs):
            start, end = headers[n], headers[n + 1] if n + 1 < len(headers) else len(lines)
        else:
            start = next((i for i, line in enumerate(lines) if f'"{spec.name}"' in line or f"'{spec.name}'" in line), 0)
            end = len(lines)
        spec.line = start + 1
        for entry in spec.hops:
            for i in range(start, end):
                column = max(lines[i].find(f'"{entry}"'), lines[i].find(f"'{entry}'"))
                if column >= 0:
                    spec.hop_positions[entry] = (i + 1, column + 1)
                    break


def _tomllib() -> Any:
    """tomllib (tomli before Python 3.11), imported when a config file is read: --isolated never reads one."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib
