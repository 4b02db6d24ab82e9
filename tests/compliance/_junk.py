"""Values that break careless code: shared by the rules' junk-input tests."""

from __future__ import annotations

from typing import Any

__all__ = ["BadRepr", "HugeInt"]


class BadRepr:
    """An object whose repr and comparisons fail (hypothesis prints it as ``BadRepr()``)."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparison")

    __hash__ = object.__hash__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("BadRepr()")


class HugeInt(int):
    """An int too long for repr() (hypothesis prints it as ``HugeInt()``)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("HugeInt()")
