"""eBay OAuth: refresh the seller's user access token (about 2 hours) with the refresh-token grant.

POST {base}/identity/v1/oauth2/token, Authorization: Basic base64(client_id:client_secret),
form grant_type=refresh_token, refresh_token, scope -> {"access_token", "expires_in", "token_type"}
(https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html). The refresh runs under the
account's row lock through ``CredentialStore.refresh`` (see ``TokenRefresher``).
"""

import base64

import httpx

from ..tokens import TokenRefresher

DEFAULT_SCOPES = (
    "https://api.ebay.com/oauth/api_scope/sell.inventory https://api.ebay.com/oauth/api_scope/sell.fulfillment"
)


class EbayRefresher(TokenRefresher):
    platform = "ebay"
    default_expires_in = 7200

    def exchange(self, current: dict) -> httpx.Response:
        basic = base64.b64encode(f"{current['client_id']}:{current['client_secret']}".encode()).decode()
        settings = self.adapter.account.settings
        return self.adapter.request(
            "POST",
            settings.get("token_url") or self.adapter.base_url + "/identity/v1/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": current["refresh_token"],
                "scope": settings.get("scopes") or DEFAULT_SCOPES,
            },
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
        )
