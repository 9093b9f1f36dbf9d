"""eBay REST error answers -> the hub's typed errors.

Error body: {"errors": [{"errorId", "domain", "category", "message", "longMessage"?, "parameters"?}]}
(https://developer.ebay.com/api-docs/static/handling-error-messages.html). An invalid or expired user token
answers 401 with errorId 1001. Going over a call limit answers 429 (errorId 2001, UNVERIFIED); eBay
documents no Retry-After, so the wait comes from the header when present, else from account settings.
"""

from ..errors import AuthFailed, ServerError, Throttled
from ..http_errors import PlatformRejected, first_error, retry_after

DEFAULT_THROTTLE_BACKOFF = 60.0


def token_rejected(status_code: int, body) -> bool:
    return status_code == 401 and str(first_error(body).get("errorId", "1001")) == "1001"


def raise_for(response, body, operation: str, path: str, backoff: float) -> None:
    """Raise the typed error for a non-success answer. ``path`` never carries the query string."""
    status = response.status_code
    where = f"ebay {operation} ({response.request.method} {path})"
    error = first_error(body)
    code = str(error.get("errorId") or status)
    message = str(error.get("message") or "")[:300]
    if status == 429:
        raise Throttled(retry_after(response.headers, backoff), f"{where}: errorId {code}")
    if status in (401, 403):
        raise AuthFailed(f"{where}: errorId {code}: {message}")
    if status >= 500:
        raise ServerError(f"{where}: HTTP {status} errorId {code}")
    raise PlatformRejected(f"{where}: HTTP {status} errorId {code}: {message}", status_code=status, code=code)
