"""Derive the request rules of eBay's Sell Inventory API from its OpenAPI contract.

eBay's contract carries eBay's licence, so it is not in this repository. This script reads
it (from ../shared/specs/ebay/, see ../shared/specs/SOURCES.md) and writes the *facts* the
adapter's tests and the fake eBay need into src/xborder/testing/data/ebay_request_rules.json:

* per request schema: the properties allowed (objects are closed), their types, the
  properties required, string lengths and array sizes the descriptions state, the
  enumeration each string takes;
* per operation: method, path, body schema, required headers, and whether its text limits
  a call to one SKU;
* the enumerations' values: from the contract's text where it lists them, else from eBay's
  type pages (URL given) or the marketplace id table, each with its source.

The contract types ``Product.aspects`` as a string; its own description and the live API
use an object of string arrays (``{"Brand": ["GoPro"]}``), and the rules say so.

Usage::

    python scripts/derive_ebay_rules.py            # write the shipped rules file
    python scripts/derive_ebay_rules.py --check    # exit 1 when the file differs
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs" / "ebay"
SPEC = "sell_inventory_v1_oas3.json"
TABLE = "ebay_rest-marketplace_id_values.json"
OUTPUT = ROOT / "src" / "xborder" / "testing" / "data" / "ebay_request_rules.json"

#: The operations whose requests xborder sends (operationId).
OPERATIONS = (
    "bulkCreateOrReplaceInventoryItem",
    "createOrReplaceInventoryItem",
    "bulkCreateOffer",
    "createOffer",
    "updateOffer",
    "bulkPublishOffer",
    "bulkUpdatePriceQuantity",
    "getOffers",
    "withdrawOffer",
    "deleteOffer",
)

#: Enumerations the contract links to (slr:XEnum) without listing their values: values
#: from eBay's type pages. Each page is https://developer.ebay.com/api-docs/sell/inventory/
#: types/slr:<name>.
DOC_ENUMS: dict[str, list[str]] = {
    "ConditionEnum": [
        "NEW",
        "LIKE_NEW",
        "NEW_OTHER",
        "NEW_WITH_DEFECTS",
        "MANUFACTURER_REFURBISHED",
        "CERTIFIED_REFURBISHED",
        "EXCELLENT_REFURBISHED",
        "VERY_GOOD_REFURBISHED",
        "GOOD_REFURBISHED",
        "SELLER_REFURBISHED",
        "USED_EXCELLENT",
        "USED_VERY_GOOD",
        "USED_GOOD",
        "USED_ACCEPTABLE",
        "FOR_PARTS_OR_NOT_WORKING",
        "PRE_OWNED_EXCELLENT",
        "PRE_OWNED_FAIR",
    ],
    "WeightUnitOfMeasureEnum": ["POUND", "KILOGRAM", "OUNCE", "GRAM"],
    "LengthUnitOfMeasureEnum": ["INCH", "FEET", "CENTIMETER", "METER"],
}
DOC_URL = "https://developer.ebay.com/api-docs/sell/inventory/types/slr:{name}"

#: Requirements the contract states in an error message rather than on the property:
#: (operation, errorId) → (schema, properties). The script checks the message still says so.
ERROR_REQUIREMENTS = {
    ("bulkCreateOrReplaceInventoryItem", "25733"): ("InventoryItemWithSkuLocale", ["locale"]),
}

_TAG = re.compile(r"<[^>]+>")
_MAX_LENGTH = re.compile(r"Max(?:imum)? length\s*:\s*(\d+)", re.I)
_MAX_ITEMS = re.compile(r"\b(?:up to|a maximum of)\s+(\d+)\b", re.I)
_ENUM_LINK = re.compile(r"slr:(\w+Enum)|ba:(\w+Enum)")
_SUPPORTED = re.compile(r"(?:Supported values are|the only supported value is)([^.]*)", re.I)
_CODE = re.compile(r"<code>([^<]+)</code>")
_ALWAYS_REQUIRED = re.compile(r"always required in the request payload:(.*?)\.\s", re.I | re.S)
_STRONG = re.compile(r"<strong>(\w+)</strong>")
_ONE_SKU = re.compile(r"Only one SKU \(one product\) can be updated per call", re.I)


def _text(raw: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", raw)).split())


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


class Deriver:
    def __init__(self, spec: dict[str, Any], table: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec["components"]["schemas"]
        self.table = table
        self.rules: dict[str, Any] = {}
        self.enums: dict[str, Any] = {}

    # -- enumerations

    def enum(self, name: str, description: str, where: str) -> str:
        if name not in self.enums:
            listed = _SUPPORTED.search(description)
            values = _CODE.findall(listed.group(1)) if listed else []
            if values:
                self.enums[name] = {"values": sorted(values), "source": f"spec: {where}"}
            elif name in DOC_ENUMS:
                self.enums[name] = {
                    "values": sorted(DOC_ENUMS[name]),
                    "source": f"doc: {DOC_URL.format(name=name)}",
                }
            elif name == "MarketplaceEnum":
                self.enums[name] = {
                    "values": sorted(k for k in self.table if not k.startswith("EBAY_MOTORS")),
                    "source": f"table: {TABLE} (eBay's marketplace id list)",
                }
            elif name == "LocaleEnum":
                locales = {
                    tag.replace("-", "_")
                    for _, (_, languages) in self.table.items()
                    for tag in languages
                }
                self.enums[name] = {
                    "values": sorted(locales),
                    "source": f"table: {TABLE} (Content-Language values as locales)",
                }
            else:
                self.enums[name] = {
                    "values": None,
                    "source": "not enumerated in the contract",
                }
        return name

    # -- schemas

    def prop(self, schema: str, name: str, node: dict[str, Any]) -> dict[str, Any]:
        raw = node.get("description", "")
        text = _text(raw)
        where = f"{schema}.{name}"
        if schema == "Product" and name == "aspects":
            names = re.search(r"Max Length for Aspect Name\s*:\s*(\d+)", text)
            values = re.search(r"Max Length for Aspect Value\s*:\s*(\d+)", text)
            items: dict[str, Any] = {"type": "string"}
            if values:
                items["maxLength"] = int(values.group(1))
            rule: dict[str, Any] = {
                "type": "object",
                "additionalProperties": {"type": "array", "items": items},
                "override": "the contract types aspects as a string; its description and "
                "the live API take an object of string arrays",
            }
            if names:
                rule["propertyNames"] = {"maxLength": int(names.group(1))}
            return rule
        ref = _ref(node)
        if ref is not None:
            self.schema(ref)
            return {"$ref": ref}
        kind = node.get("type", "string")
        rule = {"type": kind}
        if kind == "array":
            items_node = dict(node.get("items", {}))
            if "$ref" not in items_node:
                # An array's values are often described on the array ("the only supported
                # value is ..."), their enumeration linked on the items.
                items_node["description"] = f"{items_node.get('description', '')} {raw}"
            rule["items"] = self.prop(schema, f"{name}[]", items_node)
            found = _MAX_ITEMS.search(text)
            if found:
                rule["maxItems"] = int(found.group(1))
        elif kind == "string":
            found = _MAX_LENGTH.search(text)
            if found:
                rule["maxLength"] = int(found.group(1))
            self._enum_rule(rule, raw, where)
        return rule

    def _enum_rule(self, rule: dict[str, Any], raw: str, where: str) -> None:
        if rule.get("type") != "string":
            return
        link = _ENUM_LINK.search(raw)
        if link:
            rule["enum"] = self.enum(link.group(1) or link.group(2), raw, where)
        else:
            listed = _SUPPORTED.search(raw)
            if listed and _CODE.findall(listed.group(1)):
                rule["enum_values"] = sorted(_CODE.findall(listed.group(1)))

    def schema(self, name: str) -> None:
        if name in self.rules:
            return
        self.rules[name] = {}  # placeholder: schemas refer to each other
        node = self.schemas[name]
        properties = {}
        required = []
        for prop, sub in sorted(node.get("properties", {}).items()):
            properties[prop] = self.prop(name, prop, sub)
            text = _text(sub.get("description", ""))
            if re.search(r"\bThis field is (?:always )?required\.", text):
                required.append(prop)
        if name == "Amount":
            text = _text(node["properties"]["value"].get("description", ""))
            if "Both the value and currency fields are required" in text:
                required += ["currency", "value"]
        self.rules[name] = {
            "type": "object",
            "properties": properties,
            "required": sorted(set(required)),
        }

    # -- operations

    def operations(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for path, methods in self.spec["paths"].items():
            for method, op in methods.items():
                if not isinstance(op, dict) or op.get("operationId") not in OPERATIONS:
                    continue
                entry: dict[str, Any] = {"method": method.upper(), "path": path}
                content = op.get("requestBody", {}).get("content", {})
                body = _ref(content.get("application/json", {}).get("schema", {}))
                if body is not None:
                    self.schema(body)
                    entry["body"] = body
                entry["headers"] = sorted(
                    p["name"]
                    for p in op.get("parameters", [])
                    if p.get("in") == "header" and p.get("required")
                )
                entry["query"] = sorted(
                    p["name"] for p in op.get("parameters", []) if p.get("in") == "query"
                )
                description = op.get("description", "")
                always = _ALWAYS_REQUIRED.search(description)
                if always and body is not None:
                    target = self._element(body)
                    names = _STRONG.findall(always.group(1))
                    rule = self.rules[target]
                    rule["required"] = sorted(set(rule["required"]) | set(names))
                if _ONE_SKU.search(_text(description)):
                    entry["one_sku_per_call"] = True
                codes = {
                    code
                    for response in op.get("responses", {}).values()
                    for code in response.get("x-response-codes", {}).get("errors", {})
                }
                entry["error_ids"] = sorted(codes, key=int)
                for (operation, code), (schema, props) in ERROR_REQUIREMENTS.items():
                    if operation != op["operationId"]:
                        continue
                    errors = [
                        r["x-response-codes"]["errors"][code]["description"]
                        for r in op["responses"].values()
                        if code in r.get("x-response-codes", {}).get("errors", {})
                    ]
                    if not errors or not all("required" in e and props[0] in e for e in errors):
                        raise SystemExit(
                            f"{operation} error {code} no longer says {props} are required"
                        )
                    rule = self.rules[schema]
                    rule["required"] = sorted(set(rule["required"]) | set(props))
                found[op["operationId"]] = entry
        missing = set(OPERATIONS) - set(found)
        if missing:
            raise SystemExit(f"operations not in the contract: {sorted(missing)}")
        return dict(sorted(found.items()))

    def _element(self, body: str) -> str:
        # Bulk bodies wrap their elements in "requests": the requirement is the element's.
        requests = self.rules[body]["properties"].get("requests")
        if requests and requests.get("type") == "array" and "$ref" in requests["items"]:
            return str(requests["items"]["$ref"])
        return body


def derive(spec_path: Path, table_path: Path) -> dict[str, Any]:
    raw = spec_path.read_bytes()
    spec = json.loads(raw)
    table = json.loads(table_path.read_bytes())
    deriver = Deriver(spec, table)
    operations = deriver.operations()
    return {
        "derived_from": {
            "file": spec_path.name,
            "title": spec["info"]["title"],
            "version": spec["info"]["version"],
            "sha256": hashlib.sha256(raw).hexdigest(),
            "table": table_path.name,
            "table_sha256": hashlib.sha256(table_path.read_bytes()).hexdigest(),
            "script": "scripts/derive_ebay_rules.py",
            "note": "Facts derived from eBay's OpenAPI contract (names, types and the limits "
            "its descriptions state); the contract itself is not in this repository (eBay "
            "API License Agreement). Regenerate with the script; do not edit by hand.",
        },
        "operations": operations,
        "schemas": dict(sorted(deriver.rules.items())),
        "enums": dict(sorted(deriver.enums.items())),
    }


def render(rules: dict[str, Any]) -> str:
    return json.dumps(rules, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=SPECS / SPEC)
    parser.add_argument("--table", type=Path, default=SPECS / TABLE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render(derive(args.spec, args.table))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} differs from what {args.spec.name} gives", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
