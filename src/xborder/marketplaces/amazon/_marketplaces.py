"""The Amazon stores xborder lists on: marketplace ids, regions, hosts, currencies, languages.

Marketplace ids are Amazon's official list (https://developer-docs.amazon.com/sp-api/docs/
marketplace-ids). The region that serves each store and its currency come from
``saleweaver/python-amazon-sp-api`` (``sp_api/base/marketplaces.py``) and
``bizon/amazon-ids`` (``src/marketplaces.json``); India is served by the EU endpoint.
Production hosts are those of Amazon's sample client (``selling-partner-api-models``,
``clients/sellingpartner-api-aa-python/spapi/spapiclient.py``, ``region_to_endpoint``);
sandbox hosts add the ``sandbox.`` prefix (the NA one is Amazon's, the EU and FE ones follow
the same rule). Language tags are those of the Product Type Definitions API's ``locale``
enumeration (``definitionsProductTypes_2020-09-01``) where it has one; the tags marked
UNVERIFIED below are inferred. At run time the Sellers API (``getMarketplaceParticipations``)
is the authority on a seller's stores and their default languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from xborder.marketplaces._capabilities import Site

__all__ = [
    "HOSTS",
    "MARKETPLACES",
    "MARKETPLACES_BY_ID",
    "REGIONS",
    "SANDBOX_HOSTS",
    "SOURCE",
    "UNVERIFIED_TAGS",
    "AmazonMarketplace",
    "Region",
    "marketplace_for",
]

#: The official list of marketplace ids.
SOURCE: Final = "https://developer-docs.amazon.com/sp-api/docs/marketplace-ids"

#: The three SP-API regions (each has its own endpoint; a seller authorizes per region).
Region = Literal["NA", "EU", "FE"]
REGIONS: Final[tuple[Region, ...]] = ("NA", "EU", "FE")

#: Production endpoints (``region_to_endpoint`` of Amazon's sample Python client).
HOSTS: Final[Mapping[Region, str]] = MappingProxyType(
    {
        "NA": "https://sellingpartnerapi-na.amazon.com",
        "EU": "https://sellingpartnerapi-eu.amazon.com",
        "FE": "https://sellingpartnerapi-fe.amazon.com",
    }
)
#: Sandbox endpoints (static sandbox: canned answers keyed on request parameters).
SANDBOX_HOSTS: Final[Mapping[Region, str]] = MappingProxyType(
    {
        "NA": "https://sandbox.sellingpartnerapi-na.amazon.com",
        "EU": "https://sandbox.sellingpartnerapi-eu.amazon.com",
        "FE": "https://sandbox.sellingpartnerapi-fe.amazon.com",
    }
)


@dataclass(frozen=True, slots=True)
class AmazonMarketplace:
    """One Amazon store.

    ``market`` is the ISO 3166-1 country code xborder keys offers by (``GB``); ``code`` is
    Amazon's own country code for the store (``UK``); ``language_tags`` are the tags
    attribute values may carry there (``language_tag``), the store's default first.
    """

    market: str
    code: str
    marketplace_id: str
    region: Region
    currency: str
    language_tags: tuple[str, ...]
    domain: str

    @property
    def language_tag(self) -> str:
        """The store's default language tag (``de_DE``)."""
        return self.language_tags[0]

    def endpoint(self, *, sandbox: bool = False) -> str:
        """Return the SP-API endpoint of the store's region (production or sandbox)."""
        return (SANDBOX_HOSTS if sandbox else HOSTS)[self.region]

    def tag_for(self, locale: str, language: str) -> str | None:
        """Return the tag to write text in ``locale``/``language`` with here, or None.

        The exact locale (``nl_BE``) wins, then the first tag of the same language.
        """
        normal = locale.replace("-", "_")
        if normal in self.language_tags:
            return normal
        prefix = language.replace("-", "_").split("_")[0].lower() + "_"
        return next((tag for tag in self.language_tags if tag.lower().startswith(prefix)), None)

    def as_site(self) -> Site:
        """Return the :class:`~xborder.marketplaces.Site` for :class:`Capabilities`."""
        return Site(
            market=self.market,
            currency=self.currency,
            language=self.language_tag.replace("_", "-"),
            site_id=self.marketplace_id,
        )


def _mp(
    market: str,
    marketplace_id: str,
    region: Region,
    currency: str,
    tags: tuple[str, ...],
    domain: str,
    code: str | None = None,
) -> AmazonMarketplace:
    return AmazonMarketplace(market, code or market, marketplace_id, region, currency, tags, domain)


