"""Derive the request rules of Meta's Graph API catalog endpoints from the SDK codegen specs.

Meta's specs (facebook/facebook-business-sdk-codegen ``api_specs/specs/*.json``) carry
Meta's licence, so they are not in this repository. This script reads them (from
../shared/specs/meta-graph-catalog/, see ../shared/specs/SOURCES.md) and writes the *facts*
the Facebook adapter's tests and the fake catalog need into
tests/specs/meta/catalog_rules.json:

* per edge the adapter calls (``items_batch``, ``localized_items_batch``,
  ``check_batch_request_status``, ``products``, ``override_details``): method, parameters
  with their types, and the required ones;
* the feed-style field names ``items_batch`` takes for item type ``PRODUCT_ITEM``, each tied
  to the ProductItem field it sets (its type and enumeration come from the spec), and the
  legacy ``/products`` names that must not be mixed in;
* the fields each override type (``COUNTRY``, ``LANGUAGE``, ``LANGUAGE_AND_COUNTRY``)
  allows, and the fields a new item requires;
* the enumerations (availability, condition, visibility, override types, ...) from
  ``enum_types.json``;
* the fields of the batch status, override details and item error objects.

The codegen specs describe the *parameters* of ``items_batch`` but not the JSON inside
``requests`` (see SOURCES.md, "Known gap"). The feed names, the override field lists and
the limits come from Meta's documentation pages; they are written below with their URLs,
and the script checks each against the spec where the spec can say anything (every feed
name must map to a ProductItem field the spec lists, every enumeration must exist).

Usage::

    python scripts/derive_meta_rules.py            # write tests/specs/meta/catalog_rules.json
    python scripts/derive_meta_rules.py --check    # exit 1 when the file differs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs" / "meta-graph-catalog"
SOURCES = ROOT.parent / "shared" / "specs" / "SOURCES.md"
OUTPUT = ROOT / "tests" / "specs" / "meta" / "catalog_rules.json"

FILES = (
    "ProductCatalog.json",
    "ProductItem.json",
    "CheckBatchRequestStatus.json",
    "OverrideDetails.json",
    "ProductItemError.json",
    "ProductCatalogLocalizationSettings.json",
    "enum_types.json",
)

#: The catalog edges the adapter calls (ProductCatalog.json ``apis``), and the item edge.
CATALOG_EDGES = (
    ("POST", "items_batch"),
    ("POST", "localized_items_batch"),
    ("GET", "check_batch_request_status"),
    ("GET", "products"),
)
ITEM_EDGES = (("GET", "override_details"),)

#: Feed-style field names of ``items_batch`` ``data`` → the ProductItem field each sets.
#: Sources: https://developers.facebook.com/docs/marketing-api/catalog/reference#supported-fields
#: (feed fields) and facebook/facebook-for-woocommerce ``includes/fbutils.php``
#: ``prepare_product_requests_items_batch`` ("retailer_id cannot be included in the data
#: object ... $product_data['id'] = $retailer_id"); research/marketplace-apis.md §3.3.
FEED_FIELDS: dict[str, str] = {
    "id": "retailer_id",
    "title": "name",
    "description": "description",
    "rich_text_description": "rich_text_description",
    "short_description": "short_description",
    "link": "url",
    "mobile_link": "mobile_link",
    "image_link": "image_url",
    "additional_image_link": "additional_image_urls",
    "brand": "brand",
    "gtin": "gtin",
    "mpn": "manufacturer_part_number",
    "price": "price",
    "sale_price": "sale_price",
    "availability": "availability",
    "condition": "condition",
    "quantity_to_sell_on_facebook": "quantity_to_sell_on_facebook",
    "inventory": "inventory",
    "visibility": "visibility",
    "status": "status",
    "item_group_id": "retailer_product_group_id",
    "fb_product_category": "fb_product_category",
    "product_type": "product_type",
    "color": "color",
    "size": "size",
    "material": "material",
    "pattern": "pattern",
    "gender": "gender",
    "age_group": "age_group",
    "origin_country": "origin_country",
    "custom_label_0": "custom_label_0",
    "custom_label_1": "custom_label_1",
    "custom_label_2": "custom_label_2",
    "custom_label_3": "custom_label_3",
    "custom_label_4": "custom_label_4",
}
#: Price fields are strings with the currency in items_batch ("price": "100 USD"), unlike the
#: legacy /products edge (unsigned int in minor units plus ``currency``). Source:
#: facebook/facebook-for-woocommerce ``includes/fbproduct.php`` ``format_price_for_fb_items_batch``.
PRICE_FIELDS = ("price", "sale_price")
#: Fields sent as lists.
LIST_FIELDS = ("additional_image_link",)
#: The legacy /products and /batch names (ProductCatalog.json ``POST products`` params) that
#: items_batch data must not use, with the feed name to use instead.
LEGACY_NAMES: dict[str, str] = {
    "retailer_id": "id",
    "name": "title",
    "url": "link",
    "image_url": "image_link",
    "additional_image_urls": "additional_image_link",
    "manufacturer_part_number": "mpn",
    "retailer_product_group_id": "item_group_id",
    "currency": "price",
}

#: "Country-only fields": price, sale_price, unit_price, base_price, status (visibility) and
#: availability may only be given in a country override, never in a language one.
#: https://developers.facebook.com/docs/marketing-api/catalog/guides/localized-catalog/supported-fields
COUNTRY_ONLY = (
    "availability",
    "base_price",
    "price",
    "sale_price",
    "status",
    "unit_price",
    "visibility",
)
#: Text fields a language override carries (same page).
LANGUAGE_FIELDS = (
    "title",
    "description",
    "rich_text_description",
    "short_description",
    "link",
    "mobile_link",
    "image_link",
    "additional_image_link",
    "color",
    "size",
    "material",
    "pattern",
    "custom_label_0",
    "custom_label_1",
    "custom_label_2",
    "custom_label_3",
    "custom_label_4",
)
OVERRIDE_SOURCE = (
    "https://developers.facebook.com/docs/marketing-api/catalog/guides/localized-catalog/"
    "supported-fields"
)

#: Fields a new product item needs. https://developers.facebook.com/docs/commerce-platform/
#: catalog/fields ("Required fields"); the spec's POST products requires name, currency and
#: price, which the feed names title and price ("100 USD") cover.
REQUIRED_FOR_NEW = (
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
)
REQUIRED_SOURCE = "https://developers.facebook.com/docs/commerce-platform/catalog/fields"

#: Documented limits (research/marketplace-apis.md §3.3 and §3.6).
LIMITS: dict[str, Any] = {
    "items_batch_requests": {
        "value": 5000,
        "source": "https://developers.facebook.com/documentation/ads-commerce/marketing-api/"
        "reference/product-catalog/items_batch",
    },
    "items_batch_bytes": {
        "value": 28_000_000,
        "note": "payload below 28 MB",
        "source": "https://developers.facebook.com/documentation/ads-commerce/marketing-api/"
        "reference/product-catalog/items_batch",
    },
    "localized_items_batch_requests": {
        "value": 1000,
        "note": "the Feb-2026 reference says 5000, an older guide 1000: xborder assumes 1000",
        "source": "https://developers.facebook.com/docs/marketing-api/catalog-batch/guides/"
        "send-localized-items-batch/",
    },
}

#: Enumerations the rules name, by ``enum_types.json`` name.
ENUMS = {
    "availability": "ProductItem_availability",
    "condition": "ProductItem_condition",
    "visibility": "ProductItem_visibility",
    "status": "ProductItem_status",
    "review_status": "ProductItem_review_status",
    "gender": "ProductItem_gender",
    "age_group": "ProductItem_age_group",
    "item_sub_type": "productcatalogitems_batch_item_sub_type_enum_param",
    "error_priority": "productcatalogcheck_batch_request_status_error_priority_enum_param",
    "override_details_type": "productitemoverride_details_type_enum_param",
    "feed_override_type": "productcatalogproduct_feeds_override_type_enum_param",
}
#: The localization types of localized_items_batch requests: the override types the
#: override_details edge reads back (research §3.3, §3.6).
LOCALIZATION_TYPES_ENUM = "override_details_type"

_SNAPSHOT = re.compile(r"## meta-graph-catalog/.*?Snapshot: `([0-9a-f]{40})` \(([^)]*)\)", re.S)
_SDK = re.compile(r"`API_VERSION: (v\d+\.\d+)`")


def _load(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _api(spec: dict[str, Any], method: str, edge: str) -> dict[str, Any]:
    for api in spec["apis"]:
        if api.get("method") == method and (api.get("endpoint") or api.get("name")) == edge:
            return dict(api)
    raise SystemExit(f"the spec has no {method} {edge}")


def _edge(api: dict[str, Any]) -> dict[str, Any]:
    params = sorted(api["params"], key=lambda p: p["name"])
    return {
        "method": api["method"],
        "returns": api["return"],
        "params": {p["name"]: p["type"] for p in params},
        "required": [p["name"] for p in params if p.get("required")],
    }


def _enum_name(type_name: str, enums: dict[str, list[str]]) -> str | None:
    for short, full in ENUMS.items():
        if full == type_name or full.lower() == type_name.lower():
            return short
    return None if type_name not in enums else type_name


def derive(directory: Path = SPECS, sources: Path = SOURCES) -> dict[str, Any]:
    """Return the rules derived from the spec files in ``directory``."""
    catalog = _load(directory, "ProductCatalog.json")
    item = _load(directory, "ProductItem.json")
    enum_list = _load(directory, "enum_types.json")
    enums: dict[str, list[str]] = {e["name"]: list(e["values"]) for e in enum_list}

    text = sources.read_text(encoding="utf-8")
    snapshot = _SNAPSHOT.search(text)
    sdk = _SDK.search(text)
    if snapshot is None or sdk is None:
        raise SystemExit(f"{sources}: no meta-graph-catalog snapshot or SDK API_VERSION found")

    edges = {edge: _edge(_api(catalog, method, edge)) for method, edge in CATALOG_EDGES}
    edges.update({edge: _edge(_api(item, method, edge)) for method, edge in ITEM_EDGES})

    item_fields = {f["name"]: f["type"] for f in item["fields"]}
    update = _api(item, "POST", "#update")
    update_params = {p["name"]: p["type"] for p in update["params"]}
    fields: dict[str, Any] = {}
    for feed, target in sorted(FEED_FIELDS.items()):
        spec_type = item_fields.get(target) or update_params.get(target)
        if spec_type is None:
            raise SystemExit(f"feed field {feed!r}: ProductItem has no field {target!r}")
        rule: dict[str, Any] = {"product_item_field": target, "spec_type": spec_type}
        enum = _enum_name(spec_type, enums)
        if enum is not None:
            rule["enum"] = enum
        if feed in PRICE_FIELDS:
            rule["format"] = "amount currency"
        if feed in LIST_FIELDS:
            rule["list"] = True
        fields[feed] = rule
    for legacy in LEGACY_NAMES:
        if legacy not in item_fields and legacy not in update_params and legacy != "currency":
            raise SystemExit(f"legacy name {legacy!r} is not a ProductItem field")
    products_params = set(edges["products"]["params"]) | set(
        _edge(_api(catalog, "POST", "products"))["params"]
    )
    missing_legacy = sorted(set(LEGACY_NAMES) - products_params)
    if missing_legacy:
        raise SystemExit(f"legacy names not among POST products params: {missing_legacy}")

    for short, full in ENUMS.items():
        if full not in enums:
            raise SystemExit(f"enum_types.json has no {full} ({short})")
    values = {short: sorted(enums[full]) for short, full in sorted(ENUMS.items())}

    for name in (*COUNTRY_ONLY, *LANGUAGE_FIELDS, *REQUIRED_FOR_NEW):
        if name not in fields and name not in ("base_price", "unit_price"):
            raise SystemExit(f"{name!r} is not a feed field of the rules")

    localization_types = values[LOCALIZATION_TYPES_ENUM]
    overrides = {
        "COUNTRY": sorted(["id", *COUNTRY_ONLY]),
        "LANGUAGE": sorted(["id", *LANGUAGE_FIELDS]),
        "LANGUAGE_AND_COUNTRY": sorted({"id", *COUNTRY_ONLY, *LANGUAGE_FIELDS}),
    }
    if sorted(overrides) != localization_types:
        raise SystemExit(f"override types {sorted(overrides)} != spec {localization_types}")

    objects = {
        name: sorted(f["name"] for f in _load(directory, f"{name}.json")["fields"])
        for name in (
            "CheckBatchRequestStatus",
            "OverrideDetails",
            "ProductItemError",
            "ProductCatalogLocalizationSettings",
        )
    }

    return {
        "derived_from": {
            "repository": "facebook/facebook-business-sdk-codegen",
            "path": "api_specs/specs/",
            "snapshot": snapshot.group(1),
            "snapshot_note": snapshot.group(2),
            "graph_api_version": sdk.group(1),
            "files": {name: _sha256(directory / name) for name in FILES},
            "script": "scripts/derive_meta_rules.py",
            "note": (
                "Facts derived from Meta's SDK codegen specs (names, types, enumerations) "
                "and the Meta documentation pages named in 'sources'; the specs themselves "
                "are not in this repository (Meta's licence). Regenerate with the script; "
                "do not edit by hand."
            ),
        },
        "edges": edges,
        "item_types": {
            "PRODUCT_ITEM": {
                "fields": fields,
                "legacy_names": dict(sorted(LEGACY_NAMES.items())),
                "required_for_new": list(REQUIRED_FOR_NEW),
                "methods": ["CREATE", "DELETE", "UPDATE"],
            }
        },
        "overrides": {"fields": overrides, "country_only": sorted(COUNTRY_ONLY)},
        "enums": values,
        "objects": objects,
        "limits": LIMITS,
        "sources": {
            "feed_fields": "https://developers.facebook.com/docs/marketing-api/catalog/reference",
            "overrides": OVERRIDE_SOURCE,
            "required_for_new": REQUIRED_SOURCE,
            "price_format": "facebook/facebook-for-woocommerce includes/fbproduct.php "
            "format_price_for_fb_items_batch",
        },
    }


def render(rules: dict[str, Any]) -> str:
    """Return the rules as the committed file's text."""
    return json.dumps(rules, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) tests/specs/meta/catalog_rules.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=SPECS)
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs")
    args = parser.parse_args(argv)
    text = render(derive(args.specs, args.sources))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
