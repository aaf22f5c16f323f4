"""Directory walks leave out what git ignores (.gitignore, .ignore, .git/info/exclude), as ruff does (issue 20, 4).

Files named on the command line are linted anyway; ``--no-respect-gitignore`` and ``respect-gitignore = false``
turn it off; ``--show-files`` lists what a lint reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

# findings (WS101 ...): the WebSocket location does not forward the upgrade
SITE = "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository with generated/ and .cache/ ignored at its root, and a nested .gitignore with a negation."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    for name in ("site.conf", "generated/out.conf", ".cache/c.conf", "sub/keep.conf", "sub/drop.conf", "sub/x.conf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(SITE)
    (tmp_path / ".gitignore").write_text("generated/\n.cache/\n")
    (tmp_path / "sub" / ".gitignore").write_text("*.conf\n!keep.conf\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("sub/x.conf\n")
    return tmp_path


def shown(run: Run) -> list[str]:
    return [line.split("\t")[0] for line in run.out.splitlines()]


def test_walk_leaves_out_ignored_files(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "--show-files", ".", cwd=tree)
    assert run.code == 0 and shown(run) == ["site.conf", "sub/keep.conf"]
    lint = wslint("--isolated", "--output-format", "json", ".", cwd=tree)
    assert lint.code == 1
    assert sorted({f["file"] for f in json.loads(lint.out)["findings"]}) == ["site.conf", "sub/keep.conf"]


def test_parent_gitignore_applies_to_a_walked_subdirectory(wslint: Callable[..., Run], tree: Path) -> None:
    (tree / "sub" / "generated").mkdir()
    (tree / "sub" / "generated" / "keep.conf").write_text(SITE)  # generated/ at the root matches at any depth
    run = wslint("--isolated", "--show-files", ".", cwd=tree / "sub")
    assert shown(run) == ["keep.conf"]


def test_ignore_file_wins_over_gitignore(wslint: Callable[..., Run], tree: Path) -> None:
    (tree / ".ignore").write_text("!generated/\n")
    run = wslint("--isolated", "--show-files", ".", cwd=tree)
    assert shown(run) == ["site.conf", "generated/out.conf", "sub/keep.conf"]


def test_flag_and_config_key_turn_it_off(wslint: Callable[..., Run], tree: Path) -> None:
    every = [".cache/c.conf", "generated/out.conf", "site.conf", "sub/drop.conf", "sub/keep.conf", "sub/x.conf"]
    run = wslint("--isolated", "--show-files", "--no-respect-gitignore", ".", cwd=tree)
    assert run.code == 0 and sorted(shown(run)) == every
    (tree / "wslint.toml").write_text("respect-gitignore = false\n")
    assert sorted(shown(wslint("--show-files", ".", cwd=tree))) == every
    assert json.loads(wslint("--show-settings", cwd=tree).out)["respect-gitignore"] is False


def test_named_ignored_file_and_directory_are_linted(wslint: Callable[..., Run], tree: Path) -> None:
    run = wslint("--isolated", "--output-format", "json", "generated/out.conf", "sub/drop.conf", cwd=tree)
    assert run.code == 1
    assert sorted({f["file"] for f in json.loads(run.out)["findings"]}) == ["generated/out.conf", "sub/drop.conf"]
    assert shown(wslint("--isolated", "--show-files", "generated", cwd=tree)) == ["generated/out.conf"]


def test_gitignore_outside_a_repository_is_not_read(wslint: Callable[..., Run], tree: Path) -> None:
    """As git (and ruff's walker) do: a .gitignore means something only inside a repository; .ignore always does."""
    (tree / ".git" / "info" / "exclude").unlink()
    (tree / ".git" / "info").rmdir()
    (tree / ".git").rmdir()
    assert len(shown(wslint("--isolated", "--show-files", ".", cwd=tree))) == 6
    (tree / ".ignore").write_text("generated/\n")
    assert "generated/out.conf" not in shown(wslint("--isolated", "--show-files", ".", cwd=tree))


def test_walk_without_ignore_files_does_not_import_pathspec(tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE)
    code = (
        "import sys\nfrom wslint.cli import main\nmain(['--isolated', '--exit-zero', sys.argv[1]])\n"
        "print('PATHSPEC', 'pathspec' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert "PATHSPEC False" in proc.stderr, proc.stderr
