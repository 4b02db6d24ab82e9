"""The seller's input: a :class:`Listing` and its parts, the :class:`Party` and the :class:`Seller`.

A listing is written once, for the seller's home market, in the seller's currency and
language. Everything downstream (pricing, localization, compliance, the marketplaces) reads
it and never changes it. Every model here is immutable and refuses unknown fields; a bad
value raises :class:`xborder.errors.InvalidListingError` naming each field and value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Self

from babel import Locale, UnknownLocaleError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationError,
    WrapSerializer,
    field_validator,
    model_validator,
)
from stdnum import ean

from xborder.errors import FieldError, InvalidListingError
from xborder.money import Money, to_decimal

__all__ = [
    "CATEGORIES",
    "Category",
    "Condition",
    "DangerousGoods",
    "Dimensions",
    "Listing",
    "Party",
    "Seller",
    "Translation",
    "Weight",
    "field_errors",
    "is_valid_gtin",
]

#: The xborder category vocabulary: one key per kind of product. Later parts map each key to
#: restricted-goods triggers, EPR categories, eBay category ids, Amazon product types and
#: Google product categories. Documented in docs/catalog.md.
CATEGORIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "apparel": "Clothing",
        "apparel.accessories": "Hats, scarves, gloves and other worn accessories",
        "bags.leather_goods": "Wallets, belts, bags and other leather goods",
        "jewellery": "Rings, earrings, necklaces, bracelets",
        "watches": "Wrist and pocket watches",
        "cosmetics.skincare": "Balms, creams, oils applied to skin or hair",
        "cosmetics.fragrance": "Perfume, eau de toilette, scented oils worn on the body",
        "cosmetics.makeup": "Colour cosmetics",
        "home.drinkware": "Mugs, cups, glasses, teapots",
        "home.tableware": "Plates, bowls, serving ware, cutlery",
        "home.candles": "Candles and wax melts",
        "home.decor": "Decorative objects, coasters, vases",
        "home.textiles": "Tea towels, cushions, throws",
        "art.prints": "Printed art, posters, photographs",
        "stationery": "Notebooks, cards, paper goods",
        "books": "Printed books",
        "toys": "Toys and games for children",
        "baby": "Products for infants",
        "electronics": "Electrical and electronic equipment",
        "electronics.phone_accessories": "Phone cases, chargers, cables",
        "electronics.batteries": "Batteries and power banks sold on their own",
        "tools.knives": "Knives and bladed tools",
        "garden.seeds": "Seeds for sowing",
        "garden.plants": "Live plants, bulbs, cuttings",
        "food": "Food and drink",
        "supplements": "Food supplements and vitamins",
        "health.cbd": "Products containing cannabidiol (CBD) or hemp extracts",
        "tobacco.vapes": "Electronic cigarettes, vapes, e-liquids",
        "pet_supplies": "Products for animals",
        "sports": "Sports and outdoor equipment",
        "other": "Anything not covered above",
    }
)

Category = Literal[
    "apparel",
    "apparel.accessories",
    "bags.leather_goods",
    "jewellery",
    "watches",
    "cosmetics.skincare",
    "cosmetics.fragrance",
    "cosmetics.makeup",
    "home.drinkware",
    "home.tableware",
    "home.candles",
    "home.decor",
    "home.textiles",
    "art.prints",
    "stationery",
    "books",
    "toys",
    "baby",
    "electronics",
    "electronics.phone_accessories",
    "electronics.batteries",
    "tools.knives",
    "garden.seeds",
    "garden.plants",
    "food",
    "supplements",
    "health.cbd",
    "tobacco.vapes",
    "pet_supplies",
    "sports",
    "other",
]

Condition = Literal["new", "used_like_new", "used_good", "used_acceptable", "refurbished"]

# -- reusable field types ---------------------------------------------------------------------

# C0 and C1 controls, DEL and lone surrogates. C1 (U+0080-U+009F) is refused too: U+009B is
# a one-character CSI that some terminals obey like ESC [ (ECMA-48, 5th ed., 5.3:
# https://ecma-international.org/publications-and-standards/standards/ecma-48/), and in
# seller text these code points only come from Windows-1252 bytes decoded as Latin-1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean_text(value: str) -> str:
    # Control characters break marketplace payloads and CSV reports; lone surrogates are how
    # the catalog reader marks bytes that were not UTF-8.
    if _CONTROL.search(value):
        raise ValueError("contains control characters or bytes that are not UTF-8")
    return value


def _clean_line(value: str) -> str:
    value = value.strip()
    if _CONTROL_LINE.search(value):
        raise ValueError("contains line breaks, control characters or bytes that are not UTF-8")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Line = Annotated[str, AfterValidator(_clean_line), Field(min_length=1, max_length=500)]

# A tag start ("<img", "</p", "<!--", "<?xml") or one encoded once or more ("&lt;img",
# "&#60;img", "&#x3c;img", "&amp;lt;img"); "size < 5 cm", "3<4" and "under < three" are not
# (a browser starts a tag only at "<" directly followed by a letter, "/", "!" or "?").
_MARKUP: Final = re.compile(
    r"<[A-Za-z/!?]|&(?:amp;)*(?:lt;?|#0*60;?|#x0*3c;?)[A-Za-z/!?]", re.IGNORECASE
)


def _no_markup(value: str) -> str:
    # Fields sent to the marketplaces exactly as written (brand, MPN, customs description,
    # the GPSR parties, safety information) are plain text there: markup would reach buyers'
    # pages as it is, event handlers included. Localized fields (title, description,
    # attributes) are cleaned per channel instead (xborder.localize.content).
    if _MARKUP.search(value):
        raise ValueError(
            "contains HTML markup; this field is sent to marketplaces as plain text, "
            "so write it without tags"
        )
    return value


#: A Line / Text sent to the marketplaces as it is written: no markup (see _no_markup).
PlainLine = Annotated[Line, AfterValidator(_no_markup)]
PlainText = Annotated[Text, AfterValidator(_no_markup)]


@lru_cache(maxsize=1024)
def _known_language(value: str) -> bool:
    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _check_language(value: str) -> str:
    if not _known_language(value):
        raise ValueError("not a language babel/CLDR knows (use a code such as 'en' or 'de')")
    return value


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,49}")


def _check_id(value: str) -> str:
    # eBay allows 50 characters in a SKU; marketplaces with lower limits check their own.
    if not _ID.fullmatch(value):
        raise ValueError(
            "use 1-50 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


Identifier = Annotated[str, AfterValidator(_check_id)]


LanguageCode = Annotated[str, Field(min_length=2, max_length=16), AfterValidator(_check_language)]


def _check_country(value: str) -> str:
    from xborder.markets import is_country

    if not is_country(value):
        raise ValueError("not an ISO 3166-1 alpha-2 country code (upper case, e.g. 'US')")
    return value


CountryCode = Annotated[str, AfterValidator(_check_country)]


def _check_https(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"https://[^\s/$.?#][^\s]*", value):
        raise ValueError("must be an https:// URL without spaces")
    if len(value) > 2048:
        raise ValueError("URL longer than 2048 characters")
    return value


HttpsUrl = Annotated[str, AfterValidator(_check_https)]


def _decimal(value: object) -> Decimal:
    # Routes every decimal field through the same float refusal as Money.
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        try:
            return to_decimal(value)
        except Exception as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
    if isinstance(value, float):
        raise ValueError("floats are refused; pass a string or decimal.Decimal")
    raise ValueError(f"expected a decimal number, got {type(value).__name__}")


PositiveDecimal = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(gt=0),
    PlainSerializer(str, when_used="json"),
]


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _serialize_map(value: Mapping[str, Any], handler: SerializerFunctionWrapHandler) -> Any:
    # pydantic cannot serialize a mappingproxy; hand it a plain dict of the same items.
    return handler(dict(value))


#: Frozen mappings: validated as dicts, stored read-only, serialized as dicts.
_FROZEN_MAP = (AfterValidator(_frozen_map), WrapSerializer(_serialize_map))


def _values(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    return value


AttributeValues = Annotated[tuple[Line, ...], BeforeValidator(_values), Field(min_length=1)]
Attributes = Annotated[Mapping[Line, AttributeValues], *_FROZEN_MAP]

_GTIN_LENGTHS: Final = frozenset({8, 12, 13, 14})


def is_valid_gtin(code: object) -> bool:
    """Return whether ``code`` is a GTIN-8, -12 (UPC-A), -13 (EAN) or -14 with a valid check digit.

    Digits only (no spaces or dashes). The check digit (GS1 General Specifications, mod-10)
    is verified by python-stdnum's ``ean`` module; anything that is not such a string is
    simply not valid. All zeros passes the check digit but is a placeholder, never a
    product's number: not valid.
    """
    if not (
        isinstance(code, str) and code.isascii() and code.isdigit() and len(code) in _GTIN_LENGTHS
    ):
        return False
    if not code.strip("0"):
        return False
    try:
        return bool(ean.is_valid(code))
    except Exception:  # stdnum raises only ValidationError; never let junk escape
        return False


def _check_gtin(value: str) -> str:
    value = value.strip().replace(" ", "").replace("-", "")
    if not (value.isascii() and value.isdigit()) or len(value) not in _GTIN_LENGTHS:
        raise ValueError("a GTIN has 8, 12, 13 or 14 digits")
    if not value.strip("0"):
        raise ValueError(
            "an all-zero GTIN is a placeholder, not a product's number: leave gtin empty and "
            "set gtin_exempt if the product has none"
        )
    if not is_valid_gtin(value):
        raise ValueError("the GTIN check digit is wrong")
    return value


def _check_hs(value: str) -> str:
    # Sellers copy HS codes as "6912.00" or "6912 00 10"; store digits only.
    digits = value.strip().replace(".", "").replace(" ", "")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("an HS code has digits only (dots and spaces are removed)")
    if not 6 <= len(digits) <= 10:
        raise ValueError("an HS code has 6 to 10 digits (HS 6, EU CN 8, JP 9, US HTS 10)")
    return digits


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def _check_email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address")
    return value


# -- the models ---------------------------------------------------------------------------------


# Depth of xborder model validation in progress: pydantic calls a model's own __init__ for
# nested models too, and only the outermost call may turn a ValidationError into an
# InvalidListingError (inner ones must keep pydantic's error so the field path stays whole).
_DEPTH: ContextVar[int] = ContextVar("xborder_validation_depth", default=0)


@contextmanager
def _validating() -> Iterator[None]:
    depth = _DEPTH.get()
    token = _DEPTH.set(depth + 1)
    try:
        yield
    except ValidationError as exc:
        if depth:
            raise
        raise InvalidListingError(field_errors(exc)) from None
    finally:
        _DEPTH.reset(token)


class _Frozen(BaseModel):
    """Base of every input model: immutable, unknown fields refused, errors as xborder errors.

    Construction and ``model_validate``/``model_validate_json`` raise
    :class:`~xborder.errors.InvalidListingError` (one xborder error, DESIGN §6) naming every
    field with its value, instead of pydantic's ValidationError.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    if not TYPE_CHECKING:
        # Type checkers keep pydantic's generated, typed __init__.
        def __init__(self, **data: Any) -> None:
            with _validating():
                super().__init__(**data)

    @classmethod
    def model_validate(cls, *args: Any, **kwargs: Any) -> Self:
        """Validate a Python object; raise InvalidListingError naming each bad field."""
        with _validating():
            return super().model_validate(*args, **kwargs)

    @classmethod
    def model_validate_json(cls, *args: Any, **kwargs: Any) -> Self:
        """Validate JSON text; raise InvalidListingError naming each bad field."""
        with _validating():
            return super().model_validate_json(*args, **kwargs)


