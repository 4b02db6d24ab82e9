"""Build the compliance rule data from the sourced facts.

Usage: python scripts/build_rules.py [--facts src/xborder/data/facts] [--check]

Reads the *packaged* copy of the facts (``src/xborder/data/facts/``, which
``scripts/sync_facts.py`` copies from ../shared/facts) and writes, next to the rules that read
them, ``src/xborder/compliance/data/<name>.json`` for every builder in :data:`BUILDERS`:

* ``restricted.json`` (:func:`build_restricted`): one entry per restricted-goods rule x
  destination, with the facts' status, notes, sources, ``as_of`` and ``unverified`` notes kept,
  and the triggers normalised (lower-case keywords, HS hints as digit prefixes, xborder
  category keys, benign phrases that must not trigger a keyword).
* ``sanctions.json`` (:func:`build_sanctions`): one object per sanctions target with each
  regime's level, basis and sources and the checker action per regime.

The hand-written tables below (category mapping, benign phrases, dated entries, narrowed
entries) carry a comment per line saying why; everything else comes from the facts. The
output is deterministic, and a test rebuilds it from the packaged facts and expects no
difference. ``--check`` compares instead of writing and exits 1 on a difference.

Builders for other rule families may be added to :data:`BUILDERS`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "src" / "xborder" / "data" / "facts"
OUT = ROOT / "src" / "xborder" / "compliance" / "data"

STATUSES = ("prohibited", "restricted", "carrier")
REGIMES = ("US", "EU", "UK")


class BuildError(ValueError):
    """The facts hold something the builder's tables do not cover (update the tables)."""


# -- hand-written tables: restricted goods -----------------------------------------------------

#: The facts' ``marketplace_categories`` text -> xborder category keys (xborder.listing.CATEGORIES).
MARKETPLACE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Vaping & smoking": ("tobacco.vapes",),  # vapes rule; xborder has no key for smoking goods
    "E-cigarettes": ("tobacco.vapes",),  # "Electronic cigarettes, vapes, e-liquids"
}

#: Rule id -> xborder categories that confirm the rule (besides marketplace_categories).
#: Every rule of the facts must be listed, so a new rule cannot slip through unmapped.
RULE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "vapes_e_cigarettes": (),  # confirmed through marketplace_categories (tobacco.vapes)
    # Loose batteries and power banks. A phone case with a battery is NOT confirmed by
    # electronics.phone_accessories (most cases have none) but by dangerous_goods.battery or
    # HS 8507 (the facts' hint 8507.60).
    "lithium_batteries": ("electronics.batteries",),
    "alcohol": (),  # "food" (food and drink) is too broad to confirm alcohol; HS 2203-2208 does
    "tobacco": (),  # tobacco.vapes is the vape rule (HS 2404 / 8543.40), not tobacco (2401-2403)
    "cbd_hemp_cannabis": ("health.cbd",),  # "Products containing cannabidiol (CBD) or hemp"
    "knives_weapons": ("tools.knives",),  # "Knives and bladed tools"
    # Seeds, live plants and food: the facts' category names all three (AU BICON, NZ MPI,
    # NO "foodstuffs ... plants and seeds", KR "Food ...").
    "biosecurity_plants_seeds_soil_food": ("garden.seeds", "garden.plants", "food"),
    "cosmetics": ("cosmetics.skincare", "cosmetics.fragrance", "cosmetics.makeup"),
    "supplements_medicines": ("supplements",),  # "Food supplements and vitamins"
    "wildlife_ivory_cites": (),  # no xborder category for animal parts
    "counterfeit_ip": (),  # counterfeiting is not a kind of product
    "currency_financial": (),  # no xborder category for coins or banknotes
    "russia_belarus_luxury_goods": (),  # keywords ["*"]: every good (all_goods)
}

#: Rule id -> DangerousGoods fields whose value confirms the rule (battery != "none", flags true).
RULE_DANGEROUS_GOODS: dict[str, tuple[str, ...]] = {
    "lithium_batteries": ("battery",),  # a battery declared in the listing's dangerous goods
}

#: (rule id, country) -> narrower triggers for one destination entry. Each value must be a
#: subset of the rule's own triggers; ``words`` must occur in the entry's notes.
ENTRY_SCOPE: dict[tuple[str, str], dict[str, Any]] = {
    # The "*" cosmetics entry is a carrier rule about "Perfumes (flammable) and aerosols"
    # (nibusinessinfo.co.uk), not about every cosmetic: only perfume confirms it. A declared
    # aerosol or flammable product is not confirmed by it (the rule's triggers name no
    # dangerous goods: a candle is no cosmetic); the dangerous_goods rule reports those.
    ("cosmetics", "*"): {
        "words": ("perfume", "aerosol"),
        "keywords": ("perfume", "eau de toilette"),
        "hs_prefixes": ("3303",),
        "categories": ("cosmetics.fragrance",),
    },
}

