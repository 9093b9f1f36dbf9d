"""Login with Amazon (LWA): exchange the seller's refresh token for a one-hour access token.

POST {token_url} (form) grant_type=refresh_token, refresh_token, client_id, client_secret
-> {"access_token", "token_type": "bearer", "expires_in": 3600, "refresh_token"}
(https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).

Refreshes go through ``CredentialStore.refresh`` so that two workers finding the token expired at
once make one LWA call: the refresher runs under the account's row lock and re-checks expiry first.
"""

from datetime import UTC, datetime, timedelta

from ..errors import AuthFailed, ServerError, Throttled

LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"
EXPIRY_MARGIN = timedelta(seconds=60)


def token_is_fresh(credentials: dict, now: datetime | None = None) -> bool:
    expires_at = credentials.get("access_token_expires_at")
    if not credentials.get("access_token") or not expires_at:
        return False
    try:
        expiry = datetime.fromisoformat(expires_at)
    except (TypeError, ValueError):
        return False
    return expiry - EXPIRY_MARGIN > (now or datetime.now(UTC))


class LwaRefresher:
    """The ``refresher`` passed to ``CredentialStore.refresh``.

    ``rejected_token``: the platform refused this token although its expiry said otherwise; refresh
    unless another worker already replaced it.
    """

    def __init__(self, adapter, rejected_token: str | None = None):
        self.adapter = adapter
        self.rejected_token = rejected_token

    def __call__(self, current: dict) -> dict | None:
        if self.rejected_token is None and token_is_fresh(current):
            return None
        if self.rejected_token is not None and current.get("access_token") != self.rejected_token:
            return None
        for name in ("client_id", "client_secret", "refresh_token"):
            if not current.get(name):
                raise AuthFailed(f"amazon: account credentials lack {name}")
        url = self.adapter.account.settings.get("lwa_token_url") or LWA_ENDPOINT
        response = self.adapter.request(
            "POST",
            url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": current["refresh_token"],
                "client_id": current["client_id"],
                "client_secret": current["client_secret"],
            },
            headers={"Accept": "application/json"},
        )
        if response.status_code == 429:
            raise Throttled(float(response.headers.get("Retry-After") or 1), "amazon: LWA token endpoint throttled")
        if response.status_code >= 500:
            raise ServerError(f"amazon: LWA token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise ServerError("amazon: LWA token endpoint answered a body that is not JSON") from None
        if response.status_code != 200 or not body.get("access_token"):
            # {"error": "invalid_grant", "error_description": "..."}; the description never holds secrets.
            raise AuthFailed(f"amazon: token refresh refused: {body.get('error', response.status_code)}")
        expires_in = int(body.get("expires_in") or 3600)
        fresh = {
            "access_token": body["access_token"],
            "access_token_expires_at": (datetime.now(UTC) + timedelta(seconds=expires_in)).isoformat(),
        }
        if body.get("refresh_token"):
            fresh["refresh_token"] = body["refresh_token"]
        return fresh
