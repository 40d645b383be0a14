"""Publication of an output set: a run's tables appear in --out all at once, never beside older ones.

A run builds its whole output set in a staging folder beside --out, named after it
(`.<name>.c2c-next`): the new tables, and everything else --out holds carried over by hard links
(the state in `.c2c/`, `runs.jsonl`, any file a person keeps there). Then one atomic operation swaps
the two folders: `renameat2(RENAME_EXCHANGE)` on Linux, `renamex_np(RENAME_SWAP)` on macOS. At every
moment --out is one complete set, the old or the new; the old set, now under the staging name, is
removed after the swap, or by the next run when this one is killed first.

Where the filesystem cannot exchange two folders, --out is renamed aside (`.<name>.c2c-old`) and the
staging folder renamed in: for an instant there is no --out at all (never a mixed one), and
`recover()` finishes or undoes a swap killed in between.

Nothing under --out is followed out of it: symbolic links c2c would write through are replaced
(`replace_planted_links`), links elsewhere are carried over as links, never read through.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

STATE_DIR = ".c2c"
# What c2c writes under --out besides the tables; a symbolic link at one of these is replaced.
WRITTEN_PATHS = (STATE_DIR, f"{STATE_DIR}/docs", f"{STATE_DIR}/crops", f"{STATE_DIR}/gazetteer", f"{STATE_DIR}/lock",
                 f"{STATE_DIR}/manifest.json", f"{STATE_DIR}/proposals.json", "runs.jsonl")


def checkpoint(name: str) -> None:
    """Test hook for the kill-point test: when the environment variable C2C_STOP_AT is `name`, the
    process stops itself here (SIGSTOP), so that a test can kill it at exactly this moment."""
    if os.environ.get("C2C_STOP_AT") == name:
        os.kill(os.getpid(), signal.SIGSTOP)


def staging_folder(out: Path) -> Path:
    return out.parent / f".{out.name}.c2c-next"


def _aside_folder(out: Path) -> Path:
    return out.parent / f".{out.name}.c2c-old"


def _remove(path: Path) -> None:
    """Remove a folder tree, or a link or file at its name (a link is never followed)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recover(out: Path) -> None:
    """Finish or undo what a killed publication left beside `out`, then remove the leftovers.

    Only the fallback (two renames) can leave `out` missing: then the staging folder is renamed in
    when it is complete (its manifest is written last), else the old set is put back."""
    staging, aside = staging_folder(out), _aside_folder(out)
    if not os.path.lexists(out) and aside.is_dir() and not aside.is_symlink():
        complete = staging.is_dir() and not staging.is_symlink() and (staging / STATE_DIR / "manifest.json").is_file()
        os.rename(staging if complete else aside, out)
    for leftover in (staging, aside):
        if os.path.lexists(leftover):
            _remove(leftover)


def new_staging(out: Path) -> Path:
    """An empty staging folder beside `out` (what a killed run left there is removed first)."""
    staging = staging_folder(out)
    if os.path.lexists(staging):
        _remove(staging)
    staging.mkdir()
    os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
    return staging


def replace_planted_links(out: Path, log: Callable[[str], None]) -> None:
    """A symbolic link where c2c writes under `out` (runs.jsonl, .c2c/ and its files) would make it
    write, append or delete outside `out`: the link is removed (its target is left alone) and c2c
    writes a file or folder of its own there."""
    for rel in WRITTEN_PATHS:
        path = out / rel
        if path.is_symlink():
            target = os.readlink(path)
            path.unlink()
            log(f"c2c: warning: {path} was a symbolic link (to {target}); c2c follows no link under --out: "
                "it is replaced by a file of its own")


def carry_over(out: Path, staging: Path, skip: Iterable[str], keep_docs: set[str]) -> None:
    """Copy what `out` holds besides the tables into `staging`, by hard links (no data is copied).

    `skip`: top-level names not to carry (the tables this run replaces, the files it writes anew);
    `keep_docs`: the cached extractions still in use (the others are left behind, which is the
    cache's pruning). Symbolic links are copied as links, never followed.
    """
    skip = set(skip)

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        if here == out:
            return {n for n in names if n in skip or n.startswith(".emit-")}
        if here == out / STATE_DIR:
            return {"manifest.json", "proposals.json"} & set(names) | {n for n in names if n.startswith(".")}
        if here == out / STATE_DIR / "docs":
            return {n for n in names if n not in keep_docs or (here / n).is_symlink()}
        return set()

    shutil.copytree(out, staging, symlinks=True, ignore=ignore, copy_function=_link_or_copy, dirs_exist_ok=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # a filesystem without hard links, a file another account owns
        shutil.copy2(source, target, follow_symlinks=False)


def swap(staging: Path, out: Path) -> None:
    """Put the set in `staging` at `out` in one atomic operation; the old set ends up at `staging`."""
    _fsync_tree(staging)
    if not _exchange(staging, out):
        aside = _aside_folder(out)
        if os.path.lexists(aside):
            _remove(aside)
        os.rename(out, aside)
        checkpoint("fallback-aside")
        os.rename(staging, out)
        os.rename(aside, staging)
    _fsync_dir(out.parent)


def remove_old(out: Path) -> None:
    """Remove the old set, which the swap left under the staging name."""
    staging = staging_folder(out)
    if os.path.lexists(staging / STATE_DIR):
        _remove(staging / STATE_DIR)  # the bulk (cached extractions) first
    checkpoint("removing-old")
    if os.path.lexists(staging):
        _remove(staging)


_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h
_AT_FDCWD = -100
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}
_EXCHANGE_DISABLED = False  # set by tests of the fallback


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False where this system or filesystem cannot."""
    if _EXCHANGE_DISABLED:
        return False
    import ctypes  # only when a set is published: a run with nothing new does without

    libc = ctypes.CDLL(None, use_errno=True)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in _UNSUPPORTED:
        return False
    raise OSError(error, os.strerror(error), str(b))


def _fsync_tree(folder: Path) -> None:
    """The new set reaches the disk before it is published (a power cut must not publish holes).
    The tables were synced by the emitter; here the folders' entries."""
    for dirpath, _, _ in os.walk(folder):
        _fsync_dir(Path(dirpath))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
