"""Shopify's failure signals mapped to the hub's typed errors.

REST: 429 + ``Retry-After`` (seconds) when the leaky bucket is full; 401/403 for a bad or
expired token or a missing scope; 404, 400 and 422 with ``{"errors": ...}``; 5xx.
GraphQL: HTTP 200 with top-level ``errors`` whose ``extensions.code`` is ``THROTTLED``
(wait for the cost bucket: ``(requestedQueryCost - currentlyAvailable) / restoreRate``),
``ACCESS_DENIED``, ``MAX_INPUT_SIZE_EXCEEDED``, ``INTERNAL_SERVER_ERROR``...
Messages name the path only: never the query string, headers or body of the request.
"""

import json

import httpx

from .. import http_errors
from ..errors import AuthFailed, RequestRejected, ServerError, Throttled

DEFAULT_RETRY_AFTER_SECONDS = 1.0
_SUMMARY_CHARS = 200


def retry_after(response: httpx.Response) -> float:
    return http_errors.retry_after(response.headers, DEFAULT_RETRY_AFTER_SECONDS)


def _summary(response: httpx.Response) -> str:
    """Shopify's ``errors`` member, shortened; Shopify never echoes credentials in it."""
    try:
        errors = response.json().get("errors", "")
    except (ValueError, AttributeError):
        return ""
    text = errors if isinstance(errors, str) else json.dumps(errors, ensure_ascii=False)
    return text[:_SUMMARY_CHARS]


def raise_for_status(response: httpx.Response, what: str) -> None:
    """Raise the typed error for a failed REST or GraphQL HTTP answer; return on 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        raise Throttled(retry_after(response), f"shopify: throttled on {what}")
    if status in (401, 403):
        raise AuthFailed(f"shopify: HTTP {status} on {what}: {_summary(response)}")
    if status >= 500:
        raise ServerError(f"shopify: HTTP {status} on {what}")
    raise RequestRejected(f"shopify: HTTP {status} on {what}: {_summary(response)}")


def json_body(response: httpx.Response, what: str) -> dict:
    """The JSON object of a 2xx answer; a truncated or non-object body is a server fault (retryable)."""
    return http_errors.json_object(response, "shopify", what)


def graphql_throttle_wait(body: dict) -> float:
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        requested = float(cost["requestedQueryCost"])
        available = float(status["currentlyAvailable"])
        restore = float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS
    if restore <= 0:
        return DEFAULT_RETRY_AFTER_SECONDS
    return max(requested - available, 0.0) / restore


def raise_for_graphql_errors(body: dict, what: str) -> None:
    """Top-level GraphQL ``errors`` (the whole operation failed) as typed errors."""
    errors = body.get("errors")
    if not errors:
        return
    if isinstance(errors, str):  # e.g. an auth failure answered as {"errors": "..."}
        raise RequestRejected(f"shopify: {what}: {errors[:_SUMMARY_CHARS]}")
    codes = [((error.get("extensions") or {}).get("code") or "") for error in errors if isinstance(error, dict)]
    messages = "; ".join(str(error.get("message", ""))[:_SUMMARY_CHARS] for error in errors if isinstance(error, dict))
    if "THROTTLED" in codes or any(isinstance(error, dict) and error.get("message") == "Throttled" for error in errors):
        raise Throttled(graphql_throttle_wait(body), f"shopify: GraphQL cost bucket empty on {what}")
    if "ACCESS_DENIED" in codes:
        raise AuthFailed(f"shopify: {what}: {messages}")
    if "INTERNAL_SERVER_ERROR" in codes:
        raise ServerError(f"shopify: {what}: {messages}")
    raise RequestRejected(f"shopify: {what}: {messages}")
