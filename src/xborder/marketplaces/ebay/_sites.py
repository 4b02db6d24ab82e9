"""The eBay sites xborder lists on: marketplace id, country, currency and content languages.

Sources:

* marketplace ids and the ``Content-Language`` values each site accepts: eBay's
  "Marketplace ID values" table, https://developer.ebay.com/api-docs/static/rest-request-components.html#marketpl
  (as scraped into matecsaj/ebay_rest ``references/marketplace_id_values.json``);
* the currency of each site: ISO 4217 legal tender of the site's country, the
  ``defaultCurrency`` that ``GET /sell/metadata/v1/marketplace/{marketplace_id}/get_currencies``
  returns (Sell Metadata API, ``getCurrencies``; :meth:`EbayAdapter.site_currency` reads it
  live). eBay refuses an offer whose currency is not the site's (error 95), so the adapter
  refuses one before any call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from xborder.marketplaces._capabilities import Site

__all__ = ["SITES", "SITES_BY_MARKET", "EbaySite", "site_for_market"]

#: Where the table comes from (docs/ebay.md repeats it).
SOURCE: Final = "https://developer.ebay.com/api-docs/static/rest-request-components.html#marketpl"


@dataclass(frozen=True, slots=True)
class EbaySite:
    """One eBay site: its marketplace id, the country it serves and what it is written in.

    ``languages`` are the ``Content-Language`` values the site takes, its default first
    (Belgium and Canada take two). ``url`` is the buyer-facing site.
    """

    site_id: str
    market: str
    currency: str
    languages: tuple[str, ...]
    url: str

    @property
    def language(self) -> str:
        """The site's default content language (BCP 47, ``de-DE``)."""
        return self.languages[0]

    def content_language(self, locale: str | None) -> str:
        """Return the ``Content-Language`` for content written in ``locale`` (``de_DE``).

        The locale's own tag when the site takes it (``fr_BE`` → ``fr-BE`` on EBAY_BE),
        otherwise the site's default.
        """
        if locale:
            tag = locale.replace("_", "-")
            for language in self.languages:
                if language.lower() == tag.lower():
                    return language
        return self.language

    def as_site(self) -> Site:
        """Return the site as the :class:`~xborder.marketplaces.Site` of the capabilities."""
        return Site(
            market=self.market, currency=self.currency, language=self.language, site_id=self.site_id
        )


def _site(site_id: str, market: str, currency: str, languages: str, url: str) -> EbaySite:
    return EbaySite(site_id, market, currency, tuple(languages.split()), url)


#: The sites by marketplace id.
SITES: Final[Mapping[str, EbaySite]] = MappingProxyType(
    {
        site.site_id: site
        for site in (
            _site("EBAY_US", "US", "USD", "en-US", "https://www.ebay.com"),
            _site("EBAY_GB", "GB", "GBP", "en-GB", "https://www.ebay.co.uk"),
            _site("EBAY_DE", "DE", "EUR", "de-DE", "https://www.ebay.de"),
            _site("EBAY_AT", "AT", "EUR", "de-AT", "https://www.ebay.at"),
            _site("EBAY_CH", "CH", "CHF", "de-CH", "https://www.ebay.ch"),
            _site("EBAY_FR", "FR", "EUR", "fr-FR", "https://www.ebay.fr"),
            _site("EBAY_IT", "IT", "EUR", "it-IT", "https://www.ebay.it"),
            _site("EBAY_ES", "ES", "EUR", "es-ES", "https://www.ebay.es"),
            _site("EBAY_NL", "NL", "EUR", "nl-NL", "https://www.ebay.nl"),
            _site("EBAY_BE", "BE", "EUR", "nl-BE fr-BE", "https://www.benl.ebay.be"),
            _site("EBAY_IE", "IE", "EUR", "en-IE", "https://www.ebay.ie"),
            _site("EBAY_PL", "PL", "PLN", "pl-PL", "https://www.ebay.pl"),
            _site("EBAY_CA", "CA", "CAD", "en-CA fr-CA", "https://www.ebay.ca"),
            _site("EBAY_AU", "AU", "AUD", "en-AU", "https://www.ebay.com.au"),
        )
    }
)

#: The sites by the country code of the market they serve.
SITES_BY_MARKET: Final[Mapping[str, EbaySite]] = MappingProxyType(
    {site.market: site for site in SITES.values()}
)


def site_for_market(market: str) -> EbaySite | None:
    """Return the site serving ``market`` (a country code, or a marketplace id), or None."""
    key = market.strip().upper()
    return SITES_BY_MARKET.get(key) or SITES.get(key)
