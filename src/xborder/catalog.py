"""Catalog files: read listings from CSV or JSON Lines, one row at a time.

The formats are documented in docs/catalog.md. Both readers stream: memory does not grow
with the catalog (except a set of the SKUs seen, to refuse duplicates). A bad row gives an
:class:`~xborder.errors.InvalidListingError` naming the row, the SKU and each field with its
value; with ``on_error="collect"`` the reader keeps going and gathers the errors in
:attr:`CatalogReader.errors`, so one bad row never stops the rest of the catalog.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Literal

from xborder.errors import CatalogError, FieldError, InvalidListingError
from xborder.listing import Listing, Seller

__all__ = ["CatalogReader", "OnError", "read_catalog", "read_csv", "read_jsonl", "read_seller"]

#: ``"raise"`` stops at the first bad row; ``"collect"`` skips it and records the error; a
#: callable is called with each error and the row is skipped.
OnError = Literal["raise", "collect"] | Callable[[InvalidListingError], None]

#: Separator of several values inside one CSV cell (images, attribute values).
LIST_SEPARATOR: Final = " | "

# Top-level fields whose next path segment is a free key (a language or an attribute name).
_MAPPINGS: Final = frozenset({"attributes", "safety_information", "translations"})
# Nested models: the next segment must be one of their fields.
_NESTED: Final[Mapping[str, frozenset[str]]] = {
    "price": frozenset({"amount", "currency"}),
    "cost": frozenset({"amount", "currency"}),
    "weight": frozenset({"value", "unit"}),
    "dimensions": frozenset({"length", "width", "height", "unit"}),
    "manufacturer": frozenset({"name", "postal_address", "email", "url"}),
    "eu_responsible_person": frozenset({"name", "postal_address", "email", "url"}),
    "dangerous_goods": frozenset({"battery", "aerosol", "flammable"}),
}
_TRANSLATION_FIELDS: Final = frozenset({"title", "description", "attributes"})
_SCALARS: Final = frozenset(Listing.model_fields) - _MAPPINGS - frozenset(_NESTED)
# Bytes that are not UTF-8 are kept as lone surrogates (errors="surrogateescape") so that the
# row holding them fails with a field error while every other row is still read.
_ENCODING_ERRORS: Final = "surrogateescape"


class CatalogReader(Iterable[Listing]):
    """An iterable of the listings in one catalog file; see :func:`read_catalog`.

    ``errors`` holds the rows that failed (with ``on_error="collect"``); ``rows`` counts the
    data rows read so far.
    """

    def __init__(
        self,
        rows: Iterator[tuple[int, dict[str, Any] | FieldError]],
        *,
        name: str,
        on_error: OnError,
        spans: Mapping[int, tuple[int, int]] | None = None,
    ) -> None:
        self._rows = rows
        # CSV rows that span several lines of the file: row -> (first line, last line).
        self._spans = spans if spans is not None else {}
        self.name = name
        self.on_error: OnError = on_error
        self.errors: list[InvalidListingError] = []
        self.rows = 0
        self._seen: set[str] = set()

    def __iter__(self) -> Iterator[Listing]:
        try:
            for line, data in self._rows:
                self.rows += 1
                try:
                    yield self._listing(line, data)
                except InvalidListingError as exc:
                    self._fail(exc)
        finally:
            # Stopping early (an error, a break) must still close the file.
            self.close()

    def close(self) -> None:
        """Close the underlying file; iterating afterwards yields nothing more."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> CatalogReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _listing(self, line: int, data: dict[str, Any] | FieldError) -> Listing:
        if isinstance(data, FieldError):
            raise InvalidListingError([data], row=line, source=self.name)
        sku = data.get("sku") if isinstance(data.get("sku"), str) else None
        try:
            listing = Listing.model_validate(data)
        except InvalidListingError as exc:
            errors = list(exc.errors)
            span = self._spans.get(line)
            if span is not None:
                # A double quote that is never closed swallows the rows after it into one
                # cell. Such a row is reported without its SKU, as a row that cannot be read,
                # so that sync does not take the swallowed rows for products that are gone.
                errors.append(
                    FieldError(
                        "row",
                        sku,
                        f"this row spans lines {span[0]}-{span[1]} of the file: if only its "
                        "description should, a double quote is unbalanced and the rows inside "
                        "it were not read",
                    )
                )
                sku = None
            raise InvalidListingError(errors, row=line, sku=sku, source=self.name) from None
        if listing.sku in self._seen:
            raise InvalidListingError(
                [FieldError("sku", listing.sku, "duplicate SKU: it appears on an earlier row")],
                row=line,
                sku=listing.sku,
                source=self.name,
            )
        self._seen.add(listing.sku)
        return listing

    def _fail(self, exc: InvalidListingError) -> None:
        if self.on_error == "raise":
            raise exc
        if self.on_error == "collect":
            self.errors.append(exc)
        else:
            self.on_error(exc)


