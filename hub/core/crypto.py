"""Symmetric encryption for secrets at rest (marketplace credentials and tokens).

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so
old keys keep decrypting during a rotation). In debug and tests a key is derived from
SECRET_KEY so the demo needs no extra set-up; production settings require the variable.
"""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []))
    if not keys:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required to store marketplace credentials.")
        derived = hashlib.sha256(b"hub-field-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a key that is not a valid Fernet key.") from None


def encrypt_json(value) -> str:
    return _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ImproperlyConfigured("Stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from None
