"""Baselines (wslint.baseline): keys without line numbers, multiset filtering, the file format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wslint import baseline
from wslint.checks import finding
from wslint.model import Finding, Location
from wslint.textblocks import Style

NGINX = """\
http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://app;   # the app
            proxy_set_header   Upgrade
                $http_upgrade;
        }
    }
}
"""


def at(rule: str, file: str, line: int | None, column: int = 9, message: str = "") -> Finding:
    return finding(rule, Location(file=file, line=line, column=column), message or f"{rule} at {line}")


def style(file: str) -> Style:
    return "indent" if file.endswith(".yaml") else "hcl" if file.endswith(".tf") else "braces"


def reader(texts: dict[str, str]) -> baseline.TextOf:
    return texts.get


def test_key_names_the_block_and_the_directive(tmp_path: Path) -> None:
    root = str(tmp_path)
    file = str(tmp_path / "conf" / "chat.conf")
    assert baseline.key(at("WS201", file, 4), NGINX, "braces", root) == {
        "rule": "WS201",
        "file": "conf/chat.conf",
        "block": "http > server",
        "directive": "location /ws/",
    }
    # a directive over two lines, normalised, its comment stripped
    assert baseline.key(at("WS102", file, 6), NGINX, "braces", root)["directive"] == (
        "proxy_set_header Upgrade $http_upgrade"
    )
    assert baseline.key(at("WS101", file, 5), NGINX, "braces", root)["directive"] == "proxy_pass http://app"
    assert baseline.key(at("WS101", file, 5), NGINX, "braces", root)["block"] == "http > server > location /ws/"


def test_keys_survive_lines_inserted_above(tmp_path: Path) -> None:
    root, file = str(tmp_path), str(tmp_path / "chat.conf")
    before = baseline.key(at("WS201", file, 4), NGINX, "braces", root)
    edited = "# a new comment\n\n" + NGINX.replace("listen 80;", "listen 80;\n        server_name chat;")
    after = baseline.key(at("WS201", file, 7), edited, "braces", root)
    assert before == after


def test_findings_without_a_line_are_keyed_by_their_message() -> None:
    key = baseline.key(
        at("WS201", "aws://eu-west-1/alb/chat", None, message="idle  timeout\nis 60 s"), None, "none", "."
    )
    assert key == {
        "rule": "WS201",
        "file": "aws://eu-west-1/alb/chat",
        "block": "",
        "directive": "idle timeout is 60 s",
    }


def test_yaml_keys(tmp_path: Path) -> None:
    text = "Resources:\n  Alb:\n    Properties:\n      LoadBalancerAttributes:\n      - Key: idle\n        Value: 30\n"
    key = baseline.key(at("WS301", str(tmp_path / "t.yaml"), 6), text, "indent", str(tmp_path))
    assert key["block"] == "Resources > Alb > Properties > LoadBalancerAttributes > - Key: idle"
    assert key["directive"] == "Value: 30"


def test_json_keys_follow_the_nesting() -> None:
    text = (
        '{\n  "Resources": {\n    "Web": {\n      "Type": "AWS::ElasticLoadBalancingV2::Listener",\n'
        '      "Port": 80\n    }\n  }\n}\n'
    )
    assert baseline.key(at("WS201", "t.json", 3, 5), text, "none", ".") | {"file": ""} == {
        "rule": "WS201",
        "file": "",
        "block": "Resources",
        "directive": "Web",
    }
    assert baseline.key(at("WS201", "t.json", 5, 7), text, "none", ".")["directive"] == "Port: 80"


def test_a_line_without_a_statement_is_keyed_by_its_text() -> None:
    key = baseline.key(at("WS001", "a.conf", 8), NGINX, "braces", ".")
    assert (key["block"], key["directive"]) == ("http > server > location /ws/", "}")


def write_and_load(tmp_path: Path, findings: list[Finding], texts: dict[str, str]) -> tuple[int, baseline.Baseline]:
    path = tmp_path / "wslint-baseline.json"
    count = baseline.write(str(path), findings, reader(texts), style)
    return count, baseline.load(str(path))


def test_write_load_round_trip_is_deterministic(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    texts = {file: NGINX}
    findings = [at("WS201", file, 4), at("WS102", file, 6), at("WS102", file, 6, column=30), at("WS001", file, 2)]
    count, loaded = write_and_load(tmp_path, findings, texts)
    first = (tmp_path / "wslint-baseline.json").read_text(encoding="utf-8")
    assert count == 3 and len(loaded) == 3  # WS001 is never baselined
    assert json.loads(first) == {
        "wslint_baseline": 1,
        "findings": [
            {"rule": "WS102", "file": "chat.conf", "block": "http > server > location /ws/",
             "directive": "proxy_set_header Upgrade $http_upgrade", "count": 2},
            {"rule": "WS201", "file": "chat.conf", "block": "http > server", "directive": "location /ws/", "count": 1},
        ],
    }  # fmt: skip
    write_and_load(tmp_path, list(reversed(findings)), texts)
    assert (tmp_path / "wslint-baseline.json").read_text(encoding="utf-8") == first
    assert first.endswith("}\n")


def test_filter_known_is_a_multiset(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    texts = {file: NGINX}
    _, known = write_and_load(tmp_path, [at("WS102", file, 6)], texts)
    two = [at("WS102", file, 6), at("WS102", file, 6, column=30)]
    left = baseline.filter_known(two, known, reader(texts), style)
    assert left == [two[1]]  # one entry absorbs one finding
    _, known = write_and_load(tmp_path, two, texts)
    assert baseline.filter_known(two, known, reader(texts), style) == []


def test_lines_inserted_above_keep_findings_known(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    _, known = write_and_load(tmp_path, [at("WS201", file, 4)], {file: NGINX})
    edited = "# moved down\n" + NGINX
    assert baseline.filter_known([at("WS201", file, 5)], known, reader({file: edited}), style) == []


def test_a_changed_directive_is_a_new_finding(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    _, known = write_and_load(tmp_path, [at("WS201", file, 4)], {file: NGINX})
    edited = NGINX.replace("location /ws/", "location /socket/")
    new = [at("WS201", file, 4)]
    assert baseline.filter_known(new, known, reader({file: edited}), style) == new
    # another rule at the same place is new too
    other = [at("WS301", file, 4)]
    assert baseline.filter_known(other, known, reader({file: NGINX}), style) == other


def test_suppressed_findings_are_neither_written_nor_absorbed(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    hidden = at("WS201", file, 4)
    hidden.suppressed = True
    count, known = write_and_load(tmp_path, [hidden], {file: NGINX})
    assert count == 0 and len(known) == 0
    _, known = write_and_load(tmp_path, [at("WS201", file, 4)], {file: NGINX})
    kept = baseline.filter_known([hidden, at("WS201", file, 4)], known, reader({file: NGINX}), style)
    assert kept == [hidden]


def test_paths_are_relative_to_the_baseline_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(tmp_path)
    texts = {"nginx/chat.conf": NGINX}
    path = tmp_path / "ci" / "baseline.json"
    baseline.write(str(path), [at("WS201", "nginx/chat.conf", 4)], reader(texts), style)
    assert json.loads(path.read_text(encoding="utf-8"))["findings"][0]["file"] == "../nginx/chat.conf"
    known = baseline.load("ci/baseline.json")
    assert baseline.filter_known([at("WS201", "nginx/chat.conf", 4)], known, reader(texts), style) == []
    # the same files seen from another working directory
    monkeypatch.chdir(tmp_path / "ci")
    moved = {"../nginx/chat.conf": NGINX}
    root = str(tmp_path / "ci")
    assert baseline.filter_known([at("WS201", "../nginx/chat.conf", 4)], known, reader(moved), style, root) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "invalid JSON"),
        ("[]", "not a wslint baseline"),
        ('{"wslint_baseline": 2, "findings": []}', "not a wslint baseline"),
        ('{"wslint_baseline": 1}', '"findings" must be a list'),
        ('{"wslint_baseline": 1, "findings": [{"rule": "WS201"}]}', "findings[0] needs the strings"),
        (
            '{"wslint_baseline": 1, "findings": [{"rule": "WS201", "file": "a", "block": "", "directive": "", '
            '"count": 0}]}',
            "count must be a positive integer",
        ),
    ],
)
def test_invalid_baseline(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        baseline.load(str(path))
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the baseline"):
        baseline.load(str(tmp_path / "nope.json"))


def test_each_file_is_read_once(tmp_path: Path) -> None:
    file = str(tmp_path / "chat.conf")
    reads: list[str] = []

    def text_of(name: str) -> str | None:
        reads.append(name)
        return NGINX

    baseline.write(str(tmp_path / "b.json"), [at("WS201", file, 4), at("WS102", file, 6)], text_of, style)
    assert reads == [file]
