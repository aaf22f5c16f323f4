"""`--fix` never destroys a file (issue 17): a kill or a failed write leaves the old text or the new one,
a file changed since the lint read it is not overwritten, read-only files and hard links are not written
through, mode and owner are kept, and the count line claims only the fixes written. Plus: `--diff` on a
file with a BOM applies with `patch -p0` without fuzz.

Through the real CLI in subprocesses (kills, file size limits), and in-process where a file must change
at one exact moment (between the lint and the write).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

Wslint = Callable[..., Run]
pytestmark = pytest.mark.timeout(180)

SITE = """\
server {
    listen 127.0.0.1:18080;
    location /ws/ {
        proxy_pass http://127.0.0.1:8080;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 1h;
    }
}
"""
FIXED_LINE = "        proxy_http_version 1.1;\n"
ARGS = ("--isolated", "--ping-interval", "25s")


def padded(lines: int) -> str:
    """SITE and a long comment after it: a file big enough that writing it takes a while (about 64 bytes a line)."""
    return SITE + "".join(f"# padding {i:07d} {'x' * 44}\n" for i in range(lines))


def temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".wslint-" in p.name)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return env


# -- a kill during the write ------------------------------------------------------------------------------


def _writing(path: Path, before: os.stat_result) -> bool:
    """Has wslint started writing: a temporary file beside ``path``, or ``path`` itself changed?"""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return True
    if (now.st_size, now.st_mtime_ns, now.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino):
        return True
    return any(name.startswith(f".{path.name}.wslint-") for name in os.listdir(path.parent))


def _kill_when(proc: subprocess.Popen[bytes], path: Path, delay: float | None, deadline: float) -> None:
    """SIGKILL ``proc`` after ``delay`` seconds, or (None) as soon as it starts writing ``path``."""
    before = os.stat(path)
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() < deadline:
        if (delay is None and _writing(path, before)) or (delay is not None and time.monotonic() - start >= delay):
            break
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_kill_during_the_write_leaves_the_old_or_the_new_text(tmp_path: Path) -> None:
    """SIGKILL as soon as the write starts, and at random points of the run: the file is never partial."""
    old = padded(50_000).encode("utf-8")
    path = tmp_path / "big.conf"
    path.write_bytes(old)
    argv = [sys.executable, "-m", "wslint", *ARGS, "--fix", path.name]
    started = time.monotonic()
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, env=_env(), timeout=120)
    whole_run = time.monotonic() - started
    new = path.read_bytes()
    assert done.returncode == 0, done.stderr.decode()
    assert new != old and new.replace(FIXED_LINE.encode(), b"", 1) == old
    rng = random.Random(17)
    outcomes: list[str] = []
    budget = time.monotonic() + 60
    for attempt in range(12):
        if attempt >= 6 and time.monotonic() > budget:
            break
        path.write_bytes(old)
        for name in temporaries(tmp_path):  # what an earlier kill left: hidden, and never linted (see below)
            (tmp_path / name).unlink()
        proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        # even attempts: the moment the write starts; odd ones: anywhere in the run
        delay = None if attempt % 2 == 0 else rng.uniform(0.5, 1.2) * whole_run
        _kill_when(proc, path, delay, time.monotonic() + 120)
        data = path.read_bytes()
        assert data in (old, new), f"attempt {attempt}: {len(data)} bytes, neither the old text nor the new"
        outcomes.append("old" if data == old else "new")
    assert outcomes, "no attempt ran"


def test_a_temporary_file_left_by_a_kill_is_not_linted(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text(SITE, encoding="utf-8")
    (tmp_path / ".site.conf.wslint-k2j_9x1a.tmp").write_text(SITE, encoding="utf-8")
    run = wslint("--isolated", "--show-files", ".", cwd=tmp_path)
    assert run.code == 0 and run.out.splitlines() == ["site.conf\tnginx"], run.out + run.err


# -- a failed write -----------------------------------------------------------------------------------------


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failed_write_leaves_the_original_untouched(tmp_path: Path) -> None:
    """A file size limit below the file (as a full disk): the original stays, exit 2, no fix claimed."""
    old = padded(40_000).encode("utf-8")  # about 2.5 MB
    path = tmp_path / "big.conf"
    path.write_bytes(old)
    proc = subprocess.run(
        [sys.executable, "-m", "wslint", *ARGS, "--fix", path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        preexec_fn=_file_size_limit(1024 * 1024),  # a resource limit for the child alone
    )
    assert proc.returncode == 2, proc.stderr
    assert path.read_bytes() == old
    assert temporaries(tmp_path) == []
    err = proc.stderr.splitlines()
    assert "wslint: not fixed big.conf:3:5: WS101" in proc.stderr, proc.stderr
    assert not any(line.startswith("wslint: fixed ") for line in err), proc.stderr
    assert "wslint: 0 findings fixed in 0 files, 1 not fixed" in err, proc.stderr
    assert any(line.startswith("wslint: error: big.conf ") for line in err), proc.stderr
    assert "big.conf:3:5: WS101" in proc.stdout  # what remains is the file as it is


# -- a file that changed since the lint read it -----------------------------------------------------------


def _main_with(monkeypatch: pytest.MonkeyPatch, between: Callable[[], None], *argv: str) -> tuple[int, str, str]:
    """The CLI in-process, with ``between()`` run after the lint and the fixes, before anything is written."""
    from wslint import fix
    from wslint.cli import main

    real_run = fix.run

    def run_then_change(*args: Any, **kwargs: Any) -> fix.Outcome:
        outcome = real_run(*args, **kwargs)
        between()
        return outcome

    monkeypatch.setattr(fix, "run", run_then_change)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text + "# a line another process appends\n", id="appended"),
        pytest.param(lambda text: "# two lines\n# another process added\n" + text, id="lines-added-above"),
        pytest.param(lambda text: text.replace("1h", "2h"), id="same-size"),
    ],
)
def test_a_file_changed_since_the_lint_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[str], str]
) -> None:
    path = tmp_path / "site.conf"
    path.write_text(SITE, encoding="utf-8")
    changed = change(SITE)
    monkeypatch.chdir(tmp_path)
    stamp = os.stat(path)

    def edit() -> None:
        path.write_text(changed, encoding="utf-8")
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # the same mtime: only the bytes tell

    code, _out, err = _main_with(monkeypatch, edit, *ARGS, "--fix", "site.conf")
    assert code == 2, err
    assert path.read_text(encoding="utf-8") == changed  # the other process's text, not lost, not edited
    assert "wslint: not fixed site.conf:3:5: WS101" in err and "changed since wslint read it" in err, err
    assert "wslint: 0 findings fixed in 0 files, 1 not fixed" in err.splitlines(), err
    assert temporaries(tmp_path) == []


# -- files wslint must not replace --------------------------------------------------------------------------


def test_a_read_only_file_is_not_written_even_by_root(wslint: Wslint, tmp_path: Path) -> None:
    path = tmp_path / "site.conf"
    path.write_text(SITE, encoding="utf-8")
    path.chmod(0o444)
    run = wslint(*ARGS, "--fix", "site.conf", cwd=tmp_path)
    assert run.code == 2, run.err
    assert path.read_text(encoding="utf-8") == SITE and (path.stat().st_mode & 0o777) == 0o444
    assert "wslint: error: site.conf is read-only" in run.err, run.err
    assert "wslint: 0 findings fixed in 0 files, 1 not fixed" in run.err.splitlines(), run.err
    assert temporaries(tmp_path) == []


def test_a_hard_link_is_not_written_through(wslint: Wslint, tmp_path: Path) -> None:
    """A rename would split the link: the other name (here outside the linted tree) would keep the old text."""
    (tmp_path / "tree").mkdir()
    (tmp_path / "elsewhere").mkdir()
    path = tmp_path / "tree" / "site.conf"
    path.write_text(SITE, encoding="utf-8")
    os.link(path, tmp_path / "elsewhere" / "site.conf")
    run = wslint(*ARGS, "--fix", "tree", cwd=tmp_path)
    assert run.code == 2, run.err
    assert path.read_text(encoding="utf-8") == SITE
    assert os.path.samefile(path, tmp_path / "elsewhere" / "site.conf")
    assert "hard links" in run.err and "not fixed tree/site.conf:3:5: WS101" in run.err, run.err


def test_a_symlink_stays_a_link_to_the_fixed_file(wslint: Wslint, tmp_path: Path) -> None:
    (tmp_path / "sites-available").mkdir()
    target = tmp_path / "sites-available" / "site.conf"
    target.write_text(SITE, encoding="utf-8")
    link = tmp_path / "site.conf"
    link.symlink_to(target)
    run = wslint(*ARGS, "--fix", "site.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert FIXED_LINE in target.read_text(encoding="utf-8")


def test_mode_and_owner_are_kept(wslint: Wslint, tmp_path: Path) -> None:
    path = tmp_path / "site.conf"
    path.write_text(SITE, encoding="utf-8")
    path.chmod(0o640)
    as_root = os.geteuid() == 0
    if as_root:
        os.chown(path, 1234, 2345)
    run = wslint(*ARGS, "--fix", "site.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    st = path.stat()
    assert FIXED_LINE in path.read_text(encoding="utf-8")
    assert st.st_mode & 0o7777 == 0o640
    if as_root:
        assert (st.st_uid, st.st_gid) == (1234, 2345)
    assert temporaries(tmp_path) == []


MAIN = """\
events {}
http {
    include sites/*.conf;
}
"""
SITE_WITHOUT_CONNECTION = SITE.replace('        proxy_set_header Connection "upgrade";\n', "").replace(
    "    location", "    proxy_http_version 1.1;\n    location"
)


def test_a_fix_over_two_files_is_written_whole_or_not_at_all(wslint: Wslint, tmp_path: Path) -> None:
    """The Connection header in the site and the map it needs in nginx.conf: one file cannot be written, neither is."""
    (tmp_path / "sites").mkdir()
    (tmp_path / "nginx.conf").write_text(MAIN, encoding="utf-8")
    (tmp_path / "sites" / "a.conf").write_text(SITE_WITHOUT_CONNECTION, encoding="utf-8")
    preview = wslint(*ARGS, "--diff", ".", cwd=tmp_path)
    assert "+++ nginx.conf" in preview.out and "+++ sites/a.conf" in preview.out, preview.out + preview.err
    (tmp_path / "nginx.conf").chmod(0o444)
    run = wslint(*ARGS, "--fix", ".", cwd=tmp_path)
    assert run.code == 2, run.err
    assert (tmp_path / "nginx.conf").read_text(encoding="utf-8") == MAIN
    assert (tmp_path / "sites" / "a.conf").read_text(encoding="utf-8") == SITE_WITHOUT_CONNECTION
    assert "sites/a.conf has fixes that go with those in nginx.conf" in run.err, run.err
    assert not any(line.startswith("wslint: fixed ") for line in run.err.splitlines()), run.err


# -- --diff on a file with a BOM ----------------------------------------------------------------------------


def test_the_diff_of_a_file_with_a_bom_applies_with_patch(wslint: Wslint, tmp_path: Path) -> None:
    """The hunk starts at line 1, whose first bytes are the BOM: patch -p0 applies it without fuzz."""
    data = ("\ufeff" + SITE.replace("    listen 127.0.0.1:18080;\n", "")).encode("utf-8")
    (tmp_path / "site.conf").write_bytes(data)
    run = wslint(*ARGS, "--diff", "site.conf", cwd=tmp_path)
    assert run.code == 1 and run.out.startswith("--- site.conf"), run.err
    patched = subprocess.run(
        ["patch", "-p0", "-F0"], input=run.out.encode("utf-8"), cwd=tmp_path, capture_output=True, timeout=30
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    via_patch = (tmp_path / "site.conf").read_bytes()
    (tmp_path / "site.conf").write_bytes(data)
    assert wslint(*ARGS, "--fix", "site.conf", cwd=tmp_path).code == 0
    assert via_patch == (tmp_path / "site.conf").read_bytes()
    assert via_patch.startswith(b"\xef\xbb\xbf")


@pytest.fixture(autouse=True)
def _writable(tmp_path: Path) -> Iterator[None]:
    """Read-only files made by a test are made writable again, so that tmp_path can be removed."""
    yield
    for path in tmp_path.rglob("*"):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)


def test_a_sigterm_during_the_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM (a service manager, a CI timeout) as soon as the write starts: old or new text, nothing left beside."""
    old = padded(50_000).encode("utf-8")
    path = tmp_path / "big.conf"
    argv = [sys.executable, "-m", "wslint", *ARGS, "--fix", path.name]
    for attempt in range(3):
        path.write_bytes(old)
        proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        before = os.stat(path)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not _writing(path, before):
            pass
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        data = path.read_bytes()
        assert data == old or data.replace(FIXED_LINE.encode(), b"", 1) == old, f"attempt {attempt}: partial"
        assert temporaries(tmp_path) == [], f"attempt {attempt}"
