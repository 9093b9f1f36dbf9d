"""What every Shopify sandbox endpoint does around its own work.

Order of checks, as Shopify: injected fault, shop, method, ``X-Shopify-Access-Token``,
rate limit; then the view; then the call is recorded. Answers carry
``X-Shopify-Shop-Api-Call-Limit`` (REST), ``X-Shopify-API-Version`` and ``X-Request-Id``.
"""

import functools
import math
import re
import time
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from hub.core.ratelimit import TokenBucket

from ..common import fault_response, rate_limit_wait, record_call
from ..models import SandboxShop

PLATFORM = "shopify"
SUPPORTED_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10", "unstable")
_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$|^unstable$")
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105 - the error message, not a secret
# Plan limits: REST requests/second and bucket; GraphQL restore points/second and bucket.
# https://shopify.dev/docs/api/admin-rest/usage/rate-limits, https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
PLANS = {
    "standard": {"rest_rate": 2, "rest_bucket": 40, "graphql_restore": 100, "graphql_bucket": 2000},
    "advanced": {"rest_rate": 4, "rest_bucket": 80, "graphql_restore": 200, "graphql_bucket": 4000},
    "plus": {"rest_rate": 20, "rest_bucket": 400, "graphql_restore": 1000, "graphql_bucket": 20000},
}


def limits(shop: SandboxShop) -> dict:
    return {**PLANS["standard"], **PLANS.get(shop.data.get("plan", ""), {}), **shop.data.get("limits", {})}


def effective_version(version: str) -> str:
    """Shopify serves an unsupported (too old) version as the oldest supported one."""
    if version in SUPPORTED_VERSIONS:
        return version
    return SUPPORTED_VERSIONS[0] if version < SUPPORTED_VERSIONS[0] else SUPPORTED_VERSIONS[-2]


def errors(message, status: int) -> JsonResponse:
    return JsonResponse({"errors": message}, status=status, json_dumps_params={"ensure_ascii": False})


def not_found() -> JsonResponse:
    return errors("Not Found", 404)


def bucket_available(key: str, rate: float, burst: float) -> float:
    """Tokens left in a shared bucket now (what the call-limit header and throttleStatus report)."""
    full_key = f"bucket:{key}"
    if getattr(settings, "REDIS_URL", None):
        tokens, at = _redis(settings.REDIS_URL).hmget(full_key, "tokens", "at")
        if tokens is None:
            return float(burst)
        return min(float(burst), float(tokens) + max(0.0, time.time() - float(at)) * rate)
    from hub.core import ratelimit  # in-process buckets (no Redis): read-only peek

    tokens, at = ratelimit._local_buckets.get(full_key, (burst, time.time()))
    return min(float(burst), tokens + max(0.0, time.time() - at) * rate)


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def rest_key(shop_id: str) -> str:
    return f"sandbox:{PLATFORM}:{shop_id}:rest"


def graphql_bucket(shop: SandboxShop) -> TokenBucket:
    plan = limits(shop)
    return TokenBucket(f"sandbox:{PLATFORM}:{shop.shop_id}:graphql", plan["graphql_restore"], plan["graphql_bucket"])


def rest_throttled(delay: float) -> JsonResponse:
    response = errors(
        "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.", 429
    )
    response["Retry-After"] = f"{math.ceil(delay * 10) / 10:.1f}"
    return response


def access_token_valid(shop: SandboxShop, token: str) -> bool:
    if not token:
        return False
    tokens = shop.secrets.get("access_tokens", {})
    if token not in tokens:
        return False
    expires_at = tokens[token]
    return expires_at is None or expires_at > time.time()


def admin_endpoint(operation: str, methods: tuple[str, ...] = ("GET",), *, rest: bool = True, throttled=None):
    """Wrap a view ``view(request, shop, version, **kwargs) -> (response, items)`` with Shopify's checks.

    ``operation`` may be a callable ``operation(request) -> str`` (GraphQL: from the document);
    ``throttled(request)`` gives the platform's throttle answer ``(delay) -> response`` for injected faults.
    """

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, shop_id, version, **kwargs):
            name = operation(request) if callable(operation) else operation
            items = 0
            response = fault_response(PLATFORM, shop_id, name, throttled(request) if throttled else rest_throttled)
            shop = SandboxShop.objects.filter(platform=PLATFORM, shop_id=shop_id).first()
            if response is None:
                if shop is None or not _VERSION.match(version) or request.method not in methods:
                    response = not_found()
                elif not access_token_valid(shop, request.headers.get("X-Shopify-Access-Token", "")):
                    response = errors(INVALID_TOKEN, 401)
                elif rest and (wait := _rest_wait(shop)) > 0:
                    response = rest_throttled(wait)
                else:
                    response, items = view(request, shop, effective_version(version), **kwargs)
            if rest and shop is not None:
                plan = limits(shop)
                left = bucket_available(rest_key(shop_id), plan["rest_rate"], plan["rest_bucket"])
                response["X-Shopify-Shop-Api-Call-Limit"] = (
                    f"{plan['rest_bucket'] - math.floor(left)}/{plan['rest_bucket']}"
                )
            if _VERSION.match(version):
                response["X-Shopify-API-Version"] = effective_version(version)
            response["X-Request-Id"] = str(uuid.uuid4())
            record_call(PLATFORM, shop_id, name, request, response.status_code, items)
            return response

        return wrapped

    return decorate


def _rest_wait(shop: SandboxShop) -> float:
    plan = limits(shop)
    return rate_limit_wait(PLATFORM, shop.shop_id, "rest", plan["rest_rate"], plan["rest_bucket"])
