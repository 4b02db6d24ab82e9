"""Shards: a stable partition of a catalog by SKU, so several workers can share one job.

``shard_of(sku, n)`` is the same in every process, on every machine and Python version
(SHA-256, never Python's salted ``hash()``), so shard ``i`` of ``n`` always holds the same
SKUs and a job can be split across Celery tasks, cron hosts or containers.

>>> shard_of("MUG-01", 4)
0
>>> Shard.parse("3/4")
Shard(index=3, count=4)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

__all__ = ["MAX_SHARDS", "Shard", "shard_of", "sku_hash"]

#: The most shards a job may be split into (a lock file is kept per shard count in use).
MAX_SHARDS: Final = 4096

_MASK: Final = (1 << 63) - 1


def sku_hash(sku: str) -> int:
    """Return a stable 63-bit hash of ``sku`` (the first 8 bytes of its SHA-256).

    63 bits, so the value fits an SQL ``INTEGER`` and ``hash % n`` is never negative in SQL.
    """
    digest = hashlib.sha256(sku.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & _MASK


def shard_of(sku: str, count: int) -> int:
    """Return the shard (``0 … count - 1``) that ``sku`` belongs to."""
    return sku_hash(sku) % count


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (``Shard(0, 1)`` is the whole catalog)."""

    index: int
    count: int

    def as_tuple(self) -> tuple[int, int]:
        """Return ``(index, count)``."""
        return (self.index, self.count)

    @classmethod
    def of(cls, value: Shard | tuple[int, int] | str | None) -> Shard:
        """Return ``value`` as a checked :class:`Shard` (``None`` is the whole catalog)."""
        if value is None:
            return cls(0, 1)
        if isinstance(value, Shard):
            value = value.as_tuple()
        if isinstance(value, str):
            return cls.parse(value)
        if not isinstance(value, tuple) or len(value) != 2:
            raise ValueError(f"shard: expected (index, count) or 'i/n', got {value!r}")
        index, count = value
        for name, number in (("index", index), ("count", count)):
            if isinstance(number, bool) or not isinstance(number, int):
                raise ValueError(f"shard {name}: expected an int, got {number!r}")
        if not 1 <= count <= MAX_SHARDS:
            raise ValueError(f"shard count: 1 to {MAX_SHARDS}, got {count}")
        if not 0 <= index < count:
            raise ValueError(f"shard index: 0 to {count - 1} for {count} shards, got {index}")
        return cls(index, count)

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read ``"i/n"`` (``"0/4"`` … ``"3/4"``)."""
        index, slash, count = text.strip().partition("/")
        if not slash:
            raise ValueError(f"shard: expected 'i/n' such as '0/4', got {text!r}")
        try:
            return cls.of((int(index), int(count)))
        except ValueError as exc:
            if "shard" in str(exc):
                raise
            raise ValueError(f"shard: expected 'i/n' such as '0/4', got {text!r}") from None

    @property
    def whole(self) -> bool:
        """True for the whole catalog (one shard)."""
        return self.count == 1

    def holds(self, sku: str) -> bool:
        """Whether ``sku`` belongs to this shard."""
        return self.count == 1 or shard_of(sku, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
