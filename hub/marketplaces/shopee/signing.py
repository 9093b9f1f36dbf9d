"""Shopee v2 request signing and push (webhook) verification.

- Shop API: ``sign = hex(HMAC-SHA256(partner_key, f"{partner_id}{path}{timestamp}{access_token}{shop_id}"))``
- Public API (token calls): ``sign = hex(HMAC-SHA256(partner_key, f"{partner_id}{path}{timestamp}"))``
- Push: header ``Authorization = hex(HMAC-SHA256(partner_key, f"{callback_url}|{raw_body}"))``
"""

import hashlib
import hmac

# Shopee signs the callback URL it posted to, which the body does not carry; the hub's push
# receiver passes that URL (its own absolute URL) to ``verify_push`` under this header name.
CALLBACK_URL_HEADER = "X-Hub-Callback-Url"


def api_sign(partner_key: str, partner_id, path: str, timestamp: int, access_token: str = "", shop_id="") -> str:
    base = f"{partner_id}{path}{timestamp}{access_token}{shop_id}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    message = callback_url.encode() + b"|" + body
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()


def _header(headers: dict, name: str) -> str:
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if str(key).lower() == lowered:
            return str(value)
    return ""


def verify_push(headers: dict, body: bytes, secret: str) -> bool:
    """True when ``Authorization`` is the push signature of ``body`` sent to the callback URL."""
    received = _header(headers, "Authorization").strip()
    callback_url = _header(headers, CALLBACK_URL_HEADER).strip()
    if not received or not callback_url or not secret or not isinstance(body, bytes | bytearray):
        return False
    expected = push_signature(secret, callback_url, bytes(body))
    return hmac.compare_digest(expected.encode(), received.lower().encode())