#: Every store, by xborder market (country code). Language tags not in the Product Type
#: Definitions ``locale`` enumeration are UNVERIFIED: fr_BE, nl_BE, ar_SA, en_SA, en_IE,
#: ar_EG, en_EG, en_ZA, hi_IN.
MARKETPLACES: Final[Mapping[str, AmazonMarketplace]] = MappingProxyType(
    {
        m.market: m
        for m in (
            _mp("US", "ATVPDKIKX0DER", "NA", "USD", ("en_US", "es_US"), "amazon.com"),
            _mp("CA", "A2EUQ1WTGCTBG2", "NA", "CAD", ("en_CA", "fr_CA"), "amazon.ca"),
            _mp("MX", "A1AM78C64UM0Y8", "NA", "MXN", ("es_MX",), "amazon.com.mx"),
            _mp("BR", "A2Q3Y263D00KWC", "NA", "BRL", ("pt_BR",), "amazon.com.br"),
            _mp("GB", "A1F83G8C2ARO7P", "EU", "GBP", ("en_GB",), "amazon.co.uk", "UK"),
            _mp("DE", "A1PA6795UKMFR9", "EU", "EUR", ("de_DE",), "amazon.de"),
            _mp("FR", "A13V1IB3VIYZZH", "EU", "EUR", ("fr_FR",), "amazon.fr"),
            _mp("IT", "APJ6JRA9NG5V4", "EU", "EUR", ("it_IT",), "amazon.it"),
            _mp("ES", "A1RKKUPIHCS9HS", "EU", "EUR", ("es_ES",), "amazon.es"),
            _mp("NL", "A1805IZSGTT6HS", "EU", "EUR", ("nl_NL",), "amazon.nl"),
            _mp("BE", "AMEN7PMS3EDWL", "EU", "EUR", ("fr_BE", "nl_BE"), "amazon.com.be"),
            _mp("IE", "A28R8C7NBKEWEA", "EU", "EUR", ("en_IE",), "amazon.ie"),
            _mp("SE", "A2NODRKZP88ZB9", "EU", "SEK", ("sv_SE",), "amazon.se"),
            _mp("PL", "A1C3SOZRARQ6R3", "EU", "PLN", ("pl_PL",), "amazon.pl"),
            _mp("TR", "A33AVAJ2PDY3EV", "EU", "TRY", ("tr_TR",), "amazon.com.tr"),
            _mp("AE", "A2VIGQ35RCS4UG", "EU", "AED", ("en_AE", "ar_AE"), "amazon.ae"),
            _mp("SA", "A17E79C6D8DWNP", "EU", "SAR", ("ar_SA", "en_SA"), "amazon.sa"),
            _mp("EG", "ARBP9OOSHTCHU", "EU", "EGP", ("ar_EG", "en_EG"), "amazon.eg"),
            _mp("IN", "A21TJRUUN4KGV", "EU", "INR", ("en_IN", "hi_IN"), "amazon.in"),
            _mp("ZA", "AE08WJ6YKNBMC", "EU", "ZAR", ("en_ZA",), "amazon.co.za"),
            _mp("SG", "A19VAU5U5O7RUS", "FE", "SGD", ("en_SG",), "amazon.sg"),
            _mp("AU", "A39IBJ37TRP1C6", "FE", "AUD", ("en_AU",), "amazon.com.au"),
            _mp("JP", "A1VC38T7YXB528", "FE", "JPY", ("ja_JP",), "amazon.co.jp"),
        )
    }
)
#: The language tags above that the Product Type Definitions ``locale`` enumeration
#: (definitionsProductTypes_2020-09-01) does not hold: inferred from the store's country and
#: languages, never confirmed. A text tagged with one carries an
#: ``amazon.language_tag_unverified`` warning.
UNVERIFIED_TAGS: Final = frozenset(
    {"fr_BE", "nl_BE", "ar_SA", "en_SA", "en_IE", "ar_EG", "en_EG", "en_ZA", "hi_IN"}
)
#: Every store by its marketplace id.
MARKETPLACES_BY_ID: Final[Mapping[str, AmazonMarketplace]] = MappingProxyType(
    {m.marketplace_id: m for m in MARKETPLACES.values()}
)
_BY_CODE: Final = MappingProxyType({m.code: m for m in MARKETPLACES.values()})


def marketplace_for(value: str) -> AmazonMarketplace | None:
    """Return the store for a country code (``GB`` or Amazon's ``UK``) or a marketplace id."""
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return MARKETPLACES.get(upper) or _BY_CODE.get(upper) or MARKETPLACES_BY_ID.get(value.strip())
