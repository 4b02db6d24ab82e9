"""Market.for_country: CLDR parts, dated facts as in force on the date, errors, caching."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from xborder import Market, UnknownCurrencyError, UnknownLocaleError, UnknownMarketError
from xborder.markets import Collection, Period, dated_facts, markets_with_facts

ON = date(2026, 10, 30)

#: Every market in the packaged facts (EU is not a country; its members inherit its facts).
FACT_MARKETS = markets_with_facts()

#: Countries CLDR knows that the facts do not cover: their tax facts are unknown.
NOT_IN_FACTS = ("KE", "NG", "EG", "PK", "BD", "CO", "PE", "UA", "IS", "RS", "MA", "QA")


def test_the_facts_cover_55_countries_and_eu_is_not_one() -> None:
    assert len(FACT_MARKETS) == 55
    assert "EU" not in FACT_MARKETS
    assert dated_facts("EU")  # the Union-level facts exist, for lookups


@pytest.mark.parametrize("code", FACT_MARKETS)
def test_every_market_in_the_facts_loads(code: str) -> None:
    market = Market.for_country(code, on=ON)
    assert market.country == code and market.on == ON
    assert market.as_of == date(2026, 11, 28)
    assert market.sources and all(s.startswith("http") for s in market.sources)
    assert market.languages and market.locale.endswith(code)
    assert market.measurement in ("metric", "US", "UK")
    assert isinstance(market.vat_rate, Decimal | None)
    assert market.prices_include_tax in (True, False, None)
    for period in (market.duty_de_minimis, market.tax_de_minimis):
        assert period is not None  # every market in the facts has a period on 2026-10-30
        assert isinstance(period.value, Decimal | None)
        assert period.covers(ON)
    assert market.collection is not None and isinstance(market.collection.value, Collection)
    assert set(market.facts) >= {"vat_rate", "duty_de_minimis", "tax_de_minimis", "collection"}


@pytest.mark.parametrize("code", NOT_IN_FACTS)
def test_countries_outside_the_facts_are_unknown_not_zero(code: str) -> None:
    market = Market.for_country(code, on=ON)
    assert market.vat_rate is None and market.prices_include_tax is None
    assert market.duty_de_minimis is None and market.tax_de_minimis is None
    assert market.collection is None
    assert not market.facts and market.sources == () and market.as_of is None
    assert market.currency and market.locale and market.languages
    lookup = market.lookup("duty_de_minimis")
    assert lookup.value is None and not lookup.known
    assert "no sourced facts" in lookup.reason


@pytest.mark.parametrize(
    ("code", "currency", "locale", "vat", "inclusive"),
    [
        ("DE", "EUR", "de_DE", Decimal("19.0"), True),
        ("FR", "EUR", "fr_FR", Decimal("20.0"), True),
        ("GB", "GBP", "en_GB", Decimal("20.0"), True),
        ("JP", "JPY", "ja_JP", Decimal("10.0"), True),
        ("CH", "CHF", "de_CH", Decimal("8.1"), True),
        ("FI", "EUR", "fi_FI", Decimal("25.5"), True),
        ("US", "USD", "en_US", None, False),
        ("CA", "CAD", "en_CA", Decimal("5.0"), False),
        ("BR", "BRL", "pt_BR", None, None),
        ("HK", "HKD", "zh_Hant_HK", Decimal("0.0"), None),
    ],
)
def test_known_markets(
    code: str, currency: str, locale: str, vat: Decimal | None, inclusive: bool | None
) -> None:
    market = Market.for_country(code, on=ON)
    assert (market.country, market.currency, market.locale) == (code, currency, locale)
    assert market.vat_rate == vat
    assert market.prices_include_tax is inclusive
    # Decimals, never floats: 25.5 is exact.
    assert market.vat_rate is None or str(market.vat_rate) == str(vat)


def test_known_zero_is_not_unknown() -> None:
    # Hong Kong has no VAT (0.0, confirmed) but its duty de minimis is null (not confirmed).
    hk = Market.for_country("HK", on=ON)
    assert hk.vat_rate == 0 and hk.vat_rate is not None
    assert hk.duty_de_minimis is not None and hk.duty_de_minimis.value is None
    de = Market.for_country("DE", on=ON)
    assert de.duty_de_minimis is not None and de.duty_de_minimis.value == 0
    assert de.duty_de_minimis.known


def test_market_fields_follow_the_date() -> None:
    before = Market.for_country("DE", on=date(2026, 6, 30))
    after = Market.for_country("DE", on=date(2026, 7, 1))
    assert before.duty_de_minimis is not None and before.duty_de_minimis.value == 150
    assert after.duty_de_minimis is not None and after.duty_de_minimis.value == 0
    assert after.period("flat_duty_per_tariff_line") == dated_facts("DE")[
        "flat_duty_per_tariff_line"
    ].period_on(date(2026, 7, 1))
    assert Market.for_country("FI", on=date(2024, 8, 31)).vat_rate == Decimal("24")
    assert Market.for_country("FI", on=date(2024, 9, 1)).vat_rate == Decimal("25.5")


def test_facts_carry_sources_and_date() -> None:
    market = Market.for_country("DE", on=ON)
    assert market.eu_member
    assert market.sources and all(s.startswith("http") for s in market.sources)
    assert market.as_of == date(2026, 11, 28)
    assert any("BattDG" in note for note in market.unverified)


def test_currency_follows_the_date() -> None:
    # Bulgaria adopted the euro on 2026-01-01 (CLDR).
    assert Market.for_country("BG", on=date(2025, 6, 1)).currency == "BGN"
    assert Market.for_country("BG", on=date(2026, 6, 1)).currency == "EUR"


def test_currency_override() -> None:
    market = Market.for_country("ME", on=ON, currency="USD")
    assert market.currency == "USD"
    assert Market.for_country("ME", on=ON).currency == "EUR"
    with pytest.raises(UnknownCurrencyError, match="'usd'"):
        Market.for_country("ME", on=ON, currency="usd")
    with pytest.raises(UnknownCurrencyError):
        Market.for_country("DE", on=ON, currency="XYZ")


@pytest.mark.parametrize(
    ("code", "language", "locale"),
    [
        ("CA", "fr", "fr_CA"),
        ("CA", "en", "en_CA"),
        ("CH", "it", "it_CH"),
        ("CH", "rm", "rm_CH"),
        ("BE", "fr", "fr_BE"),
        ("US", "es", "es_US"),
        ("HK", "zh", "zh_Hant_HK"),
        ("HK", "zh-Hant", "zh_Hant_HK"),
        ("HK", "en", "en_HK"),
        ("JP", "en", "en_JP"),  # CLDR has the locale: allowed (see docs/markets.md)
    ],
)
def test_language_selects_the_locale(code: str, language: str, locale: str) -> None:
    market = Market.for_country(code, language=language, on=ON)
    assert market.locale == locale
    assert market.languages == Market.for_country(code, on=ON).languages


def test_fr_ca_only_when_asked_for() -> None:
    assert Market.for_country("CA", on=ON).locale == "en_CA"
    assert Market.for_country("CA", language="fr", on=ON).locale == "fr_CA"


@pytest.mark.parametrize(("code", "language"), [("CA", "ja"), ("US", "de"), ("DE", "xx")])
def test_language_without_a_locale_there_is_an_error_naming_both(code: str, language: str) -> None:
    with pytest.raises(UnknownLocaleError) as info:
        Market.for_country(code, language=language, on=ON)
    message = str(info.value)
    assert repr(language) in message and repr(code) in message
    assert "languages with a locale there" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("code", "language", "offered"),
    [
        # Locale.parse("zh_Hant_CN") falls back to zh_Hans_CN: the script must not be swapped.
        ("CN", "zh_Hant", "zh"),
        ("SG", "zh_Hant", "zh"),
        ("IN", "pa_Arab", "pa"),
        ("KZ", "kk_Arab", "kk"),
        ("TW", "zh_Hans", "zh_Hant"),  # refused by babel itself: the same error
        ("US", "en_Cyrl", "en"),
    ],
)
def test_a_script_without_a_locale_there_is_an_error_not_another_script(
    code: str, language: str, offered: str
) -> None:
    with pytest.raises(UnknownLocaleError) as info:
        Market.for_country(code, language=language, on=ON)
    message = str(info.value)
    assert message.startswith(f"locale: unknown locale {language!r}")
    assert f"{language!r} in country {code!r}" in message
    # The hint lists languages that locale_for accepts there (zh resolves to zh_Hans_CN).
    listed = message.split("languages with a locale there: ")[1].split(", ")
    assert offered in listed
    assert Market.for_country(code, language=offered, on=ON).locale.endswith(code)
    assert info.value.locale == language


@pytest.mark.parametrize(
    ("code", "language", "locale"),
    [
        ("TW", "zh_Hant", "zh_Hant_TW"),
        ("TW", "zh", "zh_Hant_TW"),
        ("CN", "zh_Hans", "zh_Hans_CN"),
        ("CN", "zh", "zh_Hans_CN"),
        ("CN", "kk_Arab", "kk_Arab_CN"),
        ("HK", "zh_Hans", "zh_Hans_HK"),
        ("SG", "zh_Hans", "zh_Hans_SG"),
        ("RS", "sr_Latn", "sr_Latn_RS"),
        ("RS", "sr_Cyrl", "sr_Cyrl_RS"),
        ("RS", "sr", "sr_Cyrl_RS"),
        ("IN", "pa", "pa_Guru_IN"),
        ("IN", "pa_Guru", "pa_Guru_IN"),
        ("PK", "pa_Arab", "pa_Arab_PK"),
        ("KZ", "kk", "kk_KZ"),  # CLDR 49 has kk_KZ and kk_Cyrl_KZ
        ("KZ", "kk_Cyrl", "kk_Cyrl_KZ"),
        ("US", "en_Latn", "en_US"),  # Latin is en_US's implied script (likely subtags)
        ("DE", "de-latn", "de_DE"),
    ],
)
def test_a_script_that_the_locale_has_is_accepted(code: str, language: str, locale: str) -> None:
    assert Market.for_country(code, language=language, on=ON).locale == locale


@pytest.mark.parametrize("language", ["fr_FR", "", "f", "fr_Latn_CA"])
def test_language_must_be_a_language_code(language: str) -> None:
    with pytest.raises(UnknownLocaleError, match="expected a language code"):
        Market.for_country("CA", language=language, on=ON)


@pytest.mark.parametrize(
    ("code", "languages"),
    [
        ("CH", ("de", "fr", "it", "gsw")),
        ("CA", ("en", "fr")),
        ("US", ("en",)),
        ("DE", ("de",)),
        ("BE", ("nl", "fr", "de")),
        ("IN", ("hi", "en")),
        ("NZ", ("mi", "en")),
    ],
)
def test_languages_official_first_by_population(code: str, languages: tuple[str, ...]) -> None:
    assert Market.for_country(code, on=ON).languages == languages


@pytest.mark.parametrize(
    ("code", "system"),
    [("US", "US"), ("LR", "US"), ("MM", "US"), ("GB", "UK"), ("DE", "metric"), ("CA", "metric")],
)
def test_measurement(code: str, system: str) -> None:
    assert Market.for_country(code, on=ON).measurement == system


@pytest.mark.parametrize("code", ["XX", "EU", "ZZ", "UN", "", "DEU", 49, None])
def test_unknown_code_named(code: object) -> None:
    with pytest.raises(UnknownMarketError) as info:
        Market.for_country(code, on=ON)  # type: ignore[arg-type]
    assert repr(code) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_eu_hint_names_the_member_states() -> None:
    with pytest.raises(UnknownMarketError, match="member state"):
        Market.for_country("EU", on=ON)


def test_lower_case_hint() -> None:
    with pytest.raises(UnknownMarketError, match="did you mean 'DE'"):
        Market.for_country("de", on=ON)


def test_antarctica_has_no_currency() -> None:
    with pytest.raises(UnknownMarketError, match="legal tender"):
        Market.for_country("AQ", on=ON)


def test_countries_without_their_own_cldr_locale() -> None:
    assert Market.for_country("BQ", on=ON).locale == "nl_BQ"  # an official language's locale
    assert Market.for_country("AC", on=ON).locale == "en"  # the main language alone
    with pytest.raises(UnknownMarketError, match="no language"):
        Market.for_country("HM", on=ON)  # uninhabited: CLDR lists no language


def test_results_are_cached_by_code_date_language_currency() -> None:
    assert Market.for_country("DE", on=ON) is Market.for_country("DE", on=ON)
    assert Market.for_country("CA", on=ON) is not Market.for_country("CA", on=ON, language="fr")
    assert Market.for_country("ME", on=ON) is not Market.for_country("ME", on=ON, currency="USD")
    assert Market.for_country("DE", on=ON) is not Market.for_country("DE", on=date(2026, 1, 1))


def test_default_date_is_today(frozen_today: date) -> None:
    assert Market.for_country("DE").on == frozen_today


def test_market_is_a_hashable_frozen_dataclass() -> None:
    market = Market.for_country("DE", on=ON)
    assert hash(market) == hash(Market.for_country("DE", on=ON))
    changed = dataclasses.replace(market, vat_rate=None)  # pricing tests do this
    assert changed.vat_rate is None and changed.facts is market.facts
    with pytest.raises(dataclasses.FrozenInstanceError):
        market.currency = "USD"  # type: ignore[misc]
    assert str(market) == "DE"
    assert "facts=" not in repr(market)


def test_lookup_with_origin() -> None:
    us = Market.for_country("US", on=date(2025, 6, 1))
    assert us.duty_de_minimis is not None and us.duty_de_minimis.value == 800
    china = us.lookup("duty_de_minimis", origin="CN")
    assert china.value == 0 and "origin CN" in china.reason
    assert us.period("duty_de_minimis", origin="DE") == us.duty_de_minimis


def test_period_values_are_typed() -> None:
    market = Market.for_country("GB", on=ON)
    collection = market.collection
    assert isinstance(collection, Period) and isinstance(collection.value, Collection)
    assert collection.value.scheme is not None and "135" in collection.value.scheme
    assert isinstance(market.period("prices_include_tax"), Period)