def field_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    """Turn a pydantic ValidationError into :class:`FieldError` items (dotted field paths)."""
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "listing"
        message = err["msg"]
        if err["type"] == "missing":
            out.append(FieldError(field, None, "required but missing"))
            continue
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.append(FieldError(field, err.get("input"), message))
    return out


class Party(_Frozen):
    """A business named on a listing: the manufacturer or the EU responsible person.

    GPSR (Regulation (EU) 2023/988, art. 9(6) and 19) asks for a name, a postal address and
    an electronic address (email or website) by which the business can be contacted.
    """

    name: PlainLine
    postal_address: PlainLine
    email: Annotated[str, AfterValidator(_check_email)] | None = None
    url: HttpsUrl | None = None

    @model_validator(mode="after")
    def _contact(self) -> Party:
        if self.email is None and self.url is None:
            raise ValueError("give an email or a url (an electronic contact is required)")
        return self


class Weight(_Frozen):
    """Shipping weight of one unit, packaging included."""

    value: PositiveDecimal
    unit: Literal["g", "kg", "oz", "lb"]

    def grams(self) -> Decimal:
        """Return the weight in grams (1 lb = 453.59237 g and 1 oz = 28.349523125 g, exactly)."""
        factor = {
            "g": Decimal(1),
            "kg": Decimal(1000),
            "oz": Decimal("28.349523125"),
            "lb": Decimal("453.59237"),
        }
        return self.value * factor[self.unit]