def read_catalog(source: str | Path, *, on_error: OnError = "raise") -> CatalogReader:
    """Read a catalog file, choosing the format by its suffix (``.csv``, ``.jsonl``/``.ndjson``).

    >>> reader = read_catalog("examples/catalog.csv", on_error="collect")  # doctest: +SKIP
    >>> listings = list(reader); reader.errors
    []
    """
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, on_error=on_error)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, on_error=on_error)
    raise CatalogError(
        [FieldError("source", str(source), "unknown catalog format: use .csv or .jsonl")]
    )


def _open(source: str | Path | IO[str]) -> tuple[IO[str], str, bool]:
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            # utf-8-sig: spreadsheets write a byte-order mark at the start of UTF-8 CSV.
            handle = path.open(encoding="utf-8-sig", errors=_ENCODING_ERRORS, newline="")
        except OSError as exc:
            raise CatalogError(
                [FieldError("source", str(source), f"cannot open: {exc.strerror or exc}")]
            ) from None
        return handle, str(source), True
    return source, getattr(source, "name", "<stream>"), False


def read_csv(source: str | Path | IO[str], *, on_error: OnError = "raise") -> CatalogReader:
    """Read listings from a CSV catalog (format: docs/catalog.md).

    Raises :class:`~xborder.errors.CatalogError` at once when the header is missing or names
    an unknown column; row errors follow ``on_error``. Line numbers count the header as 1.
    """
    handle, name, owned = _open(source)
    try:
        reader = csv.reader(handle, strict=True)
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        if owned:
            handle.close()
        raise CatalogError(
            [FieldError("header", None, f"unreadable: {exc}")], source=name
        ) from None
    if header is None:
        if owned:
            handle.close()
        raise CatalogError([FieldError("header", None, "the file is empty")], source=name)
    columns = _check_header(header, name, handle if owned else None)
    spans: dict[int, tuple[int, int]] = {}
    rows = _csv_rows(reader, handle, columns, owned, spans)
    return CatalogReader(rows, name=name, on_error=on_error, spans=spans)


def _check_header(header: list[str], name: str, handle: IO[str] | None) -> list[tuple[str, ...]]:
    problems = []
    columns = []
    seen = set()
    for index, raw in enumerate(header, start=1):
        column = raw.strip()
        path = tuple(column.split("."))
        problem = _column_problem(path)
        if column in seen:
            problem = "appears twice"
        if problem:
            problems.append(FieldError(f"header column {index}", raw, problem))
        seen.add(column)
        columns.append(path)
    if problems:
        if handle is not None:
            handle.close()
        raise CatalogError(problems, row=1, source=name)
    return columns


