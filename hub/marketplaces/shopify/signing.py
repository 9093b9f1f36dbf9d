"""Shopify webhook signatures: base64(HMAC-SHA256(app client secret, raw body)) in X-Shopify-Hmac-Sha256.

https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
"""

import base64
import hashlib
import hmac

HMAC_HEADERS = ("x-shopify-hmac-sha256", "shopify-hmac-sha256")  # webhooks, and the newer Events headers


def webhook_signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def header(headers: dict, name: str) -> str:
    """A header by case-insensitive name ('' when absent)."""
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            return value if isinstance(value, str) else ""
    return ""


def verify_webhook(headers: dict, body: bytes, secret: str) -> bool:
    """True when the delivery's HMAC matches the raw body; compared in constant time."""
    if not secret or not isinstance(body, bytes | bytearray):
        return False
    received = next((header(headers, name) for name in HMAC_HEADERS if header(headers, name)), "")
    if not received:
        return False
    expected = webhook_signature(secret, bytes(body))
    return hmac.compare_digest(expected.encode(), received.strip().encode())
