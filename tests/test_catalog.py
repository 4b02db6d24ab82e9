from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from xborder import CatalogError, InvalidListingError, Money, read_catalog, read_csv, read_jsonl
from xborder.catalog import read_seller

HEADER = (
    "sku,title,price.amount,price.currency,quantity,images,attributes.color,"
    "manufacturer.name,manufacturer.postal_address,manufacturer.email,"
    "translations.de.title,safety_information.en,dangerous_goods.battery,weight.value,weight.unit\n"
)
GOOD = (
    'MUG-01,"Stoneware mug, blue",24.00,USD,12,'
    "https://img.example.com/a.jpg | https://img.example.com/b.jpg,Blue | White,"
    'Kiln Co,"1 Main St, Asheville, NC 28801, US",hi@example.com,Tasse,Hot liquids.,none,0.45,kg\n'
)


def write(tmp_path: Path, text: str, name: str = "c.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding, errors="surrogateescape"))
    return path


def test_csv_reads_nested_and_lists(tmp_path: Path) -> None:
    (listing,) = list(read_csv(write(tmp_path, HEADER + GOOD)))
    assert listing.price == Money("24.00", "USD")
    assert listing.images == ("https://img.example.com/a.jpg", "https://img.example.com/b.jpg")
    assert listing.attributes["color"] == ("Blue", "White")
    assert listing.manufacturer is not None and listing.manufacturer.email == "hi@example.com"
    assert listing.translations["de"].title == "Tasse"
    assert listing.weight is not None and listing.weight.value == Decimal("0.45")


def test_csv_bom_and_empty_cells(tmp_path: Path) -> None:
    row = "MUG-02,Plain mug,10.00,USD,0,,,,,,,,,,\n"
    path = write(tmp_path, "\ufeff" + HEADER + row)
    (listing,) = list(read_catalog(path))
    assert listing.manufacturer is None and listing.images == () and listing.quantity == 0


def test_bad_row_names_row_sku_field_value(tmp_path: Path) -> None:
    bad = "MUG-03,Mug,-5,USD,2,,,,,,,,,,\n"
    with pytest.raises(InvalidListingError) as info:
        list(read_csv(write(tmp_path, HEADER + GOOD + bad)))
    err = info.value
    assert err.row == 3 and err.sku == "MUG-03"
    assert [e.field for e in err.errors] == ["price"]
    assert "row 3" in str(err) and "MUG-03" in str(err) and "price" in str(err)


def test_collect_keeps_going(tmp_path: Path) -> None:
    rows = [
        "A-1,Mug,abc,USD,2,,,,,,,,,,\n",
        "A-2,Mug,1.00,XYZ,2,,,,,,,,,,\n",
        "A-3,Mug,1.00,USD,two,,,,,,,,,,\n",
        "A-4,Mug,1.00,USD,1,,,,,,,,,,,extra\n",
        GOOD,
        GOOD,  # duplicate SKU
        "A-5,Mug,1.00,USD,1,,,,,,,,,,\n",
    ]
    reader = read_csv(write(tmp_path, HEADER + "".join(rows)), on_error="collect")
    listings = list(reader)
    assert [x.sku for x in listings] == ["MUG-01", "A-5"]
    assert [e.row for e in reader.errors] == [2, 3, 4, 5, 7]
    assert [e.errors[0].field for e in reader.errors] == [
        "price",
        "price",
        "quantity",
        "row",
        "sku",
    ]
    assert "duplicate SKU" in str(reader.errors[-1])
    assert reader.rows == 7


def test_callable_on_error(tmp_path: Path) -> None:
    seen: list[InvalidListingError] = []
    reader = read_csv(
        write(tmp_path, HEADER + "A-1,Mug,x,USD,1,,,,,,,,,,\n" + GOOD), on_error=seen.append
    )
    assert [x.sku for x in reader] == ["MUG-01"]
    assert len(seen) == 1


def test_not_utf8_is_a_row_error(tmp_path: Path) -> None:
    latin1 = "A-1,Caf\udce9 mug,1.00,USD,1,,,,,,,,,,\n"
    reader = read_csv(write(tmp_path, HEADER + latin1 + GOOD), on_error="collect")
    assert [x.sku for x in reader] == ["MUG-01"]
    assert reader.errors[0].errors[0].field == "title"
    assert "UTF-8" in str(reader.errors[0])


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("sku,title,colour\n", "unknown column"),
        ("sku,price.value\n", "price.amount"),
        ("sku,sku\n", "twice"),
        ("sku,translations.de\n", "translations.<lang>"),
    ],
)
def test_bad_header(tmp_path: Path, header: str, problem: str) -> None:
    with pytest.raises(CatalogError, match=problem) as info:
        read_csv(write(tmp_path, header))
    assert info.value.row == 1


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="empty"):
        read_csv(write(tmp_path, ""))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot open"):
        read_csv(tmp_path / "nope.csv")


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="unknown catalog format"):
        read_catalog(tmp_path / "x.xlsx")