#: (rule id, country) -> effective_from, where the entry's notes give one date for the whole
#: restriction. The date must occur in the notes; every other entry is null ("in force since a
#: date the facts do not give").
EFFECTIVE_FROM: dict[tuple[str, str], str] = {
    # "Single-use (disposable) vapes may not be sold ... from 2025-06-01" (anewz.tv)
    ("vapes_e_cigarettes", "GB"): "2025-06-01",
}

# Words after a keyword that make it a colour, a pattern or a motif, not the goods.
_COLOUR = (
    "colour", "color", "coloured", "colored", "tone", "toned", "shade", "glaze", "glazed",
    "white", "pink", "red", "brown", "green", "beige", "finish", "effect", "print", "pattern",
)  # fmt: skip
# Drinkware and bar tools named after a drink (a wine glass holds no wine).
_BARWARE = (
    "glass", "mug", "stein", "tumbler", "cup", "set", "carafe", "decanter", "rack", "opener",
    "stopper", "cooler", "chiller", "bucket", "flight", "charm", "stone", "tray", "holder",
)  # fmt: skip
_DRINKS = ("wine", "beer", "whisky", "whiskey", "gin", "sake", "tequila", "vodka", "rum")


def _after(words: Iterable[str], suffixes: Iterable[str]) -> list[str]:
    suffixes = tuple(suffixes)
    return [f"{w} {s}" for w in words for s in suffixes]


#: Rule id -> phrases in which one of the rule's keywords means something else. A keyword
#: found inside one of these phrases does not count for that rule (plurals are handled the
#: same way as for keywords). Tuned on the sample catalog and the false positives of
#: docs/compliance-restricted.md; the facts are not edited.
BENIGN: dict[str, list[str]] = {
    "vapes_e_cigarettes": ["perfume atomizer", "atomizer bottle"],  # perfume spray bottles
    "alcohol": [
        *_after(_DRINKS, _BARWARE),  # wine glass, beer stein, sake set, whisky stones ...
        *_after(("wine",), _COLOUR),  # wine red, wine colour
        "sake of",  # "for the sake of"
        *("spirit level", "free spirit", "team spirit", "holiday spirit", "christmas spirit"),
        "alcohol-free",  # the opposite
        *("alcohol ink", "rubbing alcohol"),  # an art medium; isopropanol, not a drink
    ],
    "tobacco": [
        *("e-cigarette", "electronic cigarette"),  # the vape rule (HS 2404 / 8543.40)
        *("cigarette case", "cigarette holder", "cigarette lighter"),  # accessories
        *("cigarette pants", "cigarette trousers", "cigarette jeans"),  # a trouser cut
        *("cigar box", "cigar cutter", "cigar case", "tobacco pouch", "tobacco pipe"),  # ditto
        *("tobacco leather", *_after(("tobacco",), _COLOUR)),  # tobacco brown: a colour
    ],
    "cbd_hemp_cannabis": _after(("full spectrum",), ("light", "led", "lamp", "bulb")),  # lamps
    "knives_weapons": [
        *("knife-edge", "knife pleat"),  # knife-edge pleats, a knife-edge crease
        *("knife rest", "palette knife"),  # tableware holding a knife; a blunt painting tool
        *("relay baton", "conductor baton", "twirling baton"),  # sports and music
        "sword fern",  # a plant
    ],
    "biosecurity_plants_seeds_soil_food": [
        *("seed bead", "seed pearl"),  # jewellery materials
        *("seed stitch", "moss stitch"),  # knitting stitches
        *("cutting board", "cutting mat", "cutting edge", "cutting tool"),  # tools, a phrase
        *("die cutting", "laser cutting"),  # processes
        *("light bulb", "led bulb"),  # lighting
        "bulb vase",  # a vase for forcing bulbs, sold empty
        "moss agate",  # a gemstone
        *_after(("moss", "honey", "wood", "feather"), _COLOUR),  # moss green, honey glaze ...
        *("wood grain", "faux wood"),  # a surface look, imitation
        *("honey pot", "honey jar", "honey dipper"),  # empty jars, a utensil
        *("egg cup", "egg timer", "egg holder"),  # tableware, a timer
        *("meat thermometer", "meat tenderizer"),  # kitchen tools
        "dairy-free",  # the opposite
        *_after(("pet food",), ("bowl", "mat", "container", "scoop")),  # pet supplies
        *("succulent pot", "succulent planter"),  # planters
        *("hard shell", "soft shell", "shell jacket"),  # cases, jackets
        "soil moisture",  # a meter or sensor
    ],
    "cosmetics": [
        *("ice cream", "sour cream", "cream cheese"),  # food
        *("cream jug", "cream pitcher", "cream and sugar"),  # tableware
        *_after(("cream",), _COLOUR),  # cream white, cream glaze
        *("lotion pump", "lotion dispenser", "lotion bottle", "perfume bottle"),  # containers
        "foundation brush",  # a tool
        *("foundation garment", "foundation piecing"),  # underwear; a quilting technique
    ],
    "supplements_medicines": [
        *("capsule wardrobe", "capsule collection"),  # fashion
        *("time capsule", "coffee capsule"),  # a keepsake; coffee pods
    ],
    "wildlife_ivory_cites": [
        *_after(("ivory", "coral", "tortoiseshell"), _COLOUR),  # ivory white, coral glaze ...
        "tortoiseshell acetate",  # imitation tortoiseshell
        *_after(("elephant",), ("print", "pattern", "motif", "figurine", "design", "ornament")),
        *_after(("python skin", "crocodile skin"), ("effect", "print", "embossed")),  # imitation
    ],
    "counterfeit_ip": [
        *("fake leather", "fake fur", "fake suede"),  # faux materials
        *("fake plant", "fake flower", "fake snow"),  # artificial decoration
        *("fake tan", "fake eyelash", "fake lash", "fake nail"),  # cosmetics named "fake"
    ],
    "currency_financial": ["currency converter", "currency symbol"],  # a calculator, a glyph
    "lithium_batteries": [],
    "russia_belarus_luxury_goods": [],
}

