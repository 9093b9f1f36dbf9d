"""eBay Notification API push signatures and endpoint validation.

Each push carries ``X-EBAY-SIGNATURE``: base64 of JSON {"alg": "ecdsa", "kid", "signature", "digest": "SHA1"};
``signature`` is the base64 DER ECDSA signature of the body, checked with the public key that
getPublicKey (GET /commerce/notification/v1/public_key/{kid}) returns for ``kid``
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey;
eBay's event-notification SDKs verify with "ssl3-sha1"). Endpoint validation answers
``challengeResponse = hex(SHA-256(challengeCode + verificationToken + endpoint))``
(https://developer.ebay.com/marketplace-account-deletion).
"""

import base64
import binascii
import hashlib
import json
import re
import textwrap

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

SIGNATURE_HEADER = "X-EBAY-SIGNATURE"
DIGESTS = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}
_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", re.DOTALL)


def header_value(headers: dict, name: str) -> str:
    wanted = name.lower()
    return next((str(value) for key, value in headers.items() if str(key).lower() == wanted), "")


def signature_fields(headers: dict) -> dict | None:
    """The decoded X-EBAY-SIGNATURE header, or None when absent or malformed."""
    raw = header_value(headers, SIGNATURE_HEADER)
    if not raw:
        return None
    try:
        fields = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError):
        return None
    return fields if isinstance(fields, dict) else None


def signature_key_id(headers: dict) -> str:
    """The ``kid`` whose public key verifies this push (fetch it once and cache it about an hour)."""
    return str((signature_fields(headers) or {}).get("kid") or "")


def pem_public_key(key: str):
    """getPublicKey answers the PEM on one line; reflow it before loading."""
    match = _PEM.search(key or "")
    if not match:
        return None
    body = re.sub(r"\s+", "", match.group(1))
    pem = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(textwrap.wrap(body, 64)) + "\n-----END PUBLIC KEY-----\n"
    try:
        loaded = load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm):
        return None
    return loaded if isinstance(loaded, ec.EllipticCurvePublicKey) else None


def verify_notification(headers: dict, body: bytes, public_key: str) -> bool:
    """True when ``body`` carries a valid eBay signature made with the key ``public_key`` (PEM)."""
    fields = signature_fields(headers)
    key = pem_public_key(public_key)
    if fields is None or key is None or str(fields.get("alg", "")).lower() != "ecdsa":
        return False
    digest = DIGESTS.get(str(fields.get("digest") or "SHA1").upper())
    try:
        signature = base64.b64decode(str(fields.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        return False
    if digest is None or not signature:
        return False
    try:
        key.verify(signature, bytes(body), ec.ECDSA(digest()))
    except InvalidSignature:
        return False
    return True


def challenge_response(challenge_code: str, verification_token: str, endpoint: str) -> str:
    """The answer to eBay's GET ?challenge_code=... when it validates a notification endpoint."""
    return hashlib.sha256((challenge_code + verification_token + endpoint).encode()).hexdigest()
