"""Stock allocation: never more than the stock, shares, caps and buffers respected."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.jobs import StockRule, allocate
from xborder.jobs._stock import weights

rules = st.builds(
    StockRule,
    share=st.one_of(st.none(), st.decimals("0.01", "1", places=2)),
    cap=st.one_of(st.none(), st.integers(0, 50)),
    buffer=st.integers(0, 10),
)


@given(
    stock=st.integers(0, 10_000),
    targets=st.lists(st.tuples(rules, st.integers(0, 4)), min_size=1, max_size=5),
)
def test_allocation_never_exceeds_the_stock(
    stock: int, targets: list[tuple[StockRule, int]]
) -> None:
    shares = weights([r for r, _ in targets], [n for _, n in targets])
    slots = [(rule, shares[t]) for t, (rule, n) in enumerate(targets) for _ in range(n)]
    got = allocate(stock, [r for r, _ in slots], [w for _, w in slots])
    assert len(got) == len(slots) and sum(got) <= stock and all(q >= 0 for q in got)
    for (rule, _), quantity in zip(slots, got, strict=True):
        assert rule.cap is None or quantity <= rule.cap
        assert quantity <= max(0, stock - rule.buffer)


@given(stock=st.integers(0, 1000), n=st.integers(1, 7))
def test_equal_shares_hand_out_the_whole_stock(stock: int, n: int) -> None:
    got = allocate(stock, [StockRule()] * n)
    assert sum(got) == stock and max(got) - min(got) <= 1


def test_examples() -> None:
    half = StockRule(share=Decimal("0.5"))
    assert allocate(10, [half, StockRule(share=Decimal("0.5"), cap=3)]) == [5, 3]
    assert allocate(1, [StockRule()] * 3) == [1, 0, 0]
    assert allocate(10, [StockRule(share=Decimal("0.3"))]) == [3]  # the rest is kept back
    assert allocate(10, [StockRule(buffer=8)]) == [2]
    assert allocate(0, [half]) == [0] and allocate(5, []) == []
    # Shares over 1 are weights.
    assert allocate(9, [StockRule(share=Decimal(1)), StockRule(share=Decimal("0.5"))]) == [6, 3]


def test_targets_without_a_share_split_what_is_left() -> None:
    got = weights([StockRule(share=Decimal("0.5")), StockRule(), StockRule()], [1, 2, 1])
    assert got == [Fraction(1, 2), Fraction(1, 8), Fraction(1, 4)]
    assert weights([StockRule(), StockRule()], [0, 3]) == [0, Fraction(1, 3)]


@pytest.mark.parametrize(
    "bad",
    [{"share": Decimal(0)}, {"share": Decimal("1.5")}, {"cap": -1}, {"buffer": -2}, {"cap": True}],
)
def test_bad_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        StockRule(**bad)  # type: ignore[arg-type]


def test_float_shares_are_refused() -> None:
    with pytest.raises(TypeError):
        StockRule(share=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate(1.5, [StockRule()])  # type: ignore[arg-type]