# -- HS hints --------------------------------------------------------------------------------

_PAREN = re.compile(r"\([^)]*\)")
_CHAPTERS = re.compile(r"(?i)(?:chapters?|ch\.)\s*(\d{1,2}(?:\s*(?:,|/|and)\s*\d{1,2})*)")
_CODE = re.compile(r"\d{4}(?:\.\d{2}){0,2}")
_RANGE = re.compile(
    r"(\d{2}(?:\d{2})?(?:\.\d{2})?)\s*[-\u2013\u2014]\s*(\d{2}(?:\d{2})?(?:\.\d{2})?)"
)


def hs_prefixes(hint: str) -> list[str]:
    """Return the digit prefixes an ``hs_hints`` text names ([] when it names no HS code).

    ``"8543.40 (electronic cigarettes ...)"`` -> ``["854340"]``; ``"2404.12 / 2404.19"`` -> both;
    ranges (``"9301-9306"``, ``"0601–0604"``) give every prefix in the range; ``"Chapter 93"``,
    ``"ch. 93"`` and ``"Chapters 02, 04, 16"`` give 2-digit chapters. A text that is not made
    only of such codes (``"EU Reg 833/2014 Annex XVIII luxury list"``) gives none: it is kept
    as a note by the caller, never guessed at.
    """
    text = _PAREN.sub(" ", hint).strip().rstrip(".;")
    chapters = _CHAPTERS.fullmatch(text)
    if chapters:
        return [c.zfill(2) for c in re.findall(r"\d{1,2}", chapters.group(1))]
    out: list[str] = []
    for item in re.split(r"\s*[/,;]\s*", text):
        if _CODE.fullmatch(item):
            out.append(item.replace(".", ""))
            continue
        span = _RANGE.fullmatch(item)
        if not span:
            return []
        low, high = (s.replace(".", "") for s in span.groups())
        if len(low) != len(high) or int(high) < int(low) or int(high) - int(low) > 99:
            raise BuildError(f"HS range {item!r} in {hint!r} is not a small ascending range")
        out += [str(n).zfill(len(low)) for n in range(int(low), int(high) + 1)]
    return list(dict.fromkeys(out))


# -- helpers ---------------------------------------------------------------------------------


