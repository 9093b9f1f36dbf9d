"""Access-token upkeep shared by the Shopee and AliExpress adapters.

Credentials carry ``access_token``, ``refresh_token`` and ``expire_at`` (Unix seconds). A call
refreshes ahead of expiry; a token the platform refuses is refreshed once. Either way the refresh
runs through ``CredentialStore.refresh`` (the account row lock), and the refresher asks the
platform only if the stored token is still the stale one, so concurrent workers cost one call.
"""

import time

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
        return self._refresh(stale_token=None) if self._expiring(credentials) else credentials

    def _refresh(self, stale_token: str | None) -> dict:
        """``stale_token`` None: refresh if expiring; else refresh only if that token is still stored."""

        def refresher(current: dict):
            if stale_token is None and not self._expiring(current):
                return None
            if stale_token is not None and current.get("access_token") != stale_token:
                return None
            if not current.get("refresh_token"):
                raise AuthFailed(f"{self.platform}: no refresh_token stored; the seller must authorise the app again")
            return self._request_token(current)

        return self.account.credentials.refresh(refresher)
