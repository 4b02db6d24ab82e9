"""What CLDR says about a country: codes, languages, locales, measurement systems."""

from __future__ import annotations

import pytest
from babel import Locale, localedata

from xborder import UnknownLocaleError
from xborder.markets import countries, is_country, languages_of, locale_for, measurement_of


def test_countries() -> None:
    all_codes = countries()
    assert "DE" in all_codes and "EU" not in all_codes and len(all_codes) > 240
    assert not {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"} & set(all_codes)
    assert list(all_codes) == sorted(all_codes)
    assert is_country("JP") and not is_country("jp") and not is_country("EU")
    assert not is_country(None) and not is_country(49)


@pytest.mark.parametrize(
    ("code", "system"),
    [("US", "US"), ("LR", "US"), ("MM", "US"), ("GB", "UK"), ("DE", "metric"), ("JP", "metric")],
)
def test_measurement_of(code: str, system: str) -> None:
    assert measurement_of(code) == system


def test_every_country_has_a_measurement_system_and_most_have_languages() -> None:
    for code in countries():
        assert measurement_of(code) in ("metric", "US", "UK")
    assert languages_of("HM") == ()  # uninhabited: CLDR lists no language
    assert languages_of("AC") == ("en",)  # no official language: the most spoken one


def test_languages_official_then_de_facto() -> None:
    assert languages_of("CH") == ("de", "fr", "it", "gsw")
    assert languages_of("PR") == ("es", "en")
    assert languages_of("US") == ("en",)
    assert "rm" not in languages_of("CH")  # official_regional: reachable with language="rm"
    assert languages_of("HK") == ("zh_Hant", "en")


def test_locale_for() -> None:
    assert locale_for("CA", "fr") == "fr_CA"
    assert locale_for("CH", "rm") == "rm_CH"
    assert locale_for("TW", "zh") == "zh_Hant_TW"
    assert locale_for("SG", "zh") == "zh_Hans_SG"
    assert locale_for("RS", "sr") == "sr_Cyrl_RS"
    assert locale_for("RS", "sr_Latn") == "sr_Latn_RS"
    assert locale_for("CA", "FR") == "fr_CA"  # case is normalised


def test_locale_for_refuses_a_language_without_a_locale_there() -> None:
    with pytest.raises(UnknownLocaleError, match=r"'de' in country 'US'.*en, es"):
        locale_for("US", "de")


def test_every_cldr_locale_with_a_script_is_reachable_with_that_script() -> None:
    """language_Script in a country gives exactly CLDR's language_Script_COUNTRY locale."""
    checked = 0
    for name in localedata.locale_identifiers():
        locale = Locale.parse(name)
        if locale.script and is_country(locale.territory) and not locale.variant:
            wanted = f"{locale.language}_{locale.script}"
            assert locale_for(str(locale.territory), wanted) == name
            checked += 1
    assert checked > 50


def test_locale_for_keeps_the_script_asked_for() -> None:
    assert locale_for("CN", "zh_Hans") == "zh_Hans_CN"
    with pytest.raises(UnknownLocaleError, match=r"'zh_Hant' in country 'CN'.*: zh, "):
        locale_for("CN", "zh_Hant")
    with pytest.raises(UnknownLocaleError, match=r"'sr_Latn' in country 'RU'"):
        locale_for("RU", "sr_Latn")
