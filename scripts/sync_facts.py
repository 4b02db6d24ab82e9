"""Copy the sourced facts into package data and build the dated market periods from them.

Usage: python scripts/sync_facts.py [--from ../shared/facts] [--check] [--periods-only]

1. The facts are copied byte for byte into ``src/xborder/data/facts/`` (sources, ``as_of``
   and ``unverified`` notes kept), and a MANIFEST.json records each file's SHA-256 and
   ``as_of`` so a reviewer can see which version ships.
2. ``src/xborder/data/market_periods.json`` is generated from the *packaged* copy of
   ``markets.json`` plus the hand-written, sourced supplement ``scripts/market_history.json``
   (earlier and planned values that the facts' notes and ``recent_changes`` name but do not
   model as objects). Every dated fact becomes a list of periods ``{effective_from,
   effective_to, value, currency, source, as_of, notes}``; ``value`` null means unknown,
   never zero. The output is deterministic: the same inputs give the same bytes, and a test
   regenerates it from the packaged facts and expects no difference.

``--check`` compares instead of writing and exits 1 on a difference. ``--periods-only``
skips the copy (no ../shared needed) and regenerates the periods from the packaged facts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

FILES = ("markets.json", "restricted_goods.json", "sanctions.json", "sources.json", "README.md")
ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "src" / "xborder" / "data" / "facts"
HISTORY = ROOT / "scripts" / "market_history.json"
PERIODS = ROOT / "src" / "xborder" / "data" / "market_periods.json"

#: Dated facts read from a field of markets.json: fact name -> field.
FACT_FIELDS = {
    "vat_rate": "vat_standard_rate",
    "prices_include_tax": "prices_displayed_tax_inclusive",
    "duty_de_minimis": "duty_de_minimis",
    "tax_de_minimis": "tax_de_minimis",
    "collection": "low_value_tax_collection",
}
#: Every dated fact, in the order the package data lists them. The last two exist only in
#: the supplement (the facts describe them in notes / national_fees, not as fields).
FACT_ORDER = (
    "vat_rate",
    "prices_include_tax",
    "duty_de_minimis",
    "flat_duty_per_tariff_line",
    "tax_de_minimis",
    "collection",
    "parcel_fee",
)
# "Standard VAT 24% -> 25.5%" in recent_changes (FI, EE, SK, RO in the 2026-11-28 facts).
_VAT_CHANGE = re.compile(r"^Standard VAT (\d+(?:\.\d+)?)% -> (\d+(?:\.\d+)?)%")
_DECIMAL = re.compile(r'"@@decimal:([-+0-9.Ee]+)@@"')


class FactsError(ValueError):
    """The facts and the supplement disagree, or a period list is malformed."""


# -- copying -------------------------------------------------------------------------------


def _as_of(path: Path) -> str | None:
    if path.suffix != ".json":
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("as_of"), str):
        return str(data["as_of"])
    if isinstance(data, list):
        dates = sorted({d["as_of"] for d in data if isinstance(d, dict) and "as_of" in d})
        return dates[-1] if dates else None
    return None


def manifest(folder: Path) -> dict[str, object]:
    files = {}
    for name in FILES:
        path = folder / name
        files[name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "as_of": _as_of(path),
        }
    return {"source": "shared/facts (see sources.json for every fact's source)", "files": files}


# -- building the dated periods ------------------------------------------------------------


def _load(path: Path) -> Any:
    # parse_float=Decimal: 25.5 stays exact; no float is ever created.
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _urls(source: object) -> list[str]:
    if source is None:
        return []
    if isinstance(source, str):
        return [source]
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return list(source)
    raise FactsError(f"source must be a URL or a list of URLs, got {source!r}")


def _dedupe(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def _day(text: object, where: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise FactsError(f"{where}: {text!r} is not a YYYY-MM-DD date") from None


def _from_facts(row: dict[str, Any], fact: str) -> dict[str, Any]:
    """The current period a markets.json object gives for ``fact`` (start may be unknown)."""
    field = FACT_FIELDS[fact]
    fallback = _urls(row.get("sources"))  # the facts give these fields no per-field source
    if fact == "vat_rate":
        return {
            "effective_from": None,
            "value": row.get(field),
            "currency": None,
            "notes": row.get("vat_notes"),
            "source": fallback,
        }
    if fact == "prices_include_tax":
        return {
            "effective_from": None,
            "value": row.get(field),
            "currency": None,
            "notes": row.get("prices_notes"),
            "source": fallback,
        }
    obj = row.get(field)
    if not isinstance(obj, dict):
        raise FactsError(f"{row['country']}: {field} is missing")
    value: Any
    if fact == "collection":
        value = {k: obj.get(k) for k in ("scheme", "threshold", "collected_by")}
        start = None
    else:
        value = obj.get("amount")
        start = obj.get("effective_from")
    return {
        "effective_from": start,
        "value": value,
        "currency": obj.get("currency"),
        "notes": obj.get("notes"),
        "source": _urls(obj.get("source")) or fallback,
    }


def _vat_changes(row: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Periods of the standard VAT rate from the object's recent_changes, or None."""
    changes = []
    for change in row.get("recent_changes") or ():
        match = _VAT_CHANGE.match(str(change.get("change", "")))
        if match:
            changes.append((str(change["date"]), match, change))
    if not changes:
        return None
    changes.sort(key=lambda c: c[0])
    current = _from_facts(row, "vat_rate")
    periods: list[dict[str, Any]] = []
    for n, (day, match, change) in enumerate(changes):
        old, new = Decimal(match.group(1)), Decimal(match.group(2))
        if n == 0:
            periods.append(
                {
                    "effective_from": None,
                    "value": old,
                    "currency": None,
                    "notes": f"Before {day}: {change['change']}.",
                    "source": _urls(change.get("source")),
                    "facts": True,
                }
            )
        elif periods[-1]["value"] != old:
            raise FactsError(f"{row['country']}: VAT change on {day} starts from {old}")
        periods.append(
            {
                "effective_from": day,
                "value": new,
                "currency": None,
                "notes": change["change"],
                "source": _urls(change.get("source")),
                "facts": True,
            }
        )
    if current["value"] is None or periods[-1]["value"] != current["value"]:
        raise FactsError(
            f"{row['country']}: last VAT change gives {periods[-1]['value']}, "
            f"vat_standard_rate is {current['value']}"
        )
    last = periods[-1]
    last["value"] = current["value"]
    last["source"] = _dedupe(last["source"] + current["source"])
    if current["notes"]:
        last["notes"] = f"{last['notes']}. {current['notes']}"
    return periods