class Dimensions(_Frozen):
    """Package dimensions of one unit."""

    length: PositiveDecimal
    width: PositiveDecimal
    height: PositiveDecimal
    unit: Literal["mm", "cm", "in"]


class DangerousGoods(_Frozen):
    """What makes a product dangerous to ship (IATA DGR / ADR): batteries, aerosols, flammables.

    ``battery``: ``none``; ``contained`` in equipment (UN3481/UN3091 "contained in");
    ``packed_with`` equipment; ``standalone`` batteries (UN3480/UN3090).
    """

    battery: Literal["none", "contained", "packed_with", "standalone"] = "none"
    aerosol: bool = False
    flammable: bool = False


class Translation(_Frozen):
    """Text the seller supplied in another language; it is used as is, never machine-translated."""

    title: Annotated[Line, Field(max_length=200)] | None = None
    description: Text | None = None
    attributes: Attributes = Field(default_factory=lambda: MappingProxyType({}))


def _not_bool(value: object) -> object:
    # pydantic's lax mode reads JSON true as the integer 1; a stock count given as a boolean
    # is a mistake in the catalog, not one unit in stock.
    if isinstance(value, bool):
        raise ValueError("expected a whole number of units, got a boolean")
    return value


#: Prices and costs must stay below this, in their own currency. It is above any real
#: listing even in currencies of small units (10**12 dong is about 40 million US dollars),
#: and it keeps amounts small enough that converting and rounding them in Decimal's default
#: 28-digit context cannot fail (1e999999 USD used to pass here and crash pricing).
MAX_AMOUNT: Final = Decimal(10) ** 12


