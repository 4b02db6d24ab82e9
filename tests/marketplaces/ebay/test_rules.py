"""The request rules derived from eBay's contract, and the checker that reads them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from marketplaces.ebay._support import RULES_PATH, rules
from xborder.testing.ebay import RequestRules

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "derive_ebay_rules.py"
# The contract lives beside the repository on the research machine only (never committed).
SPEC_DIR = ROOT.parent / "shared" / "specs" / "ebay"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_ebay_rules", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("derive_ebay_rules", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (SPEC_DIR / "sell_inventory_v1_oas3.json").exists(),
    reason="eBay's contract is not beside the repository (a clean clone has no ../shared)",
)
def test_the_script_reproduces_the_committed_rules() -> None:
    script = load_script()
    derived = script.render(
        script.derive(SPEC_DIR / "sell_inventory_v1_oas3.json", SPEC_DIR / script.TABLE)
    )
    assert derived == RULES_PATH.read_text(encoding="utf-8")


def test_the_rules_say_where_they_come_from() -> None:
    header = rules().data["derived_from"]
    assert header["file"] == "sell_inventory_v1_oas3.json" and rules().version == "1.18.4"
    assert header["script"] == "scripts/derive_ebay_rules.py"
    assert len(header["sha256"]) == 64
    # Facts only: names, types and limits; no text of the contract is carried over.
    texts: list[str] = []

    def walk(node: object, key: str = "") -> None:
        assert not (key == "description" and isinstance(node, str))
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and key not in ("note", "override"):
            texts.append(node)

    walk({k: v for k, v in rules().data.items() if k != "derived_from"})
    assert max(len(text) for text in texts) < 100


def test_the_rules_hold_the_limits_the_adapter_relies_on() -> None:
    schemas = rules().schemas
    for bulk in (
        "BulkInventoryItem",
        "BulkEbayOfferDetailsWithKeys",
        "BulkOffer",
        "BulkPriceQuantity",
    ):
        assert schemas[bulk]["properties"]["requests"]["maxItems"] == 25
    assert schemas["Product"]["properties"]["imageUrls"]["maxItems"] == 24
    assert schemas["EbayOfferDetailsWithKeys"]["required"] == ["format", "marketplaceId", "sku"]
    assert schemas["InventoryItemWithSkuLocale"]["required"] == ["locale", "sku"]
    assert schemas["Amount"]["required"] == ["currency", "value"]
    aspects = schemas["Product"]["properties"]["aspects"]
    assert aspects["type"] == "object" and aspects["additionalProperties"]["type"] == "array"
    assert rules().operations["bulkUpdatePriceQuantity"]["one_sku_per_call"] is True
    assert "Content-Language" in rules().operations["bulkCreateOffer"]["headers"]
    assert rules().enums["FormatTypeEnum"]["values"] == ["AUCTION", "FIXED_PRICE"]


def test_closed_objects_and_other_checks() -> None:
    check = rules().validate
    good = {"sku": "A", "marketplaceId": "EBAY_DE", "format": "FIXED_PRICE"}
    assert check("EbayOfferDetailsWithKeys", good) == []
    assert check("EbayOfferDetailsWithKeys", {**good, "price": "1"}) == [
        "price: not a property of EbayOfferDetailsWithKeys (closed)"
    ]
    assert check("EbayOfferDetailsWithKeys", {"sku": "A"}) == [
        "format: required",
        "marketplaceId: required",
    ]
    assert check("EbayOfferDetailsWithKeys", {**good, "format": "CLASSIFIED"}) == [
        "format: 'CLASSIFIED' is not one of FormatTypeEnum"
    ]
    assert check("EbayOfferDetailsWithKeys", {**good, "availableQuantity": "5"}) == [
        "availableQuantity: expected an integer, got str"
    ]
    assert check(
        "EbayOfferDetailsWithKeys", {**good, "pricingSummary": {"price": {"value": 1}}}
    ) == [
        "pricingSummary.price.currency: required",
        "pricingSummary.price.value: expected a string, got int",
    ]
    assert check("Product", {"aspects": {"Brand": "GoPro"}}) == [
        "aspects.Brand: expected an array, got str"
    ]
    assert check("Product", {"aspects": {"x" * 41: ["a"]}, "title": "t" * 81}) == [
        f"aspects.{'x' * 41}: name longer than 40 characters",
        "title: 81 characters, at most 80",
    ]
    assert check("BulkOffer", {"requests": [{"offerId": "1"}] * 26}) == [
        "requests: 26 items, at most 25"
    ]
    assert check(
        "Regulatory", {"repairScore": True, "responsiblePersons": [{"types": ["Other"]}]}
    ) == [
        "repairScore: expected a number, got bool",
        "responsiblePersons[0].types[0]: 'Other' is not one of ResponsiblePersonTypeEnum",
    ]
    assert check("Amount", []) == ["body: expected an object, got list"]
    assert rules().validate_request("getOffers", None) == []
    assert rules().validate_request("getOffers", {}) == ["getOffers takes no body"]
    with pytest.raises(KeyError):
        rules().validate_request("nope", {})
    with pytest.raises(ValueError, match="no 'schemas'"):
        RequestRules({"operations": {}, "enums": {}})
