"""Expiring offline access tokens: refresh through the account's credential store.

Credentials of a Shopify account: ``access_token``; for expiring offline tokens also
``refresh_token``, ``expires_at`` (ISO 8601 UTC), ``client_id`` and ``client_secret``.
A token expires after ``expires_in`` (3600 s); the refresh token is rotated on use.
https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens

The refresh follows ``hub.marketplaces.tokens``: it runs inside ``CredentialStore.refresh``,
which locks the account row, and re-checks the stored token under the lock, so two workers
finding the token expired at once make one token call; the second sees the fresh token.
"""

from datetime import UTC, datetime, timedelta

from .. import tokens
from ..errors import AuthFailed, ServerError, Throttled
from ..tokens import iso_expires_within
from .errors import json_body, retry_after

REFRESH_MARGIN = timedelta(seconds=60)  # refresh a little before expiry, not after a failed call


def is_expired(credentials: dict, now: datetime | None = None) -> bool:
    expires_at = credentials.get("expires_at")
    if not expires_at:
        return False  # a non-expiring offline token (custom and merchant-created apps)
    return iso_expires_within(expires_at, REFRESH_MARGIN, now)


def can_refresh(credentials: dict) -> bool:
    return all(credentials.get(key) for key in ("refresh_token", "client_id", "client_secret"))


def refreshed_credentials(adapter, stale_token: str | None) -> dict:
    """The credentials after a refresh when the stored token is expired (or still is ``stale_token``)."""
    return tokens.refresh(
        adapter.account.credentials, stale_token=stale_token, expiring=is_expired, renew=renewer(adapter)
    )


def renewer(adapter):
    """The ``renew`` callback of ``hub.marketplaces.tokens``: the token call, if a refresh token is stored."""

    def renew(current: dict) -> dict:
        if not can_refresh(current):
            raise AuthFailed("shopify: access token expired or rejected and no refresh token is stored")
        return token_refresh(adapter, current)

    return renew


def token_refresh(adapter, current: dict) -> dict:
    """POST /admin/oauth/access_token with grant_type=refresh_token; the new token fields to store."""
    url = f"{adapter.base_url}/admin/oauth/access_token"
    what = "POST /admin/oauth/access_token"
    response = adapter.request(
        "POST",
        url,
        data={
            "client_id": current["client_id"],
            "client_secret": current["client_secret"],
            "grant_type": "refresh_token",
            "refresh_token": current["refresh_token"],
        },
        headers={"Accept": "application/json"},
    )
    if response.status_code == 429:
        raise Throttled(retry_after(response), f"shopify: throttled on {what}")
    if response.status_code >= 500:
        raise ServerError(f"shopify: HTTP {response.status_code} on {what}")
    if response.status_code != 200:
        raise AuthFailed(f"shopify: token refresh refused (HTTP {response.status_code})")
    body = json_body(response, what)
    try:
        access_token = body["access_token"]
        expires_in = float(body["expires_in"])
    except (KeyError, TypeError, ValueError):
        raise AuthFailed("shopify: token refresh answer lacks access_token or expires_in") from None
    now = datetime.now(UTC)
    fresh = {
        "access_token": access_token,
        "expires_at": (now + timedelta(seconds=expires_in)).isoformat(),
        "refresh_token": body.get("refresh_token") or current["refresh_token"],
    }
    refresh_lifetime = body.get("refresh_token_expires_in")
    if isinstance(refresh_lifetime, int | float):
        fresh["refresh_token_expires_at"] = (now + timedelta(seconds=refresh_lifetime)).isoformat()
    if body.get("scope"):
        fresh["scope"] = body["scope"]
    return fresh
