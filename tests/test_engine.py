"""Engine: selection by id/prefix/ALL, severities, fail-on, exit codes, order, isolation of check errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Linted
from wslint.checks import AFTER_SUPPRESSIONS, CHECKS, after_suppressions, check, load_all
from wslint.config import Settings
from wslint.engine import enabled_rules, run_checks
from wslint.hops import NGINX_HTTP
from wslint.model import Document, Finding, Hop, Location, Route
from wslint.rules import ALWAYS_ON, RULES
from wslint.settings import validate_table

Lint = Callable[..., Linted]

SITE = {
    "site.conf": """
        server {
            listen 80;
            location /ws/ { proxy_pass http://app; }
            location /chat/ { proxy_pass http://app; proxy_read_timeout 10x; }
        }
        """
}


def settings(**kw: object) -> Settings:
    return validate_table(kw)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, set(RULES)),
        ({"select": ["WS1"]}, {r for r in RULES if r.startswith("WS1")} | {"WS001"}),
        ({"select": ["WS201"], "extend-select": ["WS3"]}, {"WS001", "WS201", "WS301", "WS302", "WS303"}),
        ({"ignore": ["WS3"]}, set(RULES) - {"WS301", "WS302", "WS303"}),
        ({"select": ["ALL"], "ignore": ["WS001"]}, set(RULES)),  # WS001 cannot be disabled
        ({"select": ["WS201"], "ignore": ["WS2"]}, {"WS001", "WS201"}),  # the more specific selector wins
        (
            {"select": ["WS2"], "ignore": ["WS201"]},
            {"WS001", "WS202", "WS203", "WS204", "WS205", "WS206", "WS207", "WS208", "WS209", "WS210"},
        ),
    ],
)
def test_selection(kw: dict[str, object], expected: set[str]) -> None:
    assert set(enabled_rules(settings(**kw))) == expected


def test_every_rule_has_a_check() -> None:
    # WS003 (unused suppression) is a check that runs after the inline suppressions were applied
    assert set(load_all()) | set(AFTER_SUPPRESSIONS) == set(RULES)
    assert set(CHECKS).isdisjoint(AFTER_SUPPRESSIONS)


def test_a_check_or_fixer_for_a_rule_not_in_the_catalogue_fails_at_import() -> None:
    from wslint.fix import fixer

    def fn(model: object) -> list[Finding]:
        return []

    with pytest.raises(ValueError, match="WS999"):
        check("WS999")(fn)
    with pytest.raises(ValueError, match="WS998"):
        after_suppressions("WS998")(fn)
    with pytest.raises(ValueError, match="WS997"):
        fixer("WS997")(fn)
    assert not {"WS999", "WS998", "WS997"} & (set(CHECKS) | set(AFTER_SUPPRESSIONS))


def test_a_second_check_or_fixer_for_a_rule_fails_at_import() -> None:
    from wslint.fix import FIXERS, _load, fixer

    load_all()
    _load()
    before, fixers = dict(CHECKS), dict(FIXERS)

    def fn(model: object) -> list[Finding]:
        return []

    with pytest.raises(ValueError, match="second check for WS201"):
        check("WS201")(fn)
    with pytest.raises(ValueError, match="second check for WS003"):
        check("WS003")(fn)
    with pytest.raises(ValueError, match="second fixer for WS101"):
        fixer("WS101")(fn)
    assert before == CHECKS
    assert fixers == FIXERS


def test_always_on_rules_come_from_the_catalogue() -> None:
    off = settings(select=["WS2"], ignore=["ALL", "WS0"])
    assert [r for r in enabled_rules(off) if not r.startswith("WS2")] == sorted(ALWAYS_ON) == ["WS001"]


def test_findings_are_sorted_and_exit_codes_follow_fail_on(lint: Lint) -> None:
    result = lint(SITE, "site.conf")
    keys = [(f["file"], f["line"], f["column"], f["rule"], f["message"]) for f in result.findings]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert result.code == 1
    assert lint({}, "site.conf", "--exit-zero").code == 0
    assert lint({}, "site.conf", "--select", "WS303").code == 0  # info does not fail by default
    assert lint({}, "site.conf", "--select", "WS303", "--fail-on", "info").code == 1
    assert lint({}, "site.conf", "--fail-on", "none").code == 0


def test_severity_override_from_config(lint: Lint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "c.toml").write_text('[severity]\nWS201 = "error"\nWS303 = "warning"\n')
    result = lint(SITE, "site.conf", "--config", "c.toml", "--output-format", "json")
    severities = {f["rule"]: f["severity"] for f in result.findings}
    assert severities["WS201"] == "error" and severities["WS303"] == "warning"
    assert severities["WS101"] == "error"


def test_an_exception_in_a_check_is_an_internal_error_for_that_file_only(monkeypatch: pytest.MonkeyPatch) -> None:
    load_all()
    good = Document(
        file="good.conf",
        kind="nginx",
        hops=[Hop(kind=NGINX_HTTP, name="good.conf", location=Location(file="good.conf", line=1, column=1))],
    )
    bad = Document(
        file="bad.conf",
        kind="nginx",
        hops=[
            Hop(
                kind=NGINX_HTTP,
                name="bad.conf",
                location=Location(file="bad.conf", line=1, column=1),
                routes=[Route(name="x", location=Location(file="bad.conf", line=2, column=1), reason="")],
            )
        ],
    )

    def explode(model):  # type: ignore[no-untyped-def]
        for hop in model.hops():
            if hop.routes:
                raise RuntimeError("boom")
            yield from ()

    monkeypatch.setitem(CHECKS, "WS201", explode)
    findings, errors = run_checks([good, bad], settings(select=["WS201"]))
    assert findings == []
    assert len(errors) == 1 and errors[0].startswith("bad.conf: internal error in check WS201: RuntimeError: boom")


def test_missing_path_is_exit_2_and_other_files_are_still_linted(lint: Lint) -> None:
    result = lint(SITE, "site.conf", "nope.conf")
    assert result.code == 2
    assert "nope.conf: no such file or directory" in result.err
    assert result.findings  # site.conf was linted


def test_same_input_same_bytes(lint: Lint) -> None:
    first = lint(SITE, ".").report
    assert lint({}, ".").report == first


def test_an_exception_in_the_source_is_an_internal_error_for_that_file_only(
    lint: Lint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wslint.sources import nginx

    original = nginx._Analysis.run

    def run(self):  # type: ignore[no-untyped-def]
        if self.tree.file.endswith("bad.conf"):
            raise RuntimeError("boom")
        return original(self)

    monkeypatch.setattr(nginx._Analysis, "run", run)
    result = lint({"bad.conf": "server { listen 80; }\n", **SITE}, "bad.conf", "site.conf")
    assert result.code == 2
    assert "bad.conf: internal error in the nginx source: RuntimeError: boom" in result.err
    assert {f["file"] for f in result.findings} == {"site.conf"}


def test_construct_builds_what_the_constructor_builds() -> None:
    """Sources build their objects with model.construct and Location.plain: the same objects as the constructor."""
    import dataclasses

    from wslint.model import Hop, Location, NginxRoute, Route, construct

    where = Location.plain("a.conf", 3, 5, 3, 9)
    assert where == Location(file="a.conf", line=3, column=5, end_line=3, end_column=9)
    route = construct(Route, name="location /ws/", location=where, reason="r")
    assert route == Route(name="location /ws/", location=where, reason="r")
    first, second = (
        construct(Hop, kind=NGINX_HTTP, name="n", location=where),
        construct(Hop, kind=NGINX_HTTP, name="n", location=where),
    )
    assert first.routes == [] and first.routes is not second.routes  # default factories run per object
    upgrade = construct(NginxRoute)
    upgrade.http_version = "1.1"  # mutable models stay mutable
    assert upgrade.http_version == "1.1" and construct(NginxRoute).http_version is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        where.line = 4  # type: ignore[misc]  # frozen models stay frozen
    assert not hasattr(where, "__dict__")  # slots: no per-object dict
