"""Asynchronous jobs of a fake marketplace (feeds, batch handles), kept in its store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from xborder.clock import Clock
from xborder.testing._store import Store

__all__ = ["Job", "Jobs"]

_JOBS: Final = "_jobs"


@dataclass(slots=True)
class Job:
    """An asynchronous job of a fake (a feed, a batch handle), persisted in its store.

    It finishes on its ``finish_after_polls``-th poll or once the clock reaches
    ``finish_at`` (ISO 8601), whichever comes first; ``never`` (a ``never_finishes``
    fault) keeps it in progress for good. ``result`` is what
    :meth:`FakeMarketplace.complete_job` returned when it finished.
    """

    id: str
    kind: str
    payload: Any
    created_at: str
    status: Literal["in_progress", "done"] = "in_progress"
    polls: int = 0
    finish_after_polls: int | None = None
    finish_at: str | None = None
    never: bool = False
    result: Any = None

    @property
    def done(self) -> bool:
        """Whether the job has finished."""
        return self.status == "done"


class Jobs:
    """The jobs of one fake, persisted in its store under the ``_jobs`` namespace."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def start(
        self,
        kind: str,
        payload: Any,
        *,
        polls: int | None,
        seconds: float | None = None,
        job_id: str | None = None,
        never: bool = False,
    ) -> Job:
        """Store a new job that finishes on its ``polls``-th poll or ``seconds`` from now."""
        now = self._clock.now()
        job = Job(
            id=job_id or str(self._store.next_id(_JOBS)),
            kind=kind,
            payload=payload,
            created_at=now.isoformat(),
            finish_after_polls=polls,
            finish_at=None if seconds is None else (now + timedelta(seconds=seconds)).isoformat(),
            never=never,
        )
        self._save(job)
        return job

    def get(self, job_id: str) -> Job | None:
        """Return the job ``job_id`` without polling it, or None."""
        record = self._store.get(_JOBS, job_id)
        return None if record is None else Job(**record)

    def all(self, kind: str | None = None) -> list[Job]:
        """Return the jobs (of ``kind``), oldest first."""
        found = [Job(**record) for _, record in self._store.items(_JOBS)]
        found.sort(key=lambda job: (job.created_at, _natural(job.id)))
        return [job for job in found if kind is None or job.kind == kind]

    def poll(self, job_id: str, complete: Callable[[Job], Any]) -> Job | None:
        """Count one poll; when due, finish the job with ``complete(job)`` as its result."""
        job = self.get(job_id)
        if job is None or job.done:
            return job
        job.polls += 1
        finish_at = job.finish_at
        due = (job.finish_after_polls is not None and job.polls >= job.finish_after_polls) or (
            finish_at is not None and self._clock.now() >= datetime.fromisoformat(finish_at)
        )
        if due and not job.never:
            job.result = complete(job)
            job.status = "done"
        self._save(job)
        return job

    def _save(self, job: Job) -> None:
        self._store.put(_JOBS, job.id, asdict(job))


def _natural(text: str) -> tuple[int, str]:
    # Numeric ids sort as numbers ("10" after "9") among jobs started in the same instant.
    return (int(text), "") if text.isdigit() else (0, text)
