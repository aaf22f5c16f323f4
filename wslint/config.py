"""Settings: the ``[tool.wslint]`` table (or .wslint.toml / wslint.toml), validated with pydantic.

Discovery: from the current directory upward, the first directory holding
``.wslint.toml``, ``wslint.toml`` or a ``pyproject.toml`` with ``[tool.wslint]`` (in that
order) wins. The command line beats the config file.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wslint.durations import InvalidDuration, parse_nginx
from wslint.model import Keepalive, Severity
from wslint.sources import registry
from wslint.sources import text as textio

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FORMATS = ("text", "json", "sarif", "github")
DEFAULT_EXCLUDE = (".git", ".terraform", "node_modules", ".venv", "vendor")
DEFAULT_WEBSOCKET_PATHS = (
    "ws",
    "wss",
    "websocket",
    "websockets",
    "socket.io",
    "sockjs",
    "cable",
    "signalr",
    "hub",
    "hubs",
    "realtime",
    "xmpp-websocket",
    "colibri-ws",
)
# tokens of a proxy, backend or target group name that mark it as carrying WebSocket (names split on
# -, _, . and, for AWS names, camelCase; RULES.md "Which routes are WebSocket routes")
WEBSOCKET_NAME_TOKENS = frozenset(
    "ws wss websocket websockets socket sockets socketio sockjs cable signalr realtime".split()
)
# listener ports that carry web traffic: an NLB TCP/TLS listener (or a Kubernetes Service port) on one of
# them is a WebSocket route; `websocket-ports` adds more (RULES.md "Which routes are WebSocket routes")
DEFAULT_WEBSOCKET_PORTS = (80, 443, 8080, 8443)
# keys of the contract that later versions act on; accepted, with a note that they do nothing yet
RULE_SELECTOR = re.compile(r"^(ALL|WS\d{0,3})$")


@functools.lru_cache(maxsize=8)
def websocket_token_pattern(tokens: frozenset[str]) -> re.Pattern[str]:
    """Finds any WebSocket path token as a whole word in lower-cased text (a path or a regex)."""
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


class ConfigError(Exception):
    """A bad config file or command line: one line on stderr, exit 2."""


def parse_ping_interval(value: str | float | int) -> float:
    """``25s``, ``1m``, ``500ms``, ``20`` (seconds), ``0``/``off`` (no keepalive)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 25s, or 0/off")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        if text.lower() in ("off", "none", "0"):
            return 0.0
        try:
            seconds = parse_nginx(text)
        except InvalidDuration:
            from wslint.clients import parse_client_duration

            try:
                seconds = float(text)
            except ValueError:
                try:
                    seconds = parse_client_duration(text)  # Go style, as clients take it: 1.5s
                except ValueError:
                    raise ValueError(f"invalid duration {value!r} (use e.g. 25s, 1m30s, 2500ms, 0 or off)") from None
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"invalid duration {value!r}")
    return seconds


def parse_version(value: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"(?:nginx/)?(\d+)\.(\d+)(?:\.(\d+))?", value.strip())
    if not match:
        raise ValueError(f"invalid nginx version {value!r} (use e.g. 1.24.0)")
    return (int(match[1]), int(match[2]), int(match[3] or 0))


