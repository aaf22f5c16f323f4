"""A file name or a config value is data, never a command: whatever wslint prints shows it escaped.

Hostile names and values (a line break followed by ``::stop-commands::``, ESC and CSI sequences, BEL,
``##[``, a line separator) go through the real CLI in every output format, in the --fix/--diff lines,
in notes and in error lines. No line of stdout or stderr may begin with ``::`` unless it is one of
wslint's own workflow commands, none may hold ``##[`` or a raw control character, and JSON and SARIF
still carry the exact original values.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import BAD_NGINX, Run
from wslint.escape import diff_path, json_text, printable

NL_NAME = "aa\n::stop-commands::pwned\n.conf"
ESC_NAME = "esc\x1b[31mred\x9b2J\x07.conf"
LEAD_NAME = "::add-mask::lead.conf"
HASH_NAME = "hash##[add-mask]secret.conf"
NAMES = (NL_NAME, ESC_NAME, LEAD_NAME, HASH_NAME)
LOCATION = "/ws/\n::add-mask::X"
HEADER = "close\n::stop-commands::hdr\x1b[2J\x9b\u2028"
BACKEND = "::stop-commands::be\x1b[2J\x9b"

# the nginx file: a hostile location name (nginx allows a newline inside quotes) and Connection value
HOSTILE_NGINX = BAD_NGINX.replace("location /ws/", f'location "{LOCATION}"').replace(
    'Connection "upgrade"', f'Connection "{HEADER}"'
)
HOSTILE_HAPROXY = f"""\
defaults
    mode http
    timeout client 30s
    timeout server 30s
    timeout connect 5s

frontend fe
    bind :80
    use_backend {BACKEND} if {{ hdr(upgrade) -i websocket }}

backend {BACKEND}
    server s1 127.0.0.1:8000
"""

# wslint's own workflow commands: annotations, groups, and the stop-commands markers around verbatim lines
OWN_COMMAND = re.compile(
    r"::(?:(?:error|warning|notice) title=wslint \(WS\d{3}\)[,:].*|group::wslint: .*|endgroup::"
    r"|stop-commands::(wslint-[0-9a-f]{32})|wslint-[0-9a-f]{32}::)"
)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_safe(stream: str) -> None:
    """No raw control character, no ``##[``, no line read as a workflow command but wslint's own."""
    assert not RAW_CONTROL.findall(stream), stream
    assert "##[" not in stream, stream
    stopped: str | None = None  # the resume token while commands are stopped
    for line in stream.split("\n"):
        command = line.lstrip()
        if stopped is not None:
            stopped = None if command == f"::{stopped}::" else stopped
            continue
        if command.startswith("::"):
            match = OWN_COMMAND.fullmatch(command)
            assert match, f"a line reads as a workflow command: {line!r}"
            stopped = match.group(1)
    assert stopped is None, "commands stopped and never resumed"


