"""Token refresh through the account's credential store, and Login with Amazon (LWA).

LWA: POST {token_url} (form) grant_type=refresh_token, refresh_token, client_id, client_secret
-> {"access_token", "token_type": "bearer", "expires_in": 3600, "refresh_token"}
(https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).

Every refresh goes through ``hub.marketplaces.tokens`` (the account's row lock, and a re-check whether
another worker already refreshed), so two workers finding the token expired at once make one platform
call. ``TokenRefresher`` is platform-neutral; the eBay adapter subclasses it.
"""

from datetime import UTC, datetime, timedelta

import httpx

from ..errors import AuthFailed, ServerError, Throttled
from ..http_errors import retry_after
from ..tokens import ahead_of_expiry, iso_expires_within, refresh

LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"
EXPIRY_MARGIN = timedelta(seconds=60)


def token_is_fresh(credentials: dict, now: datetime | None = None) -> bool:
    expires_at = credentials.get("access_token_expires_at")
    if not credentials.get("access_token") or not expires_at:
        return False
    return not iso_expires_within(expires_at, EXPIRY_MARGIN, now)


def token_expiring(credentials: dict) -> bool:
    return not token_is_fresh(credentials)


class TokenRefresher:
    """The platform's token call, as ``renew`` for ``hub.marketplaces.tokens``; subclasses send the request."""

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


class LwaRefresher(TokenRefresher):
    platform = "amazon"

    def exchange(self, current: dict) -> httpx.Response:
        return self.adapter.request(
            "POST",
            self.adapter.account.settings.get("lwa_token_url") or LWA_ENDPOINT,
            data={
                "grant_type": "refresh_token",
                "refresh_token": current["refresh_token"],
                "client_id": current["client_id"],
                "client_secret": current["client_secret"],
            },
            headers={"Accept": "application/json"},
        )