def parse_size(value: str | int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]i?[bB]?|[bB])?\s*", str(value))
    if not match:
        raise ValueError(f"invalid size {value!r} (use e.g. 10MB)")
    unit = (match[2] or "b")[0].lower()
    return int(match[1]) * {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _rule_ids() -> Iterable[str]:
    from wslint.rules import RULES  # the catalogue, which imports nothing of the config

    return RULES


def check_rule_selectors(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        value = raw.strip().upper()
        if not RULE_SELECTOR.match(value):
            raise ValueError(f"invalid rule selector {raw!r} (use an id like WS201, a prefix like WS2, or ALL)")
        if value != "ALL" and not any(rule.startswith(value) for rule in _rule_ids()):
            raise ValueError(f"unknown rule {raw!r}: no rule id starts with it (`wslint rules` lists them)")
        out.append(value)
    return out


def check_client(value: Any) -> str | None:
    """A client kind or command line, validated now so that a typo is an exit-2 error naming the key."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a client kind such as socket.io, or a client command line")
    from wslint.clients import client_keepalive

    client_keepalive(value)
    return value.strip()


def keepalive(ping_interval: float | None, client: str | None, source: str) -> Keepalive:
    """The keepalive one level of settings gives (both set at one level is refused before this)."""
    if client is not None:
        from dataclasses import replace

        from wslint.clients import client_keepalive

        return replace(client_keepalive(client), source=source)
    if ping_interval is not None:
        return Keepalive(seconds=ping_interval, source=source)
    return Keepalive()


class KeepaliveKeys(BaseModel):
    """``ping-interval`` or ``client``: one of the two at each level (top-level config, path table)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    ping_interval: float | None = Field(None, alias="ping-interval")
    client: str | None = None

    @field_validator("ping_interval", mode="before")
    @classmethod
    def _ping(cls, value: Any) -> float | None:
        return None if value is None else parse_ping_interval(value)

    @field_validator("client", mode="before")
    @classmethod
    def _client(cls, value: Any) -> str | None:
        return check_client(value)

    @model_validator(mode="after")
    def _one_keepalive(self) -> KeepaliveKeys:
        if self.ping_interval is not None and self.client is not None:
            raise ValueError("ping-interval and client are both set: give one")
        return self


class PathSpec(KeepaliveKeys):
    """One ``[[tool.wslint.path]]`` table, or the hops named on ``wslint path``'s command line."""

    name: str = Field(min_length=1)
    # files and named intermediaries (cloudflare, heroku, ...), client side first
    hops: list[str] = Field(min_length=1, validation_alias=AliasChoices("hops", "files"))
    # "FILE:SELECTOR": only these routes of that file (an nginx location, a HAProxy backend, ...)
    routes: list[str] = Field(default_factory=list)
    # where the relative hop files are relative to, and where the path is declared
    base: str = Field(".", exclude=True)
    declared_in: str | None = Field(None, exclude=True)
    line: int | None = Field(None, exclude=True)
    # hop entry -> (line, column) where the config file names it
    hop_positions: dict[str, tuple[int, int]] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="after")
    def _routes(self) -> PathSpec:
        for selector in self.routes:
            if not any(selector.startswith(f"{hop}:") and len(selector) > len(hop) + 1 for hop in self.hops):
                raise ValueError(f"route {selector!r} must be FILE:SELECTOR with FILE one of the path's hops")
        return self


def _file_kind(value: object) -> object:
    """A kind of file the source registry knows (``[tool.wslint] kinds`` values)."""
    kinds = registry.file_kinds()
    if isinstance(value, str) and value in kinds:
        return value
    expected = " or ".join(
        [", ".join(repr(k) for k in kinds[:-1]), repr(kinds[-1])] if len(kinds) > 1 else map(repr, kinds)
    )
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


class Settings(KeepaliveKeys):
    """Resolved settings. Field names are the config keys with ``_`` for ``-``."""

    path: list[PathSpec] = Field(default_factory=list)
    nginx_version: tuple[int, int, int] | None = Field(None, alias="nginx-version")
    nginx_prefix: str | None = Field(None, alias="nginx-prefix")
    haproxy_version: tuple[int, ...] | None = Field(None, alias="haproxy-version")
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "none"] = Field("warning", alias="fail-on")
    output_format: Literal["text", "json", "sarif", "github"] | None = Field(None, alias="output-format")
    kinds: dict[str, Annotated[str, BeforeValidator(_file_kind)]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = Field(default_factory=list, alias="extend-exclude")
    websocket_paths: list[str] = Field(default_factory=lambda: list(DEFAULT_WEBSOCKET_PATHS), alias="websocket-paths")
    extend_websocket_paths: list[str] = Field(default_factory=list, alias="extend-websocket-paths")
    websocket_routes: list[str] | None = Field(None, alias="websocket-routes")
    # more ports on which an NLB TCP/TLS listener or a LoadBalancer Service port counts as a WebSocket route
    websocket_ports: list[Annotated[int, Field(strict=True, ge=1, le=65535)]] = Field(
        default_factory=list, alias="websocket-ports"
    )
    max_file_size: int = Field(textio.DEFAULT_LIMIT, alias="max-file-size")
    min_deregistration_delay: float = Field(30.0, alias="min-deregistration-delay")
    # --fix: the idle timeout WS201/WS301 fixes write (at least twice the ping interval)
    fix_idle_timeout: float = Field(3600.0, alias="fix-idle-timeout")
    # glob (relative to the config file) -> rule ids or prefixes left out for matching files
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    # report only findings not in this baseline file (relative to the config file)
    baseline: str | None = None
    # command line only: ignore every suppression comment; write a baseline instead of filtering
    inline_ignores: bool = Field(True, exclude=True)
    write_baseline: str | None = Field(None, exclude=True)
    # where the config file was found (relative globs are relative to it)
    config_file: str | None = Field(None, exclude=True)
    # where ping-interval or client was given: "--ping-interval", "client in wslint.toml", ...
    keepalive_source: str = Field("", exclude=True)

    @model_validator(mode="after")
    def _unique_paths(self) -> Settings:
        names = [spec.name for spec in self.path]
        if len(set(names)) != len(names):
            raise ValueError("two paths have the same name")
        return self

    @property
    def keepalive(self) -> Keepalive:
        """The keepalive every route outside a declared path is judged with."""
        return keepalive(self.ping_interval, self.client, self.keepalive_source)

    @field_validator("nginx_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return parse_version(value) if isinstance(value, str) else value

    @field_validator("haproxy_version", mode="before")
    @classmethod
    def _haproxy_version(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"(?:HAProxy version )?(\d+(?:\.\d+){0,2})\S*", value.strip())
            if not match:
                raise ValueError(f"invalid HAProxy version {value!r} (use e.g. 2.8)")
            return tuple(int(p) for p in match.group(1).split("."))
        return value

    @field_validator("min_deregistration_delay", mode="before")
    @classmethod
    def _delay(cls, value: Any) -> float:
        if isinstance(value, str) and value.strip().isdigit():
            return float(value)
        return parse_ping_interval(value)

    @field_validator("fix_idle_timeout", mode="before")
    @classmethod
    def _fix_idle(cls, value: Any) -> float:
        seconds = parse_ping_interval(value)
        if seconds <= 0:
            raise ValueError("fix-idle-timeout must be more than 0")
        return seconds

    @field_validator("max_file_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)

    @field_validator("per_file_ignores", mode="before")
    @classmethod
    def _per_file(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for glob, ids in value.items():
            if isinstance(ids, str):
                ids = [v for v in re.split(r"[,\s]+", ids) if v]
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ValueError(f"{glob!r} needs a list of rule ids")
            out[glob] = check_rule_selectors(ids)
        return out

    @field_validator("select", "extend_select", "ignore", mode="before")
    @classmethod
    def _selectors(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return check_rule_selectors(value)
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in value:
                if not re.fullmatch(r"WS\d{3}", str(key).upper()):
                    raise ValueError(f"invalid rule id {key!r} in severity")
                if str(key).upper() not in _rule_ids():
                    raise ValueError(f"unknown rule {key!r} in severity (`wslint rules` lists them)")
            return {str(k).upper(): v for k, v in value.items()}
        return value

    @property
    def all_websocket_paths(self) -> frozenset[str]:
        return frozenset(p.lower() for p in [*self.websocket_paths, *self.extend_websocket_paths])

    @property
    def all_websocket_ports(self) -> frozenset[int]:
        return frozenset([*DEFAULT_WEBSOCKET_PORTS, *self.websocket_ports])

    @property
    def all_excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]


def find_config(start: Path) -> Path | None:
    """The closest config file upward from ``start``."""
    for directory in [start, *start.parents]:
        for name in (".wslint.toml", "wslint.toml"):
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(config_text(pyproject))
            except (OSError, textio.DecodeError, tomllib.TOMLDecodeError, RecursionError):
                continue
            if "wslint" in data.get("tool", {}):
                return pyproject
    return None


def read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The raw table of a config file, and notes about keys that do nothing yet."""
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


def build_settings(table: dict[str, Any], overrides: dict[str, Any], source: str) -> Settings:
    """Validate the config table (errors name its file), then with the command line on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    validated = _validate(table, source, flags=False)
    if {"ping-interval", "client"} & set(given):  # the command line's keepalive replaces the config's
        table = {k: v for k, v in table.items() if k not in ("ping-interval", "client")}
    if not given:
        return validated
    return _validate({**table, **given}, "command line", flags=True, only=set(given))


def _validate(data: dict[str, Any], source: str, flags: bool, only: set[str] | None = None) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        if only is not None:
            errors = [e for e in errors if str(e["loc"][0]) in only] or errors
        error = errors[0]
        key = ".".join(str(p) for p in error["loc"]) or "?"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        if not error["loc"]:
            raise ConfigError(f"{source}: {message}") from None
        where = f"--{key}" if flags else key
        raise ConfigError(f"{source}: {where}: {message}") from None
