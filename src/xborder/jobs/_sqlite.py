"""The default state store: :class:`SQLiteStateStore`, one SQLite file in WAL mode."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from xborder.jobs._locks import MemoryLocks, file_lock
from xborder.jobs._shard import Shard, sku_hash
from xborder.jobs._state import CommitHook, ItemState, ItemStatus, PendingWrite
from xborder.localize.translate import CachedTranslation, CacheKey
from xborder.marketplaces import OfferKey, RemoteRef
from xborder.money import Money

__all__ = ["SCHEMA_VERSION", "SQLiteStateStore"]

#: The version of the file's tables; another version is refused rather than misread.
SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    marketplace TEXT NOT NULL,
    market TEXT NOT NULL,
    sku TEXT NOT NULL,
    sku_hash INTEGER NOT NULL,
    listed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    operation TEXT,
    fingerprint TEXT,
    price TEXT,
    currency TEXT,
    quantity INTEGER,
    basis TEXT,
    remote TEXT,
    state TEXT,
    pending TEXT,
    last_error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    revisions INTEGER NOT NULL DEFAULT 0,
    revision_day TEXT,
    updated_at TEXT,
    PRIMARY KEY (marketplace, market, sku)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_sku ON items (marketplace, sku);
CREATE INDEX IF NOT EXISTS items_pending ON items (marketplace) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS translations (
    text_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    provider TEXT NOT NULL,
    text TEXT NOT NULL,
    translated_at TEXT NOT NULL,
    PRIMARY KEY (text_hash, source, target, provider)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    shard TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    host TEXT,
    pid INTEGER,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
"""

_COLUMNS: Final = (
    "marketplace, market, sku, sku_hash, listed, status, operation, fingerprint, price, "
    "currency, quantity, basis, remote, state, pending, last_error, attempts, not_before, "
    "revisions, revision_day, updated_at"
)
_INSERT: Final = f"INSERT OR REPLACE INTO items ({_COLUMNS}) VALUES ({', '.join('?' * 21)})"


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _row(item: ItemState) -> tuple[Any, ...]:
    key = item.key
    price = item.price
    return (
        key.marketplace,
        key.market,
        key.sku,
        sku_hash(key.sku),
        int(item.listed),
        item.status,
        item.operation,
        item.fingerprint,
        str(price.amount) if price is not None else None,
        price.currency if price is not None else None,
        item.quantity,
        item.basis,
        item.remote.to_json() if item.remote else None,
        item.state,
        item.pending.to_json() if item.pending is not None else None,
        item.last_error,
        item.attempts,
        _stamp(item.not_before),
        item.revisions,
        item.revision_day,
        _stamp(item.updated_at),
    )


def _item(row: sqlite3.Row | tuple[Any, ...]) -> ItemState:
    (
        marketplace,
        market,
        sku,
        _hash,
        listed,
        status,
        operation,
        fingerprint,
        price,
        currency,
        quantity,
        basis,
        remote,
        state,
        pending,
        last_error,
        attempts,
        not_before,
        revisions,
        revision_day,
        updated_at,
    ) = row
    return ItemState(
        key=OfferKey(marketplace, market, sku),
        listed=bool(listed),
        status=status,
        operation=operation,
        fingerprint=fingerprint,
        # Stored as text: Decimal in, the same Decimal out (never a float).
        price=Money._trusted(Decimal(price), currency) if price is not None else None,
        quantity=quantity,
        basis=basis,
        remote=RemoteRef.from_json(remote) if remote else None,
        state=state,
        pending=PendingWrite.from_json(pending) if pending else None,
        last_error=last_error,
        attempts=attempts,
        not_before=_time(not_before),
        revisions=revisions,
        revision_day=revision_day,
        updated_at=_time(updated_at),
    )