def _urls(source: object, where: str) -> list[str]:
    if source is None:
        return []
    if isinstance(source, str):
        return [source]
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return list(dict.fromkeys(source))
    raise BuildError(f"{where}: source must be a URL or a list of URLs, got {source!r}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _keyword(text: str, where: str) -> str:
    word = " ".join(text.lower().split())
    if not word:
        raise BuildError(f"{where}: empty keyword")
    return word


def _categories(rule: dict[str, Any]) -> list[str]:
    from xborder.listing import CATEGORIES  # the vocabulary the rule matches against

    rule_id = rule["id"]
    if rule_id not in RULE_CATEGORIES:
        raise BuildError(f"rule {rule_id!r} is not in RULE_CATEGORIES: map it (or map it to ())")
    keys = list(RULE_CATEGORIES[rule_id])
    for text in rule["triggers"].get("marketplace_categories") or ():
        if text not in MARKETPLACE_CATEGORIES:
            raise BuildError(f"{rule_id}: marketplace category {text!r} is not mapped")
        keys += MARKETPLACE_CATEGORIES[text]
    unknown = [k for k in keys if k not in CATEGORIES]
    if unknown:
        raise BuildError(f"{rule_id}: {unknown} are not xborder categories")
    return list(dict.fromkeys(keys))


def _narrow(entry: dict[str, Any], scope: dict[str, Any], notes: str) -> None:
    where = entry["id"]
    if not all(word in notes.lower() for word in scope["words"]):
        raise BuildError(f"{where}: the notes no longer say {scope['words']}; review ENTRY_SCOPE")
    for key in ("keywords", "hs_prefixes", "categories", "dangerous_goods"):
        wanted = list(scope.get(key, ()))
        if not set(wanted) <= set(entry[key]):
            raise BuildError(f"{where}: ENTRY_SCOPE {key} {wanted} are not the rule's own")
        entry[key] = wanted
    entry["scope_note"] = (
        f"Narrowed to {', '.join(scope['words'])}: the entry's notes are about these only."
    )


def _rule_triggers(rule: dict[str, Any]) -> dict[str, Any]:
    rule_id = rule["id"]
    triggers = rule.get("triggers") or {}
    raw = [str(k) for k in triggers.get("keywords") or ()]
    all_goods = raw == ["*"]
    if "*" in raw and not all_goods:
        raise BuildError(f"{rule_id}: keyword '*' mixed with other keywords")
    keywords = [] if all_goods else [_keyword(k, rule_id) for k in raw]
    hints = [str(h) for h in triggers.get("hs_hints") or ()]
    prefixes = [p for hint in hints for p in hs_prefixes(hint)]
    benign = [_keyword(p, rule_id) for p in BENIGN.get(rule_id, ())]
    if rule_id not in BENIGN:
        raise BuildError(f"rule {rule_id!r} is not in BENIGN: add it (or an empty list)")
    return {
        "all_goods": all_goods,
        "keywords": list(dict.fromkeys(keywords)),
        "exclude": list(dict.fromkeys(benign)),
        "hs_prefixes": list(dict.fromkeys(prefixes)),
        "hs_hints": hints,
        "hs_unparsed": [h for h in hints if not hs_prefixes(h)],
        "categories": _categories(rule),
        "dangerous_goods": list(RULE_DANGEROUS_GOODS.get(rule_id, ())),
        "un_numbers": [str(u) for u in triggers.get("un_numbers") or ()],
    }


# -- builders --------------------------------------------------------------------------------


def build_restricted(facts_dir: Path) -> dict[str, Any]:
    """Return ``restricted.json``: one entry per restricted-goods rule x destination."""
    path = facts_dir / "restricted_goods.json"
    facts = _load(path)
    as_of = str(facts["as_of"])
    entries: list[dict[str, Any]] = []
    seen_scopes: set[tuple[str, str]] = set()
    seen_dates: set[tuple[str, str]] = set()
    for rule in facts["rules"]:
        rule_id = str(rule["id"])
        triggers = _rule_triggers(rule)
        policy = [
            {
                "platform": p.get("platform"),
                "rule": p.get("rule"),
                "source": _urls(p.get("source"), f"{rule_id}.marketplace_policy"),
            }
            for p in rule.get("marketplace_policy") or ()
        ]
        for dest in rule["destinations"]:
            country = str(dest["country"])
            where = f"{rule_id}@{country}"
            if dest["status"] not in STATUSES:
                raise BuildError(f"{where}: unknown status {dest['status']!r}")
            sources = _urls(dest.get("source"), where)
            if not sources:
                raise BuildError(f"{where}: no source")
            notes = str(dest.get("notes") or "")
            key = (rule_id, country)
            start = dest.get("effective_from", EFFECTIVE_FROM.get(key))
            if key in EFFECTIVE_FROM:
                seen_dates.add(key)
                if EFFECTIVE_FROM[key] not in notes:
                    raise BuildError(f"{where}: notes no longer give {EFFECTIVE_FROM[key]}")
            entry: dict[str, Any] = {
                "id": where,
                "rule": rule_id,
                "category": rule["category"],
                "country": country,
                "status": dest["status"],
                "notes": notes,
                "source": sources,
                "as_of": str(dest.get("as_of", as_of)),
                "effective_from": start,
                "effective_to": dest.get("effective_to"),
                "unverified": [str(u) for u in rule.get("unverified") or ()],
                **{k: list(v) if isinstance(v, list) else v for k, v in triggers.items()},
                "marketplace_policy": policy,
            }
            if key in ENTRY_SCOPE:
                seen_scopes.add(key)
                _narrow(entry, ENTRY_SCOPE[key], notes)
            entries.append(entry)
    stale = (set(ENTRY_SCOPE) - seen_scopes) | (set(EFFECTIVE_FROM) - seen_dates)
    if stale:
        raise BuildError(f"table entries match no destination of the facts: {sorted(stale)}")
    return {
        "about": (
            "Restricted goods per destination: generated by scripts/build_rules.py from "
            "data/facts/restricted_goods.json; do not edit by hand. country '*' = every "
            "destination, 'EU' = every EU member state. effective_from null = in force since a "
            "date the facts do not give. Keywords flag a listing for review; hs_prefixes, "
            "categories and dangerous_goods confirm it."
        ),
        "as_of": as_of,
        "inputs": {"data/facts/restricted_goods.json": _sha256(path)},
        "purpose": facts.get("purpose"),
        "hs_note": facts.get("hs_note"),
        "entries": entries,
    }


def _regime(obj: object, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or "level" not in obj:
        raise BuildError(f"{where}: expected an object with a level")
    return {
        "level": obj.get("level"),
        "basis": obj.get("basis"),
        "notes": obj.get("notes"),
        "source": _urls(obj.get("source"), where),
    }


def build_sanctions(facts_dir: Path) -> dict[str, Any]:
    """Return ``sanctions.json``: per target, each regime's level, basis, sources and action."""
    path = facts_dir / "sanctions.json"
    facts = _load(path)
    levels = dict(facts["checker_levels"])
    targets = []
    for target in facts["targets"]:
        code = str(target["code"])
        actions = dict(target["checker_action"])
        if sorted(actions) != sorted(REGIMES) or any(a not in levels for a in actions.values()):
            raise BuildError(f"{code}: checker_action must give one of {sorted(levels)} per regime")
        regions = [str(r) for r in target.get("iso_3166_2") or ([code] if "-" in code else [])]
        country = regions[0][:2] if regions else code
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise BuildError(f"{code}: cannot tell the country")
        targets.append(
            {
                "code": code,
                "name": target["name"],
                "country": country,
                "regions": regions,
                "regimes": {r: _regime(target.get(r), f"{code}.{r}") for r in REGIMES},
                "checker_action": {r: actions[r] for r in REGIMES},
                "notes": target.get("notes"),
                "changed": target.get("changed"),
                "unverified": [str(u) for u in target.get("unverified") or ()],
                "as_of": str(target.get("as_of", facts["as_of"])),
            }
        )
    return {
        "about": (
            "Sanctions per target country or region: generated by scripts/build_rules.py from "
            "data/facts/sanctions.json; do not edit by hand. Country-level only: it does not "
            "replace denied-party screening (SDN / EU / UK consolidated lists)."
        ),
        "as_of": str(facts["as_of"]),
        "inputs": {"data/facts/sanctions.json": _sha256(path)},
        "perspective": facts.get("perspective"),
        "checker_levels": levels,
        "general_sources": _urls(facts.get("general_sources"), "general_sources"),
        "targets": targets,
    }


BUILDERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "restricted.json": build_restricted,
    "sanctions.json": build_sanctions,
}


def render(data: dict[str, Any]) -> str:
    """Serialise ``data`` deterministically (UTF-8, one-space indent, trailing newline)."""
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


# -- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=FACTS, help="folder of the facts JSON")
    parser.add_argument("--out", type=Path, default=OUT, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    facts: Path = args.facts
    out: Path = args.out
    differ = []
    for name, build in BUILDERS.items():
        try:
            text = render(build(facts))
        except (BuildError, KeyError, OSError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 2
        target = out / name
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                differ.append(name)
            continue
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    for name in differ:
        print(f"differs: {name} (run: python scripts/build_rules.py)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
