"""The shipped JSON schemas (wslint/schemas, read from the installed package) validate offline.

Every ``$id`` is unique and every ``$ref`` resolves within the package: a registry of the package's
schema files and nothing else (retrieval refused) resolves them all. report.schema.json embeds
path.schema.json (scripts/bundle_schemas.py), so a validator given report.schema.json alone, with
networking made impossible, validates ``wslint check`` and ``wslint path`` reports, as
``check-jsonschema --schemafile`` does.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from tests.conftest import Linted

ROOT = Path(__file__).resolve().parent.parent


def package_schemas() -> dict[str, dict[str, Any]]:
    """Each ``*.schema.json`` of the installed package by file name."""
    folder = resources.files("wslint") / "schemas"
    return {
        item.name: json.loads(item.read_text(encoding="utf-8"))
        for item in folder.iterdir()
        if item.name.endswith(".schema.json")
    }


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No connection, no name lookup: any attempt to reach the network fails the test."""

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs classes: mypy sees no fields


def refs(schema: Any, base: str) -> Iterator[tuple[str, str]]:
    """(base URI, $ref) of every reference in ``schema``; an embedded ``$id`` changes the base below it."""
    if isinstance(schema, dict):
        base = urljoin(base, schema["$id"]) if isinstance(schema.get("$id"), str) else base
        if isinstance(schema.get("$ref"), str):
            yield base, schema["$ref"]
        for key, value in schema.items():
            if key not in ("const", "enum", "examples", "default"):
                yield from refs(value, base)
    elif isinstance(schema, list):
        for item in schema:
            yield from refs(item, base)


def test_every_id_is_unique_and_every_ref_resolves_within_the_package(offline: None) -> None:
    schemas = package_schemas()
    assert {"report.schema.json", "path.schema.json", "probe.schema.json"} <= set(schemas)
    ids = [schema["$id"] for schema in schemas.values()]
    assert len(set(ids)) == len(ids)
    for name, schema in schemas.items():
        assert schema["$id"].endswith("/" + name)
        jsonschema.validators.validator_for(schema).check_schema(schema)
    registry: Registry[Any] = Registry(retrieve=_refuse).with_resources(  # type: ignore[call-arg]
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    found = 0
    for schema in schemas.values():
        for base, ref in refs(schema, schema["$id"]):
            resolved = registry.resolver(base_uri=base).lookup(ref)
            assert isinstance(resolved.contents, dict | bool), (base, ref)
            found += 1
    assert found > 20


def test_report_schema_embeds_the_current_path_schema() -> None:
    schemas = package_schemas()
    assert schemas["report.schema.json"]["$defs"]["path"] == schemas["path.schema.json"], (
        "path.schema.json changed: run python scripts/bundle_schemas.py"
    )


def test_reports_validate_against_the_report_schema_alone_offline(
    lint: Any, tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``wslint path`` report (findings and paths) and a ``wslint check`` report, each checked with the report
    schema and no registry (jsonschema), then as ``check-jsonschema --schemafile`` checks them."""
    from check_jsonschema import main as check_jsonschema

    schema = package_schemas()["report.schema.json"]
    shutil.copytree(ROOT / "examples" / "three-hop", tmp_path / "three-hop")
    path_run: Linted = lint({}, "path", "--config", "three-hop/wslint.toml", "three-hop")
    check_run: Linted = lint(
        {"nginx.conf": "http { server { location /ws/ { proxy_pass http://a; } } }\n"}, "nginx.conf"
    )
    assert path_run.report["paths"] and path_run.findings and check_run.findings
    for report in (path_run.report, check_run.report):
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)
        target = tmp_path / "report.json"
        target.write_text(json.dumps(report), encoding="utf-8")
        schemafile = resources.files("wslint") / "schemas" / "report.schema.json"
        with pytest.raises(SystemExit) as exited:
            check_jsonschema(["--schemafile", str(schemafile), str(target)])
        assert exited.value.code == 0, capsys.readouterr()