def test_stream_source() -> None:
    reader = read_csv(io.StringIO(HEADER + GOOD, newline=""))
    assert [x.sku for x in reader] == ["MUG-01"]


JSONL_GOOD = (
    '{"sku": "MUG-01", "title": "Mug", "price": {"amount": 24.10, "currency": "USD"}, '
    '"quantity": 3, "attributes": {"color": ["Blue"]}}\n'
)


def test_jsonl_numbers_are_decimal(tmp_path: Path) -> None:
    (listing,) = list(read_jsonl(write(tmp_path, JSONL_GOOD, "c.jsonl")))
    assert listing.price.amount == Decimal("24.10")
    assert str(listing.price.amount) == "24.10"


def test_jsonl_bad_lines(tmp_path: Path) -> None:
    text = "\n".join(["{not json", "[1, 2]", '{"sku": "X"}', "", JSONL_GOOD])
    reader = read_catalog(write(tmp_path, text, "c.jsonl"), on_error="collect")
    assert [x.sku for x in reader] == ["MUG-01"]
    assert [e.row for e in reader.errors] == [1, 2, 3]
    assert "not valid JSON" in str(reader.errors[0])
    assert {e.field for e in reader.errors[2].errors} >= {"title", "price", "quantity"}


def test_read_seller(tmp_path: Path) -> None:
    path = tmp_path / "seller.json"
    path.write_text('{"country": "US", "regimes": ["US"], "ioss_number": null}')
    assert read_seller(path).regimes == ("US",)
    path.write_text('{"country": "USA", "regimes": ["US"]}')
    with pytest.raises(InvalidListingError, match="country"):
        read_seller(path)


def test_sample_catalog_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    csv_reader = read_catalog(root / "catalog.csv", on_error="collect")
    from_csv = list(csv_reader)
    assert csv_reader.errors == []
    assert 25 <= len(from_csv) <= 40
    jsonl_reader = read_catalog(root / "catalog.jsonl", on_error="collect")
    from_jsonl = list(jsonl_reader)
    assert jsonl_reader.errors == []
    assert from_csv == from_jsonl
    read_seller(root / "seller.json")


def test_jsonl_refuses_a_key_given_twice_and_reads_the_other_lines() -> None:
    rows = (
        '{"sku": "A", "sku": "A2", "title": "t", "price": {"amount": "1.00", "currency": "USD"},'
        ' "quantity": 1}\n'
        '{"sku": "B", "title": "t", "price": {"amount": "1.00", "currency": "USD",'
        ' "amount": "9.00"}, "quantity": 1}\n'
        '{"sku": "C", "title": "t", "price": {"amount": "1.00", "currency": "USD"},'
        ' "quantity": 1}\n'
    )
    reader = read_jsonl(io.StringIO(rows), on_error="collect")
    assert [listing.sku for listing in reader] == ["C"]
    first, second = reader.errors
    assert first.row == 1 and "sku='A2'" in str(first) and "appears twice" in str(first)
    assert second.row == 2 and "amount='9.00'" in str(second)
