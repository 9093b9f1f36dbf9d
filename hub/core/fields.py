from django.db import models

from .crypto import decrypt_json, encrypt_json


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted (Fernet); never shown in the admin or in logs.

    The database holds only ciphertext, so a dump or a replica leaks nothing.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, dict | list) or value is None:
            return value or {}
        return decrypt_json(value)

    def get_prep_value(self, value):
        return encrypt_json(value or {})

    def value_to_string(self, obj):
        return "<encrypted>"
