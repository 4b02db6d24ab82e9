"""scripts/build_rules.py: the shipped rule data is exactly what the facts build."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from xborder.compliance.rules.restricted import phrase_forms
from xborder.listing import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_rules.py"
FACTS = ROOT / "src" / "xborder" / "data" / "facts"  # the packaged copy, never ../shared
DATA = ROOT / "src" / "xborder" / "compliance" / "data"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_rules", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _facts(name: str) -> Any:
    return json.loads((FACTS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["restricted.json", "sanctions.json"])
def test_shipped_data_equals_what_the_builder_builds(script: ModuleType, name: str) -> None:
    built = script.render(script.BUILDERS[name](FACTS))
    shipped = (DATA / name).read_text(encoding="utf-8")
    assert built == shipped, "run: .venv/bin/python scripts/build_rules.py"


def test_builders_are_named_functions_and_deterministic(script: ModuleType) -> None:
    assert script.BUILDERS["restricted.json"] is script.build_restricted
    assert script.BUILDERS["sanctions.json"] is script.build_sanctions
    for build in (script.build_restricted, script.build_sanctions):
        assert script.render(build(FACTS)) == script.render(build(FACTS))


def test_check_passes_on_the_shipped_data(script: ModuleType, capsys: Any) -> None:
    assert script.main(["--check", "--facts", str(FACTS)]) == 0
    assert capsys.readouterr().out == ""


def test_check_reports_a_difference(script: ModuleType, tmp_path: Path, capsys: Any) -> None:
    shutil.copy(DATA / "restricted.json", tmp_path / "restricted.json")
    (tmp_path / "sanctions.json").write_text("{}\n", encoding="utf-8")
    assert script.main(["--check", "--facts", str(FACTS), "--out", str(tmp_path)]) == 1
    assert "differs: sanctions.json" in capsys.readouterr().out
    assert script.main(["--facts", str(FACTS), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "sanctions.json").read_text() == (DATA / "sanctions.json").read_text()


# -- HS hints ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "prefixes"),
    [
        ("8543.40 (electronic cigarettes & personal vaporising devices)", ["854340"]),
        ("2404.12 / 2404.19 (nicotine / non-tobacco inhalation products)", ["240412", "240419"]),
        ("9301-9306", ["9301", "9302", "9303", "9304", "9305", "9306"]),
        ("0601\u20130604 (live plants, bulbs)", ["0601", "0602", "0603", "0604"]),
        ("2203-2208", ["2203", "2204", "2205", "2206", "2207", "2208"]),
        ("ch. 93", ["93"]),
        ("Chapter 93 (arms & ammunition)", ["93"]),
        ("Chapters 02, 04, 16 (meat, dairy/eggs/honey, preparations)", ["02", "04", "16"]),
        ("8211 (knives)", ["8211"]),
        ("EU Reg 833/2014 Annex XVIII luxury list (> EUR 300 per item)", []),
        ("EAR Part 746 Supp. 5 luxury list; Supp. 4/7 HTS lists", []),
    ],
)
def test_hs_hints_become_digit_prefixes(script: ModuleType, hint: str, prefixes: list[str]) -> None:
    assert script.hs_prefixes(hint) == prefixes


def test_a_descending_hs_range_is_refused(script: ModuleType) -> None:
    with pytest.raises(script.BuildError, match="9306-9301"):
        script.hs_prefixes("9306-9301")


# -- restricted.json --------------------------------------------------------------------------


def test_one_entry_per_rule_and_destination(script: ModuleType) -> None:
    facts = _facts("restricted_goods.json")
    data = script.build_restricted(FACTS)
    expected = [
        (rule["id"], dest["country"], dest["status"], dest["notes"])
        for rule in facts["rules"]
        for dest in rule["destinations"]
    ]
    got = [(e["rule"], e["country"], e["status"], e["notes"]) for e in data["entries"]]
    assert got == expected
    by_rule = {rule["id"]: rule for rule in facts["rules"]}
    for entry in data["entries"]:
        rule = by_rule[entry["rule"]]
        assert entry["id"] == f"{entry['rule']}@{entry['country']}"
        assert entry["category"] == rule["category"]
        assert entry["source"], entry["id"]
        assert entry["as_of"] == facts["as_of"]
        assert entry["unverified"] == rule["unverified"]
        assert entry["hs_hints"] == rule["triggers"]["hs_hints"]
        assert set(entry["categories"]) <= set(CATEGORIES)
        assert all(k == k.lower() for k in entry["keywords"])


def test_dates_come_from_the_facts_only(script: ModuleType) -> None:
    data = script.build_restricted(FACTS)
    dated = {e["id"]: e["effective_from"] for e in data["entries"] if e["effective_from"]}
    assert dated == {"vapes_e_cigarettes@GB": "2025-06-01"}
    assert all(e["effective_to"] is None for e in data["entries"])


def test_triggers_are_normalised(script: ModuleType) -> None:
    entries = {e["id"]: e for e in script.build_restricted(FACTS)["entries"]}
    vape = entries["vapes_e_cigarettes@AU"]
    assert vape["categories"] == ["tobacco.vapes"]
    assert vape["hs_prefixes"] == ["854340", "240412", "240419", "240411"]
    assert "disposable vape" in vape["keywords"] and "hnb" in vape["keywords"]
    lithium = entries["lithium_batteries@*"]
    assert lithium["categories"] == ["electronics.batteries"]  # not phone_accessories
    assert lithium["dangerous_goods"] == ["battery"]
    assert lithium["un_numbers"][0].startswith("UN3480")
    luxury = entries["russia_belarus_luxury_goods@RU"]
    assert luxury["all_goods"] is True and luxury["keywords"] == []
    assert luxury["hs_unparsed"] == luxury["hs_hints"]
    perfume = entries["cosmetics@*"]
    assert perfume["keywords"] == ["perfume", "eau de toilette"]
    assert perfume["hs_prefixes"] == ["3303"]
    assert "scope_note" in perfume
    assert entries["cosmetics@EU"]["hs_prefixes"] == ["3303", "3304", "3305", "3306", "3307"]


def test_every_benign_phrase_holds_a_keyword_of_its_rule(script: ModuleType) -> None:
    # A phrase that holds none of its rule's keywords would never suppress anything.
    rules = {r["id"]: r for r in _facts("restricted_goods.json")["rules"]}
    for rule_id, phrases in script.BENIGN.items():
        forms = {f for k in rules[rule_id]["triggers"]["keywords"] for f in phrase_forms(k)}
        for phrase in phrases:
            spaced = f" {phrase.replace('-', ' ')} "
            assert any(f" {f.replace('-', ' ')} " in spaced for f in forms), (rule_id, phrase)


def _edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    for name in ("restricted_goods.json", "sanctions.json"):
        shutil.copy(FACTS / name, tmp_path / name)
    data = _facts("restricted_goods.json")
    edit(data)
    (tmp_path / "restricted_goods.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_an_unmapped_marketplace_category_is_refused(script: ModuleType, tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"][0]["triggers"]["marketplace_categories"].append("Hookahs")

    with pytest.raises(script.BuildError, match="Hookahs"):
        script.build_restricted(_edited(tmp_path, edit))


def test_a_new_rule_must_be_mapped(script: ModuleType, tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"].append({**data["rules"][-1], "id": "fireworks"})

    with pytest.raises(script.BuildError, match="fireworks"):
        script.build_restricted(_edited(tmp_path, edit))


def test_a_hand_written_date_must_still_be_in_the_notes(script: ModuleType, tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        for dest in data["rules"][0]["destinations"]:
            if dest["country"] == "GB":
                dest["notes"] = "Disposable vapes banned."

    with pytest.raises(script.BuildError, match="2025-06-01"):
        script.build_restricted(_edited(tmp_path, edit))


def test_a_destination_without_a_source_is_refused(script: ModuleType, tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"][0]["destinations"][0]["source"] = None

    with pytest.raises(script.BuildError, match="no source"):
        script.build_restricted(_edited(tmp_path, edit))


# -- sanctions.json ---------------------------------------------------------------------------


def test_sanctions_targets_keep_every_regime(script: ModuleType) -> None:
    facts = _facts("sanctions.json")
    data = script.build_sanctions(FACTS)
    assert [t["code"] for t in data["targets"]] == [t["code"] for t in facts["targets"]]
    assert data["checker_levels"] == facts["checker_levels"]
    assert data["general_sources"] == facts["general_sources"]
    assert data["as_of"] == facts["as_of"]
    for built, raw in zip(data["targets"], facts["targets"], strict=True):
        assert built["checker_action"] == raw["checker_action"]
        assert built["unverified"] == raw["unverified"]
        for regime in ("US", "EU", "UK"):
            assert built["regimes"][regime]["level"] == raw[regime]["level"]
            source = raw[regime]["source"]
            expected = [] if source is None else [source] if isinstance(source, str) else source
            assert built["regimes"][regime]["source"] == expected
    by_code = {t["code"]: t for t in data["targets"]}
    assert by_code["UA-43"]["country"] == "UA"
    assert by_code["UA-43"]["regions"] == ["UA-43", "UA-40"]
    assert by_code["UA-23/UA-65"]["regions"] == ["UA-23", "UA-65"]
    assert by_code["CU"]["country"] == "CU" and by_code["CU"]["regions"] == []
