"""The rules derived from Meta's specs, the script that derives them, and who follows them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from marketplaces.facebook._support import RULES_PATH, rules
from xborder.marketplaces import facebook as fb
from xborder.testing import facebook as fake

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "derive_meta_rules.py"
# Meta's specs live beside the repository on the research machine only (never committed).
SPEC_DIR = ROOT.parent / "shared" / "specs" / "meta-graph-catalog"
SOURCES = ROOT.parent / "shared" / "specs" / "SOURCES.md"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_meta_rules", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("derive_meta_rules", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (SPEC_DIR / "ProductCatalog.json").exists() or not SOURCES.exists(),
    reason="Meta's specs are not beside the repository (a clean clone has no ../shared)",
)
def test_the_script_reproduces_the_committed_rules() -> None:
    script = load_script()
    assert script.render(script.derive(SPEC_DIR, SOURCES)) == RULES_PATH.read_text("utf-8")


def test_the_rules_say_where_they_come_from() -> None:
    header = rules()["derived_from"]
    assert header["repository"] == "facebook/facebook-business-sdk-codegen"
    assert len(header["snapshot"]) == 40 and header["graph_api_version"] == "v25.0"
    assert set(header["files"]) >= {"ProductCatalog.json", "ProductItem.json", "enum_types.json"}
    assert all(len(digest) == 64 for digest in header["files"].values())
    assert header["script"] == "scripts/derive_meta_rules.py"
    # Facts only (names, types, values): no text of the specs is carried over.
    texts: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and key not in ("note", "snapshot_note", "source"):
            texts.append(node)

    walk({k: v for k, v in rules().items() if k not in ("derived_from", "sources")})
    assert max(len(text) for text in texts) < 100


def test_the_edges_the_adapter_calls() -> None:
    edges = rules()["edges"]
    assert edges["items_batch"]["required"] == ["item_type", "requests"]
    assert "allow_upsert" in edges["items_batch"]["params"]
    assert edges["localized_items_batch"]["required"] == ["item_type", "requests"]
    assert edges["check_batch_request_status"]["required"] == ["handle"]
    assert "load_ids_of_invalid_requests" in edges["check_batch_request_status"]["params"]
    assert "filter" in edges["products"]["params"]
    assert set(edges["override_details"]["params"]) == {"keys", "type"}
    assert set(rules()["objects"]["CheckBatchRequestStatus"]) >= {
        "handle",
        "status",
        "errors",
        "errors_total_count",
        "ids_of_invalid_requests",
    }


def test_the_fake_follows_the_rules() -> None:
    item = rules()["item_types"]["PRODUCT_ITEM"]
    assert set(item["fields"]) == fake.ITEM_FIELDS
    assert item["legacy_names"] == dict(fake.LEGACY_NAMES)
    assert tuple(item["required_for_new"]) == fake.REQUIRED_FOR_NEW
    for field, rule in item["fields"].items():
        if "enum" in rule:
            assert fake.FIELD_ENUMS[field] == rule["enum"]
            assert fake.ENUMS[rule["enum"]] == frozenset(rules()["enums"][rule["enum"]])
        assert (field in fake.PRICE_FIELDS) == (rule.get("format") == "amount currency")
        assert (field in fake.LIST_FIELDS) == bool(rule.get("list"))
    assert set(fake.FIELD_ENUMS) == {f for f, r in item["fields"].items() if "enum" in r}
    overrides = rules()["overrides"]
    assert {k: set(v) for k, v in overrides["fields"].items()} == {
        k: set(v) for k, v in fake.OVERRIDE_FIELDS.items()
    }
    assert set(overrides["country_only"]) == fake.COUNTRY_ONLY
    limits = rules()["limits"]
    assert fake.FakeFacebookCatalog.batch_limits == {
        "items_batch": limits["items_batch_requests"]["value"],
        "localized_items_batch": limits["localized_items_batch_requests"]["value"],
    }
    assert fake.FakeFacebookCatalog.max_bytes == limits["items_batch_bytes"]["value"]


def test_the_adapter_follows_the_rules() -> None:
    enums = rules()["enums"]
    assert set(fb.CONDITIONS.values()) <= set(enums["condition"])
    assert {fb.IN_STOCK, fb.OUT_OF_STOCK} <= set(enums["availability"])
    assert fb.ITEM_TYPE == "PRODUCT_ITEM"
    overrides = rules()["overrides"]["fields"]
    assert set(fb.COUNTRY_FIELDS) <= set(overrides["COUNTRY"])
    assert set(fb.LANGUAGE_FIELDS) <= set(overrides["LANGUAGE"])
    assert set(fb.LANGUAGE_FIELDS) <= set(overrides["LANGUAGE_AND_COUNTRY"])
    assert not set(fb.LANGUAGE_FIELDS[1:]) & set(rules()["overrides"]["country_only"])
    assert sorted(overrides) == enums["override_details_type"]
    limits = rules()["limits"]
    assert limits["items_batch_requests"]["value"] == fb.ITEMS_BATCH_LIMIT
    assert limits["localized_items_batch_requests"]["value"] == fb.LOCALIZED_BATCH_DEFAULT
    assert limits["items_batch_bytes"]["value"] == fb.MAX_REQUEST_BYTES
    assert rules()["derived_from"]["graph_api_version"] == fb.DEFAULT_API_VERSION
