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
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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
