"""Writing the fixes (``--fix``) so that no file is ever lost, cut short or overwritten behind a user's back.

The bytes a fix is made on are the bytes the lint read (``Snapshot``): every file is read from
disk once, and the lint, the fixes and the check before writing all see those bytes. Each file
is written as editors do: the new text to a hidden temporary file in the same directory
(``.NAME.wslint-XXXXXXXX.tmp``), flushed and fsynced, with the original's mode (and owner and
group where permitted), then renamed over the original (``os.replace``: atomic on one file
system), and the directory fsynced. A kill at any point leaves the old text or the new one,
never a mix; a failed write (disk full, a file size limit) leaves the original untouched.

A file is not written (and its fixes are not counted as made) when:

- it changed since the lint read it (size, mtime, inode, then the bytes themselves, checked
  just before the rename): the fixes were made on a text that is no longer there;
- it is read-only (no write bit for anyone, or not writable by this user), even for root;
- it has several hard links: a rename would give this name the new text and leave the others
  with the old one, silently splitting the file in two (wslint cannot see whether every other
  name is one it was asked to fix);
- its owner cannot be kept (a file of another user that this user may write): the new file
  would change hands;
- a file its fixes go with (a ``map`` added to nginx.conf for a ``Connection`` header in a site
  file) is not written: half of such a fix would break the config.

Every file is prepared (its temporary file written) before any is renamed, so a write that fails
for lack of space stops that file and the files its fixes go with before anything is replaced.
The one window left is between the check of a file and its rename (microseconds): a write by
another process landing exactly there is lost, as with any editor.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import FrameType

TEMP_PREFIX = ".wslint-"  # a temporary file: "." + NAME + TEMP_PREFIX + random + TEMP_SUFFIX (discover.FIX_TEMPORARY)
TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class Seen:
    """A file as the lint read it: its bytes, and what identifies that version on disk."""

    data: bytes
    size: int
    mtime_ns: int
    ino: int
    dev: int

    def same_stat(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) == (self.size, self.mtime_ns, self.ino, self.dev)


class Snapshot(dict[str, bytes]):
    """The contents the lint reads files through (its ``stdin`` overlay), by real path.

    A regular file is read from disk on first use and kept, with its stat (``seen``): a later
    look-up, by the lint's next round or by a fix, gets the same bytes. A file that is not a
    regular file, is over ``max_size`` or cannot be read is left to the reader as before (``in``
    says False), which reports it as it always did.
    """

    def __init__(self, given: dict[str, bytes], max_size: int) -> None:
        super().__init__(given)
        self.max_size = max_size
        self.seen: dict[str, Seen] = {}
        self._refused: set[str] = set()

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        if not isinstance(key, str) or key in self._refused:
            return False
        seen = _load(key, self.max_size)
        if seen is None:
            self._refused.add(key)
            return False
        self.seen[key] = seen
        dict.__setitem__(self, key, seen.data)
        return True

    def __bool__(self) -> bool:  # readers take ``stdin or {}``: an empty snapshot is still the one to read through
        return True

    def __missing__(self, key: str) -> bytes:
        if key in self:  # loads it
            return dict.__getitem__(self, key)
        raise KeyError(key)


def _load(real: str, max_size: int) -> Seen | None:
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):  # a FIFO would block the open; a device is no config
            return None
        with open(real, "rb") as handle:
            before = os.fstat(handle.fileno())
            if before.st_size > max_size:
                return None
            data = handle.read(max_size + 1)
            after = os.fstat(handle.fileno())
    except OSError:
        return None
    if len(data) > max_size:
        return None
    # a file written while it was read has a stat that no longer matches: the check before the rename refuses it
    stamp = before if len(data) == before.st_size and before.st_mtime_ns == after.st_mtime_ns else None
    size = stamp.st_size if stamp else -1
    return Seen(data, size, after.st_mtime_ns, after.st_ino, after.st_dev)


@dataclass
class Prepared:
    file: str  # as the report names it
    real: str
    temp: str


class Refused(Exception):
    """A file that is not written: the message says why, after the file's name (\"is read-only: ...\")."""


def check_writable(file: str, real: str, seen: Seen | None) -> os.stat_result:
    """The original's stat, when it may be replaced; Refused when not."""
    try:
        st = os.lstat(real)
    except OSError as exc:
        raise Refused(f"cannot be read again before writing: {exc.strerror or exc}") from None
    if seen is None or not stat.S_ISREG(st.st_mode) or not seen.same_stat(st):
        raise Refused("changed since wslint read it: run wslint --fix again")
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise Refused("is read-only: make it writable to fix it")
    if st.st_nlink > 1:
        raise Refused(
            f"has {st.st_nlink} hard links, and a fix would give this name a new file and leave the others"
            " the old one: fix a copy, or break the links"
        )
    return st


def prepare(file: str, real: str, data: bytes, seen: Seen | None) -> Prepared:
    """The new text in a temporary file beside the original, synced, with the original's mode and owner."""
    st = check_writable(file, real, seen)
    directory, name = os.path.split(real)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{name}{TEMP_PREFIX}", suffix=TEMP_SUFFIX, dir=directory)
    except OSError as exc:
        raise Refused(f"cannot be written: cannot create a file in {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            _keep_owner(handle.fileno(), st)
            os.fchmod(handle.fileno(), stat.S_IMODE(st.st_mode))
    except Refused:
        _remove(temp)
        raise
    except OSError as exc:
        _remove(temp)
        raise Refused(f"cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        _remove(temp)
        raise
    return Prepared(file, real, temp)


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """The original's owner and group where permitted; Refused when the owner would change."""
    for uid in (st.st_uid, -1):
        try:
            os.fchown(fd, uid, st.st_gid)
            break
        except PermissionError:
            continue
    if os.fstat(fd).st_uid != st.st_uid:
        raise Refused(f"belongs to user {st.st_uid}, and a new file written by wslint would not")


def commit(prepared: Prepared, seen: Seen | None) -> None:
    """Rename the temporary file over the original, if the original is still the text the lint read."""
    try:
        check_writable(prepared.file, prepared.real, seen)
        if seen is None or _read(prepared.real) != seen.data:
            raise Refused("changed since wslint read it: run wslint --fix again")
        os.replace(prepared.temp, prepared.real)
    except Refused:
        _remove(prepared.temp)
        raise
    except OSError as exc:
        _remove(prepared.temp)
        raise Refused(f"cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        _remove(prepared.temp)
        raise
    _sync_directory(os.path.dirname(prepared.real))


def discard(prepared: Iterable[Prepared]) -> None:
    for item in prepared:
        _remove(item.temp)


def _read(real: str) -> bytes:
    with open(real, "rb") as handle:
        return handle.read()


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_directory(directory: str) -> None:
    """The rename made durable (a crash after it keeps the new name); some file systems cannot: no matter."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGHUP while files are written end the run by an exception, which removes the temporary files.

    (Their default action ends the process on the spot, leaving a temporary file behind; SIGKILL cannot be
    caught: what it leaves is hidden, and discovery skips it.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
