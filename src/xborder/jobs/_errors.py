"""The errors of sync jobs, under :class:`~xborder.errors.XborderError`.

::

    XborderError
    ├── ConfigurationError
    │   └── JobConfigError            a job's configuration file or arguments are wrong
    └── JobError                      a sync job cannot run
        ├── ShardLockedError          the shard is running elsewhere (or another n is)
        └── EventLoopError            run() called inside a running event loop: use arun()
"""

from __future__ import annotations

from xborder.errors import ConfigurationError, XborderError

__all__ = ["EventLoopError", "JobConfigError", "JobError", "ShardLockedError"]


class JobError(XborderError):
    """A sync job cannot run."""


class ShardLockedError(JobError):
    """The shard is being run by another job on the same state (or with another shard count).

    ``shard`` is the ``(index, count)`` asked for; ``holder`` describes who holds the lock
    when known (host and process id; never a credential).
    """

    def __init__(self, message: str, *, shard: tuple[int, int], holder: str | None = None):
        super().__init__(message)
        self.shard = shard
        self.holder = holder


class EventLoopError(JobError, RuntimeError):
    """``run()`` was called inside a running event loop; ``await job.arun()`` there."""


class JobConfigError(ConfigurationError):
    """A job's configuration (file or arguments) is wrong; the message names the key."""
