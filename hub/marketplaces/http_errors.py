"""Reading platform answers the same way in every adapter: Retry-After, JSON bodies, error lists.

Messages built here name the platform and the call (a path or an API name), never the query
string, headers or body of the request.
"""

import math

from .errors import RequestRejected, ServerError


class PlatformRejected(RequestRejected):
    """A 4xx other than auth and throttling; ``code`` is the platform's error code (SP-API code, eBay errorId)."""

    def __init__(self, message: str, *, status_code: int, code: str):
        self.status_code = status_code
        self.code = code
        super().__init__(message)


def retry_after(headers, default: float) -> float:
    """Seconds of a ``Retry-After`` header; ``default`` when it is absent, unreadable, negative or infinite."""
    try:
        seconds = float(headers.get("Retry-After") or "")
    except ValueError:
        return default
    return seconds if math.isfinite(seconds) and seconds >= 0 else default


def json_or_none(response):
    """The JSON body of an httpx response, or None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def json_object(response, platform: str, what: str) -> dict:
    """The JSON object of an answer; a truncated or non-object body is a server fault (ServerError, retryable)."""
    try:
        body = response.json()
    except ValueError:
        raise ServerError(f"{platform}: unreadable JSON from {what} (HTTP {response.status_code})") from None
    if not isinstance(body, dict):
        raise ServerError(f"{platform}: unexpected answer from {what}")
    return body


def first_error(body) -> dict:
    """The first entry of an ``{"errors": [...]}`` body (SP-API, eBay), or an empty dict."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0]
    return {}
