"""Hop kinds come from one registry (wslint.hops); dialect checks select their hops through the checks' Model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from wslint import hops, intermediaries
from wslint.checks import Model
from wslint.config import Settings
from wslint.hops import APACHE, AWS, CADDY, CLOUD, ENVOY, HAPROXY, INGRESS, KINDS, KONG, NAMED, NGINX, TRAEFIK, hop_kind
from wslint.model import AwsHop, Document, HaproxyHop, Hop, Location, NginxHop, NginxRoute, Route
from wslint.settings import validate_table

WSLINT = Path(__file__).resolve().parent.parent / "wslint"
HERE = Location(file="x", line=1, column=1)


def test_every_kind_has_one_name_a_label_and_a_family() -> None:
    assert KINDS["nginx"] is hops.NGINX_HTTP and KINDS["alb"] is hops.ALB
    assert {kind.family for kind in KINDS.values()} == {
        NGINX,
        HAPROXY,
        AWS,
        INGRESS,
        NAMED,
        CLOUD,
        APACHE,
        ENVOY,
        KONG,
        TRAEFIK,
        CADDY,
    }
    assert all(kind.label for kind in KINDS.values())
    # the named intermediaries are kinds under the names a path writes: the kind a source gives the same box
    # (CLOUD: gcp, azure-lb, ...), else one of the NAMED family
    named = {name for name, kind in KINDS.items() if kind.family is NAMED}
    assert named <= set(intermediaries.INTERMEDIARIES)
    assert all(intermediaries.KINDS[name] is KINDS[name] for name in intermediaries.INTERMEDIARIES)
    assert str(hops.ELB) == "elb" and hops.ELB.label == "Classic ELB"


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        hop_kind("alb", "another ALB", AWS)


def test_dialect_routes_select_one_family_with_its_facts() -> None:
    up = NginxRoute(http_version="1.1")
    nginx = Hop(
        kind=hops.NGINX_HTTP,
        name="n",
        location=HERE,
        routes=[Route(name="location /ws/", location=HERE, reason="r", dialect=up)],
        dialect=NginxHop(),
    )
    stream = Hop(
        kind=hops.NGINX_STREAM, name="s", location=HERE, routes=[Route(name="stream", location=HERE, reason="r")]
    )
    alb = Hop(
        kind=hops.ALB, name="a", location=HERE, routes=[Route(name="l", location=HERE, reason="r")], dialect=AwsHop()
    )
    model = Model([Document(file="x", kind="nginx", hops=[nginx, stream, alb])], Settings())
    assert [(h.name, r.name, facts) for h, r, facts in model.dialect_routes(NGINX)] == [("n", "location /ws/", up)]
    assert [h.name for h, _ in model.dialect_hops(AWS)] == ["a"]
    assert list(model.dialect_hops(HAPROXY)) == []
    assert isinstance(next(model.dialect_hops(NGINX))[1], NginxHop)
    assert not isinstance(alb.dialect, HaproxyHop)


def _string_kind_compares(tree: ast.AST) -> list[int]:
    """Lines comparing ``<something>.kind`` of a hop with a string literal."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        hop_kind_read = any(
            isinstance(s, ast.Attribute) and s.attr == "kind" and "hop" in ast.unparse(s.value).lower() for s in sides
        )
        literal = any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides)
        literal |= any(isinstance(s, (ast.Set, ast.Tuple, ast.List)) for s in sides)
        if hop_kind_read and literal:
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("folder", ["checks", "fix", "report"])
def test_no_hop_kind_is_compared_as_a_string(folder: str) -> None:
    found = {
        str(file.relative_to(WSLINT)): lines
        for file in sorted((WSLINT / folder).glob("*.py"))
        if (lines := _string_kind_compares(ast.parse(file.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_a_new_kind_needs_no_check_change_for_idle_keepalive_and_lifetime_rules() -> None:
    """WS2xx/WS3xx read hop-neutral facts: a kind no check knows, of a family no check knows, is judged."""
    from wslint.engine import run_checks
    from wslint.hops import Family, HopKind
    from wslint.model import Duration, Keepalive
    from wslint.model import Path as HopPath

    box = HopKind("test-box", "test box", Family("test"))  # not registered: KINDS stays as it is
    idle = Duration(seconds=30.0, text="30", dialect="seconds", location=HERE, directive="idle")
    cap = Duration(seconds=600.0, text="10m", dialect="seconds", location=Location(file="x", line=5), directive="cap")
    hop = Hop(
        kind=box,
        name="box",
        location=HERE,
        routes=[Route(name="box /ws", location=HERE, reason="r", idle_timeout=idle, default_applies=False)],
        lifetime=cap,
    )
    path = HopPath(name="p", location=HERE, hops=[hop], keepalive=Keepalive(seconds=25, source="--ping-interval"))
    findings, errors = run_checks(
        [Document(file="x", kind="test", hops=[hop])], validate_table({"ping-interval": "25s"}), [path]
    )
    assert errors == []
    assert {(f.rule, f.location.line) for f in findings} == {("WS301", 1), ("WS209", 5)}
