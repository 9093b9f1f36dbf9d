"""Access-token upkeep every adapter shares: refresh ahead of expiry, and once when the platform refuses a token.

Each platform keeps its own token call (``renew``) and its own way of telling that stored
credentials are about to expire (``expiring``); the rule around them is one. A refresh always
runs through ``CredentialStore.refresh``, which holds the account's row lock while the refresher
runs, and the refresher re-reads the stored credentials under that lock before asking the
platform:

- no stale token (the caller found the credentials expiring): renew only if they still are;
- a stale token (the platform refused it): renew only if it is still the stored one.

So workers that find a token expired, or refused, at the same moment cost one token call: the
first renews it, the others see the new token and return it.

``TokenRefresher``: an OAuth refresh-token grant (client_id, client_secret, refresh_token;
credentials keep ``access_token_expires_at``), the token call of the Amazon (LWA) and eBay adapters.
``TokenRefreshing``: the adapter mixin of Shopee and AliExpress, whose credentials keep
``access_token``, ``refresh_token`` and ``expire_at`` (Unix seconds).
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from .errors import AuthFailed, ServerError, Throttled
from .http_errors import retry_after

EXPIRY_MARGIN = timedelta(seconds=60)  # TokenRefresher credentials count as expired this long before
Expiring = Callable[[dict], bool]
Renew = Callable[[dict], dict]


def needs_refresh(current: dict, stale_token: str | None, expiring: Expiring) -> bool:
    """Under the row lock: whether ``current`` (the stored credentials) still wants a new token."""
    if stale_token is None:
        return expiring(current)
    return current.get("access_token") == stale_token


def refresh(store, *, stale_token: str | None, expiring: Expiring, renew: Renew) -> dict:
    """The credentials after ``store.refresh``; ``renew(current)`` (the fields to store) runs only when needed."""

    def refresher(current: dict) -> dict | None:
        if not needs_refresh(current, stale_token, expiring):
            return None
        return renew(current)

    return store.refresh(refresher)


def ahead_of_expiry(store, credentials: dict, *, expiring: Expiring, renew: Renew) -> dict:
    """``credentials`` (as just loaded from ``store``), refreshed first when they are about to expire."""
    if not expiring(credentials):
        return credentials
    return refresh(store, stale_token=None, expiring=expiring, renew=renew)


def iso_expires_within(expires_at, margin: timedelta, now: datetime | None = None) -> bool:
    """Whether an ISO 8601 expiry time falls within ``margin`` from now; an unreadable one counts as expired.

    A time without offset is read as UTC.
    """
    try:
        moment = datetime.fromisoformat(expires_at)
    except (TypeError, ValueError):
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment - margin <= (now or datetime.now(UTC))


def token_is_fresh(credentials: dict, now: datetime | None = None) -> bool:
    expires_at = credentials.get("access_token_expires_at")
    if not credentials.get("access_token") or not expires_at:
        return False
    return not iso_expires_within(expires_at, EXPIRY_MARGIN, now)


def token_expiring(credentials: dict) -> bool:
    return not token_is_fresh(credentials)


class TokenRefresher:
    """An OAuth refresh-token grant as ``renew``; subclasses send the platform's request (``exchange``)."""

    platform = ""
    default_expires_in = 3600

    def __init__(self, adapter):
        self.adapter = adapter

    @classmethod
    def access_token(cls, adapter, rejected: str | None = None) -> str:
        """A valid access token for the adapter's account, refreshing it when expired or ``rejected``.

        ``rejected``: the platform refused this token although its expiry said otherwise; refresh
        unless another worker already replaced it.
        """
        store = adapter.account.credentials
        if rejected is None:
            credentials = ahead_of_expiry(store, store.load(), expiring=token_expiring, renew=cls(adapter))
        else:
            credentials = refresh(store, stale_token=rejected, expiring=token_expiring, renew=cls(adapter))
        return credentials["access_token"]

    def exchange(self, current: dict) -> httpx.Response:
        raise NotImplementedError

    def __call__(self, current: dict) -> dict:
        for name in ("client_id", "client_secret", "refresh_token"):
            if not current.get(name):
                raise AuthFailed(f"{self.platform}: account credentials lack {name}")
        response = self.exchange(current)
        if response.status_code == 429:
            raise Throttled(retry_after(response.headers, 1.0), f"{self.platform}: token endpoint throttled")
        if response.status_code >= 500:
            raise ServerError(f"{self.platform}: token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise ServerError(f"{self.platform}: token endpoint answered a body that is not JSON") from None
        if response.status_code != 200 or not body.get("access_token"):
            # {"error": "invalid_grant", "error_description": "..."}: the code names no secret
            raise AuthFailed(f"{self.platform}: token refresh refused: {body.get('error', response.status_code)}")
        expires_in = int(body.get("expires_in") or self.default_expires_in)
        fresh = {
            "access_token": body["access_token"],
            "access_token_expires_at": (datetime.now(UTC) + timedelta(seconds=expires_in)).isoformat(),
        }
        if body.get("refresh_token"):
            fresh["refresh_token"] = body["refresh_token"]
        return fresh


class TokenRefreshing:
    """Adapter mixin (Shopee, AliExpress): ``_fresh_credentials`` before a call, ``_refresh(stale)`` after a refusal.

    The adapter supplies ``_request_token`` (the platform's token call); ``expire_at`` is Unix seconds.
    """

    platform = ""
    refresh_margin_seconds = 120

    def _request_token(self, current: dict) -> dict:
        """Ask the platform for new tokens with ``current["refresh_token"]``; return the fields to store."""
        raise NotImplementedError

    def _expiring(self, credentials: dict) -> bool:
        return float(credentials.get("expire_at") or 0) - self.refresh_margin_seconds <= time.time()

    def _fresh_credentials(self) -> dict:
        credentials = self.account.credentials.load()
        if not credentials.get("access_token") and not credentials.get("refresh_token"):
            raise AuthFailed(f"{self.platform}: no tokens stored; the seller must authorise the app")
        return ahead_of_expiry(self.account.credentials, credentials, expiring=self._expiring, renew=self._renew)

    def _refresh(self, stale_token: str | None) -> dict:
        """``stale_token`` None: refresh if expiring; else refresh only if that token is still stored."""
        return refresh(self.account.credentials, stale_token=stale_token, expiring=self._expiring, renew=self._renew)

    def _renew(self, current: dict) -> dict:
        if not current.get("refresh_token"):
            raise AuthFailed(f"{self.platform}: no refresh_token stored; the seller must authorise the app again")
        return self._request_token(current)
