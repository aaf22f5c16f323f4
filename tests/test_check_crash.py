"""A check that crashes on one file's input: that file's findings of that check are lost, nothing else changes.

The engine runs the check again on each part of the run alone (documents related by a declared
path or a shared file, with those paths), so the other files are judged on the same input as in
a run without the crash: a route in a declared path keeps its path's keepalive.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable

import pytest
from conftest import Linted

from wslint import checks
from wslint.checks import Model
from wslint.config import Settings
from wslint.engine import run_checks
from wslint.model import Document, Finding, Hop, Location, Path

Lint = Callable[..., Linted]


def _location(timeout: str, version: str = "proxy_http_version 1.1;") -> str:
    return f"""\
        events {{}}
        http {{
            server {{
                listen 80;
                location /ws/ {{
                    proxy_pass http://127.0.0.1:8000;
                    {version}
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_read_timeout {timeout};
                }}
            }}
        }}
        """


@pytest.fixture
def ws301_crashing_on_broken_conf(monkeypatch: pytest.MonkeyPatch) -> None:
    """WS301 as it is, except that it raises when the model it is given holds broken.conf (restored afterwards)."""
    original = checks.load_all()["WS301"]

    def crashing(model: Model) -> Iterable[Finding]:
        if any(document.file == "broken.conf" for document in model.documents):
            raise KeyError("a bug")
        return original(model)

    monkeypatch.setitem(checks.CHECKS, "WS301", crashing)


@pytest.mark.usefixtures("ws301_crashing_on_broken_conf")
def test_a_check_crashing_on_one_file_costs_only_that_files_findings_of_that_check(
    lint: Lint, tmp_path: pathlib.Path
) -> None:
    # the run pings every 20 s; path 'chat' (nginx.conf) every 45 s, too slow for its 60 s timeout
    (tmp_path / "wslint.toml").write_text(
        'ping-interval = "20s"\n[[path]]\nname = "chat"\nhops = ["nginx.conf"]\nping-interval = "45s"\n'
    )
    run = lint(
        {
            "nginx.conf": _location("60s"),
            "other.conf": _location("30s"),
            "broken.conf": _location("30s", version=""),
        },
        "--config",
        "wslint.toml",
        "nginx.conf",
        "other.conf",
        "broken.conf",
    )
    assert run.code == 2
    errors = [line for line in run.err.splitlines() if "internal error" in line]
    assert len(errors) == 1, run.err
    assert errors[0].startswith("wslint: error: broken.conf: internal error in check WS301: KeyError")
    assert "Traceback" not in run.err
    found = {(f["rule"], f["file"]) for f in run.findings}
    # the same check on the other files: nginx.conf judged with its path's 45 s (with the run's 20 s
    # it would pass), other.conf with the run's 20 s
    assert ("WS301", "nginx.conf") in found
    (chat,) = [f for f in run.only("WS301") if f["file"] == "nginx.conf"]
    assert "ping interval 45s" in str(chat["message"]) and "path 'chat'" in str(chat["message"])
    assert ("WS301", "other.conf") in found
    # the crashing file: the other checks still report it, the crashing one does not
    assert ("WS101", "broken.conf") in found
    assert ("WS301", "broken.conf") not in found
    assert run.report["summary"]["errors"] == 1  # type: ignore[index]


@pytest.mark.usefixtures("ws301_crashing_on_broken_conf")
def test_without_the_crashing_file_the_run_is_the_same(lint: Lint, tmp_path: pathlib.Path) -> None:
    """The control: the findings of the two other files are what a run without the crash gives."""
    (tmp_path / "wslint.toml").write_text(
        'ping-interval = "20s"\n[[path]]\nname = "chat"\nhops = ["nginx.conf"]\nping-interval = "45s"\n'
    )
    files = {"nginx.conf": _location("60s"), "other.conf": _location("30s"), "broken.conf": _location("30s", "")}
    crashed = lint(files, "--config", "wslint.toml", "nginx.conf", "other.conf", "broken.conf")
    clean = lint(files, "--config", "wslint.toml", "nginx.conf", "other.conf")
    assert clean.code == 1
    assert [f for f in crashed.findings if f["file"] != "broken.conf"] == clean.findings


def _document(file: str) -> Document:
    where = Location(file=file, line=1, column=1)
    return Document(file=file, kind="nginx", files=[file], hops=[Hop(kind="nginx", name=file, location=where)])


def test_the_retry_gives_each_part_of_the_run_the_input_it_had(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents on one declared path are retried together with it; a path of intermediaries alone on its own."""
    a, b, c = _document("a.conf"), _document("b.conf"), _document("c.conf")
    declared = Location(file="wslint.toml", line=2, column=1)
    joined = Path(name="ab", location=declared, hops=[a.hops[0], b.hops[0]])
    edge = Hop(kind="cloudflare", name="cloudflare", location=Location(file="wslint.toml", line=7, column=1))
    outside = Path(name="edge", location=Location(file="wslint.toml", line=6, column=1), hops=[edge])
    seen: list[tuple[list[str], list[str]]] = []
    checks.load_all()

    def crashing(model: Model) -> Iterable[Finding]:
        seen.append(([d.file for d in model.documents], [p.name for p in model.paths]))
        if any(document.file == "a.conf" for document in model.documents) or not model.documents:
            raise KeyError("a bug")
        return []

    monkeypatch.setitem(checks.CHECKS, "WS301", crashing)
    _, errors = run_checks([a, b, c], Settings(select=["WS301"]), [joined, outside])
    assert seen == [
        (["a.conf", "b.conf", "c.conf"], ["ab", "edge"]),  # the run
        (["a.conf", "b.conf"], ["ab"]),
        (["c.conf"], []),
        ([], ["edge"]),
    ]
    assert [e.split(": internal error")[0] for e in errors] == ["a.conf, b.conf", "wslint.toml:6:1 (path 'edge')"]
    assert all("internal error in check WS301: KeyError: 'a bug'" in e for e in errors)
