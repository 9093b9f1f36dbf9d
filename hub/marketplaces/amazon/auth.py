"""Login with Amazon (LWA): the token call of the Amazon adapter.

LWA: POST {token_url} (form) grant_type=refresh_token, refresh_token, client_id, client_secret
-> {"access_token", "token_type": "bearer", "expires_in": 3600, "refresh_token"}
(https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).

The refresh rule (ahead of expiry under the account's row lock, once for a refused token) and the
answer handling are ``hub.marketplaces.tokens.TokenRefresher``'s, which the eBay adapter shares.
"""

import httpx

from ..tokens import TokenRefresher

LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"


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
