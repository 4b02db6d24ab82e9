"""Shard locks: one run per shard at a time, and one shard count at a time.

File locks (``flock``) beside the state file, held for as long as a run lasts: a crashed
run's lock goes with its process, so nothing is ever left locked. An in-memory state store
(tests) uses :class:`MemoryLocks` instead.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from xborder.jobs._errors import ShardLockedError
from xborder.jobs._shard import Shard

__all__ = ["MemoryLocks", "file_lock"]


@contextlib.contextmanager
def file_lock(folder: Path, shard: Shard, what: str) -> Iterator[None]:
    """Hold ``shard`` with a lock file in ``folder`` while the block runs.

    Raises :class:`ShardLockedError` if the same shard is held (by any process), or if a
    shard of another count is (two partitions would overlap). ``what`` names the state
    in messages.
    """
    folder.mkdir(exist_ok=True)
    mine = folder / f"shard-{shard.index}-of-{shard.count}.lock"
    handle = _FileLock.acquire(mine)
    if handle is None:
        raise ShardLockedError(
            f"shard {shard} of {what} is already running ({_holder(mine)}); wait for it to finish",
            shard=shard.as_tuple(),
            holder=_holder(mine),
        )
    try:
        handle.record(f"{socket.gethostname()} pid {os.getpid()}")
        for other in sorted(folder.glob("shard-*-of-*.lock")):
            count = other.stem.rsplit("-", 1)[-1]
            if count == str(shard.count):
                continue
            probe = _FileLock.acquire(other)
            if probe is None:
                running = other.stem.removeprefix("shard-").replace("-of-", "/")
                raise ShardLockedError(
                    f"{what} is being synced as shard {running} ({_holder(other)}); "
                    f"a run with {shard.count} shards would overlap it",
                    shard=shard.as_tuple(),
                    holder=_holder(other),
                )
            probe.release()
        yield
    finally:
        handle.release()


class MemoryLocks:
    """The same rules within one process, for a store that has no file."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def hold(self, shard: Shard) -> Iterator[None]:
        """Hold ``shard`` while the block runs (see :func:`file_lock`)."""
        name = str(shard)
        with self._guard:
            if name in self._held:
                raise ShardLockedError(
                    f"shard {shard} is already running on this store", shard=shard.as_tuple()
                )
            counts = {held.split("/")[1] for held in self._held}
            if counts - {str(shard.count)}:
                raise ShardLockedError(
                    f"this store is being synced with another shard count ({', '.join(counts)})",
                    shard=shard.as_tuple(),
                )
            self._held.add(name)
        try:
            yield
        finally:
            with self._guard:
                self._held.discard(name)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "holder unknown"


class _FileLock:
    """An exclusive lock on a file, released when the holder closes it or its process ends."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    @classmethod
    def acquire(cls, path: Path) -> _FileLock | None:
        """Lock ``path`` without waiting; None when another holder has it."""
        handle = path.open("a+", encoding="utf-8")
        try:
            _try_lock(handle)
        except OSError:
            handle.close()
            return None
        return cls(handle)

    def record(self, text: str) -> None:
        """Write who holds the lock into the file (for the message others get)."""
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(text)
        self._handle.flush()

    def release(self) -> None:
        """Release the lock."""
        self._handle.close()


if sys.platform == "win32":  # pragma: no cover - the test machines are POSIX
    import msvcrt

    def _try_lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> None:
        # flock, not lockf: flock locks belong to the open file, so two opens in one process
        # conflict too (two jobs in one worker process are refused like two processes).
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