class SQLiteStateStore:
    """The default :class:`StateStore`: one SQLite file in WAL mode (``":memory:"`` for tests).

    ``durable=True`` syncs every commit to disk (``synchronous=FULL``); the default
    (``NORMAL``, safe in WAL mode against a crashed process, not a power cut) is faster. A
    batch lost to a power cut is sent again by the next run, harmlessly: writes are keyed by
    SKU. The shard locks are files beside the database (``<file>.locks/``), held with
    ``flock`` for as long as the run lasts, so a crashed run's lock goes with its process.
    """

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = False) -> None:
        self.path = str(path)
        self._memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._guard = threading.RLock()
        self._hooks: list[CommitHook] = []
        self._locks = MemoryLocks()
        with self._guard:
            if not self._memory:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
            found = self._db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            if found is None:
                self._db.execute(
                    "INSERT INTO meta (name, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(found[0]) != SCHEMA_VERSION:
                raise ValueError(
                    f"{self.path}: state schema {found[0]}, this xborder reads {SCHEMA_VERSION}"
                )
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS seen (sku TEXT PRIMARY KEY)")

    def __repr__(self) -> str:
        return f"SQLiteStateStore({self.path!r})"

    def __enter__(self) -> SQLiteStateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        with self._guard:
            self._db.close()

    # -- commits ------------------------------------------------------------------------------

    def add_commit_hook(self, hook: CommitHook) -> None:
        """Call ``hook(kind, phase)`` before and after every commit (tests use it to crash)."""
        self._hooks.append(hook)

    def _notify(self, kind: str, phase: str) -> None:
        for hook in self._hooks:
            hook(kind, phase)

    @contextlib.contextmanager
    def _transaction(self, kind: str) -> Iterator[sqlite3.Connection]:
        with self._guard:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._notify(kind, "before")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._notify(kind, "after")

    # -- items --------------------------------------------------------------------------------

    def rows(self, marketplace: str, skus: Sequence[str]) -> list[ItemState]:
        """Return the items of ``marketplace`` for ``skus``, every market."""
        out: list[ItemState] = []
        with self._guard:
            # SQLite allows 32766 parameters; chunks of 500 stay far below.
            for start in range(0, len(skus), 500):
                chunk = list(skus[start : start + 500])
                marks = ", ".join("?" * len(chunk))
                cursor = self._db.execute(
                    f"SELECT {_COLUMNS} FROM items WHERE marketplace = ? AND sku IN ({marks})",
                    (marketplace, *chunk),
                )
                out.extend(_item(row) for row in cursor)
        return out

    def get_item(self, key: OfferKey) -> ItemState | None:
        """Return the item of ``key``, or None."""
        with self._guard:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM items WHERE marketplace = ? AND market = ? AND sku = ?",
                tuple(key),
            ).fetchone()
        return _item(row) if row is not None else None

    def select(
        self,
        marketplace: str,
        shard: Shard,
        *,
        status: ItemStatus | None = None,
        listed: bool | None = None,
    ) -> Iterator[ItemState]:
        """Iterate the items of ``marketplace`` in ``shard`` (SKU order)."""
        sql = f"SELECT {_COLUMNS} FROM items WHERE marketplace = ?"
        args: list[Any] = [marketplace]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if listed is not None:
            sql += " AND listed = ?"
            args.append(int(listed))
        yield from self._paged(sql, args, shard)

    def _paged(self, sql: str, args: list[Any], shard: Shard) -> Iterator[ItemState]:
        if not shard.whole:
            sql += " AND sku_hash % ? = ?"
            args += [shard.count, shard.index]
        # Pages by key, so memory stays flat and writes between pages are fine.
        last: tuple[str, str] = ("", "")
        while True:
            with self._guard:
                rows = self._db.execute(
                    f"{sql} AND (sku, market) > (?, ?) ORDER BY sku, market LIMIT 500",
                    (*args, *last),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _item(row)
            last = (rows[-1][2], rows[-1][1])

    def write(self, items: Sequence[ItemState], *, kind: str = "batch") -> None:
        """Store ``items`` in one transaction (hooks run around the commit)."""
        with self._transaction(kind) as db:
            db.executemany(_INSERT, [_row(item) for item in items])

    def count(self, marketplace: str | None = None) -> int:
        """Return how many items the store holds (of ``marketplace``)."""
        with self._guard:
            if marketplace is None:
                found = self._db.execute("SELECT COUNT(*) FROM items").fetchone()
            else:
                found = self._db.execute(
                    "SELECT COUNT(*) FROM items WHERE marketplace = ?", (marketplace,)
                ).fetchone()
        return int(found[0])

    def listed_counts(self, shard: Shard) -> dict[tuple[str, str], int]:
        """Return ``{(marketplace, market): listed items}`` of ``shard`` (one query).

        Jobs use it to find live listings that no configured target covers any more.
        """
        sql = "SELECT marketplace, market, COUNT(*) FROM items WHERE listed = 1"
        args: list[Any] = []
        if not shard.whole:
            sql += " AND sku_hash % ? = ?"
            args += [shard.count, shard.index]
        with self._guard:
            rows = self._db.execute(sql + " GROUP BY marketplace, market", args).fetchall()
        return {(str(mp), str(market)): int(n) for mp, market, n in rows}

    # -- the SKUs a run saw ------------------------------------------------------------------

    def mark_seen(self, skus: Iterable[str]) -> None:
        """Remember, for this run, that the catalog holds ``skus`` (a temporary table)."""
        with self._guard:
            self._db.executemany(
                "INSERT OR IGNORE INTO temp.seen (sku) VALUES (?)", ((s,) for s in skus)
            )

    def unseen(self, marketplace: str, shard: Shard) -> Iterator[ItemState]:
        """Iterate the listed items of ``marketplace`` in ``shard`` whose SKU was not seen."""
        sql = (
            f"SELECT {_COLUMNS} FROM items WHERE marketplace = ? AND listed = 1 "
            "AND sku NOT IN (SELECT sku FROM temp.seen)"
        )
        yield from self._paged(sql, [marketplace], shard)

    def reset_seen(self) -> None:
        """Forget the SKUs seen."""
        with self._guard:
            self._db.execute("DELETE FROM temp.seen")

    # -- translations (the TranslationCache protocol) ----------------------------------------

    def get(self, key: CacheKey) -> CachedTranslation | None:
        """Return the translation cached under ``key``, or None."""
        with self._guard:
            row = self._db.execute(
                "SELECT text, translated_at FROM translations "
                "WHERE text_hash = ? AND source = ? AND target = ? AND provider = ?",
                key,
            ).fetchone()
        if row is None:
            return None
        return CachedTranslation(row[0], key[3], key[1], key[2], date.fromisoformat(row[1]))

    def put(self, key: CacheKey, value: CachedTranslation) -> None:
        """Cache ``value`` under ``key``."""
        if not isinstance(value, CachedTranslation):
            raise TypeError(f"value: expected a CachedTranslation, got {type(value).__name__}")
        with self._transaction("translation") as db:
            db.execute(
                "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)",
                (*key, value.text, value.translated_at.isoformat()),
            )

    def translations(self) -> int:
        """Return how many translations are cached."""
        with self._guard:
            return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, kind: str, shard: Shard, *, dry_run: bool, at: datetime) -> int:
        """Record that a run started; return its id."""
        with self._transaction("run") as db:
            cursor = db.execute(
                "INSERT INTO runs (kind, shard, dry_run, host, pid, started_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, str(shard), int(dry_run), socket.gethostname(), os.getpid(), _stamp(at)),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, at: datetime, summary: str) -> None:
        """Record that run ``run_id`` finished, with its report (JSON)."""
        with self._transaction("run") as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (_stamp(at), summary, run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        """Return the runs recorded, oldest first."""
        with self._guard:
            cursor = self._db.execute(
                "SELECT id, kind, shard, dry_run, host, pid, started_at, finished_at, summary "
                "FROM runs ORDER BY id"
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    # -- shard locks --------------------------------------------------------------------------

    def lock(self, shard: Shard) -> contextlib.AbstractContextManager[None]:
        """Hold ``shard`` while the block runs.

        Raises :class:`ShardLockedError` if the same shard is held (by any process), or if
        a shard of another count is (two partitions would overlap).
        """
        if self._memory:
            return self._locks.hold(shard)
        return file_lock(Path(self.path + ".locks"), shard, self.path)
