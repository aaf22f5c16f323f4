"""The config table's validation (``[tool.wslint]``, ``wslint.toml``) with pydantic.

Imported only when a run has a table to validate: ``config.validate_table`` calls ``validate``
here, which checks every key and value of the table and returns the plain ``config.Settings``.
A bad table is a ``ConfigError`` naming the file and the key (exit 2).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from wslint import config
from wslint.config import (
    ConfigError,
    PathSpec,
    Settings,
    check_client,
    check_routes,
    check_rule_selectors,
    did_you_mean,
    one_of,
    parse_haproxy_version,
    parse_ping_interval,
    parse_size,
    parse_version,
    split_ids,
)
from wslint.model import Severity


def _choice(value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else what pydantic says of a Literal, with the closest choice."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(one_of(choices) + (did_you_mean(value, choices) if isinstance(value, str) else ""))
    return value


def _kind(value: Any) -> str:
    """A file kind of the source registry, asked when the table is validated."""
    from wslint.sources import registry

    return _choice(value, registry.file_kinds())


def _format(value: Any) -> str:
    """A report format: ``config.FORMATS``, the one list of them."""
    return _choice(value, config.FORMATS)


class _KeepaliveKeys(BaseModel):
    """``ping-interval`` or ``client``: one of the two at each level (top-level config, path table)."""

    # built on first use, inside _no_plugins()
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

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
    def _one_keepalive(self) -> _KeepaliveKeys:
        if self.ping_interval is not None and self.client is not None:
            raise ValueError("ping-interval and client are both set: give one")
        return self


class _PathTable(_KeepaliveKeys):
    """One ``[[tool.wslint.path]]`` table."""

    name: str = Field(min_length=1)
    hops: list[str] = Field(min_length=1, validation_alias=AliasChoices("hops", "files"))
    routes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _routes(self) -> _PathTable:
        check_routes(self.hops, self.routes)
        return self

    def plain(self) -> PathSpec:
        return PathSpec(
            name=self.name, hops=self.hops, routes=self.routes, ping_interval=self.ping_interval, client=self.client
        )


class _Table(_KeepaliveKeys):
    """The whole table. Field names are the config keys with ``_`` for ``-``; defaults are Settings'."""

    path: list[_PathTable] = Field(default_factory=list)
    nginx_version: tuple[int, int, int] | None = Field(None, alias="nginx-version")
    nginx_prefix: str | None = Field(None, alias="nginx-prefix")
    haproxy_version: tuple[int, ...] | None = Field(None, alias="haproxy-version")
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "none"] = Field("warning", alias="fail-on")
    output_format: Annotated[Any, AfterValidator(_format)] = Field(None, alias="output-format")  # default not validated
    kinds: dict[str, Annotated[Any, AfterValidator(_kind)]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=lambda: list(config.DEFAULT_EXCLUDE))
    extend_exclude: list[str] = Field(default_factory=list, alias="extend-exclude")
    websocket_paths: list[str] = Field(
        default_factory=lambda: list(config.DEFAULT_WEBSOCKET_PATHS), alias="websocket-paths"
    )
    extend_websocket_paths: list[str] = Field(default_factory=list, alias="extend-websocket-paths")
    websocket_routes: list[str] | None = Field(None, alias="websocket-routes")
    websocket_ports: list[Annotated[int, Field(strict=True, ge=1, le=65535)]] = Field(
        default_factory=list, alias="websocket-ports"
    )
    max_file_size: int = Field(Settings().max_file_size, alias="max-file-size")
    respect_gitignore: bool = Field(True, alias="respect-gitignore", strict=True)
    min_deregistration_delay: float = Field(30.0, alias="min-deregistration-delay")
    fix_idle_timeout: float = Field(3600.0, alias="fix-idle-timeout")
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    baseline: str | None = None

    @model_validator(mode="after")
    def _unique_paths(self) -> _Table:
        names = [spec.name for spec in self.path]
        if len(set(names)) != len(names):
            raise ValueError("two paths have the same name")
        return self

    @field_validator("nginx_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return parse_version(value) if isinstance(value, str) else value

    @field_validator("haproxy_version", mode="before")
    @classmethod
    def _haproxy_version(cls, value: Any) -> Any:
        return parse_haproxy_version(value) if isinstance(value, str) else value

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
                ids = split_ids(ids)
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ValueError(f"{glob!r} needs a list of rule ids")
            out[glob] = check_rule_selectors(ids)
        return out

    @field_validator("select", "extend_select", "ignore", mode="before")
    @classmethod
    def _selectors(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = split_ids(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return check_rule_selectors(value)
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            from wslint.rules import RULES

            for key in value:
                if not re.fullmatch(r"WS\d{3}", str(key).upper()):
                    raise ValueError(f"invalid rule id {key!r} in severity")
                if str(key).upper() not in RULES:
                    raise ValueError(f"unknown rule {key!r} in severity (`wslint rules` lists them)")
            return {str(k).upper(): v for k, v in value.items()}
        return value

    def plain(self) -> Settings:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values["path"] = [spec.plain() for spec in self.path]
        return Settings(**values)


def validate(table: dict[str, Any], source: str) -> Settings:
    """The table as Settings; ``ConfigError`` ``SOURCE: KEY: what is wrong`` for the first bad key."""
    try:
        with _no_plugins():
            return _Table.model_validate(table).plain()
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"]) or "?"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key" + did_you_mean(str(error["loc"][-1]), _keys(error["loc"]))
        if not error["loc"]:
            raise ConfigError(f"{source}: {message}") from None
        raise ConfigError(f"{source}: {key}: {message}") from None


def _keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table holding an unknown key (at ``loc``) accepts: the top level's or a ``[[path]]`` table's."""
    model: type[BaseModel] = _PathTable if loc[:1] == ("path",) and len(loc) > 2 else _Table
    return [info.alias or name for name, info in model.model_fields.items()]


@contextlib.contextmanager
def _no_plugins() -> Iterator[None]:
    """While the models are built (on first use: ``defer_build``) and validate: no pydantic plugin. This validation is
    wslint's own, and looking for plugins reads the entry points of every installed package, on every run."""
    saved = os.environ.get(_DISABLE_PLUGINS)
    os.environ[_DISABLE_PLUGINS] = "__all__"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[_DISABLE_PLUGINS]
        else:
            os.environ[_DISABLE_PLUGINS] = saved


_DISABLE_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