def hostile_tree(root: Path) -> Path:
    root.mkdir()
    for name in NAMES:
        (root / name).write_text(BAD_NGINX, encoding="utf-8")
    (root / "loc.conf").write_text(HOSTILE_NGINX, encoding="utf-8")
    (root / "h.cfg").write_text(HOSTILE_HAPROXY, encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_prints_names_and_values_as_data(fmt: str, tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("--isolated", "--output-format", fmt, ".", cwd=tree)
    assert run.code == 1, run.err
    assert_safe(run.out)
    assert_safe(run.err)
    if fmt in ("text", "github"):
        assert "aa\\x0a::stop-commands::pwned\\x0a.conf:5:9: WS101" in run.out
        assert "esc\\x1b[31mred\\x9b2J\\x07.conf:5:9: WS101" in run.out
        assert "location /ws/\\x0a::add-mask::X" in run.out
        assert "::stop-commands::be\\x1b[2J\\x9b" in run.out


def test_json_round_trips_the_exact_names_and_values(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("--isolated", "--output-format", "json", ".", cwd=tree)
    findings = json.loads(run.out)["findings"]
    assert set(NAMES) <= {f["file"] for f in findings}
    messages = "\n".join(f["message"] for f in findings)
    assert f"location {LOCATION} proxies" in messages
    assert f'sends "Connection: {HEADER}"' in messages
    assert f"backend {BACKEND} carries" in messages


def test_sarif_round_trips_the_exact_names_and_values(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("--isolated", "--output-format", "sarif", ".", cwd=tree)
    results = json.loads(run.out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert set(NAMES) <= {unquote(uri) for uri in uris}
    messages = "\n".join(r["message"]["text"] for r in results)
    assert f'sends "Connection: {HEADER}"' in messages
    assert f"backend {BACKEND} carries" in messages


def test_github_file_property_still_names_a_file_with_a_line_break(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("--isolated", "--output-format", "github", ".", cwd=tree)
    # the runner decodes %0A and %3A back: the annotation is on the file of that name
    assert "file=aa%0A%3A%3Astop-commands%3A%3Apwned%0A.conf,line=5" in run.out


def test_path_drawing_prints_values_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("path", "--isolated", "--ping-interval", "25s", "h.cfg", "loc.conf", cwd=tree)
    assert run.code == 1, run.err
    assert_safe(run.out)
    assert_safe(run.err)
    assert "backend ::stop-commands::be\\x1b[2J\\x9b" in run.out


def fix_tree(root: Path) -> Path:
    root.mkdir()
    for name in (NL_NAME, ESC_NAME):
        (root / name).write_text(BAD_NGINX, encoding="utf-8")
    (root / "loc.conf").write_text(BAD_NGINX.replace("location /ws/", f'location "{LOCATION}"'), encoding="utf-8")
    return root


def test_fix_lines_print_names_and_values_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = fix_tree(tmp_path / "tree")
    run = wslint("--isolated", "--fix", "--output-format", "github", ".", cwd=tree)
    assert run.code == 0, run.err
    assert_safe(run.out)
    assert_safe(run.err)
    assert "wslint: fixed aa\\x0a::stop-commands::pwned\\x0a.conf:5:9: WS101" in run.err
    assert "to location /ws/\\x0a::add-mask::X" in run.err
    for name in (NL_NAME, ESC_NAME, "loc.conf"):  # the files of those names were fixed
        assert "proxy_http_version 1.1;" in (tree / name).read_text(encoding="utf-8")


def test_diff_in_github_format_prints_names_and_values_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = fix_tree(tmp_path / "tree")
    run = wslint("--isolated", "--diff", "--output-format", "github", ".", cwd=tree)
    assert run.code == 1, run.err
    # the file's own line "::add-mask::X" is printed as it is, between stop-commands markers
    assert_safe(run.out)
    assert_safe(run.err)
    assert "to location /ws/\\x0a::add-mask::X" in run.err


def test_diff_quotes_hostile_names_and_patch_applies_it(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = fix_tree(tmp_path / "tree")
    run = wslint("--isolated", "--diff", ".", cwd=tree)
    assert run.code == 1, run.err
    headers = [line for line in run.out.split("\n") if line.startswith(("--- ", "+++ "))]
    assert '--- "aa\\n::stop-commands::pwned\\n.conf"' in headers
    assert '--- "esc\\033[31mred\\302\\2332J\\a.conf"' in headers
    assert not RAW_CONTROL.search("\n".join(headers))
    patch = shutil.which("patch")
    if patch is None:
        pytest.skip("GNU patch is not installed")
    subprocess.run([patch, "-p0", "--batch", "--quiet"], input=run.out, text=True, cwd=tree, check=True, timeout=60)
    for name in (NL_NAME, ESC_NAME, "loc.conf"):
        assert "proxy_http_version 1.1;" in (tree / name).read_text(encoding="utf-8")


def test_error_line_prints_a_missing_file_name_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    (tmp_path / "good.conf").write_text(BAD_NGINX, encoding="utf-8")
    missing = "missing\n::stop-commands::x\x1b]0;title\x07.conf"
    run = wslint("--isolated", "--output-format", "github", missing, "good.conf", cwd=tmp_path)
    assert run.code == 2
    assert_safe(run.out)
    assert_safe(run.err)
    errors = [line for line in run.err.split("\n") if line.startswith("wslint: error:")]
    assert errors == ["wslint: error: missing\\x0a::stop-commands::x\\x1b]0;title\\x07.conf: no such file or directory"]
    assert "good.conf:5:9: WS101" in run.out  # the other file is still linted


def test_bad_command_line_prints_its_values_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    run = wslint("--isolated", "--bogus\n::add-mask::x\x1b[2J", cwd=tmp_path)
    assert run.code == 2
    assert_safe(run.err)
    assert len(run.err.rstrip("\n").split("\n")) == 1


def test_symlink_target_is_shown_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside / "t\n::stop-commands::pwned\x1b[2J.conf"
    target.write_text(BAD_NGINX, encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.conf").write_text(BAD_NGINX, encoding="utf-8")
    os.symlink(target, tree / "link.conf")
    run = wslint("--isolated", "--output-format", "github", "tree", cwd=tmp_path)
    assert_safe(run.out)
    assert_safe(run.err)
    assert "t\\x0a::stop-commands::pwned\\x1b[2J.conf); not followed" in run.err


def test_show_files_prints_names_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    tree = hostile_tree(tmp_path / "tree")
    run = wslint("--isolated", "--show-files", ".", cwd=tree)
    assert run.code == 0, run.err
    assert_safe(run.out)
    assert "aa\\x0a::stop-commands::pwned\\x0a.conf\tnginx" in run.out.split("\n")
    assert "\\x3a:add-mask::lead.conf\tnginx" in run.out.split("\n")


# -- the escapes themselves ------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def unprintable(text: str) -> str:
    """The value ``printable`` showed: its escapes read back (any other backslash is itself)."""
    return _ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)), text)


def test_printable_examples() -> None:
    assert printable("location ~ \\.php$") == "location ~ \\.php$"  # a regex reads as written
    assert printable("a\\x1b") == "a\\\\x1b"  # ...unless it would read as an escape
    assert printable("a\\\x1b") == "a\\\\\\x1b"
    assert printable("  ::x") == "  \\x3a:x"
    assert printable("a::b") == "a::b"
    assert printable("a##[b]") == "a##\\x5bb]"
    assert printable("\udcff") == "\\udcff"  # a file name's undecodable byte


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\\", "x", ":", "#", "[", "u", " "])))
def test_printable_is_one_safe_line_and_reads_back(value: str) -> None:
    out = printable(value)
    assert not RAW_CONTROL.search(out)
    assert "##[" not in out
    assert not out.lstrip().startswith("::")
    assert unprintable(out) == value


@given(st.text())
def test_json_text_is_the_same_json(value: str) -> None:
    text = json_text(json.dumps({"v": value}, ensure_ascii=False))
    assert not RAW_CONTROL.search(text)
    assert "##[" not in text
    assert json.loads(text) == {"v": value}


def test_diff_path_leaves_ordinary_names_alone() -> None:
    assert diff_path("sites/a b.conf") == "sites/a b.conf"
    assert diff_path("a\\b.conf") == "a\\b.conf"
    assert diff_path('"q.conf') == '"\\"q.conf"'


def test_probe_error_lines_print_names_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    # the FILEs are linted before any connection: a missing one is an error line, and nothing is dialled
    missing = "m\n::stop-commands::x\x1b[2J.conf"
    run = wslint("probe", "--isolated", "ws://127.0.0.1:9/ws", missing, cwd=tmp_path)
    assert run.code == 2
    assert_safe(run.out)
    assert_safe(run.err)
    assert "wslint: error: m\\x0a::stop-commands::x\\x1b[2J.conf: no such file or directory" in run.err


def test_aws_and_rule_error_lines_print_values_as_data(tmp_path: Path, wslint: Callable[..., Run]) -> None:
    run = wslint("aws", "--name", "lb", "--config", "c\n::add-mask::x\x9b.toml", cwd=tmp_path)
    assert run.code == 2
    assert_safe(run.err)
    assert "c\\x0a::add-mask::x\\x9b.toml: config file not found" in run.err
    run = wslint("rule", "##[add-mask]x\x1b", cwd=tmp_path)
    assert run.code == 2
    assert_safe(run.err)
    assert len(run.err.rstrip("\n").split("\n")) == 1