def _within_limit(value: Money) -> Money:
    if value.amount >= MAX_AMOUNT:
        raise ValueError(f"amount too large: must be below {MAX_AMOUNT:,} {value.currency}")
    return value


class Listing(_Frozen):
    """One product as the seller lists it at home.

    ``price`` is in the seller's home currency and must be positive; ``attributes`` map a
    name to one or more values; ``translations`` and ``safety_information`` are keyed by
    language code. See docs/catalog.md for every field and the CSV/JSONL columns.
    """

    sku: Identifier
    title: Annotated[Line, Field(max_length=200)]
    description: Text = ""
    language: LanguageCode = "en"
    price: Money
    cost: Money | None = None
    quantity: Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=1_000_000)]
    condition: Condition = "new"
    brand: Annotated[PlainLine, Field(max_length=100)] | None = None
    mpn: Annotated[PlainLine, Field(max_length=100)] | None = None
    gtin: Annotated[str, AfterValidator(_check_gtin)] | None = None
    gtin_exempt: bool = False
    category: Category | None = None
    attributes: Attributes = Field(default_factory=lambda: MappingProxyType({}))
    images: Annotated[tuple[HttpsUrl, ...], Field(max_length=24)] = ()
    url: HttpsUrl | None = None
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    hs_code: Annotated[str, AfterValidator(_check_hs)] | None = None
    origin_country: CountryCode | None = None
    customs_description: Annotated[PlainLine, Field(max_length=500)] | None = None
    manufacturer: Party | None = None
    eu_responsible_person: Party | None = None
    safety_information: Annotated[
        Mapping[LanguageCode, Annotated[PlainText, Field(min_length=1)]], *_FROZEN_MAP
    ] = Field(default_factory=lambda: MappingProxyType({}))
    dangerous_goods: DangerousGoods = Field(default_factory=DangerousGoods)
    translations: Annotated[Mapping[LanguageCode, Translation], *_FROZEN_MAP] = Field(
        default_factory=lambda: MappingProxyType({})
    )
    variant_group: Identifier | None = None

    @field_validator("price")
    @classmethod
    def _positive_price(cls, value: Money) -> Money:
        if value.amount <= 0:
            raise ValueError("a listing price must be greater than zero")
        _within_limit(value)
        if value.quantize().amount == 0:
            raise ValueError(
                f"a listing price must be at least one {value.currency} minor unit "
                f"({Decimal(1).scaleb(-value.digits)}); it would be priced at zero"
            )
        return value

    @field_validator("cost")
    @classmethod
    def _cost_not_negative(cls, value: Money | None) -> Money | None:
        if value is not None and value.amount < 0:
            raise ValueError("cost cannot be negative")
        return None if value is None else _within_limit(value)

    @model_validator(mode="after")
    def _consistent(self) -> Listing:
        if self.gtin is not None and self.gtin_exempt:
            raise ValueError("gtin_exempt is true but a gtin is given; keep one of them")
        return self


class Seller(_Frozen):
    """Who sells: where they are established and which legal regimes bind them.

    ``regimes`` are the sanctions and product-law regimes the seller is subject to ("US" for
    US persons, "EU", "UK"); ``epr_numbers`` maps an EPR scheme (e.g. ``"DE.packaging"``) to
    the registration id; ``vat_registrations`` maps a country code to a VAT number.
    """

    country: CountryCode
    regimes: Annotated[tuple[Literal["US", "EU", "UK"], ...], Field(min_length=1)]
    ioss_number: Annotated[str, Field(pattern=r"^IM\d{10}$")] | None = None
    epr_numbers: Annotated[Mapping[Line, Line], *_FROZEN_MAP] = Field(
        default_factory=lambda: MappingProxyType({})
    )
    vat_registrations: Annotated[Mapping[CountryCode, Line], *_FROZEN_MAP] = Field(
        default_factory=lambda: MappingProxyType({})
    )

    @field_validator("regimes")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each regime once")
        return value
