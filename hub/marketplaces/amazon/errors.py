"""SP-API error answers -> the hub's typed errors.

Error body: {"errors": [{"code", "message", "details"}]} (ordersV0.json ``Error``).
Throttling: HTTP 429 with code QuotaExceeded; ``x-amzn-RateLimit-Limit`` carries the rate (requests per
second) applied to the operation "when available"; no Retry-After is documented, so the wait is one
token of that rate (https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits).
"""

from ..errors import AuthFailed, ServerError, Throttled
from ..http_errors import PlatformRejected, first_error

# Default usage plans (rate per second) from each operation's description in the models repo.
DEFAULT_RATES = {
    "getOrders": 0.0167,
    "getOrder": 0.5,
    "getOrderItems": 0.5,
    "confirmShipment": 2.0,
    "patchListingsItem": 5.0,
    "getListingsItem": 5.0,
}


def retry_after(headers, operation: str) -> float:
    """Seconds until the operation's bucket holds one token again."""
    rate = None
    try:
        rate = float(headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        rate = None
    if not rate or rate <= 0:
        rate = DEFAULT_RATES.get(operation, 1.0)
    return round(1.0 / rate, 3)


def token_expired(status_code: int, body) -> bool:
    """403 Unauthorized whose text speaks of the access token (expired or unknown)."""
    if status_code != 403:
        return False
    error = first_error(body)
    text = f"{error.get('message', '')} {error.get('details', '')}".lower()
    return error.get("code") == "Unauthorized" and ("expired" in text or "token" in text)


def raise_for(status_code: int, headers, body, operation: str, method: str, path: str) -> None:
    """Raise the typed error for a non-success answer. ``path`` never carries the query string."""
    where = f"amazon {operation} ({method} {path})"
    error = first_error(body)
    code = str(error.get("code") or status_code)
    message = str(error.get("message") or "")[:300]
    if status_code == 429:
        raise Throttled(retry_after(headers, operation), f"{where}: {code}")
    if status_code in (401, 403):
        raise AuthFailed(f"{where}: {code}: {message}")
    if status_code >= 500:
        raise ServerError(f"{where}: HTTP {status_code} {code}")
    raise PlatformRejected(f"{where}: HTTP {status_code} {code}: {message}", status_code=status_code, code=code)
