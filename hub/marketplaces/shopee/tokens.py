"""Access-token upkeep shared by the Shopee and AliExpress adapters.

Credentials carry ``access_token``, ``refresh_token`` and ``expire_at`` (Unix seconds). A call
refreshes ahead of expiry; a token the platform refuses is refreshed once. Either way the refresh
follows ``hub.marketplaces.tokens`` (the account row lock, and a platform call only if the stored
token is still the stale one), so concurrent workers cost one call.
"""

import time

from .. import tokens
from ..errors import AuthFailed


class TokenRefreshing:
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
        return tokens.ahead_of_expiry(self.account.credentials, credentials, expiring=self._expiring, renew=self._renew)

    def _refresh(self, stale_token: str | None) -> dict:
        """``stale_token`` None: refresh if expiring; else refresh only if that token is still stored."""
        return tokens.refresh(
            self.account.credentials, stale_token=stale_token, expiring=self._expiring, renew=self._renew
        )

    def _renew(self, current: dict) -> dict:
        if not current.get("refresh_token"):
            raise AuthFailed(f"{self.platform}: no refresh_token stored; the seller must authorise the app again")
        return self._request_token(current)
