"""Where a fake marketplace keeps its state: SQLite, in memory or in a file.

A fake's listings, issued tokens, id sequences and asynchronous jobs live in one
:class:`Store`. With a path, the store is a SQLite file in WAL mode with
``synchronous=FULL``, and the fake commits each request's changes before it returns the
response: a client process that crashes right after a call finds, on restart, a fake that
remembers exactly what it answered (open a new fake on the same file). Without a path the
same schema lives in an in-memory database, so both behave alike.

Values are JSON (whatever :func:`json.dumps` accepts), grouped in *namespaces* (``"listings"``)
and keyed by text (``"DE/MUG-01"``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Self

__all__ = ["Store"]

#: Bumped when the tables change shape; a file written by another version is refused.
SCHEMA_VERSION: Final = 1

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS records ("
    " namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (namespace, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS sequences (namespace TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


class Store:
    """JSON records by namespace and key, in SQLite (a file with ``path``, else memory).

    ``owner`` names what the store belongs to (a fake marketplace's name); opening a file
    written for another owner raises :class:`ValueError`, so two fakes never share one file
    by mistake. Every method is safe to call from several threads.

    Outside :meth:`transaction` each write commits at once; inside, the writes commit
    together when the block ends and roll back if it raises.

    >>> store = Store(owner="demo")
    >>> store.put("listings", "DE/MUG-01", {"quantity": 5})
    >>> store.get("listings", "DE/MUG-01")
    {'quantity': 5}
    >>> store.close()
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, owner: str = "") -> None:
        self._path = Path(path) if path is not None else None
        # Autocommit mode (isolation_level=None): transactions are begun explicitly, so a
        # write outside transaction() is durable when the call returns.
        self._db = sqlite3.connect(
            ":memory:" if self._path is None else str(self._path),
            isolation_level=None,
            check_same_thread=False,
        )
        self._lock = threading.RLock()
        self._depth = 0
        if self._path is not None:
            # WAL lets a second connection (a restarted fake in a test, a debugging shell)
            # read while this one writes; FULL syncs each commit to disk, so a commit that
            # returned survives a crash of the process, not only of the application.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        with self.transaction():
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._claim(owner)

    def _claim(self, owner: str) -> None:
        rows = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not rows:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?), ('owner', ?)",
                (str(SCHEMA_VERSION), owner),
            )
            return
        where = self._path if self._path is not None else "memory"
        if rows.get("schema") != str(SCHEMA_VERSION):
            raise ValueError(
                f"{where}: store schema {rows.get('schema')!r}, this xborder writes "
                f"{SCHEMA_VERSION}; delete the file to start afresh"
            )
        if owner and rows.get("owner") not in ("", owner):
            raise ValueError(f"{where}: the store belongs to {rows.get('owner')!r}, not {owner!r}")

    @property
    def path(self) -> Path | None:
        """The file the store lives in, or None in memory."""
        return self._path

    @property
    def owner(self) -> str:
        """The owner recorded in the store."""
        row = self._fetchone("SELECT value FROM meta WHERE key = 'owner'", ())
        return "" if row is None else str(row[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: they commit together at the end, or roll back on an exception.

        Nested blocks join the outermost one.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            # IMMEDIATE takes the write lock up front, so a second connection to the same
            # file cannot slip a write between this transaction's reads and writes.
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self._db.execute("ROLLBACK")
                raise
            self._depth = 0
            self._db.execute("COMMIT")

    def _fetchone(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
            return row

    def get(self, namespace: str, key: str, default: Any = None) -> Any:
        """Return the value stored at ``(namespace, key)``, or ``default``."""
        row = self._fetchone(
            "SELECT value FROM records WHERE namespace = ? AND key = ?", (namespace, key)
        )
        return default if row is None else json.loads(row[0])

    def put(self, namespace: str, key: str, value: Any) -> None:
        """Store ``value`` (anything JSON can hold) at ``(namespace, key)``."""
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        with self._lock:
            self._db.execute(
                "INSERT INTO records (namespace, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value",
                (namespace, key, text),
            )

    def delete(self, namespace: str, key: str) -> bool:
        """Remove ``(namespace, key)``; return whether it existed."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM records WHERE namespace = ? AND key = ?", (namespace, key)
            )
            return cursor.rowcount > 0

    def items(self, namespace: str) -> list[tuple[str, Any]]:
        """Return the ``(key, value)`` pairs of ``namespace``, sorted by key."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM records WHERE namespace = ? ORDER BY key", (namespace,)
            ).fetchall()
        return [(str(key), json.loads(value)) for key, value in rows]

    def find(self, namespace: str, field: str, value: str) -> list[tuple[str, Any]]:
        """Return the ``(key, value)`` pairs of ``namespace`` whose ``field`` is ``value``.

        Sorted by key; ``field`` is a top-level field of the stored JSON object. The match
        runs inside SQLite (``json_extract``), so a fake looking records up by a field
        (eBay's offers by SKU) does not decode every record of the namespace per lookup,
        which made 500-item syncs quadratic.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM records WHERE namespace = ? "
                "AND json_extract(value, ?) = ? ORDER BY key",
                (namespace, f'$."{field}"', value),
            ).fetchall()
        return [(str(key), json.loads(text)) for key, text in rows]

    def count(self, namespace: str) -> int:
        """Return how many records ``namespace`` holds."""
        row = self._fetchone("SELECT COUNT(*) FROM records WHERE namespace = ?", (namespace,))
        return 0 if row is None else int(row[0])

    def namespaces(self) -> list[str]:
        """Return the namespaces that hold at least one record, sorted."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT namespace FROM records ORDER BY namespace"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def next_id(self, namespace: str) -> int:
        """Return the next number of the sequence ``namespace`` (1, 2, 3 …), persisted."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO sequences (namespace, value) VALUES (?, 1) "
                "ON CONFLICT (namespace) DO UPDATE SET value = value + 1",
                (namespace,),
            )
            row = self._fetchone("SELECT value FROM sequences WHERE namespace = ?", (namespace,))
        assert row is not None  # just written in this transaction
        return int(row[0])

    def snapshot(self, namespaces: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
        """Return every record (or those of ``namespaces``) as nested dicts, for comparing."""
        names = self.namespaces() if namespaces is None else namespaces
        return {name: dict(self.items(name)) for name in names}

    def integrity_check(self) -> list[str]:
        """Run SQLite's ``PRAGMA integrity_check``; return the problems found (``[]``: none)."""
        with self._lock:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems

    def close(self) -> None:
        """Close the database; the file keeps every committed write."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = str(self._path) if self._path is not None else "memory"
        return f"Store({where!r})"
