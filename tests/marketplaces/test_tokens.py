"""Token providers, driven by hand: the requests they yield and how they read answers."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from xborder.errors import (
    AuthenticationError,
    MarketplaceError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces import (
    AccessToken,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    StaticToken,
    TokenProvider,
)

TOKEN_URL = "https://api.ebay.example/identity/v1/oauth2/token"
LWA_URL = "https://api.amazon.example/auth/o2/token"
CLIENT_ID = "MyShop-App-PRD-1a2b3c"
SECRET = "canary-secret-PRD-5e6f"
REFRESH = "canary-refresh-v^1.1#i^1#r^1"
ACCESS = "canary-access-v^1.1#i^1#p^3"


def refresh(**kwargs: Any) -> OAuth2RefreshToken:
    return OAuth2RefreshToken(TOKEN_URL, CLIENT_ID, SecretStr(SECRET), SecretStr(REFRESH), **kwargs)


def request_of(flow: Flow[AccessToken]) -> HttpRequest:
    return next(flow)


def answer(flow: Flow[AccessToken], status: int, body: Any, **headers: str) -> AccessToken:
    next(flow)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(StopIteration) as done:
        flow.send(HttpResponse(status, headers=headers, content=content))
    token: AccessToken = done.value.value
    return token


def form(request: HttpRequest) -> dict[str, list[str]]:
    return parse_qs(request.content.decode("ascii"))


def never_shows_secrets(*objects: object) -> None:
    for obj in objects:
        for text in (repr(obj), str(obj)):
            for secret in (SECRET, REFRESH, ACCESS):
                assert secret not in text, f"{secret!r} in {text!r}"


# -- StaticToken --------------------------------------------------------------------------------


def test_static_token_needs_no_request() -> None:
    provider = StaticToken(SecretStr(ACCESS))
    flow = provider.token_flow()
    with pytest.raises(StopIteration) as done:
        next(flow)
    token = done.value.value
    assert isinstance(token, AccessToken) and token.expires_in is None
    assert token.value.get_secret_value() == ACCESS
    assert isinstance(provider, TokenProvider)


def test_static_token_signs_with_bearer_or_raw() -> None:
    token = AccessToken(SecretStr(ACCESS))
    request = HttpRequest("GET", "https://x.example/", headers={"authorization": "old", "A": "b"})
    signed = StaticToken(SecretStr(ACCESS)).authorize(request, token)
    assert dict(signed.headers) == {"A": "b", "Authorization": f"Bearer {ACCESS}"}
    amazon = StaticToken(SecretStr(ACCESS), header="x-amz-access-token", scheme="")
    assert amazon.authorize(request, token).headers["x-amz-access-token"] == ACCESS
    assert request.headers == {"authorization": "old", "A": "b"}  # not changed in place


def test_static_token_cache_key() -> None:
    key = StaticToken(SecretStr(ACCESS)).cache_key
    assert key.startswith("static:") and len(key) == len("static:") + 12
    assert key == StaticToken(SecretStr(ACCESS)).cache_key
    assert key != StaticToken(SecretStr(ACCESS + "x")).cache_key
    assert StaticToken(SecretStr(ACCESS), key="meta:system-user").cache_key == "meta:system-user"
    never_shows_secrets(key, StaticToken(SecretStr(ACCESS)))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"token": SecretStr("")}, ValueError, "token: must not be empty"),
        ({"token": SecretStr(f" {ACCESS}\n")}, ValueError, "whitespace"),
        ({"token": 42}, TypeError, "SecretStr"),
        ({"token": SecretStr(ACCESS), "scheme": "Bearer x"}, ValueError, "scheme"),
        ({"token": SecretStr(ACCESS), "header": ""}, ValueError, "header"),
        ({"token": SecretStr(ACCESS), "key": ""}, ValueError, "key"),
    ],
)
def test_static_token_refuses(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match) as info:
        StaticToken(**kwargs)
    assert ACCESS not in str(info.value)


def test_a_plain_string_token_is_accepted_and_hidden() -> None:
    provider = StaticToken(ACCESS)  # type: ignore[arg-type]
    never_shows_secrets(provider)


# -- the refresh-token grant ---------------------------------------------------------------------


def test_refresh_request_with_basic_client_auth() -> None:
    provider = refresh(scope="https://api.ebay.com/oauth/api_scope/sell.inventory")
    request = request_of(provider.token_flow())
    assert (request.method, request.url) == ("POST", TOKEN_URL)
    assert (request.operation, request.auth, request.is_idempotent) == ("token", None, True)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"] == "application/json"
    basic = request.headers["Authorization"].removeprefix("Basic ")
    assert (
        base64.b64decode(basic).decode() == f"{quote(CLIENT_ID, safe='')}:{quote(SECRET, safe='')}"
    )
    assert form(request) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH],
        "scope": ["https://api.ebay.com/oauth/api_scope/sell.inventory"],
    }
    never_shows_secrets(request, provider)


def test_refresh_request_with_the_client_in_the_body_as_amazon_lwa_wants() -> None:
    provider = OAuth2RefreshToken(
        LWA_URL,
        CLIENT_ID,
        SecretStr(SECRET),
        SecretStr(REFRESH),
        client_auth="body",
        header="x-amz-access-token",
        scheme="",
    )
    request = request_of(provider.token_flow())
    assert "Authorization" not in request.headers
    assert form(request) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
    }
    token = answer(
        provider.token_flow(),
        200,
        {
            "access_token": ACCESS,
            "refresh_token": REFRESH,
            "token_type": "bearer",
            "expires_in": 3600,
        },
    )
    signed = provider.authorize(HttpRequest("GET", "https://sellingpartnerapi.example/"), token)
    assert signed.headers == {"x-amz-access-token": ACCESS}


def test_reading_the_token() -> None:
    token = answer(
        refresh().token_flow(),
        200,
        {"access_token": ACCESS, "expires_in": 7200, "token_type": "User Access Token"},
    )
    assert token.value.get_secret_value() == ACCESS
    assert (token.expires_in, token.token_type) == (7200.0, "User Access Token")
    never_shows_secrets(token)


@pytest.mark.parametrize(
    ("expires_in", "expected"),
    [("3600", 3600.0), (59.5, 59.5), (None, None), ("soon", None), (-5, None), (True, None)],
)
def test_expires_in_is_read_leniently(expires_in: object, expected: float | None) -> None:
    body: dict[str, object] = {"access_token": ACCESS}
    if expires_in is not None:
        body["expires_in"] = expires_in
    assert answer(refresh().token_flow(), 200, body).expires_in == expected


def test_a_rotated_refresh_token_is_used_next_time() -> None:
    provider = refresh()
    key = provider.cache_key
    answer(provider.token_flow(), 200, {"access_token": ACCESS, "refresh_token": "rotated-1"})
    assert form(request_of(provider.token_flow()))["refresh_token"] == ["rotated-1"]
    assert provider.cache_key == key


def test_refresh_cache_key_has_no_secret() -> None:
    key = refresh().cache_key
    assert key.startswith(f"oauth2:refresh:{TOKEN_URL}:{CLIENT_ID}:")
    assert len(key.rsplit(":", 1)[1]) == 12
    assert refresh(scope="a b").cache_key == key + ":a b"
    assert (
        key
        != OAuth2RefreshToken(
            TOKEN_URL, CLIENT_ID, SecretStr(SECRET), SecretStr("another")
        ).cache_key
    )
    never_shows_secrets(key)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error", "message", "code"),
    [
        (
            400,
            {"error": "invalid_grant", "error_description": "the refresh token is invalid"},
            AuthenticationError,
            r"token request refused \(invalid_grant: the refresh token is invalid\)",
            "invalid_grant",
        ),
        (
            401,
            {"error": "invalid_client", "error_description": "client authentication failed"},
            AuthenticationError,
            "invalid_client: client authentication failed",
            "invalid_client",
        ),
        (
            400,
            {"error": "unsupported_grant_type"},
            AuthenticationError,
            r"\(unsupported_grant_type\)",
            "unsupported_grant_type",
        ),
        (403, b"<html>Forbidden</html>", AuthenticationError, "failed with HTTP 403", None),
        (429, {"error": "slow_down"}, RateLimitError, "slow_down", "slow_down"),
        (503, b"", ServerError, "failed with HTTP 503", None),
        (200, b"<html>login</html>", UnexpectedResponseError, "without a JSON object", None),
        (200, {"token": "x"}, UnexpectedResponseError, r"no access_token \(keys: token\)", None),
        (200, {"access_token": ""}, UnexpectedResponseError, "no access_token", None),
    ],
)
def test_token_errors(
    status: int, body: Any, error: type[MarketplaceError], message: str, code: str | None
) -> None:
    with pytest.raises(error, match=message) as info:
        answer(refresh().token_flow(), status, body, **{"x-request-id": "t-1"})
    exc = info.value
    assert type(exc) is error
    assert (exc.status_code, exc.code, exc.operation, exc.request_id) == (
        status,
        code,
        "token",
        "t-1",
    )
    assert exc.marketplace == "api.ebay.example"  # the client renames it to the adapter's name
    never_shows_secrets(exc)


def test_an_error_description_echoing_a_secret_is_scrubbed() -> None:
    body = {"error": "invalid_grant", "error_description": f"{REFRESH} revoked for {SECRET}"}
    with pytest.raises(AuthenticationError, match=r"\*\*\* revoked for \*\*\*") as info:
        answer(refresh().token_flow(), 400, body)
    never_shows_secrets(info.value)


# -- client credentials ---------------------------------------------------------------------------


def test_client_credentials() -> None:
    provider = OAuth2ClientCredentials(
        TOKEN_URL, CLIENT_ID, SecretStr(SECRET), scope="https://api.ebay.com/oauth/api_scope"
    )
    request = request_of(provider.token_flow())
    assert form(request) == {
        "grant_type": ["client_credentials"],
        "scope": ["https://api.ebay.com/oauth/api_scope"],
    }
    assert request.headers["Authorization"].startswith("Basic ")
    token = answer(provider.token_flow(), 200, {"access_token": ACCESS, "expires_in": 7200})
    assert token.expires_in == 7200
    key = provider.cache_key
    assert key.startswith(f"oauth2:client:{TOKEN_URL}:{CLIENT_ID}:")
    assert key.endswith(":https://api.ebay.com/oauth/api_scope")
    assert provider.token_url == TOKEN_URL and provider.client_id == CLIENT_ID
    assert provider.scope == "https://api.ebay.com/oauth/api_scope"
    never_shows_secrets(provider, request, key)
    assert isinstance(provider, TokenProvider)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("ftp://x.example/token", CLIENT_ID, SecretStr(SECRET)), {}, "token_url"),
        (("https:///token", CLIENT_ID, SecretStr(SECRET)), {}, "token_url"),
        ((TOKEN_URL, "", SecretStr(SECRET)), {}, "client_id"),
        ((TOKEN_URL, CLIENT_ID, SecretStr("")), {}, "client_secret"),
        ((TOKEN_URL, CLIENT_ID, SecretStr(SECRET)), {"client_auth": "jwt"}, "client_auth"),
        ((TOKEN_URL, CLIENT_ID, SecretStr(SECRET)), {"scope": " "}, "scope"),
    ],
)
def test_bad_provider_settings(args: tuple[Any, ...], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        OAuth2ClientCredentials(*args, **kwargs)
    assert SECRET not in str(info.value)


@given(
    client_id=st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1).filter(
        lambda s: s.strip() == s and s.strip()
    ),
    secret=st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1).filter(
        lambda s: s.strip() == s and s.strip()
    ),
)
def test_basic_auth_is_rfc6749_form_encoded(client_id: str, secret: str) -> None:
    provider = OAuth2ClientCredentials(TOKEN_URL, client_id, SecretStr(secret))
    request = request_of(provider.token_flow())
    basic = base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()
    encoded_id, _, encoded_secret = basic.partition(":")
    assert (encoded_id, encoded_secret) == (quote(client_id, safe=""), quote(secret, safe=""))
    assert "client_secret=SecretStr('**********')" in repr(provider)