def _resolve(
    entry: dict[str, Any], row: dict[str, Any], history_as_of: str
) -> list[dict[str, Any]]:
    """The hand-written period list of one supplement entry, with facts periods filled in."""
    out = []
    for period in entry["periods"]:
        if period.get("facts"):
            current = _from_facts(row, entry["fact"])
            given, wanted = current["effective_from"], period.get("effective_from")
            if given is not None and given != wanted:
                raise FactsError(
                    f"{row['country']}.{entry['fact']}: the facts now start on {given}, the "
                    f"supplement on {wanted}; update scripts/market_history.json"
                )
            current["effective_from"] = wanted
            current["as_of"] = row["as_of"]
            out.append(current)
        else:
            item = {k: period.get(k) for k in ("effective_from", "value", "currency", "notes")}
            item["source"] = _urls(period.get("source"))
            item["as_of"] = history_as_of
            if "effective_to" in period:
                item["effective_to"] = period["effective_to"]
            out.append(item)
    return out


def _finish(periods: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """Order the keys, derive effective_to and check the periods are ordered and sourced."""
    done = []
    for n, period in enumerate(periods):
        start = _day(period.get("effective_from"), where)
        if start is None and n:
            raise FactsError(f"{where}: only the first period may have an unknown start")
        end = _day(period.get("effective_to"), where)
        if n + 1 < len(periods):
            following = _day(periods[n + 1].get("effective_from"), where)
            if following is None or (start is not None and following <= start):
                raise FactsError(f"{where}: periods are not in date order")
            if end is None:
                end = following - timedelta(days=1)
            elif end >= following:
                raise FactsError(f"{where}: period ending {end} overlaps the next one")
        if end is not None and start is not None and end < start:
            raise FactsError(f"{where}: period ends ({end}) before it starts ({start})")
        if not period.get("source"):
            raise FactsError(f"{where}: a period from {start} has no source")
        done.append(
            {
                "effective_from": start.isoformat() if start else None,
                "effective_to": end.isoformat() if end else None,
                "value": period.get("value"),
                "currency": period.get("currency"),
                "source": _dedupe(period["source"]),
                "as_of": period["as_of"],
                "notes": period.get("notes"),
            }
        )
    return done


def _fact_unverified(row: dict[str, Any], fact: str, entry: dict[str, Any] | None) -> list[str]:
    # An unverified note that starts with the field's name is about that fact.
    field = FACT_FIELDS.get(fact)
    own = [u for u in row.get("unverified") or () if field and str(u).startswith(field)]
    extra = list(entry.get("unverified") or ()) if entry else []
    return list(dict.fromkeys(own + extra))


def _check_inheritance(row: dict[str, Any], parent: dict[str, Any], fact: str) -> None:
    field = FACT_FIELDS.get(fact)
    if field and row.get(field) != parent.get(field):
        raise FactsError(
            f"{row['country']}.{field} differs from {parent['country']}'s; give "
            f"{row['country']} its own entry in scripts/market_history.json"
        )


def build_periods(facts_dir: Path, history_path: Path = HISTORY) -> dict[str, Any]:
    """Return the dated market facts built from ``facts_dir/markets.json`` and the supplement."""
    rows: list[dict[str, Any]] = _load(facts_dir / "markets.json")
    history = _load(history_path)
    by_code = {row["country"]: row for row in rows}
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in history["entries"]:
        market, fact = entry["market"], entry["fact"]
        if market not in by_code or fact not in FACT_ORDER:
            raise FactsError(f"supplement entry for unknown market or fact: {market}.{fact}")
        if (market, fact) in entries:
            raise FactsError(f"two supplement entries for {market}.{fact}")
        entries[(market, fact)] = entry
    extra_sources: dict[tuple[str, str, str], list[str]] = {}
    for extra in history.get("extra_sources") or ():
        key = (extra["market"], extra["fact"], extra["effective_from"])
        extra_sources[key] = _urls(extra["source"])

    markets: dict[str, Any] = {}
    for row in rows:
        code = row["country"]
        parent = by_code.get(row.get("inherits") or "")
        facts: dict[str, Any] = {}
        for fact in FACT_ORDER:
            entry = entries.get((code, fact))
            if entry is None and parent is not None:
                entry = entries.get((parent["country"], fact))
                if entry is not None:
                    _check_inheritance(row, parent, fact)
            where = f"{code}.{fact}"
            by_origin: dict[str, list[dict[str, Any]]] = {}
            if entry is not None:
                periods = _resolve(entry, row, history["as_of"])
                for origin, origin_periods in sorted((entry.get("by_origin") or {}).items()):
                    resolved = _resolve({**entry, "periods": origin_periods}, row, history["as_of"])
                    by_origin[origin] = _finish(resolved, f"{where}[origin={origin}]")
            elif fact == "vat_rate" and (changes := _vat_changes(row)) is not None:
                periods = [{**p, "as_of": row["as_of"]} for p in changes]
            elif fact in FACT_FIELDS:
                periods = [{**_from_facts(row, fact), "as_of": row["as_of"]}]
            else:
                continue  # a supplement-only fact this market does not have
            for period in periods:
                key = (code, fact, str(period.get("effective_from")))
                period["source"] = period["source"] + extra_sources.pop(key, [])
            facts[fact] = {
                "unverified": _fact_unverified(row, fact, entry),
                "periods": _finish(periods, where),
            }
            if by_origin:
                facts[fact]["by_origin"] = by_origin
        markets[code] = {
            "name": row.get("name"),
            "currency": row.get("currency"),
            "eu_member": bool(row.get("eu_member", False)),
            "inherits": row.get("inherits"),
            "as_of": row["as_of"],
            "sources": _urls(row.get("sources")),
            "unverified": list(row.get("unverified") or ()),
            "recent_changes": [
                {"date": str(c["date"]), "change": c["change"], "source": _urls(c.get("source"))}
                for c in row.get("recent_changes") or ()
            ],
            "facts": facts,
        }
    if extra_sources:
        raise FactsError(f"extra_sources match no period: {sorted(extra_sources)}")
    return {
        "about": (
            "Dated market facts: generated by scripts/sync_facts.py from data/facts/"
            "markets.json and scripts/market_history.json; do not edit by hand. value null "
            "= unknown (never zero); effective_from null = in force since a date the facts "
            "do not give; effective_to null = still in force."
        ),
        "as_of": max(str(row["as_of"]) for row in rows),
        "inputs": {
            "data/facts/markets.json": _sha256(facts_dir / "markets.json"),
            "scripts/market_history.json": _sha256(history_path),
        },
        "facts": list(FACT_ORDER),
        "markets": markets,
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_periods(data: dict[str, Any]) -> str:
    """Serialise ``data`` deterministically, writing every Decimal as an exact JSON number."""

    def decimal(value: object) -> str:
        if isinstance(value, Decimal):
            return f"@@decimal:{value}@@"
        raise TypeError(f"cannot serialise {type(value).__name__}")

    text = json.dumps(data, indent=1, ensure_ascii=False, default=decimal)
    return _DECIMAL.sub(r"\1", text) + "\n"


# -- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="src", type=Path, default=ROOT.parent / "shared" / "facts")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    parser.add_argument(
        "--periods-only",
        action="store_true",
        help="do not copy; regenerate market_periods.json from the packaged facts",
    )
    args = parser.parse_args(argv)
    src: Path = args.src
    differ: list[str] = []
    if not args.periods_only:
        missing = [name for name in FILES if not (src / name).is_file()]
        if missing:
            print(f"error: {src} lacks {', '.join(missing)}", file=sys.stderr)
            return 2
        if args.check:
            differ += [
                n
                for n in FILES
                if not (DEST / n).is_file() or (DEST / n).read_bytes() != (src / n).read_bytes()
            ]
        else:
            DEST.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                shutil.copyfile(src / name, DEST / name)
            text = json.dumps(manifest(DEST), indent=2, sort_keys=True) + "\n"
            (DEST / "MANIFEST.json").write_text(text, encoding="utf-8")
            print(f"copied {len(FILES)} files from {src} to {DEST.relative_to(ROOT)}")
    try:
        periods = render_periods(build_periods(DEST, HISTORY))
    except FactsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if not PERIODS.is_file() or PERIODS.read_text(encoding="utf-8") != periods:
            differ.append(PERIODS.name)
        for name in differ:
            print(f"differs: {name}")
        return 1 if differ else 0
    PERIODS.write_text(periods, encoding="utf-8")
    print(f"wrote {PERIODS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
