"""Atomic publication of a finished site folder, with a lock and clean-up of stale attempts.

The new site is built in a sibling folder `.<name>.partial-*`; when it is complete and
verified, it is exchanged with the published folder in one `renameat2(RENAME_EXCHANGE)`
call (Linux), so readers see either the old or the new site, never a mix.  A build that
dies leaves only a `.partial-*` folder, removed by the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from site_builder.fast.check_cache import own_folder

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def build_lock(out: Path, root: Path):
    """One build at a time into `out`.  The lock file never lands among the repository's files: for a
    site inside the repository it is kept in `.qms-cache/` (ignored by git), else beside the site."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = lock_file(out, root)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"qms: waiting for another build of {out} to finish ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def lock_file(out: Path, root: Path) -> Path:
    out, root = out.resolve(), root.resolve()
    if root in out.parents:
        return own_folder(root) / f"{out.relative_to(root).as_posix().replace('/', '%')}.lock"
    return out.parent / f".{out.name}.lock"


def new_partial(out: Path) -> Path:
    remove_stale(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))


def remove_stale(out: Path) -> None:
    for stale in out.parent.glob(f".{out.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(new_site: Path, out: Path) -> None:
    """Make `new_site` the content of `out` atomically; the old content is deleted afterwards."""
    _fsync_tree(new_site)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OSError(f"{out} exists and is not a folder; refusing to replace it")
    if not out.exists():
        os.rename(new_site, out)
        return
    if _exchange(new_site, out):
        shutil.rmtree(new_site, ignore_errors=True)  # now holds the previous site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "site")
    os.rename(new_site, out)
    shutil.rmtree(old, ignore_errors=True)


def _libc():
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _exchange(a: Path, b: Path) -> bool:
    libc = _libc()
    if libc is None:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _fsync_tree(root: Path) -> None:
    """Every file under `root` on disk before it is published.  One syncfs() of the file system holding
    it (Linux) instead of an fsync() per file: each fsync commits the file system's journal, and an
    auditor site with a long history has 40,000 files."""
    libc = _libc()
    syncfs = getattr(libc, "syncfs", None) if libc is not None else None
    if syncfs is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for directory, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