def _column_problem(path: tuple[str, ...]) -> str:
    head = path[0]
    if head in _SCALARS:
        return "" if len(path) == 1 else f"{head} has no sub-fields"
    if head in _NESTED:
        if len(path) == 2 and path[1] in _NESTED[head]:
            return ""
        return f"expected one of {', '.join(head + '.' + f for f in sorted(_NESTED[head]))}"
    if head in ("attributes", "safety_information"):
        return "" if len(path) == 2 and path[1] else f"expected {head}.<name>"
    if head == "translations":
        if len(path) == 3 and path[2] in ("title", "description"):
            return ""
        if len(path) == 4 and path[2] == "attributes" and path[3]:
            return ""
        return "expected translations.<lang>.title|description|attributes.<name>"
    return "unknown column (see docs/catalog.md)"


def _csv_rows(
    reader: Iterator[list[str]],
    handle: IO[str],
    columns: list[tuple[str, ...]],
    owned: bool,
    spans: dict[int, tuple[int, int]],
) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    line = 1
    physical = _line_num(reader)
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line += 1
                physical = _line_num(reader)
                yield line, FieldError("row", None, f"malformed CSV: {exc}")
                continue
            line += 1
            first, physical = physical + 1, _line_num(reader)
            if physical > first:
                spans[line] = (first, physical)
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                yield (
                    line,
                    FieldError(
                        "row", len(cells), f"has {len(cells)} cells, the header has {len(columns)}"
                    ),
                )
                continue
            yield line, _unflatten(columns, cells)
    finally:
        if owned:
            handle.close()


def _line_num(reader: object) -> int:
    # csv readers count the physical lines they consumed; a row with a quoted line break
    # takes more than one.
    return int(getattr(reader, "line_num", 0))


def _unflatten(columns: list[tuple[str, ...]], cells: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path, cell in zip(columns, cells, strict=True):
        if not cell.strip():
            continue  # an empty cell means "not given"
        value: Any = cell
        if path[0] == "images" or path[0] == "attributes" or path[-2:-1] == ("attributes",):
            value = [part.strip() for part in cell.split(LIST_SEPARATOR.strip()) if part.strip()]
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return data


def read_jsonl(source: str | Path | IO[str], *, on_error: OnError = "raise") -> CatalogReader:
    """Read listings from JSON Lines: one JSON object per line (format: docs/catalog.md).

    Numbers are parsed from their literal text into Decimal (``24.99`` stays exactly 24.99);
    blank lines are skipped. A line that is not a JSON object is a row error.
    """
    handle, name, owned = _open(source)
    return CatalogReader(_jsonl_rows(handle, owned), name=name, on_error=on_error)


def _jsonl_rows(handle: IO[str], owned: bool) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    try:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
            except _DuplicateKeyError as exc:
                yield line, FieldError(exc.path, exc.value, "this key appears twice in the object")
                continue
            except (json.JSONDecodeError, UnicodeError) as exc:
                yield line, FieldError("row", _excerpt(text), f"not valid JSON: {exc}")
                continue
            except RecursionError:
                yield line, FieldError("row", _excerpt(text), "JSON nested too deeply")
                continue
            if not isinstance(data, dict):
                yield line, FieldError("row", _excerpt(text), "expected a JSON object")
                continue
            yield line, data
    finally:
        if owned:
            handle.close()


class _DuplicateKeyError(ValueError):
    def __init__(self, path: str, value: object) -> None:
        super().__init__(path)
        self.path, self.value = path, value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON parsers keep the last of two equal keys (RFC 8259 §4 leaves it open): a row
    # {"price": ..., "price": ...} would lose one value without a word. Refused instead.
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKeyError(key, value)
        data[key] = value
    return data


def _excerpt(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_seller(source: str | Path) -> Seller:
    """Read a :class:`~xborder.listing.Seller` from a JSON file (see examples/seller.json)."""
    path = Path(source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise CatalogError([FieldError("source", str(source), f"cannot open: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise CatalogError([FieldError("source", str(source), f"not valid JSON: {exc}")]) from None
    try:
        return Seller.model_validate(data)
    except InvalidListingError as exc:
        raise InvalidListingError(exc.errors, source=str(source)) from None
