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


def grantless_token(adapter, scope: str) -> str:
    """An application token for grantless operations (LWA ``client_credentials`` grant with ``scope``,
    e.g. ``sellingpartnerapi::notifications``; https://developer-docs.amazon.com/sp-api/docs/grantless-operations).
    Asked for each time: grantless calls are rare (subscribing an account)."""
    from ..errors import AuthFailed, ServerError
    from ..http_errors import json_or_none

    credentials = adapter.account.credentials.load()
    response = adapter.request(
        "POST",
        adapter.account.settings.get("lwa_token_url") or LWA_ENDPOINT,
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": credentials.get("client_id", ""),
            "client_secret": credentials.get("client_secret", ""),
        },
        headers={"Accept": "application/json"},
    )
    body = json_or_none(response) or {}
    if response.status_code >= 500:
        raise ServerError(f"amazon LWA client_credentials: HTTP {response.status_code}")
    if response.status_code != 200 or not body.get("access_token"):
        raise AuthFailed(f"amazon LWA client_credentials: HTTP {response.status_code} {body.get('error', '')}")
    return str(body["access_token"])
